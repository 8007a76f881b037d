#!/bin/sh
# build-aux/fuzz.sh SECONDS BINARY...: runs each libFuzzer target for SECONDS
# on its seed corpus (tests/fuzz/corpus/NAME, copied to a scratch corpus so
# the committed seeds stay small). Crashes land in build/fuzz/crashes/NAME/;
# keep each as a regression case in the seed corpus once fixed.
set -e
secs=$1
shift
for bin in "$@"; do
	name=$(basename "$bin" | sed -e 's/^fuzz-//')
	seeds=tests/fuzz/corpus/$name
	work=build/fuzz/corpus/$name
	crashes=build/fuzz/crashes/$name
	mkdir -p "$work" "$crashes"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	echo "== fuzz $name for ${secs}s"
	"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$work" 2>&1 | tail -15
done
