//! Throughput benchmark of the core against baselines measured in the same run (issue 5):
//! the memchr/`wc -l` floor, `grep -c`, tree-sitter-julia, and the core on one file and on the
//! same bytes split into several files, plus the core's peak resident memory.
//!
//! `cargo run --release -p compile-traces-bench -- [--size-mb 200] [--reps 5] [--files 16]
//! [--ts-mb 4] [--generated] [--quick]`
//!
//! Machines are noisy, so every measurement runs `reps` times, interleaved (one round runs each
//! measurement once) so that a slow period hits all of them alike; the report gives the median and
//! the minimum, and the ratios are computed from medians.

mod input;

use std::cell::Cell;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use compile_traces_core::{pipeline, source, ItemKind, Options, Source, Summary, Verdict};

const MB: f64 = 1_000_000.0;

/// tree-sitter-julia is given the slice in pieces of about this size (whole lines), its fastest
/// setting measured on the corpus: ~5 MB/s for pieces of one line to 4 KiB, 4.5 MB/s at 16 KiB,
/// 0.6 MB/s at 1 MiB (its error recovery on the few lines it rejects grows with the piece).
/// The baseline at its best makes the "50x faster" target the stricter.
const TREE_SITTER_CHUNK: usize = 1024;

const USAGE: &str = "\
usage: compile-traces-bench [--size-mb N] [--reps N] [--files N] [--ts-mb N] [--generated] [--quick]

  --size-mb N   input size in MB (10^6 bytes); default 200 (4 with --quick)
  --reps N      repetitions of every measurement; default 5 (1 with --quick)
  --files N     number of files the input is split into; default 16
  --ts-mb N     size of the slice parsed by tree-sitter-julia; default 4 (0.5 with --quick)
  --generated   use generated statements even when the corpus is present
  --quick       small and fast: for checking that the benchmark runs, not for figures

for profiling:
  --write-input PATH   write the input (--size-mb, --generated) to PATH and exit
  --core-only PATH     only read + process (dedup) PATH, --reps times, e.g. under perf record
";

struct Args {
    size_mb: f64,
    reps: usize,
    files: usize,
    ts_mb: f64,
    generated: bool,
    quick: bool,
    /// Internal: measure the peak RSS of read + process (dedup) on this file, print it, exit.
    child_rss: Option<PathBuf>,
    /// Only run read + process (dedup) on this file `reps` times (for perf or callgrind).
    core_only: Option<PathBuf>,
    /// Only write the input to this path and exit.
    write_input: Option<PathBuf>,
}

/// The arguments, or `None` when help was asked for.
fn parse_args() -> Result<Option<Args>, String> {
    let mut size_mb = None;
    let mut reps = None;
    let mut ts_mb = None;
    let mut files = 16;
    let mut generated = false;
    let mut quick = false;
    let mut child_rss = None;
    let mut core_only = None;
    let mut write_input = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--size-mb" => size_mb = Some(positive(&arg, &value(&arg)?)?),
            "--ts-mb" => ts_mb = Some(positive(&arg, &value(&arg)?)?),
            "--reps" => reps = Some(positive(&arg, &value(&arg)?)?.ceil() as usize),
            "--files" => files = positive(&arg, &value(&arg)?)?.ceil() as usize,
            "--generated" => generated = true,
            "--quick" => quick = true,
            "--child-rss" => child_rss = Some(PathBuf::from(value(&arg)?)),
            "--core-only" => core_only = Some(PathBuf::from(value(&arg)?)),
            "--write-input" => write_input = Some(PathBuf::from(value(&arg)?)),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    Ok(Some(Args {
        size_mb: size_mb.unwrap_or(if quick { 4.0 } else { 200.0 }),
        reps: reps.unwrap_or(if quick { 1 } else { 5 }),
        files,
        ts_mb: ts_mb.unwrap_or(if quick { 0.5 } else { 4.0 }),
        generated,
        quick,
        child_rss,
        core_only,
        write_input,
    }))
}

