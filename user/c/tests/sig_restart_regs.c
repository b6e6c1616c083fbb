/* sig_restart_regs: a signal that interrupts user code, not a system call, gives the
 * registers back exactly as they were, whatever a0 holds.
 *
 * -512, -514 and -516 are the kernel's "interrupted call, restart me" codes
 * (ERESTARTSYS, ERESTARTNOHAND, ERESTART_RESTARTBLOCK). A kernel that looks at a0 on
 * the way back to user mode must only do so after a real system call: here a tight
 * loop keeps one of those values in a0 while a 1 ms interval timer interrupts it with
 * a SIGALRM handler. Every round the loop checks a0, and that two counters bumped by
 * consecutive instructions agree: a pc moved back by 4 runs one of them twice. */
#include "rilltest.h"
#include <sys/time.h>

#define TICKS 40

static volatile int ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

enum { SAME, PC_MOVED, A0_CHANGED };

/* Spins with a0 = value until `ticks` reaches `want`; says what, if anything, changed. */
static long spin(long value, int want)
{
	register long a0 asm("a0") = value;
	long what;
	asm volatile("li t0, 0\n"
		     "li t1, 0\n"
		     "1:\n"
		     "addi t0, t0, 1\n"
		     "addi t1, t1, 1\n"
		     "bne t0, t1, 2f\n"
		     "bne a0, %[value], 3f\n"
		     "lw t2, 0(%[ticks])\n"
		     "blt t2, %[want], 1b\n"
		     "li %[what], 0\n"
		     "j 4f\n"
		     "2:\n"
		     "li %[what], 1\n"
		     "j 4f\n"
		     "3:\n"
		     "li %[what], 2\n"
		     "4:\n"
		     : [what] "=&r"(what), "+r"(a0)
		     : [value] "r"(value), [ticks] "r"(&ticks), [want] "r"(want)
		     : "t0", "t1", "t2", "memory");
	return what;
}

static void run(long value, int flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } };
	ticks = 0;
	CHECK_OK(setitimer(ITIMER_REAL, &every_ms, NULL));
	long what = spin(value, TICKS);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	if (what == PC_MOVED)
		FAIL("a0 = %ld: after a signal the pc was moved back", value);
	if (what == A0_CHANGED)
		FAIL("a0 = %ld: after a signal a0 was changed", value);
	CHECK_EQ(what, SAME);
}

int main(void)
{
	run(-512, 0);
	run(-512, SA_RESTART);
	ok("a0 = -512 (ERESTARTSYS) survives 40 SIGALRM handlers, with and without SA_RESTART");
	run(-514, 0);
	ok("a0 = -514 (ERESTARTNOHAND) survives 40 SIGALRM handlers");
	run(-516, SA_RESTART);
	ok("a0 = -516 (ERESTART_RESTARTBLOCK) survives 40 SIGALRM handlers");
	run(-4, 0);
	ok("a0 = -4 (EINTR) survives 40 SIGALRM handlers");
	return 0;
}
