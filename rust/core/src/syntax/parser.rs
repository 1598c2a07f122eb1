//! Recursive-descent parser for precompile statements and the type expressions inside them.
//!
//! The parser is generic over a [`Build`]er: the hot path ([`NoAst`]) builds nothing and
//! compiles to a validating scan; [`super::ast`] plugs in a builder that returns an [`Expr`]
//! tree. Analysis (roots, flags, the trailing `Vararg` position) happens in the same pass
//! whatever the builder, from small `Copy` [`Shape`] summaries instead of a tree.
//!
//! [`Expr`]: super::ast::Expr

use std::borrow::Cow;

use super::lexer::{is_type_var_gensym, Kind, Lexer, Token, T_CFLOAT, T_HASH, T_LOSSY, T_RAW};
use super::{Edit, SyntaxError, MAX_DEPTH};
use crate::item::{Flags, ProblemKind, Repairs, Roots, Span};

/// Leaf kinds handed to a builder, with their text (see [`Build::leaf`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// Identifier.
    Name,
    /// Content of `var"..."`.
    Var,
    /// Operator used as a name: the `+` of `Base.:(+)` or of a bare `typeof(+)`.
    Op,
    /// Decimal integer, possibly negative.
    Int,
    /// `0x...`.
    Hex,
    /// Float literal, possibly negative, or `-Inf`-like.
    Float,
    /// Content between the quotes of a char literal.
    Char,
    /// Content between the quotes of a string literal, escapes as written.
    Str,
    /// Symbol name after the `:` (for `:(==)`, the `==`).
    Symbol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rel {
    /// `<:`
    Sub,
    /// `>:`
    Super,
}

/// What the parser produces for each construct. Every method has a no-op version in [`NoAst`].
pub(crate) trait Build {
    type Node;
    type List;
    fn list(&mut self) -> Self::List;
    fn push(&mut self, list: &mut Self::List, node: Self::Node);
    fn leaf(&mut self, kind: Leaf, text: &str) -> Self::Node;
    fn dot(&mut self, lhs: Self::Node, member: Self::Node) -> Self::Node;
    fn curly(&mut self, head: Self::Node, args: Self::List) -> Self::Node;
    fn call(&mut self, callee: Self::Node, args: Self::List) -> Self::Node;
    fn where_(&mut self, body: Self::Node, vars: Self::List) -> Self::Node;
    fn relation(&mut self, rel: Rel, lhs: Self::Node, rhs: Self::Node) -> Self::Node;
    fn chain(&mut self, lower: Self::Node, var: Self::Node, upper: Self::Node) -> Self::Node;
    fn prefix(&mut self, rel: Rel, operand: Self::Node) -> Self::Node;
    fn tuple(&mut self, items: Self::List) -> Self::Node;
    fn paren(&mut self, inner: Self::Node) -> Self::Node;
}

/// The hot-path builder: builds nothing.
pub(crate) struct NoAst;

impl Build for NoAst {
    type Node = ();
    type List = ();
    #[inline(always)]
    fn list(&mut self) {}
    #[inline(always)]
    fn push(&mut self, _: &mut (), _: ()) {}
    #[inline(always)]
    fn leaf(&mut self, _: Leaf, _: &str) {}
    #[inline(always)]
    fn dot(&mut self, _: (), _: ()) {}
    #[inline(always)]
    fn curly(&mut self, _: (), _: ()) {}
    #[inline(always)]
    fn call(&mut self, _: (), _: ()) {}
    #[inline(always)]
    fn where_(&mut self, _: (), _: ()) {}
    #[inline(always)]
    fn relation(&mut self, _: Rel, _: (), _: ()) {}
    #[inline(always)]
    fn chain(&mut self, _: (), _: (), _: ()) {}
    #[inline(always)]
    fn prefix(&mut self, _: Rel, _: ()) {}
    #[inline(always)]
    fn tuple(&mut self, _: ()) {}
    #[inline(always)]
    fn paren(&mut self, _: ()) {}
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SKind {
    #[default]
    Other,
    /// A name or qualified name: `Int64`, `Base.Iterators.Zip`, `Main.var"#1#2"`, `Base.:(+)`.
    Name,
    Curly,
    /// `typeof(...)`
    Typeof,
    /// `Symbol("...")`
    Symbol,
    /// `getfield(M, Symbol("..."))`
    Getfield,
    /// Any other accepted call.
    Call,
    Hex,
    Tuple,
}

/// A summary of a parsed sub-expression: enough for the analysis, no allocation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Shape {
    pub kind: SKind,
    pub start: u32,
    pub end: u32,
    /// Name: the last component is a plain identifier starting with an ASCII capital letter.
    /// Curly: its head is type-like. Used to accept `T(0x..)` bits values.
    pub typelike: bool,
    /// A name made of one plain identifier (the first component of a possible qualified name).
    pub simple: bool,
    /// This node is `Vararg{T}` without a length: offset of its closing `}` (0: no).
    pub open_vararg: u32,
    /// This node is `Tuple{..., Vararg{T}}` or a tuple `(.., Vararg{T})`, possibly under
    /// `where`: offset of that `Vararg`'s closing `}` (0: no; a `}` is never at offset 0).
    pub trailing_vararg: u32,
}

/// Result of [`Parser::statement`]; spans are offsets into the parsed source.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StmtParse {
    /// The `precompile(...)` call itself (wrappers excluded).
    pub call: Span,
    pub signature: Span,
    pub arg_types: Option<Span>,
    /// Trailing `# ...` comment content, trimmed, without the `#`.
    pub trailing: Option<Span>,
    /// Offset of the `}` of an unbounded trailing `Vararg{T}`.
    pub vararg_close: Option<u32>,
}

type Parsed<N> = Result<(N, Shape), Stop>;

/// The parse stopped; the error is in [`Parser::error`]. A zero-sized error keeps `Result`s
/// (and so the recursion's stack frames) small.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stop;

pub(crate) struct Parser<'s, B: Build> {
    src: &'s str,
    pub lex: Lexer<'s>,
    pub tok: Token,
    prev_end: u32,
    depth: usize,
    /// While parsing a wrapper's guard, names are not roots (they are outside the statement text).
    no_roots: bool,
    pub flags: Flags,
    pub roots: Roots,
    /// Repairs of known mis-printings found so far (text order), for [`super::parse_statement`]
    /// to apply; empty on nearly every line.
    pub edits: Vec<Edit>,
    pub b: B,
    /// Why the parse stopped (see [`Stop`]).
    error: Option<SyntaxError>,
}

/// The name inside `.:( )` or `:( )`.
enum ParenName<'s> {
    /// An operator: `+`, `==`.
    Op(&'s str),
    /// A `var"..."` token.
    Var(Token),
}

