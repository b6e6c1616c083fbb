/* sig_eintr: blocking calls interrupted by a handler, with and without
 * SA_RESTART.
 * A SIGALRM from setitimer arrives while the process blocks; its handler
 * writes a byte to (or drains) the pipe. Without SA_RESTART, read of an
 * empty pipe, write to a full pipe and waitpid fail with EINTR; with
 * SA_RESTART they resume and complete. nanosleep and clock_nanosleep
 * return EINTR either way with the remaining time; poll, select and
 * sigtimedwait return EINTR either way. Signals that are ignored (SIG_IGN,
 * or SIGCHLD's default) interrupt nothing. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>

static int fds[2];
static volatile sig_atomic_t hits;
static volatile int handler_job; /* 'w': write a byte, 'd': drain the pipe, 0 */
static char drained[65536 * 4];

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
	if (handler_job == 'w') {
		if (write(fds[1], "y", 1) != 1)
			_exit(10);
	} else if (handler_job == 'd') {
		if (read(fds[0], drained, sizeof drained) <= 0)
			_exit(11);
	}
}

static void arm(int flags, int job, long usec)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	handler_job = job;
	hits = 0;
	struct itimerval it = { { 0, 0 }, { usec / 1000000, usec % 1000000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

static void fill_pipe(void)
{
	static char junk[4096];
	int fl = fcntl(fds[1], F_GETFL);
	CHECK_OK(fcntl(fds[1], F_SETFL, fl | O_NONBLOCK));
	while (write(fds[1], junk, sizeof junk) > 0)
		;
	while (write(fds[1], junk, 1) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	CHECK_OK(fcntl(fds[1], F_SETFL, fl));
}

static void drain_pipe(void)
{
	int fl = fcntl(fds[0], F_GETFL);
	CHECK_OK(fcntl(fds[0], F_SETFL, fl | O_NONBLOCK));
	while (read(fds[0], drained, sizeof drained) > 0)
		;
	CHECK_OK(fcntl(fds[0], F_SETFL, fl));
}

static int exits_after_300ms(void)
{
	sleep_ms(300);
	return 5;
}

static int exits_now(void)
{
	return 0;
}

/* Sends the parent an ignored SIGUSR1 and lets a sibling's SIGCHLD happen,
 * then writes "z" to the pipe. */
static int ignored_then_write(void)
{
	sleep_ms(50);
	kill(getppid(), SIGUSR1);
	sleep_ms(50);
	return write(fds[1], "z", 1) == 1 ? 0 : 2;
}

static double ts_sec(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

int main(void)
{
	char c = 0;
	CHECK_OK(pipe(fds));

	/* read */
	arm(0, 'w', 50000);
	CHECK_ERR(read(fds[0], &c, 1), EINTR);
	CHECK_EQ(hits, 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'y');
	ok("read of an empty pipe: EINTR without SA_RESTART (the handler's byte is read after)");

	arm(SA_RESTART, 'w', 50000);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(c, 'y');
	ok("with SA_RESTART the read resumes and returns the handler's byte");

	/* write to a full pipe */
	fill_pipe();
	arm(0, 0, 50000);
	CHECK_ERR(write(fds[1], "w", 1), EINTR);
	CHECK_EQ(hits, 1);
	arm(SA_RESTART, 'd', 50000);
	CHECK_EQ(write(fds[1], "w", 1), 1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'w');
	ok("write to a full pipe: EINTR, or with SA_RESTART completes once the handler drains it");

	/* waitpid */
	pid_t child = spawn(exits_after_300ms);
	arm(0, 0, 50000);
	int status;
	CHECK_ERR(waitpid(child, &status, 0), EINTR);
	CHECK_EQ(hits, 1);
	arm(SA_RESTART, 0, 50000);
	CHECK_EQ(waitpid(child, &status, 0), child);
	CHECK_EQ(hits, 1);
	CHECK_EQ(status, 5 << 8);
	ok("waitpid: EINTR, or with SA_RESTART waits on until the child exits");

	/* nanosleep: EINTR even with SA_RESTART, with the time left. */
	for (int flags = 0; flags <= SA_RESTART; flags += SA_RESTART) {
		struct timespec req = { 2, 0 }, rem = { 0, 0 };
		arm(flags, 0, 100000);
		CHECK_ERR(nanosleep(&req, &rem), EINTR);
		CHECK_EQ(hits, 1);
		if (ts_sec(&rem) < 1.0 || ts_sec(&rem) > 1.95)
			FAIL("nanosleep(2 s) interrupted after 0.1 s left %.3f s", ts_sec(&rem));
		rem.tv_sec = 99;
		arm(flags, 0, 100000);
		CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
		if (ts_sec(&rem) < 1.0 || ts_sec(&rem) > 1.95)
			FAIL("clock_nanosleep(2 s) interrupted after 0.1 s left %.3f s", ts_sec(&rem));
	}
	ok("nanosleep and clock_nanosleep: EINTR (with or without SA_RESTART), about 1.9 s left");

	/* poll and select: EINTR even with SA_RESTART. */
	struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
	arm(SA_RESTART, 0, 50000);
	CHECK_ERR(poll(&pfd, 1, -1), EINTR);
	CHECK_EQ(hits, 1);
	arm(SA_RESTART, 0, 50000);
	CHECK_ERR(poll(&pfd, 1, 5000), EINTR);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	arm(SA_RESTART, 0, 50000);
	CHECK_ERR(select(fds[0] + 1, &rd, NULL, NULL, NULL), EINTR);
	CHECK_EQ(hits, 1);
	ok("poll and select: EINTR even with SA_RESTART");

	/* Ignored signals interrupt nothing. */
	signal(SIGUSR1, SIG_IGN);
	pid_t quick = spawn(exits_now);
	child = spawn(ignored_then_write);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'z');
	CHECK_EQ(wait_for(child), 0);
	CHECK_EQ(wait_for(quick), 0);
	ok("an ignored SIGUSR1 and a default SIGCHLD do not interrupt read");
	drain_pipe();
	return 0;
}
