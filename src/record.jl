# Recording traces in a child Julia and measuring how much of a workload they cover:
# record_traces, record_test_traces, generate_precompilation_traces and trace_coverage.
# The raw `--trace-compile` output is cleaned by the Rust library (parse, dedup, filters, the
# `modules` keep-list) and written by it atomically; this file runs the child processes.

"""
    TraceRecording

What [`record_traces`](@ref) (and [`record_test_traces`](@ref),
[`generate_precompilation_traces`](@ref)) wrote.

Fields:
- `path::String`: the trace file written.
- `lines::Int`: physical lines of the raw recording (`--trace-compile` output).
- `kept::Int`: statements written to `path`.
- `duplicates::Int`: repeats of a kept statement, dropped.
- `excluded::Int`: statements dropped by `exclude`, `modules`, `closures = :skip` or `min_time`.
- `malformed::Int`, `unsupported::Int`: raw lines the library could not read as a statement,
  dropped (`compile-traces check` on a raw recording lists them).
- `total_time_ms::Union{Nothing,Float64}`: the compile time recorded for the kept statements,
  in milliseconds; `nothing` when the recording had no timings (Julia before 1.12).

# Example
```julia
julia> rec = record_traces("traces.jl", "workload.jl")
TraceRecording("traces.jl": 412 statements kept of 1630 lines; 1105 duplicates, 113 excluded, 0 malformed, 0 unsupported)

julia> rec.kept
412
```
"""
struct TraceRecording
    path::String
    lines::Int
    kept::Int
    duplicates::Int
    excluded::Int
    malformed::Int
    unsupported::Int
    total_time_ms::Union{Nothing,Float64}
end

function Base.show(io::IO, r::TraceRecording)
    print(io, "TraceRecording(", repr(r.path), ": ", r.kept, " statement", r.kept == 1 ? "" : "s",
          " kept of ", r.lines, " line", r.lines == 1 ? "" : "s", "; ", r.duplicates, " duplicates, ",
          r.excluded, " excluded, ", r.malformed, " malformed, ", r.unsupported, " unsupported")
    r.total_time_ms === nothing || print(io, "; ", round(r.total_time_ms / 1000; digits = 2),
                                         " s of compilation recorded")
    print(io, ")")
end

"""
    TraceCoverage

What [`trace_coverage`](@ref) measured: how much of a workload's compilation a set of traces
did beforehand.

Fields:
- `script::String`: the workload (absolute path).
- `trace_files::Vector{String}`: the traces compiled before it (empty for a baseline).
- `preloaded::Vector{String}`: the packages loaded before the traces were compiled (and before
  the workload ran), so that statements naming them can compile.
- `compiled::Int`: statements of the traces that compiled (`succeeded` of `compile_traces`).
- `failed::Int`, `skipped::Int`: statements of the traces that failed or were skipped.
- `missed::Vector{String}`: the statements the workload still compiled after the traces, as
  normalized `precompile(...)` calls, each once; slowest first when the recording was timed
  (Julia 1.12+), in compilation order otherwise.
- `missed_ms::Vector{Float64}`: the recorded compile time of each `missed` statement in
  milliseconds (`NaN` when untimed).
- `workload::Int`: statements the workload compiles without any trace (`length` of the
  baseline's `missed`).
- `covered::Int`: statements of the baseline that the workload no longer compiled.
- `coverage::Float64`: `covered / workload`, in 0..1 (1 when the workload compiles nothing). A
  baseline has `coverage = 0` (nothing was precompiled), unless its compile set is empty.
- `baseline::Union{Nothing,TraceCoverage}`: the baseline compared against (`nothing` for a
  baseline).

# Example
```julia
julia> cov = trace_coverage("workload.jl", "traces.jl")
TraceCoverage("workload.jl", 1 trace file: 96.1% of 412 statements covered, 16 missed; 398 compiled, 0 failed)

julia> cov.missed[1]   # what to record next
"precompile(Tuple{typeof(MyPkg.plot), MyPkg.Figure})"
```
"""
struct TraceCoverage
    script::String
    trace_files::Vector{String}
    preloaded::Vector{String}
    compiled::Int
    failed::Int
    skipped::Int
    missed::Vector{String}
    missed_ms::Vector{Float64}
    workload::Int
    covered::Int
    coverage::Float64
    baseline::Union{Nothing,TraceCoverage}
