//! The ring view MMFF94 typing works on: the relevant cycles of the
//! molecule, MMFF's own aromaticity model over them, and the ring-membership
//! queries the typing rules ask.
//!
//! Rings are the *relevant cycles* (the union of all minimum cycle bases),
//! not one arbitrary smallest set of smallest rings: a minimum cycle basis is
//! not unique in cage compounds (cubane has six equivalent four-membered
//! rings, any five of which form a basis), and the result must not depend on
//! which one a ring finder happens to return. For ordinary ring systems the
//! relevant cycles are exactly the SSSR. RDKit, whose types are the
//! reference, uses the same ring set.
//!
//! MMFF aromaticity (Halgren, MMFF.I and the OPTIMOL code RDKit follows) is
//! decided ring by ring on the Kekulé structure: a ring is aromatic when all
//! its carbons and nitrogens are sp2 and its π-electron count `π` satisfies
//! `π > 2` and `(π − 2) mod 4 = 0`, counting
//! - 2 for every endocyclic double bond,
//! - 1 for every exocyclic double bond from a ring C (or a four-valent ring
//!   N) to an atom that has already been found aromatic,
//! - 2 more when the ring has odd size, contains N, O or divalent S, and
//!   has no exocyclic double bond to a non-aromatic atom (the lone pair of
//!   pyrrole, furan, thiophene).
//!
//! Fused systems need several sweeps over the rings: the ring of
//! naphthalene whose Kekulé double bonds point out of it becomes aromatic
//! once the other ring is, and a ring whose exocyclic double bond leads into
//! a ring atom not yet examined waits for a later sweep. Rings never lose
//! aromaticity once found. Because of the exocyclic-double-bond rule, rings
//! with a C=O or C=N group (pyridones, uracils, quinones) are not aromatic
//! in MMFF.
//!
//! The sweeps are RDKit's, whose energies are the reference: rings are
//! visited one after another in RDKit's ring order (`ring_order`), each
//! seeing what the rings before it found, and sweeping stops as soon as
//! every ring atom has been examined once. So a ring all of whose atoms
//! also belong to other rings (the central ring of perylene-3,4,9,10-
//! tetracarboxylic dianhydride, of triphenylene) is aromatic only when
//! the rings its exocyclic double bonds lead into were found aromatic
//! before it in the same sweep. The answer then depends on the ring order
//! and on the Kekulé structure. RDKit types a Kekulé form of its own (its
//! canonical kekulisation); where the record carries another one, such a
//! ring can still come out differently from RDKit.

use super::ring_order::rdkit_order;
use crate::mol::{BondOrder, Element, Molecule};

/// How a bond counts for MMFF typing: bonds in MMFF-aromatic rings are
/// aromatic whatever their Kekulé order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BondKind {
    Single,
    Double,
    Triple,
    Aromatic,
}

/// One ring of the ring set, with the atoms in ring order.
#[derive(Clone, Debug)]
struct Ring {
    atoms: Vec<usize>,
    bonds: Vec<usize>,
    /// Every bond of the ring is aromatic. This is what "an aromatic ring of
    /// size n" means to the typing rules: a ring all of whose bonds lie in
    /// MMFF-aromatic rings.
    aromatic: bool,
}

/// Rings, MMFF aromaticity and the ring queries of the typing rules.
#[derive(Clone, Debug)]
pub(super) struct RingView {
    rings: Vec<Ring>,
    /// Atom lies in a ring that passed the aromaticity test.
    aromatic_atom: Vec<bool>,
    /// Bond lies in a ring that passed the aromaticity test.
    aromatic_bond: Vec<bool>,
    kinds: Vec<BondKind>,
}

impl RingView {
    /// Finds the rings and perceives MMFF aromaticity.
    pub(super) fn perceive(mol: &Molecule) -> RingView {
        let cycles = mol.relevant_cycles();
        let mut rings: Vec<Ring> = rdkit_order(mol, &cycles)
            .into_iter()
            .map(|c| cycles[c].clone())
            .map(|atoms| {
                let bonds = (0..atoms.len())
                    .map(|i| {
                        mol.bond_between(atoms[i], atoms[(i + 1) % atoms.len()])
                            .expect("ring atoms are bonded in ring order")
                    })
                    .collect();
                Ring {
                    atoms,
                    bonds,
                    aromatic: false,
                }
            })
            .collect();
        let aromatic_ring = mmff_aromatic_rings(mol, &rings);
        let mut aromatic_atom = vec![false; mol.num_atoms()];
        let mut aromatic_bond = vec![false; mol.bonds().len()];
        for (ring, _) in rings.iter().zip(&aromatic_ring).filter(|(_, &a)| a) {
            for &a in &ring.atoms {
                aromatic_atom[a] = true;
            }
            for &b in &ring.bonds {
                aromatic_bond[b] = true;
            }
        }
        for ring in &mut rings {
            ring.aromatic = ring.bonds.iter().all(|&b| aromatic_bond[b]);
        }
        let kinds = mol
            .bonds()
            .iter()
            .enumerate()
            .map(|(b, bond)| match bond.order {
                _ if aromatic_bond[b] => BondKind::Aromatic,
                BondOrder::Single => BondKind::Single,
                BondOrder::Double => BondKind::Double,
                BondOrder::Triple => BondKind::Triple,
            })
            .collect();
        RingView {
            rings,
            aromatic_atom,
            aromatic_bond,
            kinds,
        }
    }

