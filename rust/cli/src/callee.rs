//! Which function a statement compiles, for `stats`' "most frequent functions".
//!
//! Definition (documented in `stats --help`): the callee is read from the statement's signature
//! text, without evaluating anything:
//! - `Tuple{typeof(F), ...}` → `F`;
//! - keyword calls count as the function they call: `Tuple{typeof(Core.kwcall), NamedTuple{..}, typeof(F), ...}`
//!   (Julia 1.9+) and `Tuple{Core.kwftype(typeof(F)), ...}` (older) → `F`;
//! - constructors `Tuple{Type{T}, ...}` → `T` without its parameters (`Type{Dict{K, V}}` → `Dict`);
//! - callable objects and closures `Tuple{C{..}, ...}` → `C` without its parameters;
//! - the two-argument form `precompile(f, (T1, T2))` → `f`.
//!
//! Returns `None` when the signature is not a `Tuple{...}` with at least one parameter.

/// The callee of a statement given its signature text and whether it used the two-argument form.
pub fn callee(signature: &str, two_arg: bool) -> Option<&str> {
    let signature = signature.trim();
    if two_arg {
        return (!signature.is_empty()).then_some(signature);
    }
    let params = tuple_params(signature)?;
    let first = *params.first()?;
    if let Some(inner) = strip_call(first, "typeof") {
        if is_kwcall(inner) {
            // Julia 1.9+: `Tuple{typeof(Core.kwcall), NamedTuple{...}, typeof(f), args...}`.
            return match params.get(2).and_then(|p| strip_call(p, "typeof")) {
                Some(function) => Some(function),
                None => Some(inner),
            };
        }
        return Some(inner);
    }
    if let Some(inner) = strip_call(first, "Core.kwftype").or_else(|| strip_call(first, "kwftype"))
    {
        return Some(strip_call(inner, "typeof").unwrap_or(inner));
    }
    if let Some(inner) = strip_curly(first, "Type").or_else(|| strip_curly(first, "Core.Type")) {
        return Some(head_name(inner));
    }
    Some(head_name(first))
}

/// The callee as counted: Julia 1.12's `M.:(var"==")` is the operator `M.:(==)` that older
/// versions print, so both count as one function.
pub fn counted_name(callee: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = ":(var\"";
    let Some(at) = callee.find(OPEN) else {
        return callee.into();
    };
    let rest = &callee[at + OPEN.len()..];
    match rest.split_once("\")") {
        Some((op, after))
            if !op.is_empty()
                && op
                    .chars()
                    .all(|c| !(c.is_alphanumeric() || matches!(c, '_' | '"' | '\\' | '#'))) =>
        {
            format!("{}:({op}){}", &callee[..at], counted_name(after)).into()
        }
        _ => callee.into(),
    }
}

fn is_kwcall(name: &str) -> bool {
    matches!(name, "Core.kwcall" | "kwcall")
}

/// `name(inner)` → `inner` (the whole text must be that one call).
fn strip_call<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(name)?.strip_prefix('(')?;
    let close = matching_close(rest)?;
    (close == rest.len() - 1).then(|| rest[..close].trim())
}

/// `name{inner}` → `inner` (the whole text must be that one application).
fn strip_curly<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(name)?.strip_prefix('{')?;
    let close = matching_close(rest)?;
    (close == rest.len() - 1).then(|| rest[..close].trim())
}

/// The leading name of a type expression: `Dict{K, V} where K` → `Dict`,
/// `getfield(M, Symbol("#3#4"))` → itself (a closure printed the old way has no shorter name).
fn head_name(text: &str) -> &str {
    let text = text.trim().trim_start_matches('(');
    if let Some(arguments) = text.strip_prefix("getfield(") {
        if let Some(close) = matching_close(arguments) {
            return &text[.."getfield(".len() + close + 1];
        }
    }
    let mut end = text.len();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            // `var"#f##0"` names carry any character: skip to their closing quote.
            '"' => {
                for (_, c) in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                }
            }
            '{' | ' ' | ',' | ')' | '}' => {
                end = i;
                break;
            }
            // `Base.:(+)` keeps its parentheses.
            '(' if text[..i].ends_with(':') => {
                if let Some(close) = matching_close(&text[i + 1..]) {
                    let skip_to = i + 1 + close;
                    while chars.peek().is_some_and(|&(j, _)| j <= skip_to) {
                        chars.next();
                    }
                }
            }
            '(' => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    text[..end].trim()
}

