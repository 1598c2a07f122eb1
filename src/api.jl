# The public entry points: compile_traces and @compile_traces.

"""
    compile_traces(mod::Module, trace_files::AbstractString...; kwargs...) -> CompilationMetrics
    compile_traces(mod::Module, trace_files::AbstractVector{<:AbstractString}; kwargs...) -> CompilationMetrics
    compile_traces(trace_files::AbstractString...; kwargs...) -> CompilationMetrics

Compile the `precompile(...)` statements of one or more trace files (`julia --trace-compile=file`
output, or SnoopCompile `write` output) and return a [`CompilationMetrics`](@ref). Without a
module, `Main` is used (for the REPL). Paths use `/`, turned into `\\` on Windows. A missing or
unreadable file throws an error naming it before anything is compiled. A failing statement never
stops the run (see `strict`); an `InterruptException` does.

Keywords:
- `verbose = false`: print a summary line ("Successfully executed N precompile statements
  (F failed, S skipped) in T seconds"). Nothing is printed otherwise.
- `progress = true`: with `verbose`, show a live counter when `stdout` is a terminal.
- `warn = false`: emit one `@warn` per failed statement, with file:line, the statement and the error.
- `inline = false`: how names in a signature are resolved (signatures are built from the
  parsed tree, never evaluated as code). `false`: the root modules the statement names (`Base`,
  `Test`, `MyPkg`, ...) are the loaded modules of those names, other bare names are those `Core`
  and `Base` export; a module that is not loaded fails its statements with "module X not
  loaded", and a name shared by two loaded packages is reported, not guessed. Use it for
  `--trace-compile` files. `true` resolves names in `mod` itself (its own, imported and used
  bindings): use it for SnoopCompile files, whose names are relative to the package.
- `dedup = true`: compile a statement seen several times (in any file) once; the repeats are
  counted in `metrics.duplicates`.
- `exclude = String[]`: root modules whose statements are dropped (not counted), e.g. `["Main"]`.
- `closures = :try`: `:skip` counts statements mentioning closures or gensym names
  (`var"#3#4"`) as skipped instead of trying them.
- `min_time = 0.0`: for timed traces (Julia 1.12 `#= 12.3 ms =#`, SnoopCompile `# time:`),
  drop statements recorded faster than this many milliseconds. Untimed statements are kept.
- `strict = false`: `true` throws a [`CompileTracesError`](@ref) listing the failures, after
  every statement was tried (for CI).
- `bound_varargs = nothing`: an integer `N` rewrites a signature's unbounded trailing
  `Vararg{T}` to `Vararg{T, N}` before compiling it, the workaround CompileTraces.jl 1.x always
  applied (with `N = 100`, from PackageCompiler) for Julia versions that could not precompile
  unbounded varargs. Throws an `ArgumentError` for a count below 1.

The environment variables `JULIA_COMPILE_TRACES_VERBOSE` and `JULIA_COMPILE_TRACES_WARN` hold
comma-separated module names (or `all`); for a listed `nameof(mod)` they force `verbose` / `warn`
on. The preference `compile_traces = false` of the package that owns `mod` (in its
`LocalPreferences.toml`) turns compilation off: an empty `CompilationMetrics()` is returned.

Inside a package, call it at top level (or use [`@compile_traces`](@ref)) with the package's own
module: the statements are compiled while the package precompiles, so the result is saved in its
cache, and every trace file is registered with `include_dependency` so editing it re-precompiles
the package. Passing another module during precompilation fails ("Evaluation into the closed
module").

# Examples
```julia
julia> metrics = compile_traces(Main, "trace.jl"; verbose = true, exclude = ["Main"])
Executing precompile statements... (123)
Successfully executed 120 precompile statements (2 failed, 1 skipped) in 3.1 seconds
CompilationMetrics(total: 123, succeeded: 120, failed: 2, skipped: 1)

julia> compile_traces(["a.jl", "b.jl"]; warn = true, strict = true);
```
"""
function compile_traces end

compile_traces(mod::Module, trace_files::AbstractString...; kwargs...) =
    compile_traces(mod, String[String(f) for f in trace_files]; kwargs...)
compile_traces(trace_files::AbstractString...; kwargs...) = compile_traces(Main, trace_files...; kwargs...)
compile_traces(trace_files::AbstractVector{<:AbstractString}; kwargs...) = compile_traces(Main, trace_files; kwargs...)

