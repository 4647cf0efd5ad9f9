//! `conformers gen` end to end (the README's command-line contract): both
//! modes on `molecules/`, the SD tags and JSON summary, batches with bad
//! records, determinism, atomic output; and the stratified resampling
//! behind boltzmann mode.

use crate::util::{data, read_ok, root};
use assert_cmd::Command;
use conformers::ensemble::rmsd::SymmetricRmsd;
use conformers::forcefield::mmff::{Dielectric, MmffOptions, MmffSystem};
use conformers::mol::stereo::{dihedral, Stereo};
use conformers::sampler::resample::{hilbert_index, hilbert_resample};
use conformers::sampler::{MolecularTarget, Target};
use conformers::torsion::{find_rotors, RotorOptions, TorsionSpace};
use conformers::Molecule;
use serde_json::Value;
use std::f64::consts::PI;
use std::path::Path;

fn gen(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("conformers").unwrap();
    cmd.arg("gen").args(args).current_dir(root());
    cmd
}

/// `gen INPUT -o OUT ARGS…`, which must succeed; the records written.
fn gen_ok(input: &Path, out: &Path, args: &[&str]) -> Vec<Molecule> {
    gen(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(args)
        .assert()
        .success();
    read_ok(out)
}

fn tag(m: &Molecule, name: &str) -> f64 {
    m.data_value(name)
        .unwrap_or_else(|| panic!("{}: no {name} tag", m.name()))
        .parse()
        .unwrap()
}

fn summary(path: &Path) -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every output record: the input's atoms in the input's order, an ENERGY
/// tag equal to the MMFF94 energy of the written coordinates, and per
/// molecule REL_ENERGY from 0, weights summing to 1, indices 0, 1, 2, …
fn check_records(input: &Molecule, records: &[Molecule]) {
    let system = MmffSystem::new(input, &MmffOptions::default()).unwrap();
    let lowest = records
        .iter()
        .map(|m| tag(m, "ENERGY"))
        .fold(f64::INFINITY, f64::min);
    let mut weights = 0.0;
    for (i, m) in records.iter().enumerate() {
        assert_eq!(m.name(), input.name());
        let elements = |x: &Molecule| x.atoms().iter().map(|a| a.element).collect::<Vec<_>>();
        assert_eq!(elements(m), elements(input));
        let energy = tag(m, "ENERGY");
        assert!((system.energy(m.coords()).total() - energy).abs() < 1e-5);
        assert!((tag(m, "REL_ENERGY") - (energy - lowest)).abs() < 1e-5);
        assert_eq!(tag(m, "CONFORMER_INDEX") as usize, i);
        weights += tag(m, "WEIGHT");
    }
    assert!((weights - 1.0).abs() < 1e-6, "weights sum to {weights}");
}

/// Inputs whose lowest minimum is out of reach of torsions: a diaxial
/// trans-1,4-disubstituted cyclohexane (needs a chair flip) and the N-methyl
/// axial chair of 1,2-dimethylpiperidine (needs the nitrogen inverted). The
/// lowest output must be RDKit's lowest of 200 conformers, and every output
/// keeps the input's stereocentres (ring trans, C2 configuration).
#[test]
fn minima_reach_other_ring_puckers_and_invertomers() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("puckers.sdf");
    let records = gen_ok(&input, &dir.path().join("out.sdf"), &["--effort", "fast"]);
    let inputs = read_ok(&input);
    for mol in &inputs {
        let mine: Vec<Molecule> = records
            .iter()
            .filter(|m| m.name() == mol.name())
            .cloned()
            .collect();
        check_records(mol, &mine);
        let lowest = tag(&mine[0], "ENERGY");
        let expected = tag(mol, "LOWEST_MMFF94");
        assert!(
            (lowest - expected).abs() < 2e-3,
            "{}: lowest {lowest}, RDKit {expected}, input {}",
            mol.name(),
            tag(mol, "INPUT_MMFF94")
        );
        let stereo = Stereo::perceive(mol);
        for m in &mine {
            assert!(stereo
                .differences(&Stereo::perceive_at(mol, m.coords()))
                .is_empty());
        }
    }
}

