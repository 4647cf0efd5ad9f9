//! SDF / MOL files: a streaming reader for V2000 and V3000 records and a
//! writer that produces V2000, switching to V3000 past 999 atoms or bonds.
//!
//! The reader never stops at a broken record: it reports the record (file,
//! record number, title, line, what was expected), skips to the next `$$$$`
//! and goes on. Aromatic bonds (type 4) are kekulised. A 3D record written
//! without hydrogens gets them placed on its heavy atoms. A 2D drawing
//! (every z = 0, header not `3D`) is read by [`SdfReader::next_input`] as a
//! [`Sketch`] with the stereo of its wedges and double bonds, to be
//! embedded; iterating the reader yields 3D structures only and rejects
//! drawings (see [`Molecule::check_complete`]).

use crate::error::{Error, Location, RecordError, RecordErrorKind as Kind};
use crate::mol::sketch::Sketch;
use crate::mol::{kekulize, Atom, Bond, BondOrder, Element, Molecule, Radical, StructureError};
use nalgebra::Point3;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

/// A problem at a line of the current record.
type Fail = (usize, Kind);

/// Streams molecules out of SDF text. Iterating yields one result per record.
pub struct SdfReader<R> {
    input: R,
    file: String,
    line_no: usize,
    record: usize,
    /// The last line ended with CR: a following LF belongs to it.
    after_cr: bool,
    /// A line read ahead and given back.
    pushed_back: Option<String>,
    /// The current record's `$$$$` has been read (or the input has ended).
    terminated: bool,
    eof: bool,
    /// The current record's lines as read, when asked for
    /// ([`SdfReader::keep_text`]).
    text: Option<String>,
    /// Return 2D drawings as sketches ([`SdfReader::next_input`]).
    drawings: bool,
}

/// A record as read.
#[derive(Clone, Debug)]
pub enum Input {
    /// A 3D structure with every hydrogen.
    Structure(Molecule),
    /// A 2D drawing, still to be embedded in 3D.
    Drawing(Sketch),
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::Structure(mol) => mol.name(),
            Input::Drawing(sketch) => &sketch.name,
        }
    }

    fn push_data(&mut self, tag: String, value: String) {
        match self {
            Input::Structure(mol) => mol.push_data(tag, value),
            Input::Drawing(sketch) => sketch.data.push((tag, value)),
        }
    }
}

/// A bond as read, before kekulisation (`None` = aromatic).
struct RawBond {
    atoms: [usize; 2],
    order: Option<BondOrder>,
    stereo: u8,
}

/// Where a V3000 record is in its `BEGIN CTAB` … `END CTAB` block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CtabState {
    NotOpened,
    Open,
    Closed,
}

/// Atoms and bonds of a connection table with the line of each atom.
#[derive(Default)]
struct Ctab {
    atoms: Vec<Atom>,
    coords: Vec<Point3<f64>>,
    atom_lines: Vec<usize>,
    bonds: Vec<RawBond>,
    bond_lines: Vec<usize>,
}

impl<R: BufRead> SdfReader<R> {
    /// Reads from `input`; `file` names it in messages.
    pub fn new(input: R, file: impl Into<String>) -> SdfReader<R> {
        SdfReader {
            input,
            file: file.into(),
            line_no: 0,
            record: 0,
            after_cr: false,
            pushed_back: None,
            terminated: false,
            eof: false,
            text: None,
            drawings: false,
        }
    }

    /// The next record, a 2D drawing as a [`Sketch`]; `None` at the end of
    /// input.
    pub fn next_input(&mut self) -> Option<Result<Input, Error>> {
        self.drawings = true;
        self.read_record()
    }

    /// Keeps the text of each record as read, so that a record that fails
    /// later can be passed on unchanged ([`SdfReader::record_text`]).
    pub fn keep_text(mut self) -> SdfReader<R> {
        self.text = Some(String::new());
        self
    }

