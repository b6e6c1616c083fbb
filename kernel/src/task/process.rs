//! Processes: the pid table, parent/child links, sessions and groups, fork and threads
//! (exit and wait are in exit.rs).

use super::sched::{self, current};
use super::thread::Task;
use super::wait::WaitQueue;
use crate::arch::spinlock::Mutex;
use crate::arch::trap::{TrapFrame, REG_A0, REG_SP, REG_TP};
use crate::errno::{SysResult, EAGAIN, EINTR, EINVAL, ENOMEM, EPERM};
use crate::fs::fdtable::FdTable;
use crate::mm::aspace::AddressSpace;
use crate::signal::{ProcessSignals, ThreadSignals};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

pub type Pid = u32;

/// Largest pid handed out before wrapping (Linux's default pid_max).
pub const PID_MAX: Pid = 32768;
/// Kernel heap a new process needs (records, descriptor table; its kernel stack is
/// page frames, not heap).
const FORK_HEAP_COST: usize = 16 * 1024;
/// Linux sizes threads-max so that thread stacks (THREAD_SIZE, 16 KiB on riscv64) fill
/// at most an eighth of memory, and never below MIN_THREADS.
const LINUX_THREAD_SIZE: usize = 16 * 1024;
const MIN_THREADS: usize = 20;
/// Kernel heap a new thread needs (its record and table entry; its kernel stack is
/// page frames).
const THREAD_HEAP_COST: usize = 4 * 1024;
/// Kernel heap a new entry in the process table's maps may take.
const TABLE_ENTRY_COST: usize = 1024;

/// threads-max: the most processes (live and zombie) at once, derived from memory as
/// Linux derives it; fork fails with EAGAIN beyond it. RLIMIT_NPROC defaults to half.
pub fn max_threads() -> usize {
    let bytes = crate::mm::frame::ram_pages() * crate::mm::PAGE_SIZE;
    (bytes / (LINUX_THREAD_SIZE * 8)).max(MIN_THREADS)
}

/// Live and zombie tasks (processes and their other threads): sysinfo's `procs`, which
/// Linux takes from its thread count.
pub fn task_count() -> usize {
    let t = TABLE.lock();
    t.procs.len() + t.threads.len()
}

/// The pid handed out last (/proc/loadavg's last field).
pub fn last_pid() -> Pid {
    TABLE.lock().last_pid
}

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

/// How a thread group is ending or being taken over (Linux's signal_group_exit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupExit {
    None,
    /// exit_group or a fatal signal: every thread ends; the process's status is this.
    Exiting(i32),
    /// A thread is in execve: the others end, the process lives on.
    Exec,
}

/// A state change not yet collected by the parent's wait4 (WUNTRACED / WCONTINUED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    Stopped(u32),
    Continued,
}

