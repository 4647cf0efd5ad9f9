//! A first 3D structure from a molecular graph by distance geometry, with
//! the stereochemistry that was written.
//!
//! Bounds on every interatomic distance come from MMFF94's reference bond
//! lengths and angles (1-2 and 1-3 pairs), from the cis and trans limits of
//! each dihedral (1-4 pairs; a configured double bond fixes its own) and
//! from van der Waals radii (lower bounds of the rest); triangle smoothing
//! makes them consistent. Random distances within the bounds give a metric
//! matrix whose four largest eigenvectors place the atoms in four
//! dimensions, where a distance-and-chirality error function is minimised
//! (the fourth dimension lets atoms pass each other), then squeezed out.
//! A result with a centre pressed against its chiral bound is drawn again.
//! The 3D result is minimised with full MMFF94 and kept when every written
//! tetrahedral centre and double bond has its configuration and no
//! four-coordinate atom is turned inside out; otherwise the embedding is
//! retried with new random distances.

use super::lbfgs::{minimize, LbfgsOptions};
use super::minimize::{minimize_cartesian, MinimizeOptions};
use crate::forcefield::mmff::{MmffOptions, MmffSystem};
use crate::mol::sketch::{CisTrans, Sketch, Tetrahedral, Unspecified};
use crate::mol::stereo::Stereo;
use crate::mol::Molecule;
use nalgebra::{DMatrix, Point3, Vector3};
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

/// Why no structure could be built.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{0}")]
    Structure(#[from] crate::mol::StructureError),
    #[error(transparent)]
    Forcefield(#[from] crate::forcefield::mmff::MmffError),
    #[error("no 3D structure with the written stereochemistry was found in {0} attempts")]
    NoGeometry(usize),
}

/// Embedding attempts before giving up.
const ATTEMPTS: usize = 20;

/// A molecule embedded from a sketch.
#[derive(Clone, Debug)]
pub struct Embedded {
    pub molecule: Molecule,
    /// The stereo elements the sketch left open, with the configuration
    /// this embedding gave them.
    pub unspecified: Vec<OpenStereo>,
}

/// A stereo element the input left open and the configuration it got.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OpenStereo {
    /// "centre" or "double bond".
    pub kind: &'static str,
    /// 1-based atoms: the centre, or the two ends of the double bond.
    pub atoms: Vec<usize>,
    /// CIP label of the embedded configuration (R/S, E/Z), or `null` where
    /// the priorities leave it unlabelled.
    pub chosen: Option<String>,
}

/// The molecule of `sketch` with 3D coordinates minimised with MMFF94 and
/// the written stereochemistry. Elements the sketch leaves open take the
/// configuration the random distances (seeded by `seed`) give them.
pub fn embed(sketch: &Sketch, seed: u64) -> Result<Embedded, EmbedError> {
    let graph = sketch.graph()?;
    let open = sketch.unspecified()?;
    let system = MmffSystem::new(&graph, &MmffOptions::default())?;
    let bounds = Bounds::new(&graph, &system, &sketch.double_bonds);
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    for _ in 0..ATTEMPTS {
        let Some(coords) = bounds.embed(&sketch.centres, &mut rng) else {
            continue;
        };
        let mut coords = coords;
        minimize_cartesian(&system, &mut coords, &MinimizeOptions::default());
        if stereo_holds(sketch, &coords) && !any_inverted(&graph, &coords) {
            let mut molecule = graph.clone();
            molecule.set_coords(coords)?;
            let unspecified = describe(&molecule, &open);
            return Ok(Embedded {
                molecule,
                unspecified,
            });
        }
    }
    Err(EmbedError::NoGeometry(ATTEMPTS))
}

