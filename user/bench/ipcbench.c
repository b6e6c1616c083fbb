/* ipcbench: lmbench-style timings of the kernel paths that IPC programs use, one line per
 * benchmark: `name value unit`. Latencies are in microseconds per operation, bandwidths in
 * MB/s (10^6 bytes). Every loop does the work it claims: receivers check the bytes they get
 * (a stamp that changes with every message), round trips alternate strictly, and a check
 * that fails stops the run with exit status 1, so no kernel shortcut can improve a number
 * without doing the IPC.
 *
 * usage: ipcbench [-s SCALE] [NAME...]   (SCALE multiplies every iteration count, default 1;
 *        NAMEs select benchmarks by prefix; the default is all of them)
 * fork_exec runs the tiny program bench-exit from the directory ipcbench was started from. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The exit status bench-exit ends with, so the parent knows the new image really ran. */
#define EXEC_STATUS 42

static double scale = 1.0;
static char exit_prog[512];

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long iters(long base) {
    long n = (long)(base * scale);
    return n > 0 ? n : 1;
}

/* Stops the whole run: the other processes of a benchmark would wait forever for the one
 * that failed, so the process group (ipcbench leads its own) is killed. */
static void fail(const char *bench, const char *what) {
    fprintf(stderr, "ipcbench: %s: %s (errno %d %s)\n", bench, what, errno, strerror(errno));
    fflush(NULL);
    kill(0, SIGKILL);
    _exit(1);
}

static void report_us(const char *name, uint64_t ns, long ops) {
    printf("%s %.3f us\n", name, (double)ns / 1000.0 / (double)ops);
    fflush(stdout);
}

static void report_mbs(const char *name, uint64_t ns, uint64_t bytes) {
    printf("%s %.1f MB/s\n", name, (double)bytes * 1000.0 / (double)ns);
    fflush(stdout);
}

/* Reaps `pid`, which must have exited with status 0. */
static void reap(const char *bench, pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid) fail(bench, "waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail(bench, "child failed");
}

/* Reads exactly `len` bytes (pipes may return less than asked). */
static void read_full(const char *bench, int fd, void *buf, size_t len) {
    char *p = buf;
    while (len) {
        ssize_t r = read(fd, p, len);
        if (r <= 0) fail(bench, "read");
        p += r;
        len -= (size_t)r;
    }
}

static void write_full(const char *bench, int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len) {
        ssize_t r = write(fd, p, len);
        if (r <= 0) fail(bench, "write");
        p += r;
        len -= (size_t)r;
    }
}

static void null_syscall(void) {
    long n = iters(200000);
    pid_t parent = getppid();
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++)
        if (syscall(SYS_getppid) != parent) fail("null_syscall", "getppid changed");
    report_us("null_syscall", now_ns() - t, n);
}

static volatile sig_atomic_t caught;
static void on_usr1(int sig) { (void)sig; caught++; }

static void bench_sigaction(void) {
    long n = iters(100000);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        /* Alternate the flags so every call changes the action the kernel keeps. */
        sa.sa_flags = (i & 1) ? SA_RESTART : 0;
        if (sigaction(SIGUSR1, &sa, &old)) fail("sigaction", "sigaction");
    }
    uint64_t dt = now_ns() - t;
    if (n >= 2 && (old.sa_handler != on_usr1 || old.sa_flags != ((n - 2) & 1 ? SA_RESTART : 0)))
        fail("sigaction", "old action is not the one set before");
    report_us("sigaction", dt, n);
}

static void signal_catch(void) {
    long n = iters(20000);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL)) fail("signal_catch", "sigaction");
    pid_t me = getpid();
    caught = 0;
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        if (kill(me, SIGUSR1)) fail("signal_catch", "kill");
        if (caught != i + 1) fail("signal_catch", "handler did not run before kill returned");
    }
    report_us("signal_catch", now_ns() - t, n);
}

