//! The grammar of one precompile statement: a hand-written lexer and recursive-descent parser for
//! the subset of Julia that `julia --trace-compile` and SnoopCompile print.
//!
//! # What is accepted
//!
//! A statement is `precompile(SIG)`, `Base.precompile(SIG)` or `precompile(f, (T1, T2))`,
//! optionally wrapped (see [`parse_statement`]), a comma before the closing `)` allowed. `SIG` is a
//! type expression: names, qualified names, `var"..."`, `Base.:(+)` and Julia 1.12's
//! `Base.:(var"==")` (read as `Base.var"=="`: a `var` leaf), curly applications, `where` clauses
//! with bounds, `<:T` / `>:T` inside braces, and value parameters (integers, hex, floats, chars,
//! strings, symbols such as `:x`, `:+`, `:(==)`, `:(var"==")`, tuples).
//!
//! # Repairs
//!
//! Julia's printers write some values in forms that do not read back. These are accepted and the
//! statement text repaired (flag [`Flags::REPAIRED`], kinds in [`crate::Repairs`], the text as
//! written in [`Statement::original`](crate::Statement::original)); the tree builder sees the repaired leaves:
//! - a gensym'd type variable printed bare by Julia <= 1.5 (`#s814`, which Julia reads as a
//!   comment) where a type may stand: `var"#s814"` (a `var` leaf `#s814`);
//! - C `%g` floats: `inf`, `nan`, `inff`, `nanf` as values (not followed by `.`, `{` or `(`), also
//!   negated, become `Inf`, `NaN`, `Inf32`, `NaN32`; `1.5f`, `1f`, `1e+10f` become `1.5f0`,
//!   `1.0f0`, `1.0f10` (float leaves with the Julia text, still `LOSSY_VALUE`: `%g` keeps 6 digits);
//! - quoted operators Julia's tokenizer reads as `:=` or `::` (`:=`, `:==`, `:===`, `:=>`, `::`,
//!   `:::`, `::=`): `:(=)` ... as Julia's `show` prints them (symbol leaves `=` ...); any other
//!   operator after `:` starting with `=` or `:` is malformed;
//! - backslashes Julia did not escape in strings (`RAW_BACKSLASH`).
//!
//! # Calls: the security rule
//!
//! A trace file must never make Julia run code, so the only calls accepted are those that build
//! a type or name and nothing else:
//! - `typeof(X)` where `X` is a (qualified) name, `var"..."` name or operator (`typeof(+)`);
//! - `Symbol("...")` with one plain string literal (no `$`);
//! - `getfield(M, Symbol("..."))` with `M` a (qualified) name;
//! - `Core.kwftype(typeof(f))`;
//! - a **bits value**: a callee that looks like a type applied to exactly one unsigned hex literal,
//!   `Char(0x55000000)`, `SPIRV.Dim(0x00000001)`, `Core.AddrSpace{Core}(0x00)`. "Looks like a
//!   type" means: a (qualified) name whose last component is a plain identifier starting with an
//!   ASCII capital letter, or a curly application of such a name. `Base.exit(0x01)` is therefore
//!   unsupported. Such statements carry [`Flags::BITS_VALUE`](crate::Flags::BITS_VALUE): the
//!   evaluator must still check that the callee is a primitive type of that size.
//!
//! Any other call, binary operators, `$` interpolation, command literals, string macros,
//! assignments, `;` (outside the `try` wrapper), keywords that start code, macros other than the
//! wrappers, `->`, `...`, `::`, `[...]` are [`ProblemKind::Unsupported`]. Text that is not valid
//! Julia (unbalanced brackets, garbled or truncated text, two statements run together, invalid
//! tokens, nesting deeper than [`MAX_DEPTH`]) is [`ProblemKind::Malformed`]; when an unsupported
//! construct appears on a line that is also unbalanced, malformed wins.
//!
//! # Analysis
//!
//! - roots: the first component of every qualified name (`Base` of `Base.Iterators.Zip`), and the
//!   module argument of `getfield(M, ..)`, in order of first appearance. Bare names (`Int64`,
//!   `Vector`, type variables) are not roots: Julia resolves them in every module or they are
//!   bound by `where`. The `Base.` of `Base.precompile(` is not a root (it is part of the call,
//!   not the signature), nor are names in a dropped `isdefined` guard (SnoopCompile repeats the
//!   guard's module inside the signature; a guard on `Main` still sets `MAIN`).
//! - `LOSSY_VALUE`: a float literal without a decimal point (`1e10`, `1f0`, `2f-3`). Julia prints
//!   `Float64` as `1.0e10` and `Float32` as `1.0f0`, so such a literal was not printed by Julia's
//!   own printer and may not read back as the type it had; so is a repaired C `%gf` Float32.
//!   Integers printed as plain decimals cannot be told apart from `Int64` and are not flagged.
//! - `UNBOUNDED_VARARG`: the last parameter of the signature's `Tuple{...}` (or of the
//!   two-argument form's tuple) is `Vararg{T}` with no length. `Vararg{T, N} where N` is bounded
//!   by a type variable and is not flagged.

