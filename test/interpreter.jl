# The signature interpreter (src/evaluate.jl): each opcode of the tree the Rust library hands
# over, name resolution, and a differential test against the old path (`Core.eval` of
# `Meta.parse`d signature text), which lives here only, as the oracle.
# Included by runtests.jl (uses its `trace_file` and `Fixture`).

using CompileTraces: ReadOptions, read_traces, EvalContext, Rejected, Tree, build_type, statement_roots,
                     CT_KIND_STATEMENT

const READ_ALL = ReadOptions(false, String[], false, 0.0, "", "", UInt32(0))

"The items the library reads from a trace made of `lines`."
function items_of(lines::AbstractString...)
    path = trace_file(join(lines, "\n") * "\n")
    try
        return read_traces([path], READ_ALL).items
    finally
        rm(path)
    end
end

"Builds the signature of `precompile(sig)` the way `compile_traces` does."
function built(sig::AbstractString; mod::Module = Main, inline::Bool = false)
    item = only(items_of("precompile($sig)"))
    item.kind == CT_KIND_STATEMENT || error("not a statement: $(item.message)")
    ctx = EvalContext(mod, inline)
    roots = statement_roots(item, ctx)
    roots isa Rejected && throw(roots)
    return build_type(item.signature_tree, ctx, roots)
end

"The `Rejected` that building `sig` throws (`nothing` if it builds)."
function failure(sig::AbstractString; kwargs...)
    try
        built(sig; kwargs...)
        return nothing
    catch e
        e isa Rejected || rethrow()
        return e
    end
end

"The value a literal reads as, built as the parameter of `Val`."
value_of(text::AbstractString) = built("Tuple{Val{$text}}").parameters[1].parameters[1]

"""
    egal_up_to_names(a, b)

`a === b`, except that the type variables of `UnionAll`s are matched by position, not by name
(`===` compares their names too).
"""
function egal_up_to_names(a, b, env::Vector{Pair{TypeVar,TypeVar}} = Pair{TypeVar,TypeVar}[])
    if a isa TypeVar && b isa TypeVar
        for i in length(env):-1:1
            env[i].first === a && return env[i].second === b
        end
        return a === b
    end
    a === b && return true
    if a isa UnionAll && b isa UnionAll
        (egal_up_to_names(a.var.lb, b.var.lb, env) && egal_up_to_names(a.var.ub, b.var.ub, env)) || return false
        return egal_up_to_names(a.body, b.body, [env; a.var => b.var])
    elseif a isa DataType && b isa DataType
        return a.name === b.name && length(a.parameters) == length(b.parameters) &&
               all(i -> egal_up_to_names(a.parameters[i], b.parameters[i], env), 1:length(a.parameters))
    elseif a isa Union && b isa Union
        return egal_up_to_names(a.a, b.a, env) && egal_up_to_names(a.b, b.b, env)
    elseif a isa Tuple && b isa Tuple
        return length(a) == length(b) && all(i -> egal_up_to_names(a[i], b[i], env), 1:length(a))
    elseif isdefined(Core, :TypeofVararg) && a isa Core.TypeofVararg && b isa Core.TypeofVararg
        (isdefined(a, :T) == isdefined(b, :T) && isdefined(a, :N) == isdefined(b, :N)) || return false
        return (!isdefined(a, :T) || egal_up_to_names(a.T, b.T, env)) &&
               (!isdefined(a, :N) || egal_up_to_names(a.N, b.N, env))
    end
    return false
end

"""
The old path's text, as it evaluated it: a bits value `T(0x..)` was built with `reinterpret`
(calling `Char(0x79000000)` throws), every other call evaluated as written.
"""
function oracle_expr(ex)
    ex isa Expr || return ex
    args = Any[oracle_expr(a) for a in ex.args]
    if ex.head === :call && length(args) == 2 && args[2] isa Unsigned &&
       !(args[1] in (:typeof, :Symbol, :getfield))
        return Expr(:call, GlobalRef(Base, :reinterpret), args[1], args[2])
    end
    return Expr(ex.head, args...)
