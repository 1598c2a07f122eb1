//! The line, block and pipeline layers on every line shape of the trace formats, ordering under
//! a thread pool, dedup, filters and read errors. Lines are real ones from the corpus or written
//! to match them.

use std::borrow::Cow;

use compile_traces_core::pipeline::{self, Exclusion, Summary, Verdict};
use compile_traces_core::source::{read_all, Source};
use compile_traces_core::{Flags, IgnoreReason, Item, ItemKind, Options, ProblemKind, Statement};
use regex::Regex;

const SUM: &str = "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})";
const SHOW: &str = "precompile(Tuple{typeof(Base.show), Base.IOStream, String})";

fn classify(text: &[u8]) -> Vec<Item<'static>> {
    pipeline::classify(0, text)
        .into_iter()
        .map(Item::into_owned)
        .collect()
}

fn statement<'i, 'a>(item: &'i Item<'a>) -> &'i Statement<'a> {
    match &item.kind {
        ItemKind::Statement(statement) => statement,
        other => panic!(
            "line {}: expected a statement, got {other:?}",
            item.origin.line
        ),
    }
}

fn problem(item: &Item<'_>) -> (ProblemKind, u32, String, String) {
    match &item.kind {
        ItemKind::Problem(problem) => (
            problem.kind,
            problem.column,
            problem.message.to_string(),
            problem.text.to_string(),
        ),
        other => panic!(
            "line {}: expected a problem, got {other:?}",
            item.origin.line
        ),
    }
}

fn ignored(item: &Item<'_>) -> IgnoreReason {
    match &item.kind {
        ItemKind::Ignored(reason) => *reason,
        other => panic!("line {}: expected ignored, got {other:?}", item.origin.line),
    }
}

