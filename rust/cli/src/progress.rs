//! A progress line on stderr for runs longer than about a second, only when stderr is a terminal.
//!
//! Hand-rolled (no dependency): the position is estimated from the item's line number against the
//! line count of its source, weighted by the sources' sizes.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use compile_traces_core::{Origin, Source};

/// Nothing is drawn before this: short runs stay quiet.
const DELAY: Duration = Duration::from_secs(1);
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// Look at the clock only every this many items (cheap either way, but there can be millions).
const CHECK_EVERY: u32 = 1024;
const WIDTH: usize = 30;
/// `COMPILE_TRACES_PROGRESS=force` draws the progress line even when stderr is not a terminal and
/// without the initial delay (for the integration tests).
pub const FORCE_VARIABLE: &str = "COMPILE_TRACES_PROGRESS";

pub struct Progress {
    enabled: bool,
    delay: Duration,
    start: Instant,
    last_draw: Option<Instant>,
    counter: u32,
    /// Per source: bytes before it, its size, its line count (computed only when enabled).
    sources: Vec<(u64, u64, u64)>,
    total_bytes: u64,
    visible: bool,
}

impl Progress {
    /// `quiet` turns it off (`--quiet`, or output going to the same terminal).
    pub fn new(sources: &[Source], quiet: bool) -> Progress {
        // For tests, which have no terminal: draw from the first check on, whatever stderr is.
        let forced = std::env::var_os(FORCE_VARIABLE).is_some_and(|v| v == "force");
        let enabled = !quiet && (forced || io::stderr().is_terminal());
        let mut table = Vec::new();
        let mut total_bytes = 0u64;
        if enabled {
            for source in sources {
                let lines = source.bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                let size = source.bytes.len() as u64;
                table.push((total_bytes, size, lines));
                total_bytes += size;
            }
        }
        Progress {
            enabled,
            delay: if forced { Duration::ZERO } else { DELAY },
            start: Instant::now(),
            last_draw: None,
            counter: 0,
            sources: table,
            total_bytes,
            visible: false,
        }
    }

    /// Called for every item the pipeline delivers.
    pub fn tick(&mut self, origin: Origin) {
        if !self.enabled {
            return;
        }
        self.counter += 1;
        if self.counter < CHECK_EVERY {
            return;
        }
        self.counter = 0;
        let now = Instant::now();
        if now.duration_since(self.start) < self.delay
            || self
                .last_draw
                .is_some_and(|last| now.duration_since(last) < REDRAW_EVERY)
        {
            return;
        }
        self.last_draw = Some(now);
        self.draw(origin);
    }

    fn draw(&mut self, origin: Origin) {
        let Some(&(before, size, lines)) = self.sources.get(origin.source as usize) else {
            return;
        };
        let within = (origin.end_line as f64 / lines as f64).min(1.0);
        let done = before as f64 + within * size as f64;
        let fraction = if self.total_bytes == 0 {
            1.0
        } else {
            (done / self.total_bytes as f64).min(1.0)
        };
        let filled = (fraction * WIDTH as f64) as usize;
        let line = format!(
            "\rcompile-traces [{}{}] {:3.0}%  file {}/{}",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            fraction * 100.0,
            origin.source as usize + 1,
            self.sources.len()
        );
        let mut stderr = io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
        let _ = stderr.flush();
        self.visible = true;
    }

    /// Whether something is on screen: output sharing the terminal should call `clear` first.
    pub fn is_visible(&self) -> bool {
        self.visible
    }

    /// Erases the progress line (it comes back at the next redraw).
    pub fn clear(&mut self) {
        if self.visible {
            let mut stderr = io::stderr().lock();
            let _ = stderr.write_all(b"\r\x1b[2K");
            let _ = stderr.flush();
            self.visible = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
