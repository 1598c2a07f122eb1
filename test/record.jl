# Tests of record_traces, record_test_traces, generate_precompilation_traces and trace_coverage
# (src/record.jl). Included by test/runtests.jl. Child Julia processes take seconds each: this
# file starts seven (four for a script, two `Pkg.test` runs of test/TracedPkg, one that fails).

using Test
using CompileTraces

const RECORD_PACKAGE_ROOT = dirname(@__DIR__)

"The statements of a trace file, as `Meta.parse` reads them (the tests' independent oracle)."
function parsed_statements(path::AbstractString)
    exprs = Any[]
    for line in eachline(path)
        isempty(strip(line)) && continue
        push!(exprs, Meta.parse(line; raise = false))
    end
    return exprs
end

# A workload: a standard library, functions and a type of its own in `Main`.
const WORKLOAD = """
    using Dates
    struct Stay
        arrival::Date
        departure::Date
    end
    nights(s::Stay) = Dates.value(s.departure - s.arrival)
    stays = [Stay(Date(2024, 5, 17), Date(2024, 5, 17) + Day(n)) for n in 1:3]
    total = sum(nights, stays)
    total == 6 || error("wrong total")
    println(Dates.format(DateTime(2024, 5, 17, 13, 45), "yyyy-mm-dd HH:MM"))
    println(Dates.dayname(Date(2024, 5, 17)), " ", Dates.monthname(Date(2024, 5, 17)))
    println(length(collect(Date(2024, 1, 1):Week(1):Date(2024, 3, 1))))
    println(Dates.isleapyear(2024), " ", Dates.daysinmonth(Date(2024, 2, 1)))
    """

