//! `ipcs [-q] [-s] [-l]`: list System V message queues (key, id, owner, permissions, bytes
//! and messages queued) and semaphore sets (key, id, owner, permissions, semaphores), or
//! with `-l` their limits, in util-linux's format. The kernel is asked with MSG_INFO /
//! SEM_INFO for the highest index in use and MSG_STAT / SEM_STAT for each index. Shared
//! memory (`-m`) is not in Rill yet.

use std::mem::MaybeUninit;

fn main() {
    let args = rill_user::args();
    let (flags, rest) = rill_user::parse_flags("ipcs", &args, "qlsm");
    if !rest.is_empty() {
        eprintln!("usage: ipcs [-q] [-s] [-l]");
        std::process::exit(2);
    }
    if flags.has('m') {
        eprintln!("ipcs: shared memory is not supported yet");
        std::process::exit(1);
    }
    // Without -q or -s, both.
    let both = !flags.has('q') && !flags.has('s');
    let (queues_wanted, sems_wanted) = (both || flags.has('q'), both || flags.has('s'));
    if flags.has('l') {
        if queues_wanted {
            queue_limits();
        }
        if sems_wanted {
            semaphore_limits();
        }
    } else {
        if queues_wanted {
            queues();
        }
        if sems_wanted {
            semaphores();
        }
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

fn queue_limits() {
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

fn sem_info(cmd: libc::c_int) -> Option<(libc::seminfo, i32)> {
    let mut info = MaybeUninit::<libc::seminfo>::zeroed();
    // SAFETY: IPC_INFO and SEM_INFO write a struct seminfo into the buffer passed as the
    // semun pointer, which is that size.
    let max = unsafe { libc::semctl(0, 0, cmd, info.as_mut_ptr()) };
    if max < 0 {
        rill_user::report("ipcs", "semctl", &std::io::Error::last_os_error());
        return None;
    }
    // SAFETY: zero-initialised and then filled by the kernel.
    Some((unsafe { info.assume_init() }, max))
}

fn semaphores() {
    println!();
    println!("------ Semaphore Arrays --------");
    println!(
        "{:<10} {:<10} {:<10} {:<10} {:<10}",
        "key", "semid", "owner", "perms", "nsems"
    );
    let Some((_, max)) = sem_info(libc::SEM_INFO) else {
        std::process::exit(1);
    };
    for index in 0..=max {
        let mut ds = MaybeUninit::<libc::semid_ds>::zeroed();
        // SAFETY: SEM_STAT fills a semid_ds of this size through the semun pointer.
        let id = unsafe { libc::semctl(index, 0, libc::SEM_STAT, ds.as_mut_ptr()) };
        if id < 0 {
            continue;
        }
        // SAFETY: zero-initialised and then filled by the kernel.
        let ds = unsafe { ds.assume_init() };
        println!(
            "0x{:08x} {:<10} {:<10} {:<10o} {:<10}",
            ds.sem_perm.__key as u32,
            id,
            owner(ds.sem_perm.uid),
            ds.sem_perm.mode & 0o777,
            ds.sem_nsems
        );
    }
    println!();
}

fn semaphore_limits() {
    let Some((info, _)) = sem_info(libc::IPC_INFO) else {
        std::process::exit(1);
    };
    println!();
    println!("------ Semaphore Limits --------");
    println!("max number of arrays = {}", info.semmni);
    println!("max semaphores per array = {}", info.semmsl);
    println!("max semaphores system wide = {}", info.semmns);
    println!("max ops per semop call = {}", info.semopm);
    println!("semaphore max value = {}", info.semvmx);
    println!();
}
