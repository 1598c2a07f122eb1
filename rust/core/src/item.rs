//! The vocabulary shared by every layer: what one line (or block) of a trace file turned out to be.
//!
//! These types are the contract between the parser (`syntax`), the line and block layer (`line`,
//! `blocks`), the pipeline (`pipeline`) and the consumers (the C ABI and the command line tool).

use std::borrow::Cow;
use std::fmt;

/// Byte range into [`Statement::text`]. `u32` keeps items small; lines over 4 GiB are rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The text this span covers in `text`.
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start as usize..self.end as usize]
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Properties of a statement that a consumer may filter on or must treat with care.
///
/// A plain bit set (no dependency) whose bit values are part of the C ABI: never renumber.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u32);

impl Flags {
    /// Refers to `Main` (functions of a script session: rarely exist again elsewhere).
    pub const MAIN: Flags = Flags(1 << 0);
    /// Contains a closure or gensym name: `var"#3#4"`, `Symbol("#3#4")`, `var"#f##0"`; not the
    /// gensym'd type variables `var"#s11"` of valid signatures.
    pub const CLOSURE: Flags = Flags(1 << 1);
    /// The signature ends with an unbounded `Vararg{T}` (no length).
    pub const UNBOUNDED_VARARG: Flags = Flags(1 << 2);
    /// A value parameter whose printed form may not read back as the same value
    /// (a float without a decimal point, `1f`-style Float32, ...).
    pub const LOSSY_VALUE: Flags = Flags(1 << 3);
    /// Contains a bits value printed as a constructor applied to one hex literal (`Char(0x55000000)`).
    /// The evaluator must check the callee is a primitive type of that size before building it.
    pub const BITS_VALUE: Flags = Flags(1 << 4);
    /// Was guarded by `isdefined(M, Symbol("..")) &&` in the file; the guard was dropped.
    pub const GUARDED: Flags = Flags(1 << 5);
    /// Written in the two-argument form `precompile(f, (T1, T2))`.
    pub const TWO_ARG: Flags = Flags(1 << 6);
    /// Marked `# recompile` by Julia 1.12's trace.
    pub const RECOMPILE: Flags = Flags(1 << 7);
    /// Carried a timing (`#= X ms =#` or SnoopCompile's `# time: S`).
    pub const TIMED: Flags = Flags(1 << 8);
    /// A string or symbol literal contained a backslash that Julia's own printer did not escape
    /// (`Symbol("yyyy\THH")`); the normalized text escapes it so that `Meta.parse` accepts it.
    pub const RAW_BACKSLASH: Flags = Flags(1 << 9);
    /// The unbounded trailing `Vararg{T}` was rewritten to `Vararg{T, N}` on request.
    pub const VARARG_BOUNDED: Flags = Flags(1 << 10);
    /// Julia printed the statement in a form that does not read back, and the normalized text
    /// was repaired so that it does (see [`Repairs`] for the kinds); the text as written is in
    /// [`Statement::original`].
    pub const REPAIRED: Flags = Flags(1 << 11);

    pub const NONE: Flags = Flags(0);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    pub fn remove(&mut self, other: Flags) {
        self.0 &= !other.0;
    }

