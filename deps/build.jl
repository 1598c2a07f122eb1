# Builds the compile_traces library (rust/capi) with cargo and records its path in deps/deps.jl,
# which src/library.jl includes. Run by `Pkg.build("CompileTraces")` (and on `Pkg.add`).
#
# To use a prebuilt library instead (the path a future JLL would take), set the environment
# variable JULIA_COMPILE_TRACES_LIBRARY to its path: then nothing is built here.

const ROOT = dirname(@__DIR__)
const DEPS_FILE = joinpath(@__DIR__, "deps.jl")

library_filename() =
    Sys.iswindows() ? "compile_traces.dll" : Sys.isapple() ? "libcompile_traces.dylib" : "libcompile_traces.so"

function write_deps(path::AbstractString)
    open(DEPS_FILE, "w") do io
        println(io, "# Written by deps/build.jl; do not edit.")
        println(io, "const BUILT_LIBRARY = ", repr(String(path)))
    end
end

function build()
    prebuilt = get(ENV, "JULIA_COMPILE_TRACES_LIBRARY", "")
    if !isempty(prebuilt)
        isfile(prebuilt) || error("JULIA_COMPILE_TRACES_LIBRARY is set to `", prebuilt,
                                  "`, which is not a file. Unset it to build the library with cargo, ",
                                  "or point it to a built ", library_filename(), ".")
        @info "Using the prebuilt compile_traces library from JULIA_COMPILE_TRACES_LIBRARY" prebuilt
        write_deps(prebuilt)
        return prebuilt
    end
    cargo = Sys.which("cargo")
    if cargo === nothing
        error("CompileTraces needs cargo (the Rust build tool) to build its library, and `cargo` is ",
              "not on PATH. Install Rust from https://rustup.rs (then restart Julia and run ",
              "`import Pkg; Pkg.build(\"CompileTraces\")`), or set JULIA_COMPILE_TRACES_LIBRARY to a ",
              "prebuilt ", library_filename(), ".")
    end
    target_dir = get(ENV, "CARGO_TARGET_DIR", "")
    target_dir = isempty(target_dir) ? joinpath(ROOT, "target") : abspath(ROOT, target_dir)
    cmd = `$cargo build --release --locked -p compile-traces-capi --target-dir $target_dir`
    @info "Building the compile_traces library" cmd
    run(Cmd(cmd; dir = ROOT))
    library = joinpath(target_dir, "release", library_filename())
    isfile(library) || error("cargo finished but `", library, "` does not exist; please report this.")
    write_deps(library)
    @info "Built the compile_traces library" library
    return library
end

build()
