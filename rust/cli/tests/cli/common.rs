//! Running the binary and reading fixtures.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit status, showing everything on failure.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not one JSON object ({error}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Stdout split into lines (without line ends).
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_stdin(args, None)
}

pub fn run_with_stdin<I, S>(args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_compile-traces"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the compile-traces binary");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is not UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is not UTF-8"),
    }
}

/// The statements of the `plain.jl` fixture, first occurrences, in order.
pub const PLAIN_STATEMENTS: [&str; 8] = [
    "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
    "precompile(Tuple{typeof(Main.f), Int64})",
    "precompile(Tuple{typeof(Base.getindex), Base.Dict{Symbol, Any}, Symbol})",
    "precompile(Tuple{Test.var\"#1#2\"{Int64}, Float64})",
    "precompile(Tuple{Type{Base.Dict{String, Int64}}})",
    "precompile(Tuple{typeof(Test.do_test), Test.Returned, Expr})",
    "precompile(Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{Symbol(\"text/plain\")}, Main.Point})",
    "precompile(Tuple{typeof(Base.getindex), Array{Int64, 1}, Int64})",
];

/// `(name, count)` pairs of a JSON array of `{name, statements}`.
pub fn name_counts(value: &serde_json::Value) -> Vec<(String, u64)> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|entry| {
            (
                entry["name"].as_str().expect("name").to_owned(),
                entry["statements"].as_u64().expect("statements"),
            )
        })
        .collect()
}

pub fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected
        .iter()
        .map(|(name, count)| ((*name).to_owned(), *count))
        .collect()
}