/// The three chairs of 4-tert-butyl-1-methylpiperidine: both substituents
/// equatorial, N-methyl axial (the nitrogen inverted, although its two
/// ring neighbours are symmetric) and tert-butyl axial (ring flipped,
/// nitrogen inverted). Whichever of them is the input, both efforts find
/// all three: each within 0.1 Å of RDKit's (or of its mirror image), at
/// its energy.
#[test]
fn minima_hold_every_chair_and_invertomer_of_a_symmetric_piperidine() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("invertomers.sdf");
    let chairs = read_ok(&input);
    let rmsd = SymmetricRmsd::new(&chairs[0]);
    for effort in ["fast", "default"] {
        let out = dir.path().join(format!("{effort}.sdf"));
        let records = gen_ok(&input, &out, &["--effort", effort]);
        for start in &chairs {
            let mine: Vec<&Molecule> = records
                .iter()
                .filter(|m| m.name() == start.name())
                .collect();
            for chair in &chairs {
                // The molecule is achiral: a mirror image is the same chair.
                let mirror: Vec<nalgebra::Point3<f64>> = chair
                    .coords()
                    .iter()
                    .map(|p| nalgebra::Point3::new(-p.x, p.y, p.z))
                    .collect();
                let found = mine.iter().any(|m| {
                    rmsd.rmsd(m.coords(), chair.coords())
                        .min(rmsd.rmsd(m.coords(), &mirror))
                        < 0.1
                        && (tag(m, "ENERGY") - tag(chair, "ENERGY")).abs() < 2e-3
                });
                assert!(
                    found,
                    "{effort}, from {}: no conformer at {}",
                    start.name(),
                    chair.name()
                );
            }
        }
    }
}
/// Low minima that differ from the input in what torsions cannot reach:
/// the other half-chair of a cyclohexene, the other amide rotamer and chair
/// of a piperidine amide, other shapes of a 14-membered lactone's ring. The
/// output's lowest energy is RDKit's lowest of 300 conformers, and every
/// RDKit minimum within 3 kcal/mol of it is matched within 0.75 Å.
#[test]
fn minima_hold_other_ring_shapes_and_amide_rotamers() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let input = data("shapes.sdf");
    let json_arg = json.to_str().unwrap();
    let args = ["--json", json_arg, "--effort", "thorough", "-n", "300"];
    let records = gen_ok(&input, &dir.path().join("out.sdf"), &args);
    // The macrocycle's ring shapes come from its embeddings: many more
    // than the restrained changes of small rings could give.
    let macrocycle = &summary(&json)[2];
    assert!(macrocycle["variants_found"].as_u64().unwrap() >= 100);
    assert_eq!(macrocycle["variants_searched"], 28);
    let references = read_ok(&data("shapes_reference.sdf"));
    for mol in &read_ok(&input) {
        let of = |set: &[Molecule]| -> Vec<Molecule> {
            set.iter()
                .filter(|m| m.name() == mol.name())
                .cloned()
                .collect()
        };
        let mine = of(&records);
        check_records(mol, &mine);
        assert_reaches_references(mol, &mine, &of(&references), 0.75);
    }
}

/// The lowest of `mine` (conformers of `mol`) is at most RDKit's lowest
/// (`mol`'s LOWEST_MMFF94), and every RDKit minimum in `references` has
/// one of `mine` within `within` Å.
fn assert_reaches_references(
    mol: &Molecule,
    mine: &[Molecule],
    references: &[Molecule],
    within: f64,
) {
    let lowest = tag(&mine[0], "ENERGY");
    let expected = tag(mol, "LOWEST_MMFF94");
    assert!(
        lowest < expected + 2e-3,
        "{}: lowest {lowest}, RDKit {expected}",
        mol.name()
    );
    let rmsd = SymmetricRmsd::new(mol);
    for r in references {
        let closest = mine
            .iter()
            .map(|m| rmsd.rmsd(m.coords(), r.coords()))
            .fold(f64::INFINITY, f64::min);
        assert!(
            closest < within,
            "{}: RDKit minimum at {} kcal/mol is {closest:.2} Å from the nearest output",
            mol.name(),
            tag(r, "ENERGY")
        );
    }
}

