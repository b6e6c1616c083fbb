/* fs_cwd_rename: the working directory and directory descriptors are the
 * directories themselves, not their paths.
 * While the cwd is renamed, relative creates land in it under its new name and
 * getcwd reports the new name; a directory made again under the old name does
 * not capture them; openat and fchdir through a descriptor of a renamed
 * directory follow it; ".." from a directory moved to another parent leads to
 * the new parent; a rename of an ancestor changes getcwd. rename of a
 * directory below itself is EINVAL, onto an ancestor of the source ENOTEMPTY,
 * to or from /proc EXDEV.
 * After rmdir of the cwd: getcwd ENOENT, creating and looking up inside
 * ENOENT, stat(".") works with no links, getdents64 ENOENT, and ".." still
 * leads to the old parent, also through a removed parent. getcwd with a
 * buffer one byte short is ERANGE. "..", getcwd and chdir("..") in /proc/self
 * and /dev lead back to /proc and /.
 * Everything happens in /tmp/fs_cwd_rename.PID, printed relative to it. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

static char base[64];

static const char *at(const char *name)
{
	return path_in(base, name);
}

/* getcwd through the system call (glibc falls back to its own walk on some
 * errors); returns the length with the NUL, or -1 with errno. */
static long sys_getcwd(char *buf, size_t size)
{
	return syscall(SYS_getcwd, buf, size);
}

/* The cwd relative to base ("." for base itself). */
static const char *cwd_in_base(void)
{
	static char buf[512];
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	size_t n = strlen(base);
	CHECK(strncmp(buf, base, n) == 0);
	return buf[n] ? buf + n + 1 : ".";
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	return st.st_ino;
}

static void touch(const char *path)
{
	CHECK_EQ(close(CHECK_OK(open(path, O_WRONLY | O_CREAT | O_EXCL, 0644))), 0);
}

static void renamed_cwd(void)
{
	CHECK_EQ(mkdir(at("a"), 0755), 0);
	CHECK_EQ(chdir(at("a")), 0);
	CHECK_EQ(rename(at("a"), at("b")), 0);
	touch("x");
	CHECK(exists(at("b/x")));
	CHECK(!exists(at("a")));
	CHECK_STR(cwd_in_base(), "b");
	ok("rename of the cwd: a relative create lands in it under the new name; getcwd says b");

	/* The old name made again does not capture relative creates. */
	CHECK_EQ(mkdir(at("a"), 0755), 0);
	touch("y");
	CHECK(exists(at("b/y")));
	CHECK(!exists(at("a/y")));
	CHECK_EQ(mkdir("sub", 0755), 0);
	CHECK(exists(at("b/sub")));
	CHECK_EQ(rmdir("sub"), 0);
	CHECK_EQ(rmdir(at("a")), 0);
	ok("a directory made again under the old name does not capture relative creates");
}

static void renamed_dirfd(void)
{
	int dfd = CHECK_OK(open(at("b"), O_RDONLY | O_DIRECTORY));
	CHECK_EQ(chdir(base), 0);
	CHECK_EQ(rename(at("b"), at("c")), 0);
	CHECK_EQ(close(CHECK_OK(openat(dfd, "z", O_WRONLY | O_CREAT, 0644))), 0);
	CHECK(exists(at("c/z")));
	struct stat st;
	CHECK_EQ(fstatat(dfd, "x", &st, 0), 0);
	CHECK_EQ(mkdirat(dfd, "m", 0755), 0);
	CHECK(exists(at("c/m")));
	CHECK_EQ(unlinkat(dfd, "m", AT_REMOVEDIR), 0);
	ok("openat, fstatat, mkdirat and unlinkat through a descriptor of a renamed directory");

	CHECK_EQ(fchdir(dfd), 0);
	CHECK_STR(cwd_in_base(), "c");
	CHECK_EQ(close(dfd), 0);
	ok("fchdir to a renamed directory: getcwd says its new name");
}

