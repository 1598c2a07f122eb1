//! A compact encoding of a type expression's tree for an evaluator that builds the type without
//! parsing text: a flat, prefix-order array of 64-bit words plus one string of names.
//!
//! The opcode set is the allow-list: an evaluator that knows only these opcodes can build names,
//! curly applications, `where` clauses, literals and the few accepted calls, and nothing else.
//! Every shape the grammar accepts has an opcode; any other shape (which the parser never
//! produces) is encoded as [`op::REJECT`] with a message, never as something runnable.
//!
//! Literals are converted here, to the values Julia's reader gives for the same text: decimal
//! integers as `Int64` (else `Int128`), hex, binary and octal literals as the unsigned type their
//! digit count selects, floats as `Float64` / `Float32` bit patterns (`-Inf16` as `Float16`),
//! chars as the 32-bit pattern of Julia's `Char` (invalid UTF-8 included, as `'\x80'` reads),
//! strings with their escapes processed. A literal Julia's reader refuses (an overflowing float,
//! an invalid escape) or reads as a `BigInt` is encoded as [`op::ERROR`] with Julia's message.
//!
//! # Layout
//!
//! Each node is a header word, `opcode | operand << 8`, followed by the fixed number of extra
//! words its opcode has (see [`op`]), then its children in order. A string operand is the header's
//! operand (byte length) plus one extra word (byte offset into [`Encoded::strings`]).

use super::ast::Expr;

/// Opcodes. `len`/`offset`: a string in [`Encoded::strings`]; children follow in the order given.
pub mod op {
    /// Version of this encoding, bumped on any change of layout or meaning.
    pub const VERSION: u32 = 1;

    /// A bare name (an identifier, `var"..."` content or operator): `len`, `offset`.
    pub const NAME: u8 = 1;
    /// `M.name`: `len`, `offset` (the member); child: `M`.
    pub const DOT: u8 = 2;
    /// `getfield(M, Symbol("name"))`: `len`, `offset`; child: `M`.
    pub const GETFIELD: u8 = 3;
    /// `head{params...}`: operand `n`; children: head, then `n` parameters.
    pub const CURLY: u8 = 4;
    /// `typeof(x)`: child `x`.
    pub const TYPEOF: u8 = 5;
    /// `Core.kwftype(x)`: child `x` (a `typeof`).
    pub const KWFTYPE: u8 = 6;
    /// A bits value `T(0x..)`: children: `T`, then the unsigned literal.
    pub const BITS: u8 = 7;
    /// `body where {vars...}`: operand `n`; children: `n` type variables (`TVAR*`), then body.
    /// The first variable is the outermost; each one's bounds see the ones before it.
    pub const WHERE: u8 = 8;
    /// A type variable without bounds: `len`, `offset` (its name).
    pub const TVAR: u8 = 9;
    /// `T<:ub`: `len`, `offset`; child: `ub`.
    pub const TVAR_UB: u8 = 10;
    /// `T>:lb`: `len`, `offset`; child: `lb`.
    pub const TVAR_LB: u8 = 11;
    /// `lb<:T<:ub`: `len`, `offset`; children: `lb`, `ub`.
    pub const TVAR_LUB: u8 = 12;
    /// `<:T` as a curly parameter: child `T`.
    pub const SHORT_UB: u8 = 13;
    /// `>:T` as a curly parameter: child `T`.
    pub const SHORT_LB: u8 = 14;
    /// A tuple value `(a, b)`: operand `n`; `n` children.
    pub const TUPLE: u8 = 15;
    /// A symbol value written `:name`: `len`, `offset`.
    pub const SYMBOL: u8 = 16;
    /// A symbol value written `Symbol("...")`: `len`, `offset` (escapes processed).
    pub const SYMBOL_CALL: u8 = 17;
    /// A string value: `len`, `offset` (escapes processed).
    pub const STRING: u8 = 18;
    /// `true` / `false`: operand 1 / 0.
    pub const BOOL: u8 = 19;
    /// `Int64`: one extra word (two's complement).
    pub const INT64: u8 = 20;
    /// `Int128`: two extra words, low then high.
    pub const INT128: u8 = 21;
    /// `UInt8`, `UInt16`, `UInt32`, `UInt64`: one extra word.
    pub const UINT8: u8 = 22;
    pub const UINT16: u8 = 23;
    pub const UINT32: u8 = 24;
    pub const UINT64: u8 = 25;
    /// `UInt128`: two extra words, low then high.
    pub const UINT128: u8 = 26;
    /// `Float64`: one extra word, the bit pattern.
    pub const FLOAT64: u8 = 27;
    /// `Float32`: operand = the bit pattern.
    pub const FLOAT32: u8 = 28;
    /// `Float16`: operand = the bit pattern.
    pub const FLOAT16: u8 = 29;
    /// `Char`: operand = Julia's 32-bit representation (UTF-8 bytes, left-aligned).
    pub const CHAR: u8 = 30;
    /// A literal Julia's reader refuses or cannot use: `len`, `offset` of the message. The
    /// evaluator fails the statement with it.
    pub const ERROR: u8 = 31;
    /// A shape outside the allow-list (never produced for a statement the parser accepted):
    /// `len`, `offset` of the message. The evaluator refuses the statement.
    pub const REJECT: u8 = 32;