fn positive(name: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value),
        _ => Err(format!("{name} needs a positive number, got `{text}`")),
    }
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| {
        let Some(args) = args else {
            print!("{USAGE}");
            return Ok(());
        };
        if let Some(path) = &args.child_rss {
            child_rss(path)
        } else if let Some(path) = &args.core_only {
            core_only(path, args.reps)
        } else if let Some(path) = &args.write_input {
            write_input(path, &args)
        } else {
            run(&args)
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compile-traces-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One timed measurement: `run` does the work once and returns a count that is printed as a
/// check (and keeps the work from being optimised away).
struct Task<'a> {
    key: &'static str,
    label: String,
    bytes: usize,
    run: Box<dyn FnMut() -> Result<u64, String> + 'a>,
    times: Vec<Duration>,
    check: Option<u64>,
    error: Option<String>,
}

impl<'a> Task<'a> {
    fn new(
        key: &'static str,
        label: impl Into<String>,
        bytes: usize,
        run: impl FnMut() -> Result<u64, String> + 'a,
    ) -> Task<'a> {
        Task {
            key,
            label: label.into(),
            bytes,
            run: Box::new(run),
            times: Vec::new(),
            check: None,
            error: None,
        }
    }

    fn skipped(key: &'static str, label: impl Into<String>, why: impl Into<String>) -> Task<'a> {
        let mut task = Task::new(key, label, 0, || Ok(0));
        task.error = Some(why.into());
        task
    }

    fn median(&self) -> Option<Duration> {
        let mut times = self.times.clone();
        times.sort();
        match times.len() {
            0 => None,
            n if n % 2 == 1 => Some(times[n / 2]),
            n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
        }
    }

    fn min(&self) -> Option<Duration> {
        self.times.iter().min().copied()
    }
}

fn run(args: &Args) -> Result<(), String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Before this process does anything: what the rest of the machine is doing.
    let busy_at_start = busy_cores();
    let size = (args.size_mb * MB) as usize;
    let input = input::build(size, args.generated)?;
    let bytes = input.bytes;
    let dir = tempfile::Builder::new()
        .prefix("compile-traces-bench")
        .tempdir()
        .map_err(|error| format!("cannot create a temporary directory: {error}"))?;
    let (big, split) = input::write_files(dir.path(), &bytes, args.files)?;
    let slice = line_prefix(&bytes, (args.ts_mb * MB) as usize);

    print_header(
        args,
        threads,
        &input.origin,
        bytes.len(),
        split.len(),
        busy_at_start,
    );

    let pool1 = pool(1)?;
    let pool2 = if threads >= 2 { Some(pool(2)?) } else { None };
    let pool_all = if threads > 2 {
        Some(pool(threads)?)
    } else {
        None
    };
    let summary = Cell::new(None::<Summary>);
    // What a caller gets without choosing: rayon's global pool (RAYON_NUM_THREADS or all cores).
    let global = rayon::current_num_threads();
    let tree_sitter_chunks = line_chunks(slice, TREE_SITTER_CHUNK);
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_julia::LANGUAGE.into())
        .map_err(|error| format!("cannot load the tree-sitter-julia grammar: {error}"))?;
    let n = bytes.len();
    let big_name = big.display().to_string();

    let mut tasks = vec![
        Task::new(
            "floor_mem",
            "floor: memchr line count, in memory",
            n,
            || Ok(memchr::memchr_iter(b'\n', &bytes).count() as u64),
        ),
        Task::new(
            "floor_read",
            "floor: read file + memchr line count",
            n,
            || {
                let read =
                    fs::read(&big).map_err(|error| format!("cannot read {big_name}: {error}"))?;
                Ok(memchr::memchr_iter(b'\n', &read).count() as u64)
            },
        ),
        Task::new(
            "floor_stream",
            "floor: streamed read (128 KiB buffer) + memchr line count",
            n,
            || {
                streamed_line_count(&big)
                    .map_err(|error| format!("cannot read {big_name}: {error}"))
            },
        ),
    ];
    tasks.push(tool_task(
        "wc",
        "wc -l (spawned)",
        n,
        "wc",
        &["-l"],
        &big,
        None,
    ));
    tasks.push(tool_task(
        "grep_c",
        "grep -c 'Main\\.' LC_ALL=C (spawned)",
        n,
        "grep",
        &["-c", "Main\\."],
        &big,
        Some("C"),
    ));
    tasks.push(tool_task(
        "grep_env",
        format!("grep -c 'Main\\.' locale {} (spawned)", env_locale()),
        n,
        "grep",
        &["-c", "Main\\."],
        &big,
        None,
    ));
    tasks.push(Task::new(
        "tree_sitter",
        format!(
            "tree-sitter-julia parse, {:.1} MB slice, {} chunks of ~{} bytes",
            slice.len() as f64 / MB,
            tree_sitter_chunks.len(),
            TREE_SITTER_CHUNK
        ),
        slice.len(),
        || {
            // The check is the number of chunks whose tree has an error node.
            let mut with_errors = 0;
            for chunk in &tree_sitter_chunks {
                let tree = parser
                    .parse(chunk, None)
                    .ok_or("tree-sitter returned no tree")?;
                with_errors += u64::from(tree.root_node().has_error());
            }
            Ok(with_errors)
        },
    ));
    tasks.push(Task::new(
        "core_slice_1t",
        "core: classify the same slice, 1 thread",
        slice.len(),
        || Ok(pool1.install(|| pipeline::classify(0, slice).len() as u64)),
    ));
    tasks.push(Task::new(
        "core_classify",
        format!("core: read + classify, 1 file, {global} threads (global pool)"),
        n,
        || {
            let source = Source::read(&big).map_err(|error| error.to_string())?;
            Ok(pipeline::classify(0, &source.bytes).len() as u64)
        },
    ));
    tasks.push(Task::new(
        "core_process",
        format!("core: read + process (dedup), 1 file, {global} threads (global pool)"),
        n,
        || {
            let source = Source::read(&big).map_err(|error| error.to_string())?;
            let (last, items) = process(std::slice::from_ref(&source))?;
            summary.set(Some(last));
            Ok(items)
        },
    ));
    tasks.push(Task::new(
        "core_process_1t",
        "core: read + process (dedup), 1 file, 1 thread",
        n,
        || {
            pool1.install(|| {
                let source = Source::read(&big).map_err(|error| error.to_string())?;
                Ok(process(std::slice::from_ref(&source))?.1)
            })
        },
    ));
    let files_label = |threads: usize| {
        format!(
            "core: read_all + process (dedup), {} file{}, {threads} thread{}",
            split.len(),
            if split.len() == 1 { "" } else { "s" },
            if threads == 1 { "" } else { "s" }
        )
    };
    tasks.push(Task::new("split_1t", files_label(1), n, || {
        pool1.install(|| read_all_process(&split))
    }));
    match &pool2 {
        Some(pool2) => tasks.push(Task::new("split_2t", files_label(2), n, || {
            pool2.install(|| read_all_process(&split))
        })),
        None => tasks.push(Task::skipped(
            "split_2t",
            files_label(2),
            "only 1 core available",
        )),
    }
    if let Some(pool_all) = &pool_all {
        tasks.push(Task::new("split_all", files_label(threads), n, || {
            pool_all.install(|| read_all_process(&split))
        }));
    }

    // One-time costs (the core compiles its regexes on first use) are not throughput: pay them
    // before timing.
    let _ = pipeline::classify(0, line_prefix(&bytes, 64 * 1024));

    for rep in 0..args.reps {
        eprint!("round {}/{}:", rep + 1, args.reps);
        for task in tasks.iter_mut().filter(|task| task.error.is_none()) {
            eprint!(" {}", task.key);
            let start = Instant::now();
            let result = (task.run)();
            let elapsed = start.elapsed();
            match result {
                Ok(check) => {
                    task.times.push(elapsed);
                    if task.check.is_some_and(|first| first != check) {
                        task.error = Some(format!(
                            "result changed between repetitions: {} then {check}",
                            task.check.unwrap_or_default()
                        ));
                    }
                    task.check.get_or_insert(check);
                }
                Err(error) => task.error = Some(error),
            }
        }
        eprintln!();
    }
    let rss = measure_child_rss(&big);

    print_tasks(&tasks);
    if let Some(summary) = summary.get() {
        print_summary(&summary);
    }
    print_ratios(&tasks, threads, &rss, n, busy_at_start);
    Ok(())
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| format!("cannot build a rayon pool of {threads} threads: {error}"))
}

