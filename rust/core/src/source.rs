//! Reading trace files: whole files into memory, many in parallel, errors that name the path.
//!
//! Files are read whole because the pipeline hands out statement text borrowed from the input
//! (zero-copy) and splits large inputs into chunks that are parsed in parallel.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// One trace file's bytes and the name to report it by.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as the caller gave it (or `<stdin>`), used in every message.
    pub name: String,
    /// The whole file, as read (no decoding: lines are checked one by one).
    pub bytes: Vec<u8>,
}

impl Source {
    /// A source from bytes already in memory (standard input, a test, the C ABI).
    ///
    /// ```
    /// use compile_traces_core::Source;
    /// let source = Source::from_bytes("<stdin>", b"precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n".to_vec());
    /// assert_eq!(source.name, "<stdin>");
    /// ```
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            name: name.into(),
            bytes,
        }
    }

    /// Reads a whole file. A directory, a missing or unreadable file is a [`ReadError`] that
    /// names the path and the operating system's reason.
    ///
    /// ```
    /// use compile_traces_core::Source;
    /// let error = Source::read(std::path::Path::new("no/such/trace.jl")).unwrap_err();
    /// assert!(error.to_string().starts_with("cannot read trace file `no/such/trace.jl`: "));
    /// ```
    pub fn read(path: &Path) -> Result<Source, ReadError> {
        let fail = |error: io::Error| ReadError {
            path: path.to_path_buf(),
            error,
        };
        // On Linux, `read` of a directory opens fine and then fails with the terse
        // "Is a directory (os error 21)" only on the first read; checking first gives the same
        // reason on every platform (Windows refuses to open a directory with "Access is denied").
        let metadata = std::fs::metadata(path).map_err(fail)?;
        if metadata.is_dir() {
            return Err(fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a directory, not a trace file",
            )));
        }
        let bytes = read_file(path).map_err(fail)?;
        Ok(Source {
            name: path.display().to_string(),
            bytes,
        })
    }
}

/// Files from this size on are read by several threads at once.
const PARALLEL_READ_BYTES: u64 = 8 << 20;
/// Smallest piece of a file one thread reads.
const READ_PIECE_BYTES: usize = 4 << 20;

/// Reads a whole file. A large file is read in pieces by the thread pool: most of the cost of
/// reading a file that is in the page cache is the page faults of the fresh buffer (the kernel
/// clears every page), and these then happen on every core.
fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size < PARALLEL_READ_BYTES {
        return read_to_end(file, size);
    }
    read_in_pieces(file, size)
}

/// What `std::fs::read` does, with the size already known.
fn read_to_end(mut file: std::fs::File, size: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(usize::try_from(size).unwrap_or(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn read_in_pieces(mut file: std::fs::File, size: u64) -> io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    use std::os::unix::fs::FileExt;

    let Ok(len) = usize::try_from(size) else {
        return read_to_end(file, size);
    };
    // Zeroed memory from the allocator is fresh pages, not cleared twice.
    let mut bytes = vec![0u8; len];
    let pieces = (len / READ_PIECE_BYTES).clamp(1, rayon::current_num_threads());
    let piece = len.div_ceil(pieces);
    let result: io::Result<()> = bytes
        .par_chunks_mut(piece)
        .enumerate()
        .try_for_each(|(index, chunk)| file.read_exact_at(chunk, (index * piece) as u64));
    match result {
        Ok(()) => {
            // The file may have grown since its size was taken: read what follows too, as
            // `std::fs::read` would.
            file.seek(SeekFrom::Start(size))?;
            file.read_to_end(&mut bytes)?;
            Ok(bytes)
        }
        // Shorter than its size said (truncated meanwhile): read it again the simple way.
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
            drop(bytes);
            file.seek(SeekFrom::Start(0))?;
            read_to_end(file, 0)
        }
        Err(error) => Err(error),
    }
}

#[cfg(not(unix))]
fn read_in_pieces(file: std::fs::File, size: u64) -> io::Result<Vec<u8>> {
    read_to_end(file, size)
}

/// A trace file that could not be read: names the path and the operating system's reason.
#[derive(Debug)]
pub struct ReadError {
    /// The path as the caller gave it.
    pub path: PathBuf,
    /// The operating system's reason.
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
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("trace.jl");
/// std::fs::write(&path, "precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n")?;
/// let sources = compile_traces_core::source::read_all(&[&path])?;
/// assert_eq!(sources[0].bytes.len(), 51);
/// # Ok(()) }
/// ```
pub fn read_all<P: AsRef<Path> + Sync>(paths: &[P]) -> Result<Vec<Source>, ReadError> {
    // One file, or a few small ones (most package trace sets): no thread pool to wake up.
    // Sizes that cannot be read count as 0; reading the file then reports why.
    let total_bytes: u64 = paths
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|metadata| metadata.len())
        .sum();
    if paths.len() <= 1 || total_bytes < crate::pipeline::PARALLEL_THRESHOLD as u64 {
        return paths
            .iter()
            .map(|path| Source::read(path.as_ref()))
            .collect();
    }
    // Collecting every result before looking at errors keeps "first failing path in input
    // order" independent of which thread finished first.
    let results: Vec<Result<Source, ReadError>> = paths
        .par_iter()
        .map(|path| Source::read(path.as_ref()))
        .collect();
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_path_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.jl");
        let error = Source::read(&path).unwrap_err();
        assert_eq!(error.error.kind(), io::ErrorKind::NotFound);
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("os error"), "{message}");
    }

    #[test]
    fn directory_is_an_error_that_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let error = Source::read(dir.path()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(&dir.path().display().to_string()));
        assert!(message.contains("is a directory"), "{message}");
    }

    #[test]
    fn read_all_keeps_order_and_reports_first_failure_in_input_order() {
        // Small files are read on the calling thread, a large set on the pool: same results.
        for padding in [0, 300_000] {
            let dir = tempfile::tempdir().unwrap();
            let paths: Vec<PathBuf> = (0..6).map(|i| dir.path().join(format!("{i}.jl"))).collect();
            let content = |i: usize| format!("{}line {i}\n", "\n".repeat(padding)).into_bytes();
            for (i, path) in paths.iter().enumerate() {
                std::fs::write(path, content(i)).unwrap();
            }
            let sources = read_all(&paths).unwrap();
            for (i, source) in sources.iter().enumerate() {
                assert_eq!(source.bytes, content(i));
                assert_eq!(source.name, paths[i].display().to_string());
            }

            let mut broken = paths.clone();
            broken[2] = dir.path().join("gone-2.jl");
            broken[4] = dir.path().join("gone-4.jl");
            let error = read_all(&broken).unwrap_err();
            assert_eq!(error.path, broken[2]);
        }

        assert!(read_all::<PathBuf>(&[]).unwrap().is_empty());
    }

    #[test]
    fn large_file_read_in_pieces_is_byte_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jl");
        // Not a multiple of the piece size, every byte position distinguishable.
        let len = PARALLEL_READ_BYTES as usize * 2 + 12_345;
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let source = pool.install(|| Source::read(&path)).unwrap();
            assert!(source.bytes == bytes, "{threads} threads");
        }
        let file = std::fs::File::open(&path).unwrap();
        // A size taken before the file grew or shrank.
        let read = read_in_pieces(file, len as u64 - 5000).unwrap();
        assert!(read == bytes);
        let file = std::fs::File::open(&path).unwrap();
        let read = read_in_pieces(file, len as u64 + 5000).unwrap();
        assert!(read == bytes);
    }
}
