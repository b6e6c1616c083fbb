/* fork_wait: fork, _exit and wait4.
 * Checks exit codes 0, 1, 42, 255 (and 298, truncated to 42) with the raw
 * status encoding (code << 8) and the W* macros; a child killed by SIGKILL
 * (raw status 9); WNOHANG returning 0 while the child runs and the pid once
 * it has exited; waiting for a given pid before another exited child; a NULL
 * status pointer; ECHILD when there is nothing to wait for. */
#include "rilltest.h"

static pid_t parent;

static int child_checks_ids(void)
{
	/* Runs in the child: fork returned 0 here, and the parent is known. */
	if (getppid() != parent)
		FAIL("child: getppid() is not the parent's pid");
	if (getpid() == parent)
		FAIL("child: getpid() equals the parent's pid");
	return 0;
}

static int sleep_forever(void)
{
	for (int i = 0; i < 60; i++)
		sleep_ms(1000);
	return 99; /* not reached: the parent kills it first */
}

static int exit_at_once(void)
{
	return 7;
}

static void check_exit_code(int code, int want)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(code);
	int status = wait_for(pid);
	CHECK(WIFEXITED(status));
	CHECK(!WIFSIGNALED(status));
	CHECK_EQ(WEXITSTATUS(status), want);
	CHECK_EQ(status, want << 8);
	printf("ok: _exit(%d) -> WEXITSTATUS %d, status 0x%x\n", code,
	       WEXITSTATUS(status), status);
}

int main(void)
{
	int status;

	parent = getpid();
	CHECK_EQ(wait_for(spawn(child_checks_ids)), 0);
	ok("fork returns 0 in the child, which sees its parent in getppid");

	check_exit_code(0, 0);
	check_exit_code(1, 1);
	check_exit_code(42, 42);
	check_exit_code(255, 255);
	check_exit_code(256 + 42, 42);

	/* A sleeping child: WNOHANG finds nothing yet; SIGKILL ends it. */
	pid_t pid = spawn(sleep_forever);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	ok("WNOHANG returns 0 while the child runs");
	CHECK_EQ(kill(pid, SIGKILL), 0);
	status = wait_for(pid);
	CHECK(WIFSIGNALED(status));
	CHECK(!WIFEXITED(status));
	CHECK_EQ(WTERMSIG(status), SIGKILL);
	CHECK_EQ(status, SIGKILL);
	ok("killed child: WIFSIGNALED, WTERMSIG 9, status 0x9");

	/* WNOHANG returns the pid once the child is a zombie. */
	pid = spawn(exit_at_once);
	pid_t got = 0;
	for (int i = 0; i < 500 && got == 0; i++) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == 0)
			sleep_ms(10);
	}
	CHECK_EQ(got, pid);
	CHECK_EQ(status, 7 << 8);
	ok("WNOHANG returns the pid after the child exited");

	/* A specific pid is reaped even when another child exited first. */
	pid_t first = spawn(exit_at_once);
	pid_t second = spawn(sleep_forever);
	CHECK_EQ(waitpid(second, &status, WNOHANG), 0);
	CHECK_EQ(kill(second, SIGKILL), 0);
	CHECK_EQ(waitpid(second, &status, 0), second);
	CHECK_EQ(status, SIGKILL);
	CHECK_EQ(waitpid(-1, &status, 0), first);
	CHECK_EQ(status, 7 << 8);
	ok("waitpid(pid) picks that child, waitpid(-1) the other");

	/* wait4 through the raw system call, with a NULL status pointer. */
	pid = spawn(exit_at_once);
	CHECK_EQ(syscall(SYS_wait4, pid, NULL, 0, NULL), pid);
	ok("wait4 with a NULL status pointer");

	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(getpid(), &status, 0), ECHILD);
	CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
	ok("ECHILD with no children, for self and for a reaped pid");
	return 0;
}
