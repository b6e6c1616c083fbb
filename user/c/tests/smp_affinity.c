/* CPU affinity and work across harts: sched_setaffinity pins a thread to one CPU,
 * which sched_getaffinity then reports, a fork child inherits and an empty or
 * unknown-CPU mask refuses; a thread's mask is set and read by its tid. Then the
 * work of several processes and threads spread over every CPU: busy children each
 * pinned to a CPU of their own all get a signal while they compute (no wait for a
 * tick). Runs the same on any
 * number of harts (and on Linux). */
#include "rilltest.h"
#include <pthread.h>
#include <sched.h>

static cpu_set_t get_mask(pid_t pid)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CHECK_OK(sched_getaffinity(pid, sizeof set, &set));
	return set;
}

static int first_cpu(const cpu_set_t *set)
{
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, set))
			return i;
	FAIL("no cpu in the mask");
}

static int pinned_cpu;

static int child_inherits(void)
{
	cpu_set_t set = get_mask(0);
	return CPU_COUNT(&set) == 1 && CPU_ISSET(pinned_cpu, &set) ? 0 : 1;
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* Computes until SIGUSR1 arrives; exits 0 if it did. */
static int busy_until_signal(void)
{
	unsigned long x = 1;
	while (!got_signal)
		x = x * 6364136223846793005UL + 1;
	return x == 0 ? 2 : 0;
}

/* Keeps a second thread alive while the first changes its own mask by tid. */
static void *thread_sleeps(void *arg)
{
	(void)arg;
	sleep_ms(200);
	return NULL;
}

int main(void)
{
	cpu_set_t all = get_mask(0);
	int ncpu = CPU_COUNT(&all);
	CHECK(ncpu >= 1);
	pinned_cpu = first_cpu(&all);

	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(pinned_cpu, &one);
	CHECK_OK(sched_setaffinity(0, sizeof one, &one));
	cpu_set_t now = get_mask(0);
	CHECK(CPU_EQUAL(&now, &one));
	CHECK_EQ(sched_getcpu(), pinned_cpu);
	ok("sched_setaffinity to one cpu: getaffinity and getcpu say that cpu");

	CHECK_EQ(wait_for(spawn(child_inherits)), 0);
	ok("a fork child inherits the mask");

	cpu_set_t empty;
	CPU_ZERO(&empty);
	CHECK_ERR(sched_setaffinity(0, sizeof empty, &empty), EINVAL);
	cpu_set_t far;
	CPU_ZERO(&far);
	CPU_SET(1000, &far);
	CHECK_ERR(sched_setaffinity(0, sizeof far, &far), EINVAL);
	CHECK_ERR(sched_getaffinity(0, 4, &far), EINVAL);
	CHECK_ERR(sched_setaffinity(99999, sizeof one, &one), ESRCH);
	now = get_mask(0);
	CHECK(CPU_EQUAL(&now, &one));
	ok("an empty mask, a mask of unknown cpus: EINVAL; no such thread: ESRCH");

	CHECK_OK(sched_setaffinity(0, sizeof all, &all));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, thread_sleeps, NULL), 0);
	pid_t tid = gettid();
	CHECK_OK(sched_setaffinity(tid, sizeof one, &one));
	now = get_mask(tid);
	CHECK(CPU_EQUAL(&now, &one));
	CHECK_OK(sched_setaffinity(tid, sizeof all, &all));
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("the mask of a thread set and read by its tid");

	/* One busy child per cpu (at most 8), each pinned to its own, all signalled. */
	struct sigaction sa = { .sa_handler = on_usr1 };
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	pid_t kids[8];
	int nkids = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE && nkids < 8; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		cpu_set_t mine;
		CPU_ZERO(&mine);
		CPU_SET(cpu, &mine);
		CHECK_OK(sched_setaffinity(0, sizeof mine, &mine));
		kids[nkids++] = spawn(busy_until_signal);
	}
	CHECK_OK(sched_setaffinity(0, sizeof all, &all));
	sleep_ms(100);
	for (int i = 0; i < nkids; i++)
		CHECK_OK(kill(kids[i], SIGUSR1));
	for (int i = 0; i < nkids; i++)
		CHECK_EQ(wait_for(kids[i]), 0);
	ok("busy children pinned one to each cpu all take a signal and finish");
	return 0;
}
