//! Calls into OpenSBI and the QEMU power-off device.

use crate::mm::phys_to_virt;

/// Arms the supervisor timer for the absolute `time` value `deadline`.
pub fn set_timer(deadline: u64) {
    sbi_rt::set_timer(deadline);
}

/// The machine's mvendorid, marchid and mimpid, as SBI reports them (/proc/cpuinfo).
pub fn machine_ids() -> (usize, usize, usize) {
    (
        sbi_rt::get_mvendorid(),
        sbi_rt::get_marchid(),
        sbi_rt::get_mimpid(),
    )
}

/// Writes one byte through the legacy SBI console (used before the UART is set up).
#[allow(deprecated)]
pub fn console_putchar(c: u8) {
    sbi_rt::legacy::console_putchar(c as usize);
}

/// The virt machine's `sifive_test` device: writing to it ends QEMU.
const SIFIVE_TEST: usize = 0x10_0000;

/// Ends the machine with `code` as QEMU's exit status.
pub fn shutdown(code: u8) -> ! {
    let value: u32 = if code == 0 {
        0x5555
    } else {
        ((code as u32) << 16) | 0x3333
    };
    let reg = phys_to_virt(SIFIVE_TEST) as *mut u32;
    // SAFETY: the device is mapped through the direct map; the write powers off.
    unsafe { reg.write_volatile(value) };
    loop {
        riscv::asm::wfi();
    }
}
