//! `env [NAME=VALUE...] [COMMAND [ARG...]]`: with no command, print the
//! environment (after applying the assignments), one `NAME=VALUE` per line;
//! otherwise run COMMAND, found through $PATH, in the modified environment.
//! Exit status 127 if COMMAND is not found, 126 if it cannot be run.

use std::io::{BufWriter, ErrorKind, Write};
use std::os::unix::process::CommandExt;
use std::process::Command;

fn main() {
    rill_user::reset_sigpipe();
    let args = rill_user::args();
    let split = args
        .iter()
        .position(|a| !a.contains('='))
        .unwrap_or(args.len());
    let (assignments, command) = args.split_at(split);
    for a in assignments {
        let (name, value) = a.split_once('=').expect("assignments contain '='");
        // SAFETY: this program has no other threads that could read the environment.
        unsafe { std::env::set_var(name, value) };
    }

    let Some((program, program_args)) = command.split_first() else {
        let mut out = BufWriter::new(std::io::stdout().lock());
        for (name, value) in std::env::vars_os() {
            let _ = writeln!(
                out,
                "{}={}",
                name.to_string_lossy(),
                value.to_string_lossy()
            );
        }
        let _ = out.flush();
        return;
    };
    // exec only returns if it failed.
    let err = Command::new(program).args(program_args).exec();
    rill_user::report("env", program, &err);
    std::process::exit(if err.kind() == ErrorKind::NotFound {
        127
    } else {
        126
    });
}
