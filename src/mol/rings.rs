//! Ring perception: ring membership of bonds and atoms (a bond is in a ring
//! when it is no bridge of the graph) and the smallest set of smallest rings
//! (SSSR), a minimum cycle basis found with Horton's candidate cycles and
//! Gaussian elimination over GF(2).

use super::cycles::first_bit;
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct Rings {
    /// SSSR rings, each as its atoms in ring order, ordered by size.
    cycles: Vec<Vec<usize>>,
    ring_bond: Vec<bool>,
    ring_atom: Vec<bool>,
}

impl Rings {
    pub(crate) fn find(graph: &UnGraph<(), usize>, num_atoms: usize, num_bonds: usize) -> Rings {
        let mut ring_bond = vec![true; num_bonds];
        for bridge in petgraph::algo::bridges(graph) {
            ring_bond[*bridge.weight()] = false;
        }
        let mut ring_atom = vec![false; num_atoms];
        for e in graph.edge_references() {
            if ring_bond[*e.weight()] {
                ring_atom[e.source().index()] = true;
                ring_atom[e.target().index()] = true;
            }
        }
        let cycles = sssr(graph, &ring_bond, &ring_atom);
        Rings {
            cycles,
            ring_bond,
            ring_atom,
        }
    }

    /// SSSR rings, each as its atoms in ring order; smallest first.
    pub fn cycles(&self) -> &[Vec<usize>] {
        &self.cycles
    }

    pub fn sizes(&self) -> Vec<usize> {
        self.cycles.iter().map(Vec::len).collect()
    }

    pub fn is_ring_bond(&self, bond: usize) -> bool {
        self.ring_bond[bond]
    }

    pub fn is_ring_atom(&self, atom: usize) -> bool {
        self.ring_atom[atom]
    }

    /// Size of the smallest SSSR ring in which atoms `a` and `b` are
    /// neighbours, if any.
    pub fn smallest_ring_with_bond(&self, a: usize, b: usize) -> Option<usize> {
        self.cycles
            .iter()
            .filter(|c| {
                (0..c.len()).any(|i| {
                    let (x, y) = (c[i], c[(i + 1) % c.len()]);
                    (x == a && y == b) || (x == b && y == a)
                })
            })
            .map(Vec::len)
            .min()
    }
}

/// Breadth-first shortest-path tree over ring bonds from `root`.
fn bfs_tree(
    graph: &UnGraph<(), usize>,
    ring_bond: &[bool],
    root: usize,
) -> (Vec<usize>, Vec<usize>) {
    let n = graph.node_count();
    let mut parent = vec![usize::MAX; n];
    let mut dist = vec![usize::MAX; n];
    dist[root] = 0;
    parent[root] = root;
    let mut queue = VecDeque::from([root]);
    while let Some(a) = queue.pop_front() {
        for e in graph.edges(NodeIndex::new(a)) {
            let b = if e.source().index() == a {
                e.target().index()
            } else {
                e.source().index()
            };
            if ring_bond[*e.weight()] && dist[b] == usize::MAX {
                dist[b] = dist[a] + 1;
                parent[b] = a;
                queue.push_back(b);
            }
        }
    }
    (parent, dist)
}

fn path_to_root(parent: &[usize], mut a: usize) -> Vec<usize> {
    let mut path = vec![a];
    while parent[a] != a {
        a = parent[a];
        path.push(a);
    }
    path
}

