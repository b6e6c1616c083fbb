/* pipe_atomic: writes of PIPE_BUF bytes are never split or interleaved.
 * First one writer: with 2048 bytes free, a blocking write of PIPE_BUF (4096)
 * bytes, by write or by writev of two 2048-byte halves, puts nothing in the
 * pipe while it waits, and all of it once there is room. Then four children
 * write 500 records each into one pipe at the same time, a record being
 * PIPE_BUF bytes of the writer's letter. The parent reads with uneven sizes,
 * yielding after each read so that writers meet a partly full pipe, and
 * checks that the stream is whole records, 500 of each letter, then end of
 * file. The same with writev: atomicity belongs to the call's total length
 * (pipe(7)), however many buffers it gathers from. */
#include "rilltest.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#define WRITERS 4
#define RECORDS 500

static int wfd, rfd, use_writev;

/* Writes records records of PIPE_BUF bytes of the letter 'A' + id. */
static int writer(int id, int records)
{
	static char rec[PIPE_BUF];
	memset(rec, 'A' + id, sizeof rec);
	struct iovec halves[2] = { { rec, PIPE_BUF / 2 }, { rec + PIPE_BUF / 2, PIPE_BUF / 2 } };
	close(rfd);
	for (int i = 0; i < records; i++) {
		long n = use_writev ? writev(wfd, halves, 2) : write(wfd, rec, sizeof rec);
		if (n != PIPE_BUF)
			FAIL("writer %c: record %d: wrote %ld (%s)", 'A' + id, i, n,
			     errname(errno));
	}
	return 0;
}

static void run(int with_writev)
{
	static char buf[16384];
	static const long sizes[] = { 1000, 3000, 2500, 7777, 333, 16384 };
	int p[2];
	pid_t pids[WRITERS];
	long count[WRITERS] = { 0 };

	CHECK_OK(pipe(p));
	rfd = p[0];
	wfd = p[1];
	use_writev = with_writev;
	for (int id = 0; id < WRITERS; id++) {
		pids[id] = fork();
		CHECK(pids[id] >= 0);
		if (pids[id] == 0)
			_exit(writer(id, RECORDS));
	}
	CHECK_OK(close(wfd));

	long off = 0, n;
	char cur = 0;
	for (int k = 0; (n = read(rfd, buf, sizes[k % 6])) > 0; k++) {
		sched_yield(); /* let writers in while the pipe is partly full */
		for (long i = 0; i < n; i++, off++) {
			if (off % PIPE_BUF == 0) {
				cur = buf[i];
				if (cur < 'A' || cur >= 'A' + WRITERS)
					FAIL("record %ld starts with byte 0x%02x", off / PIPE_BUF,
					     (unsigned char)cur);
				count[cur - 'A']++;
			} else if (buf[i] != cur) {
				FAIL("record %ld (of %c) has a %c at byte %ld: interleaved",
				     off / PIPE_BUF, cur, buf[i], off % PIPE_BUF);
			}
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(off, (long)WRITERS * RECORDS * PIPE_BUF);
	for (int id = 0; id < WRITERS; id++) {
		CHECK_EQ(count[id], RECORDS);
		CHECK_EQ(wait_for(pids[id]), 0);
	}
	CHECK_OK(close(rfd));
}

static int fionread(int fd)
{
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	return n;
}

/* One writer, PIPE_BUF bytes, 2048 bytes free: all or nothing. */
static void waits_whole(int with_writev)
{
	static char buf[65536];
	int p[2];
	CHECK_OK(pipe2(p, O_NONBLOCK));
	while (write(p[1], buf, 4096) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	CHECK_OK(fcntl(p[0], F_SETFL, 0));
	CHECK_OK(fcntl(p[1], F_SETFL, 0));
	CHECK_EQ(read(p[0], buf, 2048), 2048);
	rfd = p[0];
	wfd = p[1];
	use_writev = with_writev;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(writer(0, 1));
	sleep_ms(200);
	CHECK_EQ(fionread(rfd), 65536 - 2048);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	CHECK_EQ(read(rfd, buf, 65536 - 2048), 65536 - 2048);
	CHECK_EQ(wait_for(pid), 0);
	CHECK_EQ(fionread(rfd), PIPE_BUF);
	CHECK_EQ(read(rfd, buf, sizeof buf), PIPE_BUF);
	CHECK(buf[0] == 'A' && memcmp(buf, buf + 1, PIPE_BUF - 1) == 0);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
}

int main(void)
{
	CHECK_EQ(PIPE_BUF, 4096);
	waits_whole(0);
	ok("a blocked write of 4096 bytes with 2048 free: nothing in, then all");
	waits_whole(1);
	ok("a blocked writev of 2 x 2048 bytes with 2048 free: nothing in, then all");
	run(0);
	printf("ok: %d writers x %d records of %d bytes by write: all whole\n", WRITERS,
	       RECORDS, PIPE_BUF);
	run(1);
	printf("ok: %d writers x %d records of 2 x %d bytes by writev: all whole\n",
	       WRITERS, RECORDS, PIPE_BUF / 2);
	return 0;
}
