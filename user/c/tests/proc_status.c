/* proc_status: /proc/self/status, /proc/PID/status and cmdline, meminfo,
 * uptime, in Linux's exact format ("Field:\tvalue", masks as 16 hex digits).
 * For this process: Name, State R, Tgid and Pid == getpid(), PPid ==
 * getppid(), NStgid, NSpid, NSpgid == getpgrp(), NSsid == getsid(0), Uid and
 * Gid (real, effective, saved, fs), Umask; SigBlk with only SIGUSR1 blocked
 * (0000000000000200), SigIgn with only SIGUSR2 ignored (0000000000000800),
 * SigCgt with a handler for SIGINT only (0000000000000002); a blocked
 * SIGUSR1 pending for the thread after raise (SigPnd) and for the process
 * after kill (ShdPnd). For a child: State T while stopped, S while it
 * sleeps after SIGCONT, Z as a zombie; after it execs /bin/sleep, its Name is
 * "sleep" and its cmdline the argv, NUL-separated. /proc/meminfo has
 * MemTotal and MemFree in kB; /proc/uptime is two numbers.
 *
 * Under qemu-riscv64 a process's /proc/self/status is the emulator's own:
 * Name "qemu-riscv64" (or similar), a second thread, and SigCgt with every
 * signal the emulator catches. Those three fields are checked wherever the
 * kernel runs the program itself (Rill, Linux), with the same output either
 * way. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

/* The whole file (NUL-terminated; binary files may hold more NULs). Returns
 * its length. */
static long slurp(const char *path, char *buf, long size)
{
	int fd = CHECK_OK(open(path, O_RDONLY));
	long len = 0;
	for (;;) {
		CHECK(len < size - 1);
		long n = CHECK_OK(read(fd, buf + len, size - 1 - len));
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	CHECK_EQ(close(fd), 0);
	return len;
}

/* The value of "Field:\t..." in a status file, without the newline. */
static const char *field(const char *path, const char *name)
{
	static char text[8192];
	static char value[256];
	slurp(path, text, sizeof text);
	size_t len = strlen(name);
	const char *v = NULL;
	for (const char *line = text; *line;) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			v = line + len + 1;
			break;
		}
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!v)
		FAIL("%s has no %s line", path, name);
	if (*v != '\t')
		FAIL("%s: no tab after \"%s:\"", path, name);
	v++;
	size_t n = strcspn(v, "\n");
	if (v[n] != '\n' || n >= sizeof value)
		FAIL("%s: %s line unterminated or too long", path, name);
	memcpy(value, v, n);
	value[n] = '\0';
	return value;
}

static const char *self_field(const char *name)
{
	return field("/proc/self/status", name);
}

static const char *child_field(pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	return field(path, name);
}

static void check_num(const char *name, long want)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%ld", want);
	CHECK_STR(self_field(name), buf);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Takes the pending SIGUSR1, which must be blocked. */
static void consume_usr1(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	struct timespec none = { 0, 0 };
	CHECK_EQ(sigtimedwait(&set, NULL, &none), SIGUSR1);
}

static void identity(int emulated)
{
	if (!emulated)
		CHECK_STR(self_field("Name"), "proc_status");
	ok("Name is the program's file name");
	CHECK_STR(self_field("State"), "R (running)");
	ok("State: R (running)");
	check_num("Tgid", getpid());
	check_num("Pid", getpid());
	check_num("PPid", getppid());
	check_num("NStgid", getpid());
	check_num("NSpid", getpid());
	check_num("NSpgid", getpgrp());
	check_num("NSsid", getsid(0));
	if (!emulated)
		CHECK_STR(self_field("Threads"), "1");
	ok("Tgid, Pid, PPid, NStgid, NSpid, NSpgid, NSsid, Threads");

	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_EQ(getresuid(&r, &e, &s), 0);
	CHECK_EQ(getresgid(&gr, &ge, &gs), 0);
	char want[64];
	snprintf(want, sizeof want, "%u\t%u\t%u\t%u", r, e, s, e);
	CHECK_STR(self_field("Uid"), want);
	snprintf(want, sizeof want, "%u\t%u\t%u\t%u", gr, ge, gs, ge);
	CHECK_STR(self_field("Gid"), want);
	ok("Uid and Gid: real, effective, saved, fs");

	umask(027);
	CHECK_STR(self_field("Umask"), "0027");
	umask(022);
	CHECK_STR(self_field("Umask"), "0022");
	ok("Umask: four octal digits");
}

