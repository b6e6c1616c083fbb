/* stress_syscalls: random system calls with random arguments.
 *
 * For about 20 seconds the parent keeps WORKERS worker processes running; each makes
 * random calls from the set Rill implements (syscall(2) directly) with arguments drawn
 * from interesting values: 0, 1, -1, small and huge numbers, valid and invalid
 * descriptors, pointers to a scratch buffer and to its last bytes (an inaccessible page
 * follows), NULL, a kernel address, unmapped, read-only and misaligned addresses.
 * Calls that would end the run instead of testing the kernel are left out or tamed:
 * signals go only to the worker itself and its own children, execve only to a path
 * that does not exist, files are created and removed only under a scratch directory,
 * and rt_sigreturn with a garbage frame runs in a grandchild that it must only kill.
 * A 200 ms SIGALRM (re-armed before every call) interrupts calls that block; the parent
 * kills workers that outlive their deadline and, as a child subreaper, whatever their
 * children left behind (a worker may have stopped them). Every worker must end by exit(0) or a
 * signal, and (on Rill) free memory must be back where it started and fork and pipes
 * must still work. The kernel must neither panic nor hang nor leak.
 *
 * Off Rill (qemu-riscv64 runs the calls on the real host) the riskiest calls are kept
 * harmless: workers drop root, cannot grow files past 16 MB, and calls that could
 * change host files outside the scratch directory are left out.
 *
 * Usage: stress_syscalls [SEED [v|w]]: "v" logs every call of every worker to stdout,
 * "w" runs only one worker, with seed SEED, and logs its calls. */
#include "rilltest.h"
#include <fcntl.h>
#include <sched.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>
#include <elf.h>
#include <grp.h>
#include <termios.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

#define WORKERS 4
#define WARMUP_SECONDS 3
#define SECONDS 17
#define WORKER_MS 1500 /* a worker's own budget */
#define GRACE_MS 3000  /* then the parent kills it */
#define SCRATCH (64 * 1024)
#define PAGE 4096UL
#define REGION (256 * 1024) /* where MAP_FIXED, munmap and mprotect play */
#define USER_END (1UL << 38)
#define LOGFD 1000

static int rill;
static int verbose;
static char root[64];

static unsigned long rng;
static unsigned long rnd64(void)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	unsigned long hi = rng >> 32;
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return hi << 32 | rng >> 32;
}
static unsigned rnd(unsigned n)
{
	return (unsigned)(rnd64() % n);
}
static int chance(unsigned n) /* 1 in n */
{
	return rnd(n) == 0;
}

/* ---- the worker's memory ---- */

static unsigned char *scratch; /* SCRATCH bytes of random data, then a PROT_NONE page */
static unsigned char *guard;
static unsigned char *rodata;  /* a read-only page */
static unsigned char *region;  /* REGION bytes reserved for mapping games */
static unsigned char *args;    /* rebuilt before each call: structs the kernel reads */
static pid_t self_pid, last_child;

static unsigned long any_value(void)
{
	static const unsigned long v[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 4095, 4096, 4097, 65535, 65536,
		0x7fffffff, 0x80000000UL, 0xffffffffUL, 0x100000000UL, -1UL, -2UL,
		-4096UL, 0x7fffffffffffffffUL, 0x8000000000000000UL,
	};
	switch (rnd(4)) {
	case 0:
		return rnd(32);
	case 1:
		return rnd64();
	default:
		return v[rnd(sizeof v / sizeof v[0])];
	}
}

static unsigned long length(void)
{
	static const unsigned long v[] = {
		0, 1, 2, 7, 8, 16, 100, 128, 4095, 4096, 4097, 8192, SCRATCH - 1, SCRATCH,
		SCRATCH + 1, 1UL << 20, 1UL << 30, 0x7fffffff, 0x80000000UL, 0xffffffffUL,
		0x7fffffffffffffffUL, -1UL, -4096UL, USER_END,
	};
	if (chance(3))
		return rnd(300);
	return v[rnd(sizeof v / sizeof v[0])];
}

/* Pointers: mostly into the scratch buffer, often where a copy runs into the guard. */
static unsigned long pointer(void)
{
	unsigned long s = (unsigned long)scratch;
	switch (rnd(20)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 0xffffffc080200000UL; /* Rill's kernel image */
	case 3:
		return (unsigned long)guard;
	case 4:
		return s + SCRATCH - 1 - rnd(16);
	case 5:
		return s + SCRATCH - 8;
	case 6:
		return s + 1 + rnd(7); /* misaligned */
	case 7:
		return (unsigned long)rodata;
	case 8:
		return USER_END - rnd(16);
	case 9:
		return -1UL - rnd(8);
	case 10:
		return 0x8000000000000000UL;
	case 11:
		return (unsigned long)region + rnd(REGION / PAGE) * PAGE;
	case 12:
		return s + SCRATCH - PAGE + rnd(PAGE);
	case 13:
		return (unsigned long)any_value();
	default:
		return s + rnd(SCRATCH / 8) * 8;
	}
}

/* ---- descriptors ---- */

static int fd_value(void)
{
	static const int v[] = { -1, -100 /* AT_FDCWD */, 1023, 1024, 65536, 0x7fffffff,
				 (int)0x80000000, -2 };
	if (chance(8))
		return v[rnd(sizeof v / sizeof v[0])];
	return (int)rnd(20);
}

/* ---- paths ---- */

/* Paths that may be created, removed, renamed and chmod-ed: all under the scratch
 * directory. */
static const char *const mut_names[] = {
	"a", "b", "d", "d/e", "d/f/", "fifo", "a/x", "d/e/g", "d/.", "b/", "d/e/..", "c",
};
/* Paths only looked at. */
static const char *const ro_paths[] = {
	"/", "/proc/self/status", "/proc/self/exe", "/proc/1/status", "/proc/meminfo",
	"/dev/null", "/dev/zero", "/proc", "/nonexistent/x", "", ".", "..", "/tmp",
	"/proc/self/cmdline", "//proc///self/./status", "/proc/self/fd", "/proc/99999/status",
	"/dev/null/x", "ssc_no_such_file", "/proc/self",
};
static char pathbuf[8][300];
static char longpath[5000];

/* A path that may be modified (create, unlink, rename, chmod): under the scratch
 * directory, or an address that cannot be read. */
static unsigned long mut_path(void)
{
	static unsigned slot;
	char *p = pathbuf[slot++ % 8];
	switch (rnd(10)) {
	case 0: { /* addresses that cannot be read: never a name */
		const unsigned long bad[] = { 0, 1, 0xffffffc080200000UL, (unsigned long)guard,
					      USER_END - 1, -1UL };
		return bad[rnd(6)];
	}
	default: {
		const char *n = mut_names[rnd(sizeof mut_names / sizeof mut_names[0])];
		if (!rill && strstr(n, ".."))
			n = "a";
		snprintf(p, 300, "%s/%s", root, n);
		return (unsigned long)p;
	}
	}
}

static unsigned long ro_path(void)
{
	switch (rnd(8)) {
	case 0:
		return mut_path();
	case 1:
		switch (rnd(4)) {
		case 0:
			return (unsigned long)longpath;
		case 1:
			return (unsigned long)scratch + rnd(SCRATCH); /* random bytes */
		case 2:
			return (unsigned long)scratch + SCRATCH - 1 - rnd(4); /* runs into guard */
		default:
			return pointer();
		}
	default:
		return (unsigned long)ro_paths[rnd(sizeof ro_paths / sizeof ro_paths[0])];
	}
}

/* Whether a pointer from mut_path() or ro_path() names something that may be changed. */
static int is_mut(unsigned long p)
{
	for (int i = 0; i < 8; i++)
		if (p == (unsigned long)pathbuf[i])
			return 1;
	return 0;
}

/* ---- structured arguments, built in the args page ---- */

static unsigned long bad_or(unsigned long good)
{
	if (chance(6))
		return pointer();
	return good;
}

static unsigned long timespec_arg(void)
{
	static const long sec[] = { 0, 0, 0, 0, 1, -1, 0x7fffffffffffffffL, 1L << 40 };
	static const long nsec[] = { 0, 1, 1000, 1000000, 5000000, 999999999, 1000000000, -1 };
	long *ts = (long *)(args + 16 * rnd(4));
	ts[0] = sec[rnd(8)];
	ts[1] = nsec[rnd(8)];
	return bad_or((unsigned long)ts);
}

static unsigned long sigset_arg(int may_block_alarm)
{
	unsigned long *set = (unsigned long *)(args + 128);
	*set = chance(2) ? rnd64() : (chance(2) ? 0 : ~0UL);
	if (!may_block_alarm)
		*set &= ~(1UL << (SIGALRM - 1));
	if (chance(8))
		return pointer() & -(unsigned long)!chance(3);
	return (unsigned long)set;
}

