/* syscall_regs: a system call changes no register but a0, whichever way the kernel
 * leaves (a plain call, or one that ran a signal handler before returning), and a
 * call number past 32 bits is ENOSYS, not the call its low half names.
 * qemu-riscv64 7.2 truncates a7 to 32 bits, so the last check runs on Rill only
 * (Linux compares all of a7: arch/riscv/kernel/traps.c, do_trap_ecall_u). */
#include "rilltest.h"
#include <signal.h>
#include <sys/syscall.h>

/* in[]: s0-s11, t0-t5, a1-a6, a0, a7. out[]: the same registers after the ecall, then
 * t6 (which held `in` across it). */
enum { NIN = 26, NOUT = 27, A0 = 24, A7 = 25, T6 = 26 };
void regs_ecall(const long *in, long *out);
__asm__(".globl regs_ecall\n"
	"regs_ecall:\n"
	"  addi sp, sp, -128\n"
	"  sd ra, 0(sp)\n  sd s0, 8(sp)\n  sd s1, 16(sp)\n  sd s2, 24(sp)\n"
	"  sd s3, 32(sp)\n  sd s4, 40(sp)\n  sd s5, 48(sp)\n  sd s6, 56(sp)\n"
	"  sd s7, 64(sp)\n  sd s8, 72(sp)\n  sd s9, 80(sp)\n  sd s10, 88(sp)\n"
	"  sd s11, 96(sp)\n  sd a1, 104(sp)\n"
	"  mv t6, a0\n"
	"  ld s0, 0(t6)\n  ld s1, 8(t6)\n  ld s2, 16(t6)\n  ld s3, 24(t6)\n"
	"  ld s4, 32(t6)\n  ld s5, 40(t6)\n  ld s6, 48(t6)\n  ld s7, 56(t6)\n"
	"  ld s8, 64(t6)\n  ld s9, 72(t6)\n  ld s10, 80(t6)\n  ld s11, 88(t6)\n"
	"  ld t0, 96(t6)\n  ld t1, 104(t6)\n  ld t2, 112(t6)\n  ld t3, 120(t6)\n"
	"  ld t4, 128(t6)\n  ld t5, 136(t6)\n"
	"  ld a1, 144(t6)\n  ld a2, 152(t6)\n  ld a3, 160(t6)\n  ld a4, 168(t6)\n"
	"  ld a5, 176(t6)\n  ld a6, 184(t6)\n  ld a0, 192(t6)\n  ld a7, 200(t6)\n"
	"  ecall\n"
	"  sd t6, 112(sp)\n"
	"  ld t6, 104(sp)\n"
	"  sd s0, 0(t6)\n  sd s1, 8(t6)\n  sd s2, 16(t6)\n  sd s3, 24(t6)\n"
	"  sd s4, 32(t6)\n  sd s5, 40(t6)\n  sd s6, 48(t6)\n  sd s7, 56(t6)\n"
	"  sd s8, 64(t6)\n  sd s9, 72(t6)\n  sd s10, 80(t6)\n  sd s11, 88(t6)\n"
	"  sd t0, 96(t6)\n  sd t1, 104(t6)\n  sd t2, 112(t6)\n  sd t3, 120(t6)\n"
	"  sd t4, 128(t6)\n  sd t5, 136(t6)\n"
	"  sd a1, 144(t6)\n  sd a2, 152(t6)\n  sd a3, 160(t6)\n  sd a4, 168(t6)\n"
	"  sd a5, 176(t6)\n  sd a6, 184(t6)\n  sd a0, 192(t6)\n  sd a7, 200(t6)\n"
	"  ld a0, 112(sp)\n  sd a0, 208(t6)\n"
	"  ld ra, 0(sp)\n  ld s0, 8(sp)\n  ld s1, 16(sp)\n  ld s2, 24(sp)\n"
	"  ld s3, 32(sp)\n  ld s4, 40(sp)\n  ld s5, 48(sp)\n  ld s6, 56(sp)\n"
	"  ld s7, 64(sp)\n  ld s8, 72(sp)\n  ld s9, 80(sp)\n  ld s10, 88(sp)\n"
	"  ld s11, 96(sp)\n"
	"  addi sp, sp, 128\n"
	"  ret\n");

static volatile int caught;
static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

/* Runs syscall `nr` with arguments a0, a1 and every other register set to a pattern;
 * checks that only a0 changed and returns it. */
static long call_keeping_regs(int line, long nr, long a0, long a1)
{
	long in[NIN], out[NOUT];
	for (int i = 0; i < NIN; i++)
		in[i] = 0x5a5a000000000000L + (long)i * 0x0101010101L;
	in[A0] = a0;
	in[A7] = nr;
	in[18] = a1; /* a1 */
	regs_ecall(in, out);
	for (int i = 0; i < NIN; i++)
		if (i != A0 && out[i] != in[i])
			rt_fail(line, "syscall %ld changed register slot %d: %#lx, was %#lx", nr, i,
				out[i], in[i]);
	if (out[T6] != (long)in)
		rt_fail(line, "syscall %ld changed t6", nr);
	return out[A0];
}

int main(void)
{
	CHECK_EQ(call_keeping_regs(__LINE__, SYS_getppid, 0, 0), getppid());
	CHECK_EQ(call_keeping_regs(__LINE__, SYS_getpid, 0, 0), getpid());
	ok("a plain system call keeps every register but a0");

	struct sigaction sa = { .sa_handler = on_usr1 };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_EQ(call_keeping_regs(__LINE__, SYS_kill, getpid(), SIGUSR1), 0);
	CHECK_EQ(caught, 1);
	ok("a system call that ran a signal handler on its way out keeps every register but a0");

	if (on_rill()) {
		long high = 1L << 32;
		CHECK_EQ(call_keeping_regs(__LINE__, high | SYS_getppid, 0, 0), -ENOSYS);
		CHECK_EQ(call_keeping_regs(__LINE__, high | SYS_clone, 0, 0), -ENOSYS);
		CHECK_EQ(call_keeping_regs(__LINE__, high | SYS_execve, 0, 0), -ENOSYS);
		CHECK_EQ(call_keeping_regs(__LINE__, high | SYS_rt_sigreturn, 0, 0), -ENOSYS);
	}
	ok("a call number past 32 bits is ENOSYS (checked on Rill)");
	return 0;
}
