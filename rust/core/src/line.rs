//! One physical line: BOM, CR, ANSI colour codes, timing prefixes, comments, scaffolding, and the
//! hand-off of statement text to the parser.
//!
//! Problem columns count characters (not bytes) of the line as a terminal shows it: indentation
//! and a timing prefix count, a BOM and ANSI colour codes do not, and [`Problem::text`] is that
//! same text, so that `text.chars().nth(column - 1)` is the offending character.
//!
//! Everything here is context-free, so that the lines of a large input can be classified in
//! parallel. What needs the neighbouring lines (wrappers, skipped code regions, multi-line
//! `#= =#` comments) is left to [`crate::blocks`], which folds over the results in order.
//!
//! ```
//! use compile_traces_core::line::{classify_line, Line};
//! use compile_traces_core::{Flags, IgnoreReason};
//!
//! match classify_line(b"#=   39.1 ms =# precompile(Tuple{typeof(Base.sum), Vector{Int64}}) # recompile\r", false) {
//!     Line::Statement(statement) => {
//!         assert_eq!(statement.text, "precompile(Tuple{typeof(Base.sum), Vector{Int64}})");
//!         assert_eq!(statement.timing_ms, Some(39.1));
//!         assert!(statement.flags.contains(Flags::TIMED | Flags::RECOMPILE));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(classify_line(b"   ", false), Line::Ignored(IgnoreReason::Blank));
//! ```

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use crate::item::{Flags, IgnoreReason, Problem, ProblemKind, Statement};
use crate::syntax;

/// What one physical line is, as far as it can be told without its neighbours.
#[derive(Clone, Debug, PartialEq)]
pub enum Line<'a> {
    /// A precompile statement, normalized, with timing and flags from the line.
    Statement(Statement<'a>),
    /// Blank, comment or scaffolding that never affects block nesting.
    Ignored(IgnoreReason),
    /// A statement-looking line the parser rejected, or a line that is not UTF-8.
    Problem(Problem<'a>),
    /// Any other line: Julia code whose meaning depends on the lines around it.
    Code(Code<'a>),
    /// A statement whose brackets are still open at the end of the line: it may go on over the
    /// next lines (code formatters write long calls that way). The block layer reads on.
    Open(OpenStatement<'a>),
}

/// The first line of a statement that may continue on the next lines.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenStatement<'a> {
    /// What the line is on its own (a malformed line, reported if nothing continues it). Its
    /// `text` is the line as displayed.
    pub problem: Problem<'a>,
    /// The brackets open at the end of the line.
    pub brackets: syntax::Brackets,
    /// Byte offset in `problem.text` where the line's code ends (before a trailing comment).
    pub code_end: usize,
}

impl<'a> Line<'a> {
    /// Detaches the line from the input it borrows from.
    pub fn into_owned(self) -> Line<'static> {
        match self {
            Line::Statement(statement) => Line::Statement(statement.into_owned()),
            Line::Ignored(reason) => Line::Ignored(reason),
            Line::Problem(problem) => Line::Problem(problem.into_owned()),
            Line::Code(code) => Line::Code(Code {
                shape: code.shape,
                blocks: code.blocks,
                text: Cow::Owned(code.text.into_owned()),
                column: code.column,
            }),
            Line::Open(open) => Line::Open(OpenStatement {
                problem: open.problem.into_owned(),
                brackets: open.brackets,
                code_end: open.code_end,
            }),
        }
    }
}

/// A line of code (not a statement, not ignorable on its own).
#[derive(Clone, Debug, PartialEq)]
pub struct Code<'a> {
    /// What the block layer needs to know about the line.
    pub shape: CodeShape,
    /// Block keywords on the line, from [`syntax::count_blocks`].
    pub blocks: syntax::BlockCount,
    /// The line as displayed: BOM, CR and ANSI codes removed.
    pub text: Cow<'a, str>,
    /// 1-based column, in characters, of the first non-blank character.
    pub column: u32,
}

/// The shapes of code line the block layer treats specially.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeShape {
    /// Opens a wrapper whose statements are kept (when the block layer agrees).
    Wrapper(Wrapper),
    /// A bare `end` (optionally with `;` and a trailing comment).
    End,
    /// `else` or `elseif ...`.
    Else,
    /// Starts with `#=` that is not closed on the line: a multi-line comment.
    BlockCommentOpen,
    /// Anything else.
    Other,
}

