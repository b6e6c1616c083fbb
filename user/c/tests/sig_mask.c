/* sig_mask: blocking signals.
 * A blocked signal stays pending (sigpending) and is delivered the moment
 * it is unblocked, before sigprocmask returns; a standard signal sent
 * several times while blocked is handled once (but once per pending set:
 * the thread's, for raise, and the process's, for kill); SIGKILL and
 * SIGSTOP cannot be blocked (the raw mask after blocking everything is
 * exact) nor caught or ignored (sigaction EINVAL); sigprocmask, sigaction
 * and sigpending reject bad arguments (rt_sigpending takes a short set);
 * setting SIG_IGN discards a pending signal; a forked child inherits the
 * mask but not the pending signals; SIGKILL ends a child that blocks
 * everything. */
#include "rilltest.h"
#include <stdint.h>

#define BIT(sig) (1ULL << ((sig) - 1))

static volatile sig_atomic_t hits;

static void count(int sig)
{
	(void)sig;
	hits++;
}

static sigset_t only(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static int is_pending(int sig)
{
	sigset_t p;
	CHECK_OK(sigpending(&p));
	return sigismember(&p, sig);
}

static int child_sees_mask_not_pending(void)
{
	sigset_t mask, pending;
	if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0 || sigpending(&pending) != 0)
		return 2;
	if (!sigismember(&mask, SIGUSR1))
		return 3; /* the mask is inherited */
	if (sigismember(&pending, SIGUSR1))
		return 4; /* pending signals are not */
	return 0;
}

static int ready[2]; /* blocks_everything writes a byte once it has */

static int blocks_everything(void)
{
	uint64_t all = ~0ULL;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	if (write(ready[1], "r", 1) != 1)
		return 3;
	pause();
	return 2;
}

int main(void)
{
	sigset_t usr1 = only(SIGUSR1), none, old;
	sigemptyset(&none);
	signal(SIGUSR1, count);

	/* Pending while blocked, delivered on unblock. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, &old));
	CHECK(sigisemptyset(&old));
	CHECK(!is_pending(SIGUSR1));
	hits = 0;
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(hits, 0);
	CHECK(is_pending(SIGUSR1));
	ok("a blocked signal is not delivered and shows in sigpending");
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	CHECK(!is_pending(SIGUSR1));
	ok("unblocking delivers it before sigprocmask returns");

	/* Standard signals do not queue. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	hits = 0;
	for (int i = 0; i < 3; i++)
		CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4 }));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	ok("SIGUSR1 sent 3 times by kill and once by sigqueue while blocked: handled once");
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	hits = 0;
	for (int i = 0; i < 3; i++)
		CHECK_OK(raise(SIGUSR1));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	ok("SIGUSR1 raised 3 times while blocked: handled once");

	/* SIG_IGN discards a pending signal; so does SIG_DFL of a signal
	 * whose default is to ignore. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK(is_pending(SIGUSR1));
	signal(SIGUSR1, SIG_IGN);
	CHECK(!is_pending(SIGUSR1));
	signal(SIGUSR1, count);
	hits = 0;
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 0);
	sigset_t urg = only(SIGURG);
	signal(SIGURG, count);
	CHECK_OK(sigprocmask(SIG_BLOCK, &urg, NULL));
	CHECK_OK(raise(SIGURG));
	CHECK(is_pending(SIGURG));
	signal(SIGURG, SIG_DFL);
	CHECK(!is_pending(SIGURG));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &urg, NULL));
	ok("setting SIG_IGN (or SIG_DFL for SIGURG) discards the pending signal");

	/* An ignored signal is discarded when sent, unless it is blocked: the
	 * action may change before it is unblocked (Linux's sig_ignored). */
	signal(SIGUSR1, SIG_IGN);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	CHECK_OK(raise(SIGUSR1));
	CHECK(is_pending(SIGUSR1));
	signal(SIGUSR1, count);
	hits = 0;
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	ok("a blocked signal is kept pending even while its action is SIG_IGN");

	/* Blocking everything leaves SIGKILL and SIGSTOP out: exact raw mask.
	 * (Signals 1..62 only: qemu-user cannot represent 63 and 64.) */
	uint64_t all = BIT(63) - 1, got = 0;
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8));
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &got, 8));
	CHECK_EQ(got, all & ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	uint64_t kill_stop = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGUSR2);
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &kill_stop, &got, 8));
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &got, 8));
	CHECK_EQ(got, BIT(SIGUSR2));
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));
	ok("SIGKILL and SIGSTOP are silently left out of the blocked mask");

	char c;
	CHECK_OK(pipe(ready));
	pid_t pid = spawn(blocks_everything);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(wait_for(pid), SIGKILL);
	ok("SIGKILL ends a child that blocks every signal");

	/* sigaction cannot catch or ignore SIGKILL and SIGSTOP; reading
	 * their action is allowed. */
	struct sigaction sa, oldsa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sa.sa_handler = SIG_IGN;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sa.sa_handler = SIG_DFL;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_OK(sigaction(SIGKILL, NULL, &oldsa));
	CHECK(oldsa.sa_handler == SIG_DFL);
	CHECK_ERR(signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 0, EINVAL);
	ok("sigaction on SIGKILL or SIGSTOP: EINVAL (reading is fine)");

	/* Bad numbers, sizes and hows. */
	sa.sa_handler = count;
	CHECK_ERR(syscall(SYS_rt_sigaction, 0, &sa, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, 65, &sa, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, 3, &all, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 16), EINVAL);
	CHECK_OK(syscall(SYS_rt_sigprocmask, 3, NULL, &got, 8));
	CHECK_EQ(got, 0);
	CHECK_ERR(syscall(SYS_rt_sigpending, &got, 16), EINVAL);
	ok("EINVAL for signal 0 or 65, a bad sigsetsize and a bad how");

	/* fork: the mask is inherited, pending signals are not. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	CHECK_OK(raise(SIGUSR1));
	hits = 0;
	CHECK_EQ(wait_for(spawn(child_sees_mask_not_pending)), 0);
	CHECK_EQ(hits, 0);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 1);
	ok("a child inherits the mask but not the pending SIGUSR1");

	/* tgkill (raise) makes a signal pending for the thread, kill for the
	 * whole process: two pending sets, so the same standard signal sent
	 * both ways while blocked is delivered twice (Linux's t->pending and
	 * signal->shared_pending). */
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	hits = 0;
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(raise(SIGUSR1));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(raise(SIGUSR1));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	CHECK_EQ(hits, 2);
	ok("SIGUSR1 sent by kill and by raise while blocked: handled twice");

	/* rt_sigpending takes any size up to 8 bytes (Linux copies that much;
	 * qemu-user writes 8, so only the first word is checked). */
	sigset_t two = only(SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &two, NULL));
	CHECK_OK(raise(SIGUSR2));
	uint32_t part[2] = { 0, 0 };
	CHECK_EQ(syscall(SYS_rt_sigpending, part, 4), 0);
	CHECK_EQ(part[0], BIT(SIGUSR2));
	signal(SIGUSR2, SIG_IGN);
	ok("rt_sigpending accepts a 4-byte set");
	return 0;
}
