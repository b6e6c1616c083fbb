/* fifo_mkfifo: creating FIFOs with mkfifo(3) and mknodat(2) (fifo(7), mknod(2)).
 * Checks the mode (S_IFIFO, permission bits reduced by the umask) seen by
 * stat, lstat, fstatat and fstat of an open end; mknodat relative to a
 * directory fd, with the device argument ignored; mknod's other types (none:
 * a regular file, S_IFDIR: EPERM, an invalid type: EINVAL); EEXIST, ENOENT
 * (missing parent, empty path, trailing slash), ENOTDIR (a regular file or a
 * FIFO used as a directory); and, as an unprivileged user, EACCES for
 * mkfifo in a directory it cannot write and for a write-only open of a FIFO
 * it may only read.
 *
 * The unprivileged part runs in a child: when the test runs as root (always
 * on Rill) the child drops to uid/gid 1000 and the directory is root's with
 * mode 0755; when the test already runs as another user (qemu-riscv64 on a
 * non-root host) the child keeps that user and the directory has mode 0555.
 * Either way the child can neither write the directory nor open the 0444 FIFO
 * for writing, so the output is the same. Names are /tmp/fifo_mkfifo_PID_*. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static pid_t top;

/* "/tmp/fifo_mkfifo_<pid>_<leaf>" into out (NAME_LEN bytes). */
#define NAME_LEN 64
/* A name with a few more components. */
#define PATH_LEN (NAME_LEN + 16)
static char *tmp_name(char *out, const char *leaf)
{
	snprintf(out, NAME_LEN, "/tmp/fifo_mkfifo_%d_%s", (int)top, leaf);
	return out;
}

/* The node at path is a FIFO with permission bits perm, owned by us. */
static void check_fifo(const char *path, int perm)
{
	struct stat st, lst;
	CHECK_OK(stat(path, &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, perm);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_rdev, 0);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_gid, getegid());
	CHECK_OK(lstat(path, &lst));
	CHECK_EQ(lst.st_mode, st.st_mode);
	CHECK_EQ(lst.st_ino, st.st_ino);
}

