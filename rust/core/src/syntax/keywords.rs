//! Block keyword counting for the block layer, on the same lexer as the statement parser.

use super::lexer::{Kind, Lexer};
use super::BlockCount;

/// Keywords that open a block closed by `end`.
const OPENERS: [&str; 12] = [
    "function", "macro", "let", "begin", "if", "try", "for", "while", "quote", "module", "struct",
    "do",
];

/// Whether `word`, at the start of a line of code, begins a construct that opens a block:
/// one of the [`OPENERS`], `baremodule`, or the first word of `mutable struct`,
/// `abstract type`, `primitive type`.
pub(crate) fn opens_block(word: &str) -> bool {
    OPENERS.contains(&word) || matches!(word, "baremodule" | "mutable" | "abstract" | "primitive")
}

pub(super) fn count(text: &str) -> BlockCount {
    let mut counts = BlockCount::default();
    let mut lex = Lexer::new(text, 0);
    lex.lenient = true;
    let mut depth = 0i64;
    // Kind and end of the previous token: a word directly after `.` or `:` is a name
    // (`a.end`, `:end`), not a keyword.
    let mut prev: Option<(Kind, u32)> = None;
    // `abstract type` / `primitive type` open a block; `mutable struct` counts once (as `struct`).
    let mut pending_type_block = false;
    loop {
        let tok = match lex.next() {
            Ok(tok) => tok,
            Err(err) => {
                // Skip the offending character and go on: counting never fails.
                let mut next = err.offset.max(lex.pos()) + 1;
                while next < text.len() && !text.is_char_boundary(next) {
                    next += 1;
                }
                if next >= text.len() {
                    break;
                }
                lex.reset(next);
                prev = None;
                continue;
            }
        };
        let type_block = std::mem::take(&mut pending_type_block);
        match tok.kind {
            Kind::Eof | Kind::Comment => break,
            Kind::LParen | Kind::LBrace | Kind::LBracket => depth += 1,
            Kind::RParen | Kind::RBrace | Kind::RBracket => depth -= 1,
            Kind::Ident if depth <= 0 => {
                let member =
                    matches!(prev, Some((Kind::Dot | Kind::Colon, end)) if end == tok.start);
                let word = &text[tok.start as usize..tok.end as usize];
                if !member {
                    if type_block && word == "type" {
                        counts.opens += 1;
                    } else if word == "end" {
                        counts.closes += 1;
                    } else if OPENERS.contains(&word) || word == "baremodule" {
                        counts.opens += 1;
                    }
                    pending_type_block = matches!(word, "abstract" | "primitive");
                }
            }
            _ => {}
        }
        prev = Some((tok.kind, tok.end));
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::super::count_blocks;
    use super::BlockCount;

    fn c(opens: u32, closes: u32) -> BlockCount {
        BlockCount { opens, closes }
    }

    #[test]
    fn counts() {
        assert_eq!(count_blocks("function _precompile_()"), c(1, 0));
        assert_eq!(count_blocks("end"), c(0, 1));
        assert_eq!(count_blocks("    end  # comment end"), c(0, 1));
        assert_eq!(count_blocks("x[end]"), c(0, 0));
        assert_eq!(count_blocks("endswith(x, \"end\")"), c(0, 0));
        assert_eq!(
            count_blocks(
                "    let fbody = try __lookup_kwbody__(which(plot, (Any,))) catch missing end"
            ),
            c(2, 1)
        );
        assert_eq!(count_blocks("if x; y; end"), c(1, 1));
        assert_eq!(count_blocks("mutable struct Foo"), c(1, 0));
        assert_eq!(count_blocks("abstract type Foo end"), c(1, 1));
        assert_eq!(count_blocks("a.end + b.function"), c(0, 0));
        assert_eq!(count_blocks("x = :end"), c(0, 0));
        assert_eq!(count_blocks("map(xs) do x"), c(1, 0));
        assert_eq!(count_blocks("@setup_workload begin"), c(1, 0));
        assert_eq!(count_blocks("if VERSION >= v\"1.12\""), c(1, 0));
        assert_eq!(count_blocks("s = \"function $(x) end\" # if"), c(0, 0));
        assert_eq!(count_blocks("#= begin =# end"), c(0, 1));
        assert_eq!(count_blocks("\"\"\" docstring with end"), c(0, 0));
        assert_eq!(count_blocks("x' ; if a' end"), c(1, 1));
        assert_eq!(count_blocks("foo(\"unterminated end"), c(0, 0));
        assert_eq!(count_blocks("1f end"), c(0, 1));
        assert_eq!(count_blocks("macro warnpcfail(ex::Expr)"), c(1, 0));
        assert_eq!(count_blocks(""), c(0, 0));
    }
}
