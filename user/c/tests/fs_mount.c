/* fs_mount: mount(2) of a tmpfs on a directory and umount2(2). The walk crosses
 * into the mount and `..` from its root comes back; the mount's size, mode and
 * flags hold (statfs, ENOSPC, /proc/mounts, MS_NOEXEC); remount resizes (not
 * below what is used) and makes a mount read-only unless a file there is open
 * for writing; read-only, it refuses every change with EROFS, after EEXIST; rename out
 * of it is EXDEV; a busy mount (open file, cwd) is EBUSY unless MNT_DETACH;
 * a mount point cannot be removed; only root mounts; unknown types ENODEV. */
#include "rilltest.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <utime.h>

static char base[64], mnt[80];

static const char *in(const char *name)
{
	static char buf[4][160];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", mnt, name);
	return p;
}

/* The /proc/mounts line for mnt, without its trailing " 0 0\n", or "". */
static const char *mounts_line(void)
{
	static char line[512];
	FILE *f = fopen("/proc/mounts", "r");
	CHECK(f != NULL);
	char want[128];
	snprintf(want, sizeof want, "none %s tmpfs ", mnt);
	const char *found = "";
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, want, strlen(want)) == 0) {
			line[strcspn(line, "\n")] = 0;
			found = line + strlen(want);
		}
	}
	fclose(f);
	return found;
}

static int unprivileged(void)
{
	if (setuid(65534) != 0)
		return 2;
	if (mount("none", mnt, "tmpfs", 0, NULL) != -1 || errno != EPERM)
		return 3;
	if (umount2(mnt, 0) != -1 || errno != EPERM)
		return 4;
	/* The target is looked up first. */
	if (mount("none", "/nonexistent/x", "tmpfs", 0, NULL) != -1 || errno != ENOENT)
		return 5;
	return 0;
}

static void write_file(const char *path, const char *text)
{
	int fd = CHECK_OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755));
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

