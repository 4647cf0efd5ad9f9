//! Ring conformations, amide rotamers and nitrogen invertomers: the
//! conformational changes that rotations about rotors cannot make. A
//! torsion-space search keeps the input's ring conformations (a chair stays
//! that chair, a boat stays a boat), the rotamers of its amides and the
//! pyramids of its amine nitrogens; the geometries made here give it other
//! starting points.
//!
//! Each variant is made by a restrained MMFF94 minimisation that drives the
//! endocyclic dihedrals of a ring to the mirror image of the input's pucker
//! (a chair flip) or, for six-membered rings of single bonds, to either
//! ideal chair; the dihedral across an amide-like C–N bond half a turn away
//! from the input's (E to Z); and the signed volume of an amine nitrogen's
//! pyramid to the opposite of the input's; a free minimisation follows. A
//! molecule with puckered rings is also embedded anew by distance geometry,
//! which reaches ring shapes of any kind (twist boats, a macrocycle's many
//! shapes) that no restrained change names. Variants whose stereochemistry
//! changed, or that fell back to a conformation already found, are
//! dropped. The crankshaft moves of a macrocycle's ring, which the minima
//! search makes from its lowest minima, are defined here too.

use super::embed::reembed;
use super::minimize::{minimize_cartesian, minimize_restrained, MinimizeOptions};
use crate::forcefield::mmff::terms::dihedral_and_derivatives;
use crate::forcefield::mmff::MmffSystem;
use crate::mol::stereo::{dihedral, Stereo};
use crate::mol::{BondOrder, Molecule};
use crate::torsion::{is_amide_like, Rotor};
use nalgebra::{Point3, Vector3};
use rayon::prelude::*;
use std::f64::consts::PI;

/// An alternative geometry of a molecule, fully minimised.
#[derive(Clone, Debug)]
pub struct Variant {
    pub coords: Vec<Point3<f64>>,
    pub energy: f64,
    /// Signs of the ring dihedrals and nitrogen pyramid volumes.
    signature: Vec<i8>,
}

/// Rings whose largest endocyclic dihedral is below this (degrees) are flat
/// (aromatic, or fused to flat rings) and have no pucker to change.
const FLAT_RING: f64 = 15.0;

/// Rings of up to this many atoms get restrained pucker changes; larger
/// ones (up to [`MAX_RING`]) only the conformations of embeddings.
const MAX_RESTRAINED_RING: usize = 8;

/// Largest ring whose conformations are told apart.
const MAX_RING: usize = 30;

/// A macrocycle's endocyclic dihedral above this (degrees) is anti.
const ANTI: f64 = 120.0;

/// A ring substituent whose dihedral to the ring is below this (degrees)
/// is axial (about 60° against 180° equatorial in a chair).
const AXIAL: f64 = 120.0;

/// An amide rotamer is made by turning its dihedral this far (degrees).
const AMIDE_TURN: f64 = 160.0;

/// An amide further than this out of plane (degrees) is twisted.
const AMIDE_TWIST: f64 = 10.0;

/// Separates the embeddings' random streams from the sampler's.
const EMBEDDING_STREAM: u64 = 0x0e3b_ed00_5a9e_0000;

/// Endocyclic dihedral of an ideal cyclohexane chair (degrees).
const CHAIR: f64 = 55.0;

/// Normalised pyramid volume below which a nitrogen counts as flat (amides,
/// anilines) and is not inverted.
const FLAT_NITROGEN: f64 = 0.25;

/// Restraint force constants: kcal/mol per (1 − cos Δφ), and kcal/mol/Å⁶.
const DIHEDRAL_FORCE: f64 = 100.0;
const VOLUME_FORCE: f64 = 100.0;

/// What finding variants may spend: restrained minimisations (combinations
/// of changes; beyond this many, each change alone) and embeddings of a
/// molecule with puckered rings.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub combinations: usize,
    pub embeddings: usize,
}

/// One way to change the input's geometry.
#[derive(Clone, Debug)]
enum Change {
    /// Drive these dihedrals (of a ring, or across an amide bond) to
    /// these values (radians).
    Dihedrals {
        atoms: Vec<[usize; 4]>,
        targets: Vec<f64>,
    },
    /// Drive the signed volume of a nitrogen's three neighbours to this
    /// value (Å³).
    Nitrogen {
        atom: usize,
        neighbors: [usize; 3],
        volume: f64,
    },
}

