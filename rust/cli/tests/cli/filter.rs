use std::fs;
use std::path::Path;

use crate::common::*;

fn filter(args: &[&str], input: &Path) -> Run {
    let mut all = vec!["filter"];
    all.extend_from_slice(args);
    all.push(input.to_str().unwrap());
    run(all)
}

/// Runs `check` and `stats --json` on a filter output: it must be a clean trace whose statements
/// are exactly `expected`, in order.
#[track_caller]
fn assert_parses_back_to(output: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filtered.jl");
    fs::write(&path, output).unwrap();
    let check = run(["check".as_ref(), "--json".as_ref(), path.as_os_str()]).expect(0);
    let json = check.json();
    assert_eq!(json["malformed"], 0);
    assert_eq!(json["unsupported"], 0);
    assert_eq!(json["duplicates"], 0);
    assert_eq!(json["ignored"], 0);
    assert_eq!(json["statements"], expected.len() as u64);
    let stats = run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(stats["statements"], expected.len() as u64);
    // And a second filter pass is the identity.
    let again = run(["filter".as_ref(), "-q".as_ref(), path.as_os_str()]).expect(0);
    assert_eq!(again.stdout, output);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines, expected);
}

#[test]
fn default_filter_dedups_in_input_order() {
    let run = filter(&[], &fixture("plain.jl")).expect(0);
    assert_eq!(run.lines(), PLAIN_STATEMENTS);
    assert!(run.stdout.ends_with('\n'));
    assert!(run.stderr.contains("wrote 8 statements"), "{}", run.stderr);
    assert!(run.stderr.contains("2 duplicates"), "{}", run.stderr);
    assert_parses_back_to(&run.stdout, &PLAIN_STATEMENTS);
}

#[test]
fn module_and_closure_exclusions() {
    let run = filter(
        &["--exclude-module", "Main", "--exclude-closures", "-q"],
        &fixture("plain.jl"),
    )
    .expect(0);
    let expected = [
        PLAIN_STATEMENTS[0],
        PLAIN_STATEMENTS[2],
        PLAIN_STATEMENTS[4],
        PLAIN_STATEMENTS[5],
        PLAIN_STATEMENTS[7],
    ];
    assert_eq!(run.lines(), expected);
    assert!(run.stderr.is_empty(), "--quiet: {}", run.stderr);
    assert_parses_back_to(&run.stdout, &expected);

    // Repeatable.
    let run = filter(
        &["--exclude-module", "Main", "--exclude-module", "Test"],
        &fixture("plain.jl"),
    )
    .expect(0);
    assert_eq!(
        run.lines(),
        [
            PLAIN_STATEMENTS[0],
            PLAIN_STATEMENTS[2],
            PLAIN_STATEMENTS[4],
            PLAIN_STATEMENTS[7]
        ]
    );
}

#[test]
fn match_and_exclude_patterns() {
    let run = filter(&["--match", r"Base\.getindex"], &fixture("plain.jl")).expect(0);
    assert_eq!(run.lines(), [PLAIN_STATEMENTS[2], PLAIN_STATEMENTS[7]]);
    // Repeated --match keeps statements matching any of them.
    let run = filter(
        &["--match", r"Base\.getindex", "--match", "Main\\.f\\b"],
        &fixture("plain.jl"),
    )
    .expect(0);
    assert_eq!(
        run.lines(),
        [
            PLAIN_STATEMENTS[1],
            PLAIN_STATEMENTS[2],
            PLAIN_STATEMENTS[7]
        ]
    );
    let run = filter(&["--exclude", "Dict|Test"], &fixture("plain.jl")).expect(0);
    assert_eq!(
        run.lines(),
        [
            PLAIN_STATEMENTS[0],
            PLAIN_STATEMENTS[1],
            PLAIN_STATEMENTS[6],
            PLAIN_STATEMENTS[7]
        ]
    );
}

