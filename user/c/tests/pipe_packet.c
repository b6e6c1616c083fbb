/* pipe_packet: "packet mode" pipes, pipe2(O_DIRECT) (pipe(2), since Linux 3.4).
 * O_DIRECT is a flag of the write end only (F_GETFL of the read end does not
 * show it). Each write becomes a packet, or several of at most PIPE_BUF bytes
 * when larger; a read returns at most one packet, and a read smaller than the
 * packet takes what fits and discards the rest. F_SETFL can turn the mode on
 * and off on the write end of an ordinary pipe; packets already written stay
 * packets. End of file comes after the last packet. */
#include "rilltest.h"
#include <fcntl.h>

static char buf[65536];

int main(void)
{
	int p[2];

	CHECK_OK(pipe2(p, O_DIRECT));
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_DIRECT);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	ok("pipe2(O_DIRECT): the write end is O_WRONLY|O_DIRECT, the read end O_RDONLY");

	CHECK_EQ(write(p[1], "abc", 3), 3);
	CHECK_EQ(write(p[1], "de", 2), 2);
	CHECK_EQ(read(p[0], buf, sizeof buf), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK(memcmp(buf, "de", 2) == 0);
	ok("two writes, two packets: each read returns one (3 bytes, then 2)");

	CHECK_EQ(write(p[1], "abcdef", 6), 6);
	CHECK_EQ(write(p[1], "next", 4), 4);
	CHECK_EQ(read(p[0], buf, 2), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(memcmp(buf, "next", 4) == 0);
	ok("a 2-byte read of a 6-byte packet takes 2 bytes and discards the other 4");

	memset(buf, 'x', 10000);
	CHECK_EQ(write(p[1], buf, 10000), 10000);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4096);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4096);
	CHECK_EQ(read(p[0], buf, sizeof buf), 1808);
	ok("a 10000-byte write is three packets: 4096, 4096, 1808");

	CHECK_EQ(write(p[1], "last", 4), 4);
	CHECK_OK(close(p[1]));
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	CHECK_OK(close(p[0]));
	ok("after the writer closes: the last packet, then end of file");

	CHECK_OK(pipe(p));
	CHECK_OK(fcntl(p[1], F_SETFL, O_DIRECT));
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_DIRECT);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_EQ(write(p[1], "cd", 2), 2);
	CHECK_OK(fcntl(p[1], F_SETFL, 0));
	CHECK_EQ(write(p[1], "ef", 2), 2);
	CHECK_EQ(write(p[1], "gh", 2), 2);
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK(memcmp(buf, "cd", 2) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(memcmp(buf, "efgh", 4) == 0);
	ok("F_SETFL O_DIRECT on an ordinary pipe: packets; cleared: a stream again");
	return 0;
}
