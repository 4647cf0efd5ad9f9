//! The molecule: atoms, bonds, 3D coordinates and the graph derived from
//! them (rings, fragments, symmetry classes, stereochemistry).
//!
//! A [`Molecule`] is always a Kekulé structure with explicit hydrogens and
//! 3D coordinates: the readers build it through [`Molecule::new`] and
//! [`Molecule::check_complete`], so later stages never see aromatic bond
//! orders, implicit hydrogens or flat input.

mod cycles;
mod element;
pub mod hydrogens;
pub(crate) mod kekule;
mod rings;
pub mod sketch;
pub mod stereo;
mod symmetry;

pub use element::Element;
pub use kekule::{kekulize, KekuleError};
pub use rings::Rings;

use nalgebra::Point3;
use petgraph::graph::{NodeIndex, UnGraph};
use std::fmt;

/// MDL radical state (the `M  RAD` values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Radical {
    #[default]
    None,
    Singlet,
    Doublet,
    Triplet,
}

impl Radical {
    /// The MDL code (0–3).
    pub fn code(self) -> u8 {
        match self {
            Radical::None => 0,
            Radical::Singlet => 1,
            Radical::Doublet => 2,
            Radical::Triplet => 3,
        }
    }

    pub fn from_code(code: u8) -> Option<Radical> {
        Some(match code {
            0 => Radical::None,
            1 => Radical::Singlet,
            2 => Radical::Doublet,
            3 => Radical::Triplet,
            _ => return None,
        })
    }

    /// Valence taken by non-bonding electrons: a doublet uses one bond
    /// position, singlet and triplet carbenes two.
    fn valence_used(self) -> u8 {
        match self {
            Radical::None => 0,
            Radical::Doublet => 1,
            Radical::Singlet | Radical::Triplet => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atom {
    pub element: Element,
    pub charge: i8,
    /// Mass number when the record specifies an isotope.
    pub isotope: Option<u16>,
    pub radical: Radical,
}

impl Atom {
    pub fn new(element: Element) -> Atom {
        Atom {
            element,
            charge: 0,
            isotope: None,
            radical: Radical::None,
        }
    }
}

/// Bond order of a Kekulé structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BondOrder {
    Single = 1,
    Double = 2,
    Triple = 3,
}

impl BondOrder {
    pub fn valence(self) -> u8 {
        self as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bond {
    /// 0-based atom indices, in the order the record lists them.
    pub atoms: [usize; 2],
    pub order: BondOrder,
    /// The MDL bond stereo field (wedges, "either"), kept for output.
    pub stereo: u8,
}

impl Bond {
    /// The atom at the other end from `atom`.
    pub fn other(&self, atom: usize) -> usize {
        if self.atoms[0] == atom {
            self.atoms[1]
        } else {
            self.atoms[0]
        }
    }
}

/// Why a set of atoms and bonds is not a molecule. Numbers are 1-based, as
/// in the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StructureError {
    #[error("bond {bond} refers to atom {atom}, but there are only {num_atoms} atoms")]
    BondAtomOutOfRange {
        bond: usize,
        atom: usize,
        num_atoms: usize,
    },
    #[error("bond {bond} joins atom {atom} to itself")]
    SelfBond { bond: usize, atom: usize },
    #[error("bond {bond} repeats bond {first} between atoms {a} and {b}")]
    DuplicateBond {
        bond: usize,
        first: usize,
        a: usize,
        b: usize,
    },
    #[error("{coords} coordinates for {atoms} atoms")]
    CoordinateCount { coords: usize, atoms: usize },
    #[error("the record has no atoms")]
    NoAtoms,
}

/// Why a well-formed molecule cannot be used as input: it is not a complete
/// 3D structure with explicit hydrogens. Atom numbers are 1-based, as in the
/// file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompletenessError {
    #[error(
        "missing hydrogens on atom {atom} ({element}): it has valence {valence} with charge \
         {charge:+}, {element} needs {expected}; add explicit hydrogens (e.g. `obabel -h` or \
         RDKit's AddHs with coordinates)"
    )]
    MissingHydrogens {
        atom: usize,
        element: Element,
        charge: i8,
        valence: u8,
        expected: u8,
    },
    #[error(
        "atom {atom} ({element}) has valence {valence} with charge {charge:+}, more than \
         {element} allows ({allowed}); check bond orders and formal charges"
    )]
    Overvalent {
        atom: usize,
        element: Element,
        charge: i8,
        valence: u8,
        allowed: u8,
    },
    #[error("coordinates are 2D (every z is 0); 3D coordinates are required")]
    Flat,
}

/// A molecule with Kekulé bonds, explicit hydrogens and 3D coordinates.
#[derive(Clone, Debug)]
pub struct Molecule {
    name: String,
    comment: String,
    atoms: Vec<Atom>,
    bonds: Vec<Bond>,
    coords: Vec<Point3<f64>>,
    data: Vec<(String, String)>,
    /// Node index = atom index, edge weight = bond index.
    graph: UnGraph<(), usize>,
    rings: Rings,
}

