# Building the signatures of the statements the Rust library accepted. The library hands over each
# signature's tree (see `Tree` in ffi.jl); a small interpreter builds the type from it with
# builtins and reflection only: module bindings read with `getfield`, `Core.apply_type`,
# `TypeVar` / `UnionAll`, `Core.typeof`, `Core.tuple`, `reinterpret` for bits values. No text is
# parsed or evaluated: the opcode set is the allow-list, so a trace file cannot make Julia run
# code other than these (the security rule the Rust parser also enforces).

"A statement refused or failed before `precompile` ran: the failure category and a message."
struct Rejected <: Exception
    reason::Symbol
    message::String
end

Base.showerror(io::IO, e::Rejected) = print(io, e.message)

"How names are resolved during one `compile_traces` call."
struct EvalContext
    mod::Module
    inline::Bool
    # Root module name => the loaded module, or why it cannot be used (found once per call).
    roots::Dict{String,Union{Module,Rejected}}
    # `(head, params...)` => `Core.apply_type(head, params...)`, for this call: a type such as
    # `NTuple{1000000, UInt8}` costs milliseconds to apply each time (Julia builds its million
    # parameters before finding it in its cache), and traces repeat such parts across statements.
    # Keyed by identity (`===`), so a cached type is exactly what applying again would return.
    applied::IdDict{Any,Any}
end

EvalContext(mod::Module, inline::Bool) =
    EvalContext(mod, inline, Dict{String,Union{Module,Rejected}}(), IdDict{Any,Any}())

generating_output() = ccall(:jl_generating_output, Cint, ()) == 1

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

"The module root name `name` stands for (found once per call), or why it cannot be used."
function root_module!(ctx::EvalContext, name::String)
    found = get(ctx.roots, name, nothing)
    found === nothing || return found
    result = if name == "Core"
        Core
    elseif name == "Base"
        Base
    else
        try
            find_root_module(ctx.mod, name)
        catch e
            e isa InterruptException && rethrow()
            e isa Rejected ? e : Rejected(:evaluation_error, "could not find module $name: " * sprint(showerror, e))
        end
    end
    ctx.roots[name] = result
    return result
end

reject(message::AbstractString) = throw(Rejected(:rejected, String(message)))

# Opcodes of the tree encoding (rust/core/src/syntax/encode.rs, `op`; encoding version 1).
const OP_NAME = 0x01
const OP_DOT = 0x02
const OP_GETFIELD = 0x03
const OP_CURLY = 0x04
const OP_TYPEOF = 0x05
const OP_KWFTYPE = 0x06
const OP_BITS = 0x07
const OP_WHERE = 0x08
const OP_TVAR = 0x09
const OP_TVAR_UB = 0x0a
const OP_TVAR_LB = 0x0b
const OP_TVAR_LUB = 0x0c
const OP_SHORT_UB = 0x0d
const OP_SHORT_LB = 0x0e
const OP_TUPLE = 0x0f
const OP_SYMBOL = 0x10
const OP_SYMBOL_CALL = 0x11
const OP_STRING = 0x12
const OP_BOOL = 0x13
const OP_INT64 = 0x14
const OP_INT128 = 0x15
const OP_UINT8 = 0x16
const OP_UINT16 = 0x17
const OP_UINT32 = 0x18
const OP_UINT64 = 0x19
const OP_UINT128 = 0x1a
const OP_FLOAT64 = 0x1b
const OP_FLOAT32 = 0x1c
const OP_FLOAT16 = 0x1d
const OP_CHAR = 0x1e
const OP_ERROR = 0x1f
const OP_REJECT = 0x20

"The state of building one tree: the read position, the type variables in scope (innermost last)."
mutable struct Builder
    tree::Tree
    ctx::EvalContext
    # The statement's root modules (inline = false): name => module, all found before building.
    roots::Vector{Pair{Symbol,Module}}
    pos::Int
    scope::Vector{TypeVar}
    # Type variables made for the `<:T` / `>:T` shorthand so far (they are named #s1, #s2, ...).
    shorthand::Int
end

Builder(tree::Tree, ctx::EvalContext, roots::Vector{Pair{Symbol,Module}}) =
    Builder(tree, ctx, roots, 1, TypeVar[], 0)

