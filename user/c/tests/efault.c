/* efault: every pointer a system call takes is checked.
 * Each call gets bad addresses in turn: NULL (where NULL is not allowed), 1,
 * a kernel address, and, for buffers the kernel writes, a PROT_READ page.
 * Each must fail with EFAULT, and the process must go on. Raw syscall() is
 * used so that glibc neither crashes first nor rewrites the kernel's answer.
 * Not checked: set_tid_address (the address is only used at thread exit)
 * and pipe2 (not in the kernel core yet).
 * qemu-riscv64 7.2 answers nanosleep(bad) with EINVAL, real Linux EFAULT. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/ioctl.h>

/* bad[0] is NULL, skipped for arguments where NULL means "none".
 * The first IN entries suit arguments the kernel reads, all OUT entries
 * arguments it writes. */
static void *bad[4];
static const char *bad_name[4] = { "NULL", "(void *)1", "a kernel address", "a read-only page" };
enum { IN = 3, OUT = 4 };

#define NSIG_BYTES 8 /* the kernel's sigset_t size on riscv64 */

static void expect_efault(int line, const char *call, int i, long ret, int err)
{
	if (ret != -1)
		rt_fail(line, "%s with %s returned %ld, want EFAULT", call, bad_name[i], ret);
	if (err != EFAULT)
		rt_fail(line, "%s with %s: errno got %s want EFAULT", call, bad_name[i], errname(err));
}

/* Makes the call once for each bad[i], i from first to last - 1. */
#define EFAULT_EACH(first, last, ...)                                         \
	for (int i = (first); i < (last); i++) {                              \
		errno = 0;                                                    \
		long r_ = (__VA_ARGS__);                                      \
		expect_efault(__LINE__, #__VA_ARGS__, i, r_, errno);          \
	}

int main(void)
{
	char buf[256];
	bad[0] = BAD_NULL;
	bad[1] = BAD_LOW;
	bad[2] = BAD_KERNEL;
	bad[3] = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad[3] != MAP_FAILED);

	const char *path = "/tmp/rilltest-efault.txt";
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, "0123456789abcdef", 16), 16);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);

	EFAULT_EACH(0, OUT, syscall(SYS_read, fd, bad[i], 16));
	ok("read");
	EFAULT_EACH(0, IN, syscall(SYS_write, fd, bad[i], 16));
	ok("write");

	EFAULT_EACH(0, IN, syscall(SYS_readv, fd, bad[i], 1));
	EFAULT_EACH(0, OUT, syscall(SYS_readv, fd, &(struct iovec){ bad[i], 16 }, 1));
	ok("readv");
	EFAULT_EACH(0, IN, syscall(SYS_writev, fd, bad[i], 1));
	EFAULT_EACH(0, IN, syscall(SYS_writev, fd, &(struct iovec){ bad[i], 16 }, 1));
	ok("writev");

	EFAULT_EACH(0, IN, syscall(SYS_openat, AT_FDCWD, bad[i], O_RDONLY));
	ok("openat");
	EFAULT_EACH(0, IN, syscall(SYS_newfstatat, AT_FDCWD, bad[i], buf, 0));
	EFAULT_EACH(0, OUT, syscall(SYS_newfstatat, AT_FDCWD, "/", bad[i], 0));
	ok("newfstatat");
	EFAULT_EACH(0, OUT, syscall(SYS_fstat, fd, bad[i]));
	ok("fstat");

	int dir = CHECK_OK(open("/", O_RDONLY | O_DIRECTORY));
	EFAULT_EACH(0, OUT, syscall(SYS_getdents64, dir, bad[i], 4096));
	CHECK_EQ(close(dir), 0);
	ok("getdents64");
	EFAULT_EACH(0, OUT, syscall(SYS_getcwd, bad[i], 4096));
	ok("getcwd");
	EFAULT_EACH(0, IN, syscall(SYS_chdir, bad[i]));
	ok("chdir");
	EFAULT_EACH(0, IN, syscall(SYS_readlinkat, AT_FDCWD, bad[i], buf, sizeof buf));
	EFAULT_EACH(0, OUT, syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", bad[i], 256));
	ok("readlinkat");
	EFAULT_EACH(0, OUT, syscall(SYS_uname, bad[i]));
	ok("uname");
	EFAULT_EACH(0, OUT, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad[i]));
	ok("clock_gettime");
	EFAULT_EACH(0, IN, syscall(SYS_nanosleep, bad[i], NULL));
	ok("nanosleep");
	EFAULT_EACH(0, OUT, syscall(SYS_getrandom, bad[i], 16, 0));
	ok("getrandom");
	EFAULT_EACH(0, OUT, syscall(SYS_sched_getaffinity, 0, 128, bad[i]));
	ok("sched_getaffinity");

	EFAULT_EACH(1, IN, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, bad[i], NULL));
	EFAULT_EACH(1, OUT, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad[i]));
	ok("prlimit64");
	EFAULT_EACH(1, IN, syscall(SYS_rt_sigaction, SIGUSR1, bad[i], NULL, NSIG_BYTES));
	EFAULT_EACH(1, OUT, syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad[i], NSIG_BYTES));
	ok("rt_sigaction");
	EFAULT_EACH(1, IN, syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad[i], NULL, NSIG_BYTES));
	EFAULT_EACH(1, OUT, syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad[i], NSIG_BYTES));
	ok("rt_sigprocmask");
	EFAULT_EACH(1, IN, syscall(SYS_sigaltstack, bad[i], NULL));
	EFAULT_EACH(1, OUT, syscall(SYS_sigaltstack, NULL, bad[i]));
	ok("sigaltstack");

	/* The child is reaped even though its status cannot be stored. */
	for (int i = 1; i < OUT; i++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(0);
		errno = 0;
		long r = syscall(SYS_wait4, pid, bad[i], 0, NULL);
		expect_efault(__LINE__, "wait4(pid, bad status)", i, r, errno);
		CHECK_ERR(waitpid(pid, NULL, 0), ECHILD);
	}
	ok("wait4");

	/* NULL argv and envp are allowed (Linux treats them as empty). */
	char *argv[] = { "x", NULL };
	EFAULT_EACH(0, IN, syscall(SYS_execve, bad[i], argv, argv + 1));
	EFAULT_EACH(1, IN, syscall(SYS_execve, "/proc/self/exe", bad[i], argv + 1));
	EFAULT_EACH(1, IN, syscall(SYS_execve, "/proc/self/exe", argv, bad[i]));
	ok("execve");

	/* poll reads the pollfd array and writes revents back into it. */
	struct timespec zero = { 0, 0 };
	struct pollfd pfd = { fd, POLLIN, 0 };
	EFAULT_EACH(0, OUT, syscall(SYS_ppoll, bad[i], 1, &zero, NULL, NSIG_BYTES));
	EFAULT_EACH(1, IN, syscall(SYS_ppoll, &pfd, 1, bad[i], NULL, NSIG_BYTES));
	EFAULT_EACH(1, IN, syscall(SYS_ppoll, &pfd, 1, &zero, bad[i], NSIG_BYTES));
	ok("ppoll");

	/* Whether fd 0 is a terminal depends on how the test is run. */
	if (isatty(0))
		EFAULT_EACH(0, OUT, syscall(SYS_ioctl, 0, TCGETS, bad[i]));
	ok("ioctl TCGETS (checked only when stdin is a terminal)");

	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink(path), 0);
	ok("the process survived every bad pointer");
	return 0;
}