static unsigned long iovec_arg(unsigned long *count)
{
	unsigned long *iov = (unsigned long *)(args + 256);
	unsigned n = rnd(8);
	for (unsigned i = 0; i < n; i++) {
		iov[2 * i] = chance(4) ? pointer() : (unsigned long)scratch + rnd(SCRATCH);
		iov[2 * i + 1] = chance(3) ? length() : rnd(4096);
	}
	static const unsigned long counts[] = { 0, 1, 1024, 1025, -1UL, 0x80000000UL };
	*count = chance(6) ? counts[rnd(6)] : n;
	return bad_or((unsigned long)iov);
}

static unsigned long pollfd_arg(unsigned long *count)
{
	struct pollfd *p = (struct pollfd *)(args + 512);
	unsigned n = rnd(8);
	for (unsigned i = 0; i < n; i++) {
		p[i].fd = fd_value();
		p[i].events = (short)(chance(2) ? POLLIN | POLLOUT : rnd64());
	}
	static const unsigned long counts[] = { 0, 1024, 1025, -1UL, 100 };
	*count = chance(6) ? counts[rnd(5)] : n;
	return bad_or((unsigned long)p);
}

/* ---- who a signal may go to: the worker itself, its children, or nobody ---- */

/* The last child, if it is still this worker's (unreaped) child: its pid cannot have
 * been reused. */
static pid_t live_child(void)
{
	if (last_child && syscall(SYS_wait4, last_child, NULL, WNOHANG | __WALL, NULL) != 0)
		last_child = 0;
	return last_child;
}

static long target_pid(void)
{
	switch (rnd(6)) {
	case 0:
		return 0x7ffffff0; /* no such process */
	case 1:
		return live_child() ? last_child : self_pid;
	case 2:
		return -self_pid; /* its own group, if it leads one */
	default:
		return self_pid;
	}
}

static int signal_number(void)
{
	static const int v[] = { 0, SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGCHLD, SIGCONT,
				 SIGSTOP, SIGTSTP, SIGURG, SIGWINCH, SIGKILL, SIGSEGV, 34, 35, 64, 65, -1,
				 1000 };
	int s = chance(5) ? (int)rnd(70) : v[rnd(sizeof v / sizeof v[0])];
	return s == SIGALRM ? SIGUSR2 : s;
}

/* ---- raw helpers that must not touch the stack after the kernel returns ---- */

/* clone whose child exits at once, before it touches memory. */
static long raw_clone(unsigned long flags, unsigned long stack, unsigned long ptid,
		      unsigned long tls, unsigned long ctid)
{
	register long a0 __asm__("a0") = (long)flags;
	register long a1 __asm__("a1") = (long)stack;
	register long a2 __asm__("a2") = (long)ptid;
	register long a3 __asm__("a3") = (long)tls;
	register long a4 __asm__("a4") = (long)ctid;
	register long a7 __asm__("a7") = SYS_clone;
	__asm__ volatile("ecall\n\t"
			 "bnez a0, 1f\n\t"
			 "li a7, %[ex]\n\t"
			 "ecall\n"
			 "1:"
			 : "+r"(a0), "+r"(a7)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), [ex] "i"(SYS_exit)
			 : "memory");
	return a0;
}

/* rt_sigreturn with the stack pointer at `frame`; never returns. */
__attribute__((noreturn)) static void raw_sigreturn(unsigned long frame)
{
	__asm__ volatile("mv sp, %0\n\t"
			 "li a7, %1\n\t"
			 "ecall\n\t"
			 "li a7, %2\n\t"
			 "li a0, 99\n\t"
			 "ecall\n"
			 :
			 : "r"(frame), "i"(SYS_rt_sigreturn), "i"(SYS_exit_group)
			 : "memory");
	__builtin_unreachable();
}

/* A grandchild calls rt_sigreturn on garbage: that must end the grandchild only. */
static void garbage_sigreturn(void)
{
	unsigned long frame;
	unsigned char *f = scratch + PAGE * (1 + rnd(4));
	switch (rnd(6)) {
	case 0:
		frame = 0;
		break;
	case 1:
		frame = 0xffffffc080200000UL;
		break;
	case 2:
		frame = (unsigned long)scratch + SCRATCH - 512; /* runs into the guard page */
		break;
	case 3:
		memset(f, 0, 1200); /* pc 0 */
		frame = (unsigned long)f;
		break;
	case 4: /* pc in the kernel, everything else garbage */
		for (int i = 0; i < 1200; i++)
			f[i] = (unsigned char)rnd(256);
		memcpy(f + 128 + 176, &(unsigned long){ 0xffffffc080200000UL }, 8);
		frame = (unsigned long)f;
		break;
	default:
		for (int i = 0; i < 1200; i++)
			f[i] = (unsigned char)rnd(256);
		frame = (unsigned long)f + rnd(8);
	}
	if (frame - (unsigned long)f < 8)
		memset((void *)(frame + 128 + 40), 0, 8); /* uc_sigmask: SIGALRM stays deliverable */
	pid_t c = fork();
	if (c == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		raw_sigreturn(frame);
	}
	if (c < 0)
		return;
	for (int i = 0; i < 150; i++) {
		int st;
		if (waitpid(c, &st, WNOHANG) == c)
			return;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

/* ---- the calls ---- */

static void oracle_fail(long nr, long r)
{
	int e = errno;
	if (verbose)
		dprintf(LOGFD, "worker %d: syscall %ld returned %ld\n", self_pid, nr, r);
	/* Said on every failure (the parent then fails the test): which check broke. */
	dprintf(1, "worker %d: syscall %ld returned %ld (%s), not what Linux gives\n", self_pid, nr,
		r, errname(e));
	_exit(2);
}

static void fill_scratch(void)
{
	for (int i = 0; i < SCRATCH; i += 8)
		*(unsigned long *)(scratch + i) = rnd64();
}

/* The file tree's shapes: a chain of directories made by relative mkdir + chdir, with
 * the cwd and a descriptor inside it while its top is renamed away and back, moved
 * into its own subtree (must be EINVAL), a directory removed while it is the cwd
 * (creating in it and getcwd must be ENOENT), open(".") many times at the bottom, and
 * getdents64 while entries come and go. All of it is removed again. */
static void shape_fs(void)
{
	char base[128], moved[128], buf[512];
	snprintf(base, sizeof base, "%s/fs%d", root, (int)self_pid);
	snprintf(moved, sizeof moved, "%s/fs%d.moved", root, (int)self_pid);
	mode_t old_umask = umask(022);
	int top = -1, depth = 0, levels = 1 + (int)rnd(40);
	if (mkdir(base, 0755) != 0 || (top = open(base, O_RDONLY | O_DIRECTORY)) < 0 ||
	    fchdir(top) != 0)
		goto out;
	while (depth < levels && mkdir("d", 0755) == 0) {
		if (chdir("d") != 0) {
			rmdir("d");
			break;
		}
		depth++;
	}
	for (int k = (int)rnd(8); k >= 0; k--) {
		switch (rnd(6)) {
		case 0: /* the top moves away and back with the cwd below it */
			if (rename(base, moved) == 0 && rename(moved, base) != 0)
				oracle_fail(SYS_renameat2, -1);
			break;
		case 1: /* into its own subtree */
			if (depth > 0 && rename(base, "x") != -1)
				oracle_fail(SYS_renameat2, 0);
			break;
		case 2:
			syscall(SYS_getcwd, buf, rnd(sizeof buf));
			break;
		case 3: { /* open(".") many times */
			int fds[32], n = 0;
			while (n < 32 && (fds[n] = open(".", O_RDONLY | O_DIRECTORY)) >= 0)
				n++;
			while (n > 0)
				close(fds[--n]);
			break;
		}
		case 4: /* rmdir of the cwd, then creating in it and getcwd */
			if (mkdir("r", 0755) != 0)
				break;
			if (chdir("r") != 0) {
				rmdir("r");
				break;
			}
			if (rmdir("../r") == 0) {
				long r = open("x", O_WRONLY | O_CREAT, 0644);
				if (r != -1 || errno != ENOENT)
					oracle_fail(SYS_openat, r);
				r = syscall(SYS_getcwd, buf, sizeof buf);
				if (r != -1 || errno != ENOENT)
					oracle_fail(SYS_getcwd, r);
			}
			if (chdir("..") != 0)
				oracle_fail(SYS_chdir, -1);
			rmdir("r");
			break;
		default: { /* getdents64 of the top while entries come and go */
			char name[16];
			lseek(top, 0, SEEK_SET);
			for (int i = 0; i < 12; i++) {
				snprintf(name, sizeof name, "f%d", i);
				if (rnd(2))
					close(openat(top, name, O_WRONLY | O_CREAT, 0644));
				else
					unlinkat(top, name, 0);
				syscall(SYS_getdents64, top, buf, 64 + rnd(200));
			}
			break;
		}
		}
	}
out:
	/* Back up the chain (".." follows wherever the top went), then the top. */
	for (; depth > 0; depth--)
		if (chdir("..") != 0 || rmdir("d") != 0)
			oracle_fail(SYS_unlinkat, -1);
	if (top >= 0) {
		for (int i = 0; i < 12; i++) {
			char name[16];
			snprintf(name, sizeof name, "f%d", i);
			unlinkat(top, name, 0);
		}
		close(top);
	}
	chdir("/");
	rmdir(base);
	umask(old_umask);
}

/* Signal and terminal shapes: a realtime signal flood past RLIMIT_SIGPENDING while it is
 * blocked (kill never fails; sigqueue and tgkill may say EAGAIN), then unblocked; user
 * code holding a0 = -512/-514/-516 under 1 ms SIGALRMs (a0 and pc must come back as
 * they were); and on Rill a long write to the console, which the 200 ms alarm or a
 * signal may cut short. The console is the test's standard output, so the flood's
 * lines start with "[rill] ", which the harness keeps out of the comparison as kernel
 * lines, and a cut flood is ended with "[rill] \n" (on Linux the host's console is
 * left alone). */
static void shape_signals_tty(void)
{
	int sig = SIGRTMIN + (int)rnd(8);
	sigset_t one, old;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_BLOCK, &one, &old);
	int n = 100 + (int)rnd(1500);
	for (int i = 0; i < n; i++) {
		long r, nr = SYS_kill;
		if (chance(8)) {
			nr = SYS_rt_sigqueueinfo;
			r = sigqueue(self_pid, sig, (union sigval){ .sival_int = i });
		} else if (chance(8)) {
			nr = SYS_tgkill;
			r = syscall(SYS_tgkill, self_pid, self_pid, sig);
		} else {
			r = kill(self_pid, sig);
		}
		if (r != 0 && !(nr != SYS_kill && errno == EAGAIN))
			oracle_fail(nr, r);
	}
	if (live_child() && chance(2))
		for (int i = 0; i < n; i++)
			kill(last_child, sig);
	sigprocmask(SIG_SETMASK, &old, NULL);

	static const long restart_codes[] = { -512, -514, -516 };
	long want = restart_codes[rnd(3)], moved;
	struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } };
	setitimer(ITIMER_REAL, &every_ms, NULL);
	/* a0 is set right before the loop: a call in between may change it. */
	register long a0 asm("a0") = want;
	asm volatile("li t0, 0\n"
		     "li t1, 0\n"
		     "li t2, 200000\n"
		     "1:\n"
		     "addi t0, t0, 1\n"
		     "addi t1, t1, 1\n"
		     "bne t0, t1, 2f\n"
		     "bne a0, %[want], 2f\n"
		     "blt t0, t2, 1b\n"
		     "2:\n"
		     "sub %[moved], t0, t1\n"
		     : [moved] "=&r"(moved), "+r"(a0)
		     : [want] "r"(want)
		     : "t0", "t1", "t2", "memory");
	long got = a0;
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	if (got != want || moved != 0)
		oracle_fail(SYS_rt_sigreturn, got);

	if (!rill || !chance(10))
		return;
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	size_t len = (size_t)16384 << rnd(5);
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || buf == MAP_FAILED) { /* the worker may be out of descriptors or room */
		if (fd >= 0)
			close(fd);
		if (buf != MAP_FAILED)
			munmap(buf, len);
		return;
	}
	for (size_t i = 0; i < len; i += 64) {
		memset(buf + i, '.', 63);
		memcpy(buf + i, "[rill] stress_syscalls console flood ", 38);
		buf[i + 63] = '\n';
	}
	struct itimerval alarm_at = { { 0, 0 }, { 0, 1000 * (1 + rnd(300)) } };
	setitimer(ITIMER_REAL, &alarm_at, NULL);
	long r = write(fd, buf, len);
	int e = errno;
	if ((size_t)r != len && write(fd, "[rill] \n", 8) != 8)
		oracle_fail(SYS_write, -1);
	if (r > (long)len || (r < 0 && e != EINTR))
		oracle_fail(SYS_write, r);
	munmap(buf, len);
	close(fd);
}

