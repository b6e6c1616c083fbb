//! Console output shared by the kernel log and the terminal: one lock so lines do not
//! interleave mid-byte, and a record of whether the cursor is at a line start so that
//! kernel log lines always begin at column 0 with "[rill] ".

use crate::arch::sbi;
use crate::arch::spinlock::Mutex;
use crate::drivers::uart;
use crate::errno::SysResult;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

static LOCK: Mutex<()> = Mutex::new(());
static AT_LINE_START: AtomicBool = AtomicBool::new(true);

fn put(c: u8) {
    if uart::is_ready() {
        uart::putc(c);
    } else {
        sbi::console_putchar(c);
    }
}

/// Writes terminal output bytes (already processed by the line discipline).
pub fn write_bytes(bytes: &[u8]) {
    let _g = LOCK.lock();
    for &b in bytes {
        put(b);
    }
    if let Some(&last) = bytes.last() {
        AT_LINE_START.store(last == b'\n', Ordering::Relaxed);
    }
}

/// Writes as much of a process's terminal output as the UART takes without waiting;
/// returns how many bytes went (the rest waits for `wait_writable`).
pub fn write_some(bytes: &[u8]) -> usize {
    let _g = LOCK.lock();
    let sent = if uart::is_ready() {
        uart::send_some(bytes)
    } else {
        bytes.iter().for_each(|&b| sbi::console_putchar(b));
        bytes.len()
    };
    if let Some(&last) = bytes[..sent].last() {
        AT_LINE_START.store(last == b'\n', Ordering::Relaxed);
    }
    sent
}

/// Sleeps until the UART can take more output (ERESTARTSYS on a signal), letting other
/// tasks run meanwhile.
pub fn wait_writable() -> SysResult<()> {
    if uart::is_ready() {
        uart::wait_transmitter()
    } else {
        Ok(())
    }
}

struct Raw;

impl Write for Raw {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                put(b'\r');
            }
            put(b);
        }
        Ok(())
    }
}

/// Prints one kernel line: "[rill] " + message, starting on a fresh line.
pub fn kernel_line(args: fmt::Arguments) {
    let _g = LOCK.lock();
    if !AT_LINE_START.load(Ordering::Relaxed) {
        put(b'\r');
        put(b'\n');
    }
    let _ = Raw.write_fmt(format_args!("[rill] {args}\n"));
    AT_LINE_START.store(true, Ordering::Relaxed);
    crate::klog::record(args);
}

struct Logger;

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::max_level()
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            match r.level() {
                log::Level::Info => kernel_line(format_args!("{}", r.args())),
                l => kernel_line(format_args!("{l}: {}", r.args())),
            }
        }
    }
    fn flush(&self) {}
}

static LOGGER: Logger = Logger;

pub fn init_log(level: log::LevelFilter) {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
