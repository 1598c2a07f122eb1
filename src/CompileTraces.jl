"""
    CompileTraces

Compile the `precompile(...)` statements recorded in Julia trace files (`julia --trace-compile`
output, SnoopCompile files) safely and fast. Reading, parsing and filtering are done by a Rust
library through a C ABI; this package only evaluates the type signatures that library accepted,
after checking them again.

```julia
using CompileTraces
metrics = compile_traces(@__MODULE__, "precompile_traces.jl"; verbose = true)
```

See [`compile_traces`](@ref), [`@compile_traces`](@ref) and [`CompilationMetrics`](@ref).
"""
module CompileTraces

export compile_traces, @compile_traces, CompilationMetrics, CompilationFailure, CompileTracesError

include("library.jl")
include("ffi.jl")
include("metrics.jl")
include("evaluate.jl")
include("api.jl")

function __init__()
    # Chosen in each session (on first use), never baked in at precompile time, so that
    # JULIA_COMPILE_TRACES_LIBRARY or an installed artifact apply without re-precompiling.
    reset_library!()
end

end # module