/* Strict ping-pong of one byte over fds: the child answers each byte b with b+1. */
static void ping_pong(const char *name, long n, int to_child, int from_parent, int to_parent,
                      int from_child) {
    pid_t pid = fork();
    if (pid < 0) fail(name, "fork");
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            unsigned char b;
            read_full(name, from_parent, &b, 1);
            if (b != (unsigned char)i) fail(name, "child got the wrong byte");
            b++;
            write_full(name, to_parent, &b, 1);
        }
        _exit(0);
    }
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        unsigned char b = (unsigned char)i;
        write_full(name, to_child, &b, 1);
        read_full(name, from_child, &b, 1);
        if (b != (unsigned char)(i + 1)) fail(name, "parent got the wrong byte");
    }
    uint64_t dt = now_ns() - t;
    reap(name, pid);
    report_us(name, dt, n);
}

static void pipe_rt(void) {
    int down[2], up[2];
    if (pipe(down) || pipe(up)) fail("pipe_rt", "pipe");
    ping_pong("pipe_rt", iters(20000), down[1], down[0], up[1], up[0]);
    close(down[0]); close(down[1]); close(up[0]); close(up[1]);
}

static void fifo_rt(void) {
    const char *a = "/tmp/ipcbench-fifo-a", *b = "/tmp/ipcbench-fifo-b";
    unlink(a); unlink(b);
    if (mkfifo(a, 0600) || mkfifo(b, 0600)) fail("fifo_rt", "mkfifo");
    /* O_RDWR opens do not wait for the other end (Linux allows it on FIFOs). */
    int fa = open(a, O_RDWR), fb = open(b, O_RDWR);
    if (fa < 0 || fb < 0) fail("fifo_rt", "open");
    ping_pong("fifo_rt", iters(20000), fa, fa, fb, fb);
    close(fa); close(fb); unlink(a); unlink(b);
}

/* Fills buf with stamps that depend on the chunk number and position: one 64-bit word every
 * 128 bytes, so the reader can check a chunk without costing a second copy. */
#define STAMP_STRIDE 128
static void stamp(unsigned char *buf, size_t len, uint64_t chunk) {
    for (size_t off = 0; off + 8 <= len; off += STAMP_STRIDE) {
        uint64_t v = chunk * 0x9e3779b97f4a7c15u + off;
        memcpy(buf + off, &v, 8);
    }
}
static int stamped(const unsigned char *buf, size_t len, uint64_t chunk) {
    for (size_t off = 0; off + 8 <= len; off += STAMP_STRIDE) {
        uint64_t v;
        memcpy(&v, buf + off, 8);
        if (v != chunk * 0x9e3779b97f4a7c15u + off) return 0;
    }
    return 1;
}

static void pipe_bw(const char *name, size_t chunk, uint64_t total) {
    long chunks = (long)(total / chunk);
    unsigned char *buf = malloc(chunk);
    int fd[2];
    if (!buf || pipe(fd)) fail(name, "setup");
    memset(buf, 0x5a, chunk);
    pid_t pid = fork();
    if (pid < 0) fail(name, "fork");
    if (pid == 0) {
        close(fd[0]);
        for (long i = 0; i < chunks; i++) {
            stamp(buf, chunk, (uint64_t)i);
            write_full(name, fd[1], buf, chunk);
        }
        _exit(0);
    }
    close(fd[1]);
    uint64_t t = now_ns();
    for (long i = 0; i < chunks; i++) {
        read_full(name, fd[0], buf, chunk);
        if (!stamped(buf, chunk, (uint64_t)i)) fail(name, "reader got the wrong bytes");
    }
    uint64_t dt = now_ns() - t;
    char end;
    if (read(fd[0], &end, 1) != 0) fail(name, "bytes past the end");
    close(fd[0]);
    reap(name, pid);
    free(buf);
    report_mbs(name, dt, (uint64_t)chunks * chunk);
}

