//! Every real trace file of `../shared/corpus` (outside the repository; skipped with a message
//! when absent): no panic, every line of `trace/` files a statement, ignored, or an expected
//! problem listed with its reason in `corpus_expectations.tsv` (and every listed problem still
//! occurs), every statement whose text was repaired listed there too (kind `repaired`), and the
//! SnoopCompile extraction rate of the issue (≥ 95 %).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compile_traces_core::pipeline;
use compile_traces_core::{Flags, IgnoreReason, Item, ItemKind, ProblemKind, Source};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const EXPECTATIONS: &str = include_str!("corpus_expectations.tsv");

fn corpus_files(kind: &str) -> Option<Vec<PathBuf>> {
    let dir = Path::new(CORPUS).join(kind);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) => {
            eprintln!(
                "SKIPPED: corpus directory {} not readable ({error}); the corpus lives outside \
                 the repository at ../shared/corpus",
                dir.display()
            );
            return None;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    Some(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// `(file, line) → (kind, reason)` from the checked-in expectations.
fn expectations() -> BTreeMap<(String, u32), (String, String)> {
    let mut rows = BTreeMap::new();
    for (index, row) in EXPECTATIONS.lines().enumerate() {
        if row.trim().is_empty() || row.starts_with('#') || row.starts_with("file\t") {
            continue;
        }
        let fields: Vec<&str> = row.split('\t').collect();
        assert_eq!(
            fields.len(),
            4,
            "corpus_expectations.tsv line {}: want file, line, kind, reason separated by tabs",
            index + 1
        );
        let line: u32 = fields[1].parse().unwrap_or_else(|_| {
            panic!(
                "corpus_expectations.tsv line {}: bad line number",
                index + 1
            )
        });
        assert!(
            matches!(fields[2], "malformed" | "unsupported" | "repaired"),
            "corpus_expectations.tsv line {}: kind must be malformed, unsupported or repaired",
            index + 1
        );
        assert!(
            fields[3].trim().len() > 10,
            "corpus_expectations.tsv line {}: give a human reason",
            index + 1
        );
        let previous = rows.insert(
            (fields[0].to_string(), line),
            (fields[2].to_string(), fields[3].to_string()),
        );
        assert!(
            previous.is_none(),
            "corpus_expectations.tsv line {}: duplicate row",
            index + 1
        );
    }
    rows
}

#[derive(Default, Debug)]
struct Counts {
    statements: usize,
    blank: usize,
    comment: usize,
    scaffolding: usize,
    malformed: usize,
    unsupported: usize,
    lines: usize,
}

impl Counts {
    fn add(&mut self, items: &[Item<'_>]) {
        for item in items {
            match &item.kind {
                ItemKind::Statement(_) => self.statements += 1,
                ItemKind::Ignored(IgnoreReason::Blank) => self.blank += 1,
                ItemKind::Ignored(IgnoreReason::Comment) => self.comment += 1,
                ItemKind::Ignored(IgnoreReason::Scaffolding) => self.scaffolding += 1,
                ItemKind::Problem(problem) => match problem.kind {
                    ProblemKind::Malformed => self.malformed += 1,
                    ProblemKind::Unsupported => self.unsupported += 1,
                },
            }
        }
    }
}

#[test]
fn trace_files_are_statements_ignored_or_expected_problems() {
    let Some(files) = corpus_files("trace") else {
        return;
    };
    let expected = expectations();
    let mut seen = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut counts = Counts::default();
    for path in &files {
        let name = file_name(path);
        let source = Source::read(path).unwrap_or_else(|error| panic!("{error}"));
        counts.lines += String::from_utf8_lossy(&source.bytes).lines().count();
        let items = pipeline::classify(0, &source.bytes);
        counts.add(&items);
        for item in &items {
            // Problems, and statements whose text was repaired: both are reviewed by hand.
            let (kind, message, text) = match &item.kind {
                ItemKind::Problem(problem) => (
                    problem.kind.as_str(),
                    format!("{} (column {})", problem.message, problem.column),
                    problem.text.as_ref(),
                ),
                ItemKind::Statement(statement) if statement.flags.contains(Flags::REPAIRED) => (
                    "repaired",
                    statement.repairs().names().collect::<Vec<_>>().join(", "),
                    statement.original().unwrap_or_default(),
                ),
                _ => continue,
            };
            let key = (name.clone(), item.origin.line);
            match expected.get(&key) {
                Some((expected_kind, _)) if expected_kind == kind => {
                    seen.insert(key, ());
                }
                _ => {
                    let shown: String = text.chars().take(300).collect();
                    unexpected.push(format!(
                        "{name}\t{}\t{kind}\t{message} | {shown}",
                        item.origin.line,
                    ))
                }
            }
        }
    }
    let stale: Vec<String> = expected
        .keys()
        .filter(|key| !seen.contains_key(*key))
        .map(|(file, line)| format!("{file}\t{line}"))
        .collect();
    eprintln!("trace/ ({} files): {counts:?}", files.len());
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} problem(s) not in corpus_expectations.tsv:\n{}\n\n{} expected problem(s) that no \
         longer occur (remove them from corpus_expectations.tsv):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}

/// Line numbers (1-based) of a SnoopCompile file that lie inside `let fbody = ... end` blocks,
/// found by indentation (the writer indents the block's `end` like its `let`), independently of
/// the block layer under test.
fn let_fbody_lines(text: &str) -> Vec<bool> {
    let lines: Vec<&str> = text.lines().collect();
    let mut inside = vec![false; lines.len()];
    let mut open: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        match open {
            None if line.trim_start().starts_with("let fbody") => {
                open = Some(indent);
                inside[index] = true;
            }
            Some(let_indent) => {
                inside[index] = true;
                if indent == let_indent && line.trim_start().starts_with("end") {
                    open = None;
                }
            }
            None => {}
        }
    }
    inside
}

/// Whether `line` contains a call of `precompile` (not `_my_precompile()`, `_precompile_()`).
fn calls_precompile(line: &str) -> bool {
    line.match_indices("precompile(").any(|(at, _)| {
        !line[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '!')
    })
}

#[test]
fn snoop_files_yield_at_least_95_percent_of_their_precompile_calls() {
    let Some(files) = corpus_files("snoop") else {
        return;
    };
    let mut calls = 0usize;
    let mut extracted = 0usize;
    let mut counts = Counts::default();
    let mut report = Vec::new();
    for path in &files {
        let name = file_name(path);
        let source = Source::read(path).unwrap_or_else(|error| panic!("{error}"));
        let text = String::from_utf8_lossy(&source.bytes).into_owned();
        let items = pipeline::classify(0, &source.bytes);
        counts.add(&items);
        counts.lines += text.lines().count();
        let statement_lines: std::collections::HashSet<u32> = items
            .iter()
            .filter(|item| matches!(item.kind, ItemKind::Statement(_)))
            .map(|item| item.origin.line)
            .collect();
        let in_let = let_fbody_lines(&text);
        let (mut file_calls, mut file_extracted) = (0, 0);
        for (index, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // A call, not a comment mentioning one nor a function definition named `precompile`.
            if in_let[index]
                || !calls_precompile(line)
                || code.starts_with('#')
                || code.starts_with("function ")
            {
                continue;
            }
            file_calls += 1;
            let number = index as u32 + 1;
            if statement_lines.contains(&number) {
                file_extracted += 1;
            } else {
                let problem = items
                    .iter()
                    .find(|item| (item.origin.line..=item.origin.end_line).contains(&number))
                    .map(|item| format!("{:?}", item.kind))
                    .unwrap_or_default();
                let shown: String = problem.chars().take(300).collect();
                report.push(format!("{name}:{}: not extracted: {shown}", index + 1));
            }
        }
        calls += file_calls;
        extracted += file_extracted;
    }
    let percent = 100.0 * extracted as f64 / calls.max(1) as f64;
    eprintln!(
        "snoop/ ({} files): {extracted} of {calls} precompile calls outside `let fbody` blocks \
         extracted as statements ({percent:.2} %); {counts:?}",
        files.len()
    );
    for line in &report {
        eprintln!("  {line}");
    }
    assert!(calls > 0, "no precompile calls found in the snoop corpus");
    assert!(
        percent >= 95.0,
        "only {percent:.2} % of the SnoopCompile precompile calls were extracted"
    );
}

#[test]
fn whole_corpus_through_the_pipeline_without_panic() {
    let (Some(trace), Some(snoop)) = (corpus_files("trace"), corpus_files("snoop")) else {
        return;
    };
    let sources: Vec<Source> = compile_traces_core::source::read_all(
        &trace.iter().chain(snoop.iter()).collect::<Vec<_>>(),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let mut items = 0u64;
    let summary = pipeline::process(&sources, &Default::default(), |_, _| items += 1);
    eprintln!("whole corpus: {summary:?}");
    let total = summary.statements
        + summary.duplicates
        + summary.excluded
        + summary.ignored
        + summary.malformed
        + summary.unsupported;
    assert_eq!(total, items);
    assert!(summary.statements > 20_000, "{summary:?}");
    assert_eq!(
        summary.bytes,
        sources.iter().map(|s| s.bytes.len() as u64).sum::<u64>()
    );
}