/* IPC shapes: System V message queues and semaphore sets and a POSIX queue, made for
 * the occasion and hit with random ids, sizes, types, flags, commands and pointers, then
 * removed. Only on Rill: under qemu-user they would be the host's objects, left behind
 * whenever the parent's deadline kills a worker in the middle. */
static void shape_ipc(void)
{
	if (!rill)
		return;
	int q = (int)syscall(SYS_msgget, 0, 0600);
	int s = (int)syscall(SYS_semget, 0, 1 + (int)rnd(8), 0600);
	char name[32];
	snprintf(name, sizeof name, "fz%d", (int)self_pid);
	long attr[8] = { 0, 1 + (long)rnd(12), 1 + (long)rnd(9000) };
	int mq = (int)syscall(SYS_mq_open, name, O_RDWR | O_CREAT | (chance(2) ? O_NONBLOCK : 0),
			      0600, chance(4) ? (long *)pointer() : attr);
	for (int k = (int)rnd(40); k >= 0; k--) {
		unsigned long p = chance(3) ? pointer() : (unsigned long)scratch;
		long typ = chance(2) ? (long)rnd(9) - 4 : (long)any_value();
		long *msg = (long *)scratch;
		msg[0] = chance(4) ? (long)any_value() : 1 + (long)rnd(4);
		switch (rnd(9)) {
		case 0:
			syscall(SYS_msgsnd, chance(8) ? (long)any_value() : q, p,
				chance(2) ? rnd(64) : length(), chance(3) ? 0 : IPC_NOWAIT);
			break;
		case 1:
			syscall(SYS_msgrcv, chance(8) ? (long)any_value() : q, p,
				chance(2) ? rnd(64) : length(), typ,
				(chance(3) ? 0 : IPC_NOWAIT) | (chance(2) ? MSG_NOERROR : 0) |
					(chance(4) ? MSG_EXCEPT : 0) | (chance(6) ? MSG_COPY : 0));
			break;
		case 2:
			syscall(SYS_msgctl, chance(8) ? (long)any_value() : q, (long)rnd(16), p);
			break;
		case 3: {
			short *ops = (short *)(args + 700);
			unsigned n = rnd(6);
			for (unsigned i = 0; i < 3 * n; i += 3) {
				ops[i] = (short)(chance(6) ? rnd64() : rnd(8));
				ops[i + 1] = (short)((int)rnd(7) - 3);
				ops[i + 2] = (short)((chance(2) ? IPC_NOWAIT : 0) | (chance(3) ? SEM_UNDO : 0));
			}
			long ts[2] = { 0, (long)rnd(3000000) };
			syscall(SYS_semtimedop, chance(8) ? (long)any_value() : s,
				chance(6) ? pointer() : (unsigned long)ops, chance(8) ? any_value() : n,
				chance(2) ? ts : NULL);
			break;
		}
		case 4:
			syscall(SYS_semctl, chance(8) ? (long)any_value() : s, (long)rnd(10),
				(long)rnd(22), chance(2) ? p : rnd(40000));
			break;
		case 5:
			syscall(SYS_mq_timedsend, mq, p, chance(2) ? rnd(64) : length(),
				chance(6) ? any_value() : rnd(40), chance(2) ? 0 : pointer());
			break;
		case 6:
			syscall(SYS_mq_timedreceive, mq, p, chance(2) ? 9000 : length(),
				chance(2) ? 0 : pointer(), chance(2) ? 0 : pointer());
			break;
		case 7: {
			long ev[8] = { (long)rnd64(), (long)(rnd(70) | (unsigned long)rnd(3) << 32) };
			syscall(SYS_mq_notify, mq, chance(3) ? pointer() : (chance(2) ? 0 : (unsigned long)ev));
			break;
		}
		case 8:
			syscall(SYS_mq_getsetattr, mq, chance(2) ? 0 : pointer(), chance(2) ? 0 : pointer());
			break;
		}
	}
	syscall(SYS_msgctl, q, IPC_RMID, 0);
	syscall(SYS_semctl, s, 0, IPC_RMID, 0);
	if (mq >= 0)
		close(mq);
	syscall(SYS_mq_unlink, name);
}

