//! SMILES (OpenSMILES) as a molecular graph with the stereochemistry that
//! was written: atoms in the order written, then one explicit hydrogen for
//! every implicit or bracket hydrogen, appended in the order of their heavy
//! atoms (as RDKit's `AddHs` orders them), so that atom indices map onto
//! what other tools read from the same string.
//!
//! Supported: the organic subset and bracket atoms (isotope, `@`/`@@`,
//! `@TH1`/`@TH2`, hydrogen count, charge; atom classes are read and
//! ignored), branches, ring closures including `%nn`, bond orders `-`, `=`,
//! `#`, `$`, `:`, directional bonds `/` and `\`, dot-disconnected parts
//! (one molecule), and aromatic atoms (`c`, `n`, `o`, `p`, `s`, `b`, `se`,
//! `as`, `te`, and bracket forms such as `[nH]`), kekulised. Implicit
//! hydrogens follow the OpenSMILES default valences. Stereo kinds other than
//! tetrahedral (allene `@AL`, square planar `@SP`, trigonal bipyramidal,
//! octahedral) are errors, not silently dropped.
//!
//! The result is a graph without coordinates: building 3D geometry from it
//! is the embedder's job.

use crate::mol::kekule::{kekulize, InputBond};
use crate::mol::sketch::{CisTrans, Sketch, Tetrahedral};
use crate::mol::{Atom, BondOrder, Element};
use std::collections::BTreeMap;

pub use crate::error::SmilesError;

fn fail<T>(column: usize, message: impl Into<String>) -> Result<T, SmilesError> {
    Err(SmilesError {
        column,
        message: message.into(),
    })
}

/// How a bond was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Written {
    /// No symbol: single, or aromatic between two aromatic atoms.
    Implicit,
    Single,
    Double,
    Triple,
    Quadruple,
    Aromatic,
    /// `/` (up) or `\` (down), a single bond, with the atom written first.
    Directional {
        up: bool,
    },
}

struct RawAtom {
    atom: Atom,
    aromatic: bool,
    /// Bracket atoms state their hydrogens; `None` for the organic subset.
    hydrogens: Option<u8>,
    chirality: Option<(bool, usize)>,
    column: usize,
    /// Neighbours in the order the stereo rules count them; `usize::MAX`
    /// marks the place of the atom's own (bracket) hydrogen.
    order: Vec<usize>,
}

struct RawBond {
    a: usize,
    b: usize,
    written: Written,
    /// The atom the bond was written from (for directional bonds).
    from: usize,
    /// Written as a ring-closure digit.
    closure: bool,
}

const HYDROGEN_SLOT: usize = usize::MAX;

