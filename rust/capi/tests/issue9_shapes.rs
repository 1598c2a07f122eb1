//! Issue 9 through the C ABI, as `src/ffi.jl` reads items: a statement written over several
//! lines is one item with its line range, a repaired statement carries `FLAG_REPAIRED` (the bit
//! ffi.jl mirrors) and its repaired text, and terminal output is malformed.

use std::ptr;

use compile_traces::*;
use compile_traces_core::Flags;

fn ok(status: i32, err: *mut CtError) {
    if status != CT_OK {
        let mut len = 0usize;
        let p = ct_error_message(err, &mut len);
        // SAFETY: valid until the error is freed.
        let message = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p, len) });
        panic!("status {status}: {message}");
    }
}

struct Item {
    kind: u32,
    line: u32,
    end_line: u32,
    flags: u32,
    text: String,
}

/// The kept items of `text` read as one file.
fn read(text: &str) -> Vec<Item> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.jl");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let (ptrs, lens) = ([path.as_ptr()], [path.len()]);
    let (mut handle, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = ct_open(
        ptrs.as_ptr(),
        lens.as_ptr(),
        1,
        1,
        "".as_ptr(),
        0,
        0,
        0.0,
        "".as_ptr(),
        0,
        "".as_ptr(),
        0,
        0,
        0,
        ptr::null(),
        0,
        &mut handle,
        &mut err,
    );
    ok(status, err);
    let mut c = [0u64; 7];
    let [a, b, d, e, f, g, n] = &mut c;
    ok(ct_counts(handle, a, b, d, e, f, g, n, &mut err), err);
    let items = (0..c[6] as usize)
        .map(|i| {
            let (mut kind, mut source, mut line, mut end_line, mut column, mut flags) =
                (0, 0, 0, 0, 0, 0);
            let mut timing = 0.0;
            ok(
                ct_item(
                    handle,
                    i,
                    &mut kind,
                    &mut source,
                    &mut line,
                    &mut end_line,
                    &mut column,
                    &mut flags,
                    &mut timing,
                    &mut err,
                ),
                err,
            );
            let (mut p, mut len) = (ptr::null(), 0usize);
            ok(ct_item_text(handle, i, &mut p, &mut len, &mut err), err);
            // SAFETY: valid until the handle is freed; copied at once.
            let text =
                String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap();
            Item {
                kind,
                line,
                end_line,
                flags,
                text,
            }
        })
        .collect();
    ct_free(handle);
    items
}

#[test]
fn statement_over_several_lines_is_one_item_with_its_range() {
    let items =
        read("# formatted\nprecompile(\n    Tuple{typeof(Base.sum), Array{Int64, 1}},\n)\n");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.kind, CT_KIND_STATEMENT);
    assert_eq!((item.line, item.end_line), (2, 4));
    assert_eq!(
        item.text,
        "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})"
    );
}

#[test]
fn repaired_statement_carries_the_flag_julia_reads() {
    let julia = include_str!("../../../src/ffi.jl");
    assert!(julia.contains(&format!(
        "const FLAG_REPAIRED = UInt32(1) << {}",
        Flags::REPAIRED.0.trailing_zeros()
    )));
    let items = read("precompile(Tuple{Val{inf}, Val{:=}, Base.Pair{#s1, Int64} where #s1})\nprecompile(Tuple{Val{Inf}})\n");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0].text,
        r##"precompile(Tuple{Val{Inf}, Val{:(=)}, Base.Pair{var"#s1", Int64} where var"#s1"})"##
    );
    assert_ne!(items[0].flags & Flags::REPAIRED.0, 0);
    assert_eq!(items[1].flags & Flags::REPAIRED.0, 0);
}

#[test]
fn terminal_output_is_malformed() {
    let items = read("julia> precompile(Tuple{Int64})\n2×2 Matrix{Float64}:\n 1.0  2.0\n");
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|item| item.kind == CT_KIND_MALFORMED));
}
