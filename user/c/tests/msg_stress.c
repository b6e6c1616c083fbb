/* 8 senders and 8 receivers move 100,000 messages of mixed types through one System V
 * queue that is usually full: each message arrives exactly once, and in the order its
 * sender sent it within its type. Afterwards the kernel heap is back where it was. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/msg.h>

#define PROCS 8

struct msg {
	long mtype;
	int sender, seq;
};

static int qid, who, per_sender;

/* Sender s sends its k-th message with type (s + k) % 8 + 1. */
static long type_of(int s, int k)
{
	return (s + k) % PROCS + 1;
}

static int sender(void)
{
	for (int k = 0; k < per_sender; k++) {
		struct msg m = { type_of(who, k), who, k };
		if (msgsnd(qid, &m, sizeof m - sizeof(long), 0) != 0)
			return 1;
	}
	return 0;
}

/* Receiver r takes type r + 1 only, and checks each sender's sequence numbers. */
static int receiver(void)
{
	int next[PROCS];
	long want = 0;
	for (int s = 0; s < PROCS; s++) {
		next[s] = (who - s + PROCS) % PROCS;
		for (int k = 0; k < per_sender; k++)
			want += type_of(s, k) == who + 1;
	}
	for (long got = 0; got < want; got++) {
		struct msg m;
		long n = msgrcv(qid, &m, sizeof m - sizeof(long), who + 1, 0);
		if (n != sizeof m - sizeof(long) || m.mtype != who + 1)
			return 2;
		if (m.sender < 0 || m.sender >= PROCS || m.seq != next[m.sender])
			return 3;
		next[m.sender] += PROCS;
	}
	return 0;
}

static void run_round(int count)
{
	per_sender = count;
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	pid_t pids[2 * PROCS];
	for (who = 0; who < PROCS; who++) {
		pids[who] = spawn(receiver);
		pids[PROCS + who] = spawn(sender);
	}
	for (int i = 0; i < 2 * PROCS; i++)
		CHECK_EQ(wait_for(pids[i]), 0);
	struct msqid_ds ds;
	CHECK_OK(msgctl(qid, IPC_STAT, &ds));
	CHECK_EQ(ds.msg_qnum, 0);
	CHECK_EQ(ds.__msg_cbytes, 0);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
}

int main(void)
{
	/* A first, smaller round takes the kernel's tables (run queue, process table) to
	 * the sizes this many processes need; a leak would show in the second. */
	run_round(500);
	long heap_before = heap_kb();
	run_round(12500);
	ok("100,000 messages of 8 types between 8 senders and 8 receivers, once each, in order");
	if (on_rill())
		CHECK(heap_back_at(heap_settled_kb(heap_before), heap_before));
	ok("kernel heap back where it started");
	return 0;
}
