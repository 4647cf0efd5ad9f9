//! RMSD between conformers of one molecule: Kabsch superposition (proper
//! rotations only) over the heavy atoms, minimised over the automorphisms
//! of the heavy-atom graph, greedy energy-ordered pruning, and the choice
//! of the conformers that best represent a larger set.

use crate::mol::{BondOrder, Element, Molecule};
use nalgebra::{Matrix3, Point3, Vector3};
use petgraph::graph::{NodeIndex, UnGraph};
use rayon::prelude::*;

/// Automorphisms enumerated at most; beyond this (highly symmetric
/// molecules such as fullerenes) only the first ones found are used, so the
/// RMSD is an upper bound of the symmetric one.
pub const MAX_AUTOMORPHISMS: usize = 1000;

/// Heavy atoms of a molecule and the permutations of them that map the
/// heavy-atom graph onto itself.
#[derive(Clone, Debug)]
pub struct SymmetricRmsd {
    heavy: Vec<usize>,
    /// Each entry maps position p of `heavy` to the position it is compared with.
    automorphisms: Vec<Vec<usize>>,
    complete: bool,
}

/// Bond label for matching: the order, except that bonds from a terminal
/// O, N or S to a centre bearing two or more such atoms of the same element
/// (carboxylate, nitro, amidine, sulfonate) count as equal, as they are by
/// resonance, and so do all bonds of a ring whose every atom has a double
/// bond (benzene, pyridine), whose Kekulé structure would otherwise break
/// the symmetry of a ring flip.
fn bond_labels(mol: &Molecule) -> Vec<u8> {
    let has_double = |a: usize| {
        mol.bonds_of(a)
            .any(|(b, _)| mol.bonds()[b].order == BondOrder::Double)
    };
    let mut conjugated_ring = vec![false; mol.bonds().len()];
    for cycle in mol.rings().cycles() {
        if cycle.iter().all(|&a| has_double(a)) {
            for (i, &a) in cycle.iter().enumerate() {
                if let Some(b) = mol.bond_between(a, cycle[(i + 1) % cycle.len()]) {
                    conjugated_ring[b] = true;
                }
            }
        }
    }
    let terminal = |a: usize| {
        matches!(mol.atom(a).element, Element::O | Element::N | Element::S)
            && mol
                .neighbors(a)
                .filter(|&n| mol.atom(n).element != Element::H)
                .count()
                == 1
    };
    mol.bonds()
        .iter()
        .enumerate()
        .map(|(index, b)| {
            let [x, y] = b.atoms;
            for (end, centre) in [(x, y), (y, x)] {
                if terminal(end) {
                    let partners = mol
                        .neighbors(centre)
                        .filter(|&n| terminal(n) && mol.atom(n).element == mol.atom(end).element)
                        .count();
                    if partners >= 2 {
                        return 0;
                    }
                }
            }
            if conjugated_ring[index] {
                return 4;
            }
            match b.order {
                BondOrder::Single => 1,
                BondOrder::Double => 2,
                BondOrder::Triple => 3,
            }
        })
        .collect()
}

impl SymmetricRmsd {
    pub fn new(mol: &Molecule) -> SymmetricRmsd {
        let heavy: Vec<usize> = (0..mol.num_atoms())
            .filter(|&a| mol.atom(a).element != Element::H)
            .collect();
        let mut position = vec![usize::MAX; mol.num_atoms()];
        for (p, &a) in heavy.iter().enumerate() {
            position[a] = p;
        }
        let labels = bond_labels(mol);
        let mut graph: UnGraph<u8, u8> = UnGraph::with_capacity(heavy.len(), mol.bonds().len());
        for &a in &heavy {
            graph.add_node(mol.atom(a).element.atomic_number());
        }
        for (b, bond) in mol.bonds().iter().enumerate() {
            let [x, y] = bond.atoms;
            if position[x] != usize::MAX && position[y] != usize::MAX {
                graph.add_edge(
                    NodeIndex::new(position[x]),
                    NodeIndex::new(position[y]),
                    labels[b],
                );
            }
        }
        let mut node_match = |a: &u8, b: &u8| a == b;
        let mut edge_match = |a: &u8, b: &u8| a == b;
        let mut automorphisms: Vec<Vec<usize>> = Vec::new();
        // A plain loop: collecting would ask the matcher for its size hint,
        // which indexes out of bounds for graphs of exactly 21 nodes
        // (petgraph 0.8.3).
        if let Some(matches) = petgraph::algo::subgraph_isomorphisms_iter(
            &&graph,
            &&graph,
            &mut node_match,
            &mut edge_match,
        ) {
            for m in matches {
                automorphisms.push(m);
                if automorphisms.len() > MAX_AUTOMORPHISMS {
                    break;
                }
            }
        }
        let complete = automorphisms.len() <= MAX_AUTOMORPHISMS;
        automorphisms.truncate(MAX_AUTOMORPHISMS);
        if automorphisms.is_empty() {
            automorphisms.push((0..heavy.len()).collect());
        }
        SymmetricRmsd {
            heavy,
            automorphisms,
            complete,
        }
    }

