/* sig_job: default actions as a parent sees them in wait statuses, and
 * stopping and continuing a child.
 * SIGTERM terminates (status 15); SIGCHLD, SIGURG, SIGWINCH and SIGCONT
 * are ignored by default, so the child carries on and exits normally;
 * SIGSTOP and SIGTSTP stop it (WUNTRACED: WIFSTOPPED, WSTOPSIG, raw 0x137f),
 * reported once; SIGCONT continues it (WCONTINUED: raw 0xffff), and the read
 * it was blocked in goes on without EINTR (so do poll and nanosleep, while
 * sigtimedwait fails with EINTR); the parent gets SIGCHLD with
 * CLD_STOPPED and CLD_CONTINUED (SA_NOCLDSTOP: see sig_flags); SIGTERM sent
 * to a stopped child waits for SIGCONT; SIGKILL ends a stopped child; a
 * caught SIGTSTP does not stop. */
#include "rilltest.h"
#include <poll.h>

static int go[2]; /* the parent writes a byte here to let a child finish */

/* Waits for the go byte, then exits with 42 if the read returned it. */
static int wait_for_go(void)
{
	char c;
	ssize_t n = read(go[0], &c, 1);
	if (n == 1)
		return 42;
	return n < 0 && errno == EINTR ? 3 : 4;
}

static volatile sig_atomic_t tstp_caught;

static void on_tstp(int sig)
{
	(void)sig;
	tstp_caught++;
}

/* Catches SIGTSTP; 43 once the handler has run. SIGTSTP stays blocked but
 * inside sigsuspend, so it cannot come between the test and the wait. */
static int catches_tstp(void)
{
	sigset_t tstp, old;
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigprocmask(SIG_BLOCK, &tstp, &old);
	sigdelset(&old, SIGTSTP);
	signal(SIGTSTP, on_tstp);
	if (write(go[1], "r", 1) != 1) /* tell the parent the handler is set */
		return 2;
	while (!tstp_caught)
		sigsuspend(&old);
	return 43;
}

/* spawn(), with the child in a new process group of its own. */
static pid_t spawn_own_group(int (*fn)(void))
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		_exit(fn());
	}
	CHECK_OK(setpgid(pid, pid));
	return pid;
}

static void send_go(void)
{
	CHECK_EQ(write(go[1], "g", 1), 1);
}

/* Takes the SIGCHLD (blocked in the parent) that must come, within 10 s.
 * si_status is not compared for CLD_STOPPED: under qemu-user the child is a
 * two-thread host process, and the host kernel sometimes reports its stop
 * with si_status 0 (sig_flags checks it against Linux). */
static void expect_sigchld(pid_t child, int code, int status)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	siginfo_t si;
	struct timespec limit = { 10, 0 };
	int got = sigtimedwait(&chld, &si, &limit);
	if (got != SIGCHLD)
		FAIL("waiting for SIGCHLD: got %d (%s)", got, errname(got < 0 ? errno : 0));
	CHECK_EQ(si.si_code, code);
	CHECK_EQ(si.si_pid, child);
	if (code != CLD_STOPPED)
		CHECK_EQ(si.si_status, status);
}

/* No SIGCHLD is pending. */
static void expect_no_sigchld(void)
{
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGCHLD));
}

/* Like wait_for_go, in poll (infinite timeout) first. */
static int poll_for_go(void)
{
	struct pollfd pfd = { .fd = go[0], .events = POLLIN };
	int n = poll(&pfd, 1, -1);
	if (n != 1)
		return n < 0 && errno == EINTR ? 3 : 4;
	return wait_for_go();
}

/* Sleeps 300 ms in one nanosleep, then waits for go; 42 if the nanosleep
 * returned 0. (Exiting only after go keeps the parent's view ordered.) */
static int sleep_300ms(void)
{
	struct timespec ts = { 0, 300 * 1000000L };
	int r = nanosleep(&ts, NULL);
	return wait_for_go() == 42 && r == 0 ? 42 : 3;
}

/* Waits for SIGUSR1 in sigtimedwait, then for go; 42 if sigtimedwait failed
 * with EINTR. */
static int sigtimedwait_usr1(void)
{
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (write(go[1], "r", 1) != 1)
		return 2;
	struct timespec limit = { 10, 0 };
	int r = sigtimedwait(&usr1, NULL, &limit);
	int e = errno;
	return wait_for_go() == 42 && r == -1 && e == EINTR ? 42 : 3;
}

