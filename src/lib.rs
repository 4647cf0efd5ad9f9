//! `conformers`: conformer ensembles of small molecules.
//!
//! The pipeline reads molecules ([`io`]), builds the molecular graph
//! ([`mol`]), finds the rotatable bonds ([`torsion`]) and describes them
//! ([`info`]). See the README for the command-line tool.

pub mod energy;
pub mod ensemble;
pub mod error;
pub mod forcefield;
pub mod info;
pub mod io;
pub mod mol;
pub mod torsion;

pub use error::{Error, Location, RecordError, RecordErrorKind};
pub use mol::Molecule;
