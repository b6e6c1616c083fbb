/* msgq-ex1: type a message type and a text; a child receives and prints it (0 ends).
 *
 * The message-queue example of the IPC lecture. The parent creates a System V
 * message queue and forks. It then asks for a message type and a text, and sends
 * them with msgsnd; the child waits in msgrcv for the next message of any type
 * and prints it. Typing type 0 ends the program: the parent sends a last message
 * that tells the child to stop, waits for it, and removes the queue.
 *
 *     $ msgq-ex1
 *     Parent: input message type:
 *     1
 *     Parent: input message to be sent:
 *     test
 *     Parent: input message type:
 *     Child: read msg:test
 *     0
 *
 * While it runs, `ipcs -q` in another shell lists the queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEXT_MAX 128
/* The type of the parent's last message, which tells the child to stop. */
#define TYPE_END 0x7fffffffL

struct message {
	long mtype;
	char mtext[TEXT_MAX];
};

static void child(int qid)
{
	struct message m;
	for (;;) {
		ssize_t n = msgrcv(qid, &m, TEXT_MAX, 0, 0);
		if (n < 0) {
			perror("msgrcv");
			exit(1);
		}
		if (m.mtype == TYPE_END)
			exit(0);
		m.mtext[n < TEXT_MAX ? n : TEXT_MAX - 1] = '\0';
		printf("Child: read msg:%s\n", m.mtext);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int qid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (qid < 0) {
		perror("msgget");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		child(qid);

	struct message m;
	char line[TEXT_MAX];
	for (;;) {
		printf("Parent: input message type:\n");
		if (!fgets(line, sizeof line, stdin))
			break;
		long type = strtol(line, NULL, 10);
		if (type <= 0)
			break;
		printf("Parent: input message to be sent:\n");
		if (!fgets(m.mtext, sizeof m.mtext, stdin))
			break;
		m.mtext[strcspn(m.mtext, "\n")] = '\0';
		m.mtype = type;
		if (msgsnd(qid, &m, strlen(m.mtext), 0) < 0) {
			perror("msgsnd");
			break;
		}
	}
	m.mtype = TYPE_END;
	if (msgsnd(qid, &m, 0, 0) < 0)
		perror("msgsnd");
	waitpid(pid, NULL, 0);
	msgctl(qid, IPC_RMID, NULL);
	return 0;
}
