//! The C ABI exercised the way `src/ffi.jl` calls it: `(pointer, length)` strings, out-parameters,
//! an error out-handle per call, every accessor, every error path, and freeing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::ptr;

mod common;

use compile_traces::*;

/// An error read back through the ABI (status and message), the error handle freed.
#[derive(Debug)]
struct AbiError {
    status: i32,
    message: String,
}

/// Reads and frees the error, and nulls the caller's slot as ffi.jl's `check_status` does.
fn take_error(status: i32, slot: &mut *mut CtError) -> AbiError {
    let err = std::mem::replace(slot, ptr::null_mut());
    assert!(!err.is_null(), "status {status} without an error handle");
    assert_eq!(ct_error_status(err), status);
    let mut len = 0usize;
    let p = ct_error_message(err, &mut len);
    // SAFETY: the message is valid until the error is freed.
    let message = String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec())
        .expect("error messages are UTF-8");
    ct_error_free(err);
    AbiError { status, message }
}

fn check(status: i32, mut err: *mut CtError) -> Result<(), AbiError> {
    if status == CT_OK {
        assert!(err.is_null(), "success must not allocate an error");
        Ok(())
    } else {
        Err(take_error(status, &mut err))
    }
}

/// The options of `ct_open`, as ffi.jl's `ReadOptions`.
#[derive(Clone)]
struct Opts {
    dedup: bool,
    exclude_modules: String,
    exclude_closures: bool,
    min_time_ms: f64,
    include: String,
    exclude: String,
    bound_varargs: u32,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            dedup: true,
            exclude_modules: String::new(),
            exclude_closures: false,
            min_time_ms: 0.0,
            include: String::new(),
            exclude: String::new(),
            bound_varargs: 0,
        }
    }
}

/// An open handle, freed on drop (ffi.jl frees it in a `finally`).
struct Handle(*mut CtTrace);

impl Drop for Handle {
    fn drop(&mut self) {
        ct_free(self.0);
    }
}

fn open_bytes(paths: &[&[u8]], o: &Opts) -> Result<Handle, AbiError> {
    let ptrs: Vec<*const u8> = paths.iter().map(|p| p.as_ptr()).collect();
    let lens: Vec<usize> = paths.iter().map(|p| p.len()).collect();
    let mut handle: *mut CtTrace = ptr::null_mut();
    let mut err: *mut CtError = ptr::null_mut();
    let status = ct_open(
        ptrs.as_ptr(),
        lens.as_ptr(),
        paths.len(),
        o.dedup as u8,
        o.exclude_modules.as_ptr(),
        o.exclude_modules.len(),
        o.exclude_closures as u8,
        o.min_time_ms,
        o.include.as_ptr(),
        o.include.len(),
        o.exclude.as_ptr(),
        o.exclude.len(),
        o.bound_varargs,
        0,
        ptr::null(),
        0,
        &mut handle,
        &mut err,
    );
    check(status, err)?;
    assert!(!handle.is_null());
    Ok(Handle(handle))
}

fn open(paths: &[&Path], o: &Opts) -> Result<Handle, AbiError> {
    let strings: Vec<String> = paths
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let bytes: Vec<&[u8]> = strings.iter().map(|s| s.as_bytes()).collect();
    open_bytes(&bytes, o)
}

#[derive(Debug, Default, PartialEq)]
struct Counts {
    statements: u64,
    duplicates: u64,
    excluded: u64,
    ignored: u64,
    malformed: u64,
    unsupported: u64,
    items: u64,
}

fn counts(h: &Handle) -> Counts {
    let mut c = Counts::default();
    let mut err = ptr::null_mut();
    let status = ct_counts(
        h.0,
        &mut c.statements,
        &mut c.duplicates,
        &mut c.excluded,
        &mut c.ignored,
        &mut c.malformed,
        &mut c.unsupported,
        &mut c.items,
        &mut err,
    );
    check(status, err).unwrap();
    c
}

