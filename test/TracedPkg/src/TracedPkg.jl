# A package that compiles a trace while it precompiles, as users of CompileTraces do.
# Used by test/runtests.jl in a subprocess (written, not run: no Julia where this was written).
module TracedPkg

using CompileTraces

struct Point
    x::Float64
    y::Float64
end

norm2(p::Point) = p.x^2 + p.y^2
scaled(p::Point, k::Real) = Point(k * p.x, k * p.y)

# Computed while the package precompiles and saved in its cache; the test reads it back.
const METRICS = @compile_traces "traces.jl"

end # module