/// A crowded tertiary anilide, started from its cis amide: the trans amide
/// twists out of plane to either side, and RDKit's minima within 3
/// kcal/mol include both twists. Torsions cannot change a twist; the
/// default effort must give every one of them within 0.25 Å, and RDKit's
/// lowest energy.
#[test]
fn minima_hold_both_twists_of_a_crowded_anilide() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("anilide.sdf");
    let mine = gen_ok(&input, &dir.path().join("out.sdf"), &[]);
    let mol = &read_ok(&input)[0];
    check_records(mol, &mine);
    assert_reaches_references(mol, &mine, &read_ok(&data("anilide_reference.sdf")), 0.25);
}

/// The search force field. In vacuum (ε = 1) 6-aminohexanoate's
/// zwitterion folds onto its salt bridge, so with `--search-ff full` every
/// minimum in the window is folded; the default search (ε = 4r) adds
/// extended minima of its own, tagged `MINIMUM_OF search`, with
/// `SEARCH_ENERGY` their ε = 4r energy and `ENERGY` still the ε = 1 energy
/// of the written coordinates.
#[test]
fn search_force_field_adds_the_extended_shapes_of_a_zwitterion() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("zwitterion.sdf");
    let mol = &read_ok(&input)[0];
    let run = |search: &str| -> Vec<Molecule> {
        let out = dir.path().join(format!("{search}.sdf"));
        let records = gen_ok(&input, &out, &["--effort", "fast", "--search-ff", search]);
        check_records(mol, &records);
        records
    };
    // Ammonium N to carboxylate C.
    let span = |m: &Molecule| (m.coords()[0] - m.coords()[6]).norm();
    let full = run("full");
    for m in &full {
        assert_eq!(m.data_value("MINIMUM_OF"), Some("written"));
        assert!((tag(m, "SEARCH_ENERGY") - tag(m, "ENERGY")).abs() < 1e-5);
    }
    let folded = full.iter().map(span).fold(0.0, f64::max);
    let damped = run("distance");
    let distance = MmffSystem::new(
        mol,
        &MmffOptions {
            dielectric: Dielectric::Distance,
            dielectric_constant: 4.0,
            ..MmffOptions::default()
        },
    )
    .unwrap();
    for m in &damped {
        let energy = distance.energy(m.coords()).total();
        assert!((energy - tag(m, "SEARCH_ENERGY")).abs() < 1e-5);
    }
    let extended = damped
        .iter()
        .filter(|m| m.data_value("MINIMUM_OF") == Some("search"))
        .map(span)
        .fold(0.0, f64::max);
    assert!(
        folded < 4.5 && extended > 6.5,
        "N to C: at most {folded:.2} Å with the full search, {extended:.2} Å with ε = 4r"
    );
}

/// Cyclododecanone's lowest minimum is its square [3333] ring, which 2 of
/// RDKit's 300 embeddings reach and our own embeddings rarely: the
/// crankshaft moves from the lowest minima find it (without them the
/// lowest written lies 0.77 kcal/mol higher).
#[test]
fn minima_of_cyclododecanone_reach_its_square_ring() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("cyclododecanone.sdf");
    let mol = &read_ok(&input)[0];
    let records = gen_ok(&input, &dir.path().join("out.sdf"), &[]);
    check_records(mol, &records);
    let lowest = tag(&records[0], "ENERGY");
    let rdkit = tag(mol, "LOWEST_MMFF94");
    assert!(
        (lowest - rdkit).abs() < 2e-3,
        "lowest {lowest}, RDKit-300 {rdkit}"
    );
}

