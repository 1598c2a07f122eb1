precompile(Tuple{typeof(Fixture.h), Val{Char(0x55000000)}})
precompile(Tuple{typeof(Fixture.h), Val{Fixture.NotPrimitive(0x01)}})
precompile(Tuple{typeof(Fixture.h), Val{Char(0x55)}})