end

function Base.show(io::IO, c::TraceCoverage)
    n = length(c.trace_files)
    print(io, "TraceCoverage(", repr(basename(c.script)), ", ", n, " trace file", n == 1 ? "" : "s",
          ": ", round(100 * c.coverage; digits = 1), "% of ", c.workload, " statements covered, ",
          length(c.missed), " missed")
    n == 0 || print(io, "; ", c.compiled, " compiled, ", c.failed, " failed")
    print(io, ")")
end

function Base.show(io::IO, ::MIME"text/plain", c::TraceCoverage)
    show(io, c)
    isempty(c.preloaded) || print(io, "\n  preloaded: ", join(c.preloaded, ", "))
    isempty(c.missed) && return
    timed = any(!isnan, c.missed_ms)
    print(io, "\n  missed", timed ? " (slowest first)" : "", ":")
    shown = min(length(c.missed), 10)
    for i in 1:shown
        print(io, "\n    ")
        isnan(c.missed_ms[i]) || print(io, "#= ", lpad(round(c.missed_ms[i]; digits = 1), 6), " ms =# ")
        print(io, c.missed[i])
    end
    length(c.missed) > shown && print(io, "\n    ... and ", length(c.missed) - shown, " more")
end

# --- Child processes -------------------------------------------------------------------------

"`--trace-compile-timing` exists from Julia 1.12 on (JuliaLang/julia#54662)."
timing_flags() = VERSION >= v"1.12.0-DEV" ? ["--trace-compile-timing"] : String[]

function default_project()
    project = Base.active_project()
    return project === nothing ? nothing : dirname(project)
end

"""
    child_load_path(with_self) -> String

`JULIA_LOAD_PATH` for a child Julia: this session's load path, plus `@stdlib` when it is
missing (inside `Pkg.test` the load path is only the test environment, and the workload may use
any standard library), plus, with `with_self`, this package's own directory, last, so that the
child can load CompileTraces even when the project does not depend on it (a package directory is
an environment that provides the package itself).
"""
function child_load_path(with_self::Bool)
    entries = String[String(entry) for entry in LOAD_PATH]
    "@stdlib" in entries || push!(entries, "@stdlib")
    with_self && push!(entries, PACKAGE_ROOT)
    return join(entries, Sys.iswindows() ? ';' : ':')
end

function child_command(project::Union{Nothing,AbstractString}, flags::Vector{String},
                       args::Vector{String}; with_self::Bool = false)
    cmd = `$(Base.julia_cmd()) --startup-file=no`
    project === nothing || (cmd = `$cmd --project=$(String(project))`)
    cmd = `$cmd $flags $args`
    # Everything else (JULIA_DEPOT_PATH, JULIA_PKG_OFFLINE, JULIA_COMPILE_TRACES_LIBRARY...)
    # is inherited.
    return addenv(cmd, "JULIA_LOAD_PATH" => child_load_path(with_self))
end

"""
    output_tail(log; lines, chars) -> String

The last lines of a child's output, for error messages. A stack trace can push the error itself
out of the tail, so the first `ERROR:` line is put in front of it when the tail does not have it.
"""
function output_tail(log::AbstractString; lines::Int = 30, chars::Int = 4000)
    isfile(log) || return ""
    text = read(log, String)
    all_lines = split(rstrip(text), '\n')
    first_tail = max(1, length(all_lines) - lines + 1)
    tail = join(all_lines[first_tail:end], '\n')
    tail = length(tail) > chars ? "..." * last(tail, chars) : tail
    error_at = findfirst(line -> startswith(line, "ERROR:"), all_lines)
    if error_at !== nothing && (error_at < first_tail || !occursin(all_lines[error_at], tail))
        tail = string(first(all_lines[error_at], 1000), "\n...\n", tail)
    end
    return tail
