# Hand-written trace used by test/runtests.jl; the expected counts are in the test.
precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})
precompile(Tuple{typeof(Base.:(+)), Int64, Int64})

precompile(Tuple{typeof(Base.exit(0x01))})
precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})
precompile(Tuple{typeof(Base.getindex), Any, Any})
precompile(Tuple{typeof(Fixture.g), String})
precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})
