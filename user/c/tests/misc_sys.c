/* misc_sys: small system calls of the kernel core.
 * uname (sysname "Linux", machine "riscv64"); process and user ids (only
 * their consistency: under qemu-riscv64 they are the host user's);
 * CLOCK_MONOTONIC never goes back and advances by at least 50 ms across
 * nanosleep(50 ms); CLOCK_REALTIME; getrandom; sched_yield;
 * sched_getaffinity; prlimit64 RLIMIT_STACK; set_tid_address returns the
 * tid; an unknown system call number gives ENOSYS. */
#include "rilltest.h"
#include <sched.h>
#include <sys/random.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	struct utsname u;
	CHECK_EQ(uname(&u), 0);
	printf("ok: uname sysname \"%s\", machine \"%s\"\n", u.sysname, u.machine);
	CHECK_STR(u.sysname, "Linux");
	CHECK_STR(u.machine, "riscv64");

	CHECK(getpid() > 0);
	CHECK(getppid() > 0);
	CHECK(getppid() != getpid());
	CHECK_EQ(gettid(), getpid());
	CHECK_EQ(getuid(), geteuid());
	CHECK_EQ(getgid(), getegid());
	ok("pid, ppid, tid == pid, uid == euid, gid == egid");

	struct timespec a, b;
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
		CHECK(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
		CHECK(ns(&b) >= ns(&a));
		a = b;
	}
	ok("CLOCK_MONOTONIC never goes back");
	struct timespec nap = { 0, 50 * 1000000 };
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
	CHECK_EQ(nanosleep(&nap, NULL), 0);
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
	if (ns(&b) - ns(&a) < 50000000)
		FAIL("nanosleep(50 ms) took only %lld ns", ns(&b) - ns(&a));
	ok("nanosleep(50 ms) lasts at least 50 ms");
	CHECK_EQ(clock_gettime(CLOCK_REALTIME, &a), 0);
	CHECK(a.tv_sec >= 0 && a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	ok("CLOCK_REALTIME");

	unsigned char rnd[32] = { 0 };
	CHECK_EQ(getrandom(rnd, sizeof rnd, 0), 32);
	int nonzero = 0;
	for (int i = 0; i < 32; i++)
		nonzero |= rnd[i];
	CHECK(nonzero);
	ok("getrandom gives 32 bytes, not all zero");

	CHECK_EQ(sched_yield(), 0);
	ok("sched_yield");

	unsigned long mask[16] = { 0 }; /* room for 1024 cpus */
	long size = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
	CHECK(size > 0 && size % sizeof(long) == 0);
	int cpus = 0;
	for (size_t i = 0; i < 16; i++)
		cpus += __builtin_popcountl(mask[i]);
	CHECK(cpus >= 1);
	ok("sched_getaffinity: at least one cpu");

	struct rlimit stack;
	CHECK_EQ(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &stack), 0);
	CHECK(stack.rlim_cur > 0);
	CHECK(stack.rlim_max == RLIM_INFINITY || stack.rlim_cur <= stack.rlim_max);
	ok("prlimit64 reads RLIMIT_STACK");

	static int tid_word;
	CHECK_EQ(syscall(SYS_set_tid_address, &tid_word), gettid());
	ok("set_tid_address returns the tid");

	CHECK_ERR(syscall(4000), ENOSYS);
	ok("system call 4000: ENOSYS");
	return 0;
}
