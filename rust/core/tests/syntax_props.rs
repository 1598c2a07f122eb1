//! Properties of the statement grammar: generated type expressions printed the way Julia prints
//! them parse back to the same tree, statements built from them are accepted with the right
//! roots, and no input makes the parser or the block counter panic.

use compile_traces_core::syntax::{count_blocks, encode, parse_statement, parse_type_expr, Expr};
use compile_traces_core::Flags;
use proptest::prelude::*;

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

const KEYWORDS: [&str; 32] = [
    "begin",
    "function",
    "macro",
    "let",
    "try",
    "if",
    "for",
    "while",
    "quote",
    "module",
    "baremodule",
    "struct",
    "mutable",
    "abstract",
    "primitive",
    "do",
    "return",
    "global",
    "local",
    "const",
    "import",
    "using",
    "export",
    "break",
    "continue",
    "end",
    "else",
    "elseif",
    "catch",
    "finally",
    "where",
    "var",
];

/// Module-like names: capitalized (never keywords), sometimes Unicode.
fn module_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][A-Za-z0-9_]{0,7}",
        Just("Main".to_string()),
        Just("Base".to_string()),
        Just("Grumpsθ".to_string()),
    ]
}

/// Function-like names: lowercase, `!` allowed after the first character, never a keyword.
fn function_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,6}!?",
        Just("π".to_string()),
        Just("MicroObjectiveθ!".to_string())
    ]
    .prop_filter("keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn type_name() -> impl Strategy<Value = String> {
    "[A-Z][A-Za-z0-9]{0,7}"
}

fn is_type_var_gensym(name: &str) -> bool {
    name.len() > 2 && name.starts_with("#s") && name[2..].bytes().all(|b| b.is_ascii_digit())
}

fn gensym() -> impl Strategy<Value = String> {
    "#[a-z0-9#]{1,8}"
}

fn operator() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["+", "==", "!=", "<:", ":", "∘", "≤", "=>", "-", "!"])
        .prop_map(str::to_string)
}

/// `M1.M2.member`, with member a name, `var"#.."` or `:(op)`.
fn qualified() -> impl Strategy<Value = Expr> {
    (
        prop::collection::vec(module_name(), 1..3),
        prop_oneof![
            type_name().prop_map(Expr::Name),
            function_name().prop_map(Expr::Name),
            gensym().prop_map(Expr::Var),
            operator().prop_map(Expr::Op),
        ],
    )
        .prop_map(|(modules, member)| {
            let mut it = modules.into_iter();
            let mut e = Expr::Name(it.next().unwrap());
            for m in it {
                e = Expr::Dot(b(e), b(Expr::Name(m)));
            }
            Expr::Dot(b(e), b(member))
        })
}

fn name() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => type_name().prop_map(Expr::Name),
        3 => qualified(),
        1 => gensym().prop_map(Expr::Var),
    ]
}

fn typeof_call() -> impl Strategy<Value = Expr> {
    prop_oneof![
        qualified(),
        function_name().prop_map(Expr::Name),
        operator().prop_map(Expr::Op),
    ]
    .prop_map(|arg| Expr::Call(b(Expr::Name("typeof".into())), vec![arg]))
}

fn symbol_call(content: impl Strategy<Value = String>) -> impl Strategy<Value = Expr> {
    content.prop_map(|s| Expr::Call(b(Expr::Name("Symbol".into())), vec![Expr::Str(s)]))
}

fn value() -> impl Strategy<Value = Expr> {
    prop_oneof![
        "-?[1-9][0-9]{0,5}".prop_map(Expr::Int),
        "0x[0-9a-f]{2,8}".prop_map(Expr::Hex),
        "-?[0-9]{1,3}\\.[0-9]{1,3}(f0|e-?[1-9])?".prop_map(Expr::Float),
        // Lossy: no decimal point.
        "[1-9][0-9]?(e|f)-?[0-9]".prop_map(Expr::Float),
        Just(Expr::Float("-Inf".into())),
        "[a-z0-9 ]".prop_map(Expr::Char),
        Just(Expr::Char("\\n".into())),
        "[a-z /]{0,8}".prop_map(Expr::Str),
        function_name().prop_map(Expr::Symbol),
        Just(Expr::Symbol("==".into())),
        symbol_call("[a-z/#]{1,8}"),
        prop::collection::vec(function_name().prop_map(Expr::Symbol), 0..4).prop_map(Expr::Tuple),
        prop_oneof![
            Just("Char"),
            Just("SPIRV.Dim"),
            Just("Core.AddrSpace{Core}")
        ]
        .prop_flat_map(|callee| {
            "0x[0-9a-f]{2,8}".prop_map(move |hex| {
                let callee = parse_type_expr(callee).unwrap();
                Expr::Call(b(callee), vec![Expr::Hex(hex)])
            })
        }),
    ]
}