/// Distinct alternative ring conformations, amide rotamers and nitrogen
/// invertomers of `mol`, lowest energy first, none with the input's and
/// none with changed stereochemistry; and the energy evaluations spent.
/// Besides the restrained changes, distance-geometry embeddings (seeded
/// from `seed`) of a molecule with puckered rings give ring conformations
/// of every kind, macrocycles' included. Once `late()` is true nothing more
/// is tried.
pub fn variants(
    mol: &Molecule,
    system: &MmffSystem,
    budget: Budget,
    seed: u64,
    late: impl Fn() -> bool + Sync,
) -> (Vec<Variant>, u64) {
    let input = mol.coords();
    let rings: Vec<Vec<usize>> = mol
        .relevant_cycles()
        .into_iter()
        .filter(|r| (4..=MAX_RING).contains(&r.len()))
        .filter(|r| {
            ring_dihedrals(input, r)
                .iter()
                .any(|d| d.abs() > FLAT_RING.to_radians())
        })
        .collect();
    let nitrogens = invertible_nitrogens(mol);
    let amides = amide_dihedrals(mol);
    let groups: Vec<Vec<Change>> = rings
        .iter()
        .filter(|r| r.len() <= MAX_RESTRAINED_RING)
        .map(|r| ring_changes(mol, r))
        .chain(amides.iter().map(|&atoms| {
            let current = dihedral(input, atoms);
            let turn = |target: f64| Change::Dihedrals {
                atoms: vec![atoms],
                targets: vec![target],
            };
            // Not quite a half turn, either way: the restraint has no
            // gradient at its maximum, where an exact half turn would
            // start, and a crowded amide (a tertiary anilide) twists out
            // of plane to either side, each twist a minimum of its own.
            let mut changes = vec![
                turn(current + AMIDE_TURN.to_radians()),
                turn(current - AMIDE_TURN.to_radians()),
            ];
            if amide_twist(current) != 0 {
                changes.push(turn(-current));
            }
            changes
        }))
        .chain(nitrogens.iter().map(|&(atom, neighbors)| {
            vec![Change::Nitrogen {
                atom,
                neighbors,
                volume: -pyramid_volume(input, atom, neighbors),
            }]
        }))
        .collect();
    let combinations = combinations(&groups, budget.combinations);
    let substituents = lone_substituents(mol, &rings);
    let signature = |coords: &[Point3<f64>]| -> Vec<i8> {
        let mut s: Vec<i8> = rings
            .iter()
            .flat_map(|r| {
                ring_dihedrals(coords, r)
                    .into_iter()
                    .map(|d| ring_code(d, r.len()))
            })
            .collect();
        s.extend(amides.iter().flat_map(|&a| {
            let d = dihedral(coords, a);
            [sign(d.cos(), 0.0), amide_twist(d)]
        }));
        s.extend(
            nitrogens
                .iter()
                .map(|&(a, n)| sign(pyramid_volume(coords, a, n), 0.0)),
        );
        s.extend(
            substituents
                .iter()
                .map(|&q| i8::from(dihedral(coords, q).abs() < AXIAL.to_radians())),
        );
        s
    };
    let input_stereo = Stereo::perceive(mol);
    // A variant only needs to be near its minimum: the search minimises
    // what it finds in it fully.
    let restrained = MinimizeOptions {
        force_tolerance: 1e-2,
        max_iterations: 500,
    };
    let free_options = MinimizeOptions {
        force_tolerance: 1e-3,
        max_iterations: 2000,
    };
    let tried: Vec<(Option<Variant>, u64)> = combinations
        .par_iter()
        .map(|changes| {
            if late() {
                return (None, 0);
            }
            let mut coords = input.to_vec();
            let changes = holding(changes, &rings, &nitrogens, input);
            let first = minimize_restrained(system, &mut coords, &restrained, |x, g| {
                restraint(x, &changes, g)
            });
            let free = minimize_cartesian(system, &mut coords, &free_options);
            let evaluations = (first.evaluations + free.evaluations) as u64;
            let kept = input_stereo
                .differences(&Stereo::perceive_at(mol, &coords))
                .is_empty()
                .then(|| Variant {
                    signature: signature(&coords),
                    coords,
                    energy: free.value,
                });
            (kept, evaluations)
        })
        .collect();
    let (embedded, embedding_evaluations) = if rings.is_empty() {
        (Vec::new(), 0)
    } else {
        let (mut minima, evaluations) = reembed(
            mol,
            &[system],
            budget.embeddings,
            seed ^ EMBEDDING_STREAM,
            &free_options,
            &late,
        );
        (minima.pop().unwrap_or_default(), evaluations)
    };
    let embedded = embedded
        .into_iter()
        .filter(|coords| {
            input_stereo
                .differences(&Stereo::perceive_at(mol, coords))
                .is_empty()
        })
        .map(|coords| Variant {
            signature: signature(&coords),
            energy: system.energy(&coords).total(),
            coords,
        });
    let evaluations = tried.iter().map(|t| t.1).sum::<u64>() + embedding_evaluations;
    let mut found: Vec<Variant> = tried
        .into_iter()
        .filter_map(|t| t.0)
        .chain(embedded)
        .collect();
    found.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    let mut seen = vec![signature(input)];
    found.retain(|v| {
        let new = !seen.contains(&v.signature);
        if new {
            seen.push(v.signature.clone());
        }
        new
    });
    (found, evaluations)
}

