//! The console terminal and its line discipline.
//!
//! Received bytes pass through `receive`: in canonical mode they are collected into a
//! line that the user can edit (erase, kill) and that becomes readable at newline or
//! ^D; in non-canonical mode they are readable at once. ISIG turns ^C, ^\ and ^Z into
//! SIGINT, SIGQUIT and SIGTSTP for the foreground process group. Output (`output`) adds
//! the carriage return of ONLCR; a process's write goes out in chunks, between which the
//! writer sleeps until the device can take more and a pending signal ends the write.
//! Sessions and job control are in `session`; pseudo-terminals, whose slaves are
//! terminals with this same discipline, in `pty`.

use super::file::{File, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use super::vfs::{alloc_ino, Inode, Metadata, S_IFCHR};
use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EAGAIN, EIO, ENOTTY, ENXIO};
use crate::mm::uaccess::{read_val, write_val, InBuf, OutBuf};
use crate::signal::{self, Signal};
use crate::task::{current_process, Pid, WaitQueue};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;
use linux_raw_sys::ioctl as io;
use spin::Lazy;

mod devpts;
mod output;
mod pty;
mod session;

pub use devpts::{PtmxNode, PtsDir};
use output::{output, Device};
pub use session::hang_up_session;

const MAX_INPUT: usize = 4096;

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
    /// Permission bits and owner of the device node.
    mode: u32,
    uid: u32,
    gid: u32,
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
            d: Mutex::new(Discipline::new(default_termios(), 24, 80)),
            readers: WaitQueue::new(),
            ino: alloc_ino(),
            rdev,
            mode: 0o620,
            uid: 0,
            gid: 0,
            device,
        })
    }

    /// A pty slave, owned by the opener of /dev/ptmx: as Linux's pty driver, no HUPCL
    /// and a window size of 0x0 until someone sets one.
    fn new_pty(link: Arc<pty::PtyLink>, rdev: u64, uid: u32, gid: u32) -> Arc<Tty> {
        let mut termios = default_termios();
        termios.c_cflag &= !g::HUPCL;
        Arc::new(Tty {
            d: Mutex::new(Discipline::new(termios, 0, 0)),
            readers: WaitQueue::new(),
            ino: alloc_ino(),
            rdev,
            mode: 0o600,
            uid,
            gid,
            device: Device::Pty(link),
        })
    }

    /// Whether this is a pty slave whose master was closed.
    fn hung_up(&self) -> bool {
        matches!(&self.device, Device::Pty(link) if link.hung_up())
    }
}

/// The serial console (/dev/console): the terminal `make run` shows.
pub static CONSOLE: Lazy<Arc<Tty>> = Lazy::new(|| Tty::new(Device::Uart, (5 << 8) | 1));

/// The virtio console (/dev/hvc0): a second terminal on a host socket.
pub static HVC0: Lazy<Arc<Tty>> = Lazy::new(|| Tty::new(Device::Hvc, 229 << 8));

/// Every terminal that can control a session: the consoles and the pty slaves.
fn terminals() -> Vec<Arc<Tty>> {
    let mut all = pty::slaves();
    all.push(CONSOLE.clone());
    all.push(HVC0.clone());
    all
}

impl Discipline {
    fn new(termios: g::termios, rows: u16, cols: u16) -> Discipline {
        Discipline {
            termios,
            winsize: g::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
            line: Vec::new(),
            ready: VecDeque::new(),
            session: 0,
            foreground: 0,
        }
    }

