#!/bin/sh
# make bench: jobdoc-sign against `openssl dgst -sha256 -sign` on the same 1 GiB
# file (in the page cache), in the same run: wall time (median of 5), CPU
# time, and peak RSS for a 1 MiB and a 1 GiB file. Targets (issue 5): jobdoc-sign
# at most 0.75x openssl's wall time; peak RSS <= 8 MiB for both sizes.
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
BIN=$JD_BUILD/bin/jobdoc-sign
W=$(mktemp -d "${TMPDIR:-/tmp}/jdbench-sign.XXXXXX")
trap 'rm -rf "$W"' EXIT
umask 077
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/ec.key" 2>/dev/null
head -c 1048576 /dev/urandom > "$W/1m.bin"
# 1 GiB without reading /dev/urandom for a GiB: 64 MiB random, repeated
head -c 67108864 /dev/urandom > "$W/64m.bin"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat "$W/64m.bin"; done > "$W/1g.bin"
rm -f "$W/64m.bin"
python3 - "$BIN" "$W" <<'PY'
import os, sys, time, statistics
bin, w = sys.argv[1], sys.argv[2]
key = os.path.join(w, "ec.key")

def run(argv):
    # GNU time forks the tool from a small process: ru_maxrss counts what a
    # child had before exec, so python's own RSS must not be the parent.
    r, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(wfd, 2)
        os.execvp("/usr/bin/time", ["/usr/bin/time", "-f", "@@ %e %U %S %M"] + argv)
    os.close(wfd)
    chunks = []
    while True:
        c = os.read(r, 1 << 16)
        if not c:
            break
        chunks.append(c)
    err = b"".join(chunks).decode()
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit("bench: %s failed (%d): %s" % (argv, status, err))
    e, u, s, m = err.rsplit("@@ ", 1)[1].split()
    return float(e), float(u) + float(s), int(m) / 1024.0

def jd(f):
    return [bin, "-k", key, f]

def ossl(f):
    return ["openssl", "dgst", "-sha256", "-sign", key, "-out", os.devnull, f]

big, small = os.path.join(w, "1g.bin"), os.path.join(w, "1m.bin")
with open(big, "rb") as f:          # into the page cache
    while f.read(1 << 24):
        pass
res = {"jd": [], "openssl": []}
for i in range(5):                  # interleaved, so both see the same machine
    res["jd"].append(run(jd(big)))
    res["openssl"].append(run(ossl(big)))
med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
           max(x[2] for x in v)) for k, v in res.items()}
small_rss = {"jd": run(jd(small))[2], "openssl": run(ossl(small))[2]}
print("sign 1 GiB, median of 5 (wall s / cpu s / peak RSS MiB):")
for k in ("jd", "openssl"):
    print("  %-8s %6.3f s  %6.3f s  %5.2f MiB" % (k, med[k][0], med[k][1], med[k][2]))
print("  wall ratio jobdoc-sign/openssl: %.2f (target <= 0.75)" % (med["jd"][0] / med["openssl"][0]))
print("  cpu  ratio jobdoc-sign/openssl: %.2f" % (med["jd"][1] / med["openssl"][1]))
print("  rate jobdoc-sign: %.0f MiB/s" % (1024 / med["jd"][0]))
print("sign 1 MiB, peak RSS: jobdoc-sign %.2f MiB, openssl %.2f MiB (target <= 8 MiB)"
      % (small_rss["jd"], small_rss["openssl"]))
print("  RSS ratio jobdoc-sign/openssl: 1 MiB %.2f, 1 GiB %.2f"
      % (small_rss["jd"] / small_rss["openssl"], med["jd"][2] / med["openssl"][2]))
PY
