/* System V message queues: selection by type, sizes, flags, blocking and wake-ups,
 * removal under waiters, permissions and errors, as msgget(2), msgsnd(2), msgrcv(2)
 * and msgctl(2) describe them on Linux. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/time.h>

struct msg {
	long mtype;
	char mtext[64];
};

static int qid;

static void send_text(int q, long type, const char *text)
{
	struct msg m = { .mtype = type };
	strcpy(m.mtext, text);
	CHECK_OK(msgsnd(q, &m, strlen(text), IPC_NOWAIT));
}

/* Receives with msgtyp/flags and returns "TYPE:text". */
static const char *recv_text(int q, long msgtyp, int flags)
{
	static char out[96];
	struct msg m;
	memset(&m, 0, sizeof m);
	long n = CHECK_OK(msgrcv(q, &m, sizeof m.mtext, msgtyp, flags | IPC_NOWAIT));
	m.mtext[n] = 0;
	snprintf(out, sizeof out, "%ld:%s", m.mtype, m.mtext);
	return out;
}

static struct msqid_ds stat_of(int q)
{
	struct msqid_ds ds;
	CHECK_OK(msgctl(q, IPC_STAT, &ds));
	return ds;
}

static void selection(void)
{
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	const long types[] = { 3, 1, 2, 1, 5 };
	const char *texts[] = { "a", "b", "c", "d", "e" };
	for (int i = 0; i < 5; i++)
		send_text(q, types[i], texts[i]);
	CHECK_EQ(stat_of(q).msg_qnum, 5);
	CHECK_EQ(stat_of(q).__msg_cbytes, 5);
	CHECK_STR(recv_text(q, 2, 0), "2:c");
	CHECK_STR(recv_text(q, 3, MSG_EXCEPT), "1:b");
	CHECK_STR(recv_text(q, -4, 0), "1:d");
	CHECK_ERR(msgrcv(q, &(struct msg){ 0 }, 64, 4, IPC_NOWAIT), ENOMSG);
	CHECK_ERR(msgrcv(q, &(struct msg){ 0 }, 64, -2, IPC_NOWAIT), ENOMSG);
	CHECK_STR(recv_text(q, 0, 0), "3:a");
	CHECK_STR(recv_text(q, -10, 0), "5:e");
	CHECK_EQ(stat_of(q).msg_qnum, 0);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	ok("msgtyp 0, >0, MSG_EXCEPT and <0 pick as Linux, arrival order kept");
}

static void sizes(void)
{
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	send_text(q, 1, "hello");
	struct msg m;
	CHECK_ERR(msgrcv(q, &m, 3, 0, IPC_NOWAIT), E2BIG);
	CHECK_EQ(stat_of(q).msg_qnum, 1);
	memset(&m, 0, sizeof m);
	CHECK_EQ(msgrcv(q, &m, 3, 0, IPC_NOWAIT | MSG_NOERROR), 3);
	CHECK_STR(m.mtext, "hel");
	CHECK_EQ(stat_of(q).msg_qnum, 0);
	/* A zero-length message is a message. */
	CHECK_OK(msgsnd(q, &(struct msg){ .mtype = 9 }, 0, 0));
	CHECK_EQ(msgrcv(q, &m, 64, 9, IPC_NOWAIT), 0);
	CHECK_EQ(m.mtype, 9);
	static char big[8192 + 16];
	*(long *)big = 1;
	CHECK_OK(msgsnd(q, big, 8192, 0));
	CHECK_ERR(msgsnd(q, big, 8193, 0), EINVAL);
	CHECK_EQ(msgrcv(q, big, 8192, 0, 0), 8192);
	CHECK_ERR(msgsnd(q, &(struct msg){ .mtype = 0 }, 1, 0), EINVAL);
	CHECK_ERR(msgsnd(q, &(struct msg){ .mtype = -3 }, 1, 0), EINVAL);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	ok("E2BIG keeps the message, MSG_NOERROR truncates, size and type limits");
}

