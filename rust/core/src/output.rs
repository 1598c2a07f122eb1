//! Writing a clean trace: one normalized statement per line, to a file that is replaced
//! atomically (a temporary file in the target's directory, renamed over the target only once
//! everything was written), so that a reader never sees half a file and a failed write leaves
//! the target as it was. Shared by the command line tool (`filter`, `merge`) and the C ABI
//! (`ct_write_statements`, used by the Julia package's `record_traces`).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::item::{Flags, Statement};

/// A file being written in place of `target`. Dropping it without [`AtomicFile::commit`]
/// removes the temporary file and leaves `target` untouched.
///
/// ```
/// use std::io::Write;
/// use compile_traces_core::output::AtomicFile;
///
/// let dir = tempfile::tempdir().unwrap();
/// let target = dir.path().join("trace.jl");
/// std::fs::write(&target, "old\n").unwrap();
/// let mut file = AtomicFile::create(&target).unwrap();
/// file.write_all(b"new\n").unwrap();
/// assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n"); // not yet
/// file.commit().unwrap();
/// assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
/// ```
pub struct AtomicFile {
    writer: BufWriter<NamedTempFile>,
    target: PathBuf,
}

impl AtomicFile {
    /// Prepares a write to `target`: creates the temporary file in its directory (the rename
    /// is atomic only within one file system). An existing target keeps its permissions; a new
    /// one gets the usual 0644 on Unix. Fails when the directory is missing or not writable.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".compile-traces-")
            .suffix(".tmp")
            .tempfile_in(directory)?;
        let permissions = match fs::metadata(target) {
            Ok(metadata) => Some(metadata.permissions()),
            Err(_) => new_file_permissions(),
        };
        if let Some(permissions) = permissions {
            // Best effort: failing to copy the mode is not worth losing the output.
            let _ = fs::set_permissions(temp.path(), permissions);
        }
        Ok(AtomicFile {
            writer: BufWriter::new(temp),
            target: target.to_owned(),
        })
    }

    /// The file this will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames the temporary file over the target.
    pub fn commit(self) -> io::Result<()> {
        let temp = self
            .writer
            .into_inner()
            .map_err(|error| io::Error::new(error.error().kind(), error.error().to_string()))?;
        temp.as_file().sync_all()?;
        temp.persist(&self.target).map_err(|error| error.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Temporary files are created private (0600); a new output file should be readable like any file
/// the user creates. std cannot read the umask, so use the common default 0644.
#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}

/// One output line: the normalized statement, optionally with its timing written back the way
/// Julia 1.12 prints it (`#=  39.1 ms =# precompile(...) # recompile`).
pub fn write_statement(
    out: &mut impl Write,
    statement: &Statement<'_>,
    keep_timing: bool,
) -> io::Result<()> {
    if keep_timing {
        if let Some(ms) = statement.timing_ms {
            write!(out, "#= {ms:6.1} ms =# ")?;
        }
    }
    out.write_all(statement.text.as_bytes())?;
    if keep_timing && statement.flags.contains(Flags::RECOMPILE) {
        out.write_all(b" # recompile")?;
    }
    out.write_all(b"\n")
}

/// Writes `header` (comment lines, e.g. what recorded the trace) then `statements` to `target`
/// atomically, one per line ([`write_statement`]), and returns how many statements were
/// written. A header line that is not a comment (does not start with `#`) is an
/// `InvalidInput` error, so that the file stays a trace; an empty header writes nothing. On
/// any error the target is left as it was and no temporary file remains.
pub fn write_statements_to<'s, 'a: 's>(
    target: &Path,
    header: &str,
    statements: impl IntoIterator<Item = &'s Statement<'a>>,
    keep_timing: bool,
) -> io::Result<u64> {
    if let Some(line) = header.lines().find(|line| !line.starts_with('#')) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a header line is not a comment: {line:?}"),
        ));
    }
    let mut file = AtomicFile::create(target)?;
    for line in header.lines() {
        file.write_all(line.as_bytes())?;
        file.write_all(b"\n")?;
    }
    let mut written = 0u64;
    for statement in statements {
        write_statement(&mut file, statement, keep_timing)?;
        written += 1;
    }
    file.commit()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Span;
    use std::borrow::Cow;

    fn statement(timing_ms: Option<f64>, flags: Flags) -> Statement<'static> {
        let text = "precompile(Tuple{typeof(Base.sum), Int64})";
        Statement {
            text: Cow::Borrowed(text),
            signature: Span::new(11, text.len() - 1),
            arg_types: None,
            roots: [Span::new(24, 28)].into_iter().collect(),
            timing_ms,
            flags,
            repair: None,
        }
    }

    #[test]
    fn timing_is_written_back_like_julia_1_12() {
        let mut out = Vec::new();
        write_statement(&mut out, &statement(Some(39.14), Flags::TIMED), true).unwrap();
        write_statement(
            &mut out,
            &statement(Some(1234.5), Flags::TIMED | Flags::RECOMPILE),
            true,
        )
        .unwrap();
        write_statement(&mut out, &statement(Some(3.0), Flags::TIMED), false).unwrap();
        write_statement(&mut out, &statement(None, Flags::NONE), true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "#=   39.1 ms =# precompile(Tuple{typeof(Base.sum), Int64})\n\
             #= 1234.5 ms =# precompile(Tuple{typeof(Base.sum), Int64}) # recompile\n\
             precompile(Tuple{typeof(Base.sum), Int64})\n\
             precompile(Tuple{typeof(Base.sum), Int64})\n"
        );
    }

    #[test]
    fn file_output_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jl");
        fs::write(&target, "old\n").unwrap();
        let mut output = AtomicFile::create(&target).unwrap();
        output.write_all(b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        output.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        // Only the target is left: the temporary file was renamed, not copied.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_output_leaves_the_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jl");
        fs::write(&target, "old\n").unwrap();
        let mut output = AtomicFile::create(&target).unwrap();
        output.write_all(b"partial").unwrap();
        drop(output);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_readable_and_an_existing_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.jl");
        let one = statement(None, Flags::NONE);
        assert_eq!(write_statements_to(&fresh, "", [&one], false).unwrap(), 1);
        let mode = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let kept = dir.path().join("kept.jl");
        fs::write(&kept, "old\n").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o600)).unwrap();
        write_statements_to(&kept, "", [&one, &one], false).unwrap();
        let mode = fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            fs::read_to_string(&kept).unwrap(),
            format!("{}\n{}\n", one.text, one.text)
        );
    }

    #[test]
    fn the_header_comes_first_and_must_be_comments() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.jl");
        let one = statement(None, Flags::NONE);
        let header = "# Recorded by Julia 1.10.8\n# from workload.jl\n";
        assert_eq!(
            write_statements_to(&target, header, [&one], false).unwrap(),
            1
        );
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            format!("{header}{}\n", one.text)
        );
        let error = write_statements_to(&target, "# ok\nx = 1", [&one], false).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(error.to_string().contains("\"x = 1\""), "{error}");
        // Left as it was.
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            format!("{header}{}\n", one.text)
        );
    }

    #[test]
    fn a_missing_directory_is_an_error_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("no_such_dir").join("out.jl");
        let error = write_statements_to(&target, "", [], false).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(!target.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