/// C's `%g` spellings of infinities and NaNs (Float64 `inf`, Float32 `inff`) and their Julia
/// spellings.
fn c_float_word(text: &str) -> Option<&'static str> {
    Some(match text {
        "inf" => "Inf",
        "nan" => "NaN",
        "inff" => "Inf32",
        "nanf" => "NaN32",
        _ => return None,
    })
}

/// A Float32 as C's `%gf` prints it (`1.5f`, `1f`, `1e+10f`, `2.5e-05f`) as a Julia literal
/// (`1.5f0`, `1.0f0`, `1.0f10`, `2.5f-5`).
pub(crate) fn c_float_text(text: &str) -> String {
    let body = text.strip_suffix('f').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, "0"),
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", exponent.strip_prefix('+').unwrap_or(exponent)),
    };
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let point = if mantissa.contains('.') { "" } else { ".0" };
    let sign = if digits == "0" { "" } else { sign };
    format!("{mantissa}{point}f{sign}{digits}")
}

/// Keywords that start code (never part of a type expression).
pub(super) fn is_block_keyword(text: &str) -> bool {
    matches!(
        text,
        "begin"
            | "function"
            | "macro"
            | "let"
            | "try"
            | "if"
            | "for"
            | "while"
            | "quote"
            | "module"
            | "baremodule"
            | "struct"
            | "mutable"
            | "abstract"
            | "primitive"
            | "do"
            | "return"
            | "global"
            | "local"
            | "const"
            | "import"
            | "using"
            | "export"
            | "break"
            | "continue"
    )
}

/// Keywords that close or continue a block, and `where`: never the start of a type.
pub(super) fn is_closing_keyword(text: &str) -> bool {
    matches!(
        text,
        "end" | "else" | "elseif" | "catch" | "finally" | "where"
    )
}