/// One item as ffi.jl's `read_item` builds it.
#[derive(Debug)]
struct ItemData {
    kind: u32,
    source: u32,
    line: u32,
    end_line: u32,
    column: u32,
    flags: u32,
    timing_ms: f64,
    text: String,
    message: String,
    signature: String,
    args: Option<String>,
    roots: Vec<String>,
}

type StrFn =
    extern "C" fn(*const CtTrace, usize, *mut *const u8, *mut usize, *mut *mut CtError) -> i32;

fn string_of(f: StrFn, h: *const CtTrace, i: usize) -> Result<String, AbiError> {
    let (mut p, mut len, mut err) = (ptr::null(), 0usize, ptr::null_mut());
    check(f(h, i, &mut p, &mut len, &mut err), err)?;
    if len == 0 {
        return Ok(String::new());
    }
    // SAFETY: valid until the handle is freed; copied at once.
    Ok(String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap())
}

fn root_of(h: *const CtTrace, i: usize, j: usize) -> Result<String, AbiError> {
    let (mut p, mut len, mut err) = (ptr::null(), 0usize, ptr::null_mut());
    check(ct_item_root(h, i, j, &mut p, &mut len, &mut err), err)?;
    // SAFETY: as in `string_of`.
    Ok(String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap())
}

fn item(h: &Handle, i: usize) -> Result<ItemData, AbiError> {
    let (mut kind, mut source, mut line, mut end_line, mut column, mut flags) = (9, 9, 9, 9, 9, 9);
    let mut timing = 0.0;
    let mut err = ptr::null_mut();
    let status = ct_item(
        h.0,
        i,
        &mut kind,
        &mut source,
        &mut line,
        &mut end_line,
        &mut column,
        &mut flags,
        &mut timing,
        &mut err,
    );
    check(status, err)?;
    let text = string_of(ct_item_text, h.0, i)?;
    let message = string_of(ct_item_message, h.0, i)?;
    let (mut s0, mut s1, mut a0, mut a1) = (9, 9, 9, 9);
    check(
        ct_item_spans(h.0, i, &mut s0, &mut s1, &mut a0, &mut a1, &mut err),
        err,
    )?;
    let bytes = text.as_bytes();
    let slice = |a: u32, b: u32| String::from_utf8(bytes[a as usize..b as usize].to_vec()).unwrap();
    let mut n_roots = 99usize;
    check(ct_item_root_count(h.0, i, &mut n_roots, &mut err), err)?;
    let roots = (0..n_roots)
        .map(|j| root_of(h.0, i, j))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ItemData {
        kind,
        source,
        line,
        end_line,
        column,
        flags,
        timing_ms: timing,
        message,
        signature: slice(s0, s1),
        args: (flags & (1 << 6) != 0).then(|| slice(a0, a1)),
        roots,
        text,
    })
}

fn items(h: &Handle) -> Vec<ItemData> {
    (0..counts(h).items as usize)
        .map(|i| item(h, i).unwrap())
        .collect()
}

fn source_names(h: &Handle) -> Vec<String> {
    let (mut n, mut err) = (0usize, ptr::null_mut());
    check(ct_source_count(h.0, &mut n, &mut err), err).unwrap();
    (0..n)
        .map(|i| string_of(ct_source_name, h.0, i).unwrap())
        .collect()
}

fn write_file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text)
        .unwrap();
    path
}

const FLAG_MAIN: u32 = 1 << 0;
const FLAG_CLOSURE: u32 = 1 << 1;
const FLAG_BITS_VALUE: u32 = 1 << 4;
const FLAG_TWO_ARG: u32 = 1 << 6;
const FLAG_RECOMPILE: u32 = 1 << 7;
const FLAG_TIMED: u32 = 1 << 8;
const FLAG_VARARG_BOUNDED: u32 = 1 << 10;

const SUM: &str = "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})";