/// A dihedral (X, A, B, C) for every ring atom A of a ring of up to
/// [`MAX_RESTRAINED_RING`] atoms that carries one hydrogen and one
/// substituent X outside the ring (B, C the next ring atoms): whether X is
/// axial tells apart conformers whose ring dihedrals are alike, as the
/// axial and the equatorial chair of a 4-substituted piperidine, where A is
/// no stereocentre.
fn lone_substituents(mol: &Molecule, rings: &[Vec<usize>]) -> Vec<[usize; 4]> {
    let heavy = |a: usize| mol.atom(a).element.atomic_number() > 1;
    let mut quadruples = Vec::new();
    for ring in rings.iter().filter(|r| r.len() <= MAX_RESTRAINED_RING) {
        for (i, &a) in ring.iter().enumerate() {
            let outside: Vec<usize> = mol.neighbors(a).filter(|n| !ring.contains(n)).collect();
            let substituents: Vec<usize> = outside.iter().copied().filter(|&n| heavy(n)).collect();
            if let ([x], 2) = (&substituents[..], outside.len()) {
                let next = |k: usize| ring[(i + k) % ring.len()];
                quadruples.push([*x, a, next(1), next(2)]);
            }
        }
    }
    quadruples
}

/// The dihedrals (r_i, r_i+1, r_i+2, r_i+3) around a ring, radians.
fn ring_dihedrals(coords: &[Point3<f64>], ring: &[usize]) -> Vec<f64> {
    (0..ring.len())
        .map(|i| dihedral(coords, ring_quadruple(ring, i)))
        .collect()
}

fn ring_quadruple(ring: &[usize], i: usize) -> [usize; 4] {
    std::array::from_fn(|k| ring[(i + k) % ring.len()])
}

fn ring_quadruples(ring: &[usize]) -> Vec<[usize; 4]> {
    (0..ring.len()).map(|i| ring_quadruple(ring, i)).collect()
}

