//! Stereochemistry perceived from 3D coordinates: tetrahedral centres and
//! double-bond configurations. Later stages perceive it again on their output
//! and compare, so a conformer whose configuration changed can be rejected.
//!
//! Every stereo element carries a geometric parity defined on atom indices
//! (independent of any priority rules), which is what comparisons use, plus
//! a CIP label (R/S, E/Z) from priorities by the hierarchical digraph with
//! rule 1 (atomic number, duplicated atoms for multiple bonds and ring
//! closures) and mass number as tie-breaker. The digraph is explored sphere
//! by sphere with a node budget; a tie left after that gives no label.

use super::{BondOrder, Molecule};
use nalgebra::Point3;

/// CIP descriptor of a tetrahedral centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CentreLabel {
    R,
    S,
}

/// CIP descriptor of a double bond.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BondLabel {
    E,
    Z,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TetrahedralCentre {
    pub atom: usize,
    /// Neighbours in index order; for a three-coordinate centre (sulfoxide,
    /// phosphine) the lone pair is implied as the last.
    pub neighbors: Vec<usize>,
    /// Seen with the last neighbour pointing away from the viewer, the
    /// others in index order turn clockwise (the MDL parity-1 sense).
    pub clockwise: bool,
    /// Signed volume of the neighbours, normalised by their distances to the
    /// centre (−1…1); near 0 means a flat, ill-defined centre.
    pub chiral_volume: f64,
    pub label: Option<CentreLabel>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DoubleBondStereo {
    pub bond: usize,
    /// (i, a, b, l): the double bond a=b with one reference neighbour on
    /// each side, the CIP-preferred one where priorities decide, else the
    /// lowest index.
    pub atoms: [usize; 4],
    /// Whether i and l are on the same side (dihedral below 90°).
    pub cis: bool,
    pub dihedral_deg: f64,
    pub label: Option<BondLabel>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stereo {
    pub centres: Vec<TetrahedralCentre>,
    pub double_bonds: Vec<DoubleBondStereo>,
}

/// Normalised chiral volume below which a centre is reported as flat.
pub const FLAT_CENTRE: f64 = 0.1;

impl Stereo {
    /// Perceives stereochemistry from the molecule's own coordinates.
    pub fn perceive(mol: &Molecule) -> Stereo {
        Stereo::perceive_at(mol, mol.coords())
    }

    /// Perceives the stereo elements of `mol` with other coordinates (a
    /// conformer of it).
    pub fn perceive_at(mol: &Molecule, coords: &[Point3<f64>]) -> Stereo {
        let classes = mol.symmetry_classes();
        let centres = tetrahedral_candidates(mol, &classes)
            .into_iter()
            .map(|atom| tetrahedral(mol, coords, atom))
            .collect();
        let double_bonds = (0..mol.bonds().len())
            .filter_map(|b| double_bond(mol, coords, &classes, b))
            .collect();
        Stereo {
            centres,
            double_bonds,
        }
    }

    /// Descriptions of the stereo elements whose configuration differs
    /// between two perceptions of the same molecule.
    pub fn differences(&self, other: &Stereo) -> Vec<String> {
        let mut out = Vec::new();
        for (a, b) in self.centres.iter().zip(&other.centres) {
            if a.clockwise != b.clockwise {
                out.push(format!(
                    "tetrahedral centre at atom {} inverted",
                    a.atom + 1
                ));
            }
        }
        for (a, b) in self.double_bonds.iter().zip(&other.double_bonds) {
            if a.cis != b.cis {
                let [_, x, y, _] = a.atoms;
                out.push(format!("double bond {}={} changed cis/trans", x + 1, y + 1));
            }
        }
        out
    }
}

/// Whether the atoms `ns` lie in different symmetry classes.
fn distinct(ns: &[usize], classes: &[u32]) -> bool {
    (0..ns.len()).all(|i| (i + 1..ns.len()).all(|j| classes[ns[i]] != classes[ns[j]]))
}

/// Atoms whose neighbours can be arranged in two distinguishable ways.
fn tetrahedral_candidates(mol: &Molecule, classes: &[u32]) -> Vec<usize> {
    let mut centres = Vec::new();
    let mut ring_candidates = Vec::new();
    for atom in 0..mol.num_atoms() {
        let ns: Vec<usize> = mol.neighbors(atom).collect();
        let any_multiple = mol
            .bonds_of(atom)
            .any(|(b, _)| mol.bonds()[b].order != BondOrder::Single);
        let element = mol.atom(atom).element.atomic_number();
        // Pyramidal P, As, S, Se with a lone pair invert slowly (phosphines,
        // sulfoxides, sulfonium ions); pyramidal N is not stereogenic.
        let valence_electrons = match element {
            15 | 33 => 5,
            16 | 34 => 6,
            _ => 0,
        };
        let lone_pair_centre = ns.len() == 3
            && valence_electrons - i32::from(mol.atom(atom).charge) - i32::from(mol.valence(atom))
                >= 2;
        if (ns.len() == 4 || lone_pair_centre) && resonance_pair(mol, &ns).is_none() {
            if distinct(&ns, classes) {
                centres.push(atom);
            } else if ns.len() == 4 && !any_multiple && mol.rings().is_ring_atom(atom) {
                ring_candidates.push(atom);
            }
        }
    }
    // Ring cis/trans: a ring atom with two equivalent ring branches and two
    // different substituents is stereogenic when its ring holds another
    // stereogenic atom (1,4-disubstituted cyclohexanes). Relevant cycles,
    // not a smallest set: a cage's bridgehead may share no ring of a
    // smallest set with both its equivalent branches.
    if ring_candidates.is_empty() {
        return centres;
    }
    let cycles = mol.relevant_cycles();
    let ring_pair: Vec<usize> = ring_candidates
        .iter()
        .copied()
        .filter(|&atom| {
            let ns: Vec<usize> = mol.neighbors(atom).collect();
            let mut pairs = Vec::new();
            for i in 0..4 {
                for j in i + 1..4 {
                    if classes[ns[i]] == classes[ns[j]] {
                        pairs.push((ns[i], ns[j]));
                    }
                }
            }
            pairs.len() == 1 && {
                let (x, y) = pairs[0];
                cycles
                    .iter()
                    .any(|ring| ring.contains(&atom) && ring.contains(&x) && ring.contains(&y))
            }
        })
        .collect();
    let ring_stereo: Vec<usize> = ring_pair
        .iter()
        .copied()
        .filter(|&atom| {
            cycles.iter().any(|ring| {
                ring.contains(&atom)
                    && ring.iter().any(|&other| {
                        other != atom && (ring_pair.contains(&other) || centres.contains(&other))
                    })
            })
        })
        .collect();
    centres.extend(ring_stereo);
    centres.sort_unstable();
    centres
}

/// Two terminal oxygens or sulfurs of one element among `ns`, the
/// neighbours of one centre (phosphates, sulfonates): equivalent by
/// resonance.
fn resonance_pair(mol: &Molecule, ns: &[usize]) -> Option<[usize; 2]> {
    (0..ns.len())
        .flat_map(|i| (i + 1..ns.len()).map(move |j| [ns[i], ns[j]]))
        .find(|&[x, y]| {
            mol.degree(x) == 1
                && mol.degree(y) == 1
                && mol.atom(x).element == mol.atom(y).element
                && matches!(mol.atom(x).element.atomic_number(), 8 | 16)
        })
}

/// The written arrangement around centres that are stereocentres only as
/// written: four different neighbours, two of them terminal oxygens (or
/// sulfurs) that differ only in where the file puts the double bond and the
/// charge (the P(=O)O⁻ of a phosphodiester or phosphonate monoester).
/// The two are one by resonance: the force field types and charges them
/// alike, and a turn of the group exchanges them, so the search treats the
/// centre as no stereocentre and may put either oxygen in either place. A
/// reader of the file sees the double bond and the charge and would take
/// the exchange for an inverted centre; [`WrittenArrangement::restore`]
/// exchanges the two positions back, which changes neither the shape nor
/// the energy.
#[derive(Clone, Debug)]
pub struct WrittenArrangement {
    /// Centre, its neighbours in index order, its resonance pair, and
    /// whether the centre is clockwise in the input.
    centres: Vec<(usize, Vec<usize>, [usize; 2], bool)>,
}

impl WrittenArrangement {
    /// The arrangement in `mol`'s own coordinates.
    pub fn of(mol: &Molecule) -> WrittenArrangement {
        let classes = mol.symmetry_classes();
        let centres = (0..mol.num_atoms())
            .filter_map(|atom| {
                let mut ns: Vec<usize> = mol.neighbors(atom).collect();
                ns.sort_unstable();
                let pair = resonance_pair(mol, &ns)?;
                let clockwise = unit_volume(mol.coords(), atom, &ns) > 0.0;
                (ns.len() == 4 && distinct(&ns, &classes)).then_some((atom, ns, pair, clockwise))
            })
            .collect();
        WrittenArrangement { centres }
    }

    /// Exchanges the positions of each resonance pair whose centre's
    /// arrangement in `coords` differs from the input's.
    pub fn restore(&self, coords: &mut [Point3<f64>]) {
        for (atom, ns, [x, y], clockwise) in &self.centres {
            if (unit_volume(coords, *atom, ns) > 0.0) != *clockwise {
                coords.swap(*x, *y);
            }
        }
    }
}

fn signed_volume(p: [Point3<f64>; 4]) -> f64 {
    (p[1] - p[0]).cross(&(p[2] - p[0])).dot(&(p[3] - p[0]))
}

/// Signed volume of the unit vectors from `atom` towards `ns` (sorted); a
/// lone pair (three neighbours) is taken at the centre itself, which lies
/// on the lone pair's side of the other three.
fn unit_volume(coords: &[Point3<f64>], atom: usize, ns: &[usize]) -> f64 {
    let unit = |k: usize| {
        ns.get(k).map_or(Point3::origin(), |&n| {
            let v = coords[n] - coords[atom];
            Point3::from(v / v.norm().max(1e-9))
        })
    };
    signed_volume([unit(0), unit(1), unit(2), unit(3)])
}

fn tetrahedral(mol: &Molecule, coords: &[Point3<f64>], atom: usize) -> TetrahedralCentre {
    let mut ns: Vec<usize> = mol.neighbors(atom).collect();
    ns.sort_unstable();
    let centre = coords[atom];
    let volume = unit_volume(coords, atom, &ns);
    // Volumes of an ideal tetrahedral centre, so that 1 means ideal.
    let ideal = if ns.len() == 4 { 3.0792 } else { 0.7698 };
    let chiral_volume = (volume / ideal).clamp(-1.0, 1.0);

    let ranks = cip_ranks(mol, atom, &ns);
    let label = all_distinct(&ranks).then(|| {
        // Order neighbours by priority, highest first; the lone pair is lowest.
        let mut by_priority: Vec<usize> = (0..ns.len()).collect();
        by_priority.sort_by_key(|&k| ranks[k]);
        let p = |slot: usize| by_priority.get(slot).map_or(centre, |&k| coords[ns[k]]);
        if signed_volume([p(0), p(1), p(2), p(3)]) > 0.0 {
            CentreLabel::R
        } else {
            CentreLabel::S
        }
    });
    TetrahedralCentre {
        atom,
        neighbors: ns,
        clockwise: volume > 0.0,
        chiral_volume,
        label,
    }
}

fn double_bond(
    mol: &Molecule,
    coords: &[Point3<f64>],
    classes: &[u32],
    bond: usize,
) -> Option<DoubleBondStereo> {
    let b = mol.bonds()[bond];
    if b.order != BondOrder::Double {
        return None;
    }
    let [a1, a2] = b.atoms;
    if let Some(size) = mol.rings().smallest_ring_with_bond(a1, a2) {
        if size < 8 {
            return None;
        }
    }
    let mut refs = [0usize; 2];
    let mut cip_decides = true;
    for (slot, (end, other)) in [(a1, a2), (a2, a1)].into_iter().enumerate() {
        let cumulated = mol
            .bonds_of(end)
            .filter(|&(x, _)| mol.bonds()[x].order != BondOrder::Single)
            .count()
            > 1;
        let mut subs: Vec<usize> = mol.neighbors(end).filter(|&n| n != other).collect();
        subs.sort_unstable();
        match subs.len() {
            1 => refs[slot] = subs[0],
            2 if classes[subs[0]] != classes[subs[1]] => {
                let ranks = cip_ranks(mol, end, &subs);
                refs[slot] = if ranks[0] == ranks[1] {
                    cip_decides = false;
                    subs[0]
                } else if ranks[0] < ranks[1] {
                    subs[0]
                } else {
                    subs[1]
                };
            }
            _ => return None,
        }
        if cumulated {
            return None;
        }
    }
    let dihedral = dihedral(coords, [refs[0], a1, a2, refs[1]]);
    let cis = dihedral.abs() < std::f64::consts::FRAC_PI_2;
    Some(DoubleBondStereo {
        bond,
        atoms: [refs[0], a1, a2, refs[1]],
        cis,
        dihedral_deg: dihedral.to_degrees(),
        label: cip_decides.then_some(if cis { BondLabel::Z } else { BondLabel::E }),
    })
}

/// Dihedral angle i-j-k-l in radians, in (−π, π], with the IUPAC sign:
/// positive when, looking along j→k, the bond j-i turns clockwise onto k-l
/// (as RDKit and Open Babel report it).
pub fn dihedral(coords: &[Point3<f64>], [i, j, k, l]: [usize; 4]) -> f64 {
    let b1 = coords[j] - coords[i];
    let b2 = coords[k] - coords[j];
    let b3 = coords[l] - coords[k];
    let n1 = b1.cross(&b2);
    let n2 = b2.cross(&b3);
    (b2.norm() * b1.dot(&n2)).atan2(n1.dot(&n2))
}

fn all_distinct(ranks: &[u32]) -> bool {
    (0..ranks.len()).all(|i| (i + 1..ranks.len()).all(|j| ranks[i] != ranks[j]))
}

/// One node of the hierarchical digraph: an atom reached along a path, or a
/// duplicate (a multiple-bond partner or ring closure) without substituents.
#[derive(Clone)]
struct Node {
    atom: usize,
    duplicate: bool,
    /// Atoms on the path from the root, this one included.
    path: Vec<usize>,
}

/// (atomic number, mass number): the rule-1 and rule-2 keys.
fn key(mol: &Molecule, atom: usize) -> (u8, u16) {
    let a = mol.atom(atom);
    (
        a.element.atomic_number(),
        a.isotope.unwrap_or_else(|| a.element.nominal_mass()),
    )
}

/// Substituents of a digraph node, highest priority first.
fn children(mol: &Molecule, node: &Node) -> Vec<Node> {
    let mut out = unsorted_children(mol, node);
    out.sort_by_cached_key(|n| std::cmp::Reverse((key(mol, n.atom), lookahead(mol, n))));
    out
}

fn unsorted_children(mol: &Molecule, node: &Node) -> Vec<Node> {
    if node.duplicate {
        return Vec::new();
    }
    let parent = node.path.len().checked_sub(2).map(|i| node.path[i]);
    let mut out = Vec::new();
    for (bond, n) in mol.bonds_of(node.atom) {
        let order = mol.bonds()[bond].order.valence() as usize;
        // Multiple bonds duplicate the partner atom on this side.
        for _ in 1..order {
            out.push(Node {
                atom: n,
                duplicate: true,
                path: Vec::new(),
            });
        }
        if Some(n) == parent {
            continue;
        }
        let closes_ring = node.path.contains(&n);
        let mut path = node.path.clone();
        path.push(n);
        out.push(Node {
            atom: n,
            duplicate: closes_ring,
            path,
        });
    }
    out
}

/// Spheres below a node as multisets of keys (sorted, highest first): orders
/// siblings with equal keys by what lies beyond them, independently of the
/// order in which the file lists their bonds.
fn lookahead(mol: &Molecule, node: &Node) -> Vec<Vec<(u8, u16)>> {
    const DEPTH: usize = 4;
    let mut spheres = Vec::with_capacity(DEPTH);
    let mut frontier = vec![node.clone()];
    for _ in 0..DEPTH {
        let next: Vec<Node> = frontier
            .iter()
            .flat_map(|n| unsorted_children(mol, n))
            .collect();
        let mut keys: Vec<(u8, u16)> = next.iter().map(|n| key(mol, n.atom)).collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        spheres.push(keys);
        frontier = next;
    }
    spheres
}

const CIP_NODE_BUDGET: usize = 20_000;

/// Priority ranks of the branches `roots` around `centre` (0 = highest;
/// equal ranks for branches the digraph cannot tell apart).
fn cip_ranks(mol: &Molecule, centre: usize, roots: &[usize]) -> Vec<u32> {
    // Each branch: its current sphere of nodes, and its signature so far.
    let mut spheres: Vec<Vec<Node>> = roots
        .iter()
        .map(|&r| {
            vec![Node {
                atom: r,
                duplicate: false,
                path: vec![centre, r],
            }]
        })
        .collect();
    let mut signatures: Vec<Vec<Vec<(u8, u16)>>> =
        roots.iter().map(|&r| vec![vec![key(mol, r)]]).collect();
    let mut nodes = roots.len();
    loop {
        let ranks = rank_signatures(&signatures);
        if all_distinct(&ranks) || spheres.iter().all(Vec::is_empty) || nodes > CIP_NODE_BUDGET {
            return ranks;
        }
        for (branch, sphere) in spheres.iter_mut().enumerate() {
            let mut next = Vec::new();
            for node in sphere.iter() {
                let kids = children(mol, node);
                let mut set: Vec<(u8, u16)> = kids.iter().map(|k| key(mol, k.atom)).collect();
                set.resize(3, (0, 0));
                signatures[branch].push(set);
                next.extend(kids);
            }
            nodes += next.len();
            *sphere = next;
        }
    }
}

fn rank_signatures(signatures: &[Vec<Vec<(u8, u16)>>]) -> Vec<u32> {
    signatures
        .iter()
        .map(|s| {
            signatures
                .iter()
                .filter(|t| t.as_slice() > s.as_slice())
                .count() as u32
        })
        .collect()
}

impl std::fmt::Display for CentreLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CentreLabel::R => "R",
            CentreLabel::S => "S",
        })
    }
}

impl std::fmt::Display for BondLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BondLabel::E => "E",
            BondLabel::Z => "Z",
        })
    }
}
