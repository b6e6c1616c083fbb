/* mq_handoff: a receiver asleep on an empty POSIX queue gets a message exactly as if it
 * had been queued (Rill copies it straight into the receiver's buffer): text, length and
 * priority; a sender whose buffer is bad gets EFAULT and the receiver keeps waiting; a
 * receiver whose buffer is bad gets EFAULT and, as on Linux, the message is gone; a
 * buffer in a page shared copy-on-write with the parent is written in the child only.
 * Each receiver sleeps before the send comes (100 ms), but the results do not depend on it. */
#include "rilltest.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sys/mman.h>

static mqd_t q;
static char page[4096] = "parent's bytes";

static void *unmapped(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(munmap(p, 4096));
	return p;
}

static void receive_exact(char *buf, const char *want, unsigned want_prio)
{
	unsigned prio = 99;
	CHECK_EQ(mq_receive(q, buf, 64, &prio), (ssize_t)strlen(want));
	CHECK(memcmp(buf, want, strlen(want)) == 0);
	CHECK_EQ(prio, want_prio);
}

static int plain_receiver(void)
{
	char buf[64];
	receive_exact(buf, "hello", 7);
	receive_exact(buf, "again", 3);
	return 0;
}

static int bad_buffer_receiver(void)
{
	CHECK_ERR(mq_receive(q, unmapped(), 64, NULL), EFAULT);
	char buf[64];
	receive_exact(buf, "second", 1);
	return 0;
}

static int cow_receiver(void)
{
	receive_exact(page, "child!", 2);
	return 0;
}

static void with_receiver(int (*receiver)(void), void (*send_side)(void))
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
	mq_unlink("/rill-mq-handoff");
	q = mq_open("/rill-mq-handoff", O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	CHECK(q != (mqd_t)-1);
	pid_t pid = spawn(receiver);
	sleep_ms(100);
	send_side();
	CHECK_EQ(wait_for(pid), 0);
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink("/rill-mq-handoff"));
}

static void send_bad_then_two(void)
{
	CHECK_ERR(mq_send(q, unmapped(), 5, 0), EFAULT);
	sleep_ms(50);
	CHECK_OK(mq_send(q, "hello", 5, 7));
	sleep_ms(50);
	CHECK_OK(mq_send(q, "again", 5, 3));
}

static void send_first_second(void)
{
	CHECK_OK(mq_send(q, "first", 5, 9));
	sleep_ms(50);
	CHECK_OK(mq_send(q, "second", 6, 1));
}

static void send_child(void)
{
	CHECK_OK(mq_send(q, "child!", 6, 2));
}

int main(void)
{
	alarm(20);
	with_receiver(plain_receiver, send_bad_then_two);
	ok("a sender's bad buffer is EFAULT; the waiting receiver gets the next message and its priority");
	with_receiver(bad_buffer_receiver, send_first_second);
	ok("a waiting receiver's bad buffer is EFAULT and its message is gone");
	with_receiver(cow_receiver, send_child);
	CHECK(strcmp(page, "parent's bytes") == 0);
	ok("a receive into a page shared copy-on-write changes the child's copy only");
	return 0;
}
