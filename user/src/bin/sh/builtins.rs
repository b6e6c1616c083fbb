//! Builtin commands: the ones that act on the shell itself (its directory,
//! variables, options, control flow) and so cannot be separate programs, plus
//! `echo`, `true` and `false`, which are builtins for speed. The job, signal
//! and limit builtins are in `builtins_process`, `test` in `test`.

use crate::parser::{is_name, is_reserved};
use crate::{builtins_process, process, test, Flow, Shell};
use std::io::{self, Write};

/// The special builtins of POSIX: their assignments stay, their errors end a
/// script.
pub fn is_special(name: &str) -> bool {
    matches!(
        name,
        ":" | "."
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "trap"
            | "unset"
    )
}

pub fn is_builtin(name: &str) -> bool {
    is_special(name)
        || matches!(
            name,
            "cd" | "pwd"
                | "echo"
                | "true"
                | "false"
                | "test"
                | "["
                | "read"
                | "wait"
                | "jobs"
                | "fg"
                | "bg"
                | "kill"
                | "umask"
                | "ulimit"
                | "command"
                | "local"
                | "type"
        )
}

/// Runs builtin `argv[0]` and returns its exit status.
pub fn run(shell: &mut Shell, argv: &[String]) -> i32 {
    let args = &argv[1..];
    let status = match argv[0].as_str() {
        ":" | "true" => 0,
        "false" => 1,
        "echo" => echo(args),
        "cd" => cd(shell, args),
        "pwd" => pwd(),
        "exit" => exit(shell, args),
        "export" => mark(shell, args, false),
        "readonly" => mark(shell, args, true),
        "unset" => unset(shell, args),
        "set" => set(shell, args),
        "shift" => shift(shell, args),
        "break" | "continue" => loop_flow(shell, &argv[0], args),
        "return" => {
            let n = match args.first() {
                Some(a) => a.parse().unwrap_or(2),
                None => shell.last_status_before,
            };
            shell.flow = Some(Flow::Return(n & 0xff));
            n & 0xff
        }
        "eval" => {
            let text = args.join(" ");
            let line = shell.line;
            crate::run_text(shell, &text, line)
        }
        "." => dot(shell, args),
        "exec" => match args.first() {
            None => 0,
            Some(_) => process::exec_external(shell, args, &[]),
        },
        "local" => local(shell, args),
        "command" => command(shell, args),
        "type" => args
            .iter()
            .fold(0, |st, a| st.max(describe(shell, a, true))),
        "test" => test::run(shell, args, false),
        "[" => test::run(shell, args, true),
        other => builtins_process::run(shell, other, args),
    };
    let _ = io::stdout().flush();
    status
}

/// `echo [-n] [-e] [ARG...]`, as /bin/echo does it. Written with write(2)
/// directly: Rust's stdout quietly drops output to a closed descriptor, and a
/// failed write must give status 1.
fn echo(args: &[String]) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut first = 0;
    for arg in args {
        let letters = arg.strip_prefix('-').unwrap_or("");
        if letters.is_empty() || !letters.chars().all(|c| "neE".contains(c)) {
            break;
        }
        for c in letters.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        first += 1;
    }
    let mut out = Vec::new();
    for (i, arg) in args[first..].iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if escapes {
            if builtins_process::unescape(arg, &mut out) {
                newline = false;
                break;
            }
        } else {
            out.extend_from_slice(arg.as_bytes());
        }
    }
    if newline {
        out.push(b'\n');
    }
    let _ = io::stdout().flush();
    let mut done = 0;
    while done < out.len() {
        let rest = &out[done..];
        // SAFETY: writing from a valid buffer of the given length.
        let n = unsafe { libc::write(1, rest.as_ptr().cast(), rest.len()) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            return 1;
        }
        done += n as usize;
    }
    0
}

