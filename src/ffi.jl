# Thin wrappers over the C ABI of rust/capi (see rust/capi/src/lib.rs for the contract).
# Every `@ccall` here is checked against the library's exported symbols and Rust signatures by
# rust/capi/tests/julia_sources.rs: keep the `@ccall libcompile_traces.ct_name(arg::Type, ...)::Type`
# form, one call per function.

const CT_OK = Cint(0)
const CT_ERR_IO = Cint(1)
const CT_ERR_INVALID_ARGUMENT = Cint(2)
const CT_ERR_REGEX = Cint(3)
const CT_ERR_INDEX = Cint(4)
const CT_ERR_PANIC = Cint(5)
const CT_ERR_REFUSED = Cint(6)

const CT_KIND_STATEMENT = UInt32(0)
const CT_KIND_MALFORMED = UInt32(1)
const CT_KIND_UNSUPPORTED = UInt32(2)

const CT_OVERRIDE_VERBOSE = UInt32(1)
const CT_OVERRIDE_WARN = UInt32(2)

# Statement flag bits (compile_traces_core::Flags; part of the ABI, never renumbered).
const FLAG_MAIN = UInt32(1) << 0
const FLAG_CLOSURE = UInt32(1) << 1
const FLAG_UNBOUNDED_VARARG = UInt32(1) << 2
const FLAG_LOSSY_VALUE = UInt32(1) << 3
const FLAG_BITS_VALUE = UInt32(1) << 4
const FLAG_GUARDED = UInt32(1) << 5
const FLAG_TWO_ARG = UInt32(1) << 6
# The text was repaired from a known mis-printing of Julia's (bits 7-10 are used in Rust too).
const FLAG_REPAIRED = UInt32(1) << 11

"""
    take_error_message!(err::Ptr{Cvoid}) -> String

Copies the message of a `CtError` and frees it.
"""
function take_error_message!(err::Ptr{Cvoid})
    err == C_NULL && return "unknown error (no message)"
    len = Ref{Csize_t}(0)
    ptr = @ccall libcompile_traces.ct_error_message(err::Ptr{Cvoid}, len::Ptr{Csize_t})::Ptr{UInt8}
    message = unsafe_string(ptr, len[])
    @ccall libcompile_traces.ct_error_free(err::Ptr{Cvoid})::Cvoid
    return message
end

"Turns a status and its error out-parameter into an exception (the error is freed)."
function check_status(status::Cint, err::Base.RefValue{Ptr{Cvoid}})
    status == CT_OK && return nothing
    message = take_error_message!(err[])
    err[] = C_NULL
    if status == CT_ERR_INVALID_ARGUMENT || status == CT_ERR_REGEX || status == CT_ERR_REFUSED
        throw(ArgumentError(message))
    else
        error(message)
    end
end

"Options sent to `ct_open`; see `compile_traces` for their meaning."
struct ReadOptions
    dedup::Bool
    exclude_modules::Vector{String}
    exclude_closures::Bool
    min_time_ms::Float64
    include_pattern::String
    exclude_pattern::String
    bound_varargs::UInt32
end

const CT_TREE_SIGNATURE = UInt32(0)
const CT_TREE_ARGS = UInt32(1)

"""
    Tree

A statement's signature (or the two-argument form's argument tuple) as the Rust parser read it:
`code` holds prefix-order words (`opcode | operand << 8` headers, then each opcode's extra
words; see rust/core/src/syntax/encode.rs) and `strings` the names and string literals they
point into. Built into a type by `build_type`, never parsed as text.
"""
struct Tree
    code::Vector{UInt64}
    strings::Vector{UInt8}
end

"One kept statement or problem (malformed / unsupported line) read from the trace files."
struct TraceItem
    kind::UInt32
    file::String
    line::Int
    end_line::Int
    column::Int
    flags::UInt32
    timing_ms::Float64
    text::String
    message::String
    signature::String
    arg_types::Union{Nothing,String}
    roots::Vector{String}
    signature_tree::Tree
    args_tree::Union{Nothing,Tree}
