//! `xtask ltp`: runs LTP tests on Rill, one boot each, and compares each result with Linux's.
//! The list of tests and Linux 6.1's result for each (from the same QEMU) is
//! xtask/ltp/tests.txt; why a result differs is xtask/ltp/notes.txt. Run over the whole
//! list, the command rewrites docs/LTP.md from those two files and the run.

use crate::console::Stream;
use crate::exec::{write_image, TempFile};
use crate::proc::Ended;
use crate::rootfs::Additions;
use crate::{paths, qemu, Context, Res};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Generous enough for msgstress01, LTP's slowest listed test (~150-180 s on Rill alone,
/// 212 s with two boots at once on a busy host).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(420);

/// Where LTP's tests expect to be: $LTPROOT/testcases/bin, which is on PATH (tests start
/// helpers by name).
const LTPROOT: &str = "/opt/ltp";

fn list_path() -> PathBuf {
    paths::root().join("xtask/ltp/tests.txt")
}
fn notes_path() -> PathBuf {
    paths::root().join("xtask/ltp/notes.txt")
}
fn doc_path() -> PathBuf {
    paths::root().join("docs/LTP.md")
}

/// How one test ended, in the words of tests.txt.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Pass,
    /// TCONF: the test found something it needs missing (exit status 32).
    Conf,
    /// TFAIL only (exit status 1).
    Fail,
    /// Any other exit status (LTP ORs 1 TFAIL, 2 TBROK and 4 TWARN).
    Broken(i32),
    Timeout,
    Panic,
    /// No binary of that name in the LTP directory.
    Missing,
}

impl Outcome {
    fn from_boot(ended: Ended, panicked: bool) -> Outcome {
        match ended {
            _ if panicked => Outcome::Panic,
            Ended::TimedOut => Outcome::Timeout,
            _ => match ended.code() {
                0 => Outcome::Pass,
                32 => Outcome::Conf,
                1 => Outcome::Fail,
                code => Outcome::Broken(code),
            },
        }
    }

    fn word(&self) -> String {
        match self {
            Outcome::Pass => "pass".into(),
            Outcome::Conf => "conf".into(),
            Outcome::Fail => "fail".into(),
            Outcome::Broken(code) => format!("broken({code})"),
            Outcome::Timeout => "timeout".into(),
            Outcome::Panic => "panic".into(),
            Outcome::Missing => "missing".into(),
        }
    }

    /// The summary's category.
    fn kind(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Conf => "conf",
            Outcome::Fail => "fail",
            Outcome::Broken(_) => "broken",
            Outcome::Timeout => "timeout",
            Outcome::Panic => "panic",
            Outcome::Missing => "missing",
        }
    }
}

/// One listed test and Linux's result for it.
#[derive(Debug, PartialEq)]
struct Listed {
    name: String,
    linux: String,
}

struct Options {
    timeout: Duration,
    jobs: usize,
    dir: PathBuf,
    filters: Vec<String>,
}

fn parse(args: Vec<OsString>) -> Res<Options> {
    let mut timeout = DEFAULT_TIMEOUT;
    let mut jobs = 1;
    let mut rest = Vec::new();
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--timeout" => {
                timeout = crate::parse_seconds(&args.next().ok_or("--timeout needs seconds")?)?
            }
            "-j" => {
                let n = args.next().ok_or("-j needs a number")?;
                jobs = n
                    .parse()
                    .ok()
                    .filter(|&j| j > 0)
                    .ok_or_else(|| format!("-j {n:?}: not a positive number"))?;
            }
            s if s.starts_with("--timeout=") => {
                timeout = crate::parse_seconds(&s["--timeout=".len()..])?
            }
            s if s.starts_with('-') => return Err(format!("unknown ltp option {s:?}")),
            _ => rest.push(arg),
        }
    }
    let mut rest = rest.into_iter();
    let dir = rest
        .next()
        .ok_or("ltp needs the directory of LTP's binaries")?
        .into();
    Ok(Options {
        timeout,
        jobs,
        dir,
        filters: rest.collect(),
    })
}

