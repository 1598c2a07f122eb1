//! Reading trace files: whole files into memory, many in parallel, errors that name the path.
//
// CONTRACT (filled in by the line/pipeline work): signatures below are fixed; bodies are not.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// One trace file's bytes and the name to report it by.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as the caller gave it (or `<stdin>`), used in every message.
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Source {
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            name: name.into(),
            bytes,
        }
    }

    /// Reads a whole file. A directory, a missing or unreadable file is a [`ReadError`].
    pub fn read(path: &Path) -> Result<Source, ReadError> {
        let _ = path;
        todo!("source::Source::read")
    }
}

/// A trace file that could not be read: names the path and the operating system's reason.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read trace file `{}`: {}",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Reads every path (in parallel when there are several), in the given order. Fails on the first
/// path, in input order, that cannot be read, so nothing is processed from a partial set.
pub fn read_all<P: AsRef<Path> + Sync>(paths: &[P]) -> Result<Vec<Source>, ReadError> {
    let _ = paths;
    todo!("source::read_all")
}
