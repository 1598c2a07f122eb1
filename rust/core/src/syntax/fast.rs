//! A fast path for the overwhelmingly common statement shape:
//! `precompile(Tuple{typeof(Base.:(==)), Array{Int64, 1}, Main.var"#1#2", NamedTuple{(:a,), T}})`,
//! i.e. plain ASCII (qualified) names, `var"..."` names without backslashes, `.:(op)` and
//! `.:(var"op")` members,
//! curly applications, tuples, decimal integers, `:symbol`s, `typeof(name)`, `Symbol("...")`,
//! `getfield(M, Symbol("..."))`, `X where T` and `X where T<:B`, `, ` separators and nothing
//! else, the call ending the text.
//!
//! It computes exactly what the full parser would (spans, roots, flags) for the statements it
//! accepts, and gives up (`None`) on anything else, which the full parser then handles with its
//! analysis and messages. Anything needing care gives up: spaces other than after a comma,
//! other `where` forms and relations, keywords, strings with escapes or `$`, other literals and
//! calls, `(x)` without a comma, non-ASCII names, a second argument, comments, deep nesting. The
//! test `fast_path_agrees_with_the_full_parser` checks the agreement on the corpus and on
//! mutations of it.

use std::borrow::Cow;

use super::lexer::{is_ident_cont_plain, is_ident_start_ascii, is_op_ascii, is_type_var_gensym};
use super::parser::{is_block_keyword, is_closing_keyword};
use super::ParsedStatement;
use crate::item::{Flags, Roots, Span, Statement};

/// Nesting beyond this is left to the full parser (far below its `MAX_DEPTH`).
const MAX_FAST_DEPTH: usize = 64;

/// High bit of every byte of `x` that is not an ASCII letter, digit or `_`.
#[inline(always)]
fn non_ident_bytes(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // With the high bits cleared, adding at most 0x80 to a byte never carries into the next.
    let v = x & !HIGH;
    let ge = |lo: u8| v.wrapping_add(ONES * (0x80 - u64::from(lo))) & HIGH;
    let ge_case = |lo: u8| (v | (ONES * 0x20)).wrapping_add(ONES * (0x80 - u64::from(lo))) & HIGH;
    let digit = ge(b'0') & !ge(b'9' + 1);
    let letter = ge_case(b'a') & !ge_case(b'z' + 1);
    let underscore = ge(b'_') & !ge(b'_' + 1);
    (!(digit | letter | underscore) | x) & HIGH
}

/// End of the run of ASCII letters, digits and `_` at `i`, eight bytes at a time.
#[inline(always)]
pub(super) fn plain_run_end(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let stop = non_ident_bytes(word);
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && is_ident_cont_plain(b[i]) {
        i += 1;
    }
    i
}

/// End of the ASCII identifier at `i`, as the lexer reads it; `None` if there is none or it
/// continues in a way the fast path does not handle (non-ASCII, `"`, `!=`).
#[inline(always)]
fn ident_end(b: &[u8], mut i: usize) -> Option<usize> {
    if !is_ident_start_ascii(*b.get(i)?) {
        return None;
    }
    i += 1;
    loop {
        i = plain_run_end(b, i);
        match b.get(i) {
            // `x!=y` is `x != y`.
            Some(b'!') if b.get(i + 1) != Some(&b'=') => i += 1,
            Some(b'!' | b'"' | 0x80..=0xFF) => return None,
            _ => return Some(i),
        }
    }
}

/// An operator member `:(op)` at `i` (after a `.`, as in `Base.:(==)`): its end. Only ASCII
/// operators; the full parser reads the others.
#[inline]
fn op_member(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i + 1) != Some(&b'(') {
        return None;
    }
    let mut j = i + 2;
    while b.get(j).is_some_and(|&c| c == b':' || is_op_ascii(c)) {
        j += 1;
    }
    (j > i + 2 && b.get(j) == Some(&b')')).then_some(j + 1)
}

/// A name at the start of a type (the parser's atom): keywords are for the full parser.
#[inline(always)]
fn atom_name_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let end = ident_end(b, i)?;
    // Keywords are short and lowercase: look only at such names.
    if b[i].is_ascii_lowercase() && end - i <= 10 {
        let name = &text[i..end];
        // C's `inf`, `nanf`... are repaired by the full parser.
        if is_closing_keyword(name)
            || is_block_keyword(name)
            || matches!(name, "inf" | "nan" | "inff" | "nanf")
        {
            return None;
        }
    }
    Some(end)
}

struct State {
    roots: Roots,
    flags: Flags,
}

