//! The C ABI that CompileTraces.jl calls with `@ccall`: reads and classifies trace files with
//! `compile_traces_core` and hands the statements to Julia, which evaluates them.
//!
//! # Conventions (every function below follows them)
//!
//! - Every exported symbol starts with `ct_`. Every body runs under [`std::panic::catch_unwind`]:
//!   a panic becomes [`CT_ERR_PANIC`] with a message, it never unwinds into Julia.
//! - Strings go in as a `(pointer, length)` pair of UTF-8 bytes, no NUL terminator. A null pointer
//!   is accepted only with length 0 (an empty string); invalid UTF-8 is an error.
//! - Strings come out as a pointer (return value or out-parameter) and a length written to an
//!   out-parameter. They stay valid until the handle they came from is freed; the caller copies
//!   them (`unsafe_string(ptr, len)` in Julia).
//! - Fallible functions return an `i32` status ([`CT_OK`] or one of the `CT_ERR_*` codes) and take
//!   a last parameter `out_error: *mut *mut CtError`. On failure, when `out_error` is not null, a
//!   new error is stored there: read it with [`ct_error_message`], free it with
//!   [`ct_error_free`]. On success `*out_error` is left untouched. Errors are values, not
//!   thread-local state, so a Julia task that migrates between threads cannot read another
//!   task's error.
//! - Opaque handles ([`CtTrace`], [`CtError`]) are `Box`es turned into raw pointers; the caller
//!   frees each exactly once ([`ct_free`], [`ct_error_free`]). Freeing null is a no-op; using a
//!   freed handle is undefined behaviour (as in C).
//! - Booleans are `u8` (0 = false, anything else = true), so that no caller can pass an invalid
//!   Rust `bool`.
//!
//! The Julia wrapper (`src/ffi.jl`) is checked against these signatures by
//! `tests/julia_sources.rs`.

// The exported functions take raw pointers from C callers (Julia), for whom `unsafe fn` means
// nothing: their pointer contract is documented above and on each function, and every pointer is
// checked for null before use.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use compile_traces_core::inference::{self, Selection};
use compile_traces_core::item::{Item, ItemKind, ProblemKind};
use compile_traces_core::overrides::{self, Effective};
use compile_traces_core::pipeline::{self, Summary, Verdict};
use compile_traces_core::replace::{self, Refusal};
use compile_traces_core::syntax::encode::{self, Encoded};
use compile_traces_core::{output, source, Options};
use regex::Regex;

/// Version of this ABI. Bumped on any incompatible change; the Julia side refuses a library
/// whose version differs from the one it was written for. Version 2 added [`ct_item_tree`];
/// version 3 reads inference trees ([`ct_inference_counts`]) and guards replaced files
/// ([`ct_check_replacement`], the `force` argument of [`ct_write_statements`]).
pub const CT_ABI_VERSION: u32 = 3;

/// Success.
pub const CT_OK: i32 = 0;
/// A trace file could not be read (missing, a directory, unreadable). The message names it.
pub const CT_ERR_IO: i32 = 1;
/// A null pointer where a value was required, or bytes that are not UTF-8.
pub const CT_ERR_INVALID_ARGUMENT: i32 = 2;
/// An include/exclude pattern is not a valid regular expression.
pub const CT_ERR_REGEX: i32 = 3;
/// An item, root or source index past the end.
pub const CT_ERR_INDEX: i32 = 4;
/// A bug: the library panicked. The message carries the panic's text.
pub const CT_ERR_PANIC: i32 = 5;
/// A file was not replaced, to keep what it holds: it is not a trace, or the new recording
/// keeps far less (see `compile_traces_core::replace`). The message says which.
pub const CT_ERR_REFUSED: i32 = 6;

/// Item kinds returned by [`ct_item`].
pub const CT_KIND_STATEMENT: u32 = 0;
pub const CT_KIND_MALFORMED: u32 = 1;
pub const CT_KIND_UNSUPPORTED: u32 = 2;

/// Which tree [`ct_item_tree`] returns: the signature (the first argument of `precompile`), or
/// the argument tuple of the two-argument form.
pub const CT_TREE_SIGNATURE: u32 = 0;
pub const CT_TREE_ARGS: u32 = 1;

/// Bits returned by [`ct_resolve_overrides`].
pub const CT_OVERRIDE_VERBOSE: u32 = 1;
pub const CT_OVERRIDE_WARN: u32 = 2;

/// An error: a status code and a message. Opaque to C.
pub struct CtError {
    status: i32,
    message: String,
}

