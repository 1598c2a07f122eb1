//! Byte-level lexer for the Julia subset printed in trace files.
//!
//! Tokens are `(kind, start, end)` triples into the source: nothing is allocated per token. The
//! only allocations are the two side tables below, which stay empty (and unallocated) unless a
//! line has a `#= =#` comment or a string with a backslash Julia would reject.

use super::SyntaxError;
use crate::item::ProblemKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Identifier: ASCII letter, `_` or a non-operator Unicode character, then also digits and `!`.
    Ident,
    /// `var"..."`.
    VarIdent,
    /// Decimal (or `0b`/`0o`) integer.
    Int,
    /// `0x...` unsigned hex literal.
    Hex,
    Float,
    Char,
    Str,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Colon,
    Semicolon,
    /// `<:`
    Subtype,
    /// `>:`
    Supertype,
    /// A lone `-` (negative literals are a `-` directly followed by a number).
    Minus,
    /// Any other operator: `=`, `==`, `&&`, `->`, `...`, `::`, `+`, `∘`, an adjoint `'`...
    Op,
    /// A prefixed string literal other than `var"..."`: `r"..."`, `raw"..."`, `b"..."`.
    StrMacro,
    /// `@name` (the token covers the name too).
    At,
    /// `$` outside a string.
    Dollar,
    /// `` ` ``: a command literal.
    Backtick,
    /// `# ...` to the end of the text.
    Comment,
    Eof,
    /// Not a token: lexing failed, the reason is in [`Lexer::take_error`]. Only
    /// [`Lexer::next_token`] returns it.
    Error,
}

/// Token property bits.
pub(crate) const T_LOSSY: u8 = 1;
/// String literal with a backslash escape Julia rejects (`\T`).
pub(crate) const T_RAW: u8 = 2;
/// String or `var"..."` whose content starts with `#` (a closure / gensym name).
pub(crate) const T_HASH: u8 = 4;
/// Whitespace or a comment precedes the token.
pub(crate) const T_SPACED: u8 = 8;
/// A Float32 as C's `%gf` prints it (`1.5f`, `1f`, `1e+10f`): not Julia syntax, repaired.
pub(crate) const T_CFLOAT: u8 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    pub bits: u8,
}

impl Token {
    pub fn spaced(&self) -> bool {
        self.bits & T_SPACED != 0
    }
}

pub(crate) struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    /// `$` inside strings is accepted (for block counting, where any code may appear).
    pub lenient: bool,
    /// The previous token can take a postfix `'` (adjoint) rather than start a char literal.
    adjoint_ok: bool,
    /// `#= ... =#` comment ranges met so far.
    pub comments: Vec<(u32, u32)>,
    /// Offsets of backslashes (inside string literals) that must be doubled for `Meta.parse`.
    pub raw_backslashes: Vec<u32>,
    /// Why the last [`Lexer::next_token`] returned [`Kind::Error`]. Kept here so that the hot
    /// path returns a small `Token` in registers instead of a large `Result` through memory.
    error: Option<SyntaxError>,
}

/// Lexing failed; the error is in [`Lexer::error`].
struct LexFail;

/// Byte classes for the ASCII fast paths.
const C_START: u8 = 1;
/// Continues an identifier, `!` excluded (it needs a look at the next byte).
const C_CONT: u8 = 2;

static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' {
            table[b] = C_START | C_CONT;
        } else if c.is_ascii_digit() {
            table[b] = C_CONT;
        }
        b += 1;
    }
    table
};

#[inline]
/// Whether a `var"..."` name is a gensym'd type variable (`#s11`, from the `<:T` shorthand), which
/// Julia prints in valid, closure-free signatures: not a closure name (`#3#4`, `#f##0`, `##s2#3`).
pub(crate) fn is_type_var_gensym(content: &[u8]) -> bool {
    content.len() > 2 && content.starts_with(b"#s") && content[2..].iter().all(u8::is_ascii_digit)
}

