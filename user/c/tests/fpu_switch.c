/* fpu_switch: each process keeps its own floating-point registers and rounding mode.
 * A fork child starts with the parent's (fs0-fs11 and frm, as Linux copies them);
 * then parent and child set different values and hand a byte back and forth through
 * two pipes 2000 times, each checking after every round trip that its registers
 * still hold its own values, whoever ran in between (the kernel saves the registers
 * only when a program wrote them). */
#include "rilltest.h"

/* Loads fs0-fs11 with base, base+1, ... (as doubles) and sets frm. The registers are
 * deliberately not named as clobbered (the compiler would put them back on return);
 * nothing else in this program computes with floating point. */
static void set_regs(long base, int frm)
{
	double v[12];
	for (int i = 0; i < 12; i++)
		v[i] = (double)(base + i);
	__asm__ volatile("fld fs0, 0(%0)\n fld fs1, 8(%0)\n fld fs2, 16(%0)\n fld fs3, 24(%0)\n"
			 "fld fs4, 32(%0)\n fld fs5, 40(%0)\n fld fs6, 48(%0)\n fld fs7, 56(%0)\n"
			 "fld fs8, 64(%0)\n fld fs9, 72(%0)\n fld fs10, 80(%0)\n fld fs11, 88(%0)\n"
			 "fsrm %1\n"
			 :
			 : "r"(v), "r"(frm)
			 : "memory");
}

/* Whether fs0-fs11 and frm still hold what set_regs(base, frm) put there. */
static int regs_are(long base, int frm)
{
	double v[12];
	long mode;
	__asm__ volatile("fsd fs0, 0(%1)\n fsd fs1, 8(%1)\n fsd fs2, 16(%1)\n fsd fs3, 24(%1)\n"
			 "fsd fs4, 32(%1)\n fsd fs5, 40(%1)\n fsd fs6, 48(%1)\n fsd fs7, 56(%1)\n"
			 "fsd fs8, 64(%1)\n fsd fs9, 72(%1)\n fsd fs10, 80(%1)\n fsd fs11, 88(%1)\n"
			 "frrm %0\n"
			 : "=r"(mode)
			 : "r"(v)
			 : "memory");
	for (int i = 0; i < 12; i++)
		if (v[i] != (double)(base + i))
			return 0;
	return mode == frm;
}

int main(void)
{
	int ping[2], pong[2];
	CHECK_OK(pipe(ping));
	CHECK_OK(pipe(pong));
	set_regs(100, 2); /* RDN */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		if (!regs_are(100, 2))
			_exit(3);
		set_regs(200, 3); /* RUP */
		char c;
		for (int i = 0; i < 2000; i++) {
			if (read(ping[0], &c, 1) != 1)
				_exit(4);
			if (!regs_are(200, 3))
				_exit(5);
			if (write(pong[1], &c, 1) != 1)
				_exit(6);
		}
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	int bad = 0;
	for (int i = 0; i < 2000; i++) {
		char c = (char)i;
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			break;
		if (!regs_are(100, 2))
			bad++;
	}
	CHECK_EQ(bad, 0);
	int status = wait_for(pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	ok("a fork child starts with the parent's FP registers and rounding mode; both keep their own over 2000 round trips");
	return 0;
}
