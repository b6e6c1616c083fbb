//! Running the syntax tree: lists, and-or lists, pipelines, compound commands,
//! function calls and simple commands (builtins in the shell, programs in a
//! child). `set -e` is applied here: a failing pipeline that is not a
//! condition ends the shell.

use crate::ast::*;
use crate::expand::{self, ExpandError};
use crate::redirect::{self, Saved};
use crate::{builtins, pattern, process, Flow, Shell};
use std::rc::Rc;

/// The status of a command whose redirection failed (as in dash).
const REDIRECT_FAILED: i32 = 2;

/// Runs a list in a process that exists only for it (a subshell or `$( )`):
/// a lone simple command replaces the process instead of forking again, as
/// other shells do (so its parent is the shell, and one fork is saved).
pub fn run_list_in_child(shell: &mut Shell, list: &List) -> i32 {
    if let [item] = &list.items[..] {
        let and_or = &item.and_or;
        if !item.background && and_or.rest.is_empty() && !and_or.first.bang {
            if let [cmd @ Command::Simple(_)] = &and_or.first.commands[..] {
                shell.current_text = item.text.clone();
                return run_command(shell, cmd, true);
            }
        }
    }
    run_list(shell, list)
}

pub fn run_list(shell: &mut Shell, list: &List) -> i32 {
    for item in &list.items {
        shell.current_text = item.text.clone();
        if item.background {
            process::start_background(shell, item);
            shell.last_status = 0;
        } else {
            run_and_or(shell, &item.and_or);
        }
        shell.run_traps();
        if shell.flow.is_some() {
            break;
        }
    }
    shell.last_status
}

/// Runs `p1 && p2 || p3` from left to right: after `&&` the next pipeline runs
/// only if the status so far is 0, after `||` only if it is not.
pub fn run_and_or(shell: &mut Shell, and_or: &AndOr) -> i32 {
    let n = and_or.rest.len();
    shell.last_status = run_checked(shell, &and_or.first, n == 0);
    for (i, (connector, pipeline)) in and_or.rest.iter().enumerate() {
        if shell.flow.is_some() {
            break;
        }
        let wanted = match connector {
            Connector::And => shell.last_status == 0,
            Connector::Or => shell.last_status != 0,
        };
        if wanted {
            shell.last_status = run_checked(shell, pipeline, i + 1 == n);
        }
    }
    shell.last_status
}

/// Runs a pipeline; only the last of an and-or list is subject to `set -e`.
fn run_checked(shell: &mut Shell, pipeline: &Pipeline, last: bool) -> i32 {
    if !last {
        shell.condition += 1;
    }
    let status = run_pipeline(shell, pipeline);
    if !last {
        shell.condition -= 1;
    }
    if last
        && !pipeline.bang
        && status != 0
        && shell.options.errexit
        && shell.condition == 0
        && shell.flow.is_none()
    {
        shell.exit(status);
    }
    status
}

fn run_pipeline(shell: &mut Shell, pipeline: &Pipeline) -> i32 {
    if pipeline.bang {
        shell.condition += 1;
    }
    let status = match &pipeline.commands[..] {
        [cmd] => run_command(shell, cmd, false),
        cmds => {
            let cmds: Vec<&Command> = cmds.iter().collect();
            let text = shell.current_text.clone();
            process::run_foreground(shell, &cmds, &text)
        }
    };
    shell.last_status = status;
    if pipeline.bang {
        shell.condition -= 1;
        shell.last_status = (status == 0) as i32;
    }
    shell.last_status
}

/// Runs one command. `in_child`: this process exists only to run it (a
/// pipeline element), so a program replaces it instead of being forked.
pub fn run_command(shell: &mut Shell, cmd: &Command, in_child: bool) -> i32 {
    match cmd {
        Command::Simple(simple) => run_simple(shell, simple, in_child),
        Command::Function(name, body) => {
            shell.functions.insert(name.clone(), Rc::clone(body));
            0
        }
        Command::Compound(compound, redirects) => {
            let mut saved = Saved::default();
            let status = if redirect::apply(shell, redirects, true, &mut saved).is_ok() {
                run_compound(shell, compound, in_child)
            } else {
                REDIRECT_FAILED
            };
            redirect::restore(saved);
            status
        }
    }
}