    /// The lines of the record last returned (empty unless
    /// [`SdfReader::keep_text`] was called).
    pub fn record_text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }

    /// Next line without its ending (LF, CRLF or a lone CR, as old Mac files
    /// have); `None` at the end of input.
    fn next_line(&mut self) -> Result<Option<String>, io::Error> {
        const MAX_LINE: usize = 1 << 24;
        if let Some(line) = self.pushed_back.take() {
            self.line_no += 1;
            return Ok(Some(line));
        }
        if self.eof {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.eof = true;
                    return Err(e);
                }
            };
            if available.is_empty() {
                if bytes.is_empty() {
                    self.eof = true;
                    return Ok(None);
                }
                break;
            }
            if std::mem::take(&mut self.after_cr) && available[0] == b'\n' {
                self.input.consume(1);
                continue;
            }
            match available.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(end) => {
                    bytes.extend_from_slice(&available[..end]);
                    self.after_cr = available[end] == b'\r';
                    self.input.consume(end + 1);
                    break;
                }
                None => {
                    let n = available.len();
                    bytes.extend_from_slice(available);
                    self.input.consume(n);
                }
            }
            if bytes.len() > MAX_LINE {
                self.eof = true;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a line longer than 16 MiB: this is not an SDF file",
                ));
            }
        }
        self.line_no += 1;
        // A UTF-8 byte-order mark is no part of the first title.
        if self.line_no == 1 && bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
            bytes.drain(..3);
        }
        // Latin-1 and other legacy encodings occur in titles and data
        // items; keep what is valid and replace the rest.
        let line = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(text) = self.text.as_mut() {
            text.push_str(&line);
            text.push('\n');
        }
        Ok(Some(line))
    }

    /// A line that must exist inside the record's connection table.
    fn line(&mut self, block: &'static str, expected: &str) -> Result<(usize, String), Fail> {
        match self.next_line() {
            Ok(Some(line)) if line.starts_with("$$$$") => {
                self.terminated = true;
                Err((
                    self.line_no,
                    Kind::RecordEndsEarly {
                        block,
                        expected: expected.to_string(),
                    },
                ))
            }
            Ok(Some(line)) => Ok((self.line_no, line)),
            Ok(None) => Err((
                self.line_no,
                Kind::UnexpectedEnd {
                    block,
                    expected: expected.to_string(),
                },
            )),
            Err(e) => {
                self.terminated = true;
                Err((self.line_no + 1, Kind::Io(e.to_string())))
            }
        }
    }

    fn location(&self, title: &str, line: usize) -> Location {
        Location {
            file: self.file.clone(),
            record: self.record,
            title: title.to_string(),
            line,
        }
    }

    /// Reads one record; `None` at the end of input.
    fn read_record(&mut self) -> Option<Result<Input, Error>> {
        self.terminated = false;
        if let Some(text) = self.text.as_mut() {
            text.clear();
        }
        // Blank lines after the last record are not a record.
        let mut header = Vec::with_capacity(3);
        while header.len() < 3 {
            match self.next_line() {
                Ok(Some(line)) => header.push(line),
                Ok(None) if header.iter().all(|l| l.trim().is_empty()) => return None,
                Ok(None) => break,
                Err(e) => {
                    self.record += 1;
                    let title = header.first().cloned().unwrap_or_default();
                    let location = self.location(&title, self.line_no + 1);
                    return Some(Err(Error::Record(RecordError {
                        location,
                        kind: Kind::Io(e.to_string()),
                    })));
                }
            }
            if header.len() == 1 && header[0].starts_with("$$$$") {
                header.clear(); // an empty record: ignore the stray separator
            }
        }
        // Blank lines up to the end of the input are no record. Otherwise
        // the first non-blank line after three blank ones is a counts line.
        if header.len() == 3 && header.iter().all(|l| l.trim().is_empty()) {
            loop {
                match self.next_line() {
                    Ok(Some(line)) if line.trim().is_empty() => {}
                    Ok(Some(line)) => {
                        self.line_no -= 1;
                        self.pushed_back = Some(line);
                        break;
                    }
                    Ok(None) => return None,
                    Err(_) => break,
                }
            }
        }
        self.record += 1;
        let title = header.first().cloned().unwrap_or_default();
        let result = if header.len() < 3 {
            self.terminated = true;
            Err((
                self.line_no,
                Kind::UnexpectedEnd {
                    block: "header",
                    expected: "three header lines and a counts line".into(),
                },
            ))
        } else {
            self.parse_body(&header)
        };
        match result {
            Ok(mol) => Some(Ok(mol)),
            Err((line, kind)) => {
                let error = RecordError {
                    location: self.location(&title, line),
                    kind,
                };
                if !self.terminated {
                    // A read error here ends the input; this record's error
                    // is the one to report.
                    let _ = self.skip_record();
                }
                Some(Err(Error::Record(error)))
            }
        }
    }

    fn skip_record(&mut self) -> Result<(), io::Error> {
        while let Some(line) = self.next_line()? {
            if line.starts_with("$$$$") {
                break;
            }
        }
        Ok(())
    }

    fn parse_body(&mut self, header: &[String]) -> Result<Input, Fail> {
        let says_3d = header[1].get(20..22) == Some("3D");
        let (counts_no, counts) = self.line("header", "the counts line")?;
        let version = counts.get(33..39).map(str::trim).unwrap_or("");
        let ctab = if version.eq_ignore_ascii_case("V3000") {
            self.read_v3000()?
        } else {
            self.read_v2000(counts_no, &counts)?
        };
        let mol = self.build(&header[0], &header[2], ctab, says_3d, counts_no)?;
        self.read_data_items(mol)
    }

    fn read_v2000(&mut self, counts_no: usize, counts: &str) -> Result<Ctab, Fail> {
        let (num_atoms, num_bonds) = parse_counts(counts).map_err(|reason| {
            (
                counts_no,
                Kind::CountsLine {
                    line: counts.to_string(),
                    reason,
                },
            )
        })?;
        let mut ctab = Ctab::default();
        for i in 0..num_atoms {
            let expected = format!("atom line {} of {num_atoms}", i + 1);
            let (no, line) = self.line("atom block", &expected)?;
            let (atom, point) = parse_atom_v2000(&line, i + 1).map_err(|k| (no, k))?;
            ctab.atoms.push(atom);
            ctab.coords.push(point);
            ctab.atom_lines.push(no);
        }
        for i in 0..num_bonds {
            let expected = format!("bond line {} of {num_bonds}", i + 1);
            let (no, line) = self.line("bond block", &expected)?;
            let bond = parse_bond_v2000(&line, i + 1, num_atoms).map_err(|k| (no, k))?;
            ctab.bonds.push(bond);
            ctab.bond_lines.push(no);
        }
        self.read_properties(&mut ctab)?;
        Ok(ctab)
    }

    /// The V2000 properties block up to and including `M  END`.
    fn read_properties(&mut self, ctab: &mut Ctab) -> Result<(), Fail> {
        let mut charges_reset = false;
        let mut isotopes_reset = false;
        loop {
            let (no, line) = match self.line("properties block", "'M  END'") {
                Err((no, Kind::RecordEndsEarly { .. })) => return Err((no, Kind::MissingEnd)),
                Err((no, Kind::UnexpectedEnd { .. })) => return Err((no, Kind::MissingEnd)),
                other => other?,
            };
            let tag = line.get(0..6).unwrap_or(line.as_str());
            match tag {
                "M  END" => return Ok(()),
                "M  CHG" | "M  RAD" | "M  ISO" => {
                    let entries = parse_property_entries(&line, ctab.atoms.len())
                        .map_err(|r| (no, Kind::PropertyLine(format!("'{line}': {r}"))))?;
                    // The first CHG or RAD line supersedes every charge and
                    // radical of the atom block; ISO supersedes mass fields.
                    if tag != "M  ISO" && !charges_reset {
                        for atom in &mut ctab.atoms {
                            atom.charge = 0;
                            atom.radical = Radical::None;
                        }
                        charges_reset = true;
                    }
                    if tag == "M  ISO" && !isotopes_reset {
                        ctab.atoms.iter_mut().for_each(|a| a.isotope = None);
                        isotopes_reset = true;
                    }
                    for (atom, value) in entries {
                        let a = &mut ctab.atoms[atom];
                        match tag {
                            "M  CHG" => {
                                a.charge = i8::try_from(value)
                                    .ok()
                                    .filter(|q| q.unsigned_abs() <= 15)
                                    .ok_or_else(|| bad_value(no, &line, value))?
                            }
                            "M  RAD" => {
                                a.radical = u8::try_from(value)
                                    .ok()
                                    .and_then(Radical::from_code)
                                    .ok_or_else(|| bad_value(no, &line, value))?
                            }
                            _ => {
                                a.isotope = Some(
                                    u16::try_from(value)
                                        .ok()
                                        .filter(|&m| m > 0)
                                        .ok_or_else(|| bad_value(no, &line, value))?,
                                )
                            }
                        }
                    }
                }
                // Atom alias and group abbreviation lines carry a second line.
                _ if tag.starts_with("A  ") || tag.starts_with("G  ") => {
                    self.line("properties block", "the text line of an alias")?;
                }
                _ if tag.starts_with("S  SKP") => {
                    let n: usize = line[6..].trim().parse().map_err(|_| {
                        (
                            no,
                            Kind::PropertyLine(format!("'{line}': expected a line count")),
                        )
                    })?;
                    for _ in 0..n {
                        self.line("properties block", "a skipped line")?;
                    }
                }
                _ if tag.starts_with("M  ") || tag.starts_with("V  ") => {}
                _ if line.starts_with('>') => return Err((no, Kind::MissingEnd)),
                _ if line.trim().is_empty() => {}
                _ => {
                    return Err((
                        no,
                        Kind::PropertyLine(format!(
                            "'{line}': expected a property line ('M  ...') or 'M  END'; \
                             is the counts line right?"
                        )),
                    ))
                }
            }
        }
    }

    fn read_v3000(&mut self) -> Result<Ctab, Fail> {
        let mut ctab = Ctab::default();
        let mut ids: HashMap<u64, usize> = HashMap::new();
        let (mut num_atoms, mut num_bonds) = (None, None);
        let mut skipping: Option<String> = None;
        // The CTfile format wraps the connection table in 'BEGIN CTAB' …
        // 'END CTAB'; a table that is never closed may have lost lines.
        let mut ctab_state = CtabState::NotOpened;
        loop {
            let (no, text) = self.v30_line()?;
            let Some(text) = text else {
                // 'M  END' closes the record's molfile part.
                if num_atoms.is_none() {
                    return Err((no, Kind::V3000("no COUNTS line before 'M  END'".into())));
                }
                if ctab_state != CtabState::Closed {
                    return Err((
                        no,
                        Kind::V3000(
                            "the CTAB block is never closed: expected 'M  V30 END CTAB' before 'M  END'"
                                .into(),
                        ),
                    ));
                }
                break;
            };
            let words: Vec<&str> = text.split_whitespace().collect();
            if let Some(block) = &skipping {
                if words.first() == Some(&"END") && words.get(1) == Some(&block.as_str()) {
                    skipping = None;
                }
                continue;
            }
            match (ctab_state, words.as_slice()) {
                (CtabState::NotOpened, ["BEGIN", "CTAB"]) => ctab_state = CtabState::Open,
                (CtabState::NotOpened, _) => {
                    return Err((
                        no,
                        Kind::V3000(format!(
                            "expected 'M  V30 BEGIN CTAB', found 'M  V30 {text}'"
                        )),
                    ))
                }
                (CtabState::Open, ["END", "CTAB"]) => ctab_state = CtabState::Closed,
                (CtabState::Open, ["COUNTS", na, nb, ..]) => {
                    let parse = |s: &str| s.parse::<usize>().ok();
                    match (parse(na), parse(nb)) {
                        (Some(a), Some(b)) => {
                            num_atoms = Some(a);
                            num_bonds = Some(b);
                        }
                        _ => {
                            return Err((
                                no,
                                Kind::CountsLine {
                                    line: text.clone(),
                                    reason: "expected 'COUNTS atoms bonds ...'".into(),
                                },
                            ))
                        }
                    }
                }
                (CtabState::Open, ["BEGIN", "ATOM"]) => {
                    let n = num_atoms
                        .ok_or_else(|| (no, Kind::V3000("ATOM block before COUNTS".into())))?;
                    for i in 0..n {
                        let (no, line) = self.v30_expect(&format!("atom {} of {n}", i + 1))?;
                        let (id, atom, point) =
                            parse_atom_v3000(&line, i + 1).map_err(|k| (no, k))?;
                        if ids.insert(id, i).is_some() {
                            return Err((no, Kind::V3000(format!("atom id {id} appears twice"))));
                        }
                        ctab.atoms.push(atom);
                        ctab.coords.push(point);
                        ctab.atom_lines.push(no);
                    }
                    self.v30_keyword("END ATOM")?;
                }
                (CtabState::Open, ["BEGIN", "BOND"]) => {
                    let n = num_bonds
                        .ok_or_else(|| (no, Kind::V3000("BOND block before COUNTS".into())))?;
                    for i in 0..n {
                        let (no, line) = self.v30_expect(&format!("bond {} of {n}", i + 1))?;
                        let bond = parse_bond_v3000(&line, i + 1, &ids, ctab.atoms.len())
                            .map_err(|k| (no, k))?;
                        ctab.bonds.push(bond);
                        ctab.bond_lines.push(no);
                    }
                    self.v30_keyword("END BOND")?;
                }
                (_, ["BEGIN", block, ..]) => skipping = Some(block.to_string()),
                _ => {
                    return Err((no, Kind::V3000(format!("unexpected line 'M  V30 {text}'"))));
                }
            }
        }
        if ctab.atoms.len() != num_atoms.unwrap_or(0) {
            return Err((
                self.line_no,
                Kind::V3000(format!(
                    "COUNTS announces {} atoms but the ATOM block has {}",
                    num_atoms.unwrap_or(0),
                    ctab.atoms.len()
                )),
            ));
        }
        if ctab.bonds.len() != num_bonds.unwrap_or(0) {
            return Err((
                self.line_no,
                Kind::V3000(format!(
                    "COUNTS announces {} bonds but the BOND block has {}",
                    num_bonds.unwrap_or(0),
                    ctab.bonds.len()
                )),
            ));
        }
        Ok(ctab)
    }

    /// The next logical `M  V30` line (continuations joined) with the line
    /// number it starts on, or `None` for `M  END`.
    fn v30_line(&mut self) -> Result<(usize, Option<String>), Fail> {
        let (no, line) = match self.line("V3000 block", "'M  V30 ...' or 'M  END'") {
            Err((no, Kind::RecordEndsEarly { .. })) => return Err((no, Kind::MissingEnd)),
            Err((no, Kind::UnexpectedEnd { .. })) => return Err((no, Kind::MissingEnd)),
            other => other?,
        };
        if line.starts_with("M  END") {
            return Ok((no, None));
        }
        let Some(mut text) = line.strip_prefix("M  V30 ").map(str::to_string) else {
            return Err((
                no,
                Kind::V3000(format!("expected 'M  V30 ...', found '{line}'")),
            ));
        };
        while text.ends_with('-') {
            text.pop();
            let (next_no, next) = self.line("V3000 block", "a continuation line")?;
            match next.strip_prefix("M  V30 ") {
                Some(rest) => text.push_str(rest),
                None => {
                    return Err((
                        next_no,
                        Kind::V3000(format!(
                            "expected a continuation 'M  V30 ...', found '{next}'"
                        )),
                    ))
                }
            }
        }
        Ok((no, Some(text.trim().to_string())))
    }

    fn v30_expect(&mut self, expected: &str) -> Result<(usize, String), Fail> {
        match self.v30_line()? {
            (no, Some(text)) if !text.starts_with("END ") => Ok((no, text)),
            (no, _) => Err((no, Kind::V3000(format!("expected {expected}")))),
        }
    }

    fn v30_keyword(&mut self, keyword: &str) -> Result<(), Fail> {
        match self.v30_line()? {
            (_, Some(text)) if text.split_whitespace().eq(keyword.split_whitespace()) => Ok(()),
            (no, _) => Err((no, Kind::V3000(format!("expected '{keyword}'")))),
        }
    }

    fn build(
        &self,
        title: &str,
        comment: &str,
        ctab: Ctab,
        says_3d: bool,
        counts_no: usize,
    ) -> Result<Input, Fail> {
        let line_of_atom = |i: usize| ctab.atom_lines.get(i).copied().unwrap_or(counts_no);
        // Bonds must join distinct atoms once; report them at their line.
        let mut seen = HashMap::new();
        for (index, bond) in ctab.bonds.iter().enumerate() {
            let [a, b] = bond.atoms;
            let line = ctab.bond_lines.get(index).copied().unwrap_or(counts_no);
            if a == b {
                let e = StructureError::SelfBond {
                    bond: index + 1,
                    atom: a + 1,
                };
                return Err((line, Kind::Structure(e)));
            }
            if let Some(first) = seen.insert((a.min(b), a.max(b)), index) {
                let e = StructureError::DuplicateBond {
                    bond: index + 1,
                    first: first + 1,
                    a: a + 1,
                    b: b + 1,
                };
                return Err((line, Kind::Structure(e)));
            }
        }
        let raw: Vec<(usize, usize, Option<BondOrder>)> = ctab
            .bonds
            .iter()
            .map(|b| (b.atoms[0], b.atoms[1], b.order))
            .collect();
        let orders = if raw.iter().any(|b| b.2.is_none()) {
            kekulize(&ctab.atoms, &raw).map_err(|e| {
                (
                    line_of_atom(e.atoms[0]),
                    Kind::Kekulize {
                        atoms: e.atoms.iter().map(|a| a + 1).collect(),
                    },
                )
            })?
        } else {
            raw.iter()
                .map(|b| b.2.unwrap_or(BondOrder::Single))
                .collect()
        };
        let bonds = ctab
            .bonds
            .iter()
            .zip(orders)
            .map(|(b, order)| Bond {
                atoms: b.atoms,
                order,
                stereo: b.stereo,
            })
            .collect();
        let mut mol = Molecule::new(title, ctab.atoms.clone(), bonds, ctab.coords.clone())
            .map_err(|e| (counts_no, Kind::Structure(e)))?;
        mol.set_comment(comment);
        if self.drawings && mol.is_flat(says_3d) {
            let sketch = Sketch::from_drawing(&mol).map_err(|e| (counts_no, Kind::Structure(e)))?;
            sketch
                .graph()
                .map_err(|e| (counts_no, Kind::Structure(e)))?
                .check_complete(true)
                .map_err(|(atom, e)| (line_of_atom(atom), Kind::Incomplete(e)))?;
            return Ok(Input::Drawing(sketch));
        }
        if !mol.is_flat(says_3d)
            && crate::mol::hydrogens::missing_hydrogens(&mol)
                .iter()
                .any(|&h| h > 0)
        {
            // A 3D structure written without hydrogens: they are placed on
            // the heavy-atom geometry.
            mol = crate::mol::hydrogens::add_hydrogens(&mol)
                .map_err(|e| (counts_no, Kind::Structure(e)))?;
        }
        mol.check_complete(says_3d)
            .map_err(|(atom, e)| (line_of_atom(atom), Kind::Incomplete(e)))?;
        Ok(Input::Structure(mol))
    }

    /// SD data items after `M  END`, up to `$$$$` or the end of input.
    fn read_data_items(&mut self, mut mol: Input) -> Result<Input, Fail> {
        let io_fail = |no: usize, e: io::Error| (no + 1, Kind::Io(e.to_string()));
        loop {
            let Some(line) = self.next_line().map_err(|e| io_fail(self.line_no, e))? else {
                self.terminated = true;
                return Ok(mol);
            };
            if line.starts_with("$$$$") {
                self.terminated = true;
                return Ok(mol);
            }
            if !line.starts_with('>') {
                continue;
            }
            let tag = match (line.find('<'), line.rfind('>')) {
                (Some(a), Some(b)) if b > a => line[a + 1..b].to_string(),
                _ => line[1..].trim().to_string(),
            };
            let mut value: Vec<String> = Vec::new();
            loop {
                match self.next_line().map_err(|e| io_fail(self.line_no, e))? {
                    None => {
                        mol.push_data(tag, value.join("\n"));
                        self.terminated = true;
                        return Ok(mol);
                    }
                    Some(l) if l.starts_with("$$$$") => {
                        mol.push_data(tag, value.join("\n"));
                        self.terminated = true;
                        return Ok(mol);
                    }
                    Some(l) if l.trim().is_empty() => break,
                    Some(l) => value.push(l),
                }
            }
            mol.push_data(tag, value.join("\n"));
        }
    }
}

