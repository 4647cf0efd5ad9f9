//! The command-line contract (README) of `info`, `energy`, `minimize` and
//! `bench`: output, JSON fields, exit codes, stdin.

use crate::util::{data, root};
use assert_cmd::Command;
use serde_json::Value;

fn conformers() -> Command {
    Command::cargo_bin("conformers").unwrap()
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn info_describes_butane() {
    let out = conformers()
        .args(["info", "molecules/butane.sdf"])
        .current_dir(root())
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("C4H10"), "{text}");
    assert!(text.contains("rotors: 1"), "{text}");
    assert!(text.contains("C1-C2-C3-C4"), "{text}");
}

#[test]
fn info_json_fields() {
    let out = conformers()
        .args(["info", "--json", "molecules/alanine_dipeptide.sdf"])
        .current_dir(root())
        .assert()
        .success();
    let records = json_lines(&out.get_output().stdout);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["status"], "ok");
    assert_eq!(r["num_atoms"], 22);
    assert_eq!(r["num_heavy_atoms"], 10);
    assert_eq!(r["net_charge"], 0);
    assert_eq!(r["num_rotors"], 2);
    assert_eq!(r["rotors"].as_array().unwrap().len(), 2);
    assert_eq!(r["stereo_centres"][0]["label"], "S");
    assert_eq!(r["ring_sizes"].as_array().unwrap().len(), 0);
}

#[test]
fn rotate_amides_adds_the_amide_bonds() {
    let count = |extra: &[&str]| {
        let mut args = vec!["info", "--json", "molecules/alanine_dipeptide.sdf"];
        args.extend_from_slice(extra);
        let out = conformers()
            .args(&args)
            .current_dir(root())
            .assert()
            .success();
        json_lines(&out.get_output().stdout)[0]["num_rotors"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count(&[]), 2);
    assert_eq!(count(&["--rotate-amides"]), 4);
}

#[test]
fn info_reads_stdin_and_gzip() {
    let sdf = std::fs::read(root().join("molecules/multi.sdf")).unwrap();
    let out = conformers()
        .args(["info", "--json", "-"])
        .write_stdin(sdf)
        .assert()
        .success();
    let from_stdin = json_lines(&out.get_output().stdout);
    assert_eq!(from_stdin.len(), 5);
    let out = conformers()
        .args(["info", "--json", data("multi.sdf.gz").to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(json_lines(&out.get_output().stdout), from_stdin);
}

#[test]
fn failed_records_give_exit_code_1_and_the_rest_is_described() {
    let out = conformers()
        .args([
            "info",
            "--json",
            data("bad/mixed_batch.sdf").to_str().unwrap(),
        ])
        .assert()
        .code(1);
    let records = json_lines(&out.get_output().stdout);
    let status: Vec<&str> = records
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // The 2D drawing without hydrogens is embedded.
    assert_eq!(status, ["ok", "failed", "ok", "ok", "ok"]);
    assert_eq!(records[3]["num_atoms"], 14);
    assert_eq!(records[1]["line"], 28);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("record 2 (broken_coord), line 28"),
        "{stderr}"
    );
}

#[test]
fn every_bad_file_fails_cleanly() {
    for entry in std::fs::read_dir(data("bad")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sdf") {
            continue;
        }
        let out = conformers().args(["info", path.to_str().unwrap()]).assert();
        let output = out.get_output();
        let code = output.status.code();
        assert!(
            matches!(code, Some(1) | Some(2)),
            "{}: {code:?}",
            path.display()
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("line "), "{}: {stderr}", path.display());
        assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
    }
}

#[test]
fn missing_file_and_usage_errors_give_exit_code_2() {
    conformers()
        .args(["info", "no/such/file.sdf"])
        .assert()
        .code(2);
    conformers().args(["info"]).assert().code(2);
    conformers().args(["frobnicate"]).assert().code(2);
}

#[test]
fn empty_input_says_so() {
    let out = conformers()
        .args(["info", "-"])
        .write_stdin("\n\n")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("no records found"), "{stderr}");
}

