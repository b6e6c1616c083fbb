/* System V semaphores: values and limits, semop all or nothing, blocking and wake-ups,
 * timeouts, SEM_UNDO at exit, removal under waiters, permissions, and a counter kept
 * in a file by 4 processes under a semaphore, as semget(2), semop(2) and semctl(2)
 * describe them on Linux. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int sid;
static time_t started;

static int semval(int id, int num)
{
	return semctl(id, num, GETVAL);
}

static void values_and_limits(void)
{
	CHECK_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL);
	CHECK_ERR(semget(IPC_PRIVATE, 32001, 0600), EINVAL);
	CHECK_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL);
	int id = CHECK_OK(semget(IPC_PRIVATE, 3, 0600));
	CHECK_EQ(semval(id, 0), 0);
	CHECK_OK(semctl(id, 1, SETVAL, (union semun){ .val = 5 }));
	CHECK_EQ(semval(id, 1), 5);
	CHECK_EQ(semctl(id, 1, GETPID), getpid());
	CHECK_ERR(semctl(id, 1, SETVAL, (union semun){ .val = 32768 }), ERANGE);
	CHECK_ERR(semctl(id, 1, SETVAL, (union semun){ .val = -1 }), ERANGE);
	CHECK_ERR(semctl(id, 3, GETVAL), EINVAL);
	CHECK_ERR(semctl(id, 3, SETVAL, (union semun){ .val = 1 }), EINVAL);
	unsigned short all[3] = { 7, 8, 9 }, got[3];
	CHECK_OK(semctl(id, 0, SETALL, (union semun){ .array = all }));
	CHECK_OK(semctl(id, 0, GETALL, (union semun){ .array = got }));
	CHECK(got[0] == 7 && got[1] == 8 && got[2] == 9);
	unsigned short bad[3] = { 1, 40000, 1 };
	CHECK_ERR(semctl(id, 0, SETALL, (union semun){ .array = bad }), ERANGE);
	CHECK_ERR(semctl(id, 0, SETALL, (union semun){ .array = BAD_NULL }), EFAULT);
	struct semid_ds ds;
	CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	CHECK_EQ(ds.sem_nsems, 3);
	CHECK_EQ(ds.sem_otime, 0);
	CHECK_EQ(ds.sem_perm.mode & 0777, 0600);
	ds.sem_perm.mode = 0640;
	CHECK_OK(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
	CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	CHECK_EQ(ds.sem_perm.mode & 0777, 0640);
	struct seminfo info;
	CHECK(semctl(0, 0, IPC_INFO, (union semun){ .buf = (struct semid_ds *)&info }) >= 0);
	CHECK_EQ(info.semmsl, 32000);
	CHECK_EQ(info.semopm, 500);
	CHECK_EQ(info.semvmx, 32767);
	CHECK_ERR(semctl(id, 0, 99), EINVAL);
	CHECK_OK(semctl(id, 0, IPC_RMID));
	CHECK_ERR(semctl(id, 0, GETVAL), EINVAL);
	ok("SETVAL/GETVAL/SETALL/GETALL/GETPID, ERANGE, IPC_STAT/IPC_SET, IPC_INFO limits");
}

static void operations(void)
{
	int id = CHECK_OK(semget(IPC_PRIVATE, 2, 0600));
	struct sembuf v0 = { 0, 1, 0 }, p1_nowait = { 1, -1, IPC_NOWAIT };
	CHECK_OK(semop(id, &v0, 1));
	CHECK_EQ(semval(id, 0), 1);
	CHECK_ERR(semop(id, &p1_nowait, 1), EAGAIN);
	/* Both or neither: the first would succeed, the second cannot. */
	struct sembuf both[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	CHECK_ERR(semop(id, both, 2), EAGAIN);
	CHECK_EQ(semval(id, 0), 1);
	struct sembuf zero_nowait = { 0, 0, IPC_NOWAIT };
	CHECK_ERR(semop(id, &zero_nowait, 1), EAGAIN);
	struct sembuf twice[2] = { { 1, 2, 0 }, { 1, -1, 0 } };
	CHECK_OK(semop(id, twice, 2));
	CHECK_EQ(semval(id, 1), 1);
	struct sembuf far = { 2, 1, 0 };
	CHECK_ERR(semop(id, &far, 1), EFBIG);
	CHECK_ERR(semop(id, &v0, 0), EINVAL);
	static struct sembuf many[501];
	CHECK_ERR(semop(id, many, 501), E2BIG);
	CHECK_ERR(semop(id, BAD_NULL, 1), EFAULT);
	CHECK_ERR(semop(-1, &v0, 1), EINVAL);
	struct sembuf over = { 0, 32767, 0 };
	CHECK_ERR(semop(id, &over, 1), ERANGE);
	struct semid_ds ds;
	CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
	CHECK(ds.sem_otime >= started);
	struct sembuf p0 = { 0, -1, 0 };
	struct timespec t = { 0, 50 * 1000000 };
	CHECK_OK(semtimedop(id, &p0, 1, &t));
	CHECK_ERR(semtimedop(id, &p0, 1, &t), EAGAIN);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(semtimedop(id, &p0, 1, &bad), EINVAL);
	CHECK_OK(semctl(id, 0, IPC_RMID));
	ok("semop all or nothing, IPC_NOWAIT, EFBIG/E2BIG/EINVAL/EFAULT/ERANGE, semtimedop");
}

