//! Rill's multicall binary of uutils coreutils: /bin/ls, /bin/cat, ... are all this program,
//! which runs the tool named by the last component of argv[0] (or by its first argument when
//! called as `coreutils`). Which tools are here, and why, is in docs/tools.md.

use std::ffi::OsString;
use std::path::Path;
use std::process::exit;

type Main = fn(std::vec::IntoIter<OsString>) -> i32;

/// The tools, by the name they are installed under in /bin.
const TOOLS: &[(&str, Main)] = &[
    ("basename", uu_basename::uumain),
    ("cat", uu_cat::uumain),
    ("chmod", uu_chmod::uumain),
    ("cp", uu_cp::uumain),
    ("cut", uu_cut::uumain),
    ("date", uu_date::uumain),
    ("df", uu_df::uumain),
    ("dirname", uu_dirname::uumain),
    ("du", uu_du::uumain),
    ("echo", uu_echo::uumain),
    ("env", uu_env::uumain),
    ("false", uu_false::uumain),
    ("head", uu_head::uumain),
    ("id", uu_id::uumain),
    ("ln", uu_ln::uumain),
    ("ls", uu_ls::uumain),
    ("mkdir", uu_mkdir::uumain),
    ("mkfifo", uu_mkfifo::uumain),
    ("mv", uu_mv::uumain),
    ("nproc", uu_nproc::uumain),
    ("printf", uu_printf::uumain),
    ("pwd", uu_pwd::uumain),
    ("readlink", uu_readlink::uumain),
    ("rm", uu_rm::uumain),
    ("rmdir", uu_rmdir::uumain),
    ("seq", uu_seq::uumain),
    ("sleep", uu_sleep::uumain),
    ("sort", uu_sort::uumain),
    ("stat", uu_stat::uumain),
    ("sync", uu_sync::uumain),
    ("tail", uu_tail::uumain),
    ("tee", uu_tee::uumain),
    ("touch", uu_touch::uumain),
    ("tr", uu_tr::uumain),
    ("true", uu_true::uumain),
    ("tty", uu_tty::uumain),
    ("uname", uu_uname::uumain),
    ("uniq", uu_uniq::uumain),
    ("uptime", uu_uptime::uumain),
    ("wc", uu_wc::uumain),
    ("whoami", uu_whoami::uumain),
    ("yes", uu_yes::uumain),
];

fn main() {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // `coreutils ls -l` is `ls -l`; a bare `coreutils` lists the tools.
    if tool_name(args.first()) == "coreutils" {
        args.remove(0);
        if args.is_empty() {
            for (name, _) in TOOLS {
                println!("{name}");
            }
            exit(0);
        }
    }
    let name = tool_name(args.first());
    let Some((name, tool)) = TOOLS.iter().find(|(tool, _)| *tool == name) else {
        eprintln!("coreutils: unknown program '{name}'");
        exit(1);
    };
    // uutils' messages come from its English catalogue, built into the binary.
    if let Err(err) = uucore::locale::setup_localization(name) {
        eprintln!("{name}: cannot set up messages: {err}");
        exit(1);
    }
    exit(tool(args.into_iter()));
}

/// The last component of argv[0] ("/bin/ls" runs ls), or "" if there is none.
fn tool_name(arg0: Option<&OsString>) -> &str {
    arg0.and_then(|arg| Path::new(arg).file_name())
        .and_then(|name| name.to_str())
        .unwrap_or("")
}
