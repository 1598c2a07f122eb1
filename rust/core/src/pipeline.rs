//! From sources to an ordered stream of classified items with a verdict each: dedup and filters.
//
// CONTRACT (filled in by the line/pipeline work): signatures below are fixed; bodies are not.

use crate::item::{Item, Origin};
use crate::options::Options;
use crate::source::Source;

/// Why a statement was dropped by a filter (not a duplicate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// Needs a root module listed in `Options::exclude_modules` (index into that list).
    Module(usize),
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
    Keep,
    /// The same normalized statement was seen first at `first`.
    Duplicate { first: Origin },
    Excluded(Exclusion),
}

/// Counts over everything processed. `statements` counts kept statements only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub statements: u64,
    pub duplicates: u64,
    pub excluded: u64,
    pub ignored: u64,
    pub malformed: u64,
    pub unsupported: u64,
    pub lines: u64,
    pub bytes: u64,
}

/// Classifies every line of one source, in order. Large inputs are split into chunks at line
/// boundaries and parsed in parallel; small ones never touch the thread pool.
pub fn classify(source_index: u32, bytes: &[u8]) -> Vec<Item<'_>> {
    let _ = (source_index, bytes);
    todo!("pipeline::classify")
}

/// Streams every item of every source to `sink` in input order (source order, then line order)
/// whatever the thread count, with its verdict. Memory stays bounded by the input, a window of
/// items and the set of distinct statements.
pub fn process<'a>(
    sources: &'a [Source],
    options: &Options,
    sink: impl FnMut(Item<'a>, Verdict),
) -> Summary {
    let _ = (sources, options, sink);
    todo!("pipeline::process")
}
