//! `compile-traces filter` and `compile-traces merge`: a clean trace with what passes the filters.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use compile_traces_core::{pipeline, ItemKind, Options, Summary, Verdict};

use crate::args::{combine_patterns, FilterArgs, FilterFlags, MergeArgs};
use crate::diagnostic::counted;
use crate::error::CliError;
use crate::input;
use crate::output::{self, Output};
use crate::progress::Progress;

enum Destination {
    Stdout,
    File(PathBuf),
    /// Replace this (canonical) input file.
    InPlace(PathBuf),
}

pub fn run_filter(args: &FilterArgs) -> Result<ExitCode, CliError> {
    let destination = if args.in_place {
        let [input] = args.files.as_slice() else {
            return Err(CliError::new(format!(
                "--in-place needs exactly one input file, got {}",
                args.files.len()
            ))
            .with_hint("to combine several files use `compile-traces merge FILES... -o OUT`"));
        };
        if input::is_stdin(input) {
            return Err(CliError::new("--in-place cannot replace standard input")
                .with_hint("give a file path, or drop --in-place to write to stdout"));
        }
        // Follow symlinks so the file they point to is replaced, not the link.
        let target = fs::canonicalize(input).unwrap_or_else(|_| input.clone());
        Destination::InPlace(target)
    } else {
        destination_for(args.output.as_deref(), &args.files)?
    };
    run(&args.files, &args.flags, destination)
}

pub fn run_merge(args: &MergeArgs) -> Result<ExitCode, CliError> {
    let Some(output) = args.output.as_deref() else {
        return Err(CliError::new("merge needs an output file")
            .with_hint("add `-o merged.jl` (or `-o -` to write to standard output)"));
    };
    let destination = destination_for(Some(output), &args.files)?;
    run(&args.files, &args.flags, destination)
}

/// `-o OUT` (or stdout), refusing to write over one of the inputs.
fn destination_for(output: Option<&Path>, inputs: &[PathBuf]) -> Result<Destination, CliError> {
    let Some(output) = output.filter(|path| !input::is_stdin(path)) else {
        return Ok(Destination::Stdout);
    };
    if output.is_dir() {
        return Err(
            CliError::new(format!("the output `{}` is a directory", output.display()))
                .with_hint("give a file path, e.g. `-o clean.jl`"),
        );
    }
    if let Ok(canonical_output) = fs::canonicalize(output) {
        let clash = inputs
            .iter()
            .filter(|path| !input::is_stdin(path))
            .any(|path| fs::canonicalize(path).is_ok_and(|p| p == canonical_output));
        if clash {
            return Err(CliError::new(format!(
                "the output `{}` is also an input; refusing to overwrite it",
                output.display()
            ))
            .with_hint(
                "write to another file, or use `filter --in-place FILE` to replace a single input atomically",
            ));
        }
    }
    Ok(Destination::File(output.to_owned()))
}

fn options(flags: &FilterFlags) -> Options {
    Options {
        dedup: true,
        exclude_modules: flags.exclude_modules.clone(),
        modules: None,
        exclude_closures: flags.exclude_closures,
        min_time_ms: flags.min_ms,
        include: combine_patterns(&flags.matches),
        exclude: combine_patterns(&flags.excludes),
        bound_varargs: flags.bound_varargs,
    }
}

fn run(
    files: &[PathBuf],
    flags: &FilterFlags,
    destination: Destination,
) -> Result<ExitCode, CliError> {
    let sources = input::read_inputs(files)?;
    let mut out = match &destination {
        Destination::Stdout => Output::stdout(),
        Destination::File(path) | Destination::InPlace(path) => Output::file(path)?,
    };
    let options = options(flags);
    // Statements printed on a terminal would interleave with the progress line.
    let output_on_terminal =
        matches!(destination, Destination::Stdout) && io::stdout().is_terminal();
    let mut progress = Progress::new(&sources, flags.quiet || output_on_terminal);
    let mut written = 0u64;
    let mut write_error: Option<io::Error> = None;
    let summary = pipeline::process(&sources, &options, |item, verdict| {
        progress.tick(item.origin);
        if write_error.is_some() {
            return;
        }
        if let (ItemKind::Statement(statement), Verdict::Keep) = (item.kind, verdict) {
            match output::write_statement(&mut out, &statement, flags.keep_timing) {
                Ok(()) => written += 1,
                Err(error) => write_error = Some(error),
            }
        }
    });
    drop(progress);
    let described = out.describe();
    if let Some(error) = write_error {
        // Dropping `out` removes the temporary file: the target is left as it was.
        return Err(CliError::write(&described, &error));
    }
    out.commit()?;
    if !flags.quiet {
        eprintln!(
            "{}",
            summary_line(&summary, written, &described, sources.len())
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn summary_line(summary: &Summary, written: u64, destination: &str, files: usize) -> String {
    let mut line = format!(
        "compile-traces: wrote {} to {destination} from {}; dropped {}, {} excluded; skipped {} ignored, {} malformed, {} unsupported",
        counted(written, "statement"),
        counted(files as u64, "file"),
        counted(summary.duplicates, "duplicate"),
        summary.excluded,
        summary.ignored,
        summary.malformed,
        summary.unsupported,
    );
    if summary.malformed + summary.unsupported > 0 {
        line.push_str(" (`compile-traces check` lists them)");
    }
    line
}
