//! Integration tests: run the built `compile-traces` binary on the fixtures in `tests/fixtures/`
//! and on the bundled `examples/`, and check outputs, exit codes and JSON.
//!
//! One test binary (this directory) keeps link time down on small machines.

mod common;

mod check;
mod corpus;
mod diff;
mod examples;
mod filter;
mod help;
mod merge;
mod progress;
mod readback;
mod shapes;
mod stats;
