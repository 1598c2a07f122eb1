//! The functions behind Julia's `record_traces`, `record_test_traces` and `trace_coverage`, called
//! the way `src/ffi.jl` calls them: `ct_open` with the `modules` keep-list, `ct_write_statements`
//! (the clean trace, written atomically) and `ct_totals`.

use std::fs;
use std::path::Path;
use std::ptr;

use compile_traces::*;

#[derive(Debug)]
struct AbiError {
    status: i32,
    message: String,
}

fn check(status: i32, err: *mut CtError) -> Result<(), AbiError> {
    if status == CT_OK {
        assert!(err.is_null(), "success must not allocate an error");
        return Ok(());
    }
    assert!(!err.is_null(), "status {status} without an error handle");
    assert_eq!(ct_error_status(err), status);
    let mut len = 0usize;
    let p = ct_error_message(err, &mut len);
    // SAFETY: the message is valid until the error is freed, just below.
    let message = String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec())
        .expect("error messages are UTF-8");
    ct_error_free(err);
    Err(AbiError { status, message })
}

/// A handle freed on drop.
struct Handle(*mut CtTrace);

impl Drop for Handle {
    fn drop(&mut self) {
        ct_free(self.0);
    }
}

/// What `record_traces` passes: `exclude_modules`, closures, minimum time, and the keep-list
/// (`None` = no restriction).
struct Filters<'a> {
    exclude_modules: &'a str,
    exclude_closures: bool,
    min_time_ms: f64,
    modules: Option<&'a str>,
}

const NO_FILTERS: Filters<'static> = Filters {
    exclude_modules: "",
    exclude_closures: false,
    min_time_ms: 0.0,
    modules: None,
};

fn open_traces(paths: &[&Path], filters: &Filters<'_>) -> Result<Handle, AbiError> {
    let strings: Vec<String> = paths
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let ptrs: Vec<*const u8> = strings.iter().map(|s| s.as_ptr()).collect();
    let lens: Vec<usize> = strings.iter().map(|s| s.len()).collect();
    let modules = filters.modules.unwrap_or("");
    let mut handle: *mut CtTrace = ptr::null_mut();
    let mut err: *mut CtError = ptr::null_mut();
    let status = ct_open(
        ptrs.as_ptr(),
        lens.as_ptr(),
        paths.len(),
        1,
        filters.exclude_modules.as_ptr(),
        filters.exclude_modules.len(),
        filters.exclude_closures as u8,
        filters.min_time_ms,
        ptr::null(),
        0,
        ptr::null(),
        0,
        0,
        filters.modules.is_some() as u8,
        modules.as_ptr(),
        modules.len(),
        &mut handle,
        &mut err,
    );
    check(status, err)?;
    assert!(!handle.is_null());
    Ok(Handle(handle))
}

/// `open_traces` without a keep-list (what `read_traces` in src/ffi.jl asks for).
fn open_unrestricted(paths: &[&Path], filters: &Filters<'_>) -> Handle {
    assert!(filters.modules.is_none(), "no keep-list here");
    open_traces(paths, filters).unwrap()
}

/// statements, duplicates, excluded, ignored, malformed, unsupported, items.
fn counts(h: &Handle) -> [u64; 7] {
    let mut c = [0u64; 7];
    let mut err = ptr::null_mut();
    let [a, b, d, e, f, g, i] = &mut c;
    check(ct_counts(h.0, a, b, d, e, f, g, i, &mut err), err).unwrap();
    c
}

fn texts(h: &Handle) -> Vec<String> {
    (0..counts(h)[6] as usize)
        .map(|i| {
            let (mut p, mut len, mut err) = (ptr::null(), 0usize, ptr::null_mut());
            check(ct_item_text(h.0, i, &mut p, &mut len, &mut err), err).unwrap();
            // SAFETY: valid until the handle is freed; copied at once.
            String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap()
        })
        .collect()
}

