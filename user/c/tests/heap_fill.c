/* Filling the kernel heap through one consumer at a time (pipes held by many
 * processes, System V messages, semaphore sets, POSIX messages) ends in ENOMEM for the
 * program, never in a kernel panic; the system keeps running, and once the consumer
 * lets go the heap is back where it was. Runs only on Rill: on Linux this would fill
 * the host's memory. */
#include "rilltest.h"
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

/* A pipe round trip through a child: the system still works. */
static void still_works(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		char b = 'x';
		_exit(write(p[1], &b, 1) == 1 ? 0 : 1);
	}
	char got = 0;
	CHECK_EQ(read(p[0], &got, 1), 1);
	CHECK_EQ(got, 'x');
	CHECK_EQ(wait_for(c), 0);
	close(p[0]);
	close(p[1]);
}

/* While the heap is full: an existing pipe still carries data (its pages are frames,
 * not heap). */
static int spare[2];
static void full_but_alive(void)
{
	char b = 'y', got = 0;
	CHECK_EQ(write(spare[1], &b, 1), 1);
	CHECK_EQ(read(spare[0], &got, 1), 1);
	CHECK_EQ(got, 'y');
	CHECK(getpid() > 1);
}

static void heap_back(long before, const char *after_what)
{
	long after = heap_settled_kb(before);
	if (!heap_back_at(after, before))
		FAIL("after %s the kernel heap is %ld kB, was %ld kB", after_what, after, before);
}

/* Children each hold up to 500 pipes (1000 descriptors), until one of them (or fork)
 * meets ENOMEM (ENFILE from pipe(), Linux's answer when the pipe cannot be had). Pipes
 * take more heap per child than the child's own pages take frames, so the heap fills
 * first at any RAM size. */
static void descriptors(void)
{
	int report[2];
	CHECK_OK(pipe(report));
	pid_t kids[4096];
	int nkids = 0, saw_enomem = 0;
	while (!saw_enomem && nkids < 4096) {
		pid_t c = fork();
		if (c < 0) {
			CHECK(errno == ENOMEM || errno == EAGAIN);
			saw_enomem = errno == ENOMEM;
			break;
		}
		if (c == 0) {
			close(report[0]);
			int err = 0;
			for (int i = 0; i < 500 && !err; i++) {
				int p[2];
				if (pipe(p) < 0)
					err = errno;
			}
			char r = err == ENOMEM || err == ENFILE ? 'm'
				 : err == EMFILE || err == 0	 ? 'f'
								 : 'x';
			if (write(report[1], &r, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		kids[nkids++] = c;
		char r;
		CHECK_EQ(read(report[0], &r, 1), 1);
		CHECK(r != 'x');
		saw_enomem = r == 'm';
	}
	CHECK(saw_enomem);
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < nkids; i++)
		wait_for(kids[i]);
	close(report[0]);
	close(report[1]);
}

static void sysv_messages(void)
{
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	struct msqid_ds ds;
	CHECK_OK(msgctl(q, IPC_STAT, &ds));
	ds.msg_qbytes = 1UL << 31;
	CHECK_OK(msgctl(q, IPC_SET, &ds));
	static char msg[8 + 8192];
	*(long *)msg = 1;
	long sent = 0;
	while (msgsnd(q, msg, 8192, IPC_NOWAIT) == 0)
		sent++;
	CHECK_EQ(errno, ENOMEM);
	CHECK(sent > 1000);
	full_but_alive();
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	still_works();
}

static void semaphore_sets(void)
{
	static int ids[100000];
	int n = 0;
	while (n < 100000 && (ids[n] = semget(IPC_PRIVATE, 32000, 0600)) >= 0)
		n++;
	CHECK(errno == ENOMEM || errno == ENOSPC);
	CHECK(n > 10);
	full_but_alive();
	for (int i = 0; i < n; i++)
		CHECK_OK(semctl(ids[i], 0, IPC_RMID));
	still_works();
}

static void posix_messages(void)
{
	mq_unlink("/heap_fill");
	struct mq_attr a = { .mq_maxmsg = 65536, .mq_msgsize = 8192 };
	/* 512 MiB of queue is far past RLIMIT_MSGQUEUE's 800 KiB: root lifts it. */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	CHECK_OK(setrlimit(RLIMIT_MSGQUEUE, &unlimited));
	mqd_t q = CHECK_OK(mq_open("/heap_fill", O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a));
	static char msg[8192];
	long sent = 0;
	while (mq_send(q, msg, sizeof msg, 0) == 0)
		sent++;
	CHECK_EQ(errno, ENOMEM);
	CHECK(sent > 1000);
	full_but_alive();
	CHECK_OK(mq_close(q));
	CHECK_OK(mq_unlink("/heap_fill"));
	still_works();
}

int main(void)
{
	CHECK_OK(pipe(spare));
	if (on_rill()) {
		/* A first pass takes the kernel's tables (process table, id tables) to the sizes
		 * these need; the second must give back exactly what it took. */
		descriptors();
		sysv_messages();
		semaphore_sets();
		posix_messages();
		long before = heap_kb();
		descriptors();
		still_works();
		heap_back(before, "descriptors");
		sysv_messages();
		heap_back(before, "System V messages");
		semaphore_sets();
		heap_back(before, "semaphore sets");
		posix_messages();
		heap_back(before, "POSIX messages");
	}
	ok("descriptors, System V messages, semaphore sets and POSIX messages: ENOMEM, then the heap is back");
	return 0;
}