    /// Number of extra words after the header of opcode `code`; `None` for an unknown opcode.
    pub fn extra_words(code: u8) -> Option<usize> {
        Some(match code {
            NAME | DOT | GETFIELD | TVAR | TVAR_UB | TVAR_LB | TVAR_LUB | SYMBOL | SYMBOL_CALL
            | STRING | ERROR | REJECT => 1,
            CURLY | TYPEOF | KWFTYPE | BITS | WHERE | SHORT_UB | SHORT_LB | TUPLE | BOOL
            | FLOAT32 | FLOAT16 | CHAR => 0,
            INT64 | UINT8 | UINT16 | UINT32 | UINT64 | FLOAT64 => 1,
            INT128 | UINT128 => 2,
            _ => return None,
        })
    }
}

/// The encoding of one expression: see the [module documentation](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoded {
    pub code: Vec<u64>,
    /// Names, symbols, strings and messages, concatenated (UTF-8 except where a string literal's
    /// escapes produce invalid UTF-8, which is then carried byte for byte).
    pub strings: Vec<u8>,
}

/// Encodes `expr` (a signature, or the argument tuple of the two-argument form). Never fails:
/// problems become [`op::ERROR`] / [`op::REJECT`] nodes.
pub fn encode(expr: &Expr) -> Encoded {
    let mut out = Encoded::default();
    out.node(expr, Place::Value);
    out
}

/// Parses `text` (a statement's signature or argument tuple) and encodes it. Text the grammar
/// refuses, which a statement's own spans never are, is encoded as one [`op::REJECT`] node.
pub fn encode_text(text: &str) -> Encoded {
    match super::parse_type_expr(text) {
        Ok(expr) => encode(&expr),
        Err(error) => {
            let mut out = Encoded::default();
            out.reject(format!(
                "`{text}` does not parse as a type: {}",
                error.message
            ));
            out
        }
    }
}

/// Where a node sits: decides which shapes are allowed there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Value,
    /// A direct parameter of `{...}`: the `<:T` / `>:T` shorthand is allowed.
    CurlyParam,
}

impl Encoded {
    fn header(&mut self, code: u8, operand: u64) {
        self.code.push(code as u64 | operand << 8);
    }

    fn string_op(&mut self, code: u8, bytes: &[u8]) {
        let offset = self.strings.len() as u64;
        self.strings.extend_from_slice(bytes);
        self.header(code, bytes.len() as u64);
        self.code.push(offset);
    }

    fn error(&mut self, message: String) {
        self.string_op(op::ERROR, message.as_bytes());
    }

