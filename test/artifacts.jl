# Prebuilt libraries as platform artifacts (README, "Installation"): the lookup order, the entries
# contrib/artifacts.jl writes, and an offline install of an artifact packed the way the release
# workflow packs it, loaded by a copy of the package that has no deps/deps.jl.
# Included by runtests.jl; needs CompileTraces, Test and TOML loaded, and its `thrown`.

module ArtifactTests

using Test
using TOML
using CompileTraces
using Base.BinaryPlatforms: HostPlatform, Platform, arch, libc, os
import Main: thrown # the suite's helper, defined in runtests.jl

const CT = CompileTraces
const ROOT = dirname(@__DIR__)
const SCRIPT = joinpath(ROOT, "contrib", "artifacts.jl")
const SEP = Sys.iswindows() ? ';' : ':'

"""
A Julia child process: no startup file, standard libraries on the load path, this process's
environment changed by `env` (a value of `nothing` removes the variable).
"""
function julia(args::Vector{String}; env = Pair{String,Any}[], project = nothing)
    vars = Dict{String,String}(ENV)
    for (k, v) in Pair{String,Any}["JULIA_LOAD_PATH" => "@$(SEP)@stdlib", "JULIA_PROJECT" => nothing,
                                  "JULIA_COMPILE_TRACES_LIBRARY" => nothing, env...]
        v === nothing ? delete!(vars, k) : (vars[k] = string(v))
    end
    flags = project === nothing ? String[] : ["--project=$project"]
    return setenv(`$(Base.julia_cmd()) --startup-file=no $flags $args`, vars)
end

"Runs a child; returns (succeeded, stdout, stderr)."
function output(cmd::Cmd)
    out, err = IOBuffer(), IOBuffer()
    ok = success(pipeline(cmd; stdout = out, stderr = err))
    return ok, String(take!(out)), String(take!(err))
end

script(args::AbstractString...) = julia(String["--", SCRIPT, args...]) # `--`: the script's own options follow

"An Artifacts.toml listing `hash` for this machine's platform (as bind_artifact! writes it)."
function host_artifacts_toml(path, hash; platform = HostPlatform())
    entry = Dict{String,Any}("arch" => arch(platform), "os" => os(platform), "git-tree-sha1" => hash,
                             "lazy" => true)
    libc(platform) === nothing || (entry["libc"] = libc(platform))
    open(io -> TOML.print(io, Dict("compile_traces" => [entry])), path, "w")
    return path
end

file_url(path) = "file://" * (Sys.iswindows() ? "/" * replace(path, '\\' => '/') : path)

"A copy of the package (src, deps/build.jl, Project.toml, LICENSE): no deps/deps.jl, no target/."
function copy_package(dir)
    mkpath(joinpath(dir, "deps"))
    cp(joinpath(ROOT, "src"), joinpath(dir, "src"))
    cp(joinpath(ROOT, "deps", "build.jl"), joinpath(dir, "deps", "build.jl"))
    for f in ("Project.toml", "LICENSE")
        cp(joinpath(ROOT, f), joinpath(dir, f))
    end
    return dir
end

"PATH without any directory that holds cargo, so a child cannot fall back to building."
function path_without_cargo()
    exe = Sys.iswindows() ? "cargo.exe" : "cargo"
    dirs = filter(d -> !isempty(d) && !isfile(joinpath(d, exe)), split(get(ENV, "PATH", ""), SEP))
    return join(dirs, SEP)
end

const LIBRARY = CT.library_info().path # the library this session uses (the cargo build in CI)
const HOST = CT.platform_name(HostPlatform())

