//! `ipcrm -q ID | -Q KEY | -m ID | -M KEY | -s ID | -S KEY ...`: remove System V message
//! queues, shared memory segments and semaphore sets by id or by key (decimal or 0x
//! hexadecimal), as util-linux's ipcrm.

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
        let key = n as libc::key_t;
        let (kind, id) = match flag {
            "-q" => ('q', n as libc::c_int),
            // SAFETY: msgget takes no memory arguments.
            "-Q" => ('q', unsafe { libc::msgget(key, 0) }),
            "-m" => ('m', n as libc::c_int),
            // SAFETY: shmget takes no memory arguments.
            "-M" => ('m', unsafe { libc::shmget(key, 0, 0) }),
            "-s" => ('s', n as libc::c_int),
            // SAFETY: semget takes no memory arguments.
            "-S" => ('s', unsafe { libc::semget(key, 0, 0) }),
            _ => usage(),
        };
        let r = match (id < 0, kind) {
            (true, _) => -1,
            // SAFETY: IPC_RMID reads no buffer.
            (false, 'q') => unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) },
            // SAFETY: IPC_RMID reads no buffer.
            (false, 'm') => unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) },
            // SAFETY: IPC_RMID takes no semun argument.
            (false, _) => unsafe { libc::semctl(id, 0, libc::IPC_RMID) },
        };
        if r < 0 {
            rill_user::report("ipcrm", value, &std::io::Error::last_os_error());
            status = 1;
        }
    }
    std::process::exit(status);
}

fn usage() -> ! {
    eprintln!("usage: ipcrm -q ID | -Q KEY | -m ID | -M KEY | -s ID | -S KEY ...");
    std::process::exit(2);
}
