# sh-posix-syntax.sh: the POSIX shell grammar: lists, and-or lists, `!`,
# pipelines, { } and ( ), if/elif/else, while, until, for, case, functions,
# break/continue/return. Expected output from dash (see docs/shell.md).

echo '== lists'
echo a; echo b
true && echo and1
false && echo and2
false || echo or1
true || echo or2
false && echo x || echo y
! true; echo "not true: $?"
! false; echo "not false: $?"
echo pipe | cat | cat

echo '== groups'
{ echo in-brace; x=set-in-brace; }
echo "$x"
( y=set-in-subshell; echo "in subshell $y" )
echo "y=[$y]"
(exit 7); echo "subshell status $?"
{ echo one; echo two; } | cat
( cd /; pwd )

echo '== if'
if true; then echo then1; fi
if false; then echo no; else echo else1; fi
if false; then echo no; elif false; then echo no; elif true; then echo elif3; else echo no; fi
if false; then :; fi; echo "if status $?"
if
  true
then
  echo multi-line
fi

echo '== while and until'
i=0
while [ $i -lt 3 ]; do echo "while $i"; i=$((i + 1)); done
until [ $i -eq 0 ]; do echo "until $i"; i=$((i - 1)); done
i=0
while true; do
  i=$((i + 1))
  [ $i -eq 2 ] && continue
  [ $i -gt 4 ] && break
  echo "loop $i"
done
for a in 1 2; do for b in x y; do [ $b = y ] && continue 2; echo "$a$b"; done; done
for a in 1 2; do for b in x y; do echo "$a$b"; break 2; done; done

echo '== for'
for i in a b c; do echo "for $i"; done
for i in; do echo never; done
set -- p 'q r' s
for i; do echo "arg [$i]"; done
for i in "$@"; do echo "quoted [$i]"; done
for i in $(echo 1 2) 3; do echo "subst $i"; done

echo '== case'
for w in apple banana cherry 42 '*' ''; do
  case $w in
    a*) echo "$w: starts with a";;
    b*|c*) echo "$w: b or c";;
    [0-9]*) echo "$w: digit";;
    '*') echo "$w: a star";;
    '') echo "empty";;
  esac
done
case x in (x) echo parenthesised;; esac
case abc in *b*) echo contains-b;; *) echo no;; esac
case a.txt in *.txt) echo txt ;; esac
case "a b" in "a b") echo quoted-space ;; esac
v=hello
case $v in h?llo) echo question ;; esac
case $v in [!h]*) echo no ;; *) echo not-negated ;; esac
case nothing in something) echo no;; esac; echo "case status $?"

echo '== functions'
greet() { echo "hello $1 ($#)"; }
greet world
greet 'two words' extra
count() {
  echo "count has $# args"
  return 5
}
count a b c; echo "returned $?"
outer() { inner() { echo inner-defined; }; inner; }
outer; inner
fact() {
  if [ $1 -le 1 ]; then echo 1; return; fi
  echo $(( $1 * $(fact $(($1 - 1))) ))
}
fact 6
set -- x y
args() { echo "in function: $*"; }
args 1 2 3
echo "after function: $*"
early() { echo before; return 0; echo not-reached; }
early
recurse() { [ $1 -gt 0 ] || return 0; echo "depth $1"; recurse $(($1 - 1)); }
recurse 3
f_redir() { echo into-file; } > /tmp/sh-posix-syntax.$$
[ -e /tmp/sh-posix-syntax.$$ ] || echo "not created by the definition"
f_redir
cat /tmp/sh-posix-syntax.$$
rm /tmp/sh-posix-syntax.$$

echo '== comments and continuation'
echo a # comment
echo long \
  line
echo done-syntax
