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
mod time;

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

/// Runs the system call in `tf` and returns the value for a0.
pub fn dispatch(tf: &mut TrapFrame) -> usize {
    let a = [
        tf.arg(0),
        tf.arg(1),
        tf.arg(2),
        tf.arg(3),
        tf.arg(4),
        tf.arg(5),
    ];
    let nr = tf.syscall_nr() as u32;
    let r: SysResult = match nr {
        // files
        n::__NR_getcwd => paths::getcwd(a[0], a[1]),
        n::__NR_dup => fs::dup(a[0] as i32),
        n::__NR_dup3 => fs::dup3(a[0] as i32, a[1] as i32, a[2] as u32),
        n::__NR_fcntl => fs::fcntl(a[0] as i32, a[1] as u32, a[2]),
        n::__NR_ioctl => fs::ioctl(a[0] as i32, a[1] as u32, a[2]),
        n::__NR_mknodat => paths::mknodat(a[0] as i32, a[1], a[2] as u32, a[3]),
        n::__NR_mkdirat => paths::mkdirat(a[0] as i32, a[1], a[2] as u32),
        n::__NR_symlinkat => paths::symlinkat(a[0], a[1] as i32, a[2]),
        n::__NR_unlinkat => paths::unlinkat(a[0] as i32, a[1], a[2] as u32),
        n::__NR_renameat2 => paths::renameat2(a[0] as i32, a[1], a[2] as i32, a[3], a[4] as u32),
        n::__NR_ftruncate => fs::ftruncate(a[0] as i32, a[1] as i64),
        n::__NR_fallocate => fs::fallocate(a[0] as i32, a[1] as u32, a[2] as i64, a[3] as i64),
        n::__NR_mount => mount::mount(a[0], a[1], a[2], a[3], a[4]),
        n::__NR_umount2 => mount::umount2(a[0], a[1] as u32),
        n::__NR_truncate => attrs::truncate(a[0], a[1] as i64),
        n::__NR_faccessat => attrs::faccessat(a[0] as i32, a[1], a[2] as u32, 0),
        n::__NR_faccessat2 => attrs::faccessat(a[0] as i32, a[1], a[2] as u32, a[3] as u32),
        n::__NR_chdir => paths::chdir(a[0]),
        n::__NR_fchdir => paths::fchdir(a[0] as i32),
        n::__NR_fchmod => attrs::fchmod(a[0] as i32, a[1] as u32),
        n::__NR_fchownat => {
            attrs::fchownat(a[0] as i32, a[1], a[2] as u32, a[3] as u32, a[4] as u32)
        }
        n::__NR_fchown => attrs::fchown(a[0] as i32, a[1] as u32, a[2] as u32),
        n::__NR_statfs => attrs::statfs(a[0], a[1]),
        n::__NR_fstatfs => attrs::fstatfs(a[0] as i32, a[1]),
        n::__NR_fchmodat => attrs::fchmodat(a[0] as i32, a[1], a[2] as u32),
        n::__NR_openat => paths::openat(a[0] as i32, a[1], a[2] as u32, a[3] as u32),
        n::__NR_close => fs::close(a[0] as i32),
        n::__NR_pipe2 => fs::pipe2(a[0], a[1] as u32),
        n::__NR_getdents64 => paths::getdents64(a[0] as i32, a[1], a[2]),
        n::__NR_lseek => fs::lseek(a[0] as i32, a[1] as i64, a[2] as u32),
        n::__NR_read => fs::read(a[0] as i32, a[1], a[2]),
        n::__NR_write => fs::write(a[0] as i32, a[1], a[2]),
        n::__NR_readv => fs::readv(a[0] as i32, a[1], a[2]),
        n::__NR_writev => fs::writev(a[0] as i32, a[1], a[2]),
        n::__NR_pread64 => fs::pread64(a[0] as i32, a[1], a[2], a[3] as i64),
        n::__NR_pwrite64 => fs::pwrite64(a[0] as i32, a[1], a[2], a[3] as i64),
        n::__NR_sendfile => fs::sendfile(a[0] as i32, a[1] as i32, a[2], a[3]),
        n::__NR_flock => fs::flock(a[0] as i32, a[1] as u32),
        n::__NR_ppoll => fs::ppoll(a[0], a[1], a[2], a[3], a[4]),
        n::__NR_pselect6 => fs::pselect6(a[0], a[1], a[2], a[3], a[4], a[5]),
        n::__NR_readlinkat => paths::readlinkat(a[0] as i32, a[1], a[2], a[3]),
        n::__NR_newfstatat => attrs::newfstatat(a[0] as i32, a[1], a[2], a[3] as u32),
        n::__NR_fstat => attrs::fstat(a[0] as i32, a[1]),
        n::__NR_statx => attrs::statx(a[0] as i32, a[1], a[2] as u32, a[3] as u32, a[4]),
        n::__NR_umask => attrs::umask(a[0] as u32),
        n::__NR_utimensat => attrs::utimensat(a[0] as i32, a[1], a[2], a[3] as u32),
        n::__NR_fsync | n::__NR_fdatasync | n::__NR_sync => fs::sync(),
        // memory
        n::__NR_brk => mm::brk(a[0]),
        n::__NR_mmap => mm::mmap(a[0], a[1], a[2] as u32, a[3] as u32, a[4] as i32, a[5]),
        n::__NR_munmap => mm::munmap(a[0], a[1]),
        n::__NR_mprotect => mm::mprotect(a[0], a[1], a[2] as u32),
        n::__NR_madvise => mm::madvise(a[0], a[1], a[2] as u32),
        n::__NR_mremap => mm::mremap(a[0], a[1], a[2], a[3], a[4]),
        n::__NR_remap_file_pages => mm::remap_file_pages(a[0], a[1], a[2], a[3], a[4] as u32),
        n::__NR_msync => mm::msync(a[0], a[1], a[2] as u32),
        // processes
        n::__NR_exit => process::exit(a[0] as i32),
        n::__NR_exit_group => process::exit_group(a[0] as i32),
        n::__NR_clone => process::clone(tf, a[0], a[1], a[2], a[3], a[4]),
        n::__NR_clone3 => process::clone3(tf, a[0], a[1]),
        n::__NR_unshare => process::unshare(a[0] as u64),
        n::__NR_execve => process::execve(tf, a[0], a[1], a[2]),
        n::__NR_wait4 => process::wait4(a[0] as i32, a[1], a[2] as u32, a[3]),
        n::__NR_set_tid_address => process::set_tid_address(a[0]),
        n::__NR_set_robust_list => futex::set_robust_list(a[0], a[1]),
        n::__NR_get_robust_list => futex::get_robust_list(a[0] as i32, a[1], a[2]),
        n::__NR_futex => futex::futex(a[0], a[1] as u32, a[2] as u32, a[3], a[4], a[5] as u32),
        n::__NR_futex_waitv => futex::futex_waitv(a[0], a[1], a[2] as u32, a[3], a[4] as u32),
        n::__NR_getpid => process::getpid(),
        n::__NR_getppid => process::getppid(),
        n::__NR_gettid => process::gettid(),
        n::__NR_getuid | n::__NR_geteuid | n::__NR_getgid | n::__NR_getegid => ids::getid(nr),
        n::__NR_getresuid | n::__NR_getresgid => ids::getresid(nr, a[0], a[1], a[2]),
        n::__NR_setuid | n::__NR_setgid => ids::setid(nr, a[0] as u32),
        n::__NR_setresuid | n::__NR_setresgid => {
            ids::setresid(nr, a[0] as u32, a[1] as u32, a[2] as u32)
        }
        n::__NR_getgroups => ids::getgroups(a[0] as i32, a[1]),
        n::__NR_setgroups => ids::setgroups(a[0] as i32, a[1]),
        n::__NR_setreuid | n::__NR_setregid => ids::setreid(nr, a[0] as u32, a[1] as u32),
        n::__NR_setpgid => ids::setpgid(a[0] as i32, a[1] as i32),
        n::__NR_getpgid => ids::getpgid(a[0] as i32),
        n::__NR_getsid => ids::getsid(a[0] as i32),
        n::__NR_setsid => ids::setsid(),
        n::__NR_prlimit64 => process::prlimit64(a[0] as i32, a[1] as u32, a[2], a[3]),
        n::__NR_getrlimit => process::prlimit64(0, a[0] as u32, 0, a[1]),
        n::__NR_setrlimit => process::prlimit64(0, a[0] as u32, a[1], 0),
        n::__NR_prctl => control::prctl(a[0] as u32, a[1]),
        n::__NR_sched_yield => control::sched_yield(),
        n::__NR_sched_getaffinity => control::sched_getaffinity(a[0] as i32, a[1], a[2]),
        n::__NR_getcpu => control::getcpu(a[0], a[1]),
        n::__NR_sched_setaffinity => control::sched_setaffinity(a[0] as i32, a[1], a[2]),
        n::__NR_sysinfo => control::sysinfo(a[0]),
        n::__NR_syslog => control::syslog(a[0] as i32, a[1], a[2] as i32),
        n::__NR_getpriority => control::getpriority(a[0] as u32, a[1] as i32),
        n::__NR_setpriority => control::setpriority(a[0] as u32, a[1] as i32, a[2] as i32),
        n::__NR_uname => process::uname(a[0]),
        n::__NR_getrandom => process::getrandom(a[0], a[1], a[2] as u32),
        // signals
        n::__NR_kill => signal::kill(a[0] as i32, a[1]),
        // System V IPC
        n::__NR_msgget => ipc::msgget(a[0] as i32, a[1] as u32),
        n::__NR_msgsnd => ipc::msgsnd(a[0] as i32, a[1], a[2], a[3] as u32),
        n::__NR_msgrcv => ipc::msgrcv(a[0] as i32, a[1], a[2], a[3] as i64, a[4] as u32),
        n::__NR_msgctl => ipc::msgctl(a[0] as i32, a[1] as i32, a[2]),
        n::__NR_semget => ipc::semget(a[0] as i32, a[1] as i32, a[2] as u32),
        n::__NR_semop => ipc::semtimedop(a[0] as i32, a[1], a[2], 0),
        n::__NR_semtimedop => ipc::semtimedop(a[0] as i32, a[1], a[2], a[3]),
        n::__NR_semctl => ipc::semctl(a[0] as i32, a[1] as i32, a[2] as i32, a[3]),
        n::__NR_shmget => ipc::shmget(a[0] as i32, a[1], a[2] as u32),
        n::__NR_shmat => ipc::shmat(a[0] as i32, a[1], a[2] as u32),
        n::__NR_shmdt => ipc::shmdt(a[0]),
        n::__NR_shmctl => ipc::shmctl(a[0] as i32, a[1] as i32, a[2]),
        // POSIX message queues
        n::__NR_mq_open => ipc::mq_open(a[0], a[1] as u32, a[2] as u32, a[3]),
        n::__NR_mq_unlink => ipc::mq_unlink(a[0]),
        n::__NR_mq_timedsend => ipc::mq_timedsend(a[0] as i32, a[1], a[2], a[3] as u32, a[4]),
        n::__NR_mq_timedreceive => ipc::mq_timedreceive(a[0] as i32, a[1], a[2], a[3], a[4]),
        n::__NR_mq_notify => ipc::mq_notify(a[0] as i32, a[1]),
        n::__NR_mq_getsetattr => ipc::mq_getsetattr(a[0] as i32, a[1], a[2]),
        n::__NR_tkill => signal::tkill(a[0] as i32, a[1]),
        n::__NR_tgkill => signal::tgkill(a[0] as i32, a[1] as i32, a[2]),
        n::__NR_rt_sigaction => signal::rt_sigaction(a[0], a[1], a[2], a[3]),
        n::__NR_rt_sigprocmask => signal::rt_sigprocmask(a[0] as u32, a[1], a[2], a[3]),
        n::__NR_rt_sigpending => signal::rt_sigpending(a[0], a[1]),
        n::__NR_rt_sigsuspend => signal::rt_sigsuspend(a[0], a[1]),
        n::__NR_rt_sigtimedwait => signal::rt_sigtimedwait(a[0], a[1], a[2], a[3]),
        n::__NR_rt_sigqueueinfo => signal::rt_sigqueueinfo(a[0] as i32, a[1], a[2]),
        n::__NR_rt_tgsigqueueinfo => {
            signal::rt_tgsigqueueinfo(a[0] as i32, a[1] as i32, a[2], a[3])
        }
        n::__NR_rt_sigreturn => signal::rt_sigreturn(tf),
        n::__NR_signalfd4 => {
            crate::signal::signalfd::signalfd4(a[0] as i32, a[1], a[2], a[3] as u32)
        }
        n::__NR_pidfd_open => crate::task::pidfd::pidfd_open(a[0] as i32, a[1] as u32),
        n::__NR_pidfd_send_signal => {
            signal::pidfd_send_signal(a[0] as i32, a[1], a[2], a[3] as u32)
        }
        n::__NR_sigaltstack => signal::sigaltstack(tf, a[0], a[1]),
        // sockets
        n::__NR_socket => net::socket(a[0] as i32, a[1] as i32, a[2] as i32),
        n::__NR_socketpair => net::socketpair(a[0] as i32, a[1] as i32, a[2] as i32, a[3]),
        n::__NR_bind => net::bind(a[0] as i32, a[1], a[2] as i32),
        n::__NR_getsockname => net::getsockname(a[0] as i32, a[1], a[2]),
        n::__NR_connect => net::connect(a[0] as i32, a[1], a[2] as i32),
        n::__NR_getpeername => net::getpeername(a[0] as i32, a[1], a[2]),
        n::__NR_getsockopt => net::getsockopt(a[0] as i32, a[1] as i32, a[2] as i32, a[3], a[4]),
        n::__NR_setsockopt => {
            net::setsockopt(a[0] as i32, a[1] as i32, a[2] as i32, a[3], a[4] as i32)
        }
        n::__NR_recvfrom => net::recvfrom(a[0] as i32, a[1], a[2], a[3] as u32, a[4], a[5]),
        n::__NR_recvmsg => net::recvmsg(a[0] as i32, a[1], a[2] as u32),
        n::__NR_sendto | n::__NR_sendmsg | n::__NR_listen | n::__NR_shutdown => {
            net::unsupported(a[0] as i32)
        }
        n::__NR_accept => net::accept4(a[0] as i32, 0),
        n::__NR_accept4 => net::accept4(a[0] as i32, a[3] as u32),
        // time
        n::__NR_clock_gettime => time::clock_gettime(a[0] as u32, a[1]),
        n::__NR_clock_getres => time::clock_getres(a[0] as u32, a[1]),
        n::__NR_gettimeofday => time::gettimeofday(a[0]),
        n::__NR_nanosleep => time::nanosleep(a[0], a[1]),
        n::__NR_clock_nanosleep => time::clock_nanosleep(a[0] as u32, a[1] as u32, a[2], a[3]),
        n::__NR_setitimer => time::setitimer(a[0] as u32, a[1], a[2]),
        n::__NR_getitimer => time::getitimer(a[0] as u32, a[1]),
        n::__NR_getrusage => time::getrusage(a[0] as i32, a[1]),
        n::__NR_times => time::times(a[0]),
        _ => {
            log::info!(
                "pid {}: unknown syscall {nr}",
                crate::task::current_process().pid
            );
            Err(ENOSYS)
        }
    };
    encode(r)
}