/// What Julia needs from a set of trace files: the kept statements and the problems (malformed,
/// unsupported), in input order, plus the counts. Opaque to C.
pub struct CtTrace {
    source_names: Vec<String>,
    /// Kept statements and problems only: ignored lines, duplicates and excluded statements are
    /// counted in `summary`, never evaluated, so they are not kept.
    items: Vec<Item<'static>>,
    /// For each item: the encoded signature and argument tuple (empty for problems and for a
    /// one-argument statement's missing tuple).
    trees: Vec<[Encoded; 2]>,
    summary: Summary,
    /// What was selected from the inference trees among the sources (all zero when none).
    inference: Selection,
}

type Failure = (i32, String);

fn fail<T>(status: i32, message: impl Into<String>) -> Result<T, Failure> {
    Err((status, message.into()))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string());
    format!("internal error in the compile_traces library (please report it): {text}")
}

/// Runs `body` with panics caught, stores an error in `out_error` on failure.
fn guard(out_error: *mut *mut CtError, body: impl FnOnce() -> Result<(), Failure>) -> i32 {
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return CT_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => (CT_ERR_PANIC, panic_message(payload.as_ref())),
    };
    if !out_error.is_null() {
        let error = Box::new(CtError { status, message });
        // SAFETY: the caller passes either null (checked) or a writable pointer slot.
        unsafe { *out_error = Box::into_raw(error) };
    }
    status
}

