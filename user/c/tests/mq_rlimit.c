/* RLIMIT_MSGQUEUE: a new POSIX queue is charged to its creator's real user as
 * getrlimit(2) says (per message a 48-byte header, a 48-byte priority node for at most
 * MQ_PRIO_MAX of them, and the texts), EMFILE past the creator's soft limit; the bytes
 * come back when the queue is gone (unlinked and closed). */
#include "rilltest.h"
#include <mqueue.h>
#include <sys/resource.h>

#define A "/rill_mq_rlimit_a"
#define B "/rill_mq_rlimit_b"
#define C "/rill_mq_rlimit_c"

static void set_limit(rlim_t cur)
{
	struct rlimit r;
	CHECK_OK(getrlimit(RLIMIT_MSGQUEUE, &r));
	r.rlim_cur = cur;
	if (r.rlim_max < cur)
		r.rlim_max = cur; /* root may raise the hard limit */
	CHECK_OK(setrlimit(RLIMIT_MSGQUEUE, &r));
}

static mqd_t create(const char *name, long maxmsg, long msgsize)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	return mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
}

int main(void)
{
	mq_unlink(A);
	mq_unlink(B);
	mq_unlink(C);
	struct rlimit r;
	CHECK_OK(getrlimit(RLIMIT_MSGQUEUE, &r));
	CHECK_EQ(r.rlim_cur, 819200);
	CHECK_EQ(r.rlim_max, 819200);
	ok("RLIMIT_MSGQUEUE is 819200 bytes");

	/* 4 messages of 100 bytes: 4*48 + 4*48 + 400 = 784 bytes. */
	set_limit(783);
	CHECK_ERR(create(A, 4, 100), EMFILE);
	set_limit(784);
	mqd_t a = CHECK_OK(create(A, 4, 100));
	CHECK_ERR(create(B, 1, 1), EMFILE);
	ok("a queue needs 784 bytes: EMFILE at 783, created at 784");

	set_limit(0);
	mqd_t again = CHECK_OK(mq_open(A, O_RDWR));
	CHECK_OK(mq_close(again));
	ok("opening an existing queue charges nothing");

	set_limit(784 + 97);
	mqd_t b = CHECK_OK(create(B, 1, 1));
	CHECK_ERR(create(C, 1, 1), EMFILE);
	CHECK_OK(mq_unlink(B));
	CHECK_ERR(create(C, 1, 1), EMFILE);
	CHECK_OK(mq_close(b));
	mqd_t c = CHECK_OK(create(C, 1, 1));
	ok("bytes come back once the queue is unlinked and closed");

	CHECK_OK(mq_close(a));
	CHECK_OK(mq_unlink(A));
	CHECK_OK(mq_close(c));
	CHECK_OK(mq_unlink(C));
	/* Past MQ_PRIO_MAX messages only 32768 priority nodes are charged:
	 * 40000*48 + 32768*48 + 40000*1 = 3532864 bytes. That needs a hard limit above
	 * the default, which qemu-user's unprivileged host process cannot raise. */
	struct rlimit big = { 3532864, 3532864 };
	if (on_rill() || setrlimit(RLIMIT_MSGQUEUE, &big) == 0) {
		set_limit(3532863);
		CHECK_ERR(create(A, 40000, 1), EMFILE);
		set_limit(3532864);
		a = CHECK_OK(create(A, 40000, 1));
		CHECK_OK(mq_close(a));
		CHECK_OK(mq_unlink(A));
	}
	ok("at most MQ_PRIO_MAX priority nodes are charged");
	return 0;
}
