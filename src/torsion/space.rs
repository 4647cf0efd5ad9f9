//! The torsion space of a molecule: coordinates for any torsion vector τ
//! (rotors turn rigid fragments; bond lengths, angles, rings, fragments'
//! placement and stereochemistry stay as in the input), and the MMFF94
//! energy E(τ) with its analytic gradient ∂E/∂τ.
//!
//! Turning one rotor rotates its moving side rigidly about its bond; every
//! other rotor's four dihedral atoms then move together or lie on the axis,
//! so each dihedral depends on its own rotor only and the rotors can be
//! applied one after another. Bond, angle, stretch-bend and out-of-plane
//! terms, torsions about non-rotor bonds and nonbonded pairs never separated
//! by a rotor are constant: they are evaluated once.

use super::rotors::Rotor;
use crate::forcefield::mmff::terms::Terms;
use crate::forcefield::mmff::MmffSystem;
use crate::mol::stereo::dihedral;
use crate::mol::Molecule;
use nalgebra::{Point3, Rotation3, Unit, Vector3};

#[derive(Clone, Debug)]
pub struct TorsionSpace {
    reference: Vec<Point3<f64>>,
    rotors: Vec<Rotor>,
    /// Per rotor, the rotors one bond away, sharing an end atom first.
    neighbours: Vec<Vec<usize>>,
    /// Dihedrals of the input, radians.
    tau0: Vec<f64>,
    /// Energy of the τ-independent interactions.
    constant_energy: f64,
    /// The τ-dependent interactions.
    variable: Terms,
}

/// Scratch space for a batch evaluated in parallel: one [`Workspace`] per
/// chunk of points.
#[derive(Clone, Debug)]
pub struct BatchWorkspace {
    chunks: Vec<Workspace>,
}

/// Scratch space for one evaluation, so repeated calls allocate nothing.
#[derive(Clone, Debug)]
pub struct Workspace {
    coords: Vec<Point3<f64>>,
    grad: Vec<Vector3<f64>>,
}

impl TorsionSpace {
    /// The torsion space of `mol` for the given rotors, with the energy of
    /// `system` (built for the same molecule).
    pub fn new(mol: &Molecule, system: &MmffSystem, rotors: Vec<Rotor>) -> TorsionSpace {
        let reference = mol.coords().to_vec();
        let tau0 = rotors
            .iter()
            .map(|r| dihedral(&reference, r.dihedral))
            .collect();
        // side[a] is a bit set of the rotors whose moving side holds atom a;
        // two atoms keep their distance when their sets are equal.
        let mut side = vec![vec![false; rotors.len()]; mol.num_atoms()];
        for (r, rotor) in rotors.iter().enumerate() {
            for &a in &rotor.moving {
                side[a][r] = true;
            }
        }
        let rotor_bonds: Vec<[usize; 2]> = rotors
            .iter()
            .map(|r| {
                let [_, j, k, _] = r.dihedral;
                [j.min(k), j.max(k)]
            })
            .collect();
        let all = system.terms();
        let mut constant = Terms {
            dielectric: all.dielectric,
            bonds: all.bonds.clone(),
            angles: all.angles.clone(),
            stretch_bends: all.stretch_bends.clone(),
            oops: all.oops.clone(),
            ..Terms::default()
        };
        let mut variable = Terms {
            dielectric: all.dielectric,
            ..Terms::default()
        };
        for t in &all.torsions {
            let [_, j, k, _] = t.atoms;
            if rotor_bonds.contains(&[j.min(k), j.max(k)]) {
                variable.torsions.push(*t);
            } else {
                constant.torsions.push(*t);
            }
        }
        for p in &all.pairs {
            let [i, j] = p.atoms;
            if side[i] == side[j] {
                constant.pairs.push(*p);
            } else {
                variable.pairs.push(*p);
            }
        }
        let constant_energy = constant.evaluate(&reference, None).total();
        TorsionSpace {
            neighbours: rotor_neighbours(mol, &rotor_bonds),
            reference,
            rotors,
            tau0,
            constant_energy,
            variable,
        }
    }

    /// Number of rotors m.
    pub fn dim(&self) -> usize {
        self.rotors.len()
    }

    pub fn rotors(&self) -> &[Rotor] {
        &self.rotors
    }

    /// Per rotor, the rotors whose bonds share an atom with its own (their
    /// torsions meet in 1–5 interactions), then those joined to it by one
    /// bond (1–6), each group in rotor order.
    pub fn neighbours(&self) -> &[Vec<usize>] {
        &self.neighbours
    }

    /// τ of the input geometry (radians).
    pub fn reference_torsions(&self) -> &[f64] {
        &self.tau0
    }

    pub fn workspace(&self) -> Workspace {
        Workspace {
            coords: self.reference.clone(),
            grad: vec![Vector3::zeros(); self.reference.len()],
        }
    }

    /// Scratch space for batches split into `chunks` parallel parts (the
    /// number of threads is a good choice).
    pub fn batch_workspace(&self, chunks: usize) -> BatchWorkspace {
        BatchWorkspace {
            chunks: (0..chunks.max(1)).map(|_| self.workspace()).collect(),
        }
    }