end

"""
    run_child(cmd, log, what; verbose, progress, watch) -> nothing

Runs `cmd` with its standard output and error sent to the file `log`. A child that fails (or is
killed) is an error naming `what`, the exit code and the tail of its output. With `verbose` and
`progress` on a terminal, shows how many lines the file `watch` has while the child runs. An
interrupt kills the child.
"""
function run_child(cmd::Cmd, log::String, what::String; verbose::Bool, progress::Bool,
                   watch::String)
    live = verbose && progress && stdout isa Base.TTY
    process = open(log, "w") do io
        p = run(pipeline(ignorestatus(cmd); stdout = io, stderr = io); wait = false)
        try
            if live
                while process_running(p)
                    print(stdout, "\r", what, "... ", isfile(watch) ? countlines(watch) : 0, " lines")
                    sleep(0.5)
                end
                println(stdout)
            end
            wait(p)
        catch
            process_running(p) && kill(p)
            rethrow()
        end
        p
    end
    if !success(process)
        status = process.termsignal != 0 ? "was killed by signal $(process.termsignal)" :
                 "exited with code $(process.exitcode)"
        error("CompileTraces: the child Julia running ", what, " ", status, ". Its output ended with:\n",
              output_tail(log))
    end
    return nothing
end

function check_script(script::AbstractString)
    isfile(script) || throw(ArgumentError("script not found: $(repr(String(script)))"))
    return abspath(script)
end

"Fails now, before a long child run, when `output` cannot be written."
function check_output(output::AbstractString)
    isempty(output) && throw(ArgumentError("the output path is empty"))
    isdir(output) && throw(ArgumentError("the output $(repr(String(output))) is a directory"))
    dir = dirname(abspath(output))
    isdir(dir) || error("CompileTraces: cannot write `", output, "`: the directory `", dir, "` does not exist")
    probe = try
        mktemp(dir)
    catch err
        error("CompileTraces: cannot write `", output, "`: ", sprint(showerror, err))
    end
    close(probe[2])
    rm(probe[1]; force = true)
    refuse_non_trace(output)
    return abspath(output)
end

"""
    refuse_non_trace(output)

Throws an `ArgumentError` when `output` exists and holds lines that are not trace statements
(code, or text that is not Julia), so that a script passed as the output by mistake
(`record_traces(script, output)` instead of `(output, script)`) is not overwritten. The file is
classified by the library, as `compile-traces check` does; comments and blank lines are fine.
"""
function refuse_non_trace(output::AbstractString)
    isfile(output) || return nothing
    traces = read_traces([String(output)], ReadOptions(true, String[], false, 0.0, "", "", UInt32(0)))
    foreign = traces.malformed + traces.unsupported
    foreign == 0 && return nothing
    first_line = first(item.line for item in traces.items if item.kind != CT_KIND_STATEMENT)
    throw(ArgumentError("refusing to replace `$output`: it is not a trace file ($foreign of its lines or " *
                        "blocks are code or text that is not a precompile statement, the first at line " *
                        "$first_line). Did you swap the arguments? It is `record_traces(output, script)`. " *
                        "Remove the file first if it really is to be replaced."))
end

module_list(x::Nothing) = nothing
module_list(x::AbstractString) = String[String(x)]
module_list(x::AbstractVector{<:AbstractString}) = String[String(m) for m in x]
module_list(x) = throw(ArgumentError("expected a module name or a vector of them, got $(repr(x))"))

function check_filters(closures::Symbol, min_time::Real)
    closures in (:try, :skip) || throw(ArgumentError("closures must be :try or :skip, got $(repr(closures))"))
    isnan(min_time) && throw(ArgumentError("min_time must be a number of milliseconds, got NaN"))
    return nothing
end

