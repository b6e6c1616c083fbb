//! Booting Rill in qemu-system-riscv64: the command line (including how program arguments are
//! quoted into the kernel's boot arguments), and running a boot with a timeout while relaying
//! its console through `console::Filter`.

use crate::console::{self, Stream};
use crate::proc::{self, Ended};
use crate::{paths, Context, Res};
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The machine Rill runs on. OpenSBI (`-bios default`) loads the kernel at 0x80200000.
const MACHINE: &str = "-machine virt -nographic -bios default -m 512M";

/// Most harts Rill uses (its MAX_HARTS).
pub const MAX_HARTS: usize = 8;

/// How many harts a boot gets: $SMP (1 to MAX_HARTS), else 1. One hart is the default:
/// on a host with few free cores, QEMU's extra hart threads only compete for them, and
/// a single hart boots and runs the tests fastest.
pub fn harts() -> Res<usize> {
    match std::env::var("SMP") {
        Ok(value) if !value.is_empty() => parse_harts(&value).map_err(|e| format!("SMP: {e}")),
        _ => Ok(1),
    }
}

/// A hart count from 1 to MAX_HARTS.
pub fn parse_harts(text: &str) -> Res<usize> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_HARTS).contains(&n) => Ok(n),
        _ => Err(format!(
            "{text:?} is not a hart count from 1 to {MAX_HARTS}"
        )),
    }
}

/// The command line for booting build/kernel.bin with `initrd` and kernel boot arguments
/// `bootargs` on $SMP harts, plus the words of $QEMU_EXTRA.
pub fn command(initrd: &Path, bootargs: &OsStr) -> Res<Command> {
    command_with_harts(initrd, bootargs, harts()?)
}

/// `command` with `harts` harts, whatever $SMP says. QEMU 7.2 runs each hart in a host
/// thread of its own (multi-threaded TCG is riscv64's default).
pub fn command_with_harts(initrd: &Path, bootargs: &OsStr, harts: usize) -> Res<Command> {
    check_inputs(initrd)?;
    let extra = std::env::var("QEMU_EXTRA").unwrap_or_default();
    let compressed;
    let initrd = if memory_mib(&extra).is_some_and(|m| m < 256) {
        compressed = crate::rootfs::gzipped(initrd)?;
        compressed.as_path()
    } else {
        initrd
    };
    let kernel = paths::kernel();
    let mut cmd = Command::new("qemu-system-riscv64");
    cmd.args(MACHINE.split(' '))
        .arg("-smp")
        .arg(harts.to_string())
        .arg("-kernel")
        .arg(kernel)
        .arg("-initrd")
        .arg(initrd)
        .arg("-append")
        .arg(bootargs);
    cmd.args(extra.split_whitespace());
    Ok(cmd)
}

