//! `conformers`: conformer ensembles of small molecules.
//!
//! The pipeline reads molecules ([`io`]), builds the molecular graph
//! ([`mol`]), types them and evaluates MMFF94 ([`forcefield::mmff`]), finds
//! the rotatable bonds and the energy as a function of their torsions
//! ([`torsion`]), learns a sampler of the torsion Boltzmann distribution
//! ([`sampler`]), and minimises, compares and prunes conformers
//! ([`ensemble`]). [`generate`] runs that pipeline for one molecule in
//! either mode (distinct minima or weighted Boltzmann draws). [`info`],
//! [`energy`] and [`bench`] build the reports of the `conformers info`,
//! `energy` and `bench` commands. See the README for the command-line
//! tool.

pub mod bench;
pub mod energy;
pub mod ensemble;
pub mod error;
pub mod forcefield;
pub mod generate;
pub mod info;
pub mod io;
pub mod mol;
pub mod sampler;
pub mod torsion;

pub use error::{Error, Location, RecordError, RecordErrorKind};
pub use mol::Molecule;
