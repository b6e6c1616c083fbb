//! The virtio console (/dev/hvc0): a second terminal that QEMU connects to a host
//! socket, so two shells can run side by side (the lecture's FIFO and kill demos).

use super::virtio::{probe, KernelHal};
use crate::arch::spinlock::Mutex;
use virtio_drivers::device::console::VirtIOConsole;
use virtio_drivers::transport::mmio::MmioTransport;
use virtio_drivers::transport::DeviceType;

type Console = VirtIOConsole<KernelHal, MmioTransport<'static>>;

static DEVICE: Mutex<Option<Console>> = Mutex::new(None);

/// Takes the virtio-mmio slot at `base` if it is a console; returns whether it was.
pub fn init(base: usize, size: usize) -> bool {
    let Some(transport) = probe(base, size, DeviceType::Console) else {
        return false;
    };
    match Console::new(transport) {
        Ok(c) => {
            *DEVICE.lock() = Some(c);
            true
        }
        Err(e) => {
            log::warn!("virtio console: {e:?}");
            false
        }
    }
}

pub fn is_present() -> bool {
    DEVICE.lock().is_some()
}

/// Sends terminal output (the device takes it synchronously).
pub fn write(bytes: &[u8]) {
    if let Some(c) = DEVICE.lock().as_mut() {
        let _ = c.send_bytes(bytes);
    }
}

/// Interrupt: collects the received bytes into `out`; returns how many.
pub fn receive(out: &mut [u8]) -> usize {
    let mut guard = DEVICE.lock();
    let Some(c) = guard.as_mut() else { return 0 };
    let _ = c.ack_interrupt();
    let mut n = 0;
    while n < out.len() {
        match c.recv(true) {
            Ok(Some(b)) => {
                out[n] = b;
                n += 1;
            }
            _ => break,
        }
    }
    n
}