int main(void)
{
	struct stat st;
	struct statfs sf;
	umask(0);
	snprintf(base, sizeof base, "/tmp/fs_mount_%d", (int)getpid());
	snprintf(mnt, sizeof mnt, "%s/mnt", base);
	CHECK_OK(mkdir(base, 0755));
	CHECK_OK(mkdir(mnt, 0700));
	write_file(in("under"), "covered");

	/* Errors before anything is mounted. */
	char file[96];
	snprintf(file, sizeof file, "%s/file", base);
	write_file(file, "x");
	CHECK_ERR(mount("none", "/nonexistent/mnt", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(mount("none", file, "tmpfs", 0, NULL), ENOTDIR);
	CHECK_ERR(mount("none", mnt, "nosuchfs", 0, NULL), ENODEV);
	CHECK_ERR(mount("none", mnt, "tmpfs", 0, "nosuchoption=1"), EINVAL);
	CHECK_ERR(mount("none", mnt, "tmpfs", 0, "size=lots"), EINVAL);
	CHECK_ERR(umount2(base, 0), EINVAL);
	CHECK_ERR(umount2(mnt, 0x100), EINVAL);
	CHECK_ERR(umount2("/nonexistent", 0), ENOENT);
	CHECK_ERR(mount("none", mnt, "tmpfs", MS_REMOUNT, NULL), EINVAL);
	CHECK_EQ(wait_for(spawn(unprivileged)), 0);
	ok("mount errors: ENOENT, ENOTDIR, ENODEV, EINVAL, EPERM");

	CHECK_OK(mount("none", mnt, "tmpfs", 0, "size=16k,mode=755"));
	CHECK_OK(stat(mnt, &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 0755);
	CHECK_ERR(stat(in("under"), &st), ENOENT);
	CHECK_OK(statfs(mnt, &sf));
	CHECK_EQ(sf.f_type, 0x01021994);
	CHECK_EQ(sf.f_blocks, 4);
	CHECK_STR(mounts_line(), "rw,relatime,size=16k,mode=755 0 0");
	ok("a tmpfs mounted with size and mode covers the directory");

	CHECK_OK(mkdir(in("sub"), 0755));
	CHECK_OK(chdir(in("sub")));
	char cwd[160];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, in("sub"));
	CHECK_OK(chdir("../.."));
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_STR(cwd, base);
	CHECK_OK(chdir("/"));
	ok("paths cross the mount point both ways");

	/* 16k: four pages. */
	int fd = CHECK_OK(open(in("big"), O_RDWR | O_CREAT, 0644));
	static char page[4096];
	for (int i = 0; i < 4; i++)
		CHECK_EQ(write(fd, page, sizeof page), 4096);
	CHECK_ERR(write(fd, page, sizeof page), ENOSPC);
	CHECK_ERR(mount(NULL, mnt, "tmpfs", MS_REMOUNT, "size=8k"), EINVAL);
	CHECK_OK(ftruncate(fd, 0));
	close(fd);
	CHECK_OK(mount(NULL, mnt, "tmpfs", MS_REMOUNT, "size=8k"));
	CHECK_STR(mounts_line(), "rw,relatime,size=8k,mode=755 0 0");
	ok("the size limit gives ENOSPC; remount resizes, not below what is used");

	char outside[96];
	snprintf(outside, sizeof outside, "%s/moved", base);
	write_file(in("f"), "data");
	CHECK_ERR(rename(in("f"), outside), EXDEV);
	CHECK_ERR(rmdir(mnt), EBUSY);
	CHECK_ERR(rename(mnt, outside), EBUSY);
	fd = CHECK_OK(open(in("f"), O_RDONLY));
	CHECK_ERR(umount2(mnt, 0), EBUSY);
	close(fd);
	CHECK_OK(chdir(in("sub")));
	CHECK_ERR(umount2(mnt, 0), EBUSY);
	CHECK_OK(chdir("/"));
	CHECK_OK(umount2(mnt, 0));
	CHECK_OK(stat(in("under"), &st));
	CHECK_ERR(stat(in("f"), &st), ENOENT);
	CHECK_STR(mounts_line(), "");
	ok("busy mounts stay; umount uncovers the directory");

	CHECK_OK(mount(NULL, mnt, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK_STR(mounts_line(), "rw,nosuid,nodev,noexec,relatime 0 0");
	write_file(in("prog"), "#!/bin/sh\n");
	CHECK_OK(chmod(in("prog"), 0755));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "prog", NULL };
		execv(in("prog"), argv);
		_exit(errno == EACCES ? 0 : 1);
	}
	CHECK_EQ(wait_for(pid), 0);
	ok("MS_NOEXEC: programs there do not run");

	write_file(in("f"), "data");
	CHECK_OK(mkdir(in("d"), 0755));
	fd = CHECK_OK(open(in("f"), O_RDWR));
	CHECK_ERR(mount(NULL, mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL), EBUSY);
	close(fd);
	CHECK_OK(mount(NULL, mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL));
	CHECK_STR(mounts_line(), "ro,relatime 0 0");
	CHECK_ERR(open(in("new"), O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK_ERR(open(in("f"), O_WRONLY), EROFS);
	CHECK_ERR(open(in("f"), O_RDONLY | O_TRUNC), EROFS);
	fd = CHECK_OK(open(in("f"), O_RDONLY));
	char buf[8] = { 0 };
	CHECK_EQ(read(fd, buf, sizeof buf), 4);
	CHECK_STR(buf, "data");
	close(fd);
	CHECK_ERR(mkdir(in("d2"), 0755), EROFS);
	CHECK_ERR(mkdir(in("d"), 0755), EEXIST);
	CHECK_ERR(mknod(in("fifo"), S_IFIFO | 0644, 0), EROFS);
	CHECK_ERR(mknod(in("chr"), S_IFCHR | 0644, makedev(1, 3)), EROFS);
	CHECK_ERR(symlink("f", in("link")), EROFS);
	CHECK_ERR(unlink(in("f")), EROFS);
	CHECK_ERR(unlink(in("missing")), EROFS);
	CHECK_ERR(rmdir(in("d")), EROFS);
	CHECK_ERR(rename(in("f"), in("g")), EROFS);
	CHECK_ERR(chmod(in("f"), 0600), EROFS);
	CHECK_ERR(chown(in("f"), 1, 1), EROFS);
	CHECK_ERR(truncate(in("f"), 0), EROFS);
	CHECK_ERR(utime(in("f"), NULL), EROFS);
	CHECK_ERR(access(in("f"), W_OK), EROFS);
	CHECK_OK(access(in("f"), R_OK));
	ok("a read-only mount refuses changes with EROFS");

	CHECK_OK(mount(NULL, mnt, "tmpfs", MS_REMOUNT, NULL));
	CHECK_OK(unlink(in("f")));
	ok("remounted read-write it changes again");

	/* A second mount on top hides the first; MNT_DETACH takes both away. */
	CHECK_OK(mount("none", mnt, "tmpfs", 0, NULL));
	CHECK_ERR(stat(in("d"), &st), ENOENT);
	write_file(in("top"), "top");
	fd = CHECK_OK(open(in("top"), O_RDONLY));
	CHECK_OK(umount2(mnt, MNT_DETACH));
	CHECK_OK(stat(in("d"), &st));
	CHECK_EQ(read(fd, buf, sizeof buf), 3);
	close(fd);
	CHECK_OK(umount2(mnt, 0));
	CHECK_OK(stat(in("under"), &st));
	ok("stacked mounts; MNT_DETACH while busy");

	CHECK_OK(unlink(in("under")));
	CHECK_OK(unlink(file));
	CHECK_OK(rmdir(mnt));
	CHECK_OK(rmdir(base));
	return 0;
}
