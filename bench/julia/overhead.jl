# The Julia side's overhead per statement, against the old path, on a real trace.
#
#     julia --project bench/julia/overhead.jl [TRACE] [--reps N]
#
# TRACE defaults to ../shared/corpus/trace/generated__julia-1.10.8__stdlib-tests.jl (beside the
# checkout; COMPILE_TRACES_CORPUS names another corpus directory). In one process: loads the
# standard libraries the trace names, compiles everything once (the cold run), then times, N
# times interleaved (default 5), a second `compile_traces` run (the tool's own overhead: every
# signature is already compiled) and the old path on the same statements (`Core.eval` of the
# `Meta.parse`d signature in a module with the roots bound, then `precompile`), and prints the
# medians and their ratio (target: <= 0.2), with a breakdown of the warm run by phase. It then
# times, each in a fresh process, the cold `compile_traces` run and a plain `include` of the
# same statements' lines (those that build and compile; the others would stop the include).
# Not a test: nothing is asserted.

using CompileTraces
using CompileTraces: ReadOptions, read_traces, EvalContext, Rejected, build_type, statement_roots,
                     CT_KIND_STATEMENT

function median(xs)
    s = sort(collect(xs))
    n = length(s)
    return isodd(n) ? s[(n + 1) ÷ 2] : (s[n ÷ 2] + s[n ÷ 2 + 1]) / 2
end

function parse_args(args)
    reps = 5
    trace = nothing
    i = 1
    while i <= length(args)
        if args[i] == "--reps"
            reps = parse(Int, args[i + 1])
            i += 2
        else
            trace = args[i]
            i += 1
        end
    end
    if trace === nothing
        corpus = get(ENV, "COMPILE_TRACES_CORPUS", joinpath(dirname(dirname(@__DIR__)), "..", "shared", "corpus"))
        trace = joinpath(corpus, "trace", "generated__julia-1.10.8__stdlib-tests.jl")
    end
    isfile(trace) || error("trace file not found: $trace (pass a path, or set COMPILE_TRACES_CORPUS)")
    return abspath(trace), reps
end

"Imports, in Main, the standard libraries among the statements' root modules."
function load_roots(items)
    loaded = String[]
    for item in items, root in item.roots
        if !isdefined(Main, Symbol(root)) && isdir(joinpath(Sys.STDLIB, root))
            try
                Core.eval(Main, :(import $(Symbol(root))))
                push!(loaded, root)
            catch
            end
        end
    end
    return loaded
end

const OPTIONS = ReadOptions(true, String[], false, 0.0, "", "", UInt32(0))

"The old path for one statement: parse its text, evaluate it with the roots bound, precompile."
function old_statement(item, mod::Module)
    try
        sig = Core.eval(mod, Meta.parse(item.signature))
        if item.arg_types === nothing
            precompile(sig)
        else
            precompile(sig, Core.eval(mod, Meta.parse(item.arg_types)))
        end
    catch
    end
    return nothing
end

old_path(statements, mod::Module) = foreach(item -> old_statement(item, mod), statements)

function bind_roots(statements)
    mod = Module(:OldPath)
    for item in statements, root in item.roots
        (root == "Core" || root == "Base") && continue
        isdefined(mod, Symbol(root)) && continue
        try
            m = CompileTraces.find_root_module(Main, root)
            Core.eval(mod, Expr(:const, Expr(:(=), Symbol(root), m)))
        catch
        end
    end
    return mod
end

"Per-phase times (s) of one warm pass: read, build, method lookup, precompile."
function phases(trace)
    t_read = @elapsed traces = read_traces([trace], OPTIONS)
    ctx = EvalContext(Main, false)
    sigs = Any[]
    t_build = @elapsed for item in traces.items
        item.kind == CT_KIND_STATEMENT || continue
        try
            roots = statement_roots(item, ctx)
            roots isa Rejected && continue
            sig = build_type(item.signature_tree, ctx, roots)
            if item.args_tree !== nothing
                sig = Tuple{Core.Typeof(sig),build_type(item.args_tree, ctx, roots)...}
            end
            sig isa Type && sig <: Tuple && push!(sigs, sig)
        catch
        end
    end
    world = Base.get_world_counter()
    t_lookup = @elapsed for sig in sigs
        Base._methods_by_ftype(sig, 1, world)
    end
    t_precompile = @elapsed for sig in sigs
        try
            precompile(sig)
        catch
        end
    end
    return (t_read, t_build, t_lookup, t_precompile)
end

