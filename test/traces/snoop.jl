# SnoopCompile-style file: names relative to the module (compile with inline = true in Fixture).
function _precompile_()
    ccall(:jl_generating_output, Cint, ()) == 1 || return nothing
    Base.precompile(Tuple{typeof(g), Int64})   # time: 0.0123
    Base.precompile(Tuple{typeof(h), Val{Char(0x55000000)}})   # time: 0.0004
end
