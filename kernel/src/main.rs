//! Rill: a Linux-compatible kernel for 64-bit RISC-V whose reason to exist is
//! inter-process communication done completely and correctly.
//!
//! Boot order: `arch::boot` enters `rust_main` in the high half; we read the device
//! tree, set up the heap, hand the rest of RAM but the initramfs to the frame
//! allocator, unpack the initramfs into the root tmpfs (whose files are page frames),
//! give its pages to the allocator too, start devices and interrupts, create pid 1 and
//! start the scheduler.

#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod bootargs;
mod console;
mod drivers;
mod errno;
mod fs;
mod ipc;
mod klog;
mod mm;
mod net;
mod random;
mod signal;
mod syscall;
mod task;
mod time;
mod trap;
mod ucount;

use alloc::string::String;
use alloc::vec::Vec;
use core::panic::PanicInfo;

/// Facts read from the device tree at boot.
struct Platform {
    mem_end: usize,
    uart: usize,
    plic: usize,
    rtc: Option<usize>,
    timebase: u64,
    initrd: Option<(usize, usize)>,
    bootargs: &'static str,
    /// The first hart's riscv,isa string (/proc/cpuinfo).
    isa: &'static str,
    /// virtio-mmio slots: (base, size, interrupt).
    virtio: [Option<(usize, usize, u32)>; 8],
}

fn read_device_tree(dtb_pa: usize, boot_hart: usize) -> Platform {
    // The tree is read before the heap exists: nothing here allocates.
    // The header's second big-endian word is the blob's total size.
    let header = mm::boot_memory(dtb_pa, 8);
    let size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let fdt = match fdt::Fdt::new(mm::boot_memory(dtb_pa, size)) {
        Ok(f) => f,
        Err(e) => panic!("bad device tree: {e:?}"),
    };
    let reg = |compat: &[&str]| -> Option<usize> {
        fdt.find_compatible(compat)?
            .reg()?
            .next()
            .map(|r| r.starting_address as usize)
    };
    let mem_end = fdt
        .memory()
        .regions()
        .next()
        .map(|r| r.starting_address as usize + r.size.unwrap_or(0))
        .unwrap_or(0x8800_0000);
    let chosen = fdt.find_node("/chosen");
    let prop = |name: &str| {
        chosen
            .as_ref()
            .and_then(|c| c.property(name))
            .and_then(|p| p.as_usize())
    };
    let initrd = match (prop("linux,initrd-start"), prop("linux,initrd-end")) {
        (Some(s), Some(e)) if e > s => Some((s, e)),
        _ => None,
    };
    let timebase = fdt
        .cpus()
        .next()
        .map_or(10_000_000, |c| c.timebase_frequency() as u64);
    arch::smp::set_harts(boot_hart, fdt.cpus().map(|c| c.ids().first()));
    let isa = fdt
        .cpus()
        .next()
        .and_then(|c| c.property("riscv,isa"))
        .and_then(|p| core::str::from_utf8(p.value).ok())
        .map_or("rv64imafdc", |s| s.trim_end_matches('\0'));
    let mut virtio = [None; 8];
    let slots = fdt.all_nodes().filter(|n| {
        n.compatible()
            .is_some_and(|c| c.all().any(|s| s == "virtio,mmio"))
    });
    for (slot, node) in virtio.iter_mut().zip(slots) {
        let reg = node.reg().and_then(|mut r| r.next());
        let irq = node.interrupts().and_then(|mut i| i.next());
        if let (Some(r), Some(irq)) = (reg, irq) {
            *slot = Some((
                r.starting_address as usize,
                r.size.unwrap_or(0x1000),
                irq as u32,
            ));
        }
    }
    Platform {
        virtio,
        mem_end,
        uart: reg(&["ns16550a"]).unwrap_or(0x1000_0000),
        plic: reg(&["riscv,plic0", "sifive,plic-1.0.0"]).unwrap_or(0x0c00_0000),
        rtc: reg(&["google,goldfish-rtc"]),
        timebase,
        initrd,
        bootargs: fdt.chosen().bootargs().unwrap_or(""),
        isa,
    }
}

/// init's extra arguments (the words after `--` on the kernel command line).
static INIT_ARGS: spin::Once<Vec<String>> = spin::Once::new();