/// Borrows a `(pointer, length)` string argument. Null is accepted only with length 0.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that outlive `'a`.
unsafe fn str_arg<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        if len == 0 {
            return Ok("");
        }
        return fail(
            CT_ERR_INVALID_ARGUMENT,
            format!("{what}: null pointer with length {len}"),
        );
    }
    let bytes = std::slice::from_raw_parts(ptr, len);
    std::str::from_utf8(bytes).map_err(|error| {
        (
            CT_ERR_INVALID_ARGUMENT,
            format!(
                "{what} is not valid UTF-8 ({error}): {:?}",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: non-null out-parameters point to writable memory of the right type (contract).
    unsafe { ptr.as_mut() }.ok_or_else(|| {
        (
            CT_ERR_INVALID_ARGUMENT,
            format!("{what}: null out-parameter"),
        )
    })
}

fn trace<'a>(handle: *const CtTrace) -> Result<&'a CtTrace, Failure> {
    // SAFETY: a non-null handle came from `ct_open` and was not freed (contract).
    unsafe { handle.as_ref() }
        .ok_or_else(|| (CT_ERR_INVALID_ARGUMENT, "null trace handle".to_string()))
}

fn item<'a>(handle: *const CtTrace, index: usize) -> Result<&'a Item<'static>, Failure> {
    let trace = trace(handle)?;
    trace.items.get(index).ok_or_else(|| {
        (
            CT_ERR_INDEX,
            format!(
                "item index {index} out of range (the trace has {} items)",
                trace.items.len()
            ),
        )
    })
}

fn write_str(text: &str, out_ptr: *mut *const u8, out_len: *mut usize) -> Result<(), Failure> {
    let ptr = out(out_ptr, "string pointer")?;
    let len = out(out_len, "string length")?;
    *ptr = text.as_ptr();
    *len = text.len();
    Ok(())
}

/// The ABI version, [`CT_ABI_VERSION`]. Cannot fail.
#[no_mangle]
pub extern "C" fn ct_abi_version() -> u32 {
    CT_ABI_VERSION
}

/// Reads every trace file, then classifies and filters their lines.
///
/// - `paths`/`path_lens`/`n_paths`: the file paths (UTF-8, no NUL), in order. Every file is read
///   before anything is parsed: the first one, in order, that cannot be read fails the call with
///   [`CT_ERR_IO`] and a message naming it.
/// - `dedup`: drop a statement already seen (first occurrence wins).
/// - `exclude_modules`: root module names separated by newlines (`"Main\nTest"`); spaces around
///   names and empty lines are ignored. Statements needing one of them are dropped.
/// - `exclude_closures`: drop statements that contain a closure or gensym name.
/// - `min_time_ms`: drop timed statements recorded faster than this; `<= 0` or NaN means no
///   minimum. Untimed statements are always kept.
/// - `include`/`exclude`: regular expressions (regex crate syntax) on the statement text; the
///   empty string means no filter. An invalid pattern fails with [`CT_ERR_REGEX`].
/// - `bound_varargs`: rewrite an unbounded trailing `Vararg{T}` to `Vararg{T, N}`; 0 = never.
/// - `restrict_modules`/`modules`: the keep-list. When `restrict_modules` is non-zero, only
///   statements that name at least one of the root modules in `modules` (names separated by
///   newlines, as `exclude_modules`) are kept; the others count as excluded, and an empty list
///   keeps none. `exclude_modules` is applied first. With `restrict_modules` zero, `modules` is
///   ignored.
///
/// On success `*out_handle` receives a handle to free with [`ct_free`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ct_open(
    paths: *const *const u8,
    path_lens: *const usize,
    n_paths: usize,
    dedup: u8,
    exclude_modules: *const u8,
    exclude_modules_len: usize,
    exclude_closures: u8,
    min_time_ms: f64,
    include: *const u8,
    include_len: usize,
    exclude: *const u8,
    exclude_len: usize,
    bound_varargs: u32,
    restrict_modules: u8,
    modules: *const u8,
    modules_len: usize,
    out_handle: *mut *mut CtTrace,
    out_error: *mut *mut CtError,
) -> i32 {
    open_traces(
        (paths, path_lens, n_paths),
        dedup,
        (exclude_modules, exclude_modules_len),
        exclude_closures,
        min_time_ms,
        (include, include_len),
        (exclude, exclude_len),
        bound_varargs,
        (restrict_modules != 0).then_some((modules, modules_len)),
        out_handle,
        out_error,
    )
}

/// The encoded trees of a kept statement (see [`ct_item_tree`]).
fn item_trees(item: &Item<'_>) -> [Encoded; 2] {
    let ItemKind::Statement(statement) = &item.kind else {
        return Default::default();
    };
    let text: &str = &statement.text;
    let tree = |span: compile_traces_core::item::Span| match text
        .get(span.start as usize..span.end as usize)
    {
        Some(part) => encode::encode_text(part),
        None => encode::encode_text(""),
    };
    [
        tree(statement.signature),
        statement.arg_types.map(tree).unwrap_or_default(),
    ]
}

/// Frees a handle from [`ct_open`]. Null is a no-op.
#[no_mangle]
pub extern "C" fn ct_free(handle: *mut CtTrace) {
    let _ = catch_unwind(|| {
        if !handle.is_null() {
            // SAFETY: the handle came from `ct_open` and is freed once (contract).
            drop(unsafe { Box::from_raw(handle) });
        }
    });
}

/// The counts over everything read: kept statements, duplicates dropped, statements excluded by
/// the filters, ignored lines (blank, comments, scaffolding), malformed and unsupported items,
/// and the number of items kept in the handle (statements + malformed + unsupported).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ct_counts(
    handle: *const CtTrace,
    out_statements: *mut u64,
    out_duplicates: *mut u64,
    out_excluded: *mut u64,
    out_ignored: *mut u64,
    out_malformed: *mut u64,
    out_unsupported: *mut u64,
    out_items: *mut u64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let trace = trace(handle)?;
        let summary = &trace.summary;
        *out(out_statements, "ct_counts: out_statements")? = summary.statements;
        *out(out_duplicates, "ct_counts: out_duplicates")? = summary.duplicates;
        *out(out_excluded, "ct_counts: out_excluded")? = summary.excluded;
        *out(out_ignored, "ct_counts: out_ignored")? = summary.ignored;
        *out(out_malformed, "ct_counts: out_malformed")? = summary.malformed;
        *out(out_unsupported, "ct_counts: out_unsupported")? = summary.unsupported;
        *out(out_items, "ct_counts: out_items")? = trace.items.len() as u64;
        Ok(())
    })
}

/// The number of sources (trace files) in the handle.
#[no_mangle]
pub extern "C" fn ct_source_count(
    handle: *const CtTrace,
    out_count: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let trace = trace(handle)?;
        *out(out_count, "ct_source_count: out_count")? = trace.source_names.len();
        Ok(())
    })
}

/// The name (path as given) of source `index` (0-based, as returned by [`ct_item`]).
#[no_mangle]
pub extern "C" fn ct_source_name(
    handle: *const CtTrace,
    index: usize,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let trace = trace(handle)?;
        let Some(name) = trace.source_names.get(index) else {
            return fail(
                CT_ERR_INDEX,
                format!(
                    "source index {index} out of range (the trace has {} sources)",
                    trace.source_names.len()
                ),
            );
        };
        write_str(name, out_ptr, out_len)
    })
}