    /// Energies and gradients of many points at once, in parallel. `taus`
    /// holds the points one after another (m values each); `energies` gets
    /// one value per point and `grads` m per point. Each point is computed
    /// alone, so results do not depend on the split or the thread count.
    pub fn energy_gradient_batch(
        &self,
        taus: &[f64],
        energies: &mut [f64],
        grads: &mut [f64],
        work: &mut BatchWorkspace,
    ) {
        use rayon::prelude::*;
        let m = self.dim();
        let points = energies.len();
        assert_eq!(taus.len(), points * m, "m angles per point");
        assert_eq!(grads.len(), points * m, "m gradient entries per point");
        if m == 0 {
            energies.fill(self.constant_energy);
            return;
        }
        let per_chunk = points.div_ceil(work.chunks.len()).max(1);
        work.chunks
            .par_iter_mut()
            .zip(energies.par_chunks_mut(per_chunk))
            .zip(grads.par_chunks_mut(per_chunk * m))
            .zip(taus.par_chunks(per_chunk * m))
            .for_each(|(((ws, e), g), t)| {
                for (k, e) in e.iter_mut().enumerate() {
                    let range = k * m..(k + 1) * m;
                    *e = self.energy_gradient(&t[range.clone()], &mut g[range], ws);
                }
            });
    }

    /// Energies of many points at once, in parallel (see
    /// [`TorsionSpace::energy_gradient_batch`]).
    pub fn energy_batch(&self, taus: &[f64], energies: &mut [f64], work: &mut BatchWorkspace) {
        use rayon::prelude::*;
        let m = self.dim();
        assert_eq!(taus.len(), energies.len() * m, "m angles per point");
        if m == 0 {
            energies.fill(self.constant_energy);
            return;
        }
        let per_chunk = energies.len().div_ceil(work.chunks.len()).max(1);
        work.chunks
            .par_iter_mut()
            .zip(energies.par_chunks_mut(per_chunk))
            .zip(taus.par_chunks(per_chunk * m))
            .for_each(|((ws, e), t)| {
                for (k, e) in e.iter_mut().enumerate() {
                    *e = self.energy(&t[k * m..(k + 1) * m], ws);
                }
            });
    }

    /// Coordinates for τ, written into `out` (one entry per atom).
    pub fn coords_into(&self, tau: &[f64], out: &mut [Point3<f64>]) {
        assert_eq!(tau.len(), self.rotors.len(), "one angle per rotor");
        out.copy_from_slice(&self.reference);
        for (r, rotor) in self.rotors.iter().enumerate() {
            let delta = tau[r] - self.tau0[r];
            if delta == 0.0 {
                continue;
            }
            let (origin, axis) = self.axis(r, out);
            let rotation = Rotation3::from_axis_angle(&axis, delta);
            for &a in &rotor.moving {
                out[a] = origin + rotation * (out[a] - origin);
            }
        }
    }

    /// Coordinates for τ.
    pub fn coords(&self, tau: &[f64]) -> Vec<Point3<f64>> {
        let mut out = self.reference.clone();
        self.coords_into(tau, &mut out);
        out
    }

    /// A point on rotor r's bond and the direction about which a positive
    /// turn of its moving side increases its dihedral.
    fn axis(&self, r: usize, x: &[Point3<f64>]) -> (Point3<f64>, Unit<Vector3<f64>>) {
        let rotor = &self.rotors[r];
        let [_, j, k, _] = rotor.dihedral;
        // With the dihedral's sign convention, turning l's side positively
        // about j→k increases i-j-k-l; turning i's side needs k→j.
        let (from, to) = if rotor.moving_end == k {
            (j, k)
        } else {
            (k, j)
        };
        (x[to], Unit::new_normalize(x[to] - x[from]))
    }

    /// MMFF94 energy at τ (kcal/mol).
    pub fn energy(&self, tau: &[f64], work: &mut Workspace) -> f64 {
        self.coords_into(tau, &mut work.coords);
        self.constant_energy + self.variable.evaluate(&work.coords, None).total()
    }

    /// Energy at τ and ∂E/∂τ (kcal/mol/rad) written into `grad`.
    pub fn energy_gradient(&self, tau: &[f64], grad: &mut [f64], work: &mut Workspace) -> f64 {
        self.coords_into(tau, &mut work.coords);
        work.grad.iter_mut().for_each(|g| *g = Vector3::zeros());
        let e = self
            .variable
            .evaluate(&work.coords, Some(&mut work.grad))
            .total();
        for (r, rotor) in self.rotors.iter().enumerate() {
            let (origin, axis) = self.axis(r, &work.coords);
            // Torque of the moving side about the rotor axis.
            grad[r] = rotor
                .moving
                .iter()
                .map(|&a| work.grad[a].dot(&axis.cross(&(work.coords[a] - origin))))
                .sum();
        }
        self.constant_energy + e
    }
}

/// See [`TorsionSpace::neighbours`]; `bonds` are the rotor bonds' end atoms.
fn rotor_neighbours(mol: &Molecule, bonds: &[[usize; 2]]) -> Vec<Vec<usize>> {
    let bonded = |a: usize, b: usize| mol.bond_between(a, b).is_some();
    bonds
        .iter()
        .enumerate()
        .map(|(r, ends)| {
            let near = |s: usize, distance: usize| {
                s != r
                    && ends.iter().any(|&a| {
                        bonds[s]
                            .iter()
                            .any(|&b| if distance == 0 { a == b } else { bonded(a, b) })
                    })
            };
            let sharing = (0..bonds.len()).filter(|&s| near(s, 0));
            let joined = (0..bonds.len()).filter(|&s| !near(s, 0) && near(s, 1));
            sharing.chain(joined).collect()
        })
        .collect()
}