    fn reject(&mut self, message: String) {
        self.string_op(op::REJECT, message.as_bytes());
    }

    fn node(&mut self, e: &Expr, place: Place) {
        match e {
            Expr::Name(n) if n == "true" || n == "false" => {
                self.header(op::BOOL, (n == "true") as u64)
            }
            Expr::Name(n) | Expr::Op(n) => self.string_op(op::NAME, n.as_bytes()),
            Expr::Var(v) => self.string_op(op::NAME, &unescape_raw(v)),
            Expr::Dot(lhs, member) => {
                match &**member {
                    Expr::Name(n) | Expr::Op(n) => self.string_op(op::DOT, n.as_bytes()),
                    Expr::Var(v) => self.string_op(op::DOT, &unescape_raw(v)),
                    other => return self.reject(format!("`.` followed by {other:?}")),
                }
                self.node(lhs, Place::Value);
            }
            Expr::Curly(head, params) => {
                self.header(op::CURLY, params.len() as u64);
                self.node(head, Place::Value);
                for p in params {
                    self.node(p, Place::CurlyParam);
                }
            }
            Expr::Call(callee, args) => self.call(callee, args),
            Expr::Where(body, vars) => {
                self.header(op::WHERE, vars.len() as u64);
                for v in vars {
                    self.where_var(v);
                }
                self.node(body, Place::Value);
            }
            Expr::UpperBound(t) | Expr::LowerBound(t) if place == Place::CurlyParam => {
                let code = if matches!(e, Expr::UpperBound(_)) {
                    op::SHORT_UB
                } else {
                    op::SHORT_LB
                };
                self.header(code, 0);
                self.node(t, Place::Value);
            }
            Expr::UpperBound(_) | Expr::LowerBound(_) => {
                self.reject("the `<:T` / `>:T` shorthand outside braces".into())
            }
            Expr::Subtype(..) | Expr::Supertype(..) | Expr::Bounded(..) => {
                self.reject("a `<:` / `>:` comparison outside a `where` clause".into())
            }
            Expr::Tuple(items) => {
                self.header(op::TUPLE, items.len() as u64);
                for item in items {
                    self.node(item, Place::Value);
                }
            }
            // Julia reads `(x)` as `x`; `{(<:T)}` is not the shorthand, so the place resets.
            Expr::Paren(inner) => self.node(inner, Place::Value),
            Expr::Int(text) => self.int(text),
            Expr::Hex(text) => self.unsigned(text),
            Expr::Float(text) => self.float(text),
            Expr::Char(text) => match char_value(text) {
                Ok(bits) => self.header(op::CHAR, bits as u64),
                Err(message) => self.error(message),
            },
            Expr::Str(text) => match unescape(text) {
                Ok(bytes) => self.string_op(op::STRING, &bytes),
                Err(message) => self.error(message),
            },
            Expr::Symbol(s) => self.string_op(op::SYMBOL, &symbol_name(s)),
        }
    }

    fn where_var(&mut self, v: &Expr) {
        let name = |e: &Expr| -> Option<Vec<u8>> {
            match e {
                Expr::Name(n) => Some(n.as_bytes().to_vec()),
                Expr::Var(v) => Some(unescape_raw(v)),
                _ => None,
            }
        };
        let bad = || format!("`where` variable {v:?} is not a name with optional bounds");
        match v {
            Expr::Subtype(var, ub) => match name(var) {
                Some(n) => {
                    self.string_op(op::TVAR_UB, &n);
                    self.node(ub, Place::Value);
                }
                None => self.reject(bad()),
            },
            Expr::Supertype(var, lb) => match name(var) {
                Some(n) => {
                    self.string_op(op::TVAR_LB, &n);
                    self.node(lb, Place::Value);
                }
                None => self.reject(bad()),
            },
            Expr::Bounded(lb, var, ub) => match name(var) {
                Some(n) => {
                    self.string_op(op::TVAR_LUB, &n);
                    self.node(lb, Place::Value);
                    self.node(ub, Place::Value);
                }
                None => self.reject(bad()),
            },
            other => match name(other) {
                Some(n) => self.string_op(op::TVAR, &n),
                None => self.reject(bad()),
            },
        }
    }

