# Locating the Rust library (rust/capi) and checking its ABI version.
#
# THE LOOKUP ORDER (decided here and nowhere else; deps/build.jl includes this file, README's
# "Installation" section describes it):
#
#   1. JULIA_COMPILE_TRACES_LIBRARY: an explicit path, used as is. It never falls through: a
#      wrong path is an error, not a silent switch to another library.
#   2. The artifact that Artifacts.toml lists for this platform (a prebuilt library from a release,
#      installed into a depot by deps/build.jl). Listed but unusable (not installed, no library
#      inside, does not load, another ABI version) falls through with a warning that says why.
#      Not listed at all (no Artifacts.toml entry for this platform) falls through silently.
#   3. The library deps/build.jl built with cargo (its path is in deps/deps.jl), or, in a checkout
#      without deps/deps.jl, cargo's default output target/release/.
#   4. Otherwise an error that names the three ways to fix it.
#
# Every candidate is loaded and its `ct_abi_version` compared with ABI_VERSION before it is used.

import Artifacts
using Base.BinaryPlatforms: AbstractPlatform, HostPlatform, Platform, arch, libc, os, triplet

"The ABI version of rust/capi this package was written for (`CT_ABI_VERSION` there)."
const ABI_VERSION = UInt32(3)

"Environment variable naming a prebuilt library to use instead of the artifact or the cargo build."
const LIBRARY_ENV = "JULIA_COMPILE_TRACES_LIBRARY"

"Name of the artifact in Artifacts.toml (one lazy entry per platform)."
const ARTIFACT_NAME = "compile_traces"

const PACKAGE_ROOT = dirname(@__DIR__)
const DEPS_FILE = joinpath(PACKAGE_ROOT, "deps", "deps.jl")
const ARTIFACTS_TOML = joinpath(PACKAGE_ROOT, "Artifacts.toml")
const CARGO_OUTPUT = joinpath(PACKAGE_ROOT, "target", "release")

const BUILD_HINT = "import Pkg; Pkg.build(\"CompileTraces\")"

library_filename() =
    Sys.iswindows() ? "compile_traces.dll" : Sys.isapple() ? "libcompile_traces.dylib" : "libcompile_traces.so"

"Where the library sits inside an artifact: `bin/` on Windows, `lib/` elsewhere (the JLL layout)."
artifact_library(dir::AbstractString) = joinpath(dir, Sys.iswindows() ? "bin" : "lib", library_filename())

native_path(path::AbstractString) = Sys.iswindows() ? replace(String(path), '/' => '\\') : String(path)

"`x86_64-linux-gnu`-style name of a platform, without the tags HostPlatform() carries."
function platform_name(p::AbstractPlatform)
    c = libc(p)
    plain = c === nothing ? Platform(arch(p), os(p)) : Platform(arch(p), os(p); libc = c)
    return triplet(plain)
end

"""
    built_library(deps_file = DEPS_FILE) -> String

The library path that deps/build.jl recorded in deps/deps.jl (`const BUILT_LIBRARY = "<path>"`),
or `""` when there is none. Read when the package loads rather than baked in when it
precompiles: a cache made before the build (or before a rebuild into another target directory)
then still finds the library. The file is parsed, never evaluated.
"""
function built_library(deps_file::AbstractString = DEPS_FILE)
    isfile(deps_file) || return ""
    for line in eachline(deps_file)
        ex = Meta.parse(line; raise = false)
        if Meta.isexpr(ex, :const, 1) && Meta.isexpr(ex.args[1], :(=), 2) &&
           ex.args[1].args[1] === :BUILT_LIBRARY && ex.args[1].args[2] isa String
            return ex.args[1].args[2]
        end
    end
    return ""
end

"""
One place the library may come from. `problem` is `""` while it looks usable (the file exists);
`listed` is false for an artifact that Artifacts.toml does not list for this platform, which is
not worth a warning.
"""
struct Candidate
    origin::Symbol   # :environment, :artifact or :cargo
    path::String     # "" when there is no file to try
    source::String   # where the path came from, for messages and library_info()
    problem::String
    listed::Bool
end

Candidate(origin, path, source, problem) = Candidate(origin, path, source, problem, true)