fn lines_of(items: &[Item<'_>]) -> Vec<(u32, u32)> {
    items
        .iter()
        .map(|item| (item.origin.line, item.origin.end_line))
        .collect()
}

fn run(sources: &[Source], options: &Options) -> (Vec<(Item<'static>, Verdict)>, Summary) {
    let mut out = Vec::new();
    let summary = pipeline::process(sources, options, |item, verdict| {
        out.push((item.into_owned(), verdict))
    });
    (out, summary)
}

fn source(name: &str, text: &str) -> Source {
    Source::from_bytes(name, text.as_bytes().to_vec())
}

#[test]
fn empty_file_has_no_items() {
    assert!(classify(b"").is_empty());
    let (items, summary) = run(&[source("empty.jl", "")], &Options::default());
    assert!(items.is_empty());
    assert_eq!(summary, Summary::default());
}

#[test]
fn file_that_is_only_a_bom_is_one_blank_line() {
    let items = classify(b"\xEF\xBB\xBF");
    assert_eq!(items.len(), 1);
    assert_eq!(ignored(&items[0]), IgnoreReason::Blank);
    let (_, summary) = run(
        &[Source::from_bytes("bom.jl", b"\xEF\xBB\xBF\n".to_vec())],
        &Options::default(),
    );
    assert_eq!((summary.lines, summary.bytes, summary.ignored), (1, 4, 1));
}

#[test]
fn bom_is_stripped_from_the_first_line_only() {
    let text = format!("\u{FEFF}{SUM}\n\u{FEFF}{SHOW}\n");
    let items = classify(text.as_bytes());
    assert_eq!(statement(&items[0]).text, SUM);
    // A BOM in the middle of a file is not a BOM: the line is not a statement.
    assert!(
        matches!(items[1].kind, ItemKind::Problem(_)),
        "{:?}",
        items[1]
    );
}

#[test]
fn crlf_file_gives_clean_text_and_right_line_numbers() {
    let text = format!("{SUM}\r\n\r\n# comment\r\n{SHOW}\r\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 1), (2, 2), (3, 3), (4, 4)]);
    assert_eq!(statement(&items[0]).text, SUM);
    assert_eq!(ignored(&items[1]), IgnoreReason::Blank);
    assert_eq!(ignored(&items[2]), IgnoreReason::Comment);
    assert_eq!(statement(&items[3]).text, SHOW);
}

#[test]
fn text_is_borrowed_from_the_input_when_nothing_was_removed_from_its_middle() {
    let text = format!("{SUM}\n#=  12.2 ms =# {SHOW} # recompile\r\n");
    let items = pipeline::classify(0, text.as_bytes());
    for item in &items {
        match &item.kind {
            ItemKind::Statement(statement) => {
                assert!(matches!(statement.text, Cow::Borrowed(_)), "{statement:?}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn ansi_coloured_line_is_a_clean_statement() {
    let text = format!("\x1b[33m{SUM}\x1b[0m\n\x1b[1;33m#=   3.1 ms =# \x1b[0m{SHOW}\x1b[39m\n");
    let items = classify(text.as_bytes());
    assert_eq!(statement(&items[0]).text, SUM);
    let second = statement(&items[1]);
    assert_eq!(second.text, SHOW);
    assert_eq!(second.timing_ms, Some(3.1));
}

#[test]
fn timing_prefix_and_recompile_mark() {
    let text = "#=   78.2 ms =# precompile(Tuple{typeof(Test.do_test_throws), Test.ExecutionResult, Vararg{Any, 4}}) # recompile\n\
                #=   20.8 ms =# precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet})\n\
                precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet}) # some other note\n";
    let items = classify(text.as_bytes());
    let first = statement(&items[0]);
    assert_eq!(
        first.text,
        "precompile(Tuple{typeof(Test.do_test_throws), Test.ExecutionResult, Vararg{Any, 4}})"
    );
    assert_eq!(first.timing_ms, Some(78.2));
    assert!(first.flags.contains(Flags::TIMED | Flags::RECOMPILE));
    let second = statement(&items[1]);
    assert_eq!(second.timing_ms, Some(20.8));
    assert!(second.flags.contains(Flags::TIMED));
    assert!(!second.flags.contains(Flags::RECOMPILE));
    let third = statement(&items[2]);
    assert_eq!(third.timing_ms, None);
    assert!(!third.flags.contains(Flags::TIMED) && !third.flags.contains(Flags::RECOMPILE));
    assert_eq!(
        third.text,
        "precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet})"
    );
}

#[test]
fn snoopcompile_time_comment_is_seconds() {
    let text =
        "    Base.precompile(Tuple{typeof(boottestWRE!),StrBootTest{Float32}})   # time: 0.0123\n";
    let items = classify(text.as_bytes());
    let statement = statement(&items[0]);
    assert_eq!(
        statement.text,
        "Base.precompile(Tuple{typeof(boottestWRE!),StrBootTest{Float32}})"
    );
    let ms = statement.timing_ms.expect("timed");
    assert!((ms - 12.3).abs() < 1e-9, "{ms}");
    assert!(statement.flags.contains(Flags::TIMED));
}

#[test]
fn isdefined_guard_and_try_assert_wrappers_are_statements() {
    let text = "    isdefined(Plots, Symbol(\"#174#175\")) && Base.precompile(Tuple{getfield(Plots, Symbol(\"#174#175\")),Any})\n\
                \x20   try; @assert(Base.precompile(Tuple{typeof(Juno._progress),Expr,Expr})); catch err; @debug err; end\n";
    let items = classify(text.as_bytes());
    let guarded = statement(&items[0]);
    assert!(guarded.flags.contains(Flags::GUARDED | Flags::CLOSURE));
    assert!(guarded
        .text
        .starts_with("Base.precompile(Tuple{getfield(Plots"));
    let tried = statement(&items[1]);
    assert_eq!(
        tried.text,
        "Base.precompile(Tuple{typeof(Juno._progress),Expr,Expr})"
    );
}

const SNOOP_FILE: &str = "\
const __bodyfunction__ = Dict{Method,Any}()

# Find keyword \"body functions\"
function __lookup_kwbody__(mnokw::Method)
    function getsym(arg)
        isa(arg, Symbol) && return arg
        @assert isa(arg, GlobalRef)
        return arg.name
    end

    f = get(__bodyfunction__, mnokw, nothing)
    if f === nothing
        ast = Base.uncompressed_ast(mnokw)
        if isa(ast, Core.CodeInfo) && length(ast.code) >= 2
            callexpr = ast.code[end-1]
        else
            f = missing
        end
        __bodyfunction__[mnokw] = f
    end
    return f
end

function _precompile_()
    ccall(:jl_generating_output, Cint, ()) == 1 || return nothing
    Base.precompile(Tuple{typeof(panelsum_turbo!),Matrix{Float32},Matrix{Float32},Vector{Float32},Vector{UnitRange{Int64}}})   # time: 7.669295
    let fbody = try __lookup_kwbody__(which(_wildboottest, (DataType,Matrix{Float64},Vector{Int64},))) catch missing end
        if !ismissing(fbody)
            precompile(fbody, (BitVector,Matrix{Float64},Int64,))
        end
    end   # time: 0.0114772
    Base.precompile(Tuple{typeof(boottestOLSARubin!),StrBootTest{Float32}})   # time: 6.8374147
    let fbody = try
            __lookup_kwbody__(which(kw_constructor, (Type{Route},)))
        catch missing
        end
        if !ismissing(fbody)
            precompile(fbody, (Any,Type{Route},))
        end
    end   # time: 0.001553336
end
";

#[test]
fn snoopcompile_file_scaffolding_regions_and_statements() {
    let items = classify(SNOOP_FILE.as_bytes());
    let summary: Vec<(u32, u32, &str)> = items
        .iter()
        .map(|item| {
            let kind = match &item.kind {
                ItemKind::Statement(_) => "statement",
                ItemKind::Ignored(reason) => reason.as_str(),
                ItemKind::Problem(problem) => problem.kind.as_str(),
            };
            (item.origin.line, item.origin.end_line, kind)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, 1, "scaffolding"),
            (2, 2, "blank"),
            (3, 3, "comment"),
            (4, 22, "unsupported"),
            (23, 23, "blank"),
            (24, 24, "scaffolding"),
            (25, 25, "scaffolding"),
            (26, 26, "statement"),
            (27, 31, "unsupported"),
            (32, 32, "statement"),
            (33, 40, "unsupported"),
            (41, 41, "scaffolding"),
        ]
    );
    let (_, column, message, text) = problem(&items[3]);
    assert_eq!(column, 1);
    assert!(message.contains("__lookup_kwbody__"), "{message}");
    assert_eq!(text, "function __lookup_kwbody__(mnokw::Method)");
    let (_, column, message, text) = problem(&items[8]);
    assert_eq!(column, 5);
    assert!(message.contains("`let fbody` block skipped"), "{message}");
    assert!(
        message.contains("1 precompile statement inside"),
        "{message}"
    );
    assert!(text
        .trim_start()
        .starts_with("let fbody = try __lookup_kwbody__"));
    assert!(problem(&items[10]).2.contains("`let fbody` block skipped"));
    assert_eq!(
        statement(&items[9]).timing_ms.map(|ms| ms.round()),
        Some(6837.0)
    );
}

#[test]
fn warnpcfail_macro_is_one_region_and_its_users_are_statements() {
    let text = r#"# Use
#    @warnpcfail precompile(args...)
# if you want to be warned when a precompile directive fails
macro warnpcfail(ex::Expr)
    modl = __module__
    file = __source__.file === nothing ? "?" : String(__source__.file)
    line = __source__.line
    quote
        $(esc(ex)) || @warn """precompile directive
     $($(Expr(:quote, ex)))
 failed. Please report an issue in $($modl) (after checking for duplicates) or remove this directive.""" _file=$file _line=$line
    end
end


function _precompile_()
    ccall(:jl_generating_output, Cint, ()) == 1 || return nothing
    Base.precompile(Tuple{typeof(xml),Node})   # time: 0.13
end
"#;
    let items = classify(text.as_bytes());
    assert_eq!(
        lines_of(&items),
        [
            (1, 1),
            (2, 2),
            (3, 3),
            (4, 13),
            (14, 14),
            (15, 15),
            (16, 16),
            (17, 17),
            (18, 18),
            (19, 19)
        ]
    );
    let (kind, _, message, _) = problem(&items[3]);
    assert_eq!(kind, ProblemKind::Unsupported);
    assert!(message.contains("@warnpcfail"), "{message}");
    assert_eq!(
        statement(&items[8]).text,
        "Base.precompile(Tuple{typeof(xml),Node})"
    );
}

#[test]
fn version_guard_wrappers_keep_their_statements() {
    let text = format!(
        "if VERSION >= v\"1.9.0-DEV.1598\" # Core.kwcall - julia commit ccb0a02dc6\n\
         #=   34.2 ms =# {SUM}\n\
         end # if\n\
         if v\"1.13.0-DEV.731\" > VERSION >= v\"1.11.0-DEV.336\"\n\
         {SHOW}\n\
         else\n\
         precompile(Tuple{{typeof(Base.print), Base.IOStream, String}})\n\
         end\n"
    );
    let items = classify(text.as_bytes());
    let kinds: Vec<String> = items.iter().map(describe).collect();
    assert_eq!(
        kinds,
        [
            "scaffolding",
            "statement",
            "scaffolding",
            "scaffolding",
            "statement",
            "scaffolding",
            "statement",
            "scaffolding"
        ]
    );
}

#[test]
fn other_if_blocks_are_skipped_as_regions() {
    let text = format!("if !ismissing(fbody)\n    {SUM}\nend\n{SHOW}\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 3), (4, 4)]);
    let (kind, _, message, _) = problem(&items[0]);
    assert_eq!(kind, ProblemKind::Unsupported);
    assert!(message.contains("`if` block skipped"), "{message}");
    // `if !all` is a wrapper only inside a function wrapper.
    let text = format!("if !all\n    {SUM}\nend\n");
    assert_eq!(lines_of(&classify(text.as_bytes())), [(1, 3)]);
}

#[test]
fn dataframes_style_precompile_function_is_transparent_and_its_workload_skipped() {
    let text = format!(
        "function precompile(all=false)\n\
         \x20   VERSION >= v\"1.5\" || return nothing\n\
         \x20   if !all\n\
         \x20       ccall(:jl_generating_output, Cint, ()) == 1 || return nothing\n\
         \x20       Base.precompile(Tuple{{typeof(row_group_slots),Tuple{{Vector{{Int}}}},Val{{false}},Vector{{Int}},Bool,Bool}})\n\
         \x20   else\n\
         \x20       {SUM}\n\
         \x20       for v in ([1, 2], [2, 1]),\n\
         \x20           on in (:v1, [:v1, :v2])\n\
         \x20           df = DataFrame(v1=op(v), v2=v)\n\
         \x20       end\n\
         \x20   end\n\
         \x20   return nothing\n\
         end\n"
    );
    let items = classify(text.as_bytes());
    let kinds: Vec<String> = items.iter().map(describe).collect();
    assert_eq!(
        kinds,
        [
            "scaffolding",
            "scaffolding",
            "scaffolding",
            "scaffolding",
            "statement",
            "scaffolding",
            "statement",
            "unsupported",
            "scaffolding",
            "scaffolding",
            "scaffolding"
        ]
    );
    assert_eq!((items[7].origin.line, items[7].origin.end_line), (8, 11));
    assert!(problem(&items[7]).2.contains("`for` block skipped"));
}

#[test]
fn setup_workload_wrapper_keeps_indented_timed_statements() {
    let text = format!(
        "# module header\n\
         using PrecompileTools: @setup_workload\n\
         \n\
         @setup_workload begin\n\
         \x20   #= 1034.5 ms =# {SUM}\n\
         \x20   @compile_workload begin\n\
         \x20       {SHOW}\n\
         \x20   end\n\
         end\n"
    );
    let items = classify(text.as_bytes());
    let kinds: Vec<String> = items.iter().map(describe).collect();
    assert_eq!(
        kinds,
        [
            "comment",
            "scaffolding",
            "blank",
            "scaffolding",
            "statement",
            "scaffolding",
            "statement",
            "scaffolding",
            "scaffolding"
        ]
    );
    assert_eq!(statement(&items[4]).timing_ms, Some(1034.5));
}

#[test]
fn invalid_utf8_line_is_malformed_and_neighbours_intact() {
    let mut text = format!("{SUM}\n").into_bytes();
    text.extend_from_slice(b"precompile(Tuple{typeof(Base.sum), Array{\xFF, 1}})\n");
    text.extend_from_slice(format!("{SHOW}\n").as_bytes());
    let items = classify(&text);
    assert_eq!(lines_of(&items), [(1, 1), (2, 2), (3, 3)]);
    assert_eq!(statement(&items[0]).text, SUM);
    let (kind, column, message, shown) = problem(&items[1]);
    assert_eq!(kind, ProblemKind::Malformed);
    assert_eq!(column, 42);
    assert!(message.contains("invalid UTF-8"), "{message}");
    assert!(shown.contains('\u{FFFD}'));
    assert_eq!(statement(&items[2]).text, SHOW);
}

#[test]
fn problem_column_counts_characters_of_the_file_line() {
    // The parser rejects the call inside `typeof`; the column must point into the file line,
    // timing prefix and indentation included.
    let line = "    #=   12.0 ms =# precompile(Tuple{typeof(Base.exit(0x01)), Int64})";
    let items = classify(line.as_bytes());
    let (kind, column, _, text) = problem(&items[0]);
    assert_eq!(kind, ProblemKind::Unsupported);
    assert_eq!(text, line);
    let prefix = "    #=   12.0 ms =# precompile(Tuple{typeof("
        .chars()
        .count() as u32;
    assert!(
        column > prefix && column as usize <= line.chars().count(),
        "{column}"
    );
    let at: String = text.chars().skip(column as usize - 1).take(9).collect();
    assert_eq!(at, "Base.exit");
    // Colour codes are not counted: the column indexes the text as shown.
    let coloured = format!("\x1b[31m{}\x1b[0m", line.trim_start());
    let (_, column, _, text) = problem(&classify(coloured.as_bytes())[0]);
    let at: String = text.chars().skip(column as usize - 1).take(9).collect();
    assert_eq!(at, "Base.exit");
    // Non-ASCII before the error: counted as one column each.
    let line = "precompile(Tuple{Val{:π}, Val{:∀}, typeof(Base.exit(0x01))})";
    let (_, column, _, text) = problem(&classify(line.as_bytes())[0]);
    let at: String = text.chars().skip(column as usize - 1).take(9).collect();
    assert_eq!(at, "Base.exit");
    let byte_column = line.find("Base.exit").unwrap() as u32 + 1;
    assert!(
        column < byte_column,
        "column {column} must count characters, not bytes"
    );
}

#[test]
fn megabyte_line_is_one_statement() {
    let mut text = String::from("precompile(Tuple{typeof(Base.tuple)");
    while text.len() < 1 << 20 {
        text.push_str(", Int64");
    }
    text.push_str("})\n");
    let items = classify(text.as_bytes());
    assert_eq!(items.len(), 1);
    assert_eq!(statement(&items[0]).text.len(), text.len() - 1);
    let (_, summary) = run(
        &[Source::from_bytes("big.jl", text.into_bytes())],
        &Options::default(),
    );
    assert_eq!((summary.statements, summary.lines), (1, 1));
}

#[test]
fn unterminated_region_ends_at_the_last_line() {
    let text = format!("{SUM}\nlet fbody = try __lookup_kwbody__(which(f, (Any,))) catch missing end\n    if !ismissing(fbody)\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 1), (2, 3)]);
    let (_, _, message, _) = problem(&items[1]);
    assert!(message.contains("unterminated"), "{message}");
}

#[test]
fn stray_code_and_end_are_unsupported_lines() {
    let text = format!("{SUM}\nx = 1\nend\nelse\n{SHOW}\n");
    let items = classify(text.as_bytes());
    let kinds: Vec<String> = items.iter().map(describe).collect();
    assert_eq!(
        kinds,
        [
            "statement",
            "unsupported",
            "unsupported",
            "unsupported",
            "statement"
        ]
    );
    assert!(problem(&items[2]).2.contains("`end` without an open block"));
}

#[test]
fn rejected_statement_that_opens_a_block_skips_through_its_end() {
    let text = format!("precompile(Tuple{{Int64}}) && begin\n    {SUM}\nend\n{SHOW}\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 3), (4, 4)]);
    let (_, column, message, shown) = problem(&items[0]);
    assert_eq!(column, 26, "{message}"); // the `&&`
    assert!(message.contains("opens a block"), "{message}");
    assert!(
        message.contains("1 precompile statement inside"),
        "{message}"
    );
    assert_eq!(shown, "precompile(Tuple{Int64}) && begin");
    assert_eq!(statement(&items[1]).text, SHOW);
}

#[test]
fn multi_line_block_comment_hides_statements() {
    let text = format!("#= disabled:\n{SUM}\n  still comment =#\n{SHOW}\n");
    let items = classify(text.as_bytes());
    let kinds: Vec<String> = items.iter().map(describe).collect();
    assert_eq!(kinds, ["comment", "comment", "comment", "statement"]);
}

fn describe(item: &Item<'_>) -> String {
    match &item.kind {
        ItemKind::Statement(_) => "statement".into(),
        ItemKind::Ignored(reason) => reason.as_str().into(),
        ItemKind::Problem(problem) => problem.kind.as_str().into(),
    }
}

/// A large input with every kind of line, regions that cross chunk boundaries, and statements
/// that repeat. Line `i` is predictable from `i` alone.
fn big_input(lines: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while i < lines {
        match i % 50 {
            0 => text.push_str("# a comment\n"),
            1 => text.push('\n'),
            2 => text.push_str("precompile(Tuple{typeof(Base.exit(0x01))})\n"),
            3 => {
                // A 5-line region.
                text.push_str(
                    "let fbody = try __lookup_kwbody__(which(f, (Any,))) catch missing end\n",
                );
                text.push_str("    if !ismissing(fbody)\n");
                text.push_str("        precompile(fbody, (Any,))\n");
                text.push_str("    end\n");
                text.push_str("end\n");
                i += 4;
            }
            _ => text.push_str(&format!(
                "#= {}.5 ms =# precompile(Tuple{{typeof(Base.sum), NTuple{{{}, Int64}}}})\n",
                i % 7,
                i % 1000
            )),
        }
        i += 1;
    }
    text
}

#[test]
fn order_and_line_numbers_do_not_depend_on_threads_or_chunks() {
    let text = big_input(60_000);
    assert!(
        text.len() > 3 * pipeline::CHUNK_BYTES,
        "the input must span several chunks"
    );
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();

    let file_lines: Vec<&str> = text.lines().collect();
    let sequential = one.install(|| classify(text.as_bytes()));
    let parallel = four.install(|| classify(text.as_bytes()));
    assert_eq!(sequential, parallel);

    // Line numbers match a line-by-line reading of the file.
    let region_lines: Vec<(u32, u32)> = sequential
        .iter()
        .filter(|item| item.origin.end_line > item.origin.line)
        .map(|item| (item.origin.line, item.origin.end_line))
        .collect();
    for (start, end) in &region_lines {
        assert_eq!(end - start, 4);
        let first = file_lines[*start as usize - 1];
        assert!(first.starts_with("let fbody"), "line {start}: {first}");
        assert_eq!(file_lines[*end as usize - 1], "end");
    }
    assert_eq!(region_lines.len(), 60_000 / 50);
    for item in &sequential {
        let line = file_lines[item.origin.line as usize - 1];
        match &item.kind {
            ItemKind::Statement(statement) => assert!(line.ends_with(statement.text.as_ref())),
            ItemKind::Ignored(IgnoreReason::Comment) => assert!(line.starts_with('#')),
            ItemKind::Ignored(IgnoreReason::Blank) => assert!(line.is_empty()),
            ItemKind::Problem(problem) => assert_eq!(problem.text, line),
            other => panic!("{other:?}"),
        }
    }
    let total: u32 = sequential
        .iter()
        .map(|item| item.origin.end_line - item.origin.line + 1)
        .sum();
    assert_eq!(total as usize, file_lines.len());

    // `process` without dedup streams exactly what `classify` returns, across chunks too.
    let single = [Source::from_bytes("a.jl", text.clone().into_bytes())];
    let no_dedup = Options {
        dedup: false,
        ..Options::default()
    };
    let (streamed, _) = four.install(|| run(&single, &no_dedup));
    let streamed: Vec<Item<'static>> = streamed.into_iter().map(|(item, _)| item).collect();
    assert_eq!(streamed, sequential);

    // The whole pipeline, several sources, in both pools.
    let sources = [
        Source::from_bytes("a.jl", text.clone().into_bytes()),
        source("small.jl", &format!("{SUM}\n")),
        Source::from_bytes("c.jl", big_input(20_000).into_bytes()),
    ];
    let options = Options {
        min_time_ms: Some(2.0),
        ..Options::default()
    };
    let (one_items, one_summary) = one.install(|| run(&sources, &options));
    let (four_items, four_summary) = four.install(|| run(&sources, &options));
    assert_eq!(one_summary, four_summary);
    assert_eq!(one_items, four_items);
    let mut previous = (0, 0);
    for (item, _) in &one_items {
        let key = (item.origin.source, item.origin.line);
        assert!(key > previous, "{key:?} after {previous:?}");
        previous = key;
    }
    assert_eq!(
        one_summary.lines as usize,
        text.lines().count() + 1 + 20_000
    );
    assert_eq!(
        one_summary.bytes as usize,
        sources.iter().map(|s| s.bytes.len()).sum::<usize>()
    );
    let counted = one_summary.statements
        + one_summary.duplicates
        + one_summary.excluded
        + one_summary.ignored
        + one_summary.malformed
        + one_summary.unsupported;
    assert_eq!(counted as usize, one_items.len());
}

#[test]
fn dedup_is_across_files_and_first_occurrence_wins() {
    let sources = [
        source("a.jl", &format!("{SUM}\n{SHOW}\n{SUM}\n")),
        source("b.jl", &format!("# header\n#=  3.0 ms =# {SHOW}\n")),
    ];
    let (items, summary) = run(&sources, &Options::default());
    let verdicts: Vec<Verdict> = items.iter().map(|(_, verdict)| *verdict).collect();
    let first_sum = items[0].0.origin;
    let first_show = items[1].0.origin;
    assert_eq!(
        verdicts,
        [
            Verdict::Keep,
            Verdict::Keep,
            Verdict::Duplicate { first: first_sum },
            Verdict::Keep,
            Verdict::Duplicate { first: first_show },
        ]
    );
    assert_eq!((items[4].0.origin.source, items[4].0.origin.line), (1, 2));
    assert_eq!(
        (summary.statements, summary.duplicates, summary.ignored),
        (2, 2, 1)
    );

    let no_dedup = Options {
        dedup: false,
        ..Options::default()
    };
    let (items, summary) = run(&sources, &no_dedup);
    assert!(items.iter().all(|(_, verdict)| *verdict == Verdict::Keep));
    assert_eq!((summary.statements, summary.duplicates), (4, 0));
}

fn verdicts(text: &str, options: &Options) -> Vec<Verdict> {
    let sources = [source("t.jl", text)];
    run(&sources, options)
        .0
        .into_iter()
        .map(|(_, verdict)| verdict)
        .collect()
}

#[test]
fn exclude_modules_names_the_first_listed_module_that_matches() {
    let text = "precompile(Tuple{typeof(Main.main)})\n\
                precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet})\n\
                precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n";
    let options = Options {
        exclude_modules: vec!["Test".into(), "Main".into()],
        ..Options::default()
    };
    assert_eq!(
        verdicts(text, &options),
        [
            Verdict::Excluded(Exclusion::Module(1)),
            Verdict::Excluded(Exclusion::Module(0)),
            Verdict::Keep,
        ]
    );
}

#[test]
fn modules_keep_list_keeps_statements_naming_a_listed_root_module() {
    let text = "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})\n\
                precompile(Tuple{typeof(Base.show), Base.IOStream, TracedPkg.Sub.Point})\n\
                precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n\
                precompile(Tuple{typeof(Main.f), TracedPkg.Point})\n\
                precompile(Tuple{typeof(Base.string), Other.T})\n\
                precompile(Tuple{getfield(TracedPkg, Symbol(\"#3#4\")), Int64})\n\
                precompile(TracedPkg.scaled, (TracedPkg.Point, Int64))\n";
    let options = Options {
        modules: Some(vec!["TracedPkg".into(), "Other".into()]),
        ..Options::default()
    };
    assert_eq!(
        verdicts(text, &options),
        [
            Verdict::Keep,
            Verdict::Keep, // a submodule is named through its root
            Verdict::Excluded(Exclusion::NotInModules),
            Verdict::Keep, // names TracedPkg too; `exclude_modules` is what drops Main
            Verdict::Keep,
            Verdict::Keep,
            Verdict::Keep, // the two-argument form
        ]
    );
    // `exclude_modules` comes first: a statement naming an excluded module is dropped for it.
    let both = Options {
        modules: Some(vec!["TracedPkg".into()]),
        exclude_modules: vec!["Main".into()],
        ..Options::default()
    };
    let got = verdicts(text, &both);
    assert_eq!(got[3], Verdict::Excluded(Exclusion::Module(0)));
    assert_eq!(got[4], Verdict::Excluded(Exclusion::NotInModules));
    // An empty list keeps nothing; no list keeps everything.
    let none = Options {
        modules: Some(Vec::new()),
        ..Options::default()
    };
    assert!(verdicts(text, &none)
        .iter()
        .all(|verdict| *verdict == Verdict::Excluded(Exclusion::NotInModules)));
    assert!(verdicts(text, &Options::default())
        .iter()
        .all(|verdict| *verdict == Verdict::Keep));
}

#[test]
fn modules_keep_list_comes_before_dedup_and_counts_as_excluded() {
    let pkg = "precompile(Tuple{typeof(TracedPkg.norm2), TracedPkg.Point})";
    let text = format!("{SUM}\n{pkg}\n{SUM}\n{pkg}\n");
    let options = Options {
        modules: Some(vec!["TracedPkg".into()]),
        ..Options::default()
    };
    let sources = [source("t.jl", &text)];
    let (items, summary) = run(&sources, &options);
    let first = items[1].0.origin;
    let seen: Vec<Verdict> = items.iter().map(|(_, verdict)| *verdict).collect();
    assert_eq!(
        seen,
        [
            Verdict::Excluded(Exclusion::NotInModules),
            Verdict::Keep,
            Verdict::Excluded(Exclusion::NotInModules),
            Verdict::Duplicate { first },
        ]
    );
    assert_eq!(
        (summary.statements, summary.excluded, summary.duplicates),
        (1, 2, 1)
    );
}

#[test]
fn exclude_closures() {
    let text = "precompile(Tuple{getfield(Main, Symbol(\"#4#6\")), Int64})\n\
                precompile(Tuple{Base.var\"#f##0#f##1\"{Int64}})\n\
                precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\n";
    let options = Options {
        exclude_closures: true,
        ..Options::default()
    };
    assert_eq!(
        verdicts(text, &options),
        [
            Verdict::Excluded(Exclusion::Closure),
            Verdict::Excluded(Exclusion::Closure),
            Verdict::Keep,
        ]
    );
    assert!(verdicts(text, &Options::default())
        .iter()
        .all(|verdict| *verdict == Verdict::Keep));
}

#[test]
fn min_time_drops_only_fast_timed_statements() {
    let text = format!(
        "#=    1.5 ms =# {SUM}\n\
         #=   20.0 ms =# {SHOW}\n\
         precompile(Tuple{{typeof(Base.print), Base.IOStream, String}})\n\
         \x20   Base.precompile(Tuple{{typeof(f),Int64}})   # time: 0.001\n\
         \x20   Base.precompile(Tuple{{typeof(g),Int64}})   # time: 0.01\n"
    );
    let options = Options {
        min_time_ms: Some(5.0),
        ..Options::default()
    };
    assert_eq!(
        verdicts(&text, &options),
        [
            Verdict::Excluded(Exclusion::BelowMinTime),
            Verdict::Keep,
            Verdict::Keep,
            Verdict::Excluded(Exclusion::BelowMinTime),
            Verdict::Keep,
        ]
    );
}

#[test]
fn filters_come_before_dedup() {
    // The fast copy is excluded and does not enter the dedup set: the slow copy is kept, and a
    // third copy is a duplicate of the slow one.
    let text = format!("#= 1.0 ms =# {SUM}\n#= 9.0 ms =# {SUM}\n{SUM}\n");
    let options = Options {
        min_time_ms: Some(5.0),
        ..Options::default()
    };
    let sources = [source("t.jl", &text)];
    let (items, summary) = run(&sources, &options);
    let slow = items[1].0.origin;
    let seen: Vec<Verdict> = items.iter().map(|(_, verdict)| *verdict).collect();
    assert_eq!(
        seen,
        [
            Verdict::Excluded(Exclusion::BelowMinTime),
            Verdict::Keep,
            Verdict::Duplicate { first: slow },
        ]
    );
    assert_eq!(
        (summary.statements, summary.excluded, summary.duplicates),
        (1, 1, 1)
    );
    // An excluded statement stays excluded when repeated (it is not called a duplicate).
    let text = format!("{SUM}\n{SUM}\n");
    let options = Options {
        exclude_modules: vec!["Base".into()],
        ..Options::default()
    };
    assert_eq!(
        verdicts(&text, &options),
        [
            Verdict::Excluded(Exclusion::Module(0)),
            Verdict::Excluded(Exclusion::Module(0))
        ]
    );
}

#[test]
fn include_and_exclude_patterns() {
    let text = format!("{SUM}\n{SHOW}\n");
    let include = Options {
        include: Some(Regex::new(r"Base\.sum").unwrap()),
        ..Options::default()
    };
    assert_eq!(
        verdicts(&text, &include),
        [Verdict::Keep, Verdict::Excluded(Exclusion::NotIncluded)]
    );
    let exclude = Options {
        exclude: Some(Regex::new(r"IOStream").unwrap()),
        ..Options::default()
    };
    assert_eq!(
        verdicts(&text, &exclude),
        [Verdict::Keep, Verdict::Excluded(Exclusion::ExcludedPattern)]
    );
    // Patterns see the normalized text, not the timing prefix or comment.
    let text = format!("#= 1.0 ms =# {SUM} # recompile\n");
    let exclude = Options {
        exclude: Some(Regex::new(r"\bms\b|# recompile").unwrap()),
        ..Options::default()
    };
    assert_eq!(verdicts(&text, &exclude), [Verdict::Keep]);
}

#[test]
fn bound_varargs_rewrites_kept_statements_only() {
    let unbounded =
        "precompile(Tuple{typeof(Base._cat_t), Base.Val{1}, Type{Any}, Array{Any, 1}, Vararg{Any}})";
    let text = format!("{unbounded}\n{SUM}\n");
    let options = Options {
        bound_varargs: Some(100),
        ..Options::default()
    };
    let sources = [source("t.jl", &text)];
    let (items, _) = run(&sources, &options);
    let ItemKind::Statement(first) = &items[0].0.kind else {
        panic!("{:?}", items[0])
    };
    assert_eq!(
        first.text,
        "precompile(Tuple{typeof(Base._cat_t), Base.Val{1}, Type{Any}, Array{Any, 1}, Vararg{Any, 100}})"
    );
    assert!(first.flags.contains(Flags::VARARG_BOUNDED));
    assert_eq!(
        first.signature_text(),
        "Tuple{typeof(Base._cat_t), Base.Val{1}, Type{Any}, Array{Any, 1}, Vararg{Any, 100}}"
    );
    assert_eq!(first.roots().collect::<Vec<_>>(), ["Base"]);
    let ItemKind::Statement(second) = &items[1].0.kind else {
        panic!("{:?}", items[1])
    };
    assert_eq!(second.text, SUM);
    assert!(!second.flags.contains(Flags::VARARG_BOUNDED));
    // Without the option the text is untouched and flagged unbounded.
    let (items, _) = run(&sources, &Options::default());
    let ItemKind::Statement(first) = &items[0].0.kind else {
        panic!()
    };
    assert_eq!(first.text, unbounded);
    assert!(first.flags.contains(Flags::UNBOUNDED_VARARG));
}

#[test]
fn read_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-trace.jl");
    let error = Source::read(&missing).unwrap_err().to_string();
    assert!(error.contains("missing-trace.jl"), "{error}");
    assert!(
        error.contains("No such file or directory") || error.contains("cannot find"),
        "{error}"
    );

    let error = Source::read(dir.path()).unwrap_err().to_string();
    assert!(error.contains(&dir.path().display().to_string()), "{error}");
    assert!(error.contains("is a directory"), "{error}");

    let good = dir.path().join("good.jl");
    std::fs::write(&good, format!("{SUM}\n")).unwrap();
    let error = read_all(&[good.clone(), missing.clone(), dir.path().to_path_buf()]).unwrap_err();
    assert_eq!(error.path, missing);
    let sources = read_all(&[good.clone(), good]).unwrap();
    let (_, summary) = run(&sources, &Options::default());
    assert_eq!((summary.statements, summary.duplicates), (1, 1));
}

/// Every line is covered by exactly one item, in order, whatever the input.
fn assert_covers_every_line(text: &[u8], items: &[Item<'_>]) {
    let lines = if text.is_empty() {
        0
    } else {
        text.split(|byte| *byte == b'\n').count() - usize::from(text.ends_with(b"\n"))
    };
    let mut next = 1u32;
    for item in items {
        assert_eq!(item.origin.line, next, "{item:?}");
        assert!(item.origin.end_line >= item.origin.line);
        next = item.origin.end_line + 1;
    }
    assert_eq!(next as usize - 1, lines);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const FRAGMENTS: [&str; 16] = [
        "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
        "#=  1.5 ms =# precompile(Tuple{typeof(Base.show), Base.IOStream, String}) # recompile",
        "function _precompile_()",
        "let fbody = try __lookup_kwbody__(which(f, (Any,))) catch missing end",
        "    if !ismissing(fbody)",
        "end",
        "else",
        "if VERSION >= v\"1.9\"",
        "@setup_workload begin",
        "#= open comment",
        "  closes =#",
        "x = 1",
        "macro warnpcfail(ex::Expr)",
        "\u{1b}[33mprecompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\u{1b}[0m\r",
        "",
        "# comment",
    ];

    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            (0..FRAGMENTS.len()).prop_map(|index| FRAGMENTS[index].as_bytes().to_vec()),
            proptest::collection::vec(
                any::<u8>().prop_filter("no newline", |b| *b != b'\n'),
                0..40
            ),
        ]
    }

    proptest! {
        #[test]
        fn any_input_classifies_without_panic_and_covers_every_line(
            lines in proptest::collection::vec(line(), 0..40),
            final_newline in any::<bool>(),
        ) {
            let mut text = lines.join(&b'\n');
            if final_newline && !text.is_empty() {
                text.push(b'\n');
            }
            let items = pipeline::classify(0, &text);
            assert_covers_every_line(&text, &items);
            let sources = [Source::from_bytes("p.jl", text.clone())];
            let mut streamed = Vec::new();
            let no_dedup = Options { dedup: false, ..Options::default() };
            let summary = pipeline::process(&sources, &no_dedup, |item, verdict| {
                streamed.push((item, verdict))
            });
            // Without dedup or filters, `process` streams exactly what `classify` returns.
            prop_assert!(streamed.iter().all(|(_, verdict)| *verdict == Verdict::Keep));
            let streamed: Vec<Item<'_>> = streamed.into_iter().map(|(item, _)| item).collect();
            prop_assert_eq!(&streamed, &items);
            prop_assert_eq!(summary.lines as usize, text.split(|b| *b == b'\n').count() - usize::from(text.ends_with(b"\n") || text.is_empty()));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let items = pipeline::classify(0, &bytes);
            assert_covers_every_line(&bytes, &items);
        }
    }
}

#[test]
fn sink_need_not_be_send_and_runs_on_the_calling_thread() {
    // `Rc` is not `Send`: this compiles only because the sink stays on this thread, also on the
    // parallel path (the input is above the parallel threshold).
    let text = big_input(20_000);
    assert!(text.len() >= pipeline::PARALLEL_THRESHOLD);
    let sources = [Source::from_bytes("big.jl", text.into_bytes())];
    let seen = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let caller = std::thread::current().id();
    let counter = std::rc::Rc::clone(&seen);
    let summary = pipeline::process(&sources, &Options::default(), move |_, _| {
        assert_eq!(std::thread::current().id(), caller);
        counter.set(counter.get() + 1);
    });
    let total = summary.statements
        + summary.duplicates
        + summary.excluded
        + summary.ignored
        + summary.malformed
        + summary.unsupported;
    assert_eq!(seen.get(), total);
}

/// Issue 9, item 1: the two statements of the issue as a code formatter writes them.
const FORMATTED: &str = r#"precompile(
    Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{:var"text/plain"}, MyPkg.Model{Float64}},
)
precompile(
    Tuple{
        typeof(Core.memoryref),
        GenericMemory{:not_atomic, NamedTuple{names, T} where {T <: Tuple} where names, Core.AddrSpace{Core}(0x00)},
    },
)
"#;

#[test]
fn statements_over_several_lines_are_one_statement_each() {
    let items = classify(FORMATTED.as_bytes());
    assert_eq!(lines_of(&items), [(1, 3), (4, 9)]);
    assert_eq!(
        statement(&items[0]).text,
        r#"precompile(Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{:var"text/plain"}, MyPkg.Model{Float64}})"#
    );
    assert_eq!(
        statement(&items[1]).text,
        "precompile(Tuple{typeof(Core.memoryref), GenericMemory{:not_atomic, NamedTuple{names, T} where {T <: Tuple} where names, Core.AddrSpace{Core}(0x00)}})"
    );
    assert_eq!(statement(&items[1]).roots().collect::<Vec<_>>(), ["Core"]);
    // The same statement on one line elsewhere is a duplicate of the multi-line one, and the
    // duplicate points at its whole range.
    let one_line = "precompile(Tuple{typeof(Base.show), Base.IOContext{Base.TTY}, Base.Multimedia.MIME{:var\"text/plain\"}, MyPkg.Model{Float64}})\n";
    let (out, summary) = run(
        &[source("a.jl", FORMATTED), source("b.jl", one_line)],
        &Options::default(),
    );
    assert_eq!((summary.statements, summary.duplicates), (2, 1));
    assert!(matches!(
        out[2].1,
        Verdict::Duplicate { first } if (first.source, first.line, first.end_line) == (0, 1, 3)
    ));
}

#[test]
fn multi_line_statement_keeps_timing_comments_and_two_argument_form() {
    let text = "#=  3.0 ms =# precompile(   # the show method\n    Tuple{typeof(Base.show), Int64},  # one\n\n    # a comment line\n) # recompile\nprecompile(f,\n  (Int64,\n  ),\n)\n";
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 5), (6, 9)]);
    let timed = statement(&items[0]);
    assert_eq!(timed.text, "precompile(Tuple{typeof(Base.show), Int64})");
    assert_eq!(timed.timing_ms, Some(3.0));
    assert!(timed.flags.contains(Flags::TIMED | Flags::RECOMPILE));
    // The comma of a tuple `(Int64,)` is kept; the call's trailing comma is dropped.
    assert_eq!(statement(&items[1]).text, "precompile(f, (Int64,))");
    assert_eq!(statement(&items[1]).arg_types_text(), Some("(Int64,)"));
}

#[test]
fn unclosed_statement_ends_at_a_line_that_cannot_continue_it() {
    // A truncated line followed by a statement: the truncated line alone, as before.
    let text = format!("precompile(Tuple{{typeof(Base.string), String, Int64\n{SUM}\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 1), (2, 2)]);
    let (kind, column, message, _) = problem(&items[0]);
    assert_eq!((kind, column), (ProblemKind::Malformed, 52));
    assert!(message.contains("found end of line"), "{message}");
    statement(&items[1]);
    // Followed by a blank line: the same.
    let items = classify(b"precompile(Tuple{Int64\n\nprecompile(Tuple{Int64})\n");
    assert_eq!(lines_of(&items), [(1, 1), (2, 2), (3, 3)]);
    // Continued, then a line that cannot continue it (a block, a new statement): one
    // malformed item over the lines read, then the line read normally.
    let text = format!("precompile(\n    Tuple{{typeof(Base.sum),\nfunction f()\nend\n{SUM}\n");
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 2), (3, 4), (5, 5)]);
    let (kind, _, message, text) = problem(&items[0]);
    assert_eq!(kind, ProblemKind::Malformed);
    assert!(message.contains("line 3 cannot continue it"), "{message}");
    assert_eq!(text, "precompile(");
    statement(&items[2]);
    // The file ends first.
    let items = classify(b"precompile(\n    Tuple{Int64},\n");
    assert_eq!(lines_of(&items), [(1, 2)]);
    assert!(problem(&items[0]).2.contains("the file ends"));
}

