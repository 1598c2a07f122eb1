//! Inference trees: every frame type inference went through while a workload ran, and which of
//! them a trace should name.
//!
//! `--trace-compile` writes a statement only for what is compiled from the top level (or by a
//! runtime dispatch): a workload written as `function workload() ... end; workload()` is one
//! statement, `precompile(Tuple{typeof(Main.workload)})`, and everything it called was inferred
//! inside that frame. Such a statement names `Main`, so a package cannot compile it, and its
//! callees, which a package could compile, are nowhere in the trace. A recorder that watches
//! inference (the Julia package's `record_traces` does, the way SnoopCompile's
//! `@snoop_inference` does) sees those callees as the frame's children, and writes the whole
//! tree in this format:
//!
//! ```text
//! # compile-traces inference tree 1
//! #=  396.4 ms =# precompile(Tuple{typeof(Main.workload)})
//!  #=   19.7 ms =# precompile(Tuple{typeof(Dates.format), Dates.DateTime, String})
//!   #=    2.1 ms =# precompile(Tuple{typeof(Dates.format), Base.IOBuffer, Dates.DateTime, String})
//! ```
//!
//! The first line says what the file is. Then one frame per line, in pre-order (a frame, then
//! its callees), indented by one space per level, with the frame's inclusive inference time.
//! The file is valid Julia and reads as an ordinary trace (the header is a comment), which is
//! what the command line tool does with it; [`select_roots`] is what recording does.
//!
//! [`select_roots`] keeps the outermost frames that the filters of [`Options`] keep: a frame
//! that a filter drops (one naming `Main`, or none of the `modules`) is replaced by its callees,
//! recursively, and a kept frame stands for its whole subtree, since compiling it infers its
//! callees again. Dedup is left to the pipeline that reads the selection, so that a frame
//! covered by its caller never counts as a copy of anything.

use std::io::Write;

use crate::item::ItemKind;
use crate::options::Options;
use crate::output::write_statement;
use crate::pipeline::{self, exclusion};
use crate::source::Source;

/// The first line of an inference tree file (a `\r` before the newline is allowed).
pub const HEADER: &str = "# compile-traces inference tree 1";

/// Whether `bytes` is an inference tree: its first line (after a UTF-8 BOM) is [`HEADER`].
///
/// ```
/// use compile_traces_core::inference;
/// assert!(inference::is_tree(b"# compile-traces inference tree 1\nprecompile(Tuple{})\n"));
/// assert!(!inference::is_tree(b"precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n"));
/// ```
pub fn is_tree(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    first == HEADER.as_bytes()
}

/// What [`select_roots`] did with the frames of a tree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Frames (statement lines) in the tree.
    pub frames: u64,
    /// Frames kept: outermost frames that the filters keep.
    pub selected: u64,
    /// Frames a filter dropped, replaced by their callees.
    pub replaced: u64,
    /// Frames under a kept frame: compiled with it.
    pub covered: u64,
    /// Malformed or unsupported lines, passed on as they are so that the reader reports them.
    pub problems: u64,
}