/// Lines of every kind, numbered as in the file.
fn sample() -> String {
    [
        "# a comment",                                                           // 1 ignored
        SUM,                                                                     // 2 statement
        "",                                                                      // 3 ignored
        "#=   39.1 ms =# precompile(Tuple{typeof(Test.f), Main.X}) # recompile", // 4 statement
        "precompile(Tuple{typeof(Base.sum)",                                     // 5 malformed
        "precompile(Tuple{typeof(run(`rm -rf /`))})",                            // 6 unsupported
        "precompile(Base.sum, (Array{Int64, 1},))", // 7 statement (two-arg)
        SUM,                                        // 8 duplicate
        "precompile(Tuple{Base.var\"#3#4\", Char(0x55000000)})", // 9 statement
    ]
    .join("\n")
        + "\n"
}

#[test]
fn abi_version_matches_the_julia_side() {
    assert_eq!(ct_abi_version(), CT_ABI_VERSION);
    let library_jl = include_str!("../../../src/library.jl");
    assert!(
        library_jl.contains(&format!("const ABI_VERSION = UInt32({CT_ABI_VERSION})")),
        "src/library.jl must expect ABI version {CT_ABI_VERSION}"
    );
}

#[test]
fn every_accessor_on_every_kind_of_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "trace.jl", sample().as_bytes());
    let h = open(&[&path], &Opts::default()).unwrap();
    assert_eq!(
        counts(&h),
        Counts {
            statements: 4,
            duplicates: 1,
            excluded: 0,
            ignored: 2,
            malformed: 1,
            unsupported: 1,
            items: 6,
        }
    );
    assert_eq!(source_names(&h), [path.to_str().unwrap()]);
    let all = items(&h);
    let lines: Vec<u32> = all.iter().map(|i| i.line).collect();
    assert_eq!(lines, [2, 4, 5, 6, 7, 9], "kept items in input order");
    for it in &all {
        assert_eq!(it.source, 0);
        assert_eq!(it.end_line, it.line);
    }

    let sum = &all[0];
    assert_eq!(sum.kind, CT_KIND_STATEMENT);
    assert_eq!(sum.text, SUM);
    assert_eq!(sum.signature, "Tuple{typeof(Base.sum), Array{Int64, 1}}");
    assert_eq!(sum.args, None);
    assert_eq!(sum.roots, ["Base"]);
    assert_eq!(sum.flags, 0);
    assert_eq!(sum.column, 0);
    assert!(sum.timing_ms.is_nan());
    assert_eq!(sum.message, "");

    let timed = &all[1];
    assert_eq!(timed.text, "precompile(Tuple{typeof(Test.f), Main.X})");
    assert_eq!(timed.signature, "Tuple{typeof(Test.f), Main.X}");
    assert_eq!(timed.roots, ["Test", "Main"]);
    assert_eq!(timed.timing_ms, 39.1);
    for flag in [FLAG_TIMED, FLAG_RECOMPILE, FLAG_MAIN] {
        assert_ne!(
            timed.flags & flag,
            0,
            "flags {:#x} lack {flag:#x}",
            timed.flags
        );
    }

    let malformed = &all[2];
    assert_eq!(malformed.kind, CT_KIND_MALFORMED);
    assert_eq!(malformed.text, "precompile(Tuple{typeof(Base.sum)");
    assert!(malformed.column >= 1, "a problem has a 1-based column");
    assert!(!malformed.message.is_empty());
    assert_eq!((malformed.flags, malformed.roots.len()), (0, 0));
    assert_eq!(malformed.signature, "");

    let unsupported = &all[3];
    assert_eq!(unsupported.kind, CT_KIND_UNSUPPORTED);
    assert_eq!(
        unsupported.text,
        "precompile(Tuple{typeof(run(`rm -rf /`))})"
    );
    assert!(!unsupported.message.is_empty());

    let two_arg = &all[4];
    assert_eq!(two_arg.kind, CT_KIND_STATEMENT);
    assert_ne!(two_arg.flags & FLAG_TWO_ARG, 0);
    assert_eq!(two_arg.signature, "Base.sum");
    assert_eq!(two_arg.args.as_deref(), Some("(Array{Int64, 1},)"));
    assert_eq!(two_arg.roots, ["Base"]);

    let closure = &all[5];
    assert_ne!(closure.flags & FLAG_CLOSURE, 0);
    assert_ne!(closure.flags & FLAG_BITS_VALUE, 0);
    assert_eq!(closure.roots, ["Base"]);
}

