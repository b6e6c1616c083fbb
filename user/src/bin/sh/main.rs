//! `sh`: Rill's POSIX shell, interactive and for scripts.
//!
//! Usage: `sh` (commands from standard input; interactive with a `$ ` prompt and
//! job control when standard input is a terminal), `sh -c COMMANDS [NAME [ARG...]]`
//! or `sh SCRIPT [ARG...]`; `-e`, `-u`, `-x` and `-f` may come first.
//!
//! It runs the POSIX shell language: lists, `&&`/`||`/`!`, pipelines, `{ }`,
//! `( )`, `if`, `while`, `until`, `for`, `case`, functions, redirections with
//! descriptor numbers and here-documents, and the full word expansion (see
//! `expand`). docs/shell.md says why Rill keeps its own shell.
//!
//! An interactive shell does job control: each job gets its own process group and
//! the terminal while in the foreground, ^Z stops it, `&` prints `[N] PID`, and
//! jobs that finished or stopped in the background are reported before the next
//! prompt. Like other POSIX shells, a non-interactive shell (a script, `-c`) does
//! none of this: its commands stay in its own process group, and a background
//! command reads /dev/null instead of the terminal.
//!
//! The code is split by stage: `lexer` and `parser` build the tree of `ast`;
//! `expand` (with `param`, `arith`, `pattern`) does word expansion; `exec`,
//! `redirect` and `process` run commands; `jobs` and `terminal` do job control;
//! `builtins` (with `builtins_process`, `test`, `trap`) and `vars` hold the shell's
//! own commands and state.

mod arith;
mod ast;
mod builtins;
mod builtins_process;
mod exec;
mod expand;
mod jobs;
mod lexer;
mod param;
mod parser;
mod pattern;
mod process;
mod redirect;
mod terminal;
mod test;
mod trap;
mod vars;

use ast::Command;
use jobs::JobTable;
use parser::{ParseError, Parser};
use std::collections::HashMap;
use std::ffi::CString;
use std::io::Write;
use std::rc::Rc;
use terminal::Terminal;
use trap::Traps;
use vars::{Replaced, Vars};

/// `set` options.
#[derive(Default, Clone, Copy)]
pub struct Options {
    /// -e: exit when a command fails outside a condition.
    pub errexit: bool,
    /// -u: expanding an unset parameter is an error.
    pub nounset: bool,
    /// -x: show each command before running it.
    pub xtrace: bool,
    /// -f: no pathname expansion.
    pub noglob: bool,
}

impl Options {
    /// `$-`.
    pub fn letters(&self) -> String {
        [
            (self.errexit, 'e'),
            (self.noglob, 'f'),
            (self.nounset, 'u'),
            (self.xtrace, 'x'),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .collect()
    }

    /// Sets or clears option letter `c`; false if there is no such option.
    pub fn set(&mut self, c: char, on: bool) -> bool {
        match c {
            'e' => self.errexit = on,
            'u' => self.nounset = on,
            'x' => self.xtrace = on,
            'f' => self.noglob = on,
            _ => return false,
        }
        true
    }
}

/// A `break`, `continue` or `return` on its way out of loops or a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Break(usize),
    Continue(usize),
    Return(i32),
}

/// Everything the shell remembers between commands.
pub struct Shell {
    vars: Vars,
    /// `$0`: "sh", the script's name, or the NAME given after `-c COMMANDS`.
    name: String,
    /// `$1`, `$2`...
    positional: Vec<String>,
    /// `$?`
    last_status: i32,
    /// `$?` when the current simple command started.
    last_status_before: i32,
    /// `$$`
    pid: libc::pid_t,
    /// `$!`: the last process of the latest background job.
    last_background: Option<libc::pid_t>,
    jobs: JobTable,
    /// Reading commands from a terminal: show prompts and report job changes.
    interactive: bool,
    /// Set when the shell does job control (interactive, with a controlling tty).
    terminal: Option<Terminal>,
    /// Error messages carry line numbers: set for scripts, not at the prompt
    /// (and unchanged in subshells, which stop being interactive).
    line_numbers: bool,
    options: Options,
    functions: HashMap<String, Rc<Command>>,
    traps: Traps,
    flow: Option<Flow>,
    /// How many loops are running (for `break` and `continue`).
    loops: usize,
    functions_running: usize,
    /// Saved variables of `local`, one entry per running function.
    locals: Vec<Replaced>,
    /// Above 0 while running a condition, where `set -e` does not apply.
    condition: usize,
    /// The line of the command running, for error messages.
    line: usize,
    /// The text of the list item running (the job's name).
    current_text: String,
}

