# Locating the Rust library (rust/capi, built by deps/build.jl) and checking its ABI version.

"The ABI version of rust/capi this package was written for (`CT_ABI_VERSION` there)."
const ABI_VERSION = UInt32(2)

"Environment variable naming a prebuilt library to use instead of the one deps/build.jl built."
const LIBRARY_ENV = "JULIA_COMPILE_TRACES_LIBRARY"

const PACKAGE_ROOT = dirname(@__DIR__)
const DEPS_FILE = joinpath(PACKAGE_ROOT, "deps", "deps.jl")

"""
    built_library() -> String

The library path that deps/build.jl recorded in deps/deps.jl (`const BUILT_LIBRARY = "<path>"`),
or `""` when there is none. Read when the package loads rather than baked in when it
precompiles: a cache made before the build (or before a rebuild into another target directory)
then still finds the library. The file is parsed, never evaluated.
"""
function built_library()
    isfile(DEPS_FILE) || return ""
    for line in eachline(DEPS_FILE)
        ex = Meta.parse(line; raise = false)
        if Meta.isexpr(ex, :const, 1) && Meta.isexpr(ex.args[1], :(=), 2) &&
           ex.args[1].args[1] === :BUILT_LIBRARY && ex.args[1].args[2] isa String
            return ex.args[1].args[2]
        end
    end
    return ""
end

native_path(path::AbstractString) = Sys.iswindows() ? replace(String(path), '/' => '\\') : String(path)

library_filename() =
    Sys.iswindows() ? "compile_traces.dll" : Sys.isapple() ? "libcompile_traces.dylib" : "libcompile_traces.so"

# A plain (non-const) global: `@ccall libcompile_traces.f(...)` reads it at call time, so the
# path chosen in `__init__` (at load time, also while a dependent package precompiles) is used,
# never a path frozen into this package's precompile cache. A non-constant library name needs
# Julia 1.6 (JuliaLang/julia#37123). Each call site resolves its function once and keeps it, so
# pointing this at another library after the first call has no effect until Julia restarts.
libcompile_traces = ""
const LIBRARY_ORIGIN = Ref("")
const LIBRARY_CHECKED = Ref(false)

function find_library()
    from_env = get(ENV, LIBRARY_ENV, "")
    if !isempty(from_env)
        return (native_path(from_env), "the environment variable $LIBRARY_ENV")
    end
    built = built_library()
    if !isempty(built)
        return (native_path(built), "deps/deps.jl (written by deps/build.jl)")
    end
    default = joinpath(PACKAGE_ROOT, "target", "release", library_filename())
    return (default, "the default cargo output location")
end

function set_library_path!()
    global libcompile_traces
    path, origin = find_library()
    libcompile_traces = path
    LIBRARY_ORIGIN[] = origin
    LIBRARY_CHECKED[] = false
    return path
end

"""
    ensure_library()

Throws a clear error, saying how to fix it, when the library is missing or was built for another
ABI version. Checked once per session (again after `set_library_path!`).
"""
function ensure_library()
    LIBRARY_CHECKED[] && return nothing
    path = libcompile_traces
    if isempty(path) || !isfile(path)
        error("CompileTraces: the compile_traces library was not found at `", path, "` (from ",
              LIBRARY_ORIGIN[], "). Build it with `import Pkg; Pkg.build(\"CompileTraces\")` ",
              "(requires cargo, from https://rustup.rs), or set ", LIBRARY_ENV,
              " to the path of a prebuilt ", library_filename(), ".")
    end
    version = @ccall libcompile_traces.ct_abi_version()::UInt32
    if version != ABI_VERSION
        error("CompileTraces: the library at `", path, "` has ABI version ", Int(version),
              " but this package needs version ", Int(ABI_VERSION),
              ". Rebuild it with `import Pkg; Pkg.build(\"CompileTraces\")`.")
    end
    LIBRARY_CHECKED[] = true
    return nothing
end