/// `cd [DIR]`: change directory, to $HOME without an argument; updates $PWD.
fn cd(shell: &mut Shell, args: &[String]) -> i32 {
    let dir = match args.first() {
        Some(dir) if dir == "-" => shell.vars.get("OLDPWD").unwrap_or(".").to_string(),
        Some(dir) => dir.clone(),
        None => match shell.vars.get("HOME") {
            Some(home) => home.to_string(),
            None => {
                shell.error("cd: HOME not set");
                return 1;
            }
        },
    };
    let old = std::env::current_dir().ok();
    if let Err(e) = std::env::set_current_dir(&dir) {
        shell.error(&format!("cd: {dir}: {}", rill_user::strerror(&e)));
        return 1;
    }
    if let Some(old) = old {
        shell.vars.set("OLDPWD", &old.to_string_lossy());
    }
    if let Ok(cwd) = std::env::current_dir() {
        shell.vars.set("PWD", &cwd.to_string_lossy());
    }
    0
}

fn pwd() -> i32 {
    match std::env::current_dir() {
        Ok(cwd) => {
            let _ = writeln!(io::stdout(), "{}", cwd.display());
            0
        }
        Err(e) => {
            rill_user::report("sh", "pwd", &e);
            1
        }
    }
}

/// `exit [N]`: leave the shell with status N (default: the last status).
fn exit(shell: &mut Shell, args: &[String]) -> i32 {
    let status = match args.first() {
        None => shell.last_status_before,
        Some(arg) => match arg.parse::<i64>() {
            Ok(n) => (n & 0xff) as i32,
            Err(_) => {
                shell.error(&format!("exit: {arg}: numeric argument required"));
                2
            }
        },
    };
    let _ = io::stdout().flush();
    shell.exit(status)
}

/// `export`/`readonly NAME[=value]...`, or alone (or with -p) to list them.
fn mark(shell: &mut Shell, args: &[String], readonly: bool) -> i32 {
    let word = if readonly { "readonly" } else { "export" };
    let args: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
    if args.is_empty() {
        let mut out = io::stdout().lock();
        for (name, value) in shell.vars.marked(readonly) {
            let _ = match value {
                Some(v) => writeln!(out, "{word} {name}={}", quote(v)),
                None => writeln!(out, "{word} {name}"),
            };
        }
        return 0;
    }
    let mut status = 0;
    for arg in args {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        let result = if !is_name(name) {
            Err(format!("{word}: '{arg}': not a valid identifier"))
        } else if readonly {
            shell.vars.make_readonly(name, value)
        } else {
            shell.vars.export(name, value)
        };
        if let Err(msg) = result {
            shell.error(&msg);
            status = 1;
        }
    }
    status
}

/// A usage error in a special builtin ends a non-interactive shell (POSIX);
/// status 2.
fn special_error(shell: &mut Shell) -> i32 {
    if !shell.interactive {
        shell.exit(2);
    }
    2
}

/// A value quoted for the shell to read back: `'it'\''s'`.
pub fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

fn unset(shell: &mut Shell, args: &[String]) -> i32 {
    let functions = args.first().is_some_and(|a| a == "-f");
    let mut status = 0;
    for name in args.iter().filter(|a| !a.starts_with('-')) {
        if functions {
            shell.functions.remove(name);
        } else if let Err(msg) = shell.vars.unset(name) {
            shell.error(&format!("unset: {msg}"));
            status = 1;
        }
    }
    status
}

/// `set [-eufx] [+eufx] [-o name] [--] [ARG...]`; alone, lists the variables.
fn set(shell: &mut Shell, args: &[String]) -> i32 {
    if args.is_empty() {
        let mut out = io::stdout().lock();
        for (name, value) in shell.vars.all() {
            let _ = writeln!(out, "{name}={}", quote(value));
        }
        return 0;
    }
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "--" || arg == "-" {
            i += 1;
            shell.positional = args[i..].to_vec();
            return 0;
        }
        let on = arg.starts_with('-');
        if !(on || arg.starts_with('+')) || arg.len() < 2 {
            break;
        }
        if &arg[1..] == "o" {
            let long = args.get(i + 1).map(String::as_str).unwrap_or("");
            let letter = match long {
                "errexit" => 'e',
                "nounset" => 'u',
                "xtrace" => 'x',
                "noglob" => 'f',
                _ => {
                    shell.error(&format!("set: {long}: invalid option name"));
                    return special_error(shell);
                }
            };
            shell.options.set(letter, on);
            i += 2;
            continue;
        }
        for c in arg[1..].chars() {
            if !shell.options.set(c, on) {
                shell.error(&format!("set: -{c}: invalid option"));
                return special_error(shell);
            }
        }
        i += 1;
    }
    if i < args.len() {
        shell.positional = args[i..].to_vec();
    }
    0
}

