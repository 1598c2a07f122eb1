use crate::common::*;

#[test]
fn statements_only_in_a_and_only_in_b() {
    let a = fixture("plain.jl");
    let b = fixture("diff_b.jl");
    let run = run(["diff".as_ref(), a.as_os_str(), b.as_os_str()]).expect(1);
    let lines = run.lines();
    assert_eq!(lines[0], format!("--- A: {}", a.display()));
    assert_eq!(lines[1], format!("+++ B: {}", b.display()));
    let removed: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix('-').filter(|_| !l.starts_with("---")))
        .collect();
    let added: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix('+').filter(|_| !l.starts_with("+++")))
        .collect();
    assert_eq!(
        removed,
        [
            PLAIN_STATEMENTS[1],
            PLAIN_STATEMENTS[3],
            PLAIN_STATEMENTS[4],
            PLAIN_STATEMENTS[5],
            PLAIN_STATEMENTS[6],
            PLAIN_STATEMENTS[7],
        ]
    );
    assert_eq!(
        added,
        [
            "precompile(Tuple{typeof(Base.max), Int64, Int64})",
            "precompile(Tuple{typeof(Main.g), String})",
        ]
    );
    assert_eq!(
        *lines.last().unwrap(),
        "A: 8 statements, B: 4 statements, 2 in both, 6 only in A, 2 only in B"
    );
}

#[test]
fn json_diff() {
    let a = fixture("plain.jl");
    let b = fixture("diff_b.jl");
    let json = run([
        "diff".as_ref(),
        "--json".as_ref(),
        b.as_os_str(),
        a.as_os_str(),
    ])
    .expect(1)
    .json();
    assert_eq!(json["a"]["path"], b.to_str().unwrap());
    assert_eq!(json["a"]["statements"], 4);
    assert_eq!(json["b"]["statements"], 8);
    assert_eq!(json["b"]["duplicates"], 2);
    assert_eq!(json["common"], 2);
    assert_eq!(json["only_in_a"].as_array().unwrap().len(), 2);
    assert_eq!(json["only_in_b"].as_array().unwrap().len(), 6);
    assert_eq!(json["only_in_b"][0], PLAIN_STATEMENTS[1]);
}

#[test]
fn same_statements_in_other_encodings_do_not_differ() {
    let a = fixture("plain.jl");
    for other in ["crlf.jl", "bom.jl", "ansi.jl"] {
        let b = fixture(other);
        let run = run(["diff".as_ref(), a.as_os_str(), b.as_os_str()]).expect(0);
        assert_eq!(
            run.lines().last().copied(),
            Some("A: 8 statements, B: 8 statements, 8 in both, 0 only in A, 0 only in B"),
            "{other}"
        );
    }
}

#[test]
fn diff_reads_stdin_and_reports_io_errors() {
    let bytes = std::fs::read(fixture("diff_b.jl")).unwrap();
    let a = fixture("plain.jl");
    let run =
        run_with_stdin(["diff".as_ref(), a.as_os_str(), "-".as_ref()], Some(&bytes)).expect(1);
    assert!(run.stdout.contains("+++ B: <stdin>"), "{}", run.stdout);
    let missing = fixture("missing.jl");
    let run = crate::common::run(["diff".as_ref(), a.as_os_str(), missing.as_os_str()]).expect(2);
    assert!(run.stderr.contains("missing.jl"), "{}", run.stderr);
}