#[test]
fn options_reach_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "trace.jl", sample().as_bytes());
    let with = |o: Opts| counts(&open(&[&path], &o).unwrap());

    let no_dedup = with(Opts {
        dedup: false,
        ..Opts::default()
    });
    assert_eq!((no_dedup.statements, no_dedup.duplicates), (5, 0));

    // Newline-separated, spaces and empty lines ignored.
    let modules = with(Opts {
        exclude_modules: " Main \n\nOther".into(),
        ..Opts::default()
    });
    assert_eq!((modules.statements, modules.excluded), (3, 1));

    let closures = with(Opts {
        exclude_closures: true,
        ..Opts::default()
    });
    assert_eq!((closures.statements, closures.excluded), (3, 1));

    let slow = with(Opts {
        min_time_ms: 40.0,
        ..Opts::default()
    });
    assert_eq!((slow.statements, slow.excluded), (3, 1), "39.1 ms < 40 ms");
    for none in [0.0, -1.0, f64::NAN] {
        assert_eq!(
            with(Opts {
                min_time_ms: none,
                ..Opts::default()
            })
            .excluded,
            0,
            "min_time_ms = {none} means no minimum"
        );
    }

    let include = with(Opts {
        include: r"Test\.f".into(),
        ..Opts::default()
    });
    assert_eq!(include.statements, 1);
    let exclude = with(Opts {
        exclude: "Base".into(),
        ..Opts::default()
    });
    assert_eq!(exclude.statements, 1);
    // Problems are reported whatever the filters.
    assert_eq!((exclude.malformed, exclude.unsupported), (1, 1));
}

#[test]
fn bound_varargs_rewrites_unbounded_varargs() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "varargs.jl",
        b"precompile(Tuple{typeof(Base.println), Vararg{Int64}})\n",
    );
    let h = open(
        &[&path],
        &Opts {
            bound_varargs: 100,
            ..Opts::default()
        },
    )
    .unwrap();
    let it = item(&h, 0).unwrap();
    assert_ne!(it.flags & FLAG_VARARG_BOUNDED, 0);
    assert!(it.signature.contains("100"), "{}", it.signature);
    let plain = open(&[&path], &Opts::default()).unwrap();
    assert!(!item(&plain, 0).unwrap().signature.contains("100"));
}

#[test]
fn several_files_keep_their_order_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_file(dir.path(), "a.jl", format!("{SUM}\n").as_bytes());
    let b = write_file(
        dir.path(),
        "b.jl",
        format!("{SUM}\nprecompile(Tuple{{typeof(Base.prod), Array{{Int64, 1}}}})\n").as_bytes(),
    );
    let h = open(&[&a, &b], &Opts::default()).unwrap();
    assert_eq!(source_names(&h), [a.to_str().unwrap(), b.to_str().unwrap()]);
    let c = counts(&h);
    assert_eq!(
        (c.statements, c.duplicates),
        (2, 1),
        "duplicate across files"
    );
    let all = items(&h);
    assert_eq!((all[0].source, all[0].line), (0, 1));
    assert_eq!((all[1].source, all[1].line), (1, 2));
}

#[test]
fn no_files_is_an_empty_trace() {
    let h = open_bytes(&[], &Opts::default()).unwrap();
    assert_eq!(counts(&h), Counts::default());
    assert!(source_names(&h).is_empty());
    // Julia may pass a null array for an empty vector.
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
        0,
        ptr::null(),
        0,
        &mut handle,
        &mut err,
    );
    check(status, err).unwrap();
    ct_free(handle);
}

