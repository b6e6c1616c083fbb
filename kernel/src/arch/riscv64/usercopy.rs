//! The copy loop that touches user memory directly (sstatus.SUM set for its duration).
//! A page fault inside it does not reach the fault handler's panic: the kernel trap
//! handler sends it to `user_copy_fault` (see `fixup`), which reports the fault to the
//! caller, and the caller resolves the page as a user fault would and tries again.
//!
//! Pipes and the other byte-moving paths spend most of their time here, so the loop is
//! unrolled far: 512 bytes per pass as one load and one store per word (about 0.26
//! instructions per byte, against 0.31 for a 64-byte loop and 0.35 for glibc's memcpy in
//! the guest), then 64 bytes per pass, then one step each of 32, 16 and 8 bytes as the
//! length needs; short copies take no more instructions than `memcpy` would. Ends that
//! differ in alignment within a word (a read into an odd offset) go by shifted words,
//! about 0.9 instructions per byte instead of 7 a byte at a time. The same
//! loop, entered as `frame_copy`, copies between kernel addresses (user pages reached
//! through their kernel aliases, see mm/xcopy), outside the range where faults are caught.

use core::arch::global_asm;

global_asm!(
    r#"
// Copies the first `n` (a multiple of 8, at most 512) bytes of a1 to a0, a word at a time.
.macro rill_copy_words n
    .irp off, 0,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120,128,136,144,152,160,168,176,184,192,200,208,216,224,232,240,248,256,264,272,280,288,296,304,312,320,328,336,344,352,360,368,376,384,392,400,408,416,424,432,440,448,456,464,472,480,488,496,504
    .if \off < \n
    ld      t0, \off(a1)
    sd      t0, \off(a0)
    .endif
    .endr
.endm

// One step of `n` bytes if that bit of a2 is set.
.macro rill_copy_step n
    andi    t0, a2, \n
    beqz    t0, 7f
    rill_copy_words \n
    addi    a0, a0, \n
    addi    a1, a1, \n
7:
.endm

// a0 = destination, a1 = source, a2 = length; ends at its end with the bytes copied.
.macro rill_copy_body
    xor     t0, a0, a1
    andi    t0, t0, 7
    beqz    t0, 1f
    // Different alignment within a word: bytes up to the destination's word boundary,
    // then whole destination words, each made of two aligned source words shifted
    // together (every word loaded holds a byte of the source range, so no page outside
    // it is touched), then bytes. Short copies are bytes only.
    li      t5, 16
    bltu    a2, t5, 4f
11:
    andi    t0, a0, 7
    beqz    t0, 12f
    lb      t1, 0(a1)
    sb      t1, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    addi    a2, a2, -1
    j       11b
12:
    andi    t0, a1, 7
    slli    t0, t0, 3           // the older word's shift right, in bits
    neg     t1, t0              // the newer word's shift left (64 - t0, as sll reads it)
    andi    a3, a1, -8
    ld      t2, 0(a3)
    li      t5, 16
    bltu    a2, t5, 14f
13:
    ld      t3, 8(a3)
    ld      a4, 16(a3)
    srl     t2, t2, t0
    sll     t4, t3, t1
    or      t4, t2, t4
    sd      t4, 0(a0)
    srl     t3, t3, t0
    sll     t4, a4, t1
    or      t4, t3, t4
    sd      t4, 8(a0)
    mv      t2, a4
    addi    a3, a3, 16
    addi    a0, a0, 16
    addi    a2, a2, -16
    bgeu    a2, t5, 13b
14:
    li      t5, 8
    bltu    a2, t5, 15f
    ld      t3, 8(a3)
    srl     t2, t2, t0
    sll     t4, t3, t1
    or      t4, t2, t4
    sd      t4, 0(a0)
    addi    a3, a3, 8
    addi    a0, a0, 8
    addi    a2, a2, -8
15:
    srli    t0, t0, 3
    add     a1, a3, t0
    j       4f
    // Same alignment: bytes up to a word boundary, 512- then 64-byte blocks, steps, bytes.
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
    li      t5, 64              // short copies go straight to the small steps
    bltu    a2, t5, 3f
    li      t1, 512
    bltu    a2, t1, 9f
    srli    t1, a2, 9
    slli    t1, t1, 9
    add     t1, t1, a1          // where the source's last block ends
6:
    rill_copy_words 512
    addi    a0, a0, 512
    addi    a1, a1, 512
    bne     a1, t1, 6b
    andi    a2, a2, 511
    bltu    a2, t5, 3f
9:
    rill_copy_words 64
    addi    a0, a0, 64
    addi    a1, a1, 64
    addi    a2, a2, -64
    bgeu    a2, t5, 9b
    beqz    a2, 5f
3:
    rill_copy_step 32
    rill_copy_step 16
    rill_copy_step 8
    andi    a2, a2, 7
4:
    beqz    a2, 5f
    add     t1, a1, a2          // where the source ends
16:
    lb      t3, 0(a1)
    sb      t3, 0(a0)
    addi    a0, a0, 1
    addi    a1, a1, 1
    bne     a1, t1, 16b
5:
.endm

    .section .text
    .align 2
    .globl user_copy
// a0 = destination, a1 = source, a2 = length; returns a0 = 0, or 1 after a fault.
user_copy:
    li      t6, {sum}
    csrs    sstatus, t6
    rill_copy_body
    csrc    sstatus, t6
    li      a0, 0
    ret
    .globl user_copy_fault
user_copy_fault:
    csrc    sstatus, t6
    li      a0, 1
    ret

    .globl frame_copy
// a0 = destination, a1 = source, a2 = length, both kernel memory.
frame_copy:
    rill_copy_body
    ret
"#,
    sum = const 1 << 18,
);

extern "C" {
    fn user_copy(dst: *mut u8, src: *const u8, len: usize) -> usize;
    fn user_copy_fault();
    fn frame_copy(dst: *mut u8, src: *const u8, len: usize);
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

/// Copies `len` bytes between kernel addresses (parts of page frames) with the same loop
/// as `copy`, which beats `memcpy` on large copies and matches it on short ones.
///
/// # Safety
/// Both ranges must be valid kernel memory for `len` bytes and must not overlap.
pub unsafe fn copy_frames(dst: *mut u8, src: *const u8, len: usize) {
    // SAFETY: the caller's contract; the routine touches nothing else and cannot fail.
    unsafe { frame_copy(dst, src, len) }
}

/// Where a kernel page or access fault at `pc` continues: `user_copy_fault` when `pc`
/// is inside the copy loop, None anywhere else (a kernel bug).
pub fn fixup(pc: usize) -> Option<usize> {
    let start = user_copy as *const () as usize;
    let end = user_copy_fault as *const () as usize;
    (start..end).contains(&pc).then_some(end)
}
