/* pipe_ring: 64 processes in a ring of 64 pipes pass a token around.
 * Process i reads the token from pipe i-1 and writes it, plus one, to pipe i;
 * the parent is process 0. The token is the number of hops so far, so every
 * process can check that it sees exactly every 64th value: no token lost or
 * duplicated. After 157 laps (10048 hops) the parent closes its write end
 * and end of file travels round the ring: each child sees it only because no
 * stray copy of any write end was inherited, and exits. A 10-lap ring runs
 * first for warm-up, then MemFree (/proc/meminfo) is read before and after a
 * second, full run; on Rill the two readings must be equal. A watchdog alarm
 * turns a deadlock into a FAIL line. */
#include "rilltest.h"
#include <fcntl.h>

#define PROCS 64
#define LAPS 157

static int laps; /* of the run under way */

/* MemFree in kB; reads into a static buffer so the parent allocates nothing. */
static long mem_free_kb(void)
{
	static char text[4096];
	int fd = CHECK_OK(open("/proc/meminfo", O_RDONLY));
	long n = CHECK_OK(read(fd, text, sizeof text - 1));
	CHECK_OK(close(fd));
	text[n] = '\0';
	char *line = strstr(text, "MemFree:");
	CHECK(line != NULL);
	return strtol(line + strlen("MemFree:"), NULL, 10);
}

static void watchdog(int sig)
{
	(void)sig;
	printf("FAIL: the ring made no progress for 60 s (deadlock?)\n");
	_exit(1);
}

/* Ring member i (1..PROCS-1): forwards tokens until end of file. */
static int member(int i, int in, int out)
{
	int token, seen = 0;
	long n;
	while ((n = read(in, &token, sizeof token)) == sizeof token) {
		if (token != seen * PROCS + i - 1)
			FAIL("member %d: token %d, want %d", i, token, seen * PROCS + i - 1);
		seen++;
		token++;
		if (write(out, &token, sizeof token) != sizeof token)
			FAIL("member %d: write failed with %s", i, errname(errno));
	}
	if (n != 0)
		FAIL("member %d: read returned %ld (%s), want end of file", i, n,
		     errname(errno));
	if (seen != laps)
		FAIL("member %d: saw %d tokens, want %d", i, seen, laps);
	return 0;
}

/* Builds the ring, sends the token round n times, tears the ring down;
 * returns the hop count. */
static long run_ring(int n)
{
	int first[2], p[2];
	pid_t pids[PROCS];

	laps = n; /* before the forks: the members check it */
	CHECK_OK(pipe(first));
	int prev_r = first[0];
	for (int i = 1; i < PROCS; i++) {
		CHECK_OK(pipe(p));
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			/* Keep only this member's two ends. */
			close(first[1]);
			close(p[0]);
			_exit(member(i, prev_r, p[1]));
		}
		CHECK_OK(close(prev_r));
		CHECK_OK(close(p[1]));
		prev_r = p[0];
	}

	int token = 0;
	long hops = 0;
	alarm(60);
	for (int lap = 0; lap < laps; lap++) {
		CHECK_EQ(write(first[1], &token, sizeof token), sizeof token);
		CHECK_EQ(read(prev_r, &token, sizeof token), sizeof token);
		CHECK_EQ(token, (lap + 1) * PROCS - 1);
		token++;
		hops += PROCS;
	}
	CHECK_OK(close(first[1]));
	CHECK_EQ(read(prev_r, &token, sizeof token), 0);
	alarm(0);
	CHECK_OK(close(prev_r));
	for (int i = 1; i < PROCS; i++)
		CHECK_EQ(wait_for(pids[i]), 0);
	return hops;
}

int main(void)
{
	signal(SIGALRM, watchdog);
	CHECK_EQ(run_ring(10), 10L * PROCS);
	mem_free_kb(); /* warm-up: fault in the buffer before the real reading */
	long before = mem_free_kb();
	CHECK(before > 0);
	long hops = run_ring(LAPS);
	long after = mem_free_kb();
	printf("ok: %d processes, %ld hops (%d laps), every token seen once, in order\n",
	       PROCS, hops, LAPS);
	printf("ok: end of file went round the ring; all %d children exited 0\n",
	       PROCS - 1);
	if (on_rill() && after != before)
		FAIL("MemFree was %ld kB before the ring and %ld kB after (%+ld kB)",
		     before, after, after - before);
	printf("ok: MemFree the same before and after (checked on Rill)\n");
	return 0;
}
