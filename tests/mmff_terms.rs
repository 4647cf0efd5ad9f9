//! The MMFF94 energy terms and their analytic gradients against RDKit on the
//! development set, with RDKit's own per-interaction parameters and charges
//! (`*.detail.jsonl`), so that only the functional forms, the vdW combination
//! rules and the nonbonded pair list are under test here.

use crate::util::{jsonl, read_ok, shared, term, TERMS};
use conformers::forcefield::mmff::terms::{
    AngleTerm, BondTerm, OopTerm, PairTerm, StretchBendTerm, Terms, TorsionTerm,
};
use conformers::forcefield::mmff::topology::nonbonded_pairs;
use conformers::forcefield::mmff::{Dielectric, Energies, Params, Variant};
use conformers::Molecule;
use nalgebra::{Point3, Vector3};
use serde_json::Value;
use std::collections::HashMap;

fn idx(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn build(mol: &Molecule, main: &Value, detail: &Value, dielectric: Dielectric, d: f64) -> Terms {
    let params = Params::get(Variant::Mmff94);
    let types: Vec<u8> = idx(&main["mmff_atom_types"])
        .into_iter()
        .map(|t| t as u8)
        .collect();
    let charges: Vec<f64> = main["mmff_partial_charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(f)
        .collect();
    let mut r0 = HashMap::new();
    let mut terms = Terms {
        dielectric,
        ..Terms::default()
    };
    for b in detail["bonds"].as_array().unwrap() {
        let a = idx(&b["atoms"]);
        r0.insert((a[0], a[1]), f(&b["r0"]));
        r0.insert((a[1], a[0]), f(&b["r0"]));
        terms.bonds.push(BondTerm {
            atoms: [a[0], a[1]],
            kb: f(&b["kb"]),
            r0: f(&b["r0"]),
        });
    }
    let mut theta0 = HashMap::new();
    for t in detail["angles"].as_array().unwrap() {
        let a = idx(&t["atoms"]);
        theta0.insert((a[0], a[1], a[2]), f(&t["theta0"]));
        theta0.insert((a[2], a[1], a[0]), f(&t["theta0"]));
        terms.angles.push(AngleTerm {
            atoms: [a[0], a[1], a[2]],
            ka: f(&t["ka"]),
            theta0: f(&t["theta0"]),
            linear: params.props(types[a[1]]).unwrap().lin,
        });
    }
    for t in detail["stretch_bends"].as_array().unwrap() {
        let a = idx(&t["atoms"]);
        terms.stretch_bends.push(StretchBendTerm {
            atoms: [a[0], a[1], a[2]],
            r0_ij: r0[&(a[0], a[1])],
            r0_kj: r0[&(a[2], a[1])],
            theta0: theta0[&(a[0], a[1], a[2])],
            kba_ijk: f(&t["kba_ijk"]),
            kba_kji: f(&t["kba_kji"]),
        });
    }
    for t in detail["oops"].as_array().unwrap() {
        let c = t["center"].as_u64().unwrap() as usize;
        let n = idx(&t["neighbors"]);
        for (i, k, l) in [(n[0], n[1], n[2]), (n[1], n[2], n[0]), (n[2], n[0], n[1])] {
            terms.oops.push(OopTerm {
                atoms: [i, c, k, l],
                koop: f(&t["koop"]),
            });
        }
    }
    for t in detail["torsions"].as_array().unwrap() {
        let a = idx(&t["atoms"]);
        terms.torsions.push(TorsionTerm {
            atoms: [a[0], a[1], a[2], a[3]],
            v: [f(&t["V1"]), f(&t["V2"]), f(&t["V3"])],
        });
    }
    for pair in nonbonded_pairs(mol) {
        let [i, j] = pair.atoms;
        let vdw = params.vdw_pair(types[i], types[j]).unwrap();
        let q = [charges[i], charges[j]];
        terms
            .pairs
            .push(PairTerm::new([i, j], vdw, q, d, pair.one_four));
    }
    terms
}

/// Terms restricted to one energy term, for per-term gradients.
fn only(terms: &Terms, name: &str) -> Terms {
    let mut t = Terms {
        dielectric: terms.dielectric,
        ..Terms::default()
    };
    match name {
        "bond" => t.bonds = terms.bonds.clone(),
        "angle" => t.angles = terms.angles.clone(),
        "stretch_bend" => t.stretch_bends = terms.stretch_bends.clone(),
        "oop" => t.oops = terms.oops.clone(),
        "torsion" => t.torsions = terms.torsions.clone(),
        "vdw" => {
            t.pairs = terms
                .pairs
                .iter()
                .map(|p| PairTerm { qq: 0.0, ..*p })
                .collect()
        }
        _ => {
            t.pairs = terms
                .pairs
                .iter()
                .map(|p| PairTerm { eps: 0.0, ..*p })
                .collect()
        }
    }
    t
}

fn gradient(terms: &Terms, x: &[Point3<f64>]) -> (Energies, Vec<Vector3<f64>>) {
    let mut g = vec![Vector3::zeros(); x.len()];
    let e = terms.evaluate(x, Some(&mut g));
    (e, g)
}

#[test]
fn terms_and_gradients_match_rdkit_on_the_dev_set() {
    let Some(dir) = shared("forcefield-reference/dev") else {
        return;
    };
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    let main = jsonl(&dir.join("mmff94_dev.mmff94.jsonl"));
    let detail = jsonl(&dir.join("mmff94_dev.mmff94.detail.jsonl"));
    let dist4 = jsonl(&dir.join("mmff94_dev.mmff94_dist4.jsonl"));
    let (mut worst_e, mut worst_g) = (0.0f64, 0.0f64);
    for (k, mol) in mols.iter().enumerate() {
        let x = mol.coords();
        let terms = build(mol, &main[k], &detail[k], Dielectric::Constant, 1.0);
        let (energy, grad) = gradient(&terms, x);
        for name in TERMS {
            let reference = f(&main[k]["energy"][name]);
            let err = (term(&energy, name) - reference).abs();
            assert!(
                err <= 1e-6_f64.max(1e-9 * reference.abs()),
                "{} {name}: {} vs {reference}",
                mol.name(),
                term(&energy, name)
            );
            worst_e = worst_e.max(err);
            let (_, g) = gradient(&only(&terms, name), x);
            for (a, row) in detail[k]["term_gradients"][name]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
            {
                for c in 0..3 {
                    let err = (g[a][c] - f(&row[c])).abs();
                    assert!(
                        err <= 1e-6,
                        "{} {name} gradient atom {a}: {} vs {}",
                        mol.name(),
                        g[a][c],
                        f(&row[c])
                    );
                    worst_g = worst_g.max(err);
                }
            }
        }
        assert!((energy.total() - f(&main[k]["energy"]["total"])).abs() < 1e-6);
        for (a, row) in main[k]["gradient"].as_array().unwrap().iter().enumerate() {
            for c in 0..3 {
                assert!(
                    (grad[a][c] - f(&row[c])).abs() <= 1e-6,
                    "{} total gradient",
                    mol.name()
                );
            }
        }
        // Distance-dependent dielectric, D = 4.
        let terms4 = build(mol, &dist4[k], &detail[k], Dielectric::Distance, 4.0);
        let (e4, g4) = gradient(&terms4, x);
        assert!(
            (e4.ele - f(&dist4[k]["energy"]["ele"])).abs() <= 1e-6,
            "{} dist4 ele",
            mol.name()
        );
        assert!(
            (e4.total() - f(&dist4[k]["energy"]["total"])).abs() <= 1e-6,
            "{} dist4",
            mol.name()
        );
        for (a, row) in dist4[k]["gradient"].as_array().unwrap().iter().enumerate() {
            for c in 0..3 {
                assert!(
                    (g4[a][c] - f(&row[c])).abs() <= 1e-6,
                    "{} dist4 gradient",
                    mol.name()
                );
            }
        }
    }
    eprintln!("max |ΔE_term| = {worst_e:.2e} kcal/mol, max |Δg| = {worst_g:.2e} kcal/mol/Å over {} molecules", mols.len());
}

#[test]
fn analytic_gradients_equal_central_differences_at_perturbed_geometries() {
    let Some(dir) = shared("forcefield-reference/dev") else {
        return;
    };
    let mols = read_ok(&dir.join("mmff94_dev.sdf"));
    let main = jsonl(&dir.join("mmff94_dev.mmff94.jsonl"));
    let detail = jsonl(&dir.join("mmff94_dev.mmff94.detail.jsonl"));
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut uniform = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    for k in (0..mols.len()).step_by(5) {
        let mol = &mols[k];
        for dielectric in [Dielectric::Constant, Dielectric::Distance] {
            let terms = build(mol, &main[k], &detail[k], dielectric, 1.0);
            let x: Vec<Point3<f64>> = mol
                .coords()
                .iter()
                .map(|p| p + Vector3::new(uniform(), uniform(), uniform()) * 0.2)
                .collect();
            let (_, g) = gradient(&terms, &x);
            let h = 1e-5;
            for a in 0..x.len() {
                for c in 0..3 {
                    let mut xp = x.clone();
                    xp[a][c] += h;
                    let mut xm = x.clone();
                    xm[a][c] -= h;
                    let fd = (terms.evaluate(&xp, None).total()
                        - terms.evaluate(&xm, None).total())
                        / (2.0 * h);
                    assert!(
                        (fd - g[a][c]).abs() <= 1e-4 * (1.0 + fd.abs()),
                        "{} atom {a}: {fd} vs {}",
                        mol.name(),
                        g[a][c]
                    );
                }
            }
        }
    }
}
