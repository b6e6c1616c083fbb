/* proc_args: /proc/PID/cmdline is read from the process's memory, so large
 * arguments cost fork nothing beyond the pages it copies anyway.
 * The test re-executes itself with two arguments of 120 KiB each, then:
 * - /proc/self/cmdline is exactly argv, NUL-separated;
 * - it forks CHILDREN children (fewer on a small machine: CHILD_COST_KB) that
 *   sleep; each fork must succeed (or stop
 *   cleanly with EAGAIN at a limit); on Rill the kernel heap grows by less than
 *   64 KiB per child (a kernel copy of the arguments would be 240 KiB);
 * - a child's /proc/PID/cmdline shows the same arguments; a child that
 *   changed argv[0][0] shows the change; one that overwrote the NUL ending its
 *   last argument (as setproctitle does) shows its first string only (Linux's
 *   rule);
 * - the children are killed and reaped; free memory and kernel heap are back
 *   where they started (on Rill) and /proc/self/cmdline is unchanged.
 * All that runs twice: the first round may grow kernel tables once for good
 * (Rill's heap is ~0.5 MiB higher after it), the second is the one measured.
 * qemu-riscv64 cannot re-execute /proc/self/exe without binfmt_misc, so the
 * Linux reference for this test is a real riscv64 Linux (see divergences). */
#include "rilltest.h"
#include <fcntl.h>

#define BIG (120 * 1024)
#define CHILDREN 300
/* What a sleeping child costs at most, its page tables, kernel stack and the pages
 * the fork copies, in kB: with 128 MiB of RAM 300 children do not fit. */
#define CHILD_COST_KB 100

/* What cmdline should hold: argv[0..nwant), each with its NUL. Compared as it is
 * read, in small chunks: every page the parent touches is copied by each fork. */
static char *want[3];
static size_t want_len[3]; /* with the NUL */
static int nwant;

static void set_want(int k, char *s)
{
	want[k] = s;
	want_len[k] = strlen(s) + 1;
}

/* argv[1] and argv[2]: BIG - 1 letters each, different patterns. */
static void fill(char *s, int shift)
{
	for (int i = 0; i < BIG - 1; i++)
		s[i] = 'a' + (i + shift) % 26;
	s[BIG - 1] = 0;
}

/* The byte at offset i of the wanted text, or -1 past its end. */
static int want_byte(size_t i)
{
	for (int k = 0; k < nwant; k++) {
		if (i < want_len[k])
			return (unsigned char)want[k][i];
		i -= want_len[k];
	}
	return -1;
}

/* Reads path in odd-sized pieces (so the file must continue right from any offset)
 * and compares it with the wanted text. */
static void check_cmdline(const char *path, const char *what)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		FAIL("%s: open %s: %s", what, path, errname(errno));
	char buf[1000];
	size_t pos = 0;
	long r;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		for (long i = 0; i < r; i++, pos++)
			if (want_byte(pos) != (unsigned char)buf[i])
				FAIL("%s: byte %zu is %d, want %d", what, pos, buf[i], want_byte(pos));
	}
	close(fd);
	if (r < 0 || want_byte(pos) != -1)
		FAIL("%s: ended at byte %zu (%s)", what, pos, errname(r < 0 ? errno : 0));
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/* Forks the sleeping children, checks their cmdlines, kills and reaps them; with
 * report, prints the results and checks the memory accounting. */
static void children_round(char **argv, int report)
{
	long free_before = settled_free_kb(), heap_before = heap_kb();
	static pid_t kids[CHILDREN];
	int children = CHILDREN;
	if (free_before / CHILD_COST_KB < children)
		children = (int)(free_before / CHILD_COST_KB);
	int n = 0;
	for (; n < children; n++) {
		pid_t pid = fork();
		if (pid < 0) {
			if (errno != EAGAIN)
				FAIL("fork %d failed with %s", n, errname(errno));
			break;
		}
		if (pid == 0)
			sleep_forever();
		kids[n] = pid;
	}
	long heap_full = heap_kb();
	if (on_rill() && n < children)
		FAIL("only %d forks succeeded", n);
	if (on_rill() && (heap_full - heap_before) / n >= 64)
		FAIL("kernel heap grew %ld kB for %d children", heap_full - heap_before, n);
	if (report)
		ok("up to 300 children forked, as free memory allows (heap per child checked on Rill)");

	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)kids[0]);
	check_cmdline(path, "a child's cmdline");
	if (report)
		ok("a child's /proc/PID/cmdline is the same argv");

	/* Children that change their arguments: argv[0][0], then the last NUL. */
	int sync[2];
	CHECK_OK(pipe(sync));
	pid_t changed = fork();
	CHECK(changed >= 0);
	if (changed == 0) {
		argv[0][0] = 'P';
		CHECK_EQ(write(sync[1], "x", 1), 1);
		sleep_forever();
	}
	char c;
	CHECK_EQ(read(sync[0], &c, 1), 1);
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)changed);
	char renamed[16];
	snprintf(renamed, sizeof renamed, "P%s", argv[0] + 1);
	set_want(0, renamed);
	check_cmdline(path, "cmdline after argv[0][0] = 'P'");
	set_want(0, argv[0]);
	if (report)
		ok("a change to argv shows in /proc/PID/cmdline");

	pid_t titled = fork();
	CHECK(titled >= 0);
	if (titled == 0) {
		argv[2][BIG - 1] = '!';
		CHECK_EQ(write(sync[1], "x", 1), 1);
		sleep_forever();
	}
	CHECK_EQ(read(sync[0], &c, 1), 1);
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)titled);
	nwant = 1;
	check_cmdline(path, "cmdline after the last NUL is gone");
	nwant = 3;
	if (report)
		ok("with the last NUL overwritten, cmdline is the first string (setproctitle)");
	close(sync[0]);
	close(sync[1]);

	for (int i = 0; i < n; i++)
		CHECK_OK(kill(kids[i], SIGKILL));
	CHECK_OK(kill(changed, SIGKILL));
	CHECK_OK(kill(titled, SIGKILL));
	for (int i = 0; i < n; i++) {
		int st = wait_for(kids[i]);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	wait_for(changed);
	wait_for(titled);
	long free_after = settled_free_kb(), heap_after = heap_settled_kb(heap_before);
	if (report && on_rill() && (free_after != free_before || !heap_back_at(heap_after, heap_before)))
		FAIL("free memory %ld -> %ld kB, kernel heap %ld -> %ld kB", free_before,
		     free_after, heap_before, heap_after);
	if (report)
		ok("children killed and reaped; free memory and kernel heap back (checked on Rill)");

}

static int image(char **argv)
{
	for (int k = 0; k < 3; k++)
		set_want(k, argv[k]);
	nwant = 3;
	check_cmdline("/proc/self/cmdline", "/proc/self/cmdline");
	ok("/proc/self/cmdline is argv (2 x 120 KiB)");

	/* The first round grows kernel tables for good; the second is measured. */
	for (int round = 0; round < 2; round++)
		children_round(argv, round == 1);
	check_cmdline("/proc/self/cmdline", "/proc/self/cmdline again");
	ok("/proc/self/cmdline unchanged");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return image(argv);
	static char big1[BIG], big2[BIG];
	fill(big1, 0);
	fill(big2, 13);
	char *args[] = { "proc_args", big1, big2, NULL };
	char *envp[] = { NULL };
	syscall(SYS_execve, "/proc/self/exe", args, envp);
	FAIL("execve failed with %s", errname(errno));
}