/// The RAM size in MiB that the last `-m` among QEMU's `extra` arguments asks for (QEMU's
/// syntax: a number with an optional M or G suffix, MiB by default, or `size=` that).
fn memory_mib(extra: &str) -> Option<u64> {
    let words: Vec<&str> = extra.split_whitespace().collect();
    let value = words.windows(2).rev().find(|w| w[0] == "-m")?[1];
    let value = value.strip_prefix("size=").unwrap_or(value);
    let value = value.split(',').next()?;
    let (digits, scale) = match value.char_indices().last()? {
        (i, 'M' | 'm') => (&value[..i], 1),
        (i, 'G' | 'g') => (&value[..i], 1024),
        _ => (value, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * scale)
}

/// Fails with a hint if the kernel or `initrd` has not been built.
pub fn check_inputs(initrd: &Path) -> Res<()> {
    let kernel = paths::kernel();
    if !kernel.is_file() {
        return Err(format!(
            "{} not found: build the kernel first",
            kernel.display()
        ));
    }
    if !initrd.is_file() {
        return Err(format!(
            "{} not found: run `xtask rootfs` first",
            initrd.display()
        ));
    }
    Ok(())
}

/// Boot arguments that make init run `argv` (program first): "-- " and the quoted words.
pub fn init_bootargs(argv: &[OsString]) -> OsString {
    let mut line = b"--".to_vec();
    for arg in argv {
        line.push(b' ');
        line.extend(quote(arg.as_bytes()));
    }
    OsString::from_vec(line)
}

/// Quotes one word for the kernel's boot-argument splitter, whose rule is: words are separated
/// by runs of spaces (tabs and newlines too); a `"` starts or ends a quoted stretch, in which
/// spaces are part of the word; a `\` anywhere makes the next byte literal; the quote and
/// backslash characters themselves are dropped, and `""` is an empty word.
///
/// A plain word is passed as is. Any other (empty, or holding whitespace, `"` or `\`) is
/// wrapped in double quotes with each `"` and `\` preceded by a `\`.
pub fn quote(word: &[u8]) -> Vec<u8> {
    let special = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\\');
    if !word.is_empty() && !word.iter().any(special) {
        return word.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in word {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// What one boot did.
pub struct Boot {
    pub ended: Ended,
    /// Everything QEMU wrote to the serial console, OpenSBI's banner included.
    pub raw: Vec<u8>,
    /// QEMU's own stderr, if the caller piped it.
    pub qemu_stderr: Vec<u8>,
    pub kernel_seen: bool,
    pub panicked: bool,
    pub elapsed: Duration,
}

/// What the guest console reads: QEMU's stdin.
pub enum Input {
    Null,
    /// This process's stdin, handed to QEMU as it is. For a terminal, QEMU puts it in raw
    /// mode, so keys reach the guest as typed.
    Inherit,
    /// Bytes copied to QEMU once the kernel has printed its first line. Input that arrives
    /// earlier is lost: OpenSBI empties the UART's receive register when it sets it up.
    AfterBoot(Box<dyn Read + Send>),
}

/// Runs `cmd` (from `command`) for at most `timeout` with `input` as the console's input,
/// feeding the filtered console to `sink` as it arrives. QEMU's stderr is whatever the caller
/// set; it is collected into `Boot::qemu_stderr` if it is piped.
pub fn boot(
    cmd: &mut Command,
    input: Input,
    timeout: Duration,
    sink: &mut (dyn FnMut(Stream, &[u8]) + Send),
) -> Res<Boot> {
    cmd.stdout(Stdio::piped()).stdin(match input {
        Input::Null => Stdio::null(),
        Input::Inherit => Stdio::inherit(),
        Input::AfterBoot(_) => Stdio::piped(),
    });
    let start = Instant::now();
    let mut child = cmd.spawn().ctx(|| "starting qemu-system-riscv64".into())?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take();
    let booted = match (input, child.stdin.take()) {
        (Input::AfterBoot(mut from), Some(mut to)) => {
            let (booted_tx, booted_rx) = mpsc::channel();
            // Not joined: it may be blocked reading our stdin when QEMU is gone.
            thread::spawn(move || {
                if booted_rx.recv().is_ok() {
                    let _ = std::io::copy(&mut from, &mut to);
                }
            });
            Some(booted_tx)
        }
        _ => None,
    };
    thread::scope(|scope| {
        let relay = scope.spawn(move || relay(stdout, booted, sink));
        let qemu_stderr = stderr.map(|mut pipe| {
            scope.spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                bytes
            })
        });
        let ended =
            proc::wait_timeout(&mut child, timeout, false).ctx(|| "waiting for QEMU".into())?;
        let elapsed = start.elapsed();
        let (raw, kernel_seen) = relay
            .join()
            .expect("relay thread panicked")
            .ctx(|| "reading the console".into())?;
        let qemu_stderr = qemu_stderr
            .map(|t| t.join().expect("stderr thread panicked"))
            .unwrap_or_default();
        let panicked = console::has_panic(&raw);
        Ok(Boot {
            ended,
            raw,
            qemu_stderr,
            kernel_seen,
            panicked,
            elapsed,
        })
    })
}

/// Copies the console to `sink` through the filter until QEMU closes it, telling `booted`
/// when the first kernel line starts; returns the raw log and whether the kernel printed.
fn relay(
    mut console: impl Read,
    mut booted: Option<mpsc::Sender<()>>,
    sink: &mut dyn FnMut(Stream, &[u8]),
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut filter = console::Filter::default();
    let mut raw = Vec::new();
    let mut buf = [0; 4096];
    loop {
        let n = match console.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        raw.extend_from_slice(&buf[..n]);
        filter.feed(&buf[..n], sink);
        if filter.kernel_seen() {
            if let Some(booted) = booted.take() {
                let _ = booted.send(());
            }
        }
    }
    filter.finish(sink);
    Ok((raw, filter.kernel_seen()))
}

/// The console log from the first kernel line on (OpenSBI's banner is rarely of interest),
/// or all of it if the kernel never printed.
pub fn log_from_kernel(raw: &[u8]) -> &[u8] {
    if raw.starts_with(console::KERNEL_PREFIX) {
        return raw;
    }
    let needle = [b"\n".as_slice(), console::KERNEL_PREFIX].concat();
    match raw.windows(needle.len()).position(|w| w == needle) {
        Some(at) => &raw[at + 1..],
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn memory_size_is_read_from_the_last_dash_m() {
        assert_eq!(memory_mib(""), None);
        assert_eq!(memory_mib("-m 128M"), Some(128));
        assert_eq!(memory_mib("-m 1G -s"), Some(1024));
        assert_eq!(memory_mib("-m 64 -m size=200M"), Some(200));
        assert_eq!(memory_mib("-d int -m"), None);
    }

    #[test]
    fn plain_words_are_left_alone() {
        assert_eq!(
            init_bootargs(&args(&["/bin/echo", "a", "-n", "x=y"])),
            "-- /bin/echo a -n x=y"
        );
    }

    #[test]
    fn special_words_are_quoted() {
        assert_eq!(quote(b""), b"\"\"");
        assert_eq!(quote(b"a b"), b"\"a b\"");
        assert_eq!(quote(b"tab\there"), b"\"tab\there\"");
        assert_eq!(quote(br#"say "hi""#), br#""say \"hi\"""#);
        assert_eq!(quote(br"back\slash"), br#""back\\slash""#);
        assert_eq!(
            init_bootargs(&args(&["/bin/p", "", "two words"])),
            r#"-- /bin/p "" "two words""#
        );
    }

    /// The splitter the kernel is asked to implement, to check that quoting round-trips.
    fn split(line: &[u8]) -> Vec<Vec<u8>> {
        let mut words = Vec::new();
        let mut word: Option<Vec<u8>> = None;
        let (mut quoted, mut escaped) = (false, false);
        for &b in line {
            if escaped {
                word.get_or_insert_with(Vec::new).push(b);
                escaped = false;
            } else if b == b'\\' {
                word.get_or_insert_with(Vec::new);
                escaped = true;
            } else if b == b'"' {
                word.get_or_insert_with(Vec::new);
                quoted = !quoted;
            } else if !quoted && matches!(b, b' ' | b'\t' | b'\n') {
                words.extend(word.take());
            } else {
                word.get_or_insert_with(Vec::new).push(b);
            }
        }
        words.extend(word);
        words
    }

    #[test]
    fn quoting_round_trips_through_the_kernel_rule() {
        let words: [&[u8]; 9] = [
            b"/bin/x",
            b"",
            b"a b",
            b" lead",
            b"\"",
            b"\\",
            b"a\\\"b",
            b"x\ny",
            "é ü".as_bytes(),
        ];
        let line = init_bootargs(
            &words
                .iter()
                .map(|w| OsStr::from_bytes(w).to_owned())
                .collect::<Vec<_>>(),
        );
        let mut expect = vec![b"--".to_vec()];
        expect.extend(words.iter().map(|w| w.to_vec()));
        assert_eq!(split(line.as_bytes()), expect);
    }

    #[test]
    fn log_starts_at_the_first_kernel_line() {
        assert_eq!(
            log_from_kernel(b"OpenSBI\r\nx [rill] y\r\n[rill] boot\nz"),
            b"[rill] boot\nz"
        );
        assert_eq!(log_from_kernel(b"[rill] a\n"), b"[rill] a\n");
        assert_eq!(log_from_kernel(b"nothing"), b"nothing");
    }
}
