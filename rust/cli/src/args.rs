//! Command line definition (clap derive). Every subcommand's `--help` ends with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use regex::Regex;

const MAIN_AFTER_HELP: &str = "\
Examples:
  compile-traces stats examples/trace.jl
  compile-traces check traces/*.jl
  compile-traces filter trace.jl --exclude-module Main --exclude-closures -o clean.jl
  compile-traces merge a.jl b.jl -o merged.jl
  compile-traces diff old.jl new.jl

Exit status: 0 success; 1 `check` found malformed lines or `diff` found differences;
2 the job could not be done (unreadable input, bad arguments, write error).";

const CHECK_AFTER_HELP: &str = "\
Exit status:
  0  no malformed line (unsupported lines are reported but do not fail the check;
     add --strict to make them fail it too)
  1  at least one malformed line (or, with --strict, an unsupported one)
  2  an input could not be read (missing file, directory, permission) or bad arguments

Examples:
  compile-traces check trace.jl
  compile-traces check --json a.jl b.jl | jq '.problems[] | select(.kind == \"malformed\")'
  julia --trace-compile=stderr script.jl 2>&1 >/dev/null | compile-traces check -";

const STATS_AFTER_HELP: &str = "\
Definitions:
  statements   distinct statements (first occurrence wins); duplicates are counted apart
  modules      distinct statements that need each root module (`Base`, `Main`, `MyPkg`...)
  functions    distinct statements per called function, read from the signature:
               `Tuple{typeof(f), ...}` -> f; keyword calls count as the function they call;
               `Tuple{Type{T}, ...}` -> T (constructor); callable objects -> their type's name;
               `precompile(f, (T...,))` -> f
  time         Julia 1.12 `#= X ms =#` prefixes and SnoopCompile `# time: S` comments, summed over
               distinct statements

Examples:
  compile-traces stats examples/trace.jl
  compile-traces stats --top 20 trace.jl
  compile-traces stats --json trace.jl | jq .modules";

const FILTER_AFTER_HELP: &str = "\
Writes one `precompile(...)` per line, in input order, duplicates removed (across all inputs).
Malformed and unsupported lines, comments and SnoopCompile scaffolding are dropped: the output is a
clean trace. A summary goes to stderr (silence it with --quiet).

Examples:
  compile-traces filter trace.jl --exclude-module Main --exclude-closures > clean.jl
  compile-traces filter trace.jl --min-ms 50 --keep-timing -o slow.jl
  compile-traces filter trace.jl --match '^precompile\\(Tuple\\{typeof\\(MyPkg\\.' -o mypkg.jl
  compile-traces filter --in-place --exclude-module Main trace.jl";

const MERGE_AFTER_HELP: &str = "\
Like `filter` on several inputs, with an output file required (`-o -` writes to stdout).
The first occurrence of a statement wins; the output is written atomically.

Examples:
  compile-traces merge run1.jl run2.jl run3.jl -o merged.jl
  compile-traces merge traces/*.jl --exclude-module Main --exclude-closures -o precompile.jl";

const DIFF_AFTER_HELP: &str = "\
Compares normalized statements (timing prefixes, comments and ANSI codes do not count).
Lines starting with `-` are only in A, lines starting with `+` only in B, both in file order.

Exit status: 0 same statements, 1 different, 2 an input could not be read.

Examples:
  compile-traces diff old_trace.jl new_trace.jl
  compile-traces diff --json a.jl b.jl | jq '.only_in_b | length'";

#[derive(Parser, Debug)]
#[command(
    name = "compile-traces",
    version,
    about = "Check, summarise, filter and merge Julia precompile trace files (no Julia needed).",
    long_about = "Check, summarise, filter and merge Julia precompile trace files: `julia --trace-compile` \
output (with or without Julia 1.12 timings) and SnoopCompile precompile files. Nothing in a trace is \
ever executed: every statement is parsed and anything but a pure type signature is reported.",
    after_help = MAIN_AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report every malformed and unsupported line (path:line:col: kind: message).
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// Count statements, duplicates, ignored/malformed/unsupported lines; modules, functions, timings.
    #[command(after_help = STATS_AFTER_HELP)]
    Stats(StatsArgs),
    /// Write a clean trace (one statement per line, no duplicates) keeping what passes the filters.
    #[command(after_help = FILTER_AFTER_HELP)]
    Filter(FilterArgs),
    /// Merge several traces into one, deduplicated across all of them (same filters as `filter`).
    #[command(after_help = MERGE_AFTER_HELP)]
    Merge(MergeArgs),
    /// Statements only in A, only in B, and the counts of both.
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Trace files to read (`-` reads standard input).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also fail (exit 1) when a line is unsupported, not only when it is malformed.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Trace files to read (`-` reads standard input).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// How many of the most frequent functions and slowest statements to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The filters shared by `filter` and `merge`.
#[derive(Args, Debug, Clone)]
pub struct FilterFlags {
    /// Drop statements that need this root module (repeatable), e.g. `--exclude-module Main`.
    #[arg(long = "exclude-module", value_name = "MODULE", value_parser = parse_module)]
    pub exclude_modules: Vec<String>,
    /// Drop statements that contain a closure or gensym name (`var"#3#4"`, `Symbol("#3#4")`).
    #[arg(long)]
    pub exclude_closures: bool,
    /// Drop timed statements recorded faster than X milliseconds (untimed statements are kept).
    #[arg(long = "min-ms", value_name = "X", value_parser = parse_min_ms, allow_negative_numbers = true)]
    pub min_ms: Option<f64>,
    /// Keep only statements whose text matches REGEX (repeatable: any of them).
    #[arg(long = "match", value_name = "REGEX", value_parser = parse_regex)]
    pub matches: Vec<String>,
    /// Drop statements whose text matches REGEX (repeatable: any of them).
    #[arg(long = "exclude", value_name = "REGEX", value_parser = parse_regex)]
    pub excludes: Vec<String>,
    /// Write the recorded time back as a Julia 1.12 `#= X ms =# ` prefix (and `# recompile` marks).
    #[arg(long)]
    pub keep_timing: bool,
    /// Rewrite an unbounded trailing `Vararg{T}` to `Vararg{T, N}` (only old Julia versions need it).
    #[arg(long, value_name = "N")]
    pub bound_varargs: Option<u32>,
    /// Do not print the summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct FilterArgs {
    /// Trace files to read (`-` reads standard input).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: FilterFlags,
    /// Write to OUT (atomically) instead of stdout; `-` is stdout. Must not be one of the inputs.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace the (single) input file with the filtered result, atomically.
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Trace files to merge, in this order (`-` reads standard input).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: FilterFlags,
    /// Output file (required; `-` writes to stdout). Must not be one of the inputs.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// First trace file (`-` reads standard input).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Second trace file (`-` reads standard input).
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_regex(pattern: &str) -> Result<String, String> {
    match Regex::new(pattern) {
        Ok(_) => Ok(pattern.to_owned()),
        Err(error) => Err(format!(
            "not a valid regular expression: {error}\n\
             hint: the syntax is Rust's `regex` crate; escape `(`, `{{`, `.` and `$` with a \
             backslash to match them literally, and quote the pattern for your shell"
        )),
    }
}

fn parse_module(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == ',') {
        return Err(
            "give one module name per flag, e.g. `--exclude-module Main --exclude-module Test`"
                .to_owned(),
        );
    }
    Ok(name.to_owned())
}

fn parse_min_ms(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(ms) if ms.is_finite() && ms >= 0.0 => Ok(ms),
        _ => Err("expected a number of milliseconds >= 0, e.g. `--min-ms 25`".to_owned()),
    }
}

/// Joins repeated patterns into one alternation; each keeps its own inline flags.
pub fn combine_patterns(patterns: &[String]) -> Option<Regex> {
    if patterns.is_empty() {
        return None;
    }
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    // Every part compiled alone (checked by `parse_regex`), so the alternation compiles too.
    Regex::new(&joined).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn repeated_patterns_match_any() {
        let regex = combine_patterns(&["Base\\.sum".to_owned(), "(?i)main\\.".to_owned()]).unwrap();
        assert!(regex.is_match("precompile(Tuple{typeof(Base.sum)})"));
        assert!(regex.is_match("precompile(Tuple{typeof(Main.f)})"));
        assert!(!regex.is_match("precompile(Tuple{typeof(Base.max)})"));
        assert!(combine_patterns(&[]).is_none());
    }

    #[test]
    fn bad_values_explain_themselves() {
        assert!(parse_regex("Tuple{").unwrap_err().contains("escape"));
        assert!(parse_min_ms("-1").is_err());
        assert!(parse_min_ms("nan").is_err());
        assert_eq!(parse_min_ms("2.5"), Ok(2.5));
        assert!(parse_module("Main,Test").is_err());
    }
}
