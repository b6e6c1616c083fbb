/* fs_symlink: symbolic links. symlink(2) stores any text; readlink and lstat
 * see the link (S_IFLNK 0777, size = target length), other calls follow it: a
 * relative target from the link's directory, an absolute one from the root,
 * in the middle of a path too. A dangling link is ENOENT, a loop or more than
 * 40 links in one lookup ELOOP, O_NOFOLLOW on a link ELOOP; unlink removes the
 * link, not its target; an existing name is EEXIST, an empty target ENOENT. */
#include "rilltest.h"
#include <sys/stat.h>

static char base[64];

static const char *at(const char *name)
{
	return path_in(base, name);
}

int main(void)
{
	struct stat st;
	char buf[256];
	umask(0);
	snprintf(base, sizeof base, "/tmp/fs_symlink_%d", (int)getpid());
	CHECK_OK(mkdir(base, 0755));
	CHECK_OK(mkdir(at("dir"), 0755));
	int fd = CHECK_OK(open(at("dir/file"), O_WRONLY | O_CREAT, 0644));
	CHECK_EQ(write(fd, "hello", 5), 5);
	close(fd);

	CHECK_OK(symlink("dir/file", at("rel")));
	CHECK_OK(lstat(at("rel"), &st));
	CHECK_EQ(st.st_mode, S_IFLNK | 0777);
	CHECK_EQ(st.st_size, 8);
	CHECK_EQ(readlink(at("rel"), buf, sizeof buf), 8);
	CHECK(memcmp(buf, "dir/file", 8) == 0);
	CHECK_EQ(readlink(at("rel"), buf, 3), 3);
	CHECK_ERR(readlink(at("dir/file"), buf, sizeof buf), EINVAL);
	CHECK_OK(stat(at("rel"), &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(st.st_size, 5);
	fd = CHECK_OK(open(at("rel"), O_RDONLY));
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(fd, buf, sizeof buf), 5);
	CHECK_STR(buf, "hello");
	close(fd);
	CHECK_ERR(open(at("rel"), O_RDONLY | O_NOFOLLOW), ELOOP);
	ok("a relative link: lstat and readlink see it, the rest follow it");

	/* Relative to the link's own directory; absolute from the root. */
	CHECK_OK(symlink("file", at("dir/same")));
	CHECK_OK(stat(at("dir/same"), &st));
	CHECK_EQ(st.st_size, 5);
	CHECK_OK(symlink(base, at("abs")));
	CHECK_OK(stat(at("abs/dir/file"), &st));
	CHECK_EQ(st.st_size, 5);
	CHECK_OK(symlink("dir", at("dirlink")));
	CHECK_OK(stat(at("dirlink/same"), &st));
	CHECK_EQ(st.st_size, 5);
	CHECK_OK(chdir(at("dirlink")));
	CHECK(getcwd(buf, sizeof buf) != NULL);
	CHECK_STR(buf, at("dir"));
	CHECK_OK(chdir("/"));
	ok("links in the middle of a path; chdir through one");

	CHECK_OK(symlink("nowhere", at("dangling")));
	CHECK_ERR(stat(at("dangling"), &st), ENOENT);
	CHECK_OK(lstat(at("dangling"), &st));
	CHECK_OK(symlink("loop2", at("loop1")));
	CHECK_OK(symlink("loop1", at("loop2")));
	CHECK_ERR(stat(at("loop1"), &st), ELOOP);
	CHECK_ERR(open(at("loop1/x"), O_RDONLY), ELOOP);
	/* 40 links in one lookup are fine, the 41st is too many. */
	CHECK_OK(symlink(".", at("dot")));
	char path[512];
	strcpy(path, base);
	for (int i = 0; i < 40; i++)
		strcat(path, "/dot");
	CHECK_OK(stat(path, &st));
	strcat(path, "/dot");
	CHECK_ERR(stat(path, &st), ELOOP);
	ok("dangling links, loops and the limit of 40");

	CHECK_ERR(symlink("x", at("rel")), EEXIST);
	CHECK_ERR(symlink("x", at("dir")), EEXIST);
	CHECK_ERR(symlink("", at("empty")), ENOENT);
	CHECK_ERR(symlink("x", at("missing/link")), ENOENT);
	CHECK_OK(unlink(at("rel")));
	CHECK_OK(stat(at("dir/file"), &st));
	CHECK_OK(rename(at("dangling"), at("moved")));
	CHECK_EQ(readlink(at("moved"), buf, sizeof buf), 7);
	ok("unlink and rename act on the link itself");

	const char *names[] = { "dir/same", "abs", "dirlink", "moved", "loop1", "loop2", "dot",
				"dir/file" };
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_OK(unlink(at(names[i])));
	CHECK_OK(rmdir(at("dir")));
	CHECK_OK(rmdir(base));
	return 0;
}
