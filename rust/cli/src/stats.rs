//! `compile-traces stats`: counts, root modules, most frequent functions, recorded time.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use compile_traces_core::{
    pipeline, Flags, ItemKind, Options, Origin, ProblemKind, Repairs, Verdict,
};
use serde::Serialize;

use crate::args::StatsArgs;
use crate::callee::callee;
use crate::error::CliError;
use crate::input;
use crate::json::{self, Counts};
use crate::progress::Progress;

/// The key statements without any root module are counted under.
const NO_MODULE: &str = "(none)";
/// The key statements whose callee cannot be read are counted under.
const NO_FUNCTION: &str = "(other)";

#[derive(Serialize)]
struct NameCount {
    name: String,
    statements: u64,
}

#[derive(Serialize)]
struct Slow {
    ms: f64,
    path: String,
    line: u32,
    statement: String,
}

#[derive(Serialize)]
struct Timing {
    /// Distinct statements that carried a timing.
    timed_statements: u64,
    total_ms: f64,
    /// The `--top N` slowest, slowest first.
    slowest: Vec<Slow>,
}

/// The counts of one input. A statement already seen in an earlier input is a duplicate here.
#[derive(Serialize, Default, Clone)]
struct FileCounts {
    path: String,
    statements: u64,
    duplicates: u64,
    ignored: u64,
    malformed: u64,
    unsupported: u64,
}

#[derive(Serialize)]
struct StatsJson<'a> {
    files: Vec<&'a str>,
    #[serde(flatten)]
    counts: Counts,
    /// One entry per input, in order.
    per_file: Vec<FileCounts>,
    /// Distinct statements per flag name (`main`, `closure`, `timed`, ...), zero counts omitted.
    flags: Vec<NameCount>,
    /// Distinct statements per kind of repair of a mis-printing (`raw_backslash`,
    /// `gensym_type_var`, `c_float`, `quoted_operator`), zero counts omitted. A statement with
    /// several kinds counts for each; the `repaired` flag counts it once.
    repairs: Vec<NameCount>,
    /// Distinct statements per root module, most first. A statement counts for each root.
    modules: Vec<NameCount>,
    /// The `--top N` functions with the most distinct statements.
    functions: Vec<NameCount>,
    /// `null` when no statement carried a timing.
    timing: Option<Timing>,
}

/// A candidate for the slowest list, ordered by time, then by input order (earlier wins ties).
struct Candidate {
    ms: f64,
    order: u64,
    origin: Origin,
    statement: String,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ms
            .total_cmp(&other.ms)
            .then_with(|| other.order.cmp(&self.order))
    }
}