"Seconds a fresh process spends running `code` (after its `setup`), as it measures itself."
function fresh_process_seconds(setup::String, code::String)
    script = setup * "\nprint(@elapsed begin\n" * code * "\nend)\n"
    cmd = `$(Base.julia_cmd()) --startup-file=no --project=$(dirname(dirname(@__DIR__))) -e $script`
    return parse(Float64, read(cmd, String))
end

function main(args)
    trace, reps = parse_args(args)
    first_items = read_traces([trace], OPTIONS).items
    loaded = load_roots(first_items)
    statements = filter(item -> item.kind == CT_KIND_STATEMENT, first_items)
    n = length(statements)
    println("trace: ", trace)
    println(n, " statements (after dedup); standard libraries imported: ", join(loaded, ", "))

    cold = @elapsed first = compile_traces(Main, trace)
    println("cold run (compiles everything): ", round(cold; digits = 2), " s  ", first)

    mod = bind_roots(statements)
    old_path(statements, mod) # compile the old path's own code too
    compile_traces(Main, trace)
    ours = Float64[]
    old = Float64[]
    for _ in 1:reps
        push!(ours, @elapsed compile_traces(Main, trace))
        push!(old, @elapsed old_path(statements, mod))
    end
    us(t) = round(1e6 * t / n; digits = 1)
    m_ours, m_old = median(ours), median(old)
    println("warm compile_traces: median ", round(m_ours; digits = 3), " s (", us(m_ours), " us/statement), min ",
            round(minimum(ours); digits = 3), " s")
    println("old path (Core.eval(Meta.parse(...)) + precompile): median ", round(m_old; digits = 3), " s (",
            us(m_old), " us/statement), min ", round(minimum(old); digits = 3), " s")
    println("ratio warm/old: ", round(m_ours / m_old; digits = 3), " (target <= 0.2)")

    # Per statement, interleaved: where the time goes once the few statements whose type is
    # itself expensive to build (on both paths, e.g. `NTuple{1000000, UInt8}`: > 1 ms) are set
    # apart.
    ours_each = zeros(n)
    old_each = zeros(n)
    for _ in 1:reps
        ctx = EvalContext(Main, false)
        for (k, item) in enumerate(statements)
            ours_each[k] += @elapsed CompileTraces.compile_statement(item, ctx)
            old_each[k] += @elapsed old_statement(item, mod)
        end
    end
    ours_each ./= reps
    old_each ./= reps
    heavy = [k for k in 1:n if ours_each[k] > 1e-3 && old_each[k] > 1e-3]
    light = setdiff(1:n, heavy)
    println("per statement (compile_statement vs old path, mean of ", reps, "): median ",
            round(1e6 * median(ours_each); digits = 1), " vs ", round(1e6 * median(old_each); digits = 1), " us")
    println("  ", length(heavy), " statements > 1 ms on both paths (building the type itself): ",
            round(sum(ours_each[heavy]); digits = 3), " vs ", round(sum(old_each[heavy]); digits = 3), " s")
    println("  the other ", length(light), ": ", round(1e6 * sum(ours_each[light]) / length(light); digits = 1), " vs ",
            round(1e6 * sum(old_each[light]) / length(light); digits = 1), " us/statement, ratio ",
            round(sum(ours_each[light]) / sum(old_each[light]); digits = 3))

    parts = [phases(trace) for _ in 1:reps]
    names = ("read + parse + copy (Rust, ffi)", "build signatures (interpreter)", "_methods_by_ftype",
             "precompile (already compiled)")
    for (i, name) in enumerate(names)
        println("  ", rpad(name, 34), us(median([p[i] for p in parts])), " us/statement")
    end

    # Cold, each in a fresh process: compile_traces, and a plain include of the statements that
    # build and compile (an include stops at the first statement that throws).
    failed = Set((f.file, f.line) for f in first.failures)
    lines = [item.text for item in statements if !((item.file, item.line) in failed)]
    path, io = mktemp()
    foreach(line -> println(io, line), lines)
    close(io)
    setup = "using CompileTraces\n" * join(("import $root" for root in loaded), "\n")
    try
        t_tool = fresh_process_seconds(setup, "compile_traces(Main, $(repr(trace)))")
        t_include = fresh_process_seconds(setup, "include($(repr(path)))")
        println("fresh process, cold: compile_traces of the trace ", round(t_tool; digits = 2), " s; plain include of its ",
                length(lines), " compiling statements ", round(t_include; digits = 2), " s")
    catch e
        println("fresh-process cold comparison could not run: ", sprint(showerror, e))
    finally
        rm(path)
    end
end

main(ARGS)