impl<R: BufRead> Iterator for SdfReader<R> {
    type Item = Result<Molecule, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.drawings = false;
        self.read_record().map(|record| {
            record.map(|input| match input {
                Input::Structure(mol) => mol,
                Input::Drawing(_) => unreachable!("drawings are read by next_input only"),
            })
        })
    }
}

fn bad_value(no: usize, line: &str, value: i64) -> Fail {
    (
        no,
        Kind::PropertyLine(format!("'{line}': value {value} is out of range")),
    )
}

/// Fixed-column field, `""` where the line is shorter.
fn field(line: &str, start: usize, end: usize) -> &str {
    let end = end.min(line.len());
    if start >= end {
        return "";
    }
    line.get(start..end).unwrap_or("")
}

fn parse_counts(line: &str) -> Result<(usize, usize), String> {
    let fixed = (
        field(line, 0, 3).trim().parse(),
        field(line, 3, 6).trim().parse(),
    );
    if let (Ok(a), Ok(b)) = fixed {
        return Ok((a, b));
    }
    // Some writers do not align the counts; accept two leading integers.
    let mut words = line.split_whitespace();
    match (
        words.next().map(str::parse::<usize>),
        words.next().map(str::parse::<usize>),
    ) {
        (Some(Ok(a)), Some(Ok(b))) if line.len() < 6 || !line.is_char_boundary(6) || a < 1000 => {
            Ok((a, b))
        }
        _ => Err("expected the number of atoms in columns 1-3 and of bonds in columns 4-6".into()),
    }
}

