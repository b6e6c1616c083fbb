//! Error numbers as Linux returns them (negated in a0).

use linux_raw_sys::errno as e;

/// A Linux error number (positive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u32);

macro_rules! errnos {
    ($($name:ident),* $(,)?) => { $( pub const $name: Errno = Errno(e::$name); )* };
}
errnos!(
    EPERM,
    ENOENT,
    ESRCH,
    EINTR,
    EIO,
    ENXIO,
    E2BIG,
    ENOEXEC,
    EBADF,
    ECHILD,
    EAGAIN,
    ENOMEM,
    EACCES,
    EFAULT,
    EBUSY,
    EEXIST,
    ENODEV,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENFILE,
    EMFILE,
    ENOTTY,
    EFBIG,
    ENOSPC,
    ESPIPE,
    EPIPE,
    ERANGE,
    ENODATA,
    ENAMETOOLONG,
    ENOSYS,
    ENOTEMPTY,
    ELOOP,
    ETIMEDOUT,
    EIDRM,
    ENOMSG,
    EMSGSIZE,
    EOVERFLOW,
    EOPNOTSUPP,
    ENOTSOCK,
    ENOPROTOOPT,
    EPROTONOSUPPORT,
    ESOCKTNOSUPPORT,
    EAFNOSUPPORT,
    EADDRINUSE,
    EROFS,
);

/// Kernel-internal: a blocking call was interrupted by a signal; the signal code turns
/// it into EINTR or a restart depending on SA_RESTART (Linux's ERESTARTSYS).
pub const ERESTARTSYS: Errno = Errno(512);
/// Kernel-internal: interrupted; EINTR if a handler runs (even with SA_RESTART),
/// restarted otherwise (sigsuspend, ppoll, pselect6: Linux's ERESTARTNOHAND).
pub const ERESTARTNOHAND: Errno = Errno(514);
/// Kernel-internal: like ERESTARTNOHAND, but the restarted call resumes with the
/// remaining time (nanosleep: Linux's ERESTART_RESTARTBLOCK).
pub const ERESTART_RESTARTBLOCK: Errno = Errno(516);

pub type SysResult<T = usize> = Result<T, Errno>;

/// Encodes a syscall result for a0.
pub fn encode(r: SysResult) -> usize {
    match r {
        Ok(v) => v,
        Err(Errno(n)) => (-(n as isize)) as usize,
    }
}
