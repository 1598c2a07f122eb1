//! Issue 9: trace shapes met in public projects. Statements over several lines
//! (`formatted.jl`), Julia 1.12 operator names (`julia112.jl`), known mis-printings repaired
//! (`misprinted.jl`) and terminal output (`terminal.jl`).

use crate::common::*;

#[test]
fn formatted_statements_are_one_statement_each_with_their_line_range() {
    let path = fixture("formatted.jl");
    let out = run(["filter".as_ref(), "-q".as_ref(), path.as_os_str()]).expect(0);
    assert_eq!(
        out.lines(),
        [
            r#"precompile(Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{:var"text/plain"}, Base.Dict{Int64, Float64}})"#,
            "precompile(Tuple{typeof(Base.convert), Type{NamedTuple{names, T} where {T <: Tuple} where names}, NamedTuple{(:a,), Tuple{Int64}}})",
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        ]
    );
    let check = run(["check".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(check["statements"], 3);
    assert_eq!(check["duplicates"], 1);
    assert_eq!(check["malformed"], 0);
    assert_eq!(check["unsupported"], 0);
}

#[test]
fn a_broken_multi_line_statement_points_at_its_lines() {
    let input = b"precompile(\n    Tuple{typeof(Base.sum),\n          exit(0x01)},\n)\nprecompile(\n    Tuple{Int64},\nprecompile(Tuple{Int64})\n";
    let out = run_with_stdin(["check", "--json", "-"], Some(input))
        .expect(1)
        .json();
    let problems = out["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        (&problems[0]["line"], &problems[0]["end_line"]),
        (&1.into(), &4.into())
    );
    assert_eq!(problems[0]["kind"], "unsupported");
    assert!(problems[0]["message"]
        .as_str()
        .unwrap()
        .contains("(line 3, column 11)"));
    assert_eq!(
        (&problems[1]["line"], &problems[1]["end_line"]),
        (&5.into(), &6.into())
    );
    assert_eq!(problems[1]["kind"], "malformed");
    assert!(problems[1]["message"]
        .as_str()
        .unwrap()
        .contains("line 7 cannot continue it"));
    assert_eq!(out["statements"], 1);
    // The text report shows the range.
    let text = run_with_stdin(["check", "-"], Some(input)).expect(1);
    assert!(
        text.stdout
            .contains("= note: lines 5-6 were read as one item"),
        "{}",
        text.stdout
    );
}

#[test]
fn julia_1_12_operator_names_are_statements() {
    let path = fixture("julia112.jl");
    let check = run(["check".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(check["statements"], 4);
    let stats = run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(
        name_counts(&stats["functions"]),
        pairs(&[
            ("Base.:(==)", 2),
            ("Base.Broadcast.:(+)", 1),
            ("Base.show", 1)
        ])
    );
}

#[test]
fn mis_printings_are_repaired_flagged_and_counted_per_kind() {
    let path = fixture("misprinted.jl");
    let out = run(["filter".as_ref(), "-q".as_ref(), path.as_os_str()]).expect(0);
    let lines = out.lines();
    assert_eq!(lines.len(), 15);
    for expected in [
        r##"Base.Pair{var"#s814", var"#s813"} where var"#s813"<:Integer where var"#s814"<:Integer"##,
        "Val{Inf}",
        "Val{-Inf}",
        "Val{NaN}",
        "Val{Inf32}",
        "Val{-Inf32}",
        "Val{NaN32}",
        "Val{1.5f0}",
        "Val{1.0f0}",
        "Val{1.0f10}",
        "Base.Val{:(=)}",
        "Val{:(==)}",
        "Val{(:(=>), :(::))}",
        r#"Val{Symbol("yyyy-mm-dd\\THH:MM:SS")}"#,
    ] {
        assert!(
            lines.iter().any(|line| line.contains(expected)),
            "no output line contains {expected}:\n{}",
            out.stdout
        );
    }
    let stats = run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert!(name_counts(&stats["flags"]).contains(&("repaired".to_owned(), 14)));
    assert_eq!(
        name_counts(&stats["repairs"]),
        pairs(&[
            ("raw_backslash", 1),
            ("gensym_type_var", 1),
            ("c_float", 9),
            ("quoted_operator", 3)
        ])
    );
    let text = run(["stats".as_ref(), path.as_os_str()]).expect(0);
    assert!(text
        .stdout
        .contains("repaired mis-printings (distinct statements, by kind):"));
    // Files without repairs report none.
    let plain = run([
        "stats".as_ref(),
        "--json".as_ref(),
        fixture("plain.jl").as_os_str(),
    ])
    .expect(0)
    .json();
    assert_eq!(plain["repairs"], serde_json::json!([]));
}

#[test]
fn terminal_output_makes_check_fail() {
    let path = fixture("terminal.jl");
    let out = run(["check".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(1)
        .json();
    assert_eq!(out["ok"], false);
    assert_eq!(out["statements"], 2);
    assert_eq!(out["unsupported"], 0);
    let problems = out["problems"].as_array().unwrap();
    let lines: Vec<u64> = problems
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 7, 9, 10]);
    for problem in problems {
        assert_eq!(problem["kind"], "malformed");
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("not Julia code"),
            "{problem}"
        );
    }
    // The statement with a trailing location comment stays a statement.
    let filtered = run(["filter".as_ref(), "-q".as_ref(), path.as_os_str()]).expect(0);
    assert_eq!(
        filtered.lines(),
        [
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "precompile(Tuple{typeof(Base.:(==)), Int64, Int64})"
        ]
    );
}