/// The minima of ethyl methyl phosphate keep the written arrangement
/// around P (the sign of the volume of its neighbours O, O=, O⁻, O in
/// index order), which the search, exchanging the equivalent oxygens,
/// does not.
#[test]
fn minima_keep_the_written_arrangement_of_a_phosphodiester() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("phosphodiester.sdf");
    let mol = &read_ok(&input)[0];
    let records = gen_ok(&input, &dir.path().join("out.sdf"), &["--effort", "fast"]);
    check_records(mol, &records);
    assert!(records.len() >= 6, "{} minima", records.len());
    let side = |m: &Molecule| {
        let x = m.coords();
        let [a, b, c, d] = [2, 4, 5, 6].map(|i| x[i] - x[3]);
        (a - d).cross(&(b - d)).dot(&(c - d)) > 0.0
    };
    for m in &records {
        assert_eq!(
            side(m),
            side(mol),
            "conformer {}",
            tag(m, "CONFORMER_INDEX")
        );
    }
}

#[test]
fn minima_of_butane_are_anti_and_gauche() {
    let dir = tempfile::tempdir().unwrap();
    let (out, json, xyz) = (
        dir.path().join("out.sdf"),
        dir.path().join("s.json"),
        dir.path().join("out.xyz"),
    );
    gen(&[
        "molecules/butane.sdf",
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--xyz",
        xyz.to_str().unwrap(),
        "--effort",
        "fast",
    ])
    .assert()
    .success();
    let input = &read_ok(&root().join("molecules/butane.sdf"))[0];
    let records = read_ok(&out);
    check_records(input, &records);
    // Anti (180°) lowest; gauche (±65°) about 0.8 kcal/mol above in MMFF94.
    // The two gauche minima are mirror images within 0.5 Å: one is kept.
    let carbons = [0, 1, 2, 3];
    let angles: Vec<f64> = records
        .iter()
        .map(|m| dihedral(m.coords(), carbons).to_degrees().abs())
        .collect();
    assert_eq!(records.len(), 2, "{angles:?}");
    assert!(
        angles[0] > 175.0 && (55.0..75.0).contains(&angles[1]),
        "{angles:?}"
    );
    let gap = tag(&records[1], "REL_ENERGY");
    assert!((0.5..1.2).contains(&gap), "gauche − anti = {gap}");
    // Populations follow the energies.
    let ratio = tag(&records[1], "WEIGHT") / tag(&records[0], "WEIGHT");
    let kt = 0.001_987_204_1 * 298.15;
    assert!((ratio - (-gap / kt).exp()).abs() < 1e-6);

    let s = summary(&json);
    assert_eq!(s.len(), 1);
    let m = &s[0];
    for field in [
        "name",
        "index",
        "status",
        "num_atoms",
        "num_rotors",
        "rotors",
        "temperature",
        "reference_energy",
        "log_z",
        "ess",
        "energy_evaluations",
        "wall_time_s",
        "conformers",
    ] {
        assert!(m.get(field).is_some(), "no {field} in {m}");
    }
    assert_eq!(m["status"], "ok");
    assert_eq!(m["num_rotors"], 1);
    assert_eq!(m["rotors"][0], serde_json::json!([0, 1, 2, 3]));
    assert_eq!(m["conformers"].as_array().unwrap().len(), 2);
    assert!(m["energy_evaluations"].as_u64().unwrap() > 1000);

    let text = std::fs::read_to_string(&xyz).unwrap();
    assert_eq!(text.lines().count(), 2 * (14 + 2));
    assert!(text.lines().nth(1).unwrap().contains("energy="));
}