@testset "recording traces and checking coverage" begin
    mktempdir() do dir
        script = joinpath(dir, "workload.jl")
        write(script, WORKLOAD)
        traces = joinpath(dir, "traces.jl")

        @testset "record_traces of a script" begin
            write(traces, "# an older trace that the recording replaces\nprecompile(Tuple{typeof(Base.identity), Int128})\n")
            rec = record_traces(traces, script)
            @test rec isa TraceRecording
            @test rec.path == abspath(traces)
            lines = readlines(traces)
            @test length(lines) == rec.kept
            @test rec.kept > 10
            @test rec.lines >= rec.kept + rec.duplicates + rec.excluded
            @test rec.excluded > 0 # the script's own functions, in Main
            @test rec.malformed == 0
            # No timings before Julia 1.12 (`--trace-compile-timing` does not exist there).
            @test (rec.total_time_ms === nothing) == (VERSION < v"1.12.0-DEV")
            # Every line is one statement that parses, each once, none naming Main.
            exprs = parsed_statements(traces)
            @test length(exprs) == length(lines)
            @test all(ex -> Meta.isexpr(ex, :call) && ex.args[1] === :precompile, exprs)
            @test allunique(lines)
            @test !any(line -> occursin("Main.", line), lines)
            @test any(line -> occursin("Dates.", line), lines)
            # Only the output is left in the directory: no temporary file.
            @test sort(readdir(dir)) == ["traces.jl", "workload.jl"]
            @test occursin("statements kept of", sprint(show, rec))
        end

        @testset "how a raw recording is cleaned" begin
            # The keywords of record_traces reach the library's filters: the function it passes
            # the raw recording to, on a raw file written here (no child process needed).
            raw = joinpath(dir, "raw.jl")
            write(raw, """
                precompile(Tuple{typeof(Main.nights), Main.Stay})
                precompile(Tuple{typeof(Dates.dayname), Dates.Date})
                precompile(Tuple{typeof(Dates.dayname), Dates.Date})
                precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})
                precompile(Tuple{Dates.var"#3#4", Int64})
                precompile(Tuple{typeof(Base.sum)
                """)
            out = joinpath(dir, "clean.jl")
            rec = CompileTraces.clean_recording(raw, out; exclude = ["Main"], closures = :skip,
                                                min_time = 0.0, modules = ["Dates"], keep_timing = false)
            @test readlines(out) == ["precompile(Tuple{typeof(Dates.dayname), Dates.Date})"]
            @test (rec.lines, rec.kept, rec.duplicates, rec.excluded, rec.malformed, rec.unsupported) ==
                  (6, 1, 1, 3, 1, 0)
            rec = CompileTraces.clean_recording(raw, out; exclude = String[], closures = :try,
                                                min_time = 0.0, modules = nothing, keep_timing = false)
            @test rec.kept == 4
            @test readlines(out)[1] == "precompile(Tuple{typeof(Main.nights), Main.Stay})"
            rm(raw)
            rm(out)
        end

        # The recording, compiled in a fresh process before the workload runs: every statement
        # compiles, and the workload compiles far less than on its own (the baseline, measured
        # by the same call in a second process).
        cov = trace_coverage(script, traces)
        kept = length(readlines(traces))
        @testset "compile_traces of the recording in a fresh process" begin
            @test cov.failed == 0
            @test cov.skipped == 0
            @test cov.compiled == kept
            @test cov.preloaded == ["Dates"]
        end

        @testset "trace_coverage against the baseline" begin
            base = cov.baseline
            @test base isa TraceCoverage
            @test isempty(base.trace_files)
            @test base.workload == length(base.missed)
            @test base.coverage == 0.0
            @test cov.workload == length(base.missed)
            # The whole workload's compile set is in the baseline: the recording's statements...
            @test count(in(Set(base.missed)), readlines(traces)) >= kept ÷ 2
            # ...and the workload's own functions in Main, which a recording excludes.
            @test any(s -> occursin("Main.nights", s), base.missed)
            @test length(cov.missed) < length(base.missed) ÷ 2
            @test cov.coverage > 0.5
            @test cov.covered == count(s -> !(s in Set(cov.missed)), base.missed)
            @test allunique(cov.missed)
            @test length(cov.missed_ms) == length(cov.missed)
            @test all(isnan, cov.missed_ms) == (VERSION < v"1.12.0-DEV")
            @test occursin("% of $(cov.workload) statements covered", sprint(show, cov))
            text = sprint(show, MIME"text/plain"(), cov)
            @test occursin("preloaded: Dates", text)
            isempty(cov.missed) || @test occursin(cov.missed[1], text)
            # A baseline measured with other packages loaded is refused, not compared.
            other = TraceCoverage(base.script, String[], String[], 0, 0, 0, base.missed, base.missed_ms,
                                  base.workload, 0, 0.0, nothing)
            err = thrown(() -> trace_coverage(script, traces; baseline = other))
            @test err isa ArgumentError
            @test occursin("preload = [\"Dates\"]", sprint(showerror, err))
        end

        @testset "a truncated trace misses what was removed" begin
            # The statements compiled last are not compiled as a side effect of an earlier one:
            # removing them from the trace puts them back on the workload.
            lines = readlines(traces)
            dates = findall(line -> occursin("Dates.", line), lines)
            removed = lines[dates[max(1, end - 2):end]]
            truncated = joinpath(dir, "truncated.jl")
            write(truncated, join(filter(!in(Set(removed)), lines), '\n') * '\n')
            less = trace_coverage(script, truncated; baseline = cov.baseline)
            @test less.baseline === cov.baseline
            @test all(in(Set(less.missed)), removed)
            @test length(less.missed) >= length(cov.missed)
            @test less.coverage <= cov.coverage
        end

        @testset "errors" begin
            missing_script = joinpath(dir, "no_such_script.jl")
            err = thrown(() -> record_traces(joinpath(dir, "out.jl"), missing_script))
            @test err isa ArgumentError
            @test occursin("script not found", err.msg)
            @test occursin("no_such_script.jl", err.msg)
            @test thrown(() -> trace_coverage(missing_script)) isa ArgumentError
            @test thrown(() -> trace_coverage(script, joinpath(dir, "no_such_trace.jl"))) isa ArgumentError
            # An output that cannot be written fails before the child runs.
            err = thrown(() -> record_traces(joinpath(dir, "no_such_dir", "out.jl"), script))
            @test err isa ErrorException
            @test occursin("no_such_dir", err.msg)
            @test thrown(() -> record_traces(dir, script)) isa ArgumentError # a directory
            # Swapped arguments: a script given as the output is refused, not overwritten.
            script_text = read(script, String)
            a_trace = joinpath(dir, "a_trace.jl")
            write(a_trace, "precompile(Tuple{typeof(Base.identity), Int128})\n")
            err = thrown(() -> record_traces(script, a_trace))
            @test err isa ArgumentError
            @test occursin("not a trace file", err.msg) && occursin("swap", err.msg)
            @test read(script, String) == script_text
            @test thrown(() -> record_traces(joinpath(dir, "out.jl"), script; closures = :maybe)) isa ArgumentError
            # A child that fails: its exit code and the end of its output.
            failing = joinpath(dir, "failing.jl")
            write(failing, "println(\"about to fail\")\nerror(\"deliberate failure in the workload\")\n")
            before = sort(readdir(dir))
            err = thrown(() -> record_traces(joinpath(dir, "failed.jl"), failing))
            @test err isa ErrorException
            @test occursin("exited with code 1", err.msg)
            @test occursin("deliberate failure in the workload", err.msg)
            @test !isfile(joinpath(dir, "failed.jl"))
            @test sort(readdir(dir)) == before
        end
    end

    # A copy of test/TracedPkg with a manifest pointing at this package, in a depot of its own
    # (stacked on the current ones), as in test/runtests.jl.
    function traced_package(dir)
        project = joinpath(dir, "TracedPkg")
        cp(joinpath(@__DIR__, "TracedPkg"), project)
        for (root, _, files) in walkdir(project), file in files
            chmod(joinpath(root, file), 0o644) # installed package sources are read-only
        end
        uuid = Base.PkgId(CompileTraces).uuid
        path = replace(replace(RECORD_PACKAGE_ROOT, '\\' => "\\\\"), '"' => "\\\"")
        write(joinpath(project, "Manifest.toml"),
              "[[CompileTraces]]\npath = \"$path\"\nuuid = \"$uuid\"\n")
        depot = joinpath(dir, "depot")
        mkpath(depot)
        # `Pkg.test` in the child wants a registry, even offline: where no depot has one (a fresh
        # machine), give it an empty one, as .ci/run does for the whole suite.
        if !any(d -> isdir(joinpath(d, "registries")) && !isempty(readdir(joinpath(d, "registries"))), DEPOT_PATH)
            mkpath(joinpath(depot, "registries", "General"))
            write(joinpath(depot, "registries", "General", "Registry.toml"),
                  "name = \"General\"\nuuid = \"23338594-aafe-5451-b93e-139f81909106\"\nrepo = \"\"\n\n[packages]\n")
        end
        return project, join([depot; DEPOT_PATH], Sys.iswindows() ? ';' : ':')
    end

    @testset "generate_precompilation_traces (record_test_traces) on a package" begin
        mktempdir() do dir
            project, depot_path = traced_package(dir)
            @test !isfile(joinpath(project, "LocalPreferences.toml"))
            rec = withenv("JULIA_DEPOT_PATH" => depot_path, "JULIA_PKG_OFFLINE" => "true", "TRACEDPKG_EXPECT_NO_OWN_TRACES" => "1") do
                generate_precompilation_traces(project)
            end
            output = joinpath(project, "src", "precompilation_traces.jl")
            @test rec.path == output
            lines = readlines(output)
            @test length(lines) == rec.kept > 0
            # Only statements that name the package, none naming Main.
            @test all(line -> occursin("TracedPkg.", line), lines)
            @test !any(line -> occursin("Main.", line), lines)
            @test any(line -> occursin("TracedPkg.norm2", line), lines)
            @test rec.excluded > 0 # Test's own statements, among others
            # The preference was set for the run only: no LocalPreferences.toml is left.
            @test !isfile(joinpath(project, "LocalPreferences.toml"))
        end
    end

    @testset "record_test_traces restores preferences when the tests fail" begin
        mktempdir() do dir
            project, depot_path = traced_package(dir)
            prefs = joinpath(project, "LocalPreferences.toml")
            original = "# kept byte for byte\n[TracedPkg]\ncompile_traces = true\nother = \"value\"\n\n[SomeOtherPkg]\nx = 1\n"
            write(prefs, original)
            output = joinpath(dir, "out.jl")
            err = withenv("JULIA_DEPOT_PATH" => depot_path, "JULIA_PKG_OFFLINE" => "true", "TRACEDPKG_FAIL" => "1") do
                thrown(() -> record_test_traces(output, project))
            end
            @test err isa ErrorException
            @test occursin("the tests of TracedPkg", err.msg)
            @test occursin("a deliberate failure", err.msg)
            @test read(prefs, String) == original
            @test !isfile(output)
        end
    end
end
