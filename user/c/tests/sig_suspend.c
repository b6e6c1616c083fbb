/* sig_suspend: waiting for a signal with sigsuspend and pause.
 * sigsuspend replaces the mask while it waits, runs the handler of a
 * signal the new mask lets through (with that mask plus the signal
 * blocked), returns -1/EINTR even for an SA_RESTART handler, and restores
 * the old mask; a signal pending before the call is taken at once; one
 * blocked by the temporary mask stays pending; two pending signals both run
 * their handlers before it returns; a signal that arrives later (from a
 * timer or a child) wakes it; a signal whose default action terminates ends
 * the process. pause() returns -1/EINTR after a handler. */
#include "rilltest.h"
#include <sys/time.h>

static volatile sig_atomic_t usr1, usr2, alrm;
static char order[8]; /* '1', '2', 'A' for each handler run */
static volatile sig_atomic_t order_len;
static sigset_t mask_in_handler;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		usr1++;
	else if (sig == SIGUSR2)
		usr2++;
	else if (sig == SIGALRM)
		alrm++;
	if (order_len < 7)
		order[order_len++] = sig == SIGUSR1 ? '1' : sig == SIGUSR2 ? '2' : 'A';
	order[order_len] = 0;
	sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void reset(void)
{
	usr1 = usr2 = alrm = 0;
	order_len = 0;
	order[0] = 0;
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static int usr1_to_parent(void)
{
	return kill(getppid(), SIGUSR1) == 0 ? 0 : 2;
}

static int usr1_to_parent_later(void)
{
	sleep_ms(100);
	return usr1_to_parent();
}

static int suspend_until_term(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigsuspend(&none);
	return 3; /* not reached */
}

/* The standard signals in `got` and `want` must be the same. */
static void check_same(const sigset_t *got, const sigset_t *want, const char *what)
{
	for (int s = 1; s < 32; s++)
		if (sigismember(got, s) != sigismember(want, s))
			FAIL("%s: SIG%s blocked %d, want %d", what, sigabbrev_np(s),
			     sigismember(got, s), sigismember(want, s));
}

static void check_mask(const sigset_t *want, const char *what)
{
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	check_same(&now, want, what);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));

	sigset_t blocked = set_of(SIGUSR1, SIGUSR2), only_usr2 = set_of(SIGUSR2, 0);
	sigset_t none = set_of(0, 0);
	CHECK_OK(sigprocmask(SIG_SETMASK, &blocked, NULL));

	/* A signal that is already pending: taken at once. */
	CHECK_EQ(wait_for(spawn(usr1_to_parent)), 0);
	reset();
	CHECK_ERR(sigsuspend(&only_usr2), EINTR);
	CHECK_EQ(usr1, 1);
	check_same(&mask_in_handler, &blocked, "mask in the handler");
	check_mask(&blocked, "after sigsuspend");
	ok("sigsuspend takes a pending SIGUSR1: handler (USR1, USR2 blocked), EINTR, mask restored");

	/* One that arrives later from a child; SIGUSR2 stays blocked. */
	CHECK_OK(raise(SIGUSR2));
	reset();
	pid_t child = spawn(usr1_to_parent_later);
	CHECK_ERR(sigsuspend(&only_usr2), EINTR);
	CHECK_EQ(usr1, 1);
	CHECK_EQ(usr2, 0);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR2));
	CHECK_EQ(wait_for(child), 0);
	ok("sigsuspend sleeps until the child's SIGUSR1; SIGUSR2 stays pending");

	/* Two pending signals: both handlers run before sigsuspend returns. */
	CHECK_OK(raise(SIGUSR1));
	reset();
	CHECK_ERR(sigsuspend(&none), EINTR);
	CHECK_EQ(usr1, 1);
	CHECK_EQ(usr2, 1);
	check_mask(&blocked, "after sigsuspend");
	ok("SIGUSR1 and SIGUSR2 both pending: both handled by one sigsuspend");

	/* A timer's SIGALRM, whose handler has SA_RESTART: still EINTR. */
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	reset();
	CHECK_ERR(sigsuspend(&blocked), EINTR);
	CHECK_EQ(alrm, 1);
	CHECK_STR(order, "A");
	check_mask(&blocked, "after sigsuspend");
	ok("SIGALRM (SA_RESTART) 50 ms later ends sigsuspend with EINTR all the same");

	/* pause() */
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	reset();
	CHECK_ERR(pause(), EINTR);
	CHECK_EQ(alrm, 1);
	ok("pause returns -1/EINTR after the SIGALRM handler");

	/* A terminating signal ends a process in sigsuspend. */
	child = spawn(suspend_until_term);
	sleep_ms(50);
	CHECK_OK(kill(child, SIGTERM));
	CHECK_EQ(wait_for(child), SIGTERM);
	ok("SIGTERM with SIG_DFL ends a process in sigsuspend");
	return 0;
}