/// Fraction of the exact torsion Boltzmann distribution of butane with
/// |τ| > 120° (anti), by quadrature on a fine grid.
fn exact_anti_fraction(mol: &Molecule) -> (f64, f64) {
    let system = MmffSystem::new(mol, &MmffOptions::default()).unwrap();
    let space = TorsionSpace::new(mol, &system, find_rotors(mol, RotorOptions::default()));
    let mut target = MolecularTarget::new(&space, 298.15, 1);
    let n = 3600;
    let tau: Vec<f64> = (0..n)
        .map(|i| -PI + (i as f64 + 0.5) * 2.0 * PI / n as f64)
        .collect();
    let mut log_r = vec![0.0; n];
    target.log_reward(&tau, &mut log_r);
    let z: f64 = log_r.iter().map(|l| l.exp()).sum();
    let anti: f64 = tau
        .iter()
        .zip(&log_r)
        .filter(|(t, _)| t.abs() > 2.0 * PI / 3.0)
        .map(|(_, l)| l.exp())
        .sum();
    // The rotor's dihedral is C1-C2-C3-C4 itself.
    (anti / z, (z * 2.0 * PI / n as f64).ln())
}

#[test]
fn boltzmann_draws_of_butane_match_the_exact_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let (out, json) = (dir.path().join("b.sdf"), dir.path().join("b.json"));
    gen(&[
        "molecules/butane.sdf",
        "-o",
        out.to_str().unwrap(),
        "--mode",
        "boltzmann",
        "-n",
        "500",
        "--json",
        json.to_str().unwrap(),
        "--effort",
        "fast",
        "--seed",
        "3",
    ])
    .assert()
    .success();
    let input = &read_ok(&root().join("molecules/butane.sdf"))[0];
    let records = read_ok(&out);
    assert_eq!(records.len(), 500);
    check_records(input, &records);
    let anti: f64 = records
        .iter()
        .filter(|m| dihedral(m.coords(), [0, 1, 2, 3]).abs() > 2.0 * PI / 3.0)
        .map(|m| tag(m, "WEIGHT"))
        .sum();
    let (exact_anti, exact_log_z) = exact_anti_fraction(input);
    assert!(
        (anti - exact_anti).abs() < 0.03,
        "anti fraction {anti} vs exact {exact_anti}"
    );
    let s = &summary(&json)[0];
    let log_z = s["log_z"].as_f64().unwrap();
    assert!(
        (log_z - exact_log_z).abs() < 0.1,
        "log_z {log_z} vs {exact_log_z}"
    );
    assert!(s["ess"].as_f64().unwrap() > 0.3);
    let reference = MmffSystem::new(input, &MmffOptions::default())
        .unwrap()
        .energy(input.coords())
        .total();
    assert!((s["reference_energy"].as_f64().unwrap() - reference).abs() < 1e-9);

    // Raw draws keep their importance weights.
    gen(&[
        "molecules/butane.sdf",
        "-o",
        out.to_str().unwrap(),
        "--mode",
        "boltzmann",
        "-n",
        "200",
        "--oversample",
        "1",
        "--effort",
        "fast",
    ])
    .assert()
    .success();
    let records = read_ok(&out);
    assert_eq!(records.len(), 200);
    check_records(input, &records);
    let weights: Vec<f64> = records.iter().map(|m| tag(m, "WEIGHT")).collect();
    assert!(weights.iter().any(|w| (w - weights[0]).abs() > 1e-6));
}

