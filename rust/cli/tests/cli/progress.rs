use std::process::{Command, Stdio};

/// A trace long enough for several progress checks (one every 1024 items).
fn long_trace() -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..5000 {
        bytes.extend_from_slice(
            format!("precompile(Tuple{{typeof(Base.getindex), Val{{{i}}}}})\n").as_bytes(),
        );
    }
    bytes
}

fn stats_stderr(force: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.jl");
    std::fs::write(&path, long_trace()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_compile-traces"));
    command.args(["stats".as_ref(), "--json".as_ref(), path.as_os_str()]);
    if force {
        command.env("COMPILE_TRACES_PROGRESS", "force");
    } else {
        command.env_remove("COMPILE_TRACES_PROGRESS");
    }
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["statements"], 5000,
        "progress must not change the report"
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    assert_eq!(stats_stderr(false), "");
}

#[test]
fn progress_line_is_drawn_then_erased() {
    let stderr = stats_stderr(true);
    assert!(stderr.contains("\rcompile-traces ["), "{stderr:?}");
    assert!(stderr.contains("file 1/1"), "{stderr:?}");
    assert!(
        stderr.ends_with("\r\x1b[2K"),
        "the line is cleared at the end: {stderr:?}"
    );
}
