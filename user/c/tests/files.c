/* files: file descriptors and the file system calls of the kernel core.
 * In /tmp: openat O_CREAT|O_EXCL, write, lseek SEEK_SET/CUR/END, read back,
 * fstat size and mode under umask 022, EEXIST; dup, dup3 and F_DUPFD share
 * the offset; FD_CLOEXEC; EINVAL and EBADF cases; getdents64 lists the file;
 * chdir, getcwd and a relative open; an unlinked file stays readable through
 * an open descriptor; ENOENT, ENOTDIR, EISDIR; /dev/null and /dev/zero.
 * First of all, readlink of /proc/self/exe. */
#include "rilltest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define NAME "rilltest-files.txt"
#define PATH "/tmp/" NAME

/* True if the directory open on fd has an entry called name. */
static int dir_has(int fd, const char *name)
{
	static char buf[4096];
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			if (strcmp(d->d_name, name) == 0)
				return 1;
			off += d->d_reclen;
		}
	}
	CHECK_EQ(n, 0);
	return 0;
}

int main(void)
{
	char buf[64], exe[4096];
	struct stat st;

	/* Before any chdir: qemu-riscv64 resolves a relative program path
	 * against the current directory when it answers this. */
	long n = CHECK_OK(readlink("/proc/self/exe", exe, sizeof exe - 1));
	exe[n] = '\0';
	CHECK_EQ(exe[0], '/');
	CHECK(n >= 6 && strcmp(exe + n - 6, "/files") == 0);
	ok("readlink /proc/self/exe: an absolute path ending in /files");

	umask(022);
	unlink(PATH); /* left over from an interrupted run, if any */
	int fd = CHECK_OK(openat(AT_FDCWD, PATH, O_RDWR | O_CREAT | O_EXCL, 0666));
	CHECK_EQ(write(fd, "hello, file\n", 12), 12);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);
	CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
	CHECK_EQ(read(fd, buf, sizeof buf), 5);
	CHECK(memcmp(buf, "file\n", 5) == 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	CHECK_EQ(lseek(fd, -5, SEEK_END), 7);
	CHECK_EQ(lseek(fd, -2, SEEK_CUR), 5);
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK(memcmp(buf, ", ", 2) == 0);
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
	ok("create, write, lseek SET/CUR/END, read back");

	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0644);
	CHECK_EQ(st.st_size, 12);
	CHECK_EQ(st.st_nlink, 1);
	ok("fstat: regular file, mode 0644 (0666 & ~022), size 12");
	CHECK_ERR(openat(AT_FDCWD, PATH, O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST);
	ok("O_CREAT|O_EXCL on an existing file: EEXIST");

	/* Duplicates share one open file, so one offset. */
	int d = CHECK_OK(dup(fd));
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3);
	int high = CHECK_OK(fcntl(fd, F_DUPFD, 50));
	CHECK(high >= 50);
	CHECK_EQ(lseek(high, 1, SEEK_CUR), 4);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
	CHECK_EQ(close(high), 0);
	CHECK_EQ(dup3(fd, high, O_CLOEXEC), high); /* high is free again */
	CHECK_EQ(lseek(high, 0, SEEK_CUR), 4);
	ok("dup, dup3 and F_DUPFD share the file offset");

	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(high, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(d, F_GETFD), 0); /* the flag belongs to the descriptor */
	ok("FD_CLOEXEC via dup3 and F_SETFD, per descriptor");

	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	CHECK_EQ(close(high), 0);
	CHECK_ERR(close(high), EBADF);
	CHECK_ERR(close(-1), EBADF);
	CHECK_ERR(read(high, buf, 1), EBADF);
	ok("dup3 onto itself: EINVAL; closed descriptors: EBADF");

	int dir = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(read(dir, buf, sizeof buf), EISDIR);
	CHECK(dir_has(dir, NAME));
	CHECK_EQ(lseek(dir, 0, SEEK_SET), 0);
	CHECK(dir_has(dir, ".."));
	CHECK_EQ(close(dir), 0);
	ok("read on a directory: EISDIR; getdents64 lists the file");

	CHECK_EQ(chdir("/tmp"), 0);
	CHECK(getcwd(buf, sizeof buf) != NULL);
	CHECK_STR(buf, "/tmp");
	int rel = CHECK_OK(open(NAME, O_RDONLY));
	CHECK_EQ(read(rel, buf, 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(chdir("/"), 0);
	ok("chdir, getcwd and a relative open");

	CHECK_EQ(unlink(PATH), 0);
	CHECK_ERR(open(PATH, O_RDONLY), ENOENT);
	CHECK_ERR(unlink(PATH), ENOENT);
	CHECK_EQ(read(rel, buf, sizeof buf), 7); /* still open: still readable */
	CHECK(memcmp(buf, ", file\n", 7) == 0);
	CHECK_EQ(close(rel), 0);
	CHECK_EQ(close(d), 0);
	CHECK_EQ(close(fd), 0);
	ok("unlink: the name is gone (ENOENT), open descriptors still read");

	CHECK_ERR(open("/dev/null/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);
	ok("a file used as a directory: ENOTDIR");

	int null = CHECK_OK(open("/dev/null", O_RDWR));
	CHECK_EQ(fstat(null, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(write(null, "gone", 4), 4);
	CHECK_EQ(read(null, buf, sizeof buf), 0);
	CHECK_EQ(close(null), 0);
	int zero = CHECK_OK(open("/dev/zero", O_RDWR));
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(read(zero, buf, sizeof buf), sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(write(zero, "gone", 4), 4);
	CHECK_EQ(close(zero), 0);
	ok("/dev/null reads EOF and swallows writes; /dev/zero reads zeroes");

	return 0;
}
