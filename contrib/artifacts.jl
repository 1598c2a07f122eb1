# Packs built compile_traces libraries as artifact tarballs and computes their Artifacts.toml
# entries. The release workflow (.github/workflows/release.yml) runs it, a person can too, and the
# Julia tests (test/artifacts.jl) run it on a library built here. Needs Julia 1.6+ and the
# standard libraries only (run it without --project, or with "@stdlib" on JULIA_LOAD_PATH).
#
#   julia contrib/artifacts.jl platforms
#       One line per supported platform: the Julia triplet and the Rust target built for it.
#   julia contrib/artifacts.jl pack LIBRARY TRIPLET OUTDIR [--license FILE] [--tag TAG]
#       Writes OUTDIR/compile_traces-TAG-TRIPLET.tar.gz with the library under lib/ (bin/ on
#       Windows, the JLL layout) and the license under share/licenses/CompileTraces/; prints its path.
#   julia contrib/artifacts.jl entries URL_BASE TARBALL... [--output FILE] [--all-platforms]
#       Prints the Artifacts.toml for these tarballs (one lazy `compile_traces` entry each, with
#       url = URL_BASE/<tarball name>, its sha256 and the git-tree-sha1 of its contents, computed
#       the way Pkg checks them when it installs), and writes it to FILE if given.
#       --all-platforms fails unless every supported platform has exactly one tarball.

using Pkg
using SHA: sha256
using Base.BinaryPlatforms: Platform, os

const NAME = "compile_traces"

# Julia triplet => Rust target. The release workflow builds exactly these (a test checks that
# the two lists, and Artifacts.toml, agree).
const PLATFORMS = [
    "x86_64-linux-gnu" => "x86_64-unknown-linux-gnu",
    "aarch64-linux-gnu" => "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin" => "x86_64-apple-darwin",
    "aarch64-apple-darwin" => "aarch64-apple-darwin",
    "x86_64-w64-mingw32" => "x86_64-pc-windows-msvc",
]

const TRIPLETS = first.(PLATFORMS)

"The library's file name and directory inside the artifact, for a platform's OS."
function library_location(triplet::AbstractString)
    system = os(parse(Platform, triplet))
    system == "windows" && return ("bin", "compile_traces.dll")
    system == "macos" && return ("lib", "libcompile_traces.dylib")
    return ("lib", "libcompile_traces.so")
end

fail(msg...) = (println(stderr, "contrib/artifacts.jl: ", msg...); exit(2))

"Splits `--key value` options from positional arguments."
function options(args::Vector{String}, allowed::Vector{String})
    positional = String[]
    opts = Dict{String,String}()
    i = 1
    while i <= length(args)
        a = args[i]
        if startswith(a, "--")
            a in allowed || fail("unknown option $a")
            if a == "--all-platforms"
                opts[a] = "true"
            else
                i < length(args) || fail("$a needs a value")
                opts[a] = args[i + 1]
                i += 1
            end
        else
            push!(positional, a)
        end
        i += 1
    end
    return positional, opts
end

function pack(library::AbstractString, triplet::AbstractString, outdir::AbstractString;
              license::AbstractString = joinpath(dirname(@__DIR__), "LICENSE"), tag::AbstractString = "dev")
    triplet in TRIPLETS || fail("unsupported platform $triplet (supported: $(join(TRIPLETS, ", ")))")
    isfile(library) || fail("no library at $library")
    isfile(license) || fail("no license at $license")
    dir, filename = library_location(triplet)
    mkpath(outdir)
    tarball = joinpath(abspath(outdir), "$NAME-$tag-$triplet.tar.gz")
    mktempdir() do staging
        mkpath(joinpath(staging, dir))
        cp(library, joinpath(staging, dir, filename))
        chmod(joinpath(staging, dir, filename), 0o755)
        licenses = joinpath(staging, "share", "licenses", "CompileTraces")
        mkpath(licenses)
        cp(license, joinpath(licenses, "LICENSE"))
        chmod(joinpath(licenses, "LICENSE"), 0o644)
        # Tar.create (inside) writes a canonical tar: no times, owners or extra mode bits.
        Pkg.PlatformEngines.package(staging, tarball)
    end
    return tarball
