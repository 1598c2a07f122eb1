//! Reading the inputs of a subcommand: files (in parallel, by the core) and `-` for stdin.

use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};

use compile_traces_core::source::{self, ReadError};
use compile_traces_core::Source;

use crate::error::CliError;

/// The name reported for standard input.
pub const STDIN_NAME: &str = "<stdin>";

pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads every input in order. `-` (at most once) is standard input. Fails on the first input,
/// in order, that cannot be read, before anything is processed.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Source>, CliError> {
    let stdin_positions = paths.iter().filter(|p| is_stdin(p)).count();
    if stdin_positions > 1 {
        return Err(
            CliError::new("`-` (standard input) is given more than once").with_hint(
                "standard input can be read only once; save it to a file to use it twice",
            ),
        );
    }
    let files: Vec<&PathBuf> = paths.iter().filter(|p| !is_stdin(p)).collect();
    let mut read = source::read_all(&files).map_err(read_error)?.into_iter();
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        if is_stdin(path) {
            sources.push(read_stdin()?);
        } else if let Some(source) = read.next() {
            sources.push(source);
        }
    }
    Ok(sources)
}

fn read_stdin() -> Result<Source, CliError> {
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        eprintln!("compile-traces: reading a trace from standard input (end it with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin.read_to_end(&mut bytes).map_err(|error| {
        CliError::new(format!("cannot read standard input: {error}"))
            .with_hint("pass the trace as a file path instead of `-`")
    })?;
    Ok(Source::from_bytes(STDIN_NAME, bytes))
}

fn read_error(error: ReadError) -> CliError {
    let hint = if error.path.is_dir() {
        "this is a directory: pass the trace files inside it (e.g. `dir/*.jl`)".to_owned()
    } else {
        match error.error.kind() {
            io::ErrorKind::NotFound => format!(
                "check the path (relative paths start at `{}`), or pass `-` to read standard input",
                std::env::current_dir()
                    .map(|dir| dir.display().to_string())
                    .unwrap_or_else(|_| ".".to_owned())
            ),
            io::ErrorKind::PermissionDenied => "check the file's read permission".to_owned(),
            _ => "check that the path is a readable regular file".to_owned(),
        }
    };
    CliError::new(error.to_string()).with_hint(hint)
}
