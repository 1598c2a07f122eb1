#=   39.1 ms =# precompile(Tuple{typeof(Fixture.g), Int64})
#=    0.2 ms =# precompile(Tuple{typeof(Fixture.k), Int64})
precompile(Tuple{Fixture.var"#1#2", Int64})
precompile(Fixture.g, (Int64,))
