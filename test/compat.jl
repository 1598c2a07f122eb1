# Compatibility with CompileTraces.jl 1.x: what its users' test suites rely on, written against
# that version's public API and messages only (compile_traces, @compile_traces,
# CompilationMetrics, the verbose lines, the warning text and the environment overrides).
# Included at the top level of Main by runtests.jl: the traces below name functions in Main.

using Test
using CompileTraces

compat_fact(n::Int) = n <= 1 ? 1 : n * compat_fact(n - 1)

"`f()` with stdout sent to a file (colors on when `color`); returns what was printed."
function compat_stdout(f; color::Bool = false)
    mktemp() do _, io
        redirect_stdout(f, color ? IOContext(io, :color => true) : io)
        flush(io)
        seekstart(io)
        return read(io, String)
    end
end

@testset "compatibility with CompileTraces.jl 1.x" begin
    dir = mktempdir()
    write_trace(name, text) = (path = joinpath(dir, name); write(path, text); path)
    # A trace recorded by a real child Julia, of a function that Main (this file) also defines.
    generated = joinpath(dir, "fact.jl")
    run(`$(Base.julia_cmd()) --startup-file=no --trace-compile=$generated -e "compat_fact(n::Int) = n <= 1 ? 1 : n * compat_fact(n - 1); compat_fact(10)"`)
    @test any(contains("Main.compat_fact"), eachline(generated))
    with_deps = write_trace("with_deps.jl", "precompile(Tuple{typeof(Base.show), Base.IOBuffer, Test.Pass})\n")
    inline_trace = write_trace("inline.jl", "precompile(Tuple{typeof(compat_fact), Int64})\n")
    failing = write_trace("error.jl", """
        precompile(Tuple{typeof(Base.ones), Int64})
        precompile(Tuple{typeof(Base.doesnotexist), Int64})
        precompile(Tuple{typeof(Unknown.f), Int64})
        """)

    @testset "CompilationMetrics" begin
        metrics = CompilationMetrics(1, 4, 2, 7)
        @test repr(metrics) == "CompilationMetrics(total: 7, succeeded: 1, failed: 4, skipped: 2)"
        @test CompilationMetrics() == CompilationMetrics(0, 0, 0, 0)
        @test metrics.total == metrics.succeeded + metrics.failed + metrics.skipped
    end

    @testset "a trace generated with --trace-compile" begin
        metrics = compile_traces(@__MODULE__, generated)
        @test metrics.succeeded >= 1
        @test metrics.failed == 0
        @test metrics.skipped == 0
        @test metrics.succeeded == metrics.total
    end

    @testset "staging area: inline = false binds the loaded modules" begin
        @test compile_traces(@__MODULE__, with_deps; inline = true).succeeded == 1
        @test compile_traces(Module(), with_deps; inline = true).failed == 1 # `Test` is not in scope
        @test compile_traces(Module(), with_deps; inline = false).succeeded == 1
    end

    @testset "inline = true evaluates in the given module" begin
        @test compile_traces(@__MODULE__, inline_trace; inline = true).succeeded == 1
        @test compile_traces(Module(), inline_trace; inline = true).failed == 1
    end

    @testset "output and logging" begin
        @test_logs compile_traces(@__MODULE__, with_deps; warn = true)
        @test isempty(compat_stdout(() -> compile_traces(Module(), generated)))
        captured = compat_stdout(() -> compile_traces(Module(), generated; verbose = true, progress = false))
        @test contains(captured, "Executing precompile statements...")
        @test contains(captured, "Successfully executed")
        # Zero counts are left out of the summary, as 1.x printed it.
        @test contains(captured, r"Successfully executed \d+ precompile statements in [0-9.]+ seconds")
        captured = compat_stdout(() -> compile_traces(@__MODULE__, failing; verbose = true, progress = false))
        @test contains(captured, r"Successfully executed 1 precompile statements \(2 failed\) in [0-9.]+ seconds\n")
        colored = compat_stdout(() -> compile_traces(@__MODULE__, failing; verbose = true, progress = false); color = true)
        @test contains(colored, "Successfully executed \e[32m\e[1m1\e[22m\e[39m precompile statements (\e[31m\e[1m2\e[22m\e[39m failed) in ")

        undefined = r"failed to execute precompile\(Tuple\{typeof\(Base\.doesnotexist\), Int64\}\)\nUndefVarError: `?doesnotexist`? not defined"
        metrics = @test_logs (:warn, undefined) match_mode = :any compile_traces(@__MODULE__, failing; warn = true)
        @test metrics.succeeded == 1
        @test metrics.failed == 2
        @test_logs compile_traces(Module(), failing)
        withenv("JULIA_COMPILE_TRACES_WARN" => "SomeModule,Main") do
            @test_logs (:warn, undefined) match_mode = :any compile_traces(@__MODULE__, failing; warn = false)
        end
        withenv("JULIA_COMPILE_TRACES_WARN" => "SomeModule") do
            @test_logs compile_traces(@__MODULE__, failing; warn = false)
        end
    end

    @testset "macro interface" begin
        res1 = compile_traces(@__MODULE__, generated)
        res2 = @compile_traces generated
        @test res1 == res2
        res1 = compile_traces(@__MODULE__, inline_trace; inline = true)
        res2 = @compile_traces inline_trace inline = true
        res3 = @compile_traces inline = true inline_trace
        @test res1 == res2 == res3
        captured = compat_stdout() do
            @test compile_traces(@__MODULE__, generated) == @compile_traces generated
        end
        @test isempty(captured)
    end
    @testset "Vararg{T} is bounded only when asked (1.x always made it Vararg{T, 100})" begin
        unbounded = write_trace("vararg.jl", "precompile(Tuple{typeof(NotLoadedVarargPkg.f), Vararg{Int64}})\n")
        kept = compile_traces(@__MODULE__, unbounded)
        @test only(kept.failures).statement == "precompile(Tuple{typeof(NotLoadedVarargPkg.f), Vararg{Int64}})"
        bounded = compile_traces(@__MODULE__, unbounded; bound_varargs = 100)
        @test only(bounded.failures).statement == "precompile(Tuple{typeof(NotLoadedVarargPkg.f), Vararg{Int64, 100}})"
        @test_throws ArgumentError compile_traces(@__MODULE__, unbounded; bound_varargs = 0)
    end
    rm(dir; recursive = true)
end

@testset "first run: the README's Julia quick start" begin
    # The README's command, in a child Julia as a newcomer runs it. The bundled trace was recorded
    # by Julia 1.10.8; other versions name other internals, so there only its running is checked.
    root = dirname(@__DIR__)
    code = """
        using CompileTraces, Dates, Printf, Random
        m = compile_traces(Main, "examples/stdlib_trace.jl"; verbose = true)
        print("\n", m.total, " ", m.succeeded)
        """
    sep = Sys.iswindows() ? ';' : ':'
    cmd = addenv(Cmd(`$(Base.julia_cmd()) --startup-file=no --project=$root -e $code`; dir = root),
                 "JULIA_LOAD_PATH" => join(["@", "@stdlib"], sep))
    output = read(cmd, String)
    total, succeeded = parse.(Int, split(split(output, '\n')[end]))
    @test contains(output, "Executing precompile statements... ($total)")
    @test total == count(line -> startswith(line, "precompile("), eachline(joinpath(root, "examples", "stdlib_trace.jl")))
    if VERSION.major == 1 && VERSION.minor == 10
        @test succeeded == total
        @test contains(output, "Successfully executed $total precompile statements in ")
    end
end
