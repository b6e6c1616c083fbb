//! `ipcrm -q ID | -Q KEY | -s ID | -S KEY ...`: remove System V message queues and
//! semaphore sets by id or by key (decimal or 0x hexadecimal), as util-linux's ipcrm.
//! Shared memory is not in Rill yet.

fn parse_number(s: &str) -> Option<i64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn main() {
    let args = rill_user::args();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        usage();
    }
    let mut status = 0;
    for pair in args.chunks(2) {
        let (flag, value) = (pair[0].as_str(), pair[1].as_str());
        let Some(n) = parse_number(value) else {
            eprintln!("ipcrm: invalid id or key: {value}");
            status = 1;
            continue;
        };
        let (queue, id) = match flag {
            "-q" => (true, n as libc::c_int),
            // SAFETY: msgget has no memory arguments.
            "-Q" => (true, unsafe { libc::msgget(n as libc::key_t, 0) }),
            "-s" => (false, n as libc::c_int),
            // SAFETY: semget has no memory arguments.
            "-S" => (false, unsafe { libc::semget(n as libc::key_t, 0, 0) }),
            "-m" | "-M" => {
                eprintln!("ipcrm: shared memory is not supported yet");
                status = 1;
                continue;
            }
            _ => usage(),
        };
        let r = if id < 0 {
            -1
        } else if queue {
            // SAFETY: IPC_RMID reads no buffer.
            unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) }
        } else {
            // SAFETY: IPC_RMID takes no semun argument.
            unsafe { libc::semctl(id, 0, libc::IPC_RMID) }
        };
        if r < 0 {
            rill_user::report("ipcrm", value, &std::io::Error::last_os_error());
            status = 1;
        }
    }
    std::process::exit(status);
}

fn usage() -> ! {
    eprintln!("usage: ipcrm -q ID | -Q KEY | -s ID | -S KEY ...");
    std::process::exit(2);
}
