# The Julia test suite of CompileTraces.jl.
#
# Run on Julia 1.10.8 (the only version available where it was written); other versions' branches
# follow Julia's sources. Also syntax-checked by rust/capi/tests/julia_sources.rs (tree-sitter-julia),
# whose @ccall check compares the calls with the library's exports.
# Run with `julia --project test/runtests.jl` after `julia --project deps/build.jl`, or Pkg.test().

using Test
using TOML
using CompileTraces
using CompileTraces: CompilationFailure

const TRACES = joinpath(@__DIR__, "traces")
const PACKAGE_ROOT = dirname(@__DIR__)

# Functions the hand-written traces refer to (as `Fixture.x`, a module bound in Main).
module Fixture
g(x::Int) = x + 1
h(::Val{'U'}) = 1
h(::Val) = 2
k(x::Int) = x * 2
struct NotPrimitive
    x::UInt8
end
end

"Runs `f` with stdout sent to a file; returns what was printed."
function captured_stdout(f)
    path, io = mktemp()
    try
        redirect_stdout(f, io)
    finally
        close(io)
    end
    return read(path, String)
end

"Runs `f()`, returning the exception it throws (or `nothing`)."
function thrown(f)
    try
        f()
        return nothing
    catch err
        return err
    end
end

"Writes `text` to a fresh file and returns its path."
function trace_file(text::AbstractString)
    path, io = mktemp()
    write(io, text)
    close(io)
    return path
end

