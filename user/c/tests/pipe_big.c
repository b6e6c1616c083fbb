/* pipe_big: one write of 1 MiB through a 64 KiB pipe.
 * The parent writes 1 MiB in a single write call, which returns 1048576 once
 * a reader child has taken it all in pieces (3000-byte reads); the child
 * checks every byte against the pattern, a checksum, and end of file. Then
 * the other way round: a child writes 1 MiB in one call, the parent reads it
 * with one large read per call, slowly at first so the writer waits. */
#include "rilltest.h"

#define MIB (1024 * 1024)

static unsigned char data[MIB], got[MIB];
static int rfd, wfd;

static unsigned char pattern(long i)
{
	return (unsigned char)(i ^ (i >> 8) ^ (i >> 16) * 37);
}

/* Fletcher-style checksum of len bytes. */
static unsigned long checksum(const unsigned char *p, long len)
{
	unsigned long a = 1, b = 0;
	for (long i = 0; i < len; i++) {
		a = (a + p[i]) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

/* Reads until end of file with reads of at most chunk bytes; returns the total. */
static long read_all(int fd, long chunk, int slow)
{
	long total = 0, n;
	while ((n = read(fd, got + total, chunk < MIB - total ? chunk : MIB - total)) > 0) {
		total += n;
		if (slow && total < 4 * 65536)
			sleep_ms(5);
		if (total == MIB)
			break;
	}
	CHECK(n >= 0);
	CHECK_EQ(read(fd, got, 1), 0);
	return total;
}

static void check_data(long total)
{
	CHECK_EQ(total, MIB);
	for (long i = 0; i < MIB; i++)
		if (got[i] != pattern(i))
			FAIL("byte %ld is 0x%02x, want 0x%02x", i, got[i], pattern(i));
	CHECK_EQ(checksum(got, MIB), checksum(data, MIB));
}

static int reader_child(void)
{
	close(wfd);
	check_data(read_all(rfd, 3000, 0));
	return 0;
}

static int writer_child(void)
{
	close(rfd);
	CHECK_EQ(write(wfd, data, MIB), MIB);
	return 0;
}

int main(void)
{
	int p[2];

	for (long i = 0; i < MIB; i++)
		data[i] = pattern(i);

	CHECK_OK(pipe(p));
	rfd = p[0];
	wfd = p[1];
	pid_t pid = spawn(reader_child);
	CHECK_OK(close(rfd));
	CHECK_EQ(write(wfd, data, MIB), MIB);
	CHECK_OK(close(wfd));
	CHECK_EQ(wait_for(pid), 0);
	printf("ok: one write of 1 MiB returns %d; the reader child got it intact\n", MIB);

	CHECK_OK(pipe(p));
	rfd = p[0];
	wfd = p[1];
	pid = spawn(writer_child);
	CHECK_OK(close(wfd));
	memset(got, 0, sizeof got);
	check_data(read_all(rfd, MIB, 1));
	CHECK_EQ(wait_for(pid), 0);
	CHECK_OK(close(rfd));
	printf("ok: a child's 1 MiB write, read by the parent: checksum 0x%08lx\n",
	       checksum(got, MIB));
	return 0;
}
