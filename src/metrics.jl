# Results: counts, failure records and the error thrown in strict mode.

"""
    CompilationFailure

A statement (or trace line) that failed to compile, as recorded in
[`CompilationMetrics`](@ref)`.failures`.

Fields:
- `file::String`, `line::Int`: where the statement is in the trace files.
- `statement::String`: the statement text (the line as written, for a malformed line).
- `reason::Symbol`: the category, one of `:malformed` (the line is not a valid statement),
  `:module_not_loaded`, `:ambiguous_module` (two loaded packages share the root module's name),
  `:rejected` (the signature failed the safety check, e.g. a bits value whose type is not a
  primitive type of the right size), `:evaluation_error` (building the signature threw: a name
  that is not defined, as in "UndefVarError: `Foo` not defined in `MyPkg`", a type applied to
  parameters it does not accept, a literal Julia's reader refuses such as `1.0e400`),
  `:precompile_false` (`precompile` returned `false`)
  and `:precompile_error` (`precompile` threw).
- `message::String`: the error message.

# Example
```julia
metrics = compile_traces(Main, "trace.jl")
for failure in metrics.failures
    println(failure.file, ":", failure.line, " ", failure.reason, ": ", failure.message)
end
```
"""
struct CompilationFailure
    file::String
    line::Int
    statement::String
    reason::Symbol
    message::String
end

function Base.show(io::IO, failure::CompilationFailure)
    print(io, "CompilationFailure(", repr(failure.file), ", ", failure.line, ", ", repr(failure.statement),
          ", :", failure.reason, ", ", repr(failure.message), ")")
end

"""
    CompilationSkip

A statement (or trace block) that [`compile_traces`](@ref) did not try, as recorded in
[`CompilationMetrics`](@ref)`.skips`, so that a skipped count can be traced back to its lines.

Fields:
- `file::String`, `line::Int`: where it is in the trace files (the first line of a block).
- `statement::String`: its text as written.
- `reason::Symbol`: `:unsupported` (code that is not a pure precompile statement, never
  evaluated: the Rust library's classification), `:closure` (it names a closure or gensym name
  and `closures = :skip`), or `:several_methods` (the signature matches more than one method,
  e.g. abstract or `Vararg` arguments, so there is no one method instance to compile; found with
  `Base._methods_by_ftype` and a limit of 1).
- `message::String`: why, in words.

# Example
```julia
metrics = compile_traces(Main, "trace.jl")
for skip in metrics.skips
    println(skip.file, ":", skip.line, " ", skip.reason, ": ", skip.message)
end
```
"""
struct CompilationSkip
    file::String
    line::Int
    statement::String
    reason::Symbol
    message::String
end

function Base.show(io::IO, skip::CompilationSkip)
    print(io, "CompilationSkip(", repr(skip.file), ", ", skip.line, ", ", repr(skip.statement), ", :",
          skip.reason, ", ", repr(skip.message), ")")
end

"""
    CompilationMetrics(succeeded, failed, skipped, total)
    CompilationMetrics()

What [`compile_traces`](@ref) did, for later introspection (e.g. to test that all statements of a
trace compile).

Public fields:
- `succeeded`: statements for which `precompile` returned `true`.
- `failed`: statements whose evaluation threw or for which `precompile` returned `false`,
  malformed lines, and statements needing a module that is not loaded.
- `skipped`: unsupported lines (code that is not a pure precompile statement, never evaluated),
  closures with `closures = :skip`, and signatures that `Base._methods_by_ftype` cannot resolve
  to a single method (overloaded `Vararg`, despecialized or abstract arguments). A signature with
  no method at all is a failure (`precompile` returns `false`).
- `total`: the sum of the three above.
- `duplicates`: statements dropped because they were seen before (not part of `total`).
- `failures`: a `Vector{`[`CompilationFailure`](@ref)`}`, one record per failed statement.
- `skips`: a `Vector{`[`CompilationSkip`](@ref)`}`, one record per skipped statement.

Two metrics are `==` when their four counts are equal (`duplicates`, `failures` and `skips` are
ignored).

# Examples
```jldoctest
julia> CompilationMetrics(1, 4, 2, 7)
CompilationMetrics(total: 7, succeeded: 1, failed: 4, skipped: 2)

julia> CompilationMetrics() == CompilationMetrics(0, 0, 0, 0)
true
```
"""
mutable struct CompilationMetrics
    succeeded::Int
    failed::Int
    skipped::Int
    total::Int
    duplicates::Int
    failures::Vector{CompilationFailure}
    skips::Vector{CompilationSkip}
end

CompilationMetrics(succeeded::Integer, failed::Integer, skipped::Integer, total::Integer) =
    CompilationMetrics(succeeded, failed, skipped, total, 0, CompilationFailure[], CompilationSkip[])
CompilationMetrics() = CompilationMetrics(0, 0, 0, 0)

Base.:(==)(a::CompilationMetrics, b::CompilationMetrics) =
    a.succeeded == b.succeeded && a.failed == b.failed && a.skipped == b.skipped && a.total == b.total

Base.hash(m::CompilationMetrics, h::UInt) =
    hash(m.total, hash(m.skipped, hash(m.failed, hash(m.succeeded, hash(0x6d6574726963735f % UInt, h)))))

function Base.show(io::IO, m::CompilationMetrics)
    print(io, "CompilationMetrics(total: ", m.total, ", succeeded: ", m.succeeded, ", failed: ", m.failed,
          ", skipped: ", m.skipped, ")")
end

"""
    CompileTracesError(metrics::CompilationMetrics)

Thrown by [`compile_traces`](@ref) with `strict = true` when at least one statement failed,
after every statement was tried. `metrics` holds the counts and the failure records.

# Example
```julia
try
    compile_traces(Main, "trace.jl"; strict = true)
catch error
    error isa CompileTracesError || rethrow()
    foreach(println, error.metrics.failures)
end
```
"""
struct CompileTracesError <: Exception
    metrics::CompilationMetrics
end

function Base.showerror(io::IO, e::CompileTracesError)
    m = e.metrics
    print(io, "CompileTracesError: ", m.failed, " of ", m.total, " precompile statements failed (",
          m.succeeded, " succeeded, ", m.skipped, " skipped):")
    for f in m.failures
        print(io, "\n  ", f.file, ":", f.line, ": ", f.reason, ": ", f.message, "\n    ", f.statement)
    end
end
