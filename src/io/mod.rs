//! Reading and writing molecules: SDF/MOL (V2000 and V3000, gzip, stdin)
//! and XYZ.

pub mod atomic;
pub mod sdf;
pub mod smiles;
pub mod xyz;

pub use atomic::AtomicFile;
pub use sdf::{write_record, SdfReader};

use crate::error::Error;
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// Opens an SDF file for streaming, `-` meaning standard input. Gzip input
/// (`.sdf.gz`, or any stream starting with the gzip magic bytes) is
/// decompressed on the fly.
pub fn open_sdf(path: &str) -> Result<SdfReader<Box<dyn BufRead>>, Error> {
    Ok(SdfReader::new(open_text(path)?, path))
}

/// Opens a file (or standard input, `-`) for streaming, gzip decompressed on
/// the fly, without choosing a reader.
pub fn open_text(path: &str) -> Result<Box<dyn BufRead>, Error> {
    let read_error = |reason| Error::Read {
        path: Path::new(path).to_path_buf(),
        reason,
    };
    let raw: Box<dyn BufRead> = if path == "-" {
        Box::new(BufReader::new(io::stdin()))
    } else {
        Box::new(BufReader::new(File::open(path).map_err(read_error)?))
    };
    maybe_gunzip(raw).map_err(read_error)
}

/// Whether a file name says SMILES (`.smi`, `.smiles`, `.ism`, `.can`,
/// optionally gzipped).
pub fn is_smiles_file(path: &str) -> bool {
    let name = path
        .strip_suffix(".gz")
        .unwrap_or(path)
        .to_ascii_lowercase();
    [".smi", ".smiles", ".ism", ".can"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn maybe_gunzip(mut input: Box<dyn BufRead>) -> io::Result<Box<dyn BufRead>> {
    let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::new(MultiGzDecoder::new(input)))
    } else {
        input
    })
}
