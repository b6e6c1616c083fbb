/* linux-init: the init of the Linux kernel `make bench-linux` boots. Mounts what ipcbench
 * needs (/dev, /proc, /tmp, /dev/shm), runs /bin/ipcbench with init's own arguments (the
 * words after "--" on the kernel command line), prints its status and powers off. Not part
 * of Rill's image: scripts/build-linux.sh builds it into build/linux/. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void mnt(const char *type, const char *dir) {
    mkdir(dir, 0755);
    if (mount(type, dir, type, 0, NULL)) perror(dir);
}

int main(int argc, char **argv) {
    mnt("devtmpfs", "/dev");
    int fd = open("/dev/console", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
        if (fd > 2) close(fd);
    }
    mnt("proc", "/proc");
    mnt("tmpfs", "/tmp");
    mnt("tmpfs", "/dev/shm");
    char *args[64] = { "/bin/ipcbench" };
    int n = 1;
    for (int i = 1; i < argc && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    char *envp[] = { "PATH=/bin", "HOME=/", NULL };
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        execve(args[0], args, envp);
        perror("execve /bin/ipcbench");
        _exit(127);
    }
    if (pid > 0) waitpid(pid, &status, 0);
    printf("linux-init: ipcbench status %d\n", status);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