/// `ct_write_statements` as `record_traces` calls it: guarded (not forced).
fn write(h: &Handle, path: &str, keep_timing: bool) -> Result<u64, AbiError> {
    write_with(h, path, keep_timing, false)
}

fn write_with(h: &Handle, path: &str, keep_timing: bool, force: bool) -> Result<u64, AbiError> {
    write_full(h, path, "", keep_timing, force)
}

fn write_full(
    h: &Handle,
    path: &str,
    header: &str,
    keep_timing: bool,
    force: bool,
) -> Result<u64, AbiError> {
    let (mut written, mut err) = (u64::MAX, ptr::null_mut());
    let status = ct_write_statements(
        h.0,
        path.as_ptr(),
        path.len(),
        header.as_ptr(),
        header.len(),
        keep_timing as u8,
        force as u8,
        &mut written,
        &mut err,
    );
    check(status, err)?;
    Ok(written)
}

/// lines, bytes, timed statements, total ms.
fn totals(h: &Handle) -> (u64, u64, u64, f64) {
    let (mut lines, mut bytes, mut timed, mut total, mut err) =
        (9, 9, 9, f64::NAN, ptr::null_mut());
    check(
        ct_totals(
            h.0, &mut lines, &mut bytes, &mut timed, &mut total, &mut err,
        ),
        err,
    )
    .unwrap();
    (lines, bytes, timed, total)
}

/// A raw `--trace-compile` recording of a package's test suite, with what a real one holds:
/// the package, Base, Test, Main, a closure, a repeat, timings, a malformed line.
const RAW: &str = "\
#=   12.5 ms =# precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})
#=    0.5 ms =# precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})
#=    3.0 ms =# precompile(Tuple{typeof(Base.show), Base.IOStream, TracedPkg.Point}) # recompile
#=    1.0 ms =# precompile(Tuple{typeof(Test.do_test), Test.Returned, Expr})
#=    2.0 ms =# precompile(Tuple{typeof(Main.helper), TracedPkg.Point})
#=    4.0 ms =# precompile(Tuple{TracedPkg.var\"#3#4\"{Int64}, Int64})
#=   12.5 ms =# precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})
precompile(Tuple{typeof(TracedPkg.scaled), TracedPkg.Point
";

fn raw_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("raw.jl");
    fs::write(&path, RAW).unwrap();
    path
}

#[test]
fn the_keep_list_keeps_statements_naming_a_listed_module() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let filters = Filters {
        exclude_modules: "Main",
        modules: Some("TracedPkg"),
        ..NO_FILTERS
    };
    let h = open_traces(&[&raw], &filters).unwrap();
    // Kept: norm2, show, the closure; the repeat is a duplicate; sum, Test and Main are
    // excluded; the malformed line is reported as an item.
    assert_eq!(counts(&h), [3, 1, 3, 0, 1, 0, 4]);
    assert_eq!(
        texts(&h)[..3],
        [
            "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})",
            "precompile(Tuple{typeof(Base.show), Base.IOStream, TracedPkg.Point})",
            "precompile(Tuple{TracedPkg.var\"#3#4\"{Int64}, Int64})",
        ]
    );
    // Several names, with the spacing and blank lines ffi.jl never sends but a C caller might.
    let h = open_traces(
        &[&raw],
        &Filters {
            modules: Some(" Test \n\nTracedPkg\n"),
            ..NO_FILTERS
        },
    )
    .unwrap();
    assert_eq!(counts(&h)[..3], [5, 1, 1]);
    // With closures and a minimum time on top (what record_traces passes for `closures = :skip`,
    // `min_time = 2.5`).
    let h = open_traces(
        &[&raw],
        &Filters {
            exclude_modules: "Main",
            exclude_closures: true,
            min_time_ms: 2.5,
            modules: Some("TracedPkg"),
        },
    )
    .unwrap();
    assert_eq!(counts(&h)[..3], [2, 1, 4]);
}

