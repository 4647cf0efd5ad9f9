//! Sharded runs: `gen --shard K/N -o DIR/`, `--resume` after kills, and
//! `conformers merge`, compared byte for byte with one process.

use assert_cmd::Command;
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn conformers() -> Command {
    Command::cargo_bin("conformers").unwrap()
}

/// `conformers gen LIBRARY --effort fast --quiet`, more to be added.
fn gen(library: &Path) -> Command {
    let mut command = conformers();
    command
        .arg("gen")
        .arg(library)
        .args(["--effort", "fast", "--quiet"]);
    command
}

/// Small molecules with a few rotors: about a second each at `fast`.
const FLEXIBLE: &str = "CCCC butane\nCCO ethanol\nCCCO propanol\nc1ccccc1 benzene\n\
                        CC(=O)Nc1ccc(O)cc1 paracetamol\nCCOC(=O)C ethyl_acetate\n";

/// Rigid molecules: no sampler to train, so a run takes milliseconds.
const RIGID: &str = "c1ccccc1 benzene\nc1ccc2ccccc2c1 naphthalene\nc1ccncc1 pyridine\n\
                     O water\nN ammonia\nC=O formaldehyde\nCn1cnc2c1c(=O)n(C)c(=O)n2C caffeine\n";

/// A temporary directory holding `text` as the file `name`.
fn library(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The SDF and the JSON summary, less its timings, of a run.
fn outputs(sdf: &Path, json: &Path) -> (String, String) {
    let json = std::fs::read_to_string(json)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"wall_time_s\"") && !l.contains("\"train_time_s\""))
        .collect::<Vec<_>>()
        .join("\n");
    (std::fs::read_to_string(sdf).unwrap(), json)
}

/// `command` writing `STEM.sdf` and `STEM.json` in `dir`, and what it wrote.
fn written(mut command: Command, dir: &Path, stem: &str) -> (String, String) {
    let (sdf, json) = (
        dir.join(format!("{stem}.sdf")),
        dir.join(format!("{stem}.json")),
    );
    command
        .arg("-o")
        .arg(&sdf)
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    outputs(&sdf, &json)
}

/// One process over `library`: the reference a merge must reproduce.
fn single_run(dir: &Path, library: &Path) -> (String, String) {
    written(gen(library), dir, "single")
}

fn merge(run: &Path, dir: &Path) -> (String, String) {
    let mut command = conformers();
    command.arg("merge").arg(run);
    written(command, dir, "merged")
}

