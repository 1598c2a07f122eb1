//! Multi-line context: SnoopCompile wrappers that are transparent (`function _precompile_()`,
//! `if ... end`, `@setup_workload begin ... end`) and code regions skipped as one unsupported item
//! (`macro warnpcfail`, `function __lookup_kwbody__`, `let fbody = ... end`).
//!
//! [`Folder`] runs sequentially over the lines classified (possibly in parallel) by
//! [`crate::line`], in file order, and turns them into [`Item`]s:
//!
//! - A **transparent wrapper** opener (`function _precompile_()`, `function precompile(all=false)`,
//!   `if VERSION >= v"..."`, `if !all(...)`, `if !all` inside a function wrapper,
//!   `@setup_workload begin`, `@compile_workload begin`), its `else` and its closing `end` are
//!   scaffolding: the statements inside are kept. Conditions are never evaluated, so statements
//!   of every branch are kept; each is still parsed strictly on its own.
//! - Any other line of code that opens a block (`let fbody = ...`, `macro warnpcfail`,
//!   `function __lookup_kwbody__`, any other `function`, `for`, `if`, `module` ...) starts a
//!   **skipped region**: every line up to the matching `end` (nesting counted with
//!   [`syntax::count_blocks`]) becomes one unsupported item whose origin spans the region. A file
//!   that ends inside a region ends the region at its last line.
//! - A line of code that opens nothing is one unsupported item; an `end` with nothing open too.
//!   At top level (outside wrappers), a line that visibly is not Julia (terminal output captured
//!   with a trace: REPL prompts, printed matrices, `...`; [`syntax::not_julia`]) is malformed.
//! - Lines inside a `#= ... =#` comment that spans lines are comments.
//! - A **statement over several lines**: a statement line whose brackets are still open
//!   ([`Line::Open`]) reads on while lines can continue it (code that opens or closes no block,
//!   blank and comment lines once one line continued it) until its brackets close; the lines are
//!   joined (see `Pending::joined`) and parsed as one statement whose origin spans them. A line
//!   that cannot continue it ends it as one malformed item (the first line's own problem when
//!   no line continued it), and is then read normally; so does the end of the file, and
//!   [`MAX_STATEMENT_LINES`] lines or [`MAX_STATEMENT_BYTES`] bytes.
//!
//! ```
//! use compile_traces_core::blocks::Folder;
//! use compile_traces_core::line::classify_line;
//! use compile_traces_core::{Item, ItemKind, ProblemKind};
//!
//! let text = "let fbody = try __lookup_kwbody__(which(f, (Any,))) catch missing end\n\
//!             \x20   if !ismissing(fbody)\n\
//!             \x20       precompile(fbody, (Any,))\n\
//!             \x20   end\n\
//!             end   # time: 0.0114772\n";
//! let mut folder = Folder::new(0);
//! let mut items: Vec<Item> = Vec::new();
//! for (index, raw) in text.lines().enumerate() {
//!     let number = index as u32 + 1;
//!     folder.push(number, raw.as_bytes(), classify_line(raw.as_bytes(), number == 1), &mut |item| items.push(item));
//! }
//! folder.finish(&mut |item| items.push(item));
//! assert_eq!(items.len(), 1);
//! assert_eq!((items[0].origin.line, items[0].origin.end_line), (1, 5));
//! assert!(matches!(&items[0].kind, ItemKind::Problem(p) if p.kind == ProblemKind::Unsupported));
//! ```

use std::borrow::Cow;

use memchr::memmem;

use crate::item::{IgnoreReason, Item, ItemKind, Origin, Problem, ProblemKind};
use crate::line::{classify_joined, CodeShape, Line, OpenStatement, Wrapper};
use crate::syntax::{self, Brackets, LineEnd};

/// Most lines one statement may span: a `precompile(` whose brackets are still open after this
/// many lines is one malformed item.
pub const MAX_STATEMENT_LINES: u32 = 10_000;
/// Most bytes one statement may span, joined.
pub const MAX_STATEMENT_BYTES: usize = 1 << 20;

/// The sequential fold over one source's classified lines. Feed every line in order with
/// [`Folder::push`], then call [`Folder::finish`]; items come out in line order.
#[derive(Debug)]
pub struct Folder<'a> {
    source: u32,
    wrappers: Vec<Wrapper>,
    region: Option<Region<'a>>,
    /// Nesting depth of an open multi-line `#= ... =#` comment (0: none).
    comment: i64,
    last_line: u32,
    /// A statement whose brackets are still open, being read on.
    pending: Option<Pending<'a>>,
}

