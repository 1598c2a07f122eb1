//! `ct_item_tree`: the encoded tree of each statement, read through the C ABI the way
//! `src/ffi.jl` reads it, checked against the core's parser, plus its error paths.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::ptr;

mod common;

use compile_traces::*;
use compile_traces_core::syntax::encode::{self, op, Encoded};
use compile_traces_core::syntax::parse_type_expr;

struct Handle(*mut CtTrace);

impl Drop for Handle {
    fn drop(&mut self) {
        ct_free(self.0);
    }
}

fn error_of(status: i32, err: *mut CtError) -> (i32, String) {
    assert!(!err.is_null(), "status {status} without an error");
    let mut len = 0usize;
    let p = ct_error_message(err, &mut len);
    // SAFETY: valid until freed just below.
    let message =
        String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap();
    ct_error_free(err);
    (status, message)
}

fn open(paths: &[PathBuf]) -> Handle {
    let strings: Vec<String> = paths
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let ptrs: Vec<*const u8> = strings.iter().map(|s| s.as_ptr()).collect();
    let lens: Vec<usize> = strings.iter().map(|s| s.len()).collect();
    let (mut handle, mut err) = (ptr::null_mut(), ptr::null_mut());
    let none = "";
    let status = ct_open(
        ptrs.as_ptr(),
        lens.as_ptr(),
        paths.len(),
        1,
        none.as_ptr(),
        0,
        0,
        0.0,
        none.as_ptr(),
        0,
        none.as_ptr(),
        0,
        0,
        0,
        ptr::null(),
        0,
        &mut handle,
        &mut err,
    );
    assert_eq!(status, CT_OK);
    Handle(handle)
}

fn n_items(h: &Handle) -> usize {
    let mut c = [0u64; 7];
    let [a, b, d, e, f, g, items] = &mut c;
    let mut err = ptr::null_mut();
    assert_eq!(ct_counts(h.0, a, b, d, e, f, g, items, &mut err), CT_OK);
    c[6] as usize
}

/// Kind, flags, text, signature and argument-tuple spans of item `i`.
fn item(h: &Handle, i: usize) -> (u32, u32, String, String, Option<String>) {
    let (mut kind, mut source, mut line, mut end_line, mut column, mut flags) = (0, 0, 0, 0, 0, 0);
    let (mut timing, mut err) = (0.0, ptr::null_mut());
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
    assert_eq!(status, CT_OK);
    let (mut p, mut len) = (ptr::null(), 0usize);
    assert_eq!(ct_item_text(h.0, i, &mut p, &mut len, &mut err), CT_OK);
    // SAFETY: valid until the handle is freed; copied at once.
    let text = String::from_utf8(unsafe { std::slice::from_raw_parts(p, len) }.to_vec()).unwrap();
    let (mut s0, mut s1, mut a0, mut a1) = (0, 0, 0, 0);
    assert_eq!(
        ct_item_spans(h.0, i, &mut s0, &mut s1, &mut a0, &mut a1, &mut err),
        CT_OK
    );
    let sig = text[s0 as usize..s1 as usize].to_string();
    let args = (flags & (1 << 6) != 0).then(|| text[a0 as usize..a1 as usize].to_string());
    (kind, flags, text, sig, args)
}

/// The tree as Julia copies it: words and string table.
fn tree(h: &Handle, i: usize, which: u32) -> Result<Encoded, (i32, String)> {
    let (mut code, mut code_len, mut strings, mut strings_len) =
        (ptr::null(), 0usize, ptr::null(), 0usize);
    let mut err = ptr::null_mut();
    let status = ct_item_tree(
        h.0,
        i,
        which,
        &mut code,
        &mut code_len,
        &mut strings,
        &mut strings_len,
        &mut err,
    );
    if status != CT_OK {
        return Err(error_of(status, err));
    }
    assert!(err.is_null());
    // SAFETY: valid until the handle is freed; copied at once. Empty vectors may dangle.
    let copy = |p: *const u64, n: usize| {
        if n == 0 {
            Vec::new()
        } else {
            unsafe { std::slice::from_raw_parts(p, n) }.to_vec()
        }
    };
    let bytes = |p: *const u8, n: usize| {
        if n == 0 {
            Vec::new()
        } else {
            unsafe { std::slice::from_raw_parts(p, n) }.to_vec()
        }
    };
    Ok(Encoded {
        code: copy(code, code_len),
        strings: bytes(strings, strings_len),
    })
}