fn run_compound(shell: &mut Shell, compound: &Compound, in_child: bool) -> i32 {
    match compound {
        Compound::Brace(list) => run_list(shell, list),
        Compound::Subshell(list) if in_child => run_list_in_child(shell, list),
        Compound::Subshell(list) => {
            let text = shell.current_text.clone();
            process::subshell(shell, &text, |sh| run_list_in_child(sh, list))
        }
        Compound::If {
            branches,
            otherwise,
        } => {
            for (cond, body) in branches {
                if run_condition(shell, cond) == 0 {
                    return run_list(shell, body);
                }
                if shell.flow.is_some() {
                    return shell.last_status;
                }
            }
            match otherwise {
                Some(body) => run_list(shell, body),
                None => {
                    shell.last_status = 0;
                    0
                }
            }
        }
        Compound::Loop { until, cond, body } => {
            let mut status = 0;
            shell.loops += 1;
            loop {
                let c = run_condition(shell, cond);
                if shell.flow.is_some() || (c == 0) == *until {
                    break;
                }
                status = run_list(shell, body);
                if shell.loop_control() {
                    break;
                }
            }
            shell.loops -= 1;
            shell.last_status = status;
            status
        }
        Compound::For { name, words, body } => {
            let values = match words {
                None => shell.positional.clone(),
                Some(words) => match expand::expand_words(shell, words) {
                    Ok(v) => v,
                    Err(e) => return expansion_failed(shell, e),
                },
            };
            let mut status = 0;
            shell.loops += 1;
            for value in values {
                shell.vars.set(name, &value);
                status = run_list(shell, body);
                if shell.loop_control() {
                    break;
                }
            }
            shell.loops -= 1;
            shell.last_status = status;
            status
        }
        Compound::Case { word, arms } => {
            let subject = match expand::expand_single(shell, word) {
                Ok(s) => s.chars().collect::<Vec<char>>(),
                Err(e) => return expansion_failed(shell, e),
            };
            for arm in arms {
                for pat in &arm.patterns {
                    let pat = match expand::expand_pattern(shell, pat) {
                        Ok(p) => p,
                        Err(e) => return expansion_failed(shell, e),
                    };
                    if pattern::matches(&pat, &subject) {
                        if arm.body.items.is_empty() {
                            shell.last_status = 0;
                            return 0;
                        }
                        return run_list(shell, &arm.body);
                    }
                }
            }
            shell.last_status = 0;
            0
        }
    }
}

/// Runs the condition of `if`, `while` or `until`: `set -e` does not apply.
fn run_condition(shell: &mut Shell, cond: &List) -> i32 {
    shell.condition += 1;
    let status = run_list(shell, cond);
    shell.condition -= 1;
    status
}

/// Reports a failed expansion. A non-interactive shell exits (status 2), as
/// POSIX says; an interactive one abandons the command.
pub fn expansion_failed(shell: &mut Shell, e: ExpandError) -> i32 {
    shell.error(&e.0);
    shell.last_status = 2;
    if !shell.interactive {
        shell.exit(2);
    }
    2
}

fn run_simple(shell: &mut Shell, cmd: &Simple, in_child: bool) -> i32 {
    shell.line = cmd.line;
    shell.last_status_before = shell.last_status;
    let argv = match expand::expand_words(shell, &cmd.words) {
        Ok(argv) => argv,
        Err(e) => return expansion_failed(shell, e),
    };
    if argv.is_empty() {
        return assign_only(shell, cmd);
    }
    let mut assigns = Vec::new();
    for (name, value) in &cmd.assigns {
        match expand::expand_single(shell, value) {
            Ok(v) => assigns.push((name.clone(), v)),
            Err(e) => return expansion_failed(shell, e),
        }
    }
    if shell.options.xtrace {
        trace(shell, &assigns, &argv);
    }
    let name = &argv[0];
    if builtins::is_special(name) {
        for (n, v) in &assigns {
            shell.vars.set(n, v);
        }
        return run_builtin(shell, &argv, &cmd.redirects);
    }
    if let Some(body) = shell.functions.get(name).cloned() {
        let saved_vars = shell.vars.push_temporary(&assigns);
        let status = call_function(shell, &body, &argv, &cmd.redirects);
        shell.vars.pop_temporary(saved_vars);
        return status;
    }
    if builtins::is_builtin(name) {
        let saved_vars = shell.vars.push_temporary(&assigns);
        let status = run_builtin(shell, &argv, &cmd.redirects);
        shell.vars.pop_temporary(saved_vars);
        return status;
    }
    if in_child {
        let mut saved = Saved::default();
        if redirect::apply(shell, &cmd.redirects, false, &mut saved).is_err() {
            process::exit_now(REDIRECT_FAILED);
        }
        process::exec_external(shell, &argv, &assigns);
    }
    let text = shell.current_text.clone();
    process::subshell(shell, &text, |sh| {
        let mut saved = Saved::default();
        if redirect::apply(sh, &cmd.redirects, false, &mut saved).is_err() {
            process::exit_now(REDIRECT_FAILED);
        }
        process::exec_external(sh, &argv, &assigns)
    })
}