    fn call(&mut self, callee: &Expr, args: &[Expr]) {
        let is_name = |e: &Expr, n: &str| matches!(e, Expr::Name(x) if x == n);
        let symbol_arg = |e: &Expr| -> Option<Result<Vec<u8>, String>> {
            match e {
                Expr::Call(c, a) if is_name(c, "Symbol") && a.len() == 1 => match &a[0] {
                    Expr::Str(s) => Some(unescape(s)),
                    _ => None,
                },
                _ => None,
            }
        };
        match args {
            [x] if is_name(callee, "typeof") => {
                self.header(op::TYPEOF, 0);
                self.node(x, Place::Value);
            }
            [Expr::Str(s)] if is_name(callee, "Symbol") => match unescape(s) {
                Ok(bytes) => self.string_op(op::SYMBOL_CALL, &bytes),
                Err(message) => self.error(message),
            },
            [m, sym] if is_name(callee, "getfield") => match symbol_arg(sym) {
                Some(Ok(bytes)) => {
                    self.string_op(op::GETFIELD, &bytes);
                    self.node(m, Place::Value);
                }
                Some(Err(message)) => self.error(message),
                None => self.reject("`getfield` with a field that is not `Symbol(\"...\")`".into()),
            },
            [x] if matches!(callee, Expr::Dot(m, k) if is_name(m, "Core") && is_name(k, "kwftype")) => {
                self.header(op::KWFTYPE, 0);
                self.node(x, Place::Value);
            }
            [hex @ Expr::Hex(_)] if !matches!(callee, Expr::Name(n) if n == "typeof" || n == "Symbol" || n == "getfield") => {
                self.header(op::BITS, 0);
                self.node(callee, Place::Value);
                self.node(hex, Place::Value);
            }
            _ => self.reject(format!(
                "call to {callee:?} (only typeof, Symbol, getfield, Core.kwftype and bits values are allowed)"
            )),
        }
    }

    /// A decimal, binary (`0b`) or octal (`0o`) integer literal, possibly with a `-`.
    fn int(&mut self, text: &str) {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if let Some(bin) = digits.strip_prefix("0b") {
            return self.radix_literal(text, negative, bin, 2);
        }
        if let Some(oct) = digits.strip_prefix("0o") {
            return self.radix_literal(text, negative, oct, 8);
        }
        // Julia reads the sign as part of a decimal literal: `-9223372036854775808` is an Int64.
        if let Ok(v) = text.parse::<i64>() {
            self.header(op::INT64, 0);
            self.code.push(v as u64);
        } else if let Ok(v) = text.parse::<i128>() {
            self.header(op::INT128, 0);
            self.code.push(v as u64);
            self.code.push((v >> 64) as u64);
        } else if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() {
            self.error(format!(
                "integer literal {text} does not fit in Int128: Julia reads it as a BigInt, which is not a valid type parameter"
            ));
        } else {
            self.error(format!("invalid integer literal `{text}`"));
        }
    }

    /// `0x..` (no sign: `-0x01` is not a literal in Julia, and the parser does not accept it).
    fn unsigned(&mut self, text: &str) {
        match text.strip_prefix("0x") {
            Some(hex) => self.radix_literal(text, false, hex, 16),
            None => self.error(format!("invalid hex literal `{text}`")),
        }
    }

