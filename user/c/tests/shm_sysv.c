/* System V shared memory: a segment is zeroed, shared between attachments and
 * processes, counted through attach, detach, fork and exit, read-only when asked,
 * outlives its creator, and removed while attached goes with its last detach; the
 * error cases of shmget(2), shmat(2), shmdt(2) and shmctl(2) are Linux's. */
#include "rilltest.h"
#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

static time_t started;

static int nattch(int id)
{
	struct shmid_ds ds;
	CHECK_OK(shmctl(id, IPC_STAT, &ds));
	return (int)ds.shm_nattch;
}

static void zeroed_and_shared(void)
{
	int id = CHECK_OK(shmget(IPC_PRIVATE, 10000, 0600));
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1);
	for (int i = 0; i < 10000; i++)
		CHECK_EQ(a[i], 0);
	char *b = shmat(id, NULL, 0);
	CHECK(b != (void *)-1 && b != a);
	strcpy(a, "How are you, mike: from Writer");
	CHECK_STR(b, "How are you, mike: from Writer");
	CHECK_EQ(nattch(id), 2);
	pid_t c = fork();
	if (c == 0) {
		strcpy(b + 5000, "child was here");
		_exit(nattch(id) == 4 ? 0 : 1);
	}
	CHECK_EQ(wait_for(c), 0);
	CHECK_STR(a + 5000, "child was here");
	CHECK_EQ(nattch(id), 2);
	CHECK_OK(shmdt(b));
	CHECK_EQ(nattch(id), 1);
	struct shmid_ds ds;
	CHECK_OK(shmctl(id, IPC_STAT, &ds));
	CHECK_EQ(ds.shm_segsz, 10000);
	CHECK_EQ(ds.shm_cpid, getpid());
	CHECK_EQ(ds.shm_lpid, getpid());
	CHECK(ds.shm_atime >= started && ds.shm_dtime >= started);
	CHECK_EQ(ds.shm_perm.mode & 0777, 0600);
	CHECK_OK(shmdt(a));
	CHECK_EQ(nattch(id), 0);
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
	ok("zeroed; two attachments alias; a child's store is seen; nattch through fork and exit");
}

static sigjmp_buf jump;
static volatile int segv_code;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	segv_code = si->si_code;
	siglongjmp(jump, 1);
}

static void read_only(void)
{
	int id = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
	char *rw = shmat(id, NULL, 0);
	CHECK(rw != (void *)-1);
	rw[0] = 'x';
	char *ro = shmat(id, NULL, SHM_RDONLY);
	CHECK(ro != (void *)-1);
	CHECK_EQ(ro[0], 'x');
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
	if (sigsetjmp(jump, 1) == 0) {
		*(volatile char *)ro = 'y';
		FAIL("a store to a SHM_RDONLY attachment went through");
	}
	CHECK_EQ(segv_code, SEGV_ACCERR);
	CHECK_ERR(mprotect(ro, 4096, PROT_READ | PROT_WRITE), EACCES);
	signal(SIGSEGV, SIG_DFL);
	CHECK_OK(shmdt(ro));
	CHECK_OK(shmdt(rw));
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	ok("a store to a SHM_RDONLY attachment is SIGSEGV with SEGV_ACCERR; no mprotect to write");
}

static void removed_while_attached(void)
{
	key_t key = 0x52494c4d;
	int old = shmget(key, 0, 0);
	if (old >= 0)
		shmctl(old, IPC_RMID, NULL);
	int id = CHECK_OK(shmget(key, 8192, IPC_CREAT | 0600));
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1);
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	struct shmid_ds ds;
	CHECK_OK(shmctl(id, IPC_STAT, &ds));
	CHECK(ds.shm_perm.mode & SHM_DEST);
	CHECK_EQ(ds.shm_perm.__key, 0);
	CHECK_ERR(shmget(key, 8192, 0600), ENOENT);
	strcpy(a + 8000, "still usable");
	CHECK_STR(a + 8000, "still usable");
	CHECK_OK(shmdt(a));
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
	ok("IPC_RMID while attached: the memory stays usable, the key goes, the last detach frees it");
}

