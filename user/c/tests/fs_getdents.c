/* fs_getdents: listing a directory of 3000 entries with getdents64.
 * Every entry is listed exactly once with its d_type and inode number, "." and
 * ".." once with theirs; one entry per call (a 32-byte buffer) is as fast as
 * big reads, as a call resumes where the last one stopped instead of
 * rebuilding the list (bounded time on Rill); a buffer too small for the next
 * record is EINVAL, at the end 0. Entries removed or added between calls: each
 * entry that stays is listed exactly once, none twice. lseek to a d_off resumes
 * right after that record. rmdir of the full directory is ENOTEMPTY; getdents64
 * of a file ENOTDIR. With an argument "-v" it prints the timings to stderr.
 * Everything happens in /tmp/fs_getdents.PID. */
#include "rilltest.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#define N 3000
#define EXTRA 200

struct ldirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char base[64];
static int verbose;
static int seen[N + EXTRA], dots, dotdots;
static ino_t ino_of_entry[N];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *entry_name(int i)
{
	static char name[16];
	snprintf(name, sizeof name, "%c%05d", i < N ? 'f' : 'g', i);
	return name;
}

static long getdents(int fd, void *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

/* Counts the records in buf; returns the d_off of the last one. */
static int64_t tally(const char *buf, long n)
{
	int64_t off = 0;
	for (long at = 0; at < n;) {
		const struct ldirent64 *d = (const void *)(buf + at);
		CHECK(d->d_reclen >= 24 && d->d_reclen % 8 == 0);
		if (strcmp(d->d_name, ".") == 0) {
			dots++;
			CHECK_EQ(d->d_type, DT_DIR);
		} else if (strcmp(d->d_name, "..") == 0) {
			dotdots++;
			CHECK_EQ(d->d_type, DT_DIR);
		} else {
			int i = atoi(d->d_name + 1);
			CHECK(i >= 0 && i < N + EXTRA);
			CHECK_STR(d->d_name, entry_name(i));
			CHECK_EQ(d->d_type, DT_REG);
			if (i < N)
				CHECK_EQ(d->d_ino, ino_of_entry[i]);
			seen[i]++;
		}
		off = d->d_off;
		at += d->d_reclen;
	}
	return off;
}

static void reset_tally(void)
{
	memset(seen, 0, sizeof seen);
	dots = dotdots = 0;
}

/* Lists the directory to its end in calls of `len` bytes; between calls runs
 * `between` (if any) with the call count. Returns the number of calls. */
static long list_all(int fd, size_t len, void (*between)(long))
{
	static char buf[4096];
	long calls = 0;
	for (;;) {
		long n = CHECK_OK(getdents(fd, buf, len));
		calls++;
		if (n == 0)
			return calls;
		tally(buf, n);
		if (between)
			between(calls);
	}
}

static void check_each_once(void)
{
	CHECK_EQ(dots, 1);
	CHECK_EQ(dotdots, 1);
	for (int i = 0; i < N; i++)
		if (seen[i] != 1)
			FAIL("%s listed %d times", entry_name(i), seen[i]);
}

static int removed[N];

/* Between calls: remove 5 entries, some listed already, some not yet. */
static void remove_some(long call)
{
	for (int k = 0; k < 5; k++) {
		int i = (int)((call * 7919 + k * 104729) % N);
		if (!removed[i]) {
			CHECK_EQ(unlinkat(AT_FDCWD, entry_name(i), 0), 0);
			removed[i] = 1;
		}
	}
}

static int added;

static void add_some(long call)
{
	(void)call;
	for (int k = 0; k < 2 && added < EXTRA; k++, added++)
		CHECK_EQ(close(CHECK_OK(open(entry_name(N + added), O_WRONLY | O_CREAT, 0644))), 0);
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	snprintf(base, sizeof base, "/tmp/fs_getdents.%d", (int)getpid());
	CHECK_EQ(mkdir(base, 0755), 0);
	CHECK_EQ(chdir(base), 0);
	for (int i = 0; i < N; i++) {
		int fd = CHECK_OK(open(entry_name(i), O_WRONLY | O_CREAT | O_EXCL, 0644));
		struct stat st;
		CHECK_EQ(fstat(fd, &st), 0);
		ino_of_entry[i] = st.st_ino;
		CHECK_EQ(close(fd), 0);
	}
	struct stat self, parent;
	CHECK_EQ(stat(".", &self), 0);
	CHECK_EQ(stat("..", &parent), 0);

	int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
	char buf[4096];
	long n = CHECK_OK(getdents(fd, buf, sizeof buf));
	for (long at = 0; at < n;) {
		const struct ldirent64 *d = (const void *)(buf + at);
		if (strcmp(d->d_name, ".") == 0)
			CHECK_EQ(d->d_ino, self.st_ino);
		if (strcmp(d->d_name, "..") == 0)
			CHECK_EQ(d->d_ino, parent.st_ino);
		at += d->d_reclen;
	}
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	double t = now_s();
	list_all(fd, sizeof buf, NULL);
	if (verbose)
		fprintf(stderr, "3000 entries in 4 KiB reads: %.3f s\n", now_s() - t);
	check_each_once();
	CHECK_EQ(getdents(fd, buf, sizeof buf), 0);
	CHECK_EQ(getdents(fd, buf, 1), 0);
	ok("3000 entries listed exactly once with d_type and d_ino; \".\" and \"..\" with theirs");

	reset_tally();
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	t = now_s();
	long calls = list_all(fd, 32, NULL);
	double took = now_s() - t;
	if (verbose)
		fprintf(stderr, "3000 entries one per call: %.3f s\n", took);
	check_each_once();
	CHECK_EQ(calls, N + 3);
	if (on_rill() && took > 5)
		FAIL("listing one entry per call took %.1f s", took);
	ok("one entry per call (32-byte buffer): each listed once, in bounded time");

	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_ERR(getdents(fd, buf, 8), EINVAL);
	CHECK_ERR(getdents(fd, BAD_LOW, sizeof buf), EFAULT);
	ok("a buffer too small for the next record EINVAL, at the end 0; a bad buffer EFAULT");

	/* lseek to a record's d_off resumes right after it. */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	n = CHECK_OK(getdents(fd, buf, 1024));
	const struct ldirent64 *d = (const void *)buf;
	for (int k = 0; k < 9; k++)
		d = (const void *)((const char *)d + d->d_reclen);
	int64_t off = d->d_off;
	const struct ldirent64 *next = (const void *)((const char *)d + d->d_reclen);
	char want[16];
	snprintf(want, sizeof want, "%s", next->d_name);
	CHECK((const char *)next < buf + n);
	CHECK_EQ(lseek(fd, off, SEEK_SET), off);
	n = CHECK_OK(getdents(fd, buf, 1024));
	CHECK(n > 0);
	CHECK_STR(((const struct ldirent64 *)buf)->d_name, want);
	ok("lseek to a d_off resumes right after that record");

	CHECK_ERR(rmdir(base), ENOTEMPTY);
	int file = CHECK_OK(open(entry_name(1), O_RDONLY));
	CHECK_ERR(getdents(file, buf, sizeof buf), ENOTDIR);
	CHECK_EQ(close(file), 0);
	ok("rmdir of the full directory ENOTEMPTY; getdents64 of a file ENOTDIR");

	reset_tally();
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	list_all(fd, 512, remove_some);
	int gone = 0;
	for (int i = 0; i < N; i++) {
		if (seen[i] > 1)
			FAIL("%s listed %d times", entry_name(i), seen[i]);
		if (!removed[i] && seen[i] != 1)
			FAIL("%s (not removed) listed %d times", entry_name(i), seen[i]);
		gone += removed[i];
	}
	CHECK(gone > 100);
	ok("entries removed between calls: every other entry listed exactly once");

	reset_tally();
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	list_all(fd, 512, add_some);
	for (int i = 0; i < N; i++)
		if (seen[i] != !removed[i])
			FAIL("%s listed %d times", entry_name(i), seen[i]);
	for (int i = N; i < N + EXTRA; i++)
		if (seen[i] > 1)
			FAIL("%s listed %d times", entry_name(i), seen[i]);
	CHECK_EQ(added, EXTRA);
	ok("entries added between calls: the others listed exactly once, none twice");
	CHECK_EQ(close(fd), 0);

	for (int i = 0; i < N; i++)
		if (!removed[i])
			CHECK_EQ(unlink(entry_name(i)), 0);
	for (int i = N; i < N + EXTRA; i++)
		CHECK_EQ(unlink(entry_name(i)), 0);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(rmdir(base), 0);
	ok("all removed, then rmdir");
	return 0;
}
