//! Output files that appear whole or not at all: data goes to a temporary
//! file beside the target, renamed over it once everything is written. A
//! failed or interrupted run leaves neither a truncated file nor, once the
//! [`AtomicFile`] is dropped, the temporary one.

use crate::error::Error;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

pub struct AtomicFile {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Opens the temporary file at once, so that a path that cannot be
    /// written is reported before any work is done.
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile, Error> {
        let path = path.as_ref().to_path_buf();
        let fail = |reason: io::Error| Error::Write {
            path: path.clone(),
            reason,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if path.is_dir() || path.as_os_str().to_string_lossy().ends_with('/') {
            return Err(fail(io::Error::other("it is a directory, not a file name")));
        }
        if !dir.is_dir() {
            return Err(fail(io::Error::other(format!(
                "directory {} does not exist",
                dir.display()
            ))));
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".conformers-");
        // The permissions a plain create gives (0666 less the umask), not
        // the private 0600 of a temporary file: results are for others too.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(&dir)
            // tempfile's message names the temporary path; the user's is
            // the one that matters.
            .map_err(|e| fail(io::Error::new(e.kind(), e.kind().to_string())))?;
        Ok(AtomicFile {
            path,
            writer: BufWriter::new(temp),
        })
    }

    /// Flushes and moves the file into place.
    pub fn commit(self) -> Result<(), Error> {
        let path = self.path;
        let fail = |reason: io::Error| Error::Write {
            path: path.clone(),
            reason,
        };
        let temp = self.writer.into_inner().map_err(|e| fail(e.into_error()))?;
        temp.as_file().sync_all().map_err(fail)?;
        temp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
