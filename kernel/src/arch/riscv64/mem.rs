//! `memcpy` and `memset` for the kernel, in place of the generic ones the compiler
//! would otherwise link: copies and fills go 64 bytes per loop when both ends share
//! their alignment within a word (the usual case: frames, buffers, user pages), about a
//! third of the instructions of a word-at-a-time loop. Every user copy, signal frame and
//! page copy runs through them.

use core::arch::global_asm;

global_asm!(
    r#"
    .section .text.memcpy, "ax"
    .globl memcpy
    .type memcpy, @function
// memcpy(a0 = dst, a1 = src, a2 = n) -> dst. Regions do not overlap.
memcpy:
    mv      t6, a0
    xor     t0, a0, a1
    andi    t0, t0, 7
    bnez    t0, 8f              // different alignment within a word
1:  andi    t0, t6, 7           // bytes up to the first aligned word
    beqz    t0, 2f
    beqz    a2, 7f
    lbu     t1, 0(a1)
    sb      t1, 0(t6)
    addi    a1, a1, 1
    addi    t6, t6, 1
    addi    a2, a2, -1
    j       1b
2:  li      a5, 64
    bltu    a2, a5, 4f
3:  ld      t0, 0(a1)           // 64 bytes per loop
    ld      t1, 8(a1)
    ld      t2, 16(a1)
    ld      t3, 24(a1)
    ld      t4, 32(a1)
    ld      t5, 40(a1)
    ld      a3, 48(a1)
    ld      a4, 56(a1)
    sd      t0, 0(t6)
    sd      t1, 8(t6)
    sd      t2, 16(t6)
    sd      t3, 24(t6)
    sd      t4, 32(t6)
    sd      t5, 40(t6)
    sd      a3, 48(t6)
    sd      a4, 56(t6)
    addi    a1, a1, 64
    addi    t6, t6, 64
    addi    a2, a2, -64
    bgeu    a2, a5, 3b
4:  li      a5, 8               // then whole words
    bltu    a2, a5, 5f
    ld      t0, 0(a1)
    sd      t0, 0(t6)
    addi    a1, a1, 8
    addi    t6, t6, 8
    addi    a2, a2, -8
    j       4b
5:  beqz    a2, 7f              // then the last bytes
6:  lbu     t0, 0(a1)
    sb      t0, 0(t6)
    addi    a1, a1, 1
    addi    t6, t6, 1
    addi    a2, a2, -1
    bnez    a2, 6b
7:  ret
8:  li      a5, 16              // different alignment: short copies go by bytes
    bltu    a2, a5, 5b
9:  andi    t0, t6, 7           // bytes up to an aligned destination word
    beqz    t0, 10f
    lbu     t1, 0(a1)
    sb      t1, 0(t6)
    addi    a1, a1, 1
    addi    t6, t6, 1
    addi    a2, a2, -1
    j       9b
    // Each destination word is two neighbouring aligned source words shifted together
    // (little-endian: the later bytes are the higher ones). Aligned loads never cross a
    // page, so reading the whole word around a needed byte is safe.
10: andi    t0, a1, 7
    slli    t0, t0, 3           // right shift: 8 * (src % 8), never 0 here
    li      t1, 64
    sub     t1, t1, t0          // left shift
    andi    a3, a1, -8
    ld      t2, 0(a3)
    li      a5, 8
    bltu    a2, a5, 12f
11: ld      t3, 8(a3)
    srl     t2, t2, t0
    sll     t4, t3, t1
    or      t4, t2, t4
    sd      t4, 0(t6)
    mv      t2, t3
    addi    a3, a3, 8
    addi    t6, t6, 8
    addi    a2, a2, -8
    bgeu    a2, a5, 11b
12: srli    t0, t0, 3           // the source position again, for the last bytes
    add     a1, a3, t0
    j       5b
    .size memcpy, . - memcpy

    .section .text.memset, "ax"
    .globl memset
    .type memset, @function
// memset(a0 = dst, a1 = byte, a2 = n) -> dst.
memset:
    mv      t6, a0
    andi    a1, a1, 0xff
    li      t0, 0x0101010101010101
    mul     a1, a1, t0          // the byte in every byte of a word
1:  andi    t0, t6, 7           // bytes up to the first aligned word
    beqz    t0, 2f
    beqz    a2, 7f
    sb      a1, 0(t6)
    addi    t6, t6, 1
    addi    a2, a2, -1
    j       1b
2:  li      a5, 64
    bltu    a2, a5, 4f
3:  sd      a1, 0(t6)           // 64 bytes per loop
    sd      a1, 8(t6)
    sd      a1, 16(t6)
    sd      a1, 24(t6)
    sd      a1, 32(t6)
    sd      a1, 40(t6)
    sd      a1, 48(t6)
    sd      a1, 56(t6)
    addi    t6, t6, 64
    addi    a2, a2, -64
    bgeu    a2, a5, 3b
4:  li      a5, 8               // then whole words
    bltu    a2, a5, 5f
    sd      a1, 0(t6)
    addi    t6, t6, 8
    addi    a2, a2, -8
    j       4b
5:  beqz    a2, 7f              // then the last bytes
6:  sb      a1, 0(t6)
    addi    t6, t6, 1
    addi    a2, a2, -1
    bnez    a2, 6b
7:  ret
    .size memset, . - memset
"#
);