pub struct Process {
    pub pid: Pid,
    /// Set only through `set_parent`, which keeps `ppid` with it.
    pub parent: Mutex<Weak<Process>>,
    /// The parent's pid, for getppid without the lock and reference count.
    ppid: AtomicU32,
    pub children: Mutex<Vec<Arc<Process>>>,
    pub threads: Mutex<Vec<Arc<Task>>>,
    pub(super) aspace: Mutex<Arc<Mutex<AddressSpace>>>,
    /// Absolute path of the running program (/proc/PID/exe).
    pub exe: Mutex<String>,
    /// Where the program's arguments lie in its memory (/proc/PID/cmdline reads them).
    pub args: Mutex<super::exec::ArgArea>,
    pub pgid: AtomicU32,
    pub sid: AtomicU32,
    pub creds: Mutex<Creds>,
    /// Supplementary group ids (setgroups), sorted as Linux keeps them; shared, as
    /// Linux's group_info, until a setgroups replaces them.
    pub groups: Mutex<Arc<[u32]>>,
    pub signals: Mutex<ProcessSignals>,
    pub life: Mutex<Life>,
    pub job_event: Mutex<Option<JobEvent>>,
    /// The parent sleeps here in wait4; children wake it on every state change.
    pub child_wait: WaitQueue,
    /// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here, not to init.
    pub subreaper: AtomicBool,
    /// The nice value (-20..=19) of setpriority; inherited by fork.
    pub nice: core::sync::atomic::AtomicI32,
    /// Set when a vfork child has exec'd or exited, releasing its parent.
    pub vfork_released: AtomicBool,
    pub vfork_wait: WaitQueue,
    /// Its tasks that have made their exit visible but whose hart has not yet switched
    /// away from them and freed them (several harts only; see `sched::exit_visible`).
    pub exits_unreleased: AtomicUsize,
    /// Set once the process has called execve (setpgid on it then fails with EACCES).
    pub did_exec: AtomicBool,
    /// setuid made this process one too many for its new user's RLIMIT_NPROC: execve
    /// fails with EAGAIN while the user stays over the limit (Linux's PF_NPROC_EXCEEDED).
    pub nproc_exceeded: AtomicBool,
    pub real_timer: Mutex<crate::signal::RealTimer>,
    /// User and system time used, and the CPU-time interval timers.
    pub cpu: super::cputime::CpuAccount,
    pub rlimits: Mutex<[linux_raw_sys::general::rlimit64; 16]>,
    pub group_exit: Mutex<GroupExit>,
    /// An exec'ing thread sleeps here until the other threads are gone.
    pub thread_exit_wait: WaitQueue,
    /// A stop signal holds the whole group until SIGCONT (each thread stops on its way
    /// back to user mode).
    pub group_stop: AtomicBool,
}

/// Linux's default resource limits (RLIMIT_CORE soft 0, RLIMIT_NOFILE 1024, 8 MiB stack,
/// RLIMIT_MSGQUEUE 800 KiB).
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
    l[g::RLIMIT_MSGQUEUE as usize] = g::rlimit64 {
        rlim_cur: crate::ipc::mq_limits::MQ_BYTES_MAX,
        rlim_max: crate::ipc::mq_limits::MQ_BYTES_MAX,
    };
    let nproc = (max_threads() / 2) as u64;
    l[g::RLIMIT_NPROC as usize] = g::rlimit64 {
        rlim_cur: nproc,
        rlim_max: nproc,
    };
    l
}

/// How a pid is used besides naming its process: as the id of process groups and
/// sessions, which keep it from being handed out again until their last member is
/// reaped (as on Linux).
#[derive(Default)]
struct IdUse {
    /// A process has this pid, or a fork in progress is about to give it.
    process: bool,
    group_members: u32,
    /// The session of the group with this id (a group never spans sessions).
    group_session: Pid,
    session_members: u32,
}

/// The process table: every live or zombie process, plus the counts that let pid
/// allocation, setsid, setpgid and RLIMIT_NPROC answer without walking the processes.
pub(super) struct Table {
    procs: BTreeMap<Pid, Arc<Process>>,
    /// Threads other than the one whose tid is their process's pid, with the real uid
    /// they are counted under.
    threads: BTreeMap<Pid, (Arc<Process>, u32)>,
    /// Every pid in use as a process, group or session id.
    ids: BTreeMap<Pid, IdUse>,
    /// Processes per real uid (zombies and forks in progress included).
    per_uid: BTreeMap<u32, u64>,
    /// Forks holding a pid that are not in `procs` yet.
    pending: usize,
    last_pid: Pid,
}

pub(super) static TABLE: Mutex<Table> = Mutex::new(Table {
    procs: BTreeMap::new(),
    threads: BTreeMap::new(),
    ids: BTreeMap::new(),
    per_uid: BTreeMap::new(),
    pending: 0,
    last_pid: 0,
});