/// `pipeline::process` with the default options (dedup on) and a sink that only counts.
/// Returns the summary and the number of items the sink saw.
fn process(sources: &[Source]) -> Result<(Summary, u64), String> {
    let mut items = 0u64;
    let mut kept = 0u64;
    let summary = pipeline::process(sources, &Options::default(), |item, verdict| {
        items += 1;
        if matches!(verdict, Verdict::Keep) && matches!(item.kind, ItemKind::Statement(_)) {
            kept += 1;
        }
    });
    if kept != summary.statements {
        return Err(format!(
            "the sink kept {kept} statements but the summary says {}",
            summary.statements
        ));
    }
    Ok((summary, items))
}

fn read_all_process(paths: &[PathBuf]) -> Result<u64, String> {
    let sources = source::read_all(paths).map_err(|error| error.to_string())?;
    Ok(process(&sources)?.1)
}

/// Counts lines reading through a small buffer, the way `wc` and `grep` do: no allocation the size
/// of the file, so no page faults for it. Shows what reading whole files into memory costs.
fn streamed_line_count(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let mut buffer = vec![0u8; 128 * 1024];
    let mut lines = 0u64;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(lines),
            Ok(read) => lines += memchr::memchr_iter(b'\n', &buffer[..read]).count() as u64,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// A spawned command line tool, timed from spawn to exit; its first number on stdout is the check.
fn tool_task<'a>(
    key: &'static str,
    label: impl Into<String>,
    bytes: usize,
    program: &'static str,
    args: &'static [&'static str],
    file: &'a Path,
    lc_all: Option<&'static str>,
) -> Task<'a> {
    let label = label.into();
    if Command::new(program).arg("--version").output().is_err() {
        return Task::skipped(key, label, format!("`{program}` not found"));
    }
    Task::new(key, label, bytes, move || {
        let mut command = Command::new(program);
        command.args(args).arg(file);
        if let Some(locale) = lc_all {
            command.env("LC_ALL", locale);
        }
        let output = command
            .output()
            .map_err(|error| format!("cannot run {program}: {error}"))?;
        // grep exits with 1 when nothing matched: still a count.
        if !(output.status.success() || program == "grep" && output.status.code() == Some(1)) {
            return Err(format!(
                "{program} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .next()
            .and_then(|word| word.parse().ok())
            .ok_or_else(|| format!("{program} printed no count"))
    })
}

/// The locale a spawned tool inherits (LC_ALL, then LC_CTYPE, then LANG), for the label.
fn env_locale() -> String {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "C (unset)".to_string())
}

/// The longest prefix of `bytes` that ends with a newline and is at most `size` long
/// (at least one line).
fn line_prefix(bytes: &[u8], size: usize) -> &[u8] {
    let size = size.min(bytes.len());
    match memchr::memrchr(b'\n', &bytes[..size]) {
        Some(newline) => &bytes[..newline + 1],
        None => {
            let end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |newline| newline + 1);
            &bytes[..end]
        }
    }
}

