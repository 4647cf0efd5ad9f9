//! Conformer ensembles: RMSD, pruning and minimisation.

pub mod bfgs;
pub mod lbfgs;
pub mod minimize;
pub mod rmsd;
pub mod variants;

/// Where a minimisation (dense BFGS or L-BFGS) ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinimizeResult {
    pub value: f64,
    pub gradient_rms: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub converged: bool,
}
