//! Process system calls: clone (fork/vfork), execve, exit, wait4, resource limits and
//! a few informational calls (ids and process groups are in ids.rs, futexes in futex.rs).

use crate::arch::trap::TrapFrame;
use crate::errno::*;
use crate::fs::path::{resolve_at, AT_FDCWD, PATH_MAX};
use crate::mm::uaccess::{
    read_array, read_cstr, read_ptr_array, read_val, write_val, UserSliceMut,
};
use crate::task::exit::{self, exit_status, WaitOptions, WaitTarget};
use crate::task::process::{self, CloneArgs};
use crate::task::{current, current_process, exec, with_current, Pid};
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use linux_raw_sys::general as g;

pub fn exit(code: i32) -> SysResult {
    exit::exit_thread(exit_status(code))
}

pub fn exit_group(code: i32) -> SysResult {
    exit::exit_group(exit_status(code))
}

/// What clone and clone3 ask for, once their arguments are read (Linux's
/// kernel_clone_args).
struct CloneRequest {
    flags: u64,
    exit_signal: u64,
    /// The child's stack pointer (0: the caller's).
    stack: usize,
    tls: usize,
    parent_tid: usize,
    child_tid: usize,
    pidfd: usize,
}

/// clone(flags, stack, parent_tid, tls, child_tid): Linux's argument order on riscv.
pub fn clone(
    tf: &TrapFrame,
    flags: usize,
    stack: usize,
    ptid: usize,
    tls: usize,
    ctid: usize,
) -> SysResult {
    let flags = flags as u32;
    // The legacy call puts the pidfd where the parent tid goes, so both cannot be asked.
    if flags & g::CLONE_PIDFD != 0 && flags & g::CLONE_PARENT_SETTID != 0 {
        return Err(EINVAL);
    }
    spawn(
        tf,
        CloneRequest {
            flags: (flags & !g::CSIGNAL) as u64,
            exit_signal: (flags & g::CSIGNAL) as u64,
            stack,
            tls,
            parent_tid: ptid,
            child_tid: ctid,
            pidfd: ptid,
        },
    )
}

/// clone3(args, size): the arguments in a `struct clone_args` that may be shorter (an
/// older program) or longer (a newer one, if the extra bytes are zero) than Rill's.
pub fn clone3(tf: &TrapFrame, addr: usize, size: usize) -> SysResult {
    let ksize = core::mem::size_of::<g::clone_args>();
    // Linux's copy_clone_args_from_user and copy_struct_from_user.
    if size > crate::mm::PAGE_SIZE {
        return Err(E2BIG);
    }
    if size < g::CLONE_ARGS_SIZE_VER0 as usize {
        return Err(EINVAL);
    }
    let bytes = read_array::<u8>(addr, size)?;
    if bytes.iter().skip(ksize).any(|&b| b != 0) {
        return Err(E2BIG);
    }
    let mut words = [0u64; core::mem::size_of::<g::clone_args>() / 8];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        *word = u64::from_ne_bytes(b);
    }
    let [flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup] =
        words;
    let args = g::clone_args {
        flags,
        pidfd,
        child_tid,
        parent_tid,
        exit_signal,
        stack,
        stack_size,
        tls,
        set_tid,
        set_tid_size,
        cgroup,
    };
    // MAX_PID_NS_LEVEL bounds set_tid; the exit signal must be a valid signal number.
    if args.set_tid_size > 32 || (args.set_tid == 0) != (args.set_tid_size == 0) {
        return Err(EINVAL);
    }
    if args.exit_signal & !(g::CSIGNAL as u64) != 0 || args.exit_signal > g::_NSIG as u64 {
        return Err(EINVAL);
    }
    if args.flags & g::CLONE_INTO_CGROUP != 0
        && (args.cgroup > i32::MAX as u64 || size < g::CLONE_ARGS_SIZE_VER2 as usize)
    {
        return Err(EINVAL);
    }
    // Linux's clone3_args_valid: only known flags, none of the bits clone3 freed (the
    // old exit-signal byte but CLONE_NEWTIME, CLONE_DETACHED), a stack given with its
    // size, and no exit signal for a thread.
    let known = 0xffff_ffff | g::CLONE_CLEAR_SIGHAND | g::CLONE_INTO_CGROUP;
    let freed = (g::CLONE_DETACHED | (g::CSIGNAL & !g::CLONE_NEWTIME)) as u64;
    let sighand = g::CLONE_SIGHAND as u64 | g::CLONE_CLEAR_SIGHAND;
    let stack_valid = if args.stack == 0 {
        args.stack_size == 0
    } else {
        args.stack_size != 0 && args.stack.checked_add(args.stack_size).is_some()
    };
    if args.flags & !known != 0
        || args.flags & freed != 0
        || args.flags & sighand == sighand
        || (args.flags & (g::CLONE_THREAD | g::CLONE_PARENT) as u64 != 0 && args.exit_signal != 0)
        || !stack_valid
    {
        return Err(EINVAL);
    }
    if args.set_tid != 0 || args.flags & g::CLONE_INTO_CGROUP != 0 {
        log::info!("clone3: set_tid and cgroups are not supported");
        return Err(EINVAL);
    }
    spawn(
        tf,
        CloneRequest {
            flags: args.flags,
            exit_signal: args.exit_signal,
            // The stack grows down from the end of the area.
            stack: (args.stack + args.stack_size) as usize,
            tls: args.tls as usize,
            parent_tid: args.parent_tid as usize,
            child_tid: args.child_tid as usize,
            pidfd: args.pidfd as usize,
        },
    )
}

