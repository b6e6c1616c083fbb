//! System call dispatch: the Linux riscv64 numbers (from linux-raw-sys) mapped to one
//! handler each, grouped by family in the files of this module.

mod attrs;
mod control;
mod fs;
mod futex;
mod ids;
mod ipc;
mod mm;
mod mount;
mod net;
mod paths;
mod process;
mod signal;
mod splice;
mod time;
mod xattr;

use crate::arch::trap::TrapFrame;
use crate::errno::{encode, SysResult, ENOSYS};
use linux_raw_sys::general as n;

/// Opens the console for pid 1's standard descriptors.
pub fn open_console(
    p: &crate::fs::path::PathAt,
) -> SysResult<alloc::sync::Arc<crate::fs::file::OpenFile>> {
    paths::open_path(p, n::O_RDWR, 0)
}

/// Loads /bin/init into pid 1.
pub fn exec_init(
    tf: &mut TrapFrame,
    argv: alloc::vec::Vec<alloc::string::String>,
    envp: alloc::vec::Vec<alloc::string::String>,
) -> SysResult {
    let bytes =
        |v: alloc::vec::Vec<alloc::string::String>| v.into_iter().map(|s| s.into_bytes()).collect();
    let args = crate::task::exec::Args {
        argv: bytes(argv),
        envp: bytes(envp),
        execfn: b"/bin/init".to_vec(),
    };
    if let Some(sig) = process::exec_path(tf, "/bin/init", args)? {
        process::die_of(sig);
    }
    Ok(0)
}

/// One system call's handler: reads its arguments from the frame.
type Handler = fn(&mut TrapFrame) -> SysResult;

/// Runs the system call in `tf` and returns the value for a0. Inline: the trap
/// vector's fast path (`trap::user_syscall`) pays no call for it.
#[inline(always)]
pub fn dispatch(tf: &mut TrapFrame) -> usize {
    // A number past the table, 32 bits or more included (Linux compares all of a7),
    // names no call: it must not be truncated into one, least of all one the trap
    // vector's fast path does not take with the whole register set (clone, execve,
    // sigreturn).
    let nr = tf.syscall_nr();
    let r = match HANDLERS.get(nr).copied().flatten() {
        Some(h) => h(tf),
        None => unknown(nr),
    };
    encode(r)
}

/// Every call number Linux riscv64 has lies below this (const-checked below).
const TABLE_LEN: usize = 512;

/// `handler` for every number, laid out at compile time: a call costs one bounds check
/// and one load, where a `match` costs a jump table and a second jump.
static HANDLERS: [Option<Handler>; TABLE_LEN] = {
    let mut table: [Option<Handler>; TABLE_LEN] = [None; TABLE_LEN];
    let mut nr = 0;
    while nr < TABLE_LEN {
        table[nr] = handler(nr as u32);
        nr += 1;
    }
    table
};

// No handled number falls outside the table.
const _: () = {
    let mut nr = TABLE_LEN as u32;
    while nr < 4096 {
        assert!(handler(nr).is_none());
        nr += 1;
    }
};

#[cold]
#[inline(never)]
fn unknown(nr: usize) -> SysResult {
    log::info!(
        "pid {}: unknown syscall {nr}",
        crate::task::current_process().pid
    );
    Err(ENOSYS)
}

