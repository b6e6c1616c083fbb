/* fifo_poll: poll(2) and select(2) on FIFO ends (fifo(7), pipe(7)).
 * A reader that has never seen a writer is not hung up: no POLLHUP, and
 * select does not report it readable. Once a writer has come and gone the
 * reader gets POLLHUP (with POLLIN while bytes remain), also when the writer
 * was already there before the reader opened; a reader opened after the
 * writers left is again not hung up. A write end has POLLOUT, and POLLERR
 * when no reader is left; an O_RDWR end is never hung up. A poll with no
 * timeout wakes when a writer in another process writes. */
#include "rilltest.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/stat.h>

#define NAME_LEN 64
static char fifo[NAME_LEN];

/* The revents of fd, polled for reading and writing without waiting. */
static int revents(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	int n = poll(&p, 1, 0);
	if (n < 0)
		FAIL("poll failed with %s", errname(errno));
	if (n != (p.revents != 0))
		FAIL("poll returned %d with revents 0x%x", n, p.revents);
	return p.revents;
}

static int select_readable(int fd)
{
	fd_set set;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&set);
	FD_SET(fd, &set);
	int n = select(fd + 1, &set, NULL, NULL, &tv);
	if (n < 0)
		FAIL("select failed with %s", errname(errno));
	return n == 1 && FD_ISSET(fd, &set);
}

static void reader_states(void)
{
	char buf[8];

	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_EQ(revents(r), 0);
	CHECK_EQ(select_readable(r), 0);
	ok("a reader that never saw a writer: no events, no POLLHUP, select not readable");

	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(revents(r), 0);
	CHECK_EQ(revents(w), POLLOUT);
	CHECK_EQ(write(w, "abc", 3), 3);
	CHECK_EQ(revents(r), POLLIN);
	ok("with a writer: the reader gets POLLIN once bytes arrive, the writer POLLOUT");

	/* A second reader opened while the writer is there. */
	int r2 = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_OK(close(w));
	CHECK_EQ(revents(r), POLLIN | POLLHUP);
	CHECK_EQ(revents(r2), POLLIN | POLLHUP);
	CHECK_EQ(select_readable(r), 1);
	CHECK_EQ(read(r, buf, sizeof buf), 3);
	CHECK_EQ(revents(r), POLLHUP);
	CHECK_EQ(revents(r2), POLLHUP);
	CHECK_EQ(select_readable(r2), 1);
	CHECK_EQ(read(r2, buf, sizeof buf), 0);
	ok("after the writer closed: POLLIN|POLLHUP, then POLLHUP and EOF");
	ok("a reader opened while the writer was there is hung up too");

	/* A reader opened after the writer left has not seen a writer. */
	int r3 = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_EQ(revents(r3), 0);
	CHECK_EQ(revents(r), POLLHUP);
	ok("a reader opened after the writers left: no POLLHUP");

	/* A new writer ends the hang-up for everyone. */
	w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(revents(r), 0);
	CHECK_EQ(revents(r3), 0);
	CHECK_OK(close(w));
	CHECK_EQ(revents(r3), POLLHUP);
	ok("a writer that opens and closes hangs up every reader again");

	CHECK_OK(close(r3));
	CHECK_OK(close(r2));
	CHECK_OK(close(r));
}

static void writer_and_rdwr_states(void)
{
	char buf[8];

	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_OK(close(r));
	CHECK_EQ(revents(w), POLLOUT | POLLERR);
	CHECK_OK(close(w));
	ok("a write end with no reader left: POLLOUT|POLLERR");

	int rw = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	CHECK_EQ(revents(rw), POLLOUT);
	CHECK_EQ(write(rw, "x", 1), 1);
	CHECK_EQ(revents(rw), POLLIN | POLLOUT);
	CHECK_EQ(read(rw, buf, sizeof buf), 1);
	w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_OK(close(w));
	CHECK_EQ(revents(rw), POLLOUT);
	CHECK_OK(close(rw));
	ok("an O_RDWR end: POLLOUT, POLLIN with data, never POLLHUP");
}

static int late_writer(void)
{
	int fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 20;
	sleep_ms(200);
	return write(fd, "w", 1) == 1 ? 0 : 21;
}

static void blocking_poll(void)
{
	char c;

	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	pid_t pid = spawn(late_writer);
	struct pollfd p = { r, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK(p.revents & POLLIN);
	CHECK_EQ(read(r, &c, 1), 1);
	CHECK_EQ(c, 'w');
	CHECK_EQ(wait_for(pid), 0);
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLHUP);
	CHECK_OK(close(r));
	ok("poll without a timeout wakes for another process's write, then POLLHUP");
}

int main(void)
{
	snprintf(fifo, sizeof fifo, "/tmp/fifo_poll_%d", (int)getpid());
	CHECK_OK(mkfifo(fifo, 0600));
	reader_states();
	writer_and_rdwr_states();
	blocking_poll();
	CHECK_OK(unlink(fifo));
	return 0;
}