/// Lines of "NAME WORDS...", '#' starting a comment line; returns (NAME, WORDS).
fn parse_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, rest)) => (name.to_string(), rest.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn read_list() -> Res<Vec<Listed>> {
    let path = list_path();
    let text = fs::read_to_string(&path).ctx(|| path.display().to_string())?;
    parse_lines(&text)
        .into_iter()
        .map(|(name, linux)| {
            if linux.is_empty() {
                Err(format!("{}: {name} has no Linux result", path.display()))
            } else {
                Ok(Listed { name, linux })
            }
        })
        .collect()
}

fn read_notes() -> Res<BTreeMap<String, String>> {
    let path = notes_path();
    let text = fs::read_to_string(&path).ctx(|| path.display().to_string())?;
    Ok(parse_lines(&text).into_iter().collect())
}

pub fn main(args: Vec<OsString>) -> Res<i32> {
    let opts = parse(args)?;
    if !opts.dir.is_dir() {
        return Err(format!("{}: not a directory", opts.dir.display()));
    }
    qemu::check_inputs(&paths::initramfs())?;
    let list = read_list()?;
    let tests: Vec<&Listed> = list
        .iter()
        .filter(|t| opts.filters.is_empty() || opts.filters.iter().any(|f| t.name.contains(f)))
        .collect();
    if tests.is_empty() {
        return Err("no listed test matches".into());
    }
    let logs = paths::build().join("ltp");
    fs::create_dir_all(&logs).ctx(|| logs.display().to_string())?;

    let results = run_all(&tests, &opts, &logs);
    let table = table(&tests, &results);
    let summary = summary(&tests, &results);
    print!("{table}");
    println!("{summary}");
    eprintln!("ltp: console logs in {}", logs.display());
    if opts.filters.is_empty() {
        // Read now: notes may be written while a long run goes on.
        let notes = read_notes()?;
        let page = page(&tests, &results, &notes, &table, &summary);
        fs::write(doc_path(), page).ctx(|| doc_path().display().to_string())?;
        eprintln!("ltp: wrote {}", doc_path().display());
    }
    let same = tests.iter().zip(&results).all(|(t, r)| r.word() == t.linux);
    Ok(if same { 0 } else { 1 })
}

/// Runs the tests `opts.jobs` at a time; the results are in the order of `tests`.
fn run_all(tests: &[&Listed], opts: &Options, logs: &Path) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut results = vec![Outcome::Missing; tests.len()];
    thread::scope(|scope| {
        for _ in 0..opts.jobs.min(tests.len()) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(test) = tests.get(i) else { break };
                let result = run_one(&test.name, opts, logs);
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (done, (i, result)) in rx.into_iter().enumerate() {
            let (outcome, note) = match result {
                Ok((outcome, secs)) => (outcome, format!("{secs:.0} s")),
                Err(e) => (Outcome::Broken(-1), format!("xtask: {e}")),
            };
            eprintln!(
                "[{}/{}] {}: {} (linux {}; {note})",
                done + 1,
                tests.len(),
                tests[i].name,
                outcome.word(),
                tests[i].linux
            );
            results[i] = outcome;
        }
    });
    results
}

/// Boots Rill on one test; the console log goes to `logs`/NAME.log.
fn run_one(name: &str, opts: &Options, logs: &Path) -> Res<(Outcome, f64)> {
    let binary = opts.dir.join(name);
    if !binary.is_file() {
        return Ok((Outcome::Missing, 0.0));
    }
    let guest = format!("{LTPROOT}/testcases/bin/{name}");
    let add = Additions {
        trees: Vec::new(),
        files: vec![(guest[1..].to_string(), binary)],
    };
    let image = TempFile(logs.join(format!("{name}.cpio")));
    write_image(&add, &image.0)?;
    // LTP's environment: its temporary directories under /tmp, its root, and its
    // binaries on PATH.
    let argv: Vec<OsString> = [
        "/bin/env".to_string(),
        "TMPDIR=/tmp".into(),
        format!("LTPROOT={LTPROOT}"),
        format!("PATH={LTPROOT}/testcases/bin:/bin"),
        guest,
    ]
    .into_iter()
    .map(OsString::from)
    .collect();
    let mut cmd = qemu::command(&image.0, &qemu::init_bootargs(&argv))?;
    cmd.stderr(Stdio::piped());
    let boot = qemu::boot(
        &mut cmd,
        qemu::Input::Null,
        opts.timeout,
        &mut |_: Stream, _: &[u8]| {},
    )?;
    let log = logs.join(format!("{name}.log"));
    fs::write(&log, qemu::log_from_kernel(&boot.raw)).ctx(|| log.display().to_string())?;
    Ok((
        Outcome::from_boot(boot.ended, boot.panicked),
        boot.elapsed.as_secs_f64(),
    ))
}

fn table(tests: &[&Listed], results: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| test | Rill | Linux 6.1 |");
    let _ = writeln!(out, "|---|---|---|");
    for (t, r) in tests.iter().zip(results) {
        let mark = if r.word() == t.linux { "" } else { " *" };
        let _ = writeln!(out, "| {} | {}{mark} | {} |", t.name, r.word(), t.linux);
    }
    out
}

