/* thread_sysctl: what threaded programs ask about themselves and the system.
 * prctl(PR_SET_NAME/PR_GET_NAME) names one thread (15 bytes and a NUL, inherited by
 * the threads it creates, replaced at exec), shown in /proc/PID/comm, /proc/PID/task/TID/comm and the
 * status Name line; getrusage(RUSAGE_THREAD) (the thread's own time, not the process's); sysinfo; sched_setaffinity takes a mask
 * with CPU 0 and refuses an empty one; membarrier and rseq. */
#include "rilltest.h"
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

static void get_name(char out[16])
{
	memset(out, 'x', 16);
	CHECK_EQ(prctl(PR_GET_NAME, out), 0);
}

/* The text of a small /proc file. */
static const char *read_text(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		FAIL("open %s: %s", path, errname(errno));
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		FAIL("read %s: %s", path, errname(errno));
	buf[n] = 0;
	return buf;
}

/* The Name: line of a status file, without "Name:\t" and the newline. */
static const char *status_name(const char *path)
{
	static char name[64];
	const char *text = read_text(path);
	if (sscanf(text, "Name:\t%63[^\n]", name) != 1)
		FAIL("no Name line in %s", path);
	return name;
}

static pid_t worker_tid;
static pthread_barrier_t named, checked;

static void *worker(void *arg)
{
	(void)arg;
	char name[16];
	get_name(name);
	CHECK_STR(name, "main-thread"); /* inherited from the creating thread */
	CHECK_EQ(prctl(PR_SET_NAME, "worker-1234567890abc"), 0);
	get_name(name);
	CHECK_STR(name, "worker-12345678"); /* cut to 15 bytes */
	CHECK_EQ(name[15], 0);
	worker_tid = gettid();
	pthread_barrier_wait(&named);
	pthread_barrier_wait(&checked);
	return NULL;
}