static void modes(void)
{
	char a[NAME_LEN], b[NAME_LEN], c[NAME_LEN], d[NAME_LEN], r[NAME_LEN];
	struct stat st, fst;

	umask(022);
	CHECK_OK(mkfifo(tmp_name(a, "a"), 0666));
	check_fifo(a, 0644);
	ok("mkfifo(0666) under umask 022: S_IFIFO with mode 0644");

	umask(0);
	CHECK_OK(mkfifo(tmp_name(b, "b"), 0666));
	check_fifo(b, 0666);
	ok("mkfifo(0666) under umask 0: mode 0666");

	umask(027);
	CHECK_OK(mknodat(AT_FDCWD, tmp_name(c, "c"), S_IFIFO | 0777, 0));
	check_fifo(c, 0750);
	ok("mknodat(S_IFIFO|0777) under umask 027: mode 0750");

	/* Relative to a directory fd; the device number is ignored for a FIFO. */
	int dir = CHECK_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	tmp_name(d, "d");
	const char *leaf = d + strlen("/tmp/");
	CHECK_OK(mknodat(dir, leaf, S_IFIFO | 0640, makedev(1, 3)));
	CHECK_OK(fstatat(dir, leaf, &st, 0));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0640);
	CHECK_EQ(st.st_rdev, 0);
	check_fifo(d, 0640);
	CHECK_OK(close(dir));
	ok("mknodat relative to a directory fd, device argument ignored");

	/* An open end reports the node: same inode, type and mode. */
	int fd = CHECK_OK(open(a, O_RDWR));
	CHECK_OK(stat(a, &st));
	CHECK_OK(fstat(fd, &fst));
	CHECK(S_ISFIFO(fst.st_mode));
	CHECK_EQ(fst.st_mode, st.st_mode);
	CHECK_EQ(fst.st_ino, st.st_ino);
	CHECK_EQ(fst.st_dev, st.st_dev);
	CHECK_OK(close(fd));
	ok("fstat of an open FIFO shows the node's inode and mode");

	/* mknod's other types. */
	umask(022);
	CHECK_OK(mknodat(AT_FDCWD, tmp_name(r, "reg"), 0644, 0));
	CHECK_OK(stat(r, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_OK(unlink(r));
	ok("mknodat with no file type makes a regular file");
	CHECK_ERR(mknodat(AT_FDCWD, r, S_IFDIR | 0755, 0), EPERM);
	CHECK_ERR(stat(r, &st), ENOENT);
	ok("mknodat(S_IFDIR): EPERM");
	CHECK_ERR(mknodat(AT_FDCWD, r, S_IFMT | 0644, 0), EINVAL);
	CHECK_ERR(stat(r, &st), ENOENT);
	ok("mknodat with an invalid file type: EINVAL");
}

static void errors(void)
{
	char a[NAME_LEN], x[NAME_LEN], p[PATH_LEN], f[NAME_LEN];
	struct stat st;

	tmp_name(a, "a");
	CHECK_ERR(mkfifo(a, 0600), EEXIST);
	CHECK_ERR(mknodat(AT_FDCWD, a, S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERR(mkfifo("/tmp", 0600), EEXIST);
	CHECK_ERR(mkfifo("/", 0600), EEXIST);
	int fd = CHECK_OK(open(tmp_name(f, "file"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK_OK(close(fd));
	CHECK_ERR(mkfifo(f, 0600), EEXIST);
	CHECK_OK(stat(f, &st));
	CHECK(S_ISREG(st.st_mode));
	snprintf(p, sizeof p, "%s/", a);
	CHECK_ERR(mkfifo(p, 0600), EEXIST);
	ok("EEXIST for an existing FIFO, file or directory");

	CHECK_ERR(mkfifo(tmp_name(x, "nodir/x"), 0600), ENOENT);
	CHECK_ERR(mknodat(AT_FDCWD, x, S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERR(mkfifo("", 0600), ENOENT);
	ok("ENOENT for a missing parent directory and for an empty path");

	tmp_name(x, "slash");
	snprintf(p, sizeof p, "%s/", x);
	CHECK_ERR(mkfifo(p, 0600), ENOENT);
	CHECK_ERR(stat(x, &st), ENOENT);
	ok("ENOENT for a new name with a trailing slash, and nothing is created");

	snprintf(p, sizeof p, "%s/x", f);
	CHECK_ERR(mkfifo(p, 0600), ENOTDIR);
	snprintf(p, sizeof p, "%s/x", a);
	CHECK_ERR(mkfifo(p, 0600), ENOTDIR);
	CHECK_ERR(mknodat(AT_FDCWD, p, S_IFIFO | 0600, 0), ENOTDIR);
	ok("ENOTDIR when a regular file or a FIFO is used as a directory");
}

static char locked_dir[NAME_LEN], ro_fifo[NAME_LEN];

/* Runs in a child: become an unprivileged user, then try to create and open. */
static int unprivileged(void)
{
	char p[PATH_LEN];
	struct stat st;

	if (geteuid() == 0) {
		CHECK_OK(setgid(1000));
		CHECK_OK(setuid(1000));
		CHECK_EQ(getuid(), 1000);
		CHECK_EQ(geteuid(), 1000);
		CHECK_EQ(getegid(), 1000);
	}
	CHECK(geteuid() != 0);

	snprintf(p, sizeof p, "%s/f", locked_dir);
	CHECK_ERR(mkfifo(p, 0666), EACCES);
	CHECK_ERR(mknodat(AT_FDCWD, p, S_IFIFO | 0666, 0), EACCES);
	CHECK_ERR(stat(p, &st), ENOENT);
	/* An existing name is reported before the missing permission. */
	snprintf(p, sizeof p, "%s/taken", locked_dir);
	CHECK_ERR(mkfifo(p, 0666), EEXIST);
	ok("unprivileged mkfifo in an unwritable directory: EACCES (EEXIST if the name exists)");

	CHECK_ERR(open(ro_fifo, O_WRONLY | O_NONBLOCK), EACCES);
	CHECK_ERR(open(ro_fifo, O_RDWR), EACCES);
	int fd = CHECK_OK(open(ro_fifo, O_RDONLY | O_NONBLOCK));
	CHECK_OK(close(fd));
	ok("unprivileged open of a 0444 FIFO: reading allowed, writing EACCES");

	/* In /tmp (mode 1777) the same user may create one; it owns it. */
	tmp_name(p, "mine");
	CHECK_OK(mkfifo(p, 0600));
	CHECK_OK(stat(p, &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_gid, getegid());
	CHECK_OK(unlink(p));
	ok("unprivileged mkfifo in /tmp: owned by that user");
	return 0;
}

static void permissions(void)
{
	char taken[PATH_LEN];

	umask(0);
	CHECK_OK(mkdir(tmp_name(locked_dir, "dir"), 0755));
	snprintf(taken, sizeof taken, "%s/taken", locked_dir);
	CHECK_OK(mkfifo(taken, 0600));
	if (geteuid() != 0)
		CHECK_OK(chmod(locked_dir, 0555));
	CHECK_OK(mkfifo(tmp_name(ro_fifo, "ro"), 0444));
	umask(022);

	CHECK_EQ(wait_for(spawn(unprivileged)), 0);

	CHECK_OK(chmod(locked_dir, 0755));
	CHECK_OK(unlink(taken));
	CHECK_OK(rmdir(locked_dir));
	CHECK_OK(unlink(ro_fifo));
}

static void cleanup(void)
{
	static const char *const leaves[] = { "a", "b", "c", "d", "file" };
	char p[NAME_LEN];
	struct stat st;

	for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
		CHECK_OK(unlink(tmp_name(p, leaves[i])));
		CHECK_ERR(stat(p, &st), ENOENT);
	}
	ok("unlink removes the FIFOs");
}

int main(void)
{
	top = getpid();
	modes();
	errors();
	permissions();
	cleanup();
	return 0;
}