/// Record numbers in a shard's journal.
fn journaled(shard: &Path) -> Vec<usize> {
    std::fs::read_to_string(shard.join("journal"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("chunk-"))
        .flat_map(|l| l.split_whitespace().skip(1).map(|w| w.parse().unwrap()))
        .collect::<Vec<usize>>()
}

/// Every record goes to exactly one shard, for shard counts below, at and
/// above the number of records, and the merge is the single run's output.
#[test]
fn shards_partition_the_records_and_merge_to_one_run() {
    let (dir, library) = library("rigid.smi", RIGID);
    let reference = single_run(dir.path(), &library);
    for count in [1usize, 2, 3, 10] {
        let run = dir.path().join(format!("run{count}"));
        for k in 0..count {
            gen(&library)
                .args(["--shard", &format!("{k}/{count}")])
                .arg("-o")
                .arg(format!("{}/", run.display()))
                .assert()
                .success();
        }
        let mut all = Vec::new();
        for k in 0..count {
            let taken = journaled(&run.join(format!("shard-{k}-of-{count}")));
            assert!(taken.iter().all(|i| i % count == k), "{count}: {taken:?}");
            all.extend(taken);
        }
        all.sort_unstable();
        assert_eq!(all, (0..7).collect::<Vec<_>>(), "{count} shards");
        assert_eq!(merge(&run, dir.path()), reference, "{count} shards");
    }
}

/// A task killed (SIGKILL) at random moments and resumed each time gives,
/// merged, exactly the output of one uninterrupted process.
#[test]
fn resuming_after_kills_gives_the_same_output() {
    let (dir, library) = library("flexible.smi", FLEXIBLE);
    let reference = single_run(dir.path(), &library);
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
    for attempt in 0..3 {
        let run = dir.path().join(format!("run{attempt}"));
        let gen = |resume: bool| {
            let mut command =
                std::process::Command::new(assert_cmd::cargo::cargo_bin("conformers"));
            command
                .arg("gen")
                .arg(&library)
                .args([
                    "--effort",
                    "fast",
                    "--quiet",
                    "--chunk-records",
                    "1",
                    "--threads",
                    "2",
                ])
                .arg("-o")
                .arg(format!("{}/", run.display()));
            if resume {
                command.arg("--resume");
            }
            command.stderr(std::process::Stdio::null()).spawn().unwrap()
        };
        // Two kills at random moments, each followed by a resume.
        let mut child = gen(false);
        for _ in 0..2 {
            std::thread::sleep(Duration::from_millis(rng.random_range(100..2500)));
            child.kill().unwrap();
            child.wait().unwrap();
            child = gen(true);
        }
        assert!(child.wait().unwrap().success(), "attempt {attempt}");
        assert_eq!(merge(&run, dir.path()), reference, "attempt {attempt}");
    }
}

/// A run directory is one run: `merge` refuses shards of different runs,
/// and `gen` will not add to a shard of another run or, without
/// `--resume`, redo one.
#[test]
fn mixed_runs_are_refused() {
    let (dir, library) = library("rigid.smi", RIGID);
    let run = format!("{}/", dir.path().join("run").display());
    let run_shard = |shard: &str, seed: &str| {
        let mut command = gen(&library);
        command
            .args(["--shard", shard, "--seed", seed, "-o"])
            .arg(&run);
        command
    };
    run_shard("0/2", "1").assert().success();
    run_shard("1/2", "2").assert().success();
    let out = conformers()
        .args(["merge", &run, "-o", "-"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("mixes 2 runs")
            && err.contains("shard-0-of-2")
            && err.contains("shard-1-of-2"),
        "{err}"
    );
    let again = run_shard("0/2", "1").assert().code(2);
    let err = String::from_utf8_lossy(&again.get_output().stderr).to_string();
    assert!(err.contains("add --resume"), "{err}");
    let other = run_shard("0/2", "3").arg("--resume").assert().code(2);
    let err = String::from_utf8_lossy(&other.get_output().stderr).to_string();
    assert!(err.contains("other inputs or options"), "{err}");
}

/// `--shard auto` takes the Slurm array task; outside Slurm it says so.
#[test]
fn shard_auto_reads_the_slurm_array() {
    let (dir, library) = library("rigid.smi", RIGID);
    let run = dir.path().join("run");
    gen(&library)
        .args(["--shard", "auto", "-o"])
        .arg(format!("{}/", run.display()))
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_MAX", "6")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .assert()
        .success();
    assert_eq!(journaled(&run.join("shard-1-of-3")), [1, 4]);
    let out = conformers()
        .arg("gen")
        .arg(&library)
        .args(["--shard", "auto", "-o"])
        .arg(format!("{}/", run.display()))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("SLURM_ARRAY_TASK_ID is not set"), "{err}");
}

/// A journal whose last line a kill cut off: the line is dropped, its
/// records are redone, and the merge is still the single run's output.
#[test]
fn a_journal_line_cut_off_is_redone() {
    let (dir, library) = library("rigid.smi", RIGID);
    let reference = single_run(dir.path(), &library);
    let run = dir.path().join("run");
    let task = |resume: bool| {
        let mut command = gen(&library);
        command
            .args(["--chunk-records", "1", "--threads", "1", "-o"])
            .arg(format!("{}/", run.display()));
        if resume {
            command.arg("--resume");
        }
        command.assert().success();
    };
    task(false);
    let journal = run.join("shard-0-of-1/journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    // Drop the record count and cut the last chunk's line in the middle.
    let last_chunk = text.rfind("chunk-").unwrap();
    std::fs::write(&journal, &text[..last_chunk + 8]).unwrap();
    task(true);
    assert_eq!(journaled(&run.join("shard-0-of-1")).len(), 7);
    assert_eq!(merge(&run, dir.path()), reference);
}
