//! Checks of the Julia sources that can run without Julia:
//!
//! 1. every `.jl` file under `src/`, `test/`, `deps/` and `contrib/` parses with
//!    tree-sitter-julia without an ERROR or MISSING node;
//! 2. every `@ccall` in `src/` names a symbol the built library exports, with argument and
//!    return types that match the Rust `extern "C"` signature in `rust/capi/src`, and every
//!    exported `ct_*` function is called from `src/` (or listed in [`INTENTIONALLY_UNUSED`]).
//!
//! Rust → Julia type mapping used for the comparison (Julia aliases are normalized first:
//! `Int32` → `Cint`, `Float64` → `Cdouble`, `Nothing` → `Cvoid`, `UInt` → `Csize_t`, spaces
//! dropped):
//!
//! | Rust                          | Julia                 |
//! |-------------------------------|-----------------------|
//! | `u8` `u16` `u32` `u64`        | `UInt8` ... `UInt64`  |
//! | `i8` `i16` `i64`              | `Int8` `Int16` `Int64`|
//! | `i32`                         | `Cint`                |
//! | `usize` / `isize`             | `Csize_t` / `Cssize_t`|
//! | `f64` / `f32`                 | `Cdouble` / `Cfloat`  |
//! | `bool`                        | `Bool`                |
//! | no return type                | `Cvoid`               |
//! | `*const T`, `*mut T`          | `Ptr{T'}`             |
//! | any other named type (opaque handles `CtTrace`, `CtError`) | `Cvoid` (only behind a pointer) |

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use tree_sitter::{Node, Parser, Tree};

/// Exported functions deliberately not called from `src/`, with why.
const INTENTIONALLY_UNUSED: &[(&str, &str)] = &[(
    "ct_error_status",
    "the Julia side uses the status returned by the failing call itself",
)];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn julia_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_julia::LANGUAGE.into())
        .expect("tree-sitter-julia grammar loads");
    parser
}

fn parse_julia(source: &str) -> Tree {
    julia_parser()
        .parse(source, None)
        .expect("tree-sitter returns a tree")
}

fn jl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            jl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "jl") {
            out.push(path);
        }
    }
}

/// `file:line:col: ERROR/MISSING` for every error node (1-based positions).
fn syntax_errors(file: &str, source: &str) -> Vec<String> {
    let tree = parse_julia(source);
    let mut errors = Vec::new();
    visit(tree.root_node(), &mut |node| {
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            let what = if node.is_missing() {
                format!("MISSING {}", node.kind())
            } else {
                "ERROR".to_string()
            };
            let snippet: String = source[node.byte_range()].chars().take(60).collect();
            errors.push(format!(
                "{file}:{}:{}: {what} near {snippet:?}",
                p.row + 1,
                p.column + 1
            ));
        }
    });
    errors
}

fn visit<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    f(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        visit(child, f);
    }
}

#[test]
fn every_julia_file_parses_without_error_nodes() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["src", "test", "deps", "contrib"] {
        jl_files(&root.join(dir), &mut files);
    }
    for expected in [
        "src/CompileTraces.jl",
        "test/runtests.jl",
        "test/traces/basic.jl",
        "test/TracedPkg/src/TracedPkg.jl",
        "deps/build.jl",
        "contrib/artifacts.jl",
    ] {
        assert!(
            files.contains(&root.join(expected)),
            "{expected} not found among {files:?}"
        );
    }
    let mut errors = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        errors.extend(syntax_errors(&name, &source));
    }
    assert!(errors.is_empty(), "syntax errors:\n{}", errors.join("\n"));
    println!("{} Julia files parsed cleanly", files.len());
}

#[test]
fn the_syntax_check_reports_errors_with_positions() {
    let errors = syntax_errors("bad.jl", "x = 1\nf(a, b\ny = [1, 2\n");
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|e| e.starts_with("bad.jl:")),
        "{errors:?}"
    );
    assert!(syntax_errors("good.jl", "f(x) = x + 1\n").is_empty());
}

/// One `@ccall lib.sym(arg::T, ...)::R` found in Julia source.
#[derive(Debug)]
struct CCall {
    at: String,
    library: String,
    symbol: String,
    args: Vec<String>,
    ret: String,
}

fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    &source[node.byte_range()]
}

fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Finds every `@ccall` through the syntax tree; a form that cannot be checked is an error.
fn find_ccalls(file: &str, source: &str) -> Result<Vec<CCall>, Vec<String>> {
    let tree = parse_julia(source);
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    visit(tree.root_node(), &mut |node| {
        if node.kind() != "macrocall_expression" {
            return;
        }
        let children = named_children(node);
        let Some(name) = children.first() else { return };
        if text(*name, source) != "@ccall" {
            return;
        }
        let p = node.start_position();
        let at = format!("{file}:{}:{}", p.row + 1, p.column + 1);
        match parse_ccall(&children, source) {
            Ok((library, symbol, args, ret)) => calls.push(CCall {
                at,
                library,
                symbol,
                args,
                ret,
            }),
            Err(why) => errors.push(format!("{at}: cannot check this @ccall: {why}")),
        }
    });
    if errors.is_empty() {
        Ok(calls)
    } else {
        Err(errors)
    }
}

type Parsed = (String, String, Vec<String>, String);

fn parse_ccall(children: &[Node<'_>], source: &str) -> Result<Parsed, String> {
    let args = children
        .get(1)
        .filter(|n| n.kind() == "macro_argument_list")
        .ok_or("not written as `@ccall lib.sym(...)::T`")?;
    let args = named_children(*args);
    let [typed] = args.as_slice() else {
        return Err(format!("{} macro arguments, expected 1", args.len()));
    };
    if typed.kind() != "typed_expression" {
        return Err("no return type annotation".into());
    }
    let parts = named_children(*typed);
    let (call, ret) = match parts.as_slice() {
        [call, ret] => (*call, *ret),
        _ => return Err("unexpected return annotation".into()),
    };
    if call.kind() != "call_expression" {
        return Err(format!("expected a call, found {}", call.kind()));
    }
    let call_parts = named_children(call);
    let (callee, arg_list) = match call_parts.as_slice() {
        [callee, list] if list.kind() == "argument_list" => (*callee, *list),
        _ => return Err("unexpected call shape".into()),
    };
    if callee.kind() != "field_expression" {
        return Err("the function is not `library.symbol`".into());
    }
    let (library, symbol) = match named_children(callee).as_slice() {
        [lib, sym] => (
            text(*lib, source).to_string(),
            text(*sym, source).to_string(),
        ),
        _ => return Err("unexpected `library.symbol` shape".into()),
    };
    let mut arg_types = Vec::new();
    for arg in named_children(arg_list) {
        if arg.kind() != "typed_expression" {
            return Err(format!(
                "argument `{}` has no `::Type` annotation",
                text(arg, source)
            ));
        }
        let parts = named_children(arg);
        let ty = parts.last().ok_or("empty argument")?;
        arg_types.push(normalize_julia_type(text(*ty, source)));
    }
    Ok((
        library,
        symbol,
        arg_types,
        normalize_julia_type(text(ret, source)),
    ))
}

fn normalize_julia_type(ty: &str) -> String {
    let compact: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    // Replace whole identifiers only.
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let canonical = match word.as_str() {
            "Int32" => "Cint",
            "UInt32" | "Cuint" => "UInt32",
            "Float64" => "Cdouble",
            "Float32" => "Cfloat",
            "Nothing" => "Cvoid",
            "UInt" => "Csize_t",
            "Int" => "Cssize_t",
            other => other,
        };
        out.push_str(canonical);
        word.clear();
    };
    for c in compact.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The Julia type a Rust FFI type must appear as.
fn julia_type_of(ty: &syn::Type) -> Result<String, String> {
    match ty {
        syn::Type::Ptr(p) => Ok(format!("Ptr{{{}}}", pointee(&p.elem)?)),
        syn::Type::Path(p) => {
            let name = p.path.segments.last().unwrap().ident.to_string();
            Ok(match name.as_str() {
                "u8" => "UInt8",
                "u16" => "UInt16",
                "u32" => "UInt32",
                "u64" => "UInt64",
                "i8" => "Int8",
                "i16" => "Int16",
                "i32" => "Cint",
                "i64" => "Int64",
                "usize" => "Csize_t",
                "isize" => "Cssize_t",
                "f64" => "Cdouble",
                "f32" => "Cfloat",
                "bool" => "Bool",
                "c_char" => "Cchar",
                other => return Err(format!("type `{other}` passed by value across the ABI")),
            }
            .to_string())
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => Ok("Cvoid".into()),
        other => Err(format!(
            "unsupported FFI type {}",
            quote_type(other).unwrap_or_default()
        )),
    }
}

fn pointee(ty: &syn::Type) -> Result<String, String> {
    match ty {
        syn::Type::Path(p) => {
            let name = p.path.segments.last().unwrap().ident.to_string();
            // Named non-primitive types are opaque handles.
            julia_type_of(ty).or_else(|_| {
                if name.starts_with(char::is_uppercase) {
                    Ok("Cvoid".into())
                } else {
                    Err(format!("unknown pointee `{name}`"))
                }
            })
        }
        other => julia_type_of(other),
    }
}

fn quote_type(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => Some(p.path.segments.last()?.ident.to_string()),
        _ => None,
    }
}

/// An exported Rust function: its Julia argument and return types.
#[derive(Debug, Clone)]
struct RustFn {
    args: Vec<String>,
    ret: String,
}

fn is_no_mangle(attr: &syn::Attribute) -> bool {
    if attr.path().is_ident("no_mangle") {
        return true;
    }
    // Rust 2024 spelling: #[unsafe(no_mangle)].
    attr.path().is_ident("unsafe")
        && attr
            .parse_args::<syn::Path>()
            .is_ok_and(|p| p.is_ident("no_mangle"))
}

fn collect_rust_fns(items: &[syn::Item], out: &mut BTreeMap<String, RustFn>) -> Vec<String> {
    let mut errors = Vec::new();
    for item in items {
        match item {
            syn::Item::Fn(f) if f.attrs.iter().any(is_no_mangle) => {
                let name = f.sig.ident.to_string();
                let abi_c = f
                    .sig
                    .abi
                    .as_ref()
                    .and_then(|a| a.name.as_ref())
                    .is_some_and(|n| n.value() == "C");
                if !abi_c {
                    errors.push(format!("{name}: #[no_mangle] without extern \"C\""));
                    continue;
                }
                let mut args = Vec::new();
                for input in &f.sig.inputs {
                    match input {
                        syn::FnArg::Typed(t) => match julia_type_of(&t.ty) {
                            Ok(ty) => args.push(ty),
                            Err(e) => errors.push(format!("{name}: {e}")),
                        },
                        syn::FnArg::Receiver(_) => errors.push(format!("{name}: takes self")),
                    }
                }
                let ret = match &f.sig.output {
                    syn::ReturnType::Default => Ok("Cvoid".to_string()),
                    syn::ReturnType::Type(_, ty) => julia_type_of(ty),
                };
                match ret {
                    Ok(ret) => {
                        out.insert(name, RustFn { args, ret });
                    }
                    Err(e) => errors.push(format!("{name}: return {e}")),
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    errors.extend(collect_rust_fns(items, out));
                }
            }
            _ => {}
        }
    }
    errors
}

fn rust_exports() -> BTreeMap<String, RustFn> {
    let dir = repo_root().join("rust/capi/src");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut fns = BTreeMap::new();
    let mut errors = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let parsed = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        errors.extend(collect_rust_fns(&parsed.items, &mut fns));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    fns
}

/// Compares calls with Rust signatures and the library's symbols; returns every mismatch.
fn check_ccalls(
    calls: &[CCall],
    rust: &BTreeMap<String, RustFn>,
    symbols: Option<&BTreeSet<String>>,
) -> Vec<String> {
    let mut errors = Vec::new();
    for call in calls {
        let at = &call.at;
        if call.library != "libcompile_traces" {
            errors.push(format!(
                "{at}: library `{}` is not `libcompile_traces`",
                call.library
            ));
        }
        if let Some(symbols) = symbols {
            if !symbols.contains(&call.symbol) {
                errors.push(format!(
                    "{at}: `{}` is not exported by the built library",
                    call.symbol
                ));
            }
        }
        let Some(f) = rust.get(&call.symbol) else {
            errors.push(format!(
                "{at}: no #[no_mangle] extern \"C\" fn `{}` in rust/capi/src",
                call.symbol
            ));
            continue;
        };
        if call.args.len() != f.args.len() {
            errors.push(format!(
                "{at}: `{}` takes {} arguments in Rust, the @ccall passes {}",
                call.symbol,
                f.args.len(),
                call.args.len()
            ));
        } else {
            for (i, (julia, rust)) in call.args.iter().zip(&f.args).enumerate() {
                if julia != rust {
                    errors.push(format!(
                        "{at}: `{}` argument {} is `{julia}` in Julia but `{rust}` in Rust",
                        call.symbol,
                        i + 1
                    ));
                }
            }
        }
        if call.ret != f.ret {
            errors.push(format!(
                "{at}: `{}` returns `{}` in Julia but `{}` in Rust",
                call.symbol, call.ret, f.ret
            ));
        }
    }
    errors
}

/// The cdylib built with this test binary. `cargo test` leaves it in target/<profile>/deps/
/// (next to the test executable); only `cargo build` copies it up to target/<profile>/, where a
/// stale copy may linger, so deps/ comes first.
fn built_library() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let name = if cfg!(windows) {
        "compile_traces.dll"
    } else if cfg!(target_os = "macos") {
        "libcompile_traces.dylib"
    } else {
        "libcompile_traces.so"
    };
    [deps.join(name), deps.parent()?.join(name)]
        .into_iter()
        .find(|path| path.is_file())
}

