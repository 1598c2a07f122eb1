//! Round trip on the real traces of `../shared/corpus` (skipped when it is absent): merging every
//! file gives a clean trace that reads back to exactly the same distinct statements.

use std::path::{Path, PathBuf};

use crate::common::*;

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if !root.is_dir() {
        println!("skipped: {} is absent", root.display());
        return None;
    }
    let mut files = Vec::new();
    for dir in ["trace", "snoop"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    Some(files)
}

#[test]
fn merged_corpus_reads_back_to_the_same_statements() {
    let Some(files) = corpus_files() else {
        return;
    };
    let mut stats_args: Vec<&std::ffi::OsStr> = vec!["stats".as_ref(), "--json".as_ref()];
    stats_args.extend(files.iter().map(|p| p.as_os_str()));
    let corpus = run(&stats_args).expect(0).json();
    let distinct = corpus["statements"].as_u64().unwrap();
    assert!(distinct > 1000, "the corpus has thousands of statements");

    let dir = tempfile::tempdir().unwrap();
    let merged = dir.path().join("merged.jl");
    let mut merge_args: Vec<&std::ffi::OsStr> = vec!["merge".as_ref(), "-q".as_ref()];
    merge_args.extend(files.iter().map(|p| p.as_os_str()));
    merge_args.extend(["-o".as_ref(), merged.as_os_str()]);
    run(&merge_args).expect(0);

    let text = std::fs::read_to_string(&merged).unwrap();
    assert_eq!(text.lines().count() as u64, distinct);
    let check = run(["check".as_ref(), "--json".as_ref(), merged.as_os_str()])
        .expect(0)
        .json();
    for key in ["malformed", "unsupported", "duplicates", "ignored"] {
        assert_eq!(check[key], 0, "{key} in the merged corpus");
    }
    assert_eq!(check["statements"], distinct);
    // The same statements: same modules and functions, counted the same way.
    let back = run(["stats".as_ref(), "--json".as_ref(), merged.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(back["modules"], corpus["modules"]);
    assert_eq!(back["functions"], corpus["functions"]);
}