/// Other conformations of a 3D structure: `count` embeddings with its
/// stereochemistry (seeded from `seed`), each minimised to `options` in
/// every one of `systems` (force fields of one molecule, which differ only
/// in their nonbonded terms, so one set of distance bounds serves all).
/// The `k`-th minimum of each system comes from the first of embedding
/// `k`'s attempts that keeps its checks in that system, so every system
/// gets the minima it would get alone, for one distance geometry. An
/// embedding that fails its checks in every attempt, or is begun once
/// `late()` is true, is left out. One list of minima per system, with the
/// energy evaluations spent.
pub fn reembed(
    mol: &Molecule,
    systems: &[&MmffSystem],
    count: usize,
    seed: u64,
    options: &MinimizeOptions,
    late: impl Fn() -> bool + Sync,
) -> (Vec<Vec<Vec<Point3<f64>>>>, u64) {
    let sketch = structure_sketch(mol);
    let Some(first) = systems.first() else {
        return (Vec::new(), 0);
    };
    let bounds = Bounds::new(mol, first, &sketch.double_bonds);
    let tried: Vec<_> = (0..count as u64)
        .into_par_iter()
        .map(|k| {
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed ^ k);
            let mut evaluations = 0;
            let mut found = vec![None; systems.len()];
            for _ in 0..ATTEMPTS {
                if late() || found.iter().all(Option::is_some) {
                    break;
                }
                let Some(embedding) = bounds.embed(&sketch.centres, &mut rng) else {
                    continue;
                };
                for (slot, system) in found.iter_mut().zip(systems) {
                    if slot.is_none() {
                        let mut coords = embedding.clone();
                        evaluations +=
                            minimize_cartesian(system, &mut coords, options).evaluations as u64;
                        if stereo_holds(&sketch, &coords) && !any_inverted(mol, &coords) {
                            *slot = Some(coords);
                        }
                    }
                }
            }
            (found, evaluations)
        })
        .collect();
    let mut minima = vec![Vec::new(); systems.len()];
    let mut evaluations = 0;
    for (found, spent) in tried {
        evaluations += spent;
        for (list, coords) in minima.iter_mut().zip(found) {
            list.extend(coords);
        }
    }
    (minima, evaluations)
}

/// A 3D structure as a sketch: its graph with the configuration every
/// stereo element has in its coordinates, so that embeddings of the sketch
/// are other conformers of the same stereoisomer.
fn structure_sketch(mol: &Molecule) -> Sketch {
    let stereo = Stereo::perceive(mol);
    let centres = stereo
        .centres
        .iter()
        .filter_map(|c| {
            let mut neighbours = [None; 4];
            for (slot, &n) in neighbours.iter_mut().zip(&c.neighbors) {
                *slot = Some(n);
            }
            let mut centre = Tetrahedral {
                centre: c.atom,
                neighbours,
                anticlockwise: false,
            };
            centre.anticlockwise = signed_volume(&centre, mol.coords())? < 0.0;
            Some(centre)
        })
        .collect();
    let double_bonds = stereo
        .double_bonds
        .iter()
        .map(|d| CisTrans {
            a: d.atoms[1],
            b: d.atoms[2],
            ref_a: d.atoms[0],
            ref_b: d.atoms[3],
            cis: d.cis,
        })
        .collect();
    Sketch {
        name: mol.name().to_string(),
        comment: String::new(),
        data: Vec::new(),
        atoms: mol.atoms().to_vec(),
        bonds: mol
            .bonds()
            .iter()
            .map(|b| (b.atoms[0], b.atoms[1], b.order))
            .collect(),
        centres,
        double_bonds,
    }
}

/// The open elements with the CIP labels they have in `mol`.
fn describe(mol: &Molecule, open: &[Unspecified]) -> Vec<OpenStereo> {
    let stereo = Stereo::perceive(mol);
    open.iter()
        .map(|element| match *element {
            Unspecified::Centre(atom) => OpenStereo {
                kind: "centre",
                atoms: vec![atom + 1],
                chosen: stereo
                    .centres
                    .iter()
                    .find(|c| c.atom == atom)
                    .and_then(|c| c.label)
                    .map(|l| l.to_string()),
            },
            Unspecified::DoubleBond(a, b) => OpenStereo {
                kind: "double bond",
                atoms: vec![a + 1, b + 1],
                chosen: stereo
                    .double_bonds
                    .iter()
                    .find(|d| d.atoms[1] == a && d.atoms[2] == b)
                    .and_then(|d| d.label)
                    .map(|l| l.to_string()),
            },
        })
        .collect()
}

/// Every written centre and double bond has its configuration in `coords`.
fn stereo_holds(smiles: &Sketch, coords: &[Point3<f64>]) -> bool {
    smiles
        .centres
        .iter()
        .all(|c| signed_volume(c, coords).is_some_and(|v| (v < 0.0) == c.anticlockwise))
        && smiles
            .double_bonds
            .iter()
            .all(|d| is_cis(d, coords) == d.cis)
}

