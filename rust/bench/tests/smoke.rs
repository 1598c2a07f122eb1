//! The benchmark binary runs end to end on a tiny input and prints every row. No timing is
//! asserted: this only keeps the benchmark from rotting.

use std::process::Command;

#[test]
fn quick_run_prints_every_row() {
    let output = Command::new(env!("CARGO_BIN_EXE_compile-traces-bench"))
        .args(["--quick", "--size-mb", "2", "--ts-mb", "0.2"])
        .output()
        .expect("the bench binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let rows = [
        "machine:",
        "commit:",
        "input:",
        "floor: memchr line count, in memory",
        "floor: read file + memchr line count",
        "floor: streamed read (128 KiB buffer) + memchr line count",
        "wc -l (spawned)",
        "grep -c 'Main\\.' LC_ALL=C (spawned)",
        "grep -c 'Main\\.' locale",
        "tree-sitter-julia parse",
        "core: classify the same slice, 1 thread",
        "core: read + classify, 1 file",
        "core: read + process (dedup), 1 file,",
        "core: read + process (dedup), 1 file, 1 thread",
        "core: read_all + process (dedup), 16 files, 1 thread",
        "core: read_all + process (dedup), 16 files, 2 threads",
        "core's summary of the 1-file input:",
        "core / grep time",
        "core / floor time",
        "tree-sitter / core speed",
        "parallel speedup, split files, 2 threads vs 1",
        "peak RSS / input size",
        "peak RSS:",
    ];
    for row in rows {
        let line = stdout
            .lines()
            .find(|line| line.starts_with(row))
            .unwrap_or_else(|| panic!("no row `{row}` in:\n{stdout}"));
        // The core's rows must have run; the baselines may be skipped on a machine without the
        // tool (or with one core), and say so.
        if row.starts_with("core: ") && !row.contains("2 threads") {
            assert!(!line.contains("skipped"), "`{row}` did not run:\n{stdout}");
        }
    }
    assert!(
        !stdout.contains("peak RSS: not measured"),
        "the child process failed:\n{stdout}"
    );
}