function next_word!(b::Builder)
    b.pos > length(b.tree.code) && reject("the signature's tree ends early")
    word = @inbounds b.tree.code[b.pos]
    b.pos += 1
    return word
end

"The string operand of a node (`len` from its header, then an offset word), as a `Symbol`."
function take_symbol!(b::Builder, len::UInt64)
    offset = next_word!(b)
    bytes = b.tree.strings
    (offset + len <= length(bytes)) || reject("a name outside the signature's string table")
    # `jl_symbol_n` is what `Symbol(::String)` calls; it throws for a name containing NUL.
    return GC.@preserve bytes ccall(:jl_symbol_n, Ref{Symbol}, (Ptr{UInt8}, Csize_t),
                                    pointer(bytes) + offset, len)
end

function take_string!(b::Builder, len::UInt64)
    offset = next_word!(b)
    bytes = b.tree.strings
    (offset + len <= length(bytes)) || reject("a string outside the signature's string table")
    return GC.@preserve bytes unsafe_string(pointer(bytes) + offset, len)
end

"`M.name` in a signature: only a module's binding, never a `getproperty` method."
function module_binding(m, name::Symbol)
    m isa Module || reject("`$(name)` is read from a $(typeof(m)), not from a module")
    # A binding defined after this call began (newer than its world age) is read in the
    # latest world, as `Core.eval` of the signature used to.
    isdefined(m, name) && return getfield(m, name)
    return Base.invokelatest(getfield, m, name)
end

"A bare name with `inline = true`: what evaluating it in `mod` gives (own, imported, used)."
function inline_binding(mod::Module, name::Symbol)
    isdefined(mod, name) && return getfield(mod, name)
    Base.invokelatest(isdefined, mod, name) && return Base.invokelatest(getfield, mod, name)
    throw(Rejected(:evaluation_error, "UndefVarError: `$name` not defined in `$mod`"))
end

"""
A bare name with `inline = false`: the statement's root modules (the first components of its
qualified names, bound as a staging module used to bind them), `Core` and `Base`, the names
`Core` and `Base` export (what every module sees), then any other root module
`find_root_module` finds.
"""
function global_binding(b::Builder, name::Symbol)
    for (root, m) in b.roots
        root === name && return m
    end
    name === :Core && return Core
    name === :Base && return Base
    for m in (Core, Base)
        isdefined(m, name) && Base.isexported(m, name) && return getfield(m, name)
    end
    found = root_module!(b.ctx, String(name))
    found isa Module && return found
    throw(Rejected(:evaluation_error,
                   "UndefVarError: `$name` not defined (looked up in Core, Base's exports and the loaded modules)"))
end

function lookup(b::Builder, name::Symbol)
    scope = b.scope
    for i in length(scope):-1:1
        tv = @inbounds scope[i]
        tv.name === name && return tv
    end
    return b.ctx.inline ? inline_binding(b.ctx.mod, name) : global_binding(b, name)
end

const MAX_DEPTH = 512

