//! Hydrogens for 3D structures written without them: every atom below its
//! smallest allowed valence gets the missing hydrogens, placed from the
//! heavy-atom geometry (which is kept exactly) at the ideal bond length, in
//! tetrahedral, trigonal or linear directions according to the atom's
//! multiple bonds. A terminal group (CH3, NH2, OH) is staggered against a
//! neighbour of its neighbour. The added hydrogens follow the heavy atoms,
//! in the order of the atoms they belong to (as RDKit's `AddHs` orders
//! them), so atom indices of the input stay valid.
//!
//! Positions are ideal, not minimised: `minimize` and `gen` relax them;
//! `energy` of such a record is the energy of the idealised hydrogens.

use super::{Atom, Bond, BondOrder, Element, Molecule, StructureError};
use nalgebra::{Point3, Unit, Vector3};

/// Hydrogens each atom lacks to reach its smallest allowed valence (0 for
/// atoms at an allowed valence, above all allowed ones, or of elements
/// without a valence rule).
pub fn missing_hydrogens(mol: &Molecule) -> Vec<u8> {
    (0..mol.num_atoms())
        .map(|i| {
            let atom = mol.atom(i);
            let Some(allowed) = atom.element.allowed_valences(i32::from(atom.charge)) else {
                return 0;
            };
            let valence = mol.valence(i) + atom.radical.valence_used();
            if allowed.contains(&valence) {
                return 0;
            }
            allowed
                .iter()
                .find(|&&v| v > valence)
                .map_or(0, |&v| v - valence)
        })
        .collect()
}

/// `mol` with its missing hydrogens added (see the module documentation).
pub fn add_hydrogens(mol: &Molecule) -> Result<Molecule, StructureError> {
    let missing = missing_hydrogens(mol);
    let mut atoms: Vec<Atom> = mol.atoms().to_vec();
    let mut bonds: Vec<Bond> = mol.bonds().to_vec();
    let mut coords: Vec<Point3<f64>> = mol.coords().to_vec();
    for (i, &count) in missing.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let length = bond_length(mol.atom(i).element);
        for direction in directions(mol, i, count as usize) {
            atoms.push(Atom::new(Element::H));
            coords.push(mol.coords()[i] + direction.into_inner() * length);
            bonds.push(Bond {
                atoms: [i, atoms.len() - 1],
                order: BondOrder::Single,
                stereo: 0,
            });
        }
    }
    let mut out = Molecule::new(mol.name().to_string(), atoms, bonds, coords)?;
    out.set_comment(mol.comment().to_string());
    for (tag, value) in mol.data() {
        out.push_data(tag.clone(), value.clone());
    }
    Ok(out)
}

/// X–H bond lengths (Å) close to MMFF94's reference values.
fn bond_length(element: Element) -> f64 {
    match element.symbol() {
        "C" => 1.09,
        "N" => 1.01,
        "O" => 0.97,
        "S" => 1.34,
        "P" => 1.42,
        "Si" => 1.48,
        "B" => 1.19,
        _ => 1.0,
    }
}

/// Unit directions for `count` hydrogens on atom `i`.
fn directions(mol: &Molecule, i: usize, count: usize) -> Vec<Unit<Vector3<f64>>> {
    let here = mol.coords()[i];
    let bonds: Vec<(Unit<Vector3<f64>>, usize)> = mol
        .bonds_of(i)
        .filter_map(|(b, n)| Unit::try_new(mol.coords()[n] - here, 1e-6).map(|u| (u, b)))
        .collect();
    let multiple = mol
        .bonds_of(i)
        .map(|(b, _)| mol.bonds()[b].order)
        .filter(|&o| o != BondOrder::Single)
        .collect::<Vec<_>>();
    let linear = multiple.contains(&BondOrder::Triple) || multiple.len() >= 2;
    let trigonal = !linear && multiple.len() == 1;
    let units: Vec<Vector3<f64>> = bonds.iter().map(|(u, _)| u.into_inner()).collect();
    let away = Unit::try_new(-units.iter().sum::<Vector3<f64>>(), 1e-6);
    let out: Vec<Vector3<f64>> = match (units.len(), linear, trigonal) {
        (0, _, _) => tetrahedron(Vector3::x(), Vector3::y())
            .into_iter()
            .take(count)
            .collect(),
        (1, true, _) => vec![-units[0]],
        (1, _, _) => {
            // Around the one bond, staggered against a neighbour of the
            // neighbour (or any direction perpendicular to the bond).
            let axis = -units[0];
            let n = bonds[0].1;
            let partner = mol.bonds()[n].other(i);
            let reference = mol
                .neighbors(partner)
                .find(|&x| x != i)
                .map(|x| mol.coords()[x] - mol.coords()[partner])
                .unwrap_or_else(|| any_perpendicular(&axis));
            let (cos, sin, phases): (f64, f64, &[f64]) = if trigonal {
                // 120° from the bond, in the plane of the reference.
                (0.5, 0.75f64.sqrt(), &[0.0, 180.0])
            } else {
                (1.0 / 3.0, (8.0f64 / 9.0).sqrt(), &[60.0, 180.0, 300.0])
            };
            let v = (reference - axis * reference.dot(&axis))
                .try_normalize(1e-6)
                .unwrap_or_else(|| any_perpendicular(&axis));
            let w = axis.cross(&v);
            phases
                .iter()
                .take(count)
                .map(|p: &f64| {
                    let (s, c) = p.to_radians().sin_cos();
                    axis * cos + (v * c + w * s) * sin
                })
                .collect()
        }
        (2, _, _) => {
            let Some(away) = away else {
                return vec![Unit::new_normalize(any_perpendicular(&units[0])); count];
            };
            if trigonal || linear {
                vec![away.into_inner(); count.min(1)]
            } else {
                // Tetrahedral: out of the plane of the two bonds.
                let normal = units[0]
                    .cross(&units[1])
                    .try_normalize(1e-6)
                    .unwrap_or_else(|| any_perpendicular(&away));
                let (s, c) = (54.75f64).to_radians().sin_cos();
                [
                    away.into_inner() * c + normal * s,
                    away.into_inner() * c - normal * s,
                ]
                .into_iter()
                .take(count)
                .collect()
            }
        }
        _ => vec![away.map_or_else(|| any_perpendicular(&units[0]), Unit::into_inner); count],
    };
    out.into_iter().map(Unit::new_normalize).collect()
}

/// Four tetrahedral directions built on two reference directions.
fn tetrahedron(a: Vector3<f64>, b: Vector3<f64>) -> [Vector3<f64>; 4] {
    let z = a.normalize();
    let x = (b - z * b.dot(&z)).normalize();
    let y = z.cross(&x);
    let s = (8.0f64 / 9.0).sqrt();
    let mut out = [z; 4];
    for (k, slot) in out.iter_mut().enumerate().skip(1) {
        let (sin, cos) = (120.0 * k as f64).to_radians().sin_cos();
        *slot = -z / 3.0 + (x * cos + y * sin) * s;
    }
    out
}

fn any_perpendicular(v: &Vector3<f64>) -> Vector3<f64> {
    let trial = if v.x.abs() < 0.9 {
        Vector3::x()
    } else {
        Vector3::y()
    };
    (trial - v * trial.dot(v) / v.norm_squared()).normalize()
}
