//! The grammar of one precompile statement: a hand-written lexer and recursive-descent parser for
//! the subset of Julia that `julia --trace-compile` and SnoopCompile print.
//
// CONTRACT (filled in by the parser work): the public signatures below are fixed; bodies are not.

use crate::item::{ProblemKind, Statement};

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
/// wrapped as `isdefined(M, Symbol("..")) && precompile(..)`,
/// `try; @assert(Base.precompile(..)); catch err; @debug err; end` or `@warnpcfail precompile(..)`,
/// with `#= .. =#` comments anywhere and an optional trailing `# ..` comment.
pub fn parse_statement(text: &str) -> Result<ParsedStatement<'_>, SyntaxError> {
    let _ = text;
    todo!("syntax::parse_statement")
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
    let _ = text;
    todo!("syntax::count_blocks")
}