fn main() {
    let mut args = rill_user::args();
    let mut options = Options::default();
    while let Some(flag) = args
        .first()
        .filter(|a| a.len() > 1 && a.starts_with(['-', '+']))
    {
        if flag == "-c" || flag == "--" {
            break;
        }
        let on = flag.starts_with('-');
        if !flag[1..].chars().all(|c| options.set(c, on)) {
            eprintln!("sh: {flag}: invalid option");
            std::process::exit(2);
        }
        args.remove(0);
    }
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    let (text, name, positional) = match args.split_first() {
        None => (None, "sh".to_string(), Vec::new()),
        Some((flag, rest)) if flag == "-c" => {
            let Some((commands, rest)) = rest.split_first() else {
                eprintln!("sh: -c: option requires an argument");
                std::process::exit(2);
            };
            let (name, positional) = match rest.split_first() {
                Some((name, positional)) => (name.clone(), positional.to_vec()),
                None => ("sh".to_string(), Vec::new()),
            };
            (Some(commands.clone()), name, positional)
        }
        Some((script, rest)) => match std::fs::read(script) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (Some(text), script.clone(), rest.to_vec())
            }
            Err(e) => {
                rill_user::report("sh", script, &e);
                std::process::exit(127);
            }
        },
    };
    // SAFETY: isatty only inspects the descriptor.
    let interactive = text.is_none() && unsafe { libc::isatty(0) } == 1;
    let mut vars = Vars::from_environment();
    // SAFETY: getppid cannot fail.
    vars.set("PPID", &unsafe { libc::getppid() }.to_string());
    let mut shell = Shell {
        vars,
        name,
        positional,
        last_status: 0,
        last_status_before: 0,
        // SAFETY: getpid cannot fail.
        pid: unsafe { libc::getpid() },
        last_background: None,
        jobs: JobTable::default(),
        interactive,
        terminal: if interactive { Terminal::init() } else { None },
        line_numbers: !interactive,
        options,
        functions: HashMap::new(),
        traps: Traps::default(),
        flow: None,
        loops: 0,
        functions_running: 0,
        locals: Vec::new(),
        condition: 0,
        line: 1,
        current_text: String::new(),
    };
    let status = match text {
        Some(text) => run_text(&mut shell, &text, 1),
        None => run_stdin(&mut shell),
    };
    shell.exit(status);
}

/// Runs the text of a `$( )` in its own process: a single complete command
/// goes through `run_list_in_child`.
pub fn run_text_in_child(shell: &mut Shell, text: &str, line: usize) -> i32 {
    let mut parser = Parser::new(text, 0, line, false);
    if let Ok(Some(list)) = parser.complete_command() {
        if matches!(parser.complete_command(), Ok(None)) {
            return exec::run_list_in_child(shell, &list);
        }
    }
    run_text(shell, text, line)
}

/// Parses and runs `text` one complete command at a time (so a syntax error
/// late in a script stops it only when reached). Returns the last status.
pub fn run_text(shell: &mut Shell, text: &str, line: usize) -> i32 {
    let (mut pos, mut line) = (0, line);
    loop {
        let mut parser = Parser::new(text, pos, line, false);
        match parser.complete_command() {
            Ok(Some(list)) => {
                pos = parser.position();
                line = parser.line();
                exec::run_list(shell, &list);
                if shell.flow.is_some() && shell.functions_running == 0 && shell.loops == 0 {
                    // `return` in a script run by `.` ends the script.
                    if let Some(Flow::Return(n)) = shell.flow {
                        shell.last_status = n;
                    }
                    shell.flow = None;
                    break;
                }
                if shell.flow.is_some() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                let msg = match e {
                    ParseError::Syntax(msg) => msg,
                    ParseError::Incomplete => "syntax error: unexpected end of file".into(),
                };
                shell.line = parser.line();
                shell.error(&msg);
                shell.last_status = 2;
                if !shell.interactive {
                    shell.exit(2);
                }
                return 2;
            }
        }
    }
    shell.last_status
}