fn sssr(graph: &UnGraph<(), usize>, ring_bond: &[bool], ring_atom: &[bool]) -> Vec<Vec<usize>> {
    let ring_edges: Vec<(usize, usize, usize)> = graph
        .edge_references()
        .filter(|e| ring_bond[*e.weight()])
        .map(|e| (e.source().index(), e.target().index(), *e.weight()))
        .collect();
    if ring_edges.is_empty() {
        return Vec::new();
    }
    // Cyclomatic number of the ring subgraph: E - V + components.
    let ring_atoms: Vec<usize> = (0..ring_atom.len()).filter(|&a| ring_atom[a]).collect();
    let mut component = vec![usize::MAX; ring_atom.len()];
    let mut num_components = 0;
    for &a in &ring_atoms {
        if component[a] == usize::MAX {
            let (parent, _) = bfs_tree(graph, ring_bond, a);
            for (b, &p) in parent.iter().enumerate() {
                if p != usize::MAX {
                    component[b] = num_components;
                }
            }
            num_components += 1;
        }
    }
    let wanted = ring_edges.len() + num_components - ring_atoms.len();

    // Horton candidates: for each root v and ring edge (x, y), the cycle
    // P(v, x) + (x, y) + P(y, v) when the two shortest paths meet only in v.
    let mut candidates: Vec<Vec<usize>> = Vec::new();
    for &v in &ring_atoms {
        let (parent, dist) = bfs_tree(graph, ring_bond, v);
        for &(x, y, _) in &ring_edges {
            if dist[x] == usize::MAX || parent[x] == y || parent[y] == x {
                continue;
            }
            let px = path_to_root(&parent, x);
            let py = path_to_root(&parent, y);
            // The two paths may share only the root.
            if px.iter().rev().skip(1).any(|a| py.contains(a)) {
                continue;
            }
            let mut cycle: Vec<usize> = px.into_iter().rev().collect();
            cycle.extend(py.into_iter().take_while(|&a| a != v));
            candidates.push(canonical_cycle(cycle));
        }
    }
    candidates.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    candidates.dedup();

    // Greedy independent selection over GF(2) edge vectors.
    let mut slot_of_bond = vec![usize::MAX; ring_bond.len()];
    for (slot, &(_, _, bond)) in ring_edges.iter().enumerate() {
        slot_of_bond[bond] = slot;
    }
    let edge_slot = |a: usize, b: usize| {
        graph
            .find_edge(NodeIndex::new(a), NodeIndex::new(b))
            .map(|e| slot_of_bond[graph[e]])
    };
    let words = ring_edges.len().div_ceil(64);
    let mut basis: Vec<(usize, Vec<u64>)> = Vec::new(); // (pivot bit, reduced vector)
    let mut chosen = Vec::new();
    for cycle in candidates {
        if chosen.len() == wanted {
            break;
        }
        let mut vector = vec![0u64; words];
        for i in 0..cycle.len() {
            if let Some(slot) = edge_slot(cycle[i], cycle[(i + 1) % cycle.len()]) {
                vector[slot / 64] ^= 1 << (slot % 64);
            }
        }
        for (pivot, row) in &basis {
            if vector[pivot / 64] >> (pivot % 64) & 1 == 1 {
                for (v, r) in vector.iter_mut().zip(row) {
                    *v ^= r;
                }
            }
        }
        if let Some(pivot) = first_bit(&vector) {
            // Keep rows reduced so each pivot appears in one row only.
            for (_, row) in basis.iter_mut() {
                if row[pivot / 64] >> (pivot % 64) & 1 == 1 {
                    for (r, v) in row.iter_mut().zip(&vector) {
                        *r ^= v;
                    }
                }
            }
            basis.push((pivot, vector));
            chosen.push(cycle);
        }
    }
    chosen
}

/// Rotates and orients a cycle so it starts at its lowest atom and continues
/// towards the lower of that atom's two ring neighbours.
fn canonical_cycle(mut cycle: Vec<usize>) -> Vec<usize> {
    let start = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
    cycle.rotate_left(start);
    if cycle.len() > 2 && cycle[cycle.len() - 1] < cycle[1] {
        cycle[1..].reverse();
    }
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> UnGraph<(), usize> {
        let mut g = UnGraph::new_undirected();
        for _ in 0..n {
            g.add_node(());
        }
        for (i, &(a, b)) in edges.iter().enumerate() {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), i);
        }
        g
    }

    #[test]
    fn naphthalene_has_two_six_rings() {
        let edges = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 0),
            (4, 6),
            (6, 7),
            (7, 8),
            (8, 9),
            (9, 5),
        ];
        let rings = Rings::find(&graph(10, &edges), 10, edges.len());
        assert_eq!(rings.sizes(), vec![6, 6]);
        assert!(rings.is_ring_bond(10));
        assert_eq!(rings.smallest_ring_with_bond(4, 5), Some(6));
    }

    #[test]
    fn bridged_bicycle_and_chain() {
        // Norbornane skeleton (7 atoms) plus a two-atom chain on atom 0.
        let edges = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 0),
            (0, 6),
            (6, 3),
            (0, 7),
            (7, 8),
        ];
        let rings = Rings::find(&graph(9, &edges), 9, edges.len());
        assert_eq!(rings.sizes(), vec![5, 5]);
        assert!(!rings.is_ring_bond(8) && !rings.is_ring_bond(9));
        assert!(!rings.is_ring_atom(7));
    }

    #[test]
    fn cubane_has_five_four_rings() {
        let edges = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 0),
            (4, 5),
            (5, 6),
            (6, 7),
            (7, 4),
            (0, 4),
            (1, 5),
            (2, 6),
            (3, 7),
        ];
        let rings = Rings::find(&graph(8, &edges), 8, edges.len());
        assert_eq!(rings.sizes(), vec![4, 4, 4, 4, 4]);
    }
}
