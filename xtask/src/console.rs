//! Splits Rill's serial console into the kernel's lines and the program's output.
//!
//! The console carries, in order: OpenSBI's banner, then the kernel's own lines (each starts
//! with "[rill] " at the beginning of a line) mixed with whatever the guest programs write.
//! The filter drops everything before the first kernel line, routes kernel lines to stderr and
//! the rest to stdout. It streams: a byte is passed on as soon as its destination is known,
//! which only at the start of a line takes until the "[rill] " prefix matches or fails.
//!
//! It also turns "\r\n" into "\n": Rill's console, like a Linux tty (ONLCR), sends "\r\n" for
//! each "\n" a program writes, and this undoes it. A lone "\r" is passed on, so only a "\r" at
//! the very end of the input waits for the next byte.

/// The prefix of every kernel console line.
pub const KERNEL_PREFIX: &[u8] = b"[rill] ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// What the current line is, once known.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Line {
    /// At a line start, still collecting bytes that may be the kernel prefix.
    Start,
    Kernel,
    Program,
    /// Before the first kernel line: dropped.
    Banner,
}

pub struct Filter {
    line: Line,
    /// The start of the current line, while it is a proper prefix of `KERNEL_PREFIX`.
    pending: Vec<u8>,
    /// A "\r" not yet passed on, in case a "\n" follows.
    held_cr: bool,
    kernel_seen: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            line: Line::Start,
            pending: Vec::new(),
            held_cr: false,
            kernel_seen: false,
        }
    }
}

impl Filter {
    /// Whether a kernel line has been seen yet.
    pub fn kernel_seen(&self) -> bool {
        self.kernel_seen
    }

    /// Routes `input`; `emit` receives runs of output bytes with their destination.
    pub fn feed(&mut self, input: &[u8], emit: &mut dyn FnMut(Stream, &[u8])) {
        let mut out = Output::default();
        for &byte in input {
            self.byte(byte, &mut out);
        }
        out.flush(emit);
    }

    /// Passes on what is held back at the end of the console output.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Stream, &[u8])) {
        let mut out = Output::default();
        if self.line == Line::Start && !self.pending.is_empty() {
            self.line = if self.kernel_seen {
                Line::Program
            } else {
                Line::Banner
            };
            for byte in std::mem::take(&mut self.pending) {
                self.byte_in_line(byte, &mut out);
            }
        }
        if self.held_cr {
            self.held_cr = false;
            out.push(self.stream(), b'\r');
        }
        out.flush(emit);
    }

    fn byte(&mut self, byte: u8, out: &mut Output) {
        if self.line != Line::Start {
            return self.byte_in_line(byte, out);
        }
        self.pending.push(byte);
        if KERNEL_PREFIX.starts_with(&self.pending) {
            if self.pending.len() == KERNEL_PREFIX.len() {
                self.kernel_seen = true;
                self.line = Line::Kernel;
                for byte in std::mem::take(&mut self.pending) {
                    out.push(Some(Stream::Stderr), byte);
                }
            }
            return;
        }
        // Not a kernel line. Only the last pending byte can be "\r" or "\n", so replaying
        // them cannot end the line early.
        self.line = if self.kernel_seen {
            Line::Program
        } else {
            Line::Banner
        };
        for byte in std::mem::take(&mut self.pending) {
            self.byte_in_line(byte, out);
        }
    }

    fn byte_in_line(&mut self, byte: u8, out: &mut Output) {
        let stream = self.stream();
        if std::mem::take(&mut self.held_cr) && byte != b'\n' {
            out.push(stream, b'\r');
        }
        match byte {
            b'\r' => self.held_cr = true,
            b'\n' => {
                out.push(stream, b'\n');
                self.line = Line::Start;
            }
            _ => out.push(stream, byte),
        }
    }

    fn stream(&self) -> Option<Stream> {
        match self.line {
            Line::Kernel => Some(Stream::Stderr),
            Line::Program => Some(Stream::Stdout),
            Line::Banner | Line::Start => None,
        }
    }
}

/// Output of one `feed`, gathered into runs per stream; `None` is dropped.
#[derive(Default)]
struct Output {
    runs: Vec<(Stream, Vec<u8>)>,
}

impl Output {
    fn push(&mut self, stream: Option<Stream>, byte: u8) {
        let Some(stream) = stream else { return };
        match self.runs.last_mut() {
            Some((last, run)) if *last == stream => run.push(byte),
            _ => self.runs.push((stream, vec![byte])),
        }
    }

    fn flush(self, emit: &mut dyn FnMut(Stream, &[u8])) {
        for (stream, run) in self.runs {
            emit(stream, &run);
        }
    }
}