end

"Everything `ct_open` returned, copied into Julia values (the handle is freed)."
struct TraceSet
    files::Vector{String}
    items::Vector{TraceItem}
    statements::Int
    duplicates::Int
    excluded::Int
    ignored::Int
    malformed::Int
    unsupported::Int
end

function take_string(f, handle::Ptr{Cvoid}, args...)
    ptr = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    check_status(f(handle, args..., ptr, len, err), err)
    return len[] == 0 ? "" : unsafe_string(ptr[], len[])
end

ct_source_name(h, i, ptr, len, err) =
    @ccall libcompile_traces.ct_source_name(h::Ptr{Cvoid}, i::Csize_t, ptr::Ptr{Ptr{UInt8}},
                                            len::Ptr{Csize_t}, err::Ptr{Ptr{Cvoid}})::Cint
ct_item_text(h, i, ptr, len, err) =
    @ccall libcompile_traces.ct_item_text(h::Ptr{Cvoid}, i::Csize_t, ptr::Ptr{Ptr{UInt8}},
                                          len::Ptr{Csize_t}, err::Ptr{Ptr{Cvoid}})::Cint
ct_item_message(h, i, ptr, len, err) =
    @ccall libcompile_traces.ct_item_message(h::Ptr{Cvoid}, i::Csize_t, ptr::Ptr{Ptr{UInt8}},
                                             len::Ptr{Csize_t}, err::Ptr{Ptr{Cvoid}})::Cint
ct_item_root(h, i, j, ptr, len, err) =
    @ccall libcompile_traces.ct_item_root(h::Ptr{Cvoid}, i::Csize_t, j::Csize_t, ptr::Ptr{Ptr{UInt8}},
                                          len::Ptr{Csize_t}, err::Ptr{Ptr{Cvoid}})::Cint

