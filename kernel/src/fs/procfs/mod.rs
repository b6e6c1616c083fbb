//! /proc: files generated from live kernel state on every read. This file holds the
//! node type, the directory tree (lookup, readdir, links, permissions), reads and writes,
//! and the mount; pid.rs renders the per-process files and sys.rs the system-wide ones.

mod pid;
mod sys;

pub use sys::{CpuIdent, CPU};

use pid::{
    comm, fd_file, fd_info, fd_link_mode, fd_link_target, read_cmdline, stat, status, thread_of,
};
use sys::{cpuinfo, loadavg, meminfo, mountinfo, sys_stat, uptime};

use super::file::File;
use super::vfs::{
    alloc_ino, DirEntry, DirLink, Inode, Metadata, Parent, FIRST_ENTRY_POS, S_IFDIR, S_IFLNK,
    S_IFREG,
};
use crate::errno::{SysResult, EACCES, EINVAL, EISDIR, ENOENT, ENOMEM, ESRCH};
use crate::ipc::limits::Tunable;
use crate::ipc::mq_limits::MqTunable;
use crate::ipc::pipe::PipeTunable;
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::task::{current_process, process, Pid, Process};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Once;

/// /proc's file system id (see `Inode::fs_id`).
pub const FS_ID: u32 = 1;

/// What a /proc node shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    MemInfo,
    Uptime,
    /// /proc/loadavg: the load averages, running/total tasks and the last pid.
    LoadAvg,
    /// /proc/PID/mountinfo: the mount table in its detailed form (df reads it).
    MountInfo,
    /// /proc/PID/wchan: the name of what the thread sleeps on, or "0".
    Wchan(Pid),
    /// /proc/PID/mounts: the mounted file systems (one table: Rill has no mount
    /// namespaces).
    Mounts,
    /// /proc/mounts: a link to self/mounts, as on Linux.
    MountsLink,
    /// /proc/cpuinfo: the hart Rill runs on, in Linux riscv64's format.
    CpuInfo,
    PidDir(Pid),
    Status(Pid),
    /// /proc/PID/comm: the thread's name (PR_SET_NAME), or its program's.
    Comm(Pid),
    Cmdline(Pid),
    Stat(Pid),
    /// The link to the program the process runs.
    Exe(Pid),
    /// The process's mappings, in Linux's format.
    Maps(Pid),
    /// /proc/sysvipc and its tables of System V objects.
    SysvipcDir,
    Sysvipc(IpcKind),
    /// /proc/sys, /proc/sys/kernel and its IPC tunables.
    SysDir,
    SysKernelDir,
    Tunable(Tunable),
    /// /proc/sys/fs: the pipe tunables, and mqueue with the POSIX queue limits.
    SysFsDir,
    FsTunable(PipeTunable),
    SysFsMqueueDir,
    MqTunable(MqTunable),
    /// /proc/sys/kernel/pid_max and threads-max: Rill's fixed process limits.
    PidMax,
    ThreadsMax,
    /// /proc/PID/fd: a link per open descriptor.
    FdDir(Pid),
    Fd(Pid, i32),
    /// /proc/PID/task: a directory per thread, named by its tid.
    TaskDir(Pid),
    /// /proc/stat: CPU time of the whole system and the boot time.
    SysStat,
    /// /proc/PID/fdinfo: a file per open descriptor with its offset and flags.
    FdInfoDir(Pid),
    FdInfo(Pid, i32),
}