static void pipe_bws(void) {
    uint64_t total = (uint64_t)iters(64) << 20;
    pipe_bw("pipe_bw_4k", 4096, total);
    pipe_bw("pipe_bw_64k", 65536, total);
    pipe_bw("pipe_bw_1m", 1 << 20, total);
}

#define MSG_SIZE 64
struct bench_msg { long mtype; unsigned char text[MSG_SIZE]; };

static void fill_msg(unsigned char *text, long i) {
    for (int k = 0; k < MSG_SIZE; k++) text[k] = (unsigned char)(i + k);
}
static int msg_is(const unsigned char *text, long i) {
    for (int k = 0; k < MSG_SIZE; k++)
        if (text[k] != (unsigned char)(i + k)) return 0;
    return 1;
}

/* Parent sends type 1 with message i, the child answers type 2 with message i+1. */
static void sysv_msg_rt(void) {
    const char *name = "sysv_msg_rt";
    long n = iters(20000);
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (q < 0) fail(name, "msgget");
    struct bench_msg m;
    pid_t pid = fork();
    if (pid < 0) fail(name, "fork");
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (msgrcv(q, &m, MSG_SIZE, 1, 0) != MSG_SIZE || !msg_is(m.text, i))
                fail(name, "child got the wrong message");
            m.mtype = 2;
            fill_msg(m.text, i + 1);
            if (msgsnd(q, &m, MSG_SIZE, 0)) fail(name, "child msgsnd");
        }
        _exit(0);
    }
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        m.mtype = 1;
        fill_msg(m.text, i);
        if (msgsnd(q, &m, MSG_SIZE, 0)) fail(name, "msgsnd");
        if (msgrcv(q, &m, MSG_SIZE, 2, 0) != MSG_SIZE || !msg_is(m.text, i + 1))
            fail(name, "parent got the wrong message");
    }
    uint64_t dt = now_ns() - t;
    reap(name, pid);
    msgctl(q, IPC_RMID, NULL);
    report_us(name, dt, n);
}

static void posix_mq_rt(void) {
    const char *name = "posix_mq_rt", *qa = "/ipcbench-a", *qb = "/ipcbench-b";
    long n = iters(20000);
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = MSG_SIZE };
    mq_unlink(qa); mq_unlink(qb);
    mqd_t down = mq_open(qa, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    mqd_t up = mq_open(qb, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (down == (mqd_t)-1 || up == (mqd_t)-1) fail(name, "mq_open");
    unsigned char text[MSG_SIZE];
    pid_t pid = fork();
    if (pid < 0) fail(name, "fork");
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (mq_receive(down, (char *)text, MSG_SIZE, NULL) != MSG_SIZE || !msg_is(text, i))
                fail(name, "child got the wrong message");
            fill_msg(text, i + 1);
            if (mq_send(up, (char *)text, MSG_SIZE, 0)) fail(name, "child mq_send");
        }
        _exit(0);
    }
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        fill_msg(text, i);
        if (mq_send(down, (char *)text, MSG_SIZE, 0)) fail(name, "mq_send");
        if (mq_receive(up, (char *)text, MSG_SIZE, NULL) != MSG_SIZE || !msg_is(text, i + 1))
            fail(name, "parent got the wrong message");
    }
    uint64_t dt = now_ns() - t;
    reap(name, pid);
    mq_close(down); mq_close(up); mq_unlink(qa); mq_unlink(qb);
    report_us(name, dt, n);
}

static void sem_op(const char *name, int set, unsigned short num, short op) {
    struct sembuf b = { .sem_num = num, .sem_op = op, .sem_flg = 0 };
    while (semop(set, &b, 1)) {
        if (errno != EINTR) fail(name, "semop");
    }
}

/* A 64-byte message written into a shared segment; semaphore 0 says "the child's turn",
 * semaphore 1 "the parent's turn". */
