/* sig_order: which handler runs when, with several signals pending at once.
 * When several blocked signals are unblocked together:
 *   - with sa_mask blocking everything, one handler runs at a time: a
 *     synchronous signal (SIGSEGV) first, then the lowest number, and
 *     realtime instances of one number in the order they were sent;
 *   - without it, Linux sets up a frame for each deliverable signal in that
 *     same order before returning to user mode, each frame on top of the
 *     last, so the handlers run in the reverse order (the last set up runs
 *     first), and a further instance of a signal blocked by its own frame
 *     runs when that frame's sigreturn unblocks it.
 * qemu-user gets this wrong (it ignores sa_mask and always nests), so this
 * test is checked against Linux 6.1 itself (../shared/linux-ref). */
#include "rilltest.h"

#define RT(n) (SIGRTMIN + (n))

static char trace[128]; /* "NAME:value " for each handler run, in order */
static volatile sig_atomic_t trace_len;

/* Appends "NAME:value " (NAME: HUP, USR1..., RT0 for SIGRTMIN, RT1...). */
static void record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char *end = trace + trace_len;
	size_t room = sizeof trace - trace_len;
	int value = si->si_value.sival_int;
	if (sig >= SIGRTMIN)
		trace_len += snprintf(end, room, "RT%d:%d ", sig - SIGRTMIN, value);
	else
		trace_len += snprintf(end, room, "%s:%d ", sigabbrev_np(sig), value);
}

static void clear(void)
{
	trace_len = 0;
	trace[0] = 0;
}

/* Sends sigs[i] with value i+1 while they are blocked, then unblocks them
 * all at once; the handler (sa_mask everything or nothing) records each run. */
static const char *run(const int *sigs, int n, int mask_all)
{
	struct sigaction sa;
	sigset_t set;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	if (mask_all)
		sigfillset(&sa.sa_mask);
	else
		sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (int i = 0; i < n; i++) {
		CHECK_OK(sigaction(sigs[i], &sa, NULL));
		sigaddset(&set, sigs[i]);
	}
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	for (int i = 0; i < n; i++)
		CHECK_OK(sigqueue(getpid(), sigs[i], (union sigval){ .sival_int = i + 1 }));
	clear();
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	return trace;
}

int main(void)
{
	int std[] = { SIGTERM, SIGUSR2, SIGHUP, SIGUSR1 };
	CHECK_STR(run(std, 4, 1), "HUP:3 USR1:4 USR2:2 TERM:1 ");
	ok("TERM USR2 HUP USR1 pending, sa_mask full: HUP:3 USR1:4 USR2:2 TERM:1");
	CHECK_STR(run(std, 4, 0), "TERM:1 USR2:2 USR1:4 HUP:3 ");
	ok("same without sa_mask: the frames nest, TERM:1 USR2:2 USR1:4 HUP:3");

	int sync[] = { SIGHUP, SIGUSR1, SIGSEGV };
	CHECK_STR(run(sync, 3, 1), "SEGV:3 HUP:1 USR1:2 ");
	ok("HUP USR1 SEGV pending, sa_mask full: the synchronous SEGV:3 first");

	int rt[] = { RT(2), RT(0), RT(2), RT(1), RT(0) };
	CHECK_STR(run(rt, 5, 1), "RT0:2 RT0:5 RT1:4 RT2:1 RT2:3 ");
	ok("RTMIN+2 RTMIN RTMIN+2 RTMIN+1 RTMIN pending, sa_mask full: RT0:2 RT0:5 RT1:4 RT2:1 RT2:3");
	CHECK_STR(run(rt, 5, 0), "RT2:1 RT2:3 RT1:4 RT0:2 RT0:5 ");
	ok("same without sa_mask: RT2:1 RT2:3 RT1:4 RT0:2 RT0:5");
	return 0;
}