#[test]
fn multi_line_statement_errors_point_at_their_line() {
    let text = "precompile(\n    Tuple{typeof(Base.sum),\n          exit(0x01)},\n)\n";
    let items = classify(text.as_bytes());
    assert_eq!(lines_of(&items), [(1, 4)]);
    let (kind, _, message, text) = problem(&items[0]);
    assert_eq!(kind, ProblemKind::Unsupported);
    assert!(message.contains("(line 3, column 11)"), "{message}");
    assert_eq!(text, "precompile(");
    // A closer too many.
    let items = classify(b"precompile(\n  Tuple{Int64}})\nprecompile(Tuple{Int64})\n");
    assert_eq!(lines_of(&items), [(1, 2), (3, 3)]);
    assert_eq!(problem(&items[0]).0, ProblemKind::Malformed);
}

#[test]
fn a_statement_may_span_at_most_ten_thousand_lines() {
    let mut text = String::from("precompile(Tuple{\n");
    for _ in 0..10_010 {
        text.push_str("  Int64,\n");
    }
    text.push_str("})\n");
    text.push_str(SUM);
    text.push('\n');
    let items = classify(text.as_bytes());
    let (kind, _, message, _) = problem(&items[0]);
    assert_eq!(kind, ProblemKind::Malformed);
    assert!(message.contains("10000"), "{message}");
    assert_eq!(lines_of(&items[..1]), [(1, 10_000)]);
    // The lines after the bound are read normally: code lines, then the statement.
    statement(items.last().unwrap());
    // A megabyte joined also ends it.
    let mut text = String::from("precompile(Tuple{\n");
    let long = format!("  Val{{{}}},\n", "1".repeat(100_000));
    for _ in 0..12 {
        text.push_str(&long);
    }
    text.push_str("})\n");
    let items = classify(text.as_bytes());
    assert!(problem(&items[0]).2.contains("bytes"));
    assert!(items[0].origin.end_line <= 12);
}

