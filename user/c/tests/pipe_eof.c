/* pipe_eof: when a pipe's reader sees end of file, and how much a read returns.
 * A read returns the bytes that are there (never waits to fill its buffer),
 * also through readv; a read of 0 bytes returns 0 at once. End of file (read
 * returns 0) comes only once every write end is closed: a dup'd end, one moved
 * by dup2, one inherited by a child (closed by its exit), and bytes written
 * before the last close are still read first. A reader blocked on an empty
 * pipe wakes with 0 when the last writer goes away. A watchdog alarm turns a
 * read that blocks when it should not into a FAIL line. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/uio.h>

static const char *blocked_in = "nothing";

static void watchdog(int sig)
{
	(void)sig;
	printf("FAIL: blocked for 10 s in %s\n", blocked_in);
	_exit(1);
}

/* Arms a 10 s alarm naming the call that might block; disarms with NULL. */
static void guard(const char *what)
{
	blocked_in = what ? what : "nothing";
	alarm(what ? 10 : 0);
}

/* O_NONBLOCK on or off for fd's open file description. */
static void set_nonblock(int fd, int on)
{
	int fl = CHECK_OK(fcntl(fd, F_GETFL));
	CHECK_OK(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
}

/* The pipe must be empty with a writer still open: EAGAIN, not end of file. */
static void check_no_eof(int r)
{
	char c;
	set_nonblock(r, 1);
	CHECK_ERR(read(r, &c, 1), EAGAIN);
	set_nonblock(r, 0);
}

static int blocked_reader_fd;

/* Child: blocks in read on an empty pipe until the last writer closes. */
static int read_until_eof(void)
{
	char c;
	guard("the child's read waiting for end of file");
	long n = read(blocked_reader_fd, &c, 1);
	if (n != 0)
		FAIL("child: read returned %ld (%s), want 0 (end of file)", n,
		     errname(errno));
	return 0;
}

int main(void)
{
	int p[2], p2[2];
	char buf[65536];

	signal(SIGALRM, watchdog);

	CHECK_OK(pipe(p));
	guard("read of a pipe holding 3 bytes");
	CHECK_EQ(write(p[1], "abc", 3), 3);
	CHECK_EQ(read(p[0], buf, sizeof buf), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	ok("read with a 64 KiB buffer returns the 3 bytes there");

	CHECK_EQ(write(p[1], "hello world", 11), 11);
	CHECK_EQ(read(p[0], buf, 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 6);
	CHECK(memcmp(buf, " world", 6) == 0);
	ok("a short read leaves the rest for the next read, in order");

	CHECK_EQ(write(p[1], "12", 2), 2);
	CHECK_EQ(write(p[1], "345", 3), 3);
	CHECK_EQ(read(p[0], buf, sizeof buf), 5);
	CHECK(memcmp(buf, "12345", 5) == 0);
	ok("two writes are read back by one read as one stream");

	guard("read of 0 bytes from an empty pipe");
	CHECK_EQ(read(p[0], buf, 0), 0);
	ok("read of 0 bytes from an empty pipe returns 0 at once");

	/* readv: the first buffer filled exactly, the pipe then empty. */
	guard("readv whose first buffer takes all the bytes there");
	char a[5], b[10];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	CHECK_EQ(write(p[1], "vwxyz", 5), 5);
	CHECK_EQ(readv(p[0], iov, 2), 5);
	CHECK(memcmp(a, "vwxyz", 5) == 0);
	CHECK_EQ(write(p[1], "0123456789AB", 12), 12);
	CHECK_EQ(readv(p[0], iov, 2), 12);
	CHECK(memcmp(a, "01234", 5) == 0 && memcmp(b, "56789AB", 7) == 0);
	ok("readv returns the bytes there, across buffers, without waiting");

	guard("read after the last writer closed");
	CHECK_EQ(write(p[1], "tail", 4), 4);
	CHECK_OK(close(p[1]));
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(memcmp(buf, "tail", 4) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	ok("bytes written before the last close come first, then 0 every time");
	CHECK_OK(close(p[0]));

	/* A dup'd write end keeps the pipe open after the original closes. */
	CHECK_OK(pipe(p));
	int w2 = CHECK_OK(dup(p[1]));
	int w3 = CHECK_OK(fcntl(p[1], F_DUPFD_CLOEXEC, 20));
	CHECK_OK(close(p[1]));
	check_no_eof(p[0]);
	CHECK_OK(close(w2));
	check_no_eof(p[0]);
	guard("read after closing every dup of the write end");
	CHECK_EQ(write(w3, "d", 1), 1);
	CHECK_OK(close(w3));
	CHECK_EQ(read(p[0], buf, sizeof buf), 1);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	ok("no end of file while a dup or F_DUPFD copy of the write end is open");
	CHECK_OK(close(p[0]));

	/* dup2 over the last write end closes it. */
	CHECK_OK(pipe(p));
	int devnull = CHECK_OK(open("/dev/null", O_RDONLY));
	check_no_eof(p[0]);
	guard("read after dup2 replaced the write end");
	CHECK_EQ(dup2(devnull, p[1]), p[1]);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	ok("dup2 over the only write end gives end of file");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_OK(close(devnull));

	/* A write end inherited by a child keeps the pipe open until it exits. */
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(p2)); /* tells the child when to go on */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char go;
		close(p[0]);
		close(p2[1]);
		guard("the child waiting for the parent's go");
		if (write(p[1], "x", 1) != 1 || read(p2[0], &go, 1) != 1)
			_exit(2);
		if (write(p[1], "late", 4) != 4)
			_exit(3);
		_exit(0); /* exit closes the inherited write end */
	}
	CHECK_OK(close(p[1]));
	CHECK_OK(close(p2[0]));
	guard("read of the child's first byte");
	CHECK_EQ(read(p[0], buf, 1), 1);
	CHECK_EQ(buf[0], 'x');
	check_no_eof(p[0]);
	ok("no end of file while a child holds an inherited write end");
	CHECK_EQ(write(p2[1], "g", 1), 1);
	guard("read of what the child wrote before exiting");
	size_t got = 0;
	long n;
	while ((n = read(p[0], buf + got, sizeof buf - got)) > 0)
		got += n;
	CHECK_EQ(n, 0);
	CHECK_EQ(got, 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	CHECK_EQ(wait_for(pid), 0);
	ok("the child's exit closes its end: its last bytes, then end of file");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p2[1]));

	/* A reader blocked on an empty pipe wakes with 0 when the writers go. */
	CHECK_OK(pipe(p));
	w2 = CHECK_OK(dup(p[1]));
	blocked_reader_fd = p[0];
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		close(w2);
		_exit(read_until_eof());
	}
	CHECK_OK(close(p[0]));
	sleep_ms(100);
	CHECK_OK(close(p[1]));
	sleep_ms(100);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), 0);
	ok("a blocked reader keeps waiting while one write end is left");
	CHECK_OK(close(w2));
	guard("waiting for the child blocked in read");
	CHECK_EQ(wait_for(pid), 0);
	ok("closing the last write end wakes the blocked reader with 0");
	guard(NULL);
	return 0;
}
