/* A corner of System V shared memory where qemu-user is not Linux (see
 * divergences.rs): SHM_REMAP without an address is EINVAL. Checked on Linux 6.1 with
 * ../shared/linux-ref. */
#include "rilltest.h"
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void)
{
	int id = CHECK_OK(shmget(IPC_PRIVATE, 4096, 0600));
	CHECK_ERR(shmat(id, NULL, SHM_REMAP), EINVAL);
	CHECK_OK(shmctl(id, IPC_RMID, NULL));
	ok("SHM_REMAP needs an address");
	return 0;
}