/// Parses one SMILES string (the sketch is unnamed).
pub fn parse(text: &str) -> Result<Sketch, SmilesError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return fail(1, "empty SMILES");
    }
    let mut atoms: Vec<RawAtom> = Vec::new();
    let mut bonds: Vec<RawBond> = Vec::new();
    let mut branches: Vec<(usize, usize)> = Vec::new(); // (atom, column of '(')
    let mut rings: BTreeMap<u32, (usize, Option<Written>, usize)> = BTreeMap::new();
    let mut previous: Option<usize> = None;
    let mut pending: Option<(Written, usize)> = None;
    let mut i = 0;
    while i < chars.len() {
        let column = i + 1;
        let c = chars[i];
        match c {
            '(' => {
                let Some(p) = previous else {
                    return fail(column, "a branch '(' must follow an atom");
                };
                if pending.is_some() {
                    return fail(column, "a bond symbol cannot precede '('");
                }
                branches.push((p, column));
                i += 1;
            }
            ')' => {
                let Some((atom, _)) = branches.pop() else {
                    return fail(column, "')' without a matching '('");
                };
                if pending.is_some() {
                    return fail(column, "a bond symbol must be followed by an atom");
                }
                previous = Some(atom);
                i += 1;
            }
            '.' => {
                if pending.is_some() {
                    return fail(column, "a bond symbol cannot precede '.'");
                }
                previous = None;
                i += 1;
            }
            '-' | '=' | '#' | '$' | ':' | '/' | '\\' => {
                if previous.is_none() {
                    return fail(column, format!("bond '{c}' without an atom before it"));
                }
                if pending.is_some() {
                    return fail(column, "two bond symbols in a row");
                }
                let written = match c {
                    '-' => Written::Single,
                    '=' => Written::Double,
                    '#' => Written::Triple,
                    '$' => Written::Quadruple,
                    ':' => Written::Aromatic,
                    '/' => Written::Directional { up: true },
                    _ => Written::Directional { up: false },
                };
                pending = Some((written, column));
                i += 1;
            }
            '0'..='9' | '%' => {
                let Some(current) = previous else {
                    return fail(column, "a ring-closure digit must follow an atom");
                };
                let (number, next) = if c == '%' {
                    let digits: String = chars[i + 1..].iter().take(2).collect();
                    if digits.len() != 2 || !digits.chars().all(|d| d.is_ascii_digit()) {
                        return fail(column, "'%' must be followed by two digits");
                    }
                    (digits.parse::<u32>().expect("two digits"), i + 3)
                } else {
                    (c.to_digit(10).expect("a digit"), i + 1)
                };
                let bond = pending.take().map(|(w, _)| w);
                match rings.remove(&number) {
                    None => {
                        rings.insert(number, (current, bond, column));
                        atoms[current].order.push(usize::MAX - 1 - number as usize);
                    }
                    Some((other, other_bond, _)) => {
                        if other == current {
                            return fail(
                                column,
                                format!("ring closure {number} bonds an atom to itself"),
                            );
                        }
                        if bonds.iter().any(|b| {
                            (b.a, b.b) == (other, current) || (b.a, b.b) == (current, other)
                        }) {
                            return fail(
                                column,
                                format!(
                                    "ring closure {number} repeats a bond that is already there"
                                ),
                            );
                        }
                        let written = match (other_bond, bond) {
                            (None, None) => Written::Implicit,
                            (Some(w), None) => w,
                            (None, Some(w)) => match w {
                                // Written at the closing atom: from it.
                                Written::Directional { up } => Written::Directional { up: !up },
                                w => w,
                            },
                            (Some(a), Some(b)) => {
                                let same = match (a, b) {
                                    (
                                        Written::Directional { up: x },
                                        Written::Directional { up: y },
                                    ) => x != y,
                                    _ => a == b,
                                };
                                if !same {
                                    return fail(column, format!("ring closure {number} is written with two different bonds"));
                                }
                                a
                            }
                        };
                        // The ring bond takes the place of the digit at the
                        // opening atom.
                        let slot = usize::MAX - 1 - number as usize;
                        let place = atoms[other]
                            .order
                            .iter()
                            .position(|&x| x == slot)
                            .expect("ring opening recorded");
                        atoms[other].order[place] = current;
                        atoms[current].order.push(other);
                        bonds.push(RawBond {
                            a: other,
                            b: current,
                            written,
                            from: other,
                            closure: true,
                        });
                    }
                }
                i = next;
            }
            _ => {
                let (raw, next) = read_atom(&chars, i)?;
                let index = atoms.len();
                atoms.push(raw);
                if let Some(p) = previous {
                    let written = pending.take().map_or(Written::Implicit, |(w, _)| w);
                    bonds.push(RawBond {
                        a: p,
                        b: index,
                        written,
                        from: p,
                        closure: false,
                    });
                    atoms[p].order.push(index);
                    atoms[index].order.insert(0, p);
                } else if let Some((_, column)) = pending {
                    return fail(column, "a bond symbol must follow an atom");
                }
                previous = Some(index);
                i = next;
            }
        }
    }
    if let Some((_, column)) = pending {
        return fail(
            column,
            "the string ends after a bond symbol; expected an atom",
        );
    }
    if let Some((_, column)) = branches.pop() {
        return fail(column, "'(' is never closed");
    }
    if let Some((number, (_, _, column))) = rings.into_iter().next() {
        return fail(column, format!("ring closure {number} is never closed"));
    }
    build(atoms, bonds)
}

