/* thread_basic: POSIX threads on one process. 8 threads x 20,000 mutex
 * increments lose nothing; a condition variable broadcast wakes 4 waiters;
 * __thread variables are per thread; getpid is the same in every thread and
 * gettid differs; pthread_join returns the thread's value (CLONE_CHILD_CLEARTID
 * wakes it); clone's flag rules (CLONE_THREAD needs CLONE_SIGHAND, CLONE_SIGHAND
 * needs CLONE_VM); /proc/self/status counts the threads and /proc/self/task
 * lists them; 300 threads made and joined give back the kernel heap and the
 * page frames they took. */
#include "rilltest.h"
#include <pthread.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>

#define NTHREADS 8
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *increment(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int go, waiting, awake;

static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	waiting++;
	while (!go)
		pthread_cond_wait(&cond, &lock);
	awake++;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static __thread int tls_value = 7;

struct ids {
	pid_t pid, tid;
	int tls_before, tls_after;
};

static void *report_ids(void *arg)
{
	struct ids *ids = arg;
	ids->pid = getpid();
	ids->tid = gettid();
	ids->tls_before = tls_value;
	tls_value = ids->tid;
	sched_yield();
	ids->tls_after = tls_value;
	return (void *)(long)(ids->tid * 2);
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

static pthread_barrier_t barrier;
static pid_t barrier_tids[4];

/* The tids listed in /proc/self/task, sorted; returns how many. */
static int listed_tids(pid_t *out, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && n < max)
			out[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			pid_t t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static void *nothing(void *arg)
{
	return arg;
}

static void *wait_at_barrier(void *arg)
{
	barrier_tids[(long)arg] = gettid();
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, increment, NULL), 0);
	for (int i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(counter, (long)NTHREADS * ROUNDS);
	ok("8 threads x 20000 mutex increments lose nothing");

	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, cond_waiter, NULL), 0);
	for (;;) {
		pthread_mutex_lock(&lock);
		int w = waiting;
		pthread_mutex_unlock(&lock);
		if (w == 4)
			break;
		sched_yield();
	}
	pthread_mutex_lock(&lock);
	go = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(awake, 4);
	ok("a condition variable broadcast wakes 4 waiters");

	struct ids ids[4];
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, report_ids, &ids[i]), 0);
	for (int i = 0; i < 4; i++) {
		void *ret;
		CHECK_EQ(pthread_join(t[i], &ret), 0);
		CHECK_EQ((long)ret, ids[i].tid * 2L);
	}
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(ids[i].pid, getpid());
		CHECK(ids[i].tid != getpid());
		CHECK_EQ(ids[i].tls_before, 7);
		CHECK_EQ(ids[i].tls_after, ids[i].tid);
		for (int j = 0; j < i; j++)
			CHECK(ids[i].tid != ids[j].tid);
	}
	CHECK_EQ(tls_value, 7);
	CHECK_EQ(gettid(), getpid());
	ok("getpid is shared, gettid and __thread variables are per thread");
	ok("pthread_join returns the thread's value");

	CHECK_EQ(pthread_barrier_init(&barrier, NULL, 4), 0);
	barrier_tids[3] = getpid();
	for (long i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, wait_at_barrier, (void *)i), 0);
	pthread_barrier_wait(&barrier);
	/* qemu-user shows the host's threads, which include its own. */
	if (on_rill()) {
		CHECK_EQ(threads_in_status(), 4);
		pid_t listed[8];
		CHECK_EQ(listed_tids(listed, 8), 4);
		for (int i = 0; i < 4; i++) {
			int found = 0;
			for (int j = 0; j < 4; j++)
				found |= listed[j] == barrier_tids[i];
			CHECK(found);
		}
	}
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	if (on_rill())
		CHECK_EQ(threads_in_status(), 1);
	ok("/proc/self/status counts the threads, /proc/self/task lists them");

	long heap_before = on_rill() ? heap_kb() : 0;
	long free_before = on_rill() ? settled_free_kb() : 0;
	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < 3; i++)
			CHECK_EQ(pthread_create(&t[i], NULL, nothing, NULL), 0);
		for (int i = 0; i < 3; i++)
			CHECK_EQ(pthread_join(t[i], NULL), 0);
	}
	if (on_rill()) {
		long heap_after = heap_settled_kb(heap_before);
		if (!heap_back_at(heap_after, heap_before))
			FAIL("kernel heap %ld kB before, %ld kB after 300 threads", heap_before, heap_after);
		long free_after = settled_free_kb();
		/* glibc keeps a few thread stacks cached for reuse. */
		if (free_after < free_before - 8 * 1024)
			FAIL("free memory %ld kB before, %ld kB after 300 threads", free_before, free_after);
	}
	ok("300 threads made and joined give back the kernel's memory");

	char stack[256];
	CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, stack + sizeof stack, 0, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND, stack + sizeof stack, 0, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND, stack + sizeof stack, 0, 0, 0), EINVAL);
	ok("CLONE_THREAD needs CLONE_SIGHAND, CLONE_SIGHAND needs CLONE_VM");
	return 0;
}