impl Table {
    /// The next pid after the last one handed out that no process, group or session
    /// uses. At most a few steps: only ids in use are skipped, each found in the map.
    fn free_pid(&mut self) -> Option<Pid> {
        let mut pid = self.last_pid;
        for _ in 0..PID_MAX {
            pid = if pid >= PID_MAX - 1 { 2 } else { pid + 1 };
            if !self.ids.contains_key(&pid) {
                self.last_pid = pid;
                return Some(pid);
            }
        }
        None
    }

    fn join(&mut self, pgid: Pid, sid: Pid) {
        let group = self.ids.entry(pgid).or_default();
        if group.group_members == 0 {
            group.group_session = sid;
        }
        group.group_members += 1;
        self.ids.entry(sid).or_default().session_members += 1;
    }

    fn leave(&mut self, pgid: Pid, sid: Pid) {
        if let Some(group) = self.ids.get_mut(&pgid) {
            group.group_members = group.group_members.saturating_sub(1);
        }
        if let Some(session) = self.ids.get_mut(&sid) {
            session.session_members = session.session_members.saturating_sub(1);
        }
        self.forget_if_unused(pgid);
        self.forget_if_unused(sid);
    }

    fn forget_if_unused(&mut self, id: Pid) {
        if self
            .ids
            .get(&id)
            .is_some_and(|u| !u.process && u.group_members == 0 && u.session_members == 0)
        {
            self.ids.remove(&id);
        }
    }

    fn count_uid(&mut self, uid: u32) -> u64 {
        self.per_uid.get(&uid).copied().unwrap_or(0)
    }

    fn add_uid(&mut self, uid: u32) {
        *self.per_uid.entry(uid).or_default() += 1;
    }

    fn remove_uid(&mut self, uid: u32) {
        if let Some(n) = self.per_uid.get_mut(&uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_uid.remove(&uid);
            }
        }
    }

    /// Enters a process whose pid is already marked in use.
    fn insert(&mut self, proc: Arc<Process>) {
        self.join(proc.pgid(), proc.sid());
        self.add_uid(proc.creds.lock().uid);
        self.procs.insert(proc.pid, proc);
    }

    /// Takes a reaped process out, giving back its pid and its group and session uses.
    pub(super) fn remove(&mut self, proc: &Process) {
        self.procs.remove(&proc.pid);
        if let Some(u) = self.ids.get_mut(&proc.pid) {
            u.process = false;
        }
        self.leave(proc.pgid(), proc.sid());
        self.forget_if_unused(proc.pid);
        let uid = proc.creds.lock().uid;
        self.remove_uid(uid);
    }

    /// Gives back the tid of a thread that ended (or took over its process's pid).
    pub(super) fn remove_thread(&mut self, tid: Pid) {
        if let Some((_, uid)) = self.threads.remove(&tid) {
            if let Some(u) = self.ids.get_mut(&tid) {
                u.process = false;
            }
            self.forget_if_unused(tid);
            self.remove_uid(uid);
        }
    }
}

/// A pid and a process slot held for a fork in progress; dropped unused, it gives both
/// back.
struct ForkSlot {
    pid: Pid,
    uid: u32,
    used: bool,
}

impl ForkSlot {
    /// Checks RLIMIT_NPROC and threads-max for a fork by `parent`, then takes a pid.
    fn take(parent: &Process) -> SysResult<ForkSlot> {
        let creds = *parent.creds.lock();
        let limit = parent.rlimits.lock()[linux_raw_sys::general::RLIMIT_NPROC as usize].rlim_cur;
        let mut t = TABLE.lock();
        // The real user's processes count; root, real or effective, is exempt.
        if t.count_uid(creds.uid) >= limit && creds.uid != 0 && creds.euid != 0 {
            return Err(EAGAIN);
        }
        if t.procs.len() + t.threads.len() + t.pending >= max_threads() {
            return Err(EAGAIN);
        }
        let pid = t.free_pid().ok_or(EAGAIN)?;
        t.ids.entry(pid).or_default().process = true;
        t.add_uid(creds.uid);
        t.pending += 1;
        Ok(ForkSlot {
            pid,
            uid: creds.uid,
            used: false,
        })
    }