#[test]
fn an_empty_keep_list_keeps_nothing_and_no_restriction_ignores_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let nothing = open_traces(
        &[&raw],
        &Filters {
            modules: Some(""),
            ..NO_FILTERS
        },
    )
    .unwrap();
    assert_eq!(counts(&nothing)[..3], [0, 0, 7]);
    // restrict_modules = 0: the module text is ignored, whatever it holds.
    let strings = [raw.to_str().unwrap()];
    let ptrs = [strings[0].as_ptr()];
    let lens = [strings[0].len()];
    let ignored = "NotAModule";
    let (mut handle, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = ct_open(
        ptrs.as_ptr(),
        lens.as_ptr(),
        1,
        1,
        ptr::null(),
        0,
        0,
        0.0,
        ptr::null(),
        0,
        ptr::null(),
        0,
        0,
        0,
        ignored.as_ptr(),
        ignored.len(),
        &mut handle,
        &mut err,
    );
    check(status, err).unwrap();
    let unrestricted = Handle(handle);
    let plain = open_unrestricted(&[&raw], &NO_FILTERS);
    assert_eq!(counts(&unrestricted), counts(&plain));
    assert_eq!(texts(&unrestricted), texts(&plain));
    assert_eq!(counts(&plain)[..3], [6, 1, 0]);
}

#[test]
fn the_keep_list_reports_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.jl");
    let error = open_traces(&[&missing], &NO_FILTERS).err().unwrap();
    assert_eq!(error.status, CT_ERR_IO);
    assert!(error.message.contains("missing.jl"), "{}", error.message);

    let bad = [0xffu8, 0xfe];
    let (mut handle, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = ct_open(
        ptr::null(),
        ptr::null(),
        0,
        1,
        ptr::null(),
        0,
        0,
        0.0,
        ptr::null(),
        0,
        ptr::null(),
        0,
        0,
        1,
        bad.as_ptr(),
        bad.len(),
        &mut handle,
        &mut err,
    );
    let error = check(status, err).err().unwrap();
    assert_eq!(error.status, CT_ERR_INVALID_ARGUMENT);
    assert!(
        error.message.starts_with("modules is not valid UTF-8"),
        "{}",
        error.message
    );
    assert!(handle.is_null());

    let status = ct_open(
        ptr::null(),
        ptr::null(),
        2,
        1,
        ptr::null(),
        0,
        0,
        0.0,
        ptr::null(),
        0,
        ptr::null(),
        0,
        0,
        0,
        ptr::null(),
        0,
        &mut handle,
        &mut err,
    );
    let error = check(status, err).err().unwrap();
    assert_eq!(error.status, CT_ERR_INVALID_ARGUMENT);
    assert_eq!(error.message, "ct_open: null path array for 2 paths");
}