fn summary(tests: &[&Listed], results: &[Outcome]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results {
        *counts.entry(r.kind()).or_default() += 1;
    }
    let order = [
        "pass", "conf", "fail", "broken", "timeout", "panic", "missing",
    ];
    let counted: Vec<String> = order
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
        .collect();
    let same = tests
        .iter()
        .zip(results)
        .filter(|(t, r)| r.word() == t.linux)
        .count();
    format!(
        "{} tests on Rill: {}; {same} of {} end as on Linux.",
        tests.len(),
        counted.join(", "),
        tests.len()
    )
}

fn page(
    tests: &[&Listed],
    results: &[Outcome],
    notes: &BTreeMap<String, String>,
    table: &str,
    summary: &str,
) -> String {
    let mut out = String::from(
        "# LTP on Rill\n\n\
         This page is written by `make ltp LTP=<dir of LTP binaries>` (`xtask ltp`, \
         xtask/src/ltp.rs); edit `xtask/ltp/tests.txt` (the tests and Linux 6.1's result for \
         each, in the same QEMU) or `xtask/ltp/notes.txt` (why a result differs) instead. \
         Each test boots Rill once, as `/opt/ltp/testcases/bin/NAME` with `TMPDIR=/tmp`, \
         `LTPROOT=/opt/ltp` and that directory on `PATH`, in the image of `make exec` \
         (`/etc/passwd` and `/etc/group` with root and nobody, `/dev/shm`, \
         `/boot/config-6.1.0-rill`). A result is the test's exit status: `pass` (0), `conf` \
         (32, TCONF), `fail` (1, TFAIL), `broken(N)` (any other; LTP ORs 1 TFAIL, 2 TBROK, \
         4 TWARN), or `timeout`, `panic` (the kernel's) and `missing` (no such binary). \
         `*` marks a result that differs from Linux's.\n\n",
    );
    let _ = writeln!(out, "{summary}\n");
    out += table;
    out += "\n## Differences\n\n";
    let mut any = false;
    for (t, r) in tests.iter().zip(results) {
        if r.word() == t.linux {
            continue;
        }
        any = true;
        let note = notes
            .get(&t.name)
            .map(String::as_str)
            .unwrap_or("not explained yet.");
        let _ = writeln!(
            out,
            "- **{}** (Rill {}, Linux {}): {note}",
            t.name,
            r.word(),
            t.linux
        );
    }
    if !any {
        out += "None: every test ends as on Linux.\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_tests_txt_words() {
        assert_eq!(Outcome::from_boot(Ended::Exited(0), false).word(), "pass");
        assert_eq!(Outcome::from_boot(Ended::Exited(32), false).word(), "conf");
        assert_eq!(Outcome::from_boot(Ended::Exited(1), false).word(), "fail");
        assert_eq!(
            Outcome::from_boot(Ended::Exited(2), false).word(),
            "broken(2)"
        );
        assert_eq!(Outcome::from_boot(Ended::Exited(0), true), Outcome::Panic);
        assert_eq!(Outcome::from_boot(Ended::TimedOut, false), Outcome::Timeout);
    }

    /// The list in the repository parses, names each test once, and holds only results
    /// the runner can produce.
    #[test]
    fn the_list_is_well_formed() {
        let list = read_list().unwrap();
        assert!(list.len() >= 150);
        let mut names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), list.len());
        for t in &list {
            let ok = ["pass", "conf", "fail"].contains(&t.linux.as_str())
                || t.linux.starts_with("broken(");
            assert!(ok, "{}: {}", t.name, t.linux);
        }
        for name in read_notes().unwrap().keys() {
            assert!(names.contains(&name.as_str()), "note for unlisted {name}");
        }
    }

    #[test]
    fn summary_counts_and_compares() {
        let a = Listed {
            name: "a".into(),
            linux: "pass".into(),
        };
        let b = Listed {
            name: "b".into(),
            linux: "broken(2)".into(),
        };
        let results = [Outcome::Pass, Outcome::Timeout];
        assert_eq!(
            summary(&[&a, &b], &results),
            "2 tests on Rill: 1 pass, 1 timeout; 1 of 2 end as on Linux."
        );
        let t = table(&[&a, &b], &results);
        assert!(t.contains("| a | pass | pass |\n| b | timeout * | broken(2) |\n"));
    }

    #[test]
    fn options_parse() {
        let o = parse(
            ["-j", "2", "dir", "mknod", "--timeout", "9"]
                .map(OsString::from)
                .to_vec(),
        )
        .unwrap();
        assert_eq!((o.jobs, o.timeout), (2, Duration::from_secs(9)));
        assert_eq!(o.dir, PathBuf::from("dir"));
        assert_eq!(o.filters, ["mknod"]);
        assert!(parse(vec![]).is_err());
        assert!(parse(["-j", "0", "d"].map(OsString::from).to_vec()).is_err());
    }
}
