//! An owned syntax tree for type expressions, built only on request ([`parse_type_expr`]); the
//! statement hot path never builds one.

use super::lexer::Kind;
use super::parser::{Build, Leaf, Parser, Rel};
use super::SyntaxError;

/// A Julia type expression as printed in trace files. Literal texts are kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    /// An identifier: `Int64`, `Base`, `typeof`, `true`.
    Name(String),
    /// `var"..."`: the content between the quotes.
    Var(String),
    /// An operator used as a name: `+` in `Base.:(+)` (as the member of a [`Expr::Dot`]) or in a
    /// bare `typeof(+)`.
    Op(String),
    /// `lhs.member`; the member is a `Name`, `Var` or `Op`.
    Dot(Box<Expr>, Box<Expr>),
    /// `head{args...}`
    Curly(Box<Expr>, Vec<Expr>),
    /// One of the accepted calls: `typeof(X)`, `Symbol("..")`, `getfield(M, Symbol(".."))`,
    /// `Core.kwftype(typeof(f))`, `T(0x..)`.
    Call(Box<Expr>, Vec<Expr>),
    /// `body where var` or `body where {vars...}`.
    Where(Box<Expr>, Vec<Expr>),
    /// `lhs<:rhs`
    Subtype(Box<Expr>, Box<Expr>),
    /// `lhs>:rhs`
    Supertype(Box<Expr>, Box<Expr>),
    /// `lower<:var<:upper`
    Bounded(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `<:T` (inside braces)
    UpperBound(Box<Expr>),
    /// `>:T` (inside braces)
    LowerBound(Box<Expr>),
    /// Decimal integer as written, sign included.
    Int(String),
    /// `0x..` as written.
    Hex(String),
    /// Float as written, sign included (`1.5`, `1.0f0`, `-Inf`).
    Float(String),
    /// Content between the quotes of a char literal, escapes as written.
    Char(String),
    /// Content between the quotes of a string literal, escapes as written.
    Str(String),
    /// A symbol's name: `x` for `:x`, `==` for `:(==)`.
    Symbol(String),
    /// `()`, `(a,)`, `(a, b)`.
    Tuple(Vec<Expr>),
    /// `(x)`
    Paren(Box<Expr>),
}

pub(crate) struct AstBuilder;

impl Build for AstBuilder {
    type Node = Expr;
    type List = Vec<Expr>;

    fn list(&mut self) -> Vec<Expr> {
        Vec::new()
    }
    fn push(&mut self, list: &mut Vec<Expr>, node: Expr) {
        list.push(node);
    }
    fn leaf(&mut self, kind: Leaf, text: &str) -> Expr {
        let text = text.to_string();
        match kind {
            Leaf::Name => Expr::Name(text),
            Leaf::Var => Expr::Var(text),
            Leaf::Op => Expr::Op(text),
            Leaf::Int => Expr::Int(text),
            Leaf::Hex => Expr::Hex(text),
            Leaf::Float => Expr::Float(text),
            Leaf::Char => Expr::Char(text),
            Leaf::Str => Expr::Str(text),
            Leaf::Symbol => Expr::Symbol(text),
        }
    }
    fn dot(&mut self, lhs: Expr, member: Expr) -> Expr {
        Expr::Dot(Box::new(lhs), Box::new(member))
    }
    fn curly(&mut self, head: Expr, args: Vec<Expr>) -> Expr {
        Expr::Curly(Box::new(head), args)
    }
    fn call(&mut self, callee: Expr, args: Vec<Expr>) -> Expr {
        Expr::Call(Box::new(callee), args)
    }
    fn where_(&mut self, body: Expr, vars: Vec<Expr>) -> Expr {
        Expr::Where(Box::new(body), vars)
    }
    fn relation(&mut self, rel: Rel, lhs: Expr, rhs: Expr) -> Expr {
        match rel {
            Rel::Sub => Expr::Subtype(Box::new(lhs), Box::new(rhs)),
            Rel::Super => Expr::Supertype(Box::new(lhs), Box::new(rhs)),
        }
    }
    fn chain(&mut self, lower: Expr, var: Expr, upper: Expr) -> Expr {
        Expr::Bounded(Box::new(lower), Box::new(var), Box::new(upper))
    }
    fn prefix(&mut self, rel: Rel, operand: Expr) -> Expr {
        match rel {
            Rel::Sub => Expr::UpperBound(Box::new(operand)),
            Rel::Super => Expr::LowerBound(Box::new(operand)),
        }
    }
    fn tuple(&mut self, items: Vec<Expr>) -> Expr {
        Expr::Tuple(items)
    }
    fn paren(&mut self, inner: Expr) -> Expr {
        Expr::Paren(Box::new(inner))
    }
}

/// Parses a type expression (a signature such as `Tuple{typeof(Base.sum), Array{Int64, 1}}`, or
/// any part of one) into an [`Expr`], with the same grammar and the same restrictions as
/// [`super::parse_statement`]. `#= =#` comments are skipped; a trailing `#` comment is an error.
pub fn parse_type_expr(text: &str) -> Result<Expr, SyntaxError> {
    super::check_length(text)?;
    let mut parser = Parser::new(text, 0, AstBuilder)?;
    let Ok((expr, _)) = parser.expr(false) else {
        return Err(parser.take_error());
    };
    if parser.tok.kind != Kind::Eof {
        return Err(parser.unexpected("end of text"));
    }
    Ok(expr)
}
