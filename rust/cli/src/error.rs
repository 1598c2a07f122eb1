//! Errors that stop a subcommand: what went wrong and what to do about it. All exit with status 2.

use std::fmt;
use std::io;
use std::path::Path;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
    /// The reader of standard output went away (`... | head`): stop quietly, successfully.
    pub broken_pipe: bool,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: None,
            broken_pipe: false,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// A failure to write `what` (a path, or standard output).
    pub fn write(what: &str, error: &io::Error) -> CliError {
        let hint = match error.kind() {
            io::ErrorKind::PermissionDenied => "check that the directory is writable",
            io::ErrorKind::NotFound => "create the output directory first",
            _ => "check the free space and the output path",
        };
        let mut cli_error = CliError::new(format!("cannot write {what}: {error}")).with_hint(hint);
        cli_error.broken_pipe = error.kind() == io::ErrorKind::BrokenPipe;
        cli_error
    }

    pub fn write_path(path: &Path, error: &io::Error) -> CliError {
        CliError::write(&format!("`{}`", path.display()), error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}
