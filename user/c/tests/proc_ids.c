/* setresuid/setresgid, setreuid/setregid and the C library's seteuid/setegid built on
 * them: -1 leaves an id alone, an unprivileged process may only move among its own
 * real, effective and saved ids (EPERM otherwise), and the saved id follows as
 * setreuid(2) describes. */
#include "rilltest.h"

static void ids(uid_t *r, uid_t *e, uid_t *s)
{
	CHECK_OK(getresuid(r, e, s));
}

static int as_user(void)
{
	uid_t r, e, s;
	/* root drops to real 1000, effective 1001, saved 0 */
	if (setresgid(2000, 2001, 0) != 0 || setresuid(1000, 1001, 0) != 0)
		return 10;
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 1001 && s == 0);
	gid_t gr, ge, gs;
	CHECK_OK(getresgid(&gr, &ge, &gs));
	CHECK(gr == 2000 && ge == 2001 && gs == 0);
	/* the effective uid may become the saved one (0) and back: how LTP's tests
	 * switch between root and nobody with seteuid */
	CHECK_OK(seteuid(0));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 0 && s == 0);
	CHECK_OK(seteuid(1001 - 1));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 1000 && s == 0);
	/* not one of the three: EPERM, nothing changes */
	CHECK_ERR(setresuid(-1, 1234, -1), EPERM);
	CHECK_ERR(setreuid(1234, -1), EPERM);
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 1000 && s == 0);
	/* setreuid with a real id: the saved id follows the effective one */
	CHECK_OK(setreuid(1000, 0));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 0 && s == 0);
	/* the effective id set back to the real one: the saved id stays */
	CHECK_OK(setreuid(-1, 1000));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 1000 && s == 0);
	/* any other effective id: the saved id follows it */
	CHECK_OK(setreuid(-1, 0));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 0 && s == 0);
	CHECK_OK(setresuid(1000, 1000, 1000));
	ids(&r, &e, &s);
	CHECK(r == 1000 && e == 1000 && s == 1000);
	/* now all three are 1000: root is out of reach */
	CHECK_ERR(seteuid(0), EPERM);
	CHECK_ERR(setregid(3000, -1), EPERM);
	return 0;
}

int main(void)
{
	uid_t r, e, s;
	ids(&r, &e, &s);
	CHECK(r == 0 && e == 0 && s == 0);
	CHECK_EQ(wait_for(spawn(as_user)), 0);
	ok("setresuid, setreuid, seteuid and the gid calls move only among permitted ids");
	return 0;
}
