/* pipe-ex1: the pipe example of the IPC lecture.
 *
 * The parent creates a pipe, then forks. The pipe is two file descriptors:
 * fds[0] is the read end, fds[1] the write end, and the child inherits both.
 * Each process closes the end it does not use: the parent only writes, the
 * child only reads. The parent writes five messages; the child prints each
 * message it receives, and sees end-of-file (read returns 0) once the
 * parent has closed the write end. The parent then waits for the child.
 *
 * Expected output (the two processes run at the same time, so the read
 * lines may be interleaved differently with the write lines):
 *     parents
 *     write: the 0 message.
 *     ...
 *     children
 *     read: the 0 message.
 *     ... */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define MESSAGES 5
#define MSG_SIZE 32 /* every message is sent as one 32-byte record */

int main(void)
{
	int fds[2];
	char msg[MSG_SIZE];

	/* Lines appear in the order they are printed, even through a pipe. */
	setvbuf(stdout, NULL, _IONBF, 0);

	if (pipe(fds) < 0) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}

	if (pid == 0) {
		/* Child: the reader. */
		close(fds[1]);
		printf("children\n");
		/* A write of at most PIPE_BUF bytes is never split, so each
		 * read of MSG_SIZE bytes returns exactly one message. */
		while (read(fds[0], msg, MSG_SIZE) > 0)
			printf("read: %s", msg);
		close(fds[0]);
		exit(0);
	}

	/* Parent: the writer. */
	close(fds[0]);
	printf("parents\n");
	for (int i = 0; i < MESSAGES; i++) {
		snprintf(msg, MSG_SIZE, "the %d message.\n", i);
		printf("write: %s", msg);
		if (write(fds[1], msg, MSG_SIZE) != MSG_SIZE) {
			perror("write");
			return 1;
		}
	}
	close(fds[1]); /* the child's read now returns 0: end of file */
	waitpid(pid, NULL, 0);
	return 0;
}
