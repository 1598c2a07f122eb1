//! Rustc-style reports of malformed and unsupported lines:
//!
//! ```text
//! trace.jl:12:34: malformed: expected `}`
//!    |
//! 12 | precompile(Tuple{typeof(Base.sum), Vector{Int64})
//!    |                                  ^
//! ```

use std::io::{self, Write};

use compile_traces_core::{Origin, Problem};

/// Longest excerpt of a line that is shown; longer lines are cut around the column.
const MAX_SHOWN: usize = 120;

pub fn write_problem(
    out: &mut impl Write,
    path: &str,
    origin: Origin,
    problem: &Problem<'_>,
) -> io::Result<()> {
    writeln!(
        out,
        "{path}:{}:{}: {}: {}",
        origin.line,
        problem.column,
        problem.kind.as_str(),
        problem.message
    )?;
    let gutter = origin.line.to_string();
    let pad = " ".repeat(gutter.len());
    let (shown, caret) = excerpt(&problem.text, problem.column as usize);
    writeln!(out, "{pad} |")?;
    writeln!(out, "{gutter} | {shown}")?;
    writeln!(out, "{pad} | {}^", " ".repeat(caret))?;
    if origin.end_line > origin.line {
        writeln!(
            out,
            "{pad} = note: lines {}-{} were read as one item",
            origin.line, origin.end_line
        )?;
    }
    Ok(())
}

/// `1 line`, `2 lines`: counts in summaries read as English.
pub fn counted(count: u64, noun: &str) -> String {
    format!("{count} {}", counted_noun(count, noun))
}

pub fn counted_noun(count: u64, noun: &str) -> String {
    if count == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// The text to show (control characters made visible, long lines cut) and the caret's offset in
/// characters for the 1-based `column`.
pub fn excerpt(text: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let target = column.saturating_sub(1).min(chars.len());
    let (start, end) = if chars.len() <= MAX_SHOWN {
        (0, chars.len())
    } else {
        let start = target.saturating_sub(MAX_SHOWN / 2);
        let end = (start + MAX_SHOWN).min(chars.len());
        (end.saturating_sub(MAX_SHOWN).min(start), end)
    };
    let mut shown = String::new();
    let mut caret = target - start;
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    shown.extend(chars[start..end].iter().map(|&c| visible(c)));
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

/// Control characters (ANSI escapes from a coloured terminal, tabs, stray carriage returns) would
/// move the cursor or recolour the user's terminal: show them as Unicode control pictures, one
/// column wide each, so the caret stays aligned.
fn visible(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use compile_traces_core::ProblemKind;
    use std::borrow::Cow;

    #[test]
    fn caret_under_the_column() {
        let (shown, caret) = excerpt("precompile(Tuple{", 11);
        assert_eq!(shown, "precompile(Tuple{");
        assert_eq!(caret, 10);
        assert_eq!(&shown[caret..caret + 1], "(");
    }

    #[test]
    fn escape_codes_are_made_visible() {
        let (shown, caret) = excerpt("\u{1b}[33mprecompile(x)\u{1b}[0m", 6);
        assert_eq!(shown, "␛[33mprecompile(x)␛[0m");
        assert!(!shown.contains('\u{1b}'));
        assert_eq!(shown.chars().nth(caret), Some('p'));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let text = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (shown, caret) = excerpt(&text, 5001);
        assert!(shown.chars().count() <= MAX_SHOWN + 2);
        assert_eq!(shown.chars().nth(caret), Some('X'));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        // Column past the end points just after the text.
        let (shown, caret) = excerpt("abc", 99);
        assert_eq!((shown.as_str(), caret), ("abc", 3));
    }

    #[test]
    fn block_problems_name_their_line_range() {
        let problem = Problem {
            kind: ProblemKind::Unsupported,
            column: 1,
            message: Cow::Borrowed("`let` block"),
            text: Cow::Borrowed("let fbody = try"),
        };
        let origin = Origin {
            source: 0,
            line: 9,
            end_line: 14,
        };
        let mut out = Vec::new();
        write_problem(&mut out, "p.jl", origin, &problem).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "p.jl:9:1: unsupported: `let` block\n  |\n9 | let fbody = try\n  | ^\n  = note: lines 9-14 were read as one item\n"
        );
    }

    #[test]
    fn any_column_on_any_text_keeps_the_caret_inside() {
        let texts = ["", "a", "\u{1b}[0m", "éé\tδ", &"x".repeat(300)];
        for text in texts {
            for column in [0, 1, 2, 3, 150, 299, 300, 301, u32::MAX as usize] {
                let (shown, caret) = excerpt(text, column);
                assert!(caret <= shown.chars().count(), "{text:?} {column}");
            }
        }
    }
}
