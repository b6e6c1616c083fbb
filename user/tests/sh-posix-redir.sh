# sh-posix-redir.sh: redirections with descriptor numbers, duplication and
# closing, exec, here-documents (quoted and unquoted delimiters, <<-), and
# read. Expected output from dash.

d=/tmp/sh-posix-redir.$$
mkdir -p $d
cd $d

echo '== redirections'
echo out > f
echo more >> f
cat f
cat < f
echo to-three 3> g >&3
cat g
{ echo stdout; echo stderr >&2; } > both 2>&1
cat both
{ echo kept; echo dropped >&2; } 2>/dev/null
echo err-to-out 2>&1 >&2
cat <> f
(echo closed-stdout >&-) 2>/dev/null; echo "write to closed: $?"
> empty; cat empty; echo "empty file: $?"
echo x > $d/spaced\ name; cat "spaced name"
echo noclobber >| f; cat f
n=1; echo "fd from a variable" >&$n
cat 2>/dev/null < nonexistent; echo "missing input: $?"
{ cat; } < f
while read line; do echo "loop read: $line"; done < both
for i in 1 2; do echo "for $i"; done > loop; cat loop
if true; then echo if-out; fi | cat

echo '== exec'
exec 3> fd3
echo via-three >&3
echo again >&3
exec 3>&-
cat fd3
printf_lines() { echo first; echo second; echo third; }
printf_lines > lines
exec 4< lines
read a <&4
read b <&4
echo "read $a then $b"
cat <&4
exec 4<&-
exec 5>&1
echo "through five" >&5
exec 5>&-
( exec > sub-out; echo inside-subshell-exec )
cat sub-out

echo '== here-documents'
v=expanded
cat <<EOF2
plain $v
cmd $(echo sub) arith $((2 + 3))
escaped \$v \\ back\`tick
  indented stays
EOF2
cat <<'EOF2'
quoted $v $(echo no) \$v
EOF2
cat <<"EOF2"
double-quoted delimiter $v
EOF2
cat <<\EOF2
backslash delimiter $v
EOF2
cat <<-EOF2
	tabs stripped $v
		all leading tabs
	EOF2
cat <<EOF2 | cat
through a pipe
EOF2
cat <<A; cat <<B
first doc
A
second doc
B
f() {
  cat <<EOF2
in function $1
EOF2
}
f arg
read x y <<EOF2
one two three
EOF2
echo "x=$x y=$y"
cat <<EOF2 > hd
to a file
EOF2
cat hd
cat <<EOF2
EOF2
echo "empty here-doc done"
cat <<EOF2
"double quotes" and 'single' stay
EOF2

echo '== read'
echo 'a b c d' | { read p q; echo "p=$p q=$q"; }
echo '  lead  trail  ' | { read r; echo "[$r]"; }
printf_like() { echo 'back\slash'; }
printf_like | { read s; echo "$s"; }
printf_like | { read -r s; echo "$s"; }
echo 'x:y:z' | { IFS=: read a b c; echo "$a $b $c"; }
echo 'only' | { read a b; echo "a=$a b=[$b]"; }
{ echo line1; echo line2; } | { read l1; read l2; echo "$l2 $l1"; }
read nothing < /dev/null; echo "read at eof: $?"

cd /
rm -r $d
echo done-redir
