/* fs_mknod: mknod makes device nodes for root only (their numbers in st_rdev;
 * opening one with no driver is ENXIO) and socket nodes for anyone. In a
 * set-group-ID directory a new node takes the directory's group and a new
 * directory keeps S_ISGID; a set-group-ID executable node made there by a user
 * outside that group loses S_ISGID, root's keeps it. mkdir's own S_ISGID is
 * dropped elsewhere. */
#include "rilltest.h"
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char base[64];

static const char *at(const char *name)
{
	return path_in(base, name);
}

static int as_user(void)
{
	if (setgid(4321) != 0 || setuid(1000) != 0)
		return 2;
	struct stat st;
	if (mknod(at("sgid/fifo"), S_IFIFO | S_ISGID | 0777, 0) != 0)
		return 3;
	if (stat(at("sgid/fifo"), &st) != 0 || st.st_gid != 1234 || (st.st_mode & 07777) != 0777)
		return 4;
	if (mknod(at("sgid/plain"), S_IFIFO | 0777, 0) != 0)
		return 5;
	if (stat(at("sgid/plain"), &st) != 0 || st.st_gid != 1234 || (st.st_mode & S_ISGID))
		return 6;
	/* Without group execute the bit is no privilege and stays. */
	if (mknod(at("sgid/noexec"), S_IFREG | S_ISGID | 0666, 0) != 0)
		return 7;
	if (stat(at("sgid/noexec"), &st) != 0 || (st.st_mode & 07777) != (S_ISGID | 0666))
		return 8;
	if (mknod(at("sgid/sock"), S_IFSOCK | 0755, 0) != 0)
		return 9;
	if (mknod(at("sgid/chr"), S_IFCHR | 0600, makedev(1, 3)) != -1 || errno != EPERM)
		return 10;
	if (mknod(at("sgid/blk"), S_IFBLK | 0600, makedev(7, 0)) != -1 || errno != EPERM)
		return 11;
	if (mkdir(at("mine"), 0777) != 0 || stat(at("mine"), &st) != 0 || st.st_gid != 4321)
		return 12;
	return 0;
}

int main(void)
{
	struct stat st;
	umask(0);
	snprintf(base, sizeof base, "/tmp/fs_mknod_%d", (int)getpid());
	CHECK_OK(mkdir(base, 0777));

	CHECK_OK(mknod(at("chr"), S_IFCHR | 0640, makedev(120, 1)));
	CHECK_OK(stat(at("chr"), &st));
	CHECK_EQ(st.st_mode, S_IFCHR | 0640);
	CHECK_EQ(major(st.st_rdev), 120);
	CHECK_EQ(minor(st.st_rdev), 1);
	CHECK_ERR(open(at("chr"), O_RDONLY), ENXIO);
	CHECK_OK(mknod(at("blk"), S_IFBLK | 0600, makedev(121, 7)));
	CHECK_OK(stat(at("blk"), &st));
	CHECK_EQ(st.st_mode, S_IFBLK | 0600);
	CHECK_EQ(st.st_rdev, makedev(121, 7));
	CHECK_ERR(open(at("blk"), O_RDONLY), ENXIO);
	CHECK_OK(mknod(at("sock"), S_IFSOCK | 0700, 0));
	CHECK_OK(stat(at("sock"), &st));
	CHECK_EQ(st.st_mode, S_IFSOCK | 0700);
	CHECK_ERR(open(at("sock"), O_RDONLY), ENXIO);
	CHECK_ERR(mknod(at("dir"), S_IFDIR | 0700, 0), EPERM);
	CHECK_ERR(mknod(at("bad"), 0170000 | 0700, 0), EINVAL);
	CHECK_ERR(mknod(at("chr"), S_IFCHR | 0640, makedev(120, 1)), EEXIST);
	for (const char *n = "chr\0blk\0sock\0"; *n; n += strlen(n) + 1)
		CHECK_OK(unlink(at(n)));
	ok("root: character and block nodes with their numbers, open ENXIO; sockets; S_IFDIR EPERM");

	CHECK_OK(mkdir(at("sgid"), 0777));
	CHECK_OK(chown(at("sgid"), 1000, 1234));
	CHECK_OK(chmod(at("sgid"), S_ISGID | 0777));
	CHECK_OK(mknod(at("sgid/rootfifo"), S_IFIFO | S_ISGID | 0777, 0));
	CHECK_OK(stat(at("sgid/rootfifo"), &st));
	CHECK_EQ(st.st_gid, 1234);
	CHECK_EQ(st.st_mode & 07777, S_ISGID | 0777);
	CHECK_OK(mkdir(at("sgid/sub"), 0755));
	CHECK_OK(stat(at("sgid/sub"), &st));
	CHECK_EQ(st.st_gid, 1234);
	CHECK_EQ(st.st_mode & 07777, S_ISGID | 0755);
	int fd = CHECK_OK(open(at("sgid/sub/file"), O_CREAT | O_WRONLY, 0644));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_gid, 1234);
	CHECK_OK(close(fd));
	CHECK_OK(mkdir(at("plain"), S_ISGID | 0755));
	CHECK_OK(stat(at("plain"), &st));
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK_EQ(st.st_gid, 0);
	ok("set-group-ID directory: nodes take its group, directories keep S_ISGID");

	CHECK_OK(chmod(base, 0777));
	CHECK_EQ(WEXITSTATUS(wait_for(spawn(as_user))), 0);
	ok("uid 1000: the directory's group, S_ISGID dropped outside it; sockets yes, devices EPERM");

	const char *names[] = { "sgid/rootfifo", "sgid/sub/file", "sgid/fifo", "sgid/plain", "sgid/noexec",
				"sgid/sock" };
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_OK(unlink(at(names[i])));
	CHECK_OK(rmdir(at("sgid/sub")));
	CHECK_OK(rmdir(at("sgid")));
	CHECK_OK(rmdir(at("plain")));
	CHECK_OK(rmdir(at("mine")));
	CHECK_OK(rmdir(base));
	return 0;
}