impl Node {
    /// The nodes getdents64 lists and read(2) refuses with EISDIR.
    fn is_dir(&self) -> bool {
        matches!(
            self,
            Node::Root
                | Node::PidDir(_)
                | Node::SysvipcDir
                | Node::SysDir
                | Node::SysKernelDir
                | Node::SysFsDir
                | Node::SysFsMqueueDir
                | Node::FdDir(_)
                | Node::FdInfoDir(_)
                | Node::TaskDir(_)
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IpcKind {
    Msg,
    Sem,
    Shm,
}

struct ProcNode {
    node: Node,
    ino: u64,
}

fn node(n: Node) -> Arc<dyn Inode> {
    Arc::new(ProcNode {
        node: n,
        ino: alloc_ino(),
    })
}

/// /proc itself: one node, so that `..` from /proc/PID leads to the same directory.
static PROC_ROOT: Once<Arc<dyn Inode>> = Once::new();
/// Where /proc is entered in the root file system.
static ROOT_LINK: DirLink = DirLink::new();

pub fn mount(root: &Arc<dyn Inode>) {
    let proc_root = PROC_ROOT.call_once(|| node(Node::Root));
    // The initramfs may hold an empty directory where /proc goes.
    let _ = root.unlink("proc", true);
    if let Err(e) = root.link("proc", proc_root.clone()) {
        log::warn!("cannot mount /proc: {e:?}");
    }
}

fn live(pid: Pid) -> SysResult<Arc<Process>> {
    process::find(pid).ok_or(ENOENT)
}

/// The target of the link (/proc/PID/exe or a tmpfs link) that `path` names, if it
/// names one.
pub fn readlink(path: &super::path::PathAt) -> Option<SysResult<String>> {
    super::path::lookup_link(path).ok()?.readlink()
}

impl ProcNode {
    fn content(&self) -> SysResult<Vec<u8>> {
        Ok(match self.node {
            Node::MemInfo => meminfo().into_bytes(),
            Node::Uptime => uptime().into_bytes(),
            Node::LoadAvg => loadavg().into_bytes(),
            Node::MountInfo => mountinfo()?.into_bytes(),
            // Linux prints the name without a newline.
            Node::Wchan(pid) => {
                let p = live(pid)?;
                thread_of(pid, &p)
                    .map_or("0", |t| crate::task::wchan::of(&t))
                    .as_bytes()
                    .to_vec()
            }
            Node::Mounts => super::mount::proc_text()?.into_bytes(),
            Node::SysStat => sys_stat().into_bytes(),
            Node::FdInfo(pid, fd) => fd_info(pid, fd)?.into_bytes(),
            Node::CpuInfo => cpuinfo().into_bytes(),
            Node::Status(pid) => status(pid, &*live(pid)?).into_bytes(),
            Node::Stat(pid) => stat(pid, &*live(pid)?).into_bytes(),
            Node::Comm(pid) => format!("{}\n", comm(pid, &*live(pid)?)).into_bytes(),
            // Not generated text: `read` copies it from the process's memory.
            Node::Cmdline(_) => return Err(EINVAL),
            Node::Sysvipc(IpcKind::Msg) => crate::ipc::msg::proc_text().into_bytes(),
            Node::Sysvipc(IpcKind::Sem) => crate::ipc::sem::proc_text().into_bytes(),
            Node::Sysvipc(IpcKind::Shm) => crate::ipc::shm::proc_text()?.into_bytes(),
            Node::Tunable(t) => t.read().into_bytes(),
            Node::MqTunable(t) => t.read().into_bytes(),
            Node::FsTunable(t) => t.read().into_bytes(),
            Node::PidMax => format!("{}\n", process::PID_MAX).into_bytes(),
            Node::ThreadsMax => format!("{}\n", process::max_threads()).into_bytes(),
            // `File::read` makes only the part it is asked for.
            Node::Maps(_) => return Err(EINVAL),
            // Path lookups follow the link; the link itself has no content.
            Node::Exe(_) | Node::Fd(..) | Node::MountsLink => return Err(EINVAL),
            // What is left are the directories (`Node::is_dir`).
            _ => return Err(EISDIR),
        })
    }

    /// The fixed entries of a directory, from position FIRST_ENTRY_POS on.
    fn fixed_entries(&self) -> &'static [(&'static str, u32)] {
        match self.node {
            Node::Root => &[
                ("meminfo", S_IFREG),
                ("uptime", S_IFREG),
                ("loadavg", S_IFREG),
                ("mounts", S_IFLNK),
                ("stat", S_IFREG),
                ("cpuinfo", S_IFREG),
                ("self", S_IFDIR),
                ("sysvipc", S_IFDIR),
                ("sys", S_IFDIR),
            ],
            Node::SysvipcDir => &[("msg", S_IFREG), ("sem", S_IFREG), ("shm", S_IFREG)],
            Node::SysDir => &[("kernel", S_IFDIR), ("fs", S_IFDIR)],
            Node::SysFsDir => &[
                ("mqueue", S_IFDIR),
                ("pipe-max-size", S_IFREG),
                ("pipe-user-pages-soft", S_IFREG),
            ],
            Node::SysFsMqueueDir => &[
                ("msg_default", S_IFREG),
                ("msg_max", S_IFREG),
                ("msgsize_default", S_IFREG),
                ("msgsize_max", S_IFREG),
                ("queues_max", S_IFREG),
            ],
            Node::SysKernelDir => &[
                ("msgmax", S_IFREG),
                ("msgmnb", S_IFREG),
                ("msgmni", S_IFREG),
                ("sem", S_IFREG),
                ("shmall", S_IFREG),
                ("shmmax", S_IFREG),
                ("shmmni", S_IFREG),
                ("pid_max", S_IFREG),
                ("threads-max", S_IFREG),
            ],
            Node::PidDir(_) => &[
                ("status", S_IFREG),
                ("comm", S_IFREG),
                ("cmdline", S_IFREG),
                ("stat", S_IFREG),
                ("exe", S_IFLNK),
                ("maps", S_IFREG),
                ("fd", S_IFDIR),
                ("task", S_IFDIR),
                ("fdinfo", S_IFDIR),
                ("mounts", S_IFREG),
                ("mountinfo", S_IFREG),
                ("wchan", S_IFREG),
            ],
            _ => &[],
        }
    }
}

impl Inode for ProcNode {
    fn metadata(&self) -> Metadata {
        let (mode, nlink) = match self.node {
            // Only the owner may look at a process's descriptors.
            Node::FdDir(_) | Node::FdInfoDir(_) => (S_IFDIR | 0o500, 2),
            _ if self.node.is_dir() => (S_IFDIR | 0o555, 2),
            Node::Tunable(_) | Node::MqTunable(_) | Node::FsTunable(_) => (S_IFREG | 0o644, 1),
            Node::Exe(_) | Node::MountsLink => (S_IFLNK | 0o777, 1),
            // The link's permission bits say how the descriptor was opened.
            Node::Fd(pid, fd) => (S_IFLNK | fd_link_mode(pid, fd), 1),
            _ => (S_IFREG | 0o444, 1),
        };
        Metadata {
            ino: self.ino,
            mode,
            nlink,
            ..Default::default()
        }
    }

