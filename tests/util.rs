use conformers::io::SdfReader;
use conformers::{Error, Molecule};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data(name: &str) -> PathBuf {
    root().join("tests/data").join(name)
}

/// A file of the shared reference data, or `None` when the shared folder is
/// not beside the project. The skip is written straight to the process's
/// standard error, past the test harness's capture (which takes only
/// `print!`/`eprint!`), so that a green run still says what it left out.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (test {}): {} not found",
        std::thread::current().name().unwrap_or("?"),
        path.display()
    );
    None
}

pub fn read_all(path: &Path) -> Vec<Result<Molecule, Error>> {
    conformers::io::open_sdf(path.to_str().unwrap())
        .unwrap()
        .collect()
}

pub fn read_ok(path: &Path) -> Vec<Molecule> {
    read_all(path)
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

pub fn read_str(text: &str) -> Vec<Result<Molecule, Error>> {
    SdfReader::new(text.as_bytes(), "test.sdf").collect()
}

pub fn to_sdf(mols: &[Molecule]) -> String {
    let mut out = Vec::new();
    for m in mols {
        conformers::io::write_record(&mut out, m, m.coords(), &[]).unwrap();
    }
    String::from_utf8(out).unwrap()
}

pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The seven MMFF94 terms, as the reference data names them.
pub const TERMS: [&str; 7] = [
    "bond",
    "angle",
    "stretch_bend",
    "oop",
    "torsion",
    "vdw",
    "ele",
];

pub fn term(e: &conformers::forcefield::mmff::Energies, name: &str) -> f64 {
    match name {
        "bond" => e.bond,
        "angle" => e.angle,
        "stretch_bend" => e.stretch_bend,
        "oop" => e.oop,
        "torsion" => e.torsion,
        "vdw" => e.vdw,
        "ele" => e.ele,
        other => panic!("no term {other}"),
    }
}
