/* fs_perm: permission bits and who they stop.
 * The umask clears bits from the modes open(O_CREAT) and mkdir ask for, and
 * not from chmod's; umask returns the previous mask. As uid/gid 1000 (a
 * child calls setgid(1000), then setuid(1000)): EACCES reading a 0600 root
 * file, writing a 0644 one, creating in a 0755 root directory and searching
 * a 0700 one; access(2) agrees; chmod and fchmod of a root file give EPERM; a
 * file the user creates in /tmp is the user's; setuid(0) back gives EPERM. Root reads
 * and writes a mode 0000 file, searches and lists a 0000 directory, and
 * chmods a file it does not own.
 *
 * The second part needs root. Run under qemu-riscv64 by a host user who is
 * not root, setuid(1000) fails with EPERM: then the part is skipped and the
 * same lines are printed, so the output still matches Rill's. On Rill (where
 * tests run as root) that skip is a failure. */
#include "rilltest.h"
#include <fcntl.h>
#include <sys/stat.h>

#define USER 1000

static char base[64];

static const char *at(const char *name)
{
	return path_in(base, name);
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Creates file `name` with exactly `mode` (whatever the umask). */
static void make_file(const char *name, unsigned mode)
{
	int fd = CHECK_OK(open(at(name), O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_EQ(write(fd, "data", 4), 4);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(chmod(at(name), mode), 0);
}

static void make_dir(const char *name, unsigned mode)
{
	CHECK_EQ(mkdir(at(name), 0700), 0);
	CHECK_EQ(chmod(at(name), mode), 0);
}

static void umasks(void)
{
	static const unsigned masks[] = { 022, 077, 0, 027 };
	umask(022);
	for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		unsigned mask = masks[i];
		unsigned before = umask(mask);
		CHECK_EQ(umask(mask), mask);
		CHECK_EQ(before, i == 0 ? 022 : masks[i - 1]);
		int fd = CHECK_OK(open(at("file"), O_WRONLY | O_CREAT | O_EXCL, 0666));
		CHECK_EQ(close(fd), 0);
		CHECK_EQ(mkdir(at("dir"), 0777), 0);
		CHECK_EQ(mode_of(at("file")), 0666 & ~mask);
		CHECK_EQ(mode_of(at("dir")), 0777 & ~mask);
		printf("ok: umask %03o: open 0666 gives %03o, mkdir 0777 gives %03o\n",
		       mask, mode_of(at("file")), mode_of(at("dir")));
		CHECK_EQ(unlink(at("file")), 0);
		CHECK_EQ(rmdir(at("dir")), 0);
	}
	umask(077);
	int fd = CHECK_OK(open(at("file"), O_WRONLY | O_CREAT | O_EXCL, 0640));
	CHECK_EQ(mode_of(at("file")), 0600);
	CHECK_EQ(fchmod(fd, 0666), 0);
	CHECK_EQ(mode_of(at("file")), 0666);
	CHECK_EQ(chmod(at("file"), 04755), 0);
	CHECK_EQ(mode_of(at("file")), 04755);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink(at("file")), 0);
	umask(022);
	ok("chmod and fchmod set the bits asked for, umask or not");
}

/* The checks of a process with uid and gid 1000; returns the exit status. */
static int as_user(void)
{
	if (setgid(USER) != 0 || setuid(USER) != 0) {
		if (errno == EPERM && !on_rill())
			return 2; /* not root under qemu-riscv64: skipped */
		FAIL("setgid/setuid(%d) failed with %s", USER, errname(errno));
	}
	CHECK_EQ(getuid(), USER);
	CHECK_EQ(geteuid(), USER);
	CHECK_EQ(getgid(), USER);
	CHECK_EQ(getegid(), USER);

	CHECK_ERR(open(at("secret"), O_RDONLY), EACCES);
	CHECK_ERR(access(at("secret"), R_OK), EACCES);
	int fd = CHECK_OK(open(at("public"), O_RDONLY));
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(open(at("public"), O_WRONLY), EACCES);
	CHECK_ERR(open(at("public"), O_RDWR), EACCES);
	CHECK_ERR(truncate(at("public"), 0), EACCES);
	CHECK_EQ(access(at("public"), R_OK), 0);
	CHECK_ERR(access(at("public"), W_OK), EACCES);

	CHECK_ERR(open(at("new"), O_WRONLY | O_CREAT, 0644), EACCES);
	CHECK_ERR(mkdir(at("newdir"), 0755), EACCES);
	CHECK_ERR(unlink(at("public")), EACCES);
	CHECK_ERR(rename(at("public"), at("moved")), EACCES);
	CHECK_ERR(access(base, W_OK), EACCES);

	struct stat st;
	CHECK_ERR(stat(at("private/inner"), &st), EACCES);
	CHECK_ERR(open(at("private/inner"), O_RDONLY), EACCES);
	CHECK_ERR(open(at("private"), O_RDONLY | O_DIRECTORY), EACCES);
	CHECK_ERR(chdir(at("private")), EACCES);
	CHECK_EQ(stat(at("private"), &st), 0);

	CHECK_ERR(chmod(at("public"), 0666), EPERM);
	CHECK_ERR(chmod(base, 0777), EPERM);
	fd = CHECK_OK(open(at("public"), O_RDONLY));
	CHECK_ERR(fchmod(fd, 0666), EPERM);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(mode_of(at("public")), 0644);

	/* /tmp is world-writable: the user may create there, and owns it. */
	char mine[96];
	snprintf(mine, sizeof mine, "%s_user", base);
	fd = CHECK_OK(open(mine, O_WRONLY | O_CREAT | O_EXCL, 0600));
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_uid, USER);
	CHECK_EQ(st.st_gid, USER);
	CHECK_EQ(fchmod(fd, 0640), 0);
	CHECK_EQ(close(fd), 0);

	CHECK_ERR(setuid(0), EPERM);
	return 0;
}

