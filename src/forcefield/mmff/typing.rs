//! MMFF94 atom typing: MMFF aromaticity, symbolic and numeric types of heavy
//! atoms and hydrogens.

use crate::mol::Element;

/// Numeric MMFF types of every atom, and which bonds lie in MMFF-aromatic
/// rings (the bond-type rule needs them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtomTypes {
    /// Numeric MMFF type (1–99) per atom.
    pub types: Vec<u8>,
    /// Per bond: whether it lies in a ring MMFF perceives as aromatic.
    pub aromatic_bonds: Vec<bool>,
}

/// An atom MMFF94 has no type for. Numbers are 1-based, as in the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("MMFF94 cannot type atom {} ({element}{}): {reason}", .atom + 1, neighbours(.neighbors))]
pub struct UntypableAtom {
    /// 0-based atom index.
    pub atom: usize,
    pub element: Element,
    /// 0-based indices and elements of its neighbours.
    pub neighbors: Vec<(usize, Element)>,
    pub reason: String,
}

fn neighbours(list: &[(usize, Element)]) -> String {
    if list.is_empty() {
        return ", no neighbours".into();
    }
    let names: Vec<String> = list.iter().map(|(i, e)| format!("{e}{}", i + 1)).collect();
    format!(", bonded to {}", names.join(" "))
}