    fn parent(&self) -> Option<Parent> {
        match self.node {
            Node::Root => ROOT_LINK.get(),
            Node::PidDir(pid) => Some(Parent {
                dir: PROC_ROOT.get()?.clone(),
                name: Arc::from(pid.to_string().as_str()),
            }),
            Node::SysvipcDir => Some(Parent {
                dir: PROC_ROOT.get()?.clone(),
                name: Arc::from("sysvipc"),
            }),
            Node::SysDir => Some(Parent {
                dir: PROC_ROOT.get()?.clone(),
                name: Arc::from("sys"),
            }),
            Node::SysKernelDir => Some(Parent {
                dir: node(Node::SysDir),
                name: Arc::from("kernel"),
            }),
            Node::SysFsDir => Some(Parent {
                dir: node(Node::SysDir),
                name: Arc::from("fs"),
            }),
            Node::SysFsMqueueDir => Some(Parent {
                dir: node(Node::SysFsDir),
                name: Arc::from("mqueue"),
            }),
            Node::FdDir(pid) => Some(Parent {
                dir: node(Node::PidDir(pid)),
                name: Arc::from("fd"),
            }),
            Node::TaskDir(pid) => Some(Parent {
                dir: node(Node::PidDir(pid)),
                name: Arc::from("task"),
            }),
            Node::FdInfoDir(pid) => Some(Parent {
                dir: node(Node::PidDir(pid)),
                name: Arc::from("fdinfo"),
            }),
            _ => None,
        }
    }

    fn set_parent(&self, parent: Parent) {
        if self.node == Node::Root {
            ROOT_LINK.set(parent);
        }
    }

    fn is_removed(&self) -> bool {
        match self.node {
            Node::PidDir(pid) | Node::FdDir(pid) | Node::FdInfoDir(pid) | Node::TaskDir(pid) => {
                live(pid).is_err()
            }
            _ => false,
        }
    }

    /// Opening a tunable with O_TRUNC (fopen's "w") truncates nothing, as on Linux.
    fn truncate(&self, len: u64) -> SysResult<()> {
        match self.node {
            Node::Tunable(_) | Node::MqTunable(_) | Node::FsTunable(_) if len == 0 => Ok(()),
            _ => Err(EINVAL),
        }
    }

    fn fs_id(&self) -> u32 {
        FS_ID
    }

    fn follow_link(&self) -> Option<Arc<dyn Inode>> {
        match self.node {
            Node::Fd(pid, fd) => fd_file(pid, fd).ok()?.inode.clone(),
            _ => None,
        }
    }

    fn readlink(&self) -> Option<SysResult<String>> {
        match self.node {
            Node::Exe(pid) => Some(live(pid).map(|p| p.exe.lock().clone())),
            Node::Fd(pid, fd) => Some(fd_file(pid, fd).and_then(|f| fd_link_target(&f))),
            Node::MountsLink => Some(Ok(String::from("self/mounts"))),
            _ => None,
        }
    }

