//! First instructions: OpenSBI enters `_start` at physical 0x80200000 with paging off.
//! We switch on Sv39 with a boot page table that maps physical memory both at its own
//! address (so the next instruction still fetches) and in the high direct map at
//! `KERNEL_OFFSET`, then jump to the high alias, clear .bss and enter Rust.
//! Secondary harts, started later through SBI HSM (smp.rs), come in at
//! `_secondary_start` the same way, on a copy of that table (the boot hart drops the
//! identity entry of its own once it runs high), with their index in `a1`.

use core::arch::global_asm;

/// Size of each hart's boot stack (also the stack its scheduler loop runs on).
pub const BOOT_STACK_SIZE: usize = 64 * 1024;

// The boot page table has 1 GiB leaf entries: index 2 identity-maps 0x8000_0000 (only
// needed for the jump), and indices 256..260 map physical 0..4 GiB (RAM and every
// device of the virt machine) at KERNEL_OFFSET. Flags 0xef = V|R|W|X|G|A|D.
global_asm!(
    r#"
    .section .text.entry
    .globl _start
_start:
    la      sp, boot_stack_bottom
    li      t0, {stack_size}
    add     sp, sp, t0
    la      t0, boot_page_table
    srli    t0, t0, 12
    li      t1, 8 << 60
    or      t0, t0, t1
    csrw    satp, t0
    sfence.vma
    li      t1, 0xffffffc000000000
    add     sp, sp, t1
    la      t0, 1f
    add     t0, t0, t1
    jr      t0
1:
    la      t2, _bss_start
    la      t3, _bss_end
2:
    bgeu    t2, t3, 3f
    sd      zero, 0(t2)
    addi    t2, t2, 8
    j       2b
3:
    call    rust_main
4:
    wfi
    j       4b

    .globl _secondary_start
_secondary_start:
    la      t0, secondary_page_table
    srli    t0, t0, 12
    li      t1, 8 << 60
    or      t0, t0, t1
    csrw    satp, t0
    sfence.vma
    li      t1, 0xffffffc000000000
    la      t0, 5f
    add     t0, t0, t1
    jr      t0
5:
    la      sp, boot_stack_bottom
    addi    t0, a1, 1
    li      t1, {stack_size}
    mul     t0, t0, t1
    add     sp, sp, t0
    mv      tp, a1
    mv      a0, a1
    call    rust_secondary
6:
    wfi
    j       6b

    .section .bss.stack
    .align 12
    .globl boot_stack_bottom
boot_stack_bottom:
    .space {stack_size} * {max_harts}

    .section .data
    .align 12
    .globl boot_page_table
boot_page_table:
    .quad 0
    .quad 0
    .quad (0x80000 << 10) | 0xef
    .zero 8 * 253
    .quad (0x00000 << 10) | 0xef
    .quad (0x40000 << 10) | 0xef
    .quad (0x80000 << 10) | 0xef
    .quad (0xc0000 << 10) | 0xef
    .zero 8 * 252

    .align 12
secondary_page_table:
    .quad 0
    .quad 0
    .quad (0x80000 << 10) | 0xef
    .zero 8 * 253
    .quad (0x00000 << 10) | 0xef
    .quad (0x40000 << 10) | 0xef
    .quad (0x80000 << 10) | 0xef
    .quad (0xc0000 << 10) | 0xef
    .zero 8 * 252
"#,
    stack_size = const BOOT_STACK_SIZE,
    max_harts = const crate::task::sched::MAX_HARTS,
);