/// A four-coordinate atom with a bond on the same side as the others, as a
/// cage bridgehead turned inside out is: such a structure is a strained
/// local minimum hundreds of kcal/mol above the real one.
fn any_inverted(mol: &Molecule, coords: &[Point3<f64>]) -> bool {
    (0..mol.num_atoms()).any(|atom| {
        if mol.degree(atom) != 4 {
            return false;
        }
        let bonds: Vec<Vector3<f64>> = mol
            .neighbors(atom)
            .map(|n| (coords[n] - coords[atom]).normalize())
            .collect();
        let sum: Vector3<f64> = bonds.iter().sum();
        bonds.iter().any(|b| b.dot(&(sum - b)) >= 0.0)
    })
}

/// [`volume`], where it is far enough from zero to have a sign.
fn signed_volume(c: &Tetrahedral, coords: &[Point3<f64>]) -> Option<f64> {
    let v = volume(c, coords);
    (v.abs() > 1e-3).then_some(v)
}

/// The chiral volume of a centre's neighbours in their written order (a
/// lone pair at the centre's own position): negative when the last three
/// run anticlockwise seen from the first.
fn volume(c: &Tetrahedral, coords: &[Point3<f64>]) -> f64 {
    let at = |n: Option<usize>| coords[n.unwrap_or(c.centre)];
    let [a, b, cc, d] = c.neighbours.map(at);
    (b - a).dot(&(cc - a).cross(&(d - a)))
}

/// The least chiral volume (Å³, signed as written) the refinement of an
/// embedding asks of a centre.
const CHIRAL_VOLUME: f64 = 1.0;

/// Draws of an embedding before a squeezed one is taken.
const REDRAWS: usize = 8;

/// Whether the refinement left `c` pressed against its chiral bound: the
/// distance bounds there favour the other configuration. Free centres end
/// with 4–8 Å³ (a lone pair's included), pressed ones just under
/// [`CHIRAL_VOLUME`].
fn squeezed(c: &Tetrahedral, coords: &[Point3<f64>]) -> bool {
    let v = volume(c, coords);
    let written = if c.anticlockwise { -v } else { v };
    written < 2.0 * CHIRAL_VOLUME
}

fn is_cis(d: &CisTrans, coords: &[Point3<f64>]) -> bool {
    let b1 = coords[d.a] - coords[d.ref_a];
    let b2 = coords[d.b] - coords[d.a];
    let b3 = coords[d.ref_b] - coords[d.b];
    let n1 = b1.cross(&b2);
    let n2 = b2.cross(&b3);
    n1.dot(&n2) > 0.0
}

/// Lower and upper distance bounds (Å), smoothed.
struct Bounds {
    lower: DMatrix<f64>,
    upper: DMatrix<f64>,
    /// Atoms.
    n: usize,
}