/// The fixed-size fields of item `index` (0-based, below the `out_items` count of
/// [`ct_counts`]):
/// kind ([`CT_KIND_STATEMENT`], [`CT_KIND_MALFORMED`], [`CT_KIND_UNSUPPORTED`]), source index,
/// 1-based first and last line, 1-based column of the problem (0 for statements), flag bits
/// (`compile_traces_core::Flags`, statements only, else 0) and the recorded time in ms (NaN when
/// the statement had none, and for problems).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ct_item(
    handle: *const CtTrace,
    index: usize,
    out_kind: *mut u32,
    out_source: *mut u32,
    out_line: *mut u32,
    out_end_line: *mut u32,
    out_column: *mut u32,
    out_flags: *mut u32,
    out_timing_ms: *mut f64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let item = item(handle, index)?;
        let (kind, column, flags, timing) = match &item.kind {
            ItemKind::Statement(statement) => (
                CT_KIND_STATEMENT,
                0,
                statement.flags.0,
                statement.timing_ms.unwrap_or(f64::NAN),
            ),
            ItemKind::Problem(problem) => (
                match problem.kind {
                    ProblemKind::Malformed => CT_KIND_MALFORMED,
                    ProblemKind::Unsupported => CT_KIND_UNSUPPORTED,
                },
                problem.column,
                0,
                f64::NAN,
            ),
            // Never stored (see `ct_open`); reported rather than assumed.
            ItemKind::Ignored(_) => return fail(CT_ERR_PANIC, "ignored item stored in handle"),
        };
        *out(out_kind, "ct_item: out_kind")? = kind;
        *out(out_source, "ct_item: out_source")? = item.origin.source;
        *out(out_line, "ct_item: out_line")? = item.origin.line;
        *out(out_end_line, "ct_item: out_end_line")? = item.origin.end_line;
        *out(out_column, "ct_item: out_column")? = column;
        *out(out_flags, "ct_item: out_flags")? = flags;
        *out(out_timing_ms, "ct_item: out_timing_ms")? = timing;
        Ok(())
    })
}

/// The text of item `index`: for a statement, the normalized `precompile(...)` call; for a
/// problem, the offending line as written.
#[no_mangle]
pub extern "C" fn ct_item_text(
    handle: *const CtTrace,
    index: usize,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let text: &str = match &item(handle, index)?.kind {
            ItemKind::Statement(statement) => &statement.text,
            ItemKind::Problem(problem) => &problem.text,
            ItemKind::Ignored(_) => "",
        };
        write_str(text, out_ptr, out_len)
    })
}

/// Why item `index` is malformed or unsupported; the empty string for a statement.
#[no_mangle]
pub extern "C" fn ct_item_message(
    handle: *const CtTrace,
    index: usize,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let message: &str = match &item(handle, index)?.kind {
            ItemKind::Problem(problem) => &problem.message,
            _ => "",
        };
        write_str(message, out_ptr, out_len)
    })
}

/// Byte spans (0-based, end exclusive) into the text of statement `index`: the signature (the
/// first argument of `precompile`) and, for the two-argument form, the argument types
/// (`(T1, T2)`); `args` is `0, 0` when absent. All four are 0 for problems.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ct_item_spans(
    handle: *const CtTrace,
    index: usize,
    out_signature_start: *mut u32,
    out_signature_end: *mut u32,
    out_args_start: *mut u32,
    out_args_end: *mut u32,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let (signature, args) = match &item(handle, index)?.kind {
            ItemKind::Statement(statement) => {
                (statement.signature, statement.arg_types.unwrap_or_default())
            }
            _ => Default::default(),
        };
        *out(out_signature_start, "ct_item_spans: out_signature_start")? = signature.start;
        *out(out_signature_end, "ct_item_spans: out_signature_end")? = signature.end;
        *out(out_args_start, "ct_item_spans: out_args_start")? = args.start;
        *out(out_args_end, "ct_item_spans: out_args_end")? = args.end;
        Ok(())
    })
}

