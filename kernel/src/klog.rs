//! The kernel log ring behind syslog(2) and dmesg: every kernel line, as Linux's printk
//! records read back ("<6>[    1.234567] text\n"), in a fixed 16 KiB ring whose oldest
//! lines give way to new ones.

use crate::arch::spinlock::Mutex;
use crate::errno::{SysResult, EINVAL, EPERM};
use crate::mm::uaccess::{OutBuf, UserSliceMut};
use crate::task::{current_process, WaitQueue};
use core::fmt::{self, Write};

const RING_SIZE: usize = 16 * 1024;

struct Ring {
    bytes: [u8; RING_SIZE],
    /// Bytes ever written; the ring holds the last RING_SIZE of them.
    head: u64,
    /// Where SYSLOG_ACTION_CLEAR left READ_ALL's start.
    cleared: u64,
    /// Where the destructive SYSLOG_ACTION_READ goes on.
    read: u64,
}

static RING: Mutex<Ring> = Mutex::new(Ring {
    bytes: [0; RING_SIZE],
    head: 0,
    cleared: 0,
    read: 0,
});
static READERS: WaitQueue = WaitQueue::new();

impl Write for Ring {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.bytes[(self.head % RING_SIZE as u64) as usize] = b;
            self.head += 1;
        }
        Ok(())
    }
}

impl Ring {
    /// The oldest byte still held at or after `from`, moved to a line start when the
    /// line it falls in was partly overwritten.
    fn start(&self, from: u64) -> u64 {
        let oldest = self.head.saturating_sub(RING_SIZE as u64);
        if from >= oldest {
            return from;
        }
        (oldest..self.head)
            .find(|&i| self.byte(i) == b'\n')
            .map_or(self.head, |i| i + 1)
    }

    fn byte(&self, at: u64) -> u8 {
        self.bytes[(at % RING_SIZE as u64) as usize]
    }

    /// Copies bytes `from..to` to `buf` at 0.
    fn copy_out(&self, from: u64, to: u64, buf: &mut dyn OutBuf) -> SysResult<usize> {
        let mut chunk = [0u8; 256];
        let mut at = from;
        while at < to {
            let n = ((to - at) as usize).min(chunk.len());
            for (i, c) in chunk[..n].iter_mut().enumerate() {
                *c = self.byte(at + i as u64);
            }
            buf.write_at((at - from) as usize, &chunk[..n])?;
            at += n as u64;
        }
        Ok((to - from) as usize)
    }
}

/// Records one kernel line (without its newline).
pub fn record(args: fmt::Arguments) {
    let ns = crate::time::monotonic_ns();
    {
        let mut ring = RING.lock();
        let _ = writeln!(
            ring,
            "<6>[{:5}.{:06}] {args}",
            ns / 1_000_000_000,
            ns % 1_000_000_000 / 1000
        );
    }
    READERS.wake_all();
}

// include/linux/syslog.h (linux-raw-sys does not carry these).
const SYSLOG_ACTION_CLOSE: i32 = 0;
const SYSLOG_ACTION_OPEN: i32 = 1;
const SYSLOG_ACTION_READ: i32 = 2;
const SYSLOG_ACTION_READ_ALL: i32 = 3;
const SYSLOG_ACTION_READ_CLEAR: i32 = 4;
const SYSLOG_ACTION_CLEAR: i32 = 5;
const SYSLOG_ACTION_CONSOLE_OFF: i32 = 6;
const SYSLOG_ACTION_CONSOLE_ON: i32 = 7;
const SYSLOG_ACTION_CONSOLE_LEVEL: i32 = 8;
const SYSLOG_ACTION_SIZE_UNREAD: i32 = 9;
const SYSLOG_ACTION_SIZE_BUFFER: i32 = 10;

/// syslog(2). As with Linux's kernel.dmesg_restrict 0, anyone may READ_ALL and ask the
/// buffer's size; everything else needs privilege (EPERM).
pub fn syslog(action: i32, buf: usize, len: i32) -> SysResult<usize> {
    let open_to_all = matches!(action, SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_SIZE_BUFFER);
    if !(SYSLOG_ACTION_CLOSE..=SYSLOG_ACTION_SIZE_BUFFER).contains(&action) {
        return Err(EINVAL);
    }
    if !open_to_all && current_process().creds.lock().euid != 0 {
        return Err(EPERM);
    }
    let reads = matches!(
        action,
        SYSLOG_ACTION_READ | SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_READ_CLEAR
    );
    if reads {
        if buf == 0 || len < 0 {
            return Err(EINVAL);
        }
        if len == 0 {
            return Ok(0);
        }
    }
    match action {
        SYSLOG_ACTION_CLOSE | SYSLOG_ACTION_OPEN => Ok(0),
        SYSLOG_ACTION_READ => {
            let mut out = UserSliceMut::new(buf, len as usize)?;
            READERS.wait_until("syslog", || {
                let mut ring = RING.lock();
                let from = ring.start(ring.read);
                if from >= ring.head {
                    return None;
                }
                let to = ring.head.min(from + len as u64);
                let r = ring.copy_out(from, to, &mut out);
                if r.is_ok() {
                    ring.read = to;
                }
                Some(r)
            })?
        }
        SYSLOG_ACTION_READ_ALL | SYSLOG_ACTION_READ_CLEAR => {
            let mut out = UserSliceMut::new(buf, len as usize)?;
            let mut ring = RING.lock();
            // The newest whole lines that fit.
            let mut from = ring.start(ring.cleared);
            if ring.head - from > len as u64 {
                let cut = ring.head - len as u64;
                // cut > 0 here: more than `len` bytes lie before the head.
                from = (cut..ring.head)
                    .find(|&i| ring.byte(i - 1) == b'\n')
                    .unwrap_or(ring.head);
            }
            let head = ring.head;
            let n = ring.copy_out(from, head, &mut out)?;
            if action == SYSLOG_ACTION_READ_CLEAR {
                ring.cleared = head;
            }
            Ok(n)
        }
        SYSLOG_ACTION_CLEAR => {
            let mut ring = RING.lock();
            ring.cleared = ring.head;
            Ok(0)
        }
        // Rill's console shows every kernel line whatever these say.
        SYSLOG_ACTION_CONSOLE_OFF | SYSLOG_ACTION_CONSOLE_ON => Ok(0),
        SYSLOG_ACTION_CONSOLE_LEVEL => {
            if !(1..=8).contains(&len) {
                return Err(EINVAL);
            }
            Ok(0)
        }
        SYSLOG_ACTION_SIZE_UNREAD => {
            let ring = RING.lock();
            Ok((ring.head - ring.start(ring.read)) as usize)
        }
        _ => Ok(RING_SIZE),
    }
}
