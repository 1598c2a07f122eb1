# BinaryBuilder recipe for CompileTraces_jll: the file a maintainer submits to Yggdrasil
# (as C/CompileTraces/build_tarballs.jl) once a release of the library exists. Not run by this
# repository's tests or CI (BinaryBuilder needs Linux with Docker or its sandbox); to try it:
#   julia --project=@bb -e 'import Pkg; Pkg.add("BinaryBuilder")'
#   julia --project=@bb contrib/yggdrasil/build_tarballs.jl --verbose --debug x86_64-linux-gnu
# See README, "Installation", for switching the package to the JLL once it is registered.
using BinaryBuilder, Pkg

name = "CompileTraces"
# The version of compile-traces-capi (Cargo.toml), the one its `capi-v<version>` tag names.
# CompileTraces.jl checks the library's ABI version (CT_ABI_VERSION) when it loads it.
version = v"0.1.0"

sources = [
    # Fill in the commit of the `capi-v<version>` tag.
    GitSource("https://github.com/compile-traces/CompileTraces.jl.git",
              "0000000000000000000000000000000000000000"),
]

# BinaryBuilder sets CARGO_BUILD_TARGET to ${rust_target}. A Rust cdylib is named
# libcompile_traces.so / .dylib, but compile_traces.dll on Windows: installed as is, under the
# names the LibraryProduct lists.
script = raw"""
cd ${WORKSPACE}/srcdir/CompileTraces.jl
cargo build --release --locked -p compile-traces-capi
if [[ "${target}" == *-mingw* ]]; then
    install -Dvm 755 "target/${rust_target}/release/compile_traces.${dlext}" "${libdir}/compile_traces.${dlext}"
else
    install -Dvm 755 "target/${rust_target}/release/libcompile_traces.${dlext}" "${libdir}/libcompile_traces.${dlext}"
fi
install_license LICENSE
"""

# Every platform BinaryBuilder's Rust toolchain builds a cdylib for.
platforms = supported_platforms()
# The Rust toolchain for i686 Windows is unusable.
filter!(p -> !(Sys.iswindows(p) && arch(p) == "i686"), platforms)
# Rust does not build cdylibs for musl targets.
filter!(p -> libc(p) != "musl", platforms)

products = [
    LibraryProduct(["libcompile_traces", "compile_traces"], :libcompile_traces),
]

dependencies = Dependency[]

# The workspace's Cargo.lock (format 4) and rust-version need a recent toolchain: if the default
# one is older than rust-version in Cargo.toml, add `preferred_rust_version = v"<that version>"`.
build_tarballs(ARGS, name, version, sources, script, platforms, products, dependencies;
               compilers = [:c, :rust], julia_compat = "1.6", lazy_artifacts = true)
