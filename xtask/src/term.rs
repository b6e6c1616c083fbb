//! `xtask term-test`, also the last part of `xtask test`: boots Rill's interactive shell with
//! the console on pipes, types at it the way a user does and checks what the screen shows.
//!
//! The checks cover what only a terminal exercises: the line discipline's editing keys
//! (erase, kill, end of file), keyboard signals (^C, ^Z) reaching the foreground job, job
//! control in the shell, pipelines and FIFOs typed at the prompt, the lecture's message-queue
//! and shared-memory demos, and powering off on `exit`.
//!
//! One thread types and checks (`Session`) while the calling thread runs QEMU through
//! `qemu::boot`, which relays the console into a shared `Screen`. Keys go to QEMU only once
//! the kernel has printed its first line: OpenSBI drops input that arrives while it starts. Every wait is
//! bounded; after a failed check the session tries to get a fresh prompt, and when the
//! shell no longer answers it quits QEMU (Ctrl-A X) and the remaining checks fail unrun.

use crate::proc::Ended;
use crate::qemu::{self, Input};
use crate::{paths, Res};
use std::io::{self, Read};
use std::process::Stdio;
use std::sync::{mpsc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The longest a step may wait for the text it expects.
const STEP: Duration = Duration::from_secs(10);
/// How soon the prompt must come back after ^C.
const INTERRUPT: Duration = Duration::from_secs(2);
/// How soon QEMU must exit after `exit` is typed.
const POWER_OFF: Duration = Duration::from_secs(5);
/// Time a foreground command gets to start before a key meant for it (^C, ^Z) is typed:
/// the screen cannot tell when the shell has handed it the terminal.
const SETTLE: Duration = Duration::from_millis(700);
/// Between two keys, as a (fast) typist would.
const KEY_GAP: Duration = Duration::from_millis(2);
/// The last-resort bound on the whole boot, should quitting QEMU from the keyboard fail.
const TOTAL: Duration = Duration::from_secs(120);
/// The most of the screen shown in a failure message.
const SHOWN: usize = 600;

const PROMPT: &str = "$ ";
const CTRL_C: u8 = 0x03;
const CTRL_D: u8 = 0x04;
const CTRL_H: u8 = 0x08;
const CTRL_U: u8 = 0x15;
const CTRL_Z: u8 = 0x1a;
const DEL: u8 = 0x7f;
/// QEMU's -nographic escape followed by `x`: quit the emulator.
const QUIT_QEMU: &[u8] = b"\x01x";

/// How many checks passed and failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

/// Runs the terminal checks, printing a `PASS term: NAME` or `FAIL term: NAME: ...` line for
/// each as it completes.
pub fn run() -> Tally {
    let mut cmd = match qemu::command(&paths::initramfs(), "".as_ref()) {
        Ok(cmd) => cmd,
        Err(e) => {
            println!("FAIL term: boot: {e}");
            return Tally {
                passed: 0,
                failed: 1,
            };
        }
    };
    cmd.stderr(Stdio::piped());
    let screen = Screen::default();
    let (keys, typed) = mpsc::channel();
    thread::scope(|scope| {
        let session = scope.spawn(|| Session::new(&screen, keys).run_checks());
        let boot = qemu::boot(
            &mut cmd,
            Input::AfterBoot(Box::new(Keyboard(typed))),
            TOTAL,
            &mut |_, bytes: &[u8]| screen.push(bytes),
        );
        let ending = match &boot {
            Err(e) => Ending::Failed(e.clone()),
            Ok(boot) if boot.panicked => Ending::Panicked,
            Ok(boot) => Ending::Ended(boot.ended),
        };
        screen.close(ending);
        session.join().expect("the terminal session panicked")
    })
}

/// How QEMU ended, once it has.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ending {
    Ended(Ended),
    Panicked,
    /// QEMU could not be run or its console read.
    Failed(String),
}

impl Ending {
    fn describe(&self) -> String {
        match self {
            Ending::Ended(Ended::TimedOut) => "QEMU timed out".to_string(),
            Ending::Ended(ended) => format!("QEMU exited with status {}", ended.code()),
            Ending::Panicked => "the kernel panicked".to_string(),
            Ending::Failed(e) => e.clone(),
        }
    }
}