/// The V2000 atom-block charge code.
fn charge_from_code(code: i64) -> Option<(i8, Radical)> {
    Some(match code {
        0 => (0, Radical::None),
        1 => (3, Radical::None),
        2 => (2, Radical::None),
        3 => (1, Radical::None),
        4 => (0, Radical::Doublet),
        5 => (-1, Radical::None),
        6 => (-2, Radical::None),
        7 => (-3, Radical::None),
        _ => return None,
    })
}

fn charge_code(charge: i8) -> i8 {
    match charge {
        3 => 1,
        2 => 2,
        1 => 3,
        -1 => 5,
        -2 => 6,
        -3 => 7,
        _ => 0,
    }
}

fn parse_element(symbol: &str) -> Result<(Element, Option<u16>), Kind> {
    match symbol {
        "D" => Ok((Element::H, Some(2))),
        "T" => Ok((Element::H, Some(3))),
        s => Element::from_symbol(s)
            .map(|e| (e, None))
            .ok_or_else(|| Kind::UnknownElement(s.to_string())),
    }
}

/// Largest coordinate accepted (Å); anything beyond is a corrupt file.
const MAX_COORDINATE: f64 = 1e6;

fn parse_coordinate(text: &str, field_name: &'static str, atom: usize) -> Result<f64, Kind> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.abs() <= MAX_COORDINATE)
        .ok_or_else(|| Kind::BadNumber {
            field: field_name,
            atom,
            value: text.trim().to_string(),
        })
}

