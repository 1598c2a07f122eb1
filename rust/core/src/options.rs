//! What the caller wants kept: the filters shared by the Julia layer and the command line tool.

use regex::Regex;

/// Filtering and rewriting options. `Options::default()` keeps every statement once.
#[derive(Clone, Debug)]
pub struct Options {
    /// Drop a statement whose normalized text was already seen (in any source); first wins.
    pub dedup: bool,
    /// Drop statements that need one of these root modules (e.g. `Main`).
    pub exclude_modules: Vec<String>,
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
            exclude_closures: false,
            min_time_ms: None,
            include: None,
            exclude: None,
            bound_varargs: None,
        }
    }
}
