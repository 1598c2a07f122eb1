//! From sources to an ordered stream of classified items with a verdict each: dedup and filters.
//!
//! # How the work is split
//!
//! Lines are classified context-free ([`crate::line`]), which is where nearly all the time goes
//! (parsing), so that part runs in parallel; the multi-line context ([`crate::blocks`]), the
//! deduplication and the filters run sequentially, in input order.
//!
//! - Every source is cut into chunks of about [`CHUNK_BYTES`] at line boundaries (a small file is
//!   one chunk).
//! - [`process`] takes the chunks, across sources, a *window* at a time (about four chunks per
//!   thread, at most [`MAX_WINDOW_BYTES`] of input): the chunks of a window are classified in
//!   parallel, then folded, deduplicated, filtered and handed to the sink in order on the
//!   calling thread, while the pool classifies the next window. Windows start small and grow.
//!   Peak memory is the input, two windows of classified lines, the set of distinct
//!   statements, and the memo (below).
//! - A statement line whose exact bytes were seen before is not parsed again, and its verdict
//!   is not computed again (the `memo` module): merged traces repeat most of their lines. The
//!   memo holds at most one line per [`MEMO_BYTES_PER_ENTRY`] of input.
//! - Inputs under [`PARALLEL_THRESHOLD`] bytes in total never touch the thread pool.
//!
//! Statement text is borrowed from the input whenever the parser could (no ANSI codes, no comment
//! in the middle of the line), and so are the keys of the dedup set.
//!
//! # Order of the checks
//!
//! For each statement, in order: the filters of [`Options`] (excluded root modules, the
//! `modules` keep-list, closures, minimum time, include pattern, exclude pattern: the first that
//! applies is the verdict), then the
//! dedup against the statements kept so far. So a statement that a filter drops is always
//! [`Verdict::Excluded`], even if its text was seen before, and it does not enter the dedup set:
//! a later copy that passes the filters (for instance, recorded with a longer time than
//! `min_time_ms`) is kept. [`Summary::duplicates`] counts copies of kept statements only.
//! Filters and dedup look at the text as written; the `bound_varargs` rewrite is applied to kept
//! statements afterwards.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::blocks::Folder;
use crate::item::{Flags, IgnoreReason, Item, ItemKind, Origin, ProblemKind, Statement};
use crate::line::{classify_line, Line};
use crate::memo::{hash_line, later_copy, Memo, Recall};
use crate::options::Options;
use crate::source::Source;
use crate::syntax;

/// Total input size from which classification runs on the thread pool.
pub const PARALLEL_THRESHOLD: usize = 1 << 20;
/// Target size of the chunks a large input is cut into (at line boundaries).
pub const CHUNK_BYTES: usize = 512 << 10;
/// Upper bound of the input classified ahead of the sequential fold.
pub const MAX_WINDOW_BYTES: usize = 64 << 20;

/// Why a statement was dropped by a filter (not a duplicate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// Needs a root module listed in `Options::exclude_modules` (index into that list).
    Module(usize),
    /// Names none of the root modules of `Options::modules`.
    NotInModules,
    /// Contains a closure and `Options::exclude_closures` is set.
    Closure,
    /// Timed below `Options::min_time_ms`.
    BelowMinTime,
    /// Does not match `Options::include`.
    NotIncluded,
    /// Matches `Options::exclude`.
    ExcludedPattern,
}

/// What happens to an item. Items other than statements are always `Keep` (they are reported,
/// never evaluated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Evaluate the statement (or report the item).
    Keep,
    /// The same normalized statement was kept first at `first`.
    Duplicate {
        /// Where the kept copy is.
        first: Origin,
    },
    /// A filter of [`Options`] dropped the statement.
    Excluded(Exclusion),
}