#[test]
fn energy_json_has_the_reference_fields() {
    let out = conformers()
        .args([
            "energy",
            "--json",
            "--gradient",
            "molecules/charged_drug.sdf",
        ])
        .current_dir(root())
        .assert()
        .success();
    let r = &json_lines(&out.get_output().stdout)[0];
    assert_eq!(r["ok"], true);
    assert_eq!(r["num_atoms"], 41);
    let total = r["energy"]["total"].as_f64().unwrap();
    let sum: f64 = [
        "bond",
        "angle",
        "stretch_bend",
        "oop",
        "torsion",
        "vdw",
        "ele",
    ]
    .iter()
    .map(|k| r["energy"][k].as_f64().unwrap())
    .sum();
    assert!((total - sum).abs() < 1e-9);
    assert_eq!(r["gradient"].as_array().unwrap().len(), 41);
    let charges: f64 = r["mmff_partial_charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_f64().unwrap())
        .sum();
    assert!((charges - 1.0).abs() < 1e-9, "net charge +1: {charges}");
    // The variants change the numbers (MMFF94s differs for the amide N).
    let energy_of = |file: &str, extra: &[&str]| {
        let mut args = vec!["energy", "--json", file];
        args.extend_from_slice(extra);
        let out = conformers()
            .args(&args)
            .current_dir(root())
            .assert()
            .success();
        json_lines(&out.get_output().stdout)[0]["energy"]["total"]
            .as_f64()
            .unwrap()
    };
    let dipeptide = "molecules/alanine_dipeptide.sdf";
    assert_ne!(
        energy_of(dipeptide, &["--forcefield", "mmff94s"]),
        energy_of(dipeptide, &[])
    );
    let distance = ["--dielectric-model", "distance", "--dielectric", "4"];
    assert_ne!(energy_of("molecules/charged_drug.sdf", &distance), total);
}

#[test]
fn untypable_records_fail_alone() {
    // A selenium analogue of aspirin's carbonyl between two good records:
    // the structure is sound, but MMFF94 has no selenium types.
    let good = std::fs::read_to_string(root().join("molecules/butane.sdf")).unwrap();
    let multi = std::fs::read_to_string(root().join("molecules/multi.sdf")).unwrap();
    let aspirin = &multi[..multi.find("$$$$").unwrap() + 5];
    let selenium = aspirin.replacen(" O   0  0", " Se  0  0", 1);
    assert_ne!(selenium, aspirin);
    let input = format!("{good}{selenium}{good}");
    let out = conformers()
        .args(["energy", "--json", "-"])
        .write_stdin(input)
        .assert()
        .code(1);
    let records = json_lines(&out.get_output().stdout);
    let ok: Vec<bool> = records.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, false, true]);
    let error = records[1]["error"].as_str().unwrap();
    assert!(
        error.contains("MMFF94 cannot type atom") && error.contains("(Se"),
        "{error}"
    );
}

#[test]
fn minimize_writes_tagged_records_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("min.sdf");
    conformers()
        .args([
            "minimize",
            "molecules/multi.sdf",
            "-o",
            out_path.to_str().unwrap(),
            "--threads",
            "2",
        ])
        .current_dir(root())
        .assert()
        .success();
    let mols = crate::util::read_ok(&out_path);
    assert_eq!(mols.len(), 5);
    for m in &mols {
        assert_eq!(m.data_value("CONVERGED"), Some("true"), "{}", m.name());
        let e: f64 = m.data_value("ENERGY").unwrap().parse().unwrap();
        assert!(e.is_finite());
    }
    // Same result with one thread.
    let one = dir.path().join("one.sdf");
    conformers()
        .args([
            "minimize",
            "molecules/multi.sdf",
            "-o",
            one.to_str().unwrap(),
            "--threads",
            "1",
        ])
        .current_dir(root())
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out_path).unwrap(),
        std::fs::read(&one).unwrap()
    );
    // Nothing but the output is left in the directory.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn failed_output_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("missing-dir").join("x.sdf");
    conformers()
        .args([
            "minimize",
            "molecules/butane.sdf",
            "-o",
            out_path.to_str().unwrap(),
        ])
        .current_dir(root())
        .assert()
        .code(2);
    assert!(!out_path.exists());
}