/// The top-level comma-separated parameters of `Tuple{...}` (also `Core.Tuple{...}`, a
/// `where` clause after the braces and wrapping parentheses are allowed).
fn tuple_params(signature: &str) -> Option<Vec<&str>> {
    let signature = signature.trim_start_matches('(');
    let rest = signature
        .strip_prefix("Tuple{")
        .or_else(|| signature.strip_prefix("Core.Tuple{"))?;
    let close = matching_close(rest)?;
    let body = &rest[..close];
    let mut params = Vec::new();
    let mut start = 0;
    let mut scan = Scanner::new(body);
    while let Some((i, c, depth)) = scan.next() {
        if c == ',' && depth == 0 {
            params.push(body[start..i].trim());
            start = i + 1;
        }
    }
    let last = body[start..].trim();
    if !last.is_empty() {
        params.push(last);
    }
    Some(params)
}

/// Byte index in `text` of the bracket that closes an already opened one.
fn matching_close(text: &str) -> Option<usize> {
    let mut scan = Scanner::new(text);
    while let Some((i, c, depth)) = scan.next() {
        if matches!(c, ')' | '}' | ']') && depth < 0 {
            return Some(i);
        }
    }
    None
}

/// Walks characters outside string and character literals, with the bracket depth after each one.
struct Scanner<'t> {
    chars: std::iter::Peekable<std::str::CharIndices<'t>>,
    depth: i32,
    previous: char,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Scanner<'t> {
        Scanner {
            chars: text.char_indices().peekable(),
            depth: 0,
            previous: ' ',
        }
    }

    fn next(&mut self) -> Option<(usize, char, i32)> {
        loop {
            let (i, c) = self.chars.next()?;
            let previous = std::mem::replace(&mut self.previous, c);
            match c {
                '"' => self.skip_until('"'),
                // A character literal (`Val{'{'}`), not an adjoint: types never use `'` after a name.
                '\'' if !(previous.is_alphanumeric()
                    || matches!(previous, '_' | ')' | ']' | '}')) =>
                {
                    self.skip_until('\'')
                }
                '(' | '{' | '[' => {
                    self.depth += 1;
                    return Some((i, c, self.depth));
                }
                ')' | '}' | ']' => {
                    self.depth -= 1;
                    return Some((i, c, self.depth));
                }
                _ => return Some((i, c, self.depth)),
            }
        }
    }

    fn skip_until(&mut self, quote: char) {
        while let Some((_, c)) = self.chars.next() {
            if c == '\\' {
                self.chars.next();
            } else if c == quote {
                break;
            }
        }
        self.previous = quote;
    }
}

#[cfg(test)]
mod tests {
    use super::{callee, counted_name};

    #[test]
    fn typeof_function() {
        assert_eq!(
            callee("Tuple{typeof(Base.sum), Array{Int64, 1}}", false),
            Some("Base.sum")
        );
        assert_eq!(callee("Tuple{typeof(Main.f)}", false), Some("Main.f"));
        assert_eq!(
            callee("Tuple{typeof(Base.:(+)), Int64, Int64}", false),
            Some("Base.:(+)")
        );
        assert_eq!(
            callee("Tuple{typeof(*),sX,Stabilizer{Vector{UInt8}}}", false),
            Some("*")
        );
    }

    #[test]
    fn keyword_calls_count_as_the_called_function() {
        assert_eq!(
            callee(
                "Tuple{typeof(Core.kwcall), NamedTuple{(:a,), Tuple{Int64}}, typeof(Base.round), Float64}",
                false
            ),
            Some("Base.round")
        );
        assert_eq!(
            callee(
                "Tuple{Core.kwftype(typeof(attr!)),NamedTuple{(:guide,), Tuple{String}},typeof(attr!),Axis}",
                false
            ),
            Some("attr!")
        );
    }