/// A dihedral (X, C, N, Y) across every acyclic amide-like C–N bond
/// (amides, thioamides, carbamates, ureas; X the carbonyl O or S) whose
/// half turn makes another conformer: both ends carry two substituents that
/// are not symmetry-equivalent. Secondary amides count (their cis rotamer);
/// NH2 and N(CH3)2 amides do not.
fn amide_dihedrals(mol: &Molecule) -> Vec<[usize; 4]> {
    let classes = mol.symmetry_classes();
    let others = |atom: usize, partner: usize| -> Option<[usize; 2]> {
        let ns: Vec<usize> = mol.neighbors(atom).filter(|&n| n != partner).collect();
        let pair: [usize; 2] = ns.try_into().ok()?;
        (!mol.symmetric(&classes, pair[0], pair[1])).then_some(pair)
    };
    mol.bonds()
        .iter()
        .enumerate()
        .filter(|&(k, b)| b.order == BondOrder::Single && !mol.rings().is_ring_bond(k))
        .filter_map(|(_, b)| {
            let [c, n] = if is_amide_like(mol, b.atoms[0], b.atoms[1]) {
                b.atoms
            } else if is_amide_like(mol, b.atoms[1], b.atoms[0]) {
                [b.atoms[1], b.atoms[0]]
            } else {
                return None;
            };
            let carbonyl = others(c, n)?;
            let x = *carbonyl.iter().find(|&&a| {
                mol.bond_between(c, a)
                    .is_some_and(|k| mol.bonds()[k].order == BondOrder::Double)
            })?;
            let substituents = others(n, c)?;
            // The heavier substituent, so that the dihedral is defined
            // by heavy atoms where it can be.
            let y = *substituents
                .iter()
                .max_by_key(|&&a| mol.atom(a).element.atomic_number())?;
            Some([x, c, n, y])
        })
        .collect()
}

/// The mirror image of the input's pucker, and for a ring of six single
/// bonds both chairs too (an input boat or twist has no chair to mirror).
fn ring_changes(mol: &Molecule, ring: &[usize]) -> Vec<Change> {
    let current = ring_dihedrals(mol.coords(), ring);
    let mut changes = vec![Change::Dihedrals {
        atoms: ring_quadruples(ring),
        targets: current.iter().map(|d| -d).collect(),
    }];
    let single = (0..ring.len()).all(|i| {
        mol.bond_between(ring[i], ring[(i + 1) % ring.len()])
            .is_some_and(|b| mol.bonds()[b].order == BondOrder::Single)
    });
    if ring.len() == 6 && single {
        for phase in [1.0, -1.0] {
            let targets: Vec<f64> = (0..6)
                .map(|i| phase * if i % 2 == 0 { CHAIR } else { -CHAIR }.to_radians())
                .collect();
            let same_pucker = targets
                .iter()
                .zip(&current)
                .all(|(t, c)| sign(*t, 0.0) == sign(*c, FLAT_RING.to_radians()));
            if !same_pucker {
                changes.push(Change::Dihedrals {
                    atoms: ring_quadruples(ring),
                    targets,
                });
            }
        }
    }
    changes
}

/// Pyramidal three-coordinate nitrogens with single bonds only whose
/// inversion gives a different conformer: no two neighbours symmetric
/// outside a ring (inverting N(CH3)2R is a rotation; inverting the
/// nitrogen of an N-alkylpiperidine, whose two ring neighbours are
/// symmetric, turns its substituent from equatorial to axial), not in a
/// three-membered ring (aziridines invert slowly).
fn invertible_nitrogens(mol: &Molecule) -> Vec<(usize, [usize; 3])> {
    let classes = mol.symmetry_classes();
    let smallest_ring = |a: usize| {
        mol.rings()
            .cycles()
            .iter()
            .filter(|c| c.contains(&a))
            .map(Vec::len)
            .min()
    };
    (0..mol.num_atoms())
        .filter(|&a| mol.atom(a).element.atomic_number() == 7 && mol.atom(a).charge == 0)
        .filter_map(|a| {
            let ns: Vec<usize> = mol.neighbors(a).collect();
            let neighbors: [usize; 3] = ns.try_into().ok()?;
            let single = mol
                .bonds_of(a)
                .all(|(b, _)| mol.bonds()[b].order == BondOrder::Single);
            let in_ring = |n: usize| {
                mol.bond_between(a, n)
                    .is_some_and(|b| mol.rings().is_ring_bond(b))
            };
            let symmetric = (0..3).any(|i| {
                (i + 1..3).any(|j| {
                    mol.symmetric(&classes, neighbors[i], neighbors[j])
                        && !(in_ring(neighbors[i]) && in_ring(neighbors[j]))
                })
            });
            let pyramidal = normalised_volume(mol.coords(), a, neighbors).abs() > FLAT_NITROGEN;
            (single && !symmetric && pyramidal && smallest_ring(a) != Some(3))
                .then_some((a, neighbors))
        })
        .collect()
}

