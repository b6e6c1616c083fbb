/* pipe_bigwrite: large writes (64 KiB and more) through a pipe, the path where Rill copies
 * a write straight into a waiting reader's buffer and then lets that reader run first.
 * Every byte arrives in order whatever sizes the reads have; other writers' writes of at
 * most PIPE_BUF bytes stay whole between the big ones; a signal that interrupts a writer
 * blocked in a big write makes the write return the bytes it got through; a reader that
 * closes under a blocked writer gives it SIGPIPE and the same partial count. */
#include "rilltest.h"
#include <limits.h>
#include <sys/ioctl.h>

#define TOTAL (4 << 20)
#define CHUNK 65536

static int fds[2];
static unsigned char chunk[CHUNK];

/* The byte at stream position p: differs between neighbouring bytes and pages. */
static unsigned char byte_at(long p)
{
	return (unsigned char)(p ^ (p >> 8) ^ (p >> 16) ^ 0x5a);
}

static int ordered_writer(void)
{
	close(fds[0]);
	for (long at = 0; at < TOTAL; at += CHUNK) {
		for (long i = 0; i < CHUNK; i++)
			chunk[i] = byte_at(at + i);
		CHECK_EQ(write(fds[1], chunk, CHUNK), CHUNK);
	}
	return 0;
}

/* Reads of several sizes, some larger than a write, some not a multiple of a page. */
static void ordered_bytes(void)
{
	static unsigned char in[3 * CHUNK];
	static const size_t sizes[] = { CHUNK, 1000, 3 * CHUNK, 4099, CHUNK, 2 * CHUNK + 7 };
	CHECK_OK(pipe(fds));
	pid_t pid = spawn(ordered_writer);
	close(fds[1]);
	long at = 0;
	for (int k = 0;; k++) {
		ssize_t n = read(fds[0], in, sizes[k % 6]);
		CHECK(n >= 0);
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (in[i] != byte_at(at + i))
				FAIL("byte %ld is %d, not %d", at + i, in[i], byte_at(at + i));
		at += n;
	}
	CHECK_EQ(at, TOTAL);
	CHECK_EQ(wait_for(pid), 0);
	close(fds[0]);
}

static int big_writer(unsigned char fill)
{
	static unsigned char big[CHUNK];
	close(fds[0]);
	memset(big, fill, sizeof big);
	for (int i = 0; i < 32; i++)
		CHECK_EQ(write(fds[1], big, sizeof big), (ssize_t)sizeof big);
	return 0;
}

static int big_writer_a(void)
{
	return big_writer('A');
}

static int big_writer_b(void)
{
	return big_writer('B');
}

static int small_writer(void)
{
	static unsigned char rec[PIPE_BUF];
	close(fds[0]);
	memset(rec, 's', sizeof rec);
	for (int i = 0; i < 256; i++)
		CHECK_EQ(write(fds[1], rec, sizeof rec), (ssize_t)sizeof rec);
	return 0;
}

/* Two writers of 64 KiB writes and one of PIPE_BUF writes: the small ones' bytes come
 * in runs of whole writes. */
static void small_writes_whole(void)
{
	static unsigned char in[CHUNK];
	CHECK_OK(pipe(fds));
	pid_t a = spawn(big_writer_a), b = spawn(big_writer_b), s = spawn(small_writer);
	close(fds[1]);
	long counts[256] = { 0 }, run = 0;
	ssize_t n;
	while ((n = read(fds[0], in, sizeof in)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			counts[in[i]]++;
			if (in[i] == 's') {
				run++;
			} else if (run) {
				if (run % PIPE_BUF)
					FAIL("a run of %ld bytes of PIPE_BUF writes", run);
				run = 0;
			}
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(run % PIPE_BUF, 0);
	CHECK_EQ(counts['A'], 32L * CHUNK);
	CHECK_EQ(counts['B'], 32L * CHUNK);
	CHECK_EQ(counts['s'], 256L * PIPE_BUF);
	CHECK_EQ(wait_for(a), 0);
	CHECK_EQ(wait_for(b), 0);
	CHECK_EQ(wait_for(s), 0);
	close(fds[0]);
}

static int report[2];
static volatile sig_atomic_t sigpipes;

static void on_usr1(int sig)
{
	(void)sig;
}

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* Child: one write of 1 MiB; sends back what it returned, its errno and the SIGPIPEs. */
static int blocked_writer(void)
{
	static unsigned char big[1 << 20];
	close(fds[0]);
	close(report[0]);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1; /* no SA_RESTART */
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	sa.sa_handler = on_sigpipe;
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	errno = 0;
	long r[3] = { write(fds[1], big, sizeof big), errno, 0 };
	r[2] = sigpipes;
	CHECK_EQ(write(report[1], r, sizeof r), (ssize_t)sizeof r);
	return 0;
}

/* Reads 24 pages from a blocked writer's pipe and waits until the writer has filled the
 * pipe again (it is then blocked with the rest of its write). */
static pid_t writer_blocked_after_reading(void)
{
	static unsigned char page[4096];
	CHECK_OK(pipe(fds));
	CHECK_OK(pipe(report));
	pid_t pid = spawn(blocked_writer);
	close(fds[1]);
	close(report[1]);
	for (int i = 0; i < 24; i++) {
		size_t got = 0;
		while (got < sizeof page) {
			ssize_t n = read(fds[0], page + got, sizeof page - got);
			CHECK(n > 0);
			got += (size_t)n;
		}
	}
	int queued = 0;
	for (int tries = 0; tries < 300 && queued != 65536; tries++) {
		sleep_ms(10);
		CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
	}
	CHECK_EQ(queued, 65536);
	sleep_ms(20);
	return pid;
}

static void interrupted_big_write(void)
{
	pid_t pid = writer_blocked_after_reading();
	CHECK_OK(kill(pid, SIGUSR1));
	long r[3];
	CHECK_EQ(read(report[0], r, sizeof r), (ssize_t)sizeof r);
	CHECK_EQ(r[0], 24L * 4096 + 65536);
	CHECK_EQ(r[2], 0L);
	static unsigned char rest[CHUNK];
	long drained = 0;
	ssize_t n;
	while ((n = read(fds[0], rest, sizeof rest)) > 0)
		drained += n;
	CHECK_EQ(n, 0);
	CHECK_EQ(drained, 65536L);
	CHECK_EQ(wait_for(pid), 0);
	close(fds[0]);
	close(report[0]);
}

static void reader_gone_under_big_write(void)
{
	pid_t pid = writer_blocked_after_reading();
	close(fds[0]);
	long r[3];
	CHECK_EQ(read(report[0], r, sizeof r), (ssize_t)sizeof r);
	CHECK_EQ(r[0], 24L * 4096 + 65536);
	CHECK_EQ(r[2], 1L);
	CHECK_EQ(wait_for(pid), 0);
	close(report[0]);
}

int main(void)
{
	alarm(60);
	ordered_bytes();
	ok("4 MiB in 64 KiB writes arrive in order through reads of mixed sizes");
	small_writes_whole();
	ok("PIPE_BUF writes stay whole between two writers' 64 KiB writes");
	interrupted_big_write();
	ok("a signal interrupting a blocked 1 MiB write returns the bytes written");
	reader_gone_under_big_write();
	ok("the reader closing under a blocked 1 MiB write: SIGPIPE and the bytes written");
	return 0;
}
