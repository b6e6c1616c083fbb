/* rilltest.h: small helpers shared by Rill's C test programs.
 *
 * Every test runs both on Rill and on Linux (qemu-riscv64), and the harness
 * compares stdout and exit status, so tests print only deterministic text:
 * "ok: ..." lines while checks pass, and on the first failed check one line
 *     FAIL line 42: syscall(SYS_read, fd, buf, 8) errno got EINVAL want EFAULT
 * after which the process exits with status 1. */
#ifndef RILLTEST_H
#define RILLTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Addresses no user access may reach: NULL, a misaligned low address, and
 * Rill's kernel image (the kernel's virtual address of physical 0x80200000). */
#define BAD_NULL ((void *)0)
#define BAD_LOW ((void *)1)
#define BAD_KERNEL ((void *)0xffffffc080200000UL)

/* Unbuffered stdout: output order is then the same on a terminal (Rill's
 * console) and on a pipe (the harness), and fork never copies unwritten
 * output into the child. glibc still writes each printf in one write(). */
__attribute__((constructor)) static void rt_unbuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* "EFAULT" for EFAULT; "0" when no error was set. */
static inline const char *errname(int e)
{
	const char *name = e ? strerrorname_np(e) : "0";
	return name ? name : "unknown errno";
}

/* Prints "FAIL line N: <message>" and ends the process with status 1. */
__attribute__((noreturn, format(printf, 2, 3))) static inline void
rt_fail(int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	printf("FAIL line %d: %s\n", line, msg);
	exit(1);
}

#define FAIL(...) rt_fail(__LINE__, __VA_ARGS__)

#define CHECK(cond)                              \
	do {                                     \
		if (!(cond))                     \
			FAIL("check %s", #cond); \
	} while (0)

#define CHECK_EQ(got, want)                                                  \
	do {                                                                 \
		long long got_ = (long long)(got), want_ = (long long)(want); \
		if (got_ != want_)                                           \
			FAIL("%s got %lld want %lld", #got, got_, want_);    \
	} while (0)

#define CHECK_STR(got, want)                                             \
	do {                                                             \
		const char *got_ = (got), *want_ = (want);               \
		if (strcmp(got_, want_) != 0)                            \
			FAIL("%s got \"%s\" want \"%s\"", #got, got_, want_); \
	} while (0)

/* The call must fail with -1 and errno == want. */
#define CHECK_ERR(call, want)                                                  \
	do {                                                                   \
		errno = 0;                                                     \
		long r_ = (long)(call);                                        \
		int e_ = errno;                                                \
		if (r_ != -1)                                                  \
			FAIL("%s returned %ld, want -1 with errno %s", #call,  \
			     r_, errname(want));                               \
		if (e_ != (want))                                              \
			FAIL("%s errno got %s want %s", #call, errname(e_),    \
			     errname(want));                                   \
	} while (0)

/* The call must not return -1; the value is the call's result. */
#define CHECK_OK(call)                                                    \
	({                                                                \
		errno = 0;                                                \
		long r_ = (long)(call);                                   \
		if (r_ == -1)                                             \
			FAIL("%s failed with %s", #call, errname(errno)); \
		r_;                                                       \
	})

static inline void ok(const char *name)
{
	printf("ok: %s\n", name);
}

/* True on Rill: its uname release is "6.1.0-rill". */
static inline int on_rill(void)
{
	struct utsname u;
	return uname(&u) == 0 && strstr(u.release, "rill") != NULL;
}

/* Forks; the child runs fn() and exits with its return value. Returns the pid. */
static inline pid_t spawn(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid < 0)
		FAIL("fork failed with %s", errname(errno));
	if (pid == 0)
		_exit(fn());
	return pid;
}

/* Waits for pid (which must be a child) and returns its raw wait status. */
static inline int wait_for(pid_t pid)
{
	int status;
	pid_t got = waitpid(pid, &status, 0);
	if (got != pid)
		FAIL("waitpid returned %d (%s)", (int)got, errname(errno));
	return status;
}

/* Runs argv (found by PATH) and returns its standard output, up to 8 KiB, in a buffer
 * that the next call reuses; the program must exit with status 0. */
static inline char *run_output(char *const argv[])
{
	static char out[8192];
	int p[2];
	if (pipe(p) != 0)
		FAIL("pipe failed with %s", errname(errno));
	pid_t pid = fork();
	if (pid < 0)
		FAIL("fork failed with %s", errname(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t n = 0;
	long r;
	while (n < sizeof out - 1 && (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	close(p[0]);
	int st = wait_for(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("%s exited with status %#x", argv[0], st);
	return out;
}

/* Sleeps for ms milliseconds. */
static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Crashing children must not leave core files (qemu-user writes them into
 * the current directory) nor set the "core dumped" bit in the wait status. */
static inline void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		FAIL("setrlimit(RLIMIT_CORE) failed with %s", errname(errno));
}

/* dir/name, in one of a few rotating buffers so several fit in one call. */
static inline const char *path_in(const char *dir, const char *name)
{
	static char bufs[4][128];
	static int next;
	char *p = bufs[next++ % 4];
	snprintf(p, sizeof bufs[0], "%s/%s", dir, name);
	return p;
}

/* The value of "FIELD:  N kB" in a /proc file, read with plain read(2): stdio would
 * malloc, and the heap moving under a measurement would move the numbers. */
static inline long proc_kb(const char *path, const char *field)
{
	char buf[2048];
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *line = strstr(buf, field);
	return line ? strtol(line + strlen(field), NULL, 10) : 0;
}

/* Memory not held by the processes that outlive a stress test: free memory plus what
 * this process and init map (their stacks and heaps may grow during the run; a kernel
 * leak shows up as this number going down). */
static inline long accounted_free_kb(void)
{
	long kb = proc_kb("/proc/meminfo", "MemFree:");
	const char *procs[] = { "/proc/self/status", "/proc/1/status" };
	for (int i = 0; i < 2; i++)
		kb += proc_kb(procs[i], "VmRSS:") + proc_kb(procs[i], "VmPTE:");
	return kb;
}

/* Kernel heap in use on Rill (its /proc/meminfo Slab line); on Linux the slab moves
 * on its own, so tests compare this only when on_rill(). */
static inline long heap_kb(void)
{
	return proc_kb("/proc/meminfo", "Slab:");
}

/* Whether a heap reading `after` counts as back at `before`: not one kB above it. The
 * kernel gives back what a test's work took, including the nodes of maps that empty
 * (mm::heap::release_if_empty); what stays by design (a descriptor table keeps its
 * size, as on Linux) is grown by the test before it measures. It may end below `before`
 * when the test's work let go of something older. */
static inline int heap_back_at(long after, long before)
{
	return after <= before;
}

/* heap_kb once it is no longer above `before`, waiting up to 2 s: kernel bookkeeping of
 * the moment (a sleeper's timer, a parent's wait queue entry, an exiting child not yet
 * reaped) comes and goes with timing, while a leak stays. */
static inline long heap_settled_kb(long before)
{
	long now = heap_kb();
	for (int i = 0; i < 40 && now > before; i++) {
		sleep_ms(50);
		now = heap_kb();
	}
	return now;
}

/* accounted_free_kb once it stops changing (orphans of the last round reaped by init). */
static inline long settled_free_kb(void)
{
	long prev = -1, now = accounted_free_kb();
	for (int i = 0; i < 30 && now != prev; i++) {
		sleep_ms(100);
		prev = now;
		now = accounted_free_kb();
	}
	return now;
}

#endif