"""
    artifact_candidate(artifacts_toml; platform, pkg_uuid) -> Candidate

The artifact `ARTIFACT_NAME` that `artifacts_toml` lists for `platform`, if it is installed in a
depot (`Artifacts.artifact_exists`, which also honours a depot's Overrides.toml).
"""
function artifact_candidate(artifacts_toml::AbstractString = ARTIFACTS_TOML;
                            platform::AbstractPlatform = HostPlatform(),
                            pkg_uuid::Union{Base.UUID,Nothing} = own_uuid())
    name = platform_name(platform)
    source = "the $ARTIFACT_NAME artifact for $name"
    if !isfile(artifacts_toml)
        return Candidate(:artifact, "", source, "there is no Artifacts.toml ($artifacts_toml)", false)
    end
    meta = try
        Artifacts.artifact_meta(ARTIFACT_NAME, String(artifacts_toml); platform = platform, pkg_uuid = pkg_uuid)
    catch err
        return Candidate(:artifact, "", source,
                         "$artifacts_toml cannot be read: $(sprint(showerror, err))")
    end
    if meta === nothing
        return Candidate(:artifact, "", source,
                         "Artifacts.toml lists no $ARTIFACT_NAME artifact for $name", false)
    end
    hash = tryparse(Base.SHA1, string(get(meta, "git-tree-sha1", "")))
    if hash === nothing
        return Candidate(:artifact, "", source,
                         "its Artifacts.toml entry has no valid git-tree-sha1 ($artifacts_toml)")
    end
    if !Artifacts.artifact_exists(hash)
        return Candidate(:artifact, "", source,
                         "it is not installed in any depot (git-tree-sha1 $(bytes2hex(hash.bytes))); " *
                         "`$BUILD_HINT` downloads it")
    end
    dir = Artifacts.artifact_path(hash)
    path = artifact_library(dir)
    isfile(path) || return Candidate(:artifact, "", source, "the installed artifact $dir has no $path")
    return Candidate(:artifact, path, "$source ($dir)", "")
end

own_uuid() = Base.PkgId(@__MODULE__).uuid

"The library built with cargo: the path in deps/deps.jl, else cargo's default output directory."
function cargo_candidate(deps_file::AbstractString = DEPS_FILE, cargo_output::AbstractString = CARGO_OUTPUT)
    built = built_library(deps_file)
    if !isempty(built)
        path = native_path(built)
        isfile(path) || return Candidate(:cargo, "", "deps/deps.jl", "deps/deps.jl names $path, which does not exist")
        return Candidate(:cargo, path, "the cargo build recorded in deps/deps.jl", "")
    end
    default = joinpath(cargo_output, library_filename())
    isfile(default) && return Candidate(:cargo, default, "cargo's default output directory", "")
    return Candidate(:cargo, "", "deps/deps.jl",
                     "nothing was built with cargo (no deps/deps.jl, no $default)")
end

"""
    library_candidates(; env, artifacts_toml, deps_file, cargo_output, platform) -> Vector{Candidate}

The candidates in lookup order (see the top of this file). Cheap: looks at files, loads nothing.
The keywords exist for the tests; the package uses the defaults.
"""
function library_candidates(; env::AbstractString = get(ENV, LIBRARY_ENV, ""),
                            artifacts_toml::AbstractString = ARTIFACTS_TOML,
                            deps_file::AbstractString = DEPS_FILE,
                            cargo_output::AbstractString = CARGO_OUTPUT,
                            platform::AbstractPlatform = HostPlatform())
    if !isempty(env)
        path = native_path(env)
        problem = isfile(path) ? "" : "`$path` is not a file"
        return [Candidate(:environment, path, "the environment variable $LIBRARY_ENV", problem)]
    end
    return [artifact_candidate(artifacts_toml; platform = platform),
            cargo_candidate(deps_file, cargo_output)]
end

"""
    load_problem(path) -> String

Opens the library at `path` and asks it for its ABI version: `""` when it is a compile_traces
library of `ABI_VERSION`, else why not. A rejected library is closed again. Uses a function
pointer rather than `@ccall libcompile_traces...`, whose call site binds to the first library
it sees and so could not try a second one.
"""
function load_problem(path::AbstractString)
    isfile(path) || return "`$path` does not exist"
    handle = try
        Base.Libc.Libdl.dlopen(path)
    catch err
        return "`$path` cannot be loaded: $(sprint(showerror, err))"
    end
    fptr = Base.Libc.Libdl.dlsym(handle, :ct_abi_version; throw_error = false)
    problem = if fptr === nothing
        "`$path` is not a compile_traces library (it exports no ct_abi_version)"
    else
        version = ccall(fptr, UInt32, ())
        version == ABI_VERSION ? "" :
        "`$path` has ABI version $(Int(version)) but this package needs version $(Int(ABI_VERSION))"
    end
    isempty(problem) || Base.Libc.Libdl.dlclose(handle)
    return problem
end

"The error raised when no candidate can be used: what was tried, and the three fixes."
function no_library_message(tried::Vector{Candidate}, platform::AbstractPlatform = HostPlatform())
    lines = ["CompileTraces: no usable compile_traces library for $(platform_name(platform)).",
             "Tried:"]
    for c in tried
        push!(lines, "  - $(c.source): $(c.problem)")
    end
    push!(lines, "Fix it in one of three ways:",
          "  1. set $LIBRARY_ENV to the path of a built $(library_filename()) (then restart Julia);",
          "  2. install the prebuilt library: `$BUILD_HINT` with network access downloads the artifact " *
          "Artifacts.toml lists for this platform (if this version lists one);",
          "  3. build it with cargo: install Rust from https://rustup.rs, restart Julia, then `$BUILD_HINT` " *
          "(or, with no package registry at hand, `julia --project=$(PACKAGE_ROOT) $(joinpath(PACKAGE_ROOT, "deps", "build.jl"))`).")
    return join(lines, '\n')
end

