/* msg_handoff: a receiver asleep in msgrcv gets a System V message exactly as if it had
 * been queued (Rill's sender writes it straight into the receiver's buffer): type and
 * text; with MSG_NOERROR a long text is cut to the buffer; without it the receiver gets
 * E2BIG and the message stays queued; a receiver whose buffer is bad gets EFAULT and, as
 * on Linux, the message is gone; a buffer in a page shared copy-on-write with the parent
 * is written in the child only. Each receiver sleeps before the send (100 ms), but the
 * results do not depend on it. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>

struct msg16 {
	long mtype;
	char text[16];
};

static int q;
static struct msg16 shared_msg = { 1, "parent's bytes" };

static void *unmapped(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(munmap(p, 4096));
	return p;
}

static void send(long type, const char *text)
{
	struct msg16 m = { type, { 0 } };
	memcpy(m.text, text, strlen(text));
	CHECK_OK(msgsnd(q, &m, strlen(text), 0));
}

static int cut_receiver(void)
{
	struct msg16 m = { 0, { 0 } };
	CHECK_EQ(msgrcv(q, &m, 4, 0, MSG_NOERROR), 4);
	CHECK_EQ(m.mtype, 5);
	CHECK(memcmp(m.text, "long\0", 5) == 0);
	return 0;
}

static int small_receiver(void)
{
	struct msg16 m;
	CHECK_ERR(msgrcv(q, &m, 2, 0, 0), E2BIG);
	CHECK_EQ(msgrcv(q, &m, 16, 0, 0), 6);
	CHECK(memcmp(m.text, "stays!", 6) == 0);
	return 0;
}

static int bad_buffer_receiver(void)
{
	CHECK_ERR(msgrcv(q, unmapped(), 16, 0, 0), EFAULT);
	struct msg16 m;
	CHECK_EQ(msgrcv(q, &m, 16, 0, 0), 6);
	CHECK(memcmp(m.text, "second", 6) == 0);
	return 0;
}

static int cow_receiver(void)
{
	CHECK_EQ(msgrcv(q, &shared_msg, 16, 2, 0), 6);
	CHECK_EQ(shared_msg.mtype, 2);
	CHECK(memcmp(shared_msg.text, "child!", 6) == 0);
	return 0;
}

static void with_receiver(int (*receiver)(void), const char *first, const char *second)
{
	q = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	pid_t pid = spawn(receiver);
	sleep_ms(100);
	send(first[0] == 'c' ? 2 : 5, first);
	if (second) {
		sleep_ms(50);
		send(5, second);
	}
	CHECK_EQ(wait_for(pid), 0);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
}

int main(void)
{
	alarm(20);
	with_receiver(cut_receiver, "long text", NULL);
	ok("with MSG_NOERROR a waiting receiver gets the text cut to its buffer");
	with_receiver(small_receiver, "stays!", NULL);
	ok("without it a waiting receiver whose buffer is short gets E2BIG; the message stays");
	with_receiver(bad_buffer_receiver, "first!", "second");
	ok("a waiting receiver's bad buffer is EFAULT and its message is gone");
	with_receiver(cow_receiver, "child!", NULL);
	CHECK_EQ(shared_msg.mtype, 1);
	CHECK(strcmp(shared_msg.text, "parent's bytes") == 0);
	ok("a receive into a page shared copy-on-write changes the child's copy only");
	return 0;
}
