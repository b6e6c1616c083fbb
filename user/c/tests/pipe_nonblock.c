/* pipe_nonblock: O_NONBLOCK pipes and the pipe's capacity.
 * pipe2(O_NONBLOCK) and fcntl F_SETFL/FIONBIO set the flag on the open file
 * description (a dup shares it); an empty non-blocking read end gives EAGAIN,
 * or 0 once no writer is left. A new pipe holds exactly 65536 bytes
 * (F_GETPIPE_SZ), filled by 1-byte or by 4096-byte non-blocking writes; then
 * writes give EAGAIN and FIONREAD says 65536. A write of at most PIPE_BUF bytes
 * goes in whole or not at all, also when writev gathers it from two buffers;
 * a larger one moves what fits. F_SETPIPE_SZ
 * rounds up to a power of two pages (100000 -> 131072, 0 -> 4096), a pipe
 * grown to 1 MiB fills to 1 MiB, shrinking below the bytes held is EBUSY and
 * the bytes survive a resize in order. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#define MIB (1024 * 1024)

/* big holds the byte pattern written; reads that do not check go to sink. */
static char big[MIB + 4096], sink[MIB];

static long fionread(int fd)
{
	int n = -1;
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	return n;
}

/* Writes count-byte blocks from big until EAGAIN; returns the bytes written. */
static long fill(int w, size_t count)
{
	long total = 0, n;
	while ((n = write(w, big, count)) > 0) {
		CHECK_EQ(n, count);
		total += n;
	}
	CHECK_EQ(n, -1);
	if (errno != EAGAIN)
		FAIL("filling write errno got %s want EAGAIN", errname(errno));
	return total;
}

/* Reads exactly len bytes (the pipe must hold them); checks them against
 * the pattern byte at stream offset *pos. */
static void drain(int r, long len, long *pos)
{
	static char buf[65536];
	while (len > 0) {
		long want = len < (long)sizeof buf ? len : (long)sizeof buf;
		long n = CHECK_OK(read(r, buf, want));
		CHECK(n > 0);
		for (long i = 0; i < n; i++)
			if (buf[i] != (char)((*pos + i) * 7 / 3))
				FAIL("byte %ld of the stream is wrong", *pos + i);
		*pos += n;
		len -= n;
	}
}

