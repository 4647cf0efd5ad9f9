//! The molecule as MMFF94's parameter rules see it: atom types, aromatic
//! atoms, bond kinds and MMFF bond types ([`Topology`]); and which atom
//! pairs interact through nonbonded terms: pairs three or more bonds apart
//! (1-4 pairs, exactly three, get MMFF's 0.75 electrostatic scaling) and
//! every pair in different fragments. 1-2 and 1-3 pairs, by the shortest
//! bond path, are excluded.

use super::params::Params;
use super::typing::{AtomTypes, BondKind};
use crate::mol::{BondOrder, Molecule};

/// Per-atom and per-bond classification the parameter rules use.
#[derive(Clone, Debug)]
pub struct Topology {
    pub types: Vec<u8>,
    pub aromatic_atoms: Vec<bool>,
    pub bond_kinds: Vec<BondKind>,
    /// MMFF bond type (0 or 1) per bond.
    pub bond_types: Vec<u8>,
}

impl Topology {
    /// Every atom type must have MMFFPROP and MMFFVDW entries (checked by
    /// the caller, which reports the atom that has none).
    pub(super) fn new(mol: &Molecule, typing: &AtomTypes, params: &Params) -> Topology {
        let mut aromatic_atoms = vec![false; mol.num_atoms()];
        let bond_kinds: Vec<BondKind> = mol
            .bonds()
            .iter()
            .zip(&typing.aromatic_bonds)
            .map(|(b, &aromatic)| {
                if aromatic {
                    aromatic_atoms[b.atoms[0]] = true;
                    aromatic_atoms[b.atoms[1]] = true;
                    return BondKind::Aromatic;
                }
                match b.order {
                    BondOrder::Single => BondKind::Single,
                    BondOrder::Double => BondKind::Double,
                    BondOrder::Triple => BondKind::Triple,
                }
            })
            .collect();
        let props = |a: usize| {
            params
                .props(typing.types[a])
                .expect("types checked by the caller")
        };
        let bond_types = mol
            .bonds()
            .iter()
            .zip(&bond_kinds)
            .map(|(b, &kind)| {
                let (p, q) = (props(b.atoms[0]), props(b.atoms[1]));
                u8::from(kind == BondKind::Single && ((p.sbmb && q.sbmb) || (p.arom && q.arom)))
            })
            .collect();
        Topology {
            types: typing.types.clone(),
            aromatic_atoms,
            bond_kinds,
            bond_types,
        }
    }
}

/// A nonbonded pair i < j and whether it is 1-4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonbondedPair {
    pub atoms: [usize; 2],
    pub one_four: bool,
}

/// All nonbonded pairs, ordered by (i, j).
pub fn nonbonded_pairs(mol: &Molecule) -> Vec<NonbondedPair> {
    let n = mol.num_atoms();
    // Shortest path lengths up to 3 from each atom, by breadth-first search.
    let mut dist = vec![u8::MAX; n];
    let mut touched = Vec::new();
    let mut pairs = Vec::new();
    for i in 0..n {
        dist[i] = 0;
        touched.push(i);
        let mut frontier = vec![i];
        for d in 1..=3u8 {
            let mut next = Vec::new();
            for &a in &frontier {
                for b in mol.neighbors(a) {
                    if dist[b] == u8::MAX {
                        dist[b] = d;
                        touched.push(b);
                        next.push(b);
                    }
                }
            }
            frontier = next;
        }
        for (j, &d) in dist.iter().enumerate().skip(i + 1) {
            if d >= 3 {
                pairs.push(NonbondedPair {
                    atoms: [i, j],
                    one_four: d == 3,
                });
            }
        }
        for &a in &touched {
            dist[a] = u8::MAX;
        }
        touched.clear();
    }
    pairs
}
