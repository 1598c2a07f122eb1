//! Statement-level tests with real trace lines (from `../shared/corpus`, or written to match).

use std::borrow::Cow;

use super::{
    bound_trailing_vararg, parse_statement, parse_type_expr, ParsedStatement, SyntaxError,
};
use crate::item::{Flags, ProblemKind, Repairs};

fn ok(line: &str) -> ParsedStatement<'_> {
    match parse_statement(line) {
        Ok(parsed) => parsed,
        Err(err) => panic!("rejected {line:?}: {err:?}"),
    }
}

fn err(line: &str) -> SyntaxError {
    match parse_statement(line) {
        Ok(parsed) => panic!("accepted {line:?}: {parsed:?}"),
        Err(err) => err,
    }
}

fn roots(p: &ParsedStatement<'_>) -> Vec<String> {
    p.statement.roots().map(str::to_string).collect()
}

/// Asserts the kind and the byte offset of the offending token (given as the text it starts with).
fn rejects(line: &str, kind: ProblemKind, at: &str) {
    let e = err(line);
    assert_eq!(e.kind, kind, "{line:?}: {e:?}");
    let offset = if at.is_empty() {
        line.len()
    } else {
        line.find(at).expect("marker in line")
    };
    assert_eq!(e.offset, offset, "{line:?}: {e:?} (expected at {at:?})");
    assert!(!e.message.is_empty());
}

#[test]
fn plain_trace_line() {
    let line = "precompile(Tuple{typeof(Base.Threads.resize_nthreads!), Array{Base.MPFR.BigFloat, 1}, Base.MPFR.BigFloat})";
    let p = ok(line);
    assert!(matches!(p.statement.text, Cow::Borrowed(_)));
    assert_eq!(p.statement.text, line);
    assert_eq!(p.statement.signature_text(), &line[11..line.len() - 1]);
    assert_eq!(p.statement.arg_types, None);
    assert_eq!(roots(&p), ["Base"]);
    assert_eq!(p.statement.flags, Flags::NONE);
    assert_eq!(p.trailing_comment, None);
    assert_eq!(p.statement.timing_ms, None);
}

#[test]
fn base_precompile_with_time_comment_and_indent() {
    let line = "    Base.precompile(Tuple{typeof(plot!),Plot{GRBackend},Any})   # time: 0.0123";
    let p = ok(line);
    assert_eq!(
        p.statement.text,
        "Base.precompile(Tuple{typeof(plot!),Plot{GRBackend},Any})"
    );
    assert!(matches!(p.statement.text, Cow::Borrowed(_)));
    assert_eq!(
        p.statement.signature_text(),
        "Tuple{typeof(plot!),Plot{GRBackend},Any}"
    );
    assert_eq!(p.trailing_comment, Some("time: 0.0123"));
    assert!(roots(&p).is_empty());
}

#[test]
fn recompile_comment() {
    let p =
        ok("precompile(Tuple{typeof(Base.getindex), Base.Dict{Symbol, Any}, Symbol}) # recompile");
    assert_eq!(p.trailing_comment, Some("recompile"));
    assert_eq!(
        p.statement.text,
        "precompile(Tuple{typeof(Base.getindex), Base.Dict{Symbol, Any}, Symbol})"
    );
}

#[test]
fn two_argument_form() {
    let line = "precompile( Grumps.MicroObjectiveθ!, ( Float64, Nothing, Array{Float64, 1}, Grumps.GrumpsMicroDataHog{Float64} ) )";
    let p = ok(line);
    assert!(p.statement.flags.contains(Flags::TWO_ARG));
    assert_eq!(p.statement.signature_text(), "Grumps.MicroObjectiveθ!");
    assert_eq!(
        p.statement.arg_types_text(),
        Some("( Float64, Nothing, Array{Float64, 1}, Grumps.GrumpsMicroDataHog{Float64} )")
    );
    assert_eq!(roots(&p), ["Grumps"]);
    let p = ok(
        "        precompile(fbody, (Any,typeof(plot!),Plot,Plot,Plot,Vararg{Plot, N} where N,))",
    );
    assert_eq!(
        p.statement.arg_types_text(),
        Some("(Any,typeof(plot!),Plot,Plot,Plot,Vararg{Plot, N} where N,)")
    );
    assert!(!p.statement.flags.contains(Flags::UNBOUNDED_VARARG));
    rejects(
        "precompile(f, Tuple{Int64})",
        ProblemKind::Unsupported,
        "Tuple",
    );
}