"""
    build_node!(b::Builder, depth) -> Any

Builds the node at the read position (and its children) and returns its value. Throws
`Rejected`: `:rejected` for a shape outside the allow-list, `:evaluation_error` for a name that
is not defined, a literal Julia's reader refuses, or a type application that throws.
"""
function build_node!(b::Builder, depth::Int)
    depth > MAX_DEPTH && reject("signature nested deeper than $MAX_DEPTH levels")
    header = next_word!(b)
    op = (header & 0xff) % UInt8
    operand = header >> 8
    d = depth + 1
    if op == OP_NAME
        return lookup(b, take_symbol!(b, operand))
    elseif op == OP_DOT || op == OP_GETFIELD
        name = take_symbol!(b, operand)
        return module_binding(build_node!(b, d), name)
    elseif op == OP_CURLY
        return build_curly!(b, Int(operand), d)
    elseif op == OP_WHERE
        return build_where!(b, Int(operand), d)
    elseif op == OP_TYPEOF
        return Core.typeof(build_node!(b, d))
    elseif op == OP_KWFTYPE
        isdefined(Core, :kwftype) || reject("`Core.kwftype` does not exist in Julia $VERSION")
        return getfield(Core, :kwftype)(build_node!(b, d))
    elseif op == OP_BITS
        return build_bits!(b, d)
    elseif op == OP_TUPLE
        n = Int(operand)
        items = Vector{Any}(undef, n)
        for i in 1:n
            items[i] = build_node!(b, d)
        end
        return Core.tuple(items...)
    elseif op == OP_SYMBOL || op == OP_SYMBOL_CALL
        return take_symbol!(b, operand)
    elseif op == OP_STRING
        return take_string!(b, operand)
    elseif op == OP_BOOL
        return operand == 1
    elseif op == OP_INT64
        return reinterpret(Int64, next_word!(b))
    elseif op == OP_INT128
        lo = next_word!(b)
        return reinterpret(Int128, UInt128(next_word!(b)) << 64 | UInt128(lo))
    elseif op == OP_UINT8
        return next_word!(b) % UInt8
    elseif op == OP_UINT16
        return next_word!(b) % UInt16
    elseif op == OP_UINT32
        return next_word!(b) % UInt32
    elseif op == OP_UINT64
        return next_word!(b)
    elseif op == OP_UINT128
        lo = next_word!(b)
        return UInt128(next_word!(b)) << 64 | UInt128(lo)
    elseif op == OP_FLOAT64
        return reinterpret(Float64, next_word!(b))
    elseif op == OP_FLOAT32
        return reinterpret(Float32, operand % UInt32)
    elseif op == OP_FLOAT16
        return reinterpret(Float16, operand % UInt16)
    elseif op == OP_CHAR
        return reinterpret(Char, operand % UInt32)
    elseif op == OP_ERROR
        throw(Rejected(:evaluation_error, take_string!(b, operand)))
    elseif op == OP_REJECT
        reject(take_string!(b, operand))
    elseif op == OP_SHORT_UB || op == OP_SHORT_LB
        reject("the `<:T` / `>:T` shorthand outside braces")
    elseif OP_TVAR <= op <= OP_TVAR_LUB
        reject("a type variable outside a `where` clause")
    end
    reject("unknown opcode $op in the signature's tree (library and package versions differ?)")
end

const NOT_APPLIED = gensym(:not_applied)

"""
`head{params...}` is `Core.apply_type(head, params...)`. A `<:T` / `>:T` parameter becomes a
type variable bounded by `T` and the application is wrapped in `UnionAll`s, the first variable
outermost, as Julia lowers `A{<:T}` to `A{S} where S<:T`.
"""
function build_curly!(b::Builder, n::Int, depth::Int)
    head = build_node!(b, depth)
    params = Vector{Any}(undef, n)
    vars = nothing
    for i in 1:n
        word = b.pos <= length(b.tree.code) ? (b.tree.code[b.pos] & 0xff) % UInt8 : 0x00
        if word == OP_SHORT_UB || word == OP_SHORT_LB
            b.pos += 1
            bound = build_node!(b, depth + 1)
            b.shorthand += 1
            name = Symbol("#s", b.shorthand)
            tv = word == OP_SHORT_UB ? TypeVar(name, Union{}, bound) : TypeVar(name, bound, Any)
            vars === nothing && (vars = TypeVar[])
            push!(vars, tv)
            params[i] = tv
        else
            params[i] = build_node!(b, depth)
        end
    end
    if vars === nothing
        key = (head, params...)
        cached = get(b.ctx.applied, key, NOT_APPLIED)
        cached === NOT_APPLIED || return cached
        t = Core.apply_type(head, params...)
        b.ctx.applied[key] = t
        return t
    end
    # Fresh type variables: never the same key twice, not worth caching.
    t = Core.apply_type(head, params...)
    for i in length(vars):-1:1
        t = UnionAll(vars[i], t)
    end
    return t
end

"""
`body where {vars...}`: each variable is made (its bounds built with the variables before it in
scope), then the body, then the `UnionAll`s, the first variable outermost.
"""
function build_where!(b::Builder, n::Int, depth::Int)
    vars = Vector{TypeVar}(undef, n)
    for i in 1:n
        header = next_word!(b)
        op = (header & 0xff) % UInt8
        (OP_TVAR <= op <= OP_TVAR_LUB) || reject("a `where` clause without a type variable")
        name = take_symbol!(b, header >> 8)
        lb, ub = if op == OP_TVAR
            (Union{}, Any)
        elseif op == OP_TVAR_UB
            (Union{}, build_node!(b, depth))
        elseif op == OP_TVAR_LB
            (build_node!(b, depth), Any)
        else
            lower = build_node!(b, depth)
            (lower, build_node!(b, depth))
        end
        tv = TypeVar(name, lb, ub)
        vars[i] = tv
        push!(b.scope, tv)
    end
    body = build_node!(b, depth)
    resize!(b.scope, length(b.scope) - n)
    for i in n:-1:1
        body = UnionAll(vars[i], body)
    end
    return body
