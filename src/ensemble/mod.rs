//! Conformer ensembles: minimisation, RMSD, pruning and the minima search.

use nalgebra::Point3;

pub mod bfgs;
pub mod embed;
pub mod lbfgs;
pub mod minimize;
pub mod rmsd;
pub mod search;
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

/// The written force field or the search's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Written,
    Search,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Written => "written",
            Field::Search => "search",
        }
    }
}

/// One output conformer.
#[derive(Clone, Debug)]
pub struct Conformer {
    /// As written: rounded to the 4 decimals of an SDF file.
    pub coords: Vec<Point3<f64>>,
    /// MMFF94 energy of `coords` (kcal/mol).
    pub energy: f64,
    /// Energy of `coords` in the force field the search ranked by (see
    /// [`crate::generate::SearchForcefield`]); `energy` where that is the
    /// written force field.
    pub search_energy: f64,
    /// minima: the force field `coords` are a minimum of; `None` for the
    /// draws of boltzmann mode.
    pub minimum_of: Option<Field>,
    /// boltzmann: self-normalised importance weight; minima: Boltzmann
    /// population from the energies. Sums to 1 over the ensemble.
    pub weight: f64,
}

/// Coordinates as an SDF file holds them (4 decimals), so that the energy
/// reported is the energy of what is written.
pub fn as_written(coords: &[Point3<f64>]) -> Vec<Point3<f64>> {
    let round = |v: f64| format!("{v:.4}").parse::<f64>().unwrap_or(v);
    coords
        .iter()
        .map(|p| Point3::new(round(p.x), round(p.y), round(p.z)))
        .collect()
}

/// The first structure of `tests/data/<name>`, for unit tests.
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> crate::mol::Molecule {
    use crate::io::{open_sdf, sdf::Input};
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let Some(Ok(Input::Structure(mol))) = open_sdf(&path).unwrap().next_input() else {
        panic!("{path}: no structure");
    };
    mol
}