#[no_mangle]
extern "C" fn rust_main(hartid: usize, dtb_pa: usize) -> ! {
    arch::cpu::write_tp(0);
    console::init_log(log::LevelFilter::Info);
    console::kernel_line(format_args!("Rill booting"));
    mm::pagetable::drop_boot_identity_map();
    arch::trap::init();
    arch::cpu::enable_fpu();

    let platform = read_device_tree(dtb_pa, hartid);
    fs::procfs::CPU.call_once(|| fs::procfs::CpuIdent { isa: platform.isa });
    extern "C" {
        static _kernel_end: u8;
    }
    let kernel_end = mm::page_round_up(mm::virt_to_phys(core::ptr::addr_of!(_kernel_end) as usize));
    let initrd = platform.initrd.map_or(0..0, |(s, e)| s..e);
    // The heap goes right after the kernel, or after the initramfs if QEMU loaded
    // that too close behind the kernel.
    let heap_size = mm::heap::size_for(platform.mem_end.saturating_sub(kernel_end));
    let heap_start = if kernel_end + heap_size <= initrd.start || initrd.is_empty() {
        kernel_end
    } else {
        mm::page_round_up(initrd.end.max(kernel_end))
    };
    mm::heap::init(heap_start, heap_size);
    random::seed(arch::cpu::read_time() ^ (dtb_pa as u64).rotate_left(17));
    time::init(platform.timebase, platform.rtc);
    INIT_ARGS.call_once(|| bootargs::init_args(platform.bootargs));

    // The device tree has been read: all RAM but the kernel image, the heap and the
    // initramfs is free; the initramfs is too once unpacked into tmpfs.
    mm::frame::init(
        kernel_end,
        platform.mem_end,
        heap_start..heap_start + heap_size,
        initrd.clone(),
    );
    // tmpfs's default size is half of RAM (Linux's totalram_pages), the heap's included.
    fs::init(initrd, mm::frame::ram_pages());
    log::info!(
        "memory: {} MiB of page frames, heap {} MiB ({} KiB used), files {} KiB, {} KiB free",
        mm::frame::total_pages() >> 8,
        mm::heap::total_bytes() >> 20,
        mm::heap::used_bytes() >> 10,
        mm::object::object_pages() * 4,
        mm::frame::free_pages() * 4
    );
    // One kernel stack per process (threads-max of them), plus a few spare for the
    // harts' own tasks.
    arch::kstack::init(task::process::max_threads() + 16);
    task::sched::size_run_queue(task::process::max_threads() + 16);

    drivers::uart::init(platform.uart);
    drivers::plic::init(platform.plic);
    drivers::plic::enable(trap::UART_IRQ, 0);
    // A virtio console, when QEMU provides one, is the second terminal /dev/hvc0.
    for (base, size, irq) in platform.virtio.iter().flatten() {
        if drivers::hvc::init(*base, *size) {
            trap::set_hvc_irq(*irq);
            drivers::plic::enable(*irq, 0);
            break;
        }
    }
    arch::cpu::enable_interrupt_sources();

    match task::process::Process::create_init(init_task_start) {
        Ok(_) => {}
        Err(e) => panic!("cannot create init: {e:?}"),
    }
    arch::smp::start_secondaries();
    task::sched::run()
}

/// A secondary hart's first Rust code (boot.rs, on its own boot stack with `tp` set):
/// leave the boot table for the kernel's, take traps, tick, and schedule.
#[no_mangle]
extern "C" fn rust_secondary(index: usize) -> ! {
    arch::cpu::write_tp(index);
    arch::cpu::activate_page_table(mm::pagetable::kernel_satp());
    arch::trap::init();
    arch::cpu::enable_fpu();
    time::start_hart();
    arch::cpu::enable_interrupt_sources();
    arch::smp::mark_online();
    task::sched::run()
}

/// pid 1's first code, running in its own task: open the console as fds 0-2 and exec
/// /bin/init with the boot arguments.
extern "C" fn init_task_start() -> ! {
    let proc = task::current_process();
    fs::tty::CONSOLE.set_controlling(proc.pid);
    let console = fs::path::from_root("/dev/console").and_then(|p| syscall::open_console(&p));
    match console {
        Ok(f) => {
            let files = crate::task::current_files();
            let mut fds = files.lock();
            for fd in 0..3 {
                // A new table has room for three descriptors.
                let _ = fds.set(fd, f.clone(), false);
            }
        }
        Err(e) => log::warn!("no console for init: {e:?}"),
    }
    let mut argv = alloc::vec![String::from("/bin/init")];
    argv.extend(INIT_ARGS.get().into_iter().flatten().cloned());
    let envp = alloc::vec![String::from("HOME=/"), String::from("TERM=vt100")];
    let frame = task::current().trap_frame_ptr();
    arch::trap::enter_user(frame, |tf| {
        if let Err(e) = syscall::exec_init(tf, argv, envp) {
            panic!("cannot run /bin/init: {e:?}");
        }
    })
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    console::kernel_line(format_args!("kernel panic: {info}"));
    arch::sbi::shutdown(255)
}
