//! Issue 9, item 5: whatever `filter` writes reads back as Julia. Every line it writes for every
//! fixture, bundled example and corpus file (`../shared/corpus`, skipped when absent) is parsed
//! with tree-sitter-julia, an independent Julia parser, and must give a tree without an ERROR or
//! MISSING node. (The Julia suite checks the same with `Meta.parse`, test/readback.jl.)

use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser};

use crate::common::*;

fn julia_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_julia::LANGUAGE.into())
        .expect("tree-sitter-julia loads");
    parser
}

/// The first ERROR or MISSING node of `node`'s tree, as `kind at byte`.
fn first_error(node: Node) -> Option<String> {
    if node.is_error() || node.is_missing() {
        return Some(format!("{} at byte {}", node.kind(), node.start_byte()));
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_error)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn inputs() -> Vec<PathBuf> {
    let mut files = files_in(&fixture(""));
    files.extend(files_in(&example("")));
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if corpus.is_dir() {
        for dir in ["trace", "snoop"] {
            files.extend(files_in(&corpus.join(dir)));
        }
    } else {
        println!("corpus skipped: {} is absent", corpus.display());
    }
    files
}

#[test]
fn every_line_filter_writes_parses_as_julia() {
    let mut parser = julia_parser();
    let (mut files, mut lines) = (0, 0);
    let mut failures = Vec::new();
    for path in inputs() {
        // Read errors (the fixtures include none) would be exit status 2.
        for keep_timing in [false, true] {
            let mut args = vec!["filter".as_ref(), "-q".as_ref(), path.as_os_str()];
            if keep_timing {
                args.push("--keep-timing".as_ref());
            }
            let out = run(&args).expect(0);
            files += 1;
            for (index, line) in out.lines().into_iter().enumerate() {
                lines += 1;
                let tree = parser.parse(line, None).expect("a tree");
                let root = tree.root_node();
                let why = first_error(root).or_else(|| {
                    // One expression per line (comments aside): a second one would mean two
                    // statements.
                    let mut cursor = root.walk();
                    let count = root
                        .named_children(&mut cursor)
                        .filter(|child| !child.kind().contains("comment"))
                        .count();
                    (count != 1).then(|| format!("{count} top-level expressions"))
                });
                if let Some(why) = why {
                    failures.push(format!(
                        "{} (output line {}): {why}\n  {line}",
                        path.display(),
                        index + 1
                    ));
                }
            }
        }
    }
    println!("{files} filter runs, {lines} lines written, all parsed by tree-sitter-julia");
    assert!(
        lines > 50,
        "only {lines} lines written: are the fixtures there?"
    );
    assert!(
        failures.is_empty(),
        "{} written lines do not parse:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
