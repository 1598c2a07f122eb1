//! Where `filter` and `merge` write: stdout, or a file written atomically (a temporary file in the
//! target's directory, renamed over the target only once everything was written).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use compile_traces_core::{Flags, Statement};
use tempfile::NamedTempFile;

use crate::error::CliError;

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        writer: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
}

impl Output {
    pub fn stdout() -> Output {
        Output::Stdout(BufWriter::new(io::stdout()))
    }

    /// Prepares an atomic write to `target`. An existing target keeps its permissions.
    pub fn file(target: &Path) -> Result<Output, CliError> {
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".compile-traces-")
            .suffix(".tmp")
            .tempfile_in(directory)
            .map_err(|error| CliError::write_path(target, &error))?;
        let permissions = match fs::metadata(target) {
            Ok(metadata) => Some(metadata.permissions()),
            Err(_) => new_file_permissions(),
        };
        if let Some(permissions) = permissions {
            // Best effort: failing to copy the mode is not worth losing the output.
            let _ = fs::set_permissions(temp.path(), permissions);
        }
        Ok(Output::File {
            writer: BufWriter::new(temp),
            target: target.to_owned(),
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Output::Stdout(_) => "standard output".to_owned(),
            Output::File { target, .. } => format!("`{}`", target.display()),
        }
    }

    /// Flushes and, for a file, renames the temporary file over the target.
    pub fn commit(self) -> Result<(), CliError> {
        match self {
            Output::Stdout(mut writer) => writer
                .flush()
                .map_err(|error| CliError::write("standard output", &error)),
            Output::File { writer, target } => {
                let temp = writer
                    .into_inner()
                    .map_err(|error| CliError::write_path(&target, error.error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|error| CliError::write_path(&target, &error))?;
                temp.persist(&target)
                    .map_err(|error| CliError::write_path(&target, &error.error))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(writer) => writer.write(buf),
            Output::File { writer, .. } => writer.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(writer) => writer.write_all(buf),
            Output::File { writer, .. } => writer.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(writer) => writer.flush(),
            Output::File { writer, .. } => writer.flush(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use compile_traces_core::Span;
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
        let mut output = Output::file(&target).unwrap();
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
        let mut output = Output::file(&target).unwrap();
        output.write_all(b"partial").unwrap();
        drop(output);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