end

"The supported triplet a tarball's name ends with (`compile_traces-TAG-TRIPLET.tar.gz`)."
function tarball_triplet(tarball::AbstractString)
    base = basename(tarball)
    endswith(base, ".tar.gz") || fail("$tarball is not a .tar.gz")
    stem = base[1:(end - length(".tar.gz"))]
    i = findfirst(t -> endswith(stem, "-" * t), TRIPLETS)
    i === nothing && fail("$base does not end with a supported platform ($(join(TRIPLETS, ", ")))")
    return TRIPLETS[i]
end

"sha256 of the file, and git-tree-sha1 of its unpacked contents as Pkg computes it on install."
function tarball_hashes(tarball::AbstractString, triplet::AbstractString)
    sha = bytes2hex(open(sha256, tarball))
    tree = mktempdir() do dir
        Pkg.PlatformEngines.unpack(tarball, dir)
        dir_name, filename = library_location(triplet)
        isfile(joinpath(dir, dir_name, filename)) ||
            fail("$tarball holds no $dir_name/$filename: not packed by `contrib/artifacts.jl pack`?")
        Base.SHA1(Pkg.GitTools.tree_hash(dir))
    end
    return sha, tree
end

const HEADER = """
    # Prebuilt compile_traces libraries: one lazy artifact per platform (see README, "Installation").
    # Written by contrib/artifacts.jl from the tarballs of one release; do not edit by hand.
    """

function entries(url_base::AbstractString, tarballs::Vector{String}; all_platforms::Bool = false)
    isempty(tarballs) && fail("no tarballs given")
    triplets = map(tarball_triplet, tarballs)
    for t in unique(triplets)
        count(==(t), triplets) == 1 || fail("more than one tarball for $t")
    end
    missing_platforms = setdiff(TRIPLETS, triplets)
    if all_platforms && !isempty(missing_platforms)
        fail("no tarball for $(join(missing_platforms, ", "))")
    end
    mktempdir() do dir
        toml = joinpath(dir, "Artifacts.toml")
        for (tarball, triplet) in zip(tarballs, triplets)
            sha, tree = tarball_hashes(tarball, triplet)
            url = rstrip(url_base, '/') * "/" * basename(tarball)
            Pkg.Artifacts.bind_artifact!(toml, NAME, tree; platform = parse(Platform, triplet),
                                         download_info = [(url, sha)], lazy = true, force = true)
        end
        return HEADER * read(toml, String)
    end
end

function main(args::Vector{String})
    isempty(args) && fail("usage: platforms | pack LIBRARY TRIPLET OUTDIR [--license FILE] [--tag TAG] | ",
                          "entries URL_BASE TARBALL... [--output FILE] [--all-platforms]")
    command = args[1]
    if command == "platforms"
        for (triplet, target) in PLATFORMS
            println(triplet, " ", target)
        end
    elseif command == "pack"
        positional, opts = options(args[2:end], ["--license", "--tag"])
        length(positional) == 3 || fail("pack takes LIBRARY TRIPLET OUTDIR")
        kwargs = (license = get(opts, "--license", joinpath(dirname(@__DIR__), "LICENSE")),
                  tag = get(opts, "--tag", "dev"))
        println(pack(positional...; kwargs...))
    elseif command == "entries"
        positional, opts = options(args[2:end], ["--output", "--all-platforms"])
        length(positional) >= 2 || fail("entries takes URL_BASE TARBALL...")
        text = entries(positional[1], positional[2:end]; all_platforms = haskey(opts, "--all-platforms"))
        haskey(opts, "--output") && write(opts["--output"], text)
        print(text)
    else
        fail("unknown command $command")
    end
end

if abspath(PROGRAM_FILE) == @__FILE__
    main(ARGS)
end