static void moved_dotdot(void)
{
	CHECK_EQ(mkdir(at("p1"), 0755), 0);
	CHECK_EQ(mkdir(at("p2"), 0755), 0);
	CHECK_EQ(mkdir(at("p1/m"), 0755), 0);
	CHECK_EQ(chdir(at("p1/m")), 0);
	CHECK_EQ(rename(at("p1/m"), at("p2/m")), 0);
	CHECK_EQ(ino_of(".."), ino_of(at("p2")));
	CHECK_STR(cwd_in_base(), "p2/m");
	struct stat st;
	CHECK_EQ(stat(at("p1"), &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(stat(at("p2"), &st), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(chdir(".."), 0);
	CHECK_STR(cwd_in_base(), "p2");
	ok("\"..\" from a directory moved to another parent is the new parent; link counts follow");

	CHECK_EQ(mkdir("m/n", 0755), 0);
	CHECK_EQ(chdir("m/n"), 0);
	CHECK_EQ(rename(at("p2"), at("q")), 0);
	CHECK_STR(cwd_in_base(), "q/m/n");
	CHECK_EQ(chdir("../../.."), 0);
	CHECK_STR(cwd_in_base(), ".");
	ok("rename of an ancestor of the cwd: getcwd follows, \"..\" walks back up");

	CHECK_ERR(rename(at("q"), at("q/m/n/q")), EINVAL);
	CHECK_ERR(rename(at("q/m"), at("q/m/n/m")), EINVAL);
	CHECK_ERR(rename(at("q/m/n"), at("q")), ENOTEMPTY);
	CHECK_ERR(rename(at("q/m/n"), at("q/m")), ENOTEMPTY);
	CHECK_EQ(rename(at("q/m/n"), at("q/m/n")), 0);
	CHECK(exists(at("q/m/n")));
	CHECK_ERR(rename(at("q/m/n"), "/proc/n"), EXDEV);
	CHECK_ERR(rename("/proc/uptime", at("q/m/n")), EXDEV);
	CHECK(exists(at("q/m/n")));
	ok("rename below itself EINVAL, onto an ancestor ENOTEMPTY, onto itself nothing, into /proc EXDEV");

	CHECK_EQ(rmdir(at("q/m/n")), 0);
	CHECK_EQ(rmdir(at("q/m")), 0);
	CHECK_EQ(rmdir(at("q")), 0);
	CHECK_EQ(rmdir(at("p1")), 0);
}

static void removed_cwd(void)
{
	char buf[512];
	CHECK_EQ(mkdir(at("r"), 0755), 0);
	CHECK_EQ(chdir(at("r")), 0);
	CHECK_EQ(rmdir(at("r")), 0);
	CHECK_ERR(sys_getcwd(buf, sizeof buf), ENOENT);
	CHECK_ERR(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERR(mkdir("d", 0755), ENOENT);
	CHECK_ERR(mkfifo("f", 0644), ENOENT);
	struct stat st;
	CHECK_ERR(stat("new", &st), ENOENT);
	CHECK_EQ(stat(".", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 0);
	int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
	char dents[256];
	CHECK_ERR(syscall(SYS_getdents64, fd, dents, sizeof dents), ENOENT);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(ino_of(".."), ino_of(base));
	CHECK_EQ(chdir(".."), 0);
	CHECK_STR(cwd_in_base(), ".");
	ok("rmdir of the cwd: getcwd, creates and lookups ENOENT; stat(\".\") no links; getdents64 ENOENT; \"..\" the old parent");

	/* A removed directory whose parent was removed too. */
	CHECK_EQ(mkdir(at("s"), 0755), 0);
	CHECK_EQ(mkdir(at("s/t"), 0755), 0);
	CHECK_EQ(chdir(at("s/t")), 0);
	CHECK_EQ(rmdir(at("s/t")), 0);
	CHECK_EQ(rmdir(at("s")), 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK_ERR(sys_getcwd(buf, sizeof buf), ENOENT);
	CHECK_EQ(stat(".", &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK_STR(cwd_in_base(), ".");
	ok("\"..\" through removed directories leads back to the live parent");
}

static void getcwd_sizes(void)
{
	char buf[512];
	CHECK_EQ(mkdir(at("size"), 0755), 0);
	CHECK_EQ(chdir(at("size")), 0);
	long len = CHECK_OK(sys_getcwd(buf, sizeof buf));
	CHECK_EQ(len, strlen(buf) + 1);
	CHECK_EQ(sys_getcwd(buf, len), len);
	CHECK_ERR(sys_getcwd(buf, len - 1), ERANGE);
	CHECK_ERR(sys_getcwd(BAD_LOW, sizeof buf), EFAULT);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(sys_getcwd(buf, 2), 2);
	CHECK_STR(buf, "/");
	CHECK_EQ(rmdir(at("size")), 0);
	ok("getcwd: length with the NUL; one byte short ERANGE; bad buffer EFAULT; \"/\" fits in 2");
}

static void special_dirs(void)
{
	char buf[512], want[64];
	CHECK_EQ(ino_of("/proc/self/.."), ino_of("/proc"));
	/* (Not compared with "/" itself: qemu-user maps "/" into its guest tree.) */
	CHECK_EQ(ino_of("/proc/.."), ino_of("/tmp/.."));
	CHECK_EQ(ino_of("/dev/.."), ino_of("/tmp/.."));
	CHECK_EQ(chdir("/proc/self"), 0);
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	snprintf(want, sizeof want, "/proc/%d", (int)getpid());
	CHECK_STR(buf, want);
	CHECK_EQ(chdir(".."), 0);
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	CHECK_STR(buf, "/proc");
	CHECK_EQ(chdir(".."), 0);
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	CHECK_STR(buf, "/");
	CHECK_EQ(chdir("/dev"), 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	CHECK_STR(buf, "/");
	CHECK_EQ(chdir(".."), 0);
	CHECK(sys_getcwd(buf, sizeof buf) > 0);
	CHECK_STR(buf, "/");
	ok("\"..\" and getcwd in /proc/self and /dev; \"..\" at the root stays there");
}

int main(void)
{
	snprintf(base, sizeof base, "/tmp/fs_cwd_rename.%d", (int)getpid());
	CHECK_EQ(mkdir(base, 0755), 0);
	renamed_cwd();
	renamed_dirfd();
	moved_dotdot();
	removed_cwd();
	getcwd_sizes();
	special_dirs();
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(unlink(at("c/x")), 0);
	CHECK_EQ(unlink(at("c/y")), 0);
	CHECK_EQ(unlink(at("c/z")), 0);
	CHECK_EQ(rmdir(at("c")), 0);
	CHECK_EQ(rmdir(base), 0);
	ok("cleaned up");
	return 0;
}