#[test]
fn kept_statements_are_written_normalized_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let filters = Filters {
        exclude_modules: "Main",
        modules: Some("TracedPkg"),
        ..NO_FILTERS
    };
    let h = open_traces(&[&raw], &filters).unwrap();
    let out = dir.path().join("clean.jl");
    assert_eq!(write(&h, out.to_str().unwrap(), false).unwrap(), 3);
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})\n\
         precompile(Tuple{typeof(Base.show), Base.IOStream, TracedPkg.Point})\n\
         precompile(Tuple{TracedPkg.var\"#3#4\"{Int64}, Int64})\n"
    );
    // With timings, as Julia 1.12 writes them, so that `min_time` still works on the file.
    assert_eq!(write(&h, out.to_str().unwrap(), true).unwrap(), 3);
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "#=   12.5 ms =# precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})\n\
         #=    3.0 ms =# precompile(Tuple{typeof(Base.show), Base.IOStream, TracedPkg.Point}) # recompile\n\
         #=    4.0 ms =# precompile(Tuple{TracedPkg.var\"#3#4\"{Int64}, Int64})\n"
    );
    // What was written reads back as the same statements.
    let again = open_traces(&[&out], &NO_FILTERS).unwrap();
    assert_eq!(texts(&again), texts(&h)[..3]);
    assert_eq!(counts(&again)[..6], [3, 0, 0, 0, 0, 0]);
    // An empty result is an empty file, not an error.
    let none = open_traces(
        &[&raw],
        &Filters {
            modules: Some(""),
            ..NO_FILTERS
        },
    )
    .unwrap();
    // Replacing a trace with nothing is refused, and the file is left as it was...
    let before = fs::read_to_string(&out).unwrap();
    let error = write(&none, out.to_str().unwrap(), false).unwrap_err();
    assert_eq!(error.status, CT_ERR_REFUSED);
    assert!(
        error.message.starts_with(&format!(
            "refusing to replace `{}`: the new recording kept no statement, and the file holds 3",
            out.display()
        )),
        "{}",
        error.message
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), before);
    // ...unless forced; and a new file may be empty.
    assert_eq!(
        write_with(&none, out.to_str().unwrap(), false, true).unwrap(),
        0
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "");
    let fresh = dir.path().join("fresh.jl");
    assert_eq!(write(&none, fresh.to_str().unwrap(), false).unwrap(), 0);
    fs::remove_file(&fresh).unwrap();
    // Only the inputs and the output are left: no temporary file.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["clean.jl", "raw.jl"]);
}

#[test]
fn the_output_may_replace_the_file_that_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let h = open_traces(
        &[&raw],
        &Filters {
            exclude_modules: "Main",
            ..NO_FILTERS
        },
    )
    .unwrap();
    // The raw recording has lines that are not statements: not a trace to keep, so only a
    // forced write replaces it.
    let error = write(&h, raw.to_str().unwrap(), false).unwrap_err();
    assert_eq!(error.status, CT_ERR_REFUSED);
    assert!(
        error.message.contains("it is not a trace file"),
        "{}",
        error.message
    );
    assert_eq!(
        write_with(&h, raw.to_str().unwrap(), false, true).unwrap(),
        5
    );
    let text = fs::read_to_string(&raw).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(!text.contains("Main."));
    assert!(!text.contains("#="));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_unwritable_output_is_an_io_error_that_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let h = open_traces(&[&raw], &NO_FILTERS).unwrap();
    let missing_dir = dir.path().join("no_such_dir").join("out.jl");
    let error = write(&h, missing_dir.to_str().unwrap(), false)
        .err()
        .unwrap();
    assert_eq!(error.status, CT_ERR_IO);
    assert!(
        error
            .message
            .starts_with(&format!("cannot write `{}`: ", missing_dir.display())),
        "{}",
        error.message
    );
    // A directory cannot be replaced by a file: the rename fails, the directory stays.
    let a_dir = dir.path().join("a_dir");
    fs::create_dir(&a_dir).unwrap();
    fs::write(a_dir.join("inside.txt"), "kept").unwrap();
    let error = write(&h, a_dir.to_str().unwrap(), false).err().unwrap();
    assert_eq!(error.status, CT_ERR_IO);
    assert!(error.message.contains("a_dir"), "{}", error.message);
    assert_eq!(
        fs::read_to_string(a_dir.join("inside.txt")).unwrap(),
        "kept"
    );
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a_dir", "raw.jl"], "no temporary file is left");
}