#[test]
fn a_batch_isolates_bad_records_and_keeps_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let (out, json, failed) = (
        dir.path().join("out.sdf"),
        dir.path().join("s.json"),
        dir.path().join("failed.sdf"),
    );
    // Good, broken coordinates, good, untypable (selenium), good.
    let butane = std::fs::read_to_string(root().join("molecules/butane.sdf")).unwrap();
    let multi = std::fs::read_to_string(root().join("molecules/multi.sdf")).unwrap();
    let aspirin = &multi[..multi.find("$$$$").unwrap() + 5];
    let selenium = aspirin.replacen(" O   0  0", " Se  0  0", 1);
    let mixed = std::fs::read_to_string(data("bad/mixed_batch.sdf")).unwrap();
    let broken_start = mixed.find("broken_coord").unwrap();
    let broken_end = broken_start + mixed[broken_start..].find("$$$$").unwrap() + 5;
    let broken = &mixed[broken_start..broken_end];
    let input = format!("{butane}{broken}{aspirin}{selenium}{butane}");
    let run = gen(&[
        "-",
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--failed",
        failed.to_str().unwrap(),
        "--effort",
        "fast",
        "--threads",
        "2",
    ])
    .write_stdin(input)
    .assert()
    .code(1);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(stderr.contains("record 2 (broken_coord)"), "{stderr}");
    assert!(stderr.contains("record 4 (aspirin)"), "{stderr}");
    let s = summary(&json);
    let status: Vec<&str> = s.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["ok", "failed", "ok", "failed", "ok"]);
    let index: Vec<u64> = s.iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(index, [0, 1, 2, 3, 4]);
    assert!(s[3]["error"].as_str().unwrap().contains("MMFF94"));
    let names: Vec<String> = read_ok(&out).iter().map(|m| m.name().to_string()).collect();
    let first_aspirin = names.iter().position(|n| n == "aspirin").unwrap();
    assert!(names[..first_aspirin].iter().all(|n| n == "butane"));
    assert_eq!(names.last().map(String::as_str), Some("butane"));
    // The failed records come back as read, each with its reason.
    let failed_text = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(failed_text.matches("> <FAILURE>").count(), 2);
    assert_eq!(failed_text.matches("$$$$").count(), 2);
    assert!(failed_text.starts_with("broken_coord"), "{failed_text}");
    assert!(failed_text.contains(" Se  0  0"));
}

#[test]
fn same_seed_same_bytes_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, seed: &str| {
        let out = dir.path().join(format!("t{threads}s{seed}.sdf"));
        gen(&[
            "molecules/multi.sdf",
            "-o",
            out.to_str().unwrap(),
            "--effort",
            "fast",
            "--threads",
            threads,
            "--seed",
            seed,
            "--mode",
            "boltzmann",
            "-n",
            "50",
        ])
        .assert()
        .success();
        std::fs::read(out).unwrap()
    };
    let one = run("1", "5");
    assert_eq!(one, run("2", "5"));
    assert_ne!(one, run("2", "6"));
    // Only the outputs are left in the directory: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