    /// An unsigned literal whose type comes from its digit count, as Julia's reader decides.
    /// A `-` in front is Julia's unary minus on that unsigned value (wrapping).
    fn radix_literal(&mut self, text: &str, negative: bool, digits: &str, radix: u32) {
        let Ok(value) = u128::from_str_radix(digits, radix) else {
            return if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
                self.error(format!(
                    "integer literal {text} does not fit in UInt128: Julia reads it as a BigInt, which is not a valid type parameter"
                ))
            } else {
                self.error(format!("invalid integer literal `{text}`"))
            };
        };
        let n = digits.len();
        let bits = match radix {
            16 => [2, 4, 8, 16, 32].iter().position(|&d| n <= d),
            2 => [8, 16, 32, 64, 128].iter().position(|&d| n <= d),
            // Octal: the digit count bounds the type, and the value must fit it.
            _ => {
                let fits = |max: u128| value <= max;
                if n <= 3 && fits(u8::MAX as u128) {
                    Some(0)
                } else if n <= 6 && fits(u16::MAX as u128) {
                    Some(1)
                } else if n <= 11 && fits(u32::MAX as u128) {
                    Some(2)
                } else if n <= 22 && fits(u64::MAX as u128) {
                    Some(3)
                } else if n <= 43 {
                    Some(4)
                } else {
                    None
                }
            }
        };
        let Some(width) = bits else {
            return self.error(format!(
                "integer literal {text} has more digits than a UInt128: Julia reads it as a BigInt, which is not a valid type parameter"
            ));
        };
        let mask = if width == 4 {
            u128::MAX
        } else {
            (1u128 << (8 << width)) - 1
        };
        let value = if negative {
            value.wrapping_neg() & mask
        } else {
            value
        };
        let code = [op::UINT8, op::UINT16, op::UINT32, op::UINT64, op::UINT128][width];
        self.header(code, 0);
        self.code.push(value as u64);
        if code == op::UINT128 {
            self.code.push((value >> 64) as u64);
        }
    }

    fn float(&mut self, text: &str) {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        // `Inf`, `NaN` and their sized forms are names in Julia, bound in Base; `-Inf` is a call
        // of `-`. Their values do not depend on the module, so they are encoded as values.
        let special: Option<(u8, u64)> = match body {
            "Inf" | "Inf64" => Some((op::FLOAT64, f64::INFINITY.to_bits())),
            "NaN" | "NaN64" => Some((op::FLOAT64, 0x7ff8_0000_0000_0000)),
            "Inf32" => Some((op::FLOAT32, f32::INFINITY.to_bits() as u64)),
            "NaN32" => Some((op::FLOAT32, 0x7fc0_0000)),
            "Inf16" => Some((op::FLOAT16, 0x7c00)),
            "NaN16" => Some((op::FLOAT16, 0x7e00)),
            _ => None,
        };
        if let Some((code, bits)) = special {
            let sign = match code {
                op::FLOAT64 => 1u64 << 63,
                op::FLOAT32 => 1 << 31,
                _ => 1 << 15,
            };
            let bits = if negative { bits ^ sign } else { bits };
            if code == op::FLOAT64 {
                self.header(code, 0);
                self.code.push(bits);
            } else {
                self.header(code, bits);
            }
            return;
        }
        // Julia writes a Float32 exponent with `f`; the value is read directly as a Float32
        // (strtof), which Rust's correctly rounded parser matches. Overflow is an error in
        // Julia's reader; underflow to a subnormal or zero is accepted.
        if let Some(pos) = body.rfind('f') {
            let standard = format!(
                "{}e{}",
                &text[..text.len() - body.len() + pos],
                &body[pos + 1..]
            );
            match standard.parse::<f32>() {
                Ok(v) if v.is_finite() => self.header(op::FLOAT32, v.to_bits() as u64),
                Ok(_) => self.error(format!("overflow in floating point literal `{text}`")),
                Err(_) => self.error(format!("invalid floating point literal `{text}`")),
            }
            return;
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                self.header(op::FLOAT64, 0);
                self.code.push(v.to_bits());
            }
            Ok(_) => self.error(format!("overflow in floating point literal `{text}`")),
            Err(_) => self.error(format!("invalid floating point literal `{text}`")),
        }
    }
}

