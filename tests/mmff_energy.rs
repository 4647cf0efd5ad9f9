//! Full MMFF94 set-up (charges, interaction classes, parameter step-down,
//! empirical rules) against RDKit on the development set.

use crate::util::{data, jsonl, read_ok, shared, term, TERMS};
use conformers::forcefield::mmff::{Dielectric, MmffOptions, MmffSystem, Variant};
use conformers::Molecule;
use nalgebra::Vector3;
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// Compares a system with a reference record; returns a description of
/// every disagreement beyond the tolerances.
pub fn compare(mol: &Molecule, system: &MmffSystem, record: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let types: Vec<u8> = record["mmff_atom_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap() as u8)
        .collect();
    if system.atom_types() != types.as_slice() {
        problems.push(format!("atom types {:?} vs {types:?}", system.atom_types()));
        return problems;
    }
    for (what, got, key) in [
        (
            "formal charge",
            system.formal_charges(),
            "mmff_formal_charges",
        ),
        (
            "partial charge",
            system.partial_charges(),
            "mmff_partial_charges",
        ),
    ] {
        for (a, r) in record[key].as_array().unwrap().iter().enumerate() {
            if (got[a] - f(r)).abs() > 1e-6 {
                problems.push(format!("{what} of atom {a}: {} vs {}", got[a], f(r)));
            }
        }
    }
    let mut grad = vec![Vector3::zeros(); mol.num_atoms()];
    let e = system.energy_gradient(mol.coords(), &mut grad);
    for name in TERMS {
        let reference = f(&record["energy"][name]);
        let tolerance = 1e-4_f64.max(1e-6 * reference.abs());
        if (term(&e, name) - reference).abs() > tolerance {
            problems.push(format!("{name}: {} vs {reference}", term(&e, name)));
        }
    }
    for (a, row) in record["gradient"].as_array().unwrap().iter().enumerate() {
        for c in 0..3 {
            if (grad[a][c] - f(&row[c])).abs() > 1e-4 {
                problems.push(format!(
                    "gradient atom {a}: {} vs {}",
                    grad[a][c],
                    f(&row[c])
                ));
                break;
            }
        }
    }
    problems
}

#[test]
fn dev_set_matches_rdkit() {
    let Some(dir) = shared("forcefield-reference/dev") else {
        return;
    };
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    let variants = [
        (
            "mmff94_dev.mmff94.jsonl",
            Variant::Mmff94,
            Dielectric::Constant,
            1.0,
        ),
        (
            "mmff94_dev.mmff94s.jsonl",
            Variant::Mmff94s,
            Dielectric::Constant,
            1.0,
        ),
        (
            "mmff94_dev.mmff94_dist4.jsonl",
            Variant::Mmff94,
            Dielectric::Distance,
            4.0,
        ),
    ];
    let mut failures = Vec::new();
    for (file, variant, dielectric, d) in variants {
        let records = jsonl(&dir.join(file));
        let options = MmffOptions {
            variant,
            dielectric,
            dielectric_constant: d,
            cutoff: None,
        };
        for (mol, record) in mols.iter().zip(&records) {
            let system = MmffSystem::new(mol, &options).unwrap();
            let problems = compare(mol, &system, record);
            if !problems.is_empty() {
                failures.push(format!("{file} {}: {}", mol.name(), problems.join("; ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The validation suite against RDKit (types, charges, energies and
/// gradients) and OPTIMOL's totals (within 0.006 kcal/mol).
#[test]
fn validation_suite_matches_rdkit_and_optimol() {
    let Some(dir) = shared("forcefield-reference/mmff94-validation") else {
        return;
    };
    let mut failures = Vec::new();
    let mut worst = 0.0f64;
    for (sdf, jsonl_file, variant) in [
        (
            "MMFF94_hypervalent.sdf",
            "MMFF94_suite.reference.jsonl",
            Variant::Mmff94,
        ),
        (
            "MMFF94_dative.sdf",
            "MMFF94_suite.reference.jsonl",
            Variant::Mmff94,
        ),
        (
            "MMFF94s_hypervalent.sdf",
            "MMFF94s_suite.reference.jsonl",
            Variant::Mmff94s,
        ),
        (
            "MMFF94s_dative.sdf",
            "MMFF94s_suite.reference.jsonl",
            Variant::Mmff94s,
        ),
    ] {
        let mols = read_ok(&dir.join("rdkit").join(sdf));
        let records = jsonl(&dir.join("derived").join(jsonl_file));
        assert_eq!(mols.len(), records.len());
        let options = MmffOptions {
            variant,
            ..MmffOptions::default()
        };
        for (mol, record) in mols.iter().zip(&records) {
            let system = match MmffSystem::new(mol, &options) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{sdf} {}: {e}", mol.name()));
                    continue;
                }
            };
            let mut problems = compare(mol, &system, record);
            let optimol = f(&record["ref_optimol_total"]);
            let total = system.energy(mol.coords()).total();
            worst = worst.max((total - optimol).abs());
            if (total - optimol).abs() > 0.006 {
                problems.push(format!("total {total} vs OPTIMOL {optimol}"));
            }
            if !problems.is_empty() {
                failures.push(format!("{sdf} {}: {}", mol.name(), problems.join("; ")));
            }
        }
    }
    eprintln!("largest |E - E_OPTIMOL| = {worst:.6} kcal/mol");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Large fused aromatics whose MMFF aromaticity follows the order in which
/// RDKit visits the rings: one molecule in several atom orders gives
/// different reference energies, and each order must be reproduced.
#[test]
fn fused_aromatics_match_rdkit_in_every_atom_order() {
    let mols = read_ok(&data("fused_aromatics.sdf"));
    let records = jsonl(&data("fused_aromatics.mmff94.jsonl"));
    assert_eq!(mols.len(), records.len());
    let mut failures = Vec::new();
    for (mol, record) in mols.iter().zip(&records) {
        let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
        let problems = compare(mol, &system, record);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", mol.name(), problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The set exercises the order dependence: PTCDA's central ring is
    // aromatic in some of its atom orders and not in others, which moves the
    // bond-stretch energy by several kcal/mol.
    let ptcda: Vec<f64> = records
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("PTCDA"))
        .map(|r| f(&r["energy"]["bond"]))
        .collect();
    let spread = ptcda.iter().cloned().fold(f64::MIN, f64::max)
        - ptcda.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 2.0, "PTCDA bond energies {ptcda:?}");
}

#[test]
fn batch_energies_equal_single_evaluations() {
    let mol = read_ok(&crate::util::root().join("molecules/flexible_8rotors.sdf")).remove(0);
    let system = MmffSystem::new(&mol, &MmffOptions::default()).unwrap();
    let conformers: Vec<Vec<nalgebra::Point3<f64>>> = (0..50)
        .map(|k| {
            let shift = nalgebra::Vector3::new(0.001 * k as f64, 0.0, 0.0);
            let mut x = mol.coords().to_vec();
            let atom = k % x.len();
            x[atom] += shift;
            x
        })
        .collect();
    let batch = system.energy_batch(&conformers);
    for (x, e) in conformers.iter().zip(&batch) {
        assert_eq!(system.energy(x), *e);
    }
}
