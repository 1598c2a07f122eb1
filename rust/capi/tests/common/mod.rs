//! Helpers shared by the C ABI's integration tests.

use std::path::PathBuf;

/// The `.jl` files of the corpus (`trace/` and `snoop/`), sorted, or `None` with a message when
/// there is no corpus. The corpus lies beside the checkout (`../shared/corpus`);
/// `COMPILE_TRACES_CORPUS` overrides that, for a checkout elsewhere (a git worktree).
pub fn corpus_files() -> Option<Vec<PathBuf>> {
    let corpus: PathBuf = std::env::var_os("COMPILE_TRACES_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus").into());
    if !corpus.is_dir() {
        println!("skipping: corpus not found at {}", corpus.display());
        return None;
    }
    let mut paths = Vec::new();
    for sub in ["trace", "snoop"] {
        let Ok(entries) = std::fs::read_dir(corpus.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jl") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Some(paths)
}
