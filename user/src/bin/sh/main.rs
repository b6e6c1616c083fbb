//! `sh`: a small POSIX-style shell, interactive and for scripts.
//!
//! Usage: `sh` (commands from standard input; interactive with a `$ ` prompt and
//! job control when standard input is a terminal), `sh -c COMMANDS [NAME [ARG...]]`
//! or `sh SCRIPT [ARG...]`.
//!
//! Supported: quoting ('...', "...", \), parameters ($NAME, ${NAME}, $?, $$, $!,
//! $#, $0-$9, $@, $*), comments, `;`, `&&`, `||`, `&`, pipelines, redirections
//! ([N]<, [N]>, [N]>>, [N]>&M, [N]<&M), NAME=value assignments, and the builtins
//! cd, pwd, exit, export, unset, jobs, fg, bg and wait. Everything else is a
//! program found through $PATH. Not supported: if/while/for, functions,
//! subshells, command substitution, pathname (*) expansion, here-documents.
//!
//! An interactive shell does job control: each job gets its own process group and
//! the terminal while in the foreground, ^Z stops it, `&` prints `[N] PID`, and
//! jobs that finished or stopped in the background are reported before the next
//! prompt. Like other POSIX shells, a non-interactive shell (a script, `-c`) does
//! none of this: its commands stay in its own process group, and a background
//! command reads /dev/null instead of the terminal.
//!
//! The code is split by stage: `lexer` and `parser` turn text into commands,
//! `expand` substitutes parameters, `exec` runs commands, `jobs` and `terminal`
//! do job control, `builtins` and `vars` hold the shell's own state.

mod builtins;
mod exec;
mod expand;
mod jobs;
mod lexer;
mod parser;
mod terminal;
mod vars;

use jobs::JobTable;
use parser::{Item, ParseError};
use std::ffi::CString;
use terminal::Terminal;
use vars::Vars;

/// Everything the shell remembers between commands.
pub struct Shell {
    vars: Vars,
    /// `$0`: "sh", the script's name, or the NAME given after `-c COMMANDS`.
    name: String,
    /// `$1`, `$2`...
    positional: Vec<String>,
    /// `$?`
    last_status: i32,
    /// `$$`
    pid: libc::pid_t,
    /// `$!`: the last process of the latest background job.
    last_background: Option<libc::pid_t>,
    jobs: JobTable,
    /// Reading commands from a terminal: show prompts and report job changes.
    interactive: bool,
    /// Set when the shell does job control (interactive, with a controlling tty).
    terminal: Option<Terminal>,
}

/// Where commands come from.
enum Input {
    /// Standard input, read one byte at a time (see `read_line`).
    Stdin,
    /// The text of `-c` or of a script file, split into lines.
    Text { lines: Vec<String>, next: usize },
}

fn main() {
    let args = rill_user::args();
    let (input, name, positional) = match args.split_first() {
        None => (Input::Stdin, "sh".to_string(), Vec::new()),
        Some((flag, rest)) if flag == "-c" => {
            let Some((commands, rest)) = rest.split_first() else {
                eprintln!("sh: -c: option requires an argument");
                std::process::exit(2);
            };
            let (name, positional) = match rest.split_first() {
                Some((name, positional)) => (name.clone(), positional.to_vec()),
                None => ("sh".to_string(), Vec::new()),
            };
            (Input::text(commands), name, positional)
        }
        Some((script, rest)) => match std::fs::read(script) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                (Input::text(&text), script.clone(), rest.to_vec())
            }
            Err(e) => {
                rill_user::report("sh", script, &e);
                std::process::exit(127);
            }
        },
    };
    // SAFETY: isatty only inspects the descriptor.
    let interactive = matches!(input, Input::Stdin) && unsafe { libc::isatty(0) } == 1;
    let mut shell = Shell {
        vars: Vars::from_environment(),
        name,
        positional,
        last_status: 0,
        // SAFETY: getpid cannot fail.
        pid: unsafe { libc::getpid() },
        last_background: None,
        jobs: JobTable::default(),
        interactive,
        terminal: if interactive { Terminal::init() } else { None },
    };
    run(&mut shell, input);
}

/// The read-parse-run loop. Returns only by exiting, at end of input with the
/// last command's status.
fn run(shell: &mut Shell, mut input: Input) -> ! {
    loop {
        if shell.interactive {
            shell.jobs.reap();
            shell.jobs.notify();
        }
        match read_items(&mut input, shell.interactive) {
            None => break,
            Some(Ok(items)) => {
                for item in &items {
                    exec::run_item(shell, item);
                }
            }
            Some(Err(msg)) => {
                eprintln!("sh: {msg}");
                shell.last_status = 2;
                // A script with a syntax error is not run any further.
                if !shell.interactive {
                    std::process::exit(2);
                }
            }
        }
    }
    if shell.interactive {
        // ^D leaves the cursor after the prompt.
        eprintln!();
    }
    std::process::exit(shell.last_status);
}

/// Reads lines until they form complete commands (a quote or a trailing `|`
/// continues on the next line) and parses them. None at end of input.
fn read_items(input: &mut Input, interactive: bool) -> Option<Result<Vec<Item>, String>> {
    let mut text = input.read_line(interactive.then_some("$ "))?;
    loop {
        match parser::parse(&text) {
            Ok(items) => return Some(Ok(items)),
            Err(ParseError::Unexpected(token)) => {
                return Some(Err(format!("syntax error near unexpected token '{token}'")))
            }
            Err(ParseError::Incomplete) => match input.read_line(interactive.then_some("> ")) {
                Some(more) => text.push_str(&more),
                None => return Some(Err("syntax error: unexpected end of file".to_string())),
            },
        }
    }
}

impl Input {
    fn text(text: &str) -> Input {
        Input::Text {
            lines: text.split_inclusive('\n').map(String::from).collect(),
            next: 0,
        }
    }

    /// The next line, with its newline; None at end of input. `prompt` is shown
    /// (on stderr, like other shells) before reading from a terminal.
    fn read_line(&mut self, prompt: Option<&str>) -> Option<String> {
        match self {
            Input::Text { lines, next } => {
                let line = lines.get(*next)?.clone();
                *next += 1;
                Some(line)
            }
            Input::Stdin => {
                if let Some(prompt) = prompt {
                    eprint!("{prompt}");
                }
                // One byte per read, so that we never consume input past the end
                // of this line: a command run from a script on standard input
                // (`sh < script`) may read the lines after it.
                let mut line = Vec::new();
                loop {
                    let mut byte = 0u8;
                    // SAFETY: reading one byte into a valid one-byte buffer.
                    let n = unsafe { libc::read(0, (&mut byte as *mut u8).cast(), 1) };
                    if n == 1 {
                        line.push(byte);
                        if byte == b'\n' {
                            break;
                        }
                    } else if n < 0
                        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
                    {
                        continue;
                    } else if line.is_empty() {
                        // End of input, or an error we treat the same way.
                        return None;
                    } else {
                        break;
                    }
                }
                Some(String::from_utf8_lossy(&line).into_owned())
            }
        }
    }
}

/// A C string for a system call. C strings cannot hold NUL bytes, so any are
/// dropped (they can only come from odd input).
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}