/// The name of a symbol leaf: `var"..."` content is raw-unescaped. A symbol leaf does not say
/// whether it was written `:var"..."`; an operator never contains `"` nor ends with two
/// backslashes, while raw content with an escape always does one of these.
fn symbol_name(s: &str) -> Vec<u8> {
    if s.contains('"') || s.ends_with("\\\\") {
        unescape_raw(s)
    } else {
        s.as_bytes().to_vec()
    }
}

/// The content of `var"..."` as Julia reads it: a run of backslashes before a `"` or at the end
/// is halved (they escape the quote or each other); other backslashes are kept.
pub fn unescape_raw(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] == b'\\' {
            i += 1;
        }
        let mut n = i - start;
        if i == bytes.len() || bytes[i] == b'"' {
            n /= 2;
        }
        out.extend(std::iter::repeat(b'\\').take(n));
        if i < bytes.len() {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A string literal's content with Julia's escapes processed (`\n`, `\x80`, `\u2200`, octal
/// `\101`, ...). The result may be invalid UTF-8 (`"\xff"`), as in Julia. Errors carry Julia's
/// message.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c != b'\\' {
            if c == b'\r' {
                // A literal CR (and CRLF) in a string reads as `\n`.
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                out.push(b'\n');
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        i += 1;
        let Some(&c) = bytes.get(i) else {
            return Err("invalid escape sequence `\\` at the end of a string".into());
        };
        match c {
            b'x' | b'u' | b'U' => {
                let max = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let mut n: u32 = 0;
                let mut k = 0;
                while k < max {
                    let Some(d) = bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)) else {
                        break;
                    };
                    n = n << 4 | d;
                    i += 1;
                    k += 1;
                }
                if k == 0 || n > 0x10ffff {
                    return Err(if c == b'x' {
                        "invalid hex escape sequence".into()
                    } else {
                        "invalid unicode escape sequence".into()
                    });
                }
                if c == b'x' {
                    out.push(n as u8);
                } else {
                    push_code_point(&mut out, n);
                }
            }
            b'0'..=b'7' => {
                let mut n = (c - b'0') as u32;
                let mut k = 1;
                while k < 3 {
                    match bytes.get(i + 1) {
                        Some(&d @ b'0'..=b'7') => {
                            n = n << 3 | (d - b'0') as u32;
                            i += 1;
                            k += 1;
                        }
                        _ => break,
                    }
                }
                if n > 255 {
                    return Err("invalid octal escape sequence".into());
                }
                out.push(n as u8);
            }
            _ => {
                let byte = match c {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'e' => 0x1b,
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'v' => 0x0b,
                    b'a' => 0x07,
                    b'\\' | b'\'' | b'"' | b'$' | b'`' => c,
                    _ => return Err("invalid escape sequence".into()),
                };
                out.push(byte);
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Julia's `print(io, Char(n))` for a code point up to 0x10ffff, surrogates included (encoded
/// like any other 3-byte code point, as Julia does).
fn push_code_point(out: &mut Vec<u8>, n: u32) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x800 {
        out.extend([0xc0 | (n >> 6) as u8, 0x80 | (n & 0x3f) as u8]);
    } else if n < 0x10000 {
        out.extend([
            0xe0 | (n >> 12) as u8,
            0x80 | (n >> 6 & 0x3f) as u8,
            0x80 | (n & 0x3f) as u8,
        ]);
    } else {
        out.extend([
            0xf0 | (n >> 18) as u8,
            0x80 | (n >> 12 & 0x3f) as u8,
            0x80 | (n >> 6 & 0x3f) as u8,
            0x80 | (n & 0x3f) as u8,
        ]);
    }
}

/// The `Char` a character literal's content reads as, in Julia's 32-bit representation: the
/// escapes are processed, then exactly one character must be read from the bytes the way
/// Julia's `read(io, Char)` does (a lead byte takes as many continuation bytes as it announces
/// and as follow; anything else is one byte on its own).
pub fn char_value(text: &str) -> Result<u32, String> {
    let bytes = unescape(text)?;
    let Some(&b0) = bytes.first() else {
        return Err("empty character literal".into());
    };
    let want = match b0.leading_ones() {
        2 => 1,
        3 => 2,
        4 => 3,
        _ => 0,
    };
    let mut value = (b0 as u32) << 24;
    let mut used = 1;
    while used <= want && used < bytes.len() && bytes[used] & 0xc0 == 0x80 {
        value |= (bytes[used] as u32) << (24 - 8 * used);
        used += 1;
    }
    if used != bytes.len() {
        return Err("character literal contains multiple characters".into());
    }
    Ok(value)
}

/// Reads an encoding back into an [`Expr`], for tests: names come back as `Name`, literals in a
/// canonical spelling (see [`canonical`]). `None` when the encoding is truncated or unknown.
pub fn decode(encoded: &Encoded) -> Option<Expr> {
    let mut pos = 0;
    let e = decode_at(encoded, &mut pos)?;
    (pos == encoded.code.len()).then_some(e)
}

fn decode_at(enc: &Encoded, pos: &mut usize) -> Option<Expr> {
    let header = *enc.code.get(*pos)?;
    let code = (header & 0xff) as u8;
    let operand = header >> 8;
    let extra = op::extra_words(code)?;
    let words = enc.code.get(*pos + 1..*pos + 1 + extra)?.to_vec();
    *pos += 1 + extra;
    let string = || -> Option<String> {
        let start = *words.first()? as usize;
        let bytes = enc.strings.get(start..start + operand as usize)?;
        Some(String::from_utf8_lossy(bytes).into_owned())
    };
    let child = |pos: &mut usize| decode_at(enc, pos).map(Box::new);
    Some(match code {
        op::NAME => Expr::Name(string()?),
        op::DOT => Expr::Dot(child(pos)?, Box::new(Expr::Name(string()?))),
        op::GETFIELD => {
            let m = decode_at(enc, pos)?;
            let sym = Expr::Call(
                Box::new(Expr::Name("Symbol".into())),
                vec![Expr::Str(string()?)],
            );
            Expr::Call(Box::new(Expr::Name("getfield".into())), vec![m, sym])
        }
        op::CURLY => {
            let head = child(pos)?;
            let params = (0..operand)
                .map(|_| decode_at(enc, pos))
                .collect::<Option<Vec<_>>>()?;
            Expr::Curly(head, params)
        }
        op::TYPEOF => Expr::Call(
            Box::new(Expr::Name("typeof".into())),
            vec![decode_at(enc, pos)?],
        ),
        op::KWFTYPE => Expr::Call(
            Box::new(Expr::Dot(
                Box::new(Expr::Name("Core".into())),
                Box::new(Expr::Name("kwftype".into())),
            )),
            vec![decode_at(enc, pos)?],
        ),
        op::BITS => {
            let callee = child(pos)?;
            Expr::Call(callee, vec![decode_at(enc, pos)?])
        }
        op::WHERE => {
            let vars = (0..operand)
                .map(|_| decode_at(enc, pos))
                .collect::<Option<Vec<_>>>()?;
            Expr::Where(child(pos)?, vars)
        }
        op::TVAR => Expr::Name(string()?),
        op::TVAR_UB => Expr::Subtype(Box::new(Expr::Name(string()?)), child(pos)?),
        op::TVAR_LB => Expr::Supertype(Box::new(Expr::Name(string()?)), child(pos)?),
        op::TVAR_LUB => {
            let lb = child(pos)?;
            Expr::Bounded(lb, Box::new(Expr::Name(string()?)), child(pos)?)
        }
        op::SHORT_UB => Expr::UpperBound(child(pos)?),
        op::SHORT_LB => Expr::LowerBound(child(pos)?),
        op::TUPLE => Expr::Tuple(
            (0..operand)
                .map(|_| decode_at(enc, pos))
                .collect::<Option<Vec<_>>>()?,
        ),
        op::SYMBOL => Expr::Symbol(string()?),
        op::SYMBOL_CALL => Expr::Call(
            Box::new(Expr::Name("Symbol".into())),
            vec![Expr::Str(string()?)],
        ),
        op::STRING => Expr::Str(string()?),
        op::BOOL => Expr::Name(if operand == 1 { "true" } else { "false" }.into()),
        op::INT64 => Expr::Int((words[0] as i64).to_string()),
        op::INT128 => {
            Expr::Int((((words[1] as u128) << 64 | words[0] as u128) as i128).to_string())
        }
        op::UINT8 | op::UINT16 | op::UINT32 | op::UINT64 => {
            let digits = 2usize << (code - op::UINT8);
            Expr::Hex(format!("0x{:0digits$x}", words[0]))
        }
        op::UINT128 => Expr::Hex(format!(
            "0x{:032x}",
            (words[1] as u128) << 64 | words[0] as u128
        )),
        op::FLOAT64 => Expr::Float(format!("f64:{:016x}", words[0])),
        op::FLOAT32 => Expr::Float(format!("f32:{:08x}", operand)),
        op::FLOAT16 => Expr::Float(format!("f16:{:04x}", operand)),
        op::CHAR => Expr::Char(format!("u32:{:08x}", operand)),
        op::ERROR => Expr::Name(format!("error: {}", string()?)),
        op::REJECT => Expr::Name(format!("reject: {}", string()?)),
        _ => return None,
    })
}

/// `e` as [`decode`] returns it from `encode(e)`: parentheses dropped, `var"..."` and operator
/// names as plain names, literals as their values' canonical spellings.
pub fn canonical(e: &Expr) -> Expr {
    let enc = |e: &Expr| decode(&encode(e)).expect("an encoding decodes");
    let b = |e: &Expr| Box::new(canonical(e));
    let all = |v: &[Expr]| v.iter().map(canonical).collect::<Vec<_>>();
    // A call or a member access refused or failed as a whole (an invalid escape in
    // `Symbol("...")`) decodes as one message.
    if let Expr::Call(..) | Expr::Dot(..) = e {
        let whole = enc(e);
        if matches!(&whole, Expr::Name(n) if n.starts_with("error: ") || n.starts_with("reject: "))
        {
            return whole;
        }
    }
    match e {
        Expr::Name(_) | Expr::Op(_) => Expr::Name(match e {
            Expr::Name(n) | Expr::Op(n) => n.clone(),
            _ => unreachable!(),
        }),
        Expr::Var(v) => Expr::Name(String::from_utf8_lossy(&unescape_raw(v)).into_owned()),
        Expr::Dot(l, m) => Expr::Dot(b(l), b(m)),
        Expr::Curly(h, a) => Expr::Curly(b(h), all(a)),
        Expr::Call(c, a) => Expr::Call(b(c), all(a)),
        Expr::Where(body, vars) => Expr::Where(b(body), all(vars)),
        Expr::Subtype(l, r) => Expr::Subtype(b(l), b(r)),
        Expr::Supertype(l, r) => Expr::Supertype(b(l), b(r)),
        Expr::Bounded(l, v, u) => Expr::Bounded(b(l), b(v), b(u)),
        Expr::UpperBound(t) => Expr::UpperBound(b(t)),
        Expr::LowerBound(t) => Expr::LowerBound(b(t)),
        Expr::Tuple(items) => Expr::Tuple(all(items)),
        Expr::Paren(inner) => canonical(inner),
        Expr::Int(_) | Expr::Hex(_) | Expr::Float(_) | Expr::Char(_) => enc(e),
        Expr::Str(s) => match unescape(s) {
            Ok(bytes) => Expr::Str(String::from_utf8_lossy(&bytes).into_owned()),
            Err(_) => enc(e),
        },
        Expr::Symbol(s) => Expr::Symbol(String::from_utf8_lossy(&symbol_name(s)).into_owned()),
    }
}

#[cfg(test)]
mod tests;