"""
    clean_recording(raw, output; exclude, closures, min_time, modules, keep_timing) -> TraceRecording

Passes the raw recording through the Rust library and writes what it keeps to `output`.
"""
function clean_recording(raw::String, output::String; exclude, closures::Symbol, min_time::Real,
                         modules, keep_timing::Bool)
    isfile(raw) || touch(raw) # Julia creates the file on the first compilation only
    options = ReadOptions(true, module_list(exclude), closures === :skip, Float64(min_time), "", "",
                          UInt32(0))
    return with_trace_handle(String[raw], options, module_list(modules)) do h
        counts = handle_counts(h)
        written = write_kept_statements(h, output; keep_timing = keep_timing)
        total = counts.timed == 0 ? nothing : counts.total_ms
        TraceRecording(output, counts.lines, written, counts.duplicates, counts.excluded,
                       counts.malformed, counts.unsupported, total)
    end
end

# --- record_traces ---------------------------------------------------------------------------

"""
    record_traces(output::AbstractString, script::AbstractString; kwargs...) -> TraceRecording

Runs `script` in a new Julia process (`Base.julia_cmd()`, `--startup-file=no`, the `project`
environment) with `--trace-compile` (and `--trace-compile-timing` on Julia 1.12 and later),
then cleans what it recorded with the Rust library and writes it to `output`: one normalized
statement per line, each once, in the order they were compiled. Malformed and unsupported
lines, repeats, statements of `exclude`d root modules, closures with `closures = :skip`, timed
statements under `min_time` and, when `modules` is given, statements naming none of those
modules are dropped. `output` is replaced atomically (a temporary file in its directory, then
renamed), so it may be an existing trace file; it is left untouched when anything fails.

Keywords:
- `project = dirname(Base.active_project())`: the environment the script runs in.
- `julia_args = String[]`: more command line arguments for the child, e.g. `["--threads=2"]`.
- `exclude = ["Main"]`: root modules whose statements are dropped (a script's own functions
  live in `Main` and cannot be compiled from a package).
- `closures = :try`: `:skip` drops statements naming closures or gensym names (`var"#3#4"`).
- `min_time = 0.0`: with timings (Julia 1.12+), drop statements compiled faster than this (ms).
- `modules = nothing`: a module name or a list of them; keep only statements that name one.
- `keep_timing = false`: write each statement's recorded time before it (`#=  12.3 ms =#`);
  off by default so that a committed trace does not change with every recording.
- `verbose = false`, `progress = true`: print a summary at the end; with `progress` on a
  terminal, a live count of the lines recorded. Nothing is printed by default.

The child's output (standard output and error) is captured; if it fails, an `ErrorException`
gives its exit code and the end of its output. A missing script is an `ArgumentError`; an
`output` in a missing or read-only directory is an error raised before the child runs.
Temporary files are removed in every case.

# Example
```julia
julia> rec = record_traces("traces/workload.jl", "scripts/workload.jl"; modules = ["MyPkg"])
TraceRecording("traces/workload.jl": 412 statements kept of 1630 lines; 1105 duplicates, 113 excluded, 0 malformed, 0 unsupported)

julia> compile_traces(Main, rec.path)   # in a new session, after `using MyPkg`
```
"""
function record_traces(output::AbstractString, script::AbstractString;
                       project::Union{Nothing,AbstractString} = default_project(),
                       julia_args::AbstractVector{<:AbstractString} = String[],
                       exclude::Union{AbstractString,AbstractVector{<:AbstractString}} = ["Main"],
                       closures::Symbol = :try, min_time::Real = 0.0,
                       modules::Union{Nothing,AbstractString,AbstractVector{<:AbstractString}} = nothing,
                       keep_timing::Bool = false, verbose::Bool = false, progress::Bool = true)
    check_filters(closures, min_time)
    script = check_script(script)
    output = check_output(output)
    ensure_library()
    recording = mktempdir() do dir
        raw = joinpath(dir, "raw_trace.jl")
        log = joinpath(dir, "output.log")
        flags = String["--trace-compile=$raw"; timing_flags(); String[String(a) for a in julia_args]]
        cmd = child_command(project, flags, String[script])
        run_child(cmd, log, "`$(basename(script))`"; verbose, progress, watch = raw)
        clean_recording(raw, output; exclude, closures, min_time, modules, keep_timing)
    end
    verbose && println(stdout, recording)
    return recording