/// Counts over everything processed. `statements` counts kept statements only.
///
/// `ignored`, `malformed` and `unsupported` count items: a skipped region of many lines counts
/// once. `lines` counts physical lines (a last line without `\n` counts), `bytes` every byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Statements kept.
    pub statements: u64,
    /// Statements dropped as copies of a kept one.
    pub duplicates: u64,
    /// Statements dropped by a filter.
    pub excluded: u64,
    /// Blank, comment and scaffolding lines.
    pub ignored: u64,
    /// Malformed lines.
    pub malformed: u64,
    /// Unsupported lines and skipped regions (one each).
    pub unsupported: u64,
    /// Physical lines read.
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// Classifies every line of one source, in order, without dedup or filters. Large inputs are
/// split into chunks at line boundaries and parsed in parallel; small ones never touch the
/// thread pool.
///
/// ```
/// use compile_traces_core::{pipeline, IgnoreReason, ItemKind};
///
/// let text = b"# header\nprecompile(Tuple{typeof(Base.sum), Vector{Int64}})\n";
/// let items = pipeline::classify(0, text);
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0].kind, ItemKind::Ignored(IgnoreReason::Comment));
/// assert_eq!(items[1].origin.line, 2);
/// assert!(matches!(items[1].kind, ItemKind::Statement(_)));
/// ```
pub fn classify(source_index: u32, bytes: &[u8]) -> Vec<Item<'_>> {
    let chunks: Vec<&[u8]> = chunks(bytes, CHUNK_BYTES).collect();
    let classified: Vec<Vec<Classified<'_>>> = if bytes.len() >= PARALLEL_THRESHOLD {
        chunks
            .par_iter()
            .enumerate()
            .map(|(index, chunk)| classify_chunk(chunk, index == 0, None))
            .collect()
    } else {
        chunks
            .iter()
            .enumerate()
            .map(|(index, chunk)| classify_chunk(chunk, index == 0, None))
            .collect()
    };
    let mut items = Vec::with_capacity(classified.iter().map(Vec::len).sum());
    let mut folder = Folder::new(source_index);
    let mut number = 0u32;
    let mut emit = |item| items.push(item);
    for classified in classified.into_iter().flatten() {
        number = number.saturating_add(1);
        folder.push(number, classified.raw, classified.line, &mut emit);
    }
    folder.finish(&mut emit);
    items
}

/// Streams every item of every source to `sink` in input order (source order, then line order)
/// whatever the thread count, with its verdict. Memory stays bounded by the input, a window of
/// items and the set of distinct statements. See the [module documentation](self) for the
/// order of filters and dedup.
///
/// `sink` is always called on the calling thread (it need not be `Send`); while it runs, the
/// thread pool may already be parsing the next part of the input.
///
/// ```
/// use compile_traces_core::{pipeline, Options, Source, Verdict};
///
/// let sources = [
///     Source::from_bytes("a.jl", b"precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n".to_vec()),
///     Source::from_bytes("b.jl", b"precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n".to_vec()),
/// ];
/// let mut verdicts = Vec::new();
/// let summary = pipeline::process(&sources, &Options::default(), |item, verdict| {
///     verdicts.push((item.origin.source, verdict));
/// });
/// assert_eq!(summary.statements, 1);
/// assert_eq!(summary.duplicates, 1);
/// assert_eq!(verdicts[0], (0, Verdict::Keep));
/// assert!(matches!(verdicts[1], (1, Verdict::Duplicate { first }) if first.source == 0));
/// ```
pub fn process<'a>(
    sources: &'a [Source],
    options: &Options,
    sink: impl FnMut(Item<'a>, Verdict),
) -> Summary {
    let total_bytes: usize = sources.iter().map(|source| source.bytes.len()).sum();
    let parallel = total_bytes >= PARALLEL_THRESHOLD;
    let window_bytes = if parallel {
        (CHUNK_BYTES * 4 * rayon::current_num_threads().max(1)).min(MAX_WINDOW_BYTES)
    } else {
        usize::MAX
    };
    let plan = Plan {
        chunk_bytes: CHUNK_BYTES,
        window_bytes,
        parallel,
        memo_entries: (total_bytes / MEMO_BYTES_PER_ENTRY).max(MIN_MEMO_ENTRIES),
    };
    process_with(sources, options, &plan, sink)
}

