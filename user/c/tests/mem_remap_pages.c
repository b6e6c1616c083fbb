/* remap_file_pages(2), which Linux emulates since 4.0 with an mmap of the same object
 * over the range: pages of a shared mapping show other pages of their object; bad
 * arguments and private mappings are EINVAL, unknown flags ignored; the range of a System V segment removed
 * with IPC_RMID cannot be mapped again once its last attachment goes (EINVAL). */
#include "rilltest.h"
#include <sys/mman.h>
#include <sys/shm.h>

#define PAGE 4096L

static long remap(void *addr, long size, long prot, long pgoff, long flags)
{
	return syscall(SYS_remap_file_pages, addr, size, prot, pgoff, flags);
}

int main(void)
{
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	for (int i = 0; i < 4; i++)
		m[i * PAGE] = 'A' + i;
	CHECK_OK(remap(m, PAGE, 0, 2, 0));
	CHECK_EQ(m[0], 'C');
	CHECK_EQ(m[PAGE], 'B');
	m[1] = 'x';
	CHECK_OK(remap(m + 3 * PAGE, PAGE, 0, 2, 0));
	CHECK_EQ(m[3 * PAGE + 1], 'x');
	CHECK_OK(remap(m, 2 * PAGE, 0, 0, 0));
	CHECK_EQ(m[0], 'A');
	CHECK_EQ(m[PAGE], 'B');
	ok("a shared mapping's pages show other pages of its object");

	CHECK_ERR(remap(m, PAGE, PROT_READ, 0, 0), EINVAL);
	CHECK_OK(remap(m, PAGE, 0, 0, 1)); /* unknown flags are ignored */
	CHECK_ERR(remap(m, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(remap(m, 8 * PAGE, 0, 0, 0), EINVAL);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_ERR(remap(p, PAGE, 0, 0, 0), EINVAL);
	CHECK_OK(munmap(p, PAGE));
	CHECK_ERR(remap(p, PAGE, 0, 0, 0), EINVAL);
	CHECK_OK(munmap(m, 4 * PAGE));
	ok("EINVAL: protection, empty or too long a range, private or no mapping");

	int id = CHECK_OK(shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600));
	char *s = shmat(id, NULL, 0);
	CHECK(s != (void *)-1);
	s[0] = 's';
	CHECK_OK(remap(s, PAGE, 0, 0, 0));
	CHECK_EQ(s[0], 's');
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	CHECK_ERR(remap(s, PAGE, 0, 0, 0), EINVAL);
	CHECK_ERR(shmdt(s), EINVAL);
	CHECK_ERR(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 }), EINVAL);
	ok("a removed segment's last attachment, remapped, is gone: EINVAL");
	return 0;
}