    fn open(self: Arc<Self>, flags: u32) -> SysResult<Arc<dyn File>> {
        let reading = flags & linux_raw_sys::general::O_ACCMODE == linux_raw_sys::general::O_RDONLY;
        // Only the tunables can be written, and only by root (their mode is 0644).
        let writable = matches!(
            self.node,
            Node::Tunable(_) | Node::MqTunable(_) | Node::FsTunable(_)
        ) && current_process().creds.lock().euid == 0;
        if !reading && !writable {
            return Err(EACCES);
        }
        Ok(self)
    }

    fn lookup(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        match self.node {
            Node::Root => match name {
                "meminfo" => Ok(node(Node::MemInfo)),
                "uptime" => Ok(node(Node::Uptime)),
                "loadavg" => Ok(node(Node::LoadAvg)),
                "mounts" => Ok(node(Node::MountsLink)),
                "stat" => Ok(node(Node::SysStat)),
                "cpuinfo" => Ok(node(Node::CpuInfo)),
                "sysvipc" => Ok(node(Node::SysvipcDir)),
                "sys" => Ok(node(Node::SysDir)),
                "self" => Ok(node(Node::PidDir(current_process().pid))),
                _ => {
                    let pid: Pid = name.parse().map_err(|_| ENOENT)?;
                    live(pid)?;
                    Ok(node(Node::PidDir(pid)))
                }
            },
            Node::SysvipcDir => match name {
                "msg" => Ok(node(Node::Sysvipc(IpcKind::Msg))),
                "sem" => Ok(node(Node::Sysvipc(IpcKind::Sem))),
                "shm" => Ok(node(Node::Sysvipc(IpcKind::Shm))),
                _ => Err(ENOENT),
            },
            Node::SysDir => match name {
                "kernel" => Ok(node(Node::SysKernelDir)),
                "fs" => Ok(node(Node::SysFsDir)),
                _ => Err(ENOENT),
            },
            Node::SysFsDir => match name {
                "mqueue" => Ok(node(Node::SysFsMqueueDir)),
                _ => PipeTunable::ALL
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, t)| node(Node::FsTunable(t)))
                    .ok_or(ENOENT),
            },
            Node::SysFsMqueueDir => MqTunable::ALL
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, t)| node(Node::MqTunable(t)))
                .ok_or(ENOENT),
            Node::SysKernelDir => match name {
                "pid_max" => Ok(node(Node::PidMax)),
                "threads-max" => Ok(node(Node::ThreadsMax)),
                _ => Tunable::ALL
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, t)| node(Node::Tunable(t)))
                    .ok_or(ENOENT),
            },
            Node::PidDir(pid) => {
                live(pid)?;
                match name {
                    "status" => Ok(node(Node::Status(pid))),
                    "comm" => Ok(node(Node::Comm(pid))),
                    "cmdline" => Ok(node(Node::Cmdline(pid))),
                    "stat" => Ok(node(Node::Stat(pid))),
                    "exe" => Ok(node(Node::Exe(pid))),
                    "maps" => Ok(node(Node::Maps(pid))),
                    "fd" => Ok(node(Node::FdDir(pid))),
                    "task" => Ok(node(Node::TaskDir(pid))),
                    "fdinfo" => Ok(node(Node::FdInfoDir(pid))),
                    "mounts" => Ok(node(Node::Mounts)),
                    "mountinfo" => Ok(node(Node::MountInfo)),
                    "wchan" => Ok(node(Node::Wchan(pid))),
                    _ => Err(ENOENT),
                }
            }
            Node::FdDir(pid) | Node::FdInfoDir(pid) => {
                // Only a descriptor's decimal number names it ("007" does not).
                let fd: i32 = name.parse().map_err(|_| ENOENT)?;
                if fd.to_string() != name {
                    return Err(ENOENT);
                }
                fd_file(pid, fd)?;
                if matches!(self.node, Node::FdInfoDir(_)) {
                    return Ok(node(Node::FdInfo(pid, fd)));
                }
                Ok(node(Node::Fd(pid, fd)))
            }
            Node::TaskDir(pid) => {
                // A thread's directory shows its process's files, but its own name.
                let tid: Pid = name.parse().map_err(|_| ENOENT)?;
                if tid.to_string() != name {
                    return Err(ENOENT);
                }
                process::find_thread(tid)
                    .filter(|t| t.process.pid == pid)
                    .ok_or(ENOENT)?;
                Ok(node(Node::PidDir(tid)))
            }
            _ => Err(crate::errno::ENOTDIR),
        }
    }

    fn read_dir(&self, pos: u64, emit: &mut dyn FnMut(&DirEntry) -> bool) -> SysResult<()> {
        if !self.node.is_dir() {
            return Err(crate::errno::ENOTDIR);
        }
        let fixed = self.fixed_entries();
        let mut at = FIRST_ENTRY_POS;
        for &(name, file_type) in fixed {
            if at >= pos {
                let entry = DirEntry {
                    name,
                    ino: alloc_ino(),
                    file_type,
                    next: at + 1,
                };
                if !emit(&entry) {
                    return Ok(());
                }
            }
            at += 1;
        }
        if self.node == Node::Root {
            // A process's entry sits at a position made from its pid, so it keeps it
            // while other processes come and go.
            let pids = process::all().into_iter().map(|p| p.pid);
            emit_numbered(pids, at, pos, S_IFDIR, emit);
        }
        if let Node::TaskDir(pid) = self.node {
            // A thread's entry sits at a position made from its tid.
            let tids: Vec<Pid> = {
                let p = live(pid)?;
                let threads = p.threads.lock();
                let mut tids = Vec::new();
                tids.try_reserve_exact(threads.len()).map_err(|_| ENOMEM)?;
                tids.extend(threads.iter().map(|t| t.tid()));
                tids
            };
            let mut tids = tids;
            tids.sort_unstable();
            emit_numbered(tids, FIRST_ENTRY_POS, pos, S_IFDIR, emit);
        }
        if let Node::FdDir(pid) | Node::FdInfoDir(pid) = self.node {
            // A descriptor's entry sits at a position made from its number. The numbers
            // are taken first: the table is not locked while entries are copied out.
            let fds: Vec<i32> = {
                let files = thread_of(pid, &*live(pid)?).ok_or(ENOENT)?.files();
                let table = files.lock();
                let mut fds = Vec::new();
                let count = table.open_fds().count();
                fds.try_reserve_exact(count).map_err(|_| ENOMEM)?;
                fds.extend(table.open_fds().map(|(fd, _)| fd));
                fds
            };
            let file_type = if matches!(self.node, Node::FdDir(_)) {
                S_IFLNK
            } else {
                S_IFREG
            };
            emit_numbered(
                fds.into_iter().map(|fd| fd as u32),
                FIRST_ENTRY_POS,
                pos,
                file_type,
                emit,
            );
        }
        Ok(())
    }
}