#[test]
fn info_lists_mmff_types() {
    let out = conformers()
        .args(["info", "--json", "molecules/butane.sdf"])
        .current_dir(root())
        .assert()
        .success();
    let r = &json_lines(&out.get_output().stdout)[0];
    let types: Vec<u64> = r["mmff_atom_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    // Four alkyl carbons (CR, 1) and ten hydrogens on carbon (HC, 5).
    assert_eq!(types, [1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
}

#[test]
fn bench_reports_exact_and_estimated_log_z() {
    let out = conformers()
        .args([
            "bench",
            "--target",
            "vonmises:dim=2,modes=2,kappa=4",
            "--effort",
            "fast",
            "--draws",
            "2000",
            "--seeds",
            "1,2",
            "--json",
        ])
        .assert()
        .success();
    let runs = json_lines(&out.get_output().stdout);
    assert_eq!(runs.len(), 2);
    for r in &runs {
        // log Z = 2 log(2π I₀(4) e^{−4}).
        let exact = r["log_z"].as_f64().unwrap();
        assert!(
            (exact - 2.0 * (2.0 * std::f64::consts::PI * 0.207_001_921_223_986_7f64).ln()).abs()
                < 1e-6,
            "{exact}"
        );
        assert!(r["log_z_error"].as_f64().unwrap().abs() < 0.1, "{r}");
        assert_eq!(r["significant_modes"], 4);
        assert_eq!(r["modes_visited"], 4);
        assert_eq!(r["draws"], 2000);
        assert_eq!(r["ablation"], "sgds");
        assert!(r["energy_evaluations"].as_u64().unwrap() > 2000);
    }
    assert_ne!(runs[0]["log_z_estimate"], runs[1]["log_z_estimate"]);
}

#[test]
fn bench_rejects_bad_targets_and_missing_cuda() {
    let out = conformers()
        .args(["bench", "--target", "vonmises:dim=3,kappa=-1"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("kappa must lie in [0, 500]"), "{err}");
    if cfg!(not(feature = "cuda")) {
        let out = conformers()
            .args([
                "bench",
                "--target",
                "coupled:dim=2,a=1,b=1",
                "--device",
                "cuda",
            ])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains("--features cuda"), "{err}");
    }
}

/// Output files get the permissions a plain create would give (0666 less
/// the umask), not a temporary file's private 0600.
#[cfg(unix)]
#[test]
fn output_files_are_readable_by_others_as_the_umask_allows() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("min.sdf");
    conformers()
        .args(["minimize", "molecules/butane.sdf", "-o"])
        .arg(&out)
        .current_dir(root())
        .assert()
        .success();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    // The test harness runs under the usual umask 022 (or a stricter one
    // that still leaves the owner's read and write bits).
    assert_ne!(mode, 0o600, "mode {mode:o}");
    assert_eq!(mode & 0o600, 0o600, "mode {mode:o}");
}

/// Output to a named pipe (as to `/dev/null`) is written into the pipe,
/// which stays a pipe; output through a symbolic link replaces the file it
/// points to and keeps the link.
#[cfg(unix)]
#[test]
fn output_goes_into_pipes_and_through_links() {
    use std::fs;
    use std::os::unix::fs::FileTypeExt;
    use std::process::{Command as Process, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let minimize = |out: &std::path::Path| {
        conformers()
            .args(["minimize", "molecules/butane.sdf", "-o"])
            .arg(out)
            .current_dir(root())
            .output()
            .unwrap()
    };
    let plain = dir.path().join("plain.sdf");
    assert!(minimize(&plain).status.success());
    let expected = fs::read(&plain).unwrap();

    let pipe = dir.path().join("pipe");
    assert!(Process::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    let mut reader = Process::new("cat")
        .arg(&pipe)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let run = minimize(&pipe);
    // Where the pipe was never opened for writing, the reader would wait.
    for _ in 0..300 {
        if reader.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = reader.kill();
    let piped = reader.wait_with_output().unwrap().stdout;
    assert!(run.status.success(), "{run:?}");
    assert!(fs::symlink_metadata(&pipe).unwrap().file_type().is_fifo());
    assert_eq!(piped, expected);

    let real = dir.path().join("real.sdf");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.sdf");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(minimize(&link).status.success());
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(fs::read(&real).unwrap(), expected);

    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["link.sdf", "pipe", "plain.sdf", "real.sdf"]);
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    let out = conformers()
        .args(["gen", "molecules/butane.sdf", "-o", "-", "--rmsd", "-1"])
        .current_dir(root())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("--rmsd must be a non-negative distance"),
        "{err}"
    );
}

/// With standard error closed (the reader of `2>&1 | head` has gone), a
/// failing run still exits with its own code instead of panicking.
#[test]
fn closed_stderr_is_not_a_panic() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("conformers"))
        .args(["info", "tests/data/bad/mixed_batch.sdf"])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}