/// Everything the console has shown, with "\r\n" turned into "\n" (see `console::Filter`).
#[derive(Default)]
struct Screen {
    state: Mutex<ScreenState>,
    changed: Condvar,
}

#[derive(Default)]
struct ScreenState {
    text: Vec<u8>,
    ending: Option<Ending>,
}

impl Screen {
    fn push(&self, bytes: &[u8]) {
        self.state.lock().unwrap().text.extend_from_slice(bytes);
        self.changed.notify_all();
    }

    fn close(&self, ending: Ending) {
        self.state.lock().unwrap().ending = Some(ending);
        self.changed.notify_all();
    }

    fn len(&self) -> usize {
        self.state.lock().unwrap().text.len()
    }

    fn since(&self, from: usize) -> String {
        let state = self.state.lock().unwrap();
        String::from_utf8_lossy(&state.text[from.min(state.text.len())..]).into_owned()
    }

    fn ending(&self) -> Option<Ending> {
        self.state.lock().unwrap().ending.clone()
    }

    /// Waits at most `limit` until `ready` holds for the text from `from` on. Returns that
    /// text, or how QEMU ended if it did first, or None on timeout.
    fn wait(
        &self,
        from: usize,
        limit: Duration,
        ready: impl Fn(&str) -> bool,
    ) -> Result<String, Option<Ending>> {
        let deadline = Instant::now() + limit;
        let mut state = self.state.lock().unwrap();
        loop {
            let text = String::from_utf8_lossy(&state.text[from.min(state.text.len())..]);
            if ready(&text) {
                return Ok(text.into_owned());
            }
            if let Some(ending) = &state.ending {
                return Err(Some(ending.clone()));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(None);
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }
}

/// QEMU's stdin: the keys the session types, one byte per read, so each reaches the guest
/// as its own write. Ends when the session is over.
struct Keyboard(mpsc::Receiver<u8>);

impl Read for Keyboard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (buf.first_mut(), self.0.recv()) {
            (Some(slot), Ok(key)) => {
                *slot = key;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// Whether the screen ends at a fresh prompt.
fn at_prompt(text: &str) -> bool {
    text.ends_with(&format!("\n{PROMPT}"))
}

/// What a command printed: the lines after the echo of the typed line, before the prompt.
/// Whether a line of `ls -l` names owner and group root and shows a date as `ls` does:
/// month, day, and hh:mm (or the year, for a file more than six months old).
fn owned_and_dated(line: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let f: Vec<&str> = line.split_whitespace().collect();
    let time_or_year = |t: &str| {
        (t.len() == 5 && t.as_bytes()[2] == b':') || (t.len() == 4 && t.parse::<u32>().is_ok())
    };
    f.len() == 9
        && f[2] == "root"
        && f[3] == "root"
        && MONTHS.contains(&f[5])
        && f[6].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
        && time_or_year(f[7])
}

fn output_lines(text: &str) -> Vec<&str> {
    let body = text.strip_suffix(PROMPT).unwrap_or(text);
    body.lines().skip(1).collect()
}

struct Session<'a> {
    screen: &'a Screen,
    keys: mpsc::Sender<u8>,
    tally: Tally,
    /// Where the current check's part of the screen starts.
    check_start: usize,
    /// Set when the shell cannot be reached any more: why the remaining checks do not run.
    lost: Option<String>,
}

type Step = Result<(), String>;

impl<'a> Session<'a> {
    fn new(screen: &'a Screen, keys: mpsc::Sender<u8>) -> Session<'a> {
        Session {
            screen,
            keys,
            tally: Tally::default(),
            check_start: 0,
            lost: None,
        }
    }

    fn run_checks(mut self) -> Tally {
        // Typed at once: the keys reach QEMU as soon as the kernel prints its first line,
        // while it is still booting, long before the shell reads them.
        self.check("text typed while the kernel boots reaches the shell", |s| {
            s.type_keys(b"echo early-bird\n");
            s.expect(0, STEP, "the shell's prompt, then `early-bird`", |t| {
                // The output line (after the prompt, if the line was not echoed), not the
                // echo of the typed command.
                let printed = |l: &str| l.strip_prefix(PROMPT).unwrap_or(l) == "early-bird";
                t.lines().any(printed) && at_prompt(t)
            })
            .map(drop)
        });

        self.check("echo > /tmp/a; cat /tmp/a", |s| {
            let out = s.command("echo hi > /tmp/a; cat /tmp/a")?;
            s.want(out == ["hi"], "the output \"hi\"")
        });
        self.check("ls -l /", |s| {
            let out = s.command("ls -l /")?;
            let tmp = out
                .iter()
                .any(|l| l.starts_with('d') && l.ends_with(" tmp"));
            s.want(tmp, "a directory line for tmp")
        });
        self.check("ls -l /bin shows root root and dates", |s| {
            let out = s.command("ls -l /bin")?;
            let all_dated = out.len() > 1 && out[1..].iter().all(|l| owned_and_dated(l));
            let ls = out
                .iter()
                .any(|l| l.starts_with("-rwxr-xr-x ") && l.ends_with(" ls"));
            s.want(
                out.first().is_some_and(|l| l.starts_with("total ")) && all_dated && ls,
                "\"total N\", then every entry owned by root root with a date, /bin/ls among them",
            )
        });
        self.check("jobs shows a background job Running", |s| {
            let out = s.command("sleep 2 &")?;
            s.want(out.iter().any(|l| l.starts_with("[1] ")), "\"[1] PID\"")?;
            let out = s.command("jobs")?;
            let running = out
                .iter()
                .any(|l| l.contains("Running") && l.contains("sleep 2"));
            s.want(running, "a Running line for sleep 2")?;
            s.command("wait").map(drop)
        });
        self.check("command not found", |s| {
            let out = s.command("nosuch")?;
            s.want(
                out == ["sh: nosuch: command not found"],
                "\"sh: nosuch: command not found\"",
            )?;
            let out = s.command("echo $?")?;
            s.want(out == ["127"], "$? to be 127")
        });
        self.check("erase with DEL", |s| {
            let out = s.enter(&[b"echo abX".as_slice(), &[DEL], b"c\n"].concat())?;
            s.want(out == ["abc"], "the output \"abc\"")
        });
        self.check("erase with ^H", |s| {
            let out = s.enter(&[b"echo abX".as_slice(), &[CTRL_H], b"c\n"].concat())?;
            s.want(out == ["abc"], "the output \"abc\"")
        });
        self.check("kill line with ^U", |s| {
            let out = s.enter(&[b"garbage".as_slice(), &[CTRL_U], b"echo ok\n"].concat())?;
            s.want(out == ["ok"], "the output \"ok\"")
        });
        self.check("end of file with ^D", |s| {
            let from = s.screen.len();
            s.type_keys(b"cat\nxyz\n");
            s.expect(from, STEP, "cat to echo \"xyz\"", |t| {
                t.contains("xyz\nxyz\n")
            })?;
            s.type_keys(&[CTRL_D]);
            s.expect(from, STEP, "the prompt after ^D", at_prompt)
                .map(drop)
        });
        self.check("pipeline seq | grep | wc", |s| {
            let out = s.command("seq 1 10000 | grep 7 | wc -l")?;
            s.want(out == ["3439"], "the output \"3439\"")
        });
        self.check("cat through .. into grep -c", |s| {
            let direct = s.command("grep -c . /tests/sh-basic.out")?;
            let piped = s.command("cat /bin/../tests/sh-basic.out | grep -c .")?;
            let count = direct.first().and_then(|n| n.parse::<u32>().ok());
            s.want(
                direct.len() == 1 && count.is_some_and(|n| n > 0) && piped == direct,
                "the same positive count both ways",
            )
        });
        self.check("FIFO between a background job and echo", |s| {
            let from = s.screen.len();
            s.type_keys(b"mkfifo /tmp/f; cat /tmp/f & echo README > /tmp/f\n");
            // cat may print after the prompt, even on the prompt's own line.
            s.expect(from, STEP, "\"README\" and a prompt", |t| {
                let printed = output_lines(t).contains(&"README")
                    || t.lines().any(|l| l == format!("{PROMPT}README"));
                printed && t.contains(&format!("\n{PROMPT}"))
            })?;
            s.type_keys(b"jobs\n");
            let text = s.expect(from, STEP, "the prompt after `jobs`", |t| {
                at_prompt(t) && t.contains("jobs\n")
            })?;
            let done = text
                .lines()
                .any(|l| l.contains("Done") && l.contains("cat /tmp/f"));
            s.want(done, "a Done line for `cat /tmp/f`")
        });
        self.check("^C interrupts the foreground job", |s| {
            s.start("sleep 100")?;
            let from = s.screen.len();
            s.type_keys(&[CTRL_C]);
            s.expect(from, INTERRUPT, "the prompt after ^C", at_prompt)?;
            let out = s.command("echo $?")?;
            s.want(out == ["130"], "$? to be 130")
        });
        self.check("^Z stops the foreground job", |s| {
            s.start("sleep 100")?;
            let from = s.screen.len();
            s.type_keys(&[CTRL_Z]);
            let text = s.expect(from, STEP, "the prompt after ^Z", at_prompt)?;
            let stopped = text
                .lines()
                .any(|l| l.contains("Stopped") && l.contains("sleep 100"));
            s.want(stopped, "a Stopped line for sleep 100")?;
            let out = s.command("jobs")?;
            let listed = out
                .iter()
                .any(|l| l.contains("Stopped") && l.contains("sleep 100"));
            s.want(listed, "`jobs` to list sleep 100 as Stopped")
        });
        self.check("fg resumes the job and ^C ends it", |s| {
            let typed = s.start("fg")?;
            let waiting = !s.screen.since(typed).contains(&format!("\n{PROMPT}"));
            s.want(waiting, "the shell to wait for the job it resumed")?;
            let from = s.screen.len();
            s.type_keys(&[CTRL_C]);
            s.expect(from, INTERRUPT, "the prompt after ^C", at_prompt)?;
            let out = s.command("echo $?")?;
            s.want(out == ["130"], "$? to be 130")
        });
        self.check("fg gives the terminal back to a stopped reader", |s| {
            s.start("cat")?;
            let from = s.screen.len();
            s.type_keys(&[CTRL_Z]);
            s.expect(from, STEP, "the prompt after ^Z", at_prompt)?;
            let from = s.start("fg")?;
            s.type_keys(b"resumed\n");
            // The terminal echoes the line once; the second copy is cat's.
            s.expect(from, STEP, "cat to echo \"resumed\"", |t| {
                t.contains("resumed\nresumed\n")
            })?;
            s.type_keys(&[CTRL_D]);
            s.expect(from, STEP, "the prompt after ^D", at_prompt)
                .map(drop)
        });
        self.check("msgq-ex1 as in the lecture, its queue in ipcs -q", |s| {
            let from = s.start("msgq-ex1")?;
            s.expect(from, STEP, "the type prompt", |t| {
                t.contains("Parent: input message type:")
            })?;
            let from = s.screen.len();
            s.type_keys(b"1\ntest\n");
            s.expect(from, STEP, "the child to print the message", |t| {
                t.contains("Parent: input message to be sent:")
                    && t.contains("Child: read msg:test")
            })?;
            let from = s.screen.len();
            s.type_keys(&[CTRL_Z]);
            s.expect(from, STEP, "the prompt after ^Z", at_prompt)?;
            let out = s.command("ipcs -q")?;
            let listed = out
                .iter()
                .any(|l| l.starts_with("0x00000000 ") && l.contains(" 600 "));
            s.want(listed, "`ipcs -q` to list the demo's queue")?;
            let from = s.start("fg")?;
            s.type_keys(b"0\n");
            s.expect(from, STEP, "the prompt after type 0", at_prompt)?;
            let out = s.command("ipcs -q")?;
            s.want(
                !out.iter().any(|l| l.starts_with("0x")),
                "the queue to be gone after the demo ends",
            )
        });
        self.check("shm-writer then shm-reader as in the lecture", |s| {
            let out = s.command("shm-writer")?;
            s.want(
                out == ["Writer: copy data to shared-memory"],
                "the writer's one line",
            )?;
            let out = s.command("shm-reader")?;
            let segment =
                |l: &&String| l.starts_with("0x") && l.contains(" 666 ") && l.contains(" 512 ");
            let data = out
                .iter()
                .position(|l| l == "data = [ How are you, mike: from Writer ]");
            let listed_before = data.is_some_and(|d| out[..d].iter().any(|l| segment(&l)));
            let gone_after = data.is_some_and(|d| !out[d..].iter().any(|l| segment(&l)));
            s.want(
                listed_before && gone_after && out.iter().any(|l| l == "deleted shared-memory"),
                "ipcs -m with the segment, the data, \"deleted shared-memory\", ipcs -m without it",
            )
        });
        self.check("sh: for over a glob", |s| {
            let out = s.command("for f in /tests/sh-posix-[ep]*.sh; do echo \"got $f\"; done")?;
            s.want(
                out == [
                    "got /tests/sh-posix-expand.sh",
                    "got /tests/sh-posix-proc.sh",
                ],
                "one line per matching script, sorted",
            )
        });
        self.check("sh: a function's trap catches USR1 from kill", |s| {
            let out = s.command(
                "f() { trap 'echo caught USR1' USR1; kill -USR1 $$; echo after; }; f; trap - USR1",
            )?;
            s.want(
                out == ["caught USR1", "after"],
                "\"caught USR1\" then \"after\"",
            )
        });
        self.check("sh: $( ) and $(( ))", |s| {
            let out = s.command("echo \"[$(echo inner $(echo nested))]\" $((6 * 7))")?;
            s.want(
                out == ["[inner nested] 42"],
                "the output \"[inner nested] 42\"",
            )
        });
        self.check("sh: a here-document typed at the prompt", |s| {
            let out = s.enter(b"cat <<EOF\nhere $((1 + 1)) $(echo doc)\nEOF\n")?;
            s.want(
                out.iter().any(|l| l == "here 2 doc"),
                "the line \"here 2 doc\"",
            )
        });
        self.check("exit powers off", |s| {
            let from = s.screen.len();
            s.type_keys(b"exit\n");
            match s.screen.wait(from, POWER_OFF, |_| false) {
                Err(Some(Ending::Ended(Ended::Exited(0)))) => Ok(()),
                Err(Some(ending)) => Err(s.fail(&format!(
                    "QEMU to exit with status 0, but {}",
                    ending.describe()
                ))),
                _ => Err(s.fail("QEMU to exit within 5 s")),
            }
        });
        if self.screen.ending().is_none() {
            self.quit_qemu();
        }
        self.tally
    }

    /// Runs one check and reports it. After a failure, gets back to a prompt if it can.
    fn check(&mut self, name: &str, steps: impl FnOnce(&mut Self) -> Step) {
        let result = match &self.lost {
            Some(why) => Err(format!("not run: {why}")),
            None => {
                self.check_start = self.screen.len();
                steps(self)
            }
        };
        match result {
            Ok(()) => {
                println!("PASS term: {name}");
                self.tally.passed += 1;
            }
            Err(why) => {
                println!("FAIL term: {name}: {why}");
                self.tally.failed += 1;
                if self.lost.is_none() {
                    self.recover();
                }
            }
        }
    }

    fn type_keys(&self, keys: &[u8]) {
        for &key in keys {
            // The receiver lives as long as QEMU's stdin; once it is gone typing is moot.
            let _ = self.keys.send(key);
            thread::sleep(KEY_GAP);
        }
    }

    /// Types `line` and Enter; returns what the command printed once the prompt is back.
    fn command(&self, line: &str) -> Result<Vec<String>, String> {
        self.enter(format!("{line}\n").as_bytes())
    }

    /// Types `keys` (a line with editing keys, ending in Enter); returns what the command
    /// printed once the prompt is back.
    fn enter(&self, keys: &[u8]) -> Result<Vec<String>, String> {
        let from = self.screen.len();
        self.type_keys(keys);
        let text = self.expect(from, STEP, "the prompt back", at_prompt)?;
        Ok(output_lines(&text).into_iter().map(String::from).collect())
    }

    /// Types `line` and Enter for a command that keeps running, and gives it time to start.
    /// Returns where the screen stood before typing.
    fn start(&self, line: &str) -> Result<usize, String> {
        let from = self.screen.len();
        self.type_keys(format!("{line}\n").as_bytes());
        self.expect(from, STEP, &format!("the echo of `{line}`"), |t| {
            t.contains(&format!("{line}\n"))
        })?;
        thread::sleep(SETTLE);
        Ok(from)
    }

    /// Waits for the screen from `from` on to satisfy `ready`; the error says it expected
    /// `what`.
    fn expect(
        &self,
        from: usize,
        limit: Duration,
        what: &str,
        ready: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        self.screen
            .wait(from, limit, ready)
            .map_err(|ending| match ending {
                Some(ending) => self.fail(&format!("{what}, but {}", ending.describe())),
                None => self.fail(&format!("{what} within {} s", limit.as_secs_f64())),
            })
    }

    fn want(&self, ok: bool, what: &str) -> Step {
        if ok {
            Ok(())
        } else {
            Err(self.fail(what))
        }
    }

    /// The failure message: what was expected and the end of this check's screen.
    fn fail(&self, what: &str) -> String {
        let screen = self.screen.since(self.check_start);
        let mut start = screen.len().saturating_sub(SHOWN);
        while !screen.is_char_boundary(start) {
            start += 1;
        }
        let cut = if start > 0 { "..." } else { "" };
        format!(
            "expected {what}, screen so far: {cut}{:?}",
            &screen[start..]
        )
    }

    /// After a failed check: interrupts whatever runs and asks for a fresh prompt. If none
    /// comes, the shell is lost.
    fn recover(&mut self) {
        if let Some(ending) = self.screen.ending() {
            self.lost = Some(ending.describe());
            return;
        }
        if at_prompt(&self.screen.since(0)) {
            return;
        }
        let from = self.screen.len();
        self.type_keys(&[CTRL_C]);
        thread::sleep(SETTLE);
        self.type_keys(b"\n");
        if self.screen.wait(from, STEP, at_prompt).is_err() {
            self.give_up("the shell stopped answering");
        }
    }

    fn give_up(&mut self, why: &str) {
        self.lost = Some(why.to_string());
        self.quit_qemu();
    }

    fn quit_qemu(&self) {
        if self.screen.ending().is_none() {
            self.type_keys(QUIT_QEMU);
        }
    }
}

/// `xtask term-test`: the checks alone, with the count line `xtask test` ends with.
pub fn run_alone() -> Res<bool> {
    qemu::check_inputs(&paths::initramfs())?;
    let tally = run();
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(tally.failed == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_only_at_the_end_of_a_line_start() {
        assert!(at_prompt("Welcome\n$ "));
        assert!(at_prompt("x\n^C\n$ "));
        assert!(!at_prompt("echo $ "));
        assert!(!at_prompt("\n$ echo"));
    }

    #[test]
    fn ls_long_lines_with_owner_and_date() {
        assert!(owned_and_dated(
            "-rwxr-xr-x 43 root root 6139656 Nov 30 09:32 ls"
        ));
        assert!(owned_and_dated("drwxr-xr-x  2 root root 0 Jan  1  1970 d"));
        assert!(!owned_and_dated("-rwxr-xr-x 1 0 0 6139656 Nov 30 09:32 ls"));
        assert!(!owned_and_dated("-rwxr-xr-x 1 root root 61 ls"));
    }

    #[test]
    fn output_lines_skip_the_echo_and_the_prompt() {
        assert_eq!(output_lines("echo hi\nhi\n$ "), ["hi"]);
        assert_eq!(output_lines("true\n$ "), Vec::<&str>::new());
        assert_eq!(output_lines("echo abX\x08 \x08c\nabc\n$ "), ["abc"]);
    }

    #[test]
    fn waiting_sees_text_and_the_ending() {
        let screen = Screen::default();
        screen.push(b"abc");
        assert_eq!(
            screen.wait(1, Duration::ZERO, |t| t == "bc"),
            Ok("bc".to_string())
        );
        assert_eq!(
            screen.wait(0, Duration::from_millis(1), |_| false),
            Err(None)
        );
        screen.close(Ending::Panicked);
        assert_eq!(
            screen.wait(0, Duration::from_secs(5), |_| false),
            Err(Some(Ending::Panicked))
        );
    }
}