/// Whether the raw console log has a kernel panic line.
pub fn has_panic(raw: &[u8]) -> bool {
    raw.split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"[rill] kernel panic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `chunks` one after the other and returns (stdout, stderr, every emitted run).
    fn run(chunks: &[&[u8]]) -> (String, String, Vec<(Stream, String)>) {
        let mut filter = Filter::default();
        let mut runs = Vec::new();
        let mut emit =
            |stream, bytes: &[u8]| runs.push((stream, String::from_utf8_lossy(bytes).into_owned()));
        for chunk in chunks {
            filter.feed(chunk, &mut emit);
        }
        filter.finish(&mut emit);
        let join = |want| {
            runs.iter()
                .filter(|(s, _)| *s == want)
                .map(|(_, t)| t.as_str())
                .collect()
        };
        (join(Stream::Stdout), join(Stream::Stderr), runs)
    }

    /// Every split of `input` into two chunks gives the same result as feeding it whole.
    fn same_for_every_split(input: &[u8]) -> (String, String) {
        let (out, err, _) = run(&[input]);
        for at in 0..=input.len() {
            let (o, e, _) = run(&[&input[..at], &input[at..]]);
            assert_eq!((&o, &e), (&out, &err), "split at {at}");
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        let (o, e, _) = run(&bytes);
        assert_eq!((o, e), (out.clone(), err.clone()), "byte by byte");
        (out, err)
    }

    #[test]
    fn drops_the_banner_and_splits_kernel_and_program() {
        let console = b"OpenSBI v1.2\r\nsays [rill] not at start\r\nPlatform\r\n\
            [rill] Rill booting\r\nhello\r\n[rill] init exited\r\nworld\n";
        let (out, err) = same_for_every_split(console);
        assert_eq!(out, "hello\nworld\n");
        assert_eq!(err, "[rill] Rill booting\n[rill] init exited\n");
    }

    #[test]
    fn banner_lines_that_look_like_the_prefix_are_dropped() {
        let (out, err) = same_for_every_split(b"[ril\n[rillx] a\n[rill]\n[rill] go\nx [rill] y\n");
        assert_eq!(out, "x [rill] y\n");
        assert_eq!(err, "[rill] go\n");
    }

    #[test]
    fn partial_prefixes_after_boot_are_program_output() {
        let (out, err) = same_for_every_split(b"[rill] up\n[ri\n[rill]x\n[\n");
        assert_eq!(out, "[ri\n[rill]x\n[\n");
        assert_eq!(err, "[rill] up\n");
    }

    #[test]
    fn program_bytes_stream_without_waiting_for_a_newline() {
        let (_, _, runs) = run(&[b"[rill] up\n", b"$ ", b"ab"]);
        assert_eq!(
            runs[1..],
            [
                (Stream::Stdout, "$ ".to_string()),
                (Stream::Stdout, "ab".to_string())
            ]
        );
    }

    #[test]
    fn only_a_possible_prefix_waits() {
        let mut filter = Filter::default();
        let mut runs = Vec::new();
        filter.feed(b"[rill] up\n[ri", &mut |stream, bytes| {
            runs.push((stream, bytes.to_vec()))
        });
        assert_eq!(runs, [(Stream::Stderr, b"[rill] up\n".to_vec())]);
        filter.feed(b"p", &mut |stream, bytes| {
            runs.push((stream, bytes.to_vec()))
        });
        assert_eq!(runs[1], (Stream::Stdout, b"[rip".to_vec()));
    }

    #[test]
    fn crlf_becomes_lf_but_lone_cr_stays() {
        let (out, _) = same_for_every_split(b"[rill] up\r\na\rb\r\r\nc\r");
        assert_eq!(out, "a\rb\r\nc\r");
    }

    #[test]
    fn pending_prefix_at_the_end_is_passed_on() {
        assert_eq!(run(&[b"[rill] up\n[ril"]).0, "[ril");
        assert_eq!(run(&[b"banner\n[ril"]).0, "");
    }

    #[test]
    fn kernel_seen_only_after_a_full_prefix() {
        let mut filter = Filter::default();
        filter.feed(b"OpenSBI\n[rill]", &mut |_, _| {});
        assert!(!filter.kernel_seen());
        filter.feed(b" booting\n", &mut |_, _| {});
        assert!(filter.kernel_seen());
    }

    #[test]
    fn finds_panic_lines() {
        assert!(has_panic(b"[rill] kernel panic at x\n"));
        assert!(has_panic(b"a\r\n[rill] kernel panic: oops"));
        assert!(!has_panic(b"say [rill] kernel panic\n"));
    }
}