/// A statement written over several lines, read so far.
#[derive(Debug)]
struct Pending<'a> {
    first_line: u32,
    last_line: u32,
    /// The first line on its own, reported if no line continues it.
    problem: Problem<'a>,
    /// The lines so far, joined: the first line up to its code's end, then each further line's
    /// code, trimmed, separated by one space (none after an opening or before a closing
    /// bracket), a comma before a `}` or a call's `)` dropped.
    joined: String,
    brackets: Brackets,
    /// Where each further line's code starts in `joined`: (offset, line number, characters of
    /// indentation before it on its line), to point at errors.
    pieces: Vec<(usize, u32, usize)>,
}

#[derive(Debug)]
struct Region<'a> {
    /// Unsupported, unless a malformed statement-like line opened it.
    kind: ProblemKind,
    first_line: u32,
    column: u32,
    text: Cow<'a, str>,
    depth: i64,
    /// Statements found inside, reported in the message so nothing is lost silently.
    statements: u32,
    /// The parser's reason when the region was opened by a rejected statement-like line.
    reason: Option<Cow<'static, str>>,
}

impl<'a> Folder<'a> {
    /// A fold for the source at index `source` of the caller's list.
    pub fn new(source: u32) -> Folder<'a> {
        Folder {
            source,
            wrappers: Vec::new(),
            region: None,
            comment: 0,
            last_line: 0,
            pending: None,
        }
    }

    /// Takes line number `number` (1-based, increasing), its raw bytes (used only to follow
    /// multi-line comments) and its classification; emits zero or more items.
    pub fn push(
        &mut self,
        number: u32,
        raw: &[u8],
        line: Line<'a>,
        emit: &mut impl FnMut(Item<'a>),
    ) {
        self.last_line = number;

        if self.pending.is_some() {
            match self.continue_statement(number, &line, emit) {
                Continued::Yes => return,
                // The line did not belong to the statement: it is read on its own below.
                Continued::No => {}
            }
        }

        if self.comment > 0 {
            self.comment = (self.comment + comment_balance(raw)).max(0);
            if self.region.is_none() {
                emit(self.item(number, number, ItemKind::Ignored(IgnoreReason::Comment)));
            }
            return;
        }
        if let Line::Code(code) = &line {
            if code.shape == CodeShape::BlockCommentOpen {
                self.comment = comment_balance(raw).max(0);
                if self.region.is_none() {
                    emit(self.item(number, number, ItemKind::Ignored(IgnoreReason::Comment)));
                }
                return;
            }
        }

        if let Some(region) = &mut self.region {
            region.depth += net_blocks(&line);
            if matches!(line, Line::Statement(_)) {
                region.statements = region.statements.saturating_add(1);
            }
            if region.depth <= 0 {
                let region = self.region.take().expect("region is open");
                emit(self.close_region(region, number, false));
            }
            return;
        }

        match line {
            Line::Open(open) => {
                self.pending = Some(Pending {
                    first_line: number,
                    last_line: number,
                    joined: open.problem.text[..open.code_end].trim_end().to_string(),
                    problem: open.problem,
                    brackets: open.brackets,
                    pieces: Vec::new(),
                });
            }
            Line::Statement(statement) => {
                emit(self.item(number, number, ItemKind::Statement(statement)));
            }
            Line::Ignored(reason) => emit(self.item(number, number, ItemKind::Ignored(reason))),
            Line::Problem(problem) => {
                let net = net_blocks_of_text(&problem.text);
                if net > 0 {
                    // `precompile(...) || begin`: whatever follows up to the `end` is its body.
                    self.region = Some(Region {
                        kind: problem.kind,
                        first_line: number,
                        column: problem.column,
                        text: problem.text,
                        depth: net,
                        statements: 0,
                        reason: Some(problem.message),
                    });
                } else {
                    emit(self.item(number, number, ItemKind::Problem(problem)));
                }
            }
            Line::Code(code) => {
                let net = i64::from(code.blocks.opens) - i64::from(code.blocks.closes);
                let scaffolding = || ItemKind::Ignored(IgnoreReason::Scaffolding);
                match code.shape {
                    CodeShape::Wrapper(wrapper) if net == 1 && self.accepts(wrapper) => {
                        self.wrappers.push(wrapper);
                        emit(self.item(number, number, scaffolding()));
                    }
                    CodeShape::End if !self.wrappers.is_empty() => {
                        self.wrappers.pop();
                        emit(self.item(number, number, scaffolding()));
                    }
                    CodeShape::Else
                        if matches!(
                            self.wrappers.last(),
                            Some(Wrapper::IfVersion | Wrapper::IfFlag | Wrapper::IfAll)
                        ) =>
                    {
                        emit(self.item(number, number, scaffolding()));
                    }
                    _ if net > 0 => {
                        self.region = Some(Region {
                            kind: ProblemKind::Unsupported,
                            first_line: number,
                            column: code.column,
                            text: code.text,
                            depth: net,
                            statements: 0,
                            reason: None,
                        });
                    }
                    shape => {
                        if net < 0 {
                            // Closes blocks we did not see open as wrappers: keep our stack
                            // consistent with the file's nesting.
                            let closed = usize::try_from(-net).unwrap_or(usize::MAX);
                            let keep = self.wrappers.len().saturating_sub(closed);
                            self.wrappers.truncate(keep);
                        }
                        let message = match shape {
                            CodeShape::End => "`end` without an open block",
                            CodeShape::Else => "`else` outside a version-guard `if`",
                            _ => "code, not a precompile statement: never evaluated",
                        };
                        let mut problem = Problem {
                            kind: ProblemKind::Unsupported,
                            column: code.column,
                            message: Cow::Borrowed(message),
                            text: code.text,
                        };
                        if shape == CodeShape::Other && net == 0 && self.wrappers.is_empty() {
                            // "Unsupported" is for Julia code; terminal output mixed into a
                            // trace is malformed. Only at top level: inside a wrapper's code
                            // (a workload), a line may sit in a multi-line string.
                            if let Some((offset, message)) = syntax::not_julia(&problem.text) {
                                problem.kind = ProblemKind::Malformed;
                                problem.column = column_of(&problem.text, offset);
                                problem.message = Cow::Owned(message);
                            }
                        }
                        emit(self.item(number, number, ItemKind::Problem(problem)));
                    }
                }
            }
        }
    }

    /// Ends the source: a region still open becomes one item that ends at the last line, and
    /// so does a statement whose brackets are still open.
    pub fn finish(mut self, emit: &mut impl FnMut(Item<'a>)) {
        if let Some(pending) = self.pending.take() {
            emit(self.unclosed(pending, "the file ends before its brackets close"));
        }
        if let Some(region) = self.region.take() {
            let last = self.last_line;
            emit(self.close_region(region, last, true));
        }
    }

    /// Offers line `number` to the pending statement: takes it if it can continue the statement
    /// (emitting the statement once its brackets close), or ends the statement as malformed.
    fn continue_statement(
        &mut self,
        number: u32,
        line: &Line<'a>,
        emit: &mut impl FnMut(Item<'a>),
    ) -> Continued {
        let Some(pending) = self.pending.as_mut() else {
            return Continued::No;
        };
        let code = match line {
            // Blank and comment lines may sit inside a call's brackets (once a line continued
            // it: a truncated line followed by a blank one is just a truncated line).
            Line::Ignored(IgnoreReason::Blank | IgnoreReason::Comment)
                if !pending.pieces.is_empty() =>
            {
                None
            }
            // Text that is neither a statement nor the start of a block: a piece of the call.
            Line::Code(code)
                if code.shape == CodeShape::Other
                    && code.blocks.opens == 0
                    && code.blocks.closes == 0 =>
            {
                Some(code)
            }
            // A new statement, a block, scaffolding, a problem of its own: the pending
            // statement was never closed.
            _ => {
                let pending = self.pending.take().expect("pending statement");
                emit(self.unclosed(pending, &format!("line {number} cannot continue it")));
                return Continued::No;
            }
        };
        pending.last_line = number;
        let Some(code) = code else {
            return self.check_bounds(emit);
        };
        let before = pending.brackets.innermost();
        let fed = pending.brackets.feed(&code.text);
        // A trailing comment of the last line stays (`) # recompile`); others go.
        let code_end = match fed.end {
            LineEnd::Open => fed.code_end,
            LineEnd::Balanced | LineEnd::Broken => code.text.len(),
        };
        let piece = code.text[..code_end].trim();
        let indent = code.text.len() - code.text.trim_start().len();
        if piece.starts_with(['}', ')', ']']) {
            // `Tuple{A, B,}` and `f(x,)` mean `Tuple{A, B}` and `f(x)`; `(A,)` is a tuple.
            let drop_comma = piece.starts_with('}') || before.is_some_and(|(_, call)| call);
            if drop_comma && pending.joined.ends_with(',') {
                pending.joined.pop();
            }
        } else if !pending.joined.ends_with(['(', '{', '[']) && !piece.is_empty() {
            pending.joined.push(' ');
        }
        pending.pieces.push((
            pending.joined.len(),
            number,
            code.text[..indent].chars().count(),
        ));
        pending.joined.push_str(piece);
        match fed.end {
            LineEnd::Open => self.check_bounds(emit),
            LineEnd::Balanced | LineEnd::Broken => {
                let pending = self.pending.take().expect("pending statement");
                emit(self.joined_item(pending));
                Continued::Yes
            }
        }
    }

    /// A statement past [`MAX_STATEMENT_LINES`] or [`MAX_STATEMENT_BYTES`] is one malformed item.
    fn check_bounds(&mut self, emit: &mut impl FnMut(Item<'a>)) -> Continued {
        if let Some(pending) = &self.pending {
            let lines = pending.last_line - pending.first_line + 1;
            if lines >= MAX_STATEMENT_LINES || pending.joined.len() >= MAX_STATEMENT_BYTES {
                let pending = self.pending.take().expect("pending statement");
                let why = format!(
                    "still open after {lines} lines ({} bytes); a statement may span at most \
                     {MAX_STATEMENT_LINES} lines or {MAX_STATEMENT_BYTES} bytes",
                    pending.joined.len()
                );
                emit(self.unclosed(pending, &why));
            }
        }
        Continued::Yes
    }

    /// The item of a pending statement that was never closed: the first line's own problem when
    /// nothing continued it, else one malformed item over every line read.
    fn unclosed(&self, pending: Pending<'a>, why: &str) -> Item<'a> {
        if pending.pieces.is_empty() {
            return self.item(
                pending.first_line,
                pending.first_line,
                ItemKind::Problem(pending.problem),
            );
        }
        let opener = pending
            .brackets
            .innermost()
            .map_or(')', |(closer, _)| match closer {
                b'}' => '{',
                b']' => '[',
                _ => '(',
            });
        let problem = Problem {
            kind: ProblemKind::Malformed,
            column: pending.problem.column,
            message: Cow::Owned(format!(
                "unbalanced brackets: a `{opener}` of the statement that starts on line {} is \
                 not closed: {why}",
                pending.first_line
            )),
            text: pending.problem.text,
        };
        self.item(
            pending.first_line,
            pending.last_line,
            ItemKind::Problem(problem),
        )
    }

    /// The item of a statement whose lines were all read: the joined text, parsed.
    fn joined_item(&self, pending: Pending<'a>) -> Item<'a> {
        let (first, last) = (pending.first_line, pending.last_line);
        let kind = match classify_joined(&pending.joined) {
            Line::Statement(statement) => ItemKind::Statement(statement.into_owned()),
            Line::Problem(problem) | Line::Open(OpenStatement { problem, .. }) => {
                // Point at the line and column of the offending token.
                let offset = pending
                    .joined
                    .char_indices()
                    .nth(problem.column.saturating_sub(1) as usize)
                    .map_or(pending.joined.len(), |(at, _)| at);
                let (line, column) = match pending.pieces.iter().rev().find(|p| p.0 <= offset) {
                    Some(&(start, line, indent)) => (
                        line,
                        indent + pending.joined[start..offset].chars().count() + 1,
                    ),
                    None => (first, problem.column as usize),
                };
                let message = if line == first {
                    problem.message.into_owned()
                } else {
                    format!("{} (line {line}, column {column})", problem.message)
                };
                ItemKind::Problem(Problem {
                    kind: problem.kind,
                    column: if line == first {
                        problem.column
                    } else {
                        pending.problem.column
                    },
                    message: Cow::Owned(message),
                    text: pending.problem.text,
                })
            }
            // The joined text starts as the first line did, which was a statement: never code.
            Line::Code(_) | Line::Ignored(_) => ItemKind::Problem(Problem {
                kind: ProblemKind::Malformed,
                column: pending.problem.column,
                message: Cow::Borrowed("not a statement once its lines are joined"),
                text: pending.problem.text,
            }),
        };
        self.item(first, last, kind)
    }

    /// Whether `wrapper` is transparent where it appears.
    fn accepts(&self, wrapper: Wrapper) -> bool {
        match wrapper {
            // `if !all` is a wrapper only as a function's parameter test (DataFrames'
            // `function precompile(all=false)`); elsewhere the flag means something unknown.
            Wrapper::IfFlag => self.wrappers.contains(&Wrapper::Function),
            _ => true,
        }
    }

    fn item(&self, line: u32, end_line: u32, kind: ItemKind<'a>) -> Item<'a> {
        Item {
            origin: Origin {
                source: self.source,
                line,
                end_line,
            },
            kind,
        }
    }

    fn close_region(&self, region: Region<'a>, end_line: u32, unterminated: bool) -> Item<'a> {
        let mut message = match region.reason {
            Some(reason) => format!("{reason}; it opens a block, skipped through its `end`"),
            None => describe_region(&region.text),
        };
        if region.statements > 0 {
            message.push_str(&format!(
                " ({} precompile statement{} inside not extracted)",
                region.statements,
                if region.statements == 1 { "" } else { "s" }
            ));
        }
        if unterminated {
            message.push_str("; unterminated: the file ends before its `end`");
        }
        let problem = Problem {
            kind: region.kind,
            column: region.column,
            message: Cow::Owned(message),
            text: region.text,
        };
        self.item(region.first_line, end_line, ItemKind::Problem(problem))
    }
}

/// Why a region was skipped, from its first line.
fn describe_region(first_line: &str) -> String {
    let code = first_line.trim();
    if code.starts_with("let fbody") {
        return "SnoopCompile `let fbody` block skipped: keyword-body precompiles need the \
                package's own code"
            .to_string();
    }
    if code.starts_with("macro warnpcfail") {
        return "SnoopCompile `@warnpcfail` macro definition skipped: code, not precompile \
                statements"
            .to_string();
    }
    if code.starts_with("function __lookup_kwbody__") {
        return "SnoopCompile `__lookup_kwbody__` function definition skipped: code, not \
                precompile statements"
            .to_string();
    }
    let keyword: String = code
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '@')
        .collect();
    match keyword.as_str() {
        "function" | "macro" | "module" | "baremodule" | "struct" => {
            let name: String = code[keyword.len()..]
                .trim_start()
                .chars()
                .take_while(|c| !matches!(c, '(' | ' ' | '{' | '\t'))
                .take(80)
                .collect();
            format!("`{keyword} {name}` definition skipped: code, not precompile statements")
        }
        "" => "code block skipped: code, not precompile statements".to_string(),
        _ => format!("`{keyword}` block skipped: code, not precompile statements"),
    }
}

/// Whether [`Folder::continue_statement`] took the line.
enum Continued {
    Yes,
    No,
}

/// 1-based column in characters of byte offset `offset` of `text`.
fn column_of(text: &str, offset: usize) -> u32 {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    (text[..offset].chars().count() + 1) as u32
}

/// Net block opens of a line, for nesting inside a region.
fn net_blocks(line: &Line<'_>) -> i64 {
    match line {
        Line::Code(code) => i64::from(code.blocks.opens) - i64::from(code.blocks.closes),
        Line::Problem(problem) | Line::Open(OpenStatement { problem, .. }) => {
            net_blocks_of_text(&problem.text)
        }
        // A pure statement opens nothing (its `try; ...; end` wrapper is balanced); ignored
        // lines are blanks, comments and scaffolding without block keywords.
        Line::Statement(_) | Line::Ignored(_) => 0,
    }
}

fn net_blocks_of_text(text: &str) -> i64 {
    let count = syntax::count_blocks(text);
    i64::from(count.opens) - i64::from(count.closes)
}

/// `#=` minus `=#` on a raw line (Julia's block comments nest).
fn comment_balance(raw: &[u8]) -> i64 {
    let opens = memmem::find_iter(raw, b"#=").count() as i64;
    let closes = memmem::find_iter(raw, b"=#").count() as i64;
    opens - closes
}