/// Input bytes per remembered line: the memo of a large input that never repeats a line stays
/// under a tenth of the input (an entry is about 150 bytes).
pub const MEMO_BYTES_PER_ENTRY: usize = 4096;
/// Entries the memo may hold whatever the input size.
const MIN_MEMO_ENTRIES: usize = 4096;

/// How [`process`] cuts and classifies its input (tests use tiny chunks and windows).
struct Plan {
    chunk_bytes: usize,
    window_bytes: usize,
    parallel: bool,
    /// Most statement lines remembered ([`crate::memo`]); 0 turns the memo off.
    memo_entries: usize,
}

fn process_with<'a>(
    sources: &'a [Source],
    options: &Options,
    plan: &Plan,
    mut sink: impl FnMut(Item<'a>, Verdict),
) -> Summary {
    let total_bytes: usize = sources.iter().map(|source| source.bytes.len()).sum();
    let parallel = plan.parallel;
    // Windows start small and double up to their size: the memo only helps from the third
    // window on (the pool classifies a window while the previous one is folded), so the first
    // two are parsed in full even when they repeat each other.
    let mut window_bytes = (plan.window_bytes / 8).max(1);
    let use_memo = plan.memo_entries > 0;
    let mut memo = Memo::default();

    let state = State {
        options,
        seen: FxHashMap::default(),
        seen_end_lines: FxHashMap::default(),
        summary: Summary {
            bytes: total_bytes as u64,
            ..Summary::default()
        },
        recall: Recall::new(plan.memo_entries),
    };
    let mut fold = Fold {
        current: None,
        state,
    };

    let chunk_bytes = plan.chunk_bytes;
    let mut units = sources.iter().enumerate().flat_map(|(index, source)| {
        chunks(&source.bytes, chunk_bytes)
            .enumerate()
            .map(move |(chunk_index, bytes)| Unit {
                source: index as u32,
                bytes,
                first_in_file: chunk_index == 0,
            })
    });
    let mut window = take_window(&mut units, window_bytes);
    let mut classified = classify_window(&window, parallel, use_memo.then_some(&memo));
    while !window.is_empty() {
        window_bytes = window_bytes.saturating_mul(2).min(plan.window_bytes);
        let next_window = take_window(&mut units, window_bytes);
        let mut next_classified = Vec::new();
        if parallel && !next_window.is_empty() {
            // Classify the next window on the pool while this thread folds the current one:
            // the fold (dedup, filters, the caller's sink) is sequential, and would otherwise
            // leave the pool idle. Both only read the memo; what the fold learns is added to
            // it once both are done.
            let shared = &memo;
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    next_classified =
                        classify_window(&next_window, true, use_memo.then_some(shared))
                });
                fold.window(&window, classified, shared, &mut sink);
            });
            memo.absorb(&mut fold.state.recall);
        } else {
            fold.window(&window, classified, &memo, &mut sink);
            memo.absorb(&mut fold.state.recall);
            next_classified = classify_window(&next_window, parallel, use_memo.then_some(&memo));
        }
        window = next_window;
        classified = next_classified;
    }
    fold.finish_source(&mut sink);
    fold.state.summary
}