pub(crate) fn is_ident_start_ascii(b: u8) -> bool {
    CLASS[b as usize] & C_START != 0
}

/// Continues an identifier: ASCII letter, digit or `_` (`!` and non-ASCII need more care).
#[inline]
pub(crate) fn is_ident_cont_plain(b: u8) -> bool {
    CLASS[b as usize] & C_CONT != 0
}

#[inline]
fn is_ident_cont_ascii(b: u8) -> bool {
    CLASS[b as usize] & C_CONT != 0 || b == b'!'
}

/// ASCII operator characters (besides `.`, `:` which have their own tokens).
#[inline]
pub(crate) fn is_op_ascii(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'\\'
            | b'^'
            | b'%'
            | b'<'
            | b'>'
            | b'='
            | b'!'
            | b'~'
            | b'&'
            | b'|'
            | b'?'
    )
}

/// Unicode characters Julia parses as operators, so that `x≤y` is never read as one name.
///
/// An approximation of Julia's tables that errs on the safe side: the Latin-1 operators, the
/// arrow and mathematical operator blocks (minus the few symbols Julia allows in identifiers:
/// `∂`, `∅`, `∇`, `∞`). A name using another symbol from these blocks is rejected, never an
/// operator accepted as part of a name.
pub(crate) fn is_op_char(c: char) -> bool {
    let u = c as u32;
    match u {
        0xA6 | 0xAC | 0xB1 | 0xB7 | 0xD7 | 0xF7 | 0x214B => true,
        0x2202 | 0x2205 | 0x2207 | 0x221E => false,
        0x2190..=0x21FF | 0x2200..=0x22FF | 0x27C0..=0x27FF | 0x2900..=0x2AFF => true,
        0x2B30..=0x2B4C => true,
        _ => false,
    }
}

/// Unicode spaces: never valid between tokens of a printed signature.
fn is_unicode_space(c: char) -> bool {
    c != ' ' && c.is_whitespace()
}

