//! The release machinery agrees with itself: `.github/workflows/release.yml` is valid YAML and
//! builds exactly the platforms `contrib/artifacts.jl` packs (which include the five the package
//! promises), and every entry in `Artifacts.toml` is well formed and names one of them.
//! (test/artifacts.jl runs the script itself and checks that Julia selects its entries.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

/// The platforms the issue requires at least: Julia triplets.
const REQUIRED: &[&str] = &[
    "x86_64-linux-gnu",
    "aarch64-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-w64-mingw32",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workflow() -> Yaml {
    let text = read(".github/workflows/release.yml");
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!(".github/workflows/release.yml is not valid YAML: {e}"));
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

fn str_of<'a>(y: &'a Yaml, what: &str) -> &'a str {
    y.as_str()
        .unwrap_or_else(|| panic!("{what} must be a string, found {y:?}"))
}

/// `PLATFORMS` in contrib/artifacts.jl: Julia triplet => Rust target.
fn script_platforms() -> BTreeMap<String, String> {
    let text = read("contrib/artifacts.jl");
    let start = text
        .find("const PLATFORMS = [")
        .expect("contrib/artifacts.jl defines `const PLATFORMS = [`");
    let block = &text[start..start + text[start..].find("\n]").expect("PLATFORMS ends with `]`")];
    let pair = regex::Regex::new(r#""([^"]+)" => "([^"]+)""#).unwrap();
    let platforms: BTreeMap<String, String> = pair
        .captures_iter(block)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    assert!(!platforms.is_empty(), "no pairs in PLATFORMS");
    platforms
}

/// One row of the build matrix.
#[derive(Debug)]
struct Row {
    triplet: String,
    rust_target: String,
    runner: String,
    library: String,
}

fn matrix_rows(wf: &Yaml) -> Vec<Row> {
    let include = &wf["jobs"]["build"]["strategy"]["matrix"]["include"];
    let rows = include
        .as_vec()
        .expect("jobs.build.strategy.matrix.include is a list");
    rows.iter()
        .map(|r| Row {
            triplet: str_of(&r["triplet"], "matrix triplet").to_string(),
            rust_target: str_of(&r["rust-target"], "matrix rust-target").to_string(),
            runner: str_of(&r["runner"], "matrix runner").to_string(),
            library: str_of(&r["library"], "matrix library").to_string(),
        })
        .collect()
}

/// The library file name cargo produces for a Julia triplet's OS.
fn library_for(triplet: &str) -> &'static str {
    if triplet.ends_with("-w64-mingw32") {
        "compile_traces.dll"
    } else if triplet.ends_with("-apple-darwin") {
        "libcompile_traces.dylib"
    } else {
        "libcompile_traces.so"
    }
}