/// A `where` as the operand of `<:` / `>:` is printed in parentheses, as Julia does.
fn paren_where(e: Expr) -> Expr {
    match e {
        Expr::Where(..) => Expr::Paren(b(e)),
        e => e,
    }
}

/// A type expression as Julia prints it, with no ambiguity left to the printer.
fn type_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        4 => name(),
        2 => typeof_call(),
        1 => (module_name(), gensym()).prop_map(|(m, g)| Expr::Call(
            b(Expr::Name("getfield".into())),
            vec![
                Expr::Name(m),
                Expr::Call(b(Expr::Name("Symbol".into())), vec![Expr::Str(g)])
            ]
        )),
        2 => value(),
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            // Curly application; arguments may use the `<:T` / `>:T` shorthand.
            4 => (
                name(),
                prop::collection::vec(
                    prop_oneof![
                        6 => inner.clone(),
                        1 => inner.clone().prop_map(|e| Expr::UpperBound(b(paren_where(e)))),
                        1 => inner.clone().prop_map(|e| Expr::LowerBound(b(paren_where(e)))),
                    ],
                    0..4
                )
            )
                .prop_map(|(head, args)| Expr::Curly(b(head), args)),
            // `Vararg{T}` / `Vararg{T, N}`
            1 => (inner.clone(), prop::option::of(1u32..9)).prop_map(|(t, n)| {
                let mut args = vec![t];
                args.extend(n.map(|n| Expr::Int(n.to_string())));
                Expr::Curly(b(Expr::Name("Vararg".into())), args)
            }),
            // `body where T`, `where {A, B<:X}`, `where L<:T<:U`; a `where` as a bound is
            // parenthesized as Julia prints it.
            2 => (
                inner.clone(),
                prop::collection::vec(
                    (
                        "[A-Z_][A-Z0-9]?",
                        prop::option::of(inner.clone()),
                        prop::option::of(inner.clone())
                    )
                        .prop_map(|(var, upper, lower)| {
                            let var = Expr::Name(var);
                            match (lower.map(paren_where), upper.map(paren_where)) {
                                (None, None) => var,
                                (None, Some(u)) => Expr::Subtype(b(var), b(u)),
                                (Some(l), None) => Expr::Supertype(b(var), b(l)),
                                (Some(l), Some(u)) => Expr::Bounded(b(l), b(var), b(u)),
                            }
                        }),
                    1..3
                )
            )
                .prop_map(|(body, vars)| Expr::Where(b(body), vars)),
            // Tuples and parenthesized expressions.
            1 => prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::Tuple),
            1 => inner.clone().prop_map(|e| Expr::Paren(b(e))),
        ]
    })
}

/// The flags the analysis must find in a signature (besides `MAIN`).
fn expected_flags(e: &Expr) -> Flags {
    let mut flags = Flags::NONE;
    visit(e, &mut |e| match e {
        // `var"#s11"` is a gensym'd type variable, not a closure.
        Expr::Var(s) if s.starts_with('#') && !is_type_var_gensym(s) => {
            flags.insert(Flags::CLOSURE)
        }
        Expr::Call(callee, args) => match &**callee {
            Expr::Name(n) if n == "Symbol" => {
                if matches!(&args[0], Expr::Str(s) if s.starts_with('#')) {
                    flags.insert(Flags::CLOSURE);
                }
            }
            Expr::Name(n) if n == "typeof" || n == "getfield" => {}
            _ => flags.insert(Flags::BITS_VALUE),
        },
        Expr::Float(f) if !f.contains('.') && !f.ends_with("Inf") => {
            flags.insert(Flags::LOSSY_VALUE)
        }
        _ => {}
    });
    if let Expr::Curly(_, args) = e {
        if let Some(Expr::Curly(head, vargs)) = args.last() {
            if matches!(&**head, Expr::Name(n) if n == "Vararg") && vargs.len() == 1 {
                flags.insert(Flags::UNBOUNDED_VARARG);
            }
        }
    }
    flags
}

/// Calls `f` on `e` and every expression inside it.
fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Dot(a, b2) | Expr::Subtype(a, b2) | Expr::Supertype(a, b2) => {
            visit(a, f);
            visit(b2, f);
        }
        Expr::Bounded(a, v, u) => {
            visit(a, f);
            visit(v, f);
            visit(u, f);
        }
        Expr::Curly(h, args) | Expr::Call(h, args) | Expr::Where(h, args) => {
            visit(h, f);
            args.iter().for_each(|a| visit(a, f));
        }
        Expr::UpperBound(a) | Expr::LowerBound(a) | Expr::Paren(a) => visit(a, f),
        Expr::Tuple(items) => items.iter().for_each(|a| visit(a, f)),
        _ => {}
    }
}

