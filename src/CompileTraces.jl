"""
    CompileTraces

Compile the `precompile(...)` statements recorded in Julia trace files (`julia --trace-compile`
output, SnoopCompile files) safely and fast. Reading, parsing and filtering are done by a Rust
library through a C ABI, which also hands over each accepted signature's parse tree; this
package builds the types from those trees with builtins only, never evaluating trace text.

```julia
using CompileTraces
metrics = compile_traces(@__MODULE__, "precompile_traces.jl"; verbose = true)
```

See [`compile_traces`](@ref), [`@compile_traces`](@ref) and [`CompilationMetrics`](@ref); to
record traces and measure what they cover, [`record_traces`](@ref),
[`record_test_traces`](@ref) and [`trace_coverage`](@ref).
"""
module CompileTraces

export compile_traces, @compile_traces, CompilationMetrics, CompilationFailure, CompilationSkip, CompileTracesError
export record_traces, record_test_traces, generate_precompilation_traces, trace_coverage,
       TraceRecording, TraceCoverage

include("library.jl")
include("ffi.jl")
include("metrics.jl")
include("evaluate.jl")
include("api.jl")
include("record.jl")

function __init__()
    # Chosen in each session (on first use), never baked in at precompile time, so that
    # JULIA_COMPILE_TRACES_LIBRARY or an installed artifact apply without re-precompiling.
    reset_library!()
end

end # module
