//! /proc/PID (and /proc/PID/task/TID): what the per-process and per-thread files show:
//! status, stat, comm, cmdline (read from the process's memory), and the fd and fdinfo
//! entries of its descriptors.

use super::live;
use crate::errno::{SysResult, ENOENT, ENOMEM};
use crate::fs::file::OpenFile;
use crate::fs::vfs::S_IFIFO;
use crate::mm::uaccess::OutBuf;
use crate::mm::PAGE_SIZE;
use crate::task::{process, Pid, Process};
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;

/// The thread a /proc/PID or /proc/PID/task/TID directory is for; the process's first
/// live thread stands in for a leader that exited before its threads.
pub(super) fn thread_of(tid: Pid, p: &Process) -> Option<Arc<crate::task::Task>> {
    process::find_thread(tid)
        .filter(|t| t.process.pid == p.pid)
        .or_else(|| p.main_thread())
}

fn state_letter(tid: Pid, p: &Process) -> &'static str {
    use crate::task::thread::TaskState;
    if p.is_zombie() {
        return "Z (zombie)";
    }
    match thread_of(tid, p).map(|t| t.state()) {
        Some(TaskState::Running) | Some(TaskState::Ready) => "R (running)",
        Some(TaskState::Stopped) => "T (stopped)",
        _ => "S (sleeping)",
    }
}

/// The name of thread `tid` (a /proc/PID or /proc/PID/task/TID directory's number), or
/// its program's once that thread is gone (a leader that exited before its threads).
pub(super) fn comm(tid: Pid, p: &Process) -> String {
    match process::find_thread(tid) {
        Some(t) if t.process.pid == p.pid => t.comm(),
        _ => p.name(),
    }
}

