/* sig_flags: sa_mask and the SIGCHLD flags.
 * A handler's sa_mask is blocked while it runs (it shows in the mask read
 * there, and a signal in it raised by the handler waits until the handler
 * returns). A stopped child sends SIGCHLD with CLD_STOPPED and the stop
 * signal in si_status; with SA_NOCLDSTOP there is no SIGCHLD when a child
 * stops or continues, only when it exits. SA_NOCLDWAIT, and SIGCHLD set to SIG_IGN: exiting children
 * are reaped at once, so wait blocks until the last one is gone and then
 * fails with ECHILD; with SA_NOCLDWAIT and a handler, SIGCHLD still comes.
 * qemu-user gets these wrong (it ignores sa_mask during a handler and does
 * not pass SA_NOCLDSTOP or SA_NOCLDWAIT to the host), so this test is
 * checked against Linux 6.1 itself (../shared/linux-ref). */
#include "rilltest.h"

static char trace[16]; /* 'a', 'b' by the SIGUSR1 handler, 'X' by SIGUSR2's */
static volatile sig_atomic_t trace_len;
static sigset_t seen_mask;
static volatile sig_atomic_t chld_hits;

static void note(char c)
{
	trace[trace_len++] = c;
	trace[trace_len] = 0;
}

static void outer(int sig)
{
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &seen_mask);
	note('a');
	raise(SIGUSR2);
	note('b');
}

static void inner(int sig)
{
	(void)sig;
	note('X');
}

static void on_chld(int sig)
{
	(void)sig;
	chld_hits++;
}

static int go[2];

static int wait_for_go(void)
{
	char c;
	return read(go[0], &c, 1) == 1 ? 42 : 3;
}

static int exits_after_100ms(void)
{
	sleep_ms(100);
	return 0;
}

static int exits_after_200ms(void)
{
	sleep_ms(200);
	return 0;
}

static void set_chld(void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
}

/* Two children exit 100 and 200 ms from now; wait must outlast them, then
 * fail with ECHILD. */
static void check_autoreap(void)
{
	pid_t a = spawn(exits_after_100ms), b = spawn(exits_after_200ms);
	int status;
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK_ERR(kill(a, 0), ESRCH);
	CHECK_ERR(kill(b, 0), ESRCH);
}

int main(void)
{
	struct sigaction sa;
	int status;

	/* sa_mask */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = inner;
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	sa.sa_handler = outer;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGHUP);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	CHECK(sigismember(&seen_mask, SIGUSR1));
	CHECK(sigismember(&seen_mask, SIGUSR2));
	CHECK(sigismember(&seen_mask, SIGHUP));
	CHECK(!sigismember(&seen_mask, SIGTERM));
	CHECK_STR(trace, "abX");
	ok("sa_mask {USR2, HUP} is blocked in the SIGUSR1 handler; USR2 raised there runs after: abX");

	/* A stop sends SIGCHLD with CLD_STOPPED and the stop signal... */
	CHECK_OK(pipe(go));
	sigset_t chld, none;
	sigemptyset(&none);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &chld, NULL));
	pid_t child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGSTOP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	siginfo_t si;
	struct timespec limit = { 10, 0 };
	CHECK_EQ(sigtimedwait(&chld, &si, &limit), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_pid, child);
	CHECK_EQ(si.si_status, SIGSTOP);
	CHECK_OK(kill(child, SIGKILL));
	CHECK_EQ(wait_for(child), SIGKILL);
	CHECK_EQ(sigtimedwait(&chld, &si, &limit), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));
	ok("a stopped child sends SIGCHLD with CLD_STOPPED and si_status SIGSTOP");

	/* ...but not with SA_NOCLDSTOP. */
	set_chld(on_chld, SA_NOCLDSTOP | SA_RESTART);
	chld_hits = 0;
	child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGSTOP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	CHECK(WIFSTOPPED(status));
	CHECK_OK(kill(child, SIGCONT));
	CHECK_EQ(waitpid(child, &status, WCONTINUED), child);
	CHECK(WIFCONTINUED(status));
	sleep_ms(50);
	CHECK_EQ(chld_hits, 0);
	CHECK_EQ(write(go[1], "g", 1), 1);
	CHECK_EQ(wait_for(child), 42 << 8);
	CHECK_EQ(chld_hits, 1);
	ok("SA_NOCLDSTOP: no SIGCHLD for the stop and the continue, one for the exit");

	/* SA_NOCLDWAIT with SIG_DFL, SIG_IGN, and SA_NOCLDWAIT with a handler. */
	set_chld(SIG_DFL, SA_NOCLDWAIT);
	check_autoreap();
	ok("SA_NOCLDWAIT: children are reaped at exit, wait ends with ECHILD");
	set_chld(SIG_IGN, 0);
	check_autoreap();
	ok("SIGCHLD SIG_IGN: the same");
	set_chld(on_chld, SA_NOCLDWAIT | SA_RESTART);
	chld_hits = 0;
	check_autoreap();
	CHECK_EQ(chld_hits, 2);
	ok("SA_NOCLDWAIT with a handler: reaped at exit, and SIGCHLD still sent");
	return 0;
}
