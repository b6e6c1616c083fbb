//! The console terminal and its line discipline.
//!
//! Received bytes pass through `receive`: in canonical mode they are collected into a
//! line that the user can edit (erase, kill) and that becomes readable at newline or
//! ^D; in non-canonical mode they are readable at once. ISIG turns ^C, ^\ and ^Z into
//! SIGINT, SIGQUIT and SIGTSTP for the foreground process group. Output goes through
//! `output`, which adds the carriage return of ONLCR. A process's write goes out in
//! chunks: between them (and whenever the device is full) the writer sleeps until the
//! device can take more, and a pending signal ends the write with the count written.

use super::file::{File, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use super::vfs::{alloc_ino, Inode, Metadata, S_IFCHR};
use crate::errno::{SysResult, EAGAIN, EINVAL, EIO, ENOTTY, ENXIO, EPERM, ERESTARTSYS};
use crate::mm::uaccess::{read_val, write_val, InBuf, OutBuf};
use crate::signal::{self, Signal};
use crate::task::{current, current_process, Pid, WaitQueue};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use linux_raw_sys::ioctl as io;
use spin::{Lazy, Mutex};

const MAX_INPUT: usize = 4096;

/// Bytes of a write taken per step: after each step the writer gives the hart up until
/// the device is ready again and checks for signals (Linux's tty_write does the same
/// every 2 KiB; the UART here is ~1 us a byte, so this is a break every ~0.3 ms).
const WRITE_CHUNK: usize = 256;

/// Where a terminal's output goes.
#[derive(Clone, Copy)]
enum Device {
    /// The UART behind /dev/console.
    Uart,
    /// The virtio console behind /dev/hvc0.
    Hvc,
}

impl Device {
    /// Sends `bytes` now, polling the device: echo and other short output the kernel
    /// makes itself, possibly in interrupt context.
    fn send_now(self, bytes: &[u8]) {
        match self {
            Device::Uart => crate::console::write_bytes(bytes),
            Device::Hvc => crate::drivers::hvc::write(bytes),
        }
    }

    /// Sends what the device takes without waiting; returns how many bytes went.
    fn send_some(self, bytes: &[u8]) -> usize {
        match self {
            Device::Uart => crate::console::write_some(bytes),
            Device::Hvc => {
                // The virtio console takes a whole buffer per request.
                crate::drivers::hvc::write(bytes);
                bytes.len()
            }
        }
    }

    /// Gives the hart up until the device can take more: the UART sleeps until its
    /// transmitter-empty interrupt (ERESTARTSYS on a signal); the virtio console, which
    /// is never full, lets other runnable tasks go first.
    fn wait_writable(self) -> SysResult<()> {
        match self {
            Device::Uart => crate::console::wait_writable(),
            Device::Hvc => {
                crate::task::schedule_yield();
                Ok(())
            }
        }
    }
}

struct Discipline {
    termios: g::termios,
    winsize: g::winsize,
    /// The line being edited (canonical mode).
    line: Vec<u8>,
    /// Completed input: whole lines in canonical mode (an empty line is an EOF mark),
    /// single bytes in raw mode.
    ready: VecDeque<Vec<u8>>,
    /// Session that has this terminal as its controlling terminal (0: none).
    session: Pid,
    foreground: Pid,
}

pub struct Tty {
    d: Mutex<Discipline>,
    readers: WaitQueue,
    ino: u64,
    rdev: u64,
    device: Device,
}

fn default_termios() -> g::termios {
    let mut cc = [0u8; 19];
    cc[g::VINTR as usize] = 3;
    cc[g::VQUIT as usize] = 0x1c;
    cc[g::VERASE as usize] = 0x7f;
    cc[g::VKILL as usize] = 0x15;
    cc[g::VEOF as usize] = 4;
    cc[g::VMIN as usize] = 1;
    cc[g::VSUSP as usize] = 0x1a;
    cc[g::VWERASE as usize] = 0x17;
    cc[g::VREPRINT as usize] = 0x12;
    cc[g::VLNEXT as usize] = 0x16;
    g::termios {
        c_iflag: g::ICRNL | g::IXON,
        c_oflag: g::OPOST | g::ONLCR,
        c_cflag: g::B38400 | g::CS8 | g::CREAD | g::HUPCL,
        c_lflag: g::ISIG
            | g::ICANON
            | g::ECHO
            | g::ECHOE
            | g::ECHOK
            | g::ECHOCTL
            | g::ECHOKE
            | g::IEXTEN,
        c_line: 0,
        c_cc: cc,
    }
}

impl Tty {
    fn new(device: Device, rdev: u64) -> Arc<Tty> {
        Arc::new(Tty {
            d: Mutex::new(Discipline {
                termios: default_termios(),
                winsize: g::winsize {
                    ws_row: 24,
                    ws_col: 80,
                    ws_xpixel: 0,
                    ws_ypixel: 0,
                },
                line: Vec::new(),
                ready: VecDeque::new(),
                session: 0,
                foreground: 0,
            }),
            readers: WaitQueue::new(),
            ino: alloc_ino(),
            rdev,
            device,
        })
    }
}

/// The serial console (/dev/console): the terminal `make run` shows.
pub static CONSOLE: Lazy<Arc<Tty>> = Lazy::new(|| Tty::new(Device::Uart, (5 << 8) | 1));

/// The virtio console (/dev/hvc0): a second terminal on a host socket.
pub static HVC0: Lazy<Arc<Tty>> = Lazy::new(|| Tty::new(Device::Hvc, 229 << 8));

fn terminals() -> [&'static Arc<Tty>; 2] {
    [&CONSOLE, &HVC0]
}

/// The session leader `sid` exited: its controlling terminal hangs up.
pub fn hang_up_session(sid: Pid) {
    for t in terminals() {
        t.hang_up(sid);
    }
}

impl Discipline {
    fn lflag(&self, f: u32) -> bool {
        self.termios.c_lflag & f != 0
    }
    fn cc(&self, i: u32) -> u8 {
        self.termios.c_cc[i as usize]
    }
    fn is_cc(&self, c: u8, i: u32) -> bool {
        // _POSIX_VDISABLE (0) disables a control character.
        c != 0 && c == self.cc(i)
    }

    /// Echo of input byte `c`, with control characters shown as ^X under ECHOCTL.
    fn echo(&self, out: &mut Vec<u8>, c: u8) {
        if !self.lflag(g::ECHO) {
            if c == b'\n' && self.lflag(g::ECHONL) {
                out.push(b'\n');
            }
            return;
        }
        if c < 0x20 && c != b'\n' && c != b'\t' && self.lflag(g::ECHOCTL) {
            out.extend_from_slice(&[b'^', c + 0x40]);
        } else if c == 0x7f && self.lflag(g::ECHOCTL) {
            out.extend_from_slice(b"^?");
        } else {
            out.push(c);
        }
    }

    fn erase_one(&mut self, out: &mut Vec<u8>) {
        if let Some(c) = self.line.pop() {
            if self.lflag(g::ECHO) && self.lflag(g::ECHOE) {
                let width = if c < 0x20 && self.lflag(g::ECHOCTL) {
                    2
                } else {
                    1
                };
                for _ in 0..width {
                    out.extend_from_slice(b"\x08 \x08");
                }
            }
        }
    }

    /// Handles one received byte; returns the signal to raise, if any.
    fn receive(&mut self, mut c: u8, out: &mut Vec<u8>) -> Option<Signal> {
        if c == b'\r' && self.termios.c_iflag & g::ICRNL != 0 {
            c = b'\n';
        }
        if self.lflag(g::ISIG) {
            let sig = if self.is_cc(c, g::VINTR) {
                Some(Signal::SIGINT)
            } else if self.is_cc(c, g::VQUIT) {
                Some(Signal::SIGQUIT)
            } else if self.is_cc(c, g::VSUSP) {
                Some(Signal::SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                self.line.clear();
                self.ready.clear();
                self.echo(out, c);
                return Some(sig);
            }
        }
        if !self.lflag(g::ICANON) {
            if self.ready.len() < MAX_INPUT {
                self.ready.push_back(alloc::vec![c]);
            }
            self.echo(out, c);
            return None;
        }
        if self.is_cc(c, g::VERASE) || c == 0x08 {
            self.erase_one(out);
        } else if self.is_cc(c, g::VKILL) {
            while !self.line.is_empty() {
                self.erase_one(out);
            }
        } else if self.is_cc(c, g::VEOF) {
            self.ready.push_back(core::mem::take(&mut self.line));
        } else if c == b'\n' {
            self.line.push(c);
            self.echo(out, c);
            self.ready.push_back(core::mem::take(&mut self.line));
        } else if self.line.len() < MAX_INPUT - 1 {
            self.line.push(c);
            self.echo(out, c);
        }
        None
    }

    fn has_input(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// Whether output post-processing turns "\n" into "\r\n" (OPOST and ONLCR).
fn onlcr(termios: &g::termios) -> bool {
    termios.c_oflag & g::OPOST != 0 && termios.c_oflag & g::ONLCR != 0
}

/// How many bytes `b` becomes on the way out.
fn output_len(onlcr: bool, b: u8) -> usize {
    if onlcr && b == b'\n' {
        2
    } else {
        1
    }
}

/// Output post-processing of `bytes` into `out`, which must have room for twice as many;
/// returns the length.
fn post_process(onlcr: bool, bytes: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    for &b in bytes {
        if output_len(onlcr, b) == 2 {
            out[n] = b'\r';
            n += 1;
        }
        out[n] = b;
        n += 1;
    }
    n
}

/// Output post-processing (OPOST/ONLCR), then the device at once (echo).
fn output(device: Device, termios: &g::termios, bytes: &[u8]) {
    if onlcr(termios) {
        let mut buf = Vec::with_capacity(bytes.len() + 8);
        for &b in bytes {
            if b == b'\n' {
                buf.push(b'\r');
            }
            buf.push(b);
        }
        device.send_now(&buf);
    } else {
        device.send_now(bytes);
    }
}

impl Tty {
    /// Feeds bytes received from the UART (interrupt context).
    pub fn receive(&self, bytes: &[u8]) {
        let mut echo = Vec::new();
        let mut signals = Vec::new();
        let (termios, fg) = {
            let mut d = self.d.lock();
            for &b in bytes {
                if let Some(s) = d.receive(b, &mut echo) {
                    signals.push(s);
                }
            }
            (d.termios, d.foreground)
        };
        if !echo.is_empty() {
            output(self.device, &termios, &echo);
        }
        for sig in signals {
            if fg != 0 {
                let _ = signal::send_to_group(fg, sig, signal::SigInfo::kernel(sig));
            }
        }
        self.readers.wake_all();
    }

    /// Makes this the controlling terminal of session `sid` with `sid` in front.
    pub fn set_controlling(&self, sid: Pid) {
        let mut d = self.d.lock();
        d.session = sid;
        d.foreground = sid;
    }

    /// The session leader of this terminal's session exited: the foreground group gets
    /// SIGHUP and SIGCONT and the terminal no longer belongs to the session.
    pub fn hang_up(&self, sid: Pid) {
        let fg = {
            let mut d = self.d.lock();
            if d.session != sid {
                return;
            }
            d.session = 0;
            core::mem::replace(&mut d.foreground, 0)
        };
        if fg != 0 && fg != sid {
            let _ =
                signal::send_to_group(fg, Signal::SIGHUP, signal::SigInfo::kernel(Signal::SIGHUP));
            let _ = signal::send_to_group(
                fg,
                Signal::SIGCONT,
                signal::SigInfo::kernel(Signal::SIGCONT),
            );
        }
    }

    /// A session leader without a controlling terminal that opens a terminal no session
    /// controls acquires it.
    pub fn acquire_if_free(&self, sid: Pid) {
        if terminals().iter().any(|t| t.d.lock().session == sid) {
            return;
        }
        let mut d = self.d.lock();
        if d.session == 0 {
            d.session = sid;
            d.foreground = sid;
        }
    }

    /// Linux's job-control check for a background reader (`read`) or writer: a process
    /// of this terminal's session outside the foreground group gets SIGTTIN/SIGTTOU,
    /// or EIO when it ignores or blocks the signal.
    fn job_control_check(&self, sig: Signal) -> SysResult<()> {
        let proc = current_process();
        let (session, fg, tostop) = {
            let d = self.d.lock();
            (d.session, d.foreground, d.lflag(g::TOSTOP))
        };
        if session == 0 || proc.sid() != session || proc.pgid() == fg {
            return Ok(());
        }
        if sig == Signal::SIGTTOU && !tostop {
            return Ok(());
        }
        if signal::is_ignored_or_blocked(&proc, sig) {
            return if sig == Signal::SIGTTIN {
                Err(EIO)
            } else {
                Ok(())
            };
        }
        let _ = signal::send_to_group(proc.pgid(), sig, signal::SigInfo::kernel(sig));
        Err(ERESTARTSYS)
    }

    /// TIOCSCTTY, with Linux's checks in Linux's order (tiocsctty): nothing to do for a
    /// session leader whose terminal this is already; otherwise the caller must lead a
    /// session that has no controlling terminal; a terminal another session controls
    /// is taken from it only with `arg` 1 and privilege; and a descriptor not open for
    /// reading needs privilege too. The caller's group becomes the foreground.
    fn tiocsctty(&self, arg: usize, readable: bool) -> SysResult<usize> {
        let proc = current_process();
        let sid = proc.sid();
        let leader = proc.pid == sid;
        let privileged = proc.creds.lock().euid == 0;
        let has_terminal = terminals().iter().any(|t| t.d.lock().session == sid);
        let mut d = self.d.lock();
        if leader && d.session == sid {
            return Ok(0);
        }
        if !leader || has_terminal {
            return Err(EPERM);
        }
        // The int argument of Linux's ioctl: only 1 steals.
        if d.session != 0 && !(arg as i32 == 1 && privileged) {
            return Err(EPERM);
        }
        if !readable && !privileged {
            return Err(EPERM);
        }
        // A steal leaves the old session without a controlling terminal.
        d.session = sid;
        d.foreground = proc.pgid();
        Ok(0)
    }

    /// TIOCNOTTY: the caller gives up its controlling terminal. When a session leader
    /// does, the whole session loses it and the foreground group gets SIGHUP and SIGCONT
    /// (Linux's disassociate_ctty); another process only loses its own, which Rill, with
    /// one controlling terminal per session, has nothing to record for.
    fn release_controlling(&self) -> SysResult<usize> {
        let proc = current_process();
        let fg = {
            let mut d = self.d.lock();
            if d.session == 0 || d.session != proc.sid() {
                return Err(ENOTTY);
            }
            if proc.sid() != proc.pid {
                return Ok(0);
            }
            d.session = 0;
            core::mem::replace(&mut d.foreground, 0)
        };
        if fg != 0 {
            let info = signal::SigInfo::user(&proc);
            let _ = signal::send_to_group(fg, Signal::SIGHUP, info);
            let _ = signal::send_to_group(fg, Signal::SIGCONT, info);
        }
        Ok(0)
    }

    fn tcsetpgrp(&self, pgrp: i32) -> SysResult<usize> {
        let proc = current_process();
        let session = self.d.lock().session;
        if session == 0 || proc.sid() != session {
            return Err(ENOTTY);
        }
        if pgrp < 0 {
            return Err(EINVAL);
        }
        let exists = crate::task::process::all()
            .iter()
            .any(|p| p.pgid() == pgrp as Pid && p.sid() == session);
        if !exists {
            return Err(EPERM);
        }
        // A background process changing the foreground is itself subject to SIGTTOU.
        let fg = self.d.lock().foreground;
        if proc.pgid() != fg && !signal::is_ignored_or_blocked(&proc, Signal::SIGTTOU) {
            let _ = signal::send_to_group(
                proc.pgid(),
                Signal::SIGTTOU,
                signal::SigInfo::kernel(Signal::SIGTTOU),
            );
            return Err(ERESTARTSYS);
        }
        self.d.lock().foreground = pgrp as Pid;
        Ok(0)
    }
}

impl File for Tty {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        self.job_control_check(Signal::SIGTTIN)?;
        if buf.len() == 0 {
            return Ok(0);
        }
        let mut take = || -> Option<SysResult<usize>> {
            let mut d = self.d.lock();
            let canonical = d.lflag(g::ICANON);
            if !d.has_input() {
                if !canonical && d.cc(g::VMIN) == 0 {
                    return Some(Ok(0));
                }
                return None;
            }
            if canonical {
                let mut line = d.ready.pop_front()?;
                let n = line.len().min(buf.len());
                if let Err(e) = buf.write_at(0, &line[..n]) {
                    d.ready.push_front(line);
                    return Some(Err(e));
                }
                if n < line.len() {
                    d.ready.push_front(line.split_off(n));
                }
                return Some(Ok(n));
            }
            let mut n = 0;
            while n < buf.len() {
                let Some(chunk) = d.ready.pop_front() else {
                    break;
                };
                if let Err(e) = buf.write_at(n, &chunk) {
                    d.ready.push_front(chunk);
                    return Some(if n > 0 { Ok(n) } else { Err(e) });
                }
                n += chunk.len();
            }
            Some(Ok(n))
        };
        if nonblock {
            return take().unwrap_or(Err(EAGAIN));
        }
        self.readers.wait_until(take)?
    }

    /// Linux's tty_write and n_tty_write: the bytes go out a chunk at a time. Before
    /// each chunk a pending signal ends the write; while the device is full, and after
    /// each chunk, the writer sleeps until the device is ready, so other tasks run and a
    /// signal (SIGKILL above all) takes effect within a chunk. The result is the count of
    /// bytes whose output went out, or ERESTARTSYS if a signal came before any did.
    fn write(&self, _pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        self.job_control_check(Signal::SIGTTOU)?;
        let onlcr = onlcr(&self.d.lock().termios);
        let task = current();
        let stop = |done: usize| if done > 0 { Ok(done) } else { Err(ERESTARTSYS) };
        let mut chunk = [0u8; WRITE_CHUNK];
        let mut out = [0u8; 2 * WRITE_CHUNK];
        let mut done = 0;
        while done < buf.len() {
            if signal::interrupting_signal_pending(&task) {
                return stop(done);
            }
            let n = (buf.len() - done).min(WRITE_CHUNK);
            if let Err(e) = buf.read_at(done, &mut chunk[..n]) {
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            let len = post_process(onlcr, &chunk[..n], &mut out);
            let mut sent = self.device.send_some(&out[..len]);
            while sent < len {
                if self.device.wait_writable().is_err() {
                    // Count the bytes whose whole output went out.
                    let mut out_len = 0;
                    let whole = chunk[..n]
                        .iter()
                        .take_while(|&&b| {
                            out_len += output_len(onlcr, b);
                            out_len <= sent
                        })
                        .count();
                    return stop(done + whole);
                }
                sent += self.device.send_some(&out[sent..len]);
            }
            done += n;
            if done < buf.len() && self.device.wait_writable().is_err() {
                return Ok(done);
            }
        }
        Ok(done)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.ino,
            mode: S_IFCHR | 0o620,
            nlink: 1,
            rdev: self.rdev,
            ..Default::default()
        }
    }

    fn poll(&self) -> u16 {
        let mut ev = POLLOUT | POLLWRNORM;
        if self.d.lock().has_input() {
            ev |= POLLIN | POLLRDNORM;
        }
        ev
    }

    fn poll_queue(&self) -> Option<&WaitQueue> {
        Some(&self.readers)
    }

    fn acquire_controlling(&self, sid: Pid) {
        self.acquire_if_free(sid);
    }

    fn set_controlling_terminal(&self, arg: usize, readable: bool) -> SysResult<usize> {
        self.tiocsctty(arg, readable)
    }

    fn ioctl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        match cmd {
            io::TCGETS => {
                let t = self.d.lock().termios;
                write_val(arg, &t)?;
                Ok(0)
            }
            io::TCSETS | io::TCSETSW | io::TCSETSF => {
                let t: g::termios = read_val(arg)?;
                let mut d = self.d.lock();
                if cmd == io::TCSETSF {
                    d.ready.clear();
                }
                let was_canonical = d.lflag(g::ICANON);
                d.termios = t;
                if was_canonical && !d.lflag(g::ICANON) {
                    // Pending cooked input becomes raw bytes, including the partial line.
                    let mut bytes: Vec<u8> = d.ready.drain(..).flatten().collect();
                    bytes.append(&mut d.line);
                    d.ready = bytes.into_iter().map(|b| alloc::vec![b]).collect();
                }
                drop(d);
                self.readers.wake_all();
                Ok(0)
            }
            io::TIOCGWINSZ => {
                let w = self.d.lock().winsize;
                write_val(arg, &w)?;
                Ok(0)
            }
            io::TIOCSWINSZ => {
                let w: g::winsize = read_val(arg)?;
                let (changed, fg) = {
                    let mut d = self.d.lock();
                    let old = d.winsize;
                    d.winsize = w;
                    let changed = (old.ws_row, old.ws_col, old.ws_xpixel, old.ws_ypixel)
                        != (w.ws_row, w.ws_col, w.ws_xpixel, w.ws_ypixel);
                    (changed, d.foreground)
                };
                if changed && fg != 0 {
                    let _ = signal::send_to_group(
                        fg,
                        Signal::SIGWINCH,
                        signal::SigInfo::kernel(Signal::SIGWINCH),
                    );
                }
                Ok(0)
            }
            io::TIOCGPGRP => {
                let d = self.d.lock();
                if d.session == 0 || d.session != current_process().sid() {
                    return Err(ENOTTY);
                }
                let fg = d.foreground;
                drop(d);
                write_val(arg, &(fg as i32))?;
                Ok(0)
            }
            io::TIOCSPGRP => {
                let pgrp: i32 = read_val(arg)?;
                self.tcsetpgrp(pgrp)
            }
            io::TIOCGSID => {
                let sid = self.d.lock().session;
                if sid == 0 || sid != current_process().sid() {
                    return Err(ENOTTY);
                }
                write_val(arg, &(sid as i32))?;
                Ok(0)
            }
            io::TIOCNOTTY => self.release_controlling(),
            io::FIONREAD => {
                let n: usize = self.d.lock().ready.iter().map(|l| l.len()).sum();
                write_val(arg, &(n as i32))?;
                Ok(0)
            }
            io::TCFLSH | io::TCXONC => Ok(0),
            _ => Err(ENOTTY),
        }
    }
}

/// A terminal device node: a fixed terminal, or /dev/tty, which is whichever terminal
/// controls the opener's session.
pub enum TtyNode {
    Console,
    Hvc0,
    Controlling,
}

impl TtyNode {
    fn terminal(&self) -> SysResult<Arc<Tty>> {
        match self {
            TtyNode::Console => Ok(CONSOLE.clone()),
            TtyNode::Hvc0 if crate::drivers::hvc::is_present() => Ok(HVC0.clone()),
            TtyNode::Hvc0 => Err(ENXIO),
            TtyNode::Controlling => {
                let sid = current_process().sid();
                terminals()
                    .into_iter()
                    .find(|t| t.d.lock().session == sid)
                    .cloned()
                    .ok_or(ENXIO)
            }
        }
    }
}

impl Inode for TtyNode {
    fn metadata(&self) -> Metadata {
        match self {
            TtyNode::Console => CONSOLE.metadata(),
            TtyNode::Hvc0 => HVC0.metadata(),
            TtyNode::Controlling => Metadata {
                rdev: 5 << 8,
                ..CONSOLE.metadata()
            },
        }
    }
    fn open(self: Arc<Self>, _flags: u32) -> SysResult<Arc<dyn File>> {
        Ok(self.terminal()?)
    }
}