/// The sequential part of [`process`]: the block fold of the source being read and the state.
struct Fold<'a, 'o> {
    /// Source index, its block fold, and the number of its last line seen.
    current: Option<(u32, Folder<'a>, u32)>,
    state: State<'a, 'o>,
}

impl<'a> Fold<'a, '_> {
    fn window(
        &mut self,
        units: &[Unit<'a>],
        classified: Vec<Vec<Classified<'a>>>,
        memo: &Memo<'a>,
        sink: &mut impl FnMut(Item<'a>, Verdict),
    ) {
        for (unit, lines) in units.iter().zip(classified) {
            if self.current.as_ref().map(|(source, _, _)| *source) != Some(unit.source) {
                self.finish_source(sink);
                self.current = Some((unit.source, Folder::new(unit.source), 0));
            }
            let (_, folder, number) = self.current.as_mut().expect("a fold is open");
            let state = &mut self.state;
            state.summary.lines += lines.len() as u64;
            for Classified { raw, line, tag } in lines {
                *number = number.saturating_add(1);
                let line = match tag {
                    // Copied here rather than on the pool: the copy's allocation is then freed
                    // by the thread that made it, which the allocator does fastest.
                    Tag::Hit(id) => Line::Statement(memo.statement(id).clone()),
                    _ => line,
                };
                // The folder emits a statement item only for the line pushed, so `tag` and
                // `raw` describe every statement it emits here.
                folder.push(*number, raw, line, &mut |item| {
                    state.handle(item, (raw, tag, memo), sink)
                });
            }
        }
    }

    fn finish_source(&mut self, sink: &mut impl FnMut(Item<'a>, Verdict)) {
        if let Some((_, folder, _)) = self.current.take() {
            let state = &mut self.state;
            let memo = Memo::default();
            // Only a skipped region can be left to close: never a statement.
            folder.finish(&mut |item| state.handle(item, (&[], Tag::Plain, &memo), sink));
        }
    }
}

/// The next units up to `window_bytes` of input (at least one unit, unless none is left).
fn take_window<'a>(
    units: &mut impl Iterator<Item = Unit<'a>>,
    window_bytes: usize,
) -> Vec<Unit<'a>> {
    let mut window = Vec::new();
    let mut bytes = 0usize;
    for unit in units.by_ref() {
        bytes += unit.bytes.len();
        window.push(unit);
        if bytes >= window_bytes {
            break;
        }
    }
    window
}

fn classify_window<'a>(
    units: &[Unit<'a>],
    parallel: bool,
    memo: Option<&Memo<'a>>,
) -> Vec<Vec<Classified<'a>>> {
    if parallel {
        units
            .par_iter()
            .map(|unit| classify_chunk(unit.bytes, unit.first_in_file, memo))
            .collect()
    } else {
        units
            .iter()
            .map(|unit| classify_chunk(unit.bytes, unit.first_in_file, memo))
            .collect()
    }
}

/// A piece of one source classified as a unit of parallel work.
struct Unit<'a> {
    source: u32,
    bytes: &'a [u8],
    first_in_file: bool,
}

/// A line's raw bytes (for multi-line comments and the memo) and what it is.
struct Classified<'a> {
    raw: &'a [u8],
    line: Line<'a>,
    tag: Tag,
}

/// What the memo knows of a line.
#[derive(Clone, Copy)]
enum Tag {
    /// Not looked up: the memo is off, or the line may start with a BOM.
    Plain,
    /// Not remembered when classified; the line's hash.
    New(u64),
    /// A copy of the remembered line with this id: its statement was not parsed again.
    Hit(u32),
}

/// Cuts `bytes` into pieces of at least `size` bytes that end just after a `\n` (or at the end).
fn chunks(bytes: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if rest.len() <= size {
            rest.len()
        } else {
            memchr::memchr(b'\n', &rest[size..]).map_or(rest.len(), |newline| size + newline + 1)
        };
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

/// Classifies the lines of a chunk that starts at a line boundary. A last line without `\n`
/// is a line; an empty chunk has none. A line the memo knows is not parsed again.
fn classify_chunk<'a>(
    bytes: &'a [u8],
    first_in_file: bool,
    memo: Option<&Memo<'a>>,
) -> Vec<Classified<'a>> {
    let mut lines = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    let classify = |raw: &'a [u8], first: bool| match memo {
        // The first line of a file may start with a BOM, which only it may drop: never
        // shared with other lines.
        Some(memo) if !first => {
            let hash = hash_line(raw);
            match memo.get(hash, raw) {
                Some(id) => Classified {
                    raw,
                    // The fold puts the remembered statement here.
                    line: Line::Ignored(IgnoreReason::Blank),
                    tag: Tag::Hit(id),
                },
                None => Classified {
                    raw,
                    line: classify_line(raw, false),
                    tag: Tag::New(hash),
                },
            }
        }
        _ => Classified {
            raw,
            line: classify_line(raw, first),
            tag: Tag::Plain,
        },
    };
    for newline in memchr::memchr_iter(b'\n', bytes) {
        lines.push(classify(
            &bytes[start..newline],
            first_in_file && start == 0,
        ));
        start = newline + 1;
    }
    if start < bytes.len() {
        lines.push(classify(&bytes[start..], first_in_file && start == 0));
    }
    lines
}

