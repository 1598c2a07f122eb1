use super::*;
use crate::syntax::parse_type_expr;

fn enc(text: &str) -> Encoded {
    encode(&parse_type_expr(text).unwrap_or_else(|e| panic!("{text}: {e:?}")))
}

/// The (opcode, operand) of every header, in order, with extra words skipped.
fn ops(e: &Encoded) -> Vec<(u8, u64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < e.code.len() {
        let code = (e.code[i] & 0xff) as u8;
        out.push((code, e.code[i] >> 8));
        i += 1 + op::extra_words(code).expect("known opcode");
    }
    out
}

fn single(text: &str) -> (u8, u64, Vec<u64>) {
    let e = enc(text);
    let code = (e.code[0] & 0xff) as u8;
    assert_eq!(
        e.code.len(),
        1 + op::extra_words(code).unwrap(),
        "{text}: one node"
    );
    (code, e.code[0] >> 8, e.code[1..].to_vec())
}

fn message(text: &str) -> String {
    let e = enc(text);
    let code = (e.code[0] & 0xff) as u8;
    assert!(code == op::ERROR || code == op::REJECT, "{text}: {code}");
    let len = (e.code[0] >> 8) as usize;
    let start = e.code[1] as usize;
    String::from_utf8(e.strings[start..start + len].to_vec()).unwrap()
}

#[test]
fn a_signature_is_prefix_order_with_names_in_the_string_table() {
    let e = enc("Tuple{typeof(Base.sum), Array{Int64, 1}}");
    assert_eq!(
        ops(&e),
        vec![
            (op::CURLY, 2),
            (op::NAME, 5),
            (op::TYPEOF, 0),
            (op::DOT, 3),
            (op::NAME, 4),
            (op::CURLY, 2),
            (op::NAME, 5),
            (op::NAME, 5),
            (op::INT64, 0),
        ]
    );
    assert_eq!(
        String::from_utf8(e.strings).unwrap(),
        "TuplesumBaseArrayInt64"
    );
}

#[test]
fn where_puts_the_variables_before_the_body_outermost_first() {
    let e = enc("Tuple{Type{T}, S} where {T<:Real, Int64<:S<:T} where U>:Int64");
    assert_eq!(
        ops(&e).iter().map(|&(c, _)| c).collect::<Vec<_>>(),
        vec![
            op::WHERE,
            op::TVAR_LB,
            op::NAME, // Int64, U's lower bound
            op::WHERE,
            op::TVAR_UB,
            op::NAME, // Real
            op::TVAR_LUB,
            op::NAME, // Int64
            op::NAME, // T
            op::CURLY,
            op::NAME,
            op::CURLY,
            op::NAME,
            op::NAME,
            op::NAME,
        ]
    );
    assert_eq!(ops(&enc("Vararg{Any, N} where N"))[1], (op::TVAR, 1));
}

#[test]
fn the_bound_shorthand_is_only_a_curly_parameter() {
    let e = enc("Tuple{Vector{<:Real}, Ref{>:Int64}}");
    let codes: Vec<u8> = ops(&e).iter().map(|&(c, _)| c).collect();
    assert!(codes.contains(&op::SHORT_UB) && codes.contains(&op::SHORT_LB));
    // A shape the parser never builds is refused, not encoded as something else.
    let bad = Expr::Tuple(vec![Expr::UpperBound(Box::new(Expr::Name("Real".into())))]);
    assert_eq!(ops(&encode(&bad))[1].0, op::REJECT);
    let cmp = Expr::Subtype(
        Box::new(Expr::Name("A".into())),
        Box::new(Expr::Name("B".into())),
    );
    assert_eq!(ops(&encode(&cmp))[0].0, op::REJECT);
}

#[test]
fn the_accepted_calls_have_their_own_opcodes() {
    assert_eq!(ops(&enc("typeof(+)")), vec![(op::TYPEOF, 0), (op::NAME, 1)]);
    assert_eq!(ops(&enc("Symbol(\"#3#4\")")), vec![(op::SYMBOL_CALL, 4)]);
    let g = enc("getfield(Base, Symbol(\"#f#1\"))");
    assert_eq!(ops(&g), vec![(op::GETFIELD, 4), (op::NAME, 4)]);
    assert_eq!(String::from_utf8(g.strings).unwrap(), "#f#1Base");
    assert_eq!(
        ops(&enc("Core.kwftype(typeof(Base.sum))"))[..2],
        [(op::KWFTYPE, 0), (op::TYPEOF, 0)]
    );
    assert_eq!(
        ops(&enc("Char(0x55000000)")),
        vec![(op::BITS, 0), (op::NAME, 4), (op::UINT32, 0)]
    );
    assert_eq!(
        ops(&enc("Core.AddrSpace{Core}(0x00)"))[..2],
        [(op::BITS, 0), (op::CURLY, 1)]
    );
    // Not a call the allow-list knows: refused.
    let call = Expr::Call(
        Box::new(Expr::Name("run".into())),
        vec![Expr::Str("ls".into())],
    );
    assert_eq!(ops(&encode(&call))[0].0, op::REJECT);
    let exit = Expr::Call(
        Box::new(Expr::Name("typeof".into())),
        vec![Expr::Name("a".into()), Expr::Name("b".into())],
    );
    assert_eq!(ops(&encode(&exit))[0].0, op::REJECT);
}

