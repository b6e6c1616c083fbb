//! `xtask test [FILTER]`: runs every test in build/rootfs/tests on Rill and on Linux
//! (qemu-riscv64, see linux.rs) and checks that both exit 0 with the same output.
//!
//! A test is an executable file /tests/NAME, or a shell script /tests/X.sh run as
//! `/bin/sh /tests/X.sh` whose output must also equal /tests/X.out. Two tests run at a time;
//! results are printed in name order as they become known. The terminal test (term.rs) runs
//! last and adds its checks to the counts. With $SMP_AGAIN=N (`make test` sets 4), each
//! test's Rill side runs a second time on N harts and must give the same output again.

use crate::divergences::{self, Policy};
use crate::linux::Linux;
use crate::proc::Ended;
use crate::qemu::{self, Boot};
use crate::{console::Stream, diff, paths, term, Context, Res};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Tests run at once; each Rill run keeps one core busy.
const JOBS: usize = 2;

struct Test {
    /// The name printed and looked up in divergences.rs: the file name in /tests.
    name: String,
    /// The guest argv.
    argv: Vec<String>,
    kind: Kind,
}

enum Kind {
    Binary,
    /// A shell script and what its X.out holds (`None` if there is no X.out).
    Script {
        out_name: String,
        expected: Option<Vec<u8>>,
    },
}

struct Outcome {
    passed: bool,
    report: String,
}

