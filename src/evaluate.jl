# Evaluating the statements the Rust library accepted. Defence in depth: the library already
# refused anything that is not a pure type signature; here the signature text is parsed again and
# every node is checked against the same small grammar before anything is evaluated, and the few
# calls a signature may contain are replaced by the exact functions they must mean.

"A statement refused or failed before `precompile` ran: the failure category and a message."
struct Rejected <: Exception
    reason::Symbol
    message::String
end

Base.showerror(io::IO, e::Rejected) = print(io, e.message)

"Where and how signatures are evaluated during one `compile_traces` call."
mutable struct EvalContext
    mod::Module
    target::Module
    inline::Bool
    # Root module name => `nothing` once bound in `target`, or why it cannot be.
    roots::Dict{String,Union{Nothing,Rejected}}
end

generating_output() = ccall(:jl_generating_output, Cint, ()) == 1

"""
    staging_module(mod) -> Module

A fresh submodule of `mod` in which trace signatures are evaluated with `inline = false`.

A real submodule created while `mod` is open, not an anonymous `Module()`: during package
precompilation, evaluating into an anonymous module fails with "Evaluation into the closed module
`anonymous`" (JuliaDebug/JuliaInterpreter.jl#514), and on recent Julia even creating one fails
(JuliaLang/julia#57635), while evaluation into a submodule of the package being precompiled is
allowed (JuliaLang/julia#38013).
"""
function staging_module(mod::Module)
    name = gensym(:CompileTracesStaging)
    # Evaluating a `module` expression returns the new module. Reading it back with
    # `getfield(mod, name)` would read a binding newer than this function's world age, which
    # Julia 1.12 warns about ("Detected access to binding ... in a world prior to its
    # definition world") and later versions reject.
    return Core.eval(mod, Expr(:module, true, name, Expr(:block)))::Module
end

"""
    find_root_module(mod, name) -> Module

The loaded module a trace's root name `name` refers to: `Main`; the one module of that name in
`Base.loaded_modules` (also the root module of `mod`, in case it is not registered there while
it precompiles); else a root module bound in `Core` or `Base`; else a module bound in `Main` (a
script's submodule prints without `Main.`).
Throws `Rejected` when it is not loaded, or when two loaded packages share the name.
"""
function find_root_module(mod::Module, name::String)
    name == "Main" && return Main
    candidates = Module[]
    ids = String[]
    for (id, m) in Base.loaded_modules
        if id.name == name && !any(c -> c === m, candidates)
            push!(candidates, m)
            push!(ids, string(id))
        end
    end
    root = Base.moduleroot(mod)
    if String(nameof(root)) == name && !any(c -> c === root, candidates)
        push!(candidates, root)
        push!(ids, string(Base.PkgId(root)))
    end
    length(candidates) == 1 && return candidates[1]
    if length(candidates) > 1
        throw(Rejected(:ambiguous_module,
                       "module $name is ambiguous: loaded as " * join(ids, " and ") * "; not guessing which one"))
    end
    sym = Symbol(name)
    # A root module that Core or Base hold without registering it as a package (e.g. the
    # `Compiler` of Julia 1.12, a root module bound in Base).
    for parent in (Core, Base)
        if isdefined(parent, sym)
            m = getfield(parent, sym)
            m isa Module && Base.moduleroot(m) === m && return m
        end
    end
    # In the latest world: the module may have been defined in `Main` after the caller's
    # world age was fixed (e.g. `@eval Main module Sub ... end` and then `compile_traces` from
    # the same function), which Julia 1.12+ would not see, or warn about, without it.
    if Base.invokelatest(isdefined, Main, sym)
        m = Base.invokelatest(getfield, Main, sym)
        m isa Module && return m
    end
    throw(Rejected(:module_not_loaded, "module $name not loaded"))
end

"Binds root module `name` in the staging module once; returns `nothing` or why it failed."
function bind_root!(ctx::EvalContext, name::String)
    haskey(ctx.roots, name) && return ctx.roots[name]
    result = try
        bind_root(ctx, name)
    catch e
        e isa InterruptException && rethrow()
        e isa Rejected ? e : Rejected(:evaluation_error, "could not bind module $name: " * sprint(showerror, e))
    end
    ctx.roots[name] = result
    return result
end

function bind_root(ctx::EvalContext, name::String)
    (name == "Core" || name == "Base") && return nothing # visible in every `module`
    m = find_root_module(ctx.mod, name)
    sym = Symbol(name)
    # Latest world, as in `find_root_module`: `target` was created after this call began.
    if Base.invokelatest(isdefined, ctx.target, sym)
        Base.invokelatest(getfield, ctx.target, sym) === m && return nothing
        return Rejected(:ambiguous_module,
                        "`$name` already names something else than the loaded module $name in the staging module")
    end
    Core.eval(ctx.target, Expr(:const, Expr(:(=), sym, m)))
    return nothing