#[test]
fn unreadable_files_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_file(dir.path(), "good.jl", format!("{SUM}\n").as_bytes());
    let missing = dir.path().join("missing.jl");

    let e = open(&[&good, &missing], &Opts::default()).err().unwrap();
    assert_eq!(e.status, CT_ERR_IO);
    assert!(
        e.message.contains(missing.to_str().unwrap()),
        "{}",
        e.message
    );

    let e = open(&[dir.path()], &Opts::default()).err().unwrap();
    assert_eq!(e.status, CT_ERR_IO);
    assert!(
        e.message.contains(dir.path().to_str().unwrap()),
        "{}",
        e.message
    );
}

#[test]
fn invalid_arguments_are_errors_not_crashes() {
    let invalid_utf8: &[u8] = b"/tmp/trace\xff.jl";
    let e = open_bytes(&[invalid_utf8], &Opts::default()).err().unwrap();
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    assert!(e.message.contains("UTF-8"), "{}", e.message);

    let e = open_bytes(&[b""], &Opts::default()).err().unwrap();
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    let e = open_bytes(&[b"a\0b"], &Opts::default()).err().unwrap();
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);

    for (include, exclude) in [("(unclosed", ""), ("", "[z-a]")] {
        let e = open_bytes(
            &[],
            &Opts {
                include: include.into(),
                exclude: exclude.into(),
                ..Opts::default()
            },
        )
        .err()
        .unwrap();
        assert_eq!(e.status, CT_ERR_REGEX);
        // The regex crate's own explanation is passed on.
        assert!(e.message.contains("regex parse error"), "{}", e.message);
    }

    let call = |paths: *const *const u8,
                lens: *const usize,
                n: usize,
                modules: *const u8,
                modules_len: usize,
                out: *mut *mut CtTrace| {
        let mut err = ptr::null_mut();
        let status = ct_open(
            paths,
            lens,
            n,
            1,
            modules,
            modules_len,
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
            out,
            &mut err,
        );
        take_error(status, &mut err)
    };
    let mut handle = ptr::null_mut();
    let lens = [3usize];
    // Null path array with paths announced.
    let e = call(ptr::null(), lens.as_ptr(), 1, ptr::null(), 0, &mut handle);
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    // Null path with a non-zero length.
    let null_path = [ptr::null::<u8>()];
    let e = call(
        null_path.as_ptr(),
        lens.as_ptr(),
        1,
        ptr::null(),
        0,
        &mut handle,
    );
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    // Null string with a non-zero length.
    let e = call(ptr::null(), ptr::null(), 0, ptr::null(), 4, &mut handle);
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    assert!(e.message.contains("exclude_modules"), "{}", e.message);
    // Null out-handle.
    let e = call(ptr::null(), ptr::null(), 0, ptr::null(), 0, ptr::null_mut());
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    assert!(handle.is_null(), "nothing is returned on failure");

    // A null error out-parameter only loses the message.
    let status = ct_open(
        ptr::null(),
        ptr::null(),
        0,
        1,
        ptr::null(),
        7,
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
        ptr::null_mut(),
    );
    assert_eq!(status, CT_ERR_INVALID_ARGUMENT);
}