mod ast;
pub mod encode;
mod fast;
mod keywords;
mod lexer;
mod parser;
mod print;
mod shape;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt::Write;

pub use ast::{parse_type_expr, Expr};
pub(crate) use keywords::opens_block;
pub use shape::{not_julia, Brackets, Fed, LineEnd};

use crate::item::{Flags, ProblemKind, Repair, Repairs, Roots, Span, Statement};
use lexer::{Kind, Lexer};
use parser::{NoAst, Parser, StmtParse};

/// Deepest bracket / `where` nesting accepted. Real traces stay far below; deeper input is a
/// malformed line, never a stack overflow.
pub const MAX_DEPTH: usize = 256;

/// Why a statement could not be accepted, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: ProblemKind,
    /// Byte offset into the text given to [`parse_statement`] of the offending token.
    pub offset: usize,
    pub message: String,
}

/// A statement parsed from one line, before the line layer adds origin and timing.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedStatement<'a> {
    /// Text, spans, roots and flags. `timing_ms` is `None`; the line layer fills it in.
    pub statement: Statement<'a>,
    /// The text of a trailing `# ...` comment, without the `#` and surrounding spaces
    /// (`recompile`, `time: 0.0123`), for the line layer to interpret.
    pub trailing_comment: Option<&'a str>,
}

/// Parses one line's statement text (BOM, CR, ANSI codes and any `#= X ms =#` timing prefix
/// already removed by the line layer).
///
/// Accepts `precompile(SIG)`, `Base.precompile(SIG)`, `precompile(f, (T1, T2))`, optionally
/// wrapped as `isdefined(M, Symbol("..")) && precompile(..)` (sets `GUARDED`),
/// `try; @assert(Base.precompile(..)); catch err; @debug err; end` (the body may also be a bare
/// call or a guarded one, semicolons optional) or `@warnpcfail precompile(..)`, with `#= .. =#`
/// comments anywhere and an optional trailing `# ..` comment.
///
/// The statement text is the `precompile(...)` call alone, borrowed from `text` unless a
/// `#= =#` comment was removed from it or a raw backslash escaped (`RAW_BACKSLASH`); spans and
/// roots refer to it. Errors carry the byte offset of the offending token in `text`.
pub fn parse_statement(text: &str) -> Result<ParsedStatement<'_>, SyntaxError> {
    check_length(text)?;
    if let Some(parsed) = fast::parse(text) {
        return Ok(parsed);
    }
    parse_full(text)
}