fn shift(shell: &mut Shell, args: &[String]) -> i32 {
    let n = match args.first().map(|a| a.parse::<usize>()) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            shell.error(&format!("shift: {}: numeric argument required", args[0]));
            return special_error(shell);
        }
    };
    if n > shell.positional.len() {
        shell.error("shift: can't shift that many");
        return special_error(shell);
    }
    shell.positional.drain(..n);
    0
}

fn loop_flow(shell: &mut Shell, which: &str, args: &[String]) -> i32 {
    let n = match args.first().map(|a| a.parse::<usize>()) {
        None => 1,
        Some(Ok(n)) if n > 0 => n,
        _ => {
            shell.error(&format!("{which}: bad loop count"));
            return 1;
        }
    };
    if shell.loops == 0 {
        return 0;
    }
    let n = n.min(shell.loops);
    shell.flow = Some(if which == "break" {
        Flow::Break(n)
    } else {
        Flow::Continue(n)
    });
    0
}

/// `. FILE [ARG...]`: runs FILE's commands in this shell.
fn dot(shell: &mut Shell, args: &[String]) -> i32 {
    let Some(file) = args.first() else {
        shell.error(".: filename argument required");
        return 2;
    };
    let path = if file.contains('/') {
        Some(file.clone())
    } else {
        let dirs = shell.vars.get("PATH").unwrap_or("/bin").to_string();
        dirs.split(':')
            .map(|d| format!("{}/{file}", if d.is_empty() { "." } else { d }))
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
    };
    let text = match path.map(std::fs::read) {
        Some(Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => {
            shell.error(&format!(".: {file}: not found"));
            if !shell.interactive {
                shell.exit(2);
            }
            return 2;
        }
    };
    let outer =
        (args.len() > 1).then(|| std::mem::replace(&mut shell.positional, args[1..].to_vec()));
    shell.last_status = 0;
    let status = crate::run_text(shell, &text, 1);
    if let Some(outer) = outer {
        shell.positional = outer;
    }
    status
}

/// `local NAME[=value]...`: variables that go back to their old values when
/// the function returns.
fn local(shell: &mut Shell, args: &[String]) -> i32 {
    if shell.locals.is_empty() {
        shell.error("local: not in a function");
        return 1;
    }
    for arg in args {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (arg.as_str(), None),
        };
        if let Some(saved) = shell.locals.last_mut() {
            shell.vars.save(name, saved);
        }
        if let Some(v) = value {
            shell.vars.set(name, v);
        }
    }
    0
}

/// `command -v NAME` says what NAME is; `command NAME ARG...` runs it,
/// skipping functions.
fn command(shell: &mut Shell, args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("-v") => args[1..]
            .iter()
            .fold(0, |st, a| st.max(describe(shell, a, false))),
        Some("-V") => args[1..]
            .iter()
            .fold(0, |st, a| st.max(describe(shell, a, true))),
        None => 0,
        Some(_) => {
            if is_builtin(&args[0]) {
                return run(shell, args);
            }
            let argv = args.to_vec();
            let text = argv.join(" ");
            process::subshell(shell, &text, |sh| process::exec_external(sh, &argv, &[]))
        }
    }
}

/// What `name` is, for `command -v` (short) and `type` (verbose).
fn describe(shell: &Shell, name: &str, verbose: bool) -> i32 {
    let mut out = io::stdout().lock();
    let line = if is_reserved(name) {
        if verbose {
            format!("{name} is a shell keyword")
        } else {
            name.to_string()
        }
    } else if shell.functions.contains_key(name) {
        if verbose {
            format!("{name} is a shell function")
        } else {
            name.to_string()
        }
    } else if is_builtin(name) {
        if verbose {
            format!("{name} is a shell builtin")
        } else {
            name.to_string()
        }
    } else if let Some(path) = process::find_in_path(shell, name) {
        if verbose {
            format!("{name} is {path}")
        } else {
            path
        }
    } else {
        if verbose {
            let _ = writeln!(out, "{name}: not found");
        }
        return 127;
    };
    let _ = writeln!(out, "{line}");
    0
}