    /// Enters the new process into the table in the slot's place.
    fn fill(mut self, child: Arc<Process>) {
        let mut t = TABLE.lock();
        t.pending -= 1;
        t.remove_uid(self.uid);
        t.insert(child);
        self.used = true;
    }

    /// Enters a new thread of `proc` in the slot's place (it keeps its user's count).
    fn fill_thread(mut self, proc: Arc<Process>) {
        let mut t = TABLE.lock();
        t.pending -= 1;
        t.threads.insert(self.pid, (proc, self.uid));
        self.used = true;
    }
}

impl Drop for ForkSlot {
    fn drop(&mut self) {
        if self.used {
            return;
        }
        let mut t = TABLE.lock();
        t.pending -= 1;
        if let Some(u) = t.ids.get_mut(&self.pid) {
            u.process = false;
        }
        t.forget_if_unused(self.pid);
        t.remove_uid(self.uid);
    }
}

/// Looks up a live or zombie process by its pid, or by the tid of one of its threads
/// (as Linux's find_task_by_vpid: kill and sigqueue to a thread's id signal its process).
pub fn find(pid: Pid) -> Option<Arc<Process>> {
    let t = TABLE.lock();
    t.procs
        .get(&pid)
        .or_else(|| t.threads.get(&pid).map(|e| &e.0))
        .cloned()
}

/// Looks up a live thread of any process by its tid.
pub fn find_thread(tid: Pid) -> Option<Arc<Task>> {
    let proc = find(tid)?;
    let task = proc.threads.lock().iter().find(|t| t.tid() == tid).cloned();
    task
}

/// Every process, in pid order (for /proc, kill -1 and process groups).
pub fn all() -> Vec<Arc<Process>> {
    TABLE.lock().procs.values().cloned().collect()
}

/// Every live thread of every process.
pub fn all_tasks() -> Vec<Arc<Task>> {
    all()
        .iter()
        .flat_map(|p| p.threads.lock().clone())
        .collect()
}

/// Moves `proc` into the process group `pgid` (setpgid). A group other than the
/// process's own pid must already exist in the process's session (EPERM otherwise).
pub fn set_pgid(proc: &Process, pgid: Pid) -> SysResult<()> {
    let mut t = TABLE.lock();
    let sid = proc.sid();
    if pgid != proc.pid {
        let exists = t
            .ids
            .get(&pgid)
            .is_some_and(|g| g.group_members > 0 && g.group_session == sid);
        if !exists {
            return Err(EPERM);
        }
    }
    t.leave(proc.pgid(), sid);
    proc.pgid.store(pgid, Ordering::Relaxed);
    t.join(pgid, sid);
    Ok(())
}

/// Makes `proc` the leader of a new session and process group (setsid); EPERM if some
/// process's group already has its pid as id.
pub fn new_session(proc: &Process) -> SysResult<Pid> {
    let mut t = TABLE.lock();
    if t.ids.get(&proc.pid).is_some_and(|u| u.group_members > 0) {
        return Err(EPERM);
    }
    t.leave(proc.pgid(), proc.sid());
    proc.sid.store(proc.pid, Ordering::Relaxed);
    proc.pgid.store(proc.pid, Ordering::Relaxed);
    t.join(proc.pid, proc.pid);
    Ok(proc.pid)
}