end

# --- record_test_traces ----------------------------------------------------------------------

"""
    preferences_file(project_dir) -> String

The local preferences file Julia reads for the project in `project_dir`:
`JuliaLocalPreferences.toml` when it exists (Julia reads it first), else `LocalPreferences.toml`.
"""
function preferences_file(project_dir::AbstractString)
    for name in ("JuliaLocalPreferences.toml", "LocalPreferences.toml")
        path = joinpath(project_dir, name)
        isfile(path) && return path
    end
    return joinpath(project_dir, "LocalPreferences.toml")
end

"The `name` of the package whose `Project.toml` is in `dir`."
function package_name(dir::AbstractString)
    project = nothing
    for name in ("JuliaProject.toml", "Project.toml")
        path = joinpath(dir, name)
        isfile(path) && (project = path; break)
    end
    project === nothing && throw(ArgumentError("$(repr(String(dir))) has no Project.toml: not a package directory"))
    name = get(Base.parsed_toml(project), "name", nothing)
    name isa String || throw(ArgumentError("$(project) has no `name`: not a package"))
    return name
end

"""
    with_preference_restored(f, file)

Runs `f()`, then puts `file` back exactly as it was (same bytes), or removes it when it did not
exist, whatever `f` did to it and even when `f` throws.
"""
function with_preference_restored(f, file::AbstractString)
    original = isfile(file) ? read(file) : nothing
    try
        return f()
    finally
        if original === nothing
            rm(file; force = true)
        else
            write(file, original)
        end
    end
end

"The default of `record_test_traces`'s `modules`: the name of the package under test."
const PACKAGE_MODULE = :package_name

"""
    record_test_traces(output::AbstractString, package::AbstractString; kwargs...) -> TraceRecording

Like [`record_traces`](@ref), over the test suite of `package`: runs `Pkg.test` in a new Julia
process with `--trace-compile` passed to the test process, and keeps by default only the
statements that name the package (`modules = [name]`) and not `Main`.

`package` is a package name in `project` (the active project by default) or the path of a
package directory (then `project` defaults to that directory and its own tests are run). While
the tests run, the preference `compile_traces = false` of the package is set in the
`LocalPreferences.toml` of `project`, so that the package does not compile its own, older traces
while being traced (which would hide them from the recording; Pkg copies the preferences into
the test environment from Julia 1.8 on). The file is restored exactly afterwards, or removed if
it did not exist, also when the tests fail.

Keywords: those of [`record_traces`](@ref) (`project`, `julia_args` for the test process,
`exclude = ["Main"]`, `closures`, `min_time`, `modules = [name]`, `keep_timing`, `verbose`,
`progress`). Failing tests are an error that ends with the test output.

# Example
```julia
julia> record_test_traces("src/precompile_traces.jl", "."; verbose = true)
TraceRecording("src/precompile_traces.jl": 87 statements kept of 5210 lines; 1944 duplicates, 3179 excluded, 0 malformed, 0 unsupported)
```
"""
function record_test_traces(output::AbstractString, package::AbstractString;
                            project::Union{Nothing,AbstractString} = nothing,
                            julia_args::AbstractVector{<:AbstractString} = String[],
                            exclude::Union{AbstractString,AbstractVector{<:AbstractString}} = ["Main"],
                            closures::Symbol = :try, min_time::Real = 0.0,
                            modules = PACKAGE_MODULE,
                            keep_timing::Bool = false, verbose::Bool = false, progress::Bool = true)
    check_filters(closures, min_time)
    is_dir = isdir(package)
    name = is_dir ? package_name(package) : String(package)
    Base.isidentifier(name) || throw(ArgumentError("not a package name: $(repr(name))"))
    if project === nothing
        project = is_dir ? abspath(package) : default_project()
        project === nothing && throw(ArgumentError("no active project: pass `project` or a package directory"))
    end
    project = abspath(project)
    modules = modules === PACKAGE_MODULE ? [name] : module_list(modules)
    output = check_output(output)
    ensure_library()
    # The package under test is the project itself when its directory was given: test it
    # without a name, as `Pkg.test()` in that project.
    own = is_dir && samefile(abspath(package), project)
    prefs = preferences_file(project)
    recording = mktempdir() do dir
        raw = joinpath(dir, "raw_trace.jl")
        log = joinpath(dir, "output.log")
        driver = joinpath(dir, "run_tests.jl")
        test_args = String["--trace-compile=$raw"; timing_flags(); String[String(a) for a in julia_args]]
        write(driver, test_driver(name, prefs, test_args, own))
        cmd = child_command(project, String[], String[driver])
        with_preference_restored(prefs) do
            run_child(cmd, log, "the tests of $name"; verbose, progress, watch = raw)
        end
        clean_recording(raw, output; exclude, closures, min_time, modules, keep_timing)
    end
    verbose && println(stdout, recording)
    return recording
