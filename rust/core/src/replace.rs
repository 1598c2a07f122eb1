//! Whether a new recording may replace an existing file: the guard that keeps a user's work.
//!
//! A recording replaces its output whole. Two mistakes would lose work silently: the output is
//! not a trace at all (a script passed as the output by swapping the arguments), or the new
//! recording holds nothing, or far less than the trace it replaces (the workload failed
//! quietly, a package compiled its own trace and hid everything, a filter was wrong). Both are
//! refused unless the caller forces the write.

use std::fmt;
use std::io;
use std::path::Path;

use crate::item::ItemKind;
use crate::options::Options;
use crate::pipeline;
use crate::source::Source;

/// A new recording keeping fewer than `1 / SHRINK_FACTOR` of the statements of the trace it
/// would replace is refused.
pub const SHRINK_FACTOR: u64 = 2;

/// Why an existing file is not replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The file holds code or text that is not a precompile statement.
    NotATrace {
        /// Malformed and unsupported items.
        foreign: u64,
        /// The first line of the first of them.
        first_line: u32,
    },
    /// The new recording keeps no statement, or fewer than half as many as the file has.
    Shrinks {
        /// Distinct statements in the existing file.
        existing: u64,
        /// Statements the new recording keeps.
        new: u64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::NotATrace {
                foreign,
                first_line,
            } => write!(
                f,
                "it is not a trace file: {foreign} of its lines or blocks are code or text that is \
                 not a precompile statement, the first at line {first_line}"
            ),
            Refusal::Shrinks { existing, new: 0 } => write!(
                f,
                "the new recording kept no statement, and the file holds {existing}"
            ),
            Refusal::Shrinks { existing, new } => write!(
                f,
                "the new recording kept {new} statement{}, less than half of the {existing} the \
                 file holds",
                if new == 1 { "" } else { "s" }
            ),
        }
    }
}

/// Checks whether `target` may be replaced by a recording of `new` statements (`None`: not
/// known yet, check only that `target` is a trace). A missing or empty target may always be
/// replaced; comments and blank lines are fine. Reading `target` may fail (a directory, no
/// permission): that is the `Err`.
///
/// ```
/// use compile_traces_core::replace::{check_replacement, Refusal};
///
/// let dir = tempfile::tempdir().unwrap();
/// let trace = dir.path().join("trace.jl");
/// std::fs::write(&trace, "precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n\
///                         precompile(Tuple{typeof(Base.sum), Vector{Float64}})\n").unwrap();
/// assert_eq!(check_replacement(&trace, Some(1)).unwrap(), None);
/// assert_eq!(check_replacement(&trace, Some(0)).unwrap(), Some(Refusal::Shrinks { existing: 2, new: 0 }));
/// let script = dir.path().join("workload.jl");
/// std::fs::write(&script, "x = 1\nprintln(x)\n").unwrap();
/// assert!(matches!(check_replacement(&script, None).unwrap(), Some(Refusal::NotATrace { first_line: 1, .. })));
/// assert_eq!(check_replacement(&dir.path().join("new.jl"), Some(0)).unwrap(), None);
/// ```
pub fn check_replacement(target: &Path, new: Option<u64>) -> io::Result<Option<Refusal>> {
    let source = match Source::read(target) {
        Ok(source) => source,
        Err(error) if error.error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io::Error::new(error.error.kind(), error.to_string())),
    };
    let mut first_foreign = None;
    let summary = pipeline::process(
        std::slice::from_ref(&source),
        &Options::default(),
        |item, _| {
            if matches!(item.kind, ItemKind::Problem(_)) && first_foreign.is_none() {
                first_foreign = Some(item.origin.line);
            }
        },
    );
    if let Some(first_line) = first_foreign {
        return Ok(Some(Refusal::NotATrace {
            foreign: summary.malformed + summary.unsupported,
            first_line,
        }));
    }
    let existing = summary.statements;
    match new {
        Some(new) if existing > 0 && new.saturating_mul(SHRINK_FACTOR) < existing => {
            Ok(Some(Refusal::Shrinks { existing, new }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const FOUR: &str = "# recorded by Julia 1.10.8\n\
        precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n\
        precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n\
        precompile(Tuple{typeof(Base.sum), Vector{Float64}})\n\
        precompile(Tuple{typeof(Base.sum), Vector{Int32}})\n\
        precompile(Tuple{typeof(Base.sum), Vector{Int16}})\n";

    #[test]
    fn half_is_enough_less_is_refused_with_the_counts() {
        let dir = tempfile::tempdir().unwrap();
        let trace = file(&dir, "t.jl", FOUR);
        assert_eq!(check_replacement(&trace, Some(2)).unwrap(), None);
        assert_eq!(check_replacement(&trace, Some(40)).unwrap(), None);
        let refusal = check_replacement(&trace, Some(1)).unwrap().unwrap();
        // Repeats in the old file do not count.
        assert_eq!(
            refusal,
            Refusal::Shrinks {
                existing: 4,
                new: 1
            }
        );
        assert_eq!(
            refusal.to_string(),
            "the new recording kept 1 statement, less than half of the 4 the file holds"
        );
        assert_eq!(
            check_replacement(&trace, Some(0))
                .unwrap()
                .unwrap()
                .to_string(),
            "the new recording kept no statement, and the file holds 4"
        );
        // Not known yet: only the kind of file matters.
        assert_eq!(check_replacement(&trace, None).unwrap(), None);
    }

    #[test]
    fn empty_and_comment_only_files_may_be_replaced_by_anything() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["", "\n\n", "# nothing recorded yet\n"] {
            let path = file(&dir, "e.jl", text);
            assert_eq!(check_replacement(&path, Some(0)).unwrap(), None, "{text:?}");
        }
    }

    #[test]
    fn code_is_not_a_trace_whatever_the_counts() {
        let dir = tempfile::tempdir().unwrap();
        let script = file(
            &dir,
            "s.jl",
            "precompile(Tuple{typeof(Base.sum), Vector{Int64}})\nx = 1\nprintln(x)\n",
        );
        let refusal = check_replacement(&script, Some(100)).unwrap().unwrap();
        assert_eq!(
            refusal,
            Refusal::NotATrace {
                foreign: 2,
                first_line: 2
            }
        );
        assert!(refusal.to_string().contains("the first at line 2"));
    }

    #[test]
    fn a_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let error = check_replacement(dir.path(), Some(1)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&dir.path().display().to_string()),
            "{error}"
        );
    }
}
