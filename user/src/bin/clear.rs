//! `clear`: clear a VT100/ANSI terminal by moving the cursor home (ESC [H) and
//! erasing the whole screen (ESC [2J). No terminfo database is needed.

use std::io::Write;

fn main() {
    rill_user::reset_sigpipe();
    let mut out = std::io::stdout();
    if out
        .write_all(b"\x1b[H\x1b[2J")
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(1);
    }
}
