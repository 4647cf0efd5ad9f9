//! Graph-symmetry classes by iterative refinement (Morgan / Weisfeiler–Lehman):
//! atoms start from their element, isotope, charge, radical and degree, and
//! are split by the multiset of (bond order, neighbour class) until the
//! partition is stable. Class numbers are ranks of sorted invariants, so they
//! do not depend on the atom order of the file.

use super::Molecule;

pub(super) fn classes(mol: &Molecule) -> Vec<u32> {
    let initial: Vec<(u8, u16, i8, u8, usize)> = mol
        .atoms()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                a.element.atomic_number(),
                a.isotope.unwrap_or(0),
                a.charge,
                a.radical.code(),
                mol.degree(i),
            )
        })
        .collect();
    let mut class = rank(&initial);
    let mut count = distinct(&class);
    loop {
        let keys: Vec<(u32, Vec<(u8, u32)>)> = (0..mol.num_atoms())
            .map(|i| {
                let mut around: Vec<(u8, u32)> = mol
                    .bonds_of(i)
                    .map(|(b, n)| (mol.bonds()[b].order.valence(), class[n]))
                    .collect();
                around.sort_unstable();
                (class[i], around)
            })
            .collect();
        let refined = rank(&keys);
        let refined_count = distinct(&refined);
        class = refined;
        if refined_count == count {
            return class;
        }
        count = refined_count;
    }
}

/// Dense ranks (0, 1, …) of the keys in sorted order.
fn rank<K: Ord>(keys: &[K]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut ranks = vec![0u32; keys.len()];
    let mut current = 0u32;
    for w in 0..order.len() {
        if w > 0 && keys[order[w]] != keys[order[w - 1]] {
            current += 1;
        }
        ranks[order[w]] = current;
    }
    ranks
}

fn distinct(class: &[u32]) -> usize {
    class.iter().max().map_or(0, |&m| m as usize + 1)
}

/// Whether an automorphism of the molecular graph (elements, charges,
/// isotopes, bond orders) maps atom `a` onto atom `b`. Refinement classes
/// can merge atoms that no automorphism exchanges (for instance the
/// substituents of a carbon bridging rings of different sizes in
/// symmetric cages); this settles such cases exactly, by a VF2 search
/// between two copies of the graph in which `a` and `b` are marked.
pub(super) fn automorphic(mol: &Molecule, classes: &[u32], a: usize, b: usize) -> bool {
    if classes[a] != classes[b] {
        return false;
    }
    if a == b {
        return true;
    }
    let marked = |mark: usize| {
        let mut g: petgraph::Graph<(u32, bool), u8, petgraph::Undirected> =
            petgraph::Graph::with_capacity(mol.num_atoms(), mol.bonds().len());
        for (i, &c) in classes.iter().enumerate() {
            g.add_node((c, i == mark));
        }
        for bond in mol.bonds() {
            let [x, y] = bond.atoms;
            g.add_edge(
                petgraph::graph::NodeIndex::new(x),
                petgraph::graph::NodeIndex::new(y),
                bond.order.valence(),
            );
        }
        g
    };
    let (ga, gb) = (marked(a), marked(b));
    petgraph::algo::is_isomorphic_matching(&ga, &gb, |x, y| x == y, |x, y| x == y)
}
