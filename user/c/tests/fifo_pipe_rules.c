/* fifo_pipe_rules: a FIFO follows the pipe's write rules (pipe(7)).
 * PIPE_BUF atomicity: writes of PIPE_BUF bytes from two processes are never
 * interleaved, and a non-blocking write of PIPE_BUF bytes with less room
 * fails with EAGAIN having written nothing. SIGPIPE: writing with no reader
 * left kills the writer with SIGPIPE, or fails with EPIPE when SIGPIPE is
 * ignored. */
#include "rilltest.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define NAME_LEN 64
static char fifo[NAME_LEN];

#define BLOCKS 32
static int ready_pipe[2];

/* Opens the write end, reports ready, writes BLOCKS blocks of PIPE_BUF
 * copies of letter, one write each. */
static pid_t spawn_block_writer(char letter)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		static char block[PIPE_BUF];
		memset(block, letter, sizeof block);
		int fd = open(fifo, O_WRONLY);
		if (fd < 0 || write(ready_pipe[1], "r", 1) != 1)
			_exit(20);
		for (int i = 0; i < BLOCKS; i++)
			if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
				_exit(21);
		_exit(0);
	}
	return pid;
}

static void atomic_blocks(void)
{
	static char data[2 * BLOCKS * PIPE_BUF + 1];
	size_t got = 0;
	char c;

	CHECK_OK(pipe(ready_pipe));
	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	pid_t a = spawn_block_writer('A');
	pid_t b = spawn_block_writer('B');
	CHECK_EQ(read(ready_pipe[0], &c, 1), 1);
	CHECK_EQ(read(ready_pipe[0], &c, 1), 1);
	/* Both writers are open: read (blocking) until the last one closes. */
	CHECK_OK(fcntl(r, F_SETFL, 0));
	for (;;) {
		/* Odd read sizes, so reads do not line up with the blocks. */
		size_t want = sizeof data - got < 1000 ? sizeof data - got : 1000;
		ssize_t n = CHECK_OK(read(r, data + got, want));
		if (n == 0)
			break;
		got += n;
	}
	CHECK_EQ(got, 2 * BLOCKS * PIPE_BUF);
	CHECK_EQ(wait_for(a), 0);
	CHECK_EQ(wait_for(b), 0);
	int count_a = 0, count_b = 0;
	for (size_t i = 0; i < got; i += PIPE_BUF) {
		for (size_t j = 1; j < PIPE_BUF; j++)
			if (data[i + j] != data[i])
				FAIL("block at %zu mixes '%c' and '%c'", i, data[i], data[i + j]);
		count_a += data[i] == 'A';
		count_b += data[i] == 'B';
	}
	CHECK_EQ(count_a, BLOCKS);
	CHECK_EQ(count_b, BLOCKS);
	CHECK_OK(close(r));
	CHECK_OK(close(ready_pipe[0]));
	CHECK_OK(close(ready_pipe[1]));
	ok("two processes' PIPE_BUF-byte writes arrive whole, never interleaved");
}

static void atomic_nonblocking(void)
{
	static char buf[65536];
	int n;

	int fd = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	CHECK_EQ(fcntl(fd, F_GETPIPE_SZ), 65536);
	CHECK_EQ(write(fd, buf, 65536 - 100), 65536 - 100);
	CHECK_ERR(write(fd, buf, PIPE_BUF), EAGAIN);
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(n, 65536 - 100);
	CHECK_EQ(write(fd, buf, 100), 100);
	CHECK_ERR(write(fd, buf, 1), EAGAIN);
	CHECK_OK(close(fd));
	ok("non-blocking PIPE_BUF write with 100 bytes free: EAGAIN, nothing written");
}

/* Opens both ends, closes the read end, writes: the process ends here with
 * the default SIGPIPE action, or sees EPIPE when SIGPIPE is ignored. */
static int write_to_no_reader(void)
{
	int r = open(fifo, O_RDONLY | O_NONBLOCK);
	int w = open(fifo, O_WRONLY | O_NONBLOCK);
	if (r < 0 || w < 0 || close(r) != 0)
		return 30;
	errno = 0;
	if (write(w, "x", 1) != -1)
		return 31;
	return errno == EPIPE ? 0 : 32;
}

static int ignoring_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
	return write_to_no_reader();
}

static void sigpipe(void)
{
	int status = wait_for(spawn(write_to_no_reader));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGPIPE);
	ok("write with no reader left: SIGPIPE kills the writer");
	CHECK_EQ(wait_for(spawn(ignoring_sigpipe)), 0);
	ok("with SIGPIPE ignored the write fails with EPIPE");
}

int main(void)
{
	snprintf(fifo, sizeof fifo, "/tmp/fifo_pipe_rules_%d", (int)getpid());
	CHECK_OK(mkfifo(fifo, 0600));
	atomic_blocks();
	atomic_nonblocking();
	sigpipe();
	CHECK_OK(unlink(fifo));
	return 0;
}
