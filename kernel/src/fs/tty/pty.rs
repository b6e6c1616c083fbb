//! Pseudo-terminals (Unix 98): opening /dev/ptmx makes a pair, a master and a slave
//! /dev/pts/N. The slave is a `Tty` like the console, with the same line discipline;
//! what the master writes is the slave's received input, and the slave's output (echo
//! included) waits in a `PtyLink` buffer for the master's reads. Closing the master hangs
//! the slave up; once every slave descriptor is closed, the master's reads end in EIO.
//! The /dev/ptmx and /dev/pts nodes are in `devpts`; docs/pty.md has the picture.

use super::Tty;
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EAGAIN, EIO, ENOMEM, ENOSPC, ENOTTY, ENXIO};
use crate::fs::file::{File, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fs::vfs::{alloc_ino, Metadata, S_IFCHR};
use crate::mm::uaccess::{read_val, write_val, InBuf, OutBuf};
use crate::signal::{self, Signal};
use crate::task::{current, current_process, Pid, WaitQueue};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use linux_raw_sys::ioctl as io;

/// Linux's kernel.pty.max: how many pairs may exist at once.
const PTY_MAX: u32 = 4096;
/// Slave output the master has not read yet; a slave writer waits beyond this.
const OUTPUT_MAX: usize = 16 * 1024;
/// Echo is never waited for: it may go this far past OUTPUT_MAX, then it is dropped.
const ECHO_SLACK: usize = 4 * 1024;
/// Bytes of a master write handed to the line discipline per step.
const INPUT_CHUNK: usize = 256;
/// Kernel heap a pair takes when made (its output buffer, allocated whole, and the rest).
const PAIR_HEAP_COST: usize = OUTPUT_MAX + ECHO_SLACK + 4 * 1024;
/// Kernel heap one received byte may take in the slave's input (raw mode keeps each
/// byte as an entry of its own), checked before a master write hands bytes over.
const INPUT_BYTE_HEAP_COST: usize = 48;
/// Poll bits of a hung-up terminal (Linux's hung_up_tty_poll).
pub(super) const HUNG_UP_POLL: u16 = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
/// The Unix 98 pty slaves' device major (Linux's UNIX98_PTY_SLAVE_MAJOR).
const PTS_MAJOR: u64 = 136;

/// The master's side of a pair, which the slave's output device points at.
pub struct PtyLink {
    index: u32,
    state: Mutex<LinkState>,
    /// The master's readers, writers and pollers.
    master_queue: WaitQueue,
    /// Slave writers waiting for the master to read.
    slave_writers: WaitQueue,
}

struct LinkState {
    /// The slave's output, waiting for the master's reads.
    output: VecDeque<u8>,
    master_open: bool,
    /// Open slave descriptions (open, /dev/tty, TIOCGPTPEER).
    slave_opens: usize,
    /// Every slave description was closed since the last open (Linux's
    /// TTY_OTHER_CLOSED on the master): master reads end in EIO.
    slave_closed: bool,
    /// TIOCSPTLCK: the slave cannot be opened while set (unlockpt clears it).
    locked: bool,
}

impl PtyLink {
    /// Echo from the line discipline: never waits; dropped when the master is gone or
    /// far behind.
    pub(super) fn push_echo(&self, bytes: &[u8]) {
        {
            let mut st = self.state.lock();
            if !st.master_open {
                return;
            }
            let room = (OUTPUT_MAX + ECHO_SLACK).saturating_sub(st.output.len());
            let n = bytes.len().min(room);
            st.output.extend(&bytes[..n]);
        }
        self.master_queue.wake_all();
    }

    /// A process's output through the slave: as much as fits; returns how much.
    pub(super) fn push_output(&self, bytes: &[u8]) -> usize {
        let n = {
            let mut st = self.state.lock();
            if !st.master_open {
                return 0;
            }
            let n = bytes.len().min(OUTPUT_MAX.saturating_sub(st.output.len()));
            st.output.extend(&bytes[..n]);
            n
        };
        if n > 0 {
            self.master_queue.wake_all();
        }
        n
    }

    /// Sleeps until the master has read some output (ERESTARTSYS on a signal, EIO once
    /// the master is closed).
    pub(super) fn wait_room(&self) -> SysResult<()> {
        self.slave_writers.wait_until("tty_write", || {
            let st = self.state.lock();
            if !st.master_open {
                Some(Err(EIO))
            } else if st.output.len() < OUTPUT_MAX {
                Some(Ok(()))
            } else {
                None
            }
        })?
    }

    /// Whether the slave is hung up: its master was closed.
    pub(super) fn hung_up(&self) -> bool {
        !self.state.lock().master_open
    }

    pub(super) fn has_room(&self) -> bool {
        self.state.lock().output.len() < OUTPUT_MAX
    }

    /// The slave's reader took input: a master writer may go on.
    pub(super) fn input_consumed(&self) {
        self.master_queue.wake_all();
    }

    fn rdev(&self) -> u64 {
        makedev(PTS_MAJOR, self.index as u64)
    }
}

/// Linux's device number encoding (new_encode_dev): 12 bits of major, 20 of minor.
pub(super) fn makedev(major: u64, minor: u64) -> u64 {
    (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
}

/// /dev/ptmx as stat shows it, for the node and for every master opened from it.
pub(super) fn ptmx_metadata(ino: u64) -> Metadata {
    Metadata {
        ino,
        mode: S_IFCHR | 0o666,
        nlink: 1,
        rdev: makedev(5, 2),
        ..Default::default()
    }
}

/// The slaves of the pairs whose master is open, by index: /dev/pts.
pub(super) static SLAVES: Mutex<BTreeMap<u32, Arc<Tty>>> = Mutex::new(BTreeMap::new());

/// Sessions whose controlling pty was hung up with a foreground group, by session id:
/// that group gets SIGHUP when the session leader exits (Linux's tty_old_pgrp).
static OLD_FOREGROUND: Mutex<Vec<(Pid, Pid)>> = Mutex::new(Vec::new());

fn link_of(tty: &Tty) -> Option<&Arc<PtyLink>> {
    match &tty.device {
        super::output::Device::Pty(link) => Some(link),
        _ => None,
    }
}

/// The pty slaves that may control a session.
pub(super) fn slaves() -> Vec<Arc<Tty>> {
    SLAVES.lock().values().cloned().collect()
}

/// The session leader `sid` exited: a foreground group left from a hangup gets SIGHUP.
pub(super) fn leader_exited(sid: Pid) {
    let old = {
        let mut list = OLD_FOREGROUND.lock();
        let Some(i) = list.iter().position(|&(s, _)| s == sid) else {
            return;
        };
        list.swap_remove(i).1
    };
    for sig in [Signal::SIGHUP, Signal::SIGCONT] {
        let _ = signal::send_to_group(old, sig, signal::SigInfo::kernel(sig));
    }
}

/// /dev/tty of a session whose controlling terminal is a pty slave.
pub(super) fn controlling_slave(sid: Pid) -> SysResult<Arc<dyn File>> {
    let tty = slaves()
        .into_iter()
        .find(|t| t.d.lock().session == sid)
        .ok_or(ENXIO)?;
    Ok(PtySlave::open(tty)?)
}

/// Opening /dev/ptmx: a new pair with the lowest free index, its slave locked.
pub(super) fn open_master() -> SysResult<Arc<dyn File>> {
    crate::mm::heap::reserve(PAIR_HEAP_COST)?;
    let creds = *current_process().creds.lock();
    // The whole buffer now: pushing output then never allocates.
    let mut output = VecDeque::new();
    output
        .try_reserve_exact(OUTPUT_MAX + ECHO_SLACK)
        .map_err(|_| ENOMEM)?;
    let mut slaves = SLAVES.lock();
    let index = (0..PTY_MAX)
        .zip(slaves.keys().copied().chain(core::iter::once(u32::MAX)))
        .find(|(free, used)| free != used)
        .map(|(free, _)| free)
        .ok_or(ENOSPC)?;
    let link = Arc::new(PtyLink {
        index,
        state: Mutex::new(LinkState {
            output,
            master_open: true,
            slave_opens: 0,
            slave_closed: false,
            locked: true,
        }),
        master_queue: WaitQueue::new(),
        slave_writers: WaitQueue::new(),
    });
    let slave = Tty::new_pty(link.clone(), link.rdev(), creds.euid, creds.egid);
    slaves.insert(index, slave.clone());
    Ok(Arc::new(PtyMaster {
        link,
        slave,
        ino: alloc_ino(),
    }))
}

/// The master side of a pair, one per open of /dev/ptmx.
struct PtyMaster {
    link: Arc<PtyLink>,
    slave: Arc<Tty>,
    ino: u64,
}

impl PtyMaster {
    /// Hands bytes to the slave's line discipline, as received input: a chunk at a time,
    /// waiting while the slave's input is full.
    fn write_input(&self, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize> {
        let mut done = 0;
        let mut chunk = [0u8; INPUT_CHUNK];
        // The name shows only while the loop sleeps for room.
        while done < buf.len() {
            let room = || {
                let n = self.slave.d.lock().input_room();
                (n > 0).then_some(n)
            };
            let room = match room() {
                Some(n) => n,
                None if done > 0 => return Ok(done),
                None if nonblock => return Err(EAGAIN),
                None => match self.link.master_queue.wait_until("pty_write", room) {
                    Ok(n) => n,
                    Err(e) => return if done > 0 { Ok(done) } else { Err(e) },
                },
            };
            let n = (buf.len() - done).min(room).min(INPUT_CHUNK);
            let checked = crate::mm::heap::reserve(n * INPUT_BYTE_HEAP_COST)
                .and_then(|_| buf.read_at(done, &mut chunk[..n]));
            if let Err(e) = checked {
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            self.slave.receive(&chunk[..n]);
            done += n;
            if signal::interrupting_signal_pending(&current()) {
                break;
            }
        }
        Ok(done)
    }

    /// Commands about the pair (TIOCGPTN and friends), or None for the slave's.
    fn pair_ioctl(&self, cmd: u32, arg: usize) -> Option<SysResult<usize>> {
        let r = match cmd {
            io::TIOCGPTN => write_val(arg, &self.link.index).map(|_| 0),
            io::TIOCSPTLCK => read_val::<i32>(arg).map(|v| {
                self.link.state.lock().locked = v != 0;
                0
            }),
            io::TIOCGPTLCK => {
                let locked = self.link.state.lock().locked as i32;
                write_val(arg, &locked).map(|_| 0)
            }
            io::TIOCGPTPEER => self.open_peer(arg as u32),
            io::FIONREAD => {
                let n = self.link.state.lock().output.len() as i32;
                write_val(arg, &n).map(|_| 0)
            }
            // Through the master, the slave's foreground group and session are anyone's
            // to see (Linux's tiocgpgrp and tiocgsid skip the ctty check for a master).
            io::TIOCGPGRP => {
                let fg = self.slave.d.lock().foreground as i32;
                write_val(arg, &fg).map(|_| 0)
            }
            io::TIOCGSID => {
                let sid = self.slave.d.lock().session as i32;
                if sid == 0 {
                    Err(ENOTTY)
                } else {
                    write_val(arg, &sid).map(|_| 0)
                }
            }
            io::TIOCNOTTY => Err(ENOTTY),
            io::TCFLSH => Ok(0),
            _ => return None,
        };
        Some(r)
    }

    /// TIOCGPTPEER: a descriptor of the slave without a path lookup.
    fn open_peer(&self, flags: u32) -> SysResult<usize> {
        let file = PtySlave::open(self.slave.clone())?;
        let proc = current_process();
        if flags & g::O_NOCTTY == 0 && proc.sid() == proc.pid {
            file.acquire_controlling(proc.pid);
        }
        let accmode = flags & g::O_ACCMODE;
        let of = OpenFile::new(file, None, accmode | (flags & g::O_NONBLOCK));
        let fd = crate::task::current_files()
            .lock()
            .insert(of, flags & g::O_CLOEXEC != 0)?;
        Ok(fd as usize)
    }
}

impl File for PtyMaster {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        if buf.len() == 0 {
            return Ok(0);
        }
        let mut take = || -> Option<SysResult<usize>> {
            let mut st = self.link.state.lock();
            if st.output.is_empty() {
                return st.slave_closed.then_some(Err(EIO));
            }
            let n = st.output.len().min(buf.len());
            let (a, b) = st.output.as_slices();
            let first = a.len().min(n);
            let r = buf
                .write_at(0, &a[..first])
                .and_then(|_| buf.write_at(first, &b[..n - first]));
            if let Err(e) = r {
                return Some(Err(e));
            }
            st.output.drain(..n);
            Some(Ok(n))
        };
        let r = if nonblock {
            take().unwrap_or(Err(EAGAIN))
        } else {
            self.link.master_queue.wait_until("pty_read", take)?
        };
        if matches!(r, Ok(n) if n > 0) {
            self.link.slave_writers.wake_all();
            self.slave.readers.wake_all();
        }
        r
    }

    fn write(&self, _pos: u64, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize> {
        self.write_input(buf, nonblock)
    }

    fn metadata(&self) -> Metadata {
        ptmx_metadata(self.ino)
    }

    fn poll(&self) -> u16 {
        let mut ev = 0;
        {
            let st = self.link.state.lock();
            if !st.output.is_empty() {
                ev |= POLLIN | POLLRDNORM;
            }
            if st.slave_closed {
                ev |= POLLIN | POLLRDNORM | POLLHUP;
            }
        }
        if self.slave.d.lock().input_room() > 0 {
            ev |= POLLOUT | POLLWRNORM;
        }
        ev
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&self.link.master_queue)
    }

    fn ioctl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        match self.pair_ioctl(cmd, arg) {
            Some(r) => r,
            // The terminal settings, window size and job control are the slave's.
            None => self.slave.ioctl(cmd, arg),
        }
    }

    fn set_controlling_terminal(&self, arg: usize, readable: bool) -> SysResult<usize> {
        self.slave.tiocsctty(arg, readable)
    }
}

impl Drop for PtyMaster {
    /// The master's last close: /dev/pts/N goes away and the slave hangs up. Its session
    /// leader gets SIGHUP and SIGCONT, and the foreground group SIGHUP when the leader
    /// exits (Linux's __tty_hangup and disassociate_ctty).
    fn drop(&mut self) {
        SLAVES.lock().remove(&self.link.index);
        self.link.state.lock().master_open = false;
        let (sid, fg) = {
            let mut d = self.slave.d.lock();
            d.line.clear();
            d.ready.clear();
            let sid = core::mem::replace(&mut d.session, 0);
            (sid, core::mem::replace(&mut d.foreground, 0))
        };
        self.slave.readers.wake_all();
        self.link.slave_writers.wake_all();
        if sid == 0 {
            return;
        }
        if let Some(leader) = crate::task::process::find(sid) {
            for sig in [Signal::SIGHUP, Signal::SIGCONT] {
                let _ = signal::send_to_process(&leader, sig, signal::SigInfo::kernel(sig));
            }
            if fg != 0 {
                let mut list = OLD_FOREGROUND.lock();
                list.retain(|&(s, _)| s != sid);
                if list.try_reserve(1).is_ok() {
                    list.push((sid, fg));
                }
            }
        }
    }
}

/// One open description of a slave: the count of them tells the master when the last
/// is closed.
pub(super) struct PtySlave {
    tty: Arc<Tty>,
}

impl PtySlave {
    pub(super) fn open(tty: Arc<Tty>) -> SysResult<Arc<PtySlave>> {
        let link = link_of(&tty).ok_or(ENXIO)?;
        {
            let mut st = link.state.lock();
            if !st.master_open || st.locked {
                return Err(EIO);
            }
            st.slave_opens += 1;
            st.slave_closed = false;
        }
        Ok(Arc::new(PtySlave { tty }))
    }
}

impl Drop for PtySlave {
    fn drop(&mut self) {
        if let Some(link) = link_of(&self.tty) {
            {
                let mut st = link.state.lock();
                st.slave_opens -= 1;
                if st.slave_opens == 0 {
                    st.slave_closed = true;
                }
            }
            link.master_queue.wake_all();
        }
    }
}

impl File for PtySlave {
    fn read(&self, pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        self.tty.read(pos, buf, nonblock)
    }
    fn write(&self, pos: u64, buf: &dyn InBuf, nonblock: bool) -> SysResult<usize> {
        self.tty.write(pos, buf, nonblock)
    }
    fn metadata(&self) -> Metadata {
        self.tty.metadata()
    }
    fn poll(&self) -> u16 {
        self.tty.poll()
    }
    fn poll_queue(&self) -> Option<&WaitQueue> {
        self.tty.poll_queue()
    }
    fn ioctl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        self.tty.ioctl(cmd, arg)
    }
    fn acquire_controlling(&self, sid: Pid) {
        self.tty.acquire_controlling(sid)
    }
    fn set_controlling_terminal(&self, arg: usize, readable: bool) -> SysResult<usize> {
        self.tty.set_controlling_terminal(arg, readable)
    }
}