fn parse_atom_v2000(line: &str, atom: usize) -> Result<(Atom, Point3<f64>), Kind> {
    let names = ["x coordinate", "y coordinate", "z coordinate"];
    let fixed: Vec<&str> = vec![field(line, 0, 10), field(line, 10, 20), field(line, 20, 30)];
    let symbol = field(line, 31, 34).trim();
    let fixed_ok = !symbol.is_empty()
        && fixed
            .iter()
            .all(|t| t.trim().parse::<f64>().is_ok_and(f64::is_finite));
    let (coords, symbol, mass_diff, charge) = if fixed_ok {
        (
            fixed,
            symbol,
            field(line, 34, 36).trim(),
            field(line, 36, 39).trim(),
        )
    } else {
        // Not aligned to the columns: try whitespace-separated fields.
        let words: Vec<&str> = line.split_whitespace().collect();
        let loose_ok = words.len() >= 4
            && words[..3]
                .iter()
                .all(|t| t.parse::<f64>().is_ok_and(f64::is_finite));
        if !loose_ok {
            // Report the first bad fixed-column value.
            for (k, t) in fixed.iter().enumerate() {
                parse_coordinate(t, names[k], atom)?;
            }
            return Err(Kind::AtomLine {
                atom,
                reason: format!("expected x, y, z and an element symbol, found '{line}'"),
            });
        }
        let get = |k: usize| words.get(k).copied().unwrap_or("0");
        (words[..3].to_vec(), words[3], get(4), get(5))
    };
    let mut xyz = [0.0; 3];
    for k in 0..3 {
        xyz[k] = parse_coordinate(coords[k], names[k], atom)?;
    }
    let (element, isotope) = parse_element(symbol)?;
    let int = |text: &str, what: &str| -> Result<i64, Kind> {
        if text.is_empty() {
            return Ok(0);
        }
        text.parse::<i64>().map_err(|_| Kind::AtomLine {
            atom,
            reason: format!("{what} is not an integer: '{text}'"),
        })
    };
    let mass_diff = int(mass_diff, "mass difference")?;
    let (charge, radical) =
        charge_from_code(int(charge, "charge code")?).ok_or_else(|| Kind::AtomLine {
            atom,
            reason: format!("charge code '{charge}' is not 0-7"),
        })?;
    let isotope = match (isotope, mass_diff) {
        (Some(m), _) => Some(m),
        (None, 0) => None,
        (None, d) => Some((i64::from(element.nominal_mass()) + d).max(1) as u16),
    };
    Ok((
        Atom {
            element,
            charge,
            isotope,
            radical,
        },
        Point3::new(xyz[0], xyz[1], xyz[2]),
    ))
}