pub(super) fn status(tid: Pid, p: &Process) -> String {
    let creds = *p.creds.lock();
    let mut masks = crate::signal::proc_masks(p);
    // A thread's own pending set and mask (Linux shows the leader's for /proc/PID).
    if let Some(t) = thread_of(tid, p) {
        let ts = t.signals.lock();
        masks.thread_pending = ts.pending.pending_set().bits();
        masks.blocked = ts.blocked.bits();
    }
    let (rss, pte) = {
        let aspace = p.aspace();
        let a = aspace.lock();
        (a.resident_pages() * 4, a.table_pages() * 4)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "Name:\t{}\nUmask:\t{:04o}\nState:\t{}\nTgid:\t{pid}\nNgid:\t0\nPid:\t{tid}\nPPid:\t{}\nTracerPid:\t0\n\
         Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t\n\
         NStgid:\t{pid}\nNSpid:\t{tid}\nNSpgid:\t{}\nNSsid:\t{}\nVmRSS:\t{:8} kB\nVmPTE:\t{:8} kB\nThreads:\t{}\n\
         SigQ:\t{}/{}\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}\nSigBlk:\t{:016x}\nSigIgn:\t{:016x}\nSigCgt:\t{:016x}\n",
        comm(tid, p),
        thread_of(tid, p).map_or(0o022, |t| t.fs().umask()),
        state_letter(tid, p),
        p.parent_pid(),
        creds.uid, creds.euid, creds.suid, creds.euid,
        creds.gid, creds.egid, creds.sgid, creds.egid,
        p.pgid(),
        p.sid(),
        rss,
        pte,
        p.threads.lock().len(),
        masks.queued,
        masks.queue_limit,
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
pub(super) fn stat(tid: Pid, p: &Process) -> String {
    let st = state_letter(tid, p).chars().next().unwrap_or('S');
    // The first field is the thread's id (the pid for /proc/PID).
    let mut s = format!(
        "{} ({}) {} {} {} {}",
        tid,
        comm(tid, p),
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

/// The open file description behind `pid`'s descriptor `fd`.
pub(super) fn fd_file(pid: Pid, fd: i32) -> SysResult<Arc<OpenFile>> {
    let files = thread_of(pid, &*live(pid)?).ok_or(ENOENT)?.files();
    let file = files.lock().get(fd).map_err(|_| ENOENT);
    file
}

/// Read, write and search bits for the owner as the descriptor's access mode allows.
pub(super) fn fd_link_mode(pid: Pid, fd: i32) -> u32 {
    let Ok(file) = fd_file(pid, fd) else {
        return 0;
    };
    let mut mode = 0o100;
    if file.readable() {
        mode |= 0o400;
    }
    if file.writable() {
        mode |= 0o200;
    }
    mode
}

/// What readlink of /proc/PID/fd/N shows, as Linux's d_path: the file's path (with
/// " (deleted)" once its name is gone), the queue's name in its own file system,
/// "pipe:[ino]" for a pipe or "socket:[ino]" for a socket.
pub(super) fn fd_link_target(file: &OpenFile) -> SysResult<String> {
    if let Some(queue) = file.file.mqueue() {
        return Ok(queue.link_name());
    }
    let meta = file.file.metadata();
    if let Some(origin) = file.origin() {
        let mut path = match crate::fs::path::dir_path(&origin.dir) {
            Ok(path) => path,
            Err(crate::errno::ENOENT) => String::new(),
            Err(e) => return Err(e),
        };
        if path != "/" {
            path.push('/');
        }
        path.push_str(&origin.name);
        let named = origin
            .dir
            .lookup(&origin.name)
            .is_ok_and(|n| n.metadata().ino == meta.ino);
        if !named {
            path.push_str(" (deleted)");
        }
        return Ok(path);
    }
    if let Some(inode) = &file.inode {
        if inode.metadata().is_dir() {
            return crate::fs::path::dir_path(inode);
        }
    }
    if meta.file_type() == S_IFIFO {
        return Ok(format!("pipe:[{}]", meta.ino));
    }
    if meta.file_type() == linux_raw_sys::general::S_IFSOCK {
        return Ok(format!("socket:[{}]", meta.ino));
    }
    Ok(format!("anon_inode:[{}]", meta.ino))
}

/// Copies `p`'s memory at `va` into `out` up to the first page it cannot read (Linux's
/// access_remote_vm); returns the bytes copied. The address space is unlocked again
/// before the caller copies to its own user memory.
fn read_memory(p: &Process, va: usize, out: &mut [u8]) -> usize {
    p.aspace().lock().read_into(va, out)
}

/// /proc/PID/cmdline as Linux's get_mm_cmdline: the argument strings, read from the
/// process's own memory where execve put them. A program that overwrote the NUL ending
/// its last argument (setproctitle) gets its first string instead, up to a page.
pub(super) fn read_cmdline(p: &Process, pos: u64, buf: &mut dyn OutBuf) -> SysResult<usize> {
    let area = *p.args.lock();
    let (start, arg_end) = (area.arg_start, area.arg_end);
    if start >= arg_end {
        return Ok(0);
    }
    let env_end = area.env_end.max(arg_end);
    let pos = usize::try_from(pos).unwrap_or(usize::MAX);
    let len = env_end - start;
    if pos >= len {
        return Ok(0);
    }
    let count = buf.len().min(len - pos);
    if count == 0 {
        return Ok(0);
    }
    let mut page = Vec::new();
    page.try_reserve_exact(PAGE_SIZE).map_err(|_| ENOMEM)?;
    page.resize(PAGE_SIZE, 0);
    let mut last = [0u8];
    if read_memory(p, arg_end - 1, &mut last) == 1 && last[0] != 0 {
        if pos >= PAGE_SIZE {
            return Ok(0);
        }
        let got = read_memory(p, start, &mut page);
        let title = page[..got]
            .iter()
            .position(|&c| c == 0)
            .map_or(got, |i| i + 1);
        if title <= pos {
            return Ok(0);
        }
        let n = (title - pos).min(count);
        return buf.write_upto(0, &page[pos..pos + n]);
    }
    let Some(mut at) = start.checked_add(pos).filter(|&at| at < arg_end) else {
        return Ok(0);
    };
    let mut count = count.min(arg_end - at);
    let mut done = 0;
    while count > 0 {
        let size = count.min(PAGE_SIZE);
        let got = read_memory(p, at, &mut page[..size]);
        if got == 0 {
            break;
        }
        match buf.write_upto(done, &page[..got]) {
            Ok(n) => {
                done += n;
                at += n;
                count -= n;
                if n < got {
                    break;
                }
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

/// /proc/PID/fdinfo/N: the description's offset and flags as Linux shows them (octal,
/// with O_LARGEFILE, which 64-bit Linux sets on every open by path, and O_CLOEXEC from
/// the descriptor), and the inode number.
pub(super) fn fd_info(pid: Pid, fd: i32) -> SysResult<String> {
    let files = thread_of(pid, &*live(pid)?).ok_or(ENOENT)?.files();
    let (file, cloexec) = {
        let fds = files.lock();
        let entry = fds.entry(fd).map_err(|_| ENOENT)?;
        (entry.file.clone(), entry.cloexec)
    };
    let mut flags = file.flags();
    if file.inode.is_some() {
        flags |= linux_raw_sys::general::O_LARGEFILE;
    }
    if cloexec {
        flags |= linux_raw_sys::general::O_CLOEXEC;
    }
    let pos = *file.offset().lock();
    let ino = file.file.metadata().ino;
    Ok(format!("pos:\t{pos}\nflags:\t0{flags:o}\nino:\t{ino}\n"))
}