static int create_and_exit(void)
{
	int id = shmget(0x52494c4e, 4096, IPC_CREAT | IPC_EXCL | 0644);
	char *a = shmat(id, NULL, 0);
	if (a == (void *)-1)
		return 1;
	strcpy(a, "left by a child");
	return 0;
}

static void outlives_creator(void)
{
	int old = shmget(0x52494c4e, 0, 0);
	if (old >= 0)
		shmctl(old, IPC_RMID, NULL);
	CHECK_EQ(wait_for(spawn(create_and_exit)), 0);
	int id = CHECK_OK(shmget(0x52494c4e, 0, 0));
	CHECK_EQ(nattch(id), 0);
	char *a = shmat(id, NULL, SHM_RDONLY);
	CHECK(a != (void *)-1);
	CHECK_STR(a, "left by a child");
	CHECK_OK(shmdt(a));
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	ok("a segment outlives the process that made it");
}

static int unprivileged(int id)
{
	if (setgid(1000) != 0 || setuid(1000) != 0)
		return 10;
	if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
		return 1;
	if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
		return 2;
	return 0;
}

static void errors(void)
{
	CHECK_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	int id = CHECK_OK(shmget(0x52494c4f, 4096, IPC_CREAT | 0600));
	CHECK_ERR(shmget(0x52494c4f, 8192, 0600), EINVAL);
	CHECK_ERR(shmget(0x52494c4f, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERR(shmat(-1, NULL, 0), EINVAL);
	CHECK_ERR(shmat(id, (void *)0x12345, 0), EINVAL);
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1);
	CHECK_ERR(shmat(id, a, 0), EINVAL);
	char *again = shmat(id, a, SHM_REMAP);
	CHECK(again == a);
	char *rounded = shmat(id, a + 100, SHM_RND | SHM_REMAP);
	CHECK(rounded == a);
	CHECK_ERR(shmdt(a + 1), EINVAL);
	CHECK_ERR(shmdt(a + 4096), EINVAL);
	static char not_shm[8192];
	CHECK_ERR(shmdt((char *)(((unsigned long)not_shm + 4095) & ~4095UL)), EINVAL);
	CHECK_ERR(shmctl(id, 99, NULL), EINVAL);
	CHECK_ERR(shmctl(id, IPC_STAT, NULL), EFAULT);
	pid_t c = fork();
	if (c == 0)
		_exit(unprivileged(id));
	CHECK_EQ(wait_for(c), 0);
	CHECK_OK(shmdt(a));
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	struct shminfo info;
	CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0);
	CHECK_EQ(info.shmmin, 1);
	CHECK_EQ(info.shmmni, 4096);
	ok("size, key, address, detach, permission and command errors as Linux");
}

int main(void)
{
	started = time(NULL);
	zeroed_and_shared();
	read_only();
	removed_while_attached();
	outlives_creator();
	errors();
	if (on_rill()) {
		long free_before = settled_free_kb(), heap_before = heap_kb();
		for (int round = 0; round < 100; round++) {
			int id = CHECK_OK(shmget(IPC_PRIVATE, 3 * 4096, 0600));
			char *a = shmat(id, NULL, 0);
			CHECK(a != (void *)-1);
			memset(a, round, 3 * 4096);
			pid_t c = fork();
			if (c == 0)
				_exit(a[100] == (char)round ? 0 : 1);
			CHECK_EQ(wait_for(c), 0);
			CHECK_OK(shmctl(id, IPC_RMID, NULL));
			CHECK_OK(shmdt(a));
		}
		CHECK_EQ(settled_free_kb(), free_before);
		CHECK(heap_back_at(heap_settled_kb(heap_before), heap_before));
	}
	ok("100 segments made, attached, forked over and removed: memory and heap back");
	return 0;
}