fn bond_order(code: &str, bond: usize) -> Result<Option<BondOrder>, Kind> {
    match code {
        "1" => Ok(Some(BondOrder::Single)),
        "2" => Ok(Some(BondOrder::Double)),
        "3" => Ok(Some(BondOrder::Triple)),
        "4" => Ok(None),
        other => Err(Kind::BondType {
            bond,
            bond_type: other.to_string(),
        }),
    }
}

fn bond_atom(text: &str, bond: usize, num_atoms: usize) -> Result<usize, Kind> {
    let atom: usize = text.trim().parse().map_err(|_| Kind::BondLine {
        bond,
        reason: format!("atom number '{}' is not a positive integer", text.trim()),
    })?;
    if atom == 0 || atom > num_atoms {
        return Err(Kind::Structure(StructureError::BondAtomOutOfRange {
            bond,
            atom,
            num_atoms,
        }));
    }
    Ok(atom - 1)
}

fn parse_bond_v2000(line: &str, bond: usize, num_atoms: usize) -> Result<RawBond, Kind> {
    let fixed = [
        field(line, 0, 3),
        field(line, 3, 6),
        field(line, 6, 9),
        field(line, 9, 12),
    ];
    let fixed_ok = fixed[..3].iter().all(|t| t.trim().parse::<u32>().is_ok());
    let words: Vec<&str> = if fixed_ok {
        fixed.iter().map(|t| t.trim()).collect()
    } else {
        line.split_whitespace().collect()
    };
    if words.len() < 3 || words[2].is_empty() {
        return Err(Kind::BondLine {
            bond,
            reason: format!("expected two atom numbers and a bond type, found '{line}'"),
        });
    }
    let a = bond_atom(words[0], bond, num_atoms)?;
    let b = bond_atom(words[1], bond, num_atoms)?;
    let order = bond_order(words[2], bond)?;
    let stereo = words
        .get(3)
        .filter(|s| !s.is_empty())
        .map_or(Ok(0), |s| s.parse::<u8>())
        .map_err(|_| Kind::BondLine {
            bond,
            reason: format!("stereo field '{}' is not an integer", words[3]),
        })?;
    Ok(RawBond {
        atoms: [a, b],
        order,
        stereo,
    })
}

