//! Whatever a trace file holds, `ct_open` succeeds and every accessor returns consistent data:
//! counts add up, spans fall inside the text on character boundaries (Julia slices them as
//! bytes), roots are found in the text, and indices past the end are errors, not crashes.

use std::ptr;

use compile_traces::*;
use proptest::prelude::*;

/// Pieces of real trace lines, glued in random order with random bytes, so that inputs are
/// often nearly valid rather than pure noise.
const FRAGMENTS: &[&str] = &[
    "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
    "#=   12.5 ms =# ",
    " # recompile",
    "precompile(Base.sum, (Array{Int64, 1},))",
    "Base.precompile(Tuple{typeof(f), Val{Char(0x55000000)}})   # time: 0.01",
    "isdefined(M, Symbol(\"#3#4\")) && ",
    "function _precompile_()",
    "end",
    "let fbody = try Base.bodyfunction(which(f, (Int,))) catch missing end",
    "Vararg{Any, N} where N",
    "var\"#f##0\"",
    "Symbol(\"é\\T\")",
    "\u{1b}[33m",
    "\r\n",
    "\n",
    "{",
    ")",
    "π",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..8),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn check(status: i32, err: *mut CtError) {
    if status != CT_OK {
        let mut len = 0;
        let message = ct_error_message(err, &mut len);
        // SAFETY: valid until freed.
        let text = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(message, len) })
            .into_owned();
        ct_error_free(err);
        panic!("status {status}: {text}");
    }
}

fn string(
    f: extern "C" fn(*const CtTrace, usize, *mut *const u8, *mut usize, *mut *mut CtError) -> i32,
    h: *const CtTrace,
    i: usize,
) -> String {
    let (mut p, mut len, mut err) = (ptr::null(), 0usize, ptr::null_mut());
    check(f(h, i, &mut p, &mut len, &mut err), err);
    // SAFETY: valid until the handle is freed.
    String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec())
        .expect("every string the ABI returns is UTF-8")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_file_reads_back_consistently(bytes in input()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jl");
        std::fs::write(&path, &bytes).unwrap();
        let path = path.to_str().unwrap();
        let (paths, lens) = ([path.as_ptr()], [path.len()]);
        let (mut h, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = ct_open(paths.as_ptr(), lens.as_ptr(), 1, 1, ptr::null(), 0, 0, 0.0,
            ptr::null(), 0, ptr::null(), 0, 100, 0, ptr::null(), 0, &mut h, &mut err);
        check(status, err);

        let mut c = [0u64; 7];
        let [statements, duplicates, excluded, ignored, malformed, unsupported, items] = &mut c;
        check(ct_counts(h, statements, duplicates, excluded, ignored, malformed, unsupported,
            items, &mut err), err);
        let [statements, _, excluded, _, malformed, unsupported, items] = c;
        prop_assert_eq!(items, statements + malformed + unsupported);
        prop_assert_eq!(excluded, 0);

        let mut last_line = 0;
        for i in 0..items as usize {
            let (mut kind, mut source, mut line, mut end_line, mut column, mut flags) = (0, 0, 0, 0, 0, 0);
            let mut timing = 0.0;
            check(ct_item(h, i, &mut kind, &mut source, &mut line, &mut end_line, &mut column,
                &mut flags, &mut timing, &mut err), err);
            prop_assert_eq!(source, 0);
            prop_assert!(line > last_line && end_line >= line);
            last_line = end_line;
            let text = string(ct_item_text, h, i);
            let message = string(ct_item_message, h, i);
            let (mut s0, mut s1, mut a0, mut a1) = (0, 0, 0, 0);
            check(ct_item_spans(h, i, &mut s0, &mut s1, &mut a0, &mut a1, &mut err), err);
            let mut n_roots = 0;
            check(ct_item_root_count(h, i, &mut n_roots, &mut err), err);
            if kind == CT_KIND_STATEMENT {
                prop_assert!(message.is_empty());
                let signature = text.get(s0 as usize..s1 as usize);
                prop_assert!(signature.is_some_and(|s| !s.is_empty()), "bad span {}..{} in {:?}", s0, s1, text);
                let args = text.get(a0 as usize..a1 as usize);
                prop_assert!(args.is_some(), "bad args span {}..{} in {:?}", a0, a1, text);
                for j in 0..n_roots {
                    let (mut p, mut len) = (ptr::null(), 0usize);
                    check(ct_item_root(h, i, j, &mut p, &mut len, &mut err), err);
                    // SAFETY: valid until the handle is freed.
                    let root = std::str::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }).unwrap();
                    prop_assert!(!root.is_empty() && text.contains(root), "{:?} not in {:?}", root, text);
                }
            } else {
                prop_assert!(kind == CT_KIND_MALFORMED || kind == CT_KIND_UNSUPPORTED);
                prop_assert!(!message.is_empty());
                prop_assert!(column >= 1);
                prop_assert_eq!((flags, n_roots, s0, s1), (0, 0, 0, 0));
                prop_assert!(timing.is_nan());
            }
        }
        // One past the end is an error for every per-item accessor.
        let n = items as usize;
        let (mut p, mut len) = (ptr::null(), 0usize);
        let status = ct_item_text(h, n, &mut p, &mut len, &mut err);
        prop_assert_eq!(status, CT_ERR_INDEX);
        ct_error_free(err);
        ct_free(h);
    }
}
