//! MMFF94 atom typing: MMFF aromaticity, symbolic and numeric types of heavy
//! atoms and hydrogens.
//!
//! The rules are those of Halgren's MMFF94 (MMFF.I Table III, MMFFSYMB.PAR)
//! in the procedural form RDKit implements them, RDKit being the reference
//! the validation suite checks against. Each heavy atom is typed from its
//! element, neighbour count, Kekulé bond orders, formal charge and its
//! neighbourhood up to three bonds away; aromatic atoms first, by their
//! position in MMFF-aromatic five- and six-membered rings. Hydrogens take
//! their type from the atom they are bonded to.
//!
//! Where the reference leaves a choice to the order in which it happens to
//! visit neighbours (a carbon with aromatic bonds to both C and N, an amine N
//! with several carbon neighbours), the rule here asks whether *any*
//! neighbour qualifies, so that the types do not depend on atom order.
//!
//! Chemistry MMFF94 was not parameterised for is refused with an
//! [`UntypableAtom`] naming the atom: radicals, elements without MMFF types,
//! atoms whose valence is no closed-shell state of their element, metals
//! other than the free ions MMFF knows, and coordinations such as
//! five-coordinate phosphorus or hypervalent iodine.

pub use super::aromaticity::BondKind;
use super::aromaticity::RingView;
use crate::mol::{Element, Molecule, Radical};

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

/// Numeric MMFF94 types, named after their main symbolic type
/// (MMFFSYMB.PAR / MMFFDEF.PAR).
mod t {
    pub const CR: u8 = 1;
    pub const C_EQ_C: u8 = 2;
    pub const C_EQ_O: u8 = 3;
    pub const CSP: u8 = 4;
    pub const HC: u8 = 5;
    pub const OR: u8 = 6;
    pub const O_EQ_C: u8 = 7;
    pub const NR: u8 = 8;
    pub const N_EQ_C: u8 = 9;
    pub const NC_EQ_O: u8 = 10;
    pub const F: u8 = 11;
    pub const CL: u8 = 12;
    pub const BR: u8 = 13;
    pub const I: u8 = 14;
    pub const S: u8 = 15;
    pub const S_EQ_C: u8 = 16;
    pub const S_EQ_O: u8 = 17;
    pub const SO2: u8 = 18;
    pub const SI: u8 = 19;
    pub const CR4R: u8 = 20;
    pub const HOR: u8 = 21;
    pub const CR3R: u8 = 22;
    pub const HNR: u8 = 23;
    pub const HOCO: u8 = 24;
    pub const PO4: u8 = 25;
    pub const P: u8 = 26;
    pub const HN_EQ_C: u8 = 27;
    pub const HNCO: u8 = 28;
    pub const HOCC: u8 = 29;
    pub const CE4R: u8 = 30;
    pub const HOH: u8 = 31;
    pub const O2CM: u8 = 32;
    pub const HOS: u8 = 33;
    pub const NR_PLUS: u8 = 34;
    pub const OM: u8 = 35;
    pub const HNR_PLUS: u8 = 36;
    pub const CB: u8 = 37;
    pub const NPYD: u8 = 38;
    pub const NPYL: u8 = 39;
    pub const NC_EQ_C: u8 = 40;
    pub const CO2M: u8 = 41;
    pub const NSP: u8 = 42;
    pub const NSO2: u8 = 43;
    pub const STHI: u8 = 44;
    pub const NO2: u8 = 45;
    pub const N_EQ_O: u8 = 46;
    pub const NAZT: u8 = 47;
    pub const NSO: u8 = 48;
    pub const O_PLUS: u8 = 49;
    pub const HO_PLUS: u8 = 50;
    pub const O_EQ_PLUS: u8 = 51;
    pub const HO_EQ_PLUS: u8 = 52;
    pub const EQ_N_EQ: u8 = 53;
    pub const N_PLUS_EQ_C: u8 = 54;
    pub const NCN_PLUS: u8 = 55;
    pub const NGD_PLUS: u8 = 56;
    pub const CGD_PLUS: u8 = 57;
    pub const NPD_PLUS: u8 = 58;
    pub const OFUR: u8 = 59;
    pub const C_ISONITRILE: u8 = 60;
    pub const NR_ISONITRILE: u8 = 61;
    pub const NM: u8 = 62;
    pub const C5A: u8 = 63;
    pub const C5B: u8 = 64;
    pub const N5A: u8 = 65;
    pub const N5B: u8 = 66;
    pub const N2OX: u8 = 67;
    pub const N3OX: u8 = 68;
    pub const NPOX: u8 = 69;
    pub const OH2: u8 = 70;
    pub const HS: u8 = 71;
    pub const S2CM: u8 = 72;
    pub const SO2M: u8 = 73;
    pub const EQ_S_EQ_O: u8 = 74;
    pub const P_EQ_C: u8 = 75;
    pub const N5M: u8 = 76;
    pub const CLO4: u8 = 77;
    pub const C5: u8 = 78;
    pub const N5: u8 = 79;
    pub const CIM_PLUS: u8 = 80;
    pub const NIM_PLUS: u8 = 81;
    pub const N5OX: u8 = 82;
    pub const FE2: u8 = 87;
    pub const FE3: u8 = 88;
    pub const F_MINUS: u8 = 89;
    pub const CL_MINUS: u8 = 90;
    pub const BR_MINUS: u8 = 91;
    pub const LI_PLUS: u8 = 92;
    pub const NA_PLUS: u8 = 93;
    pub const K_PLUS: u8 = 94;
    pub const ZN2: u8 = 95;
    pub const CA2: u8 = 96;
    pub const CU1: u8 = 97;
    pub const CU2: u8 = 98;
    pub const MG2: u8 = 99;
}

