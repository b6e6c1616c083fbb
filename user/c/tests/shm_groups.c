/* Supplementary groups and System V IPC: setgroups/getgroups as Linux answers them
 * (root only, sorted, NGROUPS_MAX, size rules, inherited by fork), a supplementary
 * group granting the group bits of a segment and a semaphore set as the effective gid
 * does (ipcperms' in_group_p), and shmget's SHM_HUGETLB on a kernel without huge
 * pages: EINVAL for a new segment, after the size check, while an existing key is
 * found regardless (what LTP's shmget02 runs into). */
#include "rilltest.h"
#include <grp.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define NOBODY 65534
#define GROUP 1234

static int shm_id, sem_id;

/* A child that drops to nobody with `groups` as its supplementary list. */
static int as_nobody(const gid_t *groups, int n, int expect_read)
{
	CHECK_OK(setgroups(n, groups));
	CHECK_OK(setgid(NOBODY));
	CHECK_OK(setuid(NOBODY));
	/* no longer root: the list is fixed */
	CHECK_ERR(setgroups(0, NULL), EPERM);
	gid_t got[4];
	CHECK_EQ(getgroups(4, got), n);
	if (expect_read) {
		void *p = shmat(shm_id, NULL, SHM_RDONLY);
		CHECK(p != (void *)-1);
		CHECK_EQ(*(volatile int *)p, 42);
		CHECK_OK(shmdt(p));
		/* the group has r-- only */
		CHECK(shmat(shm_id, NULL, 0) == (void *)-1 && errno == EACCES);
		CHECK_EQ(semctl(sem_id, 0, GETVAL), 3);
		struct sembuf v = { 0, 1, IPC_NOWAIT };
		CHECK_ERR(semop(sem_id, &v, 1), EACCES);
	} else {
		CHECK(shmat(shm_id, NULL, SHM_RDONLY) == (void *)-1 && errno == EACCES);
		CHECK_ERR(semctl(sem_id, 0, GETVAL), EACCES);
	}
	/* group membership never makes one the owner */
	CHECK_ERR(shmctl(shm_id, IPC_RMID, NULL), EPERM);
	return 0;
}

static int member(void)
{
	const gid_t groups[] = { 7, GROUP };
	return as_nobody(groups, 2, 1);
}

static int not_member(void)
{
	const gid_t groups[] = { 7, GROUP + 1 };
	return as_nobody(groups, 2, 0);
}

static int inherits(void)
{
	gid_t got[4];
	CHECK_EQ(getgroups(4, got), 3);
	CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30);
	return 0;
}

static void group_lists(void)
{
	gid_t got[4] = { 0 };
	const gid_t set[] = { 30, 10, 20 };
	CHECK_OK(setgroups(3, set));
	CHECK_EQ(getgroups(0, NULL), 3);
	CHECK_EQ(getgroups(4, got), 3);
	/* kept sorted */
	CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30);
	/* too small a buffer */
	CHECK_ERR(getgroups(2, got), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, 3, BAD_LOW), EFAULT);
	CHECK_EQ(wait_for(spawn(inherits)), 0);
	/* NGROUPS_MAX is 65536; a negative size is as big as it gets */
	CHECK_ERR(syscall(SYS_setgroups, 65537, set), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, -1, set), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, 2, BAD_LOW), EFAULT);
	/* a failed call leaves the list alone */
	CHECK_EQ(getgroups(4, got), 3);
	CHECK_OK(setgroups(0, NULL));
	CHECK_EQ(getgroups(0, NULL), 0);
	ok("setgroups/getgroups: root only, sorted, size rules, inherited by fork");
}

static void group_permissions(void)
{
	shm_id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0640);
	CHECK(shm_id >= 0);
	int *p = shmat(shm_id, NULL, 0);
	CHECK(p != (void *)-1);
	*p = 42;
	CHECK_OK(shmdt(p));
	struct shmid_ds ds;
	CHECK_OK(shmctl(shm_id, IPC_STAT, &ds));
	ds.shm_perm.uid = 4321;
	ds.shm_perm.gid = GROUP;
	CHECK_OK(shmctl(shm_id, IPC_SET, &ds));

	sem_id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0640);
	CHECK(sem_id >= 0);
	CHECK_OK(semctl(sem_id, 0, SETVAL, 3));
	struct semid_ds sds;
	CHECK_OK(semctl(sem_id, 0, IPC_STAT, &sds));
	sds.sem_perm.uid = 4321;
	sds.sem_perm.gid = GROUP;
	CHECK_OK(semctl(sem_id, 0, IPC_SET, &sds));

	CHECK_EQ(wait_for(spawn(member)), 0);
	CHECK_EQ(wait_for(spawn(not_member)), 0);
	CHECK_OK(shmctl(shm_id, IPC_RMID, NULL));
	CHECK_OK(semctl(sem_id, 0, IPC_RMID));
	ok("a supplementary group grants the group bits of a segment and a semaphore set");
}

static int has_huge_pages(void)
{
	static char buf[16384];
	int fd = open("/proc/meminfo", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	CHECK(n > 0);
	buf[n] = 0;
	return strstr(buf, "Hugepagesize:") != NULL;
}

static void huge_pages(void)
{
	key_t key = 0x5347;
	int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK(id >= 0);
	/* an existing key is found: the flag only matters for a new segment */
	CHECK_EQ(shmget(key, 4096, SHM_HUGETLB), id);
	CHECK_EQ(shmget(key, 4096, IPC_CREAT | SHM_HUGETLB | 0600), id);
	/* no huge pages (Rill, and Linux without hugetlbfs, which has no Hugepagesize
	 * in meminfo; qemu-user's host may have them): a new one is EINVAL */
	if (!has_huge_pages()) {
		CHECK_ERR(shmget(IPC_PRIVATE, 4096, IPC_CREAT | SHM_HUGETLB | 0600), EINVAL);
		CHECK_ERR(shmget(key + 1, 4096, IPC_CREAT | SHM_HUGETLB | 0600), EINVAL);
	}
	/* and the existing key's size check still comes first */
	CHECK_ERR(shmget(key, 8192, SHM_HUGETLB), EINVAL);
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	ok("SHM_HUGETLB: EINVAL only for a new segment");
}

int main(void)
{
	group_lists();
	group_permissions();
	huge_pages();
	return 0;
}