#[test]
fn ct_write_statements_checks_its_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let h = open_traces(&[&raw], &NO_FILTERS).unwrap();
    let error = write(&h, "", false).err().unwrap();
    assert_eq!(
        (error.status, error.message.as_str()),
        (CT_ERR_INVALID_ARGUMENT, "the output path is empty")
    );
    let error = write(&h, "a\0b.jl", false).err().unwrap();
    assert_eq!(error.status, CT_ERR_INVALID_ARGUMENT);
    assert!(error.message.contains("NUL"), "{}", error.message);
    let path = dir.path().join("out.jl");
    let path = path.to_str().unwrap();
    let mut err = ptr::null_mut();
    let status = ct_write_statements(
        ptr::null(),
        path.as_ptr(),
        path.len(),
        ptr::null(),
        0,
        0,
        0,
        &mut 0,
        &mut err,
    );
    assert_eq!(
        check(status, err).err().unwrap().status,
        CT_ERR_INVALID_ARGUMENT
    );
    let status = ct_write_statements(
        h.0,
        path.as_ptr(),
        path.len(),
        ptr::null(),
        0,
        0,
        0,
        ptr::null_mut(),
        &mut err,
    );
    assert_eq!(
        check(status, err).err().unwrap().status,
        CT_ERR_INVALID_ARGUMENT
    );
    let error = write_full(&h, path, "# fine\nnot a comment", false, false).unwrap_err();
    assert_eq!(error.status, CT_ERR_INVALID_ARGUMENT);
    assert!(
        error.message.contains("\"not a comment\""),
        "{}",
        error.message
    );
    assert!(
        !Path::new(path).exists(),
        "nothing is written on a bad call"
    );
    // A header of comments comes first, and the file still reads as the same statements.
    let header = "# Recorded by Julia 1.10.8 (x86_64-linux-gnu) from workload.jl\n";
    let written = write_full(&h, path, header, false, false).unwrap();
    let text = fs::read_to_string(path).unwrap();
    assert!(text.starts_with(header), "{text}");
    assert_eq!(text.lines().count() as u64, written + 1);
}

#[test]
fn totals_count_input_lines_and_the_recorded_time_of_kept_statements() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_file(dir.path());
    let all = open_traces(&[&raw], &NO_FILTERS).unwrap();
    // 8 lines; kept: 6 timed statements (the repeat is not counted twice).
    assert_eq!(
        totals(&all),
        (8, RAW.len() as u64, 6, 12.5 + 0.5 + 3.0 + 1.0 + 2.0 + 4.0)
    );
    let package = open_traces(
        &[&raw],
        &Filters {
            modules: Some("TracedPkg"),
            exclude_modules: "Main",
            ..NO_FILTERS
        },
    )
    .unwrap();
    assert_eq!(totals(&package), (8, RAW.len() as u64, 3, 12.5 + 3.0 + 4.0));
    let untimed = dir.path().join("untimed.jl");
    let sum = "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})"; // no final newline
    fs::write(&untimed, sum).unwrap();
    let h = open_traces(&[&untimed], &NO_FILTERS).unwrap();
    assert_eq!(totals(&h), (1, sum.len() as u64, 0, 0.0));
    let mut err = ptr::null_mut();
    let status = ct_totals(ptr::null(), &mut 0, &mut 0, &mut 0, &mut 0.0, &mut err);
    assert_eq!(
        check(status, err).err().unwrap().status,
        CT_ERR_INVALID_ARGUMENT
    );
}

/// frames, selected, replaced, covered.
fn inference_counts(h: &Handle) -> [u64; 4] {
    let mut c = [9u64; 4];
    let mut err = ptr::null_mut();
    let [a, b, d, e] = &mut c;
    check(ct_inference_counts(h.0, a, b, d, e, &mut err), err).unwrap();
    c
}