/// Reads an organic-subset or bracket atom at `i`; returns it and the
/// position after it.
fn read_atom(chars: &[char], i: usize) -> Result<(RawAtom, usize), SmilesError> {
    let column = i + 1;
    let c = chars[i];
    if c == '[' {
        return read_bracket(chars, i);
    }
    let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
    let (symbol, aromatic, next) = match (c, two.as_str()) {
        (_, "Cl") => ("Cl", false, i + 2),
        (_, "Br") => ("Br", false, i + 2),
        ('B' | 'C' | 'N' | 'O' | 'P' | 'S' | 'F' | 'I', _) => (&two[..1], false, i + 1),
        ('b' | 'c' | 'n' | 'o' | 'p' | 's', _) => (&two[..1], true, i + 1),
        ('*', _) => return fail(column, "wildcard atom '*' has no element"),
        _ => {
            return fail(
                column,
                format!("unexpected '{c}': expected an atom, a bond, a branch or a ring closure"),
            )
        }
    };
    let element = element(symbol, column)?;
    Ok((
        RawAtom {
            atom: Atom::new(element),
            aromatic,
            hydrogens: None,
            chirality: None,
            column,
            order: Vec::new(),
        },
        next,
    ))
}

fn element(symbol: &str, column: usize) -> Result<Element, SmilesError> {
    let mut name = symbol.to_string();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    Element::from_symbol(&name).ok_or_else(|| SmilesError {
        column,
        message: format!("unknown element '{symbol}'"),
    })
}