static void names(void)
{
	char name[16];
	/* Under qemu-riscv64 the name starts as the emulator's. */
	if (on_rill()) {
		get_name(name);
		CHECK_STR(name, "thread_sysctl");
		CHECK_STR(read_text("/proc/self/comm"), "thread_sysctl\n");
	}
	CHECK_EQ(prctl(PR_SET_NAME, "main-thread"), 0);
	get_name(name);
	CHECK_STR(name, "main-thread");
	CHECK_ERR(prctl(PR_SET_NAME, BAD_NULL), EFAULT);
	CHECK_ERR(prctl(PR_GET_NAME, BAD_NULL), EFAULT);

	pthread_t t;
	CHECK_EQ(pthread_barrier_init(&named, NULL, 2), 0);
	CHECK_EQ(pthread_barrier_init(&checked, NULL, 2), 0);
	CHECK_EQ(pthread_create(&t, NULL, worker, NULL), 0);
	pthread_barrier_wait(&named);
	get_name(name);
	CHECK_STR(name, "main-thread"); /* the worker's name is its own */
	char path[64];
	CHECK_STR(read_text("/proc/self/comm"), "main-thread\n");
	CHECK_STR(status_name("/proc/self/status"), "main-thread");
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
	CHECK_STR(read_text(path), "main-thread\n");
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", worker_tid);
	CHECK_STR(read_text(path), "worker-12345678\n");
	snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
	CHECK_STR(status_name(path), "worker-12345678");
	pthread_barrier_wait(&checked);
	CHECK_EQ(pthread_join(t, NULL), 0);
	ok("PR_SET_NAME/PR_GET_NAME per thread, 15 bytes, inherited; /proc comm and status Name");

	/* exec names the thread after the new program again. */
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "renamed");
		execl("/bin/cat", "cat", "/proc/self/comm", (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(wait_for(child), 0);
	ok("exec: the name is the new program's");
}

static double seconds(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static double cpu_seconds(struct rusage *ru)
{
	return seconds(ru->ru_utime) + seconds(ru->ru_stime);
}

/* Spins until this thread has used 200 ms of CPU time, then reports its usage. */
static void *spin_thread(void *out)
{
	struct timespec ts;
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin += i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < 200);
	getrusage(RUSAGE_THREAD, out);
	return NULL;
}

static void rusage(void)
{
	volatile unsigned long spin = 0;
	for (unsigned long i = 0; i < 20000000; i++)
		spin += i;
	struct rusage thread, self;
	CHECK_EQ(getrusage(RUSAGE_THREAD, &thread), 0);
	CHECK_EQ(getrusage(RUSAGE_SELF, &self), 0);
	CHECK(cpu_seconds(&thread) <= cpu_seconds(&self) + 1e-6);
	CHECK(seconds(thread.ru_utime) > 0);

	/* One thread spins while this one sleeps in pthread_join: the spinner's time is
	 * its own and the process's, never the sleeper's. */
	struct rusage before, after, spun;
	pthread_t t;
	CHECK_EQ(getrusage(RUSAGE_THREAD, &before), 0);
	CHECK_EQ(pthread_create(&t, NULL, spin_thread, &spun), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(getrusage(RUSAGE_THREAD, &after), 0);
	CHECK_EQ(getrusage(RUSAGE_SELF, &self), 0);
	CHECK(cpu_seconds(&spun) >= 0.15);
	CHECK(cpu_seconds(&after) - cpu_seconds(&before) < 0.05);
	CHECK(cpu_seconds(&self) >= cpu_seconds(&spun) + cpu_seconds(&after) - 0.02);
	CHECK_ERR(getrusage(RUSAGE_THREAD, BAD_NULL), EFAULT);
	CHECK_ERR(getrusage(99, &thread), EINVAL);
	ok("getrusage(RUSAGE_THREAD) counts the calling thread's own time: a sleeper's stays "
	   "small while another thread spins, and the process's holds both");
}

static void system_info(void)
{
	struct sysinfo si;
	memset(&si, 0xff, sizeof si);
	CHECK_EQ(sysinfo(&si), 0);
	CHECK_EQ(si.mem_unit, 1); /* bytes, as Linux on 64-bit */
	CHECK_EQ(si.totalram, proc_kb("/proc/meminfo", "MemTotal:") * 1024);
	CHECK(si.freeram > 0 && si.freeram <= si.totalram);
	CHECK(si.procs >= 1);
	/* Whole seconds since boot, rounded up: /proc/uptime's within a second. */
	double up = strtod(read_text("/proc/uptime"), NULL);
	CHECK(si.uptime >= (long)up && si.uptime <= (long)up + 2);
	CHECK_ERR(sysinfo(BAD_LOW), EFAULT);
	ok("sysinfo: uptime, totalram = MemTotal, freeram, procs, mem_unit 1");
}

static int exit_now(void)
{
	return 0;
}

static void affinity(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	CHECK_EQ(sched_setaffinity(0, sizeof set, &set), 0);
	CPU_CLR(1, &set);
	CHECK_EQ(syscall(SYS_sched_setaffinity, gettid(), sizeof set, &set), 0);
	/* One word of mask (qemu-riscv64 refuses shorter ones, Linux zero-extends them). */
	unsigned long one = 1;
	CHECK_EQ(syscall(SYS_sched_setaffinity, 0, sizeof one, &one), 0);
	CPU_ZERO(&set);
	CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
	CHECK_EQ(CPU_COUNT(&set), 1);
	CHECK(CPU_ISSET(0, &set));
	CPU_ZERO(&set);
	CHECK_ERR(sched_setaffinity(0, sizeof set, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 0, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof set, BAD_NULL), EFAULT);
	pid_t gone = spawn(exit_now);
	CHECK_EQ(wait_for(gone), 0);
	CPU_SET(0, &set);
	CHECK_ERR(sched_setaffinity(gone, sizeof set, &set), ESRCH);
	CHECK_ERR(sched_getaffinity(gone, sizeof set, &set), ESRCH);
	ok("sched_setaffinity: masks with CPU 0 taken, empty EINVAL, EFAULT, ESRCH");
}

static void membarrier_rseq(void)
{
	errno = 0;
	long r = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (r == -1)
		CHECK_EQ(errno, ENOSYS);
	else
		CHECK((r & MEMBARRIER_CMD_GLOBAL) || r == 0);
	/* Rill has no rseq (glibc then does without); on Linux glibc has registered one. */
	errno = 0;
	r = syscall(SYS_rseq, NULL, 0, 0, 0);
	CHECK_EQ(r, -1);
	if (on_rill())
		CHECK_EQ(errno, ENOSYS);
	ok("membarrier(MEMBARRIER_CMD_QUERY) answers or is ENOSYS; rseq ENOSYS on Rill");
}

int main(void)
{
	names();
	rusage();
	system_info();
	affinity();
	membarrier_rseq();
	return 0;
}
