/* fs_chown_statfs: chown, fchown and fchownat with Linux's rules — only root changes
 * the owner, the owner may change the group to its own group, -1 keeps a field,
 * and a regular file loses its set-user-ID bit (and set-group-ID when
 * group-executable); bad flags are EINVAL. statfs and fstatfs of tmpfs (/dev/shm) and
 * /proc. tmpfs files are sparse up to the largest file size (LLONG_MAX). */
#include "rilltest.h"
#include <sys/stat.h>
#include <sys/vfs.h>

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

static const char *path = "/tmp/fs_chown_statfs";

static int as_user(void)
{
	if (setgid(2000) != 0 || setuid(1000) != 0)
		return 10;
	/* Owner 1000, group 3000: may set the group to its own 2000 but not 4000,
	 * and may not give the file away. */
	if (chown(path, -1, 2000) != 0)
		return 11;
	if (chown(path, -1, 4000) != -1 || errno != EPERM)
		return 12;
	if (chown(path, 1001, -1) != -1 || errno != EPERM)
		return 13;
	if (chown(path, 1000, -1) != 0) /* no change: allowed */
		return 14;
	if (chown("/tmp", 1000, -1) != -1 || errno != EPERM)
		return 15;
	struct stat st;
	if (stat(path, &st) != 0 || st.st_gid != 2000)
		return 16;
	return 0;
}

int main(void)
{
	unlink(path);
	int fd = CHECK_OK(open(path, O_RDWR | O_CREAT, 0644));
	struct stat st;
	CHECK_OK(fchown(fd, 1000, 3000));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 3000);
	CHECK_OK(chown(path, -1, -1));
	CHECK_OK(stat(path, &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 3000);
	CHECK_EQ(wait_for(spawn(as_user)), 0);
	ok("chown: root gives files away, an owner changes only the group, to its own");

	CHECK_OK(fchmod(fd, 06755));
	CHECK_OK(fchownat(AT_FDCWD, path, 0, 0, 0));
	CHECK_OK(stat(path, &st));
	CHECK_EQ(st.st_mode & 07777, 0755);
	CHECK_OK(fchmod(fd, 06745));
	CHECK_OK(fchownat(fd, "", 5, 5, AT_EMPTY_PATH));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 02745);
	CHECK_EQ(st.st_uid, 5);
	CHECK_ERR(fchownat(AT_FDCWD, path, 0, 0, 0x8000), EINVAL);
	CHECK_ERR(fchownat(AT_FDCWD, "/tmp/no/such", 0, 0, 0), ENOENT);
	CHECK_ERR(fchown(999, 0, 0), EBADF);
	ok("chown clears set-user-ID, and set-group-ID if group-executable; errors");

	struct statfs sf;
	CHECK_OK(statfs("/dev/shm", &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC);
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK_EQ(sf.f_namelen, 255);
	CHECK(sf.f_blocks > 0 && sf.f_bavail <= sf.f_blocks && sf.f_ffree <= sf.f_files);
	struct statfs sf2;
	int shm = CHECK_OK(open("/dev/shm/fs_chown_statfs", O_RDWR | O_CREAT, 0600));
	CHECK_OK(fstatfs(shm, &sf2));
	CHECK_EQ(sf2.f_type, TMPFS_MAGIC);

	CHECK_OK(statfs("/proc/self", &sf));
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC);
	CHECK_ERR(statfs("/tmp/no/such", &sf), ENOENT);
	CHECK_ERR(fstatfs(999, &sf), EBADF);
	ok("statfs and fstatfs: tmpfs and proc");

	CHECK_OK(ftruncate(shm, 1L << 40));
	CHECK_OK(fstat(shm, &st));
	CHECK_EQ(st.st_size, 1L << 40);
	CHECK_EQ(st.st_blocks, 0);
	CHECK_EQ(pwrite(shm, "x", 1, (1L << 40) - 1), 1);
	CHECK_OK(fstat(shm, &st));
	CHECK_EQ(st.st_blocks, 8);
	CHECK_OK(ftruncate(shm, 0x7fffffffffffffffL));
	CHECK_EQ(pwrite(shm, "x", 1, 0x7ffffffffffffff0L), 1);
	CHECK_OK(fstat(shm, &st));
	CHECK_EQ(st.st_size, 0x7fffffffffffffffL);
	CHECK_EQ(st.st_blocks, 16);
	CHECK_ERR(ftruncate(shm, -1), EINVAL);
	CHECK_OK(ftruncate(shm, 0));
	CHECK_OK(fstat(shm, &st));
	CHECK_EQ(st.st_blocks, 0);
	ok("tmpfs: sparse files hold only the pages written, up to the largest file size");
	close(shm);
	CHECK_OK(unlink("/dev/shm/fs_chown_statfs"));
	close(fd);
	CHECK_OK(unlink(path));
	return 0;
}