end

module InlineNames
import Base.Iterators: Zip
struct Local end
end

@testset "signature interpreter" begin
    @testset "names, qualified names, getfield" begin
        @test built("Tuple{Int64, Vector{Float64}}") === Tuple{Int64,Vector{Float64}}
        @test built("Tuple{typeof(Base.sum), Base.Iterators.Zip}") === Tuple{typeof(sum),Base.Iterators.Zip}
        @test built("Tuple{typeof(Base.:(+)), typeof(+), typeof(Base.:(==))}") === Tuple{typeof(+),typeof(+),typeof(==)}
        @test built("Tuple{getfield(Base, Symbol(\"Vector\")){Int64}}") === Tuple{Vector{Int64}}
        @test built("Tuple{(Base.Iterators).Zip}") === Tuple{Base.Iterators.Zip}
        @test built("Tuple{Core.Any, Main.Fixture.NotPrimitive}") === Tuple{Any,Fixture.NotPrimitive}
        # `.` reads a module's binding only, never a property of another value.
        e = failure("Tuple{Base.Int64.name}")
        @test e.reason === :rejected
        @test occursin("not from a module", e.message)
        e = failure("Tuple{Base.NoSuchBindingXYZ}")
        @test e.reason === :evaluation_error
        @test occursin("NoSuchBindingXYZ", e.message)
    end

    @testset "curly, typeof, Core.kwftype, tuples, Vararg" begin
        @test built("Tuple{Dict{Symbol, Any}, Type{Union{}}, Tuple{}, Union{Int64, Nothing}}") ===
              Tuple{Dict{Symbol,Any},Type{Union{}},Tuple{},Union{Int64,Nothing}}
        @test built("Tuple{typeof(Base.sum), Type{Int64}}") === Tuple{typeof(sum),Type{Int64}}
        @test built("Tuple{Vararg{Int64}}") === Tuple{Vararg{Int64}}
        @test built("Tuple{Int64, Vararg{Int64, 2}}") === Tuple{Int64,Vararg{Int64,2}}
        @test built("Tuple{Vararg{Any, N}} where N") === (Tuple{Vararg{Any,N}} where N)
        @test built("Tuple{Val{(1, :a, (2.5, 'x'))}, Val{()}}") === Tuple{Val{(1, :a, (2.5, 'x'))},Val{()}}
        if isdefined(Core, :kwftype)
            @test built("Tuple{Core.kwftype(typeof(Base.sum)), Any, typeof(Base.sum)}") ===
                  Tuple{Core.kwftype(typeof(sum)),Any,typeof(sum)}
        end
        # A type applied to parameters it does not accept: Julia's message, as an evaluation error.
        e = failure("Tuple{Vector{Int64, 2, 3}}")
        @test e.reason === :evaluation_error
        @test occursin("too many parameters", e.message)
        e = failure("Tuple{Val{1.0e400}}") # Julia's reader refuses it too
        @test e.reason === :evaluation_error
        @test occursin("overflow", e.message)
    end

    @testset "where clauses, bounds, shadowing" begin
        @test built("Tuple{Vector{T}} where T") === (Tuple{Vector{T}} where T)
        @test built("Tuple{Type{T}} where T<:Real") === (Tuple{Type{T}} where T<:Real)
        @test built("Tuple{Type{T}} where T>:Int64") === (Tuple{Type{T}} where T>:Int64)
        @test built("Tuple{Type{T}} where Int64<:T<:Real") === (Tuple{Type{T}} where Int64<:T<:Real)
        @test built("Tuple{Dict{K, V}} where {K<:Integer, V<:Vector{K}}") ===
              (Tuple{Dict{K,V}} where {K<:Integer,V<:Vector{K}})
        @test built("Tuple{T, S} where S<:T where T") === (Tuple{T,S} where S<:T where T)
        # The innermost `where` binds; a type variable shadows a global name of the same name.
        @test built("Tuple{Tuple{T} where T, T} where T") === (Tuple{Tuple{T} where T,T} where T)
        @test built("Tuple{Int64} where Int64") === (Tuple{Int64} where Int64)
        @test built("Tuple{Int64, Vector{T}} where T") === (Tuple{Int64,Vector{T}} where T)
        # Gensym'd type variables as Julia prints them.
        @test built("Tuple{Vector{var\"#s1\"}} where var\"#s1\"<:Real") ===
              (Tuple{Vector{var"#s1"}} where var"#s1"<:Real)
        # Out of scope again after its `where`.
        e = failure("Tuple{Vector{T} where T, T}")
        @test e.reason === :evaluation_error
        @test occursin("`T` not defined", e.message)
    end

    @testset "the <:T and >:T shorthand" begin
        t = built("Tuple{Vector{<:Real}, Ref{>:Int64}}")
        @test t == Tuple{Vector{<:Real},Ref{>:Int64}}
        v = t.parameters[1]
        @test v isa UnionAll && v.var.ub === Real && v.var.lb === Union{}
        @test startswith(String(v.var.name), "#s") # printed as the shorthand again
        @test sprint(show, t) == sprint(show, Tuple{Vector{<:Real},Ref{>:Int64}})
        r = t.parameters[2]
        @test r.var.lb === Int64 && r.var.ub === Any
        # Two in one application: the first is the outermost variable.
        d = built("Tuple{Dict{<:Integer, <:AbstractString}}").parameters[1]
        @test d.var.ub === Integer && d.body.var.ub === AbstractString
        @test d == Dict{<:Integer,<:AbstractString}
    end

    @testset "literals read as Julia reads them" begin
        for text in ("1", "-3", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                     "0x1", "0xff", "0x00ff", "0x001", "0x55000000", "0x000000001",
                     "0x00000000000000010000000000000002", "0b101", "0o17", "0o400",
                     "1.5", "-2.5", "1.0e10", "1.0e-5", "1.0e-400", "5.0e-324", "1.5f0", "1.0f10",
                     "-2.5f-3", "-Inf", "-Inf32", "-Inf16", "Inf", "NaN", "NaN32",
                     "'a'", "'∀'", "'\\u2200'", "'\\x80'", "'\\xff'", "'\\n'", "'\\''", "'\\0'",
                     "'\\U1F600'", "true", "false", "nothing",
                     ":a", ":(==)", "Symbol(\"a b\")", "Symbol(\"\\\\T\")", "Symbol(\"#3#4\")",
                     "(1, 0x01, :b)")
            # The oracle: Julia's own reader. A literal it refuses must fail to build too.
            expected = try
                Core.eval(Main, Meta.parse(text))
            catch e
                e
            end
            got = try
                value_of(text)
            catch e
                e isa Rejected || rethrow()
                e
            end
            if expected isa Exception
                @test got isa Rejected
            else
                got === expected || @info "literal read differently" text got expected
                @test got === expected
            end
        end
        @test value_of("0x00ff") isa UInt16
        @test value_of("1.5f0") isa Float32
        @test value_of("9223372036854775808") isa Int128
    end

    @testset "bits values" begin
        @test built("Tuple{Val{Char(0x55000000)}}") === Tuple{Val{'U'}}
        # Not a valid code point: built by reinterpret where calling Char would throw.
        @test built("Tuple{Val{Char(0x79000000)}}") === Tuple{Val{reinterpret(Char, 0x79000000)}}
        @test built("Tuple{Val{Base.UInt8(0x07)}}") === Tuple{Val{0x07}}
        @test built("Tuple{Val{Bool(0x01)}}") === Tuple{Val{true}}
        e = failure("Tuple{Val{Bool(0x02)}}")
        @test e.reason === :rejected && occursin("not a valid Bool", e.message)
        e = failure("Tuple{Val{Main.Fixture.NotPrimitive(0x01)}}")
        @test e.reason === :rejected && occursin("not a primitive type", e.message)
        e = failure("Tuple{Val{Char(0x01)}}")
        @test e.reason === :rejected && occursin("primitive type of 4 bytes, not 1", e.message)
        e = failure("Tuple{Val{NoSuchTypeXYZ(0x01)}}")
        @test e.reason === :evaluation_error && occursin("cannot resolve the type of a bits value", e.message)
    end

    @testset "two-argument form" begin
        item, other = items_of("precompile(Base.sum, (Vector{Int64},))",
                               "precompile(Base.sum, (Vector{Int64}, Val{:x}, Tuple{}))")
        ctx = EvalContext(Main, false)
        roots = statement_roots(item, ctx)
        @test build_type(item.signature_tree, ctx, roots) === sum
        @test build_type(item.args_tree, ctx, roots) === (Vector{Int64},)
        @test CompileTraces.compile_statement(item, ctx) == (:succeeded, nothing)
        @test build_type(other.args_tree, ctx, roots) === (Vector{Int64}, Val{:x}, Tuple{})
        @test other.signature_tree.code == item.signature_tree.code
    end

    @testset "name resolution" begin
        # inline = true: the module's own, imported and used names.
        @test built("Tuple{Local, Zip, Vector{Int64}}"; mod = InlineNames, inline = true) ===
              Tuple{InlineNames.Local,Base.Iterators.Zip,Vector{Int64}}
        e = failure("Tuple{NoSuchThingXYZ}"; mod = InlineNames, inline = true)
        @test e.reason === :evaluation_error
        @test occursin("UndefVarError: `NoSuchThingXYZ` not defined in `$(InlineNames)`", e.message)
        # inline = false: Core's and Base's exports and the root modules, not `mod`'s names.
        @test built("Tuple{Vector{Int64}, Core.TypeofBottom}"; mod = InlineNames) === Tuple{Vector{Int64},Core.TypeofBottom}
        for name in ("Local", "Zip", "NoSuchThingXYZ")
            e = failure("Tuple{$name}"; mod = InlineNames)
            @test e.reason === :evaluation_error
            @test occursin("UndefVarError: `$name` not defined", e.message)
        end
        # A root that is not loaded fails before anything is built.
        e = failure("Tuple{typeof(NotLoadedPkgXYZ.f)}")
        @test (e.reason, e.message) == (:module_not_loaded, "module NotLoadedPkgXYZ not loaded")
        # No staging module any more: inline = false adds no binding to the calling module.
        before = Base.invokelatest(names, Fixture; all = true)
        compile_traces(Fixture, joinpath(TRACES, "snoop.jl"); inline = false)
        @test Base.invokelatest(names, Fixture; all = true) == before
    end

    @testset "only the allow-list is built" begin
        ctx = EvalContext(Main, false)
        none = Pair{Symbol,Module}[]
        reason(tree) = try
            build_type(tree, ctx, none)
            :built
        catch e
            e isa Rejected ? e.reason : rethrow()
        end
        @test reason(Tree(UInt64[0xc8], UInt8[])) === :rejected             # unknown opcode
        @test reason(Tree(UInt64[0x04 | 2 << 8], UInt8[])) === :rejected    # truncated curly
        @test reason(Tree(UInt64[0x01 | 3 << 8, 5], UInt8[])) === :rejected # name outside the table
        @test reason(Tree(UInt64[0x14, 1, 0x14, 2], UInt8[])) === :rejected # words left over
        @test reason(Tree(UInt64[0x13 | 1 << 8], UInt8[])) === :built
        msg = Vector{UInt8}("no")
        @test reason(Tree(UInt64[0x20 | 2 << 8, 0], msg)) === :rejected
        @test reason(Tree(UInt64[0x1f | 2 << 8, 0], msg)) === :evaluation_error
        # Code in a trace is unsupported (never built), whatever it tries.
        path = trace_file(join(["precompile(Tuple{typeof(Base.exit(0x01))})",
                                "precompile(Tuple{Core.eval(Main, :(exit(5)))})",
                                "precompile(Tuple{\$(run(`ls`))})",
                                "precompile(Tuple{Symbol(\"a\" * \"b\")})",
                                "precompile(Tuple{Type{T}, T<:Real})"], "\n") * "\n")
        @test compile_traces(Main, path) == CompilationMetrics(0, 0, 5, 5)
    end

    # The differential test: for every statement of the corpus's trace files, the interpreter
    # builds a type `===` to what `Core.eval(mod, Meta.parse(signature))` gives in a module with
    # the statement's roots bound (the old path), or both fail. Type variables made for the
    # `<:T` shorthand are compared up to their names: lowering names them from a counter
    # (`#s814`), the interpreter `#s1`, `#s2`, ...
    corpus = get(ENV, "COMPILE_TRACES_CORPUS", joinpath(PACKAGE_ROOT, "..", "shared", "corpus"))
    trace_dir = joinpath(corpus, "trace")
    if !isdir(trace_dir)
        @info "skipping the differential test: corpus not found at $trace_dir"
    else
        @testset "differential test against Core.eval(Meta.parse(...))" begin
            files = sort(filter(f -> endswith(f, ".jl"), readdir(trace_dir; join = true)))
            stdlib = Sys.STDLIB
            compared = both_failed = renamed = 0
            mismatches = String[]
            for file in files
                items = read_traces([file], ReadOptions(true, String[], false, 0.0, "", "", UInt32(0))).items
                # Load the standard libraries the statements need, so that more of them build.
                for item in items, root in item.roots
                    if !isdefined(Main, Symbol(root)) && isdir(joinpath(stdlib, root))
                        try
                            Core.eval(Main, :(import $(Symbol(root))))
                        catch
                        end
                    end
                end
                oracle_mod = Module(:Oracle)
                ctx = EvalContext(Main, false)
                for item in items
                    item.kind == CT_KIND_STATEMENT || continue
                    ours = try
                        roots = statement_roots(item, ctx)
                        roots isa Rejected && throw(roots)
                        sig = build_type(item.signature_tree, ctx, roots)
                        item.args_tree === nothing ? sig : (sig, build_type(item.args_tree, ctx, roots))
                    catch e
                        e isa Rejected || rethrow()
                        e
                    end
                    theirs = try
                        for root in item.roots
                            (root == "Core" || root == "Base") && continue
                            isdefined(oracle_mod, Symbol(root)) && continue
                            m = CompileTraces.find_root_module(Main, root)
                            Core.eval(oracle_mod, Expr(:const, Expr(:(=), Symbol(root), m)))
                        end
                        sig = Core.eval(oracle_mod, oracle_expr(Meta.parse(item.signature)))
                        item.arg_types === nothing ? sig : (sig, Core.eval(oracle_mod, oracle_expr(Meta.parse(item.arg_types))))
                    catch e
                        e
                    end
                    if ours isa Exception && theirs isa Exception
                        both_failed += 1
                    elseif !(ours isa Exception) && !(theirs isa Exception) && ours === theirs
                        compared += 1
                    elseif !(ours isa Exception) && !(theirs isa Exception) && egal_up_to_names(ours, theirs)
                        compared += 1
                        renamed += 1
                    else
                        length(mismatches) < 20 &&
                            push!(mismatches, "$(basename(file)):$(item.line): $(item.text)\n  ours: " *
                                              (ours isa Exception ? sprint(showerror, ours) : repr(ours)) *
                                              "\n  Core.eval: " *
                                              (theirs isa Exception ? sprint(showerror, theirs) : repr(theirs)))
                    end
                end
            end
            @info "differential test: $compared statements built identically ($renamed up to shorthand type " *
                  "variable names), $both_failed failed on both paths, $(length(mismatches)) mismatches"
            foreach(m -> println(stderr, m), mismatches)
            @test isempty(mismatches)
            @test compared > 3000
        end
    end
end