/// `M  CHGnn8 aaa vvv ...` entries as (0-based atom, value).
fn parse_property_entries(line: &str, num_atoms: usize) -> Result<Vec<(usize, i64)>, String> {
    let numbers: Vec<i64> = line[6..]
        .split_whitespace()
        .map(|w| {
            w.parse::<i64>()
                .map_err(|_| format!("'{w}' is not an integer"))
        })
        .collect::<Result<_, _>>()?;
    let (&count, rest) = numbers.split_first().ok_or("missing entry count")?;
    if count < 0 || rest.len() != 2 * count as usize {
        return Err(format!(
            "announces {count} entries but has {} numbers",
            rest.len()
        ));
    }
    rest.chunks(2)
        .map(|pair| {
            let atom = pair[0];
            if atom < 1 || atom as usize > num_atoms {
                return Err(format!(
                    "atom {atom} does not exist (the record has {num_atoms} atoms)"
                ));
            }
            Ok((atom as usize - 1, pair[1]))
        })
        .collect()
}

/// Splits a V3000 line into words, keeping quoted strings and parenthesised
/// lists (`(3 1 2 3)`) whole.
fn v3000_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                current.push(c);
            }
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            c if c.is_whitespace() && !quoted && depth == 0 => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn parse_atom_v3000(text: &str, atom: usize) -> Result<(u64, Atom, Point3<f64>), Kind> {
    let words = v3000_words(text);
    if words.len() < 6 {
        return Err(Kind::AtomLine {
            atom,
            reason: format!("expected 'index type x y z aamap [properties]', found '{text}'"),
        });
    }
    let id = words[0].parse::<u64>().map_err(|_| Kind::AtomLine {
        atom,
        reason: format!("atom id '{}' is not a positive integer", words[0]),
    })?;
    let symbol = words[1].trim_matches('"');
    let (element, mut isotope) = parse_element(symbol)?;
    let x = parse_coordinate(&words[2], "x coordinate", atom)?;
    let y = parse_coordinate(&words[3], "y coordinate", atom)?;
    let z = parse_coordinate(&words[4], "z coordinate", atom)?;
    let mut result = Atom {
        element,
        charge: 0,
        isotope: None,
        radical: Radical::None,
    };
    for word in &words[6..] {
        let Some((key, value)) = word.split_once('=') else {
            continue;
        };
        let number = || {
            value.parse::<i64>().map_err(|_| Kind::AtomLine {
                atom,
                reason: format!("{key} value '{value}' is not an integer"),
            })
        };
        match key.to_ascii_uppercase().as_str() {
            "CHG" => {
                result.charge = i8::try_from(number()?)
                    .ok()
                    .filter(|q| q.unsigned_abs() <= 15)
                    .ok_or_else(|| Kind::AtomLine {
                        atom,
                        reason: format!("charge {value} is out of range"),
                    })?
            }
            "MASS" => {
                isotope = Some(
                    u16::try_from(number()?)
                        .ok()
                        .filter(|&m| m > 0)
                        .ok_or_else(|| Kind::AtomLine {
                            atom,
                            reason: format!("mass {value} is out of range"),
                        })?,
                )
            }
            "RAD" => {
                result.radical = u8::try_from(number()?)
                    .ok()
                    .and_then(Radical::from_code)
                    .ok_or_else(|| Kind::AtomLine {
                        atom,
                        reason: format!("radical {value} is not 0-3"),
                    })?
            }
            _ => {}
        }
    }
    result.isotope = isotope;
    Ok((id, result, Point3::new(x, y, z)))
}

fn parse_bond_v3000(
    text: &str,
    bond: usize,
    ids: &HashMap<u64, usize>,
    num_atoms: usize,
) -> Result<RawBond, Kind> {
    let words = v3000_words(text);
    if words.len() < 4 {
        return Err(Kind::BondLine {
            bond,
            reason: format!("expected 'index type atom1 atom2', found '{text}'"),
        });
    }
    let order = bond_order(&words[1], bond)?;
    let atom = |w: &str| -> Result<usize, Kind> {
        let id = w.parse::<u64>().map_err(|_| Kind::BondLine {
            bond,
            reason: format!("atom id '{w}' is not a positive integer"),
        })?;
        ids.get(&id)
            .copied()
            .ok_or(Kind::Structure(StructureError::BondAtomOutOfRange {
                bond,
                atom: id as usize,
                num_atoms,
            }))
    };
    let a = atom(&words[2])?;
    let b = atom(&words[3])?;
    let cfg = words[4..]
        .iter()
        .find_map(|w| w.strip_prefix("CFG="))
        .and_then(|v| v.parse::<u8>().ok())
        .unwrap_or(0);
    // V3000 CFG to the V2000 stereo field: 1 wedge, 2 either, 3 hash.
    let stereo = match (cfg, order) {
        (1, _) => 1,
        (2, Some(BondOrder::Double)) => 3,
        (2, _) => 4,
        (3, _) => 6,
        _ => 0,
    };
    Ok(RawBond {
        atoms: [a, b],
        order,
        stereo,
    })
}