/// Reads commands from standard input, a line at a time, prompting when
/// interactive. A command left incomplete at the end of a line (open quote,
/// `if` without `fi`, here-document) continues on the next with a `> ` prompt.
fn run_stdin(shell: &mut Shell) -> i32 {
    let mut line_no = 1;
    loop {
        if shell.interactive {
            shell.jobs.reap();
            shell.jobs.notify();
        }
        let Some(mut buf) = read_line(shell.interactive.then_some("$ ")) else {
            break;
        };
        let mut eof = false;
        let (list, lines) = loop {
            let mut parser = Parser::new(&buf, 0, line_no, !eof);
            match parser.complete_command() {
                Ok(list) => break (Ok(list), parser.line() - line_no),
                Err(ParseError::Incomplete) if !eof => {
                    match read_line(shell.interactive.then_some("> ")) {
                        Some(more) => buf.push_str(&more),
                        None => eof = true,
                    }
                }
                Err(e) => break (Err(e), parser.line() - line_no),
            }
        };
        line_no += lines.max(1);
        match list {
            Ok(Some(list)) => {
                exec::run_list(shell, &list);
                shell.flow = None;
            }
            Ok(None) => {}
            Err(e) => {
                let msg = match e {
                    ParseError::Syntax(msg) => msg,
                    ParseError::Incomplete => "syntax error: unexpected end of file".into(),
                };
                shell.error(&msg);
                shell.last_status = 2;
                if !shell.interactive {
                    shell.exit(2);
                }
            }
        }
        if eof {
            break;
        }
    }
    if shell.interactive {
        // ^D leaves the cursor after the prompt.
        eprintln!();
    }
    shell.last_status
}

/// The next line of standard input, with its newline; None at end of input.
/// `prompt` is shown (on stderr, like other shells) before reading. One byte
/// per read, so that we never consume input past the end of this line: a
/// command run from a script on standard input (`sh < script`) may read the
/// lines after it.
fn read_line(prompt: Option<&str>) -> Option<String> {
    if let Some(prompt) = prompt {
        eprint!("{prompt}");
    }
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
        } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        } else if line.is_empty() {
            return None;
        } else {
            break;
        }
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

impl Shell {
    /// Prints an error as `sh: line N: message` (without the line number when
    /// interactive, where it means nothing).
    pub fn error(&self, msg: &str) {
        let _ = std::io::stdout().flush();
        if self.line_numbers {
            eprintln!("sh: line {}: {msg}", self.line);
        } else {
            eprintln!("sh: {msg}");
        }
    }

    /// Leaves the shell: runs the EXIT trap once, flushes, exits.
    pub fn exit(&mut self, status: i32) -> ! {
        if let Some(action) = self.traps.take_exit() {
            self.last_status = status;
            self.flow = None;
            run_text(self, &action, self.line);
        }
        let _ = std::io::stdout().flush();
        std::process::exit(status);
    }

    /// Becomes a subshell after a fork: no job control, no jobs, and traps
    /// with commands go back to their defaults.
    pub fn enter_subshell(&mut self) {
        self.terminal = None;
        self.interactive = false;
        self.jobs = JobTable::default();
        self.traps.reset_for_subshell();
    }

    /// Runs the actions of trapped signals that have arrived.
    pub fn run_traps(&mut self) {
        for action in self.traps.take_pending() {
            let status = self.last_status;
            let flow = self.flow.take();
            run_text(self, &action, self.line);
            self.last_status = status;
            self.flow = flow;
        }
    }

    /// After a loop body: handles `break N` and `continue N`. Returns true if
    /// the loop must stop.
    pub fn loop_control(&mut self) -> bool {
        match self.flow {
            Some(Flow::Break(n)) => {
                self.flow = (n > 1).then(|| Flow::Break(n - 1));
                true
            }
            Some(Flow::Continue(n)) if n > 1 => {
                self.flow = Some(Flow::Continue(n - 1));
                true
            }
            Some(Flow::Continue(_)) => {
                self.flow = None;
                false
            }
            Some(Flow::Return(_)) => true,
            None => false,
        }
    }
}

/// A C string for a system call. C strings cannot hold NUL bytes, so any are
/// dropped (they can only come from odd input).
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}
