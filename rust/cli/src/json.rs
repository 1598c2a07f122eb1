//! JSON output helpers: the counts every report shares, and printing one object on stdout.

use std::io::{self, Write};

use compile_traces_core::{Source, Summary};
use serde::Serialize;

use crate::error::CliError;

/// The counts of `pipeline::Summary`, under the names the JSON reports promise.
#[derive(Serialize, Debug)]
pub struct Counts {
    /// Distinct statements kept.
    pub statements: u64,
    pub duplicates: u64,
    pub ignored: u64,
    pub malformed: u64,
    pub unsupported: u64,
    pub lines: u64,
    pub bytes: u64,
}

impl From<&Summary> for Counts {
    fn from(summary: &Summary) -> Counts {
        Counts {
            statements: summary.statements,
            duplicates: summary.duplicates,
            ignored: summary.ignored,
            malformed: summary.malformed,
            unsupported: summary.unsupported,
            lines: summary.lines,
            bytes: summary.bytes,
        }
    }
}

pub fn file_names(sources: &[Source]) -> Vec<&str> {
    sources.iter().map(|source| source.name.as_str()).collect()
}

/// Prints `value` as one pretty JSON object and a newline on stdout.
pub fn print(value: &impl Serialize) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|error| CliError::write("standard output", &error))
}
