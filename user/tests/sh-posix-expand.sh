# sh-posix-expand.sh: word expansion in POSIX order: tilde, parameters
# (all the ${...} forms), command substitution ($( ) and backquotes),
# arithmetic, field splitting by IFS, pathname expansion and quote removal.
# Expected output from dash.

echo '== quoting'
x='a  b'
echo $x "$x" '$x' \$x "\$x" "a\"b" 'c"d' "\\" e\ f
echo "$x"'single'"$x"
echo ''"" [] ["$nothing"] [$nothing]
echo "tab	tab" 'new
line'

echo '== parameters'
set -- one 'two  words' three
echo "$#" "$1" "$2" "$3" "${3}"
echo "$@"
for a in "$@"; do echo "[$a]"; done
for a in $@; do echo "<$a>"; done
for a in "$*"; do echo "{$a}"; done
echo "x$@y"
set --
for a in "$@"; do echo never; done
echo "empty: [$*] [$#]"
set -- 1 2 3 4 5 6 7 8 9 10 11
echo "$10 ${10} ${11}"
shift; echo "$1 $#"
shift 3; echo "$1 $#"
sh -c 'echo $0 $1' zero first

echo '== parameter expansion'
unset u; e=; v=value
echo "${u-dash} ${e-dash} ${v-dash}"
echo "${u:-cdash} ${e:-cdash} ${v:-cdash}"
echo "${u+plus} ${e+plus} ${v+plus}"
echo "${u:+cplus} ${e:+cplus} ${v:+cplus}"
echo "${u=assigned} $u"
echo "${e:=cassigned} $e"
(echo "${nope?is unset}") 2>/dev/null; echo "question status $?"
echo "${v?fine}"
echo "${#v} ${#u} ${#}"
p=/usr/local/lib/file.tar.gz
echo "${p%.*} ${p%%.*} ${p#*/} ${p##*/}"
echo "${p%/*} ${p#/usr} ${p%nomatch}"
s=aXbXc
echo "${s%X*} ${s%%X*} ${s#*X} ${s##*X}"
echo "${s%"X"*}" "${s#a?}"
w='a b'
echo ${u:-$w} "${u:-$w}"
set -- ${u:-$w}; echo "fields $#"
echo ${u:-'quoted default'}
unset nu; echo "${nu:-"inner quotes"}" "${nu-'single stays'}" "${v:+"a  b"}"

echo '== command substitution'
echo $(echo simple) "$(echo quoted  spaces)"
echo `echo backquote` "`echo bq quoted`"
echo $(echo $(echo nested))
echo "$(printf_like() { echo "in $1"; }; printf_like sub)"
lines=$(echo one; echo two)
echo "$lines"
echo $lines
trail=$(echo trailing; echo; echo)
echo "[$trail]"
echo $(false); echo "status after subst $?"
z=$(exit 3); echo "assignment status $?"
echo "$(echo "inner \"quotes\"")"
echo $(case x in x) echo case-in-subst;; esac)
echo `echo \`echo escaped-backquote\``

echo '== arithmetic'
echo $((1 + 2 * 3)) $(( (1 + 2) * 3 )) $((7 / 2)) $((7 % 3)) $((-7 / 2))
echo $((1 << 4)) $((255 >> 2)) $((5 & 3)) $((5 | 3)) $((5 ^ 3)) $((~0))
echo $((3 > 2)) $((3 < 2)) $((2 == 2)) $((2 != 2)) $((1 && 0)) $((1 || 0)) $((!5))
echo $((0x1f)) $((010)) $((1 ? 10 : 20)) $((0 ? 10 : 20))
n=5
echo $((n * 2)) $(($n + 1)) $((n += 3)) $n $((n -= 1)) $((m = 4)) $m
echo $(( $(echo 6) * 7 ))
i=0; i=$((i + 1)); echo $i
echo $((2147483647 + 1)) $((-9223372036854775807 - 1))

echo '== field splitting'
v='  lead  and  trail  '
set -- $v; echo "$# [$1] [$3]"
IFS=:
v='a:b::c:'
set -- $v; echo "$# [$1] [$2] [$3] [$4]"
echo "$*"
IFS=' :'
v='a : b:c'
set -- $v; echo "$# [$1] [$2] [$3]"
IFS=
v='no split here'
set -- $v; echo "$#"
unset IFS
v='x y'
set -- $v; echo "$#"
IFS=,
set -- a b c
echo "$*"
unset IFS

echo '== pathname expansion'
d=/tmp/sh-posix-glob.$$
mkdir -p $d/sub
cd $d
: > b.txt; : > a.txt; : > c.log; : > .hidden; : > sub/x.txt; : > '[x]'
echo *
echo *.txt
echo ?.log
echo [ab].txt
echo [!a]*.txt
echo *.none
echo "*.txt" '*'.txt \*.txt
echo sub/*
echo */*.txt
echo .h*
for f in $d/*.log; do echo "${f#$d/}"; done
pat='*.txt'
echo $pat "$pat"
set -f
echo *.txt
set +f
echo [x]
echo \[x]
cd /
rm -r $d

echo '== tilde'
HOME=/home/someone
echo ~ ~/dir "~" '~' x~
HOME=/
echo done-expand
