//! C ABI over compile-traces-core (CONTRACT: filled in by the Julia-binding work).