@testset "prebuilt library artifacts" begin
    platforms = let (ok, out, err) = output(script("platforms"))
        @test ok
        ok || println(err)
        ok ? [String(split(l)[1]) for l in split(strip(out), '\n')] : String[]
    end

    @testset "supported platforms" begin
        for required in ["x86_64-linux-gnu", "aarch64-linux-gnu", "x86_64-apple-darwin",
                         "aarch64-apple-darwin", "x86_64-w64-mingw32"]
            @test required in platforms
        end
        # The committed Artifacts.toml lists only platforms the script (and the workflow) builds.
        committed = TOML.parsefile(joinpath(ROOT, "Artifacts.toml"))
        @test issubset(keys(committed), ["compile_traces"])
        for entry in get(committed, "compile_traces", [])
            @test entry["lazy"] == true
            p = haskey(entry, "libc") ? Platform(entry["arch"], entry["os"]; libc = entry["libc"]) :
                Platform(entry["arch"], entry["os"])
            @test CT.platform_name(p) in platforms
        end
    end

    @testset "contrib/artifacts.jl entries select per platform" begin
        mktempdir() do dir
            # One fake tarball per platform, each with different bytes, so each has its own hash.
            tarballs = String[]
            for t in platforms
                fake = joinpath(dir, "fake-$t")
                write(fake, "not a library, for $t\n")
                ok, out, err = output(script("pack", fake, t, joinpath(dir, "dist"), "--tag", "capi-v0.0.0"))
                @test ok
                ok || println(err)
                push!(tarballs, String(strip(out)))
            end
            @test basename.(tarballs) == ["compile_traces-capi-v0.0.0-$t.tar.gz" for t in platforms]
            toml = joinpath(dir, "Artifacts.toml")
            base = "https://github.com/o/r/releases/download/capi-v0.0.0"
            ok, out, err = output(script("entries", base, tarballs..., "--all-platforms", "--output", toml))
            @test ok
            ok || println(err)
            @test out == read(toml, String)
            hashes = String[]
            for t in platforms
                meta = CT.Artifacts.artifact_meta("compile_traces", toml; platform = parse(Platform, t))
                @test meta !== nothing
                @test meta["lazy"] == true
                @test only(meta["download"])["url"] == "$base/compile_traces-capi-v0.0.0-$t.tar.gz"
                @test length(only(meta["download"])["sha256"]) == 64
                push!(hashes, meta["git-tree-sha1"])
            end
            @test allunique(hashes)
            # This machine selects its own entry.
            host = CT.Artifacts.artifact_meta("compile_traces", toml)
            HOST in platforms && @test host["git-tree-sha1"] == hashes[findfirst(==(HOST), platforms)]
            # A release that misses a platform is refused.
            ok, _, err = output(script("entries", base, tarballs[2:end]..., "--all-platforms"))
            @test !ok
            @test occursin("no tarball for $(platforms[1])", err)
            # So is a platform nobody supports.
            ok, _, err = output(script("pack", tarballs[1], "powerpc64le-linux-gnu", dir))
            @test !ok
            @test occursin("unsupported platform powerpc64le-linux-gnu", err)
        end
    end

    @testset "lookup order" begin
        mktempdir() do dir
            depot = joinpath(dir, "depot")
            deps_file = joinpath(dir, "deps.jl")
            write(deps_file, "const BUILT_LIBRARY = $(repr(LIBRARY))\n")
            no_output = joinpath(dir, "no-target")
            # Each case has its own artifact (hash, hence directory): the dynamic loader hands out
            # the library already loaded from a path again instead of reading the file anew.
            tree(case) = bytes2hex(codeunits(lpad(case, 20, '0'))) # a git-tree-sha1 per case
            artifact_library(case) = CT.artifact_library(joinpath(depot, "artifacts", tree(case)))
            toml(case; platform = HostPlatform(), name = case) =
                host_artifacts_toml(joinpath(dir, "$name.toml"), tree(case); platform = platform)
            function install(case, bytes)
                mkpath(dirname(artifact_library(case)))
                write(artifact_library(case), bytes)
            end
            candidates(case; env = "", deps = deps_file, artifacts = toml(case)) =
                CT.library_candidates(; env = env, artifacts_toml = artifacts, deps_file = deps,
                                      cargo_output = no_output)
            pushfirst!(DEPOT_PATH, depot)
            try
                # A valid artifact wins over the cargo build.
                install("valid", read(LIBRARY))
                chosen, skipped = @test_logs CT.resolve_library(candidates("valid"))
                @test chosen.origin === :artifact
                @test chosen.path == artifact_library("valid")
                @test isempty(skipped)

                # The environment variable wins over both.
                chosen, _ = CT.resolve_library(candidates("valid"; env = LIBRARY))
                @test chosen.origin === :environment
                @test chosen.path == LIBRARY
                # ... and never falls through when it is wrong.
                wrong = joinpath(dir, "nowhere", CT.library_filename())
                err = thrown(() -> CT.resolve_library(candidates("valid"; env = wrong)))
                @test err isa ErrorException
                @test occursin("JULIA_COMPILE_TRACES_LIBRARY is set", err.msg)
                @test occursin(wrong, err.msg)

                # A corrupt artifact falls through to the cargo build, with a warning that says why.
                install("corrupt", "this is not a shared library")
                chosen, skipped = @test_logs (:warn, r"not using the compile_traces artifact .*cannot be loaded.*Using the cargo build"s) CT.resolve_library(candidates("corrupt"))
                @test chosen.origin === :cargo
                @test chosen.path == LIBRARY
                @test only(skipped).origin === :artifact

                # So does an artifact without the library in it...
                mkpath(joinpath(depot, "artifacts", tree("empty")))
                @test_logs (:warn, r"has no .*compile_traces") CT.resolve_library(candidates("empty"))
                # ... and one that is listed but not installed (the warning says how to get it).
                chosen, _ = @test_logs (:warn, r"not installed in any depot.*Pkg\.build") CT.resolve_library(candidates("missing"))
                @test chosen.origin === :cargo

                # An artifact that is not listed for this platform is no reason to warn.
                other = toml("valid"; platform = Platform("powerpc64le", "linux"; libc = "glibc"), name = "other")
                chosen, _ = @test_logs CT.resolve_library(candidates("valid"; artifacts = other))
                @test chosen.origin === :cargo
                # Nor is a missing Artifacts.toml.
                none = joinpath(dir, "none.toml")
                chosen, _ = @test_logs CT.resolve_library(candidates("valid"; artifacts = none))
                @test chosen.origin === :cargo

                # With neither an artifact nor a cargo build, the error names all three fixes.
                err = thrown(() -> CT.resolve_library(candidates("missing"; deps = joinpath(dir, "no-deps.jl"))))
                @test err isa ErrorException
                @test occursin("no usable compile_traces library for $HOST", err.msg)
                @test occursin("not installed in any depot", err.msg)    # why the artifact failed
                @test occursin("nothing was built with cargo", err.msg)  # why cargo failed
                @test occursin("set JULIA_COMPILE_TRACES_LIBRARY", err.msg)               # fix 1
                @test occursin("install the prebuilt library", err.msg)                   # fix 2
                @test occursin("install Rust from https://rustup.rs", err.msg)            # fix 3
                @test occursin("Pkg.build(\"CompileTraces\")", err.msg)
            finally
                popfirst!(DEPOT_PATH)
            end
        end
    end

    @testset "library_info" begin
        info = CT.library_info()
        @test info.path == CT.libcompile_traces
        @test info.origin in (:environment, :artifact, :cargo)
        @test info.abi_version == Int(CT.ABI_VERSION)
        @test info.platform == HOST
    end

    if !(HOST in platforms)
        @info "Skipping the artifact install test: no artifact is built for $HOST"
    else
        @testset "offline install of a packed artifact, loaded without deps/deps.jl" begin
            mktempdir() do dir
                # Pack the library built here the way the release workflow does, and hash it.
                ok, out, err = output(script("pack", LIBRARY, HOST, joinpath(dir, "dist"), "--tag", "capi-test"))
                @test ok
                ok || println(err)
                tarball = String(strip(out))
                package = copy_package(joinpath(dir, "CompileTraces"))
                toml = joinpath(package, "Artifacts.toml")
                ok, _, err = output(script("entries", file_url(dirname(tarball)), tarball, "--output", toml))
                @test ok
                ok || println(err)
                meta = CT.Artifacts.artifact_meta("compile_traces", toml)
                tree = meta["git-tree-sha1"]

                depot = joinpath(dir, "depot")
                mkpath(depot)
                depots = join([depot; DEPOT_PATH], SEP)
                # Installing: deps/build.jl of the copy, as Pkg.build runs it. JULIA_PKG_OFFLINE is
                # unset for this step only: Pkg 1.10's artifact download ignores offline mode, but
                # deps/build.jl honours it (it downloads nothing then), and a file:// URL needs no
                # network. JULIA_PKG_SERVER="" keeps Pkg from trying the package server first.
                # No cargo on PATH: the build must not need it.
                install_env = ["JULIA_DEPOT_PATH" => depots, "JULIA_PKG_OFFLINE" => nothing,
                               "JULIA_PKG_SERVER" => "", "PATH" => path_without_cargo()]
                build = joinpath(package, "deps", "build.jl")
                ok, out, err = output(julia([build]; env = install_env, project = package))
                @test ok
                ok || println(out, err)
                @test occursin("Using the prebuilt compile_traces library for $HOST", err)
                @test !isfile(joinpath(package, "deps", "deps.jl")) # nothing was built
                installed = joinpath(depot, "artifacts", tree)
                @test isfile(CT.artifact_library(installed))
                @test isfile(joinpath(installed, "share", "licenses", "CompileTraces", "LICENSE"))

                # Loading: a fresh session of the copy finds the artifact and compiles a trace.
                trace = joinpath(dir, "trace.jl")
                write(trace, "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n")
                code = """
                    using CompileTraces
                    info = CompileTraces.library_info()
                    m = compile_traces(Main, $(repr(trace)))
                    println(info.origin, "|", info.path, "|", m.succeeded, "/", m.total)
                    """
                load_env = ["JULIA_DEPOT_PATH" => depots, "JULIA_PKG_PRECOMPILE_AUTO" => "0"]
                ok, out, err = output(julia(["-e", code]; env = load_env, project = package))
                @test ok
                ok || println(out, err)
                @test strip(out) == "artifact|$(CT.artifact_library(installed))|1/1"

                # The environment variable still wins over the installed artifact.
                env_first = [load_env; "JULIA_COMPILE_TRACES_LIBRARY" => LIBRARY]
                ok, out, err = output(julia(["-e", code]; env = env_first, project = package))
                @test ok
                ok || println(out, err)
                @test strip(out) == "environment|$LIBRARY|1/1"

                # Offline with the artifact missing and no cargo: deps/build.jl says all three fixes.
                chmod(installed, 0o755; recursive = true) # Pkg may install artifacts read-only
                rm(installed; recursive = true)
                offline_env = [install_env; "JULIA_PKG_OFFLINE" => "true"]
                ok, out, err = output(julia([build]; env = offline_env, project = package))
                @test !ok
                @test occursin("Pkg is offline", err)
                @test occursin("JULIA_COMPILE_TRACES_LIBRARY", err)
                @test occursin("rustup.rs", err)
            end
        end
    end
end

end # module ArtifactTests