/// Defined dynamic symbols of the library, with `nm -D --defined-only`.
fn exported_symbols(library: &Path) -> Result<BTreeSet<String>, String> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(library)
        .output()
        .map_err(|e| format!("cannot run nm: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "nm failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_addr, kind, name) = (fields.next()?, fields.next()?, fields.next()?);
            (kind == "T").then(|| name.to_string())
        })
        .collect())
}

fn src_ccalls() -> Vec<CCall> {
    let root = repo_root();
    let mut files = Vec::new();
    jl_files(&root.join("src"), &mut files);
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        match find_ccalls(&name, &source) {
            Ok(found) => calls.extend(found),
            Err(e) => errors.extend(e),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    calls
}

#[test]
fn every_ccall_matches_the_library() {
    let calls = src_ccalls();
    let rust = rust_exports();
    assert!(
        calls.len() >= 10,
        "only {} @ccall found in src/",
        calls.len()
    );

    let symbols = match built_library() {
        Some(library) => match exported_symbols(&library) {
            Ok(symbols) => {
                let exported: BTreeSet<&String> =
                    symbols.iter().filter(|s| s.starts_with("ct_")).collect();
                let declared: BTreeSet<&String> = rust.keys().collect();
                assert_eq!(
                    exported,
                    declared,
                    "ct_* symbols of {} differ from the #[no_mangle] fns",
                    library.display()
                );
                Some(symbols)
            }
            Err(why) => {
                println!("skipping the symbol half: {why}");
                None
            }
        },
        None => {
            println!("skipping the symbol half: built library not found next to the test binary");
            None
        }
    };

    let errors = check_ccalls(&calls, &rust, symbols.as_ref());
    assert!(
        errors.is_empty(),
        "@ccall mismatches:\n{}",
        errors.join("\n")
    );

    let called: BTreeSet<&str> = calls.iter().map(|c| c.symbol.as_str()).collect();
    for (name, why) in INTENTIONALLY_UNUSED {
        assert!(
            rust.contains_key(*name),
            "stale INTENTIONALLY_UNUSED entry {name}"
        );
        assert!(
            !called.contains(name),
            "{name} is listed as unused ({why}) but is called"
        );
    }
    let unused: Vec<&String> = rust
        .keys()
        .filter(|name| {
            !called.contains(name.as_str()) && !INTENTIONALLY_UNUSED.iter().any(|(n, _)| n == name)
        })
        .collect();
    assert!(
        unused.is_empty(),
        "exported but never called from src/: {unused:?}"
    );
    println!(
        "{} @ccall checked against {} exported functions",
        calls.len(),
        rust.len()
    );
}

/// The checker must catch what it is for: each of these is reported.
#[test]
fn the_ccall_check_reports_mismatches() {
    let rust = rust_exports();
    let symbols: BTreeSet<String> = rust.keys().cloned().collect();
    let cases = [
        (
            "wrong argument type",
            "f(h) = @ccall libcompile_traces.ct_free(h::Ptr{UInt8})::Cvoid",
            "argument 1 is `Ptr{UInt8}` in Julia but `Ptr{Cvoid}` in Rust",
        ),
        (
            "wrong return type",
            "f() = @ccall libcompile_traces.ct_abi_version()::Cint",
            "returns `Cint` in Julia but `UInt32` in Rust",
        ),
        (
            "missing argument",
            "f(e) = @ccall libcompile_traces.ct_error_message(e::Ptr{Cvoid})::Ptr{UInt8}",
            "takes 2 arguments in Rust, the @ccall passes 1",
        ),
        (
            "unknown symbol",
            "f() = @ccall libcompile_traces.ct_no_such_function()::Cvoid",
            "`ct_no_such_function` is not exported by the built library",
        ),
        (
            "other library",
            "f() = @ccall libother.ct_abi_version()::UInt32",
            "library `libother` is not `libcompile_traces`",
        ),
    ];
    for (what, source, expected) in cases {
        let calls = find_ccalls("case.jl", source).unwrap();
        assert_eq!(calls.len(), 1, "{what}");
        let errors = check_ccalls(&calls, &rust, Some(&symbols));
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{what}: expected {expected:?} in {errors:?}"
        );
    }
    // An untyped argument cannot be checked, so it is an error too.
    let errors = find_ccalls(
        "case.jl",
        "f(h) = @ccall libcompile_traces.ct_free(h)::Cvoid",
    )
    .err()
    .unwrap();
    assert!(errors[0].contains("no `::Type` annotation"), "{errors:?}");
    // And a correct call passes, with aliases normalized.
    let ok = find_ccalls(
        "ok.jl",
        "f(e, n) = @ccall libcompile_traces.ct_error_message(e::Ptr{Cvoid}, n::Ptr{UInt})::Ptr{UInt8}",
    )
    .unwrap();
    assert_eq!(
        check_ccalls(&ok, &rust, Some(&symbols)),
        Vec::<String>::new()
    );
}