/// The tree of statement `index`, encoded for an evaluator that builds the type without
/// parsing text (`compile_traces_core::syntax::encode`, encoding version
/// `compile_traces_core::syntax::encode::op::VERSION` = 1): `which` is [`CT_TREE_SIGNATURE`] or
/// [`CT_TREE_ARGS`]. Writes the words (prefix order, `opcode | operand << 8` headers) and the
/// string table they point into; both lengths are 0 for problems and for the argument tuple of
/// a one-argument statement. Valid until the handle is freed. Another `which` is
/// [`CT_ERR_INVALID_ARGUMENT`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ct_item_tree(
    handle: *const CtTrace,
    index: usize,
    which: u32,
    out_code: *mut *const u64,
    out_code_len: *mut usize,
    out_strings: *mut *const u8,
    out_strings_len: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        item(handle, index)?;
        let slot = match which {
            CT_TREE_SIGNATURE => 0,
            CT_TREE_ARGS => 1,
            _ => {
                return fail(
                    CT_ERR_INVALID_ARGUMENT,
                    format!("ct_item_tree: `which` must be 0 (signature) or 1 (argument tuple), got {which}"),
                )
            }
        };
        let tree = trace(handle)?
            .trees
            .get(index)
            .map(|trees| &trees[slot])
            .ok_or_else(|| (CT_ERR_PANIC, format!("no tree stored for item {index}")))?;
        *out(out_code, "ct_item_tree: out_code")? = tree.code.as_ptr();
        *out(out_code_len, "ct_item_tree: out_code_len")? = tree.code.len();
        *out(out_strings, "ct_item_tree: out_strings")? = tree.strings.as_ptr();
        *out(out_strings_len, "ct_item_tree: out_strings_len")? = tree.strings.len();
        Ok(())
    })
}

/// The number of distinct root modules statement `index` needs (0 for problems).
#[no_mangle]
pub extern "C" fn ct_item_root_count(
    handle: *const CtTrace,
    index: usize,
    out_count: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let count = match &item(handle, index)?.kind {
            ItemKind::Statement(statement) => statement.roots.len(),
            _ => 0,
        };
        *out(out_count, "ct_item_root_count: out_count")? = count;
        Ok(())
    })
}

/// Root module `root` (0-based, below [`ct_item_root_count`]) of statement `index`, e.g. `Base`.
#[no_mangle]
pub extern "C" fn ct_item_root(
    handle: *const CtTrace,
    index: usize,
    root: usize,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let (text, roots): (&str, &[_]) = match &item(handle, index)?.kind {
            ItemKind::Statement(statement) => (&statement.text, &statement.roots),
            _ => ("", &[]),
        };
        let Some(span) = roots.get(root) else {
            return fail(
                CT_ERR_INDEX,
                format!(
                    "root index {root} out of range (item {index} has {} roots)",
                    roots.len()
                ),
            );
        };
        // `get` rather than slicing: a bad span must be an error, not a panic.
        let Some(name) = text.get(span.start as usize..span.end as usize) else {
            return fail(CT_ERR_PANIC, format!("root span {span:?} outside the text"));
        };
        write_str(name, out_ptr, out_len)
    })
}

/// The effective `verbose`/`warn` options for module `module_name` given the caller's values,
/// after `JULIA_COMPILE_TRACES_VERBOSE` / `JULIA_COMPILE_TRACES_WARN` (read from the process
/// environment now, so Julia's `withenv` applies). Writes [`CT_OVERRIDE_VERBOSE`] |
/// [`CT_OVERRIDE_WARN`] bits to `out_bits`.
#[no_mangle]
pub extern "C" fn ct_resolve_overrides(
    module_name: *const u8,
    module_name_len: usize,
    verbose: u8,
    warn: u8,
    out_bits: *mut u32,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        // SAFETY: pointer/length pair from the caller (contract).
        let module = unsafe { str_arg(module_name, module_name_len, "module name") }?;
        let effective = overrides::resolve(
            module,
            Effective {
                verbose: verbose != 0,
                warn: warn != 0,
            },
        );
        let mut bits = 0;
        if effective.verbose {
            bits |= CT_OVERRIDE_VERBOSE;
        }
        if effective.warn {
            bits |= CT_OVERRIDE_WARN;
        }
        *out(out_bits, "ct_resolve_overrides: out_bits")? = bits;
        Ok(())
    })
}

/// The status code stored in an error (one of the `CT_ERR_*` values); [`CT_ERR_INVALID_ARGUMENT`]
/// for a null error.
#[no_mangle]
pub extern "C" fn ct_error_status(error: *const CtError) -> i32 {
    catch_unwind(|| {
        // SAFETY: a non-null error came from this library and was not freed (contract).
        unsafe { error.as_ref() }.map_or(CT_ERR_INVALID_ARGUMENT, |error| error.status)
    })
    .unwrap_or(CT_ERR_PANIC)
}

