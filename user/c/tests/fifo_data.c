/* fifo_data: bytes through a FIFO and how long they live (fifo(7), pipe(7)).
 * Two sibling processes that share only the name move 200000 bytes; the
 * reader sees EOF only after the last of two writers (different processes)
 * closed; one process with an O_RDWR end reads back its own bytes; data stays
 * while any end is open (even with no reader) and is gone after the last
 * close, as is a size set with F_SETPIPE_SZ; unlinking the name leaves the
 * open ends working (the node has no links left) and a new FIFO of the same
 * name is a different pipe; lseek and pread fail with ESPIPE. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define NAME_LEN 64
static char fifo[NAME_LEN];

#define TOTAL 200000

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int sibling_writer(void)
{
	static unsigned char buf[TOTAL];
	int fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 20;
	for (size_t i = 0; i < TOTAL; i++)
		buf[i] = pattern(i);
	/* Uneven chunk sizes, some larger than the pipe. */
	size_t done = 0, chunk = 1000;
	while (done < TOTAL) {
		size_t n = TOTAL - done < chunk ? TOTAL - done : chunk;
		ssize_t w = write(fd, buf + done, n);
		if (w <= 0)
			return 21;
		done += w;
		chunk = chunk * 3 % 70001 + 1;
	}
	return 0;
}

static int sibling_reader(void)
{
	unsigned char buf[3000];
	size_t got = 0;
	int fd = open(fifo, O_RDONLY);
	if (fd < 0)
		return 30;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0)
			return 31;
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pattern(got + i))
				return 32;
		got += n;
	}
	return got == TOTAL ? 0 : 33;
}

static void siblings(void)
{
	/* The parent never opens the FIFO: the children meet through its name. */
	pid_t r = spawn(sibling_reader);
	pid_t w = spawn(sibling_writer);
	CHECK_EQ(wait_for(w), 0);
	CHECK_EQ(wait_for(r), 0);
	ok("two siblings sharing only the name move 200000 bytes in order, then EOF");
}

static int ready_pipe[2];

/* A writer process: opens, writes its letter, reports ready, then holds its
 * end open until a byte arrives on its control pipe. */
static pid_t spawn_writer(char letter, int *control)
{
	int ctl[2];
	CHECK_OK(pipe(ctl));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;
		close(ctl[1]);
		int fd = open(fifo, O_WRONLY);
		if (fd < 0 || write(fd, &letter, 1) != 1)
			_exit(40);
		if (write(ready_pipe[1], "r", 1) != 1)
			_exit(41);
		if (read(ctl[0], &c, 1) != 1)
			_exit(42);
		_exit(0);
	}
	CHECK_OK(close(ctl[0]));
	*control = ctl[1];
	return pid;
}

