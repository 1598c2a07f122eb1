# Issue 9: every statement the library keeps reads back as Julia, and every repaired statement
# of the fixtures evaluates.
#
# Included from runtests.jl (inside its top-level testset). The statements come from the library
# through CompileTraces' own reader (`read_traces`, the same core pipeline and dedup as the
# `compile-traces filter` command, whose binary `Pkg.build` does not build), one file at a time:
# the texts are what `filter` writes. `Meta.parse` and `Core.eval` are used here as an oracle
# only (the package never evaluates trace text). The corpus part runs only when ../shared/corpus
# exists beside the checkout.

const READBACK_FIXTURES = joinpath(PACKAGE_ROOT, "rust", "cli", "tests", "fixtures")
const READBACK_EXAMPLES = joinpath(PACKAGE_ROOT, "examples")
const READBACK_CORPUS = joinpath(dirname(PACKAGE_ROOT), "shared", "corpus")

"The kept statements of one file, as the library normalizes them."
function kept_statements(path::AbstractString)
    options = CompileTraces.ReadOptions(true, String[], false, 0.0, "", "", UInt32(0))
    set = CompileTraces.read_traces([String(path)], options)
    return [item for item in set.items if item.kind == CompileTraces.CT_KIND_STATEMENT]
end

"Files (not directories) of `dir`, sorted."
files_in(dir) = sort!([joinpath(dir, name) for name in readdir(dir) if isfile(joinpath(dir, name))])

"Why `text` does not read back as one `precompile` call, or `nothing`."
function readback_problem(text::AbstractString)
    ex = try
        Meta.parse(text)
    catch err
        return sprint(showerror, err)
    end
    ex isa Expr || return "not an expression: $(repr(ex))"
    ex.head in (:incomplete, :error) && return "$(ex.head): $(ex.args)"
    ex.head == :call || return "not a call: $(ex.head)"
    callee = ex.args[1]
    callee === :precompile || callee == :(Base.precompile) || return "calls $(repr(callee))"
    return nothing
end

@testset "readback (issue 9)" begin
    @testset "every kept statement of the fixtures and examples parses" begin
        checked = 0
        for path in vcat(files_in(READBACK_FIXTURES), files_in(READBACK_EXAMPLES))
            for item in kept_statements(path)
                problem = readback_problem(item.text)
                problem === nothing ||
                    @error "does not read back: $(path):$(item.line): $(problem)\n  $(item.text)"
                @test problem === nothing
                checked += 1
            end
        end
        @test checked > 50
    end

    @testset "every kept statement of the corpus parses" begin
        if !isdir(READBACK_CORPUS)
            @info "readback: corpus skipped, $(READBACK_CORPUS) is absent"
        else
            checked, failures = 0, String[]
            for dir in ("trace", "snoop"), path in files_in(joinpath(READBACK_CORPUS, dir))
                for item in kept_statements(path)
                    problem = readback_problem(item.text)
                    problem === nothing ||
                        push!(failures, "$(basename(path)):$(item.line): $problem\n  $(item.text)")
                    checked += 1
                end
            end
            isempty(failures) ||
                @error "statements that do not read back:\n" * join(failures[1:min(end, 20)], "\n")
            @test isempty(failures)
            @test checked > 1000
        end
    end

    @testset "statements over several lines read back as one" begin
        items = kept_statements(joinpath(READBACK_FIXTURES, "formatted.jl"))
        @test length(items) == 3
        @test [(item.line, item.end_line) for item in items] == [(2, 4), (5, 11), (12, 12)]
        for item in items
            # Only Base types: evaluating the call compiles (or refuses) the signature.
            @test Core.eval(Module(:Readback), Meta.parse(item.text)) isa Bool
        end
    end

    @testset "Julia 1.12 operator names" begin
        items = kept_statements(joinpath(READBACK_FIXTURES, "julia112.jl"))
        @test length(items) == 4
        m = Module(:Readback)
        sig = Core.eval(m, Meta.parse(items[1].signature))
        @test sig == Tuple{typeof(==), Dict{Int64, Int64}, Dict{Int64, Int64}}
        for item in items
            @test Core.eval(m, Meta.parse(item.text)) isa Bool
        end
    end

    @testset "every repaired statement of the fixtures evaluates to what Julia meant" begin
        items = kept_statements(joinpath(READBACK_FIXTURES, "misprinted.jl"))
        repaired = [item for item in items if item.flags & CompileTraces.FLAG_REPAIRED != 0]
        @test length(repaired) == 14
        # The one statement printed correctly is not flagged.
        @test count(item -> item.flags & CompileTraces.FLAG_REPAIRED == 0, items) == 1
        values = Any[]
        for item in repaired
            m = Module(:Readback)
            @test Core.eval(m, Meta.parse(item.text)) isa Bool
            sig = Core.eval(m, Meta.parse(item.signature))
            @test sig isa Type && sig <: Tuple
            push!(values, sig.parameters[2])
        end
        # The second parameter of each signature, in file order: the values Julia printed.
        @test values[1] == (Pair{A, B} where {B <: Integer} where {A <: Integer})
        vals = [v.parameters[1] for v in values[2:end]]
        @test vals[1] === Inf && vals[2] === -Inf && isnan(vals[3]) && vals[3] isa Float64
        @test vals[4] === Inf32 && vals[5] === -Inf32 && isnan(vals[6]) && vals[6] isa Float32
        @test vals[7] === 1.5f0 && vals[8] === 1.0f0 && vals[9] === 1.0f10
        @test vals[10] === :(=) && vals[11] === :(==)
        @test vals[12] === (:(=>), :(::))
        @test vals[13] === Symbol("yyyy-mm-dd\\THH:MM:SS")
        # And compile_traces builds and compiles every one of them from the library's tree.
        metrics = compile_traces(Main, joinpath(READBACK_FIXTURES, "misprinted.jl"))
        @test metrics == CompilationMetrics(15, 0, 0, 15)
    end
end