function compile_traces(mod::Module, trace_files::AbstractVector{<:AbstractString};
                        verbose::Bool = false, progress::Bool = true, warn::Bool = false,
                        inline::Bool = false, dedup::Bool = true,
                        exclude::Union{AbstractString,AbstractVector{<:AbstractString}} = String[],
                        closures::Symbol = :try, min_time::Real = 0.0, strict::Bool = false,
                        bound_varargs::Union{Nothing,Integer} = nothing)
    closures in (:try, :skip) || throw(ArgumentError("closures must be :try or :skip, got $(repr(closures))"))
    if bound_varargs !== nothing && !(1 <= bound_varargs <= typemax(UInt32))
        throw(ArgumentError("bound_varargs must be `nothing` or a positive count, got $bound_varargs"))
    end
    isnan(min_time) && throw(ArgumentError("min_time must be a number of milliseconds, got NaN"))
    paths = String[native_path(f) for f in trace_files]
    compilation_enabled(mod) || return CompilationMetrics()
    verbose, warn = resolve_overrides(mod, verbose, warn)
    if generating_output()
        # Editing a trace file must re-precompile the package that compiles it. `abspath`
        # because `include_dependency` resolves a relative path against the file being
        # included, while the library reads it against the working directory. From Julia 1.11
        # on the content is tracked (`track_content = true` is the default there), so a
        # checkout that only touches the file does not re-precompile; 1.10 compares mtimes.
        foreach(path -> include_dependency(abspath(path)), paths)
    end
    options = ReadOptions(dedup, String[String(m) for m in (exclude isa AbstractString ? [exclude] : exclude)],
                          false, Float64(min_time), "", "", UInt32(something(bound_varargs, 0)))
    start = time_ns()
    traces = read_traces(paths, options)
    ctx = EvalContext(mod, inline)
    metrics = CompilationMetrics()
    metrics.duplicates = traces.duplicates
    show_progress = verbose && progress && stdout isa Base.TTY
    # The words CompileTraces.jl 1.x printed, which its users' tests look for; the count follows.
    verbose && !show_progress && println(stdout, "Executing precompile statements... (", length(traces.items), ")")
    work = () -> run_items!(metrics, traces, ctx, closures, warn, show_progress)
    run_from(mod, work)
    metrics.total = metrics.succeeded + metrics.failed + metrics.skipped
    seconds = (time_ns() - start) / 1e9
    verbose && print_summary(stdout, metrics, seconds, show_progress)
    if strict && metrics.failed > 0
        throw(CompileTracesError(metrics))
    end
    return metrics
end

"""
    run_from(mod, work)

While a package precompiles, runs `work` from a function defined in `mod` (the package being
precompiled, or its submodule), as the original CompileTraces.jl ran its loop from code evaluated
in the package: PrecompileTools documents that compilation of other packages' methods is only
captured when it is triggered from a method belonging to the package
(JuliaLang/PrecompileTools.jl#43). Defining that function is the one `Core.eval` left in this
package; it evaluates no trace text. On Julia 1.10.8 the runner makes no difference to what is
saved (a Base specialization compiled from a trace is saved either way: measured with and without
it); it is kept for the versions whose caching rules changed (1.11+, not run here). The test
"compiled code of other modules' methods is saved in the package image" checks the outcome.
"""
function run_from(mod::Module, work)
    generating_output() || return work()
    runner = Core.eval(mod, :(function $(gensym(:compile_traces_runner))(work)
                                  work()
                              end))
    return Base.invokelatest(runner, work)
end

function run_items!(metrics::CompilationMetrics, traces::TraceSet, ctx::EvalContext, closures::Symbol,
                    warn::Bool, show_progress::Bool)
    n = length(traces.items)
    last_shown = UInt64(0)
    for (i, item) in enumerate(traces.items)
        outcome, problem = if item.kind == CT_KIND_MALFORMED
            (:failed, Rejected(:malformed, "column $(item.column): $(item.message)"))
        elseif item.kind == CT_KIND_UNSUPPORTED
            (:skipped, Rejected(:unsupported, item.message))
        elseif closures === :skip && item.flags & FLAG_CLOSURE != 0
            (:skipped, Rejected(:closure, "it names a closure or gensym name and `closures = :skip`"))
        else
            compile_statement(item, ctx)
        end
        if outcome === :succeeded
            metrics.succeeded += 1
        elseif outcome === :skipped
            metrics.skipped += 1
            push!(metrics.skips, CompilationSkip(item.file, item.line, item.text, problem.reason, problem.message))
        else
            metrics.failed += 1
            failure = CompilationFailure(item.file, item.line, item.text, problem.reason, problem.message)
            push!(metrics.failures, failure)
            warn && warn_failure(failure, show_progress)
        end
        if show_progress && (i == n || time_ns() - last_shown > 100_000_000)
            last_shown = time_ns()
            print(stdout, "\rExecuting precompile statements... ", i, "/", n)
            print_counts(stdout, metrics)
        end
    end
    return metrics
end

function warn_failure(failure::CompilationFailure, show_progress::Bool)
    show_progress && println(stdout) # keep the warning off the progress line
    @warn failure_message(failure)
end

