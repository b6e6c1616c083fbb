/* mq_notify's registration ends when the registering process closes any descriptor of
 * the queue (Linux's mqueue_flush_file: close, dup2 over one, exit), not when another
 * process closes its copy. The status line in /dev/mqueue shows the owner
 * (NOTIFY_PID). qemu-user has no mq_notify (divergences.rs); checked on Linux 6.1
 * with ../shared/linux-ref. */
#include "rilltest.h"
#include <mqueue.h>

#define NAME "/rill_mq_notify_close"
#define FILE "/dev/mqueue/rill_mq_notify_close"

static volatile sig_atomic_t notified;
static mqd_t q;

static void on_notify(int sig)
{
	(void)sig;
	notified++;
}

/* The NOTIFY_PID field of the queue's status line, read by a child (a read by this
 * process would close a descriptor of the queue and end its registration). */
static int status_pid_child(void)
{
	char line[128] = { 0 };
	int fd = open(FILE, O_RDONLY);
	if (fd < 0 || read(fd, line, sizeof line - 1) <= 0)
		return 255;
	const char *at = strstr(line, "NOTIFY_PID:");
	return at ? atoi(at + 11) != 0 : 254;
}

static int registered(void)
{
	int status = wait_for(spawn(status_pid_child));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status);
}

static void register_signal(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	CHECK_OK(mq_notify(q, &ev));
	CHECK_EQ(registered(), 1);
}

/* A message into the empty queue: the signals it brought. */
static int send_and_count(void)
{
	char buf[16];
	notified = 0;
	CHECK_OK(mq_send(q, "m", 1, 0));
	CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
	return notified;
}

static int close_copy_child(void)
{
	return close(q) == 0 ? 0 : 1;
}

static int register_and_exit_child(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	return mq_notify(q, &ev) == 0 ? 0 : 1;
}

int main(void)
{
	signal(SIGUSR1, on_notify);
	mq_unlink(NAME);
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 16 };
	q = CHECK_OK(mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr));
	CHECK_EQ(registered(), 0);

	register_signal();
	int copy = CHECK_OK(dup(q));
	CHECK_OK(close(copy));
	CHECK_EQ(registered(), 0);
	CHECK_EQ(send_and_count(), 0);
	ok("closing a dup of the descriptor ends the registration");

	register_signal();
	mqd_t other = CHECK_OK(mq_open(NAME, O_RDONLY));
	CHECK_OK(mq_close(other));
	CHECK_EQ(registered(), 0);
	ok("closing another descriptor of the same queue ends it too");

	register_signal();
	int spare = CHECK_OK(dup(q));
	int target = CHECK_OK(dup(q));
	CHECK_OK(dup2(spare, target));
	CHECK_EQ(registered(), 0);
	CHECK_OK(close(spare));
	CHECK_OK(close(target));
	ok("dup2 over a descriptor of the queue ends it");

	register_signal();
	CHECK_EQ(wait_for(spawn(close_copy_child)), 0);
	CHECK_EQ(registered(), 1);
	CHECK_EQ(send_and_count(), 1);
	CHECK_EQ(registered(), 0);
	ok("another process closing its copy leaves it; the message ends it");

	register_signal();
	int unrelated = CHECK_OK(open("/", O_RDONLY));
	CHECK_OK(close(unrelated));
	CHECK_EQ(registered(), 1);
	CHECK_OK(mq_notify(q, NULL));
	CHECK_EQ(registered(), 0);
	ok("closing an unrelated descriptor leaves it");

	CHECK_EQ(wait_for(spawn(register_and_exit_child)), 0);
	CHECK_EQ(registered(), 0);
	register_signal();
	CHECK_OK(mq_notify(q, NULL));
	ok("a registration ends when its process exits");

	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink(NAME));
	return 0;
}