#[test]
fn stdout_output_timeout_and_usage_errors() {
    let run = gen(&[
        "molecules/butane.sdf",
        "-o",
        "-",
        "--effort",
        "fast",
        "--quiet",
    ])
    .assert()
    .success();
    let text = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(text.contains("> <ENERGY>") && text.ends_with("$$$$\n"));
    // Quiet, without a terminal: the closing summary only.
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("conformers gen: 1 molecule (1 ok, 0 failed)"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.sdf");
    let o = out.to_str().unwrap();
    let run = gen(&[
        "molecules/flexible_8rotors.sdf",
        "-o",
        o,
        "--timeout",
        "0.2",
    ])
    .assert()
    .code(1);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(stderr.contains("time limit"), "{stderr}");

    for bad in [
        vec!["molecules/butane.sdf", "-o", o, "--temperature", "-1"],
        vec!["molecules/butane.sdf", "-o", o, "-n", "0"],
        vec!["molecules/butane.sdf", "-o", o, "--mode", "best"],
        vec!["missing.sdf", "-o", o],
        vec![
            "molecules/butane.sdf",
            "-o",
            dir.path().join("no/such/dir.sdf").to_str().unwrap(),
        ],
    ] {
        gen(&bad).assert().code(2);
    }
    assert!(!out.exists() || std::fs::read(&out).unwrap().is_empty());
}

#[test]
fn hilbert_order_walks_between_neighbouring_cells() {
    for (m, bits) in [(1, 5), (2, 4), (3, 3), (5, 2)] {
        let side = 1u32 << bits;
        let cells = (side as usize).pow(m as u32);
        let mut keyed: Vec<(u128, Vec<u32>)> = (0..cells)
            .map(|c| {
                let cell: Vec<u32> = (0..m)
                    .map(|d| (c / (side as usize).pow(d as u32)) as u32 % side)
                    .collect();
                (hilbert_index(&mut cell.clone(), bits), cell)
            })
            .collect();
        keyed.sort();
        for (i, w) in keyed.windows(2).enumerate() {
            assert_eq!(w[0].0 as usize, i, "keys are a permutation");
            let steps: u32 = w[0]
                .1
                .iter()
                .zip(&w[1].1)
                .map(|(a, b)| a.abs_diff(*b))
                .sum();
            assert_eq!(steps, 1, "m = {m}: {:?} → {:?}", w[0].1, w[1].1);
        }
    }
}

#[test]
fn hilbert_resampling_keeps_the_weighted_histogram() {
    use rand::SeedableRng;
    // 20 000 uniform points on T², weights ∝ exp(2 cos x): 400 picks
    // should reproduce the weighted histogram of x far better than
    // independent picks would (their total variation over 12 bins is
    // about 0.07 at n = 400).
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(9);
    let n = 20_000;
    let points: Vec<f64> = (0..2 * n)
        .map(|_| -PI + 2.0 * PI * rand::RngExt::random::<f64>(&mut rng))
        .collect();
    let weights: Vec<f64> = points.chunks(2).map(|p| (2.0 * p[0].cos()).exp()).collect();
    let picks = hilbert_resample(&points, 2, &weights, 400, &mut rng);
    assert_eq!(picks.len(), 400);
    let bin = |x: f64| (((x + PI) / (2.0 * PI) * 12.0) as usize).min(11);
    let mut target = [0.0; 12];
    let total: f64 = weights.iter().sum();
    for (p, w) in points.chunks(2).zip(&weights) {
        target[bin(p[0])] += w / total;
    }
    let mut got = [0.0; 12];
    for &i in &picks {
        got[bin(points[2 * i])] += 1.0 / 400.0;
    }
    let tv: f64 = 0.5
        * target
            .iter()
            .zip(&got)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>();
    assert!(tv < 0.03, "total variation {tv}");
}

#[test]
fn boltzmann_mode_matches_exact_torsion_grids() {
    use conformers::generate::{generate, GenOptions, Mode};
    use conformers::sampler::Effort;
    // Molecules of ../shared/eval-dev with exact grid references; `fast`
    // effort keeps the test short, the README reports `default`.
    for name in ["NCI_761", "NCI_4568"] {
        let (Some(sdf), Some(reference)) = (
            crate::util::shared(&format!("eval-dev/boltzmann/inputs/{name}.sdf")),
            crate::util::shared(&format!("eval-dev/boltzmann/reference/{name}.json")),
        ) else {
            return;
        };
        let mol = &read_ok(&sdf)[0];
        let r: Value = serde_json::from_str(&std::fs::read_to_string(reference).unwrap()).unwrap();
        let options = GenOptions {
            num_confs: 2000,
            effort: Effort::Fast,
            seed: 1,
            ..GenOptions::new(Mode::Boltzmann)
        };
        let e = generate(mol, &options).unwrap();
        let kt = 0.001_987_204_1 * 298.15;
        let e_ref = r["reference_energy"].as_f64().unwrap();
        let log_z = e.log_z + (e_ref - e.reference_energy) / kt;
        let mean: f64 = e.conformers.iter().map(|c| c.weight * c.energy).sum();
        let (exact_log_z, exact_mean) = (
            r["log_z"].as_f64().unwrap(),
            r["mean_energy"].as_f64().unwrap(),
        );
        println!(
            "{name}: log_z {log_z:.4} (exact {exact_log_z:.4}), <E> {mean:.4} (exact {exact_mean:.4}), ess {:.2}",
            e.ess
        );
        assert!((log_z - exact_log_z).abs() < 0.05, "{name}: log_z");
        assert!((mean - exact_mean).abs() < 0.1, "{name}: <E>");
        let rotors: Vec<[usize; 4]> = serde_json::from_value(r["rotors"].clone()).unwrap();
        let bonds = |q: &[[usize; 4]]| {
            let mut b: Vec<[usize; 2]> =
                q.iter().map(|d| [d[1].min(d[2]), d[1].max(d[2])]).collect();
            b.sort();
            b
        };
        assert_eq!(bonds(&e.rotors), bonds(&rotors), "{name}: rotors");
    }
}
