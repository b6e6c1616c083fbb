//! Processes: the pid table, parent/child links, fork, exit and wait.

use super::sched::{self, current};
use super::thread::{Task, TaskState};
use super::wait::WaitQueue;
use crate::arch::cpu;
use crate::arch::trap::{TrapFrame, REG_A0, REG_SP, REG_TP};
use crate::fs::fdtable::FdTable;
use crate::mm::aspace::AddressSpace;
use crate::signal::{ProcessSignals, Signal};
use crate::errno::{Errno, SysResult, EAGAIN, ECHILD, ENOMEM};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use spin::Mutex;

pub type Pid = u32;

/// Largest pid handed out before wrapping (Linux's default pid_max).
const PID_MAX: Pid = 32768;
/// Most processes (live and zombie) at once: each costs a kernel stack and tables
/// from the kernel heap, so fork fails with EAGAIN beyond this (RLIMIT_NPROC's role).
const MAX_PROCESSES: usize = 1024;
/// Kernel heap a new process needs (records, descriptor table; its kernel stack is
/// page frames, not heap).
const FORK_HEAP_COST: usize = 16 * 1024;

/// Credentials of a process (all root for now; stored so permission checks have them).
#[derive(Clone, Copy, Debug, Default)]
pub struct Creds {
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
}

/// Where the process is in its life, as its parent's wait4 sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Life {
    Alive,
    /// Exited; holds the wait status word (exit code << 8, or the signal number).
    Zombie(i32),
}

/// A state change not yet collected by the parent's wait4 (WUNTRACED / WCONTINUED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    Stopped(u32),
    Continued,
}

pub struct Process {
    pub pid: Pid,
    pub parent: Mutex<Weak<Process>>,
    pub children: Mutex<Vec<Arc<Process>>>,
    pub threads: Mutex<Vec<Arc<Task>>>,
    aspace: Mutex<Arc<Mutex<AddressSpace>>>,
    pub fds: Mutex<FdTable>,
    pub cwd: Mutex<String>,
    pub umask: AtomicU32,
    /// Absolute path of the running program (/proc/PID/exe).
    pub exe: Mutex<String>,
    /// argv joined by NULs, as /proc/PID/cmdline shows it.
    pub cmdline: Mutex<Vec<u8>>,
    pub pgid: AtomicU32,
    pub sid: AtomicU32,
    pub creds: Mutex<Creds>,
    pub signals: Mutex<ProcessSignals>,
    pub life: Mutex<Life>,
    pub job_event: Mutex<Option<JobEvent>>,
    /// The parent sleeps here in wait4; children wake it on every state change.
    pub child_wait: WaitQueue,
    /// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here, not to init.
    pub subreaper: AtomicBool,
    /// Set when a vfork child has exec'd or exited, releasing its parent.
    pub vfork_released: AtomicBool,
    pub vfork_wait: WaitQueue,
    /// Set once the process has called execve (setpgid on it then fails with EACCES).
    pub did_exec: AtomicBool,
    pub real_timer: Mutex<crate::signal::RealTimer>,
    pub rlimits: Mutex<[linux_raw_sys::general::rlimit64; 16]>,
}

/// Linux's default resource limits (RLIMIT_CORE soft 0, RLIMIT_NOFILE 1024, 8 MiB stack).
fn default_rlimits() -> [linux_raw_sys::general::rlimit64; 16] {
    use linux_raw_sys::general as g;
    let inf = g::RLIM64_INFINITY as u64;
    let mut l = [g::rlimit64 {
        rlim_cur: inf,
        rlim_max: inf,
    }; 16];
    l[g::RLIMIT_CORE as usize].rlim_cur = 0;
    l[g::RLIMIT_STACK as usize].rlim_cur = crate::mm::aspace::STACK_SIZE as u64;
    l[g::RLIMIT_NOFILE as usize] = g::rlimit64 {
        rlim_cur: 1024,
        rlim_max: 4096,
    };
    l[g::RLIMIT_SIGPENDING as usize] = g::rlimit64 {
        rlim_cur: crate::signal::RLIMIT_SIGPENDING as u64,
        rlim_max: crate::signal::RLIMIT_SIGPENDING as u64,
    };
    l
}

