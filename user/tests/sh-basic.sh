# sh-basic.sh: exercises the non-interactive features of Rill's /bin/sh and the
# basic tools, with deterministic output. Run it as `sh sh-basic.sh` with /bin on
# PATH; its standard output must equal sh-basic.out, on Rill and under
# qemu-riscv64 alike. Error messages are sent to stdout (2>&1) where checked.
# It works in /tmp/sh-basic, which it removes at the end.

echo '== quoting and parameters'
x='a  b'
echo $x
echo "$x"
echo '$x' "\$x" \$x
echo "a\"b" 'c"d' e\ f "tab	in"
empty=
echo [$empty] ["$empty"]
greet=hello; echo ${greet}world $greet.txt
echo a # a comment
# a whole-line comment
echo cont\
inued "multi
line"
sh -c 'echo $0 $# "$1" "$2"' name one 'two words'
sh -c 'echo $#; echo "$@"; sh -c "echo \$#" x "$@"' name 'a b' c
sh -c 'echo [$5]' name 1 2 3

echo '== status'
true; echo $?
false; echo $?
true | false; echo $?
false | true; echo $?
sh -c 'exit 3'; echo $?
sh -c 'exit 300'; echo $?
sh -c 'kill -9 $$' 2>/dev/null; echo $?
sh -c 'kill -s TERM $$' 2>/dev/null; echo $?
x=1; echo "$x $?"
nosuch-command 2>&1; echo $?

echo '== and-or lists'
true && echo and-yes
false && echo and-no
false || echo or-yes
true || echo or-no
false && echo no || echo fallback
true; false; echo after-semicolons $?

echo '== redirections'
mkdir -p /tmp/sh-basic
cd /tmp/sh-basic
pwd
echo one > f
echo two >> f
cat < f
cat f - < f
wc -l < f
cat missing-file 2> err; echo "cat status $?"
cat err
cat missing-file 2>&1 | wc -l
echo via-fd-3 3> f3 >&3
cat f3
echo to-stderr 1>&2 2>/dev/null
echo hidden > /dev/null
> created
ls -1
cat < missing-file 2>&1; echo $?
echo x > missing-dir/f 2>&1; echo $?

echo '== pipelines'
seq 1 10000 | grep 7 | wc -l
yes | head -n 3
yes abc | head -n 2
seq 5 | tail -n 2
seq 3 | cat | cat | cat
echo hello world | wc

echo '== background jobs and wait'
sleep 0.2 &
wait
echo waited
sh -c 'exit 5' &
wait $!
echo "wait status $?"
echo bg-and-or && echo second &
wait
echo after-bg-and-or

echo '== variables and environment'
export EXPORTED=yes
sh -c 'echo EXPORTED=$EXPORTED'
local_only=1
sh -c 'echo local_only=[$local_only]'
TEMP=once sh -c 'echo TEMP=$TEMP'
echo TEMP=[$TEMP]
unset EXPORTED
sh -c 'echo EXPORTED=[$EXPORTED]'
env ONE=1 env | grep ONE
env | grep -c EXPORTED

echo '== cd and pwd'
cd /
pwd
HOME=/tmp/sh-basic
cd
pwd
cd /no/such/dir 2>&1; echo $?

echo '== command lookup'
echo 'echo script args: $1 $2' > script.sh
sh script.sh a b
cp /bin/true no-shebang
echo 'echo run by sh: $0 $1' > no-shebang
./no-shebang arg
echo data > not-executable
./not-executable 2>&1; echo $?
./missing 2>&1; echo $?
/tmp 2>&1; echo $?
PATH=/nowhere nosuch 2>&1; echo $?

echo '== syntax errors'
sh -c 'echo a |' 2>&1; echo $?
sh -c '; echo a' 2>&1; echo $?
sh -c 'echo (a)' 2>&1; echo $?
sh -c 'echo "open' 2>&1; echo $?
sh -c 'echo ok; echo a && && echo b' 2>&1; echo $?

echo '== echo'
echo -n no-newline; echo
echo -e 'tab\there\nnext\\'
echo -e 'stop\cignored'
echo -n -e 'a\0101\n'
echo -x -n

echo '== files'
mkdir -p d1/d2/d3
touch d1/a d1/b
ls -1 d1
cp f d1/copy
cat d1/copy
cp f d1
ls -1 d1
mv d1/copy d1/moved
ls -1 d1
rm d1/a
rm d1 2>&1; echo $?
rm -r d1
ls -1
rm -f nothing-here; echo $?
rm nothing-here 2>&1; echo $?
mkdir created 2>&1; echo $?
ls -a d1 2>&1; echo $?
mkdir e
ls -1a e
ls -1 e f

echo '== wc'
seq 1 100 > nums
wc nums
wc -l nums
wc -w -c nums f
wc -l < nums
seq 1 100 | wc -c
echo a b c | wc
wc nums missing 2>&1; echo $?

echo '== grep'
seq 1 20 > g
grep 1 g | wc -l
grep -c 1 g
grep -v 1 g | head -n 3
grep -n 5 g
echo Hello | grep -i hello
grep -q 7 g; echo $?
grep -q 99 g; echo $?
grep '^1[0-2]$' g
grep -c 1 g f
grep 1 g missing > /dev/null 2>&1; echo $?
grep -q 1 g missing 2>/dev/null; echo $?

echo '== head and tail'
seq 20 | head -n 2
seq 20 | head -3
seq 20 | tail -n 2
seq 20 | tail -n +19
seq 12 | tail
head -n 1 nums g
tail -n 1 nums g

echo '== seq'
seq 3
seq 2 4
seq 10 -3 1
seq 5 1
seq 0 2 6

echo '== misc tools'
uname
uname -s -m
kill -l | head -n 3
kill -l | wc -l
kill -l 9
kill -l 143
kill -l | tail -n 1
sleep 0.1
env nosuch-program 2>&1; echo $?
clear | wc -c
ps | head -n 1
false; echo false=$?
true; echo true=$?

cd /
rm -r /tmp/sh-basic
echo '== done'
