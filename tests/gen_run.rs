//! The run around `conformers gen` as a chemist or a batch job sees it:
//! early checks of options and output paths, interrupts, log lines and the
//! closing summary, warnings about untrustworthy ensembles, messages about
//! binary input, shell completions and the manual page.

use crate::util::root;
use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

fn conformers() -> Command {
    Command::cargo_bin("conformers").unwrap()
}

fn stderr_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// `conformers info --json` of an SDF text, a record per line.
fn info_json(sdf: String) -> Vec<Value> {
    let info = conformers()
        .args(["info", "--json", "-"])
        .write_stdin(sdf)
        .assert()
        .success();
    String::from_utf8_lossy(&info.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".conformers-"))
        .collect()
}

/// SIGINT or SIGTERM in the middle of a batch: the molecules finished by
/// then are written (SDF and JSON, the unfinished ones listed as
/// interrupted), no temporary file is left, and the exit code is 128 + the
/// signal number.
#[test]
fn an_interrupted_batch_keeps_what_was_finished() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let dir = tempfile::tempdir().unwrap();
        let sdf = dir.path().join("out.sdf");
        let json = dir.path().join("out.json");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("conformers"))
            .args([
                "gen",
                "molecules/multi.sdf",
                "--effort",
                "fast",
                "--threads",
                "1",
            ])
            .arg("-o")
            .arg(&sdf)
            .arg("--json")
            .arg(&json)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the first finished molecule, then interrupt.
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.contains("record 1 (aspirin): ok"), "{first}");
        let status = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        assert_eq!(child.wait().unwrap().code(), Some(code), "{rest:?}");
        let last = rest.last().unwrap();
        assert!(last.contains("interrupted by SIG"), "{last}");
        let summary: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let ok: Vec<&Value> = summary.iter().filter(|s| s["status"] == "ok").collect();
        let stopped = summary
            .iter()
            .filter(|s| s["status"] == "interrupted")
            .count();
        assert_eq!(ok.len() + stopped, 5, "{summary:?}");
        assert!(!ok.is_empty() && stopped > 0, "{summary:?}");
        let written = std::fs::read_to_string(&sdf)
            .unwrap()
            .matches("$$$$")
            .count();
        let expected: u64 = ok
            .iter()
            .map(|s| s["num_conformers"].as_u64().unwrap())
            .sum();
        assert_eq!(written as u64, expected);
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }
}

#[test]
fn a_run_that_reads_nothing_leaves_no_output() {
    for command in ["gen", "minimize"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.sdf");
        let run = conformers()
            .args([command, "no_such_file.sdf", "-o"])
            .arg(&out)
            .assert()
            .code(2);
        assert!(stderr_of(&run).contains("cannot read no_such_file.sdf"));
        assert!(!out.exists(), "{command}");
        assert!(leftovers(dir.path()).is_empty());
    }
}

/// A path that cannot be written fails at once, with one message naming
/// the user's path (not a temporary one), and nothing else is written.
#[test]
fn unwritable_outputs_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.sdf");
    let missing = dir.path().join("no_such_dir/summary.json");
    let run = conformers()
        .args(["gen", "molecules/multi.sdf", "-o"])
        .arg(&out)
        .arg("--json")
        .arg(&missing)
        .current_dir(root())
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2);
    let err = stderr_of(&run);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("summary.json") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!err.contains(".conformers-"), "{err}");
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());

    // A directory is a sharded run's output; its summaries are merge's.
    let dir_path = format!("{}/", dir.path().display());
    let run = conformers()
        .args([
            "gen",
            "molecules/multi.sdf",
            "-o",
            &dir_path,
            "--json",
            "s.json",
        ])
        .current_dir(root())
        .assert()
        .code(2);
    let err = stderr_of(&run);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("belong to `conformers merge`"), "{err}");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn cuda_in_a_cpu_build_is_refused_up_front() {
    if cfg!(feature = "cuda") {
        return;
    }
    let run = conformers()
        .args(["gen", "molecules/multi.sdf", "-o", "-", "--device", "cuda"])
        .current_dir(root())
        .assert()
        .code(2);
    let err = stderr_of(&run);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--features cuda"), "{err}");
    assert!(run.get_output().stdout.is_empty());
}

/// Without a terminal: one line per molecule and a closing summary;
/// `--quiet` keeps the summary only.
#[test]
fn a_batch_log_has_a_line_per_molecule_and_a_summary() {
    for quiet in [false, true] {
        let mut cmd = conformers();
        cmd.args(["gen", "molecules/multi.sdf", "-o", "-", "--effort", "fast"])
            .current_dir(root());
        if quiet {
            cmd.arg("--quiet");
        }
        let err = stderr_of(&cmd.assert().success());
        let per_molecule = err.lines().filter(|l| l.contains(": ok, ")).count();
        assert_eq!(per_molecule, if quiet { 0 } else { 5 }, "{err}");
        let last = err.lines().last().unwrap();
        assert!(
            last.starts_with("conformers gen: 5 molecules (5 ok, 0 failed), ")
                && last.contains("conformers written"),
            "{last}"
        );
    }
}