    /// Number of automorphisms used.
    pub fn num_automorphisms(&self) -> usize {
        self.automorphisms.len()
    }

    /// Whether every automorphism was enumerated (see [`MAX_AUTOMORPHISMS`]).
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Heavy-atom RMSD after optimal superposition, minimised over the
    /// automorphisms (Å).
    pub fn rmsd(&self, a: &[Point3<f64>], b: &[Point3<f64>]) -> f64 {
        let p: Vec<Point3<f64>> = self.heavy.iter().map(|&i| a[i]).collect();
        let q: Vec<Point3<f64>> = self.heavy.iter().map(|&i| b[i]).collect();
        self.automorphisms
            .iter()
            .map(|map| {
                let mapped: Vec<Point3<f64>> = map.iter().map(|&m| q[m]).collect();
                kabsch_rmsd(&p, &mapped)
            })
            .fold(f64::INFINITY, f64::min)
    }
}

/// RMSD of two point sets after the optimal proper rotation and translation
/// (Kabsch, from the singular values of the covariance; reflections are not
/// allowed).
pub fn kabsch_rmsd(p: &[Point3<f64>], q: &[Point3<f64>]) -> f64 {
    let n = p.len().min(q.len());
    if n == 0 {
        return 0.0;
    }
    let centroid =
        |x: &[Point3<f64>]| x.iter().fold(Vector3::zeros(), |s, v| s + v.coords) / n as f64;
    let (cp, cq) = (centroid(p), centroid(q));
    let mut h = Matrix3::zeros();
    let mut sum_sq = 0.0;
    for (a, b) in p.iter().zip(q) {
        let (u, v) = (a.coords - cp, b.coords - cq);
        h += u * v.transpose();
        sum_sq += u.norm_squared() + v.norm_squared();
    }
    let svd = h.svd(true, true);
    let (Some(u), Some(v_t)) = (svd.u, svd.v_t) else {
        return f64::NAN;
    };
    let d = (u * v_t).determinant().signum();
    let s = svd.singular_values;
    // Singular values come sorted in decreasing order; a reflection flips
    // the smallest.
    let trace = s[0] + s[1] + d * s[2];
    ((sum_sq - 2.0 * trace).max(0.0) / n as f64).sqrt()
}

/// Greedy pruning: walk the conformers by increasing energy and keep one
/// when it is farther than `threshold` from every conformer kept so far.
/// Returns the kept indices, lowest energy first.
pub fn prune(
    rmsd: &SymmetricRmsd,
    conformers: &[Vec<Point3<f64>>],
    energies: &[f64],
    threshold: f64,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..conformers.len()).collect();
    order.sort_by(|&a, &b| energies[a].total_cmp(&energies[b]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if kept
            .iter()
            .all(|&k| rmsd.rmsd(&conformers[k], &conformers[i]) > threshold)
        {
            kept.push(i);
        }
    }
    kept
}

/// The `count` conformers of `ranked` (indices into `conformers`, best
/// first) that best represent all of them: the best ranked, then
/// repeatedly the one within `radius` of the most conformers that no
/// chosen one is within `radius` of (the better ranked on ties), and once
/// all are represented the best ranked of the rest. Returned in the order
/// of `ranked`.
///
/// Where more distinct conformers than can be written lie in the energy
/// window, the best ranked `count` all come from its bottom; these span
/// it, each of the others close to one of them.
pub fn representatives(
    rmsd: &SymmetricRmsd,
    conformers: &[Vec<Point3<f64>>],
    ranked: &[usize],
    count: usize,
    radius: f64,
) -> Vec<usize> {
    let n = ranked.len();
    if n <= count {
        return ranked.to_vec();
    }
    // Positions in `ranked` within the radius of each, itself included.
    let closer: Vec<Vec<usize>> = (0..n)
        .into_par_iter()
        .map(|a| {
            (a + 1..n)
                .filter(|&b| rmsd.rmsd(&conformers[ranked[a]], &conformers[ranked[b]]) <= radius)
                .collect()
        })
        .collect();
    let mut neighbours: Vec<Vec<usize>> = (0..n).map(|a| vec![a]).collect();
    for (a, later) in closer.into_iter().enumerate() {
        for b in later {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    // How many not yet represented conformers each would represent.
    let mut gain: Vec<usize> = neighbours.iter().map(Vec::len).collect();
    let mut represented = vec![false; n];
    let mut chosen = vec![false; n];
    let mut next = 0;
    for _ in 0..count {
        chosen[next] = true;
        for &m in &neighbours[next] {
            if !represented[m] {
                represented[m] = true;
                for &k in &neighbours[m] {
                    gain[k] -= 1;
                }
            }
        }
        let most = (0..n)
            .filter(|&i| !chosen[i] && gain[i] > 0)
            .max_by(|&a, &b| gain[a].cmp(&gain[b]).then(b.cmp(&a)));
        // Once all are represented, the best ranked of the rest (n > count:
        // one is left until the last pass).
        next = most.or_else(|| (0..n).find(|&i| !chosen[i])).unwrap_or(0);
    }
    (0..n).filter(|&i| chosen[i]).map(|i| ranked[i]).collect()
}
