//! Chemical elements: symbols, standard atomic weights and the valence rules
//! used to decide whether a record carries all of its hydrogens.

use std::fmt;

/// A chemical element, by atomic number (1–118).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Element(u8);

#[rustfmt::skip]
const SYMBOLS: [&str; 118] = [
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne",
    "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
    "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
    "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr",
    "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
    "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
    "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
    "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
    "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
    "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm",
    "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds",
    "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
];

/// Standard atomic weights (IUPAC, abridged); for radioactive elements the
/// mass number of the longest-lived isotope. The rounded value is the base of
/// the V2000 mass-difference field.
#[rustfmt::skip]
const MASSES: [f64; 118] = [
    1.008, 4.0026, 6.94, 9.0122, 10.81, 12.011, 14.007, 15.999, 18.998, 20.180,
    22.990, 24.305, 26.982, 28.085, 30.974, 32.06, 35.45, 39.948, 39.098, 40.078,
    44.956, 47.867, 50.942, 51.996, 54.938, 55.845, 58.933, 58.693, 63.546, 65.38,
    69.723, 72.630, 74.922, 78.971, 79.904, 83.798, 85.468, 87.62, 88.906, 91.224,
    92.906, 95.95, 98.0, 101.07, 102.91, 106.42, 107.87, 112.41, 114.82, 118.71,
    121.76, 127.60, 126.90, 131.29, 132.91, 137.33, 138.91, 140.12, 140.91, 144.24,
    145.0, 150.36, 151.96, 157.25, 158.93, 162.50, 164.93, 167.26, 168.93, 173.05,
    174.97, 178.49, 180.95, 183.84, 186.21, 190.23, 192.22, 195.08, 196.97, 200.59,
    204.38, 207.2, 208.98, 209.0, 210.0, 222.0, 223.0, 226.0, 227.0, 232.04,
    231.04, 238.03, 237.0, 244.0, 243.0, 247.0, 247.0, 251.0, 252.0, 257.0,
    258.0, 259.0, 262.0, 267.0, 270.0, 269.0, 270.0, 270.0, 278.0, 281.0,
    281.0, 285.0, 286.0, 289.0, 289.0, 293.0, 293.0, 294.0,
];

impl Element {
    pub const H: Element = Element(1);
    pub const C: Element = Element(6);
    pub const N: Element = Element(7);
    pub const O: Element = Element(8);
    pub const S: Element = Element(16);

    /// The element with this atomic number, if it exists.
    pub fn from_atomic_number(z: u8) -> Option<Element> {
        (1..=118).contains(&z).then_some(Element(z))
    }

    /// Parses an element symbol. Case is not significant ("CL" is chlorine),
    /// since some writers upper-case symbols.
    pub fn from_symbol(symbol: &str) -> Option<Element> {
        SYMBOLS
            .iter()
            .position(|s| s.eq_ignore_ascii_case(symbol))
            .map(|i| Element(i as u8 + 1))
    }

    pub fn atomic_number(self) -> u8 {
        self.0
    }

    pub fn symbol(self) -> &'static str {
        SYMBOLS[self.0 as usize - 1]
    }

    /// Standard atomic weight in g/mol.
    pub fn mass(self) -> f64 {
        MASSES[self.0 as usize - 1]
    }

    /// Mass number the V2000 mass-difference field is relative to.
    pub fn nominal_mass(self) -> u16 {
        self.mass().round() as u16
    }

    /// Valence electrons of main-group elements; `None` for transition
    /// metals, lanthanides and actinides, whose bonding has no simple rule.
    pub fn valence_electrons(self) -> Option<u8> {
        match self.0 {
            1 => Some(1),
            2 | 10 | 18 | 36 | 54 | 86 => Some(8),
            3..=9 => Some(self.0 - 2),
            11..=17 => Some(self.0 - 10),
            19 | 20 => Some(self.0 - 18),
            31..=35 => Some(self.0 - 28),
            37 | 38 => Some(self.0 - 36),
            49..=53 => Some(self.0 - 46),
            55 | 56 => Some(self.0 - 54),
            81..=85 => Some(self.0 - 78),
            _ => None,
        }
    }

    /// Valences (sum of bond orders plus unpaired electrons) this element can
    /// show with the given formal charge, smallest first, or `None` when the
    /// element has no rule (metals). Follows the octet rule on the
    /// isoelectronic neutral atom; elements of period 3 and below may also
    /// expand their octet in steps of two (sulfones, phosphates, perchlorate).
    pub fn allowed_valences(self, charge: i32) -> Option<Vec<u8>> {
        let ve = self.valence_electrons()? as i32 - charge;
        if ve < 0 {
            return Some(Vec::new());
        }
        if self.0 == 1 {
            return Some(vec![ve.min(2 - ve).max(0) as u8]);
        }
        // Alkali and alkaline-earth metals are handled as ions elsewhere.
        if matches!(self.0, 3 | 4 | 11 | 12 | 19 | 20 | 37 | 38 | 55 | 56) {
            return None;
        }
        if ve > 8 {
            return Some(Vec::new());
        }
        let base = ve.min(8 - ve) as u8;
        let mut valences = vec![base];
        // Anions with a full octet (Cl-, S2-) do not expand; xenon does.
        let noble_gas = matches!(self.0, 18 | 36 | 54 | 86);
        let expands = self.0 > 10 && ve > 4 && (ve < 8 || noble_gas);
        if expands {
            let mut v = base + 2;
            while v as i32 <= ve {
                valences.push(v);
                v += 2;
            }
        }
        Some(valences)
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip() {
        for z in 1..=118u8 {
            let e = Element::from_atomic_number(z).unwrap();
            assert_eq!(Element::from_symbol(e.symbol()), Some(e));
        }
        assert_eq!(Element::from_symbol("CL").unwrap().atomic_number(), 17);
        assert_eq!(Element::from_symbol("Xx"), None);
    }

    #[test]
    fn valences_follow_octet_rule() {
        let v = |s: &str, q| Element::from_symbol(s).unwrap().allowed_valences(q);
        assert_eq!(v("C", 0), Some(vec![4]));
        assert_eq!(v("C", 1), Some(vec![3]));
        assert_eq!(v("C", -1), Some(vec![3]));
        assert_eq!(v("N", 0), Some(vec![3]));
        assert_eq!(v("N", 1), Some(vec![4]));
        assert_eq!(v("N", -1), Some(vec![2]));
        assert_eq!(v("O", -1), Some(vec![1]));
        assert_eq!(v("O", 1), Some(vec![3]));
        assert_eq!(v("B", -1), Some(vec![4]));
        assert_eq!(v("S", 0), Some(vec![2, 4, 6]));
        assert_eq!(v("S", 1), Some(vec![3, 5]));
        assert_eq!(v("P", 0), Some(vec![3, 5]));
        assert_eq!(v("Cl", 0), Some(vec![1, 3, 5, 7]));
        assert_eq!(v("Cl", -1), Some(vec![0]));
        assert_eq!(v("H", 0), Some(vec![1]));
        assert_eq!(v("H", 1), Some(vec![0]));
        assert_eq!(v("Fe", 0), None);
        assert_eq!(v("Na", 1), None);
    }
}
