/* thread_ps: Rill's `ps` shows threads: its NLWP column counts them, and `ps -T`
 * prints one line per thread (PID, SPID = the thread's id, its state and the name
 * prctl(PR_SET_NAME) gave it). Only Rill's ps is checked (Linux's procps prints
 * other columns, and under qemu-user it would see qemu's own threads). */
#include "rilltest.h"
#include <pthread.h>
#include <sys/prctl.h>

static pthread_barrier_t named, listed;
static pid_t tids[2];

static void *worker(void *arg)
{
	long i = (long)arg;
	char name[16];
	snprintf(name, sizeof name, "worker-%ld", i);
	CHECK_EQ(prctl(PR_SET_NAME, name), 0);
	tids[i] = gettid();
	pthread_barrier_wait(&named);
	pthread_barrier_wait(&listed);
	return NULL;
}

/* Runs /bin/ps with `arg` (or none) and returns its output. */
static const char *run_ps(char *arg)
{
	return run_output((char *[]){ "ps", arg, NULL });
}

/* The line of `text` whose first two numbers are `a` and `b` (b < 0: any). */
static const char *line_of(const char *text, int a, int b)
{
	static char line[256];
	for (const char *s = text; *s;) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len < sizeof line) {
			memcpy(line, s, len);
			line[len] = 0;
			int x, y;
			if (sscanf(line, "%d %d", &x, &y) == 2 && x == a && (b < 0 || y == b))
				return line;
		}
		s += len + (e != NULL);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	pthread_barrier_init(&named, NULL, 3);
	pthread_barrier_init(&listed, NULL, 3);
	CHECK_EQ(prctl(PR_SET_NAME, "thread_ps-main"), 0);
	for (long i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	pthread_barrier_wait(&named);
	if (on_rill()) {
		const char *all = run_ps(NULL);
		CHECK(strncmp(all, "  PID  PPID  PGID STAT NLWP WCHAN           CMD\n", 48) == 0);
		const char *me = line_of(all, getpid(), getppid());
		if (!me)
			FAIL("no line for pid %d in:\n%s", getpid(), all);
		int nlwp = 0;
		char stat[8];
		CHECK_EQ(sscanf(me, "%*d %*d %*d %7s %d", stat, &nlwp), 2);
		CHECK_EQ(nlwp, 3);

		const char *threads = run_ps("-T");
		CHECK(strncmp(threads, "  PID  SPID  PPID  PGID STAT COMM            WCHAN           CMD\n", 65) == 0);
		const pid_t want[3] = { getpid(), tids[0], tids[1] };
		const char *names[3] = { "thread_ps-main", "worker-0", "worker-1" };
		for (int i = 0; i < 3; i++) {
			const char *l = line_of(threads, getpid(), want[i]);
			if (!l)
				FAIL("no line for thread %d in:\n%s", want[i], threads);
			char name[32];
			CHECK_EQ(sscanf(l, "%*d %*d %*d %*d %7s %31s", stat, name), 2);
			CHECK_STR(name, names[i]);
			/* Both workers wait at a barrier: asleep. */
			if (i > 0)
				CHECK_STR(stat, "S");
		}
	}
	pthread_barrier_wait(&listed);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	ok("ps counts threads and ps -T lists them with their names");
	return 0;
}
