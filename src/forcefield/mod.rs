//! Force fields.

pub mod mmff;