/* Stops and continues the child, checking both in its wait status. */
static void stop_and_continue(pid_t child)
{
	int status;
	CHECK_OK(kill(child, SIGSTOP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	CHECK(WIFSTOPPED(status));
	expect_sigchld(child, CLD_STOPPED, SIGSTOP);
	CHECK_OK(kill(child, SIGCONT));
	CHECK_EQ(waitpid(child, &status, WCONTINUED), child);
	CHECK(WIFCONTINUED(status));
	expect_sigchld(child, CLD_CONTINUED, SIGCONT);
}

int main(void)
{
	int status;
	pid_t child;
	char c;
	CHECK_OK(pipe(go));

	/* SIGCHLD is blocked in the parent and collected with sigtimedwait:
	 * a blocked signal stays pending even though its default is to
	 * ignore it. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK_OK(sigprocmask(SIG_BLOCK, &chld, NULL));

	/* Terminate. */
	child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGTERM));
	status = wait_for(child);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGTERM);
	CHECK_EQ(status, SIGTERM);
	expect_sigchld(child, CLD_KILLED, SIGTERM);
	ok("SIGTERM: WIFSIGNALED, WTERMSIG 15, status 0xf; SIGCHLD CLD_KILLED");

	/* Ignore. */
	child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGCHLD));
	CHECK_OK(kill(child, SIGURG));
	CHECK_OK(kill(child, SIGWINCH));
	CHECK_OK(kill(child, SIGCONT));
	send_go();
	status = wait_for(child);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 42);
	expect_sigchld(child, CLD_EXITED, 42);
	ok("SIGCHLD, SIGURG, SIGWINCH, SIGCONT ignored by default: the child exits 42");

	/* Stop, continue, and the read goes on. */
	child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGSTOP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	CHECK(WIFSTOPPED(status));
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	CHECK_EQ(status, 0x137f);
	expect_sigchld(child, CLD_STOPPED, SIGSTOP);
	CHECK_EQ(waitpid(child, &status, WUNTRACED | WNOHANG), 0);
	CHECK_EQ(waitpid(child, &status, WNOHANG), 0);
	ok("SIGSTOP: WIFSTOPPED, WSTOPSIG 19, status 0x137f, reported once; SIGCHLD CLD_STOPPED");

	CHECK_OK(kill(child, SIGCONT));
	CHECK_EQ(waitpid(child, &status, WCONTINUED), child);
	CHECK(WIFCONTINUED(status));
	CHECK_EQ(status, 0xffff);
	expect_sigchld(child, CLD_CONTINUED, SIGCONT);
	CHECK_EQ(waitpid(child, &status, WCONTINUED | WNOHANG), 0);
	ok("SIGCONT: WIFCONTINUED, status 0xffff, reported once; SIGCHLD CLD_CONTINUED");

	send_go();
	status = wait_for(child);
	CHECK_EQ(status, 42 << 8);
	expect_sigchld(child, CLD_EXITED, 42);
	ok("the stopped and continued child's read returned the byte (no EINTR)");

	/* A stop and continue does not interrupt poll or nanosleep: they go on
	 * (nanosleep with the time that was left); sigtimedwait fails with
	 * EINTR (signal(7), "Interruption of system calls ... by stop
	 * signals"). */
	child = spawn(poll_for_go);
	sleep_ms(50);
	stop_and_continue(child);
	send_go();
	CHECK_EQ(wait_for(child), 42 << 8);
	expect_sigchld(child, CLD_EXITED, 42);
	child = spawn(sleep_300ms);
	sleep_ms(50);
	stop_and_continue(child);
	send_go();
	CHECK_EQ(wait_for(child), 42 << 8);
	expect_sigchld(child, CLD_EXITED, 42);
	ok("poll and nanosleep carry on after a stop and continue");
	child = spawn(sigtimedwait_usr1);
	CHECK_EQ(read(go[0], &c, 1), 1);
	sleep_ms(50);
	stop_and_continue(child);
	send_go();
	CHECK_EQ(wait_for(child), 42 << 8);
	expect_sigchld(child, CLD_EXITED, 42);
	ok("sigtimedwait fails with EINTR after a stop and continue");

	/* SIGTSTP stops too (the child gets its own process group: Linux
	 * discards SIGTSTP in an orphaned one, which the test's group may be);
	 * SIGTERM to a stopped child waits for SIGCONT. */
	child = spawn_own_group(wait_for_go);
	CHECK_OK(kill(child, SIGTSTP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	CHECK_EQ(WSTOPSIG(status), SIGTSTP);
	expect_sigchld(child, CLD_STOPPED, SIGTSTP);
	CHECK_OK(kill(child, SIGTERM));
	sleep_ms(50);
	CHECK_EQ(waitpid(child, &status, WNOHANG | WUNTRACED | WCONTINUED), 0);
	CHECK_OK(kill(child, SIGCONT));
	status = wait_for(child);
	CHECK_EQ(status, SIGTERM);
	ok("SIGTSTP stops; SIGTERM to the stopped child acts only after SIGCONT");
	/* The SIGCHLDs for the continue and the kill coalesce: take one. */
	struct timespec limit = { 10, 0 };
	siginfo_t si;
	CHECK_EQ(sigtimedwait(&chld, &si, &limit), SIGCHLD);
	CHECK_EQ(si.si_pid, child);
	expect_no_sigchld();

	/* SIGKILL ends a stopped child. */
	child = spawn(wait_for_go);
	CHECK_OK(kill(child, SIGSTOP));
	CHECK_EQ(waitpid(child, &status, WUNTRACED), child);
	expect_sigchld(child, CLD_STOPPED, SIGSTOP);
	CHECK_OK(kill(child, SIGKILL));
	status = wait_for(child);
	CHECK_EQ(status, SIGKILL);
	expect_sigchld(child, CLD_KILLED, SIGKILL);
	ok("SIGKILL ends a stopped child: status 9, SIGCHLD CLD_KILLED");

	/* A caught SIGTSTP runs the handler instead of stopping. */
	child = spawn_own_group(catches_tstp);
	CHECK_EQ(read(go[0], &c, 1), 1);
	CHECK_OK(kill(child, SIGTSTP));
	CHECK_EQ(wait_for(child), 43 << 8);
	ok("a caught SIGTSTP does not stop the child");
	return 0;
}
