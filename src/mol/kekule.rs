//! Kekulisation of aromatic (MDL bond type 4) input: every aromatic atom that
//! needs one more bond to reach an allowed valence gets exactly one double
//! bond among its aromatic bonds. Those double bonds form a perfect matching
//! of the "needy" atoms, found with a maximum matching on the aromatic graph.

use super::{Atom, BondOrder};
use petgraph::graph::{NodeIndex, UnGraph};

/// Aromatic atoms (0-based) left without a double bond in every assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KekuleError {
    pub atoms: Vec<usize>,
}

/// A bond to kekulise: its atoms and order, `None` for aromatic.
pub type InputBond = (usize, usize, Option<BondOrder>);

/// Assigns single and double bonds to the aromatic bonds (`None` orders).
/// `bonds` are (atom, atom, order) with `None` for aromatic.
pub fn kekulize(atoms: &[Atom], bonds: &[InputBond]) -> Result<Vec<BondOrder>, KekuleError> {
    let mut known = vec![0u8; atoms.len()];
    let mut aromatic = vec![0u8; atoms.len()];
    let mut has_multiple = vec![false; atoms.len()];
    for &(a, b, order) in bonds {
        for x in [a, b] {
            match order {
                Some(o) => {
                    known[x] += o.valence();
                    has_multiple[x] |= o != BondOrder::Single;
                }
                None => aromatic[x] += 1,
            }
        }
    }
    let needs_double: Vec<bool> = (0..atoms.len())
        .map(|i| {
            if aromatic[i] == 0 || has_multiple[i] {
                return false;
            }
            let atom = &atoms[i];
            let Some(allowed) = atom.element.allowed_valences(atom.charge as i32) else {
                return false;
            };
            let used = known[i] + aromatic[i] + atom.radical.valence_used();
            !allowed.contains(&used) && allowed.contains(&(used + 1))
        })
        .collect();

    let mut graph: UnGraph<(), usize> = UnGraph::with_capacity(atoms.len(), bonds.len());
    for _ in atoms {
        graph.add_node(());
    }
    for (index, &(a, b, order)) in bonds.iter().enumerate() {
        if order.is_none() && needs_double[a] && needs_double[b] {
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), index);
        }
    }
    let matching = petgraph::algo::maximum_matching(&graph);
    let unmatched: Vec<usize> = (0..atoms.len())
        .filter(|&i| needs_double[i] && matching.mate(NodeIndex::new(i)).is_none())
        .collect();
    if !unmatched.is_empty() {
        return Err(KekuleError { atoms: unmatched });
    }
    Ok(bonds
        .iter()
        .map(|&(a, b, order)| match order {
            Some(o) => o,
            None if matching.mate(NodeIndex::new(a)) == Some(NodeIndex::new(b)) => {
                BondOrder::Double
            }
            None => BondOrder::Single,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mol::Element;

    fn ring(elements: &[Element], extra_single: &[usize]) -> (Vec<Atom>, Vec<InputBond>) {
        // A ring of the given elements; atoms listed in `extra_single` get a hydrogen.
        let n = elements.len();
        let mut atoms: Vec<Atom> = elements.iter().map(|&e| Atom::new(e)).collect();
        let mut bonds: Vec<_> = (0..n).map(|i| (i, (i + 1) % n, None)).collect();
        for &i in extra_single {
            atoms.push(Atom::new(Element::H));
            bonds.push((i, atoms.len() - 1, Some(BondOrder::Single)));
        }
        (atoms, bonds)
    }

    #[test]
    fn benzene_alternates() {
        let (atoms, bonds) = ring(&[Element::C; 6], &[0, 1, 2, 3, 4, 5]);
        let orders = kekulize(&atoms, &bonds).unwrap();
        let doubles = orders[..6]
            .iter()
            .filter(|&&o| o == BondOrder::Double)
            .count();
        assert_eq!(doubles, 3);
        for i in 0..6 {
            assert_ne!(orders[i], orders[(i + 1) % 6]);
        }
    }

    #[test]
    fn pyrrole_nitrogen_keeps_single_bonds() {
        let (atoms, bonds) = ring(
            &[Element::N, Element::C, Element::C, Element::C, Element::C],
            &[0, 1, 2, 3, 4],
        );
        let orders = kekulize(&atoms, &bonds).unwrap();
        assert_eq!(orders[0], BondOrder::Single);
        assert_eq!(orders[4], BondOrder::Single);
        assert_eq!(orders[1], BondOrder::Double);
        assert_eq!(orders[3], BondOrder::Double);
    }

    #[test]
    fn neutral_cyclopentadienyl_is_rejected() {
        let (atoms, bonds) = ring(&[Element::C; 5], &[0, 1, 2, 3, 4]);
        let err = kekulize(&atoms, &bonds).unwrap_err();
        assert_eq!(err.atoms.len(), 1);
    }
}
