/* thread_signals: signals in a thread group. tgkill runs the handler on
 * exactly the named thread; a kill to the process is taken by the one thread
 * that does not block it; rt_tgsigqueueinfo carries its value to the named
 * thread; SYS_exit ends only the calling thread (the others keep running and
 * the last one's status is the process's, and a process whose leader exited
 * first is freed when reaped); exit_group from a thread ends all
 * of them with its status; a fatal signal kills the whole group; SIGSTOP and
 * SIGCONT stop and continue every thread. */
#include "rilltest.h"
#include <pthread.h>
#include <sched.h>

static volatile pid_t handled_on;
static volatile int handled_count;
static volatile long handled_value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handled_on = gettid();
	handled_value = (long)si->si_value.sival_ptr;
	handled_count++;
}

static volatile pid_t worker_tid;
static volatile int stop_workers;

static void *spin_worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	while (!stop_workers)
		sched_yield();
	return NULL;
}

static void *blocking_worker(void *arg)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	*(volatile int *)arg = 1;
	while (!stop_workers)
		sched_yield();
	return NULL;
}

static void wait_until(volatile int *flag)
{
	while (!*flag)
		sched_yield();
}

static void tgkill_and_kill(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, spin_worker, NULL), 0);
	while (!worker_tid)
		sched_yield();
	CHECK_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
	while (handled_count < 1)
		sched_yield();
	CHECK_EQ(handled_on, worker_tid);
	ok("tgkill runs the handler on the named thread");

	CHECK_ERR(syscall(SYS_tgkill, getpid() + 100000, worker_tid, SIGUSR1), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, 0, worker_tid, SIGUSR1), EINVAL);
	CHECK_OK(syscall(SYS_tgkill, getpid(), worker_tid, 0));
	ok("tgkill checks the thread group");

	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = SI_QUEUE;
	si.si_value.sival_ptr = (void *)0x1234;
	CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGUSR1, &si));
	while (handled_count < 2)
		sched_yield();
	CHECK_EQ(handled_on, worker_tid);
	CHECK_EQ(handled_value, 0x1234);
	ok("rt_tgsigqueueinfo delivers its value to the named thread");

	stop_workers = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	stop_workers = 0;

	/* Main blocks SIGUSR1; the worker does not: a kill must reach it. */
	static volatile int ready;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	worker_tid = 0;
	CHECK_EQ(pthread_create(&t, NULL, spin_worker, NULL), 0);
	pthread_t b;
	CHECK_EQ(pthread_create(&b, NULL, blocking_worker, (void *)&ready), 0);
	wait_until(&ready);
	while (!worker_tid)
		sched_yield();
	pthread_sigmask(SIG_BLOCK, &set, &old);
	CHECK_OK(kill(getpid(), SIGUSR1));
	while (handled_count < 3)
		sched_yield();
	CHECK_EQ(handled_on, worker_tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	stop_workers = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(pthread_join(b, NULL), 0);
	stop_workers = 0;
	CHECK_EQ(handled_count, 3);
	ok("kill is taken by the one thread that does not block it");
	signal(SIGUSR1, SIG_DFL);
}

static void *exit_thread_now(void *arg)
{
	syscall(SYS_exit, (int)(long)arg);
	return NULL;
}

static volatile int main_survived;

static int exit_one_thread(void)
{
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, exit_thread_now, (void *)3), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	main_survived = 1;
	return 5;
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *group_exit_now(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 42);
	return NULL;
}

static int exit_group_from_thread(void)
{
	pthread_t t[3];
	CHECK_EQ(pthread_create(&t[0], NULL, sleep_forever, NULL), 0);
	CHECK_EQ(pthread_create(&t[1], NULL, sleep_forever, NULL), 0);
	CHECK_EQ(pthread_create(&t[2], NULL, group_exit_now, NULL), 0);
	for (;;)
		pause();
}