#[test]
fn invalid_regex_is_a_usage_error_with_a_hint() {
    let run = filter(&["--match", "Tuple{("], &fixture("plain.jl")).expect(2);
    assert!(run.stderr.contains("regular expression"), "{}", run.stderr);
    assert!(run.stderr.contains("escape"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn min_ms_and_keep_timing() {
    let run = filter(&["--min-ms", "30", "--keep-timing"], &fixture("timed.jl")).expect(0);
    let expected_with_timing = [
        "#=   39.1 ms =# precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        "#=  812.0 ms =# precompile(Tuple{typeof(MyPkg.run), String}) # recompile",
        "precompile(Tuple{typeof(Base.println), String})",
        "#=  120.4 ms =# precompile(Tuple{typeof(MyPkg.load), String, Int64})",
    ];
    assert_eq!(run.lines(), expected_with_timing);
    // The timings read back as they were.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.jl");
    fs::write(&path, &run.stdout).unwrap();
    let json = crate::common::run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(json["statements"], 4);
    assert_eq!(json["timing"]["timed_statements"], 3);
    let total = json["timing"]["total_ms"].as_f64().unwrap();
    assert!((total - (39.1 + 812.0 + 120.4)).abs() < 1e-6, "{total}");

    // Without --keep-timing the output is plain statements.
    let run = filter(&["--min-ms", "30"], &fixture("timed.jl")).expect(0);
    let plain: Vec<String> = expected_with_timing
        .iter()
        .map(|line| {
            let line = line.split_once("=# ").map_or(*line, |(_, rest)| rest);
            line.trim_end_matches(" # recompile").to_owned()
        })
        .collect();
    assert_eq!(run.lines(), plain);
    assert_parses_back_to(
        &run.stdout,
        &plain.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

#[test]
fn bad_min_ms_is_refused() {
    for bad in ["-3", "fast", "inf"] {
        let run = filter(&["--min-ms", bad], &fixture("timed.jl")).expect(2);
        assert!(run.stderr.contains("milliseconds"), "{bad}: {}", run.stderr);
    }
}

#[test]
fn crlf_bom_ansi_and_snoop_inputs_give_clean_statements() {
    let plain = filter(&[], &fixture("plain.jl")).expect(0).stdout;
    for name in ["crlf.jl", "bom.jl", "ansi.jl"] {
        let run = filter(&[], &fixture(name)).expect(0);
        assert_eq!(run.stdout, plain, "{name}");
    }
    let run = filter(&[], &fixture("snoop.jl")).expect(0);
    let expected = [
        "Base.precompile(Tuple{typeof(Base.sum),Vector{Int64}})",
        "Base.precompile(Tuple{typeof(MyPkg.f),Int64})",
        "Base.precompile(Tuple{getfield(MyPkg, Symbol(\"#3#4\")),Int64})",
        "precompile(Tuple{typeof(MyPkg.h),String})",
    ];
    assert_eq!(run.lines(), expected);
    assert_parses_back_to(&run.stdout, &expected);
}

#[test]
fn code_injection_never_reaches_the_output() {
    let run = filter(&[], &fixture("injection.jl")).expect(0);
    let expected = [
        "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        "precompile(Tuple{typeof(Base.println), String})",
        "precompile(Tuple{typeof(Base.include), String})",
    ];
    assert_eq!(run.lines(), expected);
    for word in ["exit", "run(", "rm", "eval", "$(", "`", ";", "||", "->"] {
        assert!(
            !run.stdout.contains(word),
            "{word:?} leaked into {}",
            run.stdout
        );
    }
    assert!(
        run.stderr.contains("`compile-traces check` lists them"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean.jl");
    let run = filter(&["-o", out.to_str().unwrap()], &fixture("plain.jl")).expect(0);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("clean.jl"), "{}", run.stderr);
    let written = fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().collect::<Vec<_>>(), PLAIN_STATEMENTS);
    // Nothing but the output in the directory: the temporary file was renamed.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    // `-o -` is stdout.
    let run = filter(&["-o", "-", "-q"], &fixture("plain.jl")).expect(0);
    assert_eq!(run.lines(), PLAIN_STATEMENTS);
}

#[test]
fn refuses_to_overwrite_an_input_without_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("trace.jl");
    fs::copy(fixture("plain.jl"), &input).unwrap();
    let before = fs::read(&input).unwrap();
    // The same file under another spelling is still the input.
    let other_spelling = dir.path().join(".").join("trace.jl");
    let run = filter(&["-o", other_spelling.to_str().unwrap()], &input).expect(2);
    assert!(run.stderr.contains("also an input"), "{}", run.stderr);
    assert!(run.stderr.contains("--in-place"), "{}", run.stderr);
    assert_eq!(fs::read(&input).unwrap(), before);
    // Filtering to stdout leaves the input alone too.
    filter(&["--exclude-module", "Main"], &input).expect(0);
    assert_eq!(fs::read(&input).unwrap(), before);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn in_place_replaces_the_input_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("trace.jl");
    fs::copy(fixture("crlf.jl"), &input).unwrap();
    let run = filter(&["--in-place", "--exclude-module", "Main"], &input).expect(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let replaced = fs::read_to_string(&input).unwrap();
    let expected: Vec<&str> = PLAIN_STATEMENTS
        .iter()
        .copied()
        .filter(|s| !s.contains("Main."))
        .collect();
    assert_eq!(replaced.lines().collect::<Vec<_>>(), expected);
    assert!(!replaced.contains('\r'));
    // No temporary file left behind.
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["trace.jl"]);
    assert_parses_back_to(&replaced, &expected);
}

#[cfg(unix)]
#[test]
fn in_place_keeps_permissions_and_follows_symlinks() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.jl");
    fs::copy(fixture("plain.jl"), &real).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.jl");
    symlink(&real, &link).unwrap();
    filter(&["--in-place", "--match", "getindex"], &link).expect(0);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(&real)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        [PLAIN_STATEMENTS[2], PLAIN_STATEMENTS[7]]
    );
    let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn in_place_needs_exactly_one_file_input() {
    let plain = fixture("plain.jl");
    let timed = fixture("timed.jl");
    let two = crate::common::run([
        "filter".as_ref(),
        "--in-place".as_ref(),
        plain.as_os_str(),
        timed.as_os_str(),
    ])
    .expect(2);
    assert!(two.stderr.contains("exactly one input"), "{}", two.stderr);
    let stdin = run_with_stdin(["filter", "--in-place", "-"], Some(b"")).expect(2);
    assert!(stdin.stderr.contains("standard input"), "{}", stdin.stderr);
    let both = crate::common::run([
        "filter".as_ref(),
        "--in-place".as_ref(),
        "-o".as_ref(),
        "x.jl".as_ref(),
        plain.as_os_str(),
    ])
    .expect(2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn stdin_filter() {
    let bytes = fs::read(fixture("plain.jl")).unwrap();
    let run = run_with_stdin(["filter", "-q", "-"], Some(&bytes)).expect(0);
    assert_eq!(run.lines(), PLAIN_STATEMENTS);
}

#[test]
fn missing_input_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jl");
    let missing = dir.path().join("missing.jl");
    let run = filter(&["-o", out.to_str().unwrap()], &missing).expect(2);
    assert!(run.stderr.contains("missing.jl"), "{}", run.stderr);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn output_in_a_missing_directory_is_an_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("out.jl");
    let run = filter(&["-o", out.to_str().unwrap()], &fixture("plain.jl")).expect(2);
    assert!(run.stderr.contains("out.jl"), "{}", run.stderr);
    assert!(
        run.stderr.contains("create the output directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn bound_varargs_rewrites_the_trailing_vararg() {
    let input = b"precompile(Tuple{typeof(Base.print), Base.TTY, String, Vararg{String}})\n\
precompile(Tuple{typeof(Base.max), Int64, Int64})\n";
    let run =
        run_with_stdin(["filter", "-q", "--bound-varargs", "100", "-"], Some(input)).expect(0);
    let expected = [
        "precompile(Tuple{typeof(Base.print), Base.TTY, String, Vararg{String, 100}})",
        "precompile(Tuple{typeof(Base.max), Int64, Int64})",
    ];
    assert_eq!(run.lines(), expected);
    assert_parses_back_to(&run.stdout, &expected);
}

#[test]
fn a_closed_pipe_stops_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // Far more output than a pipe buffers, so the writer sees the reader go away.
    let mut trace = String::new();
    for i in 0..20_000 {
        trace.push_str(&format!(
            "precompile(Tuple{{typeof(Base.getindex), Val{{{i}}}}})\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.jl");
    fs::write(&path, trace).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_compile-traces"))
        .args(["filter".as_ref(), "-q".as_ref(), path.as_os_str()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "precompile(Tuple{typeof(Base.getindex), Val{0}})\n");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