int main(void)
{
	int p[2];
	char c;

	for (long i = 0; i < (long)sizeof big; i++)
		big[i] = (char)(i * 7 / 3);

	/* pipe2(O_NONBLOCK) */
	CHECK_OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	CHECK_OK(close(p[1]));
	CHECK_EQ(read(p[0], &c, 1), 0);
	CHECK_OK(close(p[0]));
	ok("pipe2(O_NONBLOCK): F_GETFL O_RDONLY|O_NONBLOCK and O_WRONLY|O_NONBLOCK");
	ok("empty non-blocking read: EAGAIN with a writer, 0 without");

	/* fcntl(F_SETFL) on a dup, FIONBIO */
	CHECK_OK(pipe(p));
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
	int r2 = CHECK_OK(dup(p[0]));
	CHECK_OK(fcntl(r2, F_SETFL, O_NONBLOCK));
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	CHECK_OK(fcntl(p[0], F_SETFL, 0));
	CHECK_EQ(fcntl(r2, F_GETFL), O_RDONLY);
	int on = 1;
	CHECK_OK(ioctl(p[0], FIONBIO, &on));
	CHECK_EQ(fcntl(r2, F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_ERR(read(r2, &c, 1), EAGAIN);
	CHECK_OK(close(r2));
	ok("F_SETFL and FIONBIO set O_NONBLOCK on the description a dup shares");

	/* 1-byte writes fill exactly 64 KiB. */
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	CHECK_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	CHECK_EQ(fill(p[1], 1), 65536);
	CHECK_EQ(fionread(p[0]), 65536);
	CHECK_ERR(write(p[1], big, 4096), EAGAIN);
	CHECK_ERR(write(p[1], big, 5000), EAGAIN);
	ok("F_GETPIPE_SZ 65536; 1-byte non-blocking writes stop at 65536 bytes");
	CHECK_EQ(read(p[0], sink, 4096), 4096);
	CHECK_EQ(write(p[1], big, 4096), 4096);
	CHECK_ERR(write(p[1], big, 1), EAGAIN);
	ok("reading 4096 bytes of a full pipe makes room for 4096 more");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));

	/* 4096-byte writes fill exactly 64 KiB too. */
	CHECK_OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(fill(p[1], 4096), 65536);
	CHECK_EQ(fionread(p[0]), 65536);
	CHECK_ERR(write(p[1], big, 1), EAGAIN);
	ok("4096-byte non-blocking writes: 16 go in, then EAGAIN");

	/* Atomic writes of at most PIPE_BUF bytes: whole or EAGAIN. */
	CHECK_EQ(read(p[0], sink, 100), 100);
	CHECK_ERR(write(p[1], big, 200), EAGAIN);
	CHECK_EQ(fionread(p[0]), 65436);
	ok("a non-blocking write of 200 bytes with 100 free: EAGAIN, nothing written");
	CHECK_EQ(read(p[0], sink, 1948), 1948);
	struct iovec halves[2] = { { big, 2048 }, { big + 2048, 2048 } };
	CHECK_ERR(writev(p[1], halves, 2), EAGAIN);
	CHECK_EQ(fionread(p[0]), 65536 - 2048);
	ok("a non-blocking writev of 2 x 2048 bytes with 2048 free: EAGAIN, nothing written");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));

	/* A write larger than PIPE_BUF moves what fits. */
	long pos = 0, sent;
	CHECK_OK(pipe2(p, O_NONBLOCK));
	CHECK_EQ(write(p[1], big, 100000), 65536);
	CHECK_ERR(write(p[1], big + 65536, 5000), EAGAIN);
	drain(p[0], 8192, &pos);
	CHECK_EQ(write(p[1], big + 65536, 10000), 8192);
	sent = 65536 + 8192;
	drain(p[0], sent - pos, &pos);
	CHECK_ERR(read(p[0], sink, 1), EAGAIN);
	ok("non-blocking writes over PIPE_BUF: 100000 -> 65536, then 10000 -> 8192 free");

	/* F_SETPIPE_SZ rounding. */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 131072);
	CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 0), 4096);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 4096);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4097), 8192);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, (1UL << 31) + 1), EINVAL);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	ok("F_SETPIPE_SZ: 100000 -> 131072, 0 -> 4096, 4097 -> 8192, >2^31 EINVAL");

	/* A 4096-byte pipe. */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	CHECK_EQ(fill(p[1], 1), 4096);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	CHECK_EQ(fill(p[1], 4096), 4096);
	CHECK_EQ(fionread(p[0]), 8192);
	CHECK_EQ(read(p[0], sink, sizeof sink), 8192);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
	ok("a 4096-byte pipe fills with 4096 bytes; grown to 8192 it takes 4096 more");

	/* Grow to 1 MiB and fill it; shrink below what it holds: EBUSY. */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, MIB), MIB);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), MIB);
	CHECK_EQ(fill(p[1], 4096), MIB);
	CHECK_EQ(fionread(p[0]), MIB);
	ok("F_SETPIPE_SZ 1 MiB: the pipe fills to 1 MiB");
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 65536), EBUSY);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, MIB / 2), EBUSY);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), MIB);
	CHECK_EQ(read(p[0], sink, MIB - 65536), MIB - 65536);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
	CHECK_ERR(write(p[1], big, 1), EAGAIN);
	CHECK_EQ(fionread(p[0]), 65536);
	ok("shrinking below the bytes held: EBUSY; to exactly the bytes held: full");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));

	/* Bytes held survive a resize, in order. */
	CHECK_OK(pipe2(p, O_NONBLOCK));
	pos = 0;
	CHECK_EQ(write(p[1], big, 65536), 65536);
	drain(p[0], 40000, &pos);
	CHECK_EQ(write(p[1], big + 65536, 30000), 30000); /* wraps around */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 262144), 262144);
	CHECK_EQ(write(p[1], big + 95536, 100000), 100000);
	CHECK_EQ(fionread(p[0]), 155536);
	drain(p[0], 155536 - 40960, &pos);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
	drain(p[0], 40960, &pos);
	CHECK_EQ(pos, 195536);
	CHECK_ERR(read(p[0], sink, 1), EAGAIN);
	ok("the bytes held survive growing and shrinking, in order");
	return 0;
}