end

"""
The script the child runs for `record_test_traces`: sets the package's `compile_traces`
preference to `false` in `prefs` (with the TOML standard library, in the child, so that this
package needs no dependency; the parent restores the file), then runs `Pkg.test`. Strings are
embedded with `repr`, which escapes them.
"""
function test_driver(name::String, prefs::String, test_args::Vector{String}, own::Bool)
    test_call = own ? "Pkg.test(; julia_args = TEST_ARGS)" : "Pkg.test($(repr(name)); julia_args = TEST_ARGS)"
    return """
        # Written by CompileTraces.record_test_traces.
        import Pkg, TOML
        const TEST_ARGS = $(repr(test_args))
        let file = $(repr(prefs)), name = $(repr(name))
            prefs = isfile(file) ? TOML.parsefile(file) : Dict{String,Any}()
            section = get!(prefs, name, Dict{String,Any}())
            section isa AbstractDict || error("`\$name` in \$file is not a table")
            section["compile_traces"] = false
            open(io -> TOML.print(io, prefs), file, "w")
        end
        $test_call
        """
end

"""
    generate_precompilation_traces(package_dir::AbstractString = pwd();
                                   output = joinpath(package_dir, "src", "precompilation_traces.jl"))
        -> TraceRecording

The function of CompileTraces.jl 1.2.3, kept so that scripts written for it keep working: runs
the test suite of the package in `package_dir` with `--trace-compile` and writes the statements
that name the package (and not `Main`) to `output`, through
[`record_test_traces`](@ref)`(output, package_dir)`. The package's `compile_traces` preference
is `false` during the run; afterwards `package_dir` has no `LocalPreferences.toml` that it did
not have before, and an existing one is restored byte for byte. Unlike 1.2.3, nothing is printed
and statements are deduplicated and normalized by the Rust library.

# Example
```julia
julia> generate_precompilation_traces("path/to/MyPkg")  # writes path/to/MyPkg/src/precompilation_traces.jl
```
"""
function generate_precompilation_traces(package_dir::AbstractString = pwd();
                                        output::AbstractString = joinpath(package_dir, "src", "precompilation_traces.jl"))
    isdir(package_dir) || throw(ArgumentError("not a package directory: $(repr(String(package_dir)))"))
    return record_test_traces(output, package_dir)
end

# --- trace_coverage --------------------------------------------------------------------------