    /// Per bond: whether it lies in an MMFF-aromatic ring.
    pub(super) fn aromatic_bonds(&self) -> &[bool] {
        &self.aromatic_bond
    }

    /// The atom is in a ring that MMFF perceives as aromatic.
    pub(super) fn is_aromatic(&self, atom: usize) -> bool {
        self.aromatic_atom[atom]
    }

    pub(super) fn kind(&self, bond: usize) -> BondKind {
        self.kinds[bond]
    }

    /// The atom is in some ring of this size (aromatic or not).
    pub(super) fn in_ring_of_size(&self, atom: usize, size: usize) -> bool {
        self.rings
            .iter()
            .any(|r| r.atoms.len() == size && r.atoms.contains(&atom))
    }

    /// The atom is in an aromatic ring of this size.
    pub(super) fn in_aromatic_ring_of_size(&self, atom: usize, size: usize) -> bool {
        self.rings
            .iter()
            .any(|r| r.aromatic && r.atoms.len() == size && r.atoms.contains(&atom))
    }

    /// Both atoms lie in one ring of this size (aromatic or not).
    pub(super) fn share_ring_of_size(&self, a: usize, b: usize, size: usize) -> bool {
        self.rings
            .iter()
            .any(|r| r.atoms.len() == size && r.atoms.contains(&a) && r.atoms.contains(&b))
    }

    /// Number of rings the atom belongs to.
    pub(super) fn ring_count(&self, atom: usize) -> usize {
        self.rings
            .iter()
            .filter(|r| r.atoms.contains(&atom))
            .count()
    }
}

/// Runs MMFF's aromaticity sweeps over the rings in the order given;
/// returns which rings passed the test.
///
/// Each ring is examined against what the rings before it found, unless an
/// exocyclic double bond leads into a ring atom no examined ring contains
/// yet; then it waits for the next sweep. Sweeping stops when every ring
/// atom has been examined or a sweep examines nothing new.
fn mmff_aromatic_rings(mol: &Molecule, rings: &[Ring]) -> Vec<bool> {
    let sp2 = Sp2::new(mol);
    let can_be_aromatic: Vec<bool> = rings
        .iter()
        .map(|ring| {
            ring.atoms.iter().all(|&a| {
                let z = mol.atom(a).element;
                (z != Element::C && z != Element::N) || sp2.is_sp2(mol, a)
            })
        })
        .collect();
    let mut examined = vec![false; mol.num_atoms()];
    let mut aromatic_atom = vec![false; mol.num_atoms()];
    let mut aromatic_ring = vec![false; rings.len()];
    let all: usize = rings.iter().map(|r| r.atoms.len()).sum();
    let mut before = 0;
    while !rings.is_empty() {
        for (r, ring) in rings.iter().enumerate() {
            let Some(pi) = pi_electrons(mol, ring, &examined, &aromatic_atom) else {
                continue;
            };
            for &a in &ring.atoms {
                examined[a] = true;
            }
            if can_be_aromatic[r] && pi > 2 && (pi - 2) % 4 == 0 {
                aromatic_ring[r] = true;
                for &a in &ring.atoms {
                    aromatic_atom[a] = true;
                }
            }
        }
        let now = rings
            .iter()
            .flat_map(|r| &r.atoms)
            .filter(|&&a| examined[a])
            .count();
        if now == all || now <= before {
            break;
        }
        before = now;
    }
    aromatic_ring
}