/// Cuts `bytes` into pieces of about `size` bytes that end at line ends, so that each piece is a
/// sequence of whole statements for tree-sitter.
fn line_chunks(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let chunk = line_prefix(rest, size);
        chunks.push(chunk);
        rest = &rest[chunk.len()..];
    }
    chunks
}

/// `/proc/loadavg`'s three averages, to tell a quiet machine from a busy one: other processes
/// on the cores slow everything and hide any parallel speedup.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// How many cores other processes keep busy, sampled from `/proc/stat` over half a second while
/// this process does nothing: a load average lags, this does not.
fn busy_cores() -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|field| field.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4).unwrap_or(&0);
        Some((total, idle))
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let before = sample();
    std::thread::sleep(Duration::from_millis(500));
    match (before, sample()) {
        (Some((total0, idle0)), Some((total1, idle1))) if total1 > total0 => {
            let busy = 1.0 - (idle1 - idle0) as f64 / (total1 - total0) as f64;
            Some(busy * threads as f64)
        }
        _ => None,
    }
}

fn describe_busy(busy: Option<f64>, threads: usize) -> String {
    busy.map_or("busy cores unknown".to_string(), |busy| {
        format!("other processes kept {busy:.1} of {threads} cores busy over 0.5 s")
    })
}

/// The peak RSS measurement, run as a child process so that nothing the parent holds counts.
struct Rss {
    peak_kb: u64,
    baseline_kb: u64,
    seconds: f64,
}