/// Moves `proc` from real uid `old` to `new` in the per-user counts (setuid). As
/// Linux's set_user, a new user already over RLIMIT_NPROC does not fail the call but
/// marks the process, whose next execve then fails while the user stays over.
pub fn change_real_uid(proc: &Process, old: u32, new: u32) -> SysResult<()> {
    crate::mm::heap::reserve(TABLE_ENTRY_COST)?;
    let limit = proc.rlimits.lock()[linux_raw_sys::general::RLIMIT_NPROC as usize].rlim_cur;
    let mut t = TABLE.lock();
    let over = new != 0 && t.count_uid(new) > limit;
    proc.nproc_exceeded.store(over, Ordering::Relaxed);
    t.remove_uid(old);
    t.add_uid(new);
    Ok(())
}

/// Whether `proc`'s real user has more processes than its RLIMIT_NPROC.
pub fn over_nproc(proc: &Process) -> bool {
    let uid = proc.creds.lock().uid;
    let limit = proc.rlimits.lock()[linux_raw_sys::general::RLIMIT_NPROC as usize].rlim_cur;
    TABLE.lock().count_uid(uid) > limit
}

pub fn init_process() -> Option<Arc<Process>> {
    find(1)
}

impl Process {
    fn new_record(pid: Pid, aspace: Arc<Mutex<AddressSpace>>) -> Arc<Process> {
        Arc::new(Process {
            pid,
            parent: Mutex::new(Weak::new()),
            ppid: AtomicU32::new(0),
            children: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            aspace: Mutex::new(aspace),
            exe: Mutex::new(String::new()),
            args: Mutex::new(Default::default()),
            pgid: AtomicU32::new(pid),
            sid: AtomicU32::new(pid),
            creds: Mutex::new(Creds::default()),
            groups: Mutex::new(Arc::from([])),
            signals: Mutex::new(ProcessSignals::default()),
            life: Mutex::new(Life::Alive),
            job_event: Mutex::new(None),
            child_wait: WaitQueue::new(),
            subreaper: AtomicBool::new(false),
            nice: core::sync::atomic::AtomicI32::new(0),
            vfork_released: AtomicBool::new(false),
            vfork_wait: WaitQueue::new(),
            exits_unreleased: AtomicUsize::new(0),
            did_exec: AtomicBool::new(false),
            nproc_exceeded: AtomicBool::new(false),
            real_timer: Mutex::new(Default::default()),
            cpu: Default::default(),
            rlimits: Mutex::new(default_rlimits()),
            group_exit: Mutex::new(GroupExit::None),
            thread_exit_wait: WaitQueue::new(),
            group_stop: AtomicBool::new(false),
        })
    }

    /// Creates pid 1 with an empty address space; its task starts in `entry`, which
    /// execs /bin/init.
    pub fn create_init(entry: extern "C" fn() -> !) -> SysResult<Arc<Process>> {
        let aspace = AddressSpace::new()?.into_shared()?;
        // Made at boot, with the memory it holds for good, rather than at the first exit.
        crate::mm::aspace::exited().ok_or(ENOMEM)?;
        let proc = Process::new_record(1, aspace);
        let task = Task::with_entry(
            1,
            proc.clone(),
            TrapFrame::default(),
            Default::default(),
            entry,
        )
        .ok_or(ENOMEM)?;
        *task.files.lock() = Arc::new(Mutex::new(FdTable::default()));
        *task.fs.lock() = super::shared::FsContext::initial();
        proc.threads.lock().push(task.clone());
        {
            let mut t = TABLE.lock();
            t.ids.entry(1).or_default().process = true;
            t.last_pid = 1;
            t.insert(proc.clone());
        }
        sched::spawn(task);
        Ok(proc)
    }

    pub fn pgid(&self) -> Pid {
        self.pgid.load(Ordering::Relaxed)
    }

    pub fn sid(&self) -> Pid {
        self.sid.load(Ordering::Relaxed)
    }

    /// The parent's pid (0 for init). A parent stays alive while it has children: an
    /// exiting process hands them to a reaper first.
    pub fn parent_pid(&self) -> Pid {
        self.ppid.load(Ordering::Relaxed)
    }