#[test]
fn terminal_output_is_malformed_not_unsupported() {
    let text = format!(
        "julia> using MyPkg\n(@v1.10) pkg> activate --temp\n2×2 Matrix{{Float64}}:\n 1.0  2.0\n 3.0  4.0\n...\n(@v1.10) pkg> activate --temp{SUM}\njulia> {SUM}\n{SUM} #concrete_eval_call at ./compiler/abstractinterpretation.jl:894\nusing MyPkg\nfor i in 1:3 f(i) end\n"
    );
    let items = classify(text.as_bytes());
    let kinds: Vec<&str> = items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Problem(problem) => problem.kind.as_str(),
            ItemKind::Statement(_) => "statement",
            ItemKind::Ignored(reason) => reason.as_str(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "malformed",
            "malformed",
            "malformed",
            "malformed",
            "malformed",
            "malformed",
            "malformed",
            "malformed",
            "statement",
            "scaffolding",
            "unsupported"
        ]
    );
    for item in &items[..8] {
        let (_, _, message, _) = problem(item);
        assert!(message.contains("not Julia code"), "{message}");
    }
    // Inside a wrapper's code a line may be part of a multi-line string: code, unsupported.
    let text = "@compile_workload begin
    s = \"\"\"
    hello world
    \"\"\"
