use crate::common::*;

/// Header lines `path:line:col: kind: message` of a text report, as (line, col, kind).
fn headers(stdout: &str, path: &str) -> Vec<(u32, u32, String)> {
    let prefix = format!("{path}:");
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter(|rest| rest.contains(": malformed: ") || rest.contains(": unsupported: "))
        .map(|rest| {
            let mut parts = rest.splitn(4, ':');
            let line = parts.next().unwrap().parse().expect("line number");
            let col = parts.next().unwrap().parse().expect("column");
            let kind = parts.next().unwrap().trim().to_owned();
            assert!(!parts.next().unwrap().trim().is_empty(), "empty message");
            (line, col, kind)
        })
        .collect()
}

#[test]
fn clean_file_exits_0_with_a_summary() {
    let path = fixture("plain.jl");
    let run = run(["check".as_ref(), path.as_os_str()]).expect(0);
    let last = run.lines().last().copied().unwrap_or_default().to_owned();
    assert!(last.contains(": ok: "), "{last}");
    assert!(
        last.contains("8 statements, 2 duplicates, 2 ignored, 0 malformed, 0 unsupported"),
        "{last}"
    );
    assert_eq!(run.lines().len(), 1, "a clean file prints only the summary");
}

#[test]
fn malformed_lines_exit_1_and_are_reported_rustc_style() {
    let path = fixture("malformed.jl");
    let path_text = path.to_str().unwrap();
    let run = run(["check", path_text]).expect(1);
    let found = headers(&run.stdout, path_text);
    let lines: Vec<u32> = found.iter().map(|(line, _, _)| *line).collect();
    assert_eq!(lines, [2, 3, 4, 5], "{}", run.stdout);
    assert!(found
        .iter()
        .all(|(_, col, kind)| kind == "malformed" && *col >= 1));
    // Each header is followed by the gutter, the offending text and a caret under the column.
    let text: Vec<&str> = run.lines();
    for (line, col, _) in &found {
        let header = text
            .iter()
            .position(|l| l.starts_with(&format!("{path_text}:{line}:")))
            .unwrap();
        let gutter = line.to_string();
        assert_eq!(text[header + 1].trim(), "|");
        let quoted = text[header + 2];
        assert!(
            quoted.starts_with(&format!("{gutter} | precompile(")),
            "{quoted}"
        );
        let caret_line = text[header + 3];
        let caret = caret_line.find('^').expect("a caret") - (gutter.len() + 3);
        assert_eq!(
            caret + 1,
            *col as usize,
            "caret under column {col}: {caret_line}"
        );
    }
    let summary = run.lines().last().unwrap().to_owned();
    assert!(summary.contains("FAILED (4 malformed lines)"), "{summary}");
    assert!(summary.contains("2 statements"), "{summary}");
}

#[test]
fn json_report_has_the_problems_and_counts() {
    let path = fixture("malformed.jl");
    let path_text = path.to_str().unwrap();
    let run = run(["check", "--json", path_text]).expect(1);
    let json = run.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["statements"], 2);
    assert_eq!(json["malformed"], 4);
    assert_eq!(json["unsupported"], 0);
    assert_eq!(json["duplicates"], 0);
    assert_eq!(json["files"], serde_json::json!([path_text]));
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 4);
    let lines: Vec<u64> = problems
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    for problem in problems {
        assert_eq!(problem["path"], path_text);
        assert_eq!(problem["kind"], "malformed");
        assert!(problem["column"].as_u64().unwrap() >= 1);
        assert!(!problem["message"].as_str().unwrap().is_empty());
        assert!(problem["text"].as_str().unwrap().starts_with("precompile("));
    }
    assert_eq!(
        problems[3]["text"],
        "precompile(Tuple{typeof(Base.string), String, Int6"
    );
}

#[test]
fn unsupported_alone_passes_unless_strict() {
    // Only the well-formed injection attempts (unsupported, never malformed by the spec).
    let input = b"precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n\
precompile(Tuple{typeof(Base.exit), Base.exit(0x01)})\n\
precompile(Tuple{typeof(Base.sum), Symbol(\"$(exit(6))\")})\n";
    let relaxed = run_with_stdin(["check", "--json", "-"], Some(input)).expect(0);
    let json = relaxed.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["statements"], 1);
    assert_eq!(json["unsupported"], 2);
    let kinds: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unsupported", "unsupported"]);
    let strict = run_with_stdin(["check", "--strict", "-"], Some(input)).expect(1);
    assert!(strict.stdout.contains("<stdin>:2:"), "{}", strict.stdout);
    assert!(
        strict.stdout.contains("FAILED (2 unsupported lines)"),
        "{}",
        strict.stdout
    );
}

#[test]
fn code_injection_lines_are_all_reported() {
    let path = fixture("injection.jl");
    let run = run(["check".as_ref(), "--json".as_ref(), path.as_os_str()]);
    let json = run.json();
    assert_eq!(json["statements"], 3, "{}", run.stdout);
    let reported: Vec<u64> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(reported, [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14]);
    // `Base.exit(0x01)` is valid Julia but not a bits value: unsupported, as issue 2 specifies.
    assert_eq!(json["problems"][0]["kind"], "unsupported");
    // Exit status follows the malformed count only.
    let malformed = json["malformed"].as_u64().unwrap();
    assert_eq!(run.code, if malformed > 0 { 1 } else { 0 });
}

#[test]
fn escape_codes_in_reported_text_are_made_visible() {
    let input = b"\x1b[33mprecompile(Tuple{typeof(Base.sum), Array{Int64, 1})\x1b[0m\n";
    let run = run_with_stdin(["check", "-"], Some(input)).expect(1);
    assert!(run.stdout.starts_with("<stdin>:1:"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\x1b'),
        "raw escape code reached the terminal"
    );
}

#[test]
fn stdin_and_files_mix_in_order() {
    let plain = std::fs::read(fixture("plain.jl")).unwrap();
    let malformed = fixture("malformed.jl");
    let run = run_with_stdin(
        [
            "check".as_ref(),
            "--json".as_ref(),
            "-".as_ref(),
            malformed.as_os_str(),
        ],
        Some(&plain),
    )
    .expect(1);
    let json = run.json();
    assert_eq!(
        json["files"],
        serde_json::json!(["<stdin>", malformed.to_str().unwrap()])
    );
    // plain.jl's `Base.sum` statement comes first, so malformed.jl's copy is a duplicate.
    assert_eq!(json["statements"], 8 + 1);
    assert_eq!(json["duplicates"], 2 + 1);
}

#[test]
fn io_errors_exit_2_and_say_what_to_do() {
    let missing = fixture("no-such-trace.jl");
    let run = run(["check".as_ref(), missing.as_os_str()]).expect(2);
    assert!(run.stderr.contains("no-such-trace.jl"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let directory = fixture("");
    let run = crate::common::run(["check".as_ref(), directory.as_os_str()]).expect(2);
    assert!(run.stderr.contains("directory"), "{}", run.stderr);

    // A missing file stops the run before anything is reported, even after a good file.
    let good = fixture("malformed.jl");
    let run =
        crate::common::run(["check".as_ref(), good.as_os_str(), missing.as_os_str()]).expect(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = run_with_stdin(["check", "-", "-"], Some(b"")).expect(2);
    assert!(run.stderr.contains("more than once"), "{}", run.stderr);
}