/// The ring's π-electron count, or `None` when it must wait for a ring not
/// yet examined.
fn pi_electrons(
    mol: &Molecule,
    ring: &Ring,
    examined: &[bool],
    aromatic_atom: &[bool],
) -> Option<u32> {
    let mut pi = 0;
    let mut lone_pair_donor = false;
    let mut exo_double_to_non_aromatic = false;
    for (i, &a) in ring.atoms.iter().enumerate() {
        let element = mol.atom(a).element;
        if element == Element::N
            || element == Element::O
            || (element == Element::S && mol.degree(a) == 2)
        {
            lone_pair_donor = true;
        }
        if mol.bonds()[ring.bonds[i]].order == BondOrder::Double {
            pi += 2;
            continue;
        }
        let four_valent_n = element == Element::N && mol.valence(a) == 4;
        if element != Element::C && !four_valent_n {
            continue;
        }
        for (b, other) in mol.bonds_of(a) {
            let order = mol.bonds()[b].order;
            if ring.atoms.contains(&other) || order == BondOrder::Single {
                continue;
            }
            if mol.rings().is_ring_atom(other) && !examined[other] {
                return None;
            }
            if order == BondOrder::Double {
                if aromatic_atom[other] {
                    pi += 1;
                } else {
                    exo_double_to_non_aromatic = true;
                }
            }
        }
    }
    if lone_pair_donor && !exo_double_to_non_aromatic && ring.atoms.len() % 2 == 1 {
        pi += 2;
    }
    Some(pi)
}

/// Hybridisation of ring carbons and nitrogens as the aromaticity test
/// needs it: sp2 when σ bonds plus lone pairs number three, or four with a
/// conjugated bond at an atom of at most three neighbours (the lone pair of
/// pyrrole N or of a carbanion joins the π system).
struct Sp2 {
    conjugated: Vec<bool>,
}

impl Sp2 {
    fn new(mol: &Molecule) -> Sp2 {
        Sp2 {
            conjugated: conjugated_bonds(mol),
        }
    }

    fn is_sp2(&self, mol: &Molecule, atom: usize) -> bool {
        let degree = mol.degree(atom) as i32;
        let free = outer_electrons(mol.atom(atom).element) as i32
            - mol.valence(atom) as i32
            - mol.atom(atom).charge as i32;
        match degree + free / 2 {
            3 => true,
            4 => degree <= 3 && mol.bonds_of(atom).any(|(b, _)| self.conjugated[b]),
            _ => false,
        }
    }
}

/// Valence electrons of the elements MMFF types (0 for the rest).
fn outer_electrons(element: Element) -> u8 {
    match element.atomic_number() {
        1 => 1,
        z @ 3..=10 => z - 2,
        z @ 11..=18 => z - 10,
        z @ 31..=36 => z - 28,
        z @ 49..=54 => z - 46,
        _ => 0,
    }
}

/// Usual (lowest) valence; 0 where there is none to speak of (metals).
fn default_valence(element: Element) -> u8 {
    match outer_electrons(element) {
        e @ 1..=4 if element.atomic_number() > 4 => e.min(8 - e),
        e @ 5..=7 => 8 - e,
        _ => 0,
    }
}

/// Conjugated bonds of the Kekulé structure: a multiple bond between two
/// atoms that can take part in π bonding, together with the bonds from either
/// of its ends (with two or three neighbours) to other such atoms.
fn conjugated_bonds(mol: &Molecule) -> Vec<bool> {
    let candidate: Vec<bool> = (0..mol.num_atoms())
        .map(|a| can_conjugate(mol, a))
        .collect();
    let mut conjugated = vec![false; mol.bonds().len()];
    for x in 0..mol.num_atoms() {
        if !candidate[x] || !(2..=3).contains(&mol.degree(x)) {
            continue;
        }
        for (b1, y1) in mol.bonds_of(x) {
            if mol.bonds()[b1].order == BondOrder::Single || !candidate[y1] {
                continue;
            }
            for (b2, y2) in mol.bonds_of(x) {
                if b2 != b1 && candidate[y2] {
                    conjugated[b1] = true;
                    conjugated[b2] = true;
                }
            }
        }
    }
    conjugated
}

