//! `compile-traces diff A B`: statements only in A, only in B, and the counts of both.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use compile_traces_core::{pipeline, ItemKind, Options, Source, Summary, Verdict};
use serde::Serialize;

use crate::args::DiffArgs;
use crate::error::CliError;
use crate::input;
use crate::json::Counts;
use crate::progress::Progress;

#[derive(Serialize)]
struct Side<'a> {
    path: &'a str,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct DiffJson<'a> {
    a: Side<'a>,
    b: Side<'a>,
    /// Distinct statements in both.
    common: u64,
    /// In A's order.
    only_in_a: Vec<String>,
    /// In B's order.
    only_in_b: Vec<String>,
}

/// The distinct normalized statements of one source, in order.
fn statements(source: &Source) -> (Vec<String>, Summary) {
    let mut progress = Progress::new(std::slice::from_ref(source), false);
    let mut texts = Vec::new();
    let summary = pipeline::process(
        std::slice::from_ref(source),
        &Options::default(),
        |item, verdict| {
            progress.tick(item.origin);
            if let (ItemKind::Statement(statement), Verdict::Keep) = (item.kind, verdict) {
                texts.push(statement.text.into_owned());
            }
        },
    );
    (texts, summary)
}

pub fn run(args: &DiffArgs) -> Result<ExitCode, CliError> {
    let sources = input::read_inputs(&[args.a.clone(), args.b.clone()])?;
    let [a, b] = sources.as_slice() else {
        return Err(CliError::new("diff needs exactly two inputs"));
    };
    let (a_texts, a_summary) = statements(a);
    let (b_texts, b_summary) = statements(b);
    let a_set: HashSet<&str> = a_texts.iter().map(String::as_str).collect();
    let b_set: HashSet<&str> = b_texts.iter().map(String::as_str).collect();
    let only_in_a: Vec<String> = a_texts
        .iter()
        .filter(|text| !b_set.contains(text.as_str()))
        .cloned()
        .collect();
    let only_in_b: Vec<String> = b_texts
        .iter()
        .filter(|text| !a_set.contains(text.as_str()))
        .cloned()
        .collect();
    let common = (a_texts.len() - only_in_a.len()) as u64;
    let differ = !only_in_a.is_empty() || !only_in_b.is_empty();
    let report = DiffJson {
        a: Side {
            path: &a.name,
            counts: Counts::from(&a_summary),
        },
        b: Side {
            path: &b.name,
            counts: Counts::from(&b_summary),
        },
        common,
        only_in_a,
        only_in_b,
    };
    if args.json {
        crate::json::print(&report)?;
    } else {
        let mut out = BufWriter::new(io::stdout().lock());
        write_text(&mut out, &report)
            .and_then(|()| out.flush())
            .map_err(|error| CliError::write("standard output", &error))?;
    }
    Ok(if differ {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_text(out: &mut impl Write, report: &DiffJson<'_>) -> io::Result<()> {
    writeln!(out, "--- A: {}", report.a.path)?;
    writeln!(out, "+++ B: {}", report.b.path)?;
    for text in &report.only_in_a {
        writeln!(out, "-{text}")?;
    }
    for text in &report.only_in_b {
        writeln!(out, "+{text}")?;
    }
    writeln!(
        out,
        "A: {} statements, B: {} statements, {} in both, {} only in A, {} only in B",
        report.a.counts.statements,
        report.b.counts.statements,
        report.common,
        report.only_in_a.len(),
        report.only_in_b.len()
    )
}