/// (a − N)·((b − N) × (c − N)) for a centre N and its neighbours a, b, c.
fn pyramid_volume(x: &[Point3<f64>], centre: usize, [a, b, c]: [usize; 3]) -> f64 {
    let p = x[centre];
    (x[a] - p).dot(&(x[b] - p).cross(&(x[c] - p)))
}

/// The pyramid volume with unit bond vectors: about 0.6 for a tetrahedral
/// centre, 0 for a flat one.
fn normalised_volume(x: &[Point3<f64>], centre: usize, [a, b, c]: [usize; 3]) -> f64 {
    let p = x[centre];
    let u = |i: usize| (x[i] - p).normalize();
    u(a).dot(&u(b).cross(&u(c)))
}

/// A turn of some atoms about the line through two others (the pivots):
/// a crankshaft move of a macrocycle's ring ([`Turn::crankshafts`]), or a
/// rotor's moving side turned about its bond ([`Turn::of_rotor`]).
#[derive(Clone, Debug)]
pub struct Turn {
    pivots: [usize; 2],
    moving: Vec<usize>,
    angle: f64,
}

impl Turn {
    /// The moving side of `rotor` turned by `angle` (radians) about its
    /// bond j→k.
    pub fn of_rotor(rotor: &Rotor, angle: f64) -> Turn {
        let [_, j, k, _] = rotor.dihedral;
        Turn {
            pivots: [j, k],
            moving: rotor.moving.clone(),
            angle,
        }
    }

    /// The crankshaft moves of every ring of `mol` larger than the
    /// restrained changes handle: concerted turns of the ring atoms strictly
    /// between two pivots, with everything attached to them outside the
    /// ring, about the line through the pivots, so that every bond and every
    /// angle but the two at the pivots stay and the ring takes a
    /// neighbouring shape: each atom flapped half a turn across the
    /// line through its two ring neighbours, each pair of adjacent atoms
    /// turned a third of a turn either way about the line through theirs.
    /// A move whose atoms hold a bridge back to the ring (a fused ring) is
    /// left out: it would tear the bridge.
    pub fn crankshafts(mol: &Molecule) -> Vec<Turn> {
        let mut moves = Vec::new();
        for ring in mol
            .relevant_cycles()
            .iter()
            .filter(|r| (MAX_RESTRAINED_RING + 1..=MAX_RING).contains(&r.len()))
        {
            let n = ring.len();
            let turns = [(2, &[PI][..]), (3, &[2.0 * PI / 3.0, -2.0 * PI / 3.0][..])];
            for (span, angles) in turns {
                for i in 0..n {
                    let pivots = [ring[i], ring[(i + span) % n]];
                    let inner: Vec<usize> = (1..span).map(|k| ring[(i + k) % n]).collect();
                    let Some(moving) = carried(mol, ring, pivots, &inner) else {
                        continue;
                    };
                    moves.extend(angles.iter().map(|&angle| Turn {
                        pivots,
                        moving: moving.clone(),
                        angle,
                    }));
                }
            }
        }
        moves
    }

    /// Turns the moving atoms of `x`.
    pub fn apply(&self, x: &mut [Point3<f64>]) {
        let [p, q] = self.pivots;
        let axis = nalgebra::Unit::new_normalize(x[q] - x[p]);
        let rotation = nalgebra::Rotation3::from_axis_angle(&axis, self.angle);
        let origin = x[p];
        for &a in &self.moving {
            x[a] = origin + rotation * (x[a] - origin);
        }
    }
}

/// `inner` (ring atoms between the two pivots) and every atom reached from
/// them without passing through a ring atom; `None` when a moving atom is
/// bonded to a ring atom other than by the ring's own bonds to the pivots
/// (a bridge, a fused ring).
fn carried(
    mol: &Molecule,
    ring: &[usize],
    pivots: [usize; 2],
    inner: &[usize],
) -> Option<Vec<usize>> {
    let mut moving = inner.to_vec();
    let mut i = 0;
    while i < moving.len() {
        let a = moving[i];
        i += 1;
        for n in mol.neighbors(a) {
            if moving.contains(&n) {
                continue;
            }
            if ring.contains(&n) {
                if !(inner.contains(&a) && pivots.contains(&n)) {
                    return None;
                }
                continue;
            }
            moving.push(n);
        }
    }
    Some(moving)
}

