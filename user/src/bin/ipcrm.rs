//! `ipcrm -q ID | -Q KEY ...`: remove System V message queues by id or by key (decimal
//! or 0x hexadecimal), as util-linux's ipcrm. Shared memory and semaphores are not in
//! Rill yet.

fn parse_number(s: &str) -> Option<i64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn main() {
    let args = rill_user::args();
    if args.is_empty() || args.len() % 2 != 0 {
        eprintln!("usage: ipcrm -q ID | -Q KEY ...");
        std::process::exit(2);
    }
    let mut status = 0;
    for pair in args.chunks(2) {
        let (flag, value) = (pair[0].as_str(), pair[1].as_str());
        let Some(n) = parse_number(value) else {
            eprintln!("ipcrm: invalid id or key: {value}");
            status = 1;
            continue;
        };
        let id = match flag {
            "-q" => n as libc::c_int,
            // SAFETY: msgget has no memory arguments.
            "-Q" => unsafe { libc::msgget(n as libc::key_t, 0) },
            "-m" | "-M" | "-s" | "-S" => {
                eprintln!("ipcrm: shared memory and semaphores are not supported yet");
                status = 1;
                continue;
            }
            _ => {
                eprintln!("usage: ipcrm -q ID | -Q KEY ...");
                std::process::exit(2);
            }
        };
        let r = if id < 0 {
            -1
        } else {
            // SAFETY: IPC_RMID reads no buffer.
            unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) }
        };
        if r < 0 {
            rill_user::report("ipcrm", value, &std::io::Error::last_os_error());
            status = 1;
        }
    }
    std::process::exit(status);
}