fn measure_child_rss(file: &Path) -> Result<Rss, String> {
    let exe = std::env::current_exe().map_err(|error| format!("cannot find myself: {error}"))?;
    let start = Instant::now();
    let output = Command::new(&exe)
        .arg("--child-rss")
        .arg(file)
        .output()
        .map_err(|error| format!("cannot run {}: {error}", exe.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("the child printed no `{name}`: {stdout}"))
    };
    Ok(Rss {
        peak_kb: field("vmhwm_kb")?,
        baseline_kb: field("baseline_kb")?,
        seconds,
    })
}

/// Profiling mode: read + process (dedup) the file `reps` times, printing each time.
fn core_only(file: &Path, reps: usize) -> Result<(), String> {
    for _ in 0..reps {
        let start = Instant::now();
        let source = Source::read(file).map_err(|error| error.to_string())?;
        let (summary, items) = process(std::slice::from_ref(&source))?;
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "{items} items, {} statements kept, {:.4} s, {:.1} MB/s",
            summary.statements,
            seconds,
            source.bytes.len() as f64 / MB / seconds
        );
    }
    Ok(())
}

fn write_input(path: &Path, args: &Args) -> Result<(), String> {
    let input = input::build((args.size_mb * MB) as usize, args.generated)?;
    fs::write(path, &input.bytes)
        .map_err(|error| format!("cannot write `{}`: {error}", path.display()))?;
    println!(
        "wrote {:.1} MB to {}",
        input.bytes.len() as f64 / MB,
        path.display()
    );
    Ok(())
}

/// Child mode: read + process (dedup) one file, then report VmHWM (peak resident set).
fn child_rss(file: &Path) -> Result<(), String> {
    let baseline = vm_hwm_kb()?;
    let source = Source::read(file).map_err(|error| error.to_string())?;
    let (summary, items) = process(std::slice::from_ref(&source))?;
    let peak = vm_hwm_kb()?;
    println!("baseline_kb {baseline}");
    println!("vmhwm_kb {peak}");
    println!("items {items}");
    println!("statements {}", summary.statements);
    Ok(())
}

fn vm_hwm_kb() -> Result<u64, String> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|error| format!("cannot read /proc/self/status (Linux only): {error}"))?;
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix("VmHWM:")?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .ok_or_else(|| "no VmHWM line in /proc/self/status".to_string())
}

fn print_header(
    args: &Args,
    threads: usize,
    origin: &input::Origin,
    bytes: usize,
    files: usize,
    busy_at_start: Option<f64>,
) {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                Some(
                    line.strip_prefix("model name")?
                        .split_once(':')?
                        .1
                        .trim()
                        .to_string(),
                )
            })
        })
        .unwrap_or_else(|| "unknown".to_string());
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "rust",
            ])
            .is_some_and(|status| !status.is_empty());
            format!(
                "{commit}{}",
                if dirty {
                    " + uncommitted changes under rust/"
                } else {
                    ""
                }
            )
        }
        None => "unknown (git unavailable)".to_string(),
    };
    let origin = match origin {
        input::Origin::Corpus { files, unit_bytes } => format!(
            "the {files} real traces of {} ({:.2} MB) repeated",
            "../shared/corpus/trace (beside the checkout)",
            *unit_bytes as f64 / MB
        ),
        input::Origin::Generated => {
            "generated statements (corpus absent or --generated)".to_string()
        }
    };
    println!(
        "compile-traces-bench{}",
        if args.quick {
            " (--quick: figures are not meaningful)"
        } else {
            ""
        }
    );
    println!("machine: {threads} threads available, CPU {cpu}");
    println!("commit:  {commit}");
    println!(
        "load:    {} at start (1, 5, 15 min averages); {}",
        load_average(),
        describe_busy(busy_at_start, threads)
    );
    println!(
        "input:   {:.1} MB (MB = 10^6 bytes), {origin}; one file, and the same bytes split at line ends into {files} file{}",
        bytes as f64 / MB,
        if files == 1 { "" } else { "s" }
    );
    println!(
        "method:  {} repetitions, interleaved; median and min; files in the page cache; spawned tools timed from spawn to exit",
        args.reps
    );
    println!();
}