static void signal_masks(int emulated)
{
	/* Start from the defaults, so that the masks hold exactly what we set.
	 * Some numbers cannot be changed (SIGKILL, SIGSTOP, the C library's own). */
	for (int sig = 1; sig < 65; sig++)
		signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
	CHECK_STR(self_field("SigBlk"), "0000000000000200");
	ok("SigBlk: 0000000000000200 with SIGUSR1 blocked");
	CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	CHECK_STR(self_field("SigIgn"), "0000000000000800");
	ok("SigIgn: 0000000000000800 with SIGUSR2 ignored");
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	CHECK_EQ(sigaction(SIGINT, &sa, NULL), 0);
	if (!emulated)
		CHECK_STR(self_field("SigCgt"), "0000000000000002");
	ok("SigCgt: 0000000000000002 with a handler for SIGINT");

	CHECK_STR(self_field("SigPnd"), "0000000000000000");
	CHECK_STR(self_field("ShdPnd"), "0000000000000000");
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_STR(self_field("SigPnd"), "0000000000000200");
	CHECK_STR(self_field("ShdPnd"), "0000000000000000");
	consume_usr1();
	ok("SigPnd: 0000000000000200 after raise with SIGUSR1 blocked");
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_STR(self_field("SigPnd"), "0000000000000000");
	CHECK_STR(self_field("ShdPnd"), "0000000000000200");
	consume_usr1();
	CHECK_STR(self_field("ShdPnd"), "0000000000000000");
	ok("ShdPnd: 0000000000000200 after kill with SIGUSR1 blocked");

	sigemptyset(&set);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &set, NULL), 0);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static int pause_forever(void)
{
	for (;;)
		pause();
	return 0;
}

/* Waits (at most 5 s) until the child's State is `want`. */
static void wait_state(pid_t pid, const char *want)
{
	for (int i = 0; i < 500; i++) {
		if (strcmp(child_field(pid, "State"), want) == 0)
			return;
		sleep_ms(10);
	}
	FAIL("child State stayed \"%s\", want \"%s\"", child_field(pid, "State"), want);
}

static void child_states(void)
{
	pid_t pid = spawn(pause_forever);
	wait_state(pid, "S (sleeping)");
	char want[32];
	snprintf(want, sizeof want, "%d", (int)getpid());
	CHECK_STR(child_field(pid, "PPid"), want);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	int status;
	CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status));
	CHECK_STR(child_field(pid, "State"), "T (stopped)");
	ok("a stopped child: State T (stopped)");
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(waitpid(pid, &status, WCONTINUED), pid);
	CHECK(WIFCONTINUED(status));
	wait_state(pid, "S (sleeping)");
	ok("continued, sleeping in pause: State S (sleeping)");
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK(WIFSIGNALED(wait_for(pid)));

	/* A zombie: the child has exited (SIGCHLD came) but is not reaped. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &chld, NULL), 0);
	struct timespec none = { 0, 0 }, limit = { 5, 0 };
	while (sigtimedwait(&chld, NULL, &none) == SIGCHLD)
		;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(3);
	CHECK_EQ(sigtimedwait(&chld, NULL, &limit), SIGCHLD);
	CHECK_STR(child_field(pid, "State"), "Z (zombie)");
	CHECK_STR(child_field(pid, "PPid"), want);
	status = wait_for(pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &chld, NULL), 0);
	ok("an exited child not yet waited for: State Z (zombie); gone once reaped");
}

static void child_cmdline(void)
{
	/* The pipe's write end closes when the child's exec succeeds. */
	int p[2];
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "20", "10", (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(close(p[1]), 0);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 0);
	CHECK_EQ(close(p[0]), 0);

	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	long n = slurp(path, buf, sizeof buf);
	static const char want[] = "sleep\0" "20\0" "10";
	CHECK_EQ(n, sizeof want);
	CHECK(memcmp(buf, want, sizeof want) == 0);
	ok("/proc/PID/cmdline of a child that ran /bin/sleep 20 10: its argv, NUL-separated");
	CHECK_STR(child_field(pid, "Name"), "sleep");
	ok("its Name is the new program's");
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK(WIFSIGNALED(wait_for(pid)));
}

static void meminfo_and_uptime(void)
{
	char buf[4096];
	slurp("/proc/meminfo", buf, sizeof buf);
	unsigned long total = 0, free = 0;
	const char *t = strncmp(buf, "MemTotal:", 9) == 0 ? buf : NULL;
	const char *f = strstr(buf, "\nMemFree:");
	CHECK(t != NULL && f != NULL);
	char unit1[8] = "", unit2[8] = "";
	CHECK_EQ(sscanf(t, "MemTotal: %lu %7s", &total, unit1), 2);
	CHECK_EQ(sscanf(f, "\nMemFree: %lu %7s", &free, unit2), 2);
	CHECK_STR(unit1, "kB");
	CHECK_STR(unit2, "kB");
	CHECK(total > 0 && free > 0 && free <= total);
	ok("/proc/meminfo: MemTotal first, MemFree, in kB, free <= total");

	slurp("/proc/uptime", buf, sizeof buf);
	double up, idle;
	char end;
	CHECK_EQ(sscanf(buf, "%lf %lf%c", &up, &idle, &end), 3);
	CHECK(end == '\n' && up > 0 && idle >= 0);
	ok("/proc/uptime: two numbers");
}

int main(void)
{
	/* See the comment at the top. */
	int emulated = !on_rill() && strncmp(self_field("Name"), "qemu-", 5) == 0;
	identity(emulated);
	signal_masks(emulated);
	child_states();
	child_cmdline();
	meminfo_and_uptime();
	return 0;
}