    /// How many more received bytes the input takes before a pty master's writer must
    /// wait for the reader. A line being edited with no complete line before it always
    /// takes more (what does not fit is dropped), so the writer cannot wait forever.
    fn input_room(&self) -> usize {
        if self.lflag(g::ICANON) && self.ready.is_empty() {
            return MAX_INPUT;
        }
        // Each completed line counts at least one byte, so EOF marks are bounded too.
        let queued: usize = self.ready.iter().map(|l| l.len().max(1)).sum();
        MAX_INPUT.saturating_sub(queued + self.line.len())
    }

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
        } else if self.is_cc(c, g::VWERASE) && self.lflag(g::IEXTEN) {
            // Back over non-word characters, then the word (Linux's, like BSD's
            // ALTWERASE: letters, digits and '_' make words).
            let mut seen_word = false;
            while let Some(&last) = self.line.last() {
                let word = last.is_ascii_alphanumeric() || last == b'_';
                if !word && seen_word {
                    break;
                }
                seen_word |= word;
                self.erase_one(out);
            }
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
            output(&self.device, &termios, &echo);
        }
        for sig in signals {
            if fg != 0 {
                let _ = signal::send_to_group(fg, sig, signal::SigInfo::kernel(sig));
            }
        }
        self.readers.wake_all();
    }
}

impl File for Tty {
    fn read(&self, _pos: u64, buf: &mut dyn OutBuf, nonblock: bool) -> SysResult<usize> {
        if self.hung_up() {
            return Ok(0);
        }
        self.job_control_check(Signal::SIGTTIN)?;
        if buf.len() == 0 {
            return Ok(0);
        }
        let mut take = || -> Option<SysResult<usize>> {
            // A read under way when the master closes ends in EIO (Linux's n_tty_read
            // sees TTY_OTHER_CLOSED); later reads see the hangup and return 0.
            if self.hung_up() {
                return Some(Err(EIO));
            }
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
        let r = if nonblock {
            take().unwrap_or(Err(EAGAIN))
        } else {
            self.readers.wait_until("tty_read", take)?
        };
        if let (Device::Pty(link), Ok(n)) = (&self.device, &r) {
            if *n > 0 {
                link.input_consumed();
            }
        }
        r
    }

    fn write(&self, _pos: u64, buf: &dyn InBuf, _nonblock: bool) -> SysResult<usize> {
        if self.hung_up() {
            return Err(EIO);
        }
        self.job_control_check(Signal::SIGTTOU)?;
        self.write_chunked(buf)
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            ino: self.ino,
            mode: S_IFCHR | self.mode,
            nlink: 1,
            uid: self.uid,
            gid: self.gid,
            rdev: self.rdev,
            ..Default::default()
        }
    }

    fn poll(&self) -> u16 {
        if self.hung_up() {
            return pty::HUNG_UP_POLL;
        }
        let mut ev = 0;
        match &self.device {
            Device::Pty(link) if !link.has_room() => {}
            _ => ev |= POLLOUT | POLLWRNORM,
        }
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
        if self.hung_up() {
            return Err(EIO);
        }
        self.tiocsctty(arg, readable)
    }

    fn ioctl(&self, cmd: u32, arg: usize) -> SysResult<usize> {
        if self.hung_up() {
            // Linux's hung_up_tty_ioctl.
            return Err(if cmd == io::TIOCSPGRP { ENOTTY } else { EIO });
        }
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
                self.set_winsize(w);
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

impl Tty {
    /// TIOCSWINSZ: a new size is SIGWINCH to the foreground group.
    fn set_winsize(&self, w: g::winsize) {
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
    fn terminal(&self) -> SysResult<Arc<dyn File>> {
        match self {
            TtyNode::Console => Ok(CONSOLE.clone()),
            TtyNode::Hvc0 if crate::drivers::hvc::is_present() => Ok(HVC0.clone()),
            TtyNode::Hvc0 => Err(ENXIO),
            TtyNode::Controlling => {
                let sid = current_process().sid();
                match [&*CONSOLE, &*HVC0]
                    .into_iter()
                    .find(|t| t.d.lock().session == sid)
                {
                    Some(t) => Ok(t.clone()),
                    // A pty slave's opens are counted: it gets its own description.
                    None => pty::controlling_slave(sid),
                }
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
        self.terminal()
    }
}
