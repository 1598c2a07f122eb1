//! One physical line: BOM, CR, ANSI colour codes, timing prefixes, comments, scaffolding, and the
//! hand-off of statement text to the parser.
//
// CONTRACT (filled in by the line/pipeline work).
