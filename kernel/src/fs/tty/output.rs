//! Terminal output: the devices behind the terminals, ONLCR, and a process's write, which
//! goes out a chunk at a time so that a long write neither holds the hart nor outlives a
//! signal (Linux's tty_write and n_tty_write).

use super::pty::PtyLink;
use super::Tty;
use crate::errno::{SysResult, ERESTARTSYS};
use crate::mm::uaccess::InBuf;
use crate::signal;
use crate::task::current;
use alloc::sync::Arc;
use alloc::vec::Vec;
use linux_raw_sys::general as g;

/// Bytes of a write taken per step: after each step the writer gives the hart up until
/// the device is ready again and checks for signals (Linux's tty_write does the same
/// every 2 KiB; the UART here is ~1 us a byte, so this is a break every ~0.3 ms).
const WRITE_CHUNK: usize = 256;

/// Where a terminal's output goes.
#[derive(Clone)]
pub(super) enum Device {
    /// The UART behind /dev/console.
    Uart,
    /// The virtio console behind /dev/hvc0.
    Hvc,
    /// A pseudo-terminal's master: the slave's output waits there for the master's reads.
    Pty(Arc<PtyLink>),
}

impl Device {
    /// Sends `bytes` now, polling the device: echo and other short output the kernel
    /// makes itself, possibly in interrupt context.
    pub(super) fn send_now(&self, bytes: &[u8]) {
        match self {
            Device::Uart => crate::console::write_bytes(bytes),
            Device::Hvc => crate::drivers::hvc::write(bytes),
            Device::Pty(link) => link.push_echo(bytes),
        }
    }

    /// Sends what the device takes without waiting; returns how many bytes went.
    fn send_some(&self, bytes: &[u8]) -> usize {
        match self {
            Device::Pty(link) => link.push_output(bytes),
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
    /// is never full, lets other runnable tasks go first; a pty's slave sleeps until the
    /// master reads (EIO once the master is closed).
    fn wait_writable(&self) -> SysResult<()> {
        match self {
            Device::Pty(link) => link.wait_room(),
            Device::Uart => crate::console::wait_writable(),
            Device::Hvc => {
                crate::task::schedule_yield();
                Ok(())
            }
        }
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
pub(super) fn output(device: &Device, termios: &g::termios, bytes: &[u8]) {
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
    /// Linux's tty_write and n_tty_write: the bytes go out a chunk at a time. Before
    /// each chunk a pending signal ends the write; while the device is full, and after
    /// each chunk, the writer sleeps until the device is ready, so other tasks run and a
    /// signal (SIGKILL above all) takes effect within a chunk. The result is the count of
    /// bytes whose output went out, or ERESTARTSYS if a signal came before any did.
    pub(super) fn write_chunked(&self, buf: &dyn InBuf) -> SysResult<usize> {
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
                if let Err(e) = self.device.wait_writable() {
                    if e != ERESTARTSYS {
                        // A hung-up pty: what went out counts, as after a signal.
                        return if done > 0 { Ok(done) } else { Err(e) };
                    }
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
}