end
";
    let items = classify(text.as_bytes());
    assert_eq!(problem(&items[2]).0, ProblemKind::Unsupported);
}

mod shapes_never_lose_a_line {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of every shape the block layer treats: statements, pieces of multi-line ones,
    /// comments, regions, terminal output, garbage.
    const LINES: [&str; 22] = [
        SUM,
        "precompile(",
        "precompile(Tuple{",
        "    Tuple{typeof(Base.sum), Array{Int64, 1}},",
        "    Int64,",
        "},",
        ")",
        "})",
        "",
        "# comment",
        "#= open",
        "=#",
        "function _precompile_()",
        "let fbody = 1",
        "end",
        "julia> 1 + 1",
        " 1.0  2.0",
        "...",
        "x = 1",
        "precompile(Tuple{Val{inf}, Base.Pair{#s1, Int64} where #s1}",
        "  exit(0)",
        "\"unterminated",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any sequence of lines: no panic, and the items cover every line exactly once, in order.
        #[test]
        fn items_cover_every_line_once(
            picks in proptest::collection::vec(0..LINES.len(), 0..80),
            final_newline in any::<bool>(),
        ) {
            let mut text = picks.iter().map(|&i| LINES[i]).collect::<Vec<_>>().join("\n");
            if final_newline && !text.is_empty() {
                text.push('\n');
            }
            let items = classify(text.as_bytes());
            let mut next = 1;
            for item in &items {
                prop_assert_eq!(item.origin.line, next, "{:?}", items);
                prop_assert!(item.origin.end_line >= item.origin.line);
                next = item.origin.end_line + 1;
            }
            prop_assert_eq!(next as usize - 1, text.lines().count());
        }
    }
}
