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
//! - Lines inside a `#= ... =#` comment that spans lines are comments.
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
use crate::line::{CodeShape, Line, Wrapper};
use crate::syntax;

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
                        let problem = Problem {
                            kind: ProblemKind::Unsupported,
                            column: code.column,
                            message: Cow::Borrowed(message),
                            text: code.text,
                        };
                        emit(self.item(number, number, ItemKind::Problem(problem)));
                    }
                }
            }
        }
    }

    /// Ends the source: a region still open becomes one item that ends at the last line.
    pub fn finish(mut self, emit: &mut impl FnMut(Item<'a>)) {
        if let Some(region) = self.region.take() {
            let last = self.last_line;
            emit(self.close_region(region, last, true));
        }
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

/// Net block opens of a line, for nesting inside a region.
fn net_blocks(line: &Line<'_>) -> i64 {
    match line {
        Line::Code(code) => i64::from(code.blocks.opens) - i64::from(code.blocks.closes),
        Line::Problem(problem) => net_blocks_of_text(&problem.text),
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