impl Bounds {
    fn new(mol: &Molecule, system: &MmffSystem, double_bonds: &[CisTrans]) -> Bounds {
        let n = mol.num_atoms();
        let mut lower = DMatrix::from_element(n, n, 0.0);
        let mut upper = DMatrix::from_element(n, n, 100.0);
        let set =
            |lo: &mut DMatrix<f64>, up: &mut DMatrix<f64>, i: usize, j: usize, l: f64, u: f64| {
                lo[(i, j)] = l;
                lo[(j, i)] = l;
                up[(i, j)] = u;
                up[(j, i)] = u;
            };
        let mut r0 = DMatrix::from_element(n, n, 0.0);
        for b in &system.terms().bonds {
            let [i, j] = b.atoms;
            r0[(i, j)] = b.r0;
            r0[(j, i)] = b.r0;
        }
        // 1-3 and 1-4 first, so that 1-2 (set last) wins in small rings.
        let mut theta = std::collections::HashMap::new();
        for a in &system.terms().angles {
            let [i, j, k] = a.atoms;
            theta.insert((i, j, k), a.theta0.to_radians());
            theta.insert((k, j, i), a.theta0.to_radians());
            let (x, y) = (r0[(i, j)], r0[(j, k)]);
            let d = (x * x + y * y - 2.0 * x * y * a.theta0.to_radians().cos()).sqrt();
            set(&mut lower, &mut upper, i, k, d - 0.04, d + 0.04);
        }
        for t in &system.terms().torsions {
            let [i, j, k, l] = t.atoms;
            if i == l || lower[(i, l)] > 0.0 {
                continue;
            }
            let (Some(&a1), Some(&a2)) = (theta.get(&(i, j, k)), theta.get(&(j, k, l))) else {
                continue;
            };
            let cis = dihedral_distance(r0[(i, j)], r0[(j, k)], r0[(k, l)], a1, a2, 0.0);
            let trans = dihedral_distance(r0[(i, j)], r0[(j, k)], r0[(k, l)], a1, a2, 180.0);
            let (mut l1, mut u1) = (cis - 0.05, trans + 0.05);
            if let Some(d) = double_bonds
                .iter()
                .find(|d| (d.a, d.b) == (j, k) || (d.a, d.b) == (k, j))
            {
                // The configured double bond: its reference neighbours are
                // cis or trans, and so the others by implication.
                let same_side_of_refs = {
                    let i_ref = i == d.ref_a || i == d.ref_b;
                    let l_ref = l == d.ref_a || l == d.ref_b;
                    i_ref == l_ref
                };
                let cis_here = d.cis == same_side_of_refs;
                if cis_here {
                    (l1, u1) = (cis - 0.05, cis + 0.05);
                } else {
                    (l1, u1) = (trans - 0.05, trans + 0.05);
                }
            }
            set(&mut lower, &mut upper, i, l, l1, u1);
        }
        for i in 0..n {
            for j in 0..i {
                if lower[(i, j)] == 0.0 {
                    let sum = radius(mol, i) + radius(mol, j);
                    set(&mut lower, &mut upper, i, j, 0.7 * sum, 100.0);
                }
            }
        }
        for b in &system.terms().bonds {
            let [i, j] = b.atoms;
            set(&mut lower, &mut upper, i, j, b.r0 - 0.01, b.r0 + 0.01);
        }
        // Triangle smoothing.
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    let via = upper[(i, k)] + upper[(k, j)];
                    if via < upper[(i, j)] {
                        upper[(i, j)] = via;
                    }
                }
            }
            for i in 0..n {
                for j in 0..n {
                    let l = (lower[(i, k)] - upper[(k, j)]).max(lower[(j, k)] - upper[(k, i)]);
                    if l > lower[(i, j)] {
                        lower[(i, j)] = l;
                    }
                }
            }
        }
        for i in 0..n {
            for j in 0..n {
                if lower[(i, j)] > upper[(i, j)] {
                    lower[(i, j)] = upper[(i, j)];
                }
            }
        }
        Bounds { lower, upper, n }
    }

    /// One embedding in which no centre is [`squeezed`], drawn again up to
    /// [`REDRAWS`] times (the last draw is taken even so); `None` when the
    /// metric matrix gives no usable coordinates. A squeezed centre almost
    /// always inverts in the MMFF94 minimisation that follows, and that
    /// minimisation costs far more than a new draw.
    fn embed(&self, centres: &[Tetrahedral], rng: &mut impl rand::Rng) -> Option<Vec<Point3<f64>>> {
        let mut coords = self.draw(centres, rng)?;
        for _ in 1..REDRAWS {
            if !centres.iter().any(|c| squeezed(c, &coords)) {
                break;
            }
            coords = self.draw(centres, rng)?;
        }
        Some(coords)
    }

    /// Random distances, 4D coordinates, refined; `None` when the metric
    /// matrix gives no usable coordinates.
    fn draw(&self, centres: &[Tetrahedral], rng: &mut impl rand::Rng) -> Option<Vec<Point3<f64>>> {
        let n = self.n;
        let mut d2 = DMatrix::from_element(n, n, 0.0);
        for i in 0..n {
            for j in 0..i {
                let (l, u) = (self.lower[(i, j)], self.upper[(i, j)]);
                let d = l + rng.random::<f64>() * (u - l);
                d2[(i, j)] = d * d;
                d2[(j, i)] = d * d;
            }
        }
        // Squared distances to the centroid, then the metric matrix.
        let total: f64 = d2.iter().sum::<f64>() / (2.0 * (n * n) as f64);
        let d0: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| d2[(i, j)]).sum::<f64>() / n as f64 - total)
            .collect();
        let metric = DMatrix::from_fn(n, n, |i, j| 0.5 * (d0[i] + d0[j] - d2[(i, j)]));
        let eigen = metric.symmetric_eigen();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
        let mut x = vec![0.0; 4 * n];
        // n points span at most n − 1 dimensions: one atom or two have
        // no third axis to find.
        let spanned = 3.min(n.saturating_sub(1));
        for (dim, &e) in order.iter().take(4).enumerate() {
            let value = eigen.eigenvalues[e];
            if value <= 0.0 && dim < spanned {
                return None;
            }
            let scale = value.max(0.0).sqrt();
            for i in 0..n {
                x[4 * i + dim] =
                    eigen.eigenvectors[(i, e)] * scale + (rng.random::<f64>() - 0.5) * 0.1;
            }
        }
        let options = LbfgsOptions {
            gradient_rms: 1e-3,
            max_iterations: 400,
            ..LbfgsOptions::default()
        };
        // In four dimensions, then with the fourth squeezed out.
        minimize(&mut x, |x, g| self.error(x, g, centres, 0.0), &options);
        minimize(&mut x, |x, g| self.error(x, g, centres, 1.0), &options);
        Some(
            x.chunks_exact(4)
                .map(|c| Point3::new(c[0], c[1], c[2]))
                .collect(),
        )
    }

    /// Distance-bound violations, chiral volumes of the wrong sign and,
    /// weighted by `fourth`, the fourth coordinates.
    fn error(&self, x: &[f64], g: &mut [f64], centres: &[Tetrahedral], fourth: f64) -> f64 {
        g.fill(0.0);
        let n = self.n;
        let mut e = 0.0;
        for i in 0..n {
            for j in 0..i {
                let (l, u) = (self.lower[(i, j)], self.upper[(i, j)]);
                let mut diff = [0.0; 4];
                let mut d2 = 0.0;
                for k in 0..4 {
                    diff[k] = x[4 * i + k] - x[4 * j + k];
                    d2 += diff[k] * diff[k];
                }
                let (term, grad) = if d2 > u * u {
                    let t = d2 / (u * u) - 1.0;
                    (t * t, 4.0 * t / (u * u))
                } else if d2 < l * l {
                    let s = l * l + d2;
                    let t = 2.0 * l * l / s - 1.0;
                    (t * t, -8.0 * t * l * l / (s * s))
                } else {
                    continue;
                };
                e += term;
                for k in 0..4 {
                    g[4 * i + k] += grad * diff[k];
                    g[4 * j + k] -= grad * diff[k];
                }
            }
        }
        for c in centres {
            let idx = c.neighbours.map(|n| n.unwrap_or(c.centre));
            let p = |a: usize| Vector3::new(x[4 * a], x[4 * a + 1], x[4 * a + 2]);
            let (a, b, cc, d) = (p(idx[0]), p(idx[1]), p(idx[2]), p(idx[3]));
            let (u, v, w) = (b - a, cc - a, d - a);
            let volume = u.dot(&v.cross(&w));
            // Anticlockwise wants a volume of at most −CHIRAL_VOLUME,
            // clockwise at least +CHIRAL_VOLUME.
            let target = if c.anticlockwise {
                -CHIRAL_VOLUME
            } else {
                CHIRAL_VOLUME
            };
            let miss = if c.anticlockwise {
                volume - target
            } else {
                target - volume
            };
            if miss <= 0.0 {
                continue;
            }
            e += miss * miss;
            let sign = if c.anticlockwise {
                2.0 * miss
            } else {
                -2.0 * miss
            };
            let gu = v.cross(&w) * sign;
            let gv = w.cross(&u) * sign;
            let gw = u.cross(&v) * sign;
            for (atom, grad) in [
                (idx[1], gu),
                (idx[2], gv),
                (idx[3], gw),
                (idx[0], -(gu + gv + gw)),
            ] {
                for k in 0..3 {
                    g[4 * atom + k] += grad[k];
                }
            }
        }
        if fourth > 0.0 {
            for i in 0..n {
                let w = x[4 * i + 3];
                e += fourth * w * w;
                g[4 * i + 3] += 2.0 * fourth * w;
            }
        }
        e
    }
}

