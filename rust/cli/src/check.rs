//! `compile-traces check`: every malformed and unsupported line, rustc-style, then a summary.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use compile_traces_core::{pipeline, ItemKind, Options, ProblemKind};
use serde::Serialize;

use crate::args::CheckArgs;
use crate::diagnostic::{self, counted, counted_noun};
use crate::error::CliError;
use crate::input;
use crate::json::{self, Counts};
use crate::progress::Progress;

#[derive(Serialize)]
struct ProblemJson<'a> {
    path: &'a str,
    line: u32,
    end_line: u32,
    column: u32,
    kind: &'static str,
    message: String,
    text: String,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    /// What the exit status says: no malformed line (nor unsupported with `--strict`).
    ok: bool,
    files: Vec<&'a str>,
    #[serde(flatten)]
    counts: Counts,
    problems: Vec<ProblemJson<'a>>,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let sources = input::read_inputs(&args.files)?;
    let mut progress = Progress::new(&sources, false);
    // Diagnostics share the terminal with the progress line only when stdout is a terminal too.
    let stdout_is_terminal = io::stdout().is_terminal();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut problems = Vec::new();
    let mut write_error: Option<io::Error> = None;

    let summary = pipeline::process(&sources, &Options::default(), |item, _verdict| {
        progress.tick(item.origin);
        let ItemKind::Problem(problem) = item.kind else {
            return;
        };
        let path = sources[item.origin.source as usize].name.as_str();
        if args.json {
            problems.push(ProblemJson {
                path,
                line: item.origin.line,
                end_line: item.origin.end_line,
                column: problem.column,
                kind: problem.kind.as_str(),
                message: problem.message.into_owned(),
                text: problem.text.into_owned(),
            });
            return;
        }
        if write_error.is_some() {
            return;
        }
        if stdout_is_terminal && progress.is_visible() {
            progress.clear();
        }
        let result =
            diagnostic::write_problem(&mut out, path, item.origin, &problem).and_then(|()| {
                if stdout_is_terminal {
                    out.flush()
                } else {
                    Ok(())
                }
            });
        if let Err(error) = result {
            write_error = Some(error);
        }
    });
    drop(progress);

    let failed = summary.malformed > 0 || (args.strict && summary.unsupported > 0);
    if args.json {
        drop(out);
        json::print(&CheckJson {
            ok: !failed,
            files: json::file_names(&sources),
            counts: Counts::from(&summary),
            problems,
        })?;
    } else {
        if let Some(error) = write_error {
            return Err(CliError::write("standard output", &error));
        }
        let what = if sources.len() == 1 {
            sources[0].name.clone()
        } else {
            format!("{} files", sources.len())
        };
        let verdict = if failed {
            let mut reasons = Vec::new();
            if summary.malformed > 0 {
                reasons.push(plural(summary.malformed, ProblemKind::Malformed.as_str()));
            }
            if args.strict && summary.unsupported > 0 {
                reasons.push(plural(
                    summary.unsupported,
                    ProblemKind::Unsupported.as_str(),
                ));
            }
            format!("FAILED ({})", reasons.join(", "))
        } else {
            "ok".to_owned()
        };
        writeln!(
            out,
            "{what}: {verdict}: {}, {}, {}, {} ignored, {} malformed, {} unsupported",
            counted(summary.lines, "line"),
            counted(summary.statements, "statement"),
            counted(summary.duplicates, "duplicate"),
            summary.ignored,
            summary.malformed,
            summary.unsupported
        )
        .and_then(|()| out.flush())
        .map_err(|error| CliError::write("standard output", &error))?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(count: u64, kind: &str) -> String {
    format!("{count} {kind} {}", counted_noun(count, "line"))
}