/// Known transparent wrappers of precompile statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    /// `function _precompile_()` or `function precompile(all=false)` (SnoopCompile, hand-edited).
    Function,
    /// `if VERSION >= v"1.9"`, `if v"1.13" > VERSION >= v"1.11"`, `@static if VERSION ...`.
    IfVersion,
    /// `if !all` / `if flag`: a bare (negated) name, only transparent inside a function wrapper.
    IfFlag,
    /// `if !all(...)`: a SnoopCompile-style check that the names the statements need exist.
    /// The condition is never evaluated here; the statements inside are kept.
    IfAll,
    /// PrecompileTools `@setup_workload begin`, `@compile_workload begin` (and the older
    /// SnoopPrecompile `@precompile_setup` / `@precompile_all_calls`).
    Workload,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Classifies one physical line (without its `\n`). `first_in_file` says whether a UTF-8 BOM may
/// start it. Never panics; invalid UTF-8 makes the line a malformed problem and nothing else.
pub fn classify_line(bytes: &[u8], first_in_file: bool) -> Line<'_> {
    let mut bytes = bytes;
    if first_in_file {
        bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    }
    bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if bytes.len() > u32::MAX as usize {
        return Line::Problem(Problem {
            kind: ProblemKind::Malformed,
            column: 1,
            message: Cow::Borrowed("line longer than 4 GiB: not a trace line"),
            text: String::from_utf8_lossy(&bytes[..200]),
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => return invalid_utf8(bytes, error.valid_up_to()),
    };
    match strip_ansi(text) {
        Cow::Borrowed(display) => classify_text(display),
        Cow::Owned(display) => classify_text(&display).into_owned(),
    }
}

fn invalid_utf8(bytes: &[u8], valid_up_to: usize) -> Line<'_> {
    let prefix = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let column = prefix.chars().count() + 1;
    Line::Problem(Problem {
        kind: ProblemKind::Malformed,
        column: column as u32,
        message: Cow::Owned(format!(
            "invalid UTF-8 (byte 0x{:02X} at column {column}): a trace file is UTF-8 text; \
             this line was skipped",
            bytes[valid_up_to]
        )),
        text: String::from_utf8_lossy(bytes),
    })
}

/// Removes ANSI CSI sequences (`\e[33m`, `\e[0m`, `\e[1;31m` ...): Julia colours what it prints
/// to a terminal, so a trace sent to stderr and captured may carry them.
fn strip_ansi(text: &str) -> Cow<'_, str> {
    if memchr::memchr(0x1B, text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(found) = memchr::memchr(0x1B, &bytes[i..]) {
        let escape = i + found;
        if bytes.get(escape + 1) != Some(&b'[') {
            // Not a CSI sequence: keep the byte, the parser will report it.
            i = escape + 1;
            continue;
        }
        // Parameter and intermediate bytes 0x20..=0x3F, then one final byte 0x40..=0x7E.
        let mut end = escape + 2;
        while end < bytes.len() && (0x20..=0x3F).contains(&bytes[end]) {
            end += 1;
        }
        if end < bytes.len() && (0x40..=0x7E).contains(&bytes[end]) {
            end += 1;
        }
        out.push_str(&text[copied..escape]);
        copied = end;
        i = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Classifies a line already free of BOM, CR and ANSI codes.
fn classify_text(display: &str) -> Line<'_> {
    let content = display.trim_start_matches([' ', '\t']);
    let indent = display.len() - content.len();
    if content.trim().is_empty() {
        return Line::Ignored(IgnoreReason::Blank);
    }

    // `#= 12.3 ms =# precompile(...)`: Julia 1.12's --trace-compile-timing prefix.
    let mut timing_ms = None;
    let mut start = indent;
    if content.starts_with("#=") {
        if let Some((ms, after)) = timing_prefix(content) {
            timing_ms = Some(ms);
            start = display.len() - after.len();
            if after.trim().is_empty() {
                return Line::Ignored(IgnoreReason::Comment);
            }
        } else {
            match block_comment_end(content) {
                None => return code(display, CodeShape::BlockCommentOpen, indent),
                Some(end) if content[end..].trim().is_empty() => {
                    return Line::Ignored(IgnoreReason::Comment)
                }
                // An inline comment before code: the parser accepts `#= =#` anywhere.
                Some(_) => {}
            }
        }
    } else if content.starts_with('#') {
        return Line::Ignored(IgnoreReason::Comment);
    }

    let rest = &display[start..];
    let rest_uncommented = skip_inline_comments(rest);
    if looks_like_statement(rest_uncommented) {
        return match statement(display, start, timing_ms) {
            Line::Problem(problem) => open_or_problem(problem),
            line => line,
        };
    }
    if let Some(line) = shape_of_code(display, rest, indent) {
        return line;
    }
    if !starts_with_block_keyword(rest_uncommented) && rest.contains("precompile(") {
        // Some other construct around a precompile call (`x = precompile(...)`, `... || @warn`):
        // the parser says precisely why it is not a pure statement, unless the line is not
        // Julia at all (a REPL prompt run together with a statement).
        return match statement(display, start, timing_ms) {
            Line::Problem(problem) if problem.kind == ProblemKind::Unsupported => {
                match syntax::not_julia(display) {
                    Some((offset, message)) => Line::Problem(Problem {
                        kind: ProblemKind::Malformed,
                        column: column_of(display, offset),
                        message: Cow::Owned(message),
                        text: problem.text,
                    }),
                    None => Line::Problem(problem),
                }
            }
            line => line,
        };
    }
    code(display, CodeShape::Other, indent)
}

/// A rejected statement line whose brackets are still open at its end may go on over the next
/// lines: the block layer decides.
fn open_or_problem(problem: Problem<'_>) -> Line<'_> {
    let mut brackets = syntax::Brackets::default();
    let fed = brackets.feed(&problem.text);
    if fed.end == syntax::LineEnd::Open {
        return Line::Open(OpenStatement {
            problem,
            brackets,
            code_end: fed.code_end,
        });
    }
    Line::Problem(problem)
}

/// Classifies the lines of a statement written over several lines, joined into one by the
/// block layer: a statement or a problem (whose column counts characters of `joined`).
pub fn classify_joined(joined: &str) -> Line<'_> {
    classify_text(joined)
}

fn looks_like_statement(text: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "precompile(",
        "Base.precompile(",
        "isdefined(",
        "@warnpcfail",
        "@assert",
    ];
    PREFIXES.iter().any(|prefix| text.starts_with(prefix))
        || (text.starts_with("try")
            && text[3..].starts_with([';', ' ', '\t'])
            && text.contains("precompile("))
}