#[test]
fn names_operators_and_var_names() {
    assert_eq!(enc("Base.:(==)").strings, b"==Base");
    assert_eq!(enc("Main.var\"#f#1\"").strings, b"#f#1Main");
    // Raw string rules: `\"` is a quote, a backslash run before the closing quote is halved.
    assert_eq!(unescape_raw(r#"a\"b"#), br#"a"b"#);
    assert_eq!(unescape_raw(r"a\\"), br"a\");
    assert_eq!(unescape_raw(r"a\b"), br"a\b");
    assert_eq!(unescape_raw(r#"\\\"x"#), br#"\"x"#);
    assert_eq!(single("true"), (op::BOOL, 1, vec![]));
    assert_eq!(single("false"), (op::BOOL, 0, vec![]));
    assert_eq!(single(":x").0, op::SYMBOL);
    assert_eq!(enc(":(==)").strings, b"==");
    assert_eq!(enc(":var\"a b\"").strings, b"a b");
}

#[test]
fn integers_have_julias_types() {
    assert_eq!(single("12"), (op::INT64, 0, vec![12]));
    assert_eq!(single("-12"), (op::INT64, 0, vec![(-12i64) as u64]));
    assert_eq!(single("007"), (op::INT64, 0, vec![7]));
    // The sign belongs to a decimal literal: the smallest Int64 is an Int64.
    assert_eq!(
        single("-9223372036854775808"),
        (op::INT64, 0, vec![i64::MIN as u64])
    );
    let big = single("9223372036854775808");
    assert_eq!((big.0, big.2.clone()), (op::INT128, vec![1 << 63, 0]));
    let neg = single("-9223372036854775809");
    assert_eq!(neg.0, op::INT128);
    assert_eq!(
        ((neg.2[1] as u128) << 64 | neg.2[0] as u128) as i128,
        -9223372036854775809i128
    );
    assert!(message("170141183460469231731687303715884105728").contains("BigInt"));
}

#[test]
fn unsigned_literals_take_their_width_from_the_digit_count() {
    assert_eq!(single("0x1"), (op::UINT8, 0, vec![1]));
    assert_eq!(single("0xff"), (op::UINT8, 0, vec![255]));
    assert_eq!(single("0x00ff"), (op::UINT16, 0, vec![255]));
    assert_eq!(single("0x001"), (op::UINT16, 0, vec![1]));
    assert_eq!(single("0x55000000"), (op::UINT32, 0, vec![0x5500_0000]));
    assert_eq!(single("0x000000001"), (op::UINT64, 0, vec![1]));
    let wide = single("0x00000000000000010000000000000002");
    assert_eq!((wide.0, wide.2), (op::UINT128, vec![2, 1]));
    assert!(message("0x000000000000000000000000000000001").contains("BigInt"));
    assert_eq!(single("0b101"), (op::UINT8, 0, vec![5]));
    assert_eq!(single("0b000000001"), (op::UINT16, 0, vec![1]));
    // Octal: digit count and value together.
    assert_eq!(single("0o377"), (op::UINT8, 0, vec![255]));
    assert_eq!(single("0o400"), (op::UINT16, 0, vec![256]));
    assert_eq!(single("0o1"), (op::UINT8, 0, vec![1]));
    // `-0b1` is Julia's unary minus on a UInt8: it wraps.
    assert_eq!(single("-0b1"), (op::UINT8, 0, vec![255]));
}

#[test]
fn floats_are_bit_patterns() {
    assert_eq!(single("1.5"), (op::FLOAT64, 0, vec![1.5f64.to_bits()]));
    assert_eq!(
        single("-1.5e3"),
        (op::FLOAT64, 0, vec![(-1500.0f64).to_bits()])
    );
    assert_eq!(
        single("1.0e-5"),
        (op::FLOAT64, 0, vec![1.0e-5f64.to_bits()])
    );
    assert_eq!(
        single("1.5f0"),
        (op::FLOAT32, 1.5f32.to_bits() as u64, vec![])
    );
    assert_eq!(
        single("1.0f10"),
        (op::FLOAT32, 1.0e10f32.to_bits() as u64, vec![])
    );
    assert_eq!(
        single("-2.5f-3"),
        (op::FLOAT32, (-2.5e-3f32).to_bits() as u64, vec![])
    );
    // Read directly as a Float32, not rounded twice through a Float64.
    assert_eq!(
        single("1.00000005960464477539062501f0").1,
        "1.00000005960464477539062501"
            .parse::<f32>()
            .unwrap()
            .to_bits() as u64
    );
    assert_eq!(
        single("-Inf"),
        (op::FLOAT64, 0, vec![f64::NEG_INFINITY.to_bits()])
    );
    assert_eq!(
        single("-Inf32"),
        (op::FLOAT32, f32::NEG_INFINITY.to_bits() as u64, vec![])
    );
    assert_eq!(single("-Inf16"), (op::FLOAT16, 0xfc00, vec![]));
    assert_eq!(
        single("-NaN"),
        (op::FLOAT64, 0, vec![0xfff8_0000_0000_0000])
    );
    assert_eq!(single("-NaN32"), (op::FLOAT32, 0xffc0_0000, vec![]));
    // Julia's reader refuses an overflowing literal and accepts an underflowing one.
    assert!(message("1.0e400").contains("overflow"));
    assert!(message("1.0f40").contains("overflow"));
    assert_eq!(single("1.0e-400"), (op::FLOAT64, 0, vec![0]));
    assert_eq!(single("5.0e-324"), (op::FLOAT64, 0, vec![1]));
}

#[test]
fn chars_use_julias_representation() {
    assert_eq!(single("'a'"), (op::CHAR, 0x6100_0000, vec![]));
    assert_eq!(single("'∀'"), (op::CHAR, 0xe288_8000, vec![]));
    assert_eq!(single(r"'\u2200'"), (op::CHAR, 0xe288_8000, vec![]));
    assert_eq!(single(r"'\n'"), (op::CHAR, 0x0a00_0000, vec![]));
    assert_eq!(single(r"'\''"), (op::CHAR, 0x2700_0000, vec![]));
    assert_eq!(single(r"'\0'"), (op::CHAR, 0, vec![]));
    assert_eq!(single(r"'\x80'"), (op::CHAR, 0x8000_0000, vec![]));
    assert_eq!(single(r"'\xff'"), (op::CHAR, 0xff00_0000, vec![]));
    assert_eq!(single(r"'\U1F600'"), (op::CHAR, 0xf09f_9880, vec![]));
    // A surrogate is encoded like any 3-byte code point, as Julia's Char(0xd800) is.
    assert_eq!(char_value(r"\ud800"), Ok(0xeda0_8000));
    // Bytes that form one (possibly invalid) character are one char; more are an error.
    assert_eq!(char_value(r"\xe2\x88\x80"), Ok(0xe288_8000));
    assert_eq!(char_value(r"\xc0\x80"), Ok(0xc080_0000));
    assert!(char_value(r"\x80\x80").is_err());
    assert!(char_value(r"\xe2\x88a").is_err());
    assert!(char_value(r"\U110000").is_err());
}

#[test]
fn strings_process_julias_escapes() {
    assert_eq!(unescape(r"a\tb\\c\$").unwrap(), b"a\tb\\c$");
    assert_eq!(unescape(r"\x41\101\u00e9").unwrap(), "AAé".as_bytes());
    assert_eq!(unescape(r"\xff").unwrap(), vec![0xff]);
    assert_eq!(
        unescape(r"\e\a\b\f\v\`").unwrap(),
        vec![0x1b, 7, 8, 0x0c, 0x0b, b'`']
    );
    assert_eq!(unescape(r"\1234").unwrap(), b"S4"); // three octal digits at most
    assert!(unescape(r"\400").is_err());
    assert!(unescape(r"\q").is_err());
    assert!(unescape(r"\x").is_err());
    // The repaired text of a symbol printed with a raw backslash reads back as that backslash.
    assert_eq!(
        enc(r#"Symbol("yyyy-mm-dd\\THH")"#).strings,
        br"yyyy-mm-dd\THH"
    );
    assert!(message(r#"Symbol("a\q")"#).contains("invalid escape"));
}

#[test]
fn tuples_and_parentheses() {
    assert_eq!(
        ops(&enc("(Int64, (1, :a), ())")),
        vec![
            (op::TUPLE, 3),
            (op::NAME, 5),
            (op::TUPLE, 2),
            (op::INT64, 0),
            (op::SYMBOL, 1),
            (op::TUPLE, 0)
        ]
    );
    assert_eq!(
        ops(&enc("(Base.Docs).Binding")),
        ops(&enc("Base.Docs.Binding"))
    );
}

#[test]
fn decode_gives_back_the_canonical_tree() {
    for text in [
        "Tuple{typeof(Base.sum), Array{Int64, 1}}",
        "Tuple{Type{T}, S} where {T<:Real, Int64<:S<:T} where U>:Int64",
        "Tuple{Vector{<:Real}, Ref{>:Int64}}",
        "Tuple{getfield(Base, Symbol(\"#f#1\")){Int64}, Val{'x'}, Val{:a}, Val{(1, 2.5)}}",
        "Tuple{Core.kwftype(typeof(Base.sum)), Val{Char(0x55000000)}, Val{-Inf32}}",
        "Tuple{Base.:(==), Main.var\"#s1\", Val{0x00ff}, Val{true}}",
    ] {
        let e = parse_type_expr(text).unwrap();
        assert_eq!(decode(&encode(&e)), Some(canonical(&e)), "{text}");
    }
    assert_eq!(
        decode(&Encoded {
            code: vec![op::CURLY as u64 | 2 << 8],
            strings: vec![]
        }),
        None
    );
    assert_eq!(
        decode(&Encoded {
            code: vec![200],
            strings: vec![]
        }),
        None
    );
}
