/* stress_signals: random signals against processes in random blocking calls.
 *
 * For 30 seconds the parent sends random signals (handled, ignored, realtime,
 * stop/continue) to worker processes that loop over blocking calls: pipe reads and
 * writes, nanosleep, ppoll, sigsuspend, wait4 and FIFO-less pipe opens. Every call
 * must end in success, EINTR or EAGAIN; in the end every worker dies by SIGKILL and
 * (on Rill) free memory is back where it started. The kernel must neither panic nor
 * hang nor leak. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>

#define WORKERS 6
#define SECONDS 30

static unsigned long rng = 12345;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

static volatile sig_atomic_t handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void check_result(long r, const char *what)
{
	if (r < 0 && errno != EINTR && errno != EAGAIN) {
		printf("FAIL: %s: unexpected errno %s\n", what, errname(errno));
		_exit(2);
	}
}

static int worker(void)
{
	int sigs[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGRTMIN + 1, SIGRTMIN + 2 };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa = { .sa_handler = on_signal };
		sa.sa_flags = (i % 2) ? SA_RESTART : 0;
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	rng ^= (unsigned long)getpid() << 7;
	int p[2];
	if (pipe(p) < 0)
		return 3;
	char buf[8192];
	memset(buf, 'x', sizeof buf);
	for (;;) {
		sigset_t set;
		sigemptyset(&set);
		if (rnd(4) == 0)
			sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_SETMASK, &set, NULL);
		switch (rnd(7)) {
		case 0: /* read of an empty pipe: only a signal ends it */
			check_result(read(p[0], buf, sizeof buf), "read");
			break;
		case 1: { /* fill the pipe until a write blocks */
			long r;
			do
				r = write(p[1], buf, sizeof buf);
			while (r > 0);
			check_result(r, "write");
			char drain[65536];
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			while (read(p[0], drain, sizeof drain) > 0) {
			}
			fcntl(p[0], F_SETFL, 0);
			break;
		}
		case 2: {
			struct timespec ts = { 0, (long)rnd(20) * 1000000L };
			check_result(nanosleep(&ts, NULL), "nanosleep");
			break;
		}
		case 3: {
			struct pollfd pfd = { .fd = p[0], .events = POLLIN };
			struct timespec ts = { 0, (long)rnd(30) * 1000000L };
			check_result(ppoll(&pfd, 1, &ts, NULL), "ppoll");
			break;
		}
		case 4: {
			sigset_t none;
			sigemptyset(&none);
			check_result(sigsuspend(&none), "sigsuspend");
			break;
		}
		case 5: { /* wait for a short-lived child */
			pid_t c = fork();
			if (c == 0) {
				struct timespec ts = { 0, 5000000L };
				nanosleep(&ts, NULL);
				_exit(0);
			}
			int st;
			while (waitpid(c, &st, 0) < 0)
				check_result(-1, "waitpid");
			break;
		}
		default: {
			fd_set r;
			FD_ZERO(&r);
			FD_SET(p[0], &r);
			struct timeval tv = { 0, (long)rnd(20) * 1000L };
			check_result(select(p[0] + 1, &r, NULL, NULL, &tv), "select");
		}
		}
	}
}

static void run_round(int seconds)
{
	pid_t pids[WORKERS];
	/* Workers start with every signal blocked and unblock once their handlers are in
	 * place, so no early signal meets a default action. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < WORKERS; i++)
		pids[i] = spawn(worker);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int sigs[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCHLD, SIGURG,
		       SIGCONT, SIGSTOP, SIGRTMIN + 1, SIGRTMIN + 2 };
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		pid_t target = pids[rnd(WORKERS)];
		int sig = sigs[rnd(sizeof sigs / sizeof sigs[0])];
		if (sig == SIGRTMIN + 1 || sig == SIGRTMIN + 2) {
			union sigval v = { .sival_int = (int)rnd(1000) };
			sigqueue(target, sig, v);
		} else {
			kill(target, sig);
		}
		if (sig == SIGSTOP) {
			sleep_ms(1);
			kill(target, SIGCONT);
		}
		if (rnd(3) == 0)
			sleep_ms(1);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < seconds);
	for (int i = 0; i < WORKERS; i++) {
		kill(pids[i], SIGKILL);
		int st;
		CHECK_EQ(waitpid(pids[i], &st, 0), pids[i]);
		if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
			FAIL("worker %d ended with status %#x, not SIGKILL", i, st);
	}
}

int main(void)
{
	/* Warm-up: the test's own stack and heap reach their working size. */
	run_round(3);
	long before = settled_free_kb();
	run_round(SECONDS);
	ok("30 s of random signals against blocking calls; every worker died by SIGKILL");
	long after = settled_free_kb();
	if (on_rill() && before != after)
		FAIL("free + used by the test and init was %ld kB before and %ld kB after", before, after);
	ok("no memory leaked: free memory plus what the test and init use is unchanged (checked on Rill)");
	return 0;
}