/// The message of an error, valid until [`ct_error_free`]. A null error gives a fixed message.
/// Writes the length to `out_len` (when not null) and returns the pointer.
#[no_mangle]
pub extern "C" fn ct_error_message(error: *const CtError, out_len: *mut usize) -> *const u8 {
    const NULL_ERROR: &str = "no error (null error handle)";
    const PANICKED: &str = "internal error in the compile_traces library while reading a message";
    let text: Cow<'_, str> = catch_unwind(|| {
        // SAFETY: a non-null error came from this library and was not freed (contract).
        match unsafe { error.as_ref() } {
            Some(error) => Cow::Borrowed(error.message.as_str()),
            None => Cow::Borrowed(NULL_ERROR),
        }
    })
    .unwrap_or(Cow::Borrowed(PANICKED));
    // The text is borrowed from the error or static, so the pointer outlives this call.
    let (ptr, len) = (text.as_ptr(), text.len());
    if !out_len.is_null() {
        // SAFETY: a non-null out_len points to writable memory (contract).
        unsafe { *out_len = len };
    }
    ptr
}

/// Frees an error. Null is a no-op.
#[no_mangle]
pub extern "C" fn ct_error_free(error: *mut CtError) {
    let _ = catch_unwind(|| {
        if !error.is_null() {
            // SAFETY: the error came from this library and is freed once (contract).
            drop(unsafe { Box::from_raw(error) });
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Recording traces (Julia's `record_traces`, `record_test_traces`, `trace_coverage`): the
// `modules` keep-list, writing the kept statements, and the totals a recording reports.
// ---------------------------------------------------------------------------------------------

/// A `(pointer, length)` string argument, as passed by the caller.
type StrArg = (*const u8, usize);

/// Module names separated by newlines (`"Main\nTest"`); spaces around names and empty lines are
/// ignored.
fn module_list(text: &str) -> Vec<String> {
    text.split('\n')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

/// The body of [`ct_open`].
#[allow(clippy::too_many_arguments)]
fn open_traces(
    paths: (*const *const u8, *const usize, usize),
    dedup: u8,
    exclude_modules: StrArg,
    exclude_closures: u8,
    min_time_ms: f64,
    include: StrArg,
    exclude: StrArg,
    bound_varargs: u32,
    keep_modules: Option<StrArg>,
    out_handle: *mut *mut CtTrace,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let (paths, path_lens, n_paths) = paths;
        let keep_modules = match keep_modules {
            // SAFETY: pointer/length pair from the caller (contract).
            Some((ptr, len)) => Some(module_list(unsafe { str_arg(ptr, len, "modules") }?)),
            None => None,
        };
        let out_handle = out(out_handle, "ct_open: out_handle")?;
        if n_paths > 0 && (paths.is_null() || path_lens.is_null()) {
            return fail(
                CT_ERR_INVALID_ARGUMENT,
                format!("ct_open: null path array for {n_paths} paths"),
            );
        }
        let mut path_bufs = Vec::with_capacity(n_paths);
        for i in 0..n_paths {
            // SAFETY: both arrays hold `n_paths` elements (contract), checked non-null above.
            let (ptr, len) = unsafe { (*paths.add(i), *path_lens.add(i)) };
            // SAFETY: each path points to `len` readable bytes (contract).
            let path = unsafe { str_arg(ptr, len, &format!("trace file path #{}", i + 1)) }?;
            if path.is_empty() {
                return fail(
                    CT_ERR_INVALID_ARGUMENT,
                    format!("trace file path #{} is empty", i + 1),
                );
            }
            if path.contains('\0') {
                return fail(
                    CT_ERR_INVALID_ARGUMENT,
                    format!("trace file path #{} contains a NUL byte: {path:?}", i + 1),
                );
            }
            path_bufs.push(PathBuf::from(path));
        }
        // SAFETY (all three): pointer/length pairs from the caller (contract).
        let modules = unsafe { str_arg(exclude_modules.0, exclude_modules.1, "exclude_modules") }?;
        let include = unsafe { str_arg(include.0, include.1, "include pattern") }?;
        let exclude = unsafe { str_arg(exclude.0, exclude.1, "exclude pattern") }?;
        let regex = |pattern: &str, what: &str| -> Result<Option<Regex>, Failure> {
            if pattern.is_empty() {
                return Ok(None);
            }
            Regex::new(pattern).map(Some).map_err(|error| {
                (
                    CT_ERR_REGEX,
                    format!("invalid {what} pattern {pattern:?}: {error}"),
                )
            })
        };
        let options = Options {
            dedup: dedup != 0,
            exclude_modules: module_list(modules),
            modules: keep_modules,
            exclude_closures: exclude_closures != 0,
            min_time_ms: (min_time_ms > 0.0).then_some(min_time_ms),
            include: regex(include, "include")?,
            exclude: regex(exclude, "exclude")?,
            bound_varargs: (bound_varargs > 0).then_some(bound_varargs),
        };

        let sources =
            source::read_all(&path_bufs).map_err(|error| (CT_ERR_IO, error.to_string()))?;
        // An inference tree (written by the Julia package's recorder) becomes the trace of its
        // outermost frames that the filters keep.
        let (sources, selections) = inference::expand(sources, &options);
        let inference = selections
            .iter()
            .fold(Selection::default(), |sum, selection| Selection {
                frames: sum.frames + selection.frames,
                selected: sum.selected + selection.selected,
                replaced: sum.replaced + selection.replaced,
                covered: sum.covered + selection.covered,
                problems: sum.problems + selection.problems,
            });
        let mut items = Vec::new();
        let summary = pipeline::process(&sources, &options, |item, verdict| {
            let wanted = match &item.kind {
                ItemKind::Statement(_) => verdict == Verdict::Keep,
                ItemKind::Problem(_) => true,
                ItemKind::Ignored(_) => false,
            };
            if wanted {
                items.push(item.into_owned());
            }
        });
        let trees = items.iter().map(item_trees).collect();
        let handle = Box::new(CtTrace {
            source_names: sources.into_iter().map(|source| source.name).collect(),
            items,
            trees,
            summary,
            inference,
        });
        *out_handle = Box::into_raw(handle);
        Ok(())
    })
}

/// Writes `header` (comment lines, each starting with `#`, e.g. what recorded the trace; may be
/// empty) and then the kept statements of the handle, in order, to the file `path` (UTF-8, no
/// NUL): one normalized statement per line, preceded by its recorded time (`#=   12.3 ms =# `, as
/// Julia 1.12 prints it) when `keep_timing` is non-zero and the statement had one. The file is
/// replaced atomically: written to a temporary file in the same directory, then renamed over
/// `path`, so `path` may be one of the files the handle was read from. Unless `force` is
/// non-zero, an existing `path` that is not a trace, or that holds more than twice as many
/// statements as would be written (none at all included), is left as it is: the status is
/// [`CT_ERR_REFUSED`] with a message that says why. On failure (missing or unwritable
/// directory, disk full) the status is [`CT_ERR_IO`] with a message naming `path`, `path` is
/// left as it was and no temporary file remains. Writes the number of statements written to
/// `out_written`.
#[no_mangle]
pub extern "C" fn ct_write_statements(
    handle: *const CtTrace,
    path: *const u8,
    path_len: usize,
    header: *const u8,
    header_len: usize,
    keep_timing: u8,
    force: u8,
    out_written: *mut u64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let trace = trace(handle)?;
        let out_written = out(out_written, "ct_write_statements: out_written")?;
        // SAFETY (both): pointer/length pairs from the caller (contract).
        let path = unsafe { output_path(path, path_len) }?;
        let header = unsafe { str_arg(header, header_len, "header") }?;
        if let Some(line) = header.lines().find(|line| !line.starts_with('#')) {
            return fail(
                CT_ERR_INVALID_ARGUMENT,
                format!("the header must be comment lines (starting with `#`), not {line:?}"),
            );
        }
        let statements = trace.items.iter().filter_map(|item| match &item.kind {
            ItemKind::Statement(statement) => Some(statement),
            _ => None,
        });
        if force == 0 {
            refuse_replacement(path, Some(statements.clone().count() as u64))?;
        }
        let written =
            output::write_statements_to(Path::new(path), header, statements, keep_timing != 0)
                .map_err(|error| (CT_ERR_IO, format!("cannot write `{path}`: {error}")))?;
        *out_written = written;
        Ok(())
    })
}

/// Borrows and checks an output path argument: UTF-8, not empty, no NUL.
///
/// # Safety
/// As [`str_arg`].
unsafe fn output_path<'a>(path: *const u8, path_len: usize) -> Result<&'a str, Failure> {
    let path = str_arg(path, path_len, "output path")?;
    if path.is_empty() {
        return fail(CT_ERR_INVALID_ARGUMENT, "the output path is empty");
    }
    if path.contains('\0') {
        return fail(
            CT_ERR_INVALID_ARGUMENT,
            format!("the output path contains a NUL byte: {path:?}"),
        );
    }
    Ok(path)
}

/// [`replace::check_replacement`] as a [`Failure`]: [`CT_ERR_REFUSED`] saying why, or
/// [`CT_ERR_IO`] when `path` cannot be read.
fn refuse_replacement(path: &str, new: Option<u64>) -> Result<(), Failure> {
    match replace::check_replacement(Path::new(path), new) {
        Ok(None) => Ok(()),
        Ok(Some(refusal)) => {
            let what = match refusal {
                Refusal::NotATrace { .. } => "it would be lost",
                Refusal::Shrinks { .. } => "its statements would be lost",
            };
            fail(
                CT_ERR_REFUSED,
                format!("refusing to replace `{path}`: {refusal}, and {what}"),
            )
        }
        Err(error) => fail(CT_ERR_IO, format!("cannot check `{path}`: {error}")),
    }
}

/// Checks, before a recording, that the file `path` may be replaced by one of `new_count`
/// statements (`new_count < 0`: not known yet, only check that an existing `path` is a trace).
/// [`CT_OK`] when it may (a missing file may); [`CT_ERR_REFUSED`] with the reason when it is
/// not a trace or would shrink to less than half; [`CT_ERR_IO`] when it exists but cannot be
/// read (a directory, no permission).
#[no_mangle]
pub extern "C" fn ct_check_replacement(
    path: *const u8,
    path_len: usize,
    new_count: i64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        // SAFETY: pointer/length pair from the caller (contract).
        let path = unsafe { output_path(path, path_len) }?;
        refuse_replacement(path, u64::try_from(new_count).ok())
    })
}

