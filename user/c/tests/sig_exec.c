/* sig_exec: what execve keeps of a process's signal state.
 * A child sets up handlers, ignored signals, flags, a blocked mask with
 * pending signals (one from raise, one from kill), an alternate stack and
 * an alarm, then re-executes this program through /proc/self/exe. The new
 * image finds: caught signals back to SIG_DFL, ignored ones still SIG_IGN,
 * every action's flags and sa_mask cleared (Linux's flush_signal_handlers),
 * the mask and both pending signals kept, no alternate stack, and the alarm
 * still running.
 * Under qemu-riscv64 the re-exec needs binfmt_misc set up for riscv64, so
 * this test is checked against Linux 6.1 itself (../shared/linux-ref). */
#include "rilltest.h"

static void handler(int sig)
{
	(void)sig;
}

static void check_action(int sig, void (*want)(int))
{
	struct sigaction sa;
	CHECK_OK(sigaction(sig, NULL, &sa));
	if (sa.sa_handler != want)
		FAIL("SIG%s: handler %p, want %p", sigabbrev_np(sig), (void *)sa.sa_handler,
		     (void *)want);
	CHECK_EQ(sa.sa_flags, 0);
	CHECK(sigisemptyset(&sa.sa_mask));
}

/* The re-executed image. */
static int after_exec(void)
{
	check_action(SIGUSR1, SIG_DFL);
	check_action(SIGINT, SIG_DFL);
	ok("caught signals are back to SIG_DFL, flags and sa_mask cleared");
	check_action(SIGUSR2, SIG_IGN);
	check_action(SIGCHLD, SIG_DFL);
	ok("SIG_IGN stays SIG_IGN; flags (SA_RESTART, SA_NOCLDSTOP) and sa_mask cleared");

	sigset_t mask, pending;
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &mask));
	CHECK(sigismember(&mask, SIGHUP));
	CHECK(sigismember(&mask, SIGTERM));
	CHECK(!sigismember(&mask, SIGUSR1));
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGHUP));
	CHECK(sigismember(&pending, SIGTERM));
	ok("the blocked mask and the pending SIGHUP (raise) and SIGTERM (kill) are kept");

	stack_t ss;
	CHECK_OK(sigaltstack(NULL, &ss));
	CHECK_EQ(ss.ss_flags, SS_DISABLE);
	CHECK(ss.ss_sp == NULL);
	CHECK_EQ(ss.ss_size, 0);
	ok("no alternate stack after execve");

	CHECK_EQ(alarm(0), 100);
	ok("the alarm set before execve is still running (100 s left)");
	return 0;
}

static char altstack[16384];

static int set_up_and_exec(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigaddset(&sa.sa_mask, SIGQUIT);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigaction(SIGINT, &sa, NULL));
	sa.sa_handler = SIG_IGN;
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDSTOP;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));

	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	CHECK_OK(raise(SIGHUP));
	CHECK_OK(kill(getpid(), SIGTERM));

	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	CHECK_OK(sigaltstack(&ss, NULL));
	alarm(100);

	char *argv[] = { "sig_exec", "after", NULL };
	execve("/proc/self/exe", argv, environ);
	FAIL("execve failed with %s", errname(errno));
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "after") == 0)
		return after_exec();
	CHECK_EQ(wait_for(spawn(set_up_and_exec)), 0);
	ok("the re-executed child passed");
	return 0;
}