static void stat_and_info(void)
{
	time_t before = time(NULL);
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0640));
	struct msqid_ds ds = stat_of(q);
	CHECK_EQ(ds.msg_perm.mode & 0777, 0640);
	CHECK_EQ(ds.msg_perm.uid, geteuid());
	CHECK_EQ(ds.msg_perm.cuid, geteuid());
	CHECK_EQ(ds.msg_qbytes, 16384);
	CHECK_EQ(ds.msg_stime, 0);
	CHECK_EQ(ds.msg_rtime, 0);
	CHECK(ds.msg_ctime >= before && ds.msg_ctime <= time(NULL));
	CHECK_EQ(ds.msg_lspid, 0);
	send_text(q, 4, "four");
	ds = stat_of(q);
	CHECK(ds.msg_stime >= before);
	CHECK_EQ(ds.msg_lspid, getpid());
	CHECK_EQ(ds.msg_qnum, 1);
	CHECK_EQ(ds.__msg_cbytes, 4);
	recv_text(q, 0, 0);
	ds = stat_of(q);
	CHECK(ds.msg_rtime >= before);
	struct msginfo info;
	CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&info) >= 0);
	CHECK_EQ(info.msgmax, 8192);
	CHECK_EQ(info.msgmnb, 16384);
	CHECK_ERR(msgctl(q, IPC_STAT, NULL), EFAULT);
	CHECK_ERR(msgctl(q, 99, &ds), EINVAL);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	ok("IPC_STAT counts, sender pid and times move; IPC_INFO limits");
}

static int receive_type7(void)
{
	struct msg m;
	long n = msgrcv(qid, &m, sizeof m.mtext, 7, 0);
	return n == 2 && m.mtype == 7 && memcmp(m.mtext, "hi", 2) == 0 ? 0 : 1;
}

static int still_running(pid_t pid)
{
	int status;
	return waitpid(pid, &status, WNOHANG) == 0;
}

static void precise_wakeup(void)
{
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	pid_t child = spawn(receive_type7);
	sleep_ms(100);
	send_text(qid, 3, "no");
	sleep_ms(100);
	CHECK(still_running(child));
	CHECK_EQ(stat_of(qid).msg_qnum, 1);
	send_text(qid, 7, "hi");
	CHECK_EQ(wait_for(child), 0);
	CHECK_EQ(stat_of(qid).msg_qnum, 1);
	CHECK_STR(recv_text(qid, 0, 0), "3:no");
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	ok("a receiver waiting for type 7 sleeps through type 3 and takes type 7");
}

static int send_8_bytes(void)
{
	struct msg m = { .mtype = 1 };
	return msgsnd(qid, &m, 8, 0) == 0 ? 0 : 1;
}

static void full_queue(void)
{
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	struct msqid_ds ds = stat_of(qid);
	ds.msg_qbytes = 16;
	CHECK_OK(msgctl(qid, IPC_SET, &ds));
	CHECK_EQ(stat_of(qid).msg_qbytes, 16);
	struct msg m = { .mtype = 1 };
	CHECK_OK(msgsnd(qid, &m, 16, IPC_NOWAIT));
	CHECK_ERR(msgsnd(qid, &m, 1, IPC_NOWAIT), EAGAIN);
	pid_t child = spawn(send_8_bytes);
	sleep_ms(150);
	CHECK(still_running(child));
	CHECK_EQ(msgrcv(qid, &m, 64, 0, IPC_NOWAIT), 16);
	CHECK_EQ(wait_for(child), 0);
	CHECK_EQ(stat_of(qid).__msg_cbytes, 8);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	ok("IPC_SET lowers msg_qbytes; a full queue is EAGAIN or blocks until room");
}

static int receive_expect_eidrm(void)
{
	struct msg m;
	return msgrcv(qid, &m, 64, 0, 0) == -1 && errno == EIDRM ? 0 : 1;
}

static int send_expect_eidrm(void)
{
	struct msg m = { .mtype = 1 };
	return msgsnd(qid, &m, 16, 0) == -1 && errno == EIDRM ? 0 : 1;
}