    /// Makes `parent` this process's parent (fork, reparenting at a parent's exit).
    pub fn set_parent(&self, parent: &Arc<Process>) {
        let mut p = self.parent.lock();
        *p = Arc::downgrade(parent);
        self.ppid.store(parent.pid, Ordering::Relaxed);
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
        let space = {
            let current = self.aspace.lock();
            // The common case (a thread of the same process, or a task switched back
            // to) costs no reference count.
            if crate::mm::tlb::is_active(&current) {
                return;
            }
            current.clone()
        };
        // Switched outside the lock: the space this hart leaves may be freed here.
        crate::mm::tlb::activate(space);
    }

    pub fn is_zombie(&self) -> bool {
        matches!(*self.life.lock(), Life::Zombie(_))
    }

    /// The thread that stands for the process (the leader while it lives, otherwise the
    /// oldest thread): its mask decides whether a signal sent to the process is ignored,
    /// and /proc/PID shows its descriptors and umask.
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
    /// CLONE_FILES, CLONE_FS, CLONE_SIGHAND: the child uses its creator's descriptor
    /// table, cwd and umask, handler table rather than copies.
    pub share_files: bool,
    pub share_fs: bool,
    pub share_sighand: bool,
    pub vfork: bool,
    pub stack: usize,
    pub tls: Option<usize>,
    pub parent_tid: Option<usize>,
    pub child_tid_set: Option<usize>,
    pub child_tid_clear: Option<usize>,
    /// CLONE_PIDFD: where the parent's new pidfd for the child is stored.
    pub pidfd: Option<usize>,
    /// CLONE_CLEAR_SIGHAND: the child's handlers go back to SIG_DFL (ignored stay).
    pub clear_sighand: bool,
    /// CLONE_PARENT: the child is the caller's sibling, not its child.
    pub sibling: bool,
}

/// The descriptor table and fs context of a new task: its creator's, or copies of them
/// (Linux's copy_files and copy_fs).
fn clone_shared(
    creator: &Task,
    args: &CloneArgs,
) -> SysResult<(super::shared::Files, Arc<super::shared::FsContext>)> {
    let files = creator.files();
    let files = if args.share_files {
        files
    } else {
        super::shared::copy_files(&files)?
    };
    let fs = creator.fs();
    let fs = if args.share_fs { fs } else { fs.copy()? };
    Ok((files, fs))
}

/// The registers a new child or thread starts with: the caller's, with clone's result 0
/// and the stack and TLS clone was given.
fn child_frame(tf: &TrapFrame, args: &CloneArgs) -> TrapFrame {
    let mut ctf = *tf;
    ctf.regs[REG_A0] = 0;
    if args.stack != 0 {
        ctf.regs[REG_SP] = args.stack;
    }
    if let Some(tls) = args.tls {
        ctf.regs[REG_TP] = tls;
    }
    ctf
}