#[test]
fn guarded_by_isdefined() {
    let line = r##"    isdefined(Plots, Symbol("#174#175")) && Base.precompile(Tuple{getfield(Plots, Symbol("#174#175")),Any})"##;
    let p = ok(line);
    assert_eq!(
        p.statement.text,
        r##"Base.precompile(Tuple{getfield(Plots, Symbol("#174#175")),Any})"##
    );
    assert!(p.statement.flags.contains(Flags::GUARDED | Flags::CLOSURE));
    assert_eq!(roots(&p), ["Plots"]);
    let p = ok(r##"isdefined(Main, Symbol("#3#4")) && precompile(Tuple{Int64})"##);
    assert!(p.statement.flags.contains(Flags::GUARDED | Flags::MAIN));
    assert!(!p.statement.flags.contains(Flags::CLOSURE));
    rejects(
        r##"isdefined(Plots, Symbol("#1")) || precompile(Tuple{Int64})"##,
        ProblemKind::Unsupported,
        "||",
    );
    rejects(
        r##"isdefined(Plots, :x) && precompile(Tuple{Int64})"##,
        ProblemKind::Unsupported,
        ":x",
    );
}

#[test]
fn try_and_macro_wrappers() {
    let p = ok("try; @assert(Base.precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})); catch err; @debug err; end");
    assert_eq!(
        p.statement.text,
        "Base.precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})"
    );
    let p = ok("try @assert Base.precompile(Tuple{Int64}) catch e; @debug e end");
    assert_eq!(p.statement.text, "Base.precompile(Tuple{Int64})");
    let line = r##"    try; isdefined(Juno, Symbol("#4#8")) && Base.precompile(Tuple{getfield(Juno, Symbol("#4#8")),Expr}); catch err; @debug err; end"##;
    let p = ok(line);
    assert_eq!(
        p.statement.text,
        r##"Base.precompile(Tuple{getfield(Juno, Symbol("#4#8")),Expr})"##
    );
    assert!(p.statement.flags.contains(Flags::GUARDED | Flags::CLOSURE));
    assert_eq!(roots(&p), ["Juno"]);
    let p = ok("try precompile(Tuple{Int64}) catch err; @debug err end");
    assert_eq!(p.statement.text, "precompile(Tuple{Int64})");
    let p = ok("@warnpcfail precompile(Tuple{typeof(Base.sum), Int64})");
    assert_eq!(
        p.statement.text,
        "precompile(Tuple{typeof(Base.sum), Int64})"
    );
    rejects(
        "try; @assert(precompile(Tuple{Int64})); catch err; rm(err); end",
        ProblemKind::Unsupported,
        "rm(",
    );
    rejects(
        "try; @assert(precompile(Tuple{Int64})); catch err;",
        ProblemKind::Malformed,
        "",
    );
    rejects(
        "@eval precompile(Tuple{Int64})",
        ProblemKind::Unsupported,
        "@eval",
    );
}

#[test]
fn inline_comments_are_removed() {
    let line = "precompile(Tuple{typeof(Base.sprint),typeof(Base.show),#=Test.=#Fail})";
    let p = ok(line);
    assert!(matches!(p.statement.text, Cow::Owned(_)));
    assert_eq!(
        p.statement.text,
        "precompile(Tuple{typeof(Base.sprint),typeof(Base.show),Fail})"
    );
    assert_eq!(
        p.statement.signature_text(),
        "Tuple{typeof(Base.sprint),typeof(Base.show),Fail}"
    );
    assert_eq!(roots(&p), ["Base"]);
    // A leading comment is trimmed, not removed from the middle: still borrowed.
    let p = ok("#=   12.2 ms =# precompile(Tuple{Int64}) # recompile");
    assert!(matches!(
        p.statement.text,
        Cow::Borrowed("precompile(Tuple{Int64})")
    ));
    assert_eq!(p.trailing_comment, Some("recompile"));
    rejects(
        "precompile(Tuple{Int64}) #= open",
        ProblemKind::Malformed,
        "#=",
    );
}

#[test]
fn comments_and_backslashes_together() {
    let line = r##"#= 3.1 ms =# precompile(Tuple{Val{Symbol("a\Tb")}, #= x =# Base.Val{Symbol("#= not a comment =#")}}) # recompile"##;
    let p = ok(line);
    assert!(matches!(p.statement.text, Cow::Owned(_)));
    assert_eq!(
        p.statement.text,
        r##"precompile(Tuple{Val{Symbol("a\\Tb")},  Base.Val{Symbol("#= not a comment =#")}})"##
    );
    assert_eq!(
        p.statement.signature_text(),
        r##"Tuple{Val{Symbol("a\\Tb")},  Base.Val{Symbol("#= not a comment =#")}}"##
    );
    assert_eq!(roots(&p), ["Base"]);
    // `Symbol("#...")` is a gensym-like name, whatever follows the `#`.
    assert_eq!(
        p.statement.flags,
        Flags::RAW_BACKSLASH | Flags::CLOSURE | Flags::REPAIRED
    );
    assert_eq!(p.statement.repairs(), Repairs::RAW_BACKSLASH);
    assert_eq!(p.trailing_comment, Some("recompile"));
    // Nested comments, as in Julia.
    let p = ok("precompile(Tuple{#= a #= b =# c =#Int64})");
    assert_eq!(p.statement.text, "precompile(Tuple{Int64})");
}

#[test]
fn raw_backslashes_are_escaped() {
    let line = r##"precompile(Tuple{typeof(Dates.format), Dates.DateTime, Dates.DateFormat{Symbol("yyyy-mm-dd\THH:MM:SS.sss\Z"), Tuple{Dates.DatePart{Char(0x79000000)}}}})"##;
    let p = ok(line);
    assert!(p
        .statement
        .flags
        .contains(Flags::RAW_BACKSLASH | Flags::BITS_VALUE));
    assert_eq!(
        p.statement.text,
        r##"precompile(Tuple{typeof(Dates.format), Dates.DateTime, Dates.DateFormat{Symbol("yyyy-mm-dd\\THH:MM:SS.sss\\Z"), Tuple{Dates.DatePart{Char(0x79000000)}}}})"##
    );
    assert_eq!(roots(&p), ["Dates"]);
    assert!(p
        .statement
        .signature_text()
        .starts_with("Tuple{typeof(Dates.format)"));
    // Valid escapes are left alone.
    let p = ok(r##"precompile(Tuple{Val{Symbol("a\"b\\c\n")}})"##);
    assert!(!p.statement.flags.contains(Flags::RAW_BACKSLASH));
    assert!(matches!(p.statement.text, Cow::Borrowed(_)));
}

#[test]
fn names_closures_and_roots() {
    let p = ok(
        r##"precompile(Tuple{Base.var"#f##0#f##1", Main.var"#84#158", Core.var"#Type##kw", Base.Iterators.Zip{Tuple{Array{Int64, 1}}}})"##,
    );
    assert_eq!(roots(&p), ["Base", "Main", "Core"]);
    assert!(p.statement.flags.contains(Flags::MAIN | Flags::CLOSURE));
    let p = ok(r##"precompile(Tuple{getfield(Main, Symbol("#3#4")), Int64})"##);
    assert_eq!(roots(&p), ["Main"]);
    assert!(p.statement.flags.contains(Flags::MAIN | Flags::CLOSURE));
    // A gensym'd type variable is not a closure (real line, serenity4 Lava extra_precompile);
    // a generated function's body name is.
    for text in [
        r##"precompile(Tuple{typeof(Vulkan._initialize), Type{var"#s11"} where var"#s11"<:(Vulkan.VulkanStruct{D} where D), Any})"##,
        r##"precompile(Tuple{Type{var"#s11"}} where var"#s11"<:Real)"##,
    ] {
        assert!(!ok(text).statement.flags.contains(Flags::CLOSURE), "{text}");
    }
    assert!(
        ok(r###"precompile(Tuple{typeof(VectorizationBase.var"##s2#3"), Int64})"###)
            .statement
            .flags
            .contains(Flags::CLOSURE)
    );
    let p = ok("precompile(Tuple{typeof(Core.kwcall), NamedTuple{(:with_validation, :instance_extensions), Tuple{Bool, Array{String, 1}}}, typeof(Lava.init)})");
    assert_eq!(roots(&p), ["Core", "Lava"]);
    let p = ok("precompile(Tuple{Core.kwftype(typeof(AcuteML.render2file)),NamedTuple{(:id, :age), Tuple{Int64,Int64}},typeof(render2file),String,Bool})");
    assert_eq!(roots(&p), ["Core", "AcuteML"]);
    let p = ok("precompile(Tuple{typeof(Base.:(+)), typeof(Base.:(==)), typeof(+), typeof(Base.:(∘)), typeof(∘), typeof(Base.:(:)), Val{:π}, Val{:x}, StrBootTest})");
    assert_eq!(roots(&p), ["Base"]);
    let p = ok(
        r##"precompile(Tuple{getfield(Base64, Symbol("#1#2")){Base64.Base64EncodePipe}, Base64.Buffer})"##,
    );
    assert_eq!(roots(&p), ["Base64"]);
    // Old Julia printed a parenthesized module: still a qualified name.
    let p = ok("precompile(Tuple{typeof((Base.Docs).doc!), Module, (Base.Docs).Binding, (Base).DocStr, (Core.Compiler).Foo})");
    assert_eq!(roots(&p), ["Base", "Core"]);
    rejects(
        "precompile(Tuple{typeof((Base.Docs)(1).x)})",
        ProblemKind::Unsupported,
        "1).x",
    );
    rejects(
        "precompile(Tuple{typeof((Base.Docs)(0x01).x)})",
        ProblemKind::Unsupported,
        ".x",
    );
    // Type variables and bare names are not roots.
    let p = ok("precompile(Tuple{Type{Base.Pair{A, B} where B where A}, Pkg.BinaryPlatforms.FreeBSD, Int64, Vector, Tuple})");
    assert_eq!(roots(&p), ["Base", "Pkg"]);
}

#[test]
fn where_clauses_and_bounds() {
    for line in [
        "precompile(Tuple{Type{NamedTuple{(:stderr,), T} where T<:Tuple}, Tuple{Base.TTY}})",
        "precompile(Tuple{Type{SymbolicGA.Signature{P, N, D} where D where N where P}, String})",
        "precompile(Tuple{typeof(Vulkan._initialize), Type{var\"#s11\"} where var\"#s11\"<:(Vulkan.VulkanStruct{D} where D), Any})",
        "precompile(Tuple{Type{MultiCacheLMO{_A, KSparseLMO{Float64}, _B}} where {_A, _B},KSparseLMO{Float64}})",
        "precompile(Tuple{Type{(Base.Dict{K, V} where V) where K}, Int64})",
        "precompile(Tuple{Type{T} where T>:Int64, Type{T} where Int64<:T<:Real, Array{<:Real, 1}, Ref{>:Int64}})",
    ] {
        ok(line);
    }
    rejects(
        "precompile(Tuple{T where A<:B<:C<:D})",
        ProblemKind::Unsupported,
        "<:D",
    );
    rejects(
        "precompile(Tuple{T where A>:B<:C})",
        ProblemKind::Unsupported,
        "<:C",
    );
    rejects("precompile(<:Int64)", ProblemKind::Malformed, "<:");
}

#[test]
fn varargs() {
    let p = ok("precompile(Tuple{typeof(Base.print), Base.IOStream, Vararg{String}})");
    assert_eq!(p.statement.flags, Flags::UNBOUNDED_VARARG);
    let bounded = bound_trailing_vararg(&p.statement, 100).unwrap();
    assert_eq!(
        bounded,
        "precompile(Tuple{typeof(Base.print), Base.IOStream, Vararg{String, 100}})"
    );
    assert!(ok(&bounded).statement.flags == Flags::NONE);
    for line in [
        "precompile(Tuple{Type{CompileTraces.CompilationMetrics}, Vararg{Int64, 4}})",
        "precompile(Tuple{Base.var\"#@assert\", LineNumberNode, Module, Any, Vararg{Any, N} where N})",
        "precompile(Tuple{Vararg{Int64}, Int64})",
    ] {
        let p = ok(line);
        assert!(!p.statement.flags.contains(Flags::UNBOUNDED_VARARG), "{line}");
        assert_eq!(bound_trailing_vararg(&p.statement, 100), None, "{line}");
    }
    let p = ok("precompile(f, (Int64, Vararg{Any}))");
    assert_eq!(
        bound_trailing_vararg(&p.statement, 7).as_deref(),
        Some("precompile(f, (Int64, Vararg{Any, 7}))")
    );
}

#[test]
fn empty_and_special_types() {
    let p = ok("precompile(Tuple{Type{Tuple{}}, Type{Union{}}, Core.Tuple{Int64}, typeof(Base.sum), Type{Array{Int64, 1}}, Type{Base.Pair{A, B} where B where A}, Union{Nothing, Int64}, NamedTuple{(:id, :age), Tuple{Int64, Int64}}})");
    assert_eq!(roots(&p), ["Core", "Base"]);
    // Only the signature's own last parameter counts, not a tuple type nested in it.
    let p = ok("precompile(Tuple{typeof(Core.kwcall), NamedTuple{(), Tuple{}}, typeof(Base.print), Core.Tuple{Vararg{Int64}}})");
    assert!(!p.statement.flags.contains(Flags::UNBOUNDED_VARARG));
    let p = ok("precompile(Core.Tuple{typeof(Base.print), Vararg{Int64}})");
    assert!(p.statement.flags.contains(Flags::UNBOUNDED_VARARG));
    let p = ok("precompile(Tuple{Vararg{T}} where T)");
    assert_eq!(
        bound_trailing_vararg(&p.statement, 3).as_deref(),
        Some("precompile(Tuple{Vararg{T, 3}} where T)")
    );
}

#[test]
fn value_parameters() {
    let p = ok(
        r##"precompile(Tuple{Val{1}, Val{-1}, Val{0x01}, Val{1.0}, Val{1.0f0}, Val{-1.5e-8}, Val{-Inf}, Val{NaN}, Val{'a'}, Val{'\n'}, Val{"s"}, Val{true}, Val{nothing}, Val{(:a, :b)}, Val{()}, Val{(:a,)}, Val{(1, 2)}, Val{Symbol("text/plain")}, Val{:+}}) "##,
    );
    assert_eq!(p.statement.flags, Flags::NONE);
    let p = ok("precompile(Tuple{Val{1e10}})");
    assert_eq!(p.statement.flags, Flags::LOSSY_VALUE);
    let p = ok("precompile(Tuple{Val{1f0}})");
    assert_eq!(p.statement.flags, Flags::LOSSY_VALUE);
    rejects("precompile(Tuple{Val{1fx}})", ProblemKind::Malformed, "1fx");
}

#[test]
fn bits_values() {
    let p = ok("precompile(Tuple{typeof(Base.getindex), SPIRV.ImageType{SPIRV.Dim(0x00000001), SPIRV.ImageFormat(0x00000002)}, Dates.DatePart{Char(0x55000000)}, Core.AddrSpace{Core}(0x00)})");
    assert!(p.statement.flags.contains(Flags::BITS_VALUE));
    assert_eq!(roots(&p), ["Base", "SPIRV", "Dates", "Core"]);
    rejects(
        "precompile(Tuple{Val{Base.exit(0x01)}})",
        ProblemKind::Unsupported,
        "Base.exit",
    );
    rejects(
        "precompile(Tuple{Val{exit(0x01)}})",
        ProblemKind::Unsupported,
        "exit",
    );
    rejects(
        "precompile(Tuple{Val{Char(1)}})",
        ProblemKind::Unsupported,
        "1)",
    );
    rejects(
        "precompile(Tuple{Val{Char(0x01, 0x02)}})",
        ProblemKind::Malformed,
        ", 0x02",
    );
    rejects(
        "precompile(Tuple{Val{Float16(1.0)}})",
        ProblemKind::Unsupported,
        "1.0",
    );
}

#[test]
fn unsupported_code() {
    rejects(r##""$(run(`rm -rf /`))""##, ProblemKind::Unsupported, "$");
    rejects(
        r##"precompile(Tuple{Val{"$(run(`rm -rf /`))"}})"##,
        ProblemKind::Unsupported,
        "$",
    );
    rejects("x = 1", ProblemKind::Unsupported, "x");
    rejects("precompile(A); rm()", ProblemKind::Unsupported, ";");
    rejects("precompile(Tuple{typeof(QuantumClifford.ECC.TableDecoder(QuantumClifford.ECC.QECCore.Shor9()))})", ProblemKind::Unsupported, "QuantumClifford.ECC.QECCore.Shor9");
    rejects(
        "precompile(Tuple{typeof(which(f,(Int,)).generator.gen)})",
        ProblemKind::Unsupported,
        "which",
    );
    rejects(
        "precompile(Tuple{Val{`ls`}})",
        ProblemKind::Unsupported,
        "`",
    );
    rejects(
        "precompile(Tuple{Val{x -> x}})",
        ProblemKind::Unsupported,
        "->",
    );
    rejects(
        "precompile(Tuple{Val{[x for x in 1:3]}})",
        ProblemKind::Unsupported,
        "[",
    );
    rejects(
        "precompile(Tuple{Val{(x for x in y)}})",
        ProblemKind::Unsupported,
        "for",
    );
    rejects(
        "precompile(Tuple{Vararg{Int64}...})",
        ProblemKind::Unsupported,
        "...",
    );
    rejects(
        "precompile(Tuple{begin rm() end})",
        ProblemKind::Unsupported,
        "begin",
    );
    rejects(
        "precompile(Tuple{@eval(x)})",
        ProblemKind::Unsupported,
        "@eval",
    );
    rejects(
        "precompile(Tuple{Val{1 + 2}})",
        ProblemKind::Unsupported,
        "+",
    );
    rejects("precompile(Tuple{Val{a=1}})", ProblemKind::Unsupported, "=");
    rejects(
        "precompile(Tuple{Val{r\"x\"}})",
        ProblemKind::Unsupported,
        "r\"",
    );
    rejects(
        "precompile(Tuple{Val{x::Int}})",
        ProblemKind::Unsupported,
        "::",
    );
    rejects(
        "precompile(Tuple{Val{Symbol(x)}})",
        ProblemKind::Unsupported,
        "x)",
    );
    rejects(
        "precompile(Tuple{Val{Symbol(\"a$b\")}})",
        ProblemKind::Unsupported,
        "$",
    );
    rejects(
        "precompile(Tuple{Base.Ref{Int}(1)[]})",
        ProblemKind::Unsupported,
        "1)",
    );
    rejects(
        "precompile(Tuple{typeof(f){Int}})",
        ProblemKind::Unsupported,
        "{Int}",
    );
    rejects("precompile(Tuple{Val{-x}})", ProblemKind::Unsupported, "-");
    rejects("precompile(Tuple{Val{a≤b}})", ProblemKind::Unsupported, "≤");
    rejects("precompile(Tuple{Val{x'}})", ProblemKind::Unsupported, "'");
    rejects("Base.foo(Tuple{Int64})", ProblemKind::Unsupported, "Base");
    rejects("println(1)", ProblemKind::Unsupported, "println");
    rejects(
        "precompile(Tuple{Int64}) || exit()",
        ProblemKind::Unsupported,
        "||",
    );
}

#[test]
fn where_binds_only_names() {
    // Julia's lowering rejects these ("invalid variable expression in \"where\""): no type
    // can be built from them, so they are malformed rather than statements that fail later.
    for (line, at) in [
        ("precompile(Tuple{Array{T, 1}} where 1)", "1)"),
        ("precompile(Tuple{Array{T, 1}} where \"T\")", "\"T\""),
        ("precompile(Tuple{Array{T, 1}} where 0x01<:T)", "0x01"),
        ("precompile(Tuple{Array{T, 1}} where Base.T)", "Base.T"),
        ("precompile(Tuple{Array{T, 1}} where T{Int64})", "T{Int64}"),
        ("precompile(Tuple{Array{T, 1}} where {T, 2})", "2}"),
        (
            "precompile(Tuple{Array{T, 1}} where Union{}<:1<:Real)",
            "1<:Real",
        ),
        ("precompile(Tuple{Array{T, 1}} where :T)", ":T"),
    ] {
        let e = err(line);
        assert_eq!(e.kind, ProblemKind::Malformed, "{line}: {e:?}");
        assert_eq!(e.offset, line.find(at).unwrap(), "{line}: {e:?}");
        assert!(e.message.contains("is not a type variable"), "{e:?}");
    }
    // What Julia prints: plain and `var"..."` names, with bounds, and the lower<:T<:upper chain.
    for line in [
        "precompile(Tuple{Array{T, 1}} where T)",
        "precompile(Tuple{Array{T, 1}} where T<:Real)",
        "precompile(Tuple{Array{T, 1}} where T>:Int64)",
        "precompile(Tuple{Array{T, 1}} where Union{}<:T<:Real)",
        "precompile(Tuple{Array{T, 1}} where {T<:Base.Integer, S})",
        "precompile(Tuple{Type{var\"#s11\"}} where var\"#s11\"<:Real)",
        "precompile(Tuple{Base.Dict{K, V} where V<:(Array{T, 1} where T)} where K)",
        // Julia <= 1.5's bare gensym, repaired to `var"#s813"`.
        "precompile(Tuple{Base.Pair{#s814, #s813} where #s813<:Integer where #s814<:Integer})",
    ] {
        ok(line);
    }
}

#[test]
fn malformed_lines() {
    rejects("Base.Invastypeof(", ProblemKind::Malformed, "");
    rejects(
        "precompile(Tuple{typeof(Base.Invastypeof(",
        ProblemKind::Malformed,
        "",
    );
    let e = err("precompile(Tuple{Int64})precompile(Tuple{Int64})");
    assert_eq!((e.kind, e.offset), (ProblemKind::Malformed, 24));
    rejects("precompile(Tuple{Int64}", ProblemKind::Malformed, "");
    rejects("precompile(Tuple{Int64})) ", ProblemKind::Malformed, ") ");
    rejects(
        "precompile(Tuple{Int64 Int64})",
        ProblemKind::Malformed,
        "Int64})",
    );
    rejects(
        "precompile(Tuple{Val{\"abc}})",
        ProblemKind::Malformed,
        "\"",
    );
    rejects("precompile(Tuple{Val{''}})", ProblemKind::Malformed, "'");
    rejects(
        "precompile(Tuple{Int64\u{1}})",
        ProblemKind::Malformed,
        "\u{1}",
    );
    rejects("precompile(Tuple{Int64,,})", ProblemKind::Malformed, ",}");
    rejects("precompile(Tuple{end})", ProblemKind::Malformed, "end");
    rejects("", ProblemKind::Malformed, "");
    rejects("   ", ProblemKind::Malformed, "");
    rejects("precompile (Tuple{})", ProblemKind::Malformed, "(");
    rejects("precompile(Tuple{Base.})", ProblemKind::Malformed, "})");
    rejects("precompile(Tuple{Int64}\n)", ProblemKind::Malformed, "\n");
    // A `#` that is not a bare gensym (see `repairs`) starts a comment, as in Julia; the
    // message still suggests what old Julia did.
    let line = "precompile(Tuple{Any, Base.Pair{#s664x} where #s664x<:Integer})";
    let e = err(line);
    assert_eq!(
        (e.kind, e.offset),
        (ProblemKind::Malformed, line.find("#s664").unwrap())
    );
    assert!(e.message.contains("#s151"), "{e:?}");
    // Unsupported inside a line that is also unbalanced: malformed wins.
    rejects(
        "precompile(Tuple{Val{exit(0x01)}",
        ProblemKind::Malformed,
        "",
    );
}

fn nested(depth: usize) -> String {
    let mut s = String::from("precompile(");
    for _ in 0..depth {
        s.push_str("Tuple{");
    }
    s.push_str("Int64");
    for _ in 0..depth {
        s.push('}');
    }
    s.push(')');
    s
}

/// Runs `f` on a thread with a small stack: a stack overflow aborts the test process.
fn on_small_stack(kib: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no panic");
}

#[test]
fn deep_nesting_is_malformed_not_a_stack_overflow() {
    // MAX_DEPTH levels of the statement parser take under 192 KiB in release builds and under
    // 384 KiB in unoptimized test builds (which give every temporary its own stack slot).
    let kib = if cfg!(debug_assertions) { 512 } else { 256 };
    on_small_stack(kib, || {
        let line = nested(10_000);
        let e = parse_statement(&line).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Malformed);
        assert!(e.message.contains("nesting"), "{e:?}");
        // `precompile(` is the first level, each `Tuple{` one more.
        assert_eq!(
            e.offset,
            "precompile(".len() + "Tuple{".len() * (super::MAX_DEPTH - 1)
        );
        let parens = format!(
            "precompile({}Int64{})",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(
            parse_statement(&parens).unwrap_err().kind,
            ProblemKind::Malformed
        );
        let calls = format!(
            "precompile({}Int64{})",
            "getfield(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(
            parse_statement(&calls).unwrap_err().kind,
            ProblemKind::Malformed
        );
        let unbalanced = "precompile(Tuple{".repeat(10_000);
        assert_eq!(
            parse_statement(&unbalanced).unwrap_err().kind,
            ProblemKind::Malformed
        );
        // Just inside the limit still parses.
        assert!(parse_statement(&nested(super::MAX_DEPTH - 2)).is_ok());
    });
}

#[test]
fn deep_nesting_in_the_tree_builder() {
    // Tree nodes make frames bigger: under 256 KiB in release, 1 MiB in unoptimized builds.
    let kib = if cfg!(debug_assertions) { 1536 } else { 512 };
    on_small_stack(kib, || {
        let line = nested(10_000);
        let e = parse_type_expr(&line[11..line.len() - 1]).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Malformed);
        let ok = nested(super::MAX_DEPTH - 1);
        assert!(parse_type_expr(&ok[11..ok.len() - 1]).is_ok());
    });
}

#[test]
fn one_megabyte_line() {
    let mut line = String::from("precompile(Tuple{typeof(Base.foo)");
    let mut i = 0;
    while line.len() < 1 << 20 {
        line.push_str(&format!(
            ", Base.Dict{{Mod{i}.T, Tuple{{Int64, Vararg{{Int64, 4}}}}}}"
        ));
        i += 1;
    }
    line.push_str("})");
    let p = ok(&line);
    assert_eq!(p.statement.roots.len(), i + 1);
    assert!(matches!(p.statement.text, Cow::Borrowed(_)));
}

/// Lines of every trace in `../shared/corpus` (empty, with a message, when it is absent).
fn corpus_lines() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
    let mut lines = Vec::new();
    for dir in ["trace", "snoop"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            println!("{root}/{dir} is absent: the fast path is checked on written lines only");
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                lines.extend(text.lines().map(|l| l.trim_end_matches('\r').to_string()));
            }
        }
    }
    lines
}

/// The fast path gives exactly the full parser's result whenever it accepts a line.
fn check_fast(line: &str) -> bool {
    match super::fast::parse(line) {
        Some(fast) => {
            assert_eq!(
                Ok(fast),
                super::parse_full(line),
                "fast path differs on {line:?}"
            );
            true
        }
        None => false,
    }
}

#[test]
fn fast_path_agrees_with_the_full_parser() {
    let written = [
        "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        "Base.precompile(Tuple{typeof(Main.f), Main.M.T{Float64}, Core.Any})",
        "precompile(Tuple{typeof(resize!), Vector{UInt8}, Int64})",
        "precompile(Tuple{Type{NamedTuple{(:a,), T} where T}, Any})",
        "precompile(Tuple{typeof(Base.:(+)), Int64, Int64})",
        "precompile(Tuple{typeof(f), Vararg{Any}})",
        "precompile(Tuple{typeof(f), Core.Vararg{Any}})",
        "precompile(Tuple{Main.A{}, Main.B{1, 2}, Base.Main.X})",
        "precompile(Tuple{typeof(end)})",
        "precompile(Tuple{typeof(x.end), Base.end})",
        "precompile(Tuple{A{B}{C}})",
        "precompile(Tuple{x!=y})",
        "precompile(12)",
        "precompile(Tuple{typeof(typeof), typeof.x, typeof{T}})",
        "precompile(Tuple{Array{Float64,2},   Int})",
        "precompile(Tuple{Int64}) ",
        "precompile(Tuple{Int64}) # recompile",
        "precompile(Tuple{NamedTuple{(:a, :b!), Tuple{}}, Main.var\"#1#2\", var\"x\".y, ()})",
        "precompile(Tuple{typeof(Main.var\"#f\"), Type{:end}, (Main.X,), (A)})",
        "precompile(Tuple{Base.var\"a\\\"b\", :var\"c\", ::Int, :(==), (A, B,), {A}})",
        "precompile(((), (Int64, Core.Main.y), typeof{T}, Base.Vararg{T}))",
        "precompile(Tuple{var\"#x\"{Int}, Foo.var\"\", Main.var\"\".Main, :a.b, typeof(typeof)})",
        "precompile(Tuple{typeof(Base.:(==)), Base.:(+).x, A.:(::), B.:(), C.:(.+), D.:(a)})",
        "precompile(Tuple{getfield(Main, Symbol(\"#1#2\")), getfield(A.B, Symbol(\"x\")){Int}})",
        "precompile(Tuple{getfield(var\"M\", Symbol(\"\")), Symbol(\"a$b\"), Symbol(\"\"\"x\"\"\")})",
        "precompile(Tuple{getfield(M, Symbol(\"a\\\\b\")), getfield(M,Symbol(\"x\")), Symbol(\"q\"){T}})",
        "precompile(Tuple{getfield(Base.M{T}, Symbol(\"x\")), getfield(M, :x), Symbol(\"x\").y})",
        "precompile(Tuple{Type{Base.Pair{A, B} where B where A}, X{T} where T<:Main.IO{Int}})",
        "precompile(Tuple{Type{A where T<:B<:C}, A where T>:B, A where {T}, A where T <: B})",
        "precompile(Tuple{A where end, A where Base.T, A where T<:B where S, 1 where T<::a})",
        "precompile(Tuple{T} where T<:Core.Main)",
        "precompile(Tuple{typeof(f), Vararg{Any}})",
        "precompile(Core.Tuple{A, Core.Vararg{Any},})",
        "precompile((A, Vararg{Int64}))",
        "precompile(Tuple{Vararg{T}} where T<:Tuple{Vararg{Int}})",
        "precompile(Tuple{A, Vararg{T} where T})",
        "precompile(Tuple{A, Vararg{T, N}, B})",
        "precompile(Tuple{A, Vararg{T, N}} where N)",
        "precompile(Tuple{A where T<:Vararg{X}, Vararg{T where S<:Int}})",
        "precompile(Tuple{A, Base.Vararg{T}, Tuple{Vararg{T}}, Vararg{}, Vararg{T,}})",
        "precompile(Foo{Vararg{T}})",
        "precompile(Tuple{Vararg{Vararg{T}}})",
        "precompile(Tuple{Vararg{T}, Vararg})",
        "precompile(Tuple{Vararg{Tuple{}}})",
    ];
    let mut accepted = 0;
    for line in written {
        accepted += usize::from(check_fast(line));
    }
    assert!(
        accepted >= 5,
        "the fast path accepts too little: {accepted}"
    );
    let corpus = corpus_lines();
    let mut fast_lines = Vec::new();
    for line in &corpus {
        if check_fast(line) {
            fast_lines.push(line.as_str());
        }
    }
    if !corpus.is_empty() {
        assert!(
            fast_lines.len() * 4 > corpus.len(),
            "the fast path takes only {} of {} corpus lines",
            fast_lines.len(),
            corpus.len()
        );
    }
    // Mutations of accepted lines: every edit must either leave the fast path or agree.
    let inserts = [
        " where ",
        "<:",
        ">:",
        "Symbol(\"#",
        "getfield(",
        ".:(",
        "$",
        "\\",
        " ",
        ",",
        ".",
        "{",
        "}",
        "(",
        ")",
        "!",
        "=",
        "\"",
        "'",
        "#",
        "1",
        "x",
        ":",
        "<:",
        "é",
        "\t",
        " where T",
        "Vararg{",
        "0x1",
        "end",
        "var\"#a\"",
        "Main.",
        "1.5",
        "#= c =#",
    ];
    let mut samples: Vec<&str> = written.iter().copied().filter(|l| check_fast(l)).collect();
    let step = (fast_lines.len() / 60).max(1);
    samples.extend(fast_lines.iter().step_by(step).copied());
    for line in samples {
        let boundaries = (0..=line.len()).filter(|&i| line.is_char_boundary(i));
        for i in boundaries {
            // Truncated lines (and the fast path must not read past the end).
            check_fast(&line[..i]);
            if i < line.len() {
                let next = line[i..].chars().next().map_or(1, char::len_utf8);
                check_fast(&format!("{}{}", &line[..i], &line[i + next..]));
            }
            for ins in inserts {
                check_fast(&format!("{}{ins}{}", &line[..i], &line[i..]));
            }
        }
    }
}

#[test]
fn fast_identifier_scan_matches_the_byte_table() {
    // Every byte value at every position of a word and of the byte-by-byte tail.
    for len in [1usize, 7, 8, 9, 16, 19] {
        for at in 0..len {
            for byte in 0..=255u8 {
                let mut bytes = vec![b'a'; len];
                bytes[at] = byte;
                let expected = (0..len)
                    .find(|&i| !super::lexer::is_ident_cont_plain(bytes[i]))
                    .unwrap_or(len);
                assert_eq!(
                    super::fast::plain_run_end(&bytes, 0),
                    expected,
                    "byte {byte:#x} at {at} of {len}"
                );
            }
        }
    }
}

/// Random statements made of the fast path's own pieces (and a few it must refuse): wherever the
/// fast path accepts one, the full parser must give the same result.
#[test]
fn fast_path_agrees_on_token_soup() {
    const PIECES: [&str; 48] = [
        "Tuple{",
        "Core.Tuple{",
        "Vararg{",
        "Core.Vararg{",
        "Main.",
        "Base.",
        "Core.",
        "A",
        "T",
        "Int64",
        "{",
        "}",
        "(",
        ")",
        ", ",
        ",",
        " where ",
        "<:",
        ">:",
        "typeof(",
        "typeof(f)",
        "getfield(Main, Symbol(\"#1\"))",
        "getfield(",
        "Symbol(\"#x\")",
        "Symbol(\"",
        "\"",
        "var\"#a\"",
        "var\"b\"",
        ":a",
        ":",
        ".:(==)",
        "1",
        "0x1",
        "end",
        "where",
        "!",
        " ",
        "x!",
        "\\",
        "{}",
        ".:(var\"==\")",
        ".:(var\"#f#1\")",
        ".:(var\"",
        "inf",
        "nanf",
        "1f",
        "#s1",
        ":=",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        // xorshift64*: deterministic, so a failure reproduces.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut accepted = 0;
    for _ in 0..600_000 {
        let n = 1 + (next() % 24) as usize;
        let mut line = String::from(if next() % 4 == 0 {
            "Base.precompile("
        } else {
            "precompile("
        });
        for _ in 0..n {
            line.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        line.push(')');
        accepted += usize::from(check_fast(&line));
    }
    println!("{accepted} of 600000 random statements took the fast path");
    assert!(
        accepted > 1000,
        "only {accepted} random statements took the fast path"
    );
}

/// Asserts that `line` is accepted as `repaired`, with exactly `kinds` of repair, `flags`, and
/// its original text kept.
fn repaired(line: &str, repaired: &str, kinds: Repairs, flags: Flags) {
    let p = ok(line);
    assert_eq!(p.statement.text, repaired, "{line}");
    assert_eq!(p.statement.repairs(), kinds, "{line}");
    assert_eq!(p.statement.flags, flags | Flags::REPAIRED, "{line}");
    assert_eq!(p.statement.original(), Some(line), "{line}");
    // The repaired text needs no repair and reads the same.
    let again = ok(repaired);
    assert_eq!(again.statement.text, repaired);
    assert!(again.statement.repairs().is_empty() && again.statement.original().is_none());
    assert_eq!(again.statement.signature, p.statement.signature);
    assert_eq!(again.statement.roots, p.statement.roots);
}

#[test]
fn repairs() {
    let none = Flags::NONE;
    // Julia <= 1.5 printed gensym'd type variables bare.
    repaired(
        "precompile(Tuple{typeof(REPL.LineEdit.edit_splice!), Any, Base.Pair{#s664, #s663} where #s663<:Integer where #s664<:Integer, Int64})",
        r##"precompile(Tuple{typeof(REPL.LineEdit.edit_splice!), Any, Base.Pair{var"#s664", var"#s663"} where var"#s663"<:Integer where var"#s664"<:Integer, Int64})"##,
        Repairs::GENSYM_TYPE_VAR,
        none,
    );
    repaired(
        "precompile(Tuple{Union{Function, Base.Pair{#s151, #s150} where #s150<:(Base.Pair{#s149, #s148} where #s148<:Union{DataType, Symbol} where #s149<:Type) where #s151<:Int64}})",
        r##"precompile(Tuple{Union{Function, Base.Pair{var"#s151", var"#s150"} where var"#s150"<:(Base.Pair{var"#s149", var"#s148"} where var"#s148"<:Union{DataType, Symbol} where var"#s149"<:Type) where var"#s151"<:Int64}})"##,
        Repairs::GENSYM_TYPE_VAR,
        none,
    );
    // C's `%g`: Float64 infinities and NaNs are exact.
    for (c, julia) in [
        ("inf", "Inf"),
        ("-inf", "-Inf"),
        ("nan", "NaN"),
        ("-nan", "-NaN"),
    ] {
        repaired(
            &format!("precompile(Tuple{{Val{{{c}}}, Int64}})"),
            &format!("precompile(Tuple{{Val{{{julia}}}, Int64}})"),
            Repairs::C_FLOAT,
            none,
        );
    }
    repaired(
        "precompile(Tuple{Type{GeometryExperiments.NormedPrimitive{inf, T} where T}, Float32})",
        "precompile(Tuple{Type{GeometryExperiments.NormedPrimitive{Inf, T} where T}, Float32})",
        Repairs::C_FLOAT,
        none,
    );
    // Float32 `%gf`: infinities and NaNs exact, other values rounded to 6 digits (lossy).
    for (c, julia, flags) in [
        ("inff", "Inf32", none),
        ("-inff", "-Inf32", none),
        ("nanf", "NaN32", none),
        ("1.5f", "1.5f0", Flags::LOSSY_VALUE),
        ("1f", "1.0f0", Flags::LOSSY_VALUE),
        ("-1f", "-1.0f0", Flags::LOSSY_VALUE),
        ("1e+10f", "1.0f10", Flags::LOSSY_VALUE),
        ("2.5e-05f", "2.5f-5", Flags::LOSSY_VALUE),
        ("1e+00f", "1.0f0", Flags::LOSSY_VALUE),
    ] {
        repaired(
            &format!("precompile(Tuple{{Val{{{c}}}}})"),
            &format!("precompile(Tuple{{Val{{{julia}}}}})"),
            Repairs::C_FLOAT,
            flags,
        );
    }
    // `inf` used as a name is left alone: `inf.x`, `inf{T}` are not values.
    let p = ok("precompile(Tuple{typeof(inf.x), inf{Int64}})");
    assert!(p.statement.repairs().is_empty());
    // Quoted operators Julia's tokenizer reads as `:=` or `::`: parenthesized, as `show` does.
    for (c, julia) in [
        (":=", ":(=)"),
        (":==", ":(==)"),
        (":===", ":(===)"),
        (":=>", ":(=>)"),
        ("::", ":(:)"),
        (":::", ":(::)"),
        ("::=", ":(:=)"),
    ] {
        repaired(
            &format!("precompile(Tuple{{typeof(Base.f), Base.Val{{{c}}}, Val{{({c}, :a)}}}})"),
            &format!(
                "precompile(Tuple{{typeof(Base.f), Base.Val{{{julia}}}, Val{{({julia}, :a)}}}})"
            ),
            Repairs::QUOTED_OPERATOR,
            none,
        );
    }
    // Others read back bare (JuliaSyntax quotes any operator token after `:`): unchanged.
    for op in [
        ":->", ":&&", ":||", ":+=", ":?", ":<:", ":!=", ":-->", ":.", ":...", ":.+", ":.==", ":..",
    ] {
        let line = format!("precompile(Tuple{{Val{{{op}}}}})");
        let p = ok(&line);
        assert!(p.statement.repairs().is_empty(), "{line}");
        assert_eq!(p.statement.text, line);
    }
    // Not symbols: a dot then a colon, nothing after the colon.
    for op in [".:", ":.:", ": "] {
        err(&format!("precompile(Tuple{{Val{{{op}}}}})"));
    }
    // An operator starting with `=` or `:` that Julia does not have.
    rejects("precompile(Tuple{Val{:=<}})", ProblemKind::Malformed, ":=<");
    // `::T` is a type assertion, not the symbol `:` then `T`.
    rejects(
        "precompile(Tuple{Val{::Int64}})",
        ProblemKind::Unsupported,
        "::",
    );
    // Several kinds at once, and a comment removed, in text order.
    repaired(
        r##"precompile(Tuple{Val{Symbol("a\Tb")}, #= c =#Val{:=}, Base.Pair{#s1, inff} where #s1})"##,
        r##"precompile(Tuple{Val{Symbol("a\\Tb")}, Val{:(=)}, Base.Pair{var"#s1", Inf32} where var"#s1"})"##,
        Repairs::RAW_BACKSLASH
            | Repairs::C_FLOAT
            | Repairs::GENSYM_TYPE_VAR
            | Repairs::QUOTED_OPERATOR,
        Flags::RAW_BACKSLASH,
    );
}

#[test]
fn julia_1_12_operator_names() {
    // Julia 1.12 prints operator names inside `:( )` as `var"..."`.
    let line = r#"precompile(Tuple{typeof(Base.:(var"==")), MyPkg.Suffix, MyPkg.Suffix})"#;
    let p = ok(line);
    assert_eq!(p.statement.text, line);
    assert_eq!(roots(&p), ["Base", "MyPkg"]);
    assert_eq!(p.statement.flags, Flags::NONE);
    assert_eq!(
        parse_type_expr(p.statement.signature_text())
            .unwrap()
            .to_string(),
        r#"Tuple{typeof(Base.var"=="), MyPkg.Suffix, MyPkg.Suffix}"#
    );
    for line in [
        r#"precompile(Tuple{typeof(Base.Broadcast.:(var".+")), Int64})"#,
        r#"precompile(Tuple{Val{:(var"==")}, Val{:var"text/plain"}, typeof(var"=="), typeof(Base.var"∘")})"#,
        r##"precompile(Tuple{typeof(Base.:(var"#f#1")), Int64})"##,
    ] {
        ok(line);
    }
    let p = ok(r##"precompile(Tuple{typeof(Main.:(var"#f#1")), Int64})"##);
    assert!(p.statement.flags.contains(Flags::CLOSURE | Flags::MAIN));
    ok(r#"precompile(Tuple{typeof(Base.:(var"==" )), Int64})"#);
    rejects(
        r#"precompile(Tuple{typeof(Base.:(var"==" x)), Int64})"#,
        ProblemKind::Malformed,
        "x)",
    );
}

#[test]
fn formatter_shapes_on_one_line() {
    // What a code formatter writes, once its lines are joined: trailing commas, spaced `<:`.
    let p = ok("precompile(Tuple{typeof(Core.memoryref), GenericMemory{:not_atomic, NamedTuple{names, T} where {T <: Tuple} where names, Core.AddrSpace{Core}(0x00)},},)");
    assert_eq!(roots(&p), ["Core"]);
    assert!(p.statement.flags.contains(Flags::BITS_VALUE));
    let p = ok("precompile(f, (Int64,),)");
    assert_eq!(p.statement.arg_types_text(), Some("(Int64,)"));
}