static void one_call(void)
{
	unsigned long a[6] = { 0 };
	long nr = -1;
	unsigned long len_checked = 0; /* the call returns at most this many bytes */
	int returns_len = 0;
	unsigned long n;
	switch (rnd(90)) {
	case 0:
		nr = SYS_getcwd;
		a[0] = pointer(), a[1] = length();
		returns_len = 1, len_checked = a[1];
		break;
	case 1:
		nr = SYS_dup, a[0] = fd_value();
		break;
	case 2:
		nr = SYS_dup3, a[0] = fd_value(), a[1] = fd_value();
		a[2] = chance(4) ? any_value() : (chance(2) ? O_CLOEXEC : 0);
		break;
	case 3: {
		static const int cmds[] = { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL,
					    F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_SETPIPE_SZ, F_GETLK };
		nr = SYS_fcntl, a[0] = fd_value();
		a[1] = (rill && chance(5)) ? any_value() : (unsigned long)cmds[rnd(9)];
		a[2] = a[1] == F_GETLK ? pointer() : any_value();
		if (!rill && a[1] == F_SETPIPE_SZ && a[2] > (1 << 20))
			a[2] = 1 << 20;
		break;
	}
	case 4: {
		static const unsigned long cmds[] = { TCGETS, TCSETS, TCSETSW, TCSETSF,
						      TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP,
						      TIOCSPGRP, TIOCSCTTY, TIOCNOTTY, FIONREAD,
						      FIONBIO, FIOCLEX, FIONCLEX, TCFLSH, TCXONC };
		nr = SYS_ioctl;
		a[0] = fd_value();
		/* No fd of a worker is a terminal: stdin, stdout and stderr are /dev/null. */
		a[1] = (rill && chance(5)) ? any_value() : cmds[rnd(16)];
		a[2] = chance(2) ? pointer() : any_value();
		break;
	}
	case 5: {
		static const unsigned modes[] = { S_IFIFO | 0666, S_IFREG | 0644, 0, S_IFDIR | 0755,
						  S_IFCHR | 0600, S_IFBLK | 0600, S_IFSOCK, 0170000 };
		nr = SYS_mknodat, a[0] = -100, a[1] = mut_path();
		a[2] = modes[rnd(8)];
		if (!rill && (a[2] & S_IFMT) != S_IFIFO && (a[2] & S_IFMT) != S_IFREG)
			a[2] = S_IFIFO | 0600;
		a[3] = rill ? any_value() : 0;
		break;
	}
	case 6:
		nr = SYS_mkdirat, a[0] = -100, a[1] = mut_path(), a[2] = chance(3) ? any_value() : 0777;
		break;
	case 7:
		nr = SYS_unlinkat, a[0] = -100, a[1] = mut_path();
		a[2] = chance(2) ? AT_REMOVEDIR : (chance(4) ? any_value() : 0);
		break;
	case 8:
		nr = SYS_renameat2, a[0] = -100, a[1] = mut_path(), a[2] = -100, a[3] = mut_path();
		a[4] = chance(4) ? any_value() : 0;
		if (!rill)
			a[4] &= 1; /* RENAME_NOREPLACE only: no whiteouts on the host */
		break;
	case 9:
		nr = SYS_ftruncate, a[0] = fd_value(), a[1] = chance(2) ? rnd(10000) : length();
		break;
	case 10:
		nr = SYS_truncate, a[0] = mut_path(), a[1] = chance(2) ? rnd(10000) : length();
		break;
	case 11:
		nr = chance(2) ? SYS_faccessat : SYS_faccessat2;
		a[0] = fd_value(), a[1] = ro_path(), a[2] = chance(4) ? any_value() : rnd(8);
		a[3] = chance(3) ? any_value() : 0;
		break;
	case 12:
		nr = SYS_chdir, a[0] = ro_path();
		break;
	case 13:
		nr = SYS_fchdir, a[0] = fd_value();
		break;
	case 14:
		if (!rill)
			return; /* the descriptor may name a host file */
		nr = SYS_fchmod, a[0] = fd_value(), a[1] = chance(3) ? any_value() : 0755;
		break;
	case 15:
		nr = SYS_fchmodat, a[0] = -100, a[1] = mut_path(), a[2] = chance(3) ? any_value() : 0700;
		break;
	case 16:
	case 17: {
		static const unsigned flags[] = { O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK,
						  O_DIRECTORY, O_CLOEXEC, O_NOCTTY, O_PATH,
						  O_NOFOLLOW, O_DIRECT, O_TMPFILE, O_SYNC };
		nr = SYS_openat;
		a[0] = chance(4) ? fd_value() : -100;
		a[1] = ro_path();
		unsigned f = rnd(4);
		for (int i = rnd(4); i > 0; i--)
			f |= flags[rnd(13)];
		if (chance(10))
			f = (unsigned)rnd64();
		if (!is_mut(a[1]) || a[0] != (unsigned long)-100) {
			/* Only look at what is outside the scratch directory. */
			f &= ~(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE);
		}
		a[2] = f;
		a[3] = chance(4) ? any_value() : 0644;
		break;
	}
	case 18:
		nr = SYS_close, a[0] = chance(4) ? fd_value() : 5 + (int)rnd(15);
		break;
	case 19:
		nr = SYS_pipe2, a[0] = pointer();
		a[1] = chance(4) ? any_value() : (O_NONBLOCK * rnd(2) | O_CLOEXEC * rnd(2) | O_DIRECT * rnd(2));
		break;
	case 20:
		nr = SYS_getdents64, a[0] = fd_value(), a[1] = pointer(), a[2] = length();
		returns_len = 1, len_checked = a[2];
		break;
	case 21:
		nr = SYS_lseek, a[0] = fd_value(), a[1] = chance(2) ? rnd(100) : any_value();
		a[2] = chance(5) ? any_value() : rnd(3);
		break;
	case 22:
	case 23:
		nr = SYS_read, a[0] = fd_value(), a[1] = pointer(), a[2] = length();
		returns_len = 1, len_checked = a[2];
		break;
	case 24:
	case 25:
		nr = SYS_write, a[0] = fd_value(), a[1] = pointer(), a[2] = length();
		returns_len = 1, len_checked = a[2];
		break;
	case 26:
		nr = SYS_readv, a[0] = fd_value(), a[1] = iovec_arg(&n), a[2] = n;
		break;
	case 27:
		nr = SYS_writev, a[0] = fd_value(), a[1] = iovec_arg(&n), a[2] = n;
		break;
	case 28:
		nr = SYS_pread64, a[0] = fd_value(), a[1] = pointer(), a[2] = length();
		a[3] = chance(2) ? rnd(10000) : any_value();
		returns_len = 1, len_checked = a[2];
		break;
	case 29:
		nr = SYS_pwrite64, a[0] = fd_value(), a[1] = pointer(), a[2] = length();
		a[3] = chance(2) ? rnd(10000) : any_value();
		returns_len = 1, len_checked = a[2];
		break;
	case 30:
		nr = SYS_ppoll, a[0] = pollfd_arg(&n), a[1] = n;
		a[2] = chance(4) ? 0 : timespec_arg();
		a[3] = chance(2) ? 0 : sigset_arg(0);
		a[4] = chance(6) ? any_value() : 8;
		break;
	case 31: {
		nr = SYS_pselect6;
		static const unsigned long nfds[] = { 0, 1, 20, 64, 65, 1024, 1025, -1UL, 0x7fffffff };
		a[0] = chance(2) ? rnd(25) : nfds[rnd(9)];
		if (!rill && a[0] > 1024)
			a[0] = 1024; /* qemu-user aborts past FD_SETSIZE */
		unsigned long *sets = (unsigned long *)(args + 1024);
		for (int i = 0; i < 48; i++)
			sets[i] = chance(2) ? rnd64() & 0xfffff : 0;
		a[1] = chance(3) ? 0 : bad_or((unsigned long)sets);
		a[2] = chance(3) ? 0 : bad_or((unsigned long)(sets + 16));
		a[3] = chance(3) ? 0 : bad_or((unsigned long)(sets + 32));
		a[4] = chance(4) ? 0 : timespec_arg();
		unsigned long *sig = (unsigned long *)(args + 1536);
		sig[0] = sigset_arg(0), sig[1] = chance(6) ? any_value() : 8;
		a[5] = chance(2) ? 0 : bad_or((unsigned long)sig);
		break;
	}
	case 32:
		nr = SYS_readlinkat, a[0] = chance(3) ? fd_value() : -100, a[1] = ro_path();
		a[2] = pointer(), a[3] = length();
		returns_len = 1, len_checked = a[3];
		break;
	case 33:
		nr = SYS_newfstatat, a[0] = chance(3) ? fd_value() : -100, a[1] = ro_path();
		a[2] = pointer(), a[3] = chance(3) ? any_value() : (chance(2) ? AT_EMPTY_PATH : 0);
		break;
	case 34:
		nr = SYS_fstat, a[0] = fd_value(), a[1] = pointer();
		break;
	case 35:
		nr = SYS_statx, a[0] = chance(3) ? fd_value() : -100, a[1] = ro_path();
		a[2] = chance(3) ? any_value() : (chance(2) ? AT_EMPTY_PATH : 0);
		a[3] = any_value(), a[4] = pointer();
		break;
	case 36:
		nr = SYS_umask, a[0] = chance(2) ? 022 : any_value();
		break;
	case 37:
		nr = SYS_utimensat;
		a[2] = chance(3) ? 0 : timespec_arg();
		if (chance(3)) {
			long *t = (long *)(args + 64);
			t[0] = chance(2) ? (long)rnd(100) : -1, t[1] = chance(2) ? UTIME_NOW : UTIME_OMIT;
			t[2] = rnd(100), t[3] = chance(2) ? rnd64() : UTIME_OMIT;
			a[2] = (unsigned long)t;
		}
		a[3] = chance(3) ? any_value() : 0;
		if (rill && chance(3)) {
			a[0] = fd_value(), a[1] = chance(2) ? 0 : (unsigned long)"";
			a[3] = chance(2) ? AT_EMPTY_PATH : a[3];
		} else {
			a[0] = -100, a[1] = mut_path();
		}
		break;
	case 38: {
		static const long n3[] = { SYS_fsync, SYS_fdatasync, SYS_sync };
		nr = n3[rnd(3)], a[0] = fd_value();
		break;
	}
	case 39: {
		unsigned long cur = (unsigned long)syscall(SYS_brk, 0);
		static const long delta[] = { 0, 1, 4096, 4097, 1 << 20, -4096, -1 };
		nr = SYS_brk;
		a[0] = chance(3) ? any_value() : cur + delta[rnd(7)];
		if (!chance(20) && a[0] < cur && a[0] != 0)
			a[0] = cur; /* shrinking below malloc's heap would only crash the worker */
		break;
	}
	case 40:
	case 41: {
		static const unsigned flag_bits[] = { MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS,
						      MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE,
						      MAP_GROWSDOWN, MAP_STACK, MAP_SHARED_VALIDATE };
		nr = SYS_mmap;
		unsigned f = 0;
		for (int i = 1 + rnd(4); i > 0; i--)
			f |= flag_bits[rnd(9)];
		if (chance(2))
			f |= MAP_ANONYMOUS | MAP_PRIVATE;
		if (rill && chance(10))
			f = (unsigned)rnd64();
		unsigned long off = rnd(REGION / PAGE);
		a[0] = chance(4) ? pointer() : (unsigned long)region + off * PAGE + (chance(8) ? 1 : 0);
		a[1] = chance(2) ? PAGE * (1 + rnd(REGION / PAGE - off)) : length();
		if (f & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			/* Fixed mappings only inside the region: elsewhere they would replace
			 * the worker's own code or stack. */
			if (a[0] < (unsigned long)region || a[0] >= (unsigned long)region + REGION)
				a[0] = (unsigned long)region + off * PAGE;
			if (a[1] > (unsigned long)region + REGION - a[0])
				a[1] = (unsigned long)region + REGION - a[0];
		}
		a[2] = chance(5) ? any_value() : rnd(8);
		a[3] = f;
		a[4] = chance(2) ? (unsigned long)-1 : (unsigned long)fd_value();
		a[5] = chance(2) ? 0 : any_value();
		break;
	}
	case 42:
	case 43: {
		nr = chance(2) ? SYS_munmap : SYS_mprotect;
		unsigned long off = rnd(REGION / PAGE);
		a[0] = (unsigned long)region + off * PAGE;
		a[1] = PAGE * (1 + rnd(REGION / PAGE - off)) - (chance(4) ? PAGE - 1 : 0);
		if (rill && chance(8)) { /* qemu-user aborts on some of these */
			/* Addresses outside the region: only those that cannot hit the
			 * worker's own memory. */
			static const unsigned long bad[] = { 0, 1, 0xffffffc080200000UL, USER_END,
							     USER_END - 4096, -4096UL, 0x8000000000000000UL };
			a[0] = bad[rnd(7)], a[1] = length();
		}
		a[2] = chance(5) ? any_value() : rnd(8);
		break;
	}
	case 44:
		nr = SYS_madvise, a[0] = chance(2) ? (unsigned long)region : pointer();
		a[1] = length(), a[2] = chance(2) ? rnd(5) : any_value();
		if (!rill)
			a[2] = MADV_NORMAL + rnd(2); /* MADV_DONTNEED etc. would zero the worker's memory */
		break;
	case 45: {
		/* fork, vfork and bad flags; the child exits before touching memory */
		static const unsigned long fl[] = { SIGCHLD, 0, CLONE_VM | CLONE_VFORK | SIGCHLD,
						    CLONE_VFORK | SIGCHLD, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
						    CLONE_FILES | SIGCHLD, CLONE_PARENT_SETTID | SIGCHLD,
						    CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
						    CLONE_SETTLS | SIGCHLD, SIGUSR1, CLONE_VM | SIGCHLD };
		unsigned long flags = fl[rnd(11)];
		if (rill && chance(6))
			flags = rnd64() & ~(unsigned long)(CLONE_PARENT | CLONE_THREAD);
		if (!rill && (flags & CLONE_VM) && !(flags & CLONE_VFORK))
			flags &= ~(unsigned long)CLONE_VM;
		unsigned long stack = chance(3) ? pointer() : 0;
		long r = raw_clone(flags, stack, pointer(), any_value(), pointer());
		if (verbose)
			dprintf(LOGFD, "%d: clone(%#lx, %#lx) = %ld\n", self_pid, flags, stack, r);
		if (r > 0)
			last_child = (pid_t)r;
		return;
	}
	case 46: {
		nr = SYS_execve, a[0] = (unsigned long)"/nonexistent/ssc";
		unsigned long *argv = (unsigned long *)(args + 2048);
		for (int i = 0; i < 8; i++)
			argv[i] = chance(3) ? pointer() : (unsigned long)ro_paths[rnd(5)];
		argv[rnd(9)] = 0;
		a[1] = chance(3) ? pointer() : (unsigned long)argv;
		a[2] = chance(3) ? pointer() : (unsigned long)argv;
		if (chance(6))
			a[0] = pointer();
		if (a[0] != (unsigned long)"/nonexistent/ssc" && !rill)
			a[0] = 0; /* random bytes might name a program on the host */
		break;
	}
	case 47: {
		static const long pids[] = { -1, 0, 1, 0x7ffffff0, -0x7ffffff0 };
		nr = SYS_wait4;
		a[0] = chance(2) ? (unsigned long)(live_child() ? last_child : -1) : (unsigned long)pids[rnd(5)];
		a[1] = pointer();
		a[2] = chance(4) ? any_value() : (WNOHANG | (chance(3) ? __WALL : 0));
		a[3] = chance(2) ? 0 : pointer();
		break;
	}
	case 48:
		nr = SYS_set_tid_address, a[0] = pointer();
		break;
	case 49:
		nr = SYS_set_robust_list, a[0] = pointer(), a[1] = length();
		break;
	case 50: {
		nr = SYS_futex;
		a[0] = chance(3) ? pointer() : (unsigned long)scratch + rnd(64) * 4;
		static const unsigned ops[] = { FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
						FUTEX_WAKE | FUTEX_PRIVATE_FLAG, FUTEX_WAIT_BITSET,
						FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP };
		a[1] = (rill && chance(6)) ? any_value() : ops[rnd(8)];
		int in_scratch = a[0] >= (unsigned long)scratch &&
				 a[0] < (unsigned long)scratch + SCRATCH - 4 && a[0] % 4 == 0;
		a[2] = in_scratch && chance(2) ? *(unsigned *)a[0] : any_value();
		a[3] = chance(3) ? 0 : timespec_arg();
		a[4] = pointer(), a[5] = any_value();
		break;
	}
	case 51: {
		static const long ids[] = { SYS_getpid, SYS_getppid, SYS_gettid, SYS_getuid,
					    SYS_geteuid, SYS_getgid, SYS_getegid, SYS_sched_yield };
		nr = ids[rnd(8)];
		break;
	}
	case 52:
		nr = chance(2) ? SYS_getresuid : SYS_getresgid;
		a[0] = pointer(), a[1] = pointer(), a[2] = pointer();
		break;
	case 53:
		nr = chance(2) ? SYS_setuid : SYS_setgid;
		a[0] = chance(2) ? (chance(2) ? 0 : 1000) : any_value();
		break;
	case 54:
		nr = SYS_setpgid, a[0] = chance(2) ? 0 : (unsigned long)target_pid();
		a[1] = chance(2) ? 0 : (unsigned long)target_pid();
		break;
	case 55:
		nr = chance(2) ? SYS_getpgid : SYS_getsid;
		a[0] = chance(2) ? 0 : (chance(2) ? 1 : any_value());
		break;
	case 56:
		nr = SYS_setsid;
		break;
	case 57:
	case 58: {
		static const long nrs[] = { SYS_prlimit64, SYS_getrlimit, SYS_setrlimit };
		nr = nrs[rnd(3)];
		unsigned long res = chance(4) ? any_value() : rnd(16);
		unsigned long *lim = (unsigned long *)(args + 192);
		lim[0] = chance(2) ? rnd(4096) : any_value();
		lim[1] = chance(2) ? lim[0] : any_value();
		unsigned long newp = chance(2) ? 0 : bad_or((unsigned long)lim);
		if (res == RLIMIT_CORE || (!rill && res == RLIMIT_FSIZE))
			newp = 0; /* no core files, no big files */
		if (nr == SYS_prlimit64)
			a[0] = chance(2) ? 0 : (unsigned long)self_pid, a[1] = res, a[2] = newp, a[3] = pointer();
		else if (nr == SYS_getrlimit)
			a[0] = res, a[1] = pointer();
		else
			a[0] = res, a[1] = newp ? newp : (unsigned long)lim * !chance(3);
		if (nr == SYS_setrlimit && (res == RLIMIT_CORE || (!rill && res == RLIMIT_FSIZE)))
			return;
		break;
	}
	case 59: {
		static const unsigned opts[] = { PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER,
						 PR_SET_NAME, PR_SET_PDEATHSIG, PR_GET_NAME,
						 PR_GET_DUMPABLE };
		nr = SYS_prctl;
		a[0] = (rill && chance(4)) ? any_value() : opts[rnd(6)];
		a[1] = chance(2) ? pointer() : any_value();
		if (a[0] == PR_SET_PDEATHSIG)
			a[1] = rnd(3) ? 0 : SIGUSR1;
		break;
	}
	case 60:
		nr = SYS_sched_getaffinity, a[0] = chance(2) ? 0 : (chance(2) ? 1 : any_value());
		a[1] = chance(2) ? 8 * rnd(4) : length(), a[2] = pointer();
		break;
	case 61:
		nr = SYS_uname, a[0] = pointer();
		break;
	case 62:
		nr = SYS_getrandom, a[0] = pointer(), a[1] = length();
		a[2] = chance(3) ? any_value() : rnd(4);
		returns_len = 1, len_checked = a[1];
		break;
	case 63:
		nr = SYS_kill, a[0] = (unsigned long)target_pid(), a[1] = signal_number();
		break;
	case 64:
		nr = SYS_tkill, a[0] = (unsigned long)target_pid(), a[1] = signal_number();
		if ((long)a[0] <= 0)
			a[0] = self_pid;
		break;
	case 65:
		nr = SYS_tgkill, a[0] = chance(3) ? (unsigned long)target_pid() : (unsigned long)self_pid;
		a[1] = (unsigned long)target_pid(), a[2] = signal_number();
		if ((long)a[1] <= 0)
			a[1] = self_pid;
		if ((long)a[0] <= 0 && chance(2))
			a[0] = self_pid;
		break;
	case 66:
	case 67: {
		nr = SYS_rt_sigaction;
		a[0] = chance(8) ? any_value() : (unsigned long)signal_number();
		if (a[0] == SIGALRM)
			a[0] = SIGUSR1;
		unsigned long *act = (unsigned long *)(args + 320);
		static const unsigned long handlers[] = { 0, 1, 2, 0xffffffc080200000UL, 0x1000 };
		act[0] = chance(2) ? (unsigned long)rnd(2) : handlers[rnd(5)];
		act[1] = chance(3) ? rnd64() : (SA_SIGINFO * rnd(2) | SA_RESTART * rnd(2) |
						SA_NODEFER * rnd(2) | SA_RESETHAND * rnd(2) |
						SA_ONSTACK * rnd(2));
		act[2] = any_value();
		act[3] = rnd64();
		a[1] = chance(3) ? 0 : bad_or((unsigned long)act);
		a[2] = chance(2) ? 0 : pointer();
		a[3] = chance(6) ? any_value() : 8;
		break;
	}
	case 68:
		nr = SYS_rt_sigprocmask, a[0] = chance(5) ? any_value() : rnd(3);
		a[1] = chance(3) ? 0 : sigset_arg(1), a[2] = chance(2) ? 0 : pointer();
		a[3] = chance(6) ? any_value() : 8;
		break;
	case 69:
		nr = SYS_rt_sigpending, a[0] = pointer(), a[1] = chance(3) ? any_value() : 8;
		break;
	case 70:
		nr = SYS_rt_sigsuspend, a[0] = sigset_arg(0), a[1] = chance(6) ? any_value() : 8;
		break;
	case 71:
		nr = SYS_rt_sigtimedwait, a[0] = sigset_arg(0), a[1] = chance(2) ? 0 : pointer();
		a[2] = chance(4) ? 0 : timespec_arg(), a[3] = chance(6) ? any_value() : 8;
		break;
	case 72: {
		nr = SYS_rt_sigqueueinfo, a[0] = (unsigned long)target_pid(), a[1] = signal_number();
		int *si = (int *)(args + 400);
		si[0] = (int)a[1], si[1] = 0, si[2] = chance(2) ? -1 /* SI_QUEUE */ : (int)rnd64();
		si[4] = (int)rnd64(), si[5] = (int)rnd64(), si[6] = (int)rnd64();
		a[2] = bad_or((unsigned long)si);
		if ((long)a[0] <= 0)
			a[0] = self_pid;
		break;
	}
	case 73: {
		nr = SYS_sigaltstack;
		unsigned long *ss = (unsigned long *)(args + 480);
		ss[0] = chance(2) ? (unsigned long)scratch : pointer();
		ss[1] = chance(2) ? rnd(3) : any_value();
		ss[2] = chance(2) ? SCRATCH : length();
		a[0] = chance(3) ? 0 : bad_or((unsigned long)ss);
		a[1] = chance(2) ? 0 : pointer();
		break;
	}
	case 74:
		nr = chance(2) ? SYS_clock_gettime : SYS_clock_getres;
		a[0] = chance(4) ? any_value() : rnd(12), a[1] = pointer();
		break;
	case 75:
		nr = SYS_gettimeofday, a[0] = pointer(), a[1] = chance(2) ? 0 : pointer();
		break;
	case 76:
		nr = SYS_nanosleep, a[0] = timespec_arg(), a[1] = chance(2) ? 0 : pointer();
		break;
	case 77:
		nr = SYS_clock_nanosleep, a[0] = chance(4) ? any_value() : rnd(2);
		a[1] = chance(3) ? TIMER_ABSTIME : (chance(3) ? any_value() : 0);
		a[2] = timespec_arg(), a[3] = chance(2) ? 0 : pointer();
		break;
	case 78: {
		nr = SYS_setitimer, a[0] = chance(4) ? any_value() : 0;
		long *it = (long *)(args + 600);
		it[0] = 0, it[1] = chance(2) ? rnd(100000) : (long)any_value();
		it[2] = 0, it[3] = chance(2) ? 1000 * rnd(100) : (long)any_value();
		if (!rill)
			it[1] = 10000 + rnd(90000); /* qemu-user livelocks on a 1 us interval */
		a[1] = chance(4) ? 0 : bad_or((unsigned long)it), a[2] = chance(2) ? 0 : pointer();
		break;
	}
	case 79:
		nr = SYS_getitimer, a[0] = chance(4) ? any_value() : 0, a[1] = pointer();
		break;
	case 80:
		if (chance(4))
			garbage_sigreturn();
		return;
	case 81: { /* a number Rill does not implement */
		static const long unknown[] = { 435 /* clone3 */, 9999, -1, 0x7fffffff, 1 << 20 };
		nr = unknown[rnd(5)];
		a[0] = any_value(), a[1] = pointer();
		break;
	}
	case 82:
		fill_scratch();
		return;
	case 84:
		shape_fs();
		return;
	case 83: { /* reap children */
		int st;
		while (syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, 0) > 0)
			;
		return;
	}
	case 85:
		shape_signals_tty();
		return;
	case 86:
		shape_ipc();
		return;
	default: /* the common calls on sane descriptors: more traffic through pipes */
		nr = chance(2) ? SYS_read : SYS_write;
		a[0] = 3 + rnd(6), a[1] = (unsigned long)scratch + rnd(SCRATCH / 2), a[2] = rnd(9000);
		returns_len = 1, len_checked = a[2];
		break;
	}
	if (verbose)
		dprintf(LOGFD, "%d: %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", self_pid, nr, a[0],
			a[1], a[2], a[3], a[4], a[5]);
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;
	if (verbose)
		dprintf(LOGFD, "%d:   = %ld (%d)\n", self_pid, r, r < 0 ? e : 0);
	if (r == -1 && (e <= 0 || e > 133))
		oracle_fail(nr, r);
	if (r < -1)
		oracle_fail(nr, r);
	if (returns_len && r > 0 && (unsigned long)r > len_checked && nr != SYS_getcwd)
		oracle_fail(nr, r);
	if (nr == SYS_rt_sigprocmask) {
		sigset_t alrm;
		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	}
}