/// Checks a clone request as Linux's copy_process and starts the thread or process.
fn spawn(tf: &TrapFrame, req: CloneRequest) -> SysResult {
    let flags = req.flags;
    let has = |f: u32| flags & f as u64 != 0;
    let supported = (g::CLONE_VM
        | g::CLONE_VFORK
        | g::CLONE_SETTLS
        | g::CLONE_PARENT_SETTID
        | g::CLONE_CHILD_SETTID
        | g::CLONE_CHILD_CLEARTID
        | g::CLONE_THREAD
        | g::CLONE_SIGHAND
        | g::CLONE_FILES
        | g::CLONE_FS
        | g::CLONE_SYSVSEM
        | g::CLONE_PIDFD
        | g::CLONE_PARENT) as u64
        | g::CLONE_CLEAR_SIGHAND;
    // Linux's rules: a thread shares the handlers, and shared handlers need shared memory.
    if has(g::CLONE_NEWNS) && has(g::CLONE_FS) {
        return Err(EINVAL);
    }
    if has(g::CLONE_THREAD) && !has(g::CLONE_SIGHAND) {
        return Err(EINVAL);
    }
    if has(g::CLONE_SIGHAND) && !has(g::CLONE_VM) {
        return Err(EINVAL);
    }
    if has(g::CLONE_PIDFD) && has(g::CLONE_THREAD) {
        return Err(EINVAL);
    }
    if flags & !supported != 0 {
        log::info!("clone: flags {flags:#x} are not supported");
        return Err(EINVAL);
    }
    let thread = has(g::CLONE_THREAD);
    // Rill tells a parent of every child's end with SIGCHLD: other exit signals are
    // refused, and 0 (no signal, a "clone child" for wait4) is taken as SIGCHLD.
    if !thread && req.exit_signal != 0 && req.exit_signal != g::SIGCHLD as u64 {
        log::info!("clone: exit signal {} is not supported", req.exit_signal);
        return Err(EINVAL);
    }
    let args = CloneArgs {
        share_vm: has(g::CLONE_VM),
        share_files: has(g::CLONE_FILES),
        share_fs: has(g::CLONE_FS),
        share_sighand: has(g::CLONE_SIGHAND),
        vfork: has(g::CLONE_VFORK),
        stack: req.stack,
        tls: has(g::CLONE_SETTLS).then_some(req.tls),
        parent_tid: has(g::CLONE_PARENT_SETTID).then_some(req.parent_tid),
        child_tid_set: has(g::CLONE_CHILD_SETTID).then_some(req.child_tid),
        child_tid_clear: has(g::CLONE_CHILD_CLEARTID).then_some(req.child_tid),
        pidfd: has(g::CLONE_PIDFD).then_some(req.pidfd),
        clear_sighand: flags & g::CLONE_CLEAR_SIGHAND != 0,
        sibling: has(g::CLONE_PARENT) && !thread,
    };
    if thread {
        return process::spawn_thread(tf, args).map(|tid| tid as usize);
    }
    process::fork(tf, args).map(|pid| pid as usize)
}