/// The kept frames of the inference tree `tree` as a trace (a source of the same name, one
/// normalized statement per line, each with its inclusive inference time as a `#= .. ms =#`
/// prefix), and what was done with every frame. See the [module documentation](self).
///
/// ```
/// use compile_traces_core::{inference, Options, Source};
///
/// let tree = "# compile-traces inference tree 1\n\
///             #= 9.0 ms =# precompile(Tuple{typeof(Main.workload)})\n\
///             \x20#= 5.0 ms =# precompile(Tuple{typeof(Base.sum), Vector{Main.Stay}})\n\
///             \x20 #= 1.0 ms =# precompile(Tuple{typeof(Main.nights), Main.Stay})\n\
///             \x20  #= 0.5 ms =# precompile(Tuple{typeof(Dates.value), Dates.Day})\n\
///             \x20#= 3.0 ms =# precompile(Tuple{typeof(Dates.format), Dates.Date, String})\n\
///             \x20 #= 2.0 ms =# precompile(Tuple{typeof(Dates.format), Base.IOBuffer, Dates.Date, String})\n";
/// let options = Options { exclude_modules: vec!["Main".into()], ..Options::default() };
/// let (trace, selection) = inference::select_roots(&Source::from_bytes("tree.jl", tree.into()), &options);
/// assert_eq!(
///     String::from_utf8(trace.bytes).unwrap(),
///     "#=    0.5 ms =# precompile(Tuple{typeof(Dates.value), Dates.Day})\n\
///      #=    3.0 ms =# precompile(Tuple{typeof(Dates.format), Dates.Date, String})\n"
/// );
/// assert_eq!((selection.frames, selection.selected, selection.replaced, selection.covered), (6, 2, 3, 1));
/// ```
pub fn select_roots(tree: &Source, options: &Options) -> (Source, Selection) {
    let bytes = tree.bytes.as_slice();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', bytes).map(|newline| newline + 1))
        .collect();
    let depth_of = |line: u32| -> usize {
        let start = line_starts[(line as usize).saturating_sub(1)];
        bytes[start..].iter().take_while(|&&b| b == b' ').count()
    };
    let mut selection = Selection::default();
    let mut out = Vec::new();
    // The depth of the kept frame whose subtree is being walked.
    let mut kept_depth: Option<usize> = None;
    for item in pipeline::classify(0, bytes) {
        let depth = depth_of(item.origin.line);
        match &item.kind {
            ItemKind::Statement(statement) => {
                selection.frames += 1;
                if kept_depth.is_some_and(|kept| depth > kept) {
                    selection.covered += 1;
                    continue;
                }
                kept_depth = None;
                if exclusion(options, statement).is_some() {
                    selection.replaced += 1;
                } else {
                    selection.selected += 1;
                    kept_depth = Some(depth);
                    write_statement(&mut out, statement, true).expect("writing to memory");
                }
            }
            ItemKind::Problem(_) => {
                selection.problems += 1;
                let start = line_starts[(item.origin.line as usize).saturating_sub(1)];
                let end = line_starts
                    .get(item.origin.end_line as usize)
                    .copied()
                    .unwrap_or(bytes.len());
                let text = &bytes[start..end];
                out.extend_from_slice(text.strip_suffix(b"\n").unwrap_or(text).trim_ascii());
                out.push(b'\n');
            }
            ItemKind::Ignored(_) => {}
        }
    }
    out.flush().expect("writing to memory");
    (Source::from_bytes(tree.name.clone(), out), selection)
}