/// Whether the atom can be part of a conjugated system: not hypervalent,
/// at most three neighbours and electrons to offer to a π system. Heavier
/// atoms of groups 15 and 16 (P, S) only conjugate as terminal S.
fn can_conjugate(mol: &Molecule, atom: usize) -> bool {
    let element = mol.atom(atom).element;
    let charge = mol.atom(atom).charge as i32;
    let dv = default_valence(element) as i32;
    let valence = mol.valence(atom) as i32;
    let degree = mol.degree(atom) as i32;
    let outer = outer_electrons(element) as i32;
    if dv <= 1 || degree > 3 || (charge == 0 && valence > dv) {
        return false;
    }
    let light_or_allowed =
        element.atomic_number() <= 10 || (outer != 5 && outer != 6) || (outer == 6 && degree < 2);
    let lone_pair_electrons = (outer - dv - charge).max(0);
    let mut available = (dv - degree) + lone_pair_electrons;
    if available > 1 && valence - degree > 1 {
        available = 1;
    }
    light_or_allowed && available > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mol::{Atom, Bond};
    use nalgebra::Point3;

    /// A hydrocarbon: carbons with the given bonds (order 2 where marked),
    /// hydrogens added up to valence four.
    fn skeleton(n: usize, bonds: &[(usize, usize, u8)]) -> Molecule {
        let mut atoms = vec![Atom::new(Element::C); n];
        let mut list: Vec<Bond> = bonds
            .iter()
            .map(|&(a, b, o)| Bond {
                atoms: [a, b],
                order: if o == 2 {
                    BondOrder::Double
                } else {
                    BondOrder::Single
                },
                stereo: 0,
            })
            .collect();
        for c in 0..n {
            let valence: u8 = bonds
                .iter()
                .filter(|&&(a, b, _)| a == c || b == c)
                .map(|&(_, _, o)| o)
                .sum();
            for _ in valence..4 {
                atoms.push(Atom::new(Element::H));
                list.push(Bond {
                    atoms: [c, atoms.len() - 1],
                    order: BondOrder::Single,
                    stereo: 0,
                });
            }
        }
        let coords = (0..atoms.len())
            .map(|i| Point3::new(i as f64, 0.0, 0.0))
            .collect();
        Molecule::new("test", atoms, list, coords).unwrap()
    }

    fn sizes(mol: &Molecule) -> Vec<usize> {
        mol.relevant_cycles().iter().map(Vec::len).collect()
    }

    #[test]
    fn cubane_has_six_relevant_four_rings() {
        let mol = skeleton(
            8,
            &[
                (0, 1, 1),
                (1, 2, 1),
                (2, 3, 1),
                (3, 0, 1),
                (4, 5, 1),
                (5, 6, 1),
                (6, 7, 1),
                (7, 4, 1),
                (0, 4, 1),
                (1, 5, 1),
                (2, 6, 1),
                (3, 7, 1),
            ],
        );
        assert_eq!(mol.rings().cycles().len(), 5);
        assert_eq!(sizes(&mol), vec![4; 6]);
    }

    #[test]
    fn bicyclopentane_has_three_relevant_rings_norbornane_two() {
        let bcp = skeleton(
            5,
            &[
                (0, 1, 1),
                (1, 2, 1),
                (0, 3, 1),
                (3, 2, 1),
                (0, 4, 1),
                (4, 2, 1),
            ],
        );
        assert_eq!(sizes(&bcp), vec![4, 4, 4]);
        let norbornane = skeleton(
            7,
            &[
                (0, 1, 1),
                (1, 2, 1),
                (2, 3, 1),
                (3, 4, 1),
                (4, 5, 1),
                (5, 0, 1),
                (0, 6, 1),
                (6, 3, 1),
            ],
        );
        assert_eq!(sizes(&norbornane), vec![5, 5]);
    }

    #[test]
    fn naphthalene_rings_both_aromatic_whatever_the_kekule_form() {
        // Kekulé form with both double bonds of the right ring pointing into
        // the left one: the right ring becomes aromatic in a second pass.
        let mol = skeleton(
            10,
            &[
                (0, 1, 2),
                (1, 2, 1),
                (2, 3, 2),
                (3, 4, 1),
                (4, 5, 2),
                (5, 0, 1),
                (4, 6, 1),
                (6, 7, 2),
                (7, 8, 1),
                (8, 9, 2),
                (9, 5, 1),
            ],
        );
        let view = RingView::perceive(&mol);
        assert!(view.aromatic_bonds()[..11].iter().all(|&a| a));
        assert!(!view.aromatic_bonds()[11..].iter().any(|&a| a));
        assert!(view.in_aromatic_ring_of_size(6, 6));
    }

    #[test]
    fn exocyclic_double_bond_to_non_ring_atom_blocks_aromaticity() {
        // Fulvene: a five-ring of carbons with an exocyclic C=C.
        let mol = skeleton(
            6,
            &[
                (0, 1, 2),
                (1, 2, 1),
                (2, 3, 2),
                (3, 4, 1),
                (4, 0, 1),
                (4, 5, 2),
            ],
        );
        let view = RingView::perceive(&mol);
        assert!(!view.aromatic_bonds().iter().any(|&a| a));
    }
}