/* Hostile programs for execve (issue 9): an ELF file made from the smallest valid one
 * (a PT_LOAD holding the headers and exit(42)) with random header fields, program
 * header fields and length, or a "#!" script naming echo, nothing, a missing file,
 * itself or the ELF. A child execs it; it fails, runs, or dies of a signal. Off Rill
 * the ELF stays riscv64 (which the host refuses) and interpreters come from the list. */
static void shape_exec(void)
{
	static const unsigned exit42[] = { 0x02a00513, 0x05d00893, 0x00000073 };
	unsigned char img[1024];
	memset(img, 0, sizeof img);
	size_t len = 132;
	char elf[300], path[300];
	snprintf(elf, sizeof elf, "%s/exec_elf", root);
	snprintf(path, sizeof path, "%s/exec_script", root);
	if (chance(3)) {
		static const char *const lines[] = { "#!/bin/echo one  two \n", "#!\n", "#! \t\n",
						     "#!/nonexistent/interpreter\n", "#!%s\n",
						     "#!%s a\n", "echo\n" };
		int i = rnd(7);
		len = snprintf((char *)img, sizeof img, lines[i], i == 4 ? path : elf);
	} else {
		Elf64_Ehdr *e = (Elf64_Ehdr *)img;
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + 64);
		memcpy(e->e_ident, ELFMAG, SELFMAG);
		e->e_ident[EI_CLASS] = ELFCLASS64;
		e->e_ident[EI_DATA] = ELFDATA2LSB;
		e->e_type = ET_EXEC, e->e_machine = EM_RISCV, e->e_entry = 0x10000 + 120;
		e->e_phoff = 64, e->e_phentsize = sizeof *ph, e->e_phnum = 1;
		*ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0x10000,
				    .p_filesz = 132, .p_memsz = 132, .p_align = 4096 };
		memcpy(img + 120, exit42, sizeof exit42);
		for (int n = 1 + rnd(3); n > 0; n--) {
			unsigned long v = chance(2) ? any_value() : rnd64() % 8192;
			switch (rnd(11)) {
			case 0: e->e_type = chance(2) ? ET_DYN : v; break;
			case 1: e->e_phoff = v; break;
			case 2: e->e_phentsize = chance(2) ? 56 : v; break;
			case 3: e->e_phnum = chance(2) ? rnd(80) : v; break;
			case 4: e->e_entry = v; break;
			case 5: ph->p_type = chance(2) ? PT_INTERP : v; break;
			case 6: ph->p_offset = v; break;
			case 7: ph->p_vaddr = chance(2) ? 0x10000 + rnd(8192) : v; break;
			case 8: ph->p_filesz = v; break;
			case 9: ph->p_memsz = v; break;
			default: len = rnd(sizeof img); break;
			}
		}
		if (rill && chance(8))
			e->e_machine = rnd64();
	}
	int fd = open(chance(4) ? path : elf, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return;
	write(fd, img, len);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "x", NULL };
		syscall(SYS_execve, chance(2) ? path : elf, argv, argv + 1);
		_exit(0);
	}
	if (pid > 0)
		last_child = pid;
}

