/* sig_frame_pages: a signal frame that straddles a page boundary.
 * The alternate stack's top is moved 16 bytes at a time across a page
 * boundary, so the frame (siginfo, then ucontext with the registers and the
 * FPU state) is split between two pages at every point. Each time, the
 * handler finds siginfo, uc_stack, uc_sigmask and fcsr where Linux puts
 * them, and the a0 and mask it leaves in the frame are what the interrupted
 * code gets back from rt_sigreturn. */
#include "rilltest.h"
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define PAGE 4096

static char alt[3 * PAGE] __attribute__((aligned(PAGE)));
static size_t alt_size;
static int bad;

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	if (sig != SIGUSR1 || si->si_signo != SIGUSR1 || si->si_code != SI_TKILL ||
	    si->si_pid != getpid())
		bad |= 1;
	if (uc->uc_stack.ss_sp != alt || uc->uc_stack.ss_size != alt_size ||
	    uc->uc_stack.ss_flags != 0)
		bad |= 2;
	if (sigismember(&uc->uc_sigmask, SIGUSR1) || !sigismember(&uc->uc_sigmask, SIGHUP))
		bad |= 4;
	if ((uc->uc_mcontext.__fpregs.__d.__fcsr >> 5) != 3) /* frm: round up */
		bad |= 8;
	/* What rt_sigreturn gives back: a0 is tgkill's result; SIGHUP unblocked. */
	uc->uc_mcontext.__gregs[REG_A0] = alt_size;
	sigdelset(&uc->uc_sigmask, SIGHUP);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	__asm__ volatile("fsrm %0" : : "r"(3)); /* round up: fcsr.frm = 3 */

	int crossings = 0;
	for (size_t over = 0; over <= 1200; over += 16) {
		alt_size = PAGE + over;
		stack_t ss = { .ss_sp = alt, .ss_size = alt_size, .ss_flags = 0 };
		CHECK_OK(sigaltstack(&ss, NULL));
		sigset_t hup, now;
		sigemptyset(&hup);
		sigaddset(&hup, SIGHUP);
		CHECK_OK(sigprocmask(SIG_SETMASK, &hup, NULL));
		long r = syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
		if (r != (long)alt_size)
			FAIL("top at page + %zu: tgkill returned %ld", over, r);
		if (bad)
			FAIL("top at page + %zu: frame check %d failed", over, bad);
		CHECK_OK(sigprocmask(SIG_SETMASK, NULL, &now));
		if (sigismember(&now, SIGHUP))
			FAIL("top at page + %zu: the mask in the frame was not restored", over);
		crossings += over > 0 && over < 1088;
	}
	__asm__ volatile("fsrm %0" : : "r"(0));
	CHECK_EQ(crossings, 67);
	ok("a frame split across two pages at every 16-byte point is written and read back");
	return 0;
}
