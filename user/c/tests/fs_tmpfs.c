/* fs_tmpfs: files and directories in /tmp.
 * Creating, writing and reading a file; ftruncate and truncate growing it
 * with zeros and shrinking it; a write past the end leaving a zero-filled
 * hole; unlink (also of a file still open); mkdir and rmdir with the errors
 * Linux gives (EEXIST, ENOTEMPTY, ENOTDIR, EISDIR, EINVAL for "."); ".."
 * after a file or a missing name (ENOTDIR, ENOENT); rename of
 * a file over a file, a directory into another, a name onto itself, over an
 * empty and a non-empty directory, and a directory into its own subdirectory
 * (EINVAL); getdents64 listings with d_type after the changes; O_APPEND,
 * O_TRUNC and O_CREAT|O_EXCL.
 * Everything happens in /tmp/fs_tmpfs_PID (the pid keeps parallel runs on
 * the same host apart) and is removed at the end; paths are printed relative
 * to it, so the output does not depend on the pid. */
#include "rilltest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char base[64];

static const char *at(const char *name)
{
	return path_in(base, name);
}

static void write_file(const char *name, const char *text)
{
	int fd = CHECK_OK(open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ(write(fd, text, strlen(text)), strlen(text));
	CHECK_EQ(close(fd), 0);
}

/* The whole file, which must hold at most 255 bytes. Returns its length. */
static long read_file(const char *name, char *buf)
{
	int fd = CHECK_OK(open(at(name), O_RDONLY));
	long n = CHECK_OK(read(fd, buf, 256));
	CHECK(n < 256);
	buf[n] = '\0';
	CHECK_EQ(close(fd), 0);
	return n;
}

static long size_of(const char *name)
{
	struct stat st;
	CHECK_EQ(stat(at(name), &st), 0);
	return st.st_size;
}

static int all_zero(const char *p, long n)
{
	for (long i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints "ok: ls NAME: entry/ entry ..." for directory base/NAME, sorted, "/"
 * after directories, as getdents64 reports them (. and .. included). */
static void list(const char *name)
{
	int fd = CHECK_OK(open(at(name), O_RDONLY | O_DIRECTORY));
	char buf[1024];
	static char names[32][260];
	char *sorted[32];
	int count = 0;
	for (;;) {
		long n = CHECK_OK(syscall(SYS_getdents64, fd, buf, sizeof buf));
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			CHECK(count < 32);
			CHECK(d->d_type == DT_DIR || d->d_type == DT_REG);
			snprintf(names[count], sizeof names[0], "%s%s", d->d_name,
				 d->d_type == DT_DIR ? "/" : "");
			sorted[count] = names[count];
			count++;
			off += d->d_reclen;
		}
	}
	CHECK_EQ(close(fd), 0);
	qsort(sorted, count, sizeof sorted[0], by_name);
	printf("ok: ls %s:", name);
	for (int i = 0; i < count; i++)
		printf(" %s", sorted[i]);
	printf("\n");
}

static void files(void)
{
	char buf[256];
	write_file("f", "hello");
	CHECK_EQ(read_file("f", buf), 5);
	CHECK_STR(buf, "hello");
	CHECK_EQ(size_of("f"), 5);
	ok("create, write, read back");

	int fd = CHECK_OK(open(at("f"), O_RDWR));
	CHECK_EQ(ftruncate(fd, 12), 0);
	CHECK_EQ(size_of("f"), 12);
	CHECK_EQ(read_file("f", buf), 12);
	CHECK(memcmp(buf, "hello", 5) == 0 && all_zero(buf + 5, 7));
	ok("ftruncate grows with zeros");
	CHECK_EQ(ftruncate(fd, 2), 0);
	CHECK_EQ(read_file("f", buf), 2);
	CHECK_STR(buf, "he");
	/* Growing again must not bring back the old bytes. */
	CHECK_EQ(ftruncate(fd, 4), 0);
	CHECK_EQ(read_file("f", buf), 4);
	CHECK(memcmp(buf, "he\0\0", 4) == 0);
	ok("ftruncate shrinks; growing again gives zeros, not old data");
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK_EQ(close(fd), 0);
	fd = CHECK_OK(open(at("f"), O_RDONLY));
	CHECK_ERR(ftruncate(fd, 0), EINVAL);
	CHECK_EQ(close(fd), 0);
	ok("ftruncate: EINVAL for a negative length or a read-only descriptor");
	CHECK_EQ(truncate(at("f"), 1), 0);
	CHECK_EQ(size_of("f"), 1);
	ok("truncate by path");

	fd = CHECK_OK(open(at("f"), O_WRONLY));
	CHECK_EQ(pwrite(fd, "xy", 2, 10), 2);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(read_file("f", buf), 12);
	CHECK(buf[0] == 'h' && all_zero(buf + 1, 9) && memcmp(buf + 10, "xy", 2) == 0);
	ok("a write past the end leaves a hole of zeros");

	write_file("a", "first");
	fd = CHECK_OK(open(at("a"), O_WRONLY | O_APPEND));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "+more", 5), 5);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(read_file("a", buf), 10);
	CHECK_STR(buf, "first+more");
	ok("O_APPEND writes at the end whatever the offset");

	fd = CHECK_OK(open(at("a"), O_RDWR | O_TRUNC));
	CHECK_EQ(size_of("a"), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	CHECK_EQ(close(fd), 0);
	ok("O_TRUNC empties the file");

	CHECK_ERR(open(at("a"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	fd = CHECK_OK(open(at("new"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(open(at("missing"), O_RDONLY), ENOENT);
	ok("O_CREAT|O_EXCL: EEXIST for an existing name, creates a new one");

	fd = CHECK_OK(open(at("new"), O_RDWR));
	CHECK_EQ(unlink(at("new")), 0);
	CHECK_ERR(open(at("new"), O_RDONLY), ENOENT);
	CHECK_ERR(unlink(at("new")), ENOENT);
	CHECK_EQ(write(fd, "still", 5), 5);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 5);
	CHECK(memcmp(buf, "still", 5) == 0);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(close(fd), 0);
	ok("unlink: the name goes, an open descriptor keeps the data");
}

static void directories(void)
{
	CHECK_EQ(mkdir(at("d"), 0755), 0);
	CHECK_ERR(mkdir(at("d"), 0755), EEXIST);
	CHECK_ERR(mkdir(at("f"), 0755), EEXIST);
	CHECK_ERR(mkdir(at("nodir/x"), 0755), ENOENT);
	CHECK_ERR(mkdir(at("f/x"), 0755), ENOTDIR);
	struct stat st;
	CHECK_EQ(stat(at("d"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	ok("mkdir; EEXIST, ENOENT, ENOTDIR");

	write_file("d/inner", "x");
	CHECK_ERR(rmdir(at("d")), ENOTEMPTY);
	CHECK_ERR(rmdir(at("f")), ENOTDIR);
	CHECK_ERR(rmdir(at("d/.")), EINVAL);
	CHECK_ERR(unlink(at("d")), EISDIR);
	CHECK_ERR(open(at("d"), O_WRONLY), EISDIR);
	CHECK_ERR(open(at("f/"), O_RDONLY), ENOTDIR);
	CHECK_ERR(open(at("f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	ok("rmdir ENOTEMPTY, ENOTDIR, EINVAL; unlink and open for writing of a directory EISDIR");

	/* ".." is looked up in the directory reached so far, so what comes
	 * before it must exist and be a directory. */
	CHECK_ERR(stat(at("f/.."), &st), ENOTDIR);
	CHECK_ERR(stat(at("missing/../f"), &st), ENOENT);
	CHECK_EQ(stat(at("d/../f"), &st), 0);
	ok("a path through a file or a missing name fails even when .. follows");

	CHECK_EQ(mkdir(at("empty"), 0755), 0);
	CHECK_EQ(rmdir(at("empty")), 0);
	CHECK_ERR(stat(at("empty"), &st), ENOENT);
	ok("rmdir of an empty directory");
	list(".");
	list("d");
}

static void renames(void)
{
	char buf[256];
	struct stat st;

	write_file("src", "source");
	write_file("dst", "destination");
	CHECK_EQ(rename(at("src"), at("dst")), 0);
	CHECK_ERR(stat(at("src"), &st), ENOENT);
	CHECK_EQ(read_file("dst", buf), 6);
	CHECK_STR(buf, "source");
	ok("rename a file over a file replaces it");

	CHECK_EQ(rename(at("dst"), at("dst")), 0);
	CHECK_EQ(read_file("dst", buf), 6);
	ok("rename onto itself changes nothing");

	CHECK_EQ(mkdir(at("e"), 0755), 0);
	CHECK_EQ(rename(at("d"), at("e/d")), 0);
	CHECK_ERR(stat(at("d"), &st), ENOENT);
	CHECK_EQ(read_file("e/d/inner", buf), 1);
	ok("rename a directory into another");

	CHECK_ERR(rename(at("e"), at("e/d/sub")), EINVAL);
	CHECK_ERR(rename(at("e"), at("e/x")), EINVAL);
	ok("rename a directory into its own subdirectory: EINVAL");

	CHECK_EQ(mkdir(at("g"), 0755), 0);
	CHECK_ERR(rename(at("g"), at("e")), ENOTEMPTY);
	CHECK_ERR(rename(at("g"), at("dst")), ENOTDIR);
	CHECK_ERR(rename(at("dst"), at("g")), EISDIR);
	CHECK_ERR(rename(at("missing"), at("g2")), ENOENT);
	CHECK_EQ(mkdir(at("h"), 0755), 0);
	CHECK_EQ(rename(at("g"), at("h")), 0);
	CHECK_ERR(stat(at("g"), &st), ENOENT);
	CHECK_EQ(stat(at("h"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	ok("rename: ENOTEMPTY, ENOTDIR, EISDIR, ENOENT; a directory over an empty one");

	list(".");
	list("e");
	list("e/d");
}

static void clean_up(void)
{
	const char *files[] = { "f", "a", "dst", "e/d/inner" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		CHECK_EQ(unlink(at(files[i])), 0);
	const char *dirs[] = { "e/d", "e", "h" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		CHECK_EQ(rmdir(at(dirs[i])), 0);
	list(".");
	CHECK_EQ(rmdir(base), 0);
	ok("everything removed");
}

int main(void)
{
	snprintf(base, sizeof base, "/tmp/fs_tmpfs_%d", (int)getpid());
	umask(022);
	CHECK_EQ(mkdir(base, 0755), 0);
	files();
	directories();
	renames();
	clean_up();
	return 0;
}
