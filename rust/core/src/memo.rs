//! Remembering statement lines already classified, so that an identical raw line is not parsed
//! again, and its verdict is not computed again.
//!
//! Classification is context-free ([`crate::line`]): identical raw bytes (outside a file's first
//! line, where a BOM may be stripped) always give the same [`Statement`]. Filters are
//! deterministic per statement, and the dedup set only grows, so every later copy of a raw line
//! whose statement got verdict `V` gets `V` too, except that `Keep` becomes "duplicate of that
//! first copy" when dedup is on. Merged traces of test suites repeat most of their lines.
//!
//! The thread pool only reads the [`Memo`] (it classifies the next window while the calling
//! thread folds the current one); the calling thread records new entries in a [`Recall`] and
//! moves them into the memo between windows. Lines are matched by a 64-bit hash and then by
//! their bytes, so a hash collision only costs a parse, never a wrong answer.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::item::{Origin, Statement};
use crate::pipeline::Verdict;

/// Hash of a raw line's bytes.
pub(crate) fn hash_line(raw: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(raw);
    hasher.finish()
}

/// Statement lines classified so far, by their raw bytes. Read-only while the pool works.
#[derive(Default)]
pub(crate) struct Memo<'a> {
    /// Line hash → entry id (an index into `entries`).
    index: FxHashMap<u64, u32>,
    entries: Vec<(&'a [u8], Statement<'a>)>,
}

impl<'a> Memo<'a> {
    /// The id of a line with these bytes, if remembered.
    pub(crate) fn get(&self, hash: u64, raw: &[u8]) -> Option<u32> {
        let id = *self.index.get(&hash)?;
        (self.entries[id as usize].0 == raw).then_some(id)
    }

    /// The statement of the remembered line `id`.
    pub(crate) fn statement(&self, id: u32) -> &Statement<'a> {
        &self.entries[id as usize].1
    }

    /// Moves the entries recorded during the last window into the memo.
    pub(crate) fn absorb(&mut self, recall: &mut Recall<'a>) {
        recall.pending_index.clear();
        if self.entries.capacity() == 0 {
            // Reserved whole, for the reason given in `Recall::new`.
            self.entries.reserve_exact(recall.verdicts.capacity());
        }
        for (hash, raw, statement) in recall.pending.drain(..) {
            let id = self.entries.len() as u32;
            self.entries.push((raw, statement));
            // A colliding hash keeps its first line; the other is parsed every time (rare).
            self.index.entry(hash).or_insert(id);
        }
    }
}

/// The calling thread's side: the verdict of every remembered line, and the entries recorded
/// since the memo was last updated.
pub(crate) struct Recall<'a> {
    /// Entry id → the verdict of a later copy of the line.
    verdicts: Vec<Verdict>,
    pending: Vec<(u64, &'a [u8], Statement<'a>)>,
    /// Line hash → entry id, for `pending`.
    pending_index: FxHashMap<u64, u32>,
    /// How many more entries may be recorded: the memo's memory stays a small fraction of the
    /// input even when no line repeats.
    budget: usize,
}

impl<'a> Recall<'a> {
    pub(crate) fn new(budget: usize) -> Recall<'a> {
        Recall {
            // Reserved whole: growing by doubling would copy it and hold both copies for a
            // moment. Untouched capacity costs no memory.
            verdicts: Vec::with_capacity(budget),
            pending: Vec::new(),
            pending_index: FxHashMap::default(),
            budget,
        }
    }

    /// The verdict of a later copy of the remembered line `id`.
    pub(crate) fn verdict(&self, id: u32) -> Verdict {
        self.verdicts[id as usize]
    }

    /// The id of a line with these bytes, remembered in the memo or since.
    pub(crate) fn find(&self, memo: &Memo<'a>, hash: u64, raw: &[u8]) -> Option<u32> {
        if let Some(id) = memo.get(hash, raw) {
            return Some(id);
        }
        let id = *self.pending_index.get(&hash)?;
        let (_, remembered, _) = &self.pending[id as usize - memo.entries.len()];
        (*remembered == raw).then_some(id)
    }

    /// Remembers a line classified as `statement` (before any rewrite), whose later copies
    /// get the verdict `later` (see [`later_copy`]).
    pub(crate) fn remember(
        &mut self,
        memo: &Memo<'a>,
        (hash, raw): (u64, &'a [u8]),
        statement: &Statement<'a>,
        later: Verdict,
    ) {
        // A hash already taken (a collision) is not remembered twice: that line is parsed
        // every time (rare), and the budget is not spent on it again and again.
        if self.budget == 0
            || self.pending_index.contains_key(&hash)
            || memo.index.contains_key(&hash)
        {
            return;
        }
        self.budget -= 1;
        let id = (memo.entries.len() + self.pending.len()) as u32;
        self.pending.push((hash, raw, statement.clone()));
        self.pending_index.insert(hash, id);
        self.verdicts.push(later);
    }
}

/// The verdict of every later copy of a line whose statement, first seen at `origin`, got
/// `verdict`: a kept statement's copies are its duplicates (with dedup on), anything else
/// repeats.
pub(crate) fn later_copy(verdict: Verdict, origin: Origin, dedup: bool) -> Verdict {
    match verdict {
        Verdict::Keep if dedup => Verdict::Duplicate { first: origin },
        other => other,
    }
}
