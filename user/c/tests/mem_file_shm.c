/* mem_file_shm: POSIX shared memory through glibc's shm_open/shm_unlink, which use
 * files in /dev/shm (a tmpfs, mode 1777). Two processes open one name, size it,
 * map it and see each other's stores; after shm_unlink the name is gone while the
 * mappings stay. /proc/self/maps names the file (with " (deleted)" once unlinked),
 * with its inode and offset. On Rill: a 64 MiB file (smaller where RAM is small)
 * mapped shared by 4 processes and written by all of them costs its size once, is
 * counted in Shmem and Cached, and is all given back after the unlink. */
#include "rilltest.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define PAGE 4096L
#define TMPFS_MAGIC 0x01021994

static int ready[2], done[2];

static void step(int fd)
{
	CHECK_EQ(write(fd, "x", 1), 1);
}

static void await(int fd)
{
	char c;
	CHECK_EQ(read(fd, &c, 1), 1);
}

/* The second process: opens the name the first made, stores, reads the answer. */
static int peer(void)
{
	await(ready[0]);
	int fd = shm_open("/rill_shm_test", O_RDWR, 0);
	if (fd < 0)
		return 2;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size != 2 * PAGE)
		return 3;
	volatile char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 4;
	close(fd);
	if (m[0] != 'a')
		return 5;
	m[PAGE] = 'b';
	step(done[1]);
	await(ready[0]);
	return m[1] == 'c' ? 0 : 6;
}

/* A line of /proc/self/maps holding `needle`, into `out`. */
static int maps_line(const char *needle, char *out, size_t size)
{
	static char text[16384];
	int fd = CHECK_OK(open("/proc/self/maps", O_RDONLY));
	long n = 0, r;
	while ((r = read(fd, text + n, sizeof text - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = 0;
	char *at = strstr(text, needle);
	if (!at)
		return 0;
	while (at > text && at[-1] != '\n')
		at--;
	size_t len = strcspn(at, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(out, at, len);
	out[len] = 0;
	return 1;
}

static char *big;
static long big_len;
static int which;

static int toucher(void)
{
	for (long i = 0; i < big_len; i += PAGE)
		big[i + which] = 1; /* a byte of its own in every page */
	step(done[1]);
	await(ready[0]);
	return 0;
}

int main(void)
{
	struct stat st;
	CHECK_OK(stat("/dev/shm", &st));
	CHECK_EQ(st.st_mode & 07777, 01777);
	struct statfs sf;
	CHECK_OK(statfs("/dev/shm", &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC);
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK(sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks);
	ok("/dev/shm is a tmpfs, mode 1777");

	CHECK_OK(pipe(ready));
	CHECK_OK(pipe(done));
	shm_unlink("/rill_shm_test");
	pid_t pid = spawn(peer);
	int fd = CHECK_OK(shm_open("/rill_shm_test", O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK_ERR(shm_open("/rill_shm_test", O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	CHECK_OK(ftruncate(fd, 2 * PAGE));
	volatile char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[0] = 'a';
	step(ready[1]);
	await(done[0]);
	CHECK_EQ(m[PAGE], 'b');
	ok("shm_open: two processes map one object and see each other's stores");

	char line[512], want[512];
	CHECK_OK(fstat(fd, &st));
	CHECK(maps_line("/dev/shm/rill_shm_test", line, sizeof line));
	CHECK(strstr(line, " rw-s 00000000 ") != NULL);
	if (on_rill()) {
		snprintf(want, sizeof want, "%08lx-%08lx rw-s 00000000 00:01 %lu",
			 (unsigned long)m, (unsigned long)m + 2 * PAGE, (unsigned long)st.st_ino);
		CHECK(strncmp(line, want, strlen(want)) == 0);
		CHECK_STR(line + 73, "/dev/shm/rill_shm_test");
	}
	ok("/proc/self/maps names the file, with its rights, offset and inode");

	CHECK_OK(shm_unlink("/rill_shm_test"));
	CHECK_ERR(shm_open("/rill_shm_test", O_RDWR, 0), ENOENT);
	CHECK_ERR(shm_unlink("/rill_shm_test"), ENOENT);
	m[1] = 'c';
	step(ready[1]);
	CHECK_EQ(wait_for(pid), 0);
	CHECK(maps_line("/dev/shm/rill_shm_test (deleted)", line, sizeof line));
	CHECK_OK(munmap((void *)m, 2 * PAGE));
	close(fd);
	ok("shm_unlink: the name goes, the mappings stay, maps says (deleted)");

	/* One file, four processes: its pages exist once. */
	big_len = 64L << 20;
	long free0 = 0, heap0 = 0, shmem0 = 0;
	if (on_rill()) {
		free0 = settled_free_kb();
		heap0 = heap_kb();
		shmem0 = proc_kb("/proc/meminfo", "Shmem:");
		/* Leave room for the four processes on a small machine. */
		while (big_len / 1024 > free0 / 2)
			big_len /= 2;
	}
	fd = CHECK_OK(shm_open("/rill_big", O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_OK(ftruncate(fd, big_len));
	big = mmap(NULL, big_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(big != MAP_FAILED);
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		which = i;
		kids[i] = spawn(toucher);
	}
	for (int i = 0; i < 4; i++)
		await(done[0]);
	for (long i = 0; i < big_len; i += PAGE * 97)
		CHECK_EQ(big[i] + big[i + 1] + big[i + 2] + big[i + 3], 4);
	if (on_rill()) {
		long used = free0 - accounted_free_kb();
		long kb = big_len / 1024;
		/* The file once, plus the children's page tables and stacks. */
		if (used < kb || used > kb + kb / 8 + 2048)
			FAIL("%ld kB file mapped by 4: %ld kB used", kb, used);
		CHECK(proc_kb("/proc/meminfo", "Shmem:") - shmem0 >= kb);
		CHECK(proc_kb("/proc/meminfo", "Cached:") >= kb);
	}
	ok("a 64 MiB file mapped shared by 4 processes costs its size once");
	for (int i = 0; i < 4; i++)
		step(ready[1]);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(wait_for(kids[i]), 0);
	CHECK_OK(munmap(big, big_len));
	CHECK_OK(shm_unlink("/rill_big"));
	close(fd);
	if (on_rill()) {
		long free1 = settled_free_kb();
		if (free1 != free0 || heap_kb() > heap0 + 4)
			FAIL("after unlink: free %+ld kB, heap %+ld kB", free1 - free0,
			     heap_kb() - heap0);
	}
	ok("unlinked and unmapped, the memory is back");
	return 0;
}