/// The roots Julia needs bound, in order of first appearance: first components of qualified
/// names and `getfield`'s module.
fn expected_roots(e: &Expr, out: &mut Vec<String>) {
    let add = |s: &str, out: &mut Vec<String>| {
        if !out.iter().any(|r| r == s) {
            out.push(s.to_string());
        }
    };
    match e {
        Expr::Dot(lhs, _) => {
            let mut first = &**lhs;
            loop {
                match first {
                    Expr::Dot(l, _) => first = l,
                    Expr::Paren(inner) => first = inner,
                    _ => break,
                }
            }
            match first {
                Expr::Name(n) => add(n, out),
                other => expected_roots(other, out),
            }
        }
        Expr::Call(callee, args) => {
            expected_roots(callee, out);
            if matches!(&**callee, Expr::Name(n) if n == "getfield") {
                if let Expr::Name(m) = &args[0] {
                    add(m, out);
                }
            }
            args.iter().for_each(|a| expected_roots(a, out));
        }
        Expr::Curly(head, args) => {
            expected_roots(head, out);
            args.iter().for_each(|a| expected_roots(a, out));
        }
        Expr::Where(body, vars) => {
            expected_roots(body, out);
            vars.iter().for_each(|a| expected_roots(a, out));
        }
        Expr::Subtype(l, r) | Expr::Supertype(l, r) => {
            expected_roots(l, out);
            expected_roots(r, out);
        }
        Expr::Bounded(l, v, u) => {
            expected_roots(l, out);
            expected_roots(v, out);
            expected_roots(u, out);
        }
        Expr::UpperBound(e) | Expr::LowerBound(e) | Expr::Paren(e) => expected_roots(e, out),
        Expr::Tuple(items) => items.iter().for_each(|a| expected_roots(a, out)),
        _ => {}
    }
}