static PROCESSES: Mutex<BTreeMap<Pid, Arc<Process>>> = Mutex::new(BTreeMap::new());
static LAST_PID: AtomicU32 = AtomicU32::new(0);

fn alloc_pid() -> SysResult<Pid> {
    let table = PROCESSES.lock();
    if table.len() >= MAX_PROCESSES {
        return Err(EAGAIN);
    }
    for _ in 0..PID_MAX {
        let prev = LAST_PID.load(Ordering::Relaxed);
        let pid = if prev >= PID_MAX - 1 { 2 } else { prev + 1 };
        LAST_PID.store(pid, Ordering::Relaxed);
        let in_use =
            table.contains_key(&pid) || table.values().any(|p| p.pgid() == pid || p.sid() == pid);
        if !in_use {
            return Ok(pid);
        }
    }
    Err(EAGAIN)
}

/// Looks up a live or zombie process.
pub fn find(pid: Pid) -> Option<Arc<Process>> {
    PROCESSES.lock().get(&pid).cloned()
}

/// Every process, in pid order (for /proc, kill -1 and process groups).
pub fn all() -> Vec<Arc<Process>> {
    PROCESSES.lock().values().cloned().collect()
}

pub fn init_process() -> Option<Arc<Process>> {
    find(1)
}

impl Process {
    fn new_record(pid: Pid, aspace: Arc<Mutex<AddressSpace>>, fds: FdTable) -> Arc<Process> {
        Arc::new(Process {
            pid,
            parent: Mutex::new(Weak::new()),
            children: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            aspace: Mutex::new(aspace),
            fds: Mutex::new(fds),
            cwd: Mutex::new(String::from("/")),
            umask: AtomicU32::new(0o022),
            exe: Mutex::new(String::new()),
            cmdline: Mutex::new(Vec::new()),
            pgid: AtomicU32::new(pid),
            sid: AtomicU32::new(pid),
            creds: Mutex::new(Creds::default()),
            signals: Mutex::new(ProcessSignals::default()),
            life: Mutex::new(Life::Alive),
            job_event: Mutex::new(None),
            child_wait: WaitQueue::new(),
            subreaper: AtomicBool::new(false),
            vfork_released: AtomicBool::new(false),
            vfork_wait: WaitQueue::new(),
            did_exec: AtomicBool::new(false),
            real_timer: Mutex::new(Default::default()),
            rlimits: Mutex::new(default_rlimits()),
        })
    }

    /// Creates pid 1 with an empty address space; its task starts in `entry`, which
    /// execs /bin/init.
    pub fn create_init(entry: extern "C" fn() -> !) -> SysResult<Arc<Process>> {
        let aspace = AddressSpace::new()?.into_shared()?;
        // Made at boot, with the memory it holds for good, rather than at the first exit.
        crate::mm::aspace::exited().ok_or(ENOMEM)?;
        LAST_PID.store(1, Ordering::Relaxed);
        let proc = Process::new_record(1, aspace, FdTable::default());
        let task = Task::with_entry(
            1,
            proc.clone(),
            TrapFrame::default(),
            Default::default(),
            entry,
        )
        .ok_or(ENOMEM)?;
        proc.threads.lock().push(task.clone());
        PROCESSES.lock().insert(1, proc.clone());
        sched::spawn(task);
        Ok(proc)
    }

    pub fn pgid(&self) -> Pid {
        self.pgid.load(Ordering::Relaxed)
    }

    pub fn sid(&self) -> Pid {
        self.sid.load(Ordering::Relaxed)
    }

    pub fn parent_pid(&self) -> Pid {
        self.parent.lock().upgrade().map_or(0, |p| p.pid)
    }