impl State {
    #[inline(always)]
    fn add_root(&mut self, text: &str, start: usize, end: usize) {
        let b = text.as_bytes();
        let name = &b[start..end];
        let seen = |r: &Span| {
            r.end - r.start == name.len() as u32 && &b[r.start as usize..r.end as usize] == name
        };
        if self.roots.iter().any(seen) {
            return;
        }
        if name == b"Main" {
            self.flags.insert(Flags::MAIN);
        }
        self.roots.push(Span::new(start, end));
    }

    /// A `var"..."` name at `i` (`b[i..]` starts with `var"`): its end, or `None` if it has a
    /// backslash (escapes are for the full lexer) or no closing quote.
    #[inline]
    fn var_name(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let content = i + 4;
        let k = memchr::memchr2(b'"', b'\\', b.get(content..)?)?;
        if b[content + k] != b'"' {
            return None;
        }
        if b.get(content) == Some(&b'#') && !is_type_var_gensym(&b[content..content + k]) {
            self.flags.insert(Flags::CLOSURE);
        }
        Some(content + k + 1)
    }

    /// `Symbol("...")` at `i`: its end. Strings with a backslash (escapes to check or repair),
    /// `$` or triple quotes are for the full parser.
    #[inline]
    fn symbol_call(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let content = i + 8;
        if b.get(content - 1) != Some(&b'"') || b.get(content..content + 2) == Some(b"\"\"") {
            return None;
        }
        let k = memchr::memchr3(b'"', b'\\', b'$', b.get(content..)?)?;
        if b[content + k] != b'"' || b.get(content + k + 1) != Some(&b')') {
            return None;
        }
        if b.get(content) == Some(&b'#') {
            self.flags.insert(Flags::CLOSURE);
        }
        Some(content + k + 2)
    }

    /// A (qualified) name at `i`: `A`, `A.B.C`, `var"#f"`, `Main.var"#1#2"`. Records the root;
    /// returns (end, start of the last component).
    #[inline(always)]
    fn name(&mut self, text: &str, i: usize) -> Option<(usize, usize)> {
        let b = text.as_bytes();
        let mut end = if b.get(i) == Some(&b'v') && b[i..].starts_with(b"var\"") {
            // Not a simple name: no root even when qualified.
            self.var_name(b, i)?
        } else {
            let end = atom_name_end(text, i)?;
            if b.get(end) == Some(&b'.') {
                self.add_root(text, i, end);
            }
            end
        };
        let mut last = i;
        while b.get(end) == Some(&b'.') {
            last = end + 1;
            end = match b.get(last) {
                Some(b'v') if b[last..].starts_with(b"var\"") => self.var_name(b, last)?,
                Some(b':') if b[last..].starts_with(b":(var\"") => {
                    // `Base.:(var"==")`, as Julia 1.12 prints operator names.
                    let end = self.var_name(b, last + 2)?;
                    if b.get(end) != Some(&b')') {
                        return None;
                    }
                    end + 1
                }
                Some(b':') => op_member(b, last)?,
                _ => ident_end(b, last)?,
            };
        }
        Some((end, last))
    }
}

