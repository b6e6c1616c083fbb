# sh-posix-proc.sh: traps, signals and wait statuses, set -e/-u/-x, the
# special parameters $? $! $$ $#, and the builtins export, ., eval, command -v,
# ulimit, umask, kill -l; `sh file` and `sh -c`. Expected output from dash.

d=/tmp/sh-posix-proc.$$
mkdir -p $d
cd $d

echo '== trap'
trap 'echo caught USR1' USR1
kill -USR1 $$
echo after-usr1
trap 'echo caught by number' 12
kill -12 $$
kill -s USR2 $$
trap 'echo caught TERM' TERM
kill $$
trap
trap - USR1 USR2 TERM
trap '' HUP
kill -HUP $$
echo survived-ignored-hup
trap - HUP
handler() { echo "handler for $1"; }
trap 'handler USR1' USR1
f() { kill -USR1 $$; echo in-f-after-kill; }
f
trap - USR1
status_kept() { false; }
trap 'true' USR1
false; kill -USR1 $$; echo "status after trap $?"
trap - USR1
(trap 'echo subshell exit trap' EXIT; echo in-subshell)
sh -c 'trap "echo exit trap ran" EXIT; echo body'
sh -c 'trap "echo exit status \$?" EXIT; exit 4'; echo "sh exited $?"
(trap 'echo parent trap' USR1; sh -c 'trap' ; echo child-has-no-traps)
(trap '' INT; sh -c 'kill -INT $$; echo ignored-int-inherited')
trap 'echo exit of main script' EXIT

echo '== wait and $!'
sleep 0.1 & p=$!
wait $p; echo "wait status $?"
(exit 3) & wait $!; echo "exit 3: $?"
sleep 5 & p=$!
kill $p; wait $p 2>/dev/null; echo "killed by TERM: $?"
sleep 5 & p=$!
kill -9 $p; wait $p 2>/dev/null; echo "killed by KILL: $?"
sleep 5 & p=$!
kill -USR1 $p; wait $p 2>/dev/null; echo "killed by USR1: $?"
sh -c 'kill -INT $$' & wait $!; echo "self INT: $?"
sleep 0.1 & sleep 0.1 &
wait; echo "wait all: $?"
[ "$!" -gt 0 ] && echo "\$! is a pid"
[ "$$" -gt 0 ] && echo "\$\$ is a pid"
[ "$(sh -c 'echo $PPID')" = "$$" ] && echo "PPID of a child is \$\$"
trap 'echo interrupted wait' USR2
sleep 2 & p=$!
(sleep 0.3; kill -USR2 $$) &
wait $p; echo "wait interrupted by trap: $?"
kill $p
trap - USR2

echo '== set -e'
sh -c 'set -e; echo before; false; echo not-reached'; echo "set -e status $?"
sh -c 'set -e; false || true; echo or-ok'
sh -c 'set -e; if false; then :; fi; echo if-ok'
sh -c 'set -e; ! true; echo bang-ok'
sh -c 'set -e; false && true; echo and-ok'
sh -c 'set -e; while false; do :; done; echo while-ok'
sh -c 'set -e; f() { false; echo f-continues; }; f || echo f-failed; echo after-f'
sh -c 'set -e; (false); echo not-reached'; echo "subshell under -e $?"
sh -c 'set -e; x=$(false); echo not-reached'; echo "assignment under -e $?"
(set -e; false; echo not-reached); echo "inline subshell $?"
set +e

echo '== set -u'
(set -u; echo "$unset_var") 2>/dev/null; echo "set -u status $?"
(set -u; echo "${unset_var:-default}")
(set -u; echo "$# $@ $*")
sh -c 'set -u; x=1; echo "x=$x"'

echo '== set -x'
(set -x; echo traced "a b"; x=1; y=$(echo sub)) 2>&1
(set -x; : $((1 + 1)); true && echo traced-and) 2>&1
sh -x -c 'echo from-flag' 2>&1
echo "options: $-"
(set -e; echo "options: $-")

echo '== export, eval, dot'
export EXPORTED=yes
sh -c 'echo "EXPORTED=$EXPORTED"'
NOT_EXPORTED=no
sh -c 'echo "NOT_EXPORTED=[$NOT_EXPORTED]"'
ONCE=once sh -c 'echo "ONCE=$ONCE"'
echo "ONCE=[$ONCE]"
export LATER; LATER=set-later; sh -c 'echo "LATER=$LATER"'
cmd='echo evaluated $((1 + 1))'
eval "$cmd"
eval 'x=from-eval'; echo $x
eval "for i in 1 2; do echo eval-loop \$i; done"
echo 'sourced_var=from-dot; echo "in dot $1"' > script.sh
. ./script.sh
echo "$sourced_var"
echo 'echo "script file: $0 $# $1"; exit 6' > file.sh
sh file.sh arg; echo "sh file status $?"
sh -c 'echo "-c: $0 $1 $2"' name a b
sh -c 'exit 9'; echo "sh -c status $?"
readonly RO=fixed
(RO=changed) 2>/dev/null; echo "readonly assignment status $?"
echo "RO=$RO"

echo '== command -v'
command -v cd
command -v echo
command -v if
f() { :; }
command -v f
command -v nosuch-command; echo "missing: $?"
command -v cat >/dev/null && echo "cat found"
echo() { printf_never; }
command echo "command skips the function"
unset -f echo
echo "function removed"

echo '== ulimit and umask'
(ulimit -n 64; ulimit -n)
(ulimit -S -n 32; ulimit -S -n)
(ulimit -c 0; ulimit -c)
(umask 027; umask; umask -S)
(umask 0; umask)
umask 022; umask

echo '== kill -l'
kill -l
kill -l 9
kill -l 143

cd /
rm -r $d
echo done-proc
