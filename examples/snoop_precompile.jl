const __bodyfunction__ = Dict{Method,Any}()

# Written by SnoopCompile's `write`: the helper below finds keyword body functions by their
# method instead of their gensymmed name (used by the `let fbody` block further down).
function __lookup_kwbody__(mnokw::Method)
    f = get(__bodyfunction__, mnokw, nothing)
    if f === nothing
        ast = Base.uncompressed_ast(mnokw)
        f = isa(ast, Core.CodeInfo) ? getfield(mnokw.module, ast.code[end-1].args[1]) : missing
        __bodyfunction__[mnokw] = f
    end
    return f
end

function _precompile_()
    ccall(:jl_generating_output, Cint, ()) == 1 || return nothing
    Base.precompile(Tuple{typeof(tally),String})   # time: 0.21475011
    Base.precompile(Tuple{typeof(top),Dict{String, Int64},Int64})   # time: 0.08312034
    Base.precompile(Tuple{Core.kwftype(typeof(report)),NamedTuple{(:width,), Tuple{Int64}},typeof(report),Base.TTY,Vector{Pair{String, Int64}}})   # time: 0.041230552
    Base.precompile(Tuple{typeof(frequencies),Dict{String, Int64}})   # time: 0.012309815
    Base.precompile(Tuple{typeof(tally),SubString{String}})   # time: 0.0061204997
    isdefined(WordTally, Symbol("#format_row#3")) && Base.precompile(Tuple{getfield(WordTally, Symbol("#format_row#3")),Pair{String, Int64}})   # time: 0.0032219
    let fbody = try __lookup_kwbody__(which(report, (Base.TTY,Vector{Pair{String, Int64}},))) catch missing end
        if !ismissing(fbody)
            precompile(fbody, (Int64,typeof(report),Base.TTY,Vector{Pair{String, Int64}},))
        end
    end   # time: 0.02077161
    Base.precompile(Tuple{typeof(==),SubString{String},String})   # time: 0.0011022
end