static void sem_shm_rt(void) {
    const char *name = "sem_shm_rt";
    long n = iters(20000);
    int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    if (shm < 0 || sem < 0) fail(name, "shmget/semget");
    unsigned char *seg = shmat(shm, NULL, 0);
    if (seg == (void *)-1) fail(name, "shmat");
    shmctl(shm, IPC_RMID, NULL);
    pid_t pid = fork();
    if (pid < 0) fail(name, "fork");
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            sem_op(name, sem, 0, -1);
            if (!msg_is(seg, i)) fail(name, "child read the wrong message");
            fill_msg(seg, i + 1);
            sem_op(name, sem, 1, 1);
        }
        _exit(0);
    }
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        fill_msg(seg, i);
        sem_op(name, sem, 0, 1);
        sem_op(name, sem, 1, -1);
        if (!msg_is(seg, i + 1)) fail(name, "parent read the wrong message");
    }
    uint64_t dt = now_ns() - t;
    reap(name, pid);
    shmdt(seg);
    semctl(sem, 0, IPC_RMID);
    report_us(name, dt, n);
}

/* A fresh 1 MiB segment per round: create, attach, write every byte (the first touch of
 * every page goes through the kernel), check, detach, remove. */
static void shm_write_bw(void) {
    const char *name = "shm_write_bw";
    const size_t size = 1 << 20;
    long rounds = iters(32);
    uint64_t t = now_ns();
    for (long r = 0; r < rounds; r++) {
        int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
        if (id < 0) fail(name, "shmget");
        unsigned char *seg = shmat(id, NULL, 0);
        if (seg == (void *)-1) fail(name, "shmat");
        if (seg[size / 2] != 0) fail(name, "a new segment is not zero");
        memset(seg, (int)(r + 1), size);
        if (seg[0] != (unsigned char)(r + 1) || seg[size - 1] != (unsigned char)(r + 1))
            fail(name, "segment lost a write");
        if (shmdt(seg) || shmctl(id, IPC_RMID, NULL)) fail(name, "shmdt/IPC_RMID");
    }
    report_mbs(name, now_ns() - t, (uint64_t)rounds * size);
}

static void fork_exit(void) {
    const char *name = "fork_exit";
    long n = iters(500);
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) fail(name, "fork");
        if (pid == 0) _exit(i & 0x7f);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != (i & 0x7f))
            fail(name, "wrong status");
    }
    report_us(name, now_ns() - t, n);
}

static void fork_exec(void) {
    const char *name = "fork_exec";
    long n = iters(300);
    char *argv[] = { exit_prog, NULL }, *envp[] = { NULL };
    uint64_t t = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) fail(name, "fork");
        if (pid == 0) {
            execve(exit_prog, argv, envp);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != EXEC_STATUS)
            fail(name, "bench-exit did not run");
    }
    report_us(name, now_ns() - t, n);
}

/* A token travels a ring of `procs` processes joined by pipes; each checks the token is the
 * one it expects and passes it on incremented. One hop = one pipe write, one read, one switch. */
static void ctx_ring(const char *name, int procs, long rounds) {
    int fds[16][2];
    for (int k = 0; k < procs; k++)
        if (pipe(fds[k])) fail(name, "pipe");
    pid_t pids[16];
    for (int k = 1; k < procs; k++) {
        pids[k] = fork();
        if (pids[k] < 0) fail(name, "fork");
        if (pids[k] == 0) {
            /* Member k reads pipe k and writes pipe (k+1) % procs. */
            int in = fds[k][0], out = fds[(k + 1) % procs][1];
            for (long r = 0; r < rounds; r++) {
                uint64_t token;
                read_full(name, in, &token, 8);
                if (token != (uint64_t)(r * procs + k)) fail(name, "wrong token");
                token++;
                write_full(name, out, &token, 8);
            }
            _exit(0);
        }
    }
    uint64_t t = now_ns();
    for (long r = 0; r < rounds; r++) {
        uint64_t token = (uint64_t)(r * procs + 1);
        write_full(name, fds[1 % procs][1], &token, 8);
        read_full(name, fds[0][0], &token, 8);
        if (token != (uint64_t)((r + 1) * procs)) fail(name, "wrong token back");
    }
    uint64_t dt = now_ns() - t;
    for (int k = 1; k < procs; k++) reap(name, pids[k]);
    for (int k = 0; k < procs; k++) { close(fds[k][0]); close(fds[k][1]); }
    report_us(name, dt, rounds * procs);
}

