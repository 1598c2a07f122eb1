//! Line shapes the block layer needs from the lexer: where the brackets of a statement written
//! over several lines close ([`Brackets`]), and whether a line of code is Julia at all
//! ([`not_julia`]).

use super::lexer::{Kind, Lexer};
use super::parser::{is_block_keyword, is_closing_keyword};
use super::MAX_DEPTH;

/// The brackets still open after some lines of a statement. Strings, chars and comments are
/// read by the statement lexer, so a `(` inside `Symbol("(")` opens nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Brackets {
    /// Closer of each open bracket, innermost last, and whether that bracket is a call's `(`
    /// (`precompile(`, `typeof(`), whose arguments may end with a comma that means nothing.
    open: Vec<(u8, bool)>,
}

/// How a line left the brackets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnd {
    /// Some are still open: the statement goes on to the next line.
    Open,
    /// Every bracket closed on this line: the statement ends here.
    Balanced,
    /// Not readable as part of a statement: a token the lexer rejects, a closer that matches
    /// nothing, nesting deeper than [`MAX_DEPTH`].
    Broken,
}

/// What [`Brackets::feed`] found on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fed {
    pub end: LineEnd,
    /// Byte offset where the line's code ends: the start of a trailing `# ...` comment, or the
    /// line's length.
    pub code_end: usize,
}

impl Brackets {
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The closer of the innermost open bracket, and whether it is a call's `(`.
    pub fn innermost(&self) -> Option<(u8, bool)> {
        self.open.last().copied()
    }

    /// Reads one more line (without its line ending).
    pub fn feed(&mut self, text: &str) -> Fed {
        let mut lex = Lexer::new(text, 0);
        // Whether the previous token ends a name or a call, so that a `(` right after it is a
        // call's.
        let mut callee_before = false;
        loop {
            let tok = lex.next_token();
            let spaced = tok.spaced();
            let end = match tok.kind {
                Kind::Error => LineEnd::Broken,
                Kind::Eof => {
                    return Fed {
                        end: if self.open.is_empty() {
                            LineEnd::Balanced
                        } else {
                            LineEnd::Open
                        },
                        code_end: text.len(),
                    }
                }
                Kind::Comment => {
                    return Fed {
                        end: if self.open.is_empty() {
                            LineEnd::Balanced
                        } else {
                            LineEnd::Open
                        },
                        code_end: tok.start as usize,
                    }
                }
                Kind::LParen | Kind::LBrace | Kind::LBracket => {
                    if self.open.len() > MAX_DEPTH {
                        LineEnd::Broken
                    } else {
                        let (closer, call) = match tok.kind {
                            Kind::LParen => (b')', callee_before && !spaced),
                            Kind::LBrace => (b'}', false),
                            _ => (b']', false),
                        };
                        self.open.push((closer, call));
                        callee_before = false;
                        continue;
                    }
                }
                Kind::RParen | Kind::RBrace | Kind::RBracket => {
                    let closer = text.as_bytes()[tok.start as usize];
                    match self.open.pop() {
                        Some((want, _)) if want == closer => {
                            if self.open.is_empty() {
                                // The statement ends here; what follows is for the parser to
                                // judge (a trailing comment, or two statements run together).
                                return Fed {
                                    end: LineEnd::Balanced,
                                    code_end: code_end_after(&mut lex, text),
                                };
                            }
                            callee_before = true;
                            continue;
                        }
                        _ => LineEnd::Broken,
                    }
                }
                Kind::Ident | Kind::VarIdent => {
                    callee_before = true;
                    continue;
                }
                _ => {
                    callee_before = false;
                    continue;
                }
            };
            return Fed {
                end,
                code_end: text.len(),
            };
        }
    }
}

/// Where the code of the rest of the line ends (a trailing comment's start, or the end).
fn code_end_after(lex: &mut Lexer<'_>, text: &str) -> usize {
    loop {
        let tok = lex.next_token();
        match tok.kind {
            Kind::Comment => return tok.start as usize,
            Kind::Eof | Kind::Error => return text.len(),
            _ => {}
        }
    }
}