static volatile sig_atomic_t caught;
static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Area storms: a big PROT_NONE reservation cut into many areas by random munmap,
 * mprotect, MAP_FIXED and madvise calls, with reads (zero pages) and writes in
 * between, a fork of the result, and now and then (on Rill) holes until the area limit
 * answers ENOMEM. Bounded: a few thousand calls, then everything is unmapped. */
static void shape_mm(void)
{
	const unsigned long pages = 1UL << 18; /* 1 GiB */
	unsigned char *r = mmap(NULL, pages * PAGE, PROT_NONE,
				MAP_NORESERVE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return;
	for (int i = 0; i < 3000; i++) {
		/* Mostly small ranges near each other, so areas split and merge. */
		unsigned long at = chance(4) ? rnd(pages) : rnd(4096);
		unsigned long n = 1 + (chance(8) ? rnd(pages - at) : rnd(8));
		if (at + n > pages)
			n = pages - at;
		unsigned char *p = r + at * PAGE;
		int prot = (int)rnd(8);
		switch (rnd(6)) {
		case 0:
			munmap(p, n * PAGE);
			break;
		case 1:
			mmap(p, n * PAGE, prot, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case 2:
			madvise(p, n * PAGE, chance(2) ? MADV_DONTNEED : MADV_NORMAL);
			break;
		case 3: { /* touch what is readable (or writable): zero page, then a frame */
			volatile unsigned char sink = 0;
			for (unsigned long k = 0; k < n && k < 16; k++) {
				unsigned char *q = p + k * PAGE;
				if (mprotect(q, PAGE, PROT_READ | PROT_WRITE) == 0) {
					sink += *q;
					if (chance(2))
						*q = (unsigned char)k;
				}
			}
			(void)sink;
			break;
		}
		default:
			mprotect(p, n * PAGE, prot);
			break;
		}
	}
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid(c, NULL, 0);
	if (rill && chance(8)) {
		mmap(r, pages * PAGE, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (unsigned long k = 1; k + 1 < pages; k += 2)
			if (munmap(r + k * PAGE, PAGE) != 0)
				break;
		mprotect(r, PAGE, PROT_READ);
		mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	munmap(r, pages * PAGE);
}

/* Shared memory, copy-on-write and mremap shapes: a shared and a private mapping that
 * a child writes while the worker splits, moves, duplicates, replaces, punches and
 * syncs pieces of them and forks more writers. Only calls touch the two mappings in
 * the worker (they may have moved away); children may die of SIGSEGV, which is fine. */
static void shape_mem(void)
{
	const unsigned long pages = 64;
	unsigned char *base[2];
	base[0] = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	base[1] = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base[0] == MAP_FAILED || base[1] == MAP_FAILED)
		return;
	memset(base[0], 1, pages * PAGE);
	memset(base[1], 2, pages * PAGE);
	for (int i = 0; i < 200; i++) {
		unsigned char *b = base[rnd(2)];
		unsigned long at = rnd(pages), n = 1 + rnd(pages - at);
		unsigned char *p = b + at * PAGE;
		switch (rnd(8)) {
		case 0:
			mprotect(p, n * PAGE, (int)rnd(8));
			break;
		case 1:
			madvise(p, n * PAGE, chance(2) ? MADV_DONTNEED : MADV_REMOVE);
			break;
		case 2:
			msync(p, n * PAGE, (int)rnd(8));
			break;
		case 3: { /* a move or a duplicate somewhere free, then gone again */
			unsigned long len = (1 + rnd(2 * pages)) * PAGE;
			void *m = mremap(p, chance(4) ? 0 : n * PAGE, len, chance(8) ? 0 : MREMAP_MAYMOVE);
			if (m != MAP_FAILED && m != p)
				munmap(m, len);
			break;
		}
		case 4: { /* a move inside the same mapping's range */
			unsigned long to = rnd(pages), len = 1 + rnd(pages - to);
			mremap(p, n * PAGE, len * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, b + to * PAGE);
			break;
		}
		case 5:
			mmap(p, n * PAGE, (int)rnd(8),
			     MAP_FIXED | MAP_ANONYMOUS | (chance(2) ? MAP_SHARED : MAP_PRIVATE) |
				     (chance(4) ? MAP_POPULATE : 0),
			     -1, 0);
			break;
		case 6:
			syscall(SYS_futex, p, FUTEX_WAKE | (chance(2) ? FUTEX_PRIVATE_FLAG : 0), 1, NULL,
				NULL, 0);
			break;
		default: { /* a child that writes what is still there */
			pid_t c = fork();
			if (c == 0) {
				for (int k = 0; k < 64; k++)
					base[rnd(2)][rnd(pages) * PAGE + rnd(PAGE)] ^= 1;
				_exit(0);
			}
			if (c > 0)
				waitpid(c, NULL, 0);
			break;
		}
		}
	}
	munmap(base[0], pages * PAGE);
	munmap(base[1], pages * PAGE);
}

static int worker(unsigned long seed)
{
	rng = seed;
	self_pid = getpid();
	for (int fd = 3; fd < 1024; fd++)
		close(fd); /* nothing inherited: no descriptor of a worker is a terminal */
	if (verbose)
		dup3(1, LOGFD, 0);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	if (!rill) {
		/* On the host: no root, no big files. */
		struct rlimit fsize = { 16 << 20, 16 << 20 };
		setrlimit(RLIMIT_FSIZE, &fsize);
		if (getuid() == 0) {
			setgroups(0, NULL);
			setgid(65534);
			setuid(65534);
		}
	}
	/* Some descriptors to play with (3 onwards). */
	int p[2];
	pipe(p);
	pipe2(p, O_NONBLOCK);
	char name[300];
	snprintf(name, sizeof name, "%s/a", root);
	open(name, O_RDWR | O_CREAT, 0666);
	open("/", O_RDONLY | O_DIRECTORY);
	open(root, O_RDONLY | O_DIRECTORY);
	open("/proc/self/status", O_RDONLY);
	open("/dev/zero", O_RDONLY);
	scratch = mmap(NULL, SCRATCH + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rodata = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	args = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED || rodata == MAP_FAILED || region == MAP_FAILED || args == MAP_FAILED)
		return 3;
	guard = scratch + SCRATCH;
	mprotect(guard, PAGE, PROT_NONE);
	fill_scratch();
	memset(longpath, 'x', sizeof longpath - 1);
	if (chance(3))
		shape_mm();
	if (chance(3))
		shape_mem();
	/* Signals the worker sends itself are mostly caught. */
	for (int s = 1; s < 65; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGALRM || s == SIGSEGV || s == SIGBUS ||
		    s == SIGILL || s == SIGFPE || s == 32 || s == 33)
			continue;
		struct sigaction sa = { .sa_handler = on_signal };
		sa.sa_flags = (s % 2) ? SA_RESTART : 0;
		sigaction(s, &sa, NULL);
	}
	struct sigaction al = { .sa_handler = on_alarm }; /* no SA_RESTART: blocked calls end */
	sigaction(SIGALRM, &al, NULL);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (elapsed_ms(&start) < WORKER_MS) {
		struct itimerval it = { { 0, 0 }, { 0, 200000 } };
		setitimer(ITIMER_REAL, &it, NULL);
		one_call();
		if (chance(64))
			shape_exec();
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	/* Reap the children; any still running get SIGKILL. */
	int st;
	while (syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, 0) > 0)
		;
	if (live_child())
		kill(last_child, SIGKILL);
	alarm(2);
	signal(SIGALRM, SIG_DFL);
	while (syscall(SYS_wait4, -1, &st, __WALL, 0) > 0)
		;
	return 0;
}

/* ---- the parent ---- */

static void remove_tree(const char *path, int depth)
{
	DIR *d = depth < 64 ? opendir(path) : NULL;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			chmod(sub, 0700);
			if (unlink(sub) != 0)
				remove_tree(sub, depth + 1);
		}
		closedir(d);
	}
	rmdir(path);
}