    pub fn aspace(&self) -> Arc<Mutex<AddressSpace>> {
        self.aspace.lock().clone()
    }

    /// Installs a new address space (execve) and switches this hart to it.
    pub fn replace_address_space(&self, new: Arc<Mutex<AddressSpace>>) {
        let old = core::mem::replace(&mut *self.aspace.lock(), new);
        self.activate_address_space();
        drop(old);
    }

    pub fn activate_address_space(&self) {
        cpu::activate_page_table(self.aspace.lock().lock().satp());
    }

    pub fn is_zombie(&self) -> bool {
        matches!(*self.life.lock(), Life::Zombie(_))
    }

    /// The main thread (Rill processes have one thread for now).
    pub fn main_thread(&self) -> Option<Arc<Task>> {
        self.threads.lock().first().cloned()
    }

    pub fn exe_changed_since_fork(&self) -> bool {
        self.did_exec.load(Ordering::Relaxed)
    }

    /// RLIMIT_CORE's soft limit: a core-dumping signal sets the wait status core bit
    /// only when this is non-zero (Rill writes no core file).
    pub fn core_limit(&self) -> u64 {
        self.rlimits.lock()[linux_raw_sys::general::RLIMIT_CORE as usize].rlim_cur
    }

    /// Short command name (/proc/PID/status Name: and comm): the program's basename.
    pub fn name(&self) -> String {
        let exe = self.exe.lock();
        let base = exe.rsplit('/').next().unwrap_or("");
        base.chars().take(15).collect()
    }
}

/// The clone(2) flags Rill honours when creating a process.
pub struct CloneArgs {
    pub share_vm: bool,
    pub vfork: bool,
    pub stack: usize,
    pub tls: Option<usize>,
    pub parent_tid: Option<usize>,
    pub child_tid_set: Option<usize>,
    pub child_tid_clear: Option<usize>,
}

/// Creates a child process of the current one (fork, vfork, clone without threads).
/// `tf` holds the caller's user registers; the child returns 0 from the same call.
pub fn fork(tf: &TrapFrame, args: CloneArgs) -> SysResult<Pid> {
    crate::mm::heap::reserve(FORK_HEAP_COST)?;
    let parent_task = current();
    let parent = parent_task.process.clone();
    let aspace = if args.share_vm {
        parent.aspace()
    } else {
        parent.aspace().lock().fork()?.into_shared()?
    };
    let pid = alloc_pid()?;
    let child = Process::new_record(pid, aspace, parent.fds.lock().clone());
    *child.parent.lock() = Arc::downgrade(&parent);
    *child.cwd.lock() = parent.cwd.lock().clone();
    child
        .umask
        .store(parent.umask.load(Ordering::Relaxed), Ordering::Relaxed);
    *child.exe.lock() = parent.exe.lock().clone();
    *child.cmdline.lock() = parent.cmdline.lock().clone();
    child.pgid.store(parent.pgid(), Ordering::Relaxed);
    child.sid.store(parent.sid(), Ordering::Relaxed);
    *child.creds.lock() = *parent.creds.lock();
    *child.signals.lock() = parent.signals.lock().fork();
    *child.rlimits.lock() = *parent.rlimits.lock();

    let mut ctf = *tf;
    ctf.regs[REG_A0] = 0;
    if args.stack != 0 {
        ctf.regs[REG_SP] = args.stack;
    }
    if let Some(tls) = args.tls {
        ctf.regs[REG_TP] = tls;
    }
    let thread_signals = parent_task.signals.lock().fork();
    let task = Task::new(pid, child.clone(), ctf, thread_signals).ok_or(ENOMEM)?;
    if let Some(addr) = args.child_tid_clear {
        task.clear_child_tid.store(addr, Ordering::Relaxed);
    }
    *task.fp.lock() = {
        let mut fp = *parent_task.fp.lock();
        fp.save();
        fp
    };
    // Like Linux, a bad tid address is not an error: the store is just skipped.
    if let Some(addr) = args.parent_tid {
        let _ = crate::mm::uaccess::write_val(addr, &pid);
    }
    if let Some(addr) = args.child_tid_set {
        // The child's memory: with a shared VM it is ours; otherwise write the copy.
        if args.share_vm {
            let _ = crate::mm::uaccess::write_val(addr, &pid);
        } else {
            let _ = child
                .aspace()
                .lock()
                .write_initial(addr, &pid.to_ne_bytes());
        }
    }
    child.threads.lock().push(task.clone());

    parent.children.lock().push(child.clone());
    PROCESSES.lock().insert(pid, child.clone());
    sched::spawn(task);

    if args.vfork {
        // The parent borrows nothing back until the child execs or exits; only SIGKILL
        // ends the wait early (and then kills the parent on the way out).
        let _ = super::wait::block_on_killable(&[&child.vfork_wait], || {
            child.vfork_released.load(Ordering::Acquire).then_some(())
        });
    }
    Ok(pid)
}