/// Why a line of code (not a statement) cannot be Julia, if it visibly cannot: a REPL prompt
/// (`julia>`, `(@v1.10) pkg>`), an elided-output marker (`...`, `⋮`), two values side by side
/// with only a space between (`2×2 Matrix{Float64}:`, a printed row `1.0  2.0`, `[1] top-level
/// scope`), a closer that closes nothing, a line ending in `:`. Returns the byte offset of the
/// offending text and a message. `None` means the line may be Julia (it is then unsupported
/// code, never evaluated); lines the lexer cannot read are left to the caller's other checks.
pub fn not_julia(text: &str) -> Option<(usize, String)> {
    let code = text.trim_start_matches([' ', '\t']);
    let indent = text.len() - code.len();
    if let Some(prompt) = repl_prompt(code) {
        return Some((
            indent,
            format!(
                "a Julia REPL prompt (`{prompt}`): a captured terminal session, not Julia code"
            ),
        ));
    }
    if matches!(code.trim_end(), "..." | "…" | "⋮" | "⋯") {
        return Some((
            indent,
            "an elided-output marker, not Julia code (terminal output?)".into(),
        ));
    }
    let mut lex = Lexer::new(text, 0);
    lex.lenient = true;
    let mut depth = 0usize;
    // Macro calls, keywords and command literals take space-separated arguments: two values
    // side by side prove nothing on such a line.
    let mut words_are_arguments = false;
    let mut side_by_side: Option<(usize, String)> = None;
    let mut prev: Option<(Kind, u32, u32)> = None;
    // Inside a command literal `` `...` ``, whose words the lexer reads as tokens.
    let mut command: Option<u32> = None;
    loop {
        let Ok(tok) = lex.next() else {
            return None;
        };
        if let Some(open) = command {
            match tok.kind {
                Kind::Backtick => {
                    // The whole literal is one value.
                    command = None;
                    prev = Some((Kind::Str, open, tok.end));
                }
                Kind::Eof | Kind::Comment => return None,
                _ => {}
            }
            continue;
        }
        if tok.kind == Kind::Backtick {
            command = Some(tok.start);
            if depth == 0 && side_by_side.is_none() && tok.spaced() {
                if let Some((_, start, end)) = prev.filter(|(kind, _, _)| ends_value(*kind)) {
                    let before = &text[start as usize..end as usize];
                    side_by_side = Some((
                        tok.start as usize,
                        format!(
                            "a command literal follows `{}` with only a space between: not \
                             Julia code (printed output?)",
                            short(before)
                        ),
                    ));
                }
            }
            continue;
        }
        match tok.kind {
            Kind::Eof | Kind::Comment => break,
            Kind::LParen | Kind::LBrace | Kind::LBracket => depth += 1,
            Kind::RParen | Kind::RBrace | Kind::RBracket => {
                if depth == 0 {
                    let closer = &text[tok.start as usize..tok.end as usize];
                    return Some((
                        tok.start as usize,
                        format!("`{closer}` closes nothing: not Julia code (terminal output?)"),
                    ));
                }
                depth -= 1;
            }
            Kind::At => words_are_arguments = true,
            Kind::Ident => {
                let word = &text[tok.start as usize..tok.end as usize];
                if is_block_keyword(word)
                    || is_closing_keyword(word)
                    || matches!(word, "in" | "isa" | "outer" | "type")
                {
                    words_are_arguments = true;
                }
            }
            _ => {}
        }
        if depth == 0 && side_by_side.is_none() && tok.spaced() && starts_value(tok.kind) {
            if let Some((kind, start, end)) = prev {
                if ends_value(kind) {
                    let before = &text[start as usize..end as usize];
                    let after = &text[tok.start as usize..tok.end as usize];
                    side_by_side = Some((
                        tok.start as usize,
                        format!(
                            "`{}` follows `{}` with only a space between: not Julia code \
                             (printed output?)",
                            short(after),
                            short(before)
                        ),
                    ));
                }
            }
        }
        prev = Some((tok.kind, tok.start, tok.end));
    }
    if let Some(found) = side_by_side.filter(|_| !words_are_arguments) {
        return Some(found);
    }
    match prev {
        Some((Kind::Colon, start, _)) if depth == 0 && !words_are_arguments => Some((
            start as usize,
            "a line ending in `:` is not Julia code (printed output such as `2×2 Matrix{Float64}:`?)"
                .into(),
        )),
        _ => None,
    }
}