static void fresh_scratch_dir(void)
{
	chmod(root, 0777);
	remove_tree(root, 0);
	mode_t old = umask(0);
	CHECK_OK(mkdir(root, 01777));
	umask(old);
}

static void remove_scratch_dir(void)
{
	chmod(root, 0777);
	remove_tree(root, 0);
}

/* Kills and reaps what is left of a round: workers' children that were orphaned (this
 * process is a child subreaper, so they are its children now), some maybe stopped by
 * their worker before it died. */
static void reap_strays(void)
{
	for (int round = 0; round < 100; round++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			int pid = atoi(e->d_name);
			if (pid <= 1 || pid == getpid())
				continue;
			char path[64], st[2048];
			snprintf(path, sizeof path, "/proc/%d/status", pid);
			int fd = open(path, O_RDONLY);
			long n = fd < 0 ? 0 : read(fd, st, sizeof st - 1);
			if (fd >= 0)
				close(fd);
			st[n > 0 ? n : 0] = 0;
			char *pp = strstr(st, "\nPPid:");
			if (pp && atoi(pp + 7) == getpid())
				kill(pid, SIGKILL);
		}
		if (d)
			closedir(d);
		int status;
		pid_t got;
		while ((got = waitpid(-1, &status, WNOHANG)) > 0)
			;
		if (got < 0 && errno == ECHILD)
			return;
		sleep_ms(20);
	}
	FAIL("children of workers are still alive after SIGKILL");
}