/// Creates a child process of the current one (fork, vfork, clone without threads).
/// `tf` holds the caller's user registers; the child returns 0 from the same call.
pub fn fork(tf: &TrapFrame, args: CloneArgs) -> SysResult<Pid> {
    crate::mm::heap::reserve(FORK_HEAP_COST)?;
    let parent_task = current();
    let parent = parent_task.process.clone();
    // Whose child the new process is: ours, or with CLONE_PARENT our parent's (init,
    // which has none, may not ask).
    let adopter = if args.sibling {
        parent.parent.lock().upgrade().ok_or(EINVAL)?
    } else {
        parent.clone()
    };
    let slot = ForkSlot::take(&parent)?;
    let pid = slot.pid;
    let aspace = if args.share_vm {
        parent.aspace()
    } else {
        parent.aspace().lock().fork()?.into_shared()?
    };
    let (files, fs) = clone_shared(&parent_task, &args)?;
    let child = Process::new_record(pid, aspace);
    child.set_parent(&adopter);
    *child.exe.lock() = parent.exe.lock().clone();
    *child.args.lock() = *parent.args.lock();
    child.pgid.store(parent.pgid(), Ordering::Relaxed);
    child.sid.store(parent.sid(), Ordering::Relaxed);
    *child.creds.lock() = *parent.creds.lock();
    *child.groups.lock() = parent.groups.lock().clone();
    *child.signals.lock() = parent.signals.lock().fork(args.share_sighand)?;
    if args.clear_sighand {
        // Linux's flush_signal_handlers, as exec does.
        child.signals.lock().reset_for_exec();
    }
    *child.rlimits.lock() = *parent.rlimits.lock();
    child
        .nice
        .store(parent.nice.load(Ordering::Relaxed), Ordering::Relaxed);

    let ctf = child_frame(tf, &args);
    let thread_signals = parent_task.signals.lock().fork();
    let task = Task::new(pid, child.clone(), ctf, thread_signals).ok_or(ENOMEM)?;
    *task.files.lock() = files;
    *task.fs.lock() = fs;
    *task.name.lock() = *parent_task.name.lock();
    if let Some(addr) = args.child_tid_clear {
        task.clear_child_tid.store(addr, Ordering::Relaxed);
    }
    *task.fp.lock() = {
        let mut fp = *parent_task.fp.lock();
        fp.save();
        fp
    };
    if let Some(addr) = args.pidfd {
        // Only the parent gets the descriptor; unlike the tid stores, a bad address
        // fails the clone (Linux's put_user in copy_process).
        let fd = super::pidfd::install(&child, 0)?;
        if let Err(e) = crate::mm::uaccess::write_val(addr, &fd) {
            let _ = parent_task.files().lock().remove(fd);
            return Err(e);
        }
    }
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

    adopter.children.lock().push(child.clone());
    slot.fill(child.clone());
    sched::spawn(task);

    if args.vfork {
        // The parent borrows nothing back until the child execs or exits; only SIGKILL
        // ends the wait early (and then kills the parent on the way out).
        let _ = super::wait::block_on_killable("vfork", &[&child.vfork_wait], || {
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

/// Creates a thread of the current process (clone with CLONE_THREAD): it shares
/// everything but its tid, registers, kernel stack, mask and pending queue.
pub fn spawn_thread(tf: &TrapFrame, args: CloneArgs) -> SysResult<Pid> {
    crate::mm::heap::reserve(THREAD_HEAP_COST)?;
    let parent_task = current();
    let proc = parent_task.process.clone();
    let slot = ForkSlot::take(&proc)?;
    let tid = slot.pid;
    let ctf = child_frame(tf, &args);
    // The mask is inherited; the alternate stack is not (it lies in shared memory).
    let signals = ThreadSignals {
        blocked: parent_task.signals.lock().blocked,
        ..Default::default()
    };
    let (files, fs) = clone_shared(&parent_task, &args)?;
    let task = Task::new(tid, proc.clone(), ctf, signals).ok_or(ENOMEM)?;
    *task.files.lock() = files;
    *task.fs.lock() = fs;
    *task.name.lock() = *parent_task.name.lock();
    if let Some(addr) = args.child_tid_clear {
        task.clear_child_tid.store(addr, Ordering::Relaxed);
    }
    *task.fp.lock() = {
        let mut fp = *parent_task.fp.lock();
        fp.save();
        fp
    };
    for addr in [args.parent_tid, args.child_tid_set].into_iter().flatten() {
        let _ = crate::mm::uaccess::write_val(addr, &tid);
    }
    {
        // Under the threads lock, so that an exit_group either sees the new thread
        // (and kills it) or is seen here.
        let mut threads = proc.threads.lock();
        if *proc.group_exit.lock() != GroupExit::None {
            return Err(EINTR);
        }
        threads.try_reserve(1).map_err(|_| ENOMEM)?;
        threads.push(task.clone());
    }
    slot.fill_thread(proc);
    sched::spawn(task);
    Ok(tid)
}