@testset "CompileTraces.jl" begin
    @testset "library" begin
        @test CompileTraces.ensure_library() === nothing
        @test isfile(CompileTraces.libcompile_traces)
    end

    @testset "JULIA_COMPILE_TRACES_LIBRARY" begin
        missing_library = joinpath(tempdir(), "no_such_dir_$(getpid())", "libcompile_traces.so")
        try
            withenv("JULIA_COMPILE_TRACES_LIBRARY" => missing_library) do
                @test CompileTraces.set_library_path!() == CompileTraces.native_path(missing_library)
                err = try
                    CompileTraces.ensure_library()
                    nothing
                catch e
                    e
                end
                @test err isa ErrorException
                @test occursin(CompileTraces.native_path(missing_library), err.msg)
                @test occursin("JULIA_COMPILE_TRACES_LIBRARY", err.msg)
            end
        finally
            CompileTraces.set_library_path!()
        end
        @test CompileTraces.ensure_library() === nothing
        @test CompileTraces.native_path("a/b/c.jl") == (Sys.iswindows() ? "a\\b\\c.jl" : "a/b/c.jl")
    end

    @testset "CompilationMetrics" begin
        m = CompilationMetrics(1, 4, 2, 7)
        @test (m.succeeded, m.failed, m.skipped, m.total) == (1, 4, 2, 7)
        @test m.duplicates == 0
        @test isempty(m.failures)
        @test sprint(show, m) == "CompilationMetrics(total: 7, succeeded: 1, failed: 4, skipped: 2)"
        @test m == CompilationMetrics(1, 4, 2, 7)
        @test m != CompilationMetrics(1, 4, 1, 6)
        @test hash(m) == hash(CompilationMetrics(1, 4, 2, 7))
        @test CompilationMetrics() == CompilationMetrics(0, 0, 0, 0)
    end

    @testset "counting rules on a hand-written trace" begin
        m = compile_traces(Main, joinpath(TRACES, "basic.jl"))
        # sum and + succeed; a module not loaded and a signature with no method
        # (precompile(...) == false) fail; unsupported code and a signature matching many methods
        # (getindex on Any, Any) are skipped; the repeat is a duplicate; the comment and the blank
        # line are not counted.
        @test m == CompilationMetrics(2, 2, 2, 6)
        @test m.duplicates == 1
        @test sort([f.reason for f in m.failures]) == [:module_not_loaded, :precompile_false]
        @test only(filter(f -> f.reason === :precompile_false, m.failures)).line == 8
        not_loaded = only(filter(f -> f.reason === :module_not_loaded, m.failures))
        @test not_loaded.line == 6
        @test endswith(not_loaded.file, "basic.jl")
        @test not_loaded.message == "module NotLoadedPkgXYZ not loaded"
        @test occursin("NotLoadedPkgXYZ.f", not_loaded.statement)
        # Each skipped statement is listed with where it is and why, like the failures.
        @test [(s.line, s.reason) for s in m.skips] == [(5, :unsupported), (7, :several_methods)]
        @test all(s -> endswith(s.file, "basic.jl"), m.skips)
        @test m.skips[1].statement == "precompile(Tuple{typeof(Base.exit(0x01))})"
        @test occursin("exit", m.skips[1].message)
        @test occursin("more than one method", m.skips[2].message)

        # The vector form and the default module give the same result.
        @test compile_traces(Main, [joinpath(TRACES, "basic.jl")]) == m
        @test compile_traces(joinpath(TRACES, "basic.jl")) == m
        @test compile_traces([joinpath(TRACES, "basic.jl")]) == m

        # dedup = false compiles the repeated statement again.
        m2 = compile_traces(Main, joinpath(TRACES, "basic.jl"); dedup = false)
        @test m2 == CompilationMetrics(3, 2, 2, 7)
        @test m2.duplicates == 0

        # exclude drops statements of those root modules: they are not counted at all.
        m3 = compile_traces(Main, joinpath(TRACES, "basic.jl"); exclude = ["NotLoadedPkgXYZ", "Fixture"])
        @test m3 == CompilationMetrics(2, 0, 2, 4)
    end

    @testset "malformed lines fail, the rest still runs" begin
        # Generated here rather than checked in: test/ only holds valid Julia syntax.
        path = trace_file("precompile(Tuple{typeof(Base.sum)\n" *
                          "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n")
        m = compile_traces(Main, path)
        @test m == CompilationMetrics(1, 1, 0, 2)
        malformed = only(m.failures)
        @test malformed.reason === :malformed
        @test malformed.line == 1
        @test startswith(malformed.message, "column ")
        @test malformed.statement == "precompile(Tuple{typeof(Base.sum)"

        # `where` binds names: a number or a string in its place is not a statement at all.
        bad_where = trace_file("precompile(Tuple{Array{T, 1}} where 1)\n" *
                               "precompile(Tuple{typeof(Base.sum), Array{T, 1}} where \"T\")\n")
        m = compile_traces(Main, bad_where)
        @test m == CompilationMetrics(0, 2, 0, 2)
        @test all(f -> f.reason === :malformed && occursin("is not a type variable", f.message), m.failures)
    end

    @testset "a trace generated with --trace-compile" begin
        mktempdir() do dir
            trace = joinpath(dir, "generated.jl")
            script = """
                using Test
                module Sub
                f(x) = x + 1
                end
                Sub.f(1)
                @test sum([1, 2]) == 3
                """
            run(`$(Base.julia_cmd()) --startup-file=no --trace-compile=$trace -e $script`)
            lines = readlines(trace)
            @test !isempty(lines)
            @test any(l -> occursin("Sub.f", l), lines) # a submodule of Main prints without `Main.`
            @eval Main module Sub
            f(x) = x + 1
            end
            m = compile_traces(Main, trace)
            @test m.total == m.succeeded + m.failed + m.skipped
            @test m.succeeded > 0
            @test !any(f -> f.reason === :module_not_loaded, m.failures)
            @test !any(f -> f.reason === :malformed, m.failures)
        end
    end

    @testset "inline vs global name resolution" begin
        snoop = joinpath(TRACES, "snoop.jl")
        # SnoopCompile names are relative to the package: found when resolved in Fixture itself.
        @test compile_traces(Fixture, snoop; inline = true) == CompilationMetrics(2, 0, 0, 2)
        # Resolved globally (Core, Base's exports, root modules), `g` and `h` are not defined.
        m = compile_traces(Fixture, snoop; inline = false)
        @test m == CompilationMetrics(0, 2, 0, 2)
        @test all(f -> f.reason === :evaluation_error, m.failures)
        @test all(f -> occursin("UndefVarError", f.message), m.failures)
    end

    @testset "a root module that is not loaded" begin
        path = trace_file("precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})\n" *
                          "precompile(Tuple{typeof(NotLoadedPkgXYZ.g), NotLoadedPkgXYZ.T})\n")
        m = compile_traces(Main, path)
        @test m == CompilationMetrics(0, 2, 0, 2)
        @test all(f -> f.message == "module NotLoadedPkgXYZ not loaded", m.failures)
    end

    @testset "a root name shared by two loaded packages is not guessed" begin
        # Registers Fixture as a second "Test" package for the duration of the test.
        fake = Base.PkgId(Base.UUID("00000000-0000-4000-8000-00000000c0de"), "Test")
        Base.loaded_modules[fake] = Fixture
        try
            err = try
                CompileTraces.find_root_module(Main, "Test")
                nothing
            catch e
                e
            end
            @test err isa CompileTraces.Rejected
            @test err.reason === :ambiguous_module
            @test occursin("module Test is ambiguous", err.message)
            path = trace_file("precompile(Tuple{typeof(Test.detect_ambiguities), Any})\n")
            m = compile_traces(Main, path)
            @test m == CompilationMetrics(0, 1, 0, 1)
            @test only(m.failures).reason === :ambiguous_module
        finally
            delete!(Base.loaded_modules, fake)
        end
        @test CompileTraces.find_root_module(Main, "Test") === Test
    end

    @testset "bits values are built only for primitive types of the right size" begin
        m = compile_traces(Main, joinpath(TRACES, "bits.jl"))
        @test m == CompilationMetrics(1, 2, 0, 3)
        @test [f.reason for f in m.failures] == [:rejected, :rejected]
        @test occursin("not a primitive type", m.failures[1].message)
        @test occursin("primitive type of 4 bytes, not 1", m.failures[2].message)
    end

    @testset "two-argument form, timings and closures" begin
        mixed = joinpath(TRACES, "mixed.jl")
        m = compile_traces(Main, mixed)
        @test m == CompilationMetrics(3, 1, 0, 4) # the closure name does not exist
        @test only(m.failures).reason === :evaluation_error
        skipping = compile_traces(Main, mixed; closures = :skip)
        @test skipping == CompilationMetrics(3, 0, 1, 4)
        @test only(skipping.skips).reason === :closure
        @test occursin("var\"#", only(skipping.skips).statement)
        # min_time drops the statement timed below it; untimed statements are kept.
        @test compile_traces(Main, mixed; min_time = 1.0, closures = :skip) == CompilationMetrics(2, 0, 1, 3)
        @test_throws ArgumentError compile_traces(Main, mixed; closures = :maybe)
    end

    @testset "@compile_traces" begin
        expected = compile_traces(Main, joinpath(TRACES, "basic.jl"))
        # Relative literal paths are resolved against this file's directory.
        @test @compile_traces("traces/basic.jl") == expected
        @test @compile_traces("traces/basic.jl", warn = false, inline = false) == expected
        @test @compile_traces(inline = false, "traces/basic.jl", dedup = true) == expected
        @test (@compile_traces dedup = false "traces/basic.jl") == CompilationMetrics(3, 2, 2, 7)
        @test @compile_traces("traces/basic.jl"; dedup = false) == CompilationMetrics(3, 2, 2, 7)
        # Non-literal expressions are evaluated in the caller.
        file = joinpath(TRACES, "basic.jl")
        @test @compile_traces(file) == expected
        # The same file twice: its statements are all duplicates the second time, while its
        # unsupported line is reported again.
        twice = @compile_traces(file, "traces/basic.jl")
        @test twice == CompilationMetrics(2, 2, 3, 7)
        @test twice.duplicates == 7
        cd(tempdir()) do # the working directory does not matter
            @test @compile_traces("traces/basic.jl") == expected
        end
    end

    @testset "warn = true logs one warning per failure" begin
        path = trace_file("precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n" *
                          "precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})\n")
        message = "failed to execute precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})\n" *
                  "module NotLoadedPkgXYZ not loaded\n  at $path:2 (module_not_loaded)"
        @test_logs (:warn, message) compile_traces(Main, path; warn = true)
        @test_logs compile_traces(Main, path) # nothing logged by default
        # A trace file may hold any bytes: what is logged has no control characters, and a long
        # line is cut, while the failure record keeps the text as read.
        hostile = trace_file("\e]0;TITLE\a precompile(Tuple{typeof(Base.sum), Int64}\n" *
                             "precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Val{:" * "x"^5000 * "}})\n")
        metrics = compile_traces(Main, hostile)
        @test metrics.failed == 2
        messages = CompileTraces.failure_message.(metrics.failures)
        @test !any(m -> occursin(r"[\x00-\x08\x0b-\x1f\x7f]", m), messages)
        @test occursin("\\e]0;TITLE\\a", messages[1])
        @test length(messages[2]) < 2000 && occursin("bytes in all)", messages[2])
        @test occursin('\e', metrics.failures[1].statement)
    end

    @testset "verbose output" begin
        out = captured_stdout(() -> compile_traces(Main, joinpath(TRACES, "basic.jl"); verbose = true))
        @test occursin("Successfully executed 2 precompile statements (2 failed, 2 skipped) in ", out)
        @test occursin(" seconds", out)
        @test occursin("Executing precompile statements... (6)\n", out)
        @test !occursin('\r', out) # stdout is a file, not a terminal: no live progress
        @test captured_stdout(() -> compile_traces(Main, joinpath(TRACES, "basic.jl"))) == ""
    end

    @testset "environment overrides" begin
        path = trace_file("precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})\n")
        withenv("JULIA_COMPILE_TRACES_WARN" => "Foo, Main", "JULIA_COMPILE_TRACES_VERBOSE" => nothing) do
            @test CompileTraces.resolve_overrides(Main, false, false) == (false, true)
            @test_logs (:warn, r"module NotLoadedPkgXYZ not loaded") compile_traces(Main, path)
        end
        withenv("JULIA_COMPILE_TRACES_VERBOSE" => "all", "JULIA_COMPILE_TRACES_WARN" => nothing) do
            @test CompileTraces.resolve_overrides(Main, false, false) == (true, false)
            @test occursin("Successfully executed", captured_stdout(() -> compile_traces(Main, path)))
        end
        withenv("JULIA_COMPILE_TRACES_VERBOSE" => "Other", "JULIA_COMPILE_TRACES_WARN" => "") do
            @test CompileTraces.resolve_overrides(Main, false, false) == (false, false)
            @test CompileTraces.resolve_overrides(Main, true, true) == (true, true) # never turns off
            @test captured_stdout(() -> compile_traces(Main, path)) == ""
        end
    end

    @testset "strict mode" begin
        err = try
            compile_traces(Main, joinpath(TRACES, "basic.jl"); strict = true)
            nothing
        catch e
            e
        end
        @test err isa CompileTracesError
        @test err.metrics == CompilationMetrics(2, 2, 2, 6) # everything ran before the throw
        @test length(err.metrics.failures) == 2
        @test occursin("module NotLoadedPkgXYZ not loaded", sprint(showerror, err))
        ok = trace_file("precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n")
        @test compile_traces(Main, ok; strict = true) == CompilationMetrics(1, 0, 0, 1)
    end

    @testset "unreadable files fail before anything is compiled" begin
        missing_file = joinpath(tempdir(), "compile_traces_missing_$(getpid()).jl")
        err = try
            compile_traces(Main, joinpath(TRACES, "basic.jl"), missing_file)
            nothing
        catch e
            e
        end
        @test err isa ErrorException
        @test occursin(missing_file, sprint(showerror, err))
        @test_throws ErrorException compile_traces(Main, TRACES) # a directory
        @test compile_traces(Main, String[]) == CompilationMetrics()
    end

    # Package tests run in subprocesses with their own depot, so that they precompile TracedPkg
    # for real. CompileTraces is found through a manifest entry `path = PACKAGE_ROOT` (the
    # format without `manifest_format`, which Julia 1.6 reads and later versions still accept).
    # Not through a package directory later on the load path: recent Julia versions look a
    # dependency named in a project's [deps] up in that project's environment only (loading.jl,
    # `locate_package_env` stops at the environment that identified it).
    toml_string(s) = "\"" * replace(replace(s, '\\' => "\\\\"), '"' => "\\\"") * "\""
    function package_setup(dir; preference = nothing)
        project = joinpath(dir, "TracedPkg")
        cp(joinpath(@__DIR__, "TracedPkg"), project)
        # Installed package sources are read-only; the test appends to this copy.
        chmod(joinpath(project, "src", "traces.jl"), 0o644)
        uuid = Base.PkgId(CompileTraces).uuid
        # CompileTraces' own dependencies (standard libraries) are listed too, or it cannot load them.
        deps = sort!(collect(get(TOML.parsefile(joinpath(PACKAGE_ROOT, "Project.toml")), "deps", Dict())))
        write(joinpath(project, "Manifest.toml"),
              "[[CompileTraces]]\npath = $(toml_string(PACKAGE_ROOT))\nuuid = \"$uuid\"\n" *
              "deps = [$(join([toml_string(name) for (name, _) in deps], ", "))]\n" *
              join(["\n[[$name]]\nuuid = \"$dep_uuid\"\n" for (name, dep_uuid) in deps]))
        if preference !== nothing
            write(joinpath(project, "LocalPreferences.toml"), "[TracedPkg]\ncompile_traces = $preference\n")
        end
        depot = joinpath(dir, "depot")
        mkpath(depot)
        sep = Sys.iswindows() ? ';' : ':'
        env = ["JULIA_LOAD_PATH" => join(["@", "@stdlib"], sep),
               "JULIA_DEPOT_PATH" => join([depot; DEPOT_PATH], sep)]
        return project, env
    end

    function load_traced_pkg(project, env)
        code = "using TracedPkg; print(TracedPkg.METRICS)"
        cmd = addenv(`$(Base.julia_cmd()) --startup-file=no --project=$project -e $code`, env...)
        return read(cmd, String)
    end

    @testset "inside a package's precompilation" begin
        mktempdir() do dir
            project, env = package_setup(dir)
            @test load_traced_pkg(project, env) ==
                  "CompilationMetrics(total: 3, succeeded: 2, failed: 1, skipped: 0)"
            # The trace file is a precompile dependency: editing it re-precompiles the package.
            open(joinpath(project, "src", "traces.jl"), "a") do io
                println(io, "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point, Int64})")
            end
            @test load_traced_pkg(project, env) ==
                  "CompilationMetrics(total: 4, succeeded: 2, failed: 2, skipped: 0)"
        end
    end

    @testset "compiled code of other modules' methods is saved in the package image" begin
        # A specialization of a Base method on Base types only: saved in TracedPkg's image because
        # TracedPkg's precompile block compiled it, so a later session does not compile it again.
        # The control is a sibling specialization that no trace names.
        mktempdir() do dir
            project, env = package_setup(dir)
            open(joinpath(project, "src", "traces.jl"), "a") do io
                println(io, "precompile(Tuple{typeof(Base.sort), Array{Tuple{Int8, UInt16, Int8}, 1}})")
            end
            @test load_traced_pkg(project, env) ==
                  "CompilationMetrics(total: 4, succeeded: 3, failed: 1, skipped: 0)"
            code = "using TracedPkg; sort([(Int8(1), UInt16(2), Int8(3))]); sort([(Int8(1), UInt16(2), Int16(3))])"
            trace = joinpath(dir, "runtime_trace.jl")
            run(addenv(`$(Base.julia_cmd()) --startup-file=no --project=$project --trace-compile=$trace -e $code`, env...))
            compiled = read(trace, String)
            @test !occursin("precompile(Tuple{typeof(Base.sort), Array{Tuple{Int8, UInt16, Int8}, 1}})", compiled)
            @test occursin("precompile(Tuple{typeof(Base.sort), Array{Tuple{Int8, UInt16, Int16}, 1}})", compiled)
        end
    end

    @testset "the compile_traces preference turns compilation off" begin
        mktempdir() do dir
            project, env = package_setup(dir; preference = false)
            @test load_traced_pkg(project, env) ==
                  "CompilationMetrics(total: 0, succeeded: 0, failed: 0, skipped: 0)"
        end
        mktempdir() do dir
            project, env = package_setup(dir; preference = true)
            @test load_traced_pkg(project, env) ==
                  "CompilationMetrics(total: 3, succeeded: 2, failed: 1, skipped: 0)"
        end
        # Main has no package, hence no preferences.
        @test CompileTraces.compilation_enabled(Main)
    end

    include("record.jl")
    include("readback.jl")
    include("interpreter.jl")
    include("artifacts.jl")
end

# Top-level files: they define functions in Main that their traces name.
include("compat.jl")