/// The namespace flags of clone and unshare: Rill has none to make.
const NAMESPACES: u32 = g::CLONE_NEWNS
    | g::CLONE_NEWUTS
    | g::CLONE_NEWIPC
    | g::CLONE_NEWNET
    | g::CLONE_NEWUSER
    | g::CLONE_NEWPID
    | g::CLONE_NEWCGROUP
    | g::CLONE_NEWTIME;

/// unshare(2): the caller stops sharing its descriptor table (CLONE_FILES) or cwd and
/// umask (CLONE_FS). As Linux's check_unshare_flags, CLONE_THREAD, CLONE_SIGHAND and
/// CLONE_VM succeed only when there is nothing to unshare (one thread, a handler table
/// and an address space of its own); namespaces, which Rill does not have, are EINVAL.
pub fn unshare(flags: u64) -> SysResult {
    let known = NAMESPACES
        | g::CLONE_THREAD
        | g::CLONE_FS
        | g::CLONE_SIGHAND
        | g::CLONE_VM
        | g::CLONE_FILES
        | g::CLONE_SYSVSEM;
    if flags & !(known as u64) != 0 {
        return Err(EINVAL);
    }
    let mut flags = flags as u32;
    // What each flag implies, in Linux's order.
    if flags & g::CLONE_NEWUSER != 0 {
        flags |= g::CLONE_THREAD | g::CLONE_FS;
    }
    if flags & g::CLONE_VM != 0 {
        flags |= g::CLONE_SIGHAND;
    }
    if flags & g::CLONE_SIGHAND != 0 {
        flags |= g::CLONE_THREAD;
    }
    if flags & g::CLONE_NEWNS != 0 {
        flags |= g::CLONE_FS;
    }
    let task = current();
    let proc = &task.process;
    if flags & g::CLONE_THREAD != 0 && proc.threads.lock().len() > 1 {
        return Err(EINVAL);
    }
    if flags & (g::CLONE_SIGHAND | g::CLONE_VM) != 0 && proc.signals.lock().handlers_shared() {
        return Err(EINVAL);
    }
    // The process's own reference and the one just taken.
    if flags & g::CLONE_VM != 0 && alloc::sync::Arc::strong_count(&proc.aspace()) > 2 {
        return Err(EINVAL);
    }
    if flags & NAMESPACES != 0 {
        log::info!("unshare: namespaces ({flags:#x}) are not supported");
        return Err(EINVAL);
    }
    if flags & g::CLONE_FS != 0 {
        task.unshare_fs()?;
    }
    if flags & g::CLONE_FILES != 0 {
        task.unshare_files()?;
    }
    // CLONE_SYSVSEM: a process's semaphore undo list is its own already.
    Ok(0)
}

/// Reads an argv/envp-style string array (NULL array = empty), charging each string
/// and pointer to `budget`: E2BIG once the arguments would exceed it, before the
/// kernel has copied more than that much.
fn string_array(addr: usize, budget: &mut usize) -> SysResult<Vec<Vec<u8>>> {
    if addr == 0 {
        return Ok(Vec::new());
    }
    let ptrs = read_ptr_array(addr, *budget / core::mem::size_of::<usize>())?;
    let mut out = Vec::with_capacity(ptrs.len());
    for p in ptrs {
        let s = read_cstr(p, exec::MAX_ARG_STRLEN).map_err(|e| {
            if e == ENAMETOOLONG {
                E2BIG
            } else {
                e
            }
        })?;
        *budget = budget
            .checked_sub(s.len() + 1 + core::mem::size_of::<usize>())
            .ok_or(E2BIG)?;
        out.push(s.into_bytes());
    }
    Ok(out)
}