/// The handler of system call `nr`. Each is a function of its own, reached through a
/// table: no call pays for the registers of the biggest.
const fn handler(nr: u32) -> Option<Handler> {
    Some(match nr {
        // files
        n::__NR_getcwd => |tf| paths::getcwd(tf.arg(0), tf.arg(1)),
        n::__NR_dup => |tf| fs::dup(tf.arg(0) as i32),
        n::__NR_dup3 => |tf| fs::dup3(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2) as u32),
        n::__NR_fcntl => |tf| fs::fcntl(tf.arg(0) as i32, tf.arg(1) as u32, tf.arg(2)),
        n::__NR_ioctl => |tf| fs::ioctl(tf.arg(0) as i32, tf.arg(1) as u32, tf.arg(2)),
        n::__NR_mknodat => {
            |tf| paths::mknodat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32, tf.arg(3))
        }
        n::__NR_mkdirat => |tf| paths::mkdirat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_symlinkat => |tf| paths::symlinkat(tf.arg(0), tf.arg(1) as i32, tf.arg(2)),
        n::__NR_unlinkat => |tf| paths::unlinkat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_renameat2 => |tf| {
            paths::renameat2(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as i32,
                tf.arg(3),
                tf.arg(4) as u32,
            )
        },
        n::__NR_ftruncate => |tf| fs::ftruncate(tf.arg(0) as i32, tf.arg(1) as i64),
        n::__NR_fallocate => |tf| {
            fs::fallocate(
                tf.arg(0) as i32,
                tf.arg(1) as u32,
                tf.arg(2) as i64,
                tf.arg(3) as i64,
            )
        },
        n::__NR_mount => |tf| mount::mount(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4)),
        n::__NR_umount2 => |tf| mount::umount2(tf.arg(0), tf.arg(1) as u32),
        n::__NR_truncate => |tf| attrs::truncate(tf.arg(0), tf.arg(1) as i64),
        n::__NR_faccessat => {
            |tf| attrs::faccessat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32, 0)
        }
        n::__NR_faccessat2 => |tf| {
            attrs::faccessat(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3) as u32,
            )
        },
        n::__NR_chdir => |tf| paths::chdir(tf.arg(0)),
        n::__NR_fchdir => |tf| paths::fchdir(tf.arg(0) as i32),
        n::__NR_fchmod => |tf| attrs::fchmod(tf.arg(0) as i32, tf.arg(1) as u32),
        n::__NR_fchownat => |tf| {
            attrs::fchownat(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3) as u32,
                tf.arg(4) as u32,
            )
        },
        n::__NR_fchown => |tf| attrs::fchown(tf.arg(0) as i32, tf.arg(1) as u32, tf.arg(2) as u32),
        n::__NR_statfs => |tf| attrs::statfs(tf.arg(0), tf.arg(1)),
        n::__NR_fstatfs => |tf| attrs::fstatfs(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_fchmodat => |tf| attrs::fchmodat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_openat => |tf| {
            paths::openat(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3) as u32,
            )
        },
        n::__NR_close => |tf| fs::close(tf.arg(0) as i32),
        n::__NR_pipe2 => |tf| fs::pipe2(tf.arg(0), tf.arg(1) as u32),
        n::__NR_getdents64 => |tf| paths::getdents64(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_lseek => |tf| fs::lseek(tf.arg(0) as i32, tf.arg(1) as i64, tf.arg(2) as u32),
        n::__NR_read => |tf| fs::read(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_write => |tf| fs::write(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_readv => |tf| fs::readv(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_writev => |tf| fs::writev(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_pread64 => {
            |tf| fs::pread64(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as i64)
        }
        n::__NR_pwrite64 => {
            |tf| fs::pwrite64(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as i64)
        }
        n::__NR_splice => |tf| {
            splice::splice(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as i32,
                tf.arg(3),
                tf.arg(4),
                tf.arg(5) as u32,
            )
        },
        n::__NR_sendfile => {
            |tf| fs::sendfile(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2), tf.arg(3))
        }
        n::__NR_flock => |tf| fs::flock(tf.arg(0) as i32, tf.arg(1) as u32),
        n::__NR_ppoll => |tf| fs::ppoll(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4)),
        n::__NR_pselect6 => |tf| {
            fs::pselect6(
                tf.arg(0),
                tf.arg(1),
                tf.arg(2),
                tf.arg(3),
                tf.arg(4),
                tf.arg(5),
            )
        },
        n::__NR_readlinkat => {
            |tf| paths::readlinkat(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3))
        }
        n::__NR_newfstatat => {
            |tf| attrs::newfstatat(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as u32)
        }
        n::__NR_fstat => |tf| attrs::fstat(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_statx => |tf| {
            attrs::statx(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3) as u32,
                tf.arg(4),
            )
        },
        n::__NR_umask => |tf| attrs::umask(tf.arg(0) as u32),
        n::__NR_utimensat => {
            |tf| attrs::utimensat(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as u32)
        }
        n::__NR_fsync | n::__NR_fdatasync | n::__NR_sync => |_| fs::sync(),
        n::__NR_fadvise64 => {
            |tf| fs::fadvise64(tf.arg(0) as i32, tf.arg(2) as i64, tf.arg(3) as u32)
        }
        n::__NR_listxattr => |tf| {
            xattr::listxattr(xattr::Target::Path {
                addr: tf.arg(0),
                follow: true,
            })
        },
        n::__NR_llistxattr => |tf| {
            xattr::listxattr(xattr::Target::Path {
                addr: tf.arg(0),
                follow: false,
            })
        },
        n::__NR_flistxattr => |tf| xattr::listxattr(xattr::Target::Fd(tf.arg(0) as i32)),
        n::__NR_getxattr => |tf| {
            let path = xattr::Target::Path {
                addr: tf.arg(0),
                follow: true,
            };
            xattr::getxattr(path, tf.arg(1))
        },
        n::__NR_lgetxattr => |tf| {
            let path = xattr::Target::Path {
                addr: tf.arg(0),
                follow: false,
            };
            xattr::getxattr(path, tf.arg(1))
        },
        n::__NR_fgetxattr => |tf| xattr::getxattr(xattr::Target::Fd(tf.arg(0) as i32), tf.arg(1)),
        // memory
        n::__NR_brk => |tf| mm::brk(tf.arg(0)),
        n::__NR_mmap => |tf| {
            mm::mmap(
                tf.arg(0),
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3) as u32,
                tf.arg(4) as i32,
                tf.arg(5),
            )
        },
        n::__NR_munmap => |tf| mm::munmap(tf.arg(0), tf.arg(1)),
        n::__NR_mprotect => |tf| mm::mprotect(tf.arg(0), tf.arg(1), tf.arg(2) as u32),
        n::__NR_madvise => |tf| mm::madvise(tf.arg(0), tf.arg(1), tf.arg(2) as u32),
        n::__NR_mremap => |tf| mm::mremap(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4)),
        n::__NR_remap_file_pages => {
            |tf| mm::remap_file_pages(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4) as u32)
        }
        n::__NR_msync => |tf| mm::msync(tf.arg(0), tf.arg(1), tf.arg(2) as u32),
        // processes
        n::__NR_exit => |tf| process::exit(tf.arg(0) as i32),
        n::__NR_exit_group => |tf| process::exit_group(tf.arg(0) as i32),
        n::__NR_clone => {
            |tf| process::clone(tf, tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4))
        }
        n::__NR_clone3 => |tf| process::clone3(tf, tf.arg(0), tf.arg(1)),
        n::__NR_unshare => |tf| process::unshare(tf.arg(0) as u64),
        n::__NR_execve => |tf| process::execve(tf, tf.arg(0), tf.arg(1), tf.arg(2)),
        n::__NR_wait4 => {
            |tf| process::wait4(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32, tf.arg(3))
        }
        n::__NR_set_tid_address => |tf| process::set_tid_address(tf.arg(0)),
        n::__NR_set_robust_list => |tf| futex::set_robust_list(tf.arg(0), tf.arg(1)),
        n::__NR_get_robust_list => {
            |tf| futex::get_robust_list(tf.arg(0) as i32, tf.arg(1), tf.arg(2))
        }
        n::__NR_futex => |tf| {
            futex::futex(
                tf.arg(0),
                tf.arg(1) as u32,
                tf.arg(2) as u32,
                tf.arg(3),
                tf.arg(4),
                tf.arg(5) as u32,
            )
        },
        n::__NR_futex_waitv => |tf| {
            futex::futex_waitv(
                tf.arg(0),
                tf.arg(1),
                tf.arg(2) as u32,
                tf.arg(3),
                tf.arg(4) as u32,
            )
        },
        n::__NR_getpid => |_| process::getpid(),
        n::__NR_getppid => |_| process::getppid(),
        n::__NR_gettid => |_| process::gettid(),
        n::__NR_getuid | n::__NR_geteuid | n::__NR_getgid | n::__NR_getegid => {
            |tf| ids::getid(tf.syscall_nr() as u32)
        }
        n::__NR_getresuid | n::__NR_getresgid => {
            |tf| ids::getresid(tf.syscall_nr() as u32, tf.arg(0), tf.arg(1), tf.arg(2))
        }
        n::__NR_setuid | n::__NR_setgid => {
            |tf| ids::setid(tf.syscall_nr() as u32, tf.arg(0) as u32)
        }
        n::__NR_setresuid | n::__NR_setresgid => |tf| {
            ids::setresid(
                tf.syscall_nr() as u32,
                tf.arg(0) as u32,
                tf.arg(1) as u32,
                tf.arg(2) as u32,
            )
        },
        n::__NR_getgroups => |tf| ids::getgroups(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_setgroups => |tf| ids::setgroups(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_setreuid | n::__NR_setregid => {
            |tf| ids::setreid(tf.syscall_nr() as u32, tf.arg(0) as u32, tf.arg(1) as u32)
        }
        n::__NR_setpgid => |tf| ids::setpgid(tf.arg(0) as i32, tf.arg(1) as i32),
        n::__NR_getpgid => |tf| ids::getpgid(tf.arg(0) as i32),
        n::__NR_getsid => |tf| ids::getsid(tf.arg(0) as i32),
        n::__NR_setsid => |_| ids::setsid(),
        n::__NR_prlimit64 => {
            |tf| process::prlimit64(tf.arg(0) as i32, tf.arg(1) as u32, tf.arg(2), tf.arg(3))
        }
        n::__NR_getrlimit => |tf| process::prlimit64(0, tf.arg(0) as u32, 0, tf.arg(1)),
        n::__NR_setrlimit => |tf| process::prlimit64(0, tf.arg(0) as u32, tf.arg(1), 0),
        n::__NR_prctl => |tf| control::prctl(tf.arg(0) as u32, tf.arg(1)),
        n::__NR_sched_yield => |_| control::sched_yield(),
        n::__NR_getcpu => |tf| control::getcpu(tf.arg(0), tf.arg(1)),
        n::__NR_sched_getscheduler => |tf| control::sched_getscheduler(tf.arg(0) as i32),
        n::__NR_sched_getparam => |tf| control::sched_getparam(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_sched_getaffinity => {
            |tf| control::sched_getaffinity(tf.arg(0) as i32, tf.arg(1), tf.arg(2))
        }
        n::__NR_sched_setaffinity => {
            |tf| control::sched_setaffinity(tf.arg(0) as i32, tf.arg(1), tf.arg(2))
        }
        n::__NR_sysinfo => |tf| control::sysinfo(tf.arg(0)),
        n::__NR_syslog => |tf| control::syslog(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as i32),
        n::__NR_getpriority => |tf| control::getpriority(tf.arg(0) as u32, tf.arg(1) as i32),
        n::__NR_setpriority => {
            |tf| control::setpriority(tf.arg(0) as u32, tf.arg(1) as i32, tf.arg(2) as i32)
        }
        n::__NR_uname => |tf| process::uname(tf.arg(0)),
        n::__NR_getrandom => |tf| process::getrandom(tf.arg(0), tf.arg(1), tf.arg(2) as u32),
        // signals
        n::__NR_kill => |tf| signal::kill(tf.arg(0) as i32, tf.arg(1)),
        // System V IPC
        n::__NR_msgget => |tf| ipc::msgget(tf.arg(0) as i32, tf.arg(1) as u32),
        n::__NR_msgsnd => {
            |tf| ipc::msgsnd(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as u32)
        }
        n::__NR_msgrcv => |tf| {
            ipc::msgrcv(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2),
                tf.arg(3) as i64,
                tf.arg(4) as u32,
            )
        },
        n::__NR_msgctl => |tf| ipc::msgctl(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2)),
        n::__NR_semget => |tf| ipc::semget(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2) as u32),
        n::__NR_semop => |tf| ipc::semtimedop(tf.arg(0) as i32, tf.arg(1), tf.arg(2), 0),
        n::__NR_semtimedop => {
            |tf| ipc::semtimedop(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3))
        }
        n::__NR_semctl => |tf| {
            ipc::semctl(
                tf.arg(0) as i32,
                tf.arg(1) as i32,
                tf.arg(2) as i32,
                tf.arg(3),
            )
        },
        n::__NR_shmget => |tf| ipc::shmget(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_shmat => |tf| ipc::shmat(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_shmdt => |tf| ipc::shmdt(tf.arg(0)),
        n::__NR_shmctl => |tf| ipc::shmctl(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2)),
        // POSIX message queues
        n::__NR_mq_open => {
            |tf| ipc::mq_open(tf.arg(0), tf.arg(1) as u32, tf.arg(2) as u32, tf.arg(3))
        }
        n::__NR_mq_unlink => |tf| ipc::mq_unlink(tf.arg(0)),
        n::__NR_mq_timedsend => |tf| {
            ipc::mq_timedsend(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2),
                tf.arg(3) as u32,
                tf.arg(4),
            )
        },
        n::__NR_mq_timedreceive => {
            |tf| ipc::mq_timedreceive(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3), tf.arg(4))
        }
        n::__NR_mq_notify => |tf| ipc::mq_notify(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_mq_getsetattr => |tf| ipc::mq_getsetattr(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_tkill => |tf| signal::tkill(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_tgkill => |tf| signal::tgkill(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2)),
        n::__NR_rt_sigaction => {
            |tf| signal::rt_sigaction(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3))
        }
        n::__NR_rt_sigprocmask => {
            |tf| signal::rt_sigprocmask(tf.arg(0) as u32, tf.arg(1), tf.arg(2), tf.arg(3))
        }
        n::__NR_rt_sigpending => |tf| signal::rt_sigpending(tf.arg(0), tf.arg(1)),
        n::__NR_rt_sigsuspend => |tf| signal::rt_sigsuspend(tf.arg(0), tf.arg(1)),
        n::__NR_rt_sigtimedwait => {
            |tf| signal::rt_sigtimedwait(tf.arg(0), tf.arg(1), tf.arg(2), tf.arg(3))
        }
        n::__NR_rt_sigqueueinfo => {
            |tf| signal::rt_sigqueueinfo(tf.arg(0) as i32, tf.arg(1), tf.arg(2))
        }
        n::__NR_rt_tgsigqueueinfo => {
            |tf| signal::rt_tgsigqueueinfo(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2), tf.arg(3))
        }
        n::__NR_rt_sigreturn => |tf| signal::rt_sigreturn(tf),
        n::__NR_signalfd4 => |tf| {
            crate::signal::signalfd::signalfd4(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2),
                tf.arg(3) as u32,
            )
        },
        n::__NR_pidfd_open => {
            |tf| crate::task::pidfd::pidfd_open(tf.arg(0) as i32, tf.arg(1) as u32)
        }
        n::__NR_pidfd_send_signal => {
            |tf| signal::pidfd_send_signal(tf.arg(0) as i32, tf.arg(1), tf.arg(2), tf.arg(3) as u32)
        }
        n::__NR_sigaltstack => |tf| signal::sigaltstack(tf, tf.arg(0), tf.arg(1)),
        // sockets
        n::__NR_socket => |tf| net::socket(tf.arg(0) as i32, tf.arg(1) as i32, tf.arg(2) as i32),
        n::__NR_socketpair => |tf| {
            net::socketpair(
                tf.arg(0) as i32,
                tf.arg(1) as i32,
                tf.arg(2) as i32,
                tf.arg(3),
            )
        },
        n::__NR_bind => |tf| net::bind(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as i32),
        n::__NR_getsockname => |tf| net::getsockname(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_connect => |tf| net::connect(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as i32),
        n::__NR_getpeername => |tf| net::getpeername(tf.arg(0) as i32, tf.arg(1), tf.arg(2)),
        n::__NR_getsockopt => |tf| {
            net::getsockopt(
                tf.arg(0) as i32,
                tf.arg(1) as i32,
                tf.arg(2) as i32,
                tf.arg(3),
                tf.arg(4),
            )
        },
        n::__NR_setsockopt => |tf| {
            net::setsockopt(
                tf.arg(0) as i32,
                tf.arg(1) as i32,
                tf.arg(2) as i32,
                tf.arg(3),
                tf.arg(4) as i32,
            )
        },
        n::__NR_recvfrom => |tf| {
            net::recvfrom(
                tf.arg(0) as i32,
                tf.arg(1),
                tf.arg(2),
                tf.arg(3) as u32,
                tf.arg(4),
                tf.arg(5),
            )
        },
        n::__NR_recvmsg => |tf| net::recvmsg(tf.arg(0) as i32, tf.arg(1), tf.arg(2) as u32),
        n::__NR_sendto | n::__NR_sendmsg | n::__NR_listen | n::__NR_shutdown => {
            |tf| net::unsupported(tf.arg(0) as i32)
        }
        n::__NR_accept => |tf| net::accept4(tf.arg(0) as i32, 0),
        n::__NR_accept4 => |tf| net::accept4(tf.arg(0) as i32, tf.arg(3) as u32),
        // time
        n::__NR_clock_gettime => |tf| time::clock_gettime(tf.arg(0) as u32, tf.arg(1)),
        n::__NR_clock_getres => |tf| time::clock_getres(tf.arg(0) as u32, tf.arg(1)),
        n::__NR_gettimeofday => |tf| time::gettimeofday(tf.arg(0)),
        n::__NR_nanosleep => |tf| time::nanosleep(tf.arg(0), tf.arg(1)),
        n::__NR_clock_nanosleep => {
            |tf| time::clock_nanosleep(tf.arg(0) as u32, tf.arg(1) as u32, tf.arg(2), tf.arg(3))
        }
        n::__NR_setitimer => |tf| time::setitimer(tf.arg(0) as u32, tf.arg(1), tf.arg(2)),
        n::__NR_getitimer => |tf| time::getitimer(tf.arg(0) as u32, tf.arg(1)),
        n::__NR_getrusage => |tf| time::getrusage(tf.arg(0) as i32, tf.arg(1)),
        n::__NR_times => |tf| time::times(tf.arg(0)),
        _ => return None,
    })
}
