//! The library's error type. Messages are written for chemists: they name
//! the file, the record (number and title), the line and what was expected.

use crate::mol::{CompletenessError, StructureError};
use std::fmt;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One record of an input file could not be used; the others may be fine.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The message carries the I/O error's own text (not a separate source,
    /// so that a printed error chain does not repeat it).
    #[error("cannot read {path}: {reason}")]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("cannot write {path}: {reason}")]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
}

/// What is wrong with a SMILES string and where (1-based character column).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct SmilesError {
    pub column: usize,
    pub message: String,
}

/// Where in an input file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// File name as given by the user (`-` for standard input).
    pub file: String,
    /// 1-based record number in the file.
    pub record: usize,
    /// Title line of the record (may be empty).
    pub title: String,
    /// 1-based line number in the file.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: record {}", self.file, self.record)?;
        // Titles of broken files can be anything; show a readable start.
        let title = self.title.trim();
        if !title.is_empty() {
            let shown: String = title.chars().take(60).collect();
            let more = if shown.len() < title.len() { "…" } else { "" };
            write!(f, " ({shown}{more})")?;
        }
        write!(f, ", line {}", self.line)
    }
}

/// A record that cannot be read or used, with its location.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct RecordError {
    pub location: Location,
    pub kind: RecordErrorKind,
}

/// What is wrong with a record. Atom and bond numbers are 1-based, as in the
/// file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordErrorKind {
    #[error("the file ends inside the {block}; expected {expected}")]
    UnexpectedEnd {
        block: &'static str,
        expected: String,
    },
    #[error("the record ends ('$$$$') inside the {block}; expected {expected}")]
    RecordEndsEarly {
        block: &'static str,
        expected: String,
    },
    #[error("malformed counts line '{line}': {reason}")]
    CountsLine { line: String, reason: String },
    #[error(
        "unknown element symbol '{0}' (query atoms, R groups and pseudo-atoms are not supported)"
    )]
    UnknownElement(String),
    #[error("{field} of atom {atom} is not a number: '{value}'")]
    BadNumber {
        field: &'static str,
        atom: usize,
        value: String,
    },
    #[error("malformed atom line for atom {atom}: {reason}")]
    AtomLine { atom: usize, reason: String },
    #[error("malformed bond line for bond {bond}: {reason}")]
    BondLine { bond: usize, reason: String },
    #[error("bond {bond} has type {bond_type}; only 1 (single), 2 (double), 3 (triple) and 4 (aromatic) are supported")]
    BondType { bond: usize, bond_type: String },
    #[error("malformed property line: {0}")]
    PropertyLine(String),
    #[error("no 'M  END' line before the end of the record")]
    MissingEnd,
    #[error("V3000 block: {0}")]
    V3000(String),
    #[error("the aromatic bonds have no Kekulé structure: atoms {} cannot get a double bond (check charges and hydrogens)", list_atoms(.atoms))]
    Kekulize { atoms: Vec<usize> },
    #[error(transparent)]
    Structure(#[from] StructureError),
    #[error("read error: {0}")]
    Io(String),
    #[error(transparent)]
    Incomplete(#[from] CompletenessError),
    /// A SMILES line that cannot be read.
    #[error(transparent)]
    Smiles(#[from] SmilesError),
}

fn list_atoms(atoms: &[usize]) -> String {
    atoms
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