/// `sources` with every inference tree among them replaced by its [`select_roots`] selection
/// (other sources are passed through), and the selections made, in order.
pub fn expand(sources: Vec<Source>, options: &Options) -> (Vec<Source>, Vec<Selection>) {
    let mut selections = Vec::new();
    let sources = sources
        .into_iter()
        .map(|source| {
            if is_tree(&source.bytes) {
                let (selected, selection) = select_roots(&source, options);
                selections.push(selection);
                selected
            } else {
                source
            }
        })
        .collect();
    (sources, selections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(tree: &str, options: &Options) -> (Vec<String>, Selection) {
        let source = Source::from_bytes("tree.jl", tree.as_bytes().to_vec());
        let (trace, selection) = select_roots(&source, options);
        let lines = String::from_utf8(trace.bytes)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        (lines, selection)
    }

    fn main_excluded() -> Options {
        Options {
            exclude_modules: vec!["Main".into()],
            ..Options::default()
        }
    }

    const TREE: &str = "# compile-traces inference tree 1\n\
        #= 100.0 ms =# precompile(Tuple{typeof(Main.workload)})\n\
        \x20#= 40.0 ms =# precompile(Tuple{typeof(MyPkg.run), MyPkg.Config})\n\
        \x20 #= 30.0 ms =# precompile(Tuple{typeof(Base.sort!), Vector{MyPkg.Item}})\n\
        \x20  #= 10.0 ms =# precompile(Tuple{typeof(Base.isless), MyPkg.Item, MyPkg.Item})\n\
        \x20#= 20.0 ms =# precompile(Tuple{typeof(Base.map), Main.var\"#1#2\", Vector{Int64}})\n\
        \x20 #= 15.0 ms =# precompile(Tuple{typeof(Printf.format), Printf.Format{Base.CodeUnits{UInt8, String}, Tuple{}}})\n\
        #= 5.0 ms =# precompile(Tuple{typeof(Base.println), String})\n";

    #[test]
    fn the_outermost_frames_that_are_not_excluded_are_kept() {
        let (lines, selection) = select(TREE, &main_excluded());
        assert_eq!(
            lines,
            [
                "#=   40.0 ms =# precompile(Tuple{typeof(MyPkg.run), MyPkg.Config})",
                "#=   15.0 ms =# precompile(Tuple{typeof(Printf.format), Printf.Format{Base.CodeUnits{UInt8, String}, Tuple{}}})",
                "#=    5.0 ms =# precompile(Tuple{typeof(Base.println), String})",
            ]
        );
        assert_eq!(
            selection,
            Selection {
                frames: 7,
                selected: 3,
                replaced: 2,
                covered: 2,
                problems: 0
            }
        );
    }

    #[test]
    fn a_modules_keep_list_descends_into_frames_of_other_modules() {
        // Frames that name none of the modules are replaced by their callees: the package's
        // frames under a Base frame are found.
        let options = Options {
            exclude_modules: vec!["Main".into()],
            modules: Some(vec!["MyPkg".into()]),
            ..Options::default()
        };
        let (lines, selection) = select(TREE, &options);
        assert_eq!(
            lines,
            ["#=   40.0 ms =# precompile(Tuple{typeof(MyPkg.run), MyPkg.Config})"]
        );
        assert_eq!((selection.selected, selection.covered), (1, 2));
    }

    #[test]
    fn without_filters_the_top_frames_stand_for_everything() {
        let (lines, selection) = select(TREE, &Options::default());
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with("precompile(Tuple{typeof(Main.workload)})"));
        assert_eq!((selection.selected, selection.covered), (2, 5));
    }

    #[test]
    fn problems_are_passed_on_and_do_not_end_a_subtree() {
        let tree = "# compile-traces inference tree 1\r\n\
            #= 1.0 ms =# precompile(Tuple{typeof(Main.f)})\r\n\
            \x20precompile(Tuple{typeof(Base.sum)\r\n\
            \x20#= 1.0 ms =# precompile(Tuple{typeof(Base.sum), Vector{Int64}})\r\n\
            \x20 #= 1.0 ms =# precompile(Tuple{typeof(Base.mapreduce), typeof(identity), typeof(Base.add_sum), Vector{Int64}})\r\n";
        let (lines, selection) = select(tree, &main_excluded());
        assert_eq!(
            lines,
            [
                "precompile(Tuple{typeof(Base.sum)",
                "#=    1.0 ms =# precompile(Tuple{typeof(Base.sum), Vector{Int64}})",
            ]
        );
        assert_eq!(selection.problems, 1);
        assert_eq!(selection.covered, 1);
    }

    #[test]
    fn only_a_file_that_starts_with_the_header_is_a_tree() {
        assert!(is_tree(format!("\u{feff}{HEADER}\r\n").as_bytes()));
        assert!(is_tree(HEADER.as_bytes()));
        assert!(!is_tree(format!(" {HEADER}\n").as_bytes()));
        assert!(!is_tree(format!("# a trace\n{HEADER}\n").as_bytes()));
        assert!(!is_tree(b""));
        let plain = Source::from_bytes("t.jl", b"precompile(Tuple{typeof(Main.f)})\n".to_vec());
        let tree = Source::from_bytes("tree.jl", TREE.as_bytes().to_vec());
        let (sources, selections) = expand(vec![plain.clone(), tree], &main_excluded());
        assert_eq!(sources[0].bytes, plain.bytes);
        assert_eq!(selections.len(), 1);
        assert_eq!(selections[0].selected, 3);
        assert_eq!(sources[1].name, "tree.jl");
    }
}