#[inline]
fn valid_escape(bytes: &[u8], i: usize) -> bool {
    // `bytes[i]` is the byte after the backslash.
    match bytes.get(i) {
        Some(
            b'\\' | b'"' | b'$' | b'\'' | b'a' | b'b' | b'e' | b'f' | b'n' | b'r' | b't' | b'v',
        ) => true,
        Some(b'0'..=b'7') => true,
        Some(b'x' | b'u' | b'U') => bytes.get(i + 1).is_some_and(|b| b.is_ascii_hexdigit()),
        _ => false,
    }
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str, pos: usize) -> Lexer<'s> {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos,
            lenient: false,
            adjoint_ok: false,
            comments: Vec::new(),
            raw_backslashes: Vec::new(),
            error: None,
        }
    }

    /// The error behind the last [`Kind::Error`] token.
    #[cold]
    pub fn take_error(&mut self) -> SyntaxError {
        self.error.take().unwrap_or_else(|| SyntaxError {
            kind: ProblemKind::Malformed,
            offset: self.pos,
            message: "the lexer stopped without a reason (please report this line)".into(),
        })
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Restarts lexing at `pos` (a char boundary), e.g. to read an operator name raw.
    pub fn reset(&mut self, pos: usize) {
        self.pos = pos;
        self.adjoint_ok = false;
    }

    #[cold]
    #[inline(never)]
    fn err(&mut self, kind: ProblemKind, offset: usize, message: String) -> LexFail {
        self.error = Some(SyntaxError {
            kind,
            offset,
            message,
        });
        LexFail
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.src.get(i..).and_then(|s| s.chars().next())
    }

    /// True when the character at `i` continues an identifier.
    pub fn ident_char_at(&self, i: usize) -> Option<usize> {
        let b = *self.bytes.get(i)?;
        if b < 0x80 {
            return is_ident_cont_ascii(b).then_some(1);
        }
        let c = self.char_at(i)?;
        (!is_op_char(c) && !is_unicode_space(c)).then(|| c.len_utf8())
    }

    /// End of the identifier starting at `start`.
    #[inline]
    fn ident_end(&self, start: usize) -> usize {
        let bytes = self.bytes;
        let mut end = start;
        loop {
            // Fast path: ASCII letters, digits, `_`.
            while end < bytes.len() && CLASS[bytes[end] as usize] & C_CONT != 0 {
                end += 1;
            }
            match bytes.get(end) {
                // `x!=y` is `x != y`, as in Julia.
                Some(b'!') if bytes.get(end + 1) != Some(&b'=') => end += 1,
                Some(&b) if b >= 0x80 => match self.ident_char_at(end) {
                    Some(n) => end += n,
                    None => return end,
                },
                _ => return end,
            }
        }
    }

    /// Length of an operator character at `i` (ASCII or Unicode), if any.
    pub fn op_char_at(&self, i: usize) -> Option<usize> {
        let b = *self.bytes.get(i)?;
        if b < 0x80 {
            return is_op_ascii(b).then_some(1);
        }
        let c = self.char_at(i)?;
        is_op_char(c).then(|| c.len_utf8())
    }

    /// Skips spaces, tabs and `#= =#` comments (nested, as in Julia). Returns whether anything
    /// was skipped.
    #[inline(never)]
    fn skip_trivia(&mut self) -> Result<bool, LexFail> {
        let start = self.pos;
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'#') if self.bytes.get(self.pos + 1) == Some(&b'=') => {
                    let open = self.pos;
                    let mut depth = 1usize;
                    let mut i = self.pos + 2;
                    loop {
                        let Some(k) = memchr::memchr2(b'#', b'=', &self.bytes[i..]) else {
                            return Err(self.err(
                                ProblemKind::Malformed,
                                open,
                                "unterminated `#=` comment: expected `=#`".into(),
                            ));
                        };
                        i += k;
                        if self.bytes[i] == b'=' && self.bytes.get(i + 1) == Some(&b'#') {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else if self.bytes[i] == b'#' && self.bytes.get(i + 1) == Some(&b'=') {
                            depth += 1;
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    self.comments.push((open as u32, i as u32));
                    self.pos = i;
                }
                _ => break,
            }
        }
        Ok(self.pos != start)
    }

    /// The next token, or an error (see [`Lexer::next_token`]).
    pub fn next(&mut self) -> Result<Token, SyntaxError> {
        let t = self.next_token();
        if t.kind == Kind::Error {
            return Err(self.take_error());
        }
        Ok(t)
    }

    /// The next token; on invalid input a [`Kind::Error`] token, the reason in
    /// [`Lexer::take_error`].
    ///
    /// ASCII identifiers and the common punctuation are handled inline here, repeating a few arms
    /// of [`Lexer::token_at`] (which handles everything): the hot path of the parser stays free of
    /// a call and of the `Result` it returns.
    #[inline]
    pub fn next_token(&mut self) -> Token {
        let bytes = self.bytes;
        let mut start = self.pos;
        let mut bits = 0;
        let mut adjoint_ok = self.adjoint_ok;
        if start < bytes.len() && matches!(bytes[start], b' ' | b'\t' | b'#') {
            match self.skip_trivia() {
                Ok(true) => {
                    bits = T_SPACED;
                    adjoint_ok = false;
                    start = self.pos;
                }
                Ok(false) => {}
                Err(LexFail) => return Self::error_token(),
            }
        }
        self.adjoint_ok = false;
        let Some(&b) = bytes.get(start) else {
            return Token {
                kind: Kind::Eof,
                start: start as u32,
                end: start as u32,
                bits,
            };
        };
        // Identifiers are most tokens: their ASCII form first.
        if is_ident_start_ascii(b) {
            let mut end = start + 1;
            while end < bytes.len() && CLASS[bytes[end] as usize] & C_CONT != 0 {
                end += 1;
            }
            if end < bytes.len() && matches!(bytes[end], b'!' | b'"' | 0x80..=0xFF) {
                return self.ident_slow(start, bits);
            }
            self.adjoint_ok = true;
            self.pos = end;
            return Token {
                kind: Kind::Ident,
                start: start as u32,
                end: end as u32,
                bits,
            };
        }
        let kind = match b {
            b'(' => Kind::LParen,
            b')' => {
                self.adjoint_ok = true;
                Kind::RParen
            }
            b'{' => Kind::LBrace,
            b'}' => {
                self.adjoint_ok = true;
                Kind::RBrace
            }
            b',' => Kind::Comma,
            b'.' if bytes.get(start + 1) != Some(&b'.') => Kind::Dot,
            _ => return self.next_slow(start, bits, adjoint_ok),
        };
        self.pos = start + 1;
        Token {
            kind,
            start: start as u32,
            end: start as u32 + 1,
            bits,
        }
    }

    #[cold]
    fn error_token() -> Token {
        Token {
            kind: Kind::Error,
            start: 0,
            end: 0,
            bits: 0,
        }
    }

    /// An identifier that continues with `!`, a `"` (`var"..."`, string macros) or non-ASCII.
    #[inline(never)]
    fn ident_slow(&mut self, start: usize, mut bits: u8) -> Token {
        let mut end = self.ident_end(start);
        self.adjoint_ok = true;
        let kind = if self.bytes.get(end) == Some(&b'"') {
            if &self.src[start..end] == "var" {
                match self.string_literal(start, end + 1, &mut bits, true) {
                    Ok(e) => end = e,
                    Err(LexFail) => return Self::error_token(),
                }
                Kind::VarIdent
            } else {
                Kind::StrMacro
            }
        } else {
            Kind::Ident
        };
        self.pos = end;
        Token {
            kind,
            start: start as u32,
            end: end as u32,
            bits,
        }
    }

    /// Every token but the common ones of [`Lexer::next_token`]; `start` is past any trivia.
    #[inline(never)]
    fn next_slow(&mut self, start: usize, bits: u8, adjoint_ok: bool) -> Token {
        match self.token_at(start, bits, adjoint_ok) {
            Ok(t) => t,
            Err(LexFail) => Self::error_token(),
        }
    }

    fn token_at(&mut self, start: usize, mut bits: u8, adjoint_ok: bool) -> Result<Token, LexFail> {
        let b = self.bytes[start];
        let mut end = start + 1;
        let kind = match b {
            b'(' => Kind::LParen,
            b')' => {
                self.adjoint_ok = true;
                Kind::RParen
            }
            b'{' => Kind::LBrace,
            b'}' => {
                self.adjoint_ok = true;
                Kind::RBrace
            }
            b'[' => Kind::LBracket,
            b']' => {
                self.adjoint_ok = true;
                Kind::RBracket
            }
            b',' => Kind::Comma,
            b';' => Kind::Semicolon,
            b'$' => Kind::Dollar,
            b'`' => Kind::Backtick,
            b'#' => {
                end = self.bytes.len();
                Kind::Comment
            }
            b'.' => {
                while self.bytes.get(end) == Some(&b'.') {
                    end += 1;
                }
                if end - start == 1 {
                    Kind::Dot
                } else {
                    Kind::Op
                }
            }
            b':' => {
                if self.bytes.get(end) == Some(&b':') {
                    end += 1;
                    Kind::Op
                } else {
                    Kind::Colon
                }
            }
            b'<' | b'>' if self.bytes.get(end) == Some(&b':') => {
                end += 1;
                if b == b'<' {
                    Kind::Subtype
                } else {
                    Kind::Supertype
                }
            }
            b'-' if !self.bytes.get(end).is_some_and(|&n| is_op_ascii(n)) => Kind::Minus,
            b'\'' if adjoint_ok => Kind::Op,
            b'\'' => {
                end = self.char_literal(start)?;
                Kind::Char
            }
            b'"' => {
                end = self.string_literal(start, start + 1, &mut bits, false)?;
                Kind::Str
            }
            b'@' => {
                while let Some(n) = self.ident_char_at(end) {
                    end += n;
                }
                Kind::At
            }
            b'0'..=b'9' => {
                let (kind, e, lossy, c_float) = self.number(start)?;
                end = e;
                if lossy {
                    bits |= T_LOSSY;
                }
                if c_float {
                    bits |= T_CFLOAT;
                }
                self.adjoint_ok = true;
                kind
            }
            _ if is_ident_start_ascii(b) || (b >= 0x80 && self.ident_char_at(start).is_some()) => {
                end = self.ident_end(start);
                self.adjoint_ok = true;
                if self.bytes.get(end) == Some(&b'"') {
                    if &self.src[start..end] == "var" {
                        end = self.string_literal(start, end + 1, &mut bits, true)?;
                        Kind::VarIdent
                    } else {
                        Kind::StrMacro
                    }
                } else {
                    Kind::Ident
                }
            }
            _ => {
                if let Some(n) = self.op_char_at(start) {
                    end = start + n;
                    while let Some(n) = self.op_char_at(end) {
                        end += n;
                    }
                    Kind::Op
                } else {
                    let c = self.char_at(start).unwrap_or('\u{FFFD}');
                    return Err(self.err(
                        ProblemKind::Malformed,
                        start,
                        format!("invalid character {c:?} (U+{:04X})", c as u32),
                    ));
                }
            }
        };
        self.pos = end;
        Ok(Token {
            kind,
            start: start as u32,
            end: end as u32,
            bits,
        })
    }

    /// Scans a `"..."` literal whose content starts at `content`. Returns the end offset.
    fn string_literal(
        &mut self,
        open: usize,
        content: usize,
        bits: &mut u8,
        raw: bool,
    ) -> Result<usize, LexFail> {
        if !raw
            && self.bytes.get(content) == Some(&b'"')
            && self.bytes.get(content + 1) == Some(&b'"')
        {
            if self.lenient {
                // A docstring opener: the rest of the line is string content.
                return Ok(self.bytes.len());
            }
            return Err(self.err(
                ProblemKind::Unsupported,
                open,
                "triple-quoted strings do not appear in printed signatures".into(),
            ));
        }
        if self.bytes.get(content) == Some(&b'#') {
            *bits |= T_HASH;
        }
        let mut i = content;
        loop {
            let found = if raw {
                memchr::memchr2(b'"', b'\\', &self.bytes[i..])
            } else {
                memchr::memchr3(b'"', b'\\', b'$', &self.bytes[i..])
            };
            let Some(k) = found else {
                if self.lenient {
                    return Ok(self.bytes.len());
                }
                return Err(self.err(
                    ProblemKind::Malformed,
                    open,
                    "unterminated string: expected a closing `\"`".into(),
                ));
            };
            i += k;
            match self.bytes[i] {
                b'"' => return Ok(i + 1),
                b'$' => {
                    if self.lenient {
                        i += 1;
                        continue;
                    }
                    return Err(self.err(
                        ProblemKind::Unsupported,
                        i,
                        "string interpolation `$` would run code".into(),
                    ));
                }
                _ => {
                    // Backslash.
                    if raw {
                        // In `var"..."` only `\"` and `\\` escape anything.
                        i += if matches!(self.bytes.get(i + 1), Some(b'"' | b'\\')) {
                            2
                        } else {
                            1
                        };
                        continue;
                    }
                    if !valid_escape(self.bytes, i + 1) {
                        *bits |= T_RAW;
                        self.raw_backslashes.push(i as u32);
                        i += 1;
                    } else {
                        i += 2;
                    }
                }
            }
        }
    }

    fn char_literal(&mut self, open: usize) -> Result<usize, LexFail> {
        let bad = |s: &mut Self| {
            s.err(
                ProblemKind::Malformed,
                open,
                "invalid character literal: expected one character between `'` quotes".into(),
            )
        };
        let i = open + 1;
        match self.bytes.get(i) {
            None | Some(b'\'') => Err(bad(self)),
            Some(b'\\') => {
                if !valid_escape(self.bytes, i + 1) {
                    return Err(bad(self));
                }
                // Escapes are at most `\U` + 8 hex digits.
                let limit = (i + 12).min(self.bytes.len());
                match memchr::memchr(b'\'', &self.bytes[i + 2.min(limit - i)..limit]) {
                    Some(k) => Ok(i + 2 + k + 1),
                    None => Err(bad(self)),
                }
            }
            Some(_) => {
                let n = self.char_at(i).map_or(1, char::len_utf8);
                if self.bytes.get(i + n) == Some(&b'\'') {
                    Ok(i + n + 1)
                } else {
                    Err(bad(self))
                }
            }
        }
    }

    /// Returns (kind, end, lossy, C-printed Float32).
    fn number(&mut self, start: usize) -> Result<(Kind, usize, bool, bool), LexFail> {
        let bytes = self.bytes;
        let mut i = start;
        let kind;
        let mut lossy = false;
        if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'b' | b'o')) {
            let radix = bytes[i + 1];
            i += 2;
            let digits = i;
            while bytes.get(i).is_some_and(|b| match radix {
                b'x' => b.is_ascii_hexdigit(),
                b'o' => (b'0'..=b'7').contains(b),
                _ => *b == b'0' || *b == b'1',
            }) {
                i += 1;
            }
            if i == digits {
                return Err(self.err(
                    ProblemKind::Malformed,
                    start,
                    "invalid numeric literal: no digits after the prefix".into(),
                ));
            }
            kind = if radix == b'x' { Kind::Hex } else { Kind::Int };
        } else {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let mut float = false;
            let mut point = false;
            if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                float = true;
                point = true;
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            let mut exponent_f = false;
            if matches!(bytes.get(i), Some(b'e' | b'E' | b'f')) {
                let mut j = i + 1;
                if matches!(bytes.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                    exponent_f = bytes[i] == b'f';
                    while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                        j += 1;
                    }
                    i = j;
                    float = true;
                    // `1e10`, `1f0`: no decimal point, Julia's own printer never writes these.
                    lossy = !point;
                }
            }
            // `1.5f`, `1f`, `1e+10f`: a Float32 printed by C's `%gf` (Julia's C printer). The
            // parser repairs it; anything else directly after a number stays an error.
            if !exponent_f
                && bytes.get(i) == Some(&b'f')
                && self.ident_char_at(i + 1).is_none()
                && bytes.get(i + 1) != Some(&b'"')
            {
                return Ok((Kind::Float, i + 1, true, true));
            }
            kind = if float { Kind::Float } else { Kind::Int };
        }
        if self.ident_char_at(i).is_some() || bytes.get(i) == Some(&b'"') {
            return Err(self.err(
                ProblemKind::Malformed,
                start,
                format!(
                    "invalid numeric literal `{}`: a number directly followed by a name",
                    &self.src[start..(i + self.ident_char_at(i).unwrap_or(1)).min(bytes.len())]
                ),
            ));
        }
        Ok((kind, i, lossy, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        let mut lex = Lexer::new(src, 0);
        let mut out = Vec::new();
        loop {
            let t = lex.next().unwrap();
            if t.kind == Kind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn tokens_of_a_signature() {
        use Kind::*;
        assert_eq!(
            kinds("Base.:(+) <: >: var\"#a\" 0x1f 12 1.5 1.0f0 'a' \"s\" @m ... x' :: -1"),
            vec![
                Ident, Dot, Colon, LParen, Op, RParen, Subtype, Supertype, VarIdent, Hex, Int,
                Float, Float, Char, Str, At, Op, Ident, Op, Op, Minus, Int
            ]
        );
    }

    #[test]
    fn unicode_identifiers_and_operators() {
        use Kind::*;
        assert_eq!(
            kinds("MicroObjectiveθ! π x≤y ∇f"),
            vec![Ident, Ident, Ident, Op, Ident, Ident]
        );
        assert_eq!(kinds("a!=b"), vec![Ident, Op, Ident]);
        assert_eq!(
            kinds("a¦b x′ √x a⊻b"),
            vec![Ident, Op, Ident, Ident, Op, Ident, Ident, Op, Ident]
        );
        assert_eq!(kinds("push!(x)"), vec![Ident, LParen, Ident, RParen]);
        // A non-breaking space is not a separator Julia accepts.
        let err = Lexer::new("\u{a0}x", 0).next().unwrap_err();
        assert_eq!((err.kind, err.offset), (ProblemKind::Malformed, 0));
    }

    #[test]
    fn numbers() {
        let mut lex = Lexer::new("1e10 2.5e-3 1f0", 0);
        let t = lex.next().unwrap();
        assert_eq!((t.kind, t.bits & T_LOSSY), (Kind::Float, T_LOSSY));
        let t = lex.next().unwrap();
        assert_eq!((t.kind, t.bits & T_LOSSY), (Kind::Float, 0));
        let t = lex.next().unwrap();
        assert_eq!((t.kind, t.bits & T_LOSSY), (Kind::Float, T_LOSSY));
        // C's `%gf` Float32 (`1f`, `1.5f`): a float the parser repairs; `1fx` stays an error.
        for c_float in ["1f", "1.5f", "1e+10f"] {
            let t = Lexer::new(c_float, 0).next().unwrap();
            assert_eq!((t.kind, t.end as usize), (Kind::Float, c_float.len()));
            assert_eq!(t.bits & (T_CFLOAT | T_LOSSY), T_CFLOAT | T_LOSSY);
        }
        let err = Lexer::new("1fx", 0).next().unwrap_err();
        assert_eq!(err.kind, ProblemKind::Malformed);
        assert_eq!(Lexer::new("0x", 0).next().unwrap_err().offset, 0);
    }

    #[test]
    fn strings_and_comments() {
        let mut lex = Lexer::new("#= a #= b =# c =# \"x\\Ty\\n\" # tail", 0);
        let t = lex.next().unwrap();
        assert_eq!(t.kind, Kind::Str);
        assert_eq!(t.bits & T_RAW, T_RAW);
        assert_eq!(lex.comments, vec![(0, 17)]);
        assert_eq!(lex.raw_backslashes, vec![20]);
        assert_eq!(lex.next().unwrap().kind, Kind::Comment);
        let err = Lexer::new("\"ab$c\"", 0).next().unwrap_err();
        assert_eq!((err.kind, err.offset), (ProblemKind::Unsupported, 3));
        let err = Lexer::new("  \"abc", 0).next().unwrap_err();
        assert_eq!((err.kind, err.offset), (ProblemKind::Malformed, 2));
        let err = Lexer::new("#= abc", 0).next().unwrap_err();
        assert_eq!((err.kind, err.offset), (ProblemKind::Malformed, 0));
    }

    #[test]
    fn chars() {
        for ok in ["'a'", "'\\n'", "'\\''", "'π'", "'\\u2200'"] {
            let t = Lexer::new(ok, 0).next().unwrap();
            assert_eq!((t.kind, t.end as usize), (Kind::Char, ok.len()), "{ok}");
        }
        for bad in ["''", "'ab'", "'a", "'\\q'"] {
            assert_eq!(
                Lexer::new(bad, 0).next().unwrap_err().kind,
                ProblemKind::Malformed,
                "{bad}"
            );
        }
    }
}
