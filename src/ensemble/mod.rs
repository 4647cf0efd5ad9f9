//! Conformer ensembles: RMSD, pruning and minimisation.

pub mod bfgs;
pub mod lbfgs;
pub mod minimize;
pub mod rmsd;
pub mod variants;