/// Whether `mol` has a ring larger than the restrained changes handle, whose
/// conformations are then most of its search.
pub fn has_macrocycle(mol: &Molecule) -> bool {
    mol.relevant_cycles()
        .iter()
        .any(|r| (MAX_RESTRAINED_RING + 1..=MAX_RING).contains(&r.len()))
}

/// An endocyclic dihedral's class: its sign in a small ring (a pucker); in a
/// larger one also whether it is anti (0), so that a macrocycle's shapes
/// differ by their gauche bonds, not by small twists of its anti ones.
fn ring_code(d: f64, ring_len: usize) -> i8 {
    if ring_len > MAX_RESTRAINED_RING && d.abs() > ANTI.to_radians() {
        0
    } else {
        sign(d, FLAT_RING.to_radians())
    }
}

/// The side to which an amide dihedral twists out of plane by more than
/// [`AMIDE_TWIST`], or 0.
fn amide_twist(d: f64) -> i8 {
    sign(d.sin() * d.cos().signum(), AMIDE_TWIST.to_radians().sin())
}

fn sign(v: f64, zero: f64) -> i8 {
    if v > zero {
        1
    } else if v < -zero {
        -1
    } else {
        0
    }
}

/// Every combination of at most one change per group (none left out but
/// the empty one), or each change alone when there are more than `max`;
/// at most `max`.
fn combinations(groups: &[Vec<Change>], max: usize) -> Vec<Vec<Change>> {
    let total = groups
        .iter()
        .try_fold(1usize, |n, g| n.checked_mul(g.len() + 1));
    match total {
        Some(total) if total - 1 <= max => (1..total)
            .map(|mut index| {
                let mut changes = Vec::new();
                for g in groups {
                    let choice = index % (g.len() + 1);
                    index /= g.len() + 1;
                    if choice > 0 {
                        changes.push(g[choice - 1].clone());
                    }
                }
                changes
            })
            .collect(),
        _ => groups
            .iter()
            .flatten()
            .take(max)
            .map(|c| vec![c.clone()])
            .collect(),
    }
}

/// `changes` with what they leave alone held as in `input` where a ring
/// holds an invertible nitrogen: the ring's pucker while the nitrogen is
/// inverted, the nitrogen's pyramid while the ring is changed. Left free,
/// the one follows the other so that the nitrogen's substituent stays
/// equatorial, and the invertomer with it axial is never made.
fn holding(
    changes: &[Change],
    rings: &[Vec<usize>],
    nitrogens: &[(usize, [usize; 3])],
    input: &[Point3<f64>],
) -> Vec<Change> {
    let changed = |ring: &[usize]| {
        let atoms = ring_quadruples(ring);
        changes
            .iter()
            .any(|c| matches!(c, Change::Dihedrals { atoms: a, .. } if *a == atoms))
    };
    let inverted = |n: usize| {
        changes
            .iter()
            .any(|c| matches!(c, Change::Nitrogen { atom, .. } if *atom == n))
    };
    let mut all = changes.to_vec();
    for &(atom, neighbors) in nitrogens {
        for ring in rings.iter().filter(|r| r.contains(&atom)) {
            match (inverted(atom), changed(ring)) {
                (true, false) => all.push(Change::Dihedrals {
                    atoms: ring_quadruples(ring),
                    targets: ring_dihedrals(input, ring),
                }),
                (false, true) => all.push(Change::Nitrogen {
                    atom,
                    neighbors,
                    volume: pyramid_volume(input, atom, neighbors),
                }),
                _ => {}
            }
        }
    }
    all
}

