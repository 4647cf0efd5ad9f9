//! Torsion space: kinematics that keep bond lengths and angles, E(τ) equal
//! to the full MMFF94 energy, ∂E/∂τ equal to central differences.

use crate::util::{read_ok, shared};
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use conformers::mol::stereo::dihedral;
use conformers::torsion::{find_rotors, RotorOptions, TorsionSpace};
use conformers::Molecule;
use nalgebra::Point3;
use std::f64::consts::PI;

fn wrap(a: f64) -> f64 {
    (a + PI).rem_euclid(2.0 * PI) - PI
}

struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn angle(&mut self) -> f64 {
        (2.0 * self.uniform() - 1.0) * PI
    }
}

fn angle_at(x: &[Point3<f64>], i: usize, j: usize, k: usize) -> f64 {
    (x[i] - x[j]).angle(&(x[k] - x[j]))
}

/// Dev-set molecules with rotors and their MMFF systems.
fn systems() -> Option<Vec<(Molecule, MmffSystem)>> {
    let dir = shared("forcefield-reference/dev")?;
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    Some(
        mols.into_iter()
            .filter(|m| !find_rotors(m, RotorOptions::default()).is_empty())
            .map(|m| {
                let system = MmffSystem::new(&m, &MmffOptions::default()).unwrap();
                (m, system)
            })
            .collect(),
    )
}

/// IUPAC sign, as RDKit reports it: looking along j→k, j-i turning
/// clockwise onto k-l is positive.
#[test]
fn dihedral_sign_follows_iupac() {
    let (c, s) = (60f64.to_radians().cos(), 60f64.to_radians().sin());
    let x = [
        Point3::new(1.0, 0.0, 0.0),
        Point3::new(0.0, 0.0, 0.0),
        Point3::new(0.0, 0.0, 1.0),
        Point3::new(c, s, 1.0),
    ];
    assert!((dihedral(&x, [0, 1, 2, 3]).to_degrees() - 60.0).abs() < 1e-9);
    assert!((dihedral(&x, [3, 2, 1, 0]).to_degrees() - 60.0).abs() < 1e-9);
    let mirrored: Vec<Point3<f64>> = x.iter().map(|p| Point3::new(p.x, -p.y, p.z)).collect();
    assert!((dihedral(&mirrored, [0, 1, 2, 3]).to_degrees() + 60.0).abs() < 1e-9);
}

#[test]
fn coordinates_keep_bonds_angles_and_set_each_dihedral() {
    let Some(systems) = systems() else { return };
    let mut rng = Rng(7);
    for (mol, system) in &systems {
        let space = TorsionSpace::new(mol, system, find_rotors(mol, RotorOptions::default()));
        let x0 = space.coords(space.reference_torsions());
        for (a, b) in x0.iter().zip(mol.coords()) {
            assert!((a - b).norm() < 1e-12);
        }
        for _ in 0..5 {
            let tau: Vec<f64> = (0..space.dim()).map(|_| rng.angle()).collect();
            let x = space.coords(&tau);
            for bond in mol.bonds() {
                let [i, j] = bond.atoms;
                let (d, d0) = ((x[i] - x[j]).norm(), (x0[i] - x0[j]).norm());
                assert!((d - d0).abs() < 1e-9, "{} bond {i}-{j}", mol.name());
            }
            for j in 0..mol.num_atoms() {
                let ns: Vec<usize> = mol.neighbors(j).collect();
                for a in 0..ns.len() {
                    for b in a + 1..ns.len() {
                        let (t, t0) = (
                            angle_at(&x, ns[a], j, ns[b]),
                            angle_at(&x0, ns[a], j, ns[b]),
                        );
                        assert!((t - t0).abs() < 1e-9, "{} angle at {j}", mol.name());
                    }
                }
            }
            for (r, rotor) in space.rotors().iter().enumerate() {
                let got = dihedral(&x, rotor.dihedral);
                assert!(
                    wrap(got - tau[r]).abs() < 1e-9,
                    "{} rotor {r}: {got} vs {}",
                    mol.name(),
                    tau[r]
                );
            }
            // Stereo never changes.
            let s0 = conformers::mol::stereo::Stereo::perceive(mol);
            let s = conformers::mol::stereo::Stereo::perceive_at(mol, &x);
            assert!(s0.differences(&s).is_empty(), "{}", mol.name());
        }
    }
}

