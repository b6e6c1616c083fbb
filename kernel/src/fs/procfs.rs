//! /proc: files generated from live kernel state on every read.

use super::file::File;
use super::vfs::{alloc_ino, DirEntry, Inode, Metadata, S_IFDIR, S_IFREG};
use crate::mm::uaccess::{InBuf, OutBuf};
use crate::errno::{SysResult, EACCES, EISDIR, ENOENT};
use crate::task::{current_process, process, Pid, Process};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;

/// What a /proc node shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    MemInfo,
    Uptime,
    PidDir(Pid),
    Status(Pid),
    Cmdline(Pid),
    Stat(Pid),
    Maps(Pid),
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

pub fn mount(root: &Arc<dyn Inode>) {
    if let Err(e) = root.link("proc", node(Node::Root)) {
        log::warn!("cannot mount /proc: {e:?}");
    }
}

fn live(pid: Pid) -> SysResult<Arc<Process>> {
    process::find(pid).ok_or(ENOENT)
}

/// Target of the /proc/PID/exe link (Rill has no symlinks elsewhere).
pub fn readlink(path: &super::path::AbsPath) -> Option<SysResult<String>> {
    let c = &path.components;
    if c.len() != 3 || c[0] != "proc" || c[2] != "exe" {
        return None;
    }
    let pid = if c[1] == "self" {
        current_process().pid
    } else {
        c[1].parse().ok()?
    };
    Some(live(pid).map(|p| p.exe.lock().clone()))
}

fn state_letter(p: &Process) -> &'static str {
    use crate::task::thread::TaskState;
    if p.is_zombie() {
        return "Z (zombie)";
    }
    match p.main_thread().map(|t| t.state()) {
        Some(TaskState::Running) | Some(TaskState::Ready) => "R (running)",
        Some(TaskState::Stopped) => "T (stopped)",
        _ => "S (sleeping)",
    }
}

fn status(p: &Process) -> String {
    let creds = *p.creds.lock();
    let masks = crate::signal::proc_masks(p);
    let (rss, pte) = {
        let aspace = p.aspace();
        let a = aspace.lock();
        (a.resident_pages() * 4, a.table_pages() * 4)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "Name:\t{}\nUmask:\t{:04o}\nState:\t{}\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\nPPid:\t{}\nTracerPid:\t0\n\
         Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t\n\
         NStgid:\t{pid}\nNSpid:\t{pid}\nNSpgid:\t{}\nNSsid:\t{}\nVmRSS:\t{:8} kB\nVmPTE:\t{:8} kB\nThreads:\t{}\n\
         SigQ:\t{}/{}\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}\nSigBlk:\t{:016x}\nSigIgn:\t{:016x}\nSigCgt:\t{:016x}\n",
        p.name(),
        p.umask.load(core::sync::atomic::Ordering::Relaxed),
        state_letter(p),
        p.parent_pid(),
        creds.uid, creds.euid, creds.suid, creds.euid,
        creds.gid, creds.egid, creds.sgid, creds.egid,
        p.pgid(),
        p.sid(),
        rss,
        pte,
        p.threads.lock().len(),
        masks.queued,
        crate::signal::RLIMIT_SIGPENDING,
        masks.thread_pending,
        masks.shared_pending,
        masks.blocked,
        masks.ignored,
        masks.caught,
        pid = p.pid,
    );
    s
}

/// A minimal /proc/PID/stat: pid (comm) state ppid pgrp session, then zeros.
fn stat(p: &Process) -> String {
    let st = state_letter(p).chars().next().unwrap_or('S');
    let mut s = format!(
        "{} ({}) {} {} {} {}",
        p.pid,
        p.name(),
        st,
        p.parent_pid(),
        p.pgid(),
        p.sid()
    );
    for _ in 0..46 {
        s.push_str(" 0");
    }
    s.push('\n');
    s
}