/// Runs the tests whose names contain `filter`; returns whether all passed.
pub fn run(filter: Option<&str>, timeout: Duration) -> Res<bool> {
    qemu::check_inputs(&paths::initramfs())?;
    let harts = qemu::harts()?;
    let again = match std::env::var("SMP_AGAIN") {
        Ok(v) if !v.is_empty() && v != "0" => {
            Some(qemu::parse_harts(&v).map_err(|e| format!("SMP_AGAIN: {e}"))?)
        }
        _ => None,
    }
    .filter(|&n| n != harts);
    let tests = discover(filter)?;
    if tests.is_empty() {
        eprintln!(
            "test: no tests found in {}",
            paths::rootfs().join("tests").display()
        );
    }
    let linux = Linux::prepare()?;
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let (mut passed, mut failed) = (0, 0);
    thread::scope(|scope| {
        for _ in 0..JOBS.min(tests.len()) {
            let tx = tx.clone();
            let (tests, linux, next) = (&tests, &linux, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(test) = tests.get(i) else { break };
                let outcome = run_one(test, linux, timeout, again).unwrap_or_else(|e| Outcome {
                    passed: false,
                    report: format!("FAIL {}: {e}\n", test.name),
                });
                if tx.send((i, outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Print in order: hold each outcome until those before it are printed.
        let mut waiting = BTreeMap::new();
        let mut printed = 0;
        for (i, outcome) in rx {
            waiting.insert(i, outcome);
            while let Some(outcome) = waiting.remove(&printed) {
                print!("{}", outcome.report);
                if outcome.passed {
                    passed += 1;
                } else {
                    failed += 1;
                }
                printed += 1;
            }
        }
    });
    // The terminal test is named "term" for FILTER, like a test in /tests.
    if filter.is_none_or(|f| "term".contains(f)) {
        let term = term::run();
        passed += term.passed;
        failed += term.failed;
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// The tests in build/rootfs/tests, sorted by name.
fn discover(filter: Option<&str>) -> Res<Vec<Test>> {
    let dir = paths::rootfs().join("tests");
    let mut tests = Vec::new();
    for entry in
        fs::read_dir(&dir).ctx(|| format!("{} (run `xtask rootfs` first)", dir.display()))?
    {
        let path = entry.ctx(|| dir.display().to_string())?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let meta = fs::metadata(&path).ctx(|| path.display().to_string())?;
        if let Some(stem) = name.strip_suffix(".sh") {
            let out_name = format!("{stem}.out");
            let out = dir.join(&out_name);
            let expected = if out.is_file() {
                Some(fs::read(&out).ctx(|| out.display().to_string())?)
            } else {
                None
            };
            tests.push(Test {
                argv: vec!["/bin/sh".into(), format!("/tests/{name}")],
                kind: Kind::Script { out_name, expected },
                name,
            });
        } else if meta.is_file()
            && meta.permissions().mode() & 0o111 != 0
            && !name.ends_with(".out")
        {
            tests.push(Test {
                argv: vec![format!("/tests/{name}")],
                kind: Kind::Binary,
                name,
            });
        }
    }
    tests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tests)
}

fn run_one(test: &Test, linux: &Linux, timeout: Duration, again: Option<usize>) -> Res<Outcome> {
    let divergence = divergences::lookup(&test.name);
    let (rill, rill_out) = run_rill(test, timeout, qemu::harts()?)?;
    let linux_run = match divergence.map(|d| d.policy) {
        Some(Policy::RillStatusOnly) => None,
        None => {
            let args: Vec<&str> = test.argv[1..].iter().map(String::as_str).collect();
            let mut run = linux.run(&test.argv[0], &args, timeout)?;
            // qemu-riscv64 7.2 now and then hangs a child that a multithreaded guest forks
            // (test_rust_threads' Command step, under load); it is the reference, not the
            // kernel under test, so a hang of its own gets one more try. Rill gets none.
            if run.ended == Ended::TimedOut {
                eprintln!(
                    "{}: qemu-riscv64 timed out; running it once more",
                    test.name
                );
                run = linux.run(&test.argv[0], &args, timeout)?;
            }
            Some(run)
        }
    };

    let mut why = Vec::new();
    let mut details = String::new();
    why.extend(bad_exit("rill", rill.ended, rill.panicked, timeout));
    let mut rill_at_fault = !why.is_empty();
    if let Some(run) = &linux_run {
        why.extend(bad_exit("linux", run.ended, false, timeout));
    }
    match &test.kind {
        Kind::Script {
            out_name,
            expected: Some(expected),
        } => {
            if *expected != rill_out {
                why.push(format!("rill output differs from {out_name}"));
                rill_at_fault = true;
                details += &diff::unified(out_name, expected, "rill", &rill_out);
            }
            if let Some(run) = linux_run.as_ref().filter(|run| run.output != *expected) {
                why.push(format!("linux output differs from {out_name}"));
                details += &diff::unified(out_name, expected, "linux", &run.output);
            }
        }
        Kind::Script {
            out_name,
            expected: None,
        } => {
            why.push(format!("no {out_name}"));
            if let Some(run) = &linux_run {
                details += &diff::unified("linux", &run.output, "rill", &rill_out);
            }
        }
        Kind::Binary => {
            if let Some(run) = linux_run.as_ref().filter(|run| run.output != rill_out) {
                why.push("output differs".to_string());
                rill_at_fault = true;
                details += &diff::unified("linux", &run.output, "rill", &rill_out);
            }
        }
    }

    // The second Rill run, on `again` harts, against the same reference.
    let reference = match &test.kind {
        Kind::Script { expected, .. } => expected.as_deref(),
        Kind::Binary => linux_run.as_ref().map(|run| run.output.as_slice()),
    };
    let mut again_note = String::new();
    let mut again_console = String::new();
    if let Some(harts) = again {
        let side = format!("rill -smp {harts}");
        let (boot, out) = run_rill(test, timeout, harts)?;
        let mut bad: Vec<String> = bad_exit(&side, boot.ended, boot.panicked, timeout)
            .into_iter()
            .collect();
        if let Some(expected) = reference.filter(|r| *r != out) {
            bad.push(format!("{side} output differs"));
            details += &diff::unified("expected", expected, &side, &out);
        }
        if bad.is_empty() {
            again_note = format!(", {side} {:.1}s", boot.elapsed.as_secs_f64());
        } else {
            why.extend(bad);
            again_console = console_report(&boot);
        }
    }

    let mut report = String::new();
    if why.is_empty() {
        let linux_note = match (&linux_run, divergence) {
            (Some(run), _) => format!("linux {:.1}s", run.elapsed.as_secs_f64()),
            (None, Some(d)) => format!("linux skipped: {}", d.reason),
            (None, None) => unreachable!("the Linux side is skipped only for a divergence"),
        };
        let _ = writeln!(
            report,
            "PASS {} (rill {:.1}s{again_note}, {linux_note})",
            test.name,
            rill.elapsed.as_secs_f64()
        );
        return Ok(Outcome {
            passed: true,
            report,
        });
    }
    let _ = writeln!(report, "FAIL {}: {}", test.name, why.join("; "));
    report += &details;
    if rill_at_fault {
        report += &console_report(&rill);
    }
    report += &again_console;
    Ok(Outcome {
        passed: false,
        report,
    })
}

/// Why one side's ending fails the test, if it does.
fn bad_exit(side: &str, ended: Ended, panicked: bool, timeout: Duration) -> Option<String> {
    match ended {
        Ended::TimedOut => Some(format!(
            "{side} timed out after {} s",
            timeout.as_secs_f64()
        )),
        _ if panicked => Some(format!("{side} kernel panic")),
        Ended::Exited(0) => None,
        _ => Some(format!("{side} exit status {}", ended.code())),
    }
}

/// Boots Rill with `harts` harts on the test; returns the boot and the program's output.
fn run_rill(test: &Test, timeout: Duration, harts: usize) -> Res<(Boot, Vec<u8>)> {
    let argv: Vec<OsString> = test.argv.iter().map(OsString::from).collect();
    let mut cmd =
        qemu::command_with_harts(&paths::initramfs(), &qemu::init_bootargs(&argv), harts)?;
    cmd.stderr(Stdio::piped());
    let mut output = Vec::new();
    let boot = qemu::boot(
        &mut cmd,
        qemu::Input::Null,
        timeout,
        &mut |stream, bytes: &[u8]| {
            if stream == Stream::Stdout {
                output.extend_from_slice(bytes);
            }
        },
    )?;
    Ok((boot, output))
}

fn console_report(boot: &Boot) -> String {
    let mut out = String::from("--- rill console log ---\n");
    out += &String::from_utf8_lossy(qemu::log_from_kernel(&boot.raw));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if !boot.qemu_stderr.is_empty() {
        out += "--- qemu stderr ---\n";
        out += &String::from_utf8_lossy(&boot.qemu_stderr);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out += "--- end of console log ---\n";
    out
}