#[test]
fn torsion_energy_equals_full_energy_and_gradient_equals_differences() {
    let Some(systems) = systems() else { return };
    let mut rng = Rng(11);
    let mut checked = 0;
    for (mol, system) in &systems {
        let space = TorsionSpace::new(mol, system, find_rotors(mol, RotorOptions::default()));
        let mut work = space.workspace();
        let m = space.dim();
        let mut grad = vec![0.0; m];
        for _ in 0..3 {
            let tau: Vec<f64> = (0..m).map(|_| rng.angle()).collect();
            let e = space.energy_gradient(&tau, &mut grad, &mut work);
            let full = system.energy(&space.coords(&tau)).total();
            assert!(
                (e - full).abs() < 1e-9 * (1.0 + full.abs()),
                "{}: {e} vs {full}",
                mol.name()
            );
            assert_eq!(space.energy(&tau, &mut work), e);
            // Random torsions often clash (E up to 1e5 kcal/mol): the
            // difference quotient then carries round-off of order ε·E/h.
            let h = 1e-5;
            let noise = 1e-9 * (1.0 + e.abs());
            for r in 0..m {
                let mut tp = tau.clone();
                tp[r] += h;
                let mut tm = tau.clone();
                tm[r] -= h;
                let fd = (space.energy(&tp, &mut work) - space.energy(&tm, &mut work)) / (2.0 * h);
                let tolerance = 1e-5 * (1.0 + fd.abs()) + noise;
                assert!(
                    (fd - grad[r]).abs() <= tolerance,
                    "{} rotor {r}: {fd} vs {}",
                    mol.name(),
                    grad[r]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn torsion_space_minimisation_lowers_the_energy_to_a_stationary_point() {
    use conformers::ensemble::minimize::{minimize_torsions, torsion_options};
    let Some(systems) = systems() else { return };
    for (mol, system) in systems.iter().take(30) {
        let space = TorsionSpace::new(mol, system, find_rotors(mol, RotorOptions::default()));
        let mut work = space.workspace();
        let mut tau: Vec<f64> = space.reference_torsions().iter().map(|t| t + 1.0).collect();
        let start = space.energy(&tau, &mut work);
        let result = minimize_torsions(&space, &mut tau, &torsion_options());
        assert!(result.converged, "{}: {result:?}", mol.name());
        assert!(result.value <= start, "{}", mol.name());
        let mut grad = vec![0.0; space.dim()];
        let e = space.energy_gradient(&tau, &mut grad, &mut work);
        assert!((e - result.value).abs() < 1e-9);
        assert!(
            grad.iter().all(|g| g.abs() < 1e-3),
            "{}: {grad:?}",
            mol.name()
        );
    }
}

#[test]
fn batches_equal_single_evaluations_for_any_split() {
    let Some(systems) = systems() else { return };
    let mut rng = Rng(5);
    for (mol, system) in systems.iter().take(10) {
        let space = TorsionSpace::new(mol, system, find_rotors(mol, RotorOptions::default()));
        let m = space.dim();
        let points = 37;
        let taus: Vec<f64> = (0..points * m).map(|_| rng.angle()).collect();
        let mut work = space.workspace();
        let mut expected_e = vec![0.0; points];
        let mut expected_g = vec![0.0; points * m];
        for (k, e) in expected_e.iter_mut().enumerate() {
            let r = k * m..(k + 1) * m;
            *e = space.energy_gradient(&taus[r.clone()], &mut expected_g[r], &mut work);
        }
        for chunks in [1, 2, 5, 64] {
            let mut batch = space.batch_workspace(chunks);
            let mut e = vec![0.0; points];
            let mut g = vec![0.0; points * m];
            space.energy_gradient_batch(&taus, &mut e, &mut g, &mut batch);
            assert_eq!(e, expected_e, "{} chunks {chunks}", mol.name());
            assert_eq!(g, expected_g);
        }
    }
}

/// Rotor neighbours: rotors whose bonds share an atom first, then those one
/// bond away, each group in rotor order (checked by hand on the drawings).
#[test]
fn rotor_neighbours_share_an_atom_or_a_bond() {
    let neighbours = |file: &str| {
        let mol = &read_ok(&crate::util::root().join("molecules").join(file))[0];
        let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
        let space = TorsionSpace::new(mol, &system, find_rotors(mol, RotorOptions::default()));
        space.neighbours().to_vec()
    };
    // φ (N4–C5) and ψ (C5–C7) share the α carbon.
    assert_eq!(neighbours("alanine_dipeptide.sdf"), [vec![1], vec![0]]);
    // C5–N6 and C7–C9 are joined by the bond N6–C7; C30–C31 stands alone.
    assert_eq!(
        neighbours("heteroaromatic_5rotors.sdf"),
        [vec![1], vec![0], vec![3], vec![2], vec![5], vec![4], vec![]]
    );
    // Verapamil's chain C6…C14: C12–C13 shares atoms with C11–C12 and
    // C13–C14, and is one bond from C9–C11, C14–C17 and C14–C20; the two
    // methoxy groups on neighbouring ring carbons see each other.
    let verapamil = neighbours("flexible_8rotors.sdf");
    assert_eq!(verapamil[6], [5, 7, 4, 8, 9]);
    assert_eq!(verapamil[0], [12]);
    assert_eq!(verapamil[12], [0]);
}