fn opcodes(e: &Encoded) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < e.code.len() {
        let code = (e.code[i] & 0xff) as u8;
        out.push(code);
        i += 1 + op::extra_words(code).expect("a known opcode");
    }
    out
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    path
}

#[test]
fn every_statement_has_its_trees_and_problems_have_none() {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        "precompile(Base.sum, (Array{Int64, 1}, Val{0x00ff}))",
        "precompile(Tuple{typeof(Base.sum)",
        "precompile(Tuple{typeof(run(`ls`))})",
        "#= 1.0 ms =# precompile(Tuple{Base.var\"#3#4\", Char(0x55000000)}) # recompile",
        "precompile(Tuple{Dates.DateFormat{Symbol(\"yyyy\\T\"), Tuple{}}})",
        "precompile(Tuple{Val{1.0e400}})",
    ]
    .join("\n");
    let path = write_file(dir.path(), "t.jl", &text);
    let h = open(&[path]);
    assert_eq!(n_items(&h), 7);
    for i in 0..7 {
        let (kind, _, text, sig, args) = item(&h, i);
        let signature = tree(&h, i, CT_TREE_SIGNATURE).unwrap();
        let arg_tree = tree(&h, i, CT_TREE_ARGS).unwrap();
        if kind != CT_KIND_STATEMENT {
            assert!(
                signature.code.is_empty() && arg_tree.code.is_empty(),
                "{text}"
            );
            continue;
        }
        let parsed = parse_type_expr(&sig).unwrap();
        assert_eq!(
            encode::decode(&signature),
            Some(encode::canonical(&parsed)),
            "{text}"
        );
        match args {
            Some(args) => {
                let parsed = parse_type_expr(&args).unwrap();
                assert_eq!(encode::decode(&arg_tree), Some(encode::canonical(&parsed)));
                assert_eq!(opcodes(&arg_tree)[0], op::TUPLE);
            }
            None => assert!(arg_tree.code.is_empty() && arg_tree.strings.is_empty()),
        }
    }
    // The raw backslash the trace printed reads back as one backslash (the statement text was
    // repaired to `\\T`).
    let dates = tree(&h, 5, CT_TREE_SIGNATURE).unwrap();
    assert!(
        dates.strings.windows(6).any(|w| w == b"yyyy\\T"),
        "{:?}",
        String::from_utf8_lossy(&dates.strings)
    );
    // A literal Julia's reader refuses travels as an error node, with Julia's message.
    let overflow = tree(&h, 6, CT_TREE_SIGNATURE).unwrap();
    assert!(opcodes(&overflow).contains(&op::ERROR));
    assert!(
        String::from_utf8_lossy(&overflow.strings).contains("overflow in floating point literal")
    );
}

#[test]
fn bad_arguments_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "t.jl",
        "precompile(Tuple{typeof(Base.sum), Int64})\n",
    );
    let h = open(&[path]);
    assert_eq!(tree(&h, 0, 2).unwrap_err().0, CT_ERR_INVALID_ARGUMENT);
    let (status, message) = tree(&h, 1, CT_TREE_SIGNATURE).unwrap_err();
    assert_eq!(status, CT_ERR_INDEX);
    assert!(message.contains("out of range"), "{message}");
    let (mut code, mut n, mut s, mut m, mut err) =
        (ptr::null(), 0usize, ptr::null(), 0usize, ptr::null_mut());
    let status = ct_item_tree(
        ptr::null(),
        0,
        0,
        &mut code,
        &mut n,
        &mut s,
        &mut m,
        &mut err,
    );
    assert_eq!(error_of(status, err).0, CT_ERR_INVALID_ARGUMENT);
    let mut err = ptr::null_mut();
    let status = ct_item_tree(h.0, 0, 0, ptr::null_mut(), &mut n, &mut s, &mut m, &mut err);
    assert_eq!(error_of(status, err).0, CT_ERR_INVALID_ARGUMENT);
    let mut err = ptr::null_mut();
    let status = ct_item_tree(
        h.0,
        0,
        0,
        &mut code,
        &mut n,
        &mut s,
        ptr::null_mut(),
        &mut err,
    );
    assert_eq!(error_of(status, err).0, CT_ERR_INVALID_ARGUMENT);
}