impl PartialEq for Molecule {
    /// Equality of everything a file carries; derived data follows from it.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.comment == other.comment
            && self.atoms == other.atoms
            && self.bonds == other.bonds
            && self.coords == other.coords
            && self.data == other.data
    }
}

impl Molecule {
    /// Builds a molecule, checking that bonds join distinct existing atoms
    /// and appear once.
    pub fn new(
        name: impl Into<String>,
        atoms: Vec<Atom>,
        bonds: Vec<Bond>,
        coords: Vec<Point3<f64>>,
    ) -> Result<Molecule, StructureError> {
        if atoms.is_empty() {
            return Err(StructureError::NoAtoms);
        }
        if coords.len() != atoms.len() {
            return Err(StructureError::CoordinateCount {
                coords: coords.len(),
                atoms: atoms.len(),
            });
        }
        let mut graph = UnGraph::with_capacity(atoms.len(), bonds.len());
        for _ in &atoms {
            graph.add_node(());
        }
        for (index, bond) in bonds.iter().enumerate() {
            let [a, b] = bond.atoms;
            for atom in [a, b] {
                if atom >= atoms.len() {
                    return Err(StructureError::BondAtomOutOfRange {
                        bond: index + 1,
                        atom: atom + 1,
                        num_atoms: atoms.len(),
                    });
                }
            }
            if a == b {
                return Err(StructureError::SelfBond {
                    bond: index + 1,
                    atom: a + 1,
                });
            }
            if let Some(edge) = graph.find_edge(NodeIndex::new(a), NodeIndex::new(b)) {
                return Err(StructureError::DuplicateBond {
                    bond: index + 1,
                    first: graph[edge] + 1,
                    a: a + 1,
                    b: b + 1,
                });
            }
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), index);
        }
        let rings = Rings::find(&graph, atoms.len(), bonds.len());
        Ok(Molecule {
            name: name.into(),
            comment: String::new(),
            atoms,
            bonds,
            coords,
            data: Vec::new(),
            graph,
            rings,
        })
    }

    /// Checks that the molecule is a complete 3D structure: every atom of an
    /// element with a valence rule has a valence it allows (so no hydrogen is
    /// implicit), and the coordinates are not flat. `header_says_3d` is the
    /// dimension code of the file header: a planar molecule (every z = 0)
    /// is accepted when the file declares its coordinates 3D.
    pub fn check_complete(&self, header_says_3d: bool) -> Result<(), (usize, CompletenessError)> {
        for (i, atom) in self.atoms.iter().enumerate() {
            let Some(allowed) = atom.element.allowed_valences(atom.charge as i32) else {
                continue;
            };
            let valence = self.valence(i) + atom.radical.valence_used();
            if allowed.contains(&valence) {
                continue;
            }
            let error = match allowed.iter().find(|&&v| v > valence) {
                Some(&expected) => CompletenessError::MissingHydrogens {
                    atom: i + 1,
                    element: atom.element,
                    charge: atom.charge,
                    valence,
                    expected,
                },
                None => CompletenessError::Overvalent {
                    atom: i + 1,
                    element: atom.element,
                    charge: atom.charge,
                    valence,
                    allowed: allowed.last().copied().unwrap_or(0),
                },
            };
            return Err((i, error));
        }
        if self.is_flat(header_says_3d) {
            return Err((0, CompletenessError::Flat));
        }
        Ok(())
    }

    /// Every z coordinate is 0 and the file does not declare the
    /// coordinates 3D: a 2D drawing.
    pub fn is_flat(&self, header_says_3d: bool) -> bool {
        !header_says_3d && self.atoms.len() > 1 && self.coords.iter().all(|p| p.z == 0.0)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The third header line of the record (free text).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    pub fn set_comment(&mut self, comment: impl Into<String>) {
        self.comment = comment.into();
    }

    pub fn atoms(&self) -> &[Atom] {
        &self.atoms
    }

    pub fn atom(&self, i: usize) -> &Atom {
        &self.atoms[i]
    }

    pub fn num_atoms(&self) -> usize {
        self.atoms.len()
    }

    pub fn bonds(&self) -> &[Bond] {
        &self.bonds
    }

    pub fn coords(&self) -> &[Point3<f64>] {
        &self.coords
    }

    /// Replaces the coordinates (same number of atoms).
    pub fn set_coords(&mut self, coords: Vec<Point3<f64>>) -> Result<(), StructureError> {
        if coords.len() != self.atoms.len() {
            return Err(StructureError::CoordinateCount {
                coords: coords.len(),
                atoms: self.atoms.len(),
            });
        }
        self.coords = coords;
        Ok(())
    }

    /// SD data items (`> <TAG>`), in file order.
    pub fn data(&self) -> &[(String, String)] {
        &self.data
    }

    pub fn data_value(&self, tag: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, v)| v.as_str())
    }

    pub fn push_data(&mut self, tag: impl Into<String>, value: impl Into<String>) {
        self.data.push((tag.into(), value.into()));
    }

    /// Removes every data item named `tag`.
    pub fn remove_data(&mut self, tag: &str) {
        self.data.retain(|(t, _)| t != tag);
    }

    pub fn graph(&self) -> &UnGraph<(), usize> {
        &self.graph
    }

    /// Neighbouring atoms of `atom`.
    pub fn neighbors(&self, atom: usize) -> impl Iterator<Item = usize> + '_ {
        self.graph
            .neighbors(NodeIndex::new(atom))
            .map(|n| n.index())
    }

    /// Bonds at `atom`, as (bond index, other atom).
    pub fn bonds_of(&self, atom: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.graph.edges(NodeIndex::new(atom)).map(move |e| {
            let bond = *e.weight();
            (bond, self.bonds[bond].other(atom))
        })
    }

    pub fn degree(&self, atom: usize) -> usize {
        self.graph.neighbors(NodeIndex::new(atom)).count()
    }

    /// Index of the bond between `a` and `b`.
    pub fn bond_between(&self, a: usize, b: usize) -> Option<usize> {
        self.graph
            .find_edge(NodeIndex::new(a), NodeIndex::new(b))
            .map(|e| self.graph[e])
    }

    /// Sum of bond orders at `atom`.
    pub fn valence(&self, atom: usize) -> u8 {
        self.bonds_of(atom)
            .map(|(b, _)| self.bonds[b].order.valence())
            .sum()
    }

    pub fn num_heavy_atoms(&self) -> usize {
        self.atoms
            .iter()
            .filter(|a| a.element != Element::H)
            .count()
    }

    pub fn net_charge(&self) -> i32 {
        self.atoms.iter().map(|a| a.charge as i32).sum()
    }

    /// Average molecular weight (g/mol), isotopes counted at their mass number.
    pub fn molecular_weight(&self) -> f64 {
        self.atoms
            .iter()
            .map(|a| a.isotope.map_or(a.element.mass(), f64::from))
            .sum()
    }

    /// Hill formula with the net charge, e.g. `C9H8O4` or `C16H22NO2+`.
    pub fn formula(&self) -> String {
        let mut counts = std::collections::BTreeMap::new();
        for atom in &self.atoms {
            *counts.entry(atom.element.symbol()).or_insert(0usize) += 1;
        }
        let mut out = String::new();
        let mut push = |symbol: &str, n: usize| {
            out.push_str(symbol);
            if n > 1 {
                out.push_str(&n.to_string());
            }
        };
        if let Some(c) = counts.remove("C") {
            push("C", c);
            if let Some(h) = counts.remove("H") {
                push("H", h);
            }
        }
        for (symbol, n) in counts {
            push(symbol, n);
        }
        match self.net_charge() {
            0 => {}
            1 => out.push('+'),
            -1 => out.push('-'),
            q if q > 0 => out.push_str(&format!("{q}+")),
            q => out.push_str(&format!("{}-", -q)),
        }
        out
    }

    pub fn rings(&self) -> &Rings {
        &self.rings
    }

    /// Relevant cycles (the union of all minimum cycle bases), each as its
    /// atoms in ring order, smallest first. Computed on each call.
    pub fn relevant_cycles(&self) -> Vec<Vec<usize>> {
        cycles::relevant_cycles(self)
    }

    /// Connected components, each a sorted list of atom indices, ordered by
    /// their lowest atom.
    pub fn fragments(&self) -> Vec<Vec<usize>> {
        let mut fragment_of = vec![usize::MAX; self.num_atoms()];
        let mut fragments: Vec<Vec<usize>> = Vec::new();
        for start in 0..self.num_atoms() {
            if fragment_of[start] != usize::MAX {
                continue;
            }
            let id = fragments.len();
            let mut members = vec![start];
            fragment_of[start] = id;
            let mut i = 0;
            while i < members.len() {
                let a = members[i];
                i += 1;
                for n in self.neighbors(a) {
                    if fragment_of[n] == usize::MAX {
                        fragment_of[n] = id;
                        members.push(n);
                    }
                }
            }
            members.sort_unstable();
            fragments.push(members);
        }
        fragments
    }

    /// Graph-symmetry classes: atoms with equal class are indistinguishable
    /// by element, charge, isotope, connectivity and bond orders.
    pub fn symmetry_classes(&self) -> Vec<u32> {
        symmetry::classes(self)
    }

    /// Whether a graph automorphism maps atom `a` onto atom `b` (exact;
    /// `classes` from [`Molecule::symmetry_classes`] prune the search).
    pub fn symmetric(&self, classes: &[u32], a: usize, b: usize) -> bool {
        symmetry::automorphic(self, classes, a, b)
    }

    /// Atoms reached from `start` without crossing the bond `start`–`blocked`
    /// (sorted). When that bond lies in a ring, this is the whole component.
    pub fn side_of(&self, start: usize, blocked: usize) -> Vec<usize> {
        let mut seen = vec![false; self.num_atoms()];
        seen[start] = true;
        let mut side = vec![start];
        let mut i = 0;
        while i < side.len() {
            let a = side[i];
            i += 1;
            for n in self.neighbors(a) {
                let crosses_bond = a == start && n == blocked;
                if !seen[n] && !crosses_bond {
                    seen[n] = true;
                    side.push(n);
                }
            }
        }
        side.sort_unstable();
        side
    }
}

impl fmt::Display for Molecule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.formula())
    }
}