fn meminfo() -> String {
    let total = crate::mm::frame::total_pages() * 4;
    let free = crate::mm::frame::free_pages() * 4;
    // Memory objects are all shared memory in Linux's terms (shmem), which Linux also
    // counts as page cache.
    let shmem = crate::mm::object::object_pages() * 4;
    // Slab is Linux's name for kernel object memory; here it is the kernel heap in use.
    let slab = crate::mm::heap::used_bytes() / 1024;
    format!(
        "MemTotal:       {total:8} kB\nMemFree:        {free:8} kB\nMemAvailable:   {free:8} kB\n\
         Cached:         {shmem:8} kB\nShmem:          {shmem:8} kB\nSlab:           {slab:8} kB\n"
    )
}

fn uptime() -> String {
    let ns = crate::time::monotonic_ns();
    let cs = ns / 10_000_000;
    format!("{}.{:02} 0.00\n", cs / 100, cs % 100)
}

impl ProcNode {
    fn content(&self) -> SysResult<Vec<u8>> {
        Ok(match self.node {
            Node::MemInfo => meminfo().into_bytes(),
            Node::Uptime => uptime().into_bytes(),
            Node::Status(pid) => status(&*live(pid)?).into_bytes(),
            Node::Stat(pid) => stat(&*live(pid)?).into_bytes(),
            Node::Cmdline(pid) => live(pid)?.cmdline.lock().clone(),
            // `File::read` makes only the part it is asked for.
            Node::Maps(pid) => live(pid)?.aspace().lock().maps_text(0, usize::MAX)?,
            Node::Root | Node::PidDir(_) => return Err(EISDIR),
        })
    }
}

impl Inode for ProcNode {
    fn metadata(&self) -> Metadata {
        let dir = matches!(self.node, Node::Root | Node::PidDir(_));
        Metadata {
            ino: self.ino,
            mode: if dir {
                S_IFDIR | 0o555
            } else {
                S_IFREG | 0o444
            },
            nlink: if dir { 2 } else { 1 },
            ..Default::default()
        }
    }

    fn open(self: Arc<Self>, flags: u32) -> SysResult<Arc<dyn File>> {
        if flags & linux_raw_sys::general::O_ACCMODE != linux_raw_sys::general::O_RDONLY {
            return Err(EACCES);
        }
        Ok(self)
    }

    fn lookup(&self, name: &str) -> SysResult<Arc<dyn Inode>> {
        match self.node {
            Node::Root => match name {
                "meminfo" => Ok(node(Node::MemInfo)),
                "uptime" => Ok(node(Node::Uptime)),
                "self" => Ok(node(Node::PidDir(current_process().pid))),
                _ => {
                    let pid: Pid = name.parse().map_err(|_| ENOENT)?;
                    live(pid)?;
                    Ok(node(Node::PidDir(pid)))
                }
            },
            Node::PidDir(pid) => {
                live(pid)?;
                match name {
                    "status" => Ok(node(Node::Status(pid))),
                    "cmdline" => Ok(node(Node::Cmdline(pid))),
                    "stat" => Ok(node(Node::Stat(pid))),
                    "maps" => Ok(node(Node::Maps(pid))),
                    _ => Err(ENOENT),
                }
            }
            _ => Err(crate::errno::ENOTDIR),
        }
    }

    fn readdir(&self) -> SysResult<Vec<DirEntry>> {
        let entry = |name: String, file_type| DirEntry {
            name,
            ino: alloc_ino(),
            file_type,
        };
        match self.node {
            Node::Root => {
                let mut v = alloc::vec![
                    entry("meminfo".to_string(), S_IFREG),
                    entry("uptime".to_string(), S_IFREG),
                    entry("self".to_string(), S_IFDIR),
                ];
                v.extend(
                    process::all()
                        .iter()
                        .map(|p| entry(p.pid.to_string(), S_IFDIR)),
                );
                Ok(v)
            }
            Node::PidDir(_) => Ok(["status", "cmdline", "stat", "exe", "maps"]
                .iter()
                .map(|n| entry(n.to_string(), S_IFREG))
                .collect()),
            _ => Err(crate::errno::ENOTDIR),
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
        let data = self.content()?;
        let start = (pos as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf.write_at(0, &data[start..start + n])?;
        Ok(n)
    }
    fn write(&self, _pos: u64, _buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        Err(EACCES)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn metadata(&self) -> Metadata {
        Inode::metadata(self)
    }
}
