/* shm-writer: puts a greeting into a 512-byte System V shared memory segment.
 *
 * The writer of the lecture's shared-memory example. It makes (or finds) the
 * segment whose key ftok() derives from /tmp, attaches it, copies a string into
 * it, detaches, and leaves the segment for shm-reader:
 *
 *     $ shm-writer
 *     Writer: copy data to shared-memory
 *     $ shm-reader
 *     ... (ipcs -m lists the segment, the reader prints the data, removes it) */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SIZE 512

int main(void)
{
	key_t key = ftok("/tmp", 'r');
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	int id = shmget(key, SIZE, IPC_CREAT | 0666);
	if (id == -1) {
		perror("shmget");
		return 1;
	}
	char *mem = shmat(id, NULL, 0);
	if (mem == (void *)-1) {
		perror("shmat");
		return 1;
	}
	printf("Writer: copy data to shared-memory\n");
	strncpy(mem, "How are you, mike: from Writer", SIZE - 1);
	if (shmdt(mem) == -1) {
		perror("shmdt");
		return 1;
	}
	return 0;
}