/// Emits an entry named by each number (ascending), at position `base + number`, from
/// position `pos` on, until `emit` wants no more: /proc's pid, tid and descriptor lists.
fn emit_numbered(
    numbers: impl IntoIterator<Item = u32>,
    base: u64,
    pos: u64,
    file_type: u32,
    emit: &mut dyn FnMut(&DirEntry) -> bool,
) {
    for n in numbers {
        let at = base + u64::from(n);
        if at < pos {
            continue;
        }
        let name = n.to_string();
        let entry = DirEntry {
            name: &name,
            ino: alloc_ino(),
            file_type,
            next: at + 1,
        };
        if !emit(&entry) {
            break;
        }
    }
}

impl File for ProcNode {
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, _nonblock: bool) -> SysResult<usize> {
        if let Node::Maps(pid) = self.node {
            // Only the part asked for is made, and copied out after the lock is gone.
            let text = live(pid)?
                .aspace()
                .lock()
                .maps_text(pos as usize, buf.len())?;
            buf.write_at(0, &text)?;
            return Ok(text.len());
        }
        if let Node::Cmdline(pid) = self.node {
            return read_cmdline(&*live(pid)?, pos, buf);
        }
        let data = self.content()?;
        let start = (pos as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf.write_at(0, &data[start..start + n])?;
        Ok(n)
    }
    fn write(&self, _pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        if !matches!(
            self.node,
            Node::Tunable(_) | Node::MqTunable(_) | Node::FsTunable(_)
        ) {
            return Err(EACCES);
        }
        // A tunable takes a few numbers; longer text is not a valid setting.
        let len = buf.len();
        let mut text = [0u8; 64];
        let text = text.get_mut(..len).ok_or(EINVAL)?;
        buf.read_at(0, text)?;
        match self.node {
            Node::Tunable(t) => t.write(text)?,
            Node::MqTunable(t) => t.write(text)?,
            Node::FsTunable(t) => t.write(text)?,
            _ => return Err(EACCES),
        }
        Ok(len)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn metadata(&self) -> Metadata {
        Inode::metadata(self)
    }
    /// A /proc/PID directory works as a pidfd of its process.
    fn pid_target(&self) -> Option<SysResult<Arc<Process>>> {
        match self.node {
            Node::PidDir(pid) => Some(process::find(pid).ok_or(ESRCH)),
            _ => None,
        }
    }
}