static void two_writers(void)
{
	char buf[4];
	int ctl_a, ctl_b;

	CHECK_OK(pipe(ready_pipe));
	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	pid_t a = spawn_writer('A', &ctl_a);
	pid_t b = spawn_writer('B', &ctl_b);
	CHECK_EQ(read(ready_pipe[0], buf, 1), 1);
	CHECK_EQ(read(ready_pipe[0], buf, 1), 1);
	/* Both writers hold their ends; from now on reads block. */
	CHECK_OK(fcntl(r, F_SETFL, 0));
	CHECK_EQ(read(r, buf, 1), 1);
	CHECK_EQ(read(r, buf + 1, 1), 1);
	CHECK((buf[0] == 'A' && buf[1] == 'B') || (buf[0] == 'B' && buf[1] == 'A'));

	CHECK_EQ(write(ctl_a, "x", 1), 1);
	CHECK_EQ(wait_for(a), 0);
	CHECK_OK(fcntl(r, F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(r, buf, 1), EAGAIN);
	ok("one of two writers closed: no EOF yet (EAGAIN)");

	CHECK_OK(fcntl(r, F_SETFL, 0));
	CHECK_EQ(write(ctl_b, "x", 1), 1);
	CHECK_EQ(read(r, buf, 1), 0);
	CHECK_EQ(wait_for(b), 0);
	CHECK_OK(close(ctl_a));
	CHECK_OK(close(ctl_b));
	ok("EOF once the last writer (another process) closed");
	CHECK_OK(close(r));
	CHECK_OK(close(ready_pipe[0]));
	CHECK_OK(close(ready_pipe[1]));
}

static void read_write(void)
{
	char buf[16];
	int n;

	int fd = CHECK_OK(open(fifo, O_RDWR));
	CHECK_EQ(write(fd, "own bytes", 9), 9);
	CHECK_OK(ioctl(fd, FIONREAD, &n));
	CHECK_EQ(n, 9);
	CHECK_EQ(read(fd, buf, sizeof buf), 9);
	CHECK(memcmp(buf, "own bytes", 9) == 0);
	CHECK_OK(close(fd));
	ok("an O_RDWR end reads back its own bytes");
}

static void lifetime(void)
{
	char buf[16];

	/* Gone after the last close. */
	int fd = CHECK_OK(open(fifo, O_RDWR));
	CHECK_EQ(write(fd, "lost", 4), 4);
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
	ok("data written before the last close is gone (EAGAIN after reopening)");

	/* A size set with F_SETPIPE_SZ belongs to the pipe and goes with it. */
	CHECK_EQ(fcntl(fd, F_GETPIPE_SZ), 65536);
	CHECK_EQ(fcntl(fd, F_SETPIPE_SZ, 8192), 8192);
	CHECK_EQ(fcntl(fd, F_GETPIPE_SZ), 8192);
	CHECK_OK(close(fd));
	fd = CHECK_OK(open(fifo, O_RDWR));
	CHECK_EQ(fcntl(fd, F_GETPIPE_SZ), 65536);
	CHECK_OK(close(fd));
	ok("the pipe size set with F_SETPIPE_SZ is back to 65536 after the last close");

	/* Kept while some end is open, even when no reader is. */
	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(write(w, "kept", 4), 4);
	CHECK_OK(close(r));
	r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	CHECK_OK(close(w));
	CHECK_EQ(read(r, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "kept", 4) == 0);
	CHECK_EQ(read(r, buf, sizeof buf), 0);
	CHECK_OK(close(r));
	ok("data stays while any end is open, even with no reader for a while");
}

static void unlinked(void)
{
	char buf[16];
	struct stat st;

	int r = CHECK_OK(open(fifo, O_RDONLY | O_NONBLOCK));
	int w = CHECK_OK(open(fifo, O_WRONLY | O_NONBLOCK));
	CHECK_OK(unlink(fifo));
	CHECK_ERR(stat(fifo, &st), ENOENT);
	CHECK_ERR(open(fifo, O_RDONLY | O_NONBLOCK), ENOENT);
	CHECK_EQ(write(w, "still", 5), 5);
	CHECK_EQ(read(r, buf, sizeof buf), 5);
	CHECK(memcmp(buf, "still", 5) == 0);
	CHECK_OK(fstat(r, &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_nlink, 0);
	ok("after unlink the name is gone, the open ends still work, nlink is 0");

	/* A new FIFO under the old name is another pipe. */
	CHECK_OK(mkfifo(fifo, 0600));
	CHECK_ERR(open(fifo, O_WRONLY | O_NONBLOCK), ENXIO);
	CHECK_EQ(write(w, "old", 3), 3);
	int n = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	CHECK_ERR(read(n, buf, sizeof buf), EAGAIN);
	CHECK_OK(close(n));
	CHECK_OK(close(w));
	CHECK_EQ(read(r, buf, sizeof buf), 3);
	CHECK_EQ(read(r, buf, sizeof buf), 0);
	CHECK_OK(close(r));
	ok("a new FIFO with the same name is a separate pipe");
}

static void unseekable(void)
{
	char c;
	int fd = CHECK_OK(open(fifo, O_RDWR | O_NONBLOCK));
	CHECK_ERR(lseek(fd, 0, SEEK_CUR), ESPIPE);
	CHECK_ERR(pread(fd, &c, 1, 0), ESPIPE);
	CHECK_ERR(pwrite(fd, &c, 1, 0), ESPIPE);
	CHECK_OK(close(fd));
	ok("lseek, pread and pwrite on a FIFO: ESPIPE");
}

int main(void)
{
	snprintf(fifo, sizeof fifo, "/tmp/fifo_data_%d", (int)getpid());
	CHECK_OK(mkfifo(fifo, 0600));
	siblings();
	two_writers();
	read_write();
	lifetime();
	unseekable();
	unlinked();
	CHECK_OK(unlink(fifo));
	return 0;
}
