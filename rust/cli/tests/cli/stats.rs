use crate::common::*;

fn stats_json(name: &str, extra: &[&str]) -> serde_json::Value {
    let path = fixture(name);
    let mut args = vec!["stats", "--json"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    run(args).expect(0).json()
}

#[test]
fn counts_modules_and_functions() {
    let json = stats_json("plain.jl", &[]);
    assert_eq!(json["statements"], 8);
    assert_eq!(json["duplicates"], 2);
    assert_eq!(json["ignored"], 2);
    assert_eq!(json["malformed"], 0);
    assert_eq!(json["unsupported"], 0);
    assert_eq!(json["lines"], 12);
    assert_eq!(
        name_counts(&json["modules"]),
        pairs(&[("Base", 5), ("Main", 2), ("Test", 2)])
    );
    let functions = name_counts(&json["functions"]);
    assert_eq!(functions[0], ("Base.getindex".to_owned(), 2));
    assert_eq!(functions.len(), 7);
    assert!(
        functions.contains(&("Base.Dict".to_owned(), 1)),
        "{functions:?}"
    );
    assert!(
        functions.contains(&("Test.var\"#1#2\"".to_owned(), 1)),
        "{functions:?}"
    );
    let flags = name_counts(&json["flags"]);
    assert!(flags.contains(&("main".to_owned(), 2)), "{flags:?}");
    assert!(flags.contains(&("closure".to_owned(), 1)), "{flags:?}");
    assert!(json["timing"].is_null());
}

#[test]
fn top_limits_the_function_list() {
    let json = stats_json("plain.jl", &["--top", "2"]);
    assert_eq!(json["functions"].as_array().unwrap().len(), 2);
    assert_eq!(json["functions"][0]["name"], "Base.getindex");
}

#[test]
fn timed_traces_report_total_and_slowest() {
    let json = stats_json("timed.jl", &["--top", "2"]);
    assert_eq!(json["statements"], 5);
    assert_eq!(json["duplicates"], 1);
    let timing = &json["timing"];
    assert_eq!(timing["timed_statements"], 4);
    // The duplicate's 7.0 ms is not counted: first occurrence wins.
    let total = timing["total_ms"].as_f64().unwrap();
    assert!(
        (total - (39.1 + 2.5 + 812.0 + 120.4)).abs() < 1e-6,
        "{total}"
    );
    let slowest = timing["slowest"].as_array().unwrap();
    assert_eq!(slowest.len(), 2);
    assert_eq!(slowest[0]["ms"], 812.0);
    assert_eq!(slowest[0]["line"], 3);
    assert_eq!(
        slowest[0]["statement"],
        "precompile(Tuple{typeof(MyPkg.run), String})"
    );
    assert_eq!(slowest[1]["ms"], 120.4);
    assert_eq!(slowest[1]["line"], 5);
    let flags = name_counts(&json["flags"]);
    assert!(flags.contains(&("recompile".to_owned(), 1)), "{flags:?}");
    assert!(flags.contains(&("timed".to_owned(), 4)), "{flags:?}");
}

#[test]
fn text_report_lists_every_section() {
    let path = fixture("timed.jl");
    let run = run([
        "stats".as_ref(),
        "--top".as_ref(),
        "1".as_ref(),
        path.as_os_str(),
    ])
    .expect(0);
    let out = &run.stdout;
    for expected in [
        "  statements          5",
        "  duplicates          1",
        "statements per root module:",
        "  MyPkg ",
        "most frequent functions (distinct statements, top 1):",
        "recorded time: 974.0 ms in 4 timed statements",
        "slowest statements (top 1):",
        "812.0 ms",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    assert!(
        !out.contains("120.4 ms"),
        "--top 1 lists one statement\n{out}"
    );
}

#[test]
fn snoopcompile_files() {
    let json = stats_json("snoop.jl", &[]);
    assert_eq!(json["statements"], 4);
    assert_eq!(json["duplicates"], 1);
    assert_eq!(json["unsupported"], 1, "the `let fbody` block is one item");
    assert_eq!(json["malformed"], 0);
    assert_eq!(json["ignored"], 3);
    let timing = &json["timing"];
    assert_eq!(timing["timed_statements"], 3);
    let total = timing["total_ms"].as_f64().unwrap();
    assert!(
        (total - 514.5).abs() < 1e-6,
        "`# time:` is in seconds: {total}"
    );
    let flags = name_counts(&json["flags"]);
    assert!(flags.contains(&("guarded".to_owned(), 1)), "{flags:?}");
    assert!(flags.contains(&("closure".to_owned(), 1)), "{flags:?}");
    let functions = name_counts(&json["functions"]);
    assert_eq!(functions.len(), 4);
    assert!(
        functions.contains(&("MyPkg.h".to_owned(), 1)),
        "{functions:?}"
    );
}

#[test]
fn crlf_bom_and_ansi_read_like_plain() {
    let plain = stats_json("plain.jl", &[]);
    for (name, marker) in [
        ("crlf.jl", &b"\r\n"[..]),
        ("bom.jl", &b"\xEF\xBB\xBF"[..]),
        ("ansi.jl", &b"\x1b[33m"[..]),
    ] {
        // Guard against the fixture being normalized by an editor or git.
        let bytes = std::fs::read(fixture(name)).unwrap();
        assert!(
            bytes.windows(marker.len()).any(|w| w == marker),
            "{name} lost its special bytes"
        );
        let json = stats_json(name, &[]);
        for key in [
            "statements",
            "duplicates",
            "ignored",
            "malformed",
            "unsupported",
            "modules",
            "functions",
        ] {
            assert_eq!(json[key], plain[key], "{name}: {key}");
        }
    }
}

#[test]
fn stdin_is_read_with_a_dash() {
    let bytes = std::fs::read(fixture("plain.jl")).unwrap();
    let json = run_with_stdin(["stats", "--json", "-"], Some(&bytes))
        .expect(0)
        .json();
    assert_eq!(json["files"], serde_json::json!(["<stdin>"]));
    assert_eq!(json["statements"], 8);
}

#[test]
fn missing_file_exits_2() {
    let run = run(["stats", "definitely-missing.jl"]).expect(2);
    assert!(run.stderr.contains("definitely-missing.jl"));
}

#[test]
fn per_file_counts_across_several_inputs() {
    let a = fixture("plain.jl");
    let b = fixture("diff_b.jl");
    let json = run([
        "stats".as_ref(),
        "--json".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
    ])
    .expect(0)
    .json();
    assert_eq!(json["statements"], 10);
    assert_eq!(json["duplicates"], 4);
    let per_file = json["per_file"].as_array().unwrap();
    assert_eq!(per_file.len(), 2);
    assert_eq!(per_file[0]["path"], a.to_str().unwrap());
    assert_eq!(per_file[0]["statements"], 8);
    assert_eq!(per_file[0]["duplicates"], 2);
    assert_eq!(per_file[0]["ignored"], 2);
    // diff_b.jl repeats two statements of plain.jl: duplicates across files.
    assert_eq!(per_file[1]["statements"], 2);
    assert_eq!(per_file[1]["duplicates"], 2);
    assert_eq!(per_file[1]["malformed"], 0);
    let text = run(["stats".as_ref(), a.as_os_str(), b.as_os_str()]).expect(0);
    let row = text
        .lines()
        .into_iter()
        .find(|line| line.contains("diff_b.jl"))
        .expect("a row for diff_b.jl");
    let numbers: Vec<&str> = row.split_whitespace().skip(1).collect();
    assert_eq!(numbers, ["2", "2", "0", "0", "0"]);
}
