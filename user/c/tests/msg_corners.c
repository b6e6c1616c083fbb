/* Corners of System V message queues where qemu-user is not Linux (see divergences.rs):
 * msg_lrpid, the last receiver's pid, for a direct receive and for a receiver that was
 * asleep when the message came; and a message taken by a msgrcv whose buffer then
 * faults, which is lost. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/msg.h>

static int qid;

static int receive_one(void)
{
	struct {
		long mtype;
		char text[8];
	} m;
	return msgrcv(qid, &m, sizeof m.text, 0, 0) == 1 ? 0 : 1;
}

int main(void)
{
	struct {
		long mtype;
		char text[8];
	} m = { 1, "x" };
	struct msqid_ds ds;
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	CHECK_OK(msgsnd(qid, &m, 1, 0));
	CHECK_EQ(msgrcv(qid, &m, sizeof m.text, 0, 0), 1);
	CHECK_OK(msgctl(qid, IPC_STAT, &ds));
	CHECK_EQ(ds.msg_lrpid, getpid());
	pid_t child = spawn(receive_one);
	sleep_ms(100);
	CHECK_OK(msgsnd(qid, &m, 1, 0));
	CHECK_EQ(wait_for(child), 0);
	CHECK_OK(msgctl(qid, IPC_STAT, &ds));
	CHECK_EQ(ds.msg_lrpid, child);
	CHECK_EQ(ds.msg_lspid, getpid());
	ok("msg_lrpid names the last receiver, also one that was asleep");
	CHECK_OK(msgsnd(qid, &m, 1, 0));
	CHECK_ERR(msgrcv(qid, BAD_NULL, 8, 0, IPC_NOWAIT), EFAULT);
	CHECK_OK(msgctl(qid, IPC_STAT, &ds));
	CHECK_EQ(ds.msg_qnum, 0);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	ok("a message taken by msgrcv is lost if the buffer faults");
	return 0;
}
