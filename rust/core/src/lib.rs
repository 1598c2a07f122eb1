//! Reads Julia precompile trace files (`julia --trace-compile` output and SnoopCompile files),
//! parses every statement with a real grammar and classifies it, in input order, without
//! executing anything.
//!
//! This crate knows nothing about the Julia runtime: the C ABI (`rust/capi`) and the command line
//! tool (`rust/cli`) are built on it.
//!
//! ```
//! use compile_traces_core::{pipeline, Options, Source, ItemKind};
//!
//! let source = Source::from_bytes("trace.jl", b"precompile(Tuple{typeof(Base.sum), Vector{Int64}})\n".to_vec());
//! let mut statements = Vec::new();
//! let summary = pipeline::process(std::slice::from_ref(&source), &Options::default(), |item, _verdict| {
//!     if let ItemKind::Statement(statement) = item.kind {
//!         statements.push(statement.text.into_owned());
//!     }
//! });
//! assert_eq!(summary.statements, 1);
//! assert_eq!(statements, ["precompile(Tuple{typeof(Base.sum), Vector{Int64}})"]);
//! ```

pub mod blocks;
pub mod inference;
pub mod item;
pub mod line;
mod memo;
pub mod options;
pub mod output;
pub mod overrides;
pub mod pipeline;
pub mod replace;
pub mod source;
pub mod syntax;

pub use item::{
    Flags, IgnoreReason, Item, ItemKind, Origin, Problem, ProblemKind, Repair, Repairs, Roots,
    Span, Statement,
};
pub use options::Options;
pub use pipeline::{Exclusion, Summary, Verdict};
pub use source::{ReadError, Source};
