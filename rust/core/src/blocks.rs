//! Multi-line context: SnoopCompile wrappers that are transparent (`function _precompile_()`,
//! `if ... end`, `@setup_workload begin ... end`) and code regions skipped as one unsupported item
//! (`macro warnpcfail`, `function __lookup_kwbody__`, `let fbody = ... end`).
//
// CONTRACT (filled in by the line/pipeline work).
