/* pipe_budget: pipe buffers are accounted per user, in pages, as Linux does, and a
 * write to an existing pipe never fails for lack of memory.
 *
 * 1. A process holding 512 pipes with one byte each takes nothing from anyone else:
 *    another process's 64 KiB write into a new pipe goes in whole.
 * 2. fs.pipe-user-pages-soft is 16384 pages, 16 per default pipe. Two processes of one
 *    (unprivileged) user hold 1024 pipes, the limit exactly; that user's next pipes get
 *    2 pages (F_GETPIPE_SZ 8192, which takes 8192 bytes), may shrink but not grow, not
 *    even back (F_SETPIPE_SZ EPERM); once the first process's pipes close, a new pipe
 *    gets its 16 pages again and the small one may grow. Pipes keep only their read ends open, to stay within 1024
 *    descriptors: a pipe lives while either end is open.
 * 3. On Rill, where a pipe's bytes are page frames taken as data comes and given back as
 *    it goes (Linux's pipe pages): 256 new pipes take no page, a byte in each takes one
 *    page each, 4 KiB more a second page each, and reading them empty gives every page
 *    back; once closed, the kernel heap is back where it started, exactly. */
#include "rilltest.h"

#define HELD 512
#define USER 4242
#define SOFT_PIPES 1024 /* 16384 pages / 16 */
#define FIRST 600       /* pipes the first process of USER holds */

static int ready[2], go[2], go_second[2];

static void step(int fd)
{
	char c = 1;
	if (write(fd, &c, 1) != 1)
		FAIL("pipe write failed with %s", errname(errno));
}

static void await(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		FAIL("pipe read failed with %s", errname(errno));
}

/* Makes a pipe, writes `bytes` bytes into it and closes its write end; returns the read
 * end. */
static int held_pipe(int bytes)
{
	int p[2];
	CHECK_OK(pipe(p));
	if (bytes)
		CHECK_EQ(write(p[1], "x", 1), 1);
	close(p[1]);
	return p[0];
}

static int hold_512(void)
{
	for (int i = 0; i < HELD; i++)
		held_pipe(1);
	step(ready[1]);
	await(go[0]);
	return 0;
}

/* A new pipe takes 64 KiB without a reader (non-blocking: no wait could hide a failure). */
static void write_64k(void)
{
	static char buf[65536];
	int p[2];
	CHECK_OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	CHECK_EQ(write(p[1], buf, sizeof buf), (long)sizeof buf);
	CHECK_ERR(write(p[1], buf, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
}

static int first_of_user(void)
{
	CHECK_OK(setuid(USER));
	for (int i = 0; i < FIRST; i++) {
		int r = held_pipe(0);
		CHECK_EQ(fcntl(r, F_GETPIPE_SZ), 65536);
	}
	step(ready[1]);
	await(go[0]);
	return 0;
}

static int second_of_user(void)
{
	CHECK_OK(setuid(USER));
	for (int i = FIRST; i < SOFT_PIPES; i++) {
		int r = held_pipe(0);
		CHECK_EQ(fcntl(r, F_GETPIPE_SZ), 65536);
	}
	/* The user is at the soft limit: the next pipes get 2 pages. */
	int p[2], q[2];
	CHECK_OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 8192);
	CHECK_OK(pipe(q));
	CHECK_EQ(fcntl(q[1], F_GETPIPE_SZ), 8192);
	static char buf[8192];
	CHECK_EQ(write(p[1], buf, sizeof buf), (long)sizeof buf);
	CHECK_ERR(write(p[1], buf, 1), EAGAIN);
	CHECK_ERR(fcntl(q[1], F_SETPIPE_SZ, 16384), EPERM);
	CHECK_EQ(fcntl(q[1], F_SETPIPE_SZ, 4096), 4096);
	CHECK_ERR(fcntl(q[1], F_SETPIPE_SZ, 8192), EPERM);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	step(ready[1]);
	/* The first process exits: its 600 pipes give their pages back. */
	await(go_second[0]);
	int r[2];
	CHECK_OK(pipe(r));
	CHECK_EQ(fcntl(r[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ(fcntl(q[1], F_SETPIPE_SZ, 65536), 65536);
	return 0;
}

static void expect_exit_0(pid_t pid, const char *who)
{
	int st = wait_for(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("%s ended with status %#x", who, st);
}

#define PAGED 256

static long free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree:");
}

/* Pipes take pages only for the bytes they hold (MemFree moves by whole pages, and
 * nothing else in this process faults meanwhile: the buffer is static and touched). */
static void pages_follow_bytes(void)
{
	static int fds[PAGED][2];
	static char buf[4097];
	memset(buf, 'p', sizeof buf);
	memset(fds, 0, sizeof fds);
	/* The descriptor table grows to hold 512 more descriptors and, as on Linux, keeps
	 * that size: grow it to the limit first, so the heap comparison sees only pipes. */
	CHECK_OK(dup2(0, 1023));
	CHECK_OK(close(1023));
	long heap_before = heap_kb();
	long before = free_kb();
	for (int i = 0; i < PAGED; i++)
		CHECK_OK(pipe(fds[i]));
	CHECK_EQ(free_kb(), before);
	for (int i = 0; i < PAGED; i++)
		CHECK_EQ(write(fds[i][1], buf, 1), 1);
	CHECK_EQ(free_kb(), before - PAGED * 4);
	for (int i = 0; i < PAGED; i++)
		CHECK_EQ(write(fds[i][1], buf, 4096), 4096);
	CHECK_EQ(free_kb(), before - PAGED * 8);
	for (int i = 0; i < PAGED; i++)
		CHECK_EQ(read(fds[i][0], buf, 4096), 4096);
	CHECK_EQ(free_kb(), before - PAGED * 4);
	for (int i = 0; i < PAGED; i++)
		CHECK_EQ(read(fds[i][0], buf, sizeof buf), 1);
	CHECK_EQ(free_kb(), before);
	for (int i = 0; i < PAGED; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	long heap_after = heap_settled_kb(heap_before);
	if (!heap_back_at(heap_after, heap_before))
		FAIL("kernel heap was %ld kB before and %ld kB after", heap_before, heap_after);
}

int main(void)
{
	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(go_second));

	pid_t holder = spawn(hold_512);
	await(ready[0]);
	write_64k();
	step(go[1]);
	expect_exit_0(holder, "the holder of 512 pipes");
	ok("a process holds 512 pipes with a byte each; another writes 64 KiB into a new pipe at once");

	pid_t first = spawn(first_of_user);
	await(ready[0]);
	pid_t second = spawn(second_of_user);
	await(ready[0]);
	step(go[1]);
	expect_exit_0(first, "the first process of the user");
	step(go_second[1]);
	expect_exit_0(second, "the second process of the user");
	ok("past 16384 pages a user's new pipe gets 8192 bytes, may shrink, not grow; closed pipes give their pages back");

	if (on_rill()) {
		pages_follow_bytes();
		pages_follow_bytes();
	}
	ok("a pipe holds a page per 4 KiB it buffers, none when empty (checked on Rill)");
	return 0;
}