/// Whether the code starts with a keyword that opens a block (`function _my_precompile()`,
/// `if cond precompile(...) end`): such a line is code for the block layer, not a statement.
fn starts_with_block_keyword(text: &str) -> bool {
    let word_len = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
        .unwrap_or(text.len());
    syntax::opens_block(&text[..word_len])
}

/// Skips leading `#= .. =#` comments (closed on the line) and blanks.
fn skip_inline_comments(mut text: &str) -> &str {
    while text.starts_with("#=") {
        match block_comment_end(text) {
            Some(end) => text = text[end..].trim_start_matches([' ', '\t']),
            None => break,
        }
    }
    text
}

/// If `text` starts with `#= <number> ms =#`, the number and the text after it.
fn timing_prefix(text: &str) -> Option<(f64, &str)> {
    let inner = text.strip_prefix("#=")?.trim_start_matches([' ', '\t']);
    let number_len = inner
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
        .unwrap_or(inner.len());
    let ms: f64 = inner[..number_len].parse().ok()?;
    if !(ms.is_finite() && ms >= 0.0) {
        return None;
    }
    let after = inner[number_len..]
        .trim_start_matches([' ', '\t'])
        .strip_prefix("ms")?
        .trim_start_matches([' ', '\t'])
        .strip_prefix("=#")?;
    Some((ms, after.trim_start_matches([' ', '\t'])))
}

/// Byte offset just after the `=#` closing the (nesting) `#=` comment that starts `text`,
/// if it closes on this line.
fn block_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'#', b'=') => {
                depth += 1;
                i += 2;
            }
            (b'=', b'#') => {
                depth = depth.saturating_sub(1);
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Hands `display[start..]` to the parser and turns its answer into a line.
fn statement(display: &str, start: usize, timing_ms: Option<f64>) -> Line<'_> {
    let text = &display[start..];
    match syntax::parse_statement(text) {
        Ok(parsed) => {
            let mut statement = parsed.statement;
            statement.timing_ms = timing_ms;
            if timing_ms.is_some() {
                statement.flags.insert(Flags::TIMED);
            }
            if let Some(comment) = parsed.trailing_comment {
                apply_trailing_comment(&mut statement, comment);
            }
            Line::Statement(statement)
        }
        Err(error) => Line::Problem(Problem {
            kind: error.kind,
            column: column_of(display, start.saturating_add(error.offset)),
            message: Cow::Owned(error.message),
            text: Cow::Borrowed(display),
        }),
    }
}