/// [`parse_statement`] without the fast path (which must agree with it).
fn parse_full(text: &str) -> Result<ParsedStatement<'_>, SyntaxError> {
    let (out, flags, roots, edits) = match parse_once(text) {
        Ok(parsed) => parsed,
        Err(err) => return Err(refine(text, err)),
    };
    let trailing_comment = out.trailing.map(|span| span.slice(text));
    if edits.is_empty() {
        let base = out.call.start;
        let shift = |span: Span| Span {
            start: span.start - base,
            end: span.end - base,
        };
        return Ok(ParsedStatement {
            statement: Statement {
                text: Cow::Borrowed(out.call.slice(text)),
                signature: shift(out.signature),
                arg_types: out.arg_types.map(shift),
                roots: roots.into_iter().map(shift).collect(),
                timing_ms: None,
                flags,
                repair: None,
            },
            trailing_comment,
        });
    }
    // Comments were removed from the middle, or mis-printings repaired: parse the new text
    // again so that every span refers to it.
    let repairs = edits
        .iter()
        .fold(Repairs::NONE, |repairs, edit| repairs | edit.kind);
    let repaired = apply_edits(text, out.call, &edits);
    let (out2, flags2, roots2, edits2) = parse_once(&repaired).map_err(|err| SyntaxError {
        kind: ProblemKind::Malformed,
        offset: out.call.start as usize,
        message: format!(
            "the statement does not parse once its comments are removed or its mis-printings \
             repaired: {}",
            err.message
        ),
    })?;
    debug_assert!(
        edits2.is_empty(),
        "a repaired text needs no repair: {repaired}"
    );
    let mut flags = flags | flags2;
    let repair = if repairs.is_empty() {
        None
    } else {
        flags.insert(Flags::REPAIRED);
        Some(Box::new(Repair {
            kinds: repairs,
            original: Cow::Borrowed(out.call.slice(text)),
        }))
    };
    Ok(ParsedStatement {
        statement: Statement {
            signature: out2.signature,
            arg_types: out2.arg_types,
            roots: roots2,
            timing_ms: None,
            flags,
            repair,
            text: Cow::Owned(repaired),
        },
        trailing_comment,
    })
}

/// Rewrites an unbounded trailing `Vararg{T}` of the statement's signature to `Vararg{T, n}`
/// (the old PackageCompiler workaround). `None` when there is no unbounded trailing vararg.
pub fn bound_trailing_vararg(statement: &Statement, n: u32) -> Option<String> {
    let text: &str = &statement.text;
    let (out, _, _, _) = parse_once(text).ok()?;
    let close = out.vararg_close? as usize;
    let mut rewritten = String::with_capacity(text.len() + 12);
    rewritten.push_str(&text[..close]);
    let _ = write!(rewritten, ", {n}");
    rewritten.push_str(&text[close..]);
    Some(rewritten)
}

pub(crate) fn check_length(text: &str) -> Result<(), SyntaxError> {
    if text.len() >= u32::MAX as usize {
        return Err(SyntaxError {
            kind: ProblemKind::Malformed,
            offset: 0,
            message: "line longer than 4 GiB".into(),
        });
    }
    Ok(())
}

/// One change to a statement's text: `start..end` (byte offsets into the parsed text) replaced
/// by `text`. Comments removed from the middle of a call are edits of no repair kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub start: u32,
    pub end: u32,
    pub text: Cow<'static, str>,
    pub kind: Repairs,
}

impl Edit {
    pub fn replace(
        start: u32,
        end: u32,
        text: impl Into<Cow<'static, str>>,
        kind: Repairs,
    ) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
            kind,
        }
    }
}

