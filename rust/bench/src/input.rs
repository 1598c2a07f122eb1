//! The benchmark input: real traces repeated to the requested size (or generated statements when
//! the corpus is absent), written as one big file and as the same bytes split into several files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where the real traces live, relative to this crate (`<repo>/../shared/corpus/trace`).
pub const CORPUS_TRACE_DIR: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/trace");

/// What the input was built from, for the report.
pub enum Origin {
    Corpus { files: usize, unit_bytes: usize },
    Generated,
}

pub struct Input {
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// Builds about `size` bytes of trace text. Uses the corpus unless `force_generated` is set or the
/// corpus directory is missing or empty.
pub fn build(size: usize, force_generated: bool) -> Result<Input, String> {
    if !force_generated {
        if let Some((unit, files)) = corpus_unit(Path::new(CORPUS_TRACE_DIR))? {
            let unit_bytes = unit.len();
            return Ok(Input {
                bytes: repeat_to_size(&unit, size),
                origin: Origin::Corpus { files, unit_bytes },
            });
        }
    }
    Ok(Input {
        bytes: generate(size, 0x5eed_1234_abcd_0001),
        origin: Origin::Generated,
    })
}

/// Concatenates every corpus trace file (sorted by name), each ending with a newline and without
/// its UTF-8 BOM (a BOM in the middle of a file is not what a real trace looks like).
/// `Ok(None)` when the directory does not exist or holds no file.
fn corpus_unit(dir: &Path) -> Result<Option<(Vec<u8>, usize)>, String> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("cannot list `{}`: {error}", dir.display())),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut unit = Vec::new();
    for path in &paths {
        let bytes =
            fs::read(path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        if bytes.is_empty() {
            continue;
        }
        unit.extend_from_slice(bytes);
        if !unit.ends_with(b"\n") {
            unit.push(b'\n');
        }
    }
    if unit.is_empty() {
        return Ok(None);
    }
    Ok(Some((unit, paths.len())))
}

/// Repeats `unit` (which ends with a newline) and cuts at the last line end at or before `size`
/// (keeping at least one line), so every line of the result is a whole line of the unit.
fn repeat_to_size(unit: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + unit.len());
    while out.len() < size {
        out.extend_from_slice(unit);
    }
    let cut = match memchr::memrchr(b'\n', &out[..size.min(out.len())]) {
        Some(newline) => newline + 1,
        None => memchr::memchr(b'\n', &out).map_or(out.len(), |newline| newline + 1),
    };
    out.truncate(cut);
    out
}

/// Splits `bytes` into `parts` pieces of about equal size, each cut just after a newline.
/// Fewer pieces come back when there are fewer lines than `parts`.
pub fn split_at_lines(bytes: &[u8], parts: usize) -> Vec<&[u8]> {
    let parts = parts.max(1);
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    for part in 1..parts {
        let target = bytes.len() * part / parts;
        if target <= start {
            continue;
        }
        let Some(newline) = memchr::memchr(b'\n', &bytes[target..]) else {
            break;
        };
        let end = target + newline + 1;
        if end >= bytes.len() {
            break;
        }
        pieces.push(&bytes[start..end]);
        start = end;
    }
    pieces.push(&bytes[start..]);
    pieces
}

/// Writes the input as one file and as `parts` files; returns (big file, split files).
pub fn write_files(
    dir: &Path,
    bytes: &[u8],
    parts: usize,
) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let write = |path: &Path, bytes: &[u8]| {
        fs::write(path, bytes)
            .map_err(|error| format!("cannot write `{}`: {error}", path.display()))
    };
    let big = dir.join("all.jl");
    write(&big, bytes)?;
    let mut split = Vec::new();
    for (index, piece) in split_at_lines(bytes, parts).into_iter().enumerate() {
        let path = dir.join(format!("part{index:03}.jl"));
        write(&path, piece)?;
        split.push(path);
    }
    Ok((big, split))
}

/// A small deterministic generator (xorshift64*): the bench needs repeatable input, not quality
/// randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len())]
    }
}

const MODULES: &[&str] = &[
    "Base",
    "Core",
    "Base.Iterators",
    "Base.Broadcast",
    "Base.Threads",
    "LinearAlgebra",
    "SparseArrays",
    "Statistics",
    "Dates",
    "Random",
    "DataFrames",
    "CSV",
    "Makie",
    "Main",
];

const FUNCTIONS: &[&str] = &[
    "getindex",
    "setindex!",
    "iterate",
    "materialize",
    "copyto!",
    "show",
    "print_to_string",
    "convert",
    "push!",
    "_similar_for",
    "collect",
    "mapreduce_impl",
    "#open#300",
    ":(+)",
    ":(==)",
    "kwcall",
];