    #[test]
    fn constructors_and_callable_objects() {
        assert_eq!(
            callee(
                "Tuple{Type{Grumps.GrumpsPLMData{T} where T<:AbstractFloat}, Base.Val{:Grumps}}",
                false
            ),
            Some("Grumps.GrumpsPLMData")
        );
        assert_eq!(
            callee("Tuple{Type{Base.Dict{Symbol, Any}}}", false),
            Some("Base.Dict")
        );
        assert_eq!(
            callee("Tuple{var\"#3#4\"{Int64}, Float64}", false),
            Some("var\"#3#4\"")
        );
        assert_eq!(
            callee("Tuple{var\"#f##0#f{x}\", Float64}", false),
            Some("var\"#f##0#f{x}\"")
        );
        assert_eq!(
            callee("Tuple{getfield(Plots, Symbol(\"#174#175\")),Any}", false),
            Some("getfield(Plots, Symbol(\"#174#175\"))")
        );
    }

    #[test]
    fn where_clauses_strings_and_chars_do_not_confuse_the_split() {
        assert_eq!(
            callee(
                "Tuple{typeof(Base.show), Base.Val{'{'}, Val{\"a,}\"}} where T",
                false
            ),
            Some("Base.show")
        );
        assert_eq!(
            callee("(Tuple{typeof(Base.f), T} where T)", false),
            Some("Base.f")
        );
    }

    #[test]
    fn two_argument_form_and_non_tuples() {
        assert_eq!(callee("Base.sum", true), Some("Base.sum"));
        assert_eq!(callee("Tuple{}", false), None);
        assert_eq!(callee("Base.sum", false), None);
        assert_eq!(callee("Tuple{typeof(Base.f)", false), None);
    }

    /// Any text, in particular every prefix and suffix of real signatures, cut inside strings,
    /// brackets and multi-byte characters, gives an answer and never panics.
    #[test]
    fn never_panics_on_any_text() {
        let samples = [
            "Tuple{typeof(Core.kwcall), NamedTuple{(:a,), Tuple{Int64}}, typeof(Base.round), Float64}",
            "Tuple{Core.kwftype(typeof(attr!)),NamedTuple{(:guide,), Tuple{String}},typeof(attr!),Axis}",
            "Tuple{var\"#f##0#f{x}\"{Int64}, Val{'{'}, Val{\"a,}\\\"\"}} where T<:Real",
            "Tuple{typeof(Grumps.MacroObjectiveδ!), Float64, Base.:(==), getfield(M, Symbol(\"#3\"))}",
            "(Tuple{Type{Dict{K, V} where V} where K, Char(0x55000000)})",
        ];
        let mut texts: Vec<String> = Vec::new();
        for sample in samples {
            for (i, _) in sample.char_indices() {
                texts.push(sample[..i].to_owned());
                texts.push(sample[i..].to_owned());
            }
        }
        // Pseudo-random texts over the characters that matter to the scanner.
        let alphabet: Vec<char> = "(){}[]\"'\\,: Tuple{typeof(Core.kwcall)var#é:Type"
            .chars()
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            texts.push(text);
        }
        for text in &texts {
            let _ = callee(text, false);
            let _ = callee(text, true);
        }
    }

    #[test]
    fn julia_1_12_operator_names_count_as_the_operator() {
        assert_eq!(counted_name(r#"Base.:(var"==")"#), "Base.:(==)");
        assert_eq!(
            counted_name(r#"Base.Broadcast.:(var".+")"#),
            "Base.Broadcast.:(.+)"
        );
        assert_eq!(counted_name("Base.:(==)"), "Base.:(==)");
        assert_eq!(
            counted_name(r##"Base.:(var"#f#1")"##),
            r##"Base.:(var"#f#1")"##
        );
        assert_eq!(counted_name(r#"Base.:(var"sum")"#), r#"Base.:(var"sum")"#);
    }
}