/// Energy of the restraints of `changes`, adding their gradient to `grad`.
fn restraint(x: &[Point3<f64>], changes: &[Change], mut grad: Option<&mut [Vector3<f64>]>) -> f64 {
    let mut energy = 0.0;
    for change in changes {
        match change {
            Change::Dihedrals { atoms, targets } => {
                for (&atoms, target) in atoms.iter().zip(targets) {
                    let Some((c, s, derivatives)) = dihedral_and_derivatives(x, atoms) else {
                        continue;
                    };
                    let (st, ct) = target.sin_cos();
                    // 1 − cos(φ − φt) and its derivative sin(φ − φt).
                    energy += DIHEDRAL_FORCE * (1.0 - (c * ct + s * st));
                    if let Some(g) = grad.as_deref_mut() {
                        let de_dphi = DIHEDRAL_FORCE * (s * ct - c * st);
                        for (atom, d) in atoms.into_iter().zip(derivatives) {
                            g[atom] += d * de_dphi;
                        }
                    }
                }
            }
            Change::Nitrogen {
                atom,
                neighbors,
                volume,
            } => {
                let [a, b, c] = *neighbors;
                let p = x[*atom];
                let (u, v, w) = (x[a] - p, x[b] - p, x[c] - p);
                let delta = u.dot(&v.cross(&w)) - volume;
                energy += VOLUME_FORCE * delta * delta;
                if let Some(g) = grad.as_deref_mut() {
                    let f = 2.0 * VOLUME_FORCE * delta;
                    let (da, db, dc) = (v.cross(&w), w.cross(&u), u.cross(&v));
                    g[a] += da * f;
                    g[b] += db * f;
                    g[c] += dc * f;
                    g[*atom] -= (da + db + dc) * f;
                }
            }
        }
    }
    energy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::fixture;

    /// Cyclododecanone's ring has 12 flaps and 24 edge flips; each keeps
    /// every bond length, moves only its ring atoms and what they carry,
    /// and changes the ring's shape. A molecule without a macrocycle has
    /// none.
    #[test]
    fn crankshafts_keep_bonds_and_change_the_ring() {
        let mol = fixture("cyclododecanone.sdf");
        let moves = Turn::crankshafts(&mol);
        assert_eq!(moves.len(), 36);
        let ring = &mol.relevant_cycles()[0];
        let x = mol.coords();
        for m in &moves {
            let mut y = x.to_vec();
            m.apply(&mut y);
            for b in mol.bonds() {
                let [i, j] = b.atoms;
                assert!(((y[i] - y[j]).norm() - (x[i] - x[j]).norm()).abs() < 1e-9);
            }
            let moved: Vec<usize> = (0..x.len())
                .filter(|&a| (y[a] - x[a]).norm() > 1e-6)
                .collect();
            let inner = if m.angle == PI { 1 } else { 2 };
            assert_eq!(moved.iter().filter(|a| ring.contains(a)).count(), inner);
            let turned = ring_dihedrals(&y, ring)
                .iter()
                .zip(ring_dihedrals(x, ring))
                .any(|(a, b)| ((a - b + PI).rem_euclid(2.0 * PI) - PI).abs() > 0.5);
            assert!(turned);
        }
        assert!(Turn::crankshafts(&fixture("anilide.sdf")).is_empty());
    }

    /// The restraint gradient matches central differences of its energy.
    #[test]
    fn restraint_gradient() {
        let x: Vec<Point3<f64>> = vec![
            Point3::new(0.0, 0.0, 0.0),
            Point3::new(1.5, 0.1, 0.0),
            Point3::new(2.1, 1.4, 0.3),
            Point3::new(1.2, 2.6, 0.9),
            Point3::new(-0.4, 1.1, 1.2),
        ];
        let changes = [
            Change::Dihedrals {
                atoms: ring_quadruples(&[0, 1, 2, 3, 4]),
                targets: vec![0.7, -0.5, 0.2, 0.4, -0.6],
            },
            Change::Nitrogen {
                atom: 1,
                neighbors: [0, 2, 4],
                volume: -1.3,
            },
        ];
        let mut grad = vec![Vector3::zeros(); x.len()];
        restraint(&x, &changes, Some(&mut grad));
        let h = 1e-6;
        for a in 0..x.len() {
            for k in 0..3 {
                let mut plus = x.clone();
                let mut minus = x.clone();
                plus[a][k] += h;
                minus[a][k] -= h;
                let numeric = (restraint(&plus, &changes, None)
                    - restraint(&minus, &changes, None))
                    / (2.0 * h);
                assert!(
                    (numeric - grad[a][k]).abs() < 1e-4 * (1.0 + numeric.abs()),
                    "atom {a} axis {k}: {numeric} vs {}",
                    grad[a][k]
                );
            }
        }
    }
}