/// Every corpus statement: its trees decode to its parsed signature, no shape is refused, and
/// the literals Julia's reader refuses are few and reported.
#[test]
fn corpus_trees() {
    let Some(paths) = common::corpus_files() else {
        return;
    };
    let h = open(&paths);
    let (mut statements, mut errors) = (0, 0);
    for i in 0..n_items(&h) {
        let (kind, _, text, sig, args) = item(&h, i);
        if kind != CT_KIND_STATEMENT {
            continue;
        }
        statements += 1;
        for (which, part) in [(CT_TREE_SIGNATURE, Some(sig)), (CT_TREE_ARGS, args)] {
            let Some(part) = part else { continue };
            let t = tree(&h, i, which).unwrap();
            let codes = opcodes(&t);
            assert!(!codes.contains(&op::REJECT), "{text}");
            if codes.contains(&op::ERROR) {
                errors += 1;
                println!("error node: {text}");
            }
            let parsed = parse_type_expr(&part).unwrap();
            assert_eq!(
                encode::decode(&t),
                Some(encode::canonical(&parsed)),
                "{text}"
            );
        }
    }
    println!("{statements} corpus statements encoded, {errors} with a literal Julia refuses");
    assert!(statements > 1000);
}

/// The opcodes src/evaluate.jl interprets have the values the encoder writes, and it knows
/// every one of them.
#[test]
fn julia_opcodes_match_the_encoder() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../src/evaluate.jl"
    ))
    .unwrap();
    let pattern = regex::Regex::new(r"(?m)^const OP_(\w+) = 0x([0-9a-f]{2})\s*$").unwrap();
    let julia: std::collections::BTreeMap<String, u8> = pattern
        .captures_iter(&source)
        .map(|c| (c[1].to_string(), u8::from_str_radix(&c[2], 16).unwrap()))
        .collect();
    let expected: &[(&str, u8)] = &[
        ("NAME", op::NAME),
        ("DOT", op::DOT),
        ("GETFIELD", op::GETFIELD),
        ("CURLY", op::CURLY),
        ("TYPEOF", op::TYPEOF),
        ("KWFTYPE", op::KWFTYPE),
        ("BITS", op::BITS),
        ("WHERE", op::WHERE),
        ("TVAR", op::TVAR),
        ("TVAR_UB", op::TVAR_UB),
        ("TVAR_LB", op::TVAR_LB),
        ("TVAR_LUB", op::TVAR_LUB),
        ("SHORT_UB", op::SHORT_UB),
        ("SHORT_LB", op::SHORT_LB),
        ("TUPLE", op::TUPLE),
        ("SYMBOL", op::SYMBOL),
        ("SYMBOL_CALL", op::SYMBOL_CALL),
        ("STRING", op::STRING),
        ("BOOL", op::BOOL),
        ("INT64", op::INT64),
        ("INT128", op::INT128),
        ("UINT8", op::UINT8),
        ("UINT16", op::UINT16),
        ("UINT32", op::UINT32),
        ("UINT64", op::UINT64),
        ("UINT128", op::UINT128),
        ("FLOAT64", op::FLOAT64),
        ("FLOAT32", op::FLOAT32),
        ("FLOAT16", op::FLOAT16),
        ("CHAR", op::CHAR),
        ("ERROR", op::ERROR),
        ("REJECT", op::REJECT),
    ];
    for (name, value) in expected {
        assert_eq!(
            julia.get(*name),
            Some(value),
            "src/evaluate.jl `OP_{name}` must be {value}"
        );
    }
    assert_eq!(
        julia.len(),
        expected.len(),
        "src/evaluate.jl has opcodes this test does not know: {julia:?}"
    );
    // Every opcode value is one the encoder defines, and no two share a value.
    for code in 0..=255u8 {
        let named = expected.iter().filter(|(_, v)| *v == code).count();
        assert_eq!(
            named,
            op::extra_words(code).is_some() as usize,
            "opcode {code}"
        );
    }
}
