/* tty_bigwrite: one 2 MiB write to a terminal does not hold the machine.
 *
 * While a child writes 2 MiB to the terminal in one write() (about 3 s on Rill's UART):
 * another child sleeping 5 ms at a time never waits much longer than that, the parent
 * wakes on time and its SIGKILL ends the writer at once, and a writer whose SIGALRM
 * handler runs mid-write gets back the count written so far (with and without
 * SA_RESTART). The thresholds are loose (100 ms, 300 ms): a kernel that writes with the
 * hart held misses them by seconds.
 *
 * Where the bytes go. On Rill the terminal is the console, which is also the test's
 * standard output, and the harness compares standard output with Linux's. So every line
 * of the 2 MiB starts with "[rill] ": the harness's console filter takes such lines for
 * kernel lines and keeps them out of the comparison. A killed or interrupted writer leaves
 * a line unfinished, which "[rill] \n" ends (a kernel line either way) before anything
 * else is printed; nothing else writes while a flood runs. On Linux the bytes go to a
 * fresh pseudo-terminal nobody reads, whose writer blocks once the buffer is full: the
 * same checks hold there, and its standard output stays clean. */
#include "rilltest.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>

#define FLOOD (2 << 20)
#define LINE 64
#define SLEEPS 40
#define MAX_GAP_US 100000L    /* a 5 ms sleeper never waits more than this */
#define MAX_LATE_US 300000L   /* a SIGKILL due at some time ends the writer by then + this */

static int rill;
static char *flood;

static long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* Lines of LINE bytes that the harness takes for kernel lines on Rill. */
static void make_flood(void)
{
	flood = malloc(FLOOD);
	CHECK(flood != NULL);
	for (int i = 0; i < FLOOD; i += LINE) {
		memset(flood + i, '.', LINE - 1);
		memcpy(flood + i, "[rill] tty_bigwrite filler, not a kernel line ", 47);
		flood[i + LINE - 1] = '\n';
	}
}

/* The reference kernel's init mounts no devpts: then the test does. */
static void mount_devpts(void)
{
	mkdir("/dev/pts", 0755);
	CHECK_OK(mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666"));
}

/* A terminal to flood: the console on Rill, a fresh unread pseudo-terminal on Linux. */
static int open_target(int *master)
{
	*master = -1;
	if (rill)
		return 1;
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 && errno == ENOENT) {
		mount_devpts();
		m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	}
	*master = CHECK_OK(m);
	CHECK_OK(grantpt(m));
	CHECK_OK(unlockpt(m));
	const char *name = ptsname(m);
	CHECK(name != NULL);
	return CHECK_OK(open(name, O_RDWR | O_NOCTTY));
}

/* Ends a flood line the writer left unfinished (see the top of the file). */
static void end_flood_line(void)
{
	if (rill)
		CHECK_EQ(write(1, "[rill] \n", 8), 8);
}

static int target;

static int writer(void)
{
	for (;;)
		if (write(target, flood, FLOOD) < 0)
			return 3;
}

static int report[2];

static int sleeper(void)
{
	long max_gap = 0, last = now_us();
	for (int i = 0; i < SLEEPS; i++) {
		sleep_ms(5);
		long t = now_us();
		if (t - last > max_gap)
			max_gap = t - last;
		last = t;
	}
	return write(report[1], &max_gap, sizeof max_gap) == sizeof max_gap ? 0 : 3;
}

static void kill_the_writer(void)
{
	int master;
	target = open_target(&master);
	CHECK_OK(pipe(report));
	pid_t w = spawn(writer);
	sleep_ms(20);
	pid_t s = spawn(sleeper);
	/* The kill is due 300 ms on, after the sleeper's 40 rounds: a parent that oversleeps
	 * or a writer that finishes its write first both show as lateness. */
	long t0 = now_us();
	sleep_ms(300);
	CHECK_OK(kill(w, SIGKILL));
	int writer_status = wait_for(w);
	long late_us = now_us() - t0 - 300000;
	long max_gap = 0;
	CHECK_EQ(read(report[0], &max_gap, sizeof max_gap), sizeof max_gap);
	int sleeper_status = wait_for(s);
	end_flood_line();

	CHECK_EQ(sleeper_status, 0);
	if (max_gap > MAX_GAP_US)
		FAIL("a 5 ms sleeper waited %ld us while the terminal was written", max_gap);
	ok("a 5 ms sleeper keeps running while a 2 MiB write goes to the terminal");
	CHECK(WIFSIGNALED(writer_status) && WTERMSIG(writer_status) == SIGKILL);
	if (late_us > MAX_LATE_US)
		FAIL("the writer died of SIGKILL %ld us after it was due", late_us);
	ok("SIGKILL, sent on time, ends the writer in the middle of its 2 MiB write at once");
	if (!rill)
		close(target);
	if (master >= 0)
		close(master);
	close(report[0]);
	close(report[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int restart_flag;

/* Writes the flood once; a SIGALRM handler runs 50 ms in. Exit status 0: the write
 * returned a count between 1 and FLOOD - 1. */
static int interrupted_writer(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart_flag };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return 3;
	struct itimerval in_50ms = { { 0, 0 }, { 0, 50000 } };
	if (setitimer(ITIMER_REAL, &in_50ms, NULL) != 0)
		return 3;
	long n = write(target, flood, FLOOD);
	int e = errno;
	if (rill && write(1, "[rill] \n", 8) != 8)
		return 3;
	if (n < 0)
		return e == EINTR ? 4 : 5;
	return n > 0 && n < FLOOD ? 0 : 6;
}

static void interrupt_the_writer(int flags)
{
	int master;
	target = open_target(&master);
	restart_flag = flags;
	CHECK_EQ(wait_for(spawn(interrupted_writer)), 0);
	if (!rill)
		close(target);
	if (master >= 0)
		close(master);
}

int main(void)
{
	rill = on_rill();
	make_flood();
	kill_the_writer();
	interrupt_the_writer(0);
	ok("a handler run in the middle of a 2 MiB terminal write: the write returns the count written");
	interrupt_the_writer(SA_RESTART);
	ok("the same with SA_RESTART: a write that made progress is not restarted");
	return 0;
}
