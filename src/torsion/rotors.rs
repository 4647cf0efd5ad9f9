//! Which bonds are rotors (the torsions the sampler moves), their dihedral
//! quadruples and which side of each turns. The rule is SAMPLER.md §7.

use crate::mol::{BondOrder, Element, Molecule};

/// Choices that change which bonds count as rotors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotorOptions {
    /// Also rotate amide-like C(=O|S)–N bonds (amides, ureas, carbamates,
    /// thioamides), whose barriers are high enough that they are normally
    /// kept as in the input.
    pub rotate_amides: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotor {
    /// Index of the rotatable bond j–k.
    pub bond: usize,
    /// (i, j, k, l): j–k the bond in file order, i the neighbour of j
    /// (other than k) with the highest atomic number, lowest index on ties;
    /// l likewise for k.
    pub dihedral: [usize; 4],
    /// The end atom (j or k) whose side turns.
    pub moving_end: usize,
    /// Atoms that turn with the rotor, sorted; the smaller side of the bond
    /// (ties: the side holding the higher-indexed end atom).
    pub moving: Vec<usize>,
}

/// The rotors of a molecule, in bond order.
pub fn find_rotors(mol: &Molecule, options: RotorOptions) -> Vec<Rotor> {
    let classes = mol.symmetry_classes();
    (0..mol.bonds().len())
        .filter(|&b| is_rotor(mol, &classes, b, options))
        .map(|b| {
            let [j, k] = mol.bonds()[b].atoms;
            let i = reference_neighbor(mol, j, k);
            let l = reference_neighbor(mol, k, j);
            let side_j = mol.side_of(j, k);
            let side_k = mol.side_of(k, j);
            let (moving_end, moving) = match side_j.len().cmp(&side_k.len()) {
                std::cmp::Ordering::Less => (j, side_j),
                std::cmp::Ordering::Greater => (k, side_k),
                std::cmp::Ordering::Equal if j > k => (j, side_j),
                std::cmp::Ordering::Equal => (k, side_k),
            };
            Rotor {
                bond: b,
                dihedral: [i, j, k, l],
                moving_end,
                moving,
            }
        })
        .collect()
}

fn reference_neighbor(mol: &Molecule, atom: usize, partner: usize) -> usize {
    mol.neighbors(atom)
        .filter(|&n| n != partner)
        .max_by_key(|&n| (mol.atom(n).element.atomic_number(), std::cmp::Reverse(n)))
        .unwrap_or(partner)
}

fn is_rotor(mol: &Molecule, classes: &[u32], bond: usize, options: RotorOptions) -> bool {
    let b = &mol.bonds()[bond];
    if b.order != BondOrder::Single || mol.rings().is_ring_bond(bond) {
        return false;
    }
    let [j, k] = b.atoms;
    if mol.degree(j) < 2 || mol.degree(k) < 2 {
        return false;
    }
    if is_linear(mol, j) || is_linear(mol, k) {
        return false;
    }
    if is_symmetric_top(mol, classes, j, k) || is_symmetric_top(mol, classes, k, j) {
        return false;
    }
    if !options.rotate_amides && (is_amide_like(mol, j, k) || is_amide_like(mol, k, j)) {
        return false;
    }
    true
}

fn multiple_bonds(mol: &Molecule, atom: usize, order: BondOrder) -> usize {
    mol.bonds_of(atom)
        .filter(|&(b, _)| mol.bonds()[b].order == order)
        .count()
}

/// sp atoms: a triple bond, or two double bonds on a two-neighbour atom
/// (allene and cumulene centres). Sulfonyl S has four neighbours.
fn is_linear(mol: &Molecule, atom: usize) -> bool {
    multiple_bonds(mol, atom, BondOrder::Triple) > 0
        || (mol.degree(atom) == 2 && multiple_bonds(mol, atom, BondOrder::Double) == 2)
}

/// An end atom whose three other neighbours are equivalent (CH3, NH3+,
/// CF3, C(CH3)3): turning it only permutes identical groups.
fn is_symmetric_top(mol: &Molecule, classes: &[u32], end: usize, partner: usize) -> bool {
    let others: Vec<usize> = mol.neighbors(end).filter(|&n| n != partner).collect();
    others.len() == 3
        && others.iter().all(|&n| classes[n] == classes[others[0]])
        && mol.symmetric(classes, others[0], others[1])
        && mol.symmetric(classes, others[0], others[2])
}

/// C–N where the carbon carries =O or =S.
pub fn is_amide_like(mol: &Molecule, carbon: usize, nitrogen: usize) -> bool {
    mol.atom(carbon).element == Element::C
        && mol.atom(nitrogen).element == Element::N
        && mol.bonds_of(carbon).any(|(b, n)| {
            mol.bonds()[b].order == BondOrder::Double
                && matches!(mol.atom(n).element, Element::O | Element::S)
        })
}