end

reject(message::AbstractString) = throw(Rejected(:rejected, String(message)))

"`M.name` in a signature: only a module's binding, never a `getproperty` method."
function module_binding(m, name::Symbol)
    m isa Module || reject("`$(name)` is read from a $(typeof(m)), not from a module")
    return getfield(m, name)
end

is_name_expr(ex) = ex isa Symbol || Meta.isexpr(ex, :.) || Meta.isexpr(ex, :curly)

const MAX_DEPTH = 512

"""
    check_signature(ex, ctx) -> Expr

Returns a copy of the parsed signature `ex` that only uses the allowed forms (names, `M.name`,
curly applications, `where`, `<:`/`>:`, tuples, literals, quoted symbols, and the calls
`typeof(x)`, `Symbol("...")`, `getfield(M, Symbol("..."))`, `Core.kwftype(typeof(f))`, `T(0x..)`),
with those calls replaced by the functions they must mean. A bits value `T(0x..)` is built here
with `reinterpret` after checking that `T` is a primitive type of the literal's size. Anything
else throws `Rejected`.
"""
function check_signature(ex, ctx::EvalContext, depth::Int = 0)
    depth > MAX_DEPTH && reject("signature nested deeper than $MAX_DEPTH levels")
    if ex isa Symbol || ex isa Bool || ex isa Char || ex isa String || ex === nothing
        return ex
    elseif ex isa Union{Base.BitInteger,Float16,Float32,Float64}
        return ex
    elseif ex isa QuoteNode
        ex.value isa Symbol || reject("quoted $(typeof(ex.value)) in a signature")
        return ex
    elseif !(ex isa Expr)
        reject("a $(typeof(ex)) in a signature")
    end
    head = ex.head
    args = ex.args
    d = depth + 1
    if head === :.
        (length(args) == 2 && args[2] isa QuoteNode && args[2].value isa Symbol) ||
            reject("`.` expression that is not `Module.name`")
        return Expr(:call, module_binding, check_signature(args[1], ctx, d), args[2])
    elseif head === :curly || head === :tuple
        return Expr(head, Any[check_signature(a, ctx, d) for a in args]...)
    elseif head === :where
        return Expr(head, check_signature(args[1], ctx, d), Any[check_where_var(a, ctx, d) for a in args[2:end]]...)
    elseif (head === :<: || head === :>:) && length(args) == 1
        # The `<:T` / `>:T` shorthand inside braces; as a binary operator it is a comparison
        # Julia would evaluate, allowed only as a `where` bound (as the Rust parser rules).
        return Expr(head, check_signature(args[1], ctx, d))
    elseif head === :call
        return check_call(ex, ctx, d)
    end
    reject("`$(head)` expression in a signature")
end

"""
    check_where_var(ex, ctx, depth)

A `where` variable: a name, `T<:B`, `T>:B`, `L<:T<:U`, or a `{...}` list of those.
"""
function check_where_var(ex, ctx::EvalContext, depth::Int)
    depth > MAX_DEPTH && reject("signature nested deeper than $MAX_DEPTH levels")
    ex isa Symbol && return ex
    ex isa Expr || reject("a $(typeof(ex)) as a `where` variable")
    args = ex.args
    d = depth + 1
    if ex.head === :braces
        return Expr(:braces, Any[check_where_var(a, ctx, d) for a in args]...)
    elseif (ex.head === :<: || ex.head === :>:) && length(args) == 2 && args[1] isa Symbol
        return Expr(ex.head, args[1], check_signature(args[2], ctx, d))
    elseif ex.head === :comparison && length(args) == 5 && args[2] === :<: && args[3] isa Symbol &&
           args[4] === :<:
        return Expr(:comparison, check_signature(args[1], ctx, d), :<:, args[3], :<:,
                    check_signature(args[5], ctx, d))
    end
    reject("`where` variable `$(ex)` is not a name with optional bounds")
end

function check_call(ex::Expr, ctx::EvalContext, depth::Int)
    callee = ex.args[1]
    args = ex.args[2:end]
    if callee === :typeof && length(args) == 1
        return Expr(:call, Core.typeof, check_signature(args[1], ctx, depth))
    elseif callee === :Symbol && length(args) == 1 && args[1] isa String
        return QuoteNode(Symbol(args[1]))
    elseif callee === :getfield && length(args) == 2
        name = check_signature(args[2], ctx, depth)
        (name isa QuoteNode && name.value isa Symbol) || reject("`getfield` with a field that is not a symbol")
        return Expr(:call, module_binding, check_signature(args[1], ctx, depth), name)
    elseif callee == Expr(:., :Core, QuoteNode(:kwftype)) && length(args) == 1
        isdefined(Core, :kwftype) || reject("`Core.kwftype` does not exist in Julia $VERSION")
        return Expr(:call, getfield(Core, :kwftype), check_signature(args[1], ctx, depth))
    elseif length(args) == 1 && args[1] isa Unsigned && is_name_expr(callee)
        return bits_value(callee, args[1], ctx, depth)
    end
    reject("call to `$(callee)` in a signature (only typeof, Symbol, getfield, Core.kwftype and bits values are allowed)")