"""
    failure_message(failure::CompilationFailure) -> String

The text of the warning `warn = true` logs. It starts as CompileTraces.jl 1.x's did
(`failed to execute precompile(<signature>)`, then the error on the next line), which users match
with `@test_logs (:warn, r"failed to execute precompile.*name")`; where it comes from follows.
"""
function failure_message(failure::CompilationFailure)
    statement = printable(failure.statement)
    head = startswith(statement, "precompile(") ? "failed to execute " * statement :
           "failed to execute precompile statement `" * statement * "`"
    return string(head, "\n", printable(failure.message), "\n  at ", failure.file, ":", failure.line, " (",
                  failure.reason, ")")
end

"""
    printable(text; limit = 500) -> String

`text` safe to log to a terminal: control characters (a trace file may hold any bytes, escape
sequences included) are shown escaped, and text longer than `limit` characters is cut, saying
how long it was. The failure record keeps the full text.
"""
function printable(text::AbstractString; limit::Int = 500)
    shown = length(text) > limit ? first(text, limit) : text
    shown = replace(shown, r"[\x00-\x08\x0b-\x1f\x7f]" => c -> escape_string(c))
    length(text) > limit && (shown *= "… ($(sizeof(text)) bytes in all)")
    return shown
end

"""
    print_counts(io, metrics)

` (F failed, S skipped)` with the zero parts left out, and nothing when both are zero, as
CompileTraces.jl 1.x printed it.
"""
function print_counts(io::IO, metrics::CompilationMetrics)
    failed, skipped = metrics.failed, metrics.skipped
    failed == 0 && skipped == 0 && return
    print(io, " (")
    if failed != 0
        printstyled(io, failed; bold = true, color = :red)
        print(io, " failed")
    end
    if skipped != 0
        failed != 0 && print(io, ", ")
        printstyled(io, skipped; bold = true, color = :yellow)
        print(io, " skipped")
    end
    print(io, ")")
end

function print_summary(io::IO, metrics::CompilationMetrics, seconds::Float64, after_progress::Bool)
    after_progress && println(io)
    print(io, "Successfully executed ")
    printstyled(io, metrics.succeeded; bold = true, color = :green)
    print(io, " precompile statements")
    print_counts(io, metrics)
    println(io, " in ", round(seconds; digits = 2), " seconds")
end

"""
    compilation_enabled(mod) -> Bool

`false` when the package owning `mod` has the preference `compile_traces = false`. Modules that do
not belong to a package (`Main`, a script's modules) have no preferences.
"""
function compilation_enabled(mod::Module)
    uuid = Base.PkgId(Base.moduleroot(mod)).uuid
    uuid === nothing && return true
    if generating_output() && isdefined(Base, :record_compiletime_preference)
        # Changing the preference must re-precompile the package.
        Base.record_compiletime_preference(uuid, "compile_traces")
    end
    value = get(Base.get_preferences(uuid), "compile_traces", true)
    return value !== false
end

"""
    @compile_traces "a.jl" "b.jl" warn = true inline = false

Calls [`compile_traces`](@ref) with the module the macro is used in (`@__MODULE__`). Literal
relative paths are resolved against the directory of the file that contains the macro call (so
a package can write `@compile_traces "../traces/precompile.jl"` in `src/MyPkg.jl`); other path
expressions are evaluated in the caller. Keywords (`name = value`) can come in any order, before
or after the paths (in the parenthesized form, also after a `;`).

# Example
```julia
module MyPkg
using CompileTraces
# ... definitions ...
@compile_traces "precompile_traces.jl" warn = true
end
```
"""
macro compile_traces(args...)
    file = __source__.file === nothing ? "" : String(__source__.file)
    dir = dirname(file)
    paths = Any[]
    kwargs = Any[]
    is_keyword(ex) = (Meta.isexpr(ex, :(=), 2) || Meta.isexpr(ex, :kw, 2)) && ex.args[1] isa Symbol
    # `@compile_traces("a.jl"; warn = true)`: the keywords after `;` arrive as one argument.
    args = Any[(Meta.isexpr(arg, :parameters) ? arg.args : Any[arg]) for arg in args]
    for arg in Iterators.flatten(args)
        # `name = value` is `:(=)` (space-separated, and inside `@m(...)` since Julia 0.6);
        # `:kw` is accepted too.
        if is_keyword(arg)
            push!(kwargs, Expr(:kw, arg.args[1], esc(arg.args[2])))
        elseif Meta.isexpr(arg, :parameters)
            throw(ArgumentError("@compile_traces: unsupported argument `$(arg)`; write `name = value` keywords and path expressions"))
        elseif arg isa AbstractString
            path = String(arg)
            push!(paths, isabspath(path) || isempty(dir) ? path : joinpath(dir, path))
        else
            push!(paths, esc(arg))
        end
    end
    return Expr(:call, compile_traces, Expr(:parameters, kwargs...), __module__, paths...)
end