/// What was selected from the inference trees the handle read (files that start with
/// `compile_traces_core::inference::HEADER`): frames in the trees, frames kept (the outermost
/// ones the filters keep), frames a filter dropped and replaced by their callees, and frames
/// under a kept one. All zero when no source was a tree.
#[no_mangle]
pub extern "C" fn ct_inference_counts(
    handle: *const CtTrace,
    out_frames: *mut u64,
    out_selected: *mut u64,
    out_replaced: *mut u64,
    out_covered: *mut u64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let selection = trace(handle)?.inference;
        *out(out_frames, "ct_inference_counts: out_frames")? = selection.frames;
        *out(out_selected, "ct_inference_counts: out_selected")? = selection.selected;
        *out(out_replaced, "ct_inference_counts: out_replaced")? = selection.replaced;
        *out(out_covered, "ct_inference_counts: out_covered")? = selection.covered;
        Ok(())
    })
}

/// Totals over what the handle read: physical lines and bytes of the input, and over the kept
/// statements, how many had a recorded time and the sum of those times in milliseconds (0 when
/// none had one).
#[no_mangle]
pub extern "C" fn ct_totals(
    handle: *const CtTrace,
    out_lines: *mut u64,
    out_bytes: *mut u64,
    out_timed: *mut u64,
    out_total_ms: *mut f64,
    out_error: *mut *mut CtError,
) -> i32 {
    guard(out_error, || {
        let trace = trace(handle)?;
        let (mut timed, mut total_ms) = (0u64, 0.0f64);
        for item in &trace.items {
            if let ItemKind::Statement(statement) = &item.kind {
                if let Some(ms) = statement.timing_ms {
                    timed += 1;
                    total_ms += ms;
                }
            }
        }
        *out(out_lines, "ct_totals: out_lines")? = trace.summary.lines;
        *out(out_bytes, "ct_totals: out_bytes")? = trace.summary.bytes;
        *out(out_timed, "ct_totals: out_timed")? = timed;
        *out(out_total_ms, "ct_totals: out_total_ms")? = total_ms;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_status_with_its_message() {
        let mut err: *mut CtError = std::ptr::null_mut();
        let status = guard(&mut err, || panic!("boom in the core"));
        assert_eq!(status, CT_ERR_PANIC);
        assert_eq!(ct_error_status(err), CT_ERR_PANIC);
        let mut len = 0;
        let ptr = ct_error_message(err, &mut len);
        // SAFETY: valid until freed below.
        let message = std::str::from_utf8(unsafe { std::slice::from_raw_parts(ptr, len) }).unwrap();
        assert!(message.contains("boom in the core"), "{message}");
        assert!(message.contains("internal error"), "{message}");
        ct_error_free(err);

        let formatted = guard(std::ptr::null_mut(), || panic!("{} {}", "with", "format"));
        assert_eq!(
            formatted, CT_ERR_PANIC,
            "a null error slot still gets the status"
        );
    }

    #[test]
    fn a_failure_keeps_its_status_and_success_writes_no_error() {
        let mut err: *mut CtError = std::ptr::null_mut();
        assert_eq!(guard(&mut err, || Ok(())), CT_OK);
        assert!(err.is_null());
        assert_eq!(guard(&mut err, || fail(CT_ERR_IO, "nope")), CT_ERR_IO);
        assert_eq!(ct_error_status(err), CT_ERR_IO);
        ct_error_free(err);
    }
}