/// Releases a vfork parent (the child exec'd or exited).
pub fn release_vfork(proc: &Process) {
    if !proc.vfork_released.swap(true, Ordering::AcqRel) {
        proc.vfork_wait.wake_all();
    }
}

/// Encodes an exit for wait4: `(code & 0xff) << 8`.
pub fn exit_status(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// Encodes a death by signal for wait4, with the core-dump bit when `core`.
pub fn signal_status(sig: Signal, core: bool) -> i32 {
    sig.number() as i32 | if core { 0x80 } else { 0 }
}

/// Ends the current process with wait status `status` and never returns.
pub fn exit_current(status: i32) -> ! {
    let task = current();
    let proc = task.process.clone();

    let ctid = task.clear_child_tid.load(Ordering::Relaxed);
    if ctid != 0 {
        let _ = crate::mm::uaccess::write_val(ctid, &0u32);
        let _ = crate::ipc::futex::wake(ctid, 1, false);
    }

    // Close files first: this is what lets pipe readers see EOF.
    let files = core::mem::take(&mut *proc.fds.lock());
    drop(files);
    // Leave the address space on the kernel's page table before dropping it.
    cpu::activate_page_table(crate::mm::pagetable::kernel_satp());
    // With no page left even for an empty root, the old space stays until reaped.
    if let Some(empty) = crate::mm::aspace::exited() {
        *proc.aspace.lock() = empty;
    }
    release_vfork(&proc);
    finish_exit(task, proc, status)
}

fn finish_exit(task: Arc<Task>, proc: Arc<Process>, status: i32) -> ! {
    if proc.pid == 1 {
        let code = if status & 0x7f != 0 {
            128 + (status & 0x7f)
        } else {
            (status >> 8) & 0xff
        };
        log::info!("init exited with status {code}; powering off");
        crate::arch::sbi::shutdown(code as u8);
    }
    if let Some(key) = proc.real_timer.lock().key.take() {
        super::wait::cancel_timer(key);
    }
    if proc.sid() == proc.pid {
        crate::fs::tty::hang_up_session(proc.pid);
    }
    // Groups whose link to the rest of the session went through this process: its own
    // (when its parent is in another group of the session) and its children's (when
    // in another group than ours). If the exit orphans them, stopped jobs get SIGHUP.
    let (pgid, sid) = (proc.pgid(), proc.sid());
    let mut groups: Vec<Pid> = proc
        .children
        .lock()
        .iter()
        .filter(|c| c.pgid() != pgid && c.sid() == sid)
        .map(|c| c.pgid())
        .collect();
    let parent_links = proc
        .parent
        .lock()
        .upgrade()
        .is_some_and(|p| p.pgid() != pgid && p.sid() == sid);
    if parent_links {
        groups.push(pgid);
    }
    groups.sort_unstable();
    groups.dedup();
    reparent_children(&proc);
    *proc.life.lock() = Life::Zombie(status);
    for g in groups {
        crate::signal::hangup_if_orphaned(g, sid);
    }

    let parent = proc.parent.lock().upgrade();
    if let Some(parent) = parent {
        crate::signal::notify_parent_exit(&parent, &proc, status);
        if crate::signal::parent_reaps_automatically(&parent) {
            // SIGCHLD ignored or SA_NOCLDWAIT: no zombie is left for wait4.
            parent.children.lock().retain(|c| !Arc::ptr_eq(c, &proc));
            PROCESSES.lock().remove(&proc.pid);
            proc.threads.lock().clear();
        }
        parent.child_wait.wake_all();
    }
    *task.state.lock() = TaskState::Dead;
    drop(task);
    drop(proc);
    sched::block();
    unreachable!("a dead task was scheduled again");
}

/// Hands the children of an exiting process to the nearest subreaper ancestor or init.
fn reparent_children(proc: &Arc<Process>) {
    let children = core::mem::take(&mut *proc.children.lock());
    if children.is_empty() {
        return;
    }
    let mut reaper = proc.parent.lock().upgrade();
    while let Some(r) = reaper.clone() {
        if r.subreaper.load(Ordering::Relaxed) && !r.is_zombie() {
            break;
        }
        reaper = r.parent.lock().upgrade();
    }
    let Some(reaper) = reaper.or_else(init_process) else {
        return;
    };
    let mut any_zombie = false;
    for c in &children {
        *c.parent.lock() = Arc::downgrade(&reaper);
        any_zombie |= c.is_zombie();
    }
    reaper.children.lock().extend(children);
    if any_zombie {
        reaper.child_wait.wake_all();
    }
}

/// Which children a wait4 call selects.
#[derive(Clone, Copy)]
pub enum WaitTarget {
    Any,
    Pid(Pid),
    Group(Pid),
}

/// What wait4 found.
pub struct Reaped {
    pub pid: Pid,
    pub status: i32,
}

/// Options of wait4 that decide which state changes to report.
#[derive(Clone, Copy)]
pub struct WaitOptions {
    pub nohang: bool,
    pub untraced: bool,
    pub continued: bool,
}

fn matches(target: WaitTarget, c: &Process) -> bool {
    match target {
        WaitTarget::Any => true,
        WaitTarget::Pid(p) => c.pid == p,
        WaitTarget::Group(g) => c.pgid() == g,
    }
}

/// Collects one state change of a child selected by `target` (wait4's core).
/// Ok(None) means WNOHANG found nothing to report.
pub fn wait_child(target: WaitTarget, opts: WaitOptions) -> SysResult<Option<Reaped>> {
    let me = current().process.clone();
    let result = me
        .child_wait
        .wait_until(|| -> Option<Result<Option<Reaped>, Errno>> {
            let mut children = me.children.lock();
            let mut any = false;
            for (i, c) in children.iter().enumerate() {
                if !matches(target, c) {
                    continue;
                }
                any = true;
                let life = *c.life.lock();
                if let Life::Zombie(status) = life {
                    let pid = c.pid;
                    let child = children.remove(i);
                    PROCESSES.lock().remove(&pid);
                    // Break the process <-> thread cycle so both are freed now.
                    child.threads.lock().clear();
                    drop(child);
                    return Some(Ok(Some(Reaped { pid, status })));
                }
                let mut ev = c.job_event.lock();
                match *ev {
                    Some(JobEvent::Stopped(sig)) if opts.untraced => {
                        *ev = None;
                        return Some(Ok(Some(Reaped {
                            pid: c.pid,
                            status: ((sig as i32) << 8) | 0x7f,
                        })));
                    }
                    Some(JobEvent::Continued) if opts.continued => {
                        *ev = None;
                        return Some(Ok(Some(Reaped {
                            pid: c.pid,
                            status: 0xffff,
                        })));
                    }
                    _ => {}
                }
            }
            if !any {
                return Some(Err(ECHILD));
            }
            opts.nohang.then_some(Ok(None))
        })?;
    result
}
