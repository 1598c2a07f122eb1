//! `compile-traces`: check, summarise, filter and merge Julia precompile trace files without Julia.
//!
//! Every subcommand reads its inputs whole (`-` is stdin), streams them through
//! `compile_traces_core::pipeline::process` and keeps only what it reports, so memory stays
//! bounded by the inputs and the distinct statements.

mod args;
mod callee;
mod check;
mod diagnostic;
mod diff;
mod error;
mod filter;
mod input;
mod json;
mod output;
mod progress;
mod stats;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Filter(args) => filter::run_filter(args),
        Command::Merge(args) => filter::run_merge(args),
        Command::Diff(args) => diff::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) if error.broken_pipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}
