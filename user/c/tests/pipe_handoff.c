/* pipe_handoff: a reader asleep on an empty pipe gets a write's bytes exactly as if
 * they had gone through the pipe (Rill copies them straight into its buffer). A short
 * read leaves the rest in the pipe; a reader whose buffer is bad gets EFAULT and the
 * bytes stay for the next read; a writer whose buffer is bad gets EFAULT and the reader
 * keeps waiting; bytes that writev put in the pipe first are read first; a reader's
 * buffer in a page shared copy-on-write with its parent is written in the child only;
 * a reader thread in the writer's own process gets the bytes too. Each reader sleeps
 * before the write comes (the writer waits 100 ms), but the results do not depend on it. */
#include "rilltest.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/uio.h>

static int fds[2];
static char shared_page[4096] = "parent's bytes";

/* An address in user space with no page behind it. */
static void *unmapped(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(munmap(p, 4096));
	return p;
}

static void read_exact(int fd, const char *want)
{
	char got[64] = { 0 };
	size_t len = strlen(want);
	CHECK_EQ(read(fd, got, sizeof got), (ssize_t)len);
	CHECK(memcmp(got, want, len) == 0);
}

static int short_reader(void)
{
	char got[3];
	CHECK_EQ(read(fds[0], got, 3), 3);
	CHECK(memcmp(got, "abc", 3) == 0);
	read_exact(fds[0], "defgh");
	return 0;
}

static int bad_buffer_reader(void)
{
	CHECK_ERR(read(fds[0], unmapped(), 16), EFAULT);
	read_exact(fds[0], "xyz");
	return 0;
}

static int waiting_reader(void)
{
	read_exact(fds[0], "ok");
	return 0;
}

static int ordered_reader(void)
{
	char got[16] = { 0 };
	ssize_t n = 0;
	while (n < 4) {
		ssize_t r = read(fds[0], got + n, sizeof got - n);
		CHECK(r > 0);
		n += r;
	}
	CHECK_EQ(n, 4);
	CHECK(memcmp(got, "A1B2", 4) == 0);
	return 0;
}

static int cow_reader(void)
{
	CHECK_EQ(read(fds[0], shared_page, sizeof shared_page), 6);
	CHECK(memcmp(shared_page, "child!", 6) == 0);
	return 0;
}

static void *thread_reader(void *arg)
{
	(void)arg;
	char got[8] = { 0 };
	ssize_t n = read(fds[0], got, sizeof got);
	return (void *)(long)(n == 5 && memcmp(got, "same!", 5) == 0);
}

/* Starts `reader` in a child, lets it fall asleep, runs `write_side`, checks the child. */
static void with_reader(int (*reader)(void), void (*write_side)(void))
{
	CHECK_OK(pipe(fds));
	pid_t pid = spawn(reader);
	sleep_ms(100);
	write_side();
	CHECK_EQ(wait_for(pid), 0);
	close(fds[0]);
	close(fds[1]);
}

static void write_8(void)
{
	CHECK_EQ(write(fds[1], "abcdefgh", 8), 8);
}

static void write_xyz(void)
{
	CHECK_EQ(write(fds[1], "xyz", 3), 3);
}

static void write_bad_then_ok(void)
{
	CHECK_ERR(write(fds[1], unmapped(), 4), EFAULT);
	sleep_ms(50);
	CHECK_EQ(write(fds[1], "ok", 2), 2);
}

static void writev_then_write(void)
{
	struct iovec iov = { "A1", 2 };
	CHECK_EQ(writev(fds[1], &iov, 1), 2);
	CHECK_EQ(write(fds[1], "B2", 2), 2);
}

static void write_child(void)
{
	CHECK_EQ(write(fds[1], "child!", 6), 6);
}

int main(void)
{
	alarm(20);
	with_reader(short_reader, write_8);
	ok("a short read takes the start of a write; the rest is read next");
	with_reader(bad_buffer_reader, write_xyz);
	ok("a reader's bad buffer is EFAULT and the bytes stay in the pipe");
	with_reader(waiting_reader, write_bad_then_ok);
	ok("a writer's bad buffer is EFAULT and the reader keeps waiting");
	with_reader(ordered_reader, writev_then_write);
	ok("bytes writev put in the pipe are read before a later write's");
	with_reader(cow_reader, write_child);
	CHECK(strcmp(shared_page, "parent's bytes") == 0);
	ok("a read into a page shared copy-on-write changes the child's copy only");

	CHECK_OK(pipe(fds));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, thread_reader, NULL), 0);
	sleep_ms(100);
	CHECK_EQ(write(fds[1], "same!", 5), 5);
	void *res;
	CHECK_EQ(pthread_join(t, &res), 0);
	CHECK_EQ((long)res, 1L);
	ok("a reader thread of the writer's own process gets the bytes");
	return 0;
}
