//! Fuzzes the statement parser and the block counter on arbitrary bytes (lossy UTF-8), as the
//! line layer hands them over, and the whole pipeline on the bytes as a file (statements over
//! several lines, regions). Nothing may panic; accepted statements must be self-consistent.
#![no_main]

use compile_traces_core::syntax::{bound_trailing_vararg, count_blocks, parse_statement};
use compile_traces_core::{pipeline, Flags, Repairs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = count_blocks(&text);
    let _ = pipeline::classify(0, data);
    if let Ok(parsed) = parse_statement(&text) {
        let statement = &parsed.statement;
        // Spans are in bounds and on character boundaries (slicing panics otherwise).
        let _ = statement.signature_text();
        let _ = statement.arg_types_text();
        assert!(statement.roots().all(|root| !root.is_empty()));
        // The normalized text is itself a statement, with the same analysis.
        let again = parse_statement(&statement.text).expect("normalized text parses");
        assert_eq!(again.statement.text, statement.text);
        assert_eq!(again.statement.roots, statement.roots);
        // Except what came from outside the text: a dropped guard, repairs (a repaired C float
        // no longer looks lossy).
        let mut outside = Flags::RAW_BACKSLASH | Flags::GUARDED | Flags::MAIN | Flags::REPAIRED;
        if statement.repairs().contains(Repairs::C_FLOAT) {
            outside |= Flags::LOSSY_VALUE;
        }
        assert!(again.statement.repairs().is_empty());
        let own = |flags: Flags| Flags(flags.0 & !outside.0);
        assert_eq!(own(again.statement.flags), own(statement.flags));
        assert_eq!(
            again.statement.flags.contains(Flags::MAIN),
            statement.has_root("Main")
        );
        if let Some(bounded) = bound_trailing_vararg(statement, 100) {
            let bounded = parse_statement(&bounded).expect("bounded text parses");
            assert!(!bounded.statement.flags.contains(Flags::UNBOUNDED_VARARG));
        }
    }
});
