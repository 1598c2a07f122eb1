use crate::common::*;

const SUBCOMMANDS: [&str; 5] = ["check", "stats", "filter", "merge", "diff"];

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in SUBCOMMANDS {
        let run = run([sub, "--help"]).expect(0);
        let examples = run
            .stdout
            .split_once("Examples:")
            .unwrap_or_else(|| panic!("`{sub} --help` has no Examples section:\n{}", run.stdout))
            .1;
        assert!(
            examples.contains(&format!("compile-traces {sub} ")),
            "`{sub} --help` examples do not use `{sub}`:\n{examples}"
        );
    }
    let top = run(["--help"]).expect(0);
    assert!(top.stdout.contains("Examples:"));
    for sub in SUBCOMMANDS {
        assert!(top.stdout.contains(sub), "{sub} missing from --help");
    }
}

#[test]
fn exit_codes_are_documented() {
    let check = run(["check", "--help"]).expect(0);
    assert!(check.stdout.contains("Exit status:"));
    assert!(check.stdout.contains("--strict"));
    let diff = run(["diff", "--help"]).expect(0);
    assert!(diff.stdout.contains("Exit status:"));
}

#[test]
fn usage_errors_exit_2() {
    run(["check"]).expect(2);
    run(["frobnicate"]).expect(2);
    run(["diff", "only-one.jl"]).expect(2);
    let run = run(["stats", "--top", "many", "x.jl"]).expect(2);
    assert!(run.stderr.contains("--top"), "{}", run.stderr);
}