#[test]
fn an_inference_tree_is_read_as_its_outermost_frames_that_the_filters_keep() {
    // What the Julia recorder writes for `function workload() ... end; workload()`: the one
    // statement `--trace-compile` has names Main; the package's entry points are its callees.
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("inference.jl");
    fs::write(
        &tree,
        "# compile-traces inference tree 1\n\
         #= 90.0 ms =# precompile(Tuple{typeof(Main.workload)})\n\
         \x20#= 60.0 ms =# precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})\n\
         \x20 #= 20.0 ms =# precompile(Tuple{typeof(Base.literal_pow), typeof(Base.:(^)), Float64, Base.Val{2}})\n\
         \x20#= 10.0 ms =# precompile(Tuple{typeof(Base.show), Base.IOStream, Main.Stay})\n\
         \x20 #= 5.0 ms =# precompile(Tuple{typeof(Base.print), Base.IOStream, Float64})\n\
         \x20#= 1.0 ms =# precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})\n",
    )
    .unwrap();
    let trace_compile = dir.path().join("trace.jl");
    fs::write(
        &trace_compile,
        "precompile(Tuple{typeof(Main.workload)})\n\
         precompile(Tuple{typeof(Base.print), Base.IOStream, Float64})\n",
    )
    .unwrap();
    let filters = Filters {
        exclude_modules: "Main",
        ..NO_FILTERS
    };
    let h = open_traces(&[&trace_compile, &tree], &filters).unwrap();
    assert_eq!(
        texts(&h),
        [
            "precompile(Tuple{typeof(Base.print), Base.IOStream, Float64})",
            "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})",
        ]
    );
    // The trace's Main.workload is excluded; the tree's Base.print and second TracedPkg.norm2
    // are copies of kept statements. The tree's frames that name Main (replaced by their
    // callees) and the one under TracedPkg.norm2 (covered) are counted apart.
    assert_eq!(counts(&h)[..3], [2, 2, 1]);
    assert_eq!(inference_counts(&h), [6, 3, 2, 1]);
    // The frames keep their inclusive inference time, so `min_time` applies to them.
    let (_, _, timed, total) = totals(&h);
    assert_eq!((timed, total), (1, 60.0));
    // A plain trace has no tree.
    let plain = open_traces(&[&trace_compile], &filters).unwrap();
    assert_eq!(inference_counts(&plain), [0, 0, 0, 0]);
}

fn check_replacement(path: &Path, new_count: i64) -> Result<(), AbiError> {
    let path = path.to_str().unwrap();
    let mut err = ptr::null_mut();
    let status = ct_check_replacement(path.as_ptr(), path.len(), new_count, &mut err);
    check(status, err)
}

#[test]
fn a_file_is_checked_before_a_recording_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    // A missing file may be written; an existing trace may be replaced by any count not yet
    // known, and by at least half as many statements.
    let trace = dir.path().join("trace.jl");
    check_replacement(&trace, 0).unwrap();
    fs::write(
        &trace,
        "precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n\
         precompile(Tuple{typeof(Base.sum), Vector{Float64}})\n",
    )
    .unwrap();
    check_replacement(&trace, -1).unwrap();
    check_replacement(&trace, 1).unwrap();
    let error = check_replacement(&trace, 0).unwrap_err();
    assert_eq!(error.status, CT_ERR_REFUSED);
    assert!(
        error
            .message
            .contains("kept no statement, and the file holds 2"),
        "{}",
        error.message
    );
    // A script given as the output by mistake is not a trace.
    let script = dir.path().join("workload.jl");
    fs::write(&script, "x = sum([1, 2])\nprintln(x)\n").unwrap();
    let error = check_replacement(&script, -1).unwrap_err();
    assert_eq!(error.status, CT_ERR_REFUSED);
    assert!(
        error.message.starts_with(&format!(
            "refusing to replace `{}`: it is not a trace file",
            script.display()
        )),
        "{}",
        error.message
    );
    // A directory cannot be read as a file: an I/O error naming it.
    let error = check_replacement(dir.path(), -1).unwrap_err();
    assert_eq!(error.status, CT_ERR_IO);
    assert!(
        error.message.contains("is a directory"),
        "{}",
        error.message
    );
    // Bad arguments.
    let mut err = ptr::null_mut();
    let status = ct_check_replacement(ptr::null(), 3, 0, &mut err);
    assert_eq!(
        check(status, err).unwrap_err().status,
        CT_ERR_INVALID_ARGUMENT
    );
}