// Atomic numbers used by the rules.
const H: u8 = 1;
const C: u8 = 6;
const N: u8 = 7;
const O: u8 = 8;
const P: u8 = 15;
const S: u8 = 16;
const SI: u8 = 14;

/// Why an atom has no type (becomes [`UntypableAtom::reason`]).
type Untypable = String;

/// Assigns MMFF94 numeric types to every atom of a Kekulé molecule with
/// explicit hydrogens, and marks the bonds of MMFF-aromatic rings.
///
/// The result does not depend on the order of atoms or bonds. On failure
/// the first problem found is reported: atoms MMFF94 cannot describe at all
/// (radicals, elements without types, open-shell valences) in atom order,
/// then heavy atoms without a type, then hydrogens.
pub fn assign_atom_types(mol: &Molecule) -> Result<AtomTypes, UntypableAtom> {
    let fail = |atom: usize, reason: Untypable| {
        let mut neighbors: Vec<(usize, Element)> = mol
            .neighbors(atom)
            .map(|n| (n, mol.atom(n).element))
            .collect();
        neighbors.sort_unstable();
        UntypableAtom {
            atom,
            element: mol.atom(atom).element,
            neighbors,
            reason,
        }
    };
    for atom in 0..mol.num_atoms() {
        check_supported(mol, atom).map_err(|r| fail(atom, r))?;
    }
    let rings = RingView::perceive(mol);
    let typer = Typer { mol, rings: &rings };
    let mut types = vec![0u8; mol.num_atoms()];
    for atom in (0..mol.num_atoms()).filter(|&a| typer.z(a) != H) {
        types[atom] = typer.heavy_atom_type(atom).map_err(|r| fail(atom, r))?;
    }
    for atom in (0..mol.num_atoms()).filter(|&a| typer.z(a) == H) {
        types[atom] = typer
            .hydrogen_type(atom, &types)
            .map_err(|r| fail(atom, r))?;
    }
    Ok(AtomTypes {
        types,
        aromatic_bonds: rings.aromatic_bonds().to_vec(),
    })
}