/// Writes one SDF record: the molecule with `coords` in place of its own
/// coordinates, its SD data items, then `tags` (e.g. `ENERGY`).
pub fn write_record<W: Write>(
    out: &mut W,
    mol: &Molecule,
    coords: &[Point3<f64>],
    tags: &[(String, String)],
) -> io::Result<()> {
    if coords.len() != mol.num_atoms() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} coordinates for {} atoms", coords.len(), mol.num_atoms()),
        ));
    }
    // V2000 holds at most 999 atoms and bonds and coordinates of 10 columns.
    let fits_v2000 = mol.num_atoms() <= 999
        && mol.bonds().len() <= 999
        && coords.iter().all(|p| p.iter().all(|v| v.abs() < 99_999.0));
    writeln!(out, "{}", single_line(mol.name()))?;
    writeln!(out, "{:>10}{:10}3D", "conformers", "")?;
    writeln!(out, "{}", single_line(mol.comment()))?;
    if fits_v2000 {
        write_v2000(out, mol, coords)?;
    } else {
        write_v3000(out, mol, coords)?;
    }
    writeln!(out, "M  END")?;
    for (tag, value) in mol.data().iter().chain(tags) {
        writeln!(out, "> <{tag}>")?;
        for line in value.lines() {
            // A blank line would end the value early.
            writeln!(out, "{}", if line.trim().is_empty() { " " } else { line })?;
        }
        writeln!(out)?;
    }
    writeln!(out, "$$$$")
}

fn single_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn write_v2000<W: Write>(out: &mut W, mol: &Molecule, coords: &[Point3<f64>]) -> io::Result<()> {
    writeln!(
        out,
        "{:>3}{:>3}  0  0  0  0  0  0  0  0999 V2000",
        mol.num_atoms(),
        mol.bonds().len()
    )?;
    for (atom, p) in mol.atoms().iter().zip(coords) {
        writeln!(
            out,
            "{:>10.4}{:>10.4}{:>10.4} {:<3} 0{:>3}  0  0  0  0  0  0  0  0  0  0",
            p.x,
            p.y,
            p.z,
            atom.element.symbol(),
            charge_code(atom.charge)
        )?;
    }
    for bond in mol.bonds() {
        writeln!(
            out,
            "{:>3}{:>3}{:>3}{:>3}",
            bond.atoms[0] + 1,
            bond.atoms[1] + 1,
            bond.order.valence(),
            bond.stereo
        )?;
    }
    let atoms = mol.atoms();
    let charged: Vec<(usize, i64)> = (0..atoms.len())
        .filter(|&i| atoms[i].charge != 0)
        .map(|i| (i, atoms[i].charge.into()))
        .collect();
    let radicals: Vec<(usize, i64)> = (0..atoms.len())
        .filter(|&i| atoms[i].radical != Radical::None)
        .map(|i| (i, atoms[i].radical.code().into()))
        .collect();
    let isotopes: Vec<(usize, i64)> = (0..atoms.len())
        .filter_map(|i| atoms[i].isotope.map(|m| (i, m.into())))
        .collect();
    write_property(out, "CHG", &charged)?;
    write_property(out, "RAD", &radicals)?;
    write_property(out, "ISO", &isotopes)
}

fn write_property<W: Write>(out: &mut W, name: &str, entries: &[(usize, i64)]) -> io::Result<()> {
    for chunk in entries.chunks(8) {
        write!(out, "M  {name}{:>3}", chunk.len())?;
        for (atom, value) in chunk {
            write!(out, " {:>3} {:>3}", atom + 1, value)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_v3000<W: Write>(out: &mut W, mol: &Molecule, coords: &[Point3<f64>]) -> io::Result<()> {
    writeln!(out, "  0  0  0     0  0            999 V3000")?;
    v30(out, "BEGIN CTAB")?;
    v30(
        out,
        &format!("COUNTS {} {} 0 0 0", mol.num_atoms(), mol.bonds().len()),
    )?;
    v30(out, "BEGIN ATOM")?;
    for (i, (atom, p)) in mol.atoms().iter().zip(coords).enumerate() {
        let mut line = format!(
            "{} {} {:.4} {:.4} {:.4} 0",
            i + 1,
            atom.element.symbol(),
            p.x,
            p.y,
            p.z
        );
        if atom.charge != 0 {
            line.push_str(&format!(" CHG={}", atom.charge));
        }
        if atom.radical != Radical::None {
            line.push_str(&format!(" RAD={}", atom.radical.code()));
        }
        if let Some(mass) = atom.isotope {
            line.push_str(&format!(" MASS={mass}"));
        }
        v30(out, &line)?;
    }
    v30(out, "END ATOM")?;
    if !mol.bonds().is_empty() {
        v30(out, "BEGIN BOND")?;
        for (i, bond) in mol.bonds().iter().enumerate() {
            let mut line = format!(
                "{} {} {} {}",
                i + 1,
                bond.order.valence(),
                bond.atoms[0] + 1,
                bond.atoms[1] + 1
            );
            let cfg = match bond.stereo {
                1 => 1,
                3 | 4 => 2,
                6 => 3,
                _ => 0,
            };
            if cfg != 0 {
                line.push_str(&format!(" CFG={cfg}"));
            }
            v30(out, &line)?;
        }
        v30(out, "END BOND")?;
    }
    v30(out, "END CTAB")
}

/// Writes a `M  V30` line, continued with `-` past 80 columns.
fn v30<W: Write>(out: &mut W, text: &str) -> io::Result<()> {
    const WIDTH: usize = 72;
    let mut rest = text;
    while rest.len() > WIDTH {
        let (head, tail) = rest.split_at(WIDTH);
        writeln!(out, "M  V30 {head}-")?;
        rest = tail;
    }
    writeln!(out, "M  V30 {rest}")
}
