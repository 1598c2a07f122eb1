//! Where `filter` and `merge` write: stdout, or a file written atomically by the core's
//! [`AtomicFile`] (the same writer the C ABI uses for Julia's `record_traces`).

use std::io::{self, BufWriter, Write};
use std::path::Path;

pub use compile_traces_core::output::write_statement;
use compile_traces_core::output::AtomicFile;

use crate::error::CliError;

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File(AtomicFile),
}

impl Output {
    pub fn stdout() -> Output {
        Output::Stdout(BufWriter::new(io::stdout()))
    }

    /// Prepares an atomic write to `target`. An existing target keeps its permissions.
    pub fn file(target: &Path) -> Result<Output, CliError> {
        AtomicFile::create(target)
            .map(Output::File)
            .map_err(|error| CliError::write_path(target, &error))
    }

    pub fn describe(&self) -> String {
        match self {
            Output::Stdout(_) => "standard output".to_owned(),
            Output::File(file) => format!("`{}`", file.target().display()),
        }
    }

    /// Flushes and, for a file, renames the temporary file over the target.
    pub fn commit(self) -> Result<(), CliError> {
        match self {
            Output::Stdout(mut writer) => writer
                .flush()
                .map_err(|error| CliError::write("standard output", &error)),
            Output::File(file) => {
                let target = file.target().to_owned();
                file.commit()
                    .map_err(|error| CliError::write_path(&target, &error))
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(writer) => writer.write(buf),
            Output::File(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(writer) => writer.write_all(buf),
            Output::File(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(writer) => writer.flush(),
            Output::File(file) => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn an_unwritable_destination_is_a_cli_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("no_such_dir").join("out.jl");
        let Err(error) = Output::file(&target) else {
            panic!("a missing directory must fail");
        };
        assert!(error.message.contains("no_such_dir"), "{}", error.message);
        assert_eq!(
            error.hint.as_deref(),
            Some("create the output directory first")
        );
    }

    #[test]
    fn file_output_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jl");
        fs::write(&target, "old\n").unwrap();
        let mut output = Output::file(&target).unwrap();
        output.write_all(b"new\n").unwrap();
        assert_eq!(output.describe(), format!("`{}`", target.display()));
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        output.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
    }
}
