/* sig_rt: realtime signals queue, and sigtimedwait takes signals without a
 * handler.
 * Several SIGRTMIN+n sent while blocked are all delivered, each with its
 * si_value (the handler order is checked in sig_order); sigtimedwait takes
 * them lowest number first and in sending order within a number, standard
 * signals before realtime ones; kill queues realtime signals too (SI_USER);
 * sigtimedwait consumes a blocked pending signal without running its
 * handler, times out with EAGAIN (at once for a zero timeout), waits for a
 * signal a child sends later, is interrupted (EINTR) by a handled signal
 * outside its set, and rejects a bad timeout; a realtime signal's default
 * action terminates. */
#include "rilltest.h"
#include <sys/time.h>

#define RT(n) (SIGRTMIN + (n))

static volatile sig_atomic_t hits;
static struct {
	int sig, value;
} seen[16];

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (hits < 16) {
		seen[hits].sig = sig;
		seen[hits].value = si->si_value.sival_int;
	}
	hits++;
}

static void count(int sig)
{
	(void)sig;
	hits++;
}

static void install(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	CHECK_OK(sigaction(sig, &sa, NULL));
}

static void queue(int sig, int value)
{
	CHECK_OK(sigqueue(getpid(), sig, (union sigval){ .sival_int = value }));
}

/* How many times (sig, value) was delivered. */
static int delivered(int sig, int value)
{
	int n = 0;
	for (int i = 0; i < hits && i < 16; i++)
		n += seen[i].sig == sig && seen[i].value == value;
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* sigtimedwait with a zero timeout: the next signal of `set`, or -1. */
static int take(const sigset_t *set, siginfo_t *si)
{
	struct timespec zero = { 0, 0 };
	return sigtimedwait(set, si, &zero);
}

static int send_later(void)
{
	sleep_ms(100);
	return sigqueue(getppid(), RT(4), (union sigval){ .sival_int = 99 }) == 0 ? 0 : 2;
}

static int raise_rt(void)
{
	signal(RT(1), SIG_DFL);
	raise(RT(1));
	return 0;
}

int main(void)
{
	sigset_t rts, none, all;
	siginfo_t si;
	sigemptyset(&none);
	sigemptyset(&rts);
	for (int n = 0; n <= 4; n++) {
		sigaddset(&rts, RT(n));
		install(RT(n));
	}

	/* Every instance is delivered, with its value. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &rts, NULL));
	queue(RT(2), 1);
	queue(RT(0), 2);
	queue(RT(2), 3);
	queue(RT(1), 4);
	queue(RT(0), 5);
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, RT(0)) && sigismember(&pend, RT(1)) && sigismember(&pend, RT(2)));
	CHECK(!sigismember(&pend, RT(3)));
	hits = 0;
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &rts, NULL));
	CHECK_EQ(hits, 5);
	CHECK_EQ(delivered(RT(2), 1), 1);
	CHECK_EQ(delivered(RT(0), 2), 1);
	CHECK_EQ(delivered(RT(2), 3), 1);
	CHECK_EQ(delivered(RT(1), 4), 1);
	CHECK_EQ(delivered(RT(0), 5), 1);
	ok("5 realtime signals sent while blocked: all 5 delivered with their si_value");

	/* kill queues realtime signals as well. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &rts, NULL));
	for (int i = 0; i < 3; i++)
		CHECK_OK(kill(getpid(), RT(3)));
	hits = 0;
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &rts, NULL));
	CHECK_EQ(hits, 3);
	ok("SIGRTMIN+3 sent 3 times by kill while blocked: delivered 3 times");

	/* sigtimedwait's order: standard before realtime, lowest number first,
	 * first sent first within a number. The handlers never run. */
	sigfillset(&all);
	CHECK_OK(sigprocmask(SIG_SETMASK, &all, NULL));
	signal(SIGUSR2, count);
	queue(RT(2), 1);
	queue(RT(0), 2);
	queue(RT(2), 3);
	queue(SIGUSR2, 6);
	queue(RT(1), 4);
	queue(RT(0), 5);
	int want_sig[] = { SIGUSR2, RT(0), RT(0), RT(1), RT(2), RT(2) };
	int want_val[] = { 6, 2, 5, 4, 1, 3 };
	hits = 0;
	for (int i = 0; i < 6; i++) {
		memset(&si, 0, sizeof si);
		CHECK_EQ(take(&all, &si), want_sig[i]);
		CHECK_EQ(si.si_signo, want_sig[i]);
		CHECK_EQ(si.si_code, SI_QUEUE);
		CHECK_EQ(si.si_pid, getpid());
		CHECK_EQ(si.si_value.sival_int, want_val[i]);
	}
	CHECK_EQ(hits, 0);
	CHECK_ERR(take(&all, &si), EAGAIN);
	ok("sigtimedwait order: SIGUSR2, then RTMIN 2 5, RTMIN+1 4, RTMIN+2 1 3");

	/* Only signals in the set are taken. */
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK_OK(kill(getpid(), SIGUSR1));
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK_EQ(take(&usr1, &si), SIGUSR1);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_ERR(take(&usr1, &si), EAGAIN);
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR2));
	CHECK(!sigismember(&pend, SIGUSR1));
	CHECK_EQ(sigwaitinfo(&all, &si), SIGUSR2);
	CHECK_EQ(hits, 0);
	ok("sigtimedwait takes only from its set; sigwaitinfo takes the rest");

	/* Timing out. */
	struct timespec t50 = { 0, 50 * 1000000L };
	double t0 = now();
	CHECK_ERR(sigtimedwait(&usr1, &si, &t50), EAGAIN);
	double waited = now() - t0;
	if (waited < 0.045 || waited > 5)
		FAIL("sigtimedwait(50 ms) returned after %.3f s", waited);
	ok("sigtimedwait times out with EAGAIN after the timeout");

	struct timespec bad = { 0, 1000000000L };
	CHECK_ERR(sigtimedwait(&usr1, &si, &bad), EINVAL);
	bad.tv_nsec = -1;
	CHECK_ERR(sigtimedwait(&usr1, &si, &bad), EINVAL);
	ok("sigtimedwait with tv_nsec out of range: EINVAL");

	/* Waiting for a signal a child sends 100 ms later. */
	pid_t child = spawn(send_later);
	sigset_t rt4;
	sigemptyset(&rt4);
	sigaddset(&rt4, RT(4));
	struct timespec t10 = { 10, 0 };
	CHECK_EQ(sigtimedwait(&rt4, &si, &t10), RT(4));
	CHECK_EQ(si.si_code, SI_QUEUE);
	CHECK_EQ(si.si_pid, child);
	CHECK_EQ(si.si_value.sival_int, 99);
	CHECK_EQ(wait_for(child), 0);
	ok("sigtimedwait sleeps until a child's sigqueue arrives");

	/* A handled signal outside the set interrupts the wait. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	sigset_t all_but_alrm = all;
	sigdelset(&all_but_alrm, SIGALRM);
	CHECK_OK(sigprocmask(SIG_SETMASK, &all_but_alrm, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	hits = 0;
	CHECK_ERR(sigtimedwait(&usr1, &si, &t10), EINTR);
	CHECK_EQ(hits, 1);
	ok("SIGALRM with a handler interrupts sigtimedwait: EINTR even with SA_RESTART");
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));

	/* A realtime signal's default action terminates. */
	int status = wait_for(spawn(raise_rt));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), RT(1));
	ok("SIGRTMIN+1 with SIG_DFL terminates the process");
	return 0;
}
