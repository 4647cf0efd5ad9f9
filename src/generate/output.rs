//! What `gen` writes of an ensemble: the SD tags of every conformer and
//! the per-molecule JSON summary.

use super::{Ensemble, GenOptions};
use crate::ensemble::search::lowest_energy;
use crate::ensemble::Field;
use crate::mol::Molecule;

/// SD tags of output conformers, in the order written.
pub const TAGS: [&str; 6] = [
    "ENERGY",
    "REL_ENERGY",
    "WEIGHT",
    "CONFORMER_INDEX",
    "SEARCH_ENERGY",
    "MINIMUM_OF",
];

impl Ensemble {
    /// The lowest energy of the output (kcal/mol).
    pub fn lowest_energy(&self) -> f64 {
        lowest_energy(&self.conformers)
    }

    /// The SD tags ([`TAGS`]) of every conformer, in order.
    pub fn tags(&self) -> Vec<Vec<(String, String)>> {
        let lowest = self.lowest_energy();
        self.conformers
            .iter()
            .enumerate()
            .map(|(index, c)| {
                let values = [
                    format!("{:.6}", c.energy),
                    format!("{:.6}", c.energy - lowest),
                    format!("{:.8e}", c.weight),
                    index.to_string(),
                    format!("{:.6}", c.search_energy),
                    c.minimum_of.map_or("none", Field::name).to_string(),
                ];
                TAGS.iter().map(|t| t.to_string()).zip(values).collect()
            })
            .collect()
    }

    /// The per-molecule JSON summary of `gen --json` (without `name`, `index`,
    /// `status` and `wall_time_s`, which the caller knows).
    pub fn summary(&self, mol: &Molecule, options: &GenOptions) -> serde_json::Value {
        let lowest = self.lowest_energy();
        let conformers: Vec<serde_json::Value> = self
            .conformers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                serde_json::json!({
                    "index": i,
                    "energy": c.energy,
                    "rel_energy": c.energy - lowest,
                    "weight": c.weight,
                    "search_energy": c.search_energy,
                    "minimum_of": c.minimum_of,
                })
            })
            .collect();
        serde_json::json!({
            "mode": options.mode,
            "search_forcefield": options.search_forcefield,
            "num_atoms": mol.num_atoms(),
            "num_rotors": self.rotors.len(),
            "rotors": self.rotors,
            "temperature": options.temperature,
            "sampling_temperature": self.sampling_temperature,
            "reference_energy": self.reference_energy,
            "log_z": self.log_z,
            "ess": self.ess,
            "draws": self.draws,
            "energy_evaluations": self.energy_evaluations,
            "train_time_s": self.train_seconds,
            "minimizations": self.minimizations,
            "stereo_rejected": self.stereo_rejected,
            "variants_found": self.variants_found,
            "variants_searched": self.variants_searched,
            "num_conformers": self.conformers.len(),
            "conformers": conformers,
        })
    }
}