int main(void)
{
	snprintf(base, sizeof base, "/tmp/fs_perm_%d", (int)getpid());
	umask(022);
	CHECK_EQ(mkdir(base, 0755), 0);
	umasks();

	make_file("secret", 0600);
	make_file("public", 0644);
	make_dir("private", 0700);
	make_file("private/inner", 0644);
	CHECK_EQ(chmod(base, 0755), 0);

	pid_t pid = spawn(as_user);
	int status = wait_for(pid);
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2))
		FAIL("the uid %d child ended with status 0x%x", USER, status);
	int ran = WEXITSTATUS(status) == 0;
	ok("uid 1000: EACCES reading 0600, writing 0644, creating in 0755, searching 0700");
	ok("uid 1000: chmod, fchmod of another's file EPERM; own file in /tmp; setuid(0) EPERM");

	char mine[96];
	snprintf(mine, sizeof mine, "%s_user", base);
	if (ran) {
		/* Root bypasses the checks that stopped the user. */
		struct stat st;
		CHECK_EQ(stat(mine, &st), 0);
		CHECK_EQ(st.st_uid, USER);
		CHECK_EQ(chmod(mine, 0), 0);
		int fd = CHECK_OK(open(mine, O_RDWR));
		CHECK_EQ(close(fd), 0);
		CHECK_EQ(unlink(mine), 0);

		CHECK_EQ(chmod(at("secret"), 0), 0);
		fd = CHECK_OK(open(at("secret"), O_RDWR));
		char buf[8];
		CHECK_EQ(read(fd, buf, sizeof buf), 4);
		CHECK_EQ(close(fd), 0);
		CHECK_EQ(chmod(at("private"), 0), 0);
		CHECK_EQ(stat(at("private/inner"), &st), 0);
		fd = CHECK_OK(open(at("private"), O_RDONLY | O_DIRECTORY));
		CHECK_EQ(close(fd), 0);
		CHECK_EQ(access(at("private/inner"), R_OK | W_OK), 0);
	}
	ok("root reads and writes a 0000 file, searches a 0000 directory, chmods another's file");

	CHECK_EQ(unlink(at("private/inner")), 0);
	CHECK_EQ(rmdir(at("private")), 0);
	CHECK_EQ(unlink(at("secret")), 0);
	CHECK_EQ(unlink(at("public")), 0);
	CHECK_EQ(rmdir(base), 0);
	ok("cleaned up");
	return 0;
}