fn print_tasks(tasks: &[Task<'_>]) {
    let width = tasks.iter().map(|task| task.label.len()).max().unwrap_or(0);
    println!(
        "{:<width$}  {:>8}  {:>9}  {:>9}  {:>11}  {:>10}",
        "measurement", "MB", "median s", "min s", "median MB/s", "check"
    );
    for task in tasks {
        let mut line = format!("{:<width$}  ", task.label);
        match (task.median(), task.min(), &task.error) {
            (Some(median), Some(min), None) => {
                let _ = write!(
                    line,
                    "{:>8.1}  {:>9.4}  {:>9.4}  {:>11.1}  {:>10}",
                    task.bytes as f64 / MB,
                    median.as_secs_f64(),
                    min.as_secs_f64(),
                    task.bytes as f64 / MB / median.as_secs_f64(),
                    task.check.unwrap_or_default()
                );
            }
            (_, _, Some(error)) => {
                let _ = write!(line, "skipped: {error}");
            }
            _ => {
                let _ = write!(line, "skipped: no repetition ran");
            }
        }
        println!("{}", line.trim_end());
    }
    println!(
        "check: floor/wc = lines, grep = matching lines, tree-sitter = chunks with an error node, core = items"
    );
}

fn print_summary(summary: &Summary) {
    println!(
        "core's summary of the 1-file input: {} lines, {} statements kept, {} duplicates, {} ignored, {} malformed, {} unsupported, {} excluded",
        summary.lines,
        summary.statements,
        summary.duplicates,
        summary.ignored,
        summary.malformed,
        summary.unsupported,
        summary.excluded
    );
}

fn print_ratios(
    tasks: &[Task<'_>],
    threads: usize,
    rss: &Result<Rss, String>,
    input_bytes: usize,
    busy_at_start: Option<f64>,
) {
    // Seconds of a measurement by median (the figure judged) or by minimum (the best case, which
    // other processes on the machine disturb least).
    let seconds = |key: &str, by_min: bool| {
        let task = tasks
            .iter()
            .find(|task| task.key == key && task.error.is_none())?;
        let time = if by_min { task.min() } else { task.median() };
        Some(time?.as_secs_f64())
    };
    let bytes = |key: &str| {
        tasks
            .iter()
            .find(|task| task.key == key)
            .map(|task| task.bytes as f64)
    };
    struct Row {
        label: String,
        value: Option<f64>,
        by_min: Option<f64>,
        target: &'static str,
        met: Option<bool>,
    }
    enum Ratio {
        /// Time of the first over time of the second.
        Time(&'static str, &'static str),
        /// Speed (bytes per second, each over its own input) of the first over the second.
        Speed(&'static str, &'static str),
    }
    let ratio = |ratio: &Ratio, by_min: bool| match *ratio {
        Ratio::Time(a, b) => Some(seconds(a, by_min)? / seconds(b, by_min)?),
        Ratio::Speed(a, b) => {
            Some((bytes(a)? / seconds(a, by_min)?) / (bytes(b)? / seconds(b, by_min)?))
        }
    };
    let row = |label: String, which: Ratio, target: &'static str, met: fn(f64) -> bool| {
        let value = ratio(&which, false);
        Row {
            label,
            value,
            by_min: ratio(&which, true),
            target,
            met: if target == "-" { None } else { value.map(met) },
        }
    };
    let none = |_: f64| false;

    let mut rows = vec![
        row(
            "core / grep time (read + process dedup, 1 file vs grep -c LC_ALL=C)".into(),
            Ratio::Time("core_process", "grep_c"),
            "<= 1.0",
            |v| v <= 1.0,
        ),
        row(
            "core / grep time, core on 1 thread (information)".into(),
            Ratio::Time("core_process_1t", "grep_c"),
            "-",
            none,
        ),
        row(
            "core / floor time (read + process dedup vs read + memchr)".into(),
            Ratio::Time("core_process", "floor_read"),
            "-",
            none,
        ),
        row(
            "tree-sitter / core speed (same slice, 1 thread each)".into(),
            Ratio::Speed("core_slice_1t", "tree_sitter"),
            ">= 50",
            |v| v >= 50.0,
        ),
    ];
    let mut speedup = row(
        "parallel speedup, split files, 2 threads vs 1".into(),
        Ratio::Time("split_1t", "split_2t"),
        ">= 1.7",
        |v| v >= 1.7,
    );
    if threads < 2 {
        speedup.met = None;
    }
    rows.push(speedup);
    if threads > 2 {
        rows.push(row(
            format!("parallel speedup, split files, {threads} threads vs 1"),
            Ratio::Time("split_1t", "split_all"),
            "-",
            none,
        ));
    }
    let rss_value = rss
        .as_ref()
        .ok()
        .map(|rss| rss.peak_kb as f64 * 1024.0 / input_bytes as f64);
    rows.push(Row {
        label: "peak RSS / input size (read + process dedup, child process)".into(),
        value: rss_value,
        by_min: None,
        target: "<= 1.5",
        met: rss_value.map(|v| v <= 1.5),
    });
    rows.push(Row {
        label: "peak RSS above the child's start / input size (information)".into(),
        value: rss.as_ref().ok().map(|rss| {
            rss.peak_kb.saturating_sub(rss.baseline_kb) as f64 * 1024.0 / input_bytes as f64
        }),
        by_min: None,
        target: "-",
        met: None,
    });

    println!();
    let width = rows.iter().map(|row| row.label.len()).max().unwrap_or(0);
    println!(
        "{:<width$}  {:>9}  {:>7}  {:<12}  {:>8}",
        "ratio (from medians; status judged on them)", "value", "target", "status", "from min"
    );
    let format =
        |value: Option<f64>| value.map_or("n/a".to_string(), |value| format!("{value:.2}x"));
    for row in rows {
        let status = match (row.met, row.target) {
            (_, "-") => "",
            (Some(true), _) => "met",
            (Some(false), _) => "not met",
            (None, _) => "not measured",
        };
        let by_min = if row.by_min.is_some() {
            format(row.by_min)
        } else {
            String::new()
        };
        let line = format!(
            "{:<width$}  {:>9}  {:>7}  {status:<12}  {by_min:>8}",
            row.label,
            format(row.value),
            row.target
        );
        println!("{}", line.trim_end());
    }
    match rss {
        Ok(rss) => println!(
            "peak RSS: {:.1} MB (of which {:.1} MB before reading), input {:.1} MB, child wall time {:.2} s",
            rss.peak_kb as f64 * 1024.0 / MB,
            rss.baseline_kb as f64 * 1024.0 / MB,
            input_bytes as f64 / MB,
            rss.seconds
        ),
        Err(error) => println!("peak RSS: not measured: {error}"),
    }
    let busy_at_end = busy_cores();
    println!(
        "load:    {} at end; {}",
        load_average(),
        describe_busy(busy_at_end, threads)
    );
    let busiest = busy_at_start.unwrap_or(0.0).max(busy_at_end.unwrap_or(0.0));
    if busiest >= 0.5 {
        println!(
            "warning: other processes used up to {busiest:.1} of the {threads} cores: every figure is \
             slowed and a parallel speedup cannot show; rerun on a quiet machine"
        );
    }
    println!(
        "grep baseline: LC_ALL=C (byte semantics, grep's fastest mode, so the stricter comparison)"
    );
}
