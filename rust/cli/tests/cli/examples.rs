//! The bundled examples behind the README's quick start.

use crate::common::*;

#[test]
fn example_trace_stats() {
    let path = example("trace.jl");
    let run = run(["stats".as_ref(), path.as_os_str()]).expect(0);
    assert!(
        run.stdout.contains("statements per root module:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("recorded time:"), "{}", run.stdout);
    let json = crate::common::run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    // 51 lines: one duplicate (`Base.split`), one truncated last line, the rest statements.
    assert_eq!(json["lines"], 51);
    assert_eq!(json["statements"], 49);
    assert_eq!(json["duplicates"], 1);
    assert_eq!(json["malformed"], 1);
    assert_eq!(json["unsupported"], 0);
    assert_eq!(json["timing"]["timed_statements"], 4);
    assert_eq!(json["timing"]["slowest"][0]["ms"], 148.7);
    let modules = name_counts(&json["modules"]);
    assert_eq!(modules[0].0, "Base");
    assert!(modules.iter().any(|(m, _)| m == "WordTally"), "{modules:?}");
    assert!(modules.iter().any(|(m, _)| m == "Main"), "{modules:?}");
}

#[test]
fn example_trace_check_points_at_the_truncated_line() {
    let path = example("trace.jl");
    let path_text = path.to_str().unwrap();
    let run = run(["check", path_text]).expect(1);
    assert!(
        run.stdout.starts_with(&format!("{path_text}:51:")),
        "{}",
        run.stdout
    );
}

#[test]
fn example_snoop_file() {
    let path = example("snoop_precompile.jl");
    let json = run(["stats".as_ref(), "--json".as_ref(), path.as_os_str()])
        .expect(0)
        .json();
    assert_eq!(json["statements"], 7);
    assert_eq!(json["malformed"], 0);
    assert_eq!(json["timing"]["timed_statements"], 7);
    let functions = name_counts(&json["functions"]);
    assert!(
        functions.contains(&("tally".to_owned(), 2)),
        "{functions:?}"
    );
    assert!(
        functions.contains(&("report".to_owned(), 1)),
        "{functions:?}"
    );
}
