//! `conformers energy`: single-point MMFF94 energies, per term, with
//! optional gradients, in the field names of the reference data.

use crate::forcefield::mmff::{Energies, MmffSystem};
use crate::mol::Molecule;
use nalgebra::Vector3;
use serde::Serialize;
use std::fmt::Write as _;

/// One record of `conformers energy --json`.
#[derive(Clone, Debug, Serialize)]
pub struct EnergyReport {
    pub index: usize,
    pub name: String,
    pub ok: bool,
    pub num_atoms: usize,
    pub mmff_atom_types: Vec<u8>,
    pub mmff_formal_charges: Vec<f64>,
    pub mmff_partial_charges: Vec<f64>,
    pub energy: Energies,
    /// dE/dx per atom (kcal/mol/Å), with `--gradient`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Vec<[f64; 3]>>,
}

pub fn report(index: usize, mol: &Molecule, system: &MmffSystem, gradient: bool) -> EnergyReport {
    let mut grad = vec![Vector3::zeros(); mol.num_atoms()];
    let energies = system.energy_gradient(mol.coords(), &mut grad);
    EnergyReport {
        index,
        name: mol.name().to_string(),
        ok: true,
        num_atoms: mol.num_atoms(),
        mmff_atom_types: system.atom_types().to_vec(),
        mmff_formal_charges: system.formal_charges().to_vec(),
        mmff_partial_charges: system.partial_charges().to_vec(),
        energy: energies,
        gradient: gradient.then(|| grad.iter().map(|g| [g.x, g.y, g.z]).collect()),
    }
}

/// Human-readable report; atom numbers 1-based.
pub fn to_text(report: &EnergyReport, mol: &Molecule) -> String {
    let e = &report.energy;
    let mut out = String::new();
    let _ = writeln!(out, "record {}: {}", report.index + 1, report.name);
    let _ = writeln!(out, "  total         {:>14.6} kcal/mol", e.total());
    for (name, value) in [
        ("bond", e.bond),
        ("angle", e.angle),
        ("stretch-bend", e.stretch_bend),
        ("out-of-plane", e.oop),
        ("torsion", e.torsion),
        ("van der Waals", e.vdw),
        ("electrostatic", e.ele),
    ] {
        let _ = writeln!(out, "  {name:<13} {value:>14.6}");
    }
    if let Some(grad) = &report.gradient {
        let _ = writeln!(out, "  gradient (kcal/mol/Å):");
        for (i, g) in grad.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {:<4}{:>3} {:>12.6} {:>12.6} {:>12.6}",
                mol.atom(i).element.symbol(),
                i + 1,
                g[0],
                g[1],
                g[2]
            );
        }
    }
    out
}
