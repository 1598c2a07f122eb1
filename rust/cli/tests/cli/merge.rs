use std::fs;

use crate::common::*;

#[test]
fn merge_dedups_across_files_first_occurrence_wins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged.jl");
    let a = fixture("plain.jl");
    let b = fixture("diff_b.jl");
    let run = run([
        "merge".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
    .expect(0);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("from 2 files"), "{}", run.stderr);
    let merged = fs::read_to_string(&out).unwrap();
    let mut expected: Vec<&str> = PLAIN_STATEMENTS.to_vec();
    expected.push("precompile(Tuple{typeof(Base.max), Int64, Int64})");
    expected.push("precompile(Tuple{typeof(Main.g), String})");
    assert_eq!(merged.lines().collect::<Vec<_>>(), expected);
    let json = crate::common::run(["stats".as_ref(), "--json".as_ref(), out.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(json["statements"], 10);
    assert_eq!(json["duplicates"], 0);
}

#[test]
fn merge_applies_the_filters() {
    let a = fixture("plain.jl");
    let b = fixture("diff_b.jl");
    let run = run([
        "merge".as_ref(),
        "--exclude-module".as_ref(),
        "Main".as_ref(),
        "--exclude-closures".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
    ])
    .expect(0);
    assert_eq!(
        run.lines(),
        [
            PLAIN_STATEMENTS[0],
            PLAIN_STATEMENTS[2],
            PLAIN_STATEMENTS[4],
            PLAIN_STATEMENTS[5],
            PLAIN_STATEMENTS[7],
            "precompile(Tuple{typeof(Base.max), Int64, Int64})",
        ]
    );
}

#[test]
fn merge_without_output_says_how_to_give_one() {
    let a = fixture("plain.jl");
    let run = run(["merge".as_ref(), a.as_os_str()]).expect(2);
    assert!(run.stderr.contains("-o merged.jl"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn merge_refuses_an_output_that_is_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jl");
    fs::copy(fixture("plain.jl"), &a).unwrap();
    let before = fs::read(&a).unwrap();
    let b = fixture("diff_b.jl");
    let run = run([
        "merge".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        "-o".as_ref(),
        a.as_os_str(),
    ])
    .expect(2);
    assert!(run.stderr.contains("also an input"), "{}", run.stderr);
    assert_eq!(fs::read(&a).unwrap(), before);
}
