//! `ipcs [-q] [-l]`: list System V message queues (key, id, owner, permissions, bytes and
//! messages queued), or with `-l` their limits, in util-linux's format. The kernel is asked
//! with msgctl(MSG_INFO) for the highest index in use and msgctl(MSG_STAT) for each index.
//! Shared memory (`-m`) and semaphores (`-s`) are not in Rill yet.

use std::mem::MaybeUninit;

fn main() {
    let args = rill_user::args();
    let (flags, rest) = rill_user::parse_flags("ipcs", &args, "qlams");
    if !rest.is_empty() {
        eprintln!("usage: ipcs [-q] [-l]");
        std::process::exit(2);
    }
    if flags.has('m') || flags.has('s') {
        eprintln!("ipcs: shared memory and semaphores are not supported yet");
        std::process::exit(1);
    }
    if flags.has('l') {
        limits();
    } else {
        queues();
    }
}

/// The user name of `uid` from /etc/passwd, else the number.
fn owner(uid: u32) -> String {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id: u32 = f.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_string())
        })
        .next()
        .unwrap_or_else(|| uid.to_string())
}

fn msg_info(cmd: libc::c_int) -> Option<(libc::msginfo, i32)> {
    let mut info = MaybeUninit::<libc::msginfo>::zeroed();
    // SAFETY: IPC_INFO and MSG_INFO write a struct msginfo into the buffer, which is that
    // size (the kernel's convention of passing it as a msqid_ds pointer).
    let max = unsafe { libc::msgctl(0, cmd, info.as_mut_ptr().cast()) };
    if max < 0 {
        rill_user::report("ipcs", "msgctl", &std::io::Error::last_os_error());
        return None;
    }
    // SAFETY: zero-initialised and then filled by the kernel.
    Some((unsafe { info.assume_init() }, max))
}

fn queues() {
    println!();
    println!("------ Message Queues --------");
    println!(
        "{:<10} {:<10} {:<10} {:<10} {:<12} {:<12}",
        "key", "msqid", "owner", "perms", "used-bytes", "messages"
    );
    let Some((_, max)) = msg_info(libc::MSG_INFO) else {
        std::process::exit(1);
    };
    for index in 0..=max {
        let mut ds = MaybeUninit::<libc::msqid_ds>::zeroed();
        // SAFETY: MSG_STAT fills a msqid_ds of this size.
        let id = unsafe { libc::msgctl(index, libc::MSG_STAT, ds.as_mut_ptr()) };
        if id < 0 {
            continue;
        }
        // SAFETY: zero-initialised and then filled by the kernel.
        let ds = unsafe { ds.assume_init() };
        println!(
            "0x{:08x} {:<10} {:<10} {:<10o} {:<12} {:<12}",
            ds.msg_perm.__key as u32,
            id,
            owner(ds.msg_perm.uid),
            ds.msg_perm.mode & 0o777,
            ds.__msg_cbytes,
            ds.msg_qnum
        );
    }
    println!();
}

fn limits() {
    let Some((info, _)) = msg_info(libc::IPC_INFO) else {
        std::process::exit(1);
    };
    println!();
    println!("------ Messages Limits --------");
    println!("max queues system wide = {}", info.msgmni);
    println!("max size of message (bytes) = {}", info.msgmax);
    println!("default max size of queue (bytes) = {}", info.msgmnb);
    println!();
}