fn read_bracket(chars: &[char], start: usize) -> Result<(RawAtom, usize), SmilesError> {
    let open = start + 1;
    let Some(close) = chars[start..]
        .iter()
        .position(|&c| c == ']')
        .map(|p| start + p)
    else {
        return fail(open, "'[' is never closed");
    };
    let body: Vec<char> = chars[start + 1..close].to_vec();
    let at = |k: usize| body.get(k).copied();
    let col = |k: usize| start + 2 + k;
    let mut k = 0;
    let mut isotope = String::new();
    while let Some(d) = at(k).filter(char::is_ascii_digit) {
        isotope.push(d);
        k += 1;
    }
    // Symbol: aromatic two-letter forms first, then elements.
    let rest: String = body[k..].iter().collect();
    let (symbol, aromatic, len) =
        if let Some(s) = ["se", "as", "te"].iter().find(|s| rest.starts_with(**s)) {
            (s.to_string(), true, 2)
        } else {
            match at(k) {
                Some(c) if c.is_ascii_uppercase() => {
                    let two: String = body[k..(k + 2).min(body.len())].iter().collect();
                    let second_lower = two.chars().nth(1).is_some_and(|x| x.is_ascii_lowercase());
                    if second_lower && Element::from_symbol(&two).is_some() {
                        (two, false, 2)
                    } else {
                        (c.to_string(), false, 1)
                    }
                }
                Some(c @ ('b' | 'c' | 'n' | 'o' | 'p' | 's')) => (c.to_string(), true, 1),
                Some('*') => return fail(col(k), "wildcard atom '*' has no element"),
                _ => return fail(col(k), "expected an element symbol after '['"),
            }
        };
    let element = element(&symbol, col(k))?;
    k += len;
    let mut chirality = None;
    if at(k) == Some('@') {
        let chiral_column = col(k);
        let clockwise = at(k + 1) == Some('@');
        k += if clockwise { 2 } else { 1 };
        let next_two: String = body[k..].iter().take(2).collect();
        let class = ["TH", "AL", "SP", "TB", "OH"]
            .into_iter()
            .find(|c| next_two == *c)
            .unwrap_or("");
        match class {
            "" => chirality = Some((!clockwise, chiral_column)),
            "TH" if !clockwise => {
                k += 2;
                match at(k) {
                    Some('1') => chirality = Some((true, chiral_column)),
                    Some('2') => chirality = Some((false, chiral_column)),
                    _ => return fail(col(k), "expected @TH1 or @TH2"),
                }
                k += 1;
            }
            "AL" | "SP" | "TB" | "OH" => {
                return fail(
                    chiral_column,
                    format!("stereo '@{class}' (allene, square planar, trigonal bipyramidal or octahedral) is not supported"),
                )
            }
            _ => return fail(chiral_column, "@@ cannot take a class (write @TH1 or @TH2)"),
        }
    }
    let mut hydrogens = 0u8;
    if at(k) == Some('H') {
        k += 1;
        hydrogens = 1;
        if let Some(d) = at(k).and_then(|c| c.to_digit(10)) {
            hydrogens = d as u8;
            k += 1;
        }
    }
    let mut charge: i32 = 0;
    if let Some(sign @ ('+' | '-')) = at(k) {
        let unit = if sign == '+' { 1 } else { -1 };
        k += 1;
        let digits: String = body[k..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if !digits.is_empty() {
            charge = unit * digits.parse::<i32>().unwrap_or(99);
            k += digits.len();
        } else {
            charge = unit;
            while at(k) == Some(sign) {
                charge += unit;
                k += 1;
            }
        }
        if charge.abs() > 15 {
            return fail(col(k), "charge beyond ±15");
        }
    }
    if at(k) == Some(':') {
        k += 1;
        let digits = body[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return fail(col(k), "expected an atom class number after ':'");
        }
        k += digits;
    }
    if k != body.len() {
        return fail(
            col(k),
            format!("unexpected '{}' inside the bracket atom", body[k]),
        );
    }
    let mut atom = Atom::new(element);
    atom.charge = charge as i8;
    if !isotope.is_empty() {
        atom.isotope = Some(isotope.parse().map_err(|_| SmilesError {
            column: open + 1,
            message: format!("isotope {isotope} out of range"),
        })?);
    }
    let mut order = Vec::new();
    if hydrogens > 0 {
        order.push(HYDROGEN_SLOT);
    }
    Ok((
        RawAtom {
            atom,
            aromatic,
            hydrogens: Some(hydrogens),
            chirality,
            column: start + 1,
            order,
        },
        close + 1,
    ))
}

/// Implicit hydrogens of an organic-subset atom. The smallest default
/// valence at least its bond-order sum (aromatic bonds counting one) is filled with hydrogens;
/// an aromatic atom keeps one of those for its double bond unless the bonds
/// already fill it (the sulfur of thiophene, the oxygen of furan, a ring
/// carbon with an exocyclic C=O).
fn implicit_hydrogens(raw: &RawAtom, bond_sum: u8) -> u8 {
    let defaults: &[u8] = match raw.atom.element.symbol() {
        "B" => &[3],
        "C" => &[4],
        "N" => &[3, 5],
        "O" => &[2],
        "P" => &[3, 5],
        "S" => &[2, 4, 6],
        "F" | "Cl" | "Br" | "I" => &[1],
        _ => &[],
    };
    // Beyond the highest default valence no hydrogen is added (OpenSMILES);
    // whether the valence is possible at all is checked after kekulisation.
    let Some(valence) = defaults.iter().copied().find(|&v| v >= bond_sum) else {
        return 0;
    };
    let free = valence - bond_sum;
    if raw.aromatic && free > 0 {
        free - 1
    } else {
        free
    }
}

fn build(raws: Vec<RawAtom>, raw_bonds: Vec<RawBond>) -> Result<Sketch, SmilesError> {
    let written = raws.len();
    let aromatic_bond = |b: &RawBond| match b.written {
        Written::Aromatic => true,
        Written::Implicit => raws[b.a].aromatic && raws[b.b].aromatic,
        _ => false,
    };
    let order_of = |b: &RawBond| -> Option<BondOrder> {
        match b.written {
            _ if aromatic_bond(b) => None,
            Written::Double => Some(BondOrder::Double),
            Written::Triple => Some(BondOrder::Triple),
            _ => Some(BondOrder::Single),
        }
    };
    for b in &raw_bonds {
        if b.written == Written::Quadruple {
            return fail(
                raws[b.b].column,
                "quadruple bonds ('$') are outside what this tool models",
            );
        }
    }
    // Hydrogens of every written atom.
    let mut hydrogens = Vec::with_capacity(written);
    for (i, raw) in raws.iter().enumerate() {
        let count = match raw.hydrogens {
            Some(h) => h,
            None => {
                let sum: u8 = raw_bonds
                    .iter()
                    .filter(|b| b.a == i || b.b == i)
                    .map(|b| order_of(b).map_or(1, BondOrder::valence))
                    .sum();
                implicit_hydrogens(raw, sum)
            }
        };
        hydrogens.push(count);
    }
    let mut atoms: Vec<Atom> = raws.iter().map(|r| r.atom).collect();
    let mut input: Vec<InputBond> = raw_bonds.iter().map(|b| (b.a, b.b, order_of(b))).collect();
    let mut first_hydrogen = vec![usize::MAX; written];
    for (i, &h) in hydrogens.iter().enumerate() {
        for k in 0..h {
            if k == 0 {
                first_hydrogen[i] = atoms.len();
            }
            atoms.push(Atom::new(Element::H));
            input.push((i, atoms.len() - 1, Some(BondOrder::Single)));
        }
    }
    let orders = kekulize(&atoms, &input).map_err(|e| SmilesError {
        column: raws[e.atoms[0].min(written - 1)].column,
        message: format!(
            "aromatic system has no Kekulé structure: atoms {} cannot take a double bond",
            e.atoms
                .iter()
                .map(|a| (a + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    for (i, raw) in raws.iter().enumerate() {
        let valence: u8 = input
            .iter()
            .zip(&orders)
            .filter(|((a, b, _), _)| *a == i || *b == i)
            .map(|(_, o)| o.valence())
            .sum();
        if let Some(allowed) = raw
            .atom
            .element
            .allowed_valences(i32::from(raw.atom.charge))
        {
            if !allowed.contains(&valence) {
                return fail(
                    raw.column,
                    format!(
                        "impossible valence: {} with charge {:+} has valence {valence} (allowed: {allowed:?})",
                        raw.atom.element, raw.atom.charge
                    ),
                );
            }
        }
    }
    let bonds: Vec<(usize, usize, BondOrder)> = input
        .iter()
        .zip(&orders)
        .map(|(&(a, b, _), &o)| (a, b, o))
        .collect();
    // Tetrahedral centres, in the order the neighbours were written.
    let mut centres = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let Some((anticlockwise, column)) = raw.chirality else {
            continue;
        };
        let mut list: Vec<Option<usize>> = raw
            .order
            .iter()
            .map(|&n| {
                if n == HYDROGEN_SLOT {
                    Some(first_hydrogen[i])
                } else {
                    Some(n)
                }
            })
            .collect();
        if hydrogens[i] > 1 {
            return fail(column, "a stereocentre cannot carry two hydrogens");
        }
        match list.len() {
            4 => {}
            // A lone pair takes the implicit hydrogen's place: right after
            // the preceding atom, or first when there is none.
            3 => {
                let place = usize::from(
                    raw.order
                        .first()
                        .is_some_and(|&n| n != HYDROGEN_SLOT && n < i),
                );
                list.insert(place, None);
            }
            n => {
                return fail(
                    column,
                    format!("a tetrahedral centre needs 3 or 4 neighbours, not {n}"),
                )
            }
        }
        // RDKit, whose reading other tools and the CIP labels follow,
        // departs from OpenSMILES at lone-pair centres in two places: at
        // the first atom of a part, and at a saturated centre with exactly
        // one ring-closure digit; each turns the configuration over.
        let mut anticlockwise = anticlockwise;
        if list.contains(&None) {
            let first = list[0].is_none();
            let closures = raw_bonds
                .iter()
                .filter(|b| b.closure && (b.a == i || b.b == i))
                .count();
            let saturated = bonds
                .iter()
                .all(|&(a, b, order)| (a != i && b != i) || order == BondOrder::Single);
            if first != (saturated && closures == 1) {
                anticlockwise = !anticlockwise;
            }
        }
        centres.push(Tetrahedral {
            centre: i,
            neighbours: [list[0], list[1], list[2], list[3]],
            anticlockwise,
        });
    }
    let double_bonds = double_bond_stereo(&raws, &raw_bonds, &bonds)?;
    Ok(Sketch {
        name: String::new(),
        comment: String::new(),
        data: Vec::new(),
        atoms,
        bonds,
        centres,
        double_bonds,
    })
}

/// Double bonds whose two ends each have a neighbour bonded by `/` or `\`.
fn double_bond_stereo(
    raws: &[RawAtom],
    raw_bonds: &[RawBond],
    bonds: &[(usize, usize, BondOrder)],
) -> Result<Vec<CisTrans>, SmilesError> {
    // The direction of a marked bond as seen from `end`: "X / end" (up)
    // with the substituent written first.
    let seen_from = |b: &RawBond, end: usize| -> Option<(usize, bool)> {
        let Written::Directional { up } = b.written else {
            return None;
        };
        let other = if b.a == end { b.b } else { b.a };
        // Written "from / to"; from the substituent's side when `to == end`.
        let to = if b.from == b.a { b.b } else { b.a };
        Some((other, if to == end { up } else { !up }))
    };
    let mut out = Vec::new();
    for (k, &(a, b, order)) in bonds.iter().enumerate() {
        if order != BondOrder::Double || k >= raw_bonds.len() {
            continue;
        }
        let side = |end: usize, far: usize| -> Result<Option<(usize, bool)>, SmilesError> {
            let marks: Vec<(usize, bool)> = raw_bonds
                .iter()
                .filter(|r| (r.a == end || r.b == end) && !(r.a == far || r.b == far))
                .filter_map(|r| seen_from(r, end))
                .collect();
            if marks.len() == 2 && marks[0].1 == marks[1].1 {
                return fail(
                    raws[end].column,
                    "conflicting '/' and '\\' marks on one end of a double bond",
                );
            }
            Ok(marks.first().copied())
        };
        if let (Some((ref_a, dir_a)), Some((ref_b, dir_b))) = (side(a, b)?, side(b, a)?) {
            // Seen from `a` the mark reads "ref_a ? a"; from `b` it must read
            // "b ? ref_b", the reverse of "ref_b ? b".
            let dir_b = !dir_b;
            out.push(CisTrans {
                a,
                b,
                ref_a,
                ref_b,
                cis: dir_a != dir_b,
            });
        }
    }
    Ok(out)
}

/// One line of a SMILES file: `SMILES<whitespace>name`.
#[derive(Clone, Debug, PartialEq)]
pub struct SmilesLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The SMILES as written.
    pub text: String,
    pub name: String,
    /// The molecule, named after the line.
    pub smiles: Result<Sketch, SmilesError>,
}

/// The molecules of a SMILES file (`.smi`, `.smiles`, `.ism`, `.can`): one
/// per line, `SMILES name`; blank lines and a header line starting with
/// `SMILES` or `smiles` are skipped. A line that cannot be read is an
/// error of its own, and the next line is read.
pub fn read_lines(
    input: impl std::io::BufRead,
) -> impl Iterator<Item = std::io::Result<SmilesLine>> {
    input.lines().enumerate().filter_map(|(i, line)| {
        let line = match line {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        let text = line.trim();
        if text.is_empty() || (i == 0 && text.to_ascii_lowercase().starts_with("smiles")) {
            return None;
        }
        let (smiles, name) = match text.find(char::is_whitespace) {
            Some(at) => (&text[..at], text[at..].trim()),
            None => (text, ""),
        };
        // Columns count from the start of the line as given.
        let offset = line.len() - line.trim_start().len();
        let smiles_text = smiles;
        let smiles = parse(smiles)
            .map(|mut sketch| {
                sketch.name = name.to_string();
                sketch
            })
            .map_err(|mut e| {
                e.column += offset;
                e
            });
        Some(Ok(SmilesLine {
            line: i + 1,
            text: smiles_text.to_string(),
            name: name.to_string(),
            smiles,
        }))
    })
}