static int p_then_exit(void)
{
	struct sembuf p = { 0, -1, 0 };
	return semop(sid, &p, 1) == 0 ? 0 : 1;
}

static void blocking(void)
{
	sid = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
	pid_t child = spawn(p_then_exit);
	for (int i = 0; i < 100 && semctl(sid, 0, GETNCNT) != 1; i++)
		sleep_ms(10);
	CHECK_EQ(semctl(sid, 0, GETNCNT), 1);
	CHECK_EQ(semctl(sid, 0, GETZCNT), 0);
	struct sembuf v = { 0, 1, 0 };
	CHECK_OK(semop(sid, &v, 1));
	CHECK_EQ(wait_for(child), 0);
	CHECK_EQ(semval(sid, 0), 0);
	CHECK_EQ(semctl(sid, 0, GETPID), child);
	CHECK_EQ(semctl(sid, 0, GETNCNT), 0);
	CHECK_OK(semctl(sid, 0, IPC_RMID));
	ok("a blocked P in another process is woken by V; GETNCNT sees it");
}

static int undo_and_exit(void)
{
	struct sembuf ops[2] = { { 0, 3, SEM_UNDO }, { 1, -1, SEM_UNDO } };
	return semop(sid, ops, 2) == 0 ? 0 : 1;
}

static void undo(void)
{
	sid = CHECK_OK(semget(IPC_PRIVATE, 2, 0600));
	CHECK_OK(semctl(sid, 1, SETVAL, (union semun){ .val = 2 }));
	CHECK_EQ(wait_for(spawn(undo_and_exit)), 0);
	CHECK_EQ(semval(sid, 0), 0);
	CHECK_EQ(semval(sid, 1), 2);
	CHECK_OK(semctl(sid, 0, IPC_RMID));
	ok("SEM_UNDO is rolled back when the process exits");
}