/// Boltzmann draws resting on a few heavy weights are flagged on stderr and
/// in the JSON summary; a well-sampled molecule is not.
#[test]
fn untrustworthy_boltzmann_draws_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("s.json");
    let run = conformers()
        .args([
            "gen",
            "molecules/flexible_8rotors.sdf",
            "molecules/heteroaromatic_5rotors.sdf",
            "-o",
            "-",
            "--mode",
            "boltzmann",
            "--effort",
            "fast",
            "-n",
            "200",
            "--json",
        ])
        .arg(&json)
        .current_dir(root())
        .assert()
        .success();
    let err = stderr_of(&run);
    let summary: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let warnings = |i: usize| summary[i]["warnings"].as_array().unwrap().len();
    // Verapamil at fast effort: ESS/M about 0.007.
    assert!(summary[0]["ess"].as_f64().unwrap() < 0.05);
    assert!(warnings(0) >= 1, "{summary:?}");
    assert!(err.contains("warning: molecules/flexible_8rotors.sdf: record 1 (verapamil)"));
    assert!(err.contains("--effort thorough"), "{err}");
    // Imatinib: ESS/M about 0.25.
    assert!(summary[1]["ess"].as_f64().unwrap() > 0.05);
    assert_eq!(warnings(1), 0, "{summary:?}");
}

#[test]
fn binary_input_is_echoed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.sdf");
    std::fs::write(&path, b"\x1b[31mred\x07\x00\x01\n\n\n  x  8  0\n").unwrap();
    let run = conformers().arg("info").arg(&path).assert().failure();
    let err = &run.get_output().stderr;
    assert!(
        !err.iter().any(|&b| b == 0x1b || b == 0x07 || b == 0),
        "{err:?}"
    );
    assert!(String::from_utf8_lossy(err).contains("\\u{1b}[31mred"));
}

#[test]
fn help_explains_seed_effort_and_device() {
    let out = conformers().args(["gen", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for needle in [
        "Seed of every random choice",
        "fast:",
        "thorough:",
        "Where the sampler's networks train and run",
        "cuda:",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn completions_and_manual_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = conformers().args(["completions", shell]).assert().success();
        let script = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(
            script.contains("conformers") && script.contains("effort"),
            "{shell}"
        );
    }
    let out = conformers().arg("man").assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        page.contains(".TH conformers 1") && page.contains("conformers\\-gen(1)"),
        "{page}"
    );
    let out = conformers().args(["man", "gen"]).assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        page.contains(".TH conformers-gen 1") && page.contains("effort"),
        "{page}"
    );
    conformers().args(["man", "nonsense"]).assert().code(2);
}

/// SMILES in, 3D out: a batch with a broken line runs the others, the
/// broken one is named by file, record, line and column and goes to
/// `--failed` as a valid SDF record; the written stereo is in the output.
#[test]
fn a_smiles_batch_is_embedded_and_keeps_its_stereo() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.sdf");
    let failed = dir.path().join("failed.sdf");
    let run = conformers()
        .args(["embed", "tests/data/batch.smi", "-o"])
        .arg(&out)
        .current_dir(root())
        .assert()
        .code(1);
    let err = stderr_of(&run);
    assert!(
        err.contains("tests/data/batch.smi: record 2 (unclosed_ring), line 3: column 2: ring closure 1 is never closed"),
        "{err}"
    );
    let records = info_json(std::fs::read_to_string(&out).unwrap());
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["L-alanine", "E-difluoroethene", "cis-cyclobutanediol"]
    );
    // L-alanine is S; its atoms as written, then the hydrogens.
    assert_eq!(records[0]["stereo_centres"][0]["label"], "S");
    assert_eq!(records[0]["formula"], "C3H7NO2");
    let types = records[0]["mmff_atom_types"].as_array().unwrap();
    assert_eq!(
        types[..6],
        serde_json::json!([1, 1, 8, 3, 7, 6]).as_array().unwrap()[..]
    );
    assert_eq!(records[1]["double_bond_stereo"][0]["label"], "E");

    // gen reads the same file; standard input needs --format smi.
    let text = std::fs::read_to_string(root().join("tests/data/batch.smi")).unwrap();
    let run = conformers()
        .args([
            "gen", "-", "--format", "smi", "--effort", "fast", "-o", "-", "--failed",
        ])
        .arg(&failed)
        .write_stdin(text)
        .assert()
        .code(1);
    let sdf = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(sdf.contains("L-alanine") && sdf.contains("cis-cyclobutanediol"));
    let failed = std::fs::read_to_string(&failed).unwrap();
    assert!(failed.starts_with("unclosed_ring\n"), "{failed}");
    assert!(
        failed.contains("> <SMILES>\nC1CC unclosed_ring\n"),
        "{failed}"
    );
    assert!(failed.contains("  0  0  0  0  0  0  0  0  0  0999 V2000\nM  END\n"));
}

