# Provides the compile_traces library for this platform. Run by `Pkg.build("CompileTraces")`
# (and by `Pkg.add`). In the order src/library.jl looks the library up:
#
#   1. JULIA_COMPILE_TRACES_LIBRARY is set: nothing to do (the package loads that file).
#   2. Artifacts.toml lists a prebuilt library for this platform: install that artifact into the
#      depot (download, sha256 and git-tree-sha1 checked by Pkg), check that it loads with the
#      right ABI version, and do nothing else. If that fails, warn why and go on to 3.
#   3. Build rust/capi with cargo and record the library's path in deps/deps.jl.
#
# With JULIA_PKG_OFFLINE=true nothing is downloaded (an artifact already in a depot is used).
# Runs in Pkg's build environment: the package's dependencies plus the `build` target (Pkg).

using Pkg

# The lookup rules themselves (one definition, shared with the package).
module Lookup
include(joinpath(dirname(@__DIR__), "src", "library.jl"))
end

const ROOT = dirname(@__DIR__)
const DEPS_FILE = joinpath(@__DIR__, "deps.jl")
const ARTIFACTS_TOML = joinpath(ROOT, "Artifacts.toml")

function write_deps(path::AbstractString)
    open(DEPS_FILE, "w") do io
        println(io, "# Written by deps/build.jl; do not edit.")
        println(io, "const BUILT_LIBRARY = ", repr(String(path)))
    end
end

package_uuid() = Base.UUID(Pkg.TOML.parsefile(joinpath(ROOT, "Project.toml"))["uuid"])

offline() = lowercase(get(ENV, "JULIA_PKG_OFFLINE", "")) in ("true", "1", "yes", "t", "y")

"""
Installs and checks the artifact for this platform. Returns `(true, path)` when it is usable,
`(false, why)` when it is listed but unusable, `nothing` when Artifacts.toml lists none.
"""
function try_artifact()
    uuid = package_uuid()
    c = Lookup.artifact_candidate(ARTIFACTS_TOML; pkg_uuid = uuid)
    c.listed || return nothing
    if isempty(c.path) # not installed (or broken): ensure_artifact_installed downloads what is missing
        offline() && return (false, "$(c.problem) (Pkg is offline, JULIA_PKG_OFFLINE: nothing was downloaded)")
        try
            Pkg.Artifacts.ensure_artifact_installed(Lookup.ARTIFACT_NAME, ARTIFACTS_TOML; pkg_uuid = uuid)
        catch err
            return (false, "installing it failed: " * sprint(showerror, err))
        end
        c = Lookup.artifact_candidate(ARTIFACTS_TOML; pkg_uuid = uuid)
    end
    problem = isempty(c.problem) ? Lookup.load_problem(c.path) : c.problem
    return isempty(problem) ? (true, c.path) : (false, problem)
end

function cargo_build(tried::Vector)
    cargo = Sys.which("cargo")
    if cargo === nothing
        push!(tried, Lookup.Candidate(:cargo, "", "a build with cargo", "`cargo` (the Rust build tool) is not on PATH"))
        error(Lookup.no_library_message(tried))
    end
    target_dir = get(ENV, "CARGO_TARGET_DIR", "")
    target_dir = isempty(target_dir) ? joinpath(ROOT, "target") : abspath(ROOT, target_dir)
    cmd = `$cargo build --release --locked -p compile-traces-capi --target-dir $target_dir`
    @info "Building the compile_traces library" cmd
    run(Cmd(cmd; dir = ROOT))
    library = joinpath(target_dir, "release", Lookup.library_filename())
    isfile(library) || error("cargo finished but `", library, "` does not exist; please report this.")
    write_deps(library)
    @info "Built the compile_traces library" library
    return library
end

function build()
    prebuilt = get(ENV, Lookup.LIBRARY_ENV, "")
    if !isempty(prebuilt)
        isfile(prebuilt) || error(Lookup.LIBRARY_ENV, " is set to `", prebuilt, "`, which is not a file. ",
                                  "Unset it to use the prebuilt artifact or build with cargo, or point it ",
                                  "to a built ", Lookup.library_filename(), ".")
        @info "$(Lookup.LIBRARY_ENV) is set: nothing to build, the package loads that library" prebuilt
        return prebuilt
    end
    platform = Lookup.platform_name(Lookup.HostPlatform())
    artifact = try_artifact()
    source = "the $(Lookup.ARTIFACT_NAME) artifact for $platform"
    tried = Lookup.Candidate[]
    if artifact === nothing
        @info "No prebuilt compile_traces library for $platform in Artifacts.toml: building it with cargo."
        push!(tried, Lookup.Candidate(:artifact, "", source, "Artifacts.toml lists none", false))
    elseif artifact[1]
        @info "Using the prebuilt compile_traces library for $platform: nothing to build." library = artifact[2]
        return artifact[2]
    else
        @warn "The prebuilt compile_traces library for $platform cannot be used: $(artifact[2]). Building it with cargo instead."
        push!(tried, Lookup.Candidate(:artifact, "", source, artifact[2]))
    end
    return cargo_build(tried)
end

build()