    /// Names of the set flags, in bit order, for reports.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        const NAMES: [&str; 12] = [
            "main",
            "closure",
            "unbounded_vararg",
            "lossy_value",
            "bits_value",
            "guarded",
            "two_arg",
            "recompile",
            "timed",
            "raw_backslash",
            "vararg_bounded",
            "repaired",
        ];
        NAMES
            .iter()
            .enumerate()
            .filter(move |(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| *name)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The kinds of repair applied to a statement's text (a bit set; the bits are not part of the
/// C ABI, which only sees [`Flags::REPAIRED`]).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Repairs(pub u8);

impl Repairs {
    /// A backslash Julia did not escape in a string (`Symbol("yyyy\THH")` -> `\\T`).
    pub const RAW_BACKSLASH: Repairs = Repairs(1 << 0);
    /// A gensym'd type variable printed bare by Julia <= 1.5 (`#s814` -> `var"#s814"`).
    pub const GENSYM_TYPE_VAR: Repairs = Repairs(1 << 1);
    /// A float printed by C's `%g` (`inf` -> `Inf`, `1.5f` -> `1.5f0`, `nanf` -> `NaN32`).
    pub const C_FLOAT: Repairs = Repairs(1 << 2);
    /// A quoted operator Julia's parser does not read bare (`:=` -> `:(=)`, `:==` -> `:(==)`).
    pub const QUOTED_OPERATOR: Repairs = Repairs(1 << 3);
    /// Every kind, in bit order, with the name reports use.
    pub const ALL: [(Repairs, &'static str); 4] = [
        (Repairs::RAW_BACKSLASH, "raw_backslash"),
        (Repairs::GENSYM_TYPE_VAR, "gensym_type_var"),
        (Repairs::C_FLOAT, "c_float"),
        (Repairs::QUOTED_OPERATOR, "quoted_operator"),
    ];

    pub const NONE: Repairs = Repairs(0);

    pub fn contains(self, other: Repairs) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn insert(&mut self, other: Repairs) {
        self.0 |= other.0;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Names of the kinds applied, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Repairs::ALL
            .iter()
            .filter(move |(kind, _)| self.contains(*kind))
            .map(|(_, name)| *name)
    }
}

impl std::ops::BitOr for Repairs {
    type Output = Repairs;
    fn bitor(self, rhs: Repairs) -> Repairs {
        Repairs(self.0 | rhs.0)
    }
}

impl fmt::Debug for Repairs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The root modules of one statement: nearly always four or fewer (`Base`, `Core`, `Main` and a
/// package), kept inline so that a statement, and each copy the duplicate memo hands out, costs no
/// allocation for them.
pub type Roots = smallvec::SmallVec<[Span; 4]>;

/// A `precompile` call that may be evaluated: it contains nothing but a type signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement<'a> {
    /// The call as Julia should evaluate it, e.g. `precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})`.
    /// Timing prefix, trailing comment, ANSI codes, `#= =#` comments and wrappers are removed;
    /// `Base.precompile(` is kept as written. Borrowed from the input whenever nothing was removed
    /// from its middle.
    pub text: Cow<'a, str>,
    /// The first argument of the call: the signature `Tuple{...}`, or `f` in the two-argument form.
    pub signature: Span,
    /// The second argument of the two-argument form `precompile(f, (T1, T2))`.
    pub arg_types: Option<Span>,
    /// Distinct root modules the statement needs bound (first component of each qualified name:
    /// `Base`, `Test`, `MyPkg`), in order of first appearance.
    pub roots: Roots,
    /// Recorded compile time in milliseconds, when the trace had one.
    pub timing_ms: Option<f64>,
    pub flags: Flags,
    /// What was repaired, and the text as written: `Some` exactly when [`Flags::REPAIRED`] is
    /// set. Boxed: nearly every statement has none, and statements are held by the window and
    /// the memo.
    pub repair: Option<Box<Repair<'a>>>,
}

/// What a repaired statement's text was changed from.
#[derive(Clone, Debug, PartialEq)]
pub struct Repair<'a> {
    /// The kinds of repair applied (never empty).
    pub kinds: Repairs,
    /// The call as written in the file (for diagnostics): the statement's `text` is what Julia
    /// should read, this is what the file said.
    pub original: Cow<'a, str>,
}

impl<'a> Statement<'a> {
    pub fn signature_text(&self) -> &str {
        self.signature.slice(&self.text)
    }

    pub fn arg_types_text(&self) -> Option<&str> {
        self.arg_types.map(|span| span.slice(&self.text))
    }

    pub fn roots(&self) -> impl Iterator<Item = &str> + '_ {
        self.roots.iter().map(|span| span.slice(&self.text))
    }

    pub fn has_root(&self, module: &str) -> bool {
        self.roots().any(|root| root == module)
    }

    /// The kinds of repair applied to the text (empty for nearly every statement).
    pub fn repairs(&self) -> Repairs {
        self.repair
            .as_ref()
            .map_or(Repairs::NONE, |repair| repair.kinds)
    }

    /// The call as written in the file, when a repair changed it.
    pub fn original(&self) -> Option<&str> {
        self.repair.as_ref().map(|repair| repair.original.as_ref())
    }

    pub fn into_owned(self) -> Statement<'static> {
        Statement {
            text: Cow::Owned(self.text.into_owned()),
            signature: self.signature,
            arg_types: self.arg_types,
            roots: self.roots,
            timing_ms: self.timing_ms,
            flags: self.flags,
            repair: self.repair.map(|repair| {
                Box::new(Repair {
                    kinds: repair.kinds,
                    original: Cow::Owned(repair.original.into_owned()),
                })
            }),
        }
    }
}

/// Why a line is ignored. Ignored lines are never counted as statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IgnoreReason {
    Blank,
    Comment,
    /// SnoopCompile and PrecompileTools scaffolding: `function _precompile_()`,
    /// `ccall(:jl_generating_output, ...) == 1 || return nothing`, a wrapper's `end`, ...
    Scaffolding,
}

impl IgnoreReason {
    pub fn as_str(self) -> &'static str {
        match self {
            IgnoreReason::Blank => "blank",
            IgnoreReason::Comment => "comment",
            IgnoreReason::Scaffolding => "scaffolding",
        }
    }
}

/// The two kinds of line that are neither statements nor ignorable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Not valid Julia, or not a complete statement: unbalanced brackets, garbled text,
    /// two statements run together, invalid UTF-8, nesting deeper than the parser allows.
    Malformed,
    /// Valid-looking Julia that is not a pure precompile statement (any call but the allowed
    /// type-building ones, interpolation, assignment, blocks, macros...). Never evaluated.
    Unsupported,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Malformed => "malformed",
            ProblemKind::Unsupported => "unsupported",
        }
    }
}

/// A line (or block of lines) that is malformed or unsupported, with where and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem<'a> {
    pub kind: ProblemKind,
    /// 1-based column, in characters, of the offending token on the first line.
    pub column: u32,
    pub message: Cow<'static, str>,
    /// The offending line as shown to a user: without its line ending, BOM and ANSI colour codes,
    /// invalid UTF-8 replaced (so that `column` points into this text); for a block, its first line.
    pub text: Cow<'a, str>,
}

impl<'a> Problem<'a> {
    pub fn into_owned(self) -> Problem<'static> {
        Problem {
            kind: self.kind,
            column: self.column,
            message: self.message,
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind<'a> {
    Statement(Statement<'a>),
    Ignored(IgnoreReason),
    Problem(Problem<'a>),
}

/// Where an item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Index of the source in the list the caller passed.
    pub source: u32,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line (equal to `line` except for blocks).
    pub end_line: u32,
}

/// One classified line or block, in input order.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<'a> {
    pub origin: Origin,
    pub kind: ItemKind<'a>,
}

impl<'a> Item<'a> {
    pub fn into_owned(self) -> Item<'static> {
        Item {
            origin: self.origin,
            kind: match self.kind {
                ItemKind::Statement(statement) => ItemKind::Statement(statement.into_owned()),
                ItemKind::Ignored(reason) => ItemKind::Ignored(reason),
                ItemKind::Problem(problem) => ItemKind::Problem(problem.into_owned()),
            },
        }
    }
}