/// The numeric constants `src/ffi.jl` mirrors (status codes, item kinds, override bits, flag
/// bits) have the Rust values.
#[test]
fn julia_constants_match_the_rust_ones() {
    use compile_traces::*;
    use compile_traces_core::Flags;
    let source = std::fs::read_to_string(repo_root().join("src/ffi.jl")).unwrap();
    let pattern =
        regex::Regex::new(r"(?m)^const (\w+) = (?:Cint|UInt32)\((\d+)\)(?: << (\d+))?\s*$")
            .unwrap();
    let julia: BTreeMap<String, u32> = pattern
        .captures_iter(&source)
        .map(|c| {
            let value: u32 = c[2].parse().unwrap();
            let shift: u32 = c.get(3).map_or(0, |s| s.as_str().parse().unwrap());
            (c[1].to_string(), value << shift)
        })
        .collect();
    let expected: &[(&str, u32)] = &[
        ("CT_OK", CT_OK as u32),
        ("CT_ERR_IO", CT_ERR_IO as u32),
        ("CT_ERR_INVALID_ARGUMENT", CT_ERR_INVALID_ARGUMENT as u32),
        ("CT_ERR_REGEX", CT_ERR_REGEX as u32),
        ("CT_ERR_INDEX", CT_ERR_INDEX as u32),
        ("CT_ERR_PANIC", CT_ERR_PANIC as u32),
        ("CT_ERR_REFUSED", CT_ERR_REFUSED as u32),
        ("CT_KIND_STATEMENT", CT_KIND_STATEMENT),
        ("CT_KIND_MALFORMED", CT_KIND_MALFORMED),
        ("CT_KIND_UNSUPPORTED", CT_KIND_UNSUPPORTED),
        ("CT_OVERRIDE_VERBOSE", CT_OVERRIDE_VERBOSE),
        ("CT_OVERRIDE_WARN", CT_OVERRIDE_WARN),
        ("CT_TREE_SIGNATURE", CT_TREE_SIGNATURE),
        ("CT_TREE_ARGS", CT_TREE_ARGS),
        ("FLAG_MAIN", Flags::MAIN.0),
        ("FLAG_CLOSURE", Flags::CLOSURE.0),
        ("FLAG_UNBOUNDED_VARARG", Flags::UNBOUNDED_VARARG.0),
        ("FLAG_LOSSY_VALUE", Flags::LOSSY_VALUE.0),
        ("FLAG_BITS_VALUE", Flags::BITS_VALUE.0),
        ("FLAG_GUARDED", Flags::GUARDED.0),
        ("FLAG_TWO_ARG", Flags::TWO_ARG.0),
        ("FLAG_REPAIRED", Flags::REPAIRED.0),
    ];
    for (name, value) in expected {
        assert_eq!(
            julia.get(*name),
            Some(value),
            "src/ffi.jl `{name}` must be {value}"
        );
    }
    assert_eq!(
        julia.len(),
        expected.len(),
        "src/ffi.jl has constants this test does not know: {julia:?}"
    );
}