pub fn execve(
    tf: &mut TrapFrame,
    path_addr: usize,
    argv_addr: usize,
    envp_addr: usize,
) -> SysResult {
    if let Some(sig) = execve_from_user(tf, path_addr, argv_addr, envp_addr)? {
        die_of(sig);
    }
    // The new program's a0 is 0; returning it keeps the dispatcher's write harmless.
    Ok(0)
}

/// Ends the current process as Linux's force_fatal_sig does after a failed exec. Called
/// with nothing of the exec left on the stack, since it does not return.
pub fn die_of(sig: crate::signal::Signal) -> ! {
    let core = current_process().core_limit() > 0;
    exit::exit_group(exit::signal_status(sig, core))
}

fn execve_from_user(
    tf: &mut TrapFrame,
    path_addr: usize,
    argv_addr: usize,
    envp_addr: usize,
) -> SysResult<Option<crate::signal::Signal>> {
    let path_str = read_cstr(path_addr, PATH_MAX)?;
    let proc = current_process();
    // A process that setuid made one too many of its new user's processes may not
    // exec while the user is still over RLIMIT_NPROC (Linux's PF_NPROC_EXCEEDED).
    if proc.nproc_exceeded.load(Ordering::Relaxed) && process::over_nproc(&proc) {
        return Err(EAGAIN);
    }
    proc.nproc_exceeded.store(false, Ordering::Relaxed);
    drop(proc);
    crate::mm::heap::reserve(exec::EXEC_HEAP_COST)?;
    let mut budget = exec::MAX_ARGS_BYTES;
    let mut argv = string_array(argv_addr, &mut budget)?;
    let envp = string_array(envp_addr, &mut budget)?;
    // Linux runs a program given no arguments with argv[0] = "".
    if argv.is_empty() {
        argv.push(Vec::new());
    }
    let mut path = path_str.clone();
    // /proc/PID/exe names the running program's file.
    if let Some(target) = crate::fs::procfs::readlink(&resolve_at(AT_FDCWD, &path_str)?) {
        let target = target?;
        // A relative tmpfs link is followed by the lookup itself.
        if target.starts_with('/') {
            path = target;
        }
    }
    let args = exec::Args {
        argv,
        envp,
        execfn: path_str.into_bytes(),
    };
    exec_path(tf, &path, args)
}

/// Replaces the current program with the one at `path`; on success `tf` holds the new
/// program's registers. Some(signal) when the new image cannot run and Linux would
/// kill the process (the caller does, once its own locals are gone).
pub fn exec_path(
    tf: &mut TrapFrame,
    path: &str,
    args: exec::Args,
) -> SysResult<Option<crate::signal::Signal>> {
    let prepared = exec::prepare(path, args)?;
    let proc = current_process();
    let creds = *proc.creds.lock();
    let image = match exec::load(&prepared, &creds) {
        Ok(image) => image,
        Err(exec::LoadError::NoMemory) => return Err(ENOMEM),
        Err(exec::LoadError::Fatal(sig)) => return Ok(Some(sig)),
    };
    let new_tf = exec::initial_frame(&image);
    // The point of no return: the other threads end and this one takes the pid.
    exit::become_sole_thread()?;
    proc.replace_address_space(image.aspace.into_shared()?);
    *proc.exe.lock() = prepared.program.path;
    // The new program's name replaces any prctl(PR_SET_NAME) one.
    *current().name.lock() = None;
    *proc.args.lock() = image.args;
    // The new program's descriptors are its own (Linux's unshare_files): closing the
    // close-on-exec ones must not close them for a process that shared the table.
    // Past the point of no return a failure kills, as Linux's bprm_execve.
    let Ok(files) = current().unshare_files() else {
        return Ok(Some(crate::signal::Signal::SIGSEGV));
    };
    let closed = files.lock().close_on_exec();
    drop(closed);
    proc.signals.lock().reset_for_exec();
    {
        let task = current();
        let mut ts = task.signals.lock();
        ts.altstack = crate::signal::AltStack::default();
        task.clear_child_tid.store(0, Ordering::Relaxed);
        task.robust_list.store(0, Ordering::Relaxed);
        // Dispositions changed: what is pending may now act differently.
        task.recheck_signals();
        let mut fp = task.fp.lock();
        *fp = Default::default();
        fp.restore();
    }
    proc.did_exec.store(true, Ordering::Relaxed);
    process::release_vfork(&proc);
    *tf = new_tf;
    Ok(None)
}

