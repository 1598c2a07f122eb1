# The test suite of TracedPkg, run through `Pkg.test` by CompileTraces' record_test_traces tests
# (test/record.jl), which record the traces it produces.
using Test
using TracedPkg

@testset "TracedPkg" begin
    p = TracedPkg.Point(3.0, 4.0)
    @test TracedPkg.norm2(p) == 25.0
    q = TracedPkg.scaled(p, 2)
    @test (q.x, q.y) == (6.0, 8.0)
    @test TracedPkg.norm2(TracedPkg.scaled(p, 0.5)) == 6.25
    # While record_test_traces records, the package's `compile_traces` preference is false: it
    # compiled no trace of its own while it precompiled.
    if get(ENV, "TRACEDPKG_EXPECT_NO_OWN_TRACES", "") == "1"
        @test TracedPkg.METRICS.total == 0
    end
    # Lets the tests of record_test_traces make this suite fail on purpose.
    if get(ENV, "TRACEDPKG_FAIL", "") == "1"
        @test "a deliberate failure" == ""
    end
end
