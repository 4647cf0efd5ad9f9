use conformers::io::SdfReader;
use conformers::{Error, Molecule};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data(name: &str) -> PathBuf {
    root().join("tests/data").join(name)
}

/// A file of the shared reference data, or `None` (with a message) when the
/// shared folder is not beside the project.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} not found", path.display());
        None
    }
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