/// Interprets a statement's trailing comment: `recompile` (Julia 1.12) and `time: S`
/// (SnoopCompile, seconds). Other comments are kept by nobody.
fn apply_trailing_comment(statement: &mut Statement<'_>, comment: &str) {
    let comment = comment.trim();
    if comment == "recompile" {
        statement.flags.insert(Flags::RECOMPILE);
    } else if let Some(seconds) = comment.strip_prefix("time:") {
        // A prefix timing (ms, Julia's own) wins over a comment if a file somehow has both.
        if statement.timing_ms.is_none() {
            if let Ok(seconds) = seconds.trim().parse::<f64>() {
                let ms = seconds * 1000.0;
                if ms.is_finite() && ms >= 0.0 {
                    statement.timing_ms = Some(ms);
                    statement.flags.insert(Flags::TIMED);
                }
            }
        }
    }
}

/// 1-based column in characters of byte offset `offset` of `display` (clamped to the line and
/// rounded down to a character boundary).
fn column_of(display: &str, offset: usize) -> u32 {
    let mut offset = offset.min(display.len());
    while !display.is_char_boundary(offset) {
        offset -= 1;
    }
    (display[..offset].chars().count() + 1) as u32
}

fn code(display: &str, shape: CodeShape, indent: usize) -> Line<'_> {
    Line::Code(Code {
        shape,
        blocks: syntax::count_blocks(display),
        text: Cow::Borrowed(display),
        column: column_of(display, indent),
    })
}

/// Wrapper openers, `end`, `else` and scaffolding; `None` for any other line.
fn shape_of_code<'a>(display: &'a str, rest: &str, indent: usize) -> Option<Line<'a>> {
    let code_part = strip_trailing_comment(rest);
    let code_part = code_part.as_ref();
    let shape = if code_part.trim_end_matches(';').trim_end() == "end" {
        CodeShape::End
    } else if code_part == "else"
        || code_part.starts_with("elseif ")
        || code_part.starts_with("elseif(")
    {
        CodeShape::Else
    } else if let Some(wrapper) = wrapper(code_part) {
        CodeShape::Wrapper(wrapper)
    } else if patterns().scaffolding.is_match(code_part) {
        return Some(Line::Ignored(IgnoreReason::Scaffolding));
    } else {
        return None;
    };
    Some(code(display, shape, indent))
}

fn wrapper(code: &str) -> Option<Wrapper> {
    let patterns = patterns();
    if patterns.function.is_match(code) {
        return Some(Wrapper::Function);
    }
    if patterns.workload.is_match(code) {
        return Some(Wrapper::Workload);
    }
    let condition = code
        .strip_prefix("@static")
        .map(|rest| rest.trim_start())
        .unwrap_or(code)
        .strip_prefix("if")?;
    if !condition.starts_with([' ', '\t', '(', '!']) {
        return None;
    }
    let condition = condition.trim();
    if condition.contains("VERSION") && patterns.version_condition.is_match(condition) {
        return Some(Wrapper::IfVersion);
    }
    if patterns.all_condition.is_match(condition) {
        return Some(Wrapper::IfAll);
    }
    if patterns.flag_condition.is_match(condition) {
        return Some(Wrapper::IfFlag);
    }
    None
}

/// The code before a trailing `# ...` comment (outside strings), `#= =#` comments dropped,
/// trimmed. Used only to recognise shapes, never as statement text.
fn strip_trailing_comment(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut kept = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if in_string {
            match byte {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'#' {
            if bytes.get(i + 1) == Some(&b'=') {
                if let Some(end) = block_comment_end(&text[i..]) {
                    let out = out.get_or_insert_with(String::new);
                    out.push_str(&text[kept..i]);
                    kept = i + end;
                    i = kept;
                    continue;
                }
            }
            return finish_stripped(text, out, kept, i);
        }
        i += 1;
    }
    finish_stripped(text, out, kept, text.len())
}

fn finish_stripped(text: &str, out: Option<String>, kept: usize, end: usize) -> Cow<'_, str> {
    let end = end.min(text.len()).max(kept);
    match out {
        None => Cow::Borrowed(text[..end].trim()),
        Some(mut out) => {
            out.push_str(&text[kept..end]);
            Cow::Owned(out.trim().to_string())
        }
    }
}