static void removal(void)
{
	/* A receiver on an empty queue, and a sender on a full one. */
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	pid_t r = spawn(receive_expect_eidrm);
	sleep_ms(100);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	CHECK_EQ(wait_for(r), 0);
	qid = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	struct msqid_ds ds = stat_of(qid);
	ds.msg_qbytes = 16;
	CHECK_OK(msgctl(qid, IPC_SET, &ds));
	struct msg m = { .mtype = 1 };
	CHECK_OK(msgsnd(qid, &m, 16, 0));
	pid_t s = spawn(send_expect_eidrm);
	sleep_ms(100);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	CHECK_EQ(wait_for(s), 0);
	CHECK_ERR(msgsnd(qid, &m, 1, 0), EINVAL);
	CHECK_ERR(msgrcv(qid, &m, 1, 0, IPC_NOWAIT), EINVAL);
	CHECK_ERR(msgctl(qid, IPC_STAT, &ds), EINVAL);
	CHECK_ERR(msgctl(qid, IPC_RMID, NULL), EINVAL);
	ok("IPC_RMID wakes blocked receivers and senders with EIDRM; the id is then EINVAL");
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	struct itimerval it = { .it_value = { 0, 100000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	struct msg m;
	CHECK_ERR(msgrcv(q, &m, 64, 0, 0), EINTR);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	ok("a blocked msgrcv ends with EINTR even with SA_RESTART");
}

static int unprivileged(void)
{
	struct msg m = { .mtype = 1 };
	struct msqid_ds ds;
	if (setgid(1000) != 0 || setuid(1000) != 0)
		return 10;
	if (msgsnd(qid, &m, 1, IPC_NOWAIT) != -1 || errno != EACCES)
		return 1;
	if (msgrcv(qid, &m, 1, 0, IPC_NOWAIT) != -1 || errno != EACCES)
		return 2;
	if (msgctl(qid, IPC_STAT, &ds) != -1 || errno != EACCES)
		return 3;
	if (msgctl(qid, IPC_RMID, NULL) != -1 || errno != EPERM)
		return 4;
	if (msgget(0x52494c4c, 0) != qid)
		return 6;
	if (msgget(0x52494c4c, 0400) != -1 || errno != EACCES)
		return 5;
	return 0;
}

static void keys_and_permissions(void)
{
	key_t key = 0x52494c4c;
	int old = msgget(key, 0);
	if (old >= 0)
		msgctl(old, IPC_RMID, NULL);
	CHECK_ERR(msgget(key, 0600), ENOENT);
	qid = CHECK_OK(msgget(key, IPC_CREAT | 0600));
	CHECK_EQ(msgget(key, 0), qid);
	CHECK_EQ(msgget(key, IPC_CREAT | 0600), qid);
	CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	int other = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	CHECK(other != qid);
	CHECK_OK(msgctl(other, IPC_RMID, NULL));
	pid_t child = spawn(unprivileged);
	CHECK_EQ(wait_for(child), 0);
	CHECK_OK(msgctl(qid, IPC_RMID, NULL));
	CHECK_ERR(msgget(key, 0), ENOENT);
	ok("keys: ENOENT, IPC_CREAT, EEXIST; another user gets EACCES and EPERM");
}

static void bad_arguments(void)
{
	int q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
	struct msg m = { .mtype = 1 };
	CHECK_ERR(msgsnd(-1, &m, 1, 0), EINVAL);
	CHECK_ERR(msgsnd(q, BAD_NULL, 1, 0), EFAULT);
	CHECK_ERR(msgsnd(q, BAD_KERNEL, 1, 0), EFAULT);
	CHECK_ERR(msgrcv(-1, &m, 1, 0, 0), EINVAL);
	struct msqid_ds ds;
	CHECK_ERR(msgctl(-1, IPC_STAT, &ds), EINVAL);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	ok("bad ids are EINVAL, bad pointers EFAULT");
}

int main(void)
{
	selection();
	sizes();
	stat_and_info();
	precise_wakeup();
	full_queue();
	removal();
	interrupted();
	keys_and_permissions();
	bad_arguments();
	return 0;
}