static int expect_eidrm(void)
{
	struct sembuf p = { 0, -1, 0 };
	return semop(sid, &p, 1) == -1 && errno == EIDRM ? 0 : 1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void removal_and_signals(void)
{
	sid = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
	pid_t child = spawn(expect_eidrm);
	for (int i = 0; i < 100 && semctl(sid, 0, GETNCNT) != 1; i++)
		sleep_ms(10);
	CHECK_OK(semctl(sid, 0, IPC_RMID));
	CHECK_EQ(wait_for(child), 0);
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	int id = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
	struct itimerval it = { .it_value = { 0, 100000 } };
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	struct sembuf p = { 0, -1, 0 };
	CHECK_ERR(semop(id, &p, 1), EINTR);
	CHECK_EQ(semctl(id, 0, GETNCNT), 0);
	CHECK_OK(semctl(id, 0, IPC_RMID));
	ok("IPC_RMID wakes a waiter with EIDRM; a signal ends semop with EINTR despite SA_RESTART");
}

static int unprivileged(void)
{
	if (setgid(1000) != 0 || setuid(1000) != 0)
		return 10;
	struct sembuf v = { 0, 1, 0 };
	if (semop(sid, &v, 1) != -1 || errno != EACCES)
		return 1;
	if (semctl(sid, 0, GETVAL) != -1 || errno != EACCES)
		return 2;
	if (semctl(sid, 0, IPC_RMID) != -1 || errno != EPERM)
		return 3;
	return 0;
}

static void keys_and_permissions(void)
{
	key_t key = 0x52494c53;
	int old = semget(key, 0, 0);
	if (old >= 0)
		semctl(old, 0, IPC_RMID);
	CHECK_ERR(semget(key, 1, 0600), ENOENT);
	sid = CHECK_OK(semget(key, 2, IPC_CREAT | 0600));
	CHECK_EQ(semget(key, 0, 0), sid);
	CHECK_EQ(semget(key, 2, 0600), sid);
	CHECK_ERR(semget(key, 3, 0600), EINVAL);
	CHECK_ERR(semget(key, 1, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_EQ(wait_for(spawn(unprivileged)), 0);
	CHECK_OK(semctl(sid, 0, IPC_RMID));
	ok("keys: ENOENT, EEXIST, more semaphores than the set has; EACCES and EPERM");
}

#define WORKERS 4
#define ROUNDS 2000
static int counter_fd;

static int increment(void)
{
	struct sembuf p = { 0, -1, SEM_UNDO }, v = { 0, 1, SEM_UNDO };
	for (int i = 0; i < ROUNDS; i++) {
		int n;
		if (semop(sid, &p, 1) != 0)
			return 1;
		if (pread(counter_fd, &n, sizeof n, 0) != sizeof n)
			return 2;
		n++;
		if (pwrite(counter_fd, &n, sizeof n, 0) != sizeof n)
			return 3;
		if (semop(sid, &v, 1) != 0)
			return 4;
	}
	return 0;
}

static void counter(void)
{
	counter_fd = CHECK_OK(open("/tmp/sem_counter", O_RDWR | O_CREAT | O_TRUNC, 0600));
	int zero = 0;
	CHECK_EQ(pwrite(counter_fd, &zero, sizeof zero, 0), sizeof zero);
	sid = CHECK_OK(semget(IPC_PRIVATE, 1, 0600));
	CHECK_OK(semctl(sid, 0, SETVAL, (union semun){ .val = 1 }));
	pid_t pids[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		pids[i] = spawn(increment);
	for (int i = 0; i < WORKERS; i++)
		CHECK_EQ(wait_for(pids[i]), 0);
	int n;
	CHECK_EQ(pread(counter_fd, &n, sizeof n, 0), sizeof n);
	CHECK_EQ(n, WORKERS * ROUNDS);
	CHECK_EQ(semval(sid, 0), 1);
	CHECK_OK(semctl(sid, 0, IPC_RMID));
	close(counter_fd);
	unlink("/tmp/sem_counter");
	ok("4 processes x 2000 increments under a semaphore: no update lost");
}

static void all_checks(void)
{
	values_and_limits();
	operations();
	blocking();
	undo();
	removal_and_signals();
	keys_and_permissions();
	counter();
}

int main(void)
{
	started = time(NULL);
	all_checks();
	/* The first pass took the kernel's tables (run queue, process table) to the sizes
	 * these checks need; the second must leave the kernel heap exactly where it was. */
	long heap_before = heap_kb();
	all_checks();
	if (on_rill())
		CHECK(heap_back_at(heap_settled_kb(heap_before), heap_before));
	ok("kernel heap back where it started");
	return 0;
}