"""
    resolve_library(candidates = library_candidates()) -> (chosen::Candidate, skipped::Vector{Candidate})

Tries the candidates in order and returns the first that loads with the right ABI version,
logging a warning for each listed artifact it had to skip. Throws an `ErrorException` when
`JULIA_COMPILE_TRACES_LIBRARY` names an unusable library, or when no candidate is usable (the
message names the three fixes).
"""
function resolve_library(candidates::Vector{Candidate} = library_candidates())
    tried = Candidate[]
    for c in candidates
        problem = isempty(c.problem) ? load_problem(c.path) : c.problem
        if isempty(problem)
            for s in tried
                s.listed && s.origin === :artifact &&
                    @warn "CompileTraces: not using $(s.source): $(s.problem). Using $(c.source) instead: $(c.path)"
            end
            return c, tried
        end
        c = Candidate(c.origin, c.path, c.source, problem, c.listed)
        if c.origin === :environment
            error("CompileTraces: $LIBRARY_ENV is set, but $problem. Point it to a built ",
                  library_filename(), " (ABI version $(Int(ABI_VERSION))), or unset it to use the ",
                  "prebuilt artifact or the library built with cargo (`$BUILD_HINT`).")
        end
        push!(tried, c)
    end
    error(no_library_message(tried))
end

# A plain (non-const) global: `@ccall libcompile_traces.f(...)` reads it at call time, so the
# path chosen at load time (also while a dependent package precompiles) is used, never a path
# frozen into this package's precompile cache. A non-constant library name needs Julia 1.6
# (JuliaLang/julia#37123). Each call site resolves its function once and keeps it, so pointing
# this at another library after the first call has no effect until Julia restarts.
libcompile_traces = ""
const LIBRARY_CHOICE = Ref{Union{Candidate,Nothing}}(nothing)
const LIBRARY_CHECKED = Ref(false)
const LIBRARY_ABI = Ref{UInt32}(0)

"Forgets the library chosen so far: the next `ensure_library` chooses again. Run by `__init__`."
function reset_library!()
    global libcompile_traces = ""
    LIBRARY_CHOICE[] = nothing
    LIBRARY_CHECKED[] = false
    return nothing
end

"""
    set_library_path!() -> String

Forgets the library chosen so far and points `libcompile_traces` at the first candidate whose
file exists (loading nothing; `ensure_library` checks it and chooses for good).
"""
function set_library_path!()
    global libcompile_traces
    reset_library!()
    candidates = library_candidates()
    i = something(findfirst(c -> isempty(c.problem), candidates), length(candidates))
    libcompile_traces = candidates[i].path
    return libcompile_traces
end

"""
    ensure_library()

Chooses the library (see the lookup order at the top of src/library.jl) and checks its ABI
version, once per session (again after `set_library_path!`). Throws an `ErrorException` that
says how to fix it when there is no usable library.
"""
function ensure_library()
    LIBRARY_CHECKED[] && return nothing
    global libcompile_traces
    chosen, _ = resolve_library()
    libcompile_traces = chosen.path
    # Through the same binding every other call uses: the version of the library they will call.
    version = @ccall libcompile_traces.ct_abi_version()::UInt32
    if version != ABI_VERSION
        error("CompileTraces: the library at `", chosen.path, "` has ABI version ", Int(version),
              " but this package needs version ", Int(ABI_VERSION), ". Restart Julia; if this persists, ",
              "rebuild it with `", BUILD_HINT, "`.")
    end
    LIBRARY_ABI[] = version
    LIBRARY_CHOICE[] = chosen
    LIBRARY_CHECKED[] = true
    return nothing
end

"""
    CompileTraces.library_info() -> NamedTuple

Which compile_traces library this session uses, and why. Chooses it first if no call has yet
(see "Installation" in the README for the lookup order). Fields:

- `path::String`: the shared library file;
- `origin::Symbol`: `:environment` (`JULIA_COMPILE_TRACES_LIBRARY`), `:artifact` (the prebuilt
  library of this platform) or `:cargo` (built by `deps/build.jl`);
- `source::String`: the same in words, with the artifact directory or deps/deps.jl;
- `abi_version::Int`: the ABI version the library reports;
- `platform::String`: this machine's platform, as Artifacts.toml names it (`x86_64-linux-gnu`).

Throws an `ErrorException` naming the three ways to fix it when no usable library is found.

# Example
```julia
julia> CompileTraces.library_info().origin
:artifact
```
"""
function library_info()
    ensure_library()
    chosen = LIBRARY_CHOICE[]::Candidate
    return (path = chosen.path, origin = chosen.origin, source = chosen.source,
            abi_version = Int(LIBRARY_ABI[]), platform = platform_name(HostPlatform()))
end

# Compiled into the package image, so that the first call of a session does not compile the
# lookup. Measured on Julia 1.10.8 (2 cores, busy): the first ensure_library takes 9 ms instead
# of 250 ms, and `using CompileTraces` 22 ms instead of 6 ms (loading the compiled code).
precompile(ensure_library, ())
precompile(resolve_library, (Vector{Candidate},))
precompile(library_candidates, ())
precompile(load_problem, (String,))
precompile(no_library_message, (Vector{Candidate},))
precompile(library_info, ())
