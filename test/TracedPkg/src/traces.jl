precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})
precompile(Tuple{typeof(TracedPkg.scaled), TracedPkg.Point, Int64})
precompile(Tuple{typeof(NotLoadedPkgXYZ.f), Int64})