fn short(text: &str) -> &str {
    const MAX: usize = 40;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl<'s, B: Build> Parser<'s, B> {
    pub fn new(src: &'s str, start: usize, b: B) -> Result<Self, SyntaxError> {
        let mut lex = Lexer::new(src, start);
        let tok = lex.next()?;
        Ok(Parser {
            src,
            lex,
            tok,
            prev_end: start as u32,
            depth: 0,
            no_roots: false,
            flags: Flags::NONE,
            roots: Roots::new(),
            edits: Vec::new(),
            b,
            error: None,
        })
    }

    #[cold]
    #[inline(never)]
    fn fail(&mut self, err: SyntaxError) -> Stop {
        // The first error wins: later ones are consequences.
        if self.error.is_none() {
            self.error = Some(err);
        }
        Stop
    }

    /// The error that stopped the parse.
    pub fn take_error(&mut self) -> SyntaxError {
        self.error.take().unwrap_or_else(|| SyntaxError {
            kind: ProblemKind::Malformed,
            offset: self.tok.start as usize,
            message: "the parser stopped without a reason (please report this line)".into(),
        })
    }

    #[inline]
    fn bump(&mut self) -> Result<Token, Stop> {
        let t = self.tok;
        self.prev_end = t.end;
        self.advance()?;
        Ok(t)
    }

    /// Reads the next token into `self.tok`.
    #[inline]
    fn advance(&mut self) -> Result<(), Stop> {
        let next = self.lex.next_token();
        if next.kind == Kind::Error {
            return Err(self.lex_fail());
        }
        self.tok = next;
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn lex_fail(&mut self) -> Stop {
        let err = self.lex.take_error();
        self.fail(err)
    }

    #[inline]
    fn text(&self, t: Token) -> &'s str {
        &self.src[t.start as usize..t.end as usize]
    }

    #[inline]
    fn is_ident(&self, s: &str) -> bool {
        self.tok.kind == Kind::Ident && self.text(self.tok) == s
    }

    fn enter(&mut self) -> Result<(), Stop> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(SyntaxError {
                kind: ProblemKind::Malformed,
                offset: self.tok.start as usize,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            }));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn unsupported(&self, offset: u32, message: String) -> SyntaxError {
        SyntaxError {
            kind: ProblemKind::Unsupported,
            offset: offset as usize,
            message,
        }
    }

    /// Describes the current token for messages.
    fn describe(&self) -> String {
        match self.tok.kind {
            Kind::Eof => "end of line".into(),
            Kind::Comment => {
                let text = self.text(self.tok).as_bytes();
                if text.len() > 2 && text[1] == b's' && text[2].is_ascii_digit() {
                    // Old Julia printed gensym type variables bare: `Base.Pair{#s151, #s150}`.
                    "`#`, which starts a comment (a type variable like `#s151` printed without `var\"...\"`?)".into()
                } else {
                    "a `#` comment".into()
                }
            }
            _ => format!("`{}`", short(self.text(self.tok))),
        }
    }

    /// The error for an unexpected current token: constructs that would run code are
    /// unsupported, everything else malformed.
    pub fn unexpected(&self, expected: &str) -> SyntaxError {
        let t = self.tok;
        let text = self.text(t);
        let message = match t.kind {
            Kind::Op => Some(match text {
                "=" => "assignment `=` is not allowed in a precompile statement".to_string(),
                "->" => "anonymous function `->` is not allowed in a precompile statement".into(),
                "..." => "splat `...` is not allowed in a precompile statement".into(),
                "::" => "type assertion `::` is not allowed in a precompile statement".into(),
                _ => format!(
                    "operator `{}` would run code: only `<:`, `>:` and `where` may appear in a signature",
                    short(text)
                ),
            }),
            Kind::Minus => Some("operator `-` would run code".into()),
            Kind::Semicolon => Some(
                "`;` separates statements: only one precompile call per line is supported".into(),
            ),
            Kind::At => Some(format!("macro call `{}` is not allowed", short(text))),
            Kind::Dollar => Some("interpolation `$` would run code".into()),
            Kind::Backtick => Some("command literal `` ` `` would run code".into()),
            Kind::StrMacro => Some(format!("string macro `{}\"...\"` would run code", short(text))),
            Kind::LBracket => Some(
                "array literals, comprehensions and indexing are not allowed in a signature".into(),
            ),
            Kind::Ident if is_block_keyword(text) => Some(format!(
                "keyword `{text}` starts code, not a type: not a pure precompile statement"
            )),
            _ => None,
        };
        match message {
            Some(message) => self.unsupported(t.start, message),
            None => SyntaxError {
                kind: ProblemKind::Malformed,
                offset: t.start as usize,
                message: format!("expected {expected}, found {}", self.describe()),
            },
        }
    }

    fn expect(&mut self, kind: Kind, expected: &str) -> Result<Token, Stop> {
        if self.tok.kind == kind {
            self.bump()
        } else {
            Err(self.fail(self.unexpected(expected)))
        }
    }

    fn add_root(&mut self, span: Span) {
        if self.no_roots {
            return;
        }
        let name = span.slice(self.src);
        if self.roots.iter().any(|r| r.slice(self.src) == name) {
            return;
        }
        if name == "Main" {
            self.flags.insert(Flags::MAIN);
        }
        self.roots.push(span);
    }

    // ---- statements -------------------------------------------------------------------------

    /// Parses a whole statement line: an optional wrapper, the `precompile` call, an optional
    /// trailing comment, then the end of the text.
    pub fn statement(&mut self) -> Result<StmtParse, Stop> {
        let t = self.tok;
        let mut out = match t.kind {
            Kind::Ident => match self.text(t) {
                "precompile" | "Base" => self.precompile_call()?,
                "isdefined" => self.guarded()?,
                "try" => self.try_wrapper()?,
                _ => return Err(self.fail(self.not_a_statement())),
            },
            Kind::At if self.text(t) == "@warnpcfail" => {
                self.bump()?;
                self.precompile_call()?
            }
            Kind::Eof => {
                return Err(self.fail(SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: t.start as usize,
                    message: "expected a precompile statement, found end of line".into(),
                }))
            }
            _ => return Err(self.fail(self.not_a_statement())),
        };
        match self.tok.kind {
            Kind::Eof => {}
            Kind::Comment => {
                let (start, end) = (self.tok.start as usize + 1, self.tok.end as usize);
                let body = &self.src[start..end];
                let trimmed = body.trim();
                if !trimmed.is_empty() {
                    let lead = body.len() - body.trim_start().len();
                    out.trailing = Some(Span::new(start + lead, start + lead + trimmed.len()));
                }
            }
            Kind::Ident | Kind::VarIdent | Kind::LParen | Kind::Str | Kind::Int | Kind::Float
                if !self.tok.spaced() =>
            {
                return Err(self.fail(SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: self.tok.start as usize,
                    message: format!(
                        "expected end of line after the precompile call, found {} (two statements run together?)",
                        self.describe()
                    ),
                }))
            }
            _ => return Err(self.fail(self.unexpected("end of line after the precompile call"))),
        }
        Ok(out)
    }

    fn not_a_statement(&self) -> SyntaxError {
        if let Kind::Op | Kind::Semicolon | Kind::At | Kind::Dollar | Kind::Backtick = self.tok.kind
        {
            return self.unexpected("a precompile statement");
        }
        self.unsupported(
            self.tok.start,
            format!(
                "not a precompile statement: expected `precompile(...)`, found {}",
                self.describe()
            ),
        )
    }

    /// `precompile(SIG)`, `Base.precompile(SIG)` or `precompile(f, (T1, T2))`.
    fn precompile_call(&mut self) -> Result<StmtParse, Stop> {
        let start = self.tok.start;
        if self.is_ident("Base") {
            self.bump()?;
            if self.tok.kind != Kind::Dot || self.tok.spaced() {
                return Err(self.fail(self.not_a_statement_at(start)));
            }
            self.bump()?;
        }
        if !self.is_ident("precompile") {
            return Err(self.fail(self.not_a_statement_at(start)));
        }
        self.bump()?;
        if self.tok.kind != Kind::LParen || self.tok.spaced() {
            return Err(self.fail(self.unexpected("`(` after `precompile`")));
        }
        self.bump()?;
        self.enter()?;
        let sig_start = self.tok.start;
        let (_, shape) = self.expr(false)?;
        let signature = Span::new(sig_start as usize, self.prev_end as usize);
        let mut vararg_close = shape.trailing_vararg;
        let mut arg_types = None;
        // A `,` directly before the `)` is accepted (`precompile(SIG,)`, as code formatters
        // write calls over several lines).
        if self.tok.kind == Kind::Comma && !self.comma_then_close() {
            self.bump()?;
            let at = self.tok.start;
            let (_, shape) = self.expr(false)?;
            if shape.kind != SKind::Tuple {
                return Err(self.fail(self.unsupported(
                    at,
                    "the second argument of a two-argument precompile must be a tuple of types `(T1, T2)`"
                        .into(),
                )));
            }
            arg_types = Some(Span::new(at as usize, self.prev_end as usize));
            vararg_close = shape.trailing_vararg;
            self.flags.insert(Flags::TWO_ARG);
        }
        if self.tok.kind == Kind::Comma && self.comma_then_close() {
            self.bump()?;
        }
        self.expect(Kind::RParen, "`)` closing `precompile(`")?;
        self.leave();
        Ok(StmtParse {
            call: Span::new(start as usize, self.prev_end as usize),
            signature,
            arg_types,
            trailing: None,
            vararg_close: (vararg_close != 0).then_some(vararg_close),
        })
    }

    /// The current token is a `,` followed (after blanks) by `)`.
    fn comma_then_close(&self) -> bool {
        let rest = &self.src[self.tok.end as usize..];
        rest.trim_start_matches([' ', '\t']).starts_with(')')
    }

    fn not_a_statement_at(&self, start: u32) -> SyntaxError {
        if self.tok.kind == Kind::Eof {
            return self.unexpected("`precompile(`");
        }
        self.unsupported(
            start,
            "not a precompile statement: expected `precompile(...)` or `Base.precompile(...)`"
                .into(),
        )
    }

    /// `isdefined(M, Symbol("#3#4")) && precompile(...)`.
    fn guarded(&mut self) -> Result<StmtParse, Stop> {
        let bad = |p: &Self| {
            p.unsupported(
                p.tok.start,
                format!(
                    "unrecognized guard: expected `isdefined(Module, Symbol(\"...\")) && precompile(...)`, found {}",
                    p.describe()
                ),
            )
        };
        self.bump()?;
        if self.tok.kind != Kind::LParen || self.tok.spaced() {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        self.enter()?;
        // The guard is dropped from the statement text: its names are not roots, its flags
        // (a closure symbol) not the statement's; only a guard on `Main` is kept as a flag.
        let saved = self.flags;
        self.no_roots = true;
        let (_, module) = self.postfix()?;
        if module.kind != SKind::Name {
            return Err(self.fail(self.unsupported(
                module.start,
                "the guard's first argument must be a module name".into(),
            )));
        }
        let is_main = &self.src[module.start as usize..module.end as usize] == "Main";
        if self.tok.kind != Kind::Comma {
            return Err(self.fail(self.unexpected("`,`")));
        }
        self.bump()?;
        let (_, sym) = self.postfix()?;
        if sym.kind != SKind::Symbol {
            return Err(self.fail(self.unsupported(
                sym.start,
                "the guard's second argument must be `Symbol(\"...\")`".into(),
            )));
        }
        self.expect(Kind::RParen, "`)` closing `isdefined(`")?;
        self.leave();
        self.no_roots = false;
        self.flags = saved | Flags::GUARDED;
        if is_main {
            self.flags.insert(Flags::MAIN);
        }
        if !(self.tok.kind == Kind::Op && self.text(self.tok) == "&&") {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        self.precompile_call()
    }

    /// `try; @assert(Base.precompile(...)); catch err; @debug err; end` (semicolons optional).
    fn try_wrapper(&mut self) -> Result<StmtParse, Stop> {
        let bad = |p: &Self| {
            if p.tok.kind == Kind::Eof {
                return p.unexpected("the rest of the `try` wrapper");
            }
            p.unsupported(
                p.tok.start,
                format!(
                    "unrecognized `try` wrapper: expected `try; @assert(precompile(...)); catch err; @debug err; end`, found {}",
                    p.describe()
                ),
            )
        };
        self.bump()?;
        self.skip_semicolon()?;
        let call = if self.tok.kind == Kind::At && self.text(self.tok) == "@assert" {
            self.bump()?;
            if self.tok.kind == Kind::LParen && !self.tok.spaced() {
                self.bump()?;
                let call = self.precompile_call()?;
                self.expect(Kind::RParen, "`)` closing `@assert(`")?;
                call
            } else {
                self.precompile_call()?
            }
        } else if self.is_ident("isdefined") {
            // `try; isdefined(M, Symbol("..")) && Base.precompile(..); catch err; @debug err; end`
            self.guarded()?
        } else if self.is_ident("precompile") || self.is_ident("Base") {
            self.precompile_call()?
        } else {
            return Err(self.fail(bad(self)));
        };
        self.skip_semicolon()?;
        if !self.is_ident("catch") {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        if self.tok.kind != Kind::Ident {
            return Err(self.fail(bad(self)));
        }
        let err_tok = self.bump()?;
        let err = self.text(err_tok);
        self.skip_semicolon()?;
        if !(self.tok.kind == Kind::At && self.text(self.tok) == "@debug") {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        if !self.is_ident(err) {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        self.skip_semicolon()?;
        if !self.is_ident("end") {
            return Err(self.fail(bad(self)));
        }
        self.bump()?;
        Ok(call)
    }

    fn skip_semicolon(&mut self) -> Result<(), Stop> {
        if self.tok.kind == Kind::Semicolon {
            self.bump()?;
        }
        Ok(())
    }

    // ---- type expressions -------------------------------------------------------------------

    // The functions on the recursion path (expr -> comparison -> postfix -> curly/call/paren
    // -> expr) are kept small, with error messages built in separate cold functions: debug
    // builds give every local its own stack slot, and MAX_DEPTH levels must fit in a small
    // thread stack.

    /// A type expression with optional `where` clauses. `braces`: inside `{}`, where the
    /// `<:T` / `>:T` shorthand is allowed.
    pub fn expr(&mut self, braces: bool) -> Parsed<B::Node> {
        self.enter()?;
        // `comparison`, inlined by hand: one frame less per nesting level.
        let mut parsed = if let Kind::Subtype | Kind::Supertype = self.tok.kind {
            self.prefix_bound(braces)?
        } else {
            self.postfix()?
        };
        if let Kind::Subtype | Kind::Supertype = self.tok.kind {
            // Bounds belong to `where` clauses (parsed by `comparison`); anywhere else Julia
            // would evaluate `A<:B` as a comparison.
            return Err(self.fail(self.relation_outside_where()));
        }
        if self.is_ident("where") {
            parsed = self.where_clauses(parsed.0, parsed.1)?;
        }
        self.leave();
        Ok(parsed)
    }

    #[cold]
    #[inline(never)]
    fn relation_outside_where(&self) -> SyntaxError {
        self.unsupported(
            self.tok.start,
            format!(
                "`{}` outside a `where` clause is a comparison Julia would evaluate: only `where T<:B` \
                 bounds and the `<:T` shorthand inside braces belong in a signature (an unbound, \
                 bounded type variable printed by SnoopCompile?)",
                &self.src[self.tok.start as usize..self.tok.end as usize]
            ),
        )
    }

    #[inline(never)]
    fn where_clauses(&mut self, mut node: B::Node, mut shape: Shape) -> Parsed<B::Node> {
        while self.is_ident("where") {
            self.bump()?;
            let mut vars = self.b.list();
            if self.tok.kind == Kind::LBrace {
                self.bump()?;
                loop {
                    let (var, _) = self.where_var()?;
                    self.b.push(&mut vars, var);
                    if !self.separator(Kind::RBrace, "`,` or `}` in a `where {...}` list")? {
                        break;
                    }
                }
            } else {
                let (var, _) = self.where_var()?;
                self.b.push(&mut vars, var);
            }
            node = self.b.where_(node, vars);
            shape = Shape {
                start: shape.start,
                end: self.prev_end,
                trailing_vararg: shape.trailing_vararg,
                ..Shape::default()
            };
        }
        Ok((node, shape))
    }

    /// After a list item: consumes `,` (true: another item follows) or the closer (false).
    /// A `,` directly before the closer is accepted (`(a,)`, `(T1, T2,)`).
    fn separator(&mut self, close: Kind, expected: &'static str) -> Result<bool, Stop> {
        if self.tok.kind == Kind::Comma {
            self.bump()?;
            if self.tok.kind != close {
                return Ok(true);
            }
        }
        if self.tok.kind == close {
            self.bump()?;
            return Ok(false);
        }
        Err(self.fail(self.unexpected(expected)))
    }

    /// One variable of a `where` clause: `T`, `T<:B`, `T>:B` or `L<:T<:U`, where the variable
    /// `T` is one plain or `var"..."` name. Anything else in its place (`where 1`,
    /// `where "T"`, `where A.B`, `where T{X}`) is a statement Julia's lowering rejects
    /// ("invalid variable expression in \"where\""), so it is malformed.
    fn where_var(&mut self) -> Parsed<B::Node> {
        if let Kind::Subtype | Kind::Supertype = self.tok.kind {
            return self.prefix_bound(false);
        }
        let first = self.tok;
        let (lhs, shape) = self.postfix()?;
        if let Kind::Subtype | Kind::Supertype = self.tok.kind {
            return self.relation(lhs, shape, first);
        }
        self.check_type_var(first, self.prev_end)?;
        Ok((lhs, shape))
    }

    /// Fails unless the operand from token `first` to offset `end` is one name token.
    fn check_type_var(&mut self, first: Token, end: u32) -> Result<(), Stop> {
        let one_name = match first.kind {
            Kind::Ident | Kind::VarIdent => end == first.end,
            // A bare `#s814` (repaired to `var"#s814"`): lexed as a comment to the end of line.
            Kind::Comment => self.bare_gensym_end(first.start as usize) == Some(end as usize),
            _ => false,
        };
        if one_name {
            return Ok(());
        }
        Err(self.fail(self.not_a_type_var(first, end)))
    }

    #[cold]
    #[inline(never)]
    fn not_a_type_var(&self, first: Token, end: u32) -> SyntaxError {
        SyntaxError {
            kind: ProblemKind::Malformed,
            offset: first.start as usize,
            message: format!(
                "`{}` is not a type variable: a `where` clause binds names (`where T`, `where T<:Real`)",
                short(&self.src[first.start as usize..end as usize])
            ),
        }
    }

    #[inline(never)]
    fn prefix_bound(&mut self, braces: bool) -> Parsed<B::Node> {
        let op = self.tok;
        if !braces {
            return Err(self.fail(self.unexpected("a type")));
        }
        self.bump()?;
        let rel = if op.kind == Kind::Subtype {
            Rel::Sub
        } else {
            Rel::Super
        };
        let (operand, _) = self.postfix()?;
        let node = self.b.prefix(rel, operand);
        Ok((
            node,
            Shape {
                start: op.start,
                end: self.prev_end,
                ..Shape::default()
            },
        ))
    }

    /// `lhs<:B`, `lhs>:B` or `lhs<:T<:U` in a `where` clause; `lhs_start` is the first token
    /// of `lhs`, which is the type variable unless this is a chain (then `T` is).
    #[inline(never)]
    fn relation(&mut self, lhs: B::Node, shape: Shape, lhs_start: Token) -> Parsed<B::Node> {
        let lhs_end = self.prev_end;
        let first = self.tok.kind;
        self.bump()?;
        let mid_start = self.tok;
        let (mid, _) = self.postfix()?;
        let node = if let Kind::Subtype | Kind::Supertype = self.tok.kind {
            if first != Kind::Subtype || self.tok.kind != Kind::Subtype {
                return Err(self.fail(self.bad_chain()));
            }
            self.check_type_var(mid_start, self.prev_end)?;
            self.bump()?;
            let (upper, _) = self.postfix()?;
            if let Kind::Subtype | Kind::Supertype = self.tok.kind {
                return Err(self.fail(self.bad_chain()));
            }
            self.b.chain(lhs, mid, upper)
        } else {
            self.check_type_var(lhs_start, lhs_end)?;
            let rel = if first == Kind::Subtype {
                Rel::Sub
            } else {
                Rel::Super
            };
            self.b.relation(rel, lhs, mid)
        };
        Ok((
            node,
            Shape {
                start: shape.start,
                end: self.prev_end,
                ..Shape::default()
            },
        ))
    }

    #[cold]
    #[inline(never)]
    fn bad_chain(&self) -> SyntaxError {
        self.unsupported(
            self.tok.start,
            "comparison chain: only `Lower<:T<:Upper` bounds are allowed".into(),
        )
    }

    /// An atom followed by `.member`, `{...}` and `(...)` suffixes.
    fn postfix(&mut self) -> Parsed<B::Node> {
        let (mut node, mut shape) = self.atom()?;
        while !self.tok.spaced() {
            (node, shape) = match self.tok.kind {
                Kind::Dot => self.dot_member(node, shape)?,
                Kind::LBrace => self.curly(node, shape)?,
                Kind::LParen => self.call(node, shape)?,
                _ => break,
            };
        }
        Ok((node, shape))
    }

    #[inline(never)]
    fn dot_member(&mut self, node: B::Node, mut shape: Shape) -> Parsed<B::Node> {
        if shape.kind != SKind::Name {
            return Err(self.fail(self.unsupported(
                self.tok.start,
                "field access on something other than a name would run code".into(),
            )));
        }
        if shape.simple {
            self.add_root(Span::new(shape.start as usize, shape.end as usize));
        }
        self.bump()?;
        let (member, typelike) = self.member()?;
        shape.end = self.prev_end;
        shape.simple = false;
        shape.typelike = typelike;
        Ok((self.b.dot(node, member), shape))
    }

    /// The member after a `.`: a name, `var"..."`, or `:(op)`. Returns (node, typelike).
    fn member(&mut self) -> Result<(B::Node, bool), Stop> {
        let t = self.tok;
        match t.kind {
            Kind::Ident => {
                self.bump()?;
                let text = self.text(t);
                Ok((
                    self.b.leaf(Leaf::Name, text),
                    text.as_bytes()[0].is_ascii_uppercase(),
                ))
            }
            Kind::VarIdent => {
                self.bump()?;
                Ok((self.var_leaf(t), false))
            }
            Kind::Colon if !self.tok.spaced() => {
                self.bump()?;
                if self.tok.kind != Kind::LParen || self.tok.spaced() {
                    return Err(self.fail(self.unexpected("`(` of a `.:(op)` operator name")));
                }
                let open = self.tok;
                match self.paren_name(open)? {
                    ParenName::Op(op) => Ok((self.b.leaf(Leaf::Op, op), false)),
                    // `Base.:(var"==")` (Julia 1.12+) names the same thing as `Base.var"=="`.
                    ParenName::Var(v) => Ok((self.var_leaf(v), false)),
                }
            }
            _ => Err(self.fail(self.unexpected("a name after `.`"))),
        }
    }

    fn var_leaf(&mut self, t: Token) -> B::Node {
        let content = &self.src[t.start as usize + 4..t.end as usize - 1];
        if t.bits & T_HASH != 0 && !is_type_var_gensym(content.as_bytes()) {
            self.flags.insert(Flags::CLOSURE);
        }
        self.b.leaf(Leaf::Var, content)
    }

    /// Reads the name in `(op)` or `(var"op")` (Julia 1.12 prints operator names that way)
    /// starting at the `(` token `open` (the current token), and consumes through the `)`.
    fn paren_name(&mut self, open: Token) -> Result<ParenName<'s>, Stop> {
        let start = open.end as usize;
        if self.src.as_bytes()[start..].starts_with(b"var\"") {
            self.bump()?;
            let v = self.tok;
            if v.kind != Kind::VarIdent {
                return Err(self.fail(self.unexpected("`var\"...\"`")));
            }
            self.bump()?;
            self.expect(Kind::RParen, "`)`")?;
            return Ok(ParenName::Var(v));
        }
        self.paren_op_name(open).map(ParenName::Op)
    }

    /// Reads the operator name of `(op)` starting at the `(` token `open` (the current token),
    /// and consumes through the `)`. Returns the operator text.
    fn paren_op_name(&mut self, open: Token) -> Result<&'s str, Stop> {
        let start = open.end as usize;
        let end = self.op_run(start);
        if end == start || self.src.as_bytes().get(end) != Some(&b')') {
            // Not an operator name: report what is there.
            self.bump()?;
            return Err(
                self.fail(self.unexpected("an operator name such as `+` or `==` followed by `)`"))
            );
        }
        self.lex.reset(end);
        self.prev_end = end as u32;
        self.advance()?;
        self.expect(Kind::RParen, "`)`")?;
        Ok(&self.src[start..end])
    }

    /// End of a run of operator characters (ASCII operators, `:`, Unicode operators) at `i`.
    fn op_run(&self, mut i: usize) -> usize {
        let bytes = self.src.as_bytes();
        loop {
            if bytes.get(i) == Some(&b':') {
                i += 1;
            } else if let Some(n) = self.lex.op_char_at(i) {
                i += n;
            } else {
                return i;
            }
        }
    }

    fn curly(&mut self, head: B::Node, hshape: Shape) -> Parsed<B::Node> {
        if !matches!(hshape.kind, SKind::Name | SKind::Curly | SKind::Getfield) {
            return Err(self.fail(self.bad_curly()));
        }
        self.bump()?;
        let mut args = self.b.list();
        let mut n = 0u32;
        let mut last_vararg = 0;
        if self.tok.kind == Kind::RBrace {
            self.bump()?;
        } else {
            loop {
                let (arg, shape) = self.expr(true)?;
                self.b.push(&mut args, arg);
                n += 1;
                last_vararg = shape.open_vararg;
                if !self.separator(Kind::RBrace, "`,` or `}`")? {
                    break;
                }
            }
        }
        let shape = self.curly_shape(hshape, n, last_vararg);
        Ok((self.b.curly(head, args), shape))
    }

    #[cold]
    #[inline(never)]
    fn bad_curly(&self) -> SyntaxError {
        self.unsupported(
            self.tok.start,
            "type parameters `{...}` may only follow a name, a curly application or `getfield(...)`"
                .into(),
        )
    }

    #[inline(never)]
    fn curly_shape(&self, hshape: Shape, n: u32, last_vararg: u32) -> Shape {
        let close = self.prev_end - 1;
        let head_text = if hshape.kind == SKind::Name {
            &self.src[hshape.start as usize..hshape.end as usize]
        } else {
            ""
        };
        Shape {
            kind: SKind::Curly,
            start: hshape.start,
            end: self.prev_end,
            typelike: matches!(hshape.kind, SKind::Name | SKind::Curly) && hshape.typelike,
            simple: false,
            open_vararg: if n == 1 && matches!(head_text, "Vararg" | "Core.Vararg") {
                close
            } else {
                0
            },
            trailing_vararg: if matches!(head_text, "Tuple" | "Core.Tuple") {
                last_vararg
            } else {
                0
            },
        }
    }

    /// A call: only the type-building ones are accepted (see the documentation of [`super`]).
    fn call(&mut self, callee: B::Node, cshape: Shape) -> Parsed<B::Node> {
        let name = if cshape.kind == SKind::Name {
            &self.src[cshape.start as usize..cshape.end as usize]
        } else {
            ""
        };
        let kind = match name {
            "typeof" => SKind::Typeof,
            "Symbol" => SKind::Symbol,
            "getfield" => SKind::Getfield,
            "Core.kwftype" => SKind::Call,
            _ if cshape.typelike => SKind::Hex,
            _ => return Err(self.fail(self.bad_call(cshape))),
        };
        self.bump()?;
        self.enter()?;
        let mut args = self.b.list();
        match kind {
            SKind::Typeof => self.typeof_arg(&mut args)?,
            SKind::Symbol => self.symbol_arg(&mut args)?,
            SKind::Getfield => self.getfield_args(&mut args)?,
            SKind::Call => self.kwftype_arg(&mut args)?,
            _ => self.bits_arg(&mut args, cshape)?,
        }
        self.expect(Kind::RParen, "`)`")?;
        self.leave();
        let shape = Shape {
            kind: if kind == SKind::Hex {
                SKind::Call
            } else {
                kind
            },
            start: cshape.start,
            end: self.prev_end,
            ..Shape::default()
        };
        Ok((self.b.call(callee, args), shape))
    }

    #[cold]
    #[inline(never)]
    fn bad_call(&self, cshape: Shape) -> SyntaxError {
        let callee = &self.src[cshape.start as usize..cshape.end as usize];
        self.unsupported(
            cshape.start,
            format!(
                "call to `{}` would run code: a signature may only call `typeof`, `Symbol`, `getfield`, `Core.kwftype`, or apply a type name to one hex literal",
                short(callee)
            ),
        )
    }

    #[inline(never)]
    fn getfield_args(&mut self, args: &mut B::List) -> Result<(), Stop> {
        let (module, mshape) = self.postfix()?;
        if mshape.kind != SKind::Name {
            return Err(self.fail(self.unsupported(
                mshape.start,
                "`getfield(...)`'s first argument must be a module name".into(),
            )));
        }
        if mshape.simple {
            self.add_root(Span::new(mshape.start as usize, mshape.end as usize));
        }
        self.b.push(args, module);
        self.expect(Kind::Comma, "`,` in `getfield(Module, Symbol(\"...\"))`")?;
        let (sym, sshape) = self.postfix()?;
        if sshape.kind != SKind::Symbol {
            return Err(self.fail(self.unsupported(
                sshape.start,
                "`getfield(...)`'s second argument must be `Symbol(\"...\")`".into(),
            )));
        }
        self.b.push(args, sym);
        Ok(())
    }

    #[inline(never)]
    fn kwftype_arg(&mut self, args: &mut B::List) -> Result<(), Stop> {
        let (arg, ashape) = self.postfix()?;
        if ashape.kind != SKind::Typeof {
            return Err(self.fail(self.unsupported(
                ashape.start,
                "`Core.kwftype(...)`'s argument must be `typeof(f)`".into(),
            )));
        }
        self.b.push(args, arg);
        Ok(())
    }

    /// A bits value: `Char(0x55000000)`, `Core.AddrSpace{Core}(0x00)`.
    #[inline(never)]
    fn bits_arg(&mut self, args: &mut B::List, cshape: Shape) -> Result<(), Stop> {
        let t = self.tok;
        if t.kind != Kind::Hex {
            if t.kind == Kind::Eof {
                return Err(self.fail(self.unexpected("an unsigned hex literal")));
            }
            let callee = &self.src[cshape.start as usize..cshape.end as usize];
            return Err(self.fail(self.unsupported(
                t.start,
                format!(
                    "call to `{}` would run code: a bits value is a type applied to one unsigned hex literal such as `Char(0x55000000)`",
                    short(callee)
                ),
            )));
        }
        self.bump()?;
        let arg = self.b.leaf(Leaf::Hex, self.text(t));
        self.b.push(args, arg);
        self.flags.insert(Flags::BITS_VALUE);
        Ok(())
    }

    /// The argument of `typeof`: a (qualified) name or a bare operator (`typeof(+)`).
    #[inline(never)]
    fn typeof_arg(&mut self, args: &mut B::List) -> Result<(), Stop> {
        let t = self.tok;
        if matches!(
            t.kind,
            Kind::Op | Kind::Minus | Kind::Subtype | Kind::Supertype | Kind::Colon
        ) {
            let start = t.start as usize;
            let end = self.op_run(start);
            if end > start && self.src.as_bytes().get(end) == Some(&b')') {
                self.lex.reset(end);
                self.prev_end = end as u32;
                self.advance()?;
                let op = self.b.leaf(Leaf::Op, &self.src[start..end]);
                self.b.push(args, op);
                return Ok(());
            }
        }
        let (arg, shape) = self.postfix()?;
        if shape.kind != SKind::Name {
            return Err(self.fail(self.unsupported(
                shape.start,
                "`typeof(...)` may only contain a function or type name".into(),
            )));
        }
        self.b.push(args, arg);
        Ok(())
    }

    /// The argument of `Symbol(...)`: one string literal without interpolation.
    #[inline(never)]
    fn symbol_arg(&mut self, args: &mut B::List) -> Result<(), Stop> {
        let t = self.tok;
        if t.kind != Kind::Str {
            if matches!(t.kind, Kind::RParen | Kind::Eof | Kind::Comma) {
                return Err(self.fail(self.unexpected("a string literal in `Symbol(...)`")));
            }
            return Err(self.fail(self.unsupported(
                t.start,
                format!(
                    "`Symbol(...)` may only contain a plain string literal, found {}",
                    self.describe()
                ),
            )));
        }
        self.bump()?;
        let arg = self.str_leaf(t, true);
        self.b.push(args, arg);
        Ok(())
    }

    fn str_leaf(&mut self, t: Token, symbol: bool) -> B::Node {
        if symbol && t.bits & T_HASH != 0 {
            self.flags.insert(Flags::CLOSURE);
        }
        if t.bits & T_RAW != 0 {
            self.flags.insert(Flags::RAW_BACKSLASH);
        }
        let content = &self.src[t.start as usize + 1..t.end as usize - 1];
        self.b.leaf(Leaf::Str, content)
    }

    fn atom(&mut self) -> Parsed<B::Node> {
        if self.tok.kind == Kind::LParen {
            self.paren_or_tuple()
        } else {
            self.leaf_atom()
        }
    }

    #[inline(never)]
    fn leaf_atom(&mut self) -> Parsed<B::Node> {
        let t = self.tok;
        let mut shape = Shape {
            start: t.start,
            end: t.end,
            ..Shape::default()
        };
        let node = match t.kind {
            Kind::Ident => {
                let text = self.text(t);
                let first = text.as_bytes()[0];
                if first.is_ascii_lowercase() && text.len() <= 10 {
                    if is_closing_keyword(text) {
                        return Err(self.fail(SyntaxError {
                            kind: ProblemKind::Malformed,
                            offset: t.start as usize,
                            message: format!("expected a type, found keyword `{text}`"),
                        }));
                    }
                    if is_block_keyword(text) {
                        return Err(self.fail(self.unsupported(
                            t.start,
                            format!("keyword `{text}` starts code, not a type: not a pure precompile statement"),
                        )));
                    }
                }
                self.bump()?;
                if let Some(repaired) = c_float_word(text) {
                    // `inf`, `nanf`: C's `%g` infinities and NaNs, unless used as a name.
                    if self.tok.spaced()
                        || !matches!(self.tok.kind, Kind::Dot | Kind::LBrace | Kind::LParen)
                    {
                        self.edits
                            .push(Edit::replace(t.start, t.end, repaired, Repairs::C_FLOAT));
                        return Ok((self.b.leaf(Leaf::Float, repaired), shape));
                    }
                }
                shape.kind = SKind::Name;
                shape.simple = true;
                shape.typelike = first.is_ascii_uppercase();
                self.b.leaf(Leaf::Name, text)
            }
            Kind::VarIdent => {
                self.bump()?;
                shape.kind = SKind::Name;
                self.var_leaf(t)
            }
            Kind::Int => {
                self.bump()?;
                self.b.leaf(Leaf::Int, self.text(t))
            }
            Kind::Hex => {
                self.bump()?;
                shape.kind = SKind::Hex;
                self.b.leaf(Leaf::Hex, self.text(t))
            }
            Kind::Float => {
                self.bump()?;
                if t.bits & T_LOSSY != 0 {
                    self.flags.insert(Flags::LOSSY_VALUE);
                }
                if t.bits & T_CFLOAT != 0 {
                    let repaired = c_float_text(self.text(t));
                    let node = self.b.leaf(Leaf::Float, &repaired);
                    self.edits
                        .push(Edit::replace(t.start, t.end, repaired, Repairs::C_FLOAT));
                    node
                } else {
                    self.b.leaf(Leaf::Float, self.text(t))
                }
            }
            Kind::Char => {
                self.bump()?;
                self.b.leaf(
                    Leaf::Char,
                    &self.src[t.start as usize + 1..t.end as usize - 1],
                )
            }
            Kind::Str => {
                self.bump()?;
                self.str_leaf(t, false)
            }
            Kind::Minus => self.negative()?,
            Kind::Colon => self.symbol()?,
            // `Val{::}`: the symbol `:` printed bare (`:` then `:`), read as `::` by the lexer.
            Kind::Op if self.text(t).starts_with("::") && self.op_symbol_ends(t.start + 1) => {
                self.quoted_op(t.start as usize + 1)?
            }
            Kind::Comment => match self.bare_gensym_end(t.start as usize) {
                Some(end) => {
                    shape.kind = SKind::Name;
                    self.bare_gensym(t, end)?
                }
                None => return Err(self.fail(self.unexpected("a type"))),
            },
            _ => return Err(self.fail(self.unexpected("a type"))),
        };
        shape.end = self.prev_end;
        Ok((node, shape))
    }

    /// `#s814` where a type may stand: a gensym'd type variable that Julia <= 1.5 printed
    /// without `var"..."` (the lexer read a comment). The end of its name, if it is one.
    fn bare_gensym_end(&self, start: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let digits = start + 2;
        if bytes.get(start + 1) != Some(&b's') || !bytes.get(digits)?.is_ascii_digit() {
            return None;
        }
        let mut end = digits;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        (self.lex.ident_char_at(end).is_none() && !matches!(bytes.get(end), Some(b'"' | b'#')))
            .then_some(end)
    }

    /// Reads the bare gensym `t` (a comment token) as `var"#sNNN"`, repaired in the text.
    #[cold]
    #[inline(never)]
    fn bare_gensym(&mut self, t: Token, end: usize) -> Result<B::Node, Stop> {
        self.lex.reset(end);
        self.prev_end = end as u32;
        self.advance()?;
        let name = &self.src[t.start as usize..end];
        self.edits.push(Edit::replace(
            t.start,
            t.start,
            "var\"",
            Repairs::GENSYM_TYPE_VAR,
        ));
        self.edits.push(Edit::replace(
            end as u32,
            end as u32,
            "\"",
            Repairs::GENSYM_TYPE_VAR,
        ));
        Ok(self.b.leaf(Leaf::Var, name))
    }

    /// `-1`, `-1.5`, `-Inf`: a minus directly followed by a number or an infinity.
    fn negative(&mut self) -> Result<B::Node, Stop> {
        let minus = self.bump()?;
        let t = self.tok;
        if !t.spaced() {
            // The number, and its repaired text when C's `%g` printed it (`-inff`, `-1.5f`).
            let leaf = match t.kind {
                Kind::Int => Some((Leaf::Int, None)),
                Kind::Float if t.bits & T_CFLOAT != 0 => {
                    Some((Leaf::Float, Some(Cow::Owned(c_float_text(self.text(t))))))
                }
                Kind::Float => Some((Leaf::Float, None)),
                Kind::Ident
                    if matches!(
                        self.text(t),
                        "Inf" | "Inf16" | "Inf32" | "Inf64" | "NaN" | "NaN16" | "NaN32" | "NaN64"
                    ) =>
                {
                    Some((Leaf::Float, None))
                }
                Kind::Ident => {
                    c_float_word(self.text(t)).map(|word| (Leaf::Float, Some(Cow::Borrowed(word))))
                }
                _ => None,
            };
            if let Some((leaf, repaired)) = leaf {
                self.bump()?;
                if t.bits & T_LOSSY != 0 {
                    self.flags.insert(Flags::LOSSY_VALUE);
                }
                if let Some(repaired) = repaired {
                    let text = format!("-{repaired}");
                    let node = self.b.leaf(leaf, &text);
                    self.edits
                        .push(Edit::replace(t.start, t.end, repaired, Repairs::C_FLOAT));
                    return Ok(node);
                }
                let text = &self.src[minus.start as usize..t.end as usize];
                return Ok(self.b.leaf(leaf, text));
            }
        }
        Err(self.fail(self.unsupported(minus.start, "operator `-` would run code".into())))
    }

    /// `:x`, `:π`, `:+`, `:(==)`.
    fn symbol(&mut self) -> Result<B::Node, Stop> {
        let colon = self.bump()?;
        let t = self.tok;
        if t.spaced() {
            return Err(self.fail(self.unexpected("a symbol name directly after `:`")));
        }
        match t.kind {
            Kind::Ident => {
                self.bump()?;
                Ok(self.b.leaf(Leaf::Symbol, self.text(t)))
            }
            Kind::VarIdent => {
                self.bump()?;
                if t.bits & T_HASH != 0 {
                    self.flags.insert(Flags::CLOSURE);
                }
                Ok(self.b.leaf(
                    Leaf::Symbol,
                    &self.src[t.start as usize + 4..t.end as usize - 1],
                ))
            }
            Kind::LParen => match self.paren_name(t)? {
                ParenName::Op(op) => Ok(self.b.leaf(Leaf::Symbol, op)),
                ParenName::Var(v) => {
                    if v.bits & T_HASH != 0 {
                        self.flags.insert(Flags::CLOSURE);
                    }
                    let content = &self.src[v.start as usize + 4..v.end as usize - 1];
                    Ok(self.b.leaf(Leaf::Symbol, content))
                }
            },
            Kind::Op | Kind::Minus | Kind::Subtype | Kind::Supertype | Kind::Colon | Kind::Dot => {
                self.quoted_op(colon.end as usize)
            }
            _ => Err(self.fail(self.unexpected("a symbol name after `:`"))),
        }
    }

    /// Whether the run of operator characters at `start` ends where a symbol may end (so that
    /// `::T`, a type assertion, is not read as the symbol `:` followed by `T`).
    fn op_symbol_ends(&self, start: u32) -> bool {
        let end = self.op_run(start as usize);
        matches!(
            self.src.as_bytes().get(end),
            None | Some(b',' | b'}' | b')' | b' ' | b'\t')
        )
    }

    /// The operator name of a bare quoted operator `:op` starting at `start` (after the `:`).
    /// Julia's tokenizer reads `:=` and `::` as tokens of their own, so `:=`, `:==`, `:===`,
    /// `:=>`, `::` and `:::` (as Julia's C printer writes them) do not read back: they are
    /// repaired to `:(op)`, the way Julia's own `show` prints them. Any other operator starting
    /// with `=` or `:` is not one Julia has: malformed.
    fn quoted_op(&mut self, start: usize) -> Result<B::Node, Stop> {
        // Dotted operators and dots (`:.+`, `:.`, `:...`) read back bare (checked on Julia 1.10).
        let bytes = self.src.as_bytes();
        let mut dots = start;
        while bytes.get(dots) == Some(&b'.') {
            dots += 1;
        }
        let end = if dots > start && bytes.get(dots) != Some(&b':') {
            self.op_run(dots)
        } else {
            self.op_run(start)
        };
        let op = &self.src[start..end];
        if op.is_empty() {
            return Err(self.fail(self.unexpected("a symbol name after `:`")));
        }
        if op.starts_with(['=', ':']) {
            if !matches!(op, ":" | "::" | ":=" | "=" | "==" | "===" | "=>") {
                return Err(self.fail(SyntaxError {
                    kind: ProblemKind::Malformed,
                    offset: start.saturating_sub(1),
                    message: format!("`:{}` is not a symbol Julia can read back", short(op)),
                }));
            }
            self.edits.push(Edit::replace(
                start as u32,
                start as u32,
                "(",
                Repairs::QUOTED_OPERATOR,
            ));
            self.edits.push(Edit::replace(
                end as u32,
                end as u32,
                ")",
                Repairs::QUOTED_OPERATOR,
            ));
        }
        self.lex.reset(end);
        self.prev_end = end as u32;
        self.advance()?;
        Ok(self.b.leaf(Leaf::Symbol, op))
    }

    /// `()`, `(x)`, `(x,)`, `(x, y)`.
    fn paren_or_tuple(&mut self) -> Parsed<B::Node> {
        let open = self.bump()?;
        self.enter()?;
        if self.tok.kind == Kind::RParen {
            self.bump()?;
            let items = self.b.list();
            let node = self.b.tuple(items);
            self.leave();
            return Ok((node, self.tuple_shape(open, 0)));
        }
        let (first, fshape) = self.expr(false)?;
        if self.tok.kind == Kind::RParen {
            self.bump()?;
            self.leave();
            let shape = if fshape.kind == SKind::Name {
                // Old Julia printed `(Base.Docs).docstr`: a parenthesized module is still a
                // name, and its root was recorded inside (or is, at the `.`, if it is simple).
                fshape
            } else {
                Shape {
                    start: open.start,
                    end: self.prev_end,
                    ..Shape::default()
                }
            };
            return Ok((self.b.paren(first), shape));
        }
        if self.tok.kind != Kind::Comma {
            return Err(self.fail(self.unexpected("`,` or `)`")));
        }
        let mut items = self.b.list();
        self.b.push(&mut items, first);
        let mut last_vararg = fshape.open_vararg;
        while self.separator(Kind::RParen, "`,` or `)`")? {
            let (item, ishape) = self.expr(false)?;
            self.b.push(&mut items, item);
            last_vararg = ishape.open_vararg;
        }
        self.leave();
        Ok((self.b.tuple(items), self.tuple_shape(open, last_vararg)))
    }

    fn tuple_shape(&self, open: Token, last_vararg: u32) -> Shape {
        Shape {
            kind: SKind::Tuple,
            start: open.start,
            end: self.prev_end,
            trailing_vararg: last_vararg,
            ..Shape::default()
        }
    }
}