#[test]
fn accessors_check_handles_indices_and_out_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "trace.jl", sample().as_bytes());
    let h = open(&[&path], &Opts::default()).unwrap();
    let n = counts(&h).items as usize;

    let e = item(&h, n).err().unwrap();
    assert_eq!(e.status, CT_ERR_INDEX);
    assert!(e.message.contains(&n.to_string()), "{}", e.message);
    assert_eq!(
        string_of(ct_item_text, h.0, n).err().unwrap().status,
        CT_ERR_INDEX
    );
    assert_eq!(
        string_of(ct_source_name, h.0, 1).err().unwrap().status,
        CT_ERR_INDEX
    );
    assert_eq!(root_of(h.0, 0, 1).err().unwrap().status, CT_ERR_INDEX);
    assert_eq!(
        root_of(h.0, 2, 0).err().unwrap().status,
        CT_ERR_INDEX,
        "problems have no roots"
    );
    assert_eq!(
        root_of(h.0, usize::MAX, 0).err().unwrap().status,
        CT_ERR_INDEX
    );

    // Null handle.
    let e = string_of(ct_item_text, ptr::null(), 0).err().unwrap();
    assert_eq!(e.status, CT_ERR_INVALID_ARGUMENT);
    let mut err = ptr::null_mut();
    let mut value = 0u64;
    let status = ct_counts(
        ptr::null(),
        &mut value,
        &mut value,
        &mut value,
        &mut value,
        &mut value,
        &mut value,
        &mut value,
        &mut err,
    );
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);

    // Null out-parameters.
    let mut len = 0usize;
    let status = ct_item_text(h.0, 0, ptr::null_mut(), &mut len, &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let mut x = 0u32;
    let status = ct_item(
        h.0,
        0,
        &mut x,
        &mut x,
        &mut x,
        &mut x,
        &mut x,
        ptr::null_mut(),
        ptr::null_mut(),
        &mut err,
    );
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let status = ct_source_count(h.0, ptr::null_mut(), &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let status = ct_item_root_count(h.0, 0, ptr::null_mut(), &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let status = ct_item_spans(h.0, 0, ptr::null_mut(), &mut x, &mut x, &mut x, &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
}

#[test]
fn freeing_null_is_a_no_op_and_null_errors_have_a_message() {
    ct_free(ptr::null_mut());
    ct_error_free(ptr::null_mut());
    assert_eq!(ct_error_status(ptr::null()), CT_ERR_INVALID_ARGUMENT);
    let mut len = 0usize;
    let p = ct_error_message(ptr::null(), &mut len);
    assert!(!p.is_null() && len > 0);
    // A null length pointer is tolerated.
    assert!(!ct_error_message(ptr::null(), ptr::null_mut()).is_null());
}

#[test]
fn resolve_overrides_rejects_bad_module_names() {
    let mut bits = 0u32;
    let mut err = ptr::null_mut();
    let name = b"Bad\xff";
    let status = ct_resolve_overrides(name.as_ptr(), name.len(), 0, 0, &mut bits, &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let status = ct_resolve_overrides(ptr::null(), 3, 0, 0, &mut bits, &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    let status = ct_resolve_overrides(b"M".as_ptr(), 1, 1, 0, ptr::null_mut(), &mut err);
    assert_eq!(take_error(status, &mut err).status, CT_ERR_INVALID_ARGUMENT);
    // Requested options come back whatever the environment (overrides only turn options on).
    let status = ct_resolve_overrides(b"M".as_ptr(), 1, 1, 1, &mut bits, &mut err);
    check(status, err).unwrap();
    assert_eq!(bits, CT_OVERRIDE_VERBOSE | CT_OVERRIDE_WARN);
}

/// Every corpus file through the ABI at once, every item read through every accessor.
#[test]
fn corpus_through_the_abi() {
    let Some(paths) = common::corpus_files() else {
        return;
    };
    assert!(!paths.is_empty(), "corpus directory without .jl files");
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let h = open(&refs, &Opts::default()).unwrap();
    let c = counts(&h);
    assert_eq!(c.items, c.statements + c.malformed + c.unsupported);
    assert!(c.statements > 1000, "{c:?}");
    assert_eq!(source_names(&h).len(), paths.len());
    let mut previous = (0, 0);
    for it in items(&h) {
        assert!((it.source, it.line) > previous, "items out of order");
        previous = (it.source, it.line);
        assert!(it.end_line >= it.line);
        match it.kind {
            CT_KIND_STATEMENT => {
                assert!(it.text.contains("precompile("), "{}", it.text);
                assert!(!it.signature.is_empty(), "{}", it.text);
                assert!(it.text.contains(&it.signature));
                for root in &it.roots {
                    assert!(it.text.contains(root.as_str()), "{root} not in {}", it.text);
                }
            }
            CT_KIND_MALFORMED | CT_KIND_UNSUPPORTED => {
                assert!(!it.message.is_empty());
                assert!(it.column >= 1);
            }
            other => panic!("unknown kind {other}"),
        }
    }
}