/// Rejects what no MMFF94 type describes, before any typing: unpaired
/// electrons, elements without types, and valences that are no closed-shell
/// state of the element with its formal charge (an implicit radical or a
/// missing hydrogen).
fn check_supported(mol: &Molecule, atom: usize) -> Result<(), Untypable> {
    let a = mol.atom(atom);
    if a.radical != Radical::None {
        return Err(
            "it carries unpaired electrons (radical); MMFF94 describes closed-shell \
             molecules only"
                .into(),
        );
    }
    let z = a.element.atomic_number();
    if !matches!(
        z,
        1 | 3 | 6 | 7 | 8 | 9 | 11 | 12 | 14 | 15 | 16 | 17 | 19 | 20 | 26 | 29 | 30 | 35 | 53
    ) {
        return Err(format!(
            "MMFF94 has no atom types for {} (it covers H, C, N, O, F, Si, P, S, Cl, Br, I \
             and the ions Li+, Na+, K+, Mg2+, Ca2+, Fe2+, Fe3+, Cu+, Cu2+, Zn2+)",
            element_name(a.element)
        ));
    }
    if let Some(allowed) = a.element.allowed_valences(a.charge as i32) {
        let valence = mol.valence(atom);
        if !allowed.contains(&valence) {
            return Err(format!(
                "its bonds add up to valence {valence} at formal charge {:+}, which {} cannot \
                 have with all electrons paired (allowed: {}); MMFF94 needs closed-shell \
                 atoms: add the missing hydrogens, or draw the group with formal charges",
                a.charge,
                element_name(a.element),
                allowed
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// "1 neighbour", "3 neighbours".
fn count_neighbours(n: usize) -> String {
    if n == 1 {
        "1 neighbour".into()
    } else {
        format!("{n} neighbours")
    }
}

fn element_name(e: Element) -> &'static str {
    match e.atomic_number() {
        1 => "hydrogen",
        3 => "lithium",
        5 => "boron",
        6 => "carbon",
        7 => "nitrogen",
        8 => "oxygen",
        9 => "fluorine",
        11 => "sodium",
        12 => "magnesium",
        14 => "silicon",
        15 => "phosphorus",
        16 => "sulfur",
        17 => "chlorine",
        19 => "potassium",
        20 => "calcium",
        26 => "iron",
        29 => "copper",
        30 => "zinc",
        33 => "arsenic",
        34 => "selenium",
        35 => "bromine",
        53 => "iodine",
        _ => e.symbol(),
    }
}

/// The molecule with its MMFF ring view, and the small structural queries
/// the rules are written in.
struct Typer<'a> {
    mol: &'a Molecule,
    rings: &'a RingView,
}

impl Typer<'_> {
    fn z(&self, atom: usize) -> u8 {
        self.mol.atom(atom).element.atomic_number()
    }

    fn degree(&self, atom: usize) -> usize {
        self.mol.degree(atom)
    }

    /// Sum of Kekulé bond orders (hydrogens are explicit).
    fn valence(&self, atom: usize) -> u8 {
        self.mol.valence(atom)
    }

    fn charge(&self, atom: usize) -> i8 {
        self.mol.atom(atom).charge
    }

    /// Neighbours in ascending order.
    fn neighbors(&self, atom: usize) -> Vec<usize> {
        let mut list: Vec<usize> = self.mol.neighbors(atom).collect();
        list.sort_unstable();
        list
    }

    /// The bond between two bonded atoms, aromatic bonds as such.
    fn kind(&self, a: usize, b: usize) -> BondKind {
        let bond = self.mol.bond_between(a, b).expect("atoms are bonded");
        self.rings.kind(bond)
    }

    fn is_double(&self, a: usize, b: usize) -> bool {
        self.kind(a, b) == BondKind::Double
    }

    fn aromatic(&self, atom: usize) -> bool {
        self.rings.is_aromatic(atom)
    }

    /// An atom of element `z` with only one neighbour.
    fn is_terminal(&self, atom: usize, z: u8) -> bool {
        self.z(atom) == z && self.degree(atom) == 1
    }

    /// Terminal oxygens on the atom.
    fn terminal_oxygens(&self, atom: usize) -> usize {
        self.neighbors(atom)
            .into_iter()
            .filter(|&n| self.is_terminal(n, O))
            .count()
    }

    /// Nitrogen with three or more neighbours, one a terminal oxygen: the
    /// N of an N-oxide (and, by this test, of a nitro group).
    fn is_n_oxide(&self, atom: usize) -> bool {
        self.z(atom) == N && self.degree(atom) >= 3 && self.terminal_oxygens(atom) > 0
    }

    // ----------------------------------------------------------------
    // Heavy atoms
    // ----------------------------------------------------------------

    fn heavy_atom_type(&self, atom: usize) -> Result<u8, Untypable> {
        if self.aromatic(atom) {
            if let Some(t) = self.aromatic_type(atom) {
                return Ok(t);
            }
        }
        match self.z(atom) {
            C => self.carbon(atom),
            N => self.nitrogen(atom),
            O => self.oxygen(atom),
            S => self.sulfur(atom),
            P => self.phosphorus(atom),
            SI => Ok(t::SI),
            9 | 17 | 35 | 53 => self.halogen(atom),
            _ => self.metal_ion(atom),
        }
    }

    /// Types of atoms in MMFF-aromatic rings: five-membered ring types
    /// first, then six-membered; `None` sends the atom to the general rules
    /// (e.g. a ring-fusion carbon between two benzene rings).
    fn aromatic_type(&self, atom: usize) -> Option<u8> {
        if self.rings.in_aromatic_ring_of_size(atom, 5) {
            if let Some(t) = self.five_ring_type(atom) {
                return Some(t);
            }
        }
        if self.rings.in_aromatic_ring_of_size(atom, 6) {
            return match self.z(atom) {
                C => Some(t::CB),
                N if self.is_n_oxide(atom) => Some(t::NPOX),
                N if self.degree(atom) == 3 => Some(t::NPD_PLUS),
                N => Some(t::NPYD),
                _ => None,
            };
        }
        None
    }

    fn five_ring_type(&self, atom: usize) -> Option<u8> {
        match self.z(atom) {
            O => Some(t::OFUR),
            S => Some(t::STHI),
            C => self.five_ring_carbon(atom, &self.five_ring_heteroatoms(atom)),
            N => Some(self.five_ring_nitrogen(atom, &self.five_ring_heteroatoms(atom))),
            _ => None,
        }
    }

    /// The π-donor heteroatoms (O, S, three-connected non-oxide N) of the
    /// aromatic five-membered ring(s) of `atom`, split into those next to it
    /// (α) and those one atom further (β).
    fn five_ring_heteroatoms(&self, atom: usize) -> Heteroatoms {
        let in_ring5 = |x: usize| self.rings.in_aromatic_ring_of_size(x, 5);
        let donor = |x: usize| {
            self.rings.share_ring_of_size(atom, x, 5)
                && match self.z(x) {
                    O | S => true,
                    N => self.degree(x) == 3 && !self.is_n_oxide(x),
                    _ => false,
                }
        };
        let mut het = Heteroatoms::default();
        for alpha in self.neighbors(atom).into_iter().filter(|&x| in_ring5(x)) {
            if donor(alpha) {
                het.alpha.push(alpha);
            }
            for beta in self.neighbors(alpha) {
                if beta != atom && in_ring5(beta) && donor(beta) {
                    het.beta.push(beta);
                }
            }
        }
        het.alpha_o_or_s = het.alpha.iter().any(|&x| matches!(self.z(x), O | S));
        het.beta_o_or_s = het.beta.iter().any(|&x| matches!(self.z(x), O | S));
        het.alpha_beta_share_ring = het.alpha.iter().any(|&a| {
            het.beta
                .iter()
                .any(|&b| self.rings.share_ring_of_size(a, b, 5))
        });
        het
    }

    /// C5A / C5B / C5 by the positions of the ring heteroatoms, or CIM+ for
    /// the carbon between the nitrogens of an imidazolium ion.
    fn five_ring_carbon(&self, atom: usize, het: &Heteroatoms) -> Option<u8> {
        let (alpha, beta) = (!het.alpha.is_empty(), !het.beta.is_empty());
        if !beta && self.is_imidazolium_carbon(atom) {
            return Some(t::CIM_PLUS);
        }
        if het.alpha.len() == het.beta.len() {
            // No heteroatom at all: C5 in a ring of aromatic atoms unless it is
            // a fusion carbon of benzenoid rings. Both kinds: C5 when they
            // are in different rings or none of them is O or S.
            let plain = !alpha && self.five_ring_c_is_plain(atom);
            let mixed =
                alpha && (!het.alpha_beta_share_ring || (!het.alpha_o_or_s && !het.beta_o_or_s));
            if plain || mixed {
                return Some(t::C5);
            }
        }
        if alpha && (!beta || het.alpha_o_or_s) {
            return Some(t::C5A);
        }
        if beta && (!alpha || het.beta_o_or_s) {
            return Some(t::C5B);
        }
        None
    }

    /// A five-ring carbon without ring heteroatoms is C5 when its five-ring
    /// neighbours are all aromatic and not all of its neighbours are
    /// carbons of six-membered rings.
    fn five_ring_c_is_plain(&self, atom: usize) -> bool {
        let nbrs = self.neighbors(atom);
        let all_benzene_c = nbrs
            .iter()
            .all(|&n| self.z(n) == C && self.rings.in_ring_of_size(n, 6));
        let ring_nbrs_aromatic = nbrs
            .iter()
            .all(|&n| !self.rings.share_ring_of_size(atom, n, 5) || self.aromatic(n));
        !all_benzene_c && ring_nbrs_aromatic
    }

    /// Carbon between two three-connected nitrogens of an aromatic
    /// five-membered ring (or with a third exocyclic one), one of them
    /// positively charged, and none in a six-membered aromatic ring.
    fn is_imidazolium_carbon(&self, atom: usize) -> bool {
        let n3: Vec<usize> = self
            .neighbors(atom)
            .into_iter()
            .filter(|&n| self.z(n) == N && self.degree(n) == 3)
            .collect();
        let charged = n3
            .iter()
            .filter(|&&n| self.charge(n) > 0 && !self.is_n_oxide(n))
            .count();
        let in5 = n3
            .iter()
            .filter(|&&n| self.rings.in_aromatic_ring_of_size(n, 5))
            .count();
        let in6 = n3
            .iter()
            .filter(|&&n| self.rings.in_aromatic_ring_of_size(n, 6))
            .count();
        ((n3.len() == 2 && in5 > 0) || (n3.len() == 3 && in5 == 2)) && charged > 0 && in6 == 0
    }

    /// Nitrogen in an aromatic five-membered ring: N-oxide, pyrrole-type,
    /// anion, cation, or by the position of the other heteroatoms.
    fn five_ring_nitrogen(&self, atom: usize, het: &Heteroatoms) -> u8 {
        let (alpha, beta) = (!het.alpha.is_empty(), !het.beta.is_empty());
        if self.is_n_oxide(atom) {
            return t::N5OX;
        }
        if !alpha && !beta {
            return if self.degree(atom) == 3 {
                t::NPYL
            } else {
                t::N5M
            };
        }
        // Three-connected with donor heteroatoms on one side only (α or β):
        // a ring N of an azolium cation (NIM+, N5A+, N5B+ and N5+ share
        // type 81).
        if self.degree(atom) == 3 && het.alpha.len() != het.beta.len() {
            return t::NIM_PLUS;
        }
        if alpha && (!beta || het.alpha_o_or_s) {
            return t::N5A;
        }
        if beta && (!alpha || het.beta_o_or_s) {
            return t::N5B;
        }
        t::N5
    }

    /// Carbon outside aromatic rings (or an aromatic carbon no ring rule
    /// covered).
    fn carbon(&self, atom: usize) -> Result<u8, Untypable> {
        match self.degree(atom) {
            4 if self.rings.in_ring_of_size(atom, 3) => Ok(t::CR3R),
            4 if self.rings.in_ring_of_size(atom, 4) => Ok(t::CR4R),
            4 => Ok(t::CR),
            3 => Ok(self.trigonal_carbon(atom)),
            2 => Ok(t::CSP),
            1 => Ok(t::C_ISONITRILE),
            d => Err(format!("carbon with {}", count_neighbours(d))),
        }
    }

    /// Three-connected carbon: amidinium/guanidinium, carboxylate, olefin
    /// in a four-membered ring, C=X with a heteroatom, or plain sp2.
    fn trigonal_carbon(&self, atom: usize) -> u8 {
        let mut double_to = None;
        let (mut n2_double, mut n3, mut term_o, mut term_s) = (0, 0, 0, 0);
        for n in self.neighbors(atom) {
            if self.is_double(atom, n) {
                double_to = Some(self.z(n));
            }
            match (self.z(n), self.degree(n)) {
                (O, 1) => term_o += 1,
                (S, 1) => term_s += 1,
                (N, 3) => n3 += 1,
                (N, 2) if self.is_double(atom, n) => n2_double += 1,
                _ => {}
            }
        }
        if n3 >= 2 && n2_double == 0 && double_to == Some(N) {
            t::CGD_PLUS
        } else if term_o == 2 || term_s == 2 {
            t::CO2M
        } else if self.rings.in_ring_of_size(atom, 4) && double_to == Some(C) {
            t::CE4R
        } else if matches!(double_to, Some(N | O | P | S)) {
            t::C_EQ_O
        } else {
            t::C_EQ_C
        }
    }

    /// Nitrogen outside aromatic rings.
    fn nitrogen(&self, atom: usize) -> Result<u8, Untypable> {
        let degree = self.degree(atom);
        let valence = self.valence(atom);
        // A neighbouring S or P with two or more terminal oxygens makes a
        // sulfonamide-type N (NSO2, NSO3; NC%N joins below).
        let mut sulfonamide = valence >= 3
            && self
                .neighbors(atom)
                .into_iter()
                .any(|n| matches!(self.z(n), P | S) && self.terminal_oxygens(n) >= 2);
        match degree {
            0 => return Err("an isolated nitrogen atom (nitride) has no MMFF94 type".into()),
            4 if self.is_n_oxide(atom) => return Ok(t::N3OX),
            4 => return Ok(t::NR_PLUS),
            3 => {
                if valence >= 4 {
                    if let Some(t) = self.nitrogen_cation(atom) {
                        return Ok(t);
                    }
                }
                if valence >= 3 {
                    if let Some(t) = self.trivalent_nitrogen(atom, &mut sulfonamide) {
                        return Ok(t);
                    }
                }
            }
            2 => {
                if let Some(t) = self.divalent_nitrogen(atom, sulfonamide) {
                    return Ok(t);
                }
            }
            _ => {}
        }
        if sulfonamide {
            return Ok(t::NSO2);
        }
        if degree == 1 {
            if let Some(t) = self.terminal_nitrogen(atom) {
                return Ok(t);
            }
        }
        if degree > 4 {
            return Err(format!("nitrogen with {}", count_neighbours(degree)));
        }
        Ok(t::NR)
    }

    /// Three-connected N with four bonds: N-oxide, nitro/nitrate, or
    /// iminium (N+=C not part of an amidinium system, N+=N).
    fn nitrogen_cation(&self, atom: usize) -> Option<u8> {
        match self.terminal_oxygens(atom) {
            1 => return Some(t::N2OX),
            n if n >= 2 => return Some(t::NO2),
            _ => {}
        }
        let iminium = self.neighbors(atom).into_iter().any(|n| {
            self.is_double(atom, n)
                && match self.z(n) {
                    N => true,
                    C => self
                        .neighbors(n)
                        .into_iter()
                        .filter(|&m| m != atom)
                        .all(|m| !(self.z(m) == N && self.degree(m) == 3)),
                    _ => false,
                }
        });
        iminium.then_some(t::N_PLUS_EQ_C)
    }

    /// Three-connected N with three bonds (or a cation no rule above
    /// took): amidinium and guanidinium N, enamine/aniline N, amide N and
    /// N–N=X. Sets `sulfonamide` for N–C≡N (cyanamide, also NSO2).
    ///
    /// Each carbon neighbour is judged on its own and a rule applies when
    /// any of them qualifies. (RDKit carries some of these findings over from
    /// one carbon neighbour to the next, so that its answer can depend on
    /// the order of the bonds; e.g. an N between an amidine carbon and an
    /// sp3 carbon bearing three N is NGD+ in some orders there, NC=N here.)
    fn trivalent_nitrogen(&self, atom: usize, sulfonamide: &mut bool) -> Option<u8> {
        let nbrs = self.neighbors(atom);
        let carbons: Vec<CarbonNeighbour> = nbrs
            .iter()
            .filter(|&&n| self.z(n) == C)
            .map(|&c| self.carbon_neighbour(c))
            .collect();
        let next_to_benzene_c = carbons.iter().any(|c| c.benzene);
        let amide_like = carbons.iter().any(|c| c.double_to_o_or_s);
        let n_n_eq_x = !next_to_benzene_c
            && nbrs
                .iter()
                .any(|&n| self.z(n) == N && self.hydrazone_like(n));
        if !carbons.is_empty() {
            if carbons.iter().any(|c| c.triple_to.contains(&N)) {
                *sulfonamide = true;
            }
            let double_to_n = |c: &CarbonNeighbour| c.double_like_to.contains(&N);
            if carbons.iter().any(|c| {
                double_to_n(c)
                    && c.n3 == 2
                    && c.n2_double == 0
                    && c.charged_n3 > 0
                    && !c.in_aromatic_6
                    && c.degree < 4
            }) {
                return Some(t::NCN_PLUS);
            }
            if carbons.iter().any(|c| double_to_n(c) && c.n3 == 3) {
                return Some(t::NGD_PLUS);
            }
            let aniline = carbons.iter().any(|c| c.benzene && !c.aromatic_o_or_s);
            let conjugated = carbons.iter().any(|c| {
                c.double_like_to.iter().any(|z| matches!(*z, C | N | P)) || c.triple_to.contains(&C)
            });
            if !amide_like && !*sulfonamide && (aniline || conjugated) {
                return Some(t::NC_EQ_C);
            }
        }
        if !*sulfonamide && (amide_like || n_n_eq_x) {
            return Some(t::NC_EQ_O);
        }
        None
    }

    /// What the nitrogen rules need to know about a carbon bonded to it.
    fn carbon_neighbour(&self, c: usize) -> CarbonNeighbour {
        let mut info = CarbonNeighbour {
            benzene: self.aromatic(c) && self.rings.in_ring_of_size(c, 6),
            in_aromatic_6: self.rings.in_aromatic_ring_of_size(c, 6),
            degree: self.degree(c),
            ..CarbonNeighbour::default()
        };
        for m in self.neighbors(c) {
            let kind = self.kind(c, m);
            let z = self.z(m);
            if kind == BondKind::Double && matches!(z, O | S) {
                info.double_to_o_or_s = true;
            }
            // An aromatic bond counts as double towards C, and towards an N
            // that is in one ring only.
            let aromatic_counts = z == C || (z == N && self.rings.ring_count(m) == 1);
            if kind == BondKind::Double || (kind == BondKind::Aromatic && aromatic_counts) {
                info.double_like_to.push(z);
            }
            if kind == BondKind::Triple {
                info.triple_to.push(z);
            }
            if z == N && self.degree(m) == 3 {
                if self.charge(m) == 1 {
                    info.charged_n3 += 1;
                }
                // Nitro and nitrate N do not count as amino groups.
                let oxygens = self
                    .neighbors(m)
                    .into_iter()
                    .filter(|&x| self.z(x) == O)
                    .count();
                if oxygens < 2 {
                    info.n3 += 1;
                }
            }
            if z == N
                && self.degree(m) == 2
                && matches!(kind, BondKind::Double | BondKind::Aromatic)
            {
                info.n2_double += 1;
            }
            if self.aromatic(m) && matches!(z, O | S) {
                info.aromatic_o_or_s = true;
            }
        }
        info
    }

    /// Neighbour N of an N–N=C or N–N=N unit: `n` is double-bonded to a
    /// carbon bearing no further N, O or S, or to a nitrogen.
    fn hydrazone_like(&self, n: usize) -> bool {
        let mut heteroatoms_on_carbon = 0;
        let mut found = false;
        for m in self.neighbors(n) {
            if !self.is_double(n, m) {
                continue;
            }
            match self.z(m) {
                C => {
                    heteroatoms_on_carbon += self
                        .neighbors(m)
                        .into_iter()
                        .filter(|&x| x != n && matches!(self.z(x), N | O | S))
                        .count();
                    if heteroatoms_on_carbon == 0 {
                        found = true;
                    }
                }
                N => found = true,
                _ => {}
            }
        }
        found
    }

    /// Two-connected nitrogen: isonitrile and =N= (four bonds), nitroso,
    /// imine and azo (three bonds), N=S=O and anionic N (two bonds).
    fn divalent_nitrogen(&self, atom: usize, sulfonamide: bool) -> Option<u8> {
        let nbrs = self.neighbors(atom);
        let valence = self.valence(atom);
        if valence == 4 {
            let triple = nbrs.iter().any(|&n| self.kind(atom, n) == BondKind::Triple);
            return Some(if triple { t::NR_ISONITRILE } else { t::EQ_N_EQ });
        }
        if valence == 3 {
            let double_partner = nbrs.iter().copied().find(|&n| self.is_double(atom, n));
            if let Some(d) = double_partner {
                match self.z(d) {
                    C | N => return Some(t::N_EQ_C),
                    O if self.terminal_oxygens(atom) == 1 => return Some(t::N_EQ_O),
                    _ => {}
                }
            }
        }
        if valence >= 2 {
            let nso = nbrs
                .iter()
                .any(|&n| self.z(n) == S && self.terminal_oxygens(n) == 1);
            if nso {
                return Some(t::NSO);
            }
            if !sulfonamide {
                return Some(t::NM);
            }
        }
        None
    }

    /// One-connected nitrogen: nitrile N, or the terminal N of an azide or
    /// diazo group.
    fn terminal_nitrogen(&self, atom: usize) -> Option<u8> {
        let n = self.neighbors(atom)[0];
        if self.kind(atom, n) == BondKind::Triple {
            return Some(t::NSP);
        }
        let azide = self.z(n) == N
            && self.degree(n) == 2
            && self.neighbors(n).into_iter().any(|m| {
                (self.z(m) == N && self.degree(m) == 2) || (self.z(m) == C && self.degree(m) == 3)
            });
        azide.then_some(t::NAZT)
    }

    fn oxygen(&self, atom: usize) -> Result<u8, Untypable> {
        match self.degree(atom) {
            3 => Ok(t::O_PLUS),
            2 if self.valence(atom) == 3 => Ok(t::O_EQ_PLUS),
            2 => {
                let hydrogens = self
                    .neighbors(atom)
                    .into_iter()
                    .filter(|&n| self.z(n) == H)
                    .count();
                Ok(if hydrogens == 2 { t::OH2 } else { t::OR })
            }
            1 => self.terminal_oxygen(atom),
            0 => Err("an isolated oxygen atom (oxide ion) has no MMFF94 type".into()),
            d => Err(format!("oxygen with {}", count_neighbours(d))),
        }
    }

    /// One-connected oxygen, by what it is bonded to: alkoxide/oxide (OM),
    /// the shared-charge oxygens of carboxylate, nitro, N-oxide, sulfonyl,
    /// phosphoryl and perchlorate groups (O2CM), or a double-bonded O (O=C,
    /// O=N, O=S).
    fn terminal_oxygen(&self, atom: usize) -> Result<u8, Untypable> {
        let n = self.neighbors(atom)[0];
        let kind = self.kind(atom, n);
        let (mut n2_on_n, mut o1_on_n, mut s1_on_n) = (0, 0, 0);
        if matches!(self.z(n), C | N | S) {
            for m in self.neighbors(n) {
                match (self.z(m), self.degree(m)) {
                    (N, 2) => n2_on_n += 1,
                    (O, 1) => o1_on_n += 1,
                    (S, 1) => s1_on_n += 1,
                    _ => {}
                }
            }
        }
        let single = kind == BondKind::Single;
        let double = kind == BondKind::Double;
        let (oxide, shared, double_bonded) = match self.z(n) {
            H => (true, false, false),
            C => (single && o1_on_n == 1, o1_on_n == 2, double),
            N => {
                let nv = self.valence(n);
                let oxide = single && o1_on_n == 1 && (self.degree(n) == 2 || nv == 3);
                let n_oxide = single && o1_on_n == 1 && nv == 4;
                (oxide, n_oxide || o1_on_n >= 2, double)
            }
            S => {
                let others = o1_on_n + n2_on_n;
                let thiosulfinate = s1_on_n == 1;
                let sulfonyl = single || (double && others > 1);
                (false, thiosulfinate || sulfonyl, double && others == 1)
            }
            P | 17 => (false, true, false),
            _ => (false, false, false),
        };
        if oxide {
            Ok(t::OM)
        } else if shared {
            Ok(t::O2CM)
        } else if double_bonded {
            Ok(t::O_EQ_C)
        } else if self.z(n) == C && o1_on_n > 2 {
            Err(format!(
                "one of {o1_on_n} terminal oxygens on one carbon (carbonate-like): MMFF94 \
                 types only carboxylate and carbonyl oxygens on carbon"
            ))
        } else {
            let bond = match kind {
                BondKind::Single => "single",
                BondKind::Double => "double",
                BondKind::Triple => "triple",
                BondKind::Aromatic => "aromatic",
            };
            Err(format!(
                "terminal oxygen with a {bond} bond to {} has no MMFF94 type",
                element_name(self.mol.atom(n).element)
            ))
        }
    }

    fn sulfur(&self, atom: usize) -> Result<u8, Untypable> {
        let nbrs = self.neighbors(atom);
        match nbrs.len() {
            3 | 4 => {
                let double_to_c = nbrs
                    .iter()
                    .any(|&n| self.z(n) == C && self.is_double(atom, n));
                let o_or_n = nbrs
                    .iter()
                    .filter(|&&n| self.is_terminal(n, O) || (self.z(n) == N && self.degree(n) == 2))
                    .count();
                let term_s = nbrs.iter().filter(|&&n| self.is_terminal(n, S)).count();
                Ok(if nbrs.len() == 4 || (o_or_n == 2 && double_to_c) {
                    t::SO2
                } else if (o_or_n > 0 && term_s > 0) || (o_or_n == 2 && !double_to_c) {
                    t::SO2M
                } else {
                    t::S_EQ_O
                })
            }
            2 => {
                let sulfinyl = nbrs
                    .iter()
                    .any(|&n| self.z(n) == O && self.is_double(atom, n));
                Ok(if sulfinyl { t::EQ_S_EQ_O } else { t::S })
            }
            1 => {
                let n = nbrs[0];
                let term_s_on_n = self
                    .neighbors(n)
                    .into_iter()
                    .filter(|&m| self.is_terminal(m, S))
                    .count();
                let thione = self.z(n) == C && self.is_double(atom, n);
                Ok(if thione && term_s_on_n != 2 {
                    t::S_EQ_C
                } else {
                    t::S2CM
                })
            }
            0 => Err("an isolated sulfur atom (sulfide ion) has no MMFF94 type".into()),
            d => Err(format!(
                "sulfur with {d} neighbours (hypervalent, as in SF6) has no MMFF94 type"
            )),
        }
    }

    fn phosphorus(&self, atom: usize) -> Result<u8, Untypable> {
        match self.degree(atom) {
            4 => Ok(t::PO4),
            3 => Ok(t::P),
            2 => Ok(t::P_EQ_C),
            5 => Err("five-coordinate phosphorus (phosphorane) has no MMFF94 type".into()),
            d => Err(format!(
                "phosphorus with {} has no MMFF94 type",
                count_neighbours(d)
            )),
        }
    }

    fn halogen(&self, atom: usize) -> Result<u8, Untypable> {
        let z = self.z(atom);
        let degree = self.degree(atom);
        let name = element_name(self.mol.atom(atom).element);
        match (z, degree) {
            (9, 1) => Ok(t::F),
            (17, 1) => Ok(t::CL),
            (35, 1) => Ok(t::BR),
            (53, 1) => Ok(t::I),
            (9, 0) => Ok(t::F_MINUS),
            (17, 0) => Ok(t::CL_MINUS),
            (35, 0) => Ok(t::BR_MINUS),
            (17, 4) if self.neighbors(atom).into_iter().all(|n| self.z(n) == O) => Ok(t::CLO4),
            (53, 0) => Err("MMFF94 has no type for the iodide ion".into()),
            (53, d) => Err(format!(
                "hypervalent iodine ({}) has no MMFF94 type",
                count_neighbours(d)
            )),
            (_, d) => Err(format!(
                "{name} with {} has no MMFF94 type",
                count_neighbours(d)
            )),
        }
    }

    /// The free metal ions MMFF94 knows; a metal bonded to anything is
    /// refused.
    fn metal_ion(&self, atom: usize) -> Result<u8, Untypable> {
        let a = self.mol.atom(atom);
        let name = element_name(a.element);
        if self.degree(atom) > 0 {
            return Err(format!(
                "covalently bonded {name}: MMFF94 only has types for free metal ions"
            ));
        }
        let typed = match (a.element.atomic_number(), a.charge) {
            (3, 1) => Some(t::LI_PLUS),
            (11, 1) => Some(t::NA_PLUS),
            (19, 1) => Some(t::K_PLUS),
            (12, 2) => Some(t::MG2),
            (20, 2) => Some(t::CA2),
            (30, 2) => Some(t::ZN2),
            (26, 2) => Some(t::FE2),
            (26, 3) => Some(t::FE3),
            (29, 1) => Some(t::CU1),
            (29, 2) => Some(t::CU2),
            _ => None,
        };
        typed.ok_or_else(|| {
            format!(
                "{name} with charge {:+}: MMFF94 has only Li+, Na+, K+, Mg2+, Ca2+, Zn2+, \
                 Fe2+, Fe3+, Cu+ and Cu2+",
                a.charge
            )
        })
    }

    // ----------------------------------------------------------------
    // Hydrogens
    // ----------------------------------------------------------------

    /// Hydrogen types follow the parent atom (MMFFHDEF.PAR): on C and Si
    /// HC; on N and O by the parent's type; on P and S HP/HS.
    fn hydrogen_type(&self, atom: usize, types: &[u8]) -> Result<u8, Untypable> {
        let nbrs = self.neighbors(atom);
        let &[parent] = nbrs.as_slice() else {
            return Err(format!(
                "hydrogen with {} neighbours (MMFF94 needs exactly one)",
                nbrs.len()
            ));
        };
        match self.z(parent) {
            C | SI => Ok(t::HC),
            N => Ok(match types[parent] {
                t::NR | t::NPYL | t::NM | t::N2OX | t::N3OX => t::HNR,
                t::NR_PLUS
                | t::N_PLUS_EQ_C
                | t::NCN_PLUS
                | t::NGD_PLUS
                | t::NPD_PLUS
                | t::NIM_PLUS => t::HNR_PLUS,
                t::N_EQ_C => t::HN_EQ_C,
                _ => t::HNCO,
            }),
            O => Ok(match types[parent] {
                t::O_PLUS => t::HO_PLUS,
                t::O_EQ_PLUS => t::HO_EQ_PLUS,
                t::OH2 => t::HOH,
                t::OR => self.hydroxyl_hydrogen(parent),
                _ => t::HOR,
            }),
            P | S => Ok(t::HS),
            _ => Err(format!(
                "hydrogen bonded to {}: MMFF94 has no type for it",
                element_name(self.mol.atom(parent).element)
            )),
        }
    }

    /// H on a divalent O: acid (HOCO, also on O–P), enol/phenol (HOCC), on
    /// O–S (HOS), otherwise alcohol (HOR).
    fn hydroxyl_hydrogen(&self, oxygen: usize) -> u8 {
        let (mut acid, mut enol, mut on_s) = (false, false, false);
        for n in self.neighbors(oxygen) {
            match self.z(n) {
                C => {
                    for m in self.neighbors(n).into_iter().filter(|&m| m != oxygen) {
                        let kind = self.kind(n, m);
                        let double_like = matches!(kind, BondKind::Double | BondKind::Aromatic);
                        if matches!(self.z(m), C | N) && double_like {
                            enol = true;
                        }
                        if self.z(m) == O && kind == BondKind::Double {
                            acid = true;
                        }
                    }
                }
                P => acid = true,
                S => on_s = true,
                _ => {}
            }
        }
        if acid {
            t::HOCO
        } else if enol {
            t::HOCC
        } else if on_s {
            t::HOS
        } else {
            t::HOR
        }
    }
}

/// Heteroatoms of the aromatic five-membered ring(s) around an atom.
#[derive(Default)]
struct Heteroatoms {
    alpha: Vec<usize>,
    beta: Vec<usize>,
    alpha_o_or_s: bool,
    beta_o_or_s: bool,
    /// Some α and some β heteroatom lie in one five-membered ring.
    alpha_beta_share_ring: bool,
}

/// A carbon bonded to a nitrogen being typed.
#[derive(Default)]
struct CarbonNeighbour {
    /// Aromatic and in a six-membered ring.
    benzene: bool,
    in_aromatic_6: bool,
    degree: usize,
    /// C=O or C=S.
    double_to_o_or_s: bool,
    /// Elements bonded by a double bond, or by an aromatic bond to C or to an
    /// N in a single ring.
    double_like_to: Vec<u8>,
    triple_to: Vec<u8>,
    /// Three-connected N (the typed one included), nitro/nitrate N excepted.
    n3: usize,
    /// Three-connected N with charge +1.
    charged_n3: usize,
    /// Two-connected N bonded by a double or aromatic bond.
    n2_double: usize,
    /// Bonded to an aromatic O or S.
    aromatic_o_or_s: bool,
}