/// A command of assignments (and redirections) alone: each variable is set
/// before the next value is expanded, and stays set. The status is that of
/// the last command substitution, if any.
fn assign_only(shell: &mut Shell, cmd: &Simple) -> i32 {
    let status = if cmd_substituted(cmd) { None } else { Some(0) };
    for (name, value) in &cmd.assigns {
        let value = match expand::expand_single(shell, value) {
            Ok(v) => v,
            Err(e) => return expansion_failed(shell, e),
        };
        if shell.options.xtrace {
            trace(shell, &[(name.clone(), value.clone())], &[]);
        }
        if let Err(msg) = shell.vars.set_checked(name, &value) {
            shell.error(&msg);
            return fail(shell, 2);
        }
    }
    let status = status.unwrap_or(shell.last_status);
    let mut saved = Saved::default();
    let ok = redirect::apply(shell, &cmd.redirects, true, &mut saved).is_ok();
    redirect::restore(saved);
    if ok {
        status
    } else {
        REDIRECT_FAILED
    }
}

/// Whether any word or assignment value of `cmd` contains a command
/// substitution.
fn cmd_substituted(cmd: &Simple) -> bool {
    cmd.assigns
        .iter()
        .map(|(_, v)| v)
        .chain(&cmd.words)
        .any(|v| v.contains("$(") || v.contains('`'))
}

fn fail(shell: &mut Shell, status: i32) -> i32 {
    shell.last_status = status;
    if !shell.interactive {
        shell.exit(status);
    }
    status
}

/// Runs a builtin in the shell with its redirections, undone afterwards.
fn run_builtin(shell: &mut Shell, argv: &[String], redirects: &[Redirect]) -> i32 {
    let mut saved = Saved::default();
    let exec_itself = argv[0] == "exec";
    // `exec` without a command makes its redirections permanent.
    let keep = exec_itself && argv.len() == 1;
    let status = if redirect::apply(shell, redirects, !keep, &mut saved).is_ok() {
        builtins::run(shell, argv)
    } else if builtins::is_special(&argv[0]) {
        fail(shell, REDIRECT_FAILED)
    } else {
        REDIRECT_FAILED
    };
    redirect::restore(saved);
    status
}

/// Calls a function: `$1`... are its arguments while it runs; `return` ends it.
fn call_function(
    shell: &mut Shell,
    body: &Command,
    argv: &[String],
    redirects: &[Redirect],
) -> i32 {
    let mut saved = Saved::default();
    if redirect::apply(shell, redirects, true, &mut saved).is_err() {
        redirect::restore(saved);
        return REDIRECT_FAILED;
    }
    let outer = std::mem::replace(&mut shell.positional, argv[1..].to_vec());
    shell.functions_running += 1;
    shell.locals.push(Vec::new());
    let mut status = run_command(shell, body, false);
    if let Some(Flow::Return(n)) = shell.flow {
        status = n;
        shell.flow = None;
    }
    if let Some(locals) = shell.locals.pop() {
        shell.vars.pop_temporary(locals);
    }
    shell.functions_running -= 1;
    shell.positional = outer;
    redirect::restore(saved);
    shell.last_status = status;
    status
}

/// `set -x`: the command as it will run, after `+ `, on standard error.
fn trace(shell: &Shell, assigns: &[(String, String)], argv: &[String]) {
    let ps4 = shell.vars.get("PS4").unwrap_or("+ ");
    let mut line = ps4.to_string();
    let words = assigns
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .chain(argv.iter().cloned())
        .collect::<Vec<_>>();
    line.push_str(&words.join(" "));
    eprintln!("{line}");
}