"""
The code the coverage child loads with `-L` before Julia runs the workload as its program (so
that `PROGRAM_FILE`, `@__FILE__` and `ARGS` are the workload's own): loads CompileTraces by its
UUID (not by name: a project may hold another package called CompileTraces) and the `preload`
packages the project can provide, compiles the traces, and writes to `mark` how large the trace
file was when `compile_traces` returned, with the counts. The function writing the mark runs
once before, so that compiling it is not counted as part of the workload. Strings are embedded
with `repr`, which escapes them.
"""
function coverage_setup(trace::String, mark::String, files::Vector{String}, preload::Vector{String},
                        inline::Bool)
    uuid = string(Base.PkgId(@__MODULE__).uuid)
    return """
        # Written by CompileTraces.trace_coverage.
        module CompileTracesCoverageSetup
        const CT = Base.require(Base.PkgId(Base.UUID($(repr(uuid))), "CompileTraces"))
        for name in $(repr(preload))
            id = Base.identify_package(name)
            id === nothing || Base.require(id)
        end
        function mark(metrics)
            size = filesize($(repr(trace)))
            write($(repr(mark)), string(size, ' ', metrics.succeeded, ' ', metrics.failed, ' ', metrics.skipped))
            return nothing
        end
        mark(CT.CompilationMetrics())
        mark(CT.compile_traces(Main, $(repr(files)); inline = $inline))
        end
        """
end

"""
    trace_packages(files) -> Vector{String}

The root modules the statements of `files` name, other than `Main`, `Core` and `Base`, sorted:
the packages to load before compiling them.
"""
function trace_packages(files::Vector{String})
    isempty(files) && return String[]
    options = ReadOptions(true, String[], false, 0.0, "", "", UInt32(0))
    set = with_trace_handle(copy_trace_set, files, options, nothing)
    names = Set{String}()
    for item in set.items
        item.kind == CT_KIND_STATEMENT && union!(names, item.roots)
    end
    return sort!(collect(setdiff(names, ("Main", "Core", "Base"))))
end

"""
    missed_statements(trace, offset, dir) -> (texts, times)

The statements recorded in `trace` after byte `offset`, normalized and deduplicated by the Rust
library; slowest first when timed.
"""
function missed_statements(trace::String, offset::Int, dir::String)
    tail = joinpath(dir, "tail.jl")
    bytes = isfile(trace) ? read(trace) : UInt8[]
    start = min(offset, length(bytes))
    # A line being written when the size was taken belongs to the traces' part.
    if start > 0 && bytes[start] != UInt8('\n')
        next = findnext(==(UInt8('\n')), bytes, start + 1)
        start = next === nothing ? length(bytes) : next
    end
    write(tail, view(bytes, (start + 1):length(bytes)))
    options = ReadOptions(true, String[], false, 0.0, "", "", UInt32(0))
    set = with_trace_handle(copy_trace_set, String[tail], options, nothing)
    statements = filter(item -> item.kind == CT_KIND_STATEMENT, set.items)
    texts = String[item.text for item in statements]
    times = Float64[item.timing_ms for item in statements]
    if any(!isnan, times)
        # Slowest first; untimed ones (none in a timed recording, in principle) last. Stable.
        order = sortperm([isnan(t) ? -Inf : t for t in times]; rev = true)
        texts, times = texts[order], times[order]
    end
    return texts, times
end