/// The 1-4 distance of a dihedral of bond lengths a, b, c, bond angles
/// alpha (a–b), beta (b–c) in radians, and dihedral phi in degrees.
fn dihedral_distance(a: f64, b: f64, c: f64, alpha: f64, beta: f64, phi: f64) -> f64 {
    let p1 = Vector3::new(a * alpha.cos(), a * alpha.sin(), 0.0);
    let (s, co) = phi.to_radians().sin_cos();
    let p4 = Vector3::new(b - c * beta.cos(), c * beta.sin() * co, c * beta.sin() * s);
    (p4 - p1).norm()
}

/// A van der Waals radius (Å) for lower bounds.
fn radius(mol: &Molecule, atom: usize) -> f64 {
    match mol.atom(atom).element.symbol() {
        "H" => 1.1,
        "C" => 1.7,
        "N" => 1.55,
        "O" => 1.52,
        "F" => 1.47,
        "S" => 1.8,
        "P" => 1.8,
        "Cl" => 1.75,
        "Br" => 1.85,
        "I" => 1.98,
        _ => 1.8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddings_shared_by_force_fields_give_each_its_own_minima() {
        // A polar chain with a centre: ε = 1 and ε = 4r pull its embeddings
        // into different minima.
        let sketch = crate::io::smiles::parse("N[C@@H](CCC(=O)O)C(=O)NCCO").unwrap();
        let mol = embed(&sketch, 1).unwrap().molecule;
        let vacuum = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
        let damped = MmffOptions {
            dielectric: crate::forcefield::mmff::Dielectric::Distance,
            dielectric_constant: 4.0,
            ..MmffOptions::default()
        };
        let damped = MmffSystem::new(&mol, &damped).unwrap();
        let options = MinimizeOptions::default();
        let (both, evaluations) = reembed(&mol, &[&vacuum, &damped], 6, 3, &options, || false);
        let (alone_vacuum, e_vacuum) = reembed(&mol, &[&vacuum], 6, 3, &options, || false);
        let (alone_damped, e_damped) = reembed(&mol, &[&damped], 6, 3, &options, || false);
        assert_eq!(both, [alone_vacuum[0].clone(), alone_damped[0].clone()]);
        assert_eq!(evaluations, e_vacuum + e_damped);
        assert_eq!(both[0].len(), 6);
        assert!(both[0].iter().zip(&both[1]).all(|(a, b)| a != b));
    }

    #[test]
    fn embeddings_leave_no_centre_squeezed_and_keep_their_stereo() {
        // Clarithromycin: eighteen centres, a third of whose raw draws leave
        // one of them pressed against its chiral bound.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/clarithromycin.smi");
        let line = std::fs::read_to_string(path).unwrap();
        let sketch = crate::io::smiles::parse(line.split_whitespace().next().unwrap()).unwrap();
        let graph = sketch.graph().unwrap();
        let system = MmffSystem::new(&graph, &MmffOptions::default()).unwrap();
        let bounds = Bounds::new(&graph, &system, &sketch.double_bonds);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let is_squeezed = |x: &[Point3<f64>]| sketch.centres.iter().any(|c| squeezed(c, x));
        let raw: Vec<Vec<Point3<f64>>> = (0..24)
            .filter_map(|_| bounds.draw(&sketch.centres, &mut rng))
            .collect();
        let pressed = raw.iter().filter(|x| is_squeezed(x)).count();
        assert!(pressed >= 4, "{pressed} of 24 raw draws squeezed");
        // What a squeezed draw becomes once minimised.
        let mut coords = raw.into_iter().find(|x| is_squeezed(x)).unwrap();
        let options = MinimizeOptions {
            force_tolerance: 1e-3,
            max_iterations: 2000,
        };
        minimize_cartesian(&system, &mut coords, &options);
        assert!(!stereo_holds(&sketch, &coords));
        let embedded: Vec<Vec<Point3<f64>>> = (0..16)
            .map(|_| bounds.embed(&sketch.centres, &mut rng).unwrap())
            .collect();
        assert!(!embedded.iter().any(|x| is_squeezed(x)));
        for mut coords in embedded.into_iter().take(3) {
            minimize_cartesian(&system, &mut coords, &options);
            assert!(stereo_holds(&sketch, &coords));
        }
    }
}
