//! Cartesian minimisation against RDKit's minima from the same strained
//! starts (`tests/data/dev_rdkit_minima.json`, made by
//! `tests/data/make_rdkit_minima.py`).

use crate::util::{data, read_ok, shared};
use conformers::ensemble::minimize::{minimize_molecule, MinimizeOptions};
use conformers::forcefield::mmff::{MmffOptions, MmffSystem};
use serde_json::Value;

#[test]
fn minima_equal_rdkit_from_the_same_start() {
    let Some(sdf) = shared("forcefield-reference/dev/mmff94_dev.sdf") else {
        return;
    };
    let mols = read_ok(&sdf);
    let text = std::fs::read_to_string(data("dev_rdkit_minima.json")).unwrap();
    let reference: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(mols.len(), reference.len());
    let mut worst: f64 = f64::NEG_INFINITY;
    for (mol, r) in mols.iter().zip(&reference) {
        assert_eq!(mol.name(), r["name"].as_str().unwrap());
        let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
        let start = system.energy(mol.coords()).total();
        assert!((start - r["start_energy"].as_f64().unwrap()).abs() < 1e-4);
        let m = minimize_molecule(mol, &system, &MinimizeOptions::default());
        assert!(m.result.converged, "{}", mol.name());
        let diff = m.energy - r["energy"].as_f64().unwrap();
        assert!(
            diff <= 0.01,
            "{}: {} vs RDKit {}",
            mol.name(),
            m.energy,
            r["energy"]
        );
        worst = worst.max(diff);
        // The written energy is the energy of the returned coordinates.
        assert!((system.energy(&m.coords).total() - m.energy).abs() < 1e-9);
    }
    eprintln!(
        "largest E - E_RDKit over {} minimisations: {worst:.2e} kcal/mol",
        mols.len()
    );
}