/// The statement, if it has the common shape (see the module documentation).
pub(super) fn parse(text: &str) -> Option<ParsedStatement<'_>> {
    let b = text.as_bytes();
    let sig_start = if b.starts_with(b"precompile(") {
        11
    } else if b.starts_with(b"Base.precompile(") {
        16
    } else {
        return None;
    };
    let mut st = State {
        roots: Roots::new(),
        flags: Flags::NONE,
    };
    let mut i = sig_start;
    // Open brackets: bit `d` of `parens` says whether level `d` is a tuple `(` (else a `{`),
    // bit `d` of `commas` whether that tuple has had a `,` (`(x)` is not a tuple).
    let mut depth = 0usize;
    let mut parens = 0u64;
    let mut commas = 0u64;
    // `UNBOUNDED_VARARG`: the signature is `Tuple{..}` / `Core.Tuple{..}` / a tuple (`top_tuple`
    // until it closes) whose last item (at depth 1) is exactly `Vararg{T}` / `Core.Vararg{T}`
    // with one parameter (`item_vararg`; `in_vararg` while inside its braces, counting its
    // parameters in `vararg_params`). A `where` on an item, or a bound (`bound`: the type after
    // `where T<:`), is not an item.
    let (mut top_tuple, mut item_vararg, mut in_vararg, mut unbounded) =
        (false, false, false, false);
    let mut vararg_params = 0u32;
    let mut bound = false;
    loop {
        // A type at `i`.
        let c = *b.get(i)?;
        let is_bound = std::mem::take(&mut bound);
        if !is_bound {
            if depth == 1 {
                item_vararg = false;
            } else if depth == 2 {
                vararg_params += 1;
            }
        }
        if c.is_ascii_digit() {
            // A decimal integer; what follows is checked below (`,`, `}` or `)` only, so no
            // float, hex or name runs into it).
            i += 1;
            while b.get(i)?.is_ascii_digit() {
                i += 1;
            }
        } else if c == b':' {
            // `:name` (`::` and `:(op)` fail here).
            i = ident_end(b, i + 1)?;
        } else if c == b'(' {
            if depth == MAX_FAST_DEPTH {
                return None;
            }
            if i == sig_start {
                top_tuple = true;
            }
            parens |= 1 << depth;
            commas &= !(1 << depth);
            depth += 1;
            i += 1;
            if b.get(i) != Some(&b')') {
                continue;
            }
            // `()`: a tuple, closed below.
            commas |= 1 << (depth - 1);
        } else {
            // The calls are `typeof(name)`, `Symbol("...")` and `getfield(M, Symbol("..."))`;
            // only the last may take `{...}`, nothing else may follow them but a separator.
            let start = i;
            let (end, named, curly) = if c == b't' && b[i..].starts_with(b"typeof(") {
                let (end, _) = st.name(text, i + 7)?;
                if b.get(end) != Some(&b')') {
                    return None;
                }
                (end + 1, false, false)
            } else if c == b'S' && b[i..].starts_with(b"Symbol(") {
                let end = st.symbol_call(b, i)?;
                (end, false, false)
            } else if c == b'g' && b[i..].starts_with(b"getfield(") {
                let module = i + 9;
                let (mut j, last) = st.name(text, module)?;
                if last == module && !b[module..].starts_with(b"var\"") {
                    // A plain module name is a root itself.
                    st.add_root(text, module, j);
                }
                if b.get(j) != Some(&b',') {
                    return None;
                }
                j += 1;
                while b.get(j) == Some(&b' ') {
                    j += 1;
                }
                if !b[j..].starts_with(b"Symbol(") {
                    return None;
                }
                j = st.symbol_call(b, j)?;
                if b.get(j) != Some(&b')') {
                    return None;
                }
                (j + 1, false, true)
            } else {
                let (end, _) = st.name(text, i)?;
                (end, true, true)
            };
            i = end;
            if curly && b.get(i) == Some(&b'{') {
                if depth == MAX_FAST_DEPTH {
                    return None;
                }
                let head: &[u8] = if named { &b[start..end] } else { b"" };
                if depth == 0 && start == sig_start {
                    top_tuple = matches!(head, b"Tuple" | b"Core.Tuple");
                } else if depth == 1 && !is_bound && matches!(head, b"Vararg" | b"Core.Vararg") {
                    in_vararg = true;
                    vararg_params = 0;
                }
                parens &= !(1 << depth);
                depth += 1;
                i += 1;
                if b.get(i) != Some(&b'}') {
                    continue;
                }
                // `T{}`: closed below.
            }
        }
        // After a type: close brackets until a `,` starts the next type or the call ends.
        loop {
            match *b.get(i)? {
                b',' if depth > 0 => {
                    commas |= 1 << (depth - 1);
                    i += 1;
                    while b.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    // A `,` before the closer is accepted (`(:a,)`).
                    if !matches!(b.get(i), Some(b')' | b'}')) {
                        break;
                    }
                }
                b'}' if depth > 0 && parens & (1 << (depth - 1)) == 0 => {
                    depth -= 1;
                    i += 1;
                    if depth == 1 && in_vararg {
                        in_vararg = false;
                        item_vararg = vararg_params == 1;
                    }
                    if depth == 0 && top_tuple {
                        top_tuple = false;
                        unbounded = item_vararg;
                    }
                }
                b')' if depth > 0
                    && parens & (1 << (depth - 1)) != 0
                    && commas & (1 << (depth - 1)) != 0 =>
                {
                    depth -= 1;
                    i += 1;
                    if depth == 0 && top_tuple {
                        top_tuple = false;
                        unbounded = item_vararg;
                    }
                }
                // `X where T` and `X where T<:B`; other forms are for the full parser.
                b' ' if b[i + 1..].starts_with(b"where ") => {
                    if depth == 1 {
                        // `Vararg{T} where T` is not a `Vararg` node any more.
                        item_vararg = false;
                    }
                    i = atom_name_end(text, i + 7)?;
                    if b.get(i) == Some(&b'<') && b.get(i + 1) == Some(&b':') {
                        // The bound: a type.
                        i += 2;
                        bound = true;
                        break;
                    }
                }
                b')' if depth == 0 && i + 1 == b.len() => {
                    if unbounded {
                        st.flags.insert(Flags::UNBOUNDED_VARARG);
                    }
                    return Some(ParsedStatement {
                        statement: Statement {
                            text: Cow::Borrowed(text),
                            signature: Span::new(sig_start, i),
                            arg_types: None,
                            roots: st.roots,
                            timing_ms: None,
                            flags: st.flags,
                            repair: None,
                        },
                        trailing_comment: None,
                    });
                }
                _ => return None,
            }
        }
    }
}
