/* sem-counter: 4 processes add to a shared counter, without and then with a semaphore.
 *
 * Why shared memory needs synchronisation. A counter lives in a System V shared
 * memory segment; 4 processes each add 1 to it 2000 times with a plain
 * read-modify-write. Without a lock some updates are lost whenever a process is
 * switched out between its read and its write (here it gives up the processor there
 * on purpose, so the loss shows even on one processor). Then the same is done inside
 * a System V semaphore used as a lock (P before, V after), and nothing is lost:
 *
 *     $ sem-counter
 *     without a semaphore: 2011 of 8000 (5989 updates lost)
 *     with a semaphore:    8000 of 8000 (0 updates lost)
 *
 * (The first number changes from run to run.) */
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define ROUNDS 2000

static int run(volatile long *counter, int sem)
{
	*counter = 0;
	for (int w = 0; w < WORKERS; w++) {
		pid_t pid = fork();
		if (pid == -1) {
			perror("fork");
			return -1;
		}
		if (pid == 0) {
			struct sembuf p = { 0, -1, SEM_UNDO }, v = { 0, 1, SEM_UNDO };
			for (int i = 0; i < ROUNDS; i++) {
				if (sem != -1 && semop(sem, &p, 1) == -1)
					_exit(1);
				long seen = *counter;
				/* Give up the processor between the read and the write, as a
				 * timer interrupt may at any moment: another worker then runs. */
				sched_yield();
				*counter = seen + 1;
				if (sem != -1 && semop(sem, &v, 1) == -1)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WORKERS; w++)
		wait(NULL);
	return 0;
}

int main(void)
{
	int shm = shmget(IPC_PRIVATE, sizeof(long), 0600);
	int sem = semget(IPC_PRIVATE, 1, 0600);
	if (shm == -1 || sem == -1) {
		perror("shmget/semget");
		return 1;
	}
	volatile long *counter = shmat(shm, NULL, 0);
	if (counter == (void *)-1) {
		perror("shmat");
		return 1;
	}
	const long total = (long)WORKERS * ROUNDS;
	run(counter, -1);
	printf("without a semaphore: %ld of %ld (%ld updates lost)\n", *counter, total, total - *counter);
	semctl(sem, 0, SETVAL, 1);
	run(counter, sem);
	printf("with a semaphore:    %ld of %ld (%ld updates lost)\n", *counter, total, total - *counter);
	shmdt((void *)counter);
	shmctl(shm, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	return 0;
}