/// The REPL prompt a line starts with, if any: `julia>`, `shell>`, `help?>`, `pkg>`,
/// `(@v1.10) pkg>`, `(MyEnv) pkg>`.
fn repl_prompt(code: &str) -> Option<&str> {
    for prompt in ["julia>", "shell>", "help?>", "pkg>"] {
        if code.starts_with(prompt) {
            return Some(prompt);
        }
    }
    if code.starts_with('(') {
        let close = code.find(')')?;
        let rest = code[close + 1..].trim_start_matches(' ');
        if rest.starts_with("pkg>") {
            let end = code.len() - rest.len() + 4;
            return Some(&code[..end]);
        }
    }
    None
}

fn starts_value(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Ident | Kind::VarIdent | Kind::Int | Kind::Hex | Kind::Float | Kind::Char | Kind::Str
    )
}

fn ends_value(kind: Kind) -> bool {
    starts_value(kind) || matches!(kind, Kind::RParen | Kind::RBrace | Kind::RBracket)
}

fn short(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(lines: &[&str]) -> (Vec<LineEnd>, Brackets) {
        let mut brackets = Brackets::default();
        let ends = lines.iter().map(|line| brackets.feed(line).end).collect();
        (ends, brackets)
    }

    #[test]
    fn brackets_across_lines() {
        use LineEnd::*;
        let (ends, _) = feed_all(&[
            "precompile(",
            "    Tuple{typeof(Base.show), Base.Multimedia.MIME{:var\"text/plain\"}},",
            ")",
        ]);
        assert_eq!(ends, [Open, Open, Balanced]);
        let mut brackets = Brackets::default();
        brackets.feed("precompile(");
        assert_eq!(brackets.innermost(), Some((b')', true)));
        brackets.feed("  (Int64,");
        assert_eq!(brackets.innermost(), Some((b')', false)));
        brackets.feed("  Tuple{");
        assert_eq!(brackets.innermost(), Some((b'}', false)));
        // Brackets in strings and comments open nothing.
        let (ends, _) = feed_all(&["precompile(Tuple{Val{Symbol(\"(\")}, # {", "})"]);
        assert_eq!(ends, [Open, Balanced]);
        let fed = Brackets::default().feed("precompile(Tuple{Int64}) # recompile");
        assert_eq!((fed.end, fed.code_end), (Balanced, 25));
        let fed = Brackets::default().feed("precompile(  # the call");
        assert_eq!((fed.end, fed.code_end), (Open, 13));
        // A closer that matches nothing, or text the lexer rejects.
        assert_eq!(feed_all(&["precompile(", "}"]).0, [Open, Broken]);
        assert_eq!(feed_all(&["precompile(", "\"abc"]).0, [Open, Broken]);
    }

    #[test]
    fn terminal_output_is_not_julia() {
        for (line, at, why) in [
            ("julia> precompile(Tuple{Int64})", 0, "REPL prompt"),
            ("(@v1.10) pkg> activate --temp", 0, "`(@v1.10) pkg>`"),
            (
                "(@v1.10) pkg> activate --tempprecompile(Tuple{typeof(Base.sum), Int64})",
                0,
                "REPL prompt",
            ),
            ("  shell> ls", 2, "REPL prompt"),
            ("2×2 Matrix{Float64}:", "2×2 ".len(), "with only a space"),
            (" 1.0  2.0", 6, "with only a space"),
            ("...", 0, "elided"),
            ("  ⋮", 2, "elided"),
            ("Stacktrace:", 10, "ending in `:`"),
            ("  [1] top-level scope", 6, "with only a space"),
            ("})", 0, "closes nothing"),
            (
                "  Activating new project at `/tmp/jl_XyZ`",
                "  Activating ".len(),
                "with only a space",
            ),
        ] {
            let (offset, message) = not_julia(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(offset, at, "{line}: {message}");
            assert!(message.contains(why), "{line}: {message}");
        }
        for line in [
            "using SnoopCompile",
            "for i in 1:3 println(i) end",
            "@time foo(x) y",
            "x = f(a, b)",
            "precompile(Tuple{typeof(f), Int64}) || @warn \"failed\"",
            "run(`ls -la dir`)",
            "`echo a b`",
            "a = [1 2 3]",
            "x' * y",
            "f(x) = 2x + 1",
            "import Foo: bar, baz",
        ] {
            assert_eq!(not_julia(line), None, "{line}");
        }
    }
}