pub fn wait4(pid: i32, status_addr: usize, options: u32, rusage: usize) -> SysResult {
    if options & !(g::WNOHANG | g::WUNTRACED | g::WCONTINUED | g::__WALL | g::__WCLONE) != 0 {
        return Err(EINVAL);
    }
    let target = match pid {
        -1 => WaitTarget::Any,
        0 => WaitTarget::Group(current_process().pgid()),
        p if p > 0 => WaitTarget::Pid(p as Pid),
        p => WaitTarget::Group(p.unsigned_abs()),
    };
    let opts = WaitOptions {
        nohang: options & g::WNOHANG != 0,
        untraced: options & g::WUNTRACED != 0,
        continued: options & g::WCONTINUED != 0,
    };
    match exit::wait_child(target, opts)? {
        None => Ok(0),
        Some(r) => {
            // The child is reaped even if the status cannot be stored (as Linux).
            if status_addr != 0 {
                write_val(status_addr, &r.status)?;
            }
            if rusage != 0 {
                UserSliceMut::new(rusage, 144)?.write(0, &[0u8; 144])?;
            }
            Ok(r.pid as usize)
        }
    }
}

pub fn set_tid_address(addr: usize) -> SysResult {
    let task = current();
    task.clear_child_tid.store(addr, Ordering::Relaxed);
    Ok(task.tid() as usize)
}

pub fn getpid() -> SysResult {
    Ok(with_current(|t| t.process.pid) as usize)
}

pub fn getppid() -> SysResult {
    Ok(with_current(|t| t.process.parent_pid()) as usize)
}

pub fn gettid() -> SysResult {
    Ok(with_current(|t| t.tid()) as usize)
}

pub fn prlimit64(pid: i32, resource: u32, new: usize, old: usize) -> SysResult {
    let proc = if pid == 0 {
        current_process()
    } else {
        process::find(pid as Pid).ok_or(ESRCH)?
    };
    if resource >= g::RLIM_NLIMITS {
        return Err(EINVAL);
    }
    let new_limit: Option<g::rlimit64> = if new != 0 { Some(read_val(new)?) } else { None };
    if let Some(l) = &new_limit {
        if l.rlim_cur > l.rlim_max {
            return Err(EINVAL);
        }
    }
    let cur = proc.rlimits.lock()[resource as usize];
    let root = proc.creds.lock().euid == 0;
    if new_limit.is_some_and(|l| l.rlim_max > cur.rlim_max && !root) {
        return Err(EPERM);
    }
    // Not even root goes past fs.nr_open.
    if resource == g::RLIMIT_NOFILE
        && new_limit.is_some_and(|l| l.rlim_max > crate::fs::fdtable::NR_OPEN as u64)
    {
        return Err(EPERM);
    }
    if old != 0 {
        write_val(old, &cur)?;
    }
    if let Some(l) = new_limit {
        proc.rlimits.lock()[resource as usize] = l;
    }
    Ok(0)
}

fn field<const N: usize>(s: &str) -> [core::ffi::c_char; N] {
    let mut out = [0 as core::ffi::c_char; N];
    for (o, b) in out.iter_mut().zip(s.bytes().take(N - 1)) {
        *o = b as core::ffi::c_char;
    }
    out
}

pub fn uname(buf: usize) -> SysResult {
    let u = linux_raw_sys::system::new_utsname {
        sysname: field("Linux"),
        nodename: field("rill"),
        release: field("6.1.0-rill"),
        version: field("#1 Rill"),
        machine: field("riscv64"),
        domainname: field("(none)"),
    };
    write_val(buf, &u)?;
    Ok(0)
}

pub fn getrandom(buf: usize, len: usize, flags: u32) -> SysResult {
    if flags & !(g::GRND_NONBLOCK | g::GRND_RANDOM | g::GRND_INSECURE) != 0 {
        return Err(EINVAL);
    }
    let out = UserSliceMut::new(buf, len)?;
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len());
        crate::random::fill(&mut chunk[..n]);
        out.write(done, &chunk[..n])?;
        done += n;
    }
    Ok(len)
}
