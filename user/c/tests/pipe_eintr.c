/* pipe_eintr: signals arriving while a pipe read or write is blocked.
 * A read blocked on an empty pipe is interrupted by a SIGALRM handler
 * installed without SA_RESTART: -1/EINTR. With SA_RESTART the read restarts
 * and returns the bytes a child writes after the handler ran (the handler
 * itself tells the child to write). A signal that is ignored, or whose
 * default is to do nothing (SIGCHLD), does not interrupt. A write blocked on
 * a full pipe with nothing moved yet gives EINTR, or with SA_RESTART restarts
 * and completes once a child drains the pipe; a write that moved 65536 of
 * 100000 bytes before blocking returns 65536, with or without SA_RESTART.
 * poll is never restarted: EINTR even under SA_RESTART. SIGALRM comes every
 * 100 ms while a call is expected to block, from setitimer. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms;
static volatile pid_t notify; /* a child to send SIGUSR1 when SIGALRM comes */
static char buf[100000];

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
	if (notify > 0)
		kill(notify, SIGUSR1);
}

static void on_alarm_with(int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
}

/* SIGALRM every 100 ms from now on (so that an alarm that comes before the
 * call has blocked is followed by one that finds it blocked); counts reset. */
static void alarms_on(void)
{
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
	alarms = 0;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
}

/* Stops the timer; returns how many alarms were handled. */
static int alarms_off(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	return alarms;
}

static int child_in, child_out, child_close;

static void on_usr1(int sig)
{
	(void)sig;
}

/* Child: waits for SIGUSR1 (the parent's handler ran), then writes "late". */
static int write_after_usr1(void)
{
	sigset_t old;
	/* SIGUSR1 was blocked before the fork, so it cannot be missed. */
	sigprocmask(SIG_SETMASK, NULL, &old);
	sigdelset(&old, SIGUSR1);
	sigsuspend(&old);
	CHECK_EQ(write(child_out, "late", 4), 4);
	return 0;
}

/* Child: waits for SIGUSR1, then drains the pipe until end of file. */
static int drain_after_usr1(void)
{
	static char sink[65536];
	sigset_t old;
	close(child_close); /* the parent's write end must be the last one */
	sigprocmask(SIG_SETMASK, NULL, &old);
	sigdelset(&old, SIGUSR1);
	sigsuspend(&old);
	long n, total = 0;
	while ((n = read(child_in, sink, sizeof sink)) > 0)
		total += n;
	CHECK_EQ(n, 0);
	CHECK_EQ(total, 65536 + 4096);
	return 0;
}

/* Forks fn with SIGUSR1 blocked in it (and a do-nothing handler). */
static pid_t spawn_notified(int (*fn)(void))
{
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	signal(SIGUSR1, on_usr1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	pid_t pid = spawn(fn);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
	return pid;
}

/* A pipe filled to its 65536 bytes. */
static void full_pipe(int p[2])
{
	CHECK_OK(pipe2(p, O_NONBLOCK));
	while (write(p[1], buf, 4096) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	CHECK_OK(fcntl(p[1], F_SETFL, 0));
	CHECK_OK(fcntl(p[0], F_SETFL, 0));
}

int main(void)
{
	int p[2];
	char in[16];

	/* Read, no SA_RESTART: EINTR. */
	CHECK_OK(pipe(p));
	on_alarm_with(0);
	alarms_on();
	CHECK_ERR(read(p[0], in, sizeof in), EINTR);
	CHECK(alarms_off() >= 1);
	ok("a read blocked on an empty pipe: SIGALRM handler without SA_RESTART -> EINTR");

	/* Read, SA_RESTART: restarted, gets the child's bytes. */
	on_alarm_with(SA_RESTART);
	child_out = p[1];
	pid_t pid = spawn_notified(write_after_usr1);
	notify = pid;
	alarms_on();
	CHECK_EQ(read(p[0], in, sizeof in), 4);
	CHECK(alarms_off() >= 1);
	notify = 0;
	CHECK(memcmp(in, "late", 4) == 0);
	CHECK_EQ(wait_for(pid), 0);
	ok("with SA_RESTART the read restarts and returns what the child wrote later");

	/* Signals that do not interrupt: ignored, and SIGCHLD by default. */
	signal(SIGUSR2, SIG_IGN);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		kill(getppid(), SIGUSR2);
		sleep_ms(100);
		_exit(write(p[1], "ign", 3) == 3 ? 0 : 1);
	}
	pid_t quick = fork();
	CHECK(quick >= 0);
	if (quick == 0)
		_exit(0); /* its exit sends SIGCHLD to the parent */
	CHECK_EQ(read(p[0], in, sizeof in), 3);
	CHECK(memcmp(in, "ign", 3) == 0);
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(wait_for(quick), 0);
	ok("an ignored SIGUSR2 and a default SIGCHLD do not interrupt the read");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));

	/* Write on a full pipe, nothing moved, no SA_RESTART: EINTR. */
	full_pipe(p);
	on_alarm_with(0);
	alarms_on();
	CHECK_ERR(write(p[1], buf, 4096), EINTR);
	CHECK(alarms_off() >= 1);
	ok("a write blocked on a full pipe, nothing moved: EINTR");

	/* The same with SA_RESTART: completes once a child drains the pipe. */
	on_alarm_with(SA_RESTART);
	child_in = p[0];
	child_close = p[1];
	pid = spawn_notified(drain_after_usr1);
	notify = pid;
	alarms_on();
	CHECK_EQ(write(p[1], buf, 4096), 4096);
	CHECK(alarms_off() >= 1);
	notify = 0;
	CHECK_OK(close(p[1]));
	CHECK_EQ(wait_for(pid), 0);
	CHECK_OK(close(p[0]));
	ok("with SA_RESTART the write restarts and completes when a child drains the pipe");

	/* A write that moved bytes before blocking returns the partial count. */
	for (int flags = 0; flags <= SA_RESTART; flags += SA_RESTART) {
		CHECK_OK(pipe(p));
		on_alarm_with(flags);
		alarms_on();
		CHECK_EQ(write(p[1], buf, sizeof buf), 65536);
		CHECK(alarms_off() >= 1);
		CHECK_OK(close(p[0]));
		CHECK_OK(close(p[1]));
	}
	ok("a 100000-byte write interrupted after 65536 bytes returns 65536 (either way)");

	/* poll is not restarted. */
	CHECK_OK(pipe(p));
	on_alarm_with(SA_RESTART);
	alarms_on();
	struct pollfd pfd = { p[0], POLLIN, 0 };
	CHECK_ERR(poll(&pfd, 1, 5000), EINTR);
	CHECK(alarms_off() >= 1);
	ok("poll on an empty pipe interrupted by a SA_RESTART handler: EINTR");
	return 0;
}