proptest! {
    // 512 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn printed_types_parse_back_to_the_same_tree(e in type_expr()) {
        let printed = e.to_string();
        let parsed = parse_type_expr(&printed);
        prop_assert_eq!(parsed.as_ref(), Ok(&e), "printed: {}", printed);
        // Printing is stable.
        prop_assert_eq!(parsed.unwrap().to_string(), printed);
    }

    #[test]
    fn statements_of_generated_types_are_accepted_with_their_roots(
        args in prop::collection::vec(type_expr().prop_filter("no bare bound", |e| {
            !matches!(e, Expr::UpperBound(_) | Expr::LowerBound(_))
        }), 1..4),
        comment in prop::option::of("[a-z :0-9.]{1,12}"),
    ) {
        let sig = Expr::Curly(b(Expr::Name("Tuple".into())), args);
        let mut line = format!("precompile({sig})");
        if let Some(comment) = &comment {
            line.push_str(" # ");
            line.push_str(comment);
        }
        let parsed = parse_statement(&line);
        prop_assert!(parsed.is_ok(), "{} -> {:?}", line, parsed);
        let parsed = parsed.unwrap();
        let statement = &parsed.statement;
        prop_assert_eq!(statement.signature_text(), sig.to_string());
        let mut roots = Vec::new();
        expected_roots(&sig, &mut roots);
        let found: Vec<&str> = statement.roots().collect();
        prop_assert_eq!(found, roots.iter().map(String::as_str).collect::<Vec<_>>(), "{}", line);
        prop_assert_eq!(statement.flags.contains(Flags::MAIN), roots.iter().any(|r| r == "Main"));
        prop_assert_eq!(
            Flags(statement.flags.0 & !Flags::MAIN.0),
            expected_flags(&sig),
            "{}",
            line
        );
        // Bounding the trailing vararg rewrites exactly that one and clears the flag.
        let bounded = compile_traces_core::syntax::bound_trailing_vararg(statement, 100);
        prop_assert_eq!(bounded.is_some(), statement.flags.contains(Flags::UNBOUNDED_VARARG));
        if let Some(bounded) = bounded {
            let reparsed = parse_statement(&bounded);
            prop_assert!(reparsed.is_ok(), "{} -> {:?}", bounded, reparsed);
            let reparsed = reparsed.unwrap();
            prop_assert!(!reparsed.statement.flags.contains(Flags::UNBOUNDED_VARARG));
            prop_assert!(reparsed.statement.text.ends_with(", 100}})"), "{}", bounded);
            prop_assert_eq!(bounded.len(), statement.text.len() + 5);
        }
        prop_assert_eq!(
            parsed.trailing_comment,
            comment.as_deref().map(str::trim).filter(|c| !c.is_empty())
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_statement(&text);
        let _ = parse_type_expr(&text);
        let _ = count_blocks(&text);
    }

    #[test]
    fn arbitrary_strings_never_panic(text in "\\PC{0,120}") {
        let _ = parse_statement(&text);
        let _ = parse_type_expr(&text);
        let _ = count_blocks(&text);
    }

    #[test]
    fn mutated_statements_never_panic(
        e in type_expr(),
        cut in any::<prop::sample::Index>(),
        insert in prop::sample::select(vec!["(", ")", "{", "}", "\"", "'", "#=", "=#", "#", "$", ",", "where ", "<:", ".", ":", "\\", "0x", "1e", "var\"", "inf", "1.5f", "#s1", ":=", "::", ".:(var\"==\")", "\n"]),
    ) {
        // Statement-like text with one token inserted anywhere: the interesting failures.
        let line = format!("precompile(Tuple{{{e}}})");
        let mut at = cut.index(line.len() + 1);
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{}{}", &line[..at], insert, &line[at..]);
        if let Ok(parsed) = parse_statement(&mutated) {
            // Anything accepted is a well-formed statement whose spans are in bounds.
            let text: &str = &parsed.statement.text;
            prop_assert!(parsed.statement.signature.end as usize <= text.len());
            for root in parsed.statement.roots() {
                prop_assert!(!root.is_empty());
            }
        }
        let _ = count_blocks(&mutated);
    }

    /// Known mis-printings put anywhere a value may stand are repaired: the statement is
    /// accepted with `REPAIRED`, its original text kept, and the repaired text is a statement
    /// that needs no repair, with the same signature span and roots.
    #[test]
    fn mis_printed_values_are_repaired_and_read_back(
        args in prop::collection::vec(type_expr().prop_filter("no bare bound", |e| {
            !matches!(e, Expr::UpperBound(_) | Expr::LowerBound(_))
        }), 0..3),
        misprint in prop::sample::select(vec![
            "inf", "-inf", "nan", "inff", "-inff", "nanf", "1.5f", "1f", "-2f", "1e+10f",
            "2.5e-05f", ":=", ":==", ":===", ":=>", "::", ":::",
        ]),
        at in any::<prop::sample::Index>(),
        gensym in prop::option::of(1u32..1000),
    ) {
        let mut items: Vec<String> = args.iter().map(ToString::to_string).collect();
        let value = format!("Val{{{misprint}}}");
        items.insert(at.index(items.len() + 1), value);
        let mut sig = format!("Tuple{{{}}}", items.join(", "));
        if let Some(n) = gensym {
            sig = format!("Tuple{{Base.Pair{{#s{n}, {}}}}} where #s{n}<:Integer", sig);
        }
        let line = format!("precompile({sig})");
        let parsed = parse_statement(&line);
        prop_assert!(parsed.is_ok(), "{} -> {:?}", line, parsed);
        let statement = parsed.unwrap().statement;
        prop_assert!(statement.flags.contains(Flags::REPAIRED), "{}", line);
        prop_assert_eq!(statement.original(), Some(line.as_str()));
        let again = parse_statement(&statement.text);
        prop_assert!(again.is_ok(), "{} -> {:?}", statement.text, again);
        let again = again.unwrap().statement;
        prop_assert!(again.repairs().is_empty() && !again.flags.contains(Flags::REPAIRED));
        prop_assert_eq!(again.signature, statement.signature);
        prop_assert_eq!(again.roots, statement.roots);
    }
}

/// The opcodes of an encoding, in order.
fn opcodes(encoded: &encode::Encoded) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < encoded.code.len() {
        let code = (encoded.code[i] & 0xff) as u8;
        out.push(code);
        i += 1 + encode::op::extra_words(code).unwrap_or(0);
    }
    out
}

proptest! {
    /// The tree handed to Julia carries the whole parsed expression: it decodes to the parsed
    /// tree (up to the spelling of literals and parentheses), and no shape the parser accepts
    /// is refused by the encoder's allow-list.
    #[test]
    fn encoded_trees_decode_to_the_parsed_tree(e in type_expr()) {
        let parsed = parse_type_expr(&e.to_string()).unwrap();
        let encoded = encode::encode(&parsed);
        prop_assert_eq!(encode::decode(&encoded), Some(encode::canonical(&parsed)));
        prop_assert!(!opcodes(&encoded).contains(&encode::op::REJECT), "{}", e);
    }
}
