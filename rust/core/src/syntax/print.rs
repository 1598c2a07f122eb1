//! Prints an [`Expr`] the way Julia prints types: `Tuple{typeof(Base.sum), Array{Int64, 1}}`,
//! `Vararg{Any, N} where N`, `Type{T} where T<:Real`, `Base.:(+)`.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::Expr;
use super::lexer::is_op_char;

fn list(f: &mut Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// True when `s` can follow `:` as a plain symbol (`:x`, `:π`) rather than `:(s)`.
fn symbol_is_plain(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok =
        first.is_ascii_alphabetic() || first == '_' || (!first.is_ascii() && !is_op_char(first));
    start_ok
        && chars.all(|c| {
            c.is_ascii_alphanumeric() || c == '_' || c == '!' || (!c.is_ascii() && !is_op_char(c))
        })
}

/// A `where` (or a relation) used as an operand of `<:`/`>:` needs parentheses, as Julia
/// prints `var"#s11"<:(Vulkan.VulkanStruct{D} where D)`.
fn operand(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    match e {
        Expr::Where(..) | Expr::Subtype(..) | Expr::Supertype(..) | Expr::Bounded(..) => {
            write!(f, "({e})")
        }
        _ => write!(f, "{e}"),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Name(s) | Expr::Op(s) | Expr::Int(s) | Expr::Hex(s) | Expr::Float(s) => {
                f.write_str(s)
            }
            Expr::Var(s) => write!(f, "var\"{s}\""),
            Expr::Dot(lhs, member) => {
                write!(f, "{lhs}.")?;
                match &**member {
                    Expr::Op(op) => write!(f, ":({op})"),
                    other => write!(f, "{other}"),
                }
            }
            Expr::Curly(head, args) => {
                write!(f, "{head}{{")?;
                list(f, args)?;
                f.write_char('}')
            }
            Expr::Call(callee, args) => {
                write!(f, "{callee}(")?;
                list(f, args)?;
                f.write_char(')')
            }
            Expr::Where(body, vars) => {
                write!(f, "{body} where ")?;
                if vars.len() == 1 {
                    write!(f, "{}", vars[0])
                } else {
                    f.write_char('{')?;
                    list(f, vars)?;
                    f.write_char('}')
                }
            }
            Expr::Subtype(lhs, rhs) => {
                operand(f, lhs)?;
                f.write_str("<:")?;
                operand(f, rhs)
            }
            Expr::Supertype(lhs, rhs) => {
                operand(f, lhs)?;
                f.write_str(">:")?;
                operand(f, rhs)
            }
            Expr::Bounded(lower, var, upper) => {
                operand(f, lower)?;
                f.write_str("<:")?;
                operand(f, var)?;
                f.write_str("<:")?;
                operand(f, upper)
            }
            Expr::UpperBound(e) => {
                f.write_str("<:")?;
                operand(f, e)
            }
            Expr::LowerBound(e) => {
                f.write_str(">:")?;
                operand(f, e)
            }
            Expr::Char(s) => write!(f, "'{s}'"),
            Expr::Str(s) => write!(f, "\"{s}\""),
            Expr::Symbol(s) => {
                if symbol_is_plain(s) {
                    write!(f, ":{s}")
                } else {
                    write!(f, ":({s})")
                }
            }
            Expr::Tuple(items) => {
                f.write_char('(')?;
                list(f, items)?;
                if items.len() == 1 {
                    f.write_char(',')?;
                }
                f.write_char(')')
            }
            Expr::Paren(inner) => write!(f, "({inner})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::parse_type_expr;

    fn round_trip(s: &str) {
        let e = parse_type_expr(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        assert_eq!(e.to_string(), s);
    }

    #[test]
    fn prints_like_julia() {
        for s in [
            "Tuple{typeof(Base.sum), Array{Int64, 1}}",
            "Vararg{Any, N} where N",
            "Type{T} where T<:Real",
            "Base.Pair{A, B} where B where A",
            "Type{MultiCacheLMO{_A, KSparseLMO{Float64}, _B}} where {_A, _B}",
            "Type{var\"#s11\"} where var\"#s11\"<:(Vulkan.VulkanStruct{D} where D)",
            "(Base.Dict{K, V} where V) where K",
            "Tuple{typeof(Base.:(+)), typeof(+), Val{:π}, Val{:(==)}}",
            "Val{(:a, :b)}",
            "Val{(:a,)}",
            "Val{()}",
            "Val{-1}",
            "Val{'a'}",
            "Dates.DatePart{Char(0x55000000)}",
            "Core.AddrSpace{Core}(0x00)",
            "Array{<:Real, 1}",
            "T where Int64<:T<:Real",
            "T where T>:Int64",
            "Tuple{getfield(Main, Symbol(\"#3#4\")), Core.kwftype(typeof(f))}",
        ] {
            round_trip(s);
        }
    }
}
