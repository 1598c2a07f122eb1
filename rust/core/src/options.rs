//! What the caller wants kept: the filters shared by the Julia layer and the command line tool.

use regex::Regex;

/// Filtering and rewriting options. `Options::default()` keeps every statement once.
///
/// ```
/// use compile_traces_core::{pipeline, Options, Source, Verdict};
/// use compile_traces_core::pipeline::Exclusion;
///
/// let options = Options {
///     exclude_modules: vec!["Main".to_string()],
///     min_time_ms: Some(5.0),
///     ..Options::default()
/// };
/// let trace = "precompile(Tuple{typeof(Main.f), Int64})\n\
///              #=  1.2 ms =# precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n\
///              #= 40.0 ms =# precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n";
/// let sources = [Source::from_bytes("trace.jl", trace.as_bytes().to_vec())];
/// let mut verdicts = Vec::new();
/// pipeline::process(&sources, &options, |_, verdict| verdicts.push(verdict));
/// assert_eq!(verdicts, [
///     Verdict::Excluded(Exclusion::Module(0)),
///     Verdict::Excluded(Exclusion::BelowMinTime),
///     Verdict::Keep,
/// ]);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// Drop a statement whose normalized text was already kept (in any source); first wins.
    /// Filters are applied first: a statement a filter drops is reported as excluded, never as
    /// a duplicate, and does not stop a later copy that passes the filters from being kept.
    pub dedup: bool,
    /// Drop statements that need one of these root modules (e.g. `Main`).
    pub exclude_modules: Vec<String>,
    /// When set, keep only statements that name at least one of these root modules (e.g. the
    /// package whose test suite was traced): `Some(vec!["MyPkg".into()])` keeps
    /// `precompile(Tuple{typeof(Base.show), IO, MyPkg.Point})` and drops
    /// `precompile(Tuple{typeof(Base.sum), Vector{Int64}})`. `Some(vec![])` keeps no statement;
    /// `None` (the default) does not restrict. Applied after `exclude_modules`, so a module
    /// listed in both is dropped.
    pub modules: Option<Vec<String>>,
    /// Drop statements that contain a closure or gensym name.
    pub exclude_closures: bool,
    /// Drop timed statements recorded faster than this many milliseconds.
    /// Statements without a timing are kept.
    pub min_time_ms: Option<f64>,
    /// Keep only statements whose text matches.
    pub include: Option<Regex>,
    /// Drop statements whose text matches.
    pub exclude: Option<Regex>,
    /// Rewrite an unbounded trailing `Vararg{T}` to `Vararg{T, N}` (the old PackageCompiler
    /// workaround for Julia versions that could not precompile unbounded varargs).
    pub bound_varargs: Option<u32>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            dedup: true,
            exclude_modules: Vec::new(),
            modules: None,
            exclude_closures: false,
            min_time_ms: None,
            include: None,
            exclude: None,
            bound_varargs: None,
        }
    }
}