/* Reads the file at `path` into `buf` as a string (empty if it cannot be read). */
static void read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
}

/* Writes to `out` the lines of /proc/PID/status and each thread's state and wait channel
 * of a worker that outlives SIGKILL, to say where it is stuck. */
static void describe_stuck(pid_t pid, FILE *out)
{
	char path[320], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	read_text(path, buf, sizeof buf);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, "State", 5) || !strncmp(line, "Threads", 7) ||
		    !strncmp(line, "Sig", 3) || !strncmp(line, "ShdPnd", 6))
			fprintf(out, "  %s\n", line);
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char wchan[64];
		snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, e->d_name);
		read_text(path, buf, sizeof buf);
		char *rp = strrchr(buf, ')');
		snprintf(path, sizeof path, "/proc/%d/task/%s/wchan", (int)pid, e->d_name);
		read_text(path, wchan, sizeof wchan);
		fprintf(out, "  thread %s: state %.1s, wchan %s\n", e->d_name, rp ? rp + 2 : "?", wchan);
	}
	if (d)
		closedir(d);
	fflush(out);
}

static void check_status(int st, unsigned long seed)
{
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 0))
		return;
	FAIL("worker with seed %lu ended with status %#x", seed, st);
}

static void run_round(int seconds, unsigned long base_seed)
{
	pid_t pids[WORKERS] = { 0 };
	unsigned long seeds[WORKERS];
	struct timespec started[WORKERS], killed[WORKERS];
	int polls_since_kill[WORKERS];
	static char early[WORKERS][2048];
	unsigned long next = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int spawning = elapsed_ms(&start) < seconds * 1000L;
		int running = 0;
		for (int i = 0; i < WORKERS; i++) {
			if (pids[i] == 0 && spawning) {
				seeds[i] = base_seed * 1000003UL + next++;
				pid_t c = fork();
				if (c < 0)
					FAIL("fork failed with %s", errname(errno));
				if (c == 0)
					_exit(worker(seeds[i]));
				pids[i] = c;
				clock_gettime(CLOCK_MONOTONIC, &started[i]);
				polls_since_kill[i] = -1;
				early[i][0] = 0;
			}
			if (pids[i] == 0)
				continue;
			running++;
			int st;
			pid_t got = waitpid(pids[i], &st, WNOHANG);
			if (got == pids[i]) {
				check_status(st, seeds[i]);
				pids[i] = 0;
				continue;
			}
			if (got != 0)
				FAIL("waitpid(worker) returned %d (%s)", (int)got, errname(errno));
			if (polls_since_kill[i] < 0 && elapsed_ms(&started[i]) > WORKER_MS + GRACE_MS) {
				kill(pids[i], SIGKILL);
				clock_gettime(CLOCK_MONOTONIC, &killed[i]);
				polls_since_kill[i] = 0;
			} else if (polls_since_kill[i] >= 0) {
				/* Stuck only if it outlived the kill both in time and in polls: on
				 * a loaded host the guest clock can jump seconds between two polls. */
				polls_since_kill[i]++;
				if (polls_since_kill[i] == 50) {
					/* Still alive well after the kill: keep a picture of it. */
					FILE *f = fmemopen(early[i], sizeof early[i], "w");
					if (f) {
						describe_stuck(pids[i], f);
						fclose(f);
					}
				}
				if (elapsed_ms(&killed[i]) > 5000 && polls_since_kill[i] > 200) {
					printf("after SIGKILL:\n%s  now:\n", early[i]);
					describe_stuck(pids[i], stdout);
					FAIL("worker with seed %lu did not die of SIGKILL", seeds[i]);
				}
			}
		}
		if (!spawning && running == 0)
			break;
		sleep_ms(5);
	}
	reap_strays();
}

static int pipe_roundtrip(void)
{
	int p[2];
	if (pipe(p) != 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		char b[6] = "hello";
		_exit(write(p[1], b, 6) == 6 ? 0 : 1);
	}
	char b[6] = "";
	long n = read(p[0], b, 6);
	int st;
	waitpid(c, &st, 0);
	close(p[0]);
	close(p[1]);
	return !(n == 6 && strcmp(b, "hello") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	verbose = argc > 2 && argv[2][0] == 'v';
	rill = on_rill();
	no_core_dumps();
	signal(SIGPIPE, SIG_IGN);
	/* A worker that stops itself leaves this (orphaned) process group with a stopped
	 * member: when some process exits the group gets SIGHUP and SIGCONT (POSIX). */
	signal(SIGHUP, SIG_IGN);
	/* Orphaned grandchildren come to this process, which kills them after each round
	 * (qemu-user lacks PR_SET_CHILD_SUBREAPER; the memory check is Rill's only). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 && rill)
		FAIL("PR_SET_CHILD_SUBREAPER failed with %s", errname(errno));
	/* Under qemu-user /tmp is the host's, where a killed earlier run may have left a
	 * tree under a pid that is ours now: take a name nobody has. */
	for (int n = 0;; n++) {
		snprintf(root, sizeof root, "/tmp/stress_syscalls.%d.%d", (int)getpid(), n);
		if (access(root, F_OK) != 0)
			break;
	}
	fresh_scratch_dir();
	atexit(remove_scratch_dir);
	if (argc > 2 && argv[2][0] == 'w') {
		/* One worker with this exact seed, logging its calls (to reproduce). */
		verbose = 1;
		pid_t c = fork();
		if (c == 0)
			_exit(worker(seed));
		int st = wait_for(c);
		printf("worker status %#x\n", st);
		return 0;
	}
	/* Warm-up: the test's own stack and heap reach their working size. */
	run_round(WARMUP_SECONDS, seed + 0x5eed);
	fresh_scratch_dir();
	long before = settled_free_kb();
	run_round(SECONDS, seed);
	ok("random system calls from 4 workers at a time; every worker ended by exit or a signal");
	fresh_scratch_dir();
	long after = settled_free_kb();
	if (rill && before != after) {
		/* Name what is still alive besides init and the test, to help find the leak. */
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			int pid = atoi(e->d_name);
			if (pid > 1 && pid != getpid()) {
				char path[64], st[1024];
				snprintf(path, sizeof path, "/proc/%d/status", pid);
				int fd = open(path, O_RDONLY);
				long n = fd < 0 ? 0 : read(fd, st, sizeof st - 1);
				if (fd >= 0)
					close(fd);
				st[n > 0 ? n : 0] = 0;
				printf("still there: pid %d\n%s\n", pid, st);
			}
		}
		if (d)
			closedir(d);
		FAIL("free + used by the test and init was %ld kB before and %ld kB after", before, after);
	}
	ok("no memory leaked: free memory plus what the test and init use is unchanged (checked on Rill)");
	CHECK_EQ(pipe_roundtrip(), 0);
	ok("fork and pipes still work");
	return 0;
}
