/* shm-reader: prints what shm-writer left in shared memory, then removes it.
 *
 * The reader of the lecture's shared-memory example. It shows the segments
 * (`ipcs -m`), attaches the segment shm-writer made (same ftok key), prints its
 * text, detaches, removes the segment and shows the segments again:
 *
 *     $ shm-reader
 *     ------ Shared Memory Segments --------
 *     key        shmid      owner      perms      bytes      nattch     status
 *     0x72...    0          root       666        512        0
 *     data = [ How are you, mike: from Writer ]
 *     deleted shared-memory
 *     ------ Shared Memory Segments --------
 *     key        shmid      owner      perms      bytes      nattch     status */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SIZE 512

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	key_t key = ftok("/tmp", 'r');
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	int id = shmget(key, SIZE, 0);
	if (id == -1) {
		perror("shmget (run shm-writer first)");
		return 1;
	}
	if (system("ipcs -m") == -1)
		perror("system");
	char *mem = shmat(id, NULL, SHM_RDONLY);
	if (mem == (void *)-1) {
		perror("shmat");
		return 1;
	}
	printf("data = [ %s ]\n", mem);
	if (shmdt(mem) == -1 || shmctl(id, IPC_RMID, NULL) == -1) {
		perror("shmdt/shmctl");
		return 1;
	}
	printf("deleted shared-memory\n");
	if (system("ipcs -m") == -1)
		perror("system");
	return 0;
}