"""
    trace_coverage(script::AbstractString, trace_files::AbstractString...; kwargs...) -> TraceCoverage

Measures how much of the compilation of the workload `script` the traces do beforehand. A new
Julia process (`--trace-compile`, the `project` environment) loads CompileTraces and the
packages the traces name, compiles `trace_files` with [`compile_traces`](@ref) into `Main`,
notes how large its trace file is at that moment, then runs `script`. Everything the trace file
gains after that point is what the workload still had to compile: the `missed` statements of
the returned [`TraceCoverage`](@ref).

With no trace files this measures the workload's whole compile set: the baseline. With trace
files, `coverage` compares against a baseline with the same packages loaded beforehand: the
share of its statements that the workload no longer compiled once the traces were compiled. It
is measured first, in a second process, unless given with `baseline`.

Keywords:
- `project = dirname(Base.active_project())`: the environment of the workload. CompileTraces is
  loaded by the child even when that environment does not have it (this package's directory is
  appended to the child's load path).
- `inline = false`: passed to `compile_traces` (`true` for SnoopCompile files).
- `preload = nothing`: package names to load before the traces are compiled and the workload
  runs; `nothing` means the root modules the traces name (other than `Main`, `Core`, `Base`).
  Names the project cannot load are passed over.
- `julia_args = String[]`: more command line arguments for the child.
- `baseline = nothing`: a `TraceCoverage` of the same script without trace files and with the
  same `preloaded` packages (e.g. the `baseline` field of an earlier result), to save a process.
- `verbose = false`, `progress = true`: print the result; a live line count on a terminal.

Errors: a missing script or trace file, or a baseline of another script or other packages, is
an `ArgumentError`; a child that fails is an `ErrorException` with its exit code and the end of
its output. Temporary files are removed in every case.

# Example
```julia
julia> cov = trace_coverage("workload.jl", "traces/workload.jl")
TraceCoverage("workload.jl", 1 trace file: 96.1% of 412 statements covered, 16 missed; 398 compiled, 0 failed)

julia> cov.baseline                       # what the workload compiles on its own
TraceCoverage("workload.jl", 0 trace files: 0.0% of 412 statements covered, 412 missed)

julia> trace_coverage("workload.jl", "traces/smaller.jl"; baseline = cov.baseline).coverage
0.74
```
"""
function trace_coverage(script::AbstractString, trace_files::AbstractString...;
                        project::Union{Nothing,AbstractString} = default_project(),
                        inline::Bool = false,
                        preload::Union{Nothing,AbstractVector{<:AbstractString}} = nothing,
                        julia_args::AbstractVector{<:AbstractString} = String[],
                        baseline::Union{Nothing,TraceCoverage} = nothing,
                        verbose::Bool = false, progress::Bool = true)
    script = check_script(script)
    files = String[abspath(native_path(f)) for f in trace_files]
    for file in files
        isfile(file) || throw(ArgumentError("trace file not found: $(repr(file))"))
    end
    ensure_library()
    packages = preload === nothing ? trace_packages(files) : sort!(unique(String[String(p) for p in preload]))
    if baseline !== nothing
        isempty(baseline.trace_files) ||
            throw(ArgumentError("`baseline` must be measured without trace files: trace_coverage(script)"))
        baseline.script == script ||
            throw(ArgumentError("`baseline` measured $(repr(baseline.script)), not $(repr(script))"))
        baseline.preloaded == packages ||
            throw(ArgumentError("`baseline` preloaded $(baseline.preloaded), these traces need $(packages): " *
                                "measure it with trace_coverage(script; preload = $(repr(packages)))"))
    end
    if !isempty(files) && baseline === nothing
        baseline = trace_coverage(script; project, preload = packages, julia_args, progress = false)
    end
    result = mktempdir() do dir
        trace = joinpath(dir, "trace.jl")
        mark = joinpath(dir, "mark.txt")
        setup = joinpath(dir, "setup.jl")
        log = joinpath(dir, "output.log")
        write(setup, coverage_setup(trace, mark, files, packages, inline))
        flags = String["--trace-compile=$trace"; timing_flags(); String[String(a) for a in julia_args];
                       "-L"; setup]
        cmd = child_command(project, flags, String[script]; with_self = true)
        run_child(cmd, log, "`$(basename(script))`"; verbose, progress, watch = trace)
        fields = isfile(mark) ? split(read(mark, String)) : String[]
        length(fields) == 4 ||
            error("CompileTraces: the coverage child did not record where the traces ended. Its output ended with:\n",
                  output_tail(log))
        offset, compiled, failed, skipped = parse.(Int, fields)
        missed, missed_ms = missed_statements(trace, offset, dir)
        if isempty(files)
            workload, covered = length(missed), 0
        else
            still = Set(missed)
            workload = length(baseline.missed)
            covered = count(s -> !(s in still), baseline.missed)
        end
        coverage = workload == 0 ? 1.0 : covered / workload
        TraceCoverage(script, files, packages, compiled, failed, skipped, missed, missed_ms, workload,
                      covered, coverage, isempty(files) ? nothing : baseline)
    end
    verbose && (show(stdout, MIME"text/plain"(), result); println(stdout))
    return result
end