const LEAVES: &[&str] = &[
    "Int64",
    "Float64",
    "String",
    "Symbol",
    "Nothing",
    "Any",
    "Bool",
    "UInt8",
    "Char",
    "Core.TypeofBottom",
    "Base.OneTo{Int64}",
    "Base.IOContext{Base.TTY}",
];

/// Writes statements shaped like `julia --trace-compile` output until `size` bytes: qualified
/// names, nested curly applications, `where` clauses, closures, value parameters, an occasional
/// Julia 1.12 timing prefix, and about 10% repeats of an earlier statement.
pub fn generate(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(size + 4096);
    let mut recent: Vec<String> = Vec::new();
    while out.len() < size {
        let line = if !recent.is_empty() && rng.below(10) == 0 {
            recent[rng.below(recent.len())].clone()
        } else {
            let line = statement(&mut rng);
            if recent.len() < 4096 {
                recent.push(line.clone());
            } else {
                let slot = rng.below(recent.len());
                recent[slot] = line.clone();
            }
            line
        };
        if rng.below(8) == 0 {
            let tenths = rng.below(100_000);
            out.extend_from_slice(
                format!("#= {:>7}.{} ms =# ", tenths / 10, tenths % 10).as_bytes(),
            );
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

fn statement(rng: &mut Rng) -> String {
    let mut s = String::from("precompile(Tuple{");
    let module = rng.pick(MODULES);
    let function = rng.pick(FUNCTIONS);
    if let Some(name) = function.strip_prefix('#') {
        s.push_str(&format!("typeof({module}.var\"#{name}\")"));
    } else if function.starts_with(':') {
        s.push_str(&format!("typeof({module}.{function})"));
    } else if rng.below(12) == 0 {
        s.push_str(&format!(
            "{module}.var\"#{}#{}\"",
            rng.below(500),
            rng.below(500)
        ));
    } else {
        s.push_str(&format!("typeof({module}.{function})"));
    }
    for _ in 0..rng.below(5) {
        s.push_str(", ");
        type_expr(rng, &mut s, 0);
    }
    s.push('}');
    if rng.below(6) == 0 {
        s.push_str(" where T<:Real");
    }
    s.push(')');
    s
}

fn type_expr(rng: &mut Rng, s: &mut String, depth: usize) {
    let choice = if depth >= 4 { 0 } else { rng.below(10) };
    match choice {
        0..=3 => s.push_str(rng.pick(LEAVES)),
        4 => {
            s.push_str("Vector{");
            type_expr(rng, s, depth + 1);
            s.push('}');
        }
        5 => {
            s.push_str(&format!(
                "Array{{{}, {}}}",
                rng.pick(LEAVES),
                1 + rng.below(3)
            ));
        }
        6 => {
            s.push_str(rng.pick(MODULES));
            s.push_str(".Dict{");
            type_expr(rng, s, depth + 1);
            s.push_str(", ");
            type_expr(rng, s, depth + 1);
            s.push('}');
        }
        7 => {
            s.push_str("Tuple{");
            for index in 0..1 + rng.below(3) {
                if index > 0 {
                    s.push_str(", ");
                }
                type_expr(rng, s, depth + 1);
            }
            s.push('}');
        }
        8 => {
            s.push_str("NamedTuple{(:a, :b), Tuple{");
            type_expr(rng, s, depth + 1);
            s.push_str(", ");
            type_expr(rng, s, depth + 1);
            s.push_str("}}");
        }
        _ => {
            s.push_str("Union{Nothing, ");
            type_expr(rng, s, depth + 1);
            s.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_cuts_at_line_ends() {
        let unit = b"aa\nbbb\n";
        assert_eq!(repeat_to_size(unit, 10), b"aa\nbbb\naa\n");
        assert_eq!(repeat_to_size(unit, 9), b"aa\nbbb\n");
        assert_eq!(repeat_to_size(unit, 1), b"aa\n");
        assert_eq!(repeat_to_size(unit, 7), b"aa\nbbb\n");
    }

    #[test]
    fn split_keeps_bytes_and_line_ends() {
        let bytes = generate(50_000, 7);
        let pieces = split_at_lines(&bytes, 16);
        assert_eq!(pieces.len(), 16);
        assert_eq!(pieces.concat(), bytes);
        assert!(pieces.iter().all(|piece| piece.ends_with(b"\n")));
        assert_eq!(split_at_lines(b"one line\n", 4), vec![&b"one line\n"[..]]);
    }

    #[test]
    fn generator_is_deterministic_and_has_repeats() {
        let a = generate(200_000, 3);
        assert_eq!(a, generate(200_000, 3));
        let lines: Vec<&[u8]> = a.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let distinct: std::collections::HashSet<&[u8]> = lines.iter().copied().collect();
        assert!(distinct.len() < lines.len());
        assert!(lines.iter().all(|l| l.ends_with(b")")));
    }
}
