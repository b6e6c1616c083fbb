//! `ipcs [-q] [-m] [-s] [-l]`: list System V message queues (key, id, owner, permissions,
//! bytes and messages queued), shared memory segments (key, id, owner, permissions,
//! bytes, attachments, status) and semaphore sets (key, id, owner, permissions,
//! semaphores), or with `-l` their limits, in util-linux's format. The kernel is asked
//! with MSG_INFO / SHM_INFO / SEM_INFO for the highest index in use and MSG_STAT /
//! SHM_STAT / SEM_STAT for each index.

use std::mem::MaybeUninit;

fn main() {
    let args = rill_user::args();
    let (flags, rest) = rill_user::parse_flags("ipcs", &args, "qlsm");
    if !rest.is_empty() {
        eprintln!("usage: ipcs [-q] [-m] [-s] [-l]");
        std::process::exit(2);
    }
    // Without -q, -m or -s, all three.
    let all = !flags.has('q') && !flags.has('m') && !flags.has('s');
    let wanted = |c| all || flags.has(c);
    if flags.has('l') {
        if wanted('q') {
            queue_limits();
        }
        if wanted('m') {
            segment_limits();
        }
        if wanted('s') {
            semaphore_limits();
        }
    } else {
        if wanted('q') {
            queues();
        }
        if wanted('m') {
            segments();
        }
        if wanted('s') {
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

fn shm_info(cmd: libc::c_int) -> Option<i32> {
    // IPC_INFO fills a struct shminfo, SHM_INFO a struct shm_info; both fit in this.
    let mut buf = [0u64; 16];
    // SAFETY: the buffer is larger than either structure the kernel writes.
    let max = unsafe { libc::shmctl(0, cmd, buf.as_mut_ptr().cast()) };
    if max < 0 {
        rill_user::report("ipcs", "shmctl", &std::io::Error::last_os_error());
        return None;
    }
    Some(max)
}

fn segments() {
    println!();
    println!("------ Shared Memory Segments --------");
    println!(
        "{:<10} {:<10} {:<10} {:<10} {:<10} {:<10} {:<12}",
        "key", "shmid", "owner", "perms", "bytes", "nattch", "status"
    );
    let Some(max) = shm_info(SHM_INFO) else {
        std::process::exit(1);
    };
    for index in 0..=max {
        let mut ds = MaybeUninit::<libc::shmid_ds>::zeroed();
        // SAFETY: SHM_STAT fills a shmid_ds of this size.
        let id = unsafe { libc::shmctl(index, SHM_STAT, ds.as_mut_ptr()) };
        if id < 0 {
            continue;
        }
        // SAFETY: zero-initialised and then filled by the kernel.
        let ds = unsafe { ds.assume_init() };
        let mode = ds.shm_perm.mode as u32;
        let dest = if mode & SHM_DEST != 0 { "dest" } else { "" };
        let locked = if mode & SHM_LOCKED != 0 { "locked" } else { "" };
        println!(
            "0x{:08x} {:<10} {:<10} {:<10o} {:<10} {:<10} {:<6} {:<6}",
            ds.shm_perm.__key as u32,
            id,
            owner(ds.shm_perm.uid),
            mode & 0o777,
            ds.shm_segsz,
            ds.shm_nattch,
            dest,
            locked
        );
    }
    println!();
}

/// From linux/shm.h, which the libc crate does not carry: the segment status bits of the
/// mode, and the shmctl commands that list segments.
const SHM_DEST: u32 = 0o1000;
const SHM_LOCKED: u32 = 0o2000;
const SHM_STAT: libc::c_int = 13;
const SHM_INFO: libc::c_int = 14;

fn segment_limits() {
    // struct shminfo: shmmax, shmmin, shmmni, shmseg, shmall, then four unused longs.
    let mut info = [0u64; 9];
    // SAFETY: IPC_INFO writes a struct shminfo, which is this size.
    if unsafe { libc::shmctl(0, libc::IPC_INFO, info.as_mut_ptr().cast()) } < 0 {
        rill_user::report("ipcs", "shmctl", &std::io::Error::last_os_error());
        std::process::exit(1);
    }
    let [shmmax, shmmin, shmmni, _, shmall, ..] = info;
    println!();
    println!("------ Shared Memory Limits --------");
    println!("max number of segments = {shmmni}");
    println!("max seg size (kbytes) = {}", shmmax / 1024);
    println!(
        "max total shared memory (kbytes) = {}",
        shmall.saturating_mul(4)
    );
    println!("min seg size (bytes) = {shmmin}");
    println!();
}
