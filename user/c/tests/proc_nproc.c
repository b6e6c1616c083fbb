/* proc_nproc: RLIMIT_NPROC as Linux enforces it.
 * - the default is half of threads-max, which Linux derives from memory
 *   (MemTotal / 128 KiB; checked on Rill, whose MemTotal is what it has);
 * - fork counts the processes of the caller's real user, zombies included, and
 *   fails with EAGAIN once they reach the limit; reaping one makes room;
 * - root is exempt;
 * - setuid to a user already over the limit succeeds, but the next execve
 *   fails with EAGAIN (Linux's PF_NPROC_EXCEEDED);
 * - setuid(-1) is EINVAL.
 * The limited user is uid 4242, which owns no other process. */
#include "rilltest.h"
#include <sys/resource.h>

#define USER 4242

static void limit(rlim_t n)
{
	struct rlimit rl = { n, n };
	CHECK_OK(setrlimit(RLIMIT_NPROC, &rl));
}

static pid_t sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* As uid USER with a limit of 3: this process and two children fill it. */
static int limited_user(void)
{
	limit(3);
	CHECK_OK(setuid(USER));
	pid_t a = sleeper();
	CHECK(a > 0);
	pid_t zombie = fork();
	CHECK(zombie >= 0);
	if (zombie == 0)
		_exit(0);
	sleep_ms(50);
	CHECK_ERR(fork(), EAGAIN);
	ok("the fourth process of the user: EAGAIN (a zombie counts)");
	CHECK_EQ(waitpid(zombie, NULL, 0), zombie);
	pid_t b = sleeper();
	CHECK(b > 0);
	ok("reaping the zombie makes room for one more");
	CHECK_ERR(fork(), EAGAIN);
	CHECK_OK(kill(b, SIGKILL));
	CHECK_EQ(waitpid(b, NULL, 0), b);
	CHECK_OK(kill(a, SIGKILL));
	CHECK_EQ(waitpid(a, NULL, 0), a);
	return 0;
}

static int root_exempt(void)
{
	limit(1);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	CHECK_EQ(WEXITSTATUS(wait_for(pid)), 7);
	ok("root forks past its limit of 1");
	return 0;
}

/* A root process with limit 2 becomes USER, who has three processes. */
static int exceeded(void)
{
	limit(2);
	CHECK_OK(setuid(USER));
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };
	CHECK_ERR(syscall(SYS_execve, "/bin/true", argv, envp), EAGAIN);
	ok("setuid to a user over the limit succeeds; the next execve is EAGAIN");
	return 0;
}

static int ready[2], done[2];

/* Becomes USER with two children, says so, and cleans up when told. */
static int three_of_user(void)
{
	CHECK_OK(setuid(USER));
	pid_t a = sleeper(), b = sleeper();
	CHECK(a > 0 && b > 0);
	char c = 'x';
	CHECK_EQ(write(ready[1], &c, 1), 1);
	CHECK_EQ(read(done[0], &c, 1), 1);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	wait_for(a);
	wait_for(b);
	return 0;
}

int main(void)
{
	struct rlimit rl;
	CHECK_OK(getrlimit(RLIMIT_NPROC, &rl));
	if (on_rill()) {
		long want = proc_kb("/proc/meminfo", "MemTotal:") / 128 / 2;
		CHECK_EQ(rl.rlim_cur, want);
		CHECK_EQ(rl.rlim_max, want);
	}
	ok("RLIMIT_NPROC defaults to threads-max / 2 (checked on Rill)");
	CHECK_ERR(setuid(-1), EINVAL);
	ok("setuid(-1): EINVAL");
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(limited_user))), 0);
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(root_exempt))), 0);
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(done));
	pid_t owner = spawn(three_of_user);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(exceeded))), 0);
	CHECK_EQ(write(done[1], &c, 1), 1);
	CHECK_EQ(WEXITSTATUS(wait_for(owner)), 0);
	return 0;
}
