/* /proc/sysvipc/{msg,sem} list System V objects in Linux's format, and
 * /proc/sys/kernel/{msgmax,msgmnb,msgmni,sem} show the limits; on Rill root also
 * changes them there (on Linux the test would change the host's settings). */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

static const char *read_file(const char *path)
{
	static char buf[8192];
	int fd = CHECK_OK(open(path, O_RDONLY));
	long n = CHECK_OK(read(fd, buf, sizeof buf - 1));
	buf[n] = 0;
	close(fd);
	return buf;
}

/* The line of `table` whose second column is `id`, or NULL. */
static const char *line_with_id(const char *table, int id)
{
	static char line[256];
	for (const char *p = strchr(table, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		int key, got;
		if (sscanf(p + 1, "%d %d", &key, &got) == 2 && got == id) {
			const char *end = strchr(p + 1, '\n');
			size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
			snprintf(line, sizeof line, "%.*s", (int)len, p + 1);
			return line;
		}
	}
	return NULL;
}

static void write_file(const char *path, const char *text, int want_errno)
{
	int fd = CHECK_OK(open(path, O_WRONLY));
	long r = write(fd, text, strlen(text));
	if (want_errno)
		CHECK(r == -1 && errno == want_errno);
	else
		CHECK_EQ(r, (long)strlen(text));
	close(fd);
}

int main(void)
{
	key_t key = 0x52494c50;
	int old = msgget(key, 0);
	if (old >= 0)
		msgctl(old, IPC_RMID, NULL);
	int q = CHECK_OK(msgget(key, IPC_CREAT | 0640));
	struct {
		long mtype;
		char text[8];
	} m = { 1, "abcde" };
	CHECK_OK(msgsnd(q, &m, 5, 0));
	const char *table = read_file("/proc/sysvipc/msg");
	CHECK(strncmp(table, "       key      msqid perms      cbytes       qnum lspid lrpid", 62) == 0);
	const char *line = line_with_id(table, q);
	CHECK(line != NULL);
	int k, id, mode;
	unsigned long cbytes, qnum;
	int lspid, lrpid, uid;
	CHECK_EQ(sscanf(line, "%d %d %o %lu %lu %d %d %d", &k, &id, &mode, &cbytes, &qnum, &lspid,
			&lrpid, &uid),
		 8);
	CHECK_EQ(k, key);
	CHECK_EQ(mode, 0640);
	CHECK_EQ(cbytes, 5);
	CHECK_EQ(qnum, 1);
	CHECK_EQ(lspid, getpid());
	CHECK_EQ(uid, 0);
	CHECK_OK(msgctl(q, IPC_RMID, NULL));
	CHECK(line_with_id(read_file("/proc/sysvipc/msg"), q) == NULL);
	ok("/proc/sysvipc/msg lists a queue with its key, mode, bytes, messages and pids");

	int s = CHECK_OK(semget(IPC_PRIVATE, 3, 0600));
	table = read_file("/proc/sysvipc/sem");
	CHECK(strncmp(table, "       key      semid perms      nsems", 38) == 0);
	line = line_with_id(table, s);
	CHECK(line != NULL);
	int nsems;
	CHECK_EQ(sscanf(line, "%d %d %o %d", &k, &id, &mode, &nsems), 4);
	CHECK_EQ(k, 0);
	CHECK_EQ(mode, 0600);
	CHECK_EQ(nsems, 3);
	CHECK_OK(semctl(s, 0, IPC_RMID));
	ok("/proc/sysvipc/sem lists a set with its mode and size");

	CHECK_STR(read_file("/proc/sys/kernel/msgmax"), "8192\n");
	CHECK_STR(read_file("/proc/sys/kernel/msgmnb"), "16384\n");
	CHECK_STR(read_file("/proc/sys/kernel/sem"), "32000\t1024000000\t500\t32000\n");
	ok("/proc/sys/kernel shows the IPC limits");
	if (on_rill()) {
		write_file("/proc/sys/kernel/msgmax", "100\n", 0);
		CHECK_STR(read_file("/proc/sys/kernel/msgmax"), "100\n");
		q = CHECK_OK(msgget(IPC_PRIVATE, 0600));
		static char big[8 + 200];
		*(long *)big = 1;
		CHECK_ERR(msgsnd(q, big, 101, IPC_NOWAIT), EINVAL);
		CHECK_OK(msgsnd(q, big, 100, IPC_NOWAIT));
		CHECK_OK(msgctl(q, IPC_RMID, NULL));
		write_file("/proc/sys/kernel/msgmax", "-1", EINVAL);
		write_file("/proc/sys/kernel/msgmax", "x", EINVAL);
		write_file("/proc/sys/kernel/msgmax", "8192", 0);
		write_file("/proc/sys/kernel/sem", "250 32000 32 128", 0);
		struct sembuf ops[33] = { 0 };
		s = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
		CHECK_ERR(semop(s, ops, 33), E2BIG);
		CHECK_OK(semctl(s, 0, IPC_RMID));
		CHECK_ERR(semget(IPC_PRIVATE, 251, 0600), EINVAL);
		write_file("/proc/sys/kernel/sem", "32000 1024000000 500 32000", 0);
		write_file("/proc/sys/kernel/msgmni", "40000", EINVAL);
		/* fopen(..., "w") opens with O_TRUNC, which a tunable ignores. */
		FILE *f = fopen("/proc/sys/kernel/msgmni", "w");
		CHECK(f != NULL);
		CHECK(fprintf(f, "1000\n") > 0);
		CHECK_EQ(fclose(f), 0);
		CHECK_STR(read_file("/proc/sys/kernel/msgmni"), "1000\n");
		write_file("/proc/sys/kernel/msgmni", "32000", 0);
	}
	ok("root changes the limits there, and bad values are EINVAL");
	return 0;
}