end

"Builds `T(0x..)` without calling `T`: `reinterpret(T, literal)` once `T` is known to fit."
function build_bits!(b::Builder, depth::Int)
    T = try
        build_node!(b, depth)
    catch e
        e isa InterruptException && rethrow()
        e isa Rejected && e.reason === :rejected && rethrow()
        throw(Rejected(:evaluation_error, "cannot resolve the type of a bits value: " * sprint(showerror, e)))
    end
    literal = build_node!(b, depth)
    literal isa Unsigned || reject("a bits value `$T(...)` of a $(typeof(literal)), not an unsigned literal")
    if !(T isa DataType && isprimitivetype(T) && sizeof(T) == sizeof(literal))
        reject("`$T($(repr(literal)))` is not a bits value: `$T` is " *
               (T isa DataType && isprimitivetype(T) ? "a primitive type of $(sizeof(T)) bytes, not $(sizeof(literal))" :
                "not a primitive type"))
    end
    # The only primitive type with invalid bit patterns; Julia prints its values as true/false.
    T === Bool && literal > 0x01 && reject("`Bool($(repr(literal)))` is not a valid Bool")
    return reinterpret(T, literal)
end

"""
    build_type(tree, ctx, roots) -> Any

The value of an encoded signature (see `Tree`). Throws `Rejected` (see `build_node!`); an error
thrown by a builtin (`Core.apply_type` with a wrong parameter, ...) becomes `:evaluation_error`
with Julia's message.
"""
function build_type(tree::Tree, ctx::EvalContext, roots::Vector{Pair{Symbol,Module}})
    isempty(tree.code) && reject("the statement has no signature tree")
    b = Builder(tree, ctx, roots)
    value = try
        build_node!(b, 0)
    catch e
        e isa InterruptException && rethrow()
        e isa Rejected && rethrow()
        throw(Rejected(:evaluation_error, sprint(showerror, e)))
    end
    b.pos == length(tree.code) + 1 || reject("the signature's tree has words left over")
    return value
end

const NO_ROOTS = Pair{Symbol,Module}[]

const SEVERAL_METHODS = Rejected(:several_methods,
                                 "the signature matches more than one method (abstract or Vararg arguments): " *
                                 "there is no one method instance to compile")

"""
    statement_roots(item, ctx) -> Vector{Pair{Symbol,Module}} or Rejected

With `inline = false`, the loaded module of each root the statement names, or why the first one
that cannot be used is not (`:module_not_loaded`, `:ambiguous_module`).
"""
function statement_roots(item::TraceItem, ctx::EvalContext)
    (ctx.inline || isempty(item.roots)) && return NO_ROOTS
    roots = Vector{Pair{Symbol,Module}}(undef, length(item.roots))
    for (i, name) in enumerate(item.roots)
        found = root_module!(ctx, name)
        found isa Rejected && return found
        roots[i] = Symbol(name) => found
    end
    return roots
end

"""
    compile_statement(item, ctx) -> (:succeeded, nothing) or (:skipped | :failed, Rejected)

Builds the statement's signature from its tree and precompiles it.
"""
function compile_statement(item::TraceItem, ctx::EvalContext)
    try
        roots = statement_roots(item, ctx)
        roots isa Rejected && return (:failed, roots)
        local sig, f, types
        if item.args_tree === nothing
            sig = build_type(item.signature_tree, ctx, roots)
            sig isa Type || throw(Rejected(:evaluation_error, "the signature is a $(typeof(sig)), not a type"))
            sig <: Tuple || throw(Rejected(:evaluation_error, "the signature `$sig` is not a Tuple type"))
        else
            f = build_type(item.signature_tree, ctx, roots)
            args = item.args_tree
            (!isempty(args.code) && (args.code[1] & 0xff) % UInt8 == OP_TUPLE) ||
                reject("the argument types of a two-argument precompile are not a tuple")
            types = build_type(args, ctx, roots)
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
        matches isa Vector || return (:skipped, SEVERAL_METHODS)
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