pub fn run(args: &StatsArgs) -> Result<ExitCode, CliError> {
    let sources = input::read_inputs(&args.files)?;
    let mut progress = Progress::new(&sources, false);
    let mut modules: HashMap<String, u64> = HashMap::new();
    let mut functions: HashMap<String, u64> = HashMap::new();
    let mut flags = [0u64; 32];
    let mut repairs = [0u64; Repairs::ALL.len()];
    let mut timed = 0u64;
    let mut total_ms = 0.0f64;
    // Min-heap of the N slowest so far: memory stays bounded by N.
    let mut slowest: BinaryHeap<Reverse<Candidate>> = BinaryHeap::new();
    let mut order = 0u64;

    let mut per_file: Vec<FileCounts> = sources
        .iter()
        .map(|source| FileCounts {
            path: source.name.clone(),
            ..FileCounts::default()
        })
        .collect();

    let summary = pipeline::process(&sources, &Options::default(), |item, verdict| {
        progress.tick(item.origin);
        let file = &mut per_file[item.origin.source as usize];
        let statement = match (item.kind, verdict) {
            (ItemKind::Statement(statement), Verdict::Keep) => statement,
            // `stats` sets no filter: a statement that is not kept is a duplicate.
            (ItemKind::Statement(_), _) => {
                file.duplicates += 1;
                return;
            }
            (ItemKind::Ignored(_), _) => {
                file.ignored += 1;
                return;
            }
            (ItemKind::Problem(problem), _) => {
                match problem.kind {
                    ProblemKind::Malformed => file.malformed += 1,
                    ProblemKind::Unsupported => file.unsupported += 1,
                }
                return;
            }
        };
        file.statements += 1;
        order += 1;
        let mut any_root = false;
        for root in statement.roots() {
            any_root = true;
            bump(&mut modules, root);
        }
        if !any_root {
            bump(&mut modules, NO_MODULE);
        }
        let function = callee(
            statement.signature_text(),
            statement.flags.contains(Flags::TWO_ARG) || statement.arg_types.is_some(),
        );
        bump(
            &mut functions,
            &function.map_or(NO_FUNCTION.into(), crate::callee::counted_name),
        );
        for (bit, count) in flags.iter_mut().enumerate() {
            if statement.flags.0 & (1 << bit) != 0 {
                *count += 1;
            }
        }
        for (count, (kind, _)) in repairs.iter_mut().zip(Repairs::ALL) {
            if statement.repairs().contains(kind) {
                *count += 1;
            }
        }
        if let Some(ms) = statement.timing_ms.filter(|ms| ms.is_finite()) {
            timed += 1;
            total_ms += ms;
            if args.top > 0 {
                let worth_keeping = slowest.len() < args.top
                    || slowest.peek().is_some_and(|Reverse(min)| ms > min.ms);
                if worth_keeping {
                    slowest.push(Reverse(Candidate {
                        ms,
                        order,
                        origin: item.origin,
                        statement: statement.text.into_owned(),
                    }));
                    if slowest.len() > args.top {
                        slowest.pop();
                    }
                }
            }
        }
    });
    drop(progress);

    let modules = ranked(modules, usize::MAX);
    let functions = ranked(functions, args.top);
    let flags = flags
        .iter()
        .enumerate()
        .filter(|(_, &count)| count > 0)
        .filter_map(|(bit, &count)| {
            Flags(1 << bit).names().next().map(|name| NameCount {
                name: name.to_owned(),
                statements: count,
            })
        })
        .collect();
    let repairs = repairs
        .iter()
        .zip(Repairs::ALL)
        .filter(|(&count, _)| count > 0)
        .map(|(&count, (_, name))| NameCount {
            name: name.to_owned(),
            statements: count,
        })
        .collect();
    let mut slowest: Vec<Candidate> = slowest.into_iter().map(|Reverse(c)| c).collect();
    slowest.sort_by(|a, b| b.cmp(a));
    let timing = (timed > 0).then(|| Timing {
        timed_statements: timed,
        total_ms,
        slowest: slowest
            .into_iter()
            .map(|c| Slow {
                ms: c.ms,
                path: sources[c.origin.source as usize].name.clone(),
                line: c.origin.line,
                statement: c.statement,
            })
            .collect(),
    });
    let report = StatsJson {
        files: json::file_names(&sources),
        counts: Counts::from(&summary),
        per_file,
        flags,
        repairs,
        modules,
        functions,
        timing,
    };
    if args.json {
        json::print(&report)?;
    } else {
        let mut out = BufWriter::new(io::stdout().lock());
        write_text(&mut out, &report, args.top)
            .and_then(|()| out.flush())
            .map_err(|error| CliError::write("standard output", &error))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bump(counts: &mut HashMap<String, u64>, key: &str) {
    if let Some(count) = counts.get_mut(key) {
        *count += 1;
    } else {
        counts.insert(key.to_owned(), 1);
    }
}

/// Most first, then by name, at most `limit`.
fn ranked(counts: HashMap<String, u64>, limit: usize) -> Vec<NameCount> {
    let mut ranked: Vec<NameCount> = counts
        .into_iter()
        .map(|(name, statements)| NameCount { name, statements })
        .collect();
    ranked.sort_by(|a, b| b.statements.cmp(&a.statements).then(a.name.cmp(&b.name)));
    ranked.truncate(limit);
    ranked
}

fn write_text(out: &mut impl Write, report: &StatsJson<'_>, top: usize) -> io::Result<()> {
    let counts = &report.counts;
    let what = match report.files.as_slice() {
        [one] => (*one).to_owned(),
        files => format!("{} files", files.len()),
    };
    writeln!(
        out,
        "{what}: {} lines, {} bytes",
        counts.lines, counts.bytes
    )?;
    let rows = [
        ("statements", counts.statements),
        ("duplicates", counts.duplicates),
        ("ignored", counts.ignored),
        ("malformed", counts.malformed),
        ("unsupported", counts.unsupported),
    ];
    for (name, count) in rows {
        writeln!(out, "  {name:<12} {count:>8}")?;
    }
    if report.per_file.len() > 1 {
        let width = report
            .per_file
            .iter()
            .map(|f| f.path.chars().count())
            .max()
            .unwrap_or(0);
        writeln!(
            out,
            "\n  {:<width$} {:>10} {:>10} {:>8} {:>9} {:>11}",
            "file", "statements", "duplicates", "ignored", "malformed", "unsupported"
        )?;
        for file in &report.per_file {
            writeln!(
                out,
                "  {:<width$} {:>10} {:>10} {:>8} {:>9} {:>11}",
                file.path,
                file.statements,
                file.duplicates,
                file.ignored,
                file.malformed,
                file.unsupported
            )?;
        }
    }
    if !report.flags.is_empty() {
        writeln!(out, "\nflags (distinct statements):")?;
        write_table(out, &report.flags)?;
    }
    if !report.repairs.is_empty() {
        writeln!(
            out,
            "\nrepaired mis-printings (distinct statements, by kind):"
        )?;
        write_table(out, &report.repairs)?;
    }
    if !report.modules.is_empty() {
        writeln!(out, "\nstatements per root module:")?;
        write_table(out, &report.modules)?;
    }
    if !report.functions.is_empty() {
        writeln!(
            out,
            "\nmost frequent functions (distinct statements, top {top}):"
        )?;
        write_table(out, &report.functions)?;
    }
    match &report.timing {
        None => writeln!(
            out,
            "\nno recorded timings (Julia 1.12 `#= X ms =#` or SnoopCompile `# time:`)"
        )?,
        Some(timing) => {
            writeln!(
                out,
                "\nrecorded time: {:.1} ms in {} timed statements",
                timing.total_ms, timing.timed_statements
            )?;
            if !timing.slowest.is_empty() {
                writeln!(out, "slowest statements (top {top}):")?;
                for slow in &timing.slowest {
                    writeln!(
                        out,
                        "  {:>10.1} ms  {}:{}  {}",
                        slow.ms,
                        slow.path,
                        slow.line,
                        shortened(&slow.statement)
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn write_table(out: &mut impl Write, rows: &[NameCount]) -> io::Result<()> {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for row in rows {
        writeln!(out, "  {:<width$} {:>8}", row.name, row.statements)?;
    }
    Ok(())
}

/// Statements can be tens of thousands of characters long: the text report shows the start
/// (`--json` has them whole).
fn shortened(text: &str) -> String {
    const MAX_CHARS: usize = 160;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
