/* orphan: reparenting of orphans and reaping of zombies.
 * The test makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so
 * that an orphaned grandchild is reparented to it and not to pid 1 or to
 * whatever subreaper runs the test on a host. A child forks a grandchild and
 * exits; the grandchild waits until getppid() is the test's pid; the test
 * then reaps it. Also checks that a zombie keeps its status until waited for
 * and that nothing is left to wait for afterwards (ECHILD).
 * qemu-riscv64 7.2 refuses PR_SET_CHILD_SUBREAPER (EINVAL) instead of passing
 * it to the host kernel; real Linux accepts it, and so must Rill. */
#include "rilltest.h"
#include <sys/prctl.h>

static pid_t top;

static int grandchild(void)
{
	/* Poll for up to 5 s: the parent exits at once, reparenting follows. */
	for (int i = 0; i < 500; i++) {
		if (getppid() == top)
			return 0;
		sleep_ms(10);
	}
	FAIL("grandchild: getppid() never became the subreaper's pid");
}

static int child(void)
{
	spawn(grandchild);
	return 3;
}

static int exit_five(void)
{
	return 5;
}

int main(void)
{
	int status, flag = 0;

	top = getpid();
	CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0), 0);
	CHECK_EQ(flag, 1);
	ok("prctl: the test is a child subreaper");

	pid_t pid = spawn(child);
	CHECK_EQ(wait_for(pid), 3 << 8);
	ok("child exited, leaving its child behind");

	pid_t orphan = waitpid(-1, &status, 0);
	CHECK(orphan > 0);
	CHECK(orphan != pid);
	CHECK_EQ(status, 0);
	ok("the orphan saw getppid() == subreaper and was reaped by it");
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	ok("nothing left to wait for");

	/* A zombie keeps its exit status until its parent collects it. */
	pid = spawn(exit_five);
	sleep_ms(100);
	CHECK_EQ(wait_for(pid), 5 << 8);
	CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
	ok("a zombie is reaped exactly once");
	return 0;
}
