/* thread_exec: execve from a thread that is not the leader. The other threads
 * end first (one of them asleep in a futex wait, one spinning), the exec'ing
 * thread takes over the process's pid (getpid and gettid both give the old
 * pid, as Linux's de_thread), the new program has one thread, and the parent
 * reaps the process under its old pid. */
#include "rilltest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>

static char pid_text[32];

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		sched_yield();
	return NULL;
}

static void *exec_self(void *arg)
{
	(void)arg;
	char *argv[] = { "thread_exec", "child", pid_text, NULL };
	extern char **environ;
	execve("/proc/self/exe", argv, environ);
	FAIL("execve failed with %s", errname(errno));
}

static int threads_in_status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static int run_parent(void)
{
	snprintf(pid_text, sizeof pid_text, "%d", getpid());
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, spin, NULL), 0);
	CHECK_EQ(pthread_create(&t, NULL, exec_self, NULL), 0);
	/* The leader sleeps in pthread_join's futex wait until the exec kills it. */
	pthread_join(t, NULL);
	FAIL("the leader survived the exec");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		CHECK_EQ(getpid(), atoi(argv[2]));
		CHECK_EQ(gettid(), getpid());
		CHECK_EQ(threads_in_status(), 1);
		ok("after execve from a thread: one thread, with the process's pid");
		return 12;
	}
	pid_t pid = spawn(run_parent);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 12);
	ok("the parent reaps the exec'd process under its pid");
	return 0;
}