/// The sequential end of the pipeline: verdicts, dedup set, counts.
struct State<'a, 'o> {
    options: &'o Options,
    /// Normalized text of every kept statement → where it was first seen. Keys borrow from the
    /// input when the statement text does. A statement is one line, so the value is its source
    /// and line: 8 bytes less per entry than an `Origin`, a set of a million distinct
    /// statements is 8 MB smaller. The rare statements written over several lines have their
    /// last line in `seen_end_lines`.
    seen: FxHashMap<Cow<'a, str>, (u32, u32)>,
    /// (source, first line) → last line, for kept statements that span several lines.
    seen_end_lines: FxHashMap<(u32, u32), u32>,
    summary: Summary,
    /// Verdicts of lines seen before, and the lines to remember.
    recall: Recall<'a>,
}

impl<'a> State<'a, '_> {
    /// `line` is the raw line, memo tag and memo of the line a statement item comes from.
    fn handle(
        &mut self,
        mut item: Item<'a>,
        line: (&'a [u8], Tag, &Memo<'a>),
        sink: &mut impl FnMut(Item<'a>, Verdict),
    ) {
        let verdict = match &mut item.kind {
            ItemKind::Statement(statement) => {
                let (raw, mut tag, memo) = line;
                if item.origin.end_line != item.origin.line {
                    // A statement over several lines is not the line pushed last: never
                    // remembered as that line.
                    tag = Tag::Plain;
                }
                let verdict = match tag {
                    Tag::Hit(id) => self.recall.verdict(id),
                    Tag::New(hash) => match self.recall.find(memo, hash, raw) {
                        Some(id) => self.recall.verdict(id),
                        None => {
                            let verdict = self.verdict(item.origin, statement);
                            let later = later_copy(verdict, item.origin, self.options.dedup);
                            self.recall.remember(memo, (hash, raw), statement, later);
                            verdict
                        }
                    },
                    Tag::Plain => self.verdict(item.origin, statement),
                };
                match verdict {
                    Verdict::Keep => {
                        self.summary.statements += 1;
                        if let Some(length) = self.options.bound_varargs {
                            bound_vararg(statement, length);
                        }
                    }
                    Verdict::Duplicate { .. } => self.summary.duplicates += 1,
                    Verdict::Excluded(_) => self.summary.excluded += 1,
                }
                verdict
            }
            ItemKind::Ignored(_) => {
                self.summary.ignored += 1;
                Verdict::Keep
            }
            ItemKind::Problem(problem) => {
                match problem.kind {
                    ProblemKind::Malformed => self.summary.malformed += 1,
                    ProblemKind::Unsupported => self.summary.unsupported += 1,
                }
                Verdict::Keep
            }
        };
        sink(item, verdict);
    }

    fn verdict(&mut self, origin: Origin, statement: &Statement<'a>) -> Verdict {
        if let Some(exclusion) = exclusion(self.options, statement) {
            return Verdict::Excluded(exclusion);
        }
        if self.options.dedup {
            if let Some(&(source, line)) = self.seen.get(statement.text.as_ref()) {
                let end_line = self
                    .seen_end_lines
                    .get(&(source, line))
                    .copied()
                    .unwrap_or(line);
                let first = Origin {
                    source,
                    line,
                    end_line,
                };
                return Verdict::Duplicate { first };
            }
            if origin.end_line != origin.line {
                self.seen_end_lines
                    .insert((origin.source, origin.line), origin.end_line);
            }
            self.seen
                .insert(statement.text.clone(), (origin.source, origin.line));
        }
        Verdict::Keep
    }
}

