//! The copy loop that touches user memory directly (sstatus.SUM set for its duration).
//! A page fault inside it does not reach the fault handler's panic: the kernel trap
//! handler sends it to `user_copy_fault` (see `fixup`), which reports the fault to the
//! caller, and the caller resolves the page as a user fault would and tries again.

use core::arch::global_asm;

global_asm!(
    r#"
    .section .text
    .align 2
    .globl user_copy
// a0 = destination, a1 = source, a2 = length; returns a0 = 0, or 1 after a fault.
user_copy:
    li      t6, {sum}
    csrs    sstatus, t6
    xor     t0, a0, a1
    andi    t0, t0, 7
    bnez    t0, 4f
    // Same alignment: bytes up to a word boundary, 64-byte blocks, words, bytes.
1:
    andi    t0, a0, 7
    beqz    t0, 2f
    beqz    a2, 5f
    lb      t1, 0(a1)
    sb      t1, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    addi    a2, a2, -1
    j       1b
2:
    // 64-byte blocks, then one each of 32, 16 and 8 as the length needs.
    li      t5, 64
    bltu    a2, t5, 3f
6:
    ld      t0, 0(a1)
    ld      t1, 8(a1)
    ld      t2, 16(a1)
    ld      t3, 24(a1)
    ld      t4, 32(a1)
    ld      a3, 40(a1)
    ld      a4, 48(a1)
    ld      a5, 56(a1)
    sd      t0, 0(a0)
    sd      t1, 8(a0)
    sd      t2, 16(a0)
    sd      t3, 24(a0)
    sd      t4, 32(a0)
    sd      a3, 40(a0)
    sd      a4, 48(a0)
    sd      a5, 56(a0)
    addi    a0, a0, 64
    addi    a1, a1, 64
    addi    a2, a2, -64
    bgeu    a2, t5, 6b
3:
    andi    t0, a2, 32
    beqz    t0, 7f
    ld      t0, 0(a1)
    ld      t1, 8(a1)
    ld      t2, 16(a1)
    ld      t3, 24(a1)
    sd      t0, 0(a0)
    sd      t1, 8(a0)
    sd      t2, 16(a0)
    sd      t3, 24(a0)
    addi    a0, a0, 32
    addi    a1, a1, 32
7:
    andi    t0, a2, 16
    beqz    t0, 8f
    ld      t0, 0(a1)
    ld      t1, 8(a1)
    sd      t0, 0(a0)
    sd      t1, 8(a0)
    addi    a0, a0, 16
    addi    a1, a1, 16
8:
    andi    t0, a2, 8
    beqz    t0, 9f
    ld      t0, 0(a1)
    sd      t0, 0(a0)
    addi    a0, a0, 8
    addi    a1, a1, 8
9:
    andi    a2, a2, 7
4:
    beqz    a2, 5f
    lb      t1, 0(a1)
    sb      t1, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    addi    a2, a2, -1
    j       4b
5:
    csrc    sstatus, t6
    li      a0, 0
    ret
    .globl user_copy_fault
user_copy_fault:
    csrc    sstatus, t6
    li      a0, 1
    ret
"#,
    sum = const 1 << 18,
);

extern "C" {
    fn user_copy(dst: *mut u8, src: *const u8, len: usize) -> usize;
    fn user_copy_fault();
}

/// Copies `len` bytes from `src` to `dst`, one of which is user memory; false if a
/// page fault stopped it (some bytes may have moved).
///
/// # Safety
/// The kernel side must be valid for `len` bytes (and not overlap the user side); the
/// user side must lie below the user half's end (a fault there is then caught).
pub unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) -> bool {
    // SAFETY: the caller's contract; the routine touches nothing else.
    unsafe { user_copy(dst, src, len) == 0 }
}

/// Where a kernel page or access fault at `pc` continues: `user_copy_fault` when `pc`
/// is inside the copy loop, None anywhere else (a kernel bug).
pub fn fixup(pc: usize) -> Option<usize> {
    let start = user_copy as *const () as usize;
    let end = user_copy_fault as *const () as usize;
    (start..end).contains(&pc).then_some(end)
}
