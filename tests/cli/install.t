#!/bin/sh
# make install: tools, library, headers, pkg-config file and man pages land
# under DESTDIR+PREFIX; a program builds against the installed library; every
# man page renders without warnings; the installed jobdoc finds its verbs.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
stage=$T_TMP/stage
# the build under test: with the sanitizers when make check made it
san_make=
nm "$JD_BUILD/libjobdoc.a" 2>/dev/null | grep -q __asan_ && san_make=SAN=1
make -s -C "$JD_TOP" install BUILD="$JD_BUILD" $san_make PREFIX=/usr DESTDIR="$stage" >"$T_TMP/make.log" 2>&1
t_ok $? "make install PREFIX=/usr DESTDIR=..."
for t in "$JD_TOP"/tools/jobdoc*.c; do
	n=$(basename "$t" .c)
	[ -x "$stage/usr/bin/$n" ]
	t_ok $? "installed $n"
	[ -f "$stage/usr/share/man/man1/$n.1" ]
	t_ok $? "installed man page $n.1"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$JD_TOP/tools/$n.1" >/dev/null 2>"$T_TMP/manerr"
	[ $? -eq 0 ] && [ ! -s "$T_TMP/manerr" ]
	t_ok $? "$n.1 renders without warnings"
	grep -q "^.SH EXIT STATUS" "$JD_TOP/tools/$n.1"
	t_ok $? "$n.1 documents the exit status"
done
[ -f "$stage/usr/lib/libjobdoc.a" ] && [ -f "$stage/usr/include/jobdoc/load.h" ]
t_ok $? "library and headers installed"
mkdir -p "$T_TMP/pc.d"
sed -e "s|^prefix=.*|prefix=$stage/usr|" "$stage/usr/lib/pkgconfig/jobdoc.pc" >"$T_TMP/pc.d/jobdoc.pc"
PKG_CONFIG_PATH=$T_TMP/pc.d pkg-config --cflags --libs jobdoc >"$T_TMP/pc" 2>&1
t_ok $? "pkg-config knows jobdoc"
cat >"$T_TMP/use.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <load.h>
#include <json.h>
int main(void)
{
	struct jd_error err;
	struct jd_doc *docs;
	size_t n;
	const char *y = "a: [1, two]\n";
	if (jd_load("x.yaml", y, strlen(y), NULL, &docs, &n, &err) < 0)
		return 1;
	char *s = jd_json_dumps(docs[0].root, &err);
	puts(s);
	free(s);
	jd_docs_free(docs, n);
	return 0;
}
C
san=
nm "$stage/usr/lib/libjobdoc.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
cc -std=c11 $san -o "$T_TMP/use" "$T_TMP/use.c" $(cat "$T_TMP/pc") >"$T_TMP/cc.log" 2>&1
t_ok $? "a program builds against the installed library"
[ "$("$T_TMP/use")" = '{"a":[1,"two"]}' ]
t_ok $? "and runs"
PATH=/usr/bin:/bin "$stage/usr/bin/jobdoc" compile --help >/dev/null
t_ok $? "installed jobdoc finds jobdoc-compile beside it"
t_done