struct Patterns {
    scaffolding: Regex,
    function: Regex,
    workload: Regex,
    version_condition: Regex,
    flag_condition: Regex,
    all_condition: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let build = |pattern: &str| Regex::new(pattern).expect("static pattern is valid");
        Patterns {
            scaffolding: build(concat!(
                r"^(?:",
                // SnoopCompile: only run while generating a package image.
                r"ccall\(\s*:jl_generating_output\s*,\s*Cint\s*,\s*\(\s*\)\s*\)\s*==\s*1\s*\|\|\s*return(?:\s+nothing)?",
                r"|(?:Base\.)?generating_output\(\)\s*\|\|\s*return(?:\s+nothing)?",
                // Hand-edited guard: `VERSION >= v"1.5" || return nothing`.
                r#"|(?:Base\.)?VERSION\s*(?:>=|<=|>|<|==|!=|≥|≤)\s*v"[^"]*"\s*(?:\|\||&&)\s*return(?:\s+nothing)?"#,
                r"|const\s+__bodyfunction__\s*=\s*Dict\{Method,\s*Any\}\(\)",
                // `using PrecompileTools: @setup_workload`, `using SnoopCompile`, `import Foo.Bar`.
                r"|(?:using|import)\s+[A-Za-z_][\w.]*(?:\s*:\s*@?[\w!.]+(?:\s*,\s*@?[\w!.]+)*|(?:\s*,\s*[A-Za-z_][\w.]*)*)",
                r"|_precompile_\(\)",
                r"|return(?:\s+nothing)?",
                r")\s*;?$",
            )),
            function: build(r"^function\s+(?:_precompile_|precompile)\s*\([^()]*\)$"),
            workload: build(
                r"^(?:(?:PrecompileTools|SnoopPrecompile)\.)?@(?:setup_workload|compile_workload|precompile_setup|precompile_all_calls)\s+begin$",
            ),
            version_condition: build(
                r#"^(?:\s|\(|\)|!|&&|\|\||>=|<=|==|!=|>|<|≥|≤|(?:Base\.)?VERSION|v"[^"\\]*")+$"#,
            ),
            flag_condition: build(r"^!?\s*[A-Za-z_][A-Za-z0-9_]*$"),
            all_condition: build(r"^!?\s*all\s*\(.*\)$"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_codes_are_removed_anywhere() {
        assert_eq!(strip_ansi("\x1b[33mabc\x1b[0m"), "abc");
        assert_eq!(strip_ansi("a\x1b[1;31mb\x1b[39mc"), "abc");
        assert!(matches!(strip_ansi("plain"), Cow::Borrowed("plain")));
        // A lone escape is not a colour code: kept for the parser to reject.
        assert_eq!(strip_ansi("a\x1bb"), "a\x1bb");
        // Truncated sequence at the end of the line.
        assert_eq!(strip_ansi("abc\x1b[3"), "abc");
    }

    #[test]
    fn timing_prefix_shapes() {
        assert_eq!(timing_prefix("#=   39.1 ms =# x"), Some((39.1, "x")));
        assert_eq!(
            timing_prefix("#= 2103.2 ms =#precompile("),
            Some((2103.2, "precompile("))
        );
        assert_eq!(timing_prefix("#=1ms=#"), Some((1.0, "")));
        assert_eq!(timing_prefix("#= Test. =# x"), None);
        assert_eq!(timing_prefix("#= 12 s =# x"), None);
        assert_eq!(timing_prefix("#= -1.0 ms =# x"), None);
        assert_eq!(timing_prefix("#= 1e999 ms =# x"), None);
    }

    #[test]
    fn trailing_comment_is_cut_outside_strings() {
        assert_eq!(strip_trailing_comment("end # if"), "end");
        assert_eq!(
            strip_trailing_comment(r#"if VERSION >= v"1.9.0-DEV.1598" # Core.kwcall"#),
            r#"if VERSION >= v"1.9.0-DEV.1598""#
        );
        assert_eq!(
            strip_trailing_comment(r#"x = "a # b" # c"#),
            r#"x = "a # b""#
        );
        assert_eq!(strip_trailing_comment("end #= x =# ; "), "end  ;");
        assert_eq!(
            strip_trailing_comment(r##"s = "\"#" #c"##),
            r##"s = "\"#""##
        );
    }

    #[test]
    fn wrappers_are_recognised() {
        assert_eq!(wrapper("function _precompile_()"), Some(Wrapper::Function));
        assert_eq!(
            wrapper("function precompile(all=false)"),
            Some(Wrapper::Function)
        );
        assert_eq!(wrapper("function _my_precompile()"), None);
        assert_eq!(
            wrapper(r#"if VERSION >= v"1.9.0-DEV.1598""#),
            Some(Wrapper::IfVersion)
        );
        assert_eq!(
            wrapper(r#"if v"1.13.0-DEV.731" > VERSION >= v"1.11.0-DEV.336""#),
            Some(Wrapper::IfVersion)
        );
        assert_eq!(
            wrapper(r#"@static if Base.VERSION ≥ v"1.8""#),
            Some(Wrapper::IfVersion)
        );
        assert_eq!(wrapper("if !all"), Some(Wrapper::IfFlag));
        assert_eq!(
            wrapper("if !all(isdefined.(Ref(Plots), (:plot, :scatter)))"),
            Some(Wrapper::IfAll)
        );
        assert_eq!(wrapper("if !ismissing(fbody)"), None);
        assert_eq!(wrapper(r#"if VERSION >= v"1.9" && run(`rm -rf /`)"#), None);
        assert_eq!(wrapper("@setup_workload begin"), Some(Wrapper::Workload));
        assert_eq!(
            wrapper("PrecompileTools.@compile_workload begin"),
            Some(Wrapper::Workload)
        );
        assert_eq!(wrapper("iffy"), None);
    }

    #[test]
    fn scaffolding_lines() {
        for line in [
            "    ccall(:jl_generating_output, Cint, ()) == 1 || return nothing",
            r#"    VERSION >= v"1.5" || return nothing"#,
            "const __bodyfunction__ = Dict{Method,Any}()",
            "using PrecompileTools: @setup_workload",
            "using SnoopCompile",
            "import Foo.Bar, Baz",
            "_precompile_()",
            "    return nothing",
        ] {
            assert_eq!(
                classify_text(line),
                Line::Ignored(IgnoreReason::Scaffolding),
                "{line}"
            );
        }
    }

    #[test]
    fn comments_and_blank_lines() {
        assert_eq!(classify_text(""), Line::Ignored(IgnoreReason::Blank));
        assert_eq!(classify_text(" \t "), Line::Ignored(IgnoreReason::Blank));
        assert_eq!(
            classify_text("# Jive.runtests"),
            Line::Ignored(IgnoreReason::Comment)
        );
        assert_eq!(
            classify_text("# precompile( grumps!, ( GrumpsCLEER, Data{Float64} ) )"),
            Line::Ignored(IgnoreReason::Comment)
        );
        assert_eq!(
            classify_text("#= note =#"),
            Line::Ignored(IgnoreReason::Comment)
        );
        assert_eq!(
            classify_text("#= 3.1 ms =#  "),
            Line::Ignored(IgnoreReason::Comment)
        );
        assert!(matches!(
            classify_text("#= a multi-line"),
            Line::Code(Code {
                shape: CodeShape::BlockCommentOpen,
                ..
            })
        ));
    }

    #[test]
    fn invalid_utf8_reports_column_of_first_bad_byte() {
        match classify_line(b"ab\xC3(\xFF", false) {
            Line::Problem(problem) => {
                assert_eq!(problem.kind, ProblemKind::Malformed);
                assert_eq!(problem.column, 3);
                assert!(problem.message.contains("invalid UTF-8"));
                assert_eq!(problem.text, "ab\u{FFFD}(\u{FFFD}");
            }
            other => panic!("{other:?}"),
        }
        // A valid multi-byte character before the bad byte counts once.
        match classify_line("é\u{3b1}\u{FFFD}".as_bytes(), false) {
            Line::Code(_) | Line::Problem(_) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bom_only_on_first_line() {
        assert_eq!(
            classify_line(b"\xEF\xBB\xBF", true),
            Line::Ignored(IgnoreReason::Blank)
        );
        assert_eq!(
            classify_line(b"\xEF\xBB\xBF# c\r", true),
            Line::Ignored(IgnoreReason::Comment)
        );
    }

    #[test]
    fn column_counts_characters() {
        assert_eq!(column_of("αβγ", 2), 2);
        assert_eq!(column_of("αβγ", 3), 2); // inside β: rounded down
        assert_eq!(column_of("abc", 99), 4);
    }
}