"Copies tree `which` (`CT_TREE_SIGNATURE` / `CT_TREE_ARGS`) of item `index`."
function read_tree(handle::Ptr{Cvoid}, index::Int, which::UInt32)
    code = Ref{Ptr{UInt64}}(C_NULL)
    code_len = Ref{Csize_t}(0)
    strings = Ref{Ptr{UInt8}}(C_NULL)
    strings_len = Ref{Csize_t}(0)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_item_tree(handle::Ptr{Cvoid}, index::Csize_t, which::UInt32,
                                                   code::Ptr{Ptr{UInt64}}, code_len::Ptr{Csize_t},
                                                   strings::Ptr{Ptr{UInt8}}, strings_len::Ptr{Csize_t},
                                                   err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    words = Vector{UInt64}(undef, Int(code_len[]))
    isempty(words) || unsafe_copyto!(pointer(words), code[], length(words))
    bytes = Vector{UInt8}(undef, Int(strings_len[]))
    isempty(bytes) || unsafe_copyto!(pointer(bytes), strings[], length(bytes))
    return Tree(words, bytes)
end

const EMPTY_TREE = Tree(UInt64[], UInt8[])

"Byte range `start:stop` (0-based, end exclusive) of `text` as a `String`."
byte_slice(text::String, start::Integer, stop::Integer) =
    stop <= start ? "" : String(codeunits(text)[(start + 1):stop])

function read_item(handle::Ptr{Cvoid}, index::Int, files::Vector{String})
    kind = Ref{UInt32}(0)
    source = Ref{UInt32}(0)
    line = Ref{UInt32}(0)
    end_line = Ref{UInt32}(0)
    column = Ref{UInt32}(0)
    flags = Ref{UInt32}(0)
    timing = Ref{Cdouble}(NaN)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_item(handle::Ptr{Cvoid}, index::Csize_t, kind::Ptr{UInt32},
                                              source::Ptr{UInt32}, line::Ptr{UInt32},
                                              end_line::Ptr{UInt32}, column::Ptr{UInt32},
                                              flags::Ptr{UInt32}, timing::Ptr{Cdouble},
                                              err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    text = take_string(ct_item_text, handle, index)
    message = take_string(ct_item_message, handle, index)
    signature = ""
    arg_types = nothing
    roots = String[]
    signature_tree = EMPTY_TREE
    args_tree = nothing
    if kind[] == CT_KIND_STATEMENT
        sig_start = Ref{UInt32}(0)
        sig_end = Ref{UInt32}(0)
        args_start = Ref{UInt32}(0)
        args_end = Ref{UInt32}(0)
        status = @ccall libcompile_traces.ct_item_spans(handle::Ptr{Cvoid}, index::Csize_t,
                                                        sig_start::Ptr{UInt32}, sig_end::Ptr{UInt32},
                                                        args_start::Ptr{UInt32}, args_end::Ptr{UInt32},
                                                        err::Ptr{Ptr{Cvoid}})::Cint
        check_status(status, err)
        signature = byte_slice(text, sig_start[], sig_end[])
        if flags[] & FLAG_TWO_ARG != 0
            arg_types = byte_slice(text, args_start[], args_end[])
        end
        count = Ref{Csize_t}(0)
        status = @ccall libcompile_traces.ct_item_root_count(handle::Ptr{Cvoid}, index::Csize_t,
                                                             count::Ptr{Csize_t}, err::Ptr{Ptr{Cvoid}})::Cint
        check_status(status, err)
        for j in 0:(Int(count[]) - 1)
            push!(roots, take_string(ct_item_root, handle, index, j))
        end
        signature_tree = read_tree(handle, index, CT_TREE_SIGNATURE)
        if arg_types !== nothing
            args_tree = read_tree(handle, index, CT_TREE_ARGS)
        end
    end
    file = files[Int(source[]) + 1]
    return TraceItem(kind[], file, Int(line[]), Int(end_line[]), Int(column[]), flags[], timing[],
                     text, message, signature, arg_types, roots, signature_tree, args_tree)
end

"""
    read_traces(paths, options::ReadOptions) -> TraceSet

Reads, classifies and filters the trace files with the Rust library. Throws (naming the file)
before anything is returned if one of them cannot be read.
"""
function read_traces(paths::Vector{String}, options::ReadOptions)
    return with_trace_handle(copy_trace_set, paths, options, nothing)
end

function copy_trace_set(h::Ptr{Cvoid})
    err = Ref{Ptr{Cvoid}}(C_NULL)
    counts = [Ref{UInt64}(0) for _ in 1:7]
    status = @ccall libcompile_traces.ct_counts(h::Ptr{Cvoid}, counts[1]::Ptr{UInt64},
                                                counts[2]::Ptr{UInt64}, counts[3]::Ptr{UInt64},
                                                counts[4]::Ptr{UInt64}, counts[5]::Ptr{UInt64},
                                                counts[6]::Ptr{UInt64}, counts[7]::Ptr{UInt64},
                                                err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    n_sources = Ref{Csize_t}(0)
    status = @ccall libcompile_traces.ct_source_count(h::Ptr{Cvoid}, n_sources::Ptr{Csize_t},
                                                      err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    files = String[take_string(ct_source_name, h, i) for i in 0:(Int(n_sources[]) - 1)]
    items = TraceItem[read_item(h, i, files) for i in 0:(Int(counts[7][]) - 1)]
    c = Int[Int(r[]) for r in counts]
    return TraceSet(files, items, c[1], c[2], c[3], c[4], c[5], c[6])
end

"""
    resolve_overrides(mod::Module, verbose::Bool, warn::Bool) -> (verbose, warn)

Applies `JULIA_COMPILE_TRACES_VERBOSE` / `JULIA_COMPILE_TRACES_WARN` for `nameof(mod)`. The Rust
side reads the process environment at call time, so `withenv` applies.
"""
function resolve_overrides(mod::Module, verbose::Bool, warn::Bool)
    ensure_library()
    name = string(nameof(mod))
    bits = Ref{UInt32}(0)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_resolve_overrides(name::Ptr{UInt8}, sizeof(name)::Csize_t,
                                                           verbose::UInt8, warn::UInt8,
                                                           bits::Ptr{UInt32}, err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    return (bits[] & CT_OVERRIDE_VERBOSE != 0, bits[] & CT_OVERRIDE_WARN != 0)
end

# ---------------------------------------------------------------------------------------------
# Recording traces (src/record.jl): `ct_open` with the `modules` keep-list, `ct_write_statements`
# and `ct_totals`.
# ---------------------------------------------------------------------------------------------

"""
    open_trace_handle(paths, options::ReadOptions, modules) -> Ptr{Cvoid}

Reads and filters the trace files like `read_traces`, with the `modules` keep-list on top
(`nothing`: no restriction; a vector: keep only statements naming one of those root modules).
Returns a handle that the caller must free with `free_trace_handle`.
"""
function open_trace_handle(paths::Vector{String}, options::ReadOptions,
                           modules::Union{Nothing,Vector{String}})
    ensure_library()
    for (i, path) in enumerate(paths)
        occursin('\0', path) && throw(ArgumentError("trace file path #$i contains a NUL byte: $(repr(path))"))
    end
    for name in Iterators.flatten((options.exclude_modules, something(modules, String[])))
        occursin('\n', name) && throw(ArgumentError("module name contains a newline: $(repr(name))"))
    end
    pointers = Ptr{UInt8}[pointer(path) for path in paths]
    lengths = Csize_t[sizeof(path) for path in paths]
    excluded = join(options.exclude_modules, '\n')
    kept = join(something(modules, String[]), '\n')
    restrict = modules !== nothing
    handle = Ref{Ptr{Cvoid}}(C_NULL)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = GC.@preserve paths begin
        @ccall libcompile_traces.ct_open(pointers::Ptr{Ptr{UInt8}}, lengths::Ptr{Csize_t},
                                          length(paths)::Csize_t, options.dedup::UInt8,
                                          excluded::Ptr{UInt8}, sizeof(excluded)::Csize_t,
                                          options.exclude_closures::UInt8, options.min_time_ms::Cdouble,
                                          options.include_pattern::Ptr{UInt8},
                                          sizeof(options.include_pattern)::Csize_t,
                                          options.exclude_pattern::Ptr{UInt8},
                                          sizeof(options.exclude_pattern)::Csize_t,
                                          options.bound_varargs::UInt32, restrict::UInt8,
                                          kept::Ptr{UInt8}, sizeof(kept)::Csize_t,
                                          handle::Ptr{Ptr{Cvoid}}, err::Ptr{Ptr{Cvoid}})::Cint
    end
    check_status(status, err)
    return handle[]
end

free_trace_handle(h::Ptr{Cvoid}) = @ccall libcompile_traces.ct_free(h::Ptr{Cvoid})::Cvoid

"Runs `f(handle)` on the traces opened by `open_trace_handle`, freeing the handle afterwards."
function with_trace_handle(f, paths::Vector{String}, options::ReadOptions,
                           modules::Union{Nothing,Vector{String}})
    h = open_trace_handle(paths, options, modules)
    try
        return f(h)
    finally
        free_trace_handle(h)
    end
end

"""
    handle_counts(h) -> NamedTuple

`ct_counts` and `ct_totals` of a handle: kept statements, duplicates, excluded, ignored,
malformed, unsupported, physical lines and bytes read, timed kept statements and their total
recorded time (ms).
"""
function handle_counts(h::Ptr{Cvoid})
    err = Ref{Ptr{Cvoid}}(C_NULL)
    c = [Ref{UInt64}(0) for _ in 1:7]
    status = @ccall libcompile_traces.ct_counts(h::Ptr{Cvoid}, c[1]::Ptr{UInt64}, c[2]::Ptr{UInt64},
                                                c[3]::Ptr{UInt64}, c[4]::Ptr{UInt64}, c[5]::Ptr{UInt64},
                                                c[6]::Ptr{UInt64}, c[7]::Ptr{UInt64},
                                                err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    lines = Ref{UInt64}(0)
    bytes = Ref{UInt64}(0)
    timed = Ref{UInt64}(0)
    total_ms = Ref{Cdouble}(0.0)
    status = @ccall libcompile_traces.ct_totals(h::Ptr{Cvoid}, lines::Ptr{UInt64}, bytes::Ptr{UInt64},
                                                timed::Ptr{UInt64}, total_ms::Ptr{Cdouble},
                                                err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    return (statements = Int(c[1][]), duplicates = Int(c[2][]), excluded = Int(c[3][]),
            ignored = Int(c[4][]), malformed = Int(c[5][]), unsupported = Int(c[6][]),
            items = Int(c[7][]), lines = Int(lines[]), bytes = Int(bytes[]), timed = Int(timed[]),
            total_ms = Float64(total_ms[]))
end

"""
    write_kept_statements(h, path; header = "", keep_timing = false, force = false) -> Int

Writes `header` (comment lines) and the kept statements of a handle to `path` (one normalized
statement per line, replaced atomically by the library) and returns how many statements were
written. Unless `force`, an existing `path` that is not a trace, or that holds more than twice
as many statements, is left as it is: an `ArgumentError` says why. Throws an `ErrorException`
naming `path` when it cannot be written.
"""
function write_kept_statements(h::Ptr{Cvoid}, path::String; header::String = "", keep_timing::Bool = false,
                               force::Bool = false)
    occursin('\0', path) && throw(ArgumentError("output path contains a NUL byte: $(repr(path))"))
    written = Ref{UInt64}(0)
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_write_statements(h::Ptr{Cvoid}, path::Ptr{UInt8},
                                                          sizeof(path)::Csize_t, header::Ptr{UInt8},
                                                          sizeof(header)::Csize_t, keep_timing::UInt8,
                                                          force::UInt8, written::Ptr{UInt64},
                                                          err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    return Int(written[])
end

"""
    check_replacement(path, new_count = -1)

Throws an `ArgumentError` saying why when the existing file `path` must not be replaced by a
recording of `new_count` statements (`-1`: not known yet): it is not a trace, or it holds more
than twice as many statements. A missing file may always be written. The rule is the
library's (`compile_traces_core::replace`).
"""
function check_replacement(path::String, new_count::Integer = -1)
    ensure_library()
    occursin('\0', path) && throw(ArgumentError("output path contains a NUL byte: $(repr(path))"))
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_check_replacement(path::Ptr{UInt8}, sizeof(path)::Csize_t,
                                                           new_count::Int64, err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    return nothing
end

"""
    inference_counts(h) -> NamedTuple

What the library selected from the inference trees a handle read (`ct_inference_counts`):
`frames` in the trees, `selected` (the outermost frames the filters keep), `replaced` (frames a
filter dropped, replaced by their callees) and `covered` (frames under a selected one).
"""
function inference_counts(h::Ptr{Cvoid})
    c = [Ref{UInt64}(0) for _ in 1:4]
    err = Ref{Ptr{Cvoid}}(C_NULL)
    status = @ccall libcompile_traces.ct_inference_counts(h::Ptr{Cvoid}, c[1]::Ptr{UInt64}, c[2]::Ptr{UInt64},
                                                          c[3]::Ptr{UInt64}, c[4]::Ptr{UInt64},
                                                          err::Ptr{Ptr{Cvoid}})::Cint
    check_status(status, err)
    return (frames = Int(c[1][]), selected = Int(c[2][]), replaced = Int(c[3][]), covered = Int(c[4][]))
end