end

"Builds `T(0x..)` without calling `T`: `reinterpret(T, literal)` once `T` is known to fit."
function bits_value(callee, literal::Unsigned, ctx::EvalContext, depth::Int)
    T = try
        Core.eval(ctx.target, check_signature(callee, ctx, depth))
    catch e
        e isa InterruptException && rethrow()
        e isa Rejected && rethrow()
        throw(Rejected(:evaluation_error, "cannot resolve the type of bits value `$(callee)(...)`: " *
                                          sprint(showerror, e)))
    end
    if !(T isa DataType && isprimitivetype(T) && sizeof(T) == sizeof(literal))
        reject("`$(callee)($(repr(literal)))` is not a bits value: `$(callee)` is " *
               (T isa DataType && isprimitivetype(T) ? "a primitive type of $(sizeof(T)) bytes, not $(sizeof(literal))" :
                "not a primitive type"))
    end
    # The only primitive type with invalid bit patterns; Julia prints its values as true/false.
    T === Bool && literal > 0x01 && reject("`$(callee)($(repr(literal)))` is not a valid Bool")
    return QuoteNode(reinterpret(T, literal))
end

function parse_signature(text::String)
    ex = try
        Meta.parse(text; raise = false)
    catch e
        e isa InterruptException && rethrow()
        throw(Rejected(:parse_error, "cannot parse `$text`: " * sprint(showerror, e)))
    end
    if Meta.isexpr(ex, :error) || Meta.isexpr(ex, :incomplete)
        detail = isempty(ex.args) ? "" : ": " * string(ex.args[1])
        throw(Rejected(:parse_error, "cannot parse `$text`$detail"))
    end
    return ex
end

function evaluate(ex, ctx::EvalContext)
    try
        return Core.eval(ctx.target, ex)
    catch e
        e isa InterruptException && rethrow()
        throw(Rejected(:evaluation_error, sprint(showerror, e)))
    end
end

"""
    compile_statement(item, ctx) -> (:succeeded | :skipped, nothing) or (:failed, Rejected)

Checks, evaluates and precompiles one statement.
"""
function compile_statement(item::TraceItem, ctx::EvalContext)
    try
        if !ctx.inline
            for root in item.roots
                problem = bind_root!(ctx, root)
                problem === nothing || return (:failed, problem)
            end
        end
        local sig, f, types
        if item.arg_types === nothing
            sig = evaluate(check_signature(parse_signature(item.signature), ctx), ctx)
            sig isa Type || throw(Rejected(:evaluation_error, "the signature is a $(typeof(sig)), not a type"))
            sig <: Tuple || throw(Rejected(:evaluation_error, "the signature `$sig` is not a Tuple type"))
        else
            f = evaluate(check_signature(parse_signature(item.signature), ctx), ctx)
            args_ex = parse_signature(item.arg_types)
            Meta.isexpr(args_ex, :tuple) || reject("the argument types of a two-argument precompile are not a tuple")
            types = evaluate(check_signature(args_ex, ctx), ctx)
            (types isa Tuple && all(t -> t isa Type, types)) ||
                throw(Rejected(:evaluation_error, "the argument types `$types` are not a tuple of types"))
            sig = Tuple{Core.Typeof(f),types...}
        end
        # A signature that does not resolve to at most one method (an overloaded Vararg,
        # despecialized or abstract arguments such as `Tuple{typeof(+), Any, Any}`) is skipped,
        # as the original CompileTraces.jl did. With a limit of 1, `_methods_by_ftype` returns a
        # `Vector` of matches, or, when more than one method matches, `nothing` on Julia 1.10+
        # (julia-facts.md, checked on 1.10.8) and `false` on 1.6-1.9 (its return type there is
        # `Union{Array{Any,1}, Bool}` in base/reflection.jl); anything but a `Vector` is skipped.
        # A signature with no method at all (an empty `Vector`) goes on to `precompile`, which
        # returns false: failed.
        matches = Base._methods_by_ftype(sig, 1, Base.get_world_counter())
        matches isa Vector || return (:skipped, nothing)
        compiled = try
            item.arg_types === nothing ? precompile(sig) : precompile(f, types)
        catch e
            e isa InterruptException && rethrow()
            return (:failed, Rejected(:precompile_error, sprint(showerror, e)))
        end
        compiled === true && return (:succeeded, nothing)
        return (:failed, Rejected(:precompile_false, "precompile returned $(repr(compiled))"))
    catch e
        e isa InterruptException && rethrow()
        e isa Rejected && return (:failed, e)
        return (:failed, Rejected(:evaluation_error, sprint(showerror, e)))
    end
end