/// All `run:` scripts of a job, joined.
fn job_scripts(job: &Yaml) -> String {
    job["steps"]
        .as_vec()
        .expect("steps is a list")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_workflow_is_valid_yaml_and_builds_every_platform_the_script_packs() {
    let wf = workflow();
    let tags: Vec<&str> = wf["on"]["push"]["tags"]
        .as_vec()
        .expect("on.push.tags is a list")
        .iter()
        .map(|t| str_of(t, "tag pattern"))
        .collect();
    assert_eq!(tags, ["capi-v*"], "library releases have their own tags");

    let rows = matrix_rows(&wf);
    let script = script_platforms();
    let built: BTreeMap<String, String> = rows
        .iter()
        .map(|r| (r.triplet.clone(), r.rust_target.clone()))
        .collect();
    assert_eq!(
        rows.len(),
        built.len(),
        "a triplet is built twice: {rows:?}"
    );
    assert_eq!(
        built, script,
        "the workflow's matrix and contrib/artifacts.jl PLATFORMS differ"
    );
    for required in REQUIRED {
        assert!(built.contains_key(*required), "{required} is not built");
    }
    for r in &rows {
        let arch = r.triplet.split('-').next().unwrap();
        assert!(
            r.rust_target.starts_with(&format!("{arch}-")),
            "{r:?}: the Rust target is for another architecture"
        );
        assert_eq!(r.library, library_for(&r.triplet), "{r:?}");
        let os_of_runner = r.runner.split('-').next().unwrap();
        let expected = match library_for(&r.triplet) {
            "compile_traces.dll" => "windows",
            "libcompile_traces.dylib" => "macos",
            _ => "ubuntu",
        };
        assert_eq!(
            os_of_runner, expected,
            "{r:?}: built on the wrong kind of runner"
        );
    }

    let package = &wf["jobs"]["package"];
    assert_eq!(str_of(&package["needs"], "package.needs"), "build");
    let scripts = job_scripts(package);
    for needed in [
        "contrib/artifacts.jl platforms",
        "contrib/artifacts.jl pack",
        "contrib/artifacts.jl entries",
        "--all-platforms",
        "gh release create",
    ] {
        assert!(
            scripts.contains(needed),
            "the package job does not run `{needed}`"
        );
    }
}

/// `arch`/`os`/`libc` of an Artifacts.toml entry as a Julia triplet, as `triplet(Platform)` writes it.
fn entry_triplet(entry: &toml_edit::Table) -> Result<String, String> {
    let get = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let arch = get("arch").ok_or("entry without arch")?;
    let os = get("os").ok_or("entry without os")?;
    Ok(match (os.as_str(), get("libc").as_deref()) {
        ("linux", Some("glibc")) => format!("{arch}-linux-gnu"),
        ("linux", Some("musl")) => format!("{arch}-linux-musl"),
        ("macos", None) => format!("{arch}-apple-darwin"),
        ("windows", None) => format!("{arch}-w64-mingw32"),
        (os, libc) => return Err(format!("unexpected platform {arch} {os} {libc:?}")),
    })
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks Artifacts.toml text; returns the triplets it lists.
fn check_artifacts_toml(text: &str, platforms: &BTreeSet<String>) -> Result<Vec<String>, String> {
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("not TOML: {e}"))?;
    let mut triplets = Vec::new();
    for (name, item) in doc.iter() {
        if name != "compile_traces" {
            return Err(format!("unexpected artifact `{name}`"));
        }
        let entries = item
            .as_array_of_tables()
            .ok_or("compile_traces must be one [[compile_traces]] table per platform")?;
        for entry in entries.iter() {
            let triplet = entry_triplet(entry)?;
            if !platforms.contains(&triplet) {
                return Err(format!("{triplet} is not built by the release workflow"));
            }
            if entry.get("lazy").and_then(|v| v.as_bool()) != Some(true) {
                return Err(format!("{triplet}: not lazy"));
            }
            let tree = entry.get("git-tree-sha1").and_then(|v| v.as_str());
            if !tree.is_some_and(|t| is_hex(t, 40)) {
                return Err(format!("{triplet}: bad git-tree-sha1 {tree:?}"));
            }
            let downloads = entry
                .get("download")
                .and_then(|d| d.as_array_of_tables())
                .ok_or(format!("{triplet}: no [[compile_traces.download]]"))?;
            for d in downloads.iter() {
                let sha = d.get("sha256").and_then(|v| v.as_str());
                if !sha.is_some_and(|s| is_hex(s, 64)) {
                    return Err(format!("{triplet}: bad sha256 {sha:?}"));
                }
                let url = d.get("url").and_then(|v| v.as_str()).unwrap_or("");
                if !(url.starts_with("https://github.com/")
                    && url.contains("/releases/download/capi-v")
                    && url.ends_with(&format!("-{triplet}.tar.gz")))
                {
                    return Err(format!("{triplet}: url {url:?} is not a release tarball"));
                }
            }
            if triplets.contains(&triplet) {
                return Err(format!("{triplet} listed twice"));
            }
            triplets.push(triplet);
        }
    }
    Ok(triplets)
}

#[test]
fn artifacts_toml_lists_only_platforms_the_workflow_builds() {
    let platforms: BTreeSet<String> = matrix_rows(&workflow())
        .into_iter()
        .map(|r| r.triplet)
        .collect();
    let text = read("Artifacts.toml");
    let listed =
        check_artifacts_toml(&text, &platforms).unwrap_or_else(|e| panic!("Artifacts.toml: {e}"));
    if listed.is_empty() {
        // Nothing released yet: the file has to say so rather than look forgotten.
        assert!(
            text.contains("release workflow"),
            "an Artifacts.toml without entries explains why"
        );
    } else {
        // A release lists all platforms (the workflow's `entries --all-platforms` insists).
        let listed: BTreeSet<String> = listed.into_iter().collect();
        assert_eq!(listed, platforms, "Artifacts.toml misses platforms");
    }
}

#[test]
fn the_artifacts_toml_check_rejects_what_it_should() {
    let platforms: BTreeSet<String> = ["x86_64-linux-gnu".to_string()].into();
    let entry = |os: &str, libc: &str, lazy: &str, url: &str| {
        format!(
            "[[compile_traces]]\narch = \"x86_64\"\ngit-tree-sha1 = \"{}\"\nlazy = {lazy}\n{libc}os = \"{os}\"\n\n\
             [[compile_traces.download]]\nsha256 = \"{}\"\nurl = \"{url}\"\n",
            "a".repeat(40),
            "b".repeat(64)
        )
    };
    let url = "https://github.com/o/r/releases/download/capi-v0.1.0/compile_traces-capi-v0.1.0-x86_64-linux-gnu.tar.gz";
    let good = entry("linux", "libc = \"glibc\"\n", "true", url);
    assert_eq!(
        check_artifacts_toml(&good, &platforms),
        Ok(vec!["x86_64-linux-gnu".to_string()])
    );
    let cases = [
        (
            entry("macos", "", "true", url),
            "x86_64-apple-darwin is not built",
        ),
        (
            entry("linux", "libc = \"glibc\"\n", "false", url),
            "not lazy",
        ),
        (
            entry(
                "linux",
                "libc = \"glibc\"\n",
                "true",
                "file:///tmp/x.tar.gz",
            ),
            "is not a release tarball",
        ),
        (format!("{good}\n{good}"), "listed twice"),
        ("[other]\nx = 1\n".to_string(), "unexpected artifact"),
        ("[[compile_traces]\n".to_string(), "not TOML"),
    ];
    for (text, expected) in cases {
        let err = check_artifacts_toml(&text, &platforms).unwrap_err();
        assert!(err.contains(expected), "{err:?} should say {expected:?}");
    }
}