#[test]
fn smiles_on_the_command_line() {
    let run = conformers()
        .args([
            "embed",
            "--smiles",
            "C[C@@H](O)C(=O)O D-lactic acid",
            "--smiles",
            "C1CC",
            "-o",
            "-",
        ])
        .assert()
        .code(1);
    let sdf = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(sdf.starts_with("D-lactic acid\n"), "{sdf}");
    assert_eq!(sdf.matches("$$$$").count(), 1);
    let err = stderr_of(&run);
    assert!(
        err.contains("--smiles: record 2, line 1: column 2: ring closure 1"),
        "{err}"
    );
    // Neither files nor --smiles: a usage error.
    conformers().args(["embed", "-o", "-"]).assert().code(2);
}

/// Stereo the input leaves open: one configuration chosen from the seed and
/// listed (JSON `unspecified_stereo`, a warning), or with
/// `--enumerate-stereo` every configuration as its own molecule.
#[test]
fn open_stereo_is_chosen_and_listed_or_enumerated() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("s.json");
    let pentenol = "CC(O)C=CC pentenol";
    let run = conformers()
        .args(["gen", "--smiles", pentenol, "--effort", "fast", "-o", "-"])
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let err = stderr_of(&run);
    assert!(
        err.contains("(pentenol): centre 2 not specified in the input: embedded as "),
        "{err}"
    );
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let open = summary[0]["unspecified_stereo"].as_array().unwrap();
    assert_eq!(open.len(), 2, "{open:?}");
    assert_eq!(open[0]["kind"], "centre");
    assert_eq!(open[0]["atoms"], serde_json::json!([2]));
    assert!(["R", "S"].contains(&open[0]["chosen"].as_str().unwrap()));
    assert_eq!(open[1]["kind"], "double bond");
    assert_eq!(open[1]["atoms"], serde_json::json!([4, 5]));
    assert!(["E", "Z"].contains(&open[1]["chosen"].as_str().unwrap()));

    let enumerate = |extra: &[&str]| {
        let run = conformers()
            .args([
                "embed",
                "--smiles",
                pentenol,
                "--enumerate-stereo",
                "-o",
                "-",
            ])
            .args(extra)
            .assert()
            .success();
        String::from_utf8_lossy(&run.get_output().stdout).to_string()
    };
    let sdf = enumerate(&[]);
    let records = info_json(sdf.clone());
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["pentenol", "pentenol_2", "pentenol_3", "pentenol_4"]
    );
    let mut isomers: Vec<String> = records
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r["stereo_centres"][0]["label"].as_str().unwrap(),
                r["double_bond_stereo"][0]["label"].as_str().unwrap()
            )
        })
        .collect();
    isomers.sort();
    assert_eq!(isomers, ["RE", "RZ", "SE", "SZ"]);
    assert!(sdf.contains("> <STEREOISOMER>\n3 of 4\n"), "{sdf}");
    assert_eq!(
        enumerate(&["--max-stereoisomers", "3"])
            .matches("$$$$")
            .count(),
        3
    );
}

/// Every malformed line of `bad/malformed.smi` is an error naming file,
/// record, line and column; the good lines around them are embedded.
#[test]
fn malformed_smiles_lines_fail_alone() {
    let run = conformers()
        .args(["embed", "tests/data/bad/malformed.smi", "-o", "-"])
        .current_dir(root())
        .assert()
        .code(1);
    let sdf = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert_eq!(sdf.matches("$$$$").count(), 2);
    assert!(sdf.starts_with("ethanol\n") && sdf.contains("\nphenol\n"));
    let err = stderr_of(&run);
    for (record, name, line, column, what) in [
        (2, "unclosed_ring", 2, 2, "ring closure 1 is never closed"),
        (3, "unclosed_branch", 3, 3, "'(' is never closed"),
        (
            4,
            "unmatched_parenthesis",
            4,
            3,
            "')' without a matching '('",
        ),
        (5, "unclosed_bracket", 5, 2, "'[' is never closed"),
        (6, "unknown_element", 6, 3, "unknown element"),
        (7, "pentavalent_carbon", 7, 1, "impossible valence: C"),
        (
            8,
            "no_kekule_structure",
            8,
            3,
            "aromatic system has no Kekulé structure",
        ),
        (9, "long_line", 10, 40001, "'(' is never closed"),
    ] {
        let expected = format!(
            "error: tests/data/bad/malformed.smi: record {record} ({name}), line {line}: column {column}: {what}"
        );
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 8);
}