/// The call's text with `edits` (sorted, not overlapping) applied.
fn apply_edits(text: &str, call: Span, edits: &[Edit]) -> String {
    let extra: usize = edits.iter().map(|edit| edit.text.len()).sum();
    let mut out = String::with_capacity(call.len() + extra);
    let mut pos = call.start as usize;
    for edit in edits {
        let (start, end) = (edit.start as usize, edit.end as usize);
        if start < pos {
            // Overlaps the previous edit: cannot happen for edits from one scan.
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(&edit.text);
        pos = end;
    }
    out.push_str(&text[pos..call.end as usize]);
    out
}

type Once = (StmtParse, Flags, Roots, Vec<Edit>);

fn parse_once(text: &str) -> Result<Once, SyntaxError> {
    let mut parser = Parser::new(text, 0, NoAst)?;
    let Ok(out) = parser.statement() else {
        return Err(parser.take_error());
    };
    let inside = |at: u32| at >= out.call.start && at < out.call.end;
    let mut edits = std::mem::take(&mut parser.edits);
    edits.retain(|edit| inside(edit.start));
    for &(start, end) in &parser.lex.comments {
        if inside(start) {
            edits.push(Edit::replace(start, end, "", Repairs::NONE));
        }
    }
    for &at in &parser.lex.raw_backslashes {
        if inside(at) {
            edits.push(Edit::replace(at, at, "\\", Repairs::RAW_BACKSLASH));
        }
    }
    // In text order; an insertion before a removal at the same offset.
    edits.sort_by_key(|edit| (edit.start, edit.end));
    let mut flags = parser.flags;
    if out.vararg_close.is_some() {
        flags.insert(Flags::UNBOUNDED_VARARG);
    }
    Ok((out, flags, parser.roots, edits))
}

/// An unsupported construct on a line that is not even well-formed is reported as malformed:
/// the line is garbled, whatever it contains.
fn refine(text: &str, err: SyntaxError) -> SyntaxError {
    if err.kind != ProblemKind::Unsupported {
        return err;
    }
    let mut lex = Lexer::new(text, 0);
    let mut open: Vec<(u8, u32)> = Vec::new();
    loop {
        let tok = match lex.next() {
            Ok(tok) => tok,
            Err(lex_err) if lex_err.kind == ProblemKind::Malformed => return lex_err,
            Err(_) => {
                // `$` in a string: read the rest of the line leniently.
                lex.lenient = true;
                continue;
            }
        };
        let closer = match tok.kind {
            Kind::LParen => Some(b')'),
            Kind::LBrace => Some(b'}'),
            Kind::LBracket => Some(b']'),
            _ => None,
        };
        if let Some(closer) = closer {
            if open.len() > MAX_DEPTH {
                return SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: tok.start as usize,
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                };
            }
            open.push((closer, tok.start));
            continue;
        }
        let found = match tok.kind {
            Kind::RParen => b')',
            Kind::RBrace => b'}',
            Kind::RBracket => b']',
            Kind::Eof | Kind::Comment => break,
            _ => continue,
        };
        match open.pop() {
            Some((want, _)) if want == found => {}
            Some((want, at)) => {
                return SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: tok.start as usize,
                    message: format!(
                    "unbalanced brackets: expected `{}` to close the one at byte {at}, found `{}`",
                    want as char, found as char
                ),
                }
            }
            None => {
                return SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: tok.start as usize,
                    message: format!("unbalanced brackets: `{}` closes nothing", found as char),
                }
            }
        }
    }
    match open.last() {
        Some(&(want, at)) => SyntaxError {
            kind: ProblemKind::Malformed,
            offset: text.len(),
            message: format!(
                "unbalanced brackets: expected `{}` to close the one at byte {at}, found end of line",
                want as char
            ),
        },
        None => err,
    }
}

/// Block keywords on one line of code, counted outside strings, comments and brackets
/// (`x[end]` is not a block end). Used by the block layer to skip code regions as units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockCount {
    /// `function`, `macro`, `let`, `begin`, `if`, `try`, `for`, `while`, `quote`, `module`,
    /// `struct`, `do` (and `mutable struct`, `baremodule`, ... counted once).
    pub opens: u32,
    /// `end` keywords.
    pub closes: u32,
}

/// Counts block openers and `end`s on a line of code. Never fails: unknown bytes are skipped.
pub fn count_blocks(text: &str) -> BlockCount {
    keywords::count(text)
}
