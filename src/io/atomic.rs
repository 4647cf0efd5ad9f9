//! Output files that appear whole or not at all: data goes to a temporary
//! file beside the target, renamed over it once everything is written. A
//! failed or interrupted run leaves neither a truncated file nor, once the
//! [`AtomicFile`] is dropped, the temporary one.
//!
//! A target that is not a regular file (`/dev/null`, a named pipe, a
//! terminal) is written in place: renaming over it would replace the device
//! or pipe with a plain file, and there is nothing there to keep whole. A
//! symbolic link is followed, so the file it points to is replaced and the
//! link stays.

use crate::error::Error;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

pub struct AtomicFile {
    /// The path as the user gave it, for messages.
    path: PathBuf,
    /// Boxed: the writer and its target are large, and callers keep
    /// several optional outputs side by side.
    writer: Box<BufWriter<Target>>,
}

enum Target {
    /// A temporary file and the regular file it will replace.
    Replace(NamedTempFile, PathBuf),
    /// A device or pipe, written directly.
    InPlace(File),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Replace(temp, _) => temp.write(buf),
            Target::InPlace(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Replace(temp, _) => temp.flush(),
            Target::InPlace(file) => file.flush(),
        }
    }
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
        let meta = fs::metadata(&path);
        if path.as_os_str().to_string_lossy().ends_with('/')
            || meta.as_ref().is_ok_and(|m| m.is_dir())
        {
            return Err(fail(io::Error::other("it is a directory, not a file name")));
        }
        let target = match meta {
            Ok(meta) if !meta.is_file() => {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(fail)?;
                Target::InPlace(file)
            }
            // A link to a regular file: the file is replaced, the link kept.
            Ok(_) => {
                let real = fs::canonicalize(&path).map_err(fail)?;
                Target::Replace(temp_beside(&real).map_err(fail)?, real)
            }
            Err(_) => Target::Replace(temp_beside(&path).map_err(fail)?, path.clone()),
        };
        Ok(AtomicFile {
            path,
            writer: Box::new(BufWriter::new(target)),
        })
    }

    /// Flushes and moves the file into place.
    pub fn commit(self) -> Result<(), Error> {
        let path = self.path;
        let fail = |reason: io::Error| Error::Write {
            path: path.clone(),
            reason,
        };
        // A device or pipe has had everything once the buffer is flushed.
        if let Target::Replace(temp, real) =
            self.writer.into_inner().map_err(|e| fail(e.into_error()))?
        {
            temp.as_file().sync_all().map_err(fail)?;
            temp.persist(&real).map_err(|e| fail(e.error))?;
        }
        Ok(())
    }
}

/// A temporary file in the directory of `path`, so that the final rename
/// stays on one file system.
fn temp_beside(path: &Path) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(io::Error::other(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".conformers-");
    // The permissions a plain create gives (0666 less the umask), not the
    // private 0600 of a temporary file: results are for others too.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder
        .tempfile_in(dir)
        // tempfile's message names the temporary path; the user's is the
        // one that matters.
        .map_err(|e| io::Error::new(e.kind(), e.kind().to_string()))
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