static void ctx_rings(void) {
    ctx_ring("ctx_ring2", 2, iters(10000));
    ctx_ring("ctx_ring16", 16, iters(1250));
}

/* Two threads take turns through one futex word: each waits in FUTEX_WAIT until the word
 * says it is its turn, then hands the turn over and wakes the other. */
static volatile int turn;
static long futex_rounds;

static void futex_call(int op, int val) {
    syscall(SYS_futex, &turn, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void take_turns(int me, long rounds) {
    for (long r = 0; r < rounds; r++) {
        while (turn != me) futex_call(FUTEX_WAIT, 1 - me);
        turn = 1 - me;
        futex_call(FUTEX_WAKE, 1);
    }
}

static void *futex_partner(void *arg) {
    (void)arg;
    take_turns(1, futex_rounds);
    return NULL;
}

static void futex_wake(void) {
    futex_rounds = iters(20000);
    turn = 0;
    pthread_t th;
    uint64_t t = now_ns();
    if (pthread_create(&th, NULL, futex_partner, NULL)) fail("futex_wake", "pthread_create");
    take_turns(0, futex_rounds);
    pthread_join(th, NULL);
    uint64_t dt = now_ns() - t;
    if (turn != 0) fail("futex_wake", "turns out of step");
    /* Two hand-offs per round. */
    report_us("futex_wake", dt, 2 * futex_rounds);
}

static void memcpy_bw(void) {
    const size_t size = 1 << 20;
    long rounds = iters(64);
    unsigned char *src = malloc(size), *dst = malloc(size);
    if (!src || !dst) fail("memcpy_bw", "malloc");
    memset(src, 1, size);
    memset(dst, 0, size);
    uint64_t t = now_ns();
    for (long r = 0; r < rounds; r++) {
        src[r % size] = (unsigned char)r;
        memcpy(dst, src, size);
        __asm__ volatile("" ::: "memory");
        if (dst[r % size] != (unsigned char)r) fail("memcpy_bw", "copy lost");
    }
    report_mbs("memcpy_bw", now_ns() - t, (uint64_t)rounds * size);
    free(src);
    free(dst);
}

static const struct { const char *name; void (*run)(void); } benches[] = {
    { "null_syscall", null_syscall }, { "sigaction", bench_sigaction },
    { "signal_catch", signal_catch }, { "pipe_rt", pipe_rt },
    { "pipe_bw", pipe_bws },          { "fifo_rt", fifo_rt },
    { "sysv_msg_rt", sysv_msg_rt },   { "posix_mq_rt", posix_mq_rt },
    { "sem_shm_rt", sem_shm_rt },     { "shm_write_bw", shm_write_bw },
    { "fork_exit", fork_exit },       { "fork_exec", fork_exec },
    { "ctx_ring", ctx_rings },        { "futex_wake", futex_wake },
    { "memcpy_bw", memcpy_bw },
};

int main(int argc, char **argv) {
    int first = 1;
    setpgid(0, 0);
    if (argc > 2 && !strcmp(argv[1], "-s")) {
        scale = atof(argv[2]);
        if (!(scale > 0)) { fprintf(stderr, "ipcbench: bad scale %s\n", argv[2]); return 2; }
        first = 3;
    }
    const char *slash = strrchr(argv[0], '/');
    snprintf(exit_prog, sizeof exit_prog, "%.*sbench-exit",
             slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        int wanted = first >= argc;
        for (int a = first; a < argc && !wanted; a++)
            wanted = !strncmp(benches[b].name, argv[a], strlen(argv[a])) ||
                     !strncmp(argv[a], benches[b].name, strlen(benches[b].name));
        if (wanted) benches[b].run();
    }
    return 0;
}