static void *exit_later(void *arg)
{
	sleep_ms(50);
	syscall(SYS_exit, (int)(long)arg);
	return NULL;
}

static int leader_exits_first(void)
{
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, exit_later, (void *)9), 0);
	syscall(SYS_exit, 0);
	return 1;
}

static int fatal_signal_in_thread(void)
{
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, sleep_forever, NULL), 0);
	CHECK_EQ(pthread_create(&t, NULL, sleep_forever, NULL), 0);
	raise(SIGTERM);
	return 1;
}

static void exits(void)
{
	int st = wait_for(spawn(exit_one_thread));
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 5);
	ok("SYS_exit in a thread ends only that thread");

	st = wait_for(spawn(exit_group_from_thread));
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 42);
	ok("exit_group from a thread ends every thread with its status");

	st = wait_for(spawn(leader_exits_first));
	CHECK(WIFEXITED(st));
	/* Linux (linux-ref) reports the last thread's 9; qemu-user ends with the
	 * host's view of its main thread (0). */
	if (on_rill() || WEXITSTATUS(st) != 0)
		CHECK_EQ(WEXITSTATUS(st), 9);
	ok("the last thread's exit is the process's");

	/* The process and its threads' ids are all given back once it is reaped. */
	long heap_before = on_rill() ? heap_kb() : 0;
	for (int i = 0; i < 40; i++) {
		st = wait_for(spawn(leader_exits_first));
		CHECK(WIFEXITED(st));
	}
	if (on_rill()) {
		long heap_after = heap_settled_kb(heap_before);
		if (!heap_back_at(heap_after, heap_before))
			FAIL("kernel heap %ld kB before, %ld kB after 40 processes", heap_before, heap_after);
	}
	ok("a process whose leader exited first is freed when reaped");

	st = wait_for(spawn(fatal_signal_in_thread));
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGTERM);
	ok("a fatal signal kills the whole group");
}

#include <sys/mman.h>

static volatile long *ticks;

static void *tick(void *arg)
{
	long i = (long)arg;
	for (;;) {
		ticks[i]++;
		sched_yield();
	}
	return NULL;
}

static int ticking_group(void)
{
	pthread_t t[2];
	CHECK_EQ(pthread_create(&t[0], NULL, tick, (void *)0), 0);
	CHECK_EQ(pthread_create(&t[1], NULL, tick, (void *)1), 0);
	for (;;)
		pause();
}

static void stop_continue(void)
{
	/* The counters live in shared memory the test reads while the group is stopped. */
	ticks = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(ticks != MAP_FAILED);
	pid_t pid = spawn(ticking_group);
	while (!ticks[0] || !ticks[1])
		sched_yield();
	CHECK_OK(kill(pid, SIGSTOP));
	int st;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st));
	CHECK_EQ(WSTOPSIG(st), SIGSTOP);
	sleep_ms(50);
	/* The leader, asleep in pause(), is stopped too. */
	if (on_rill()) {
		char path[64], line[128];
		snprintf(path, sizeof path, "/proc/%d/status", pid);
		FILE *f = fopen(path, "r");
		CHECK(f != NULL);
		while (fgets(line, sizeof line, f) && strncmp(line, "State:", 6) != 0)
			;
		fclose(f);
		CHECK_STR(line, "State:\tT (stopped)\n");
	}
	long a = ticks[0], b = ticks[1];
	sleep_ms(100);
	CHECK_EQ(ticks[0], a);
	CHECK_EQ(ticks[1], b);
	CHECK_OK(kill(pid, SIGCONT));
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
	CHECK(WIFCONTINUED(st));
	while (ticks[0] == a || ticks[1] == b)
		sched_yield();
	CHECK_OK(kill(pid, SIGKILL));
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGKILL);
	ok("SIGSTOP, SIGCONT and SIGKILL act on the whole group");
}

int main(void)
{
	tgkill_and_kill();
	exits();
	stop_continue();
	return 0;
}