/// The first filter of `options` that drops `statement`, in the documented order.
pub(crate) fn exclusion(options: &Options, statement: &Statement<'_>) -> Option<Exclusion> {
    if let Some(index) = options
        .exclude_modules
        .iter()
        .position(|module| statement.has_root(module))
    {
        return Some(Exclusion::Module(index));
    }
    if let Some(modules) = &options.modules {
        if !modules.iter().any(|module| statement.has_root(module)) {
            return Some(Exclusion::NotInModules);
        }
    }
    if options.exclude_closures && statement.flags.contains(Flags::CLOSURE) {
        return Some(Exclusion::Closure);
    }
    if let (Some(min), Some(timing)) = (options.min_time_ms, statement.timing_ms) {
        if timing < min {
            return Some(Exclusion::BelowMinTime);
        }
    }
    if let Some(include) = &options.include {
        if !include.is_match(&statement.text) {
            return Some(Exclusion::NotIncluded);
        }
    }
    if let Some(exclude) = &options.exclude {
        if exclude.is_match(&statement.text) {
            return Some(Exclusion::ExcludedPattern);
        }
    }
    None
}

/// Rewrites an unbounded trailing `Vararg{T}` to `Vararg{T, length}` (the parser knows where it
/// is); the statement keeps its timing and line flags, loses [`Flags::UNBOUNDED_VARARG`] and
/// gains [`Flags::VARARG_BOUNDED`]. Spans are recomputed by parsing the new text (rare: only
/// statements that end with an unbounded vararg, only when asked).
fn bound_vararg(statement: &mut Statement<'_>, length: u32) {
    if !statement.flags.contains(Flags::UNBOUNDED_VARARG) {
        return;
    }
    let Some(text) = syntax::bound_trailing_vararg(statement, length) else {
        return;
    };
    let Ok(parsed) = syntax::parse_statement(&text) else {
        // The rewrite only inserts `, N` before a closing brace; if the result does not parse,
        // keeping the statement as written is the safe choice.
        return;
    };
    let reparsed = parsed.statement;
    let mut flags = statement.flags;
    flags.remove(Flags::UNBOUNDED_VARARG);
    flags.insert(Flags::VARARG_BOUNDED);
    statement.signature = reparsed.signature;
    statement.arg_types = reparsed.arg_types;
    statement.roots = reparsed.roots;
    statement.flags = flags;
    // The re-parsed text is the new text itself unless the parser repaired something, which
    // it already did the first time.
    statement.text = Cow::Owned(reparsed.text.into_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_boundaries_and_cover_everything() {
        let text = b"aaaa\nbb\ncccccc\nd\n\ne";
        for size in 1..text.len() + 2 {
            let pieces: Vec<&[u8]> = chunks(text, size).collect();
            assert_eq!(pieces.concat(), text.to_vec(), "size {size}");
            for piece in &pieces[..pieces.len() - 1] {
                assert!(piece.ends_with(b"\n"), "size {size}: {piece:?}");
                assert!(piece.len() >= size);
            }
        }
        assert_eq!(chunks(b"", 4).count(), 0);
    }

    mod memo {
        use super::*;
        use proptest::prelude::*;
        use regex::Regex;

        /// Lines that repeat, in every shape the fold treats differently: statements (timed,
        /// coloured, with comments, excluded by a filter, an unbounded vararg), a BOM, wrappers,
        /// regions, multi-line comments, statements over several lines, problems.
        const LINES: [&str; 28] = [
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "#=  1.5 ms =# precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "#=  9.5 ms =# precompile(Tuple{typeof(Base.sum), Array{Int64, 1}}) # recompile",
            "precompile(Tuple{typeof(Main.f), Int64})",
            "precompile(Tuple{typeof(Base.show), Base.IOStream, String})",
            "precompile(Tuple{typeof(Base.vcat), Vararg{Int64}})",
            "\u{1b}[33mprecompile(Tuple{typeof(Base.sum), Array{Int64, 1}})\u{1b}[0m\r",
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}}) # time: 0.25",
            "\u{feff}precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "    precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
            "precompile(Tuple{typeof(Base.map), var\"#3#4\", Vector{Int64}})",
            "function _precompile_()",
            "let fbody = try __lookup_kwbody__(which(f, (Any,))) catch missing end",
            "    if !ismissing(fbody)",
            "end",
            "else",
            "if VERSION >= v\"1.9\"",
            "#= open comment",
            "  closes =#",
            "x = 1",
            "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}}) || begin",
            "precompile(Tuple{typeof(Base.sum)",
            "",
            // Pieces of statements written over several lines.
            "precompile(",
            "    Tuple{typeof(Base.sum), Array{Int64, 1}},",
            ")",
            "julia> 1 + 1",
        ];

        fn text(picks: &[usize], final_newline: bool) -> Vec<u8> {
            let mut text = picks
                .iter()
                .map(|pick| LINES[*pick % LINES.len()])
                .collect::<Vec<&str>>()
                .join("\n");
            if final_newline {
                text.push('\n');
            }
            text.into_bytes()
        }

        fn options(choice: u8) -> Options {
            let mut options = Options::default();
            if choice & 1 != 0 {
                options.dedup = false;
            }
            if choice & 2 != 0 {
                options.min_time_ms = Some(2.0);
            }
            if choice & 4 != 0 {
                options.exclude_modules = vec!["Main".to_string()];
                options.exclude_closures = true;
            }
            if choice & 8 != 0 {
                options.bound_varargs = Some(3);
                options.exclude = Some(Regex::new("IOStream").unwrap());
            }
            if choice & 16 != 0 {
                options.modules = Some(vec!["Main".to_string(), "Base".to_string()]);
            }
            options
        }

        fn run(
            sources: &[Source],
            options: &Options,
            plan: &Plan,
        ) -> (Vec<(Item<'static>, Verdict)>, Summary) {
            let mut out = Vec::new();
            let summary = process_with(sources, options, plan, |item, verdict| {
                out.push((item.into_owned(), verdict))
            });
            (out, summary)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// The memo changes nothing that `process` streams, whatever the chunk and window
            /// sizes, the thread split, the options, and however full the memo gets.
            #[test]
            fn memo_changes_nothing(
                files in proptest::collection::vec(
                    (proptest::collection::vec(0..LINES.len(), 0..60), any::<bool>()),
                    1..4,
                ),
                chunk_bytes in 1usize..300,
                window_chunks in 1usize..4,
                parallel in any::<bool>(),
                memo_entries in 1usize..8,
                choice in 0u8..32,
            ) {
                let sources: Vec<Source> = files
                    .iter()
                    .enumerate()
                    .map(|(i, (picks, newline))| {
                        Source::from_bytes(format!("{i}.jl"), text(picks, *newline))
                    })
                    .collect();
                let options = options(choice);
                let plan = |memo_entries| Plan {
                    chunk_bytes,
                    window_bytes: chunk_bytes * window_chunks,
                    parallel,
                    memo_entries,
                };
                let reference = run(&sources, &options, &plan(0));
                prop_assert_eq!(&run(&sources, &options, &plan(memo_entries)), &reference);
                prop_assert_eq!(&run(&sources, &options, &plan(1 << 20)), &reference);
            }
        }
    }

    #[test]
    fn chunk_lines_match_str_lines() {
        for text in ["", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "\n\n"] {
            let lines = classify_chunk(text.as_bytes(), true, None);
            let expected: Vec<&str> = text.lines().collect();
            let raws: Vec<&[u8]> = lines.iter().map(|line| line.raw).collect();
            let expected: Vec<&[u8]> = expected.iter().map(|line| line.as_bytes()).collect();
            assert_eq!(raws, expected, "{text:?}");
        }
    }
}
