#!/usr/bin/env python3
"""The createjob-request schema against the AWS model it was made from.

From tests/data/iot-createjob-shapes.json (the AWS IoT model extract), builds
a valid request using every member, then one mutation per constraint of the
model (required member left out, unknown member, min/max length or count,
numeric bounds, pattern, enum, type) and of the documented limits, and checks
that jobdoc-validate --schema createjob-request accepts the valid request and
every compiled sample, and rejects each mutation at the mutated place.
Prints TAP.
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

TOP = os.environ.get("JD_TOP") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("JD_BUILD") or os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "bin")
model = json.load(open(os.path.join(TOP, "tests/data/iot-createjob-shapes.json")))
shapes = model["services"]["iot"]["shapes"]

# valid values for the shapes with patterns or forms the model does not give
VALID = {
    "JobId": "fw-1_2",
    "TargetArn": "arn:aws:iot:eu-west-1:123456789012:thing/t1",
    "JobDocumentSource": "https://s3.eu-west-1.amazonaws.com/b/k.json",
    "JobDocument": "{}",
    "JobDescription": "a job",
    "RoleArn": "arn:aws:iam::123456789012:role/iot-presign",
    "NamespaceId": "ns-1",
    "JobTemplateArn": "arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0",
    "ParameterKey": "runAsUser",
    "ParameterValue": "root",
    "StringDateTime": "2027-01-01T00:00",
    "CronExpression": "cron(0 1 ? * SUN *)",
    "PackageVersionArn": "arn:aws:iot:eu-west-1:123456789012:package/p/version/1.0",
    "TagKey": "team",
    "TagValue": "sensors",
    "IncrementFactor": 1.5,
    "AbortThresholdPercentage": 10,
}
# a value breaking each pattern
BAD_PATTERN = {
    "JobId": "fw 1",
    "JobDescription": "a\u0007job",
    "NamespaceId": "ns/1",
    "JobTemplateArn": "jobtemplate/AWS-Reboot",
    "ParameterKey": "run as user",
    "ParameterValue": "ro\u0007ot",
    "PackageVersionArn": "arn: package",
    "TagKey": "team!",
}
# documented limits (documented_limits_not_in_model) the schema adds: shape -> [(constraint, value)]
DOCUMENTED = {
    "InProgressTimeoutInMinutes": [("min", 1), ("max", 10080)],
    "MaxJobExecutionsPerMin": [("max", 1000)],
    "JobTargets": [("max", 100)],
    "DestinationPackageVersions": [("max", 25)],
    "TargetArn": [("pattern", "arn:aws:iot:eu-west-1:123456789012:device/t1"),
                  ("pattern", "arn:aws:iot:eu-west-1:1234:thing/t1")],
    "RoleArn": [("pattern", "arn:aws:iam::123456789012:user/u1")],
    "JobDocumentSource": [("pattern", "s3://b/k")],
    "StringDateTime": [("pattern", "2027-01-01 00:00")],
    "RateIncreaseCriteria": [("minProperties", 1)],
}


def valid(name):
    s = shapes[name]
    t = s["type"]
    if t == "structure":
        return {m: valid(d["shape"]) for m, d in s["members"].items()}
    if t == "list":
        return [valid(s["member"]) for _ in range(max(1, s.get("min", 1)))]
    if t == "map":
        return {VALID[s["key"]]: valid(s["value"])}
    if name in VALID:
        return VALID[name]
    if t == "string":
        return s["enum"][0] if "enum" in s else "x" * max(1, s.get("min", 1))
    if t in ("integer", "long"):
        return s.get("min", 1)
    if t == "double":
        return s.get("min", 1)
    raise SystemExit("no valid value for " + name)


def too_long(name, n):
    v = VALID.get(name, "x")
    if v.startswith("arn:") and n >= len(v):
        return v + "x" * (n - len(v))
    return (v * (n // len(v) + 2))[:n]


mutations = []  # (name, request, expected pointer, expected keyword)


def mutate(req, path, value=None, delete=False):
    r = copy.deepcopy(req)
    o = r
    for p in path[:-1]:
        o = o[p]
    if delete:
        del o[path[-1]]
    else:
        o[path[-1]] = value
    return r


def ptr(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def walk(name, path, base):
    s = shapes[name]
    t = s["type"]
    here = "%s (%s)" % (ptr(path) or "/", name)
    if t == "structure":
        for m in s.get("required", []):
            mutations.append(("%s: required %s left out" % (here, m), mutate(base, path + [m], delete=True), ptr(path), "required"))
        mutations.append(("%s: unknown member" % here, mutate(base, path + ["notAMember"], 1), ptr(path + ["notAMember"]), "additionalProperties"))
        for m, d in s["members"].items():
            walk(d["shape"], path + [m], base)
        for c, v in DOCUMENTED.get(name, []):
            if c == "minProperties":
                mutations.append(("%s: documented: at least one member" % here, mutate(base, path, {}), ptr(path), "minProperties"))
        return
    cur = base
    for p in path:
        cur = cur[p]
    if t == "list":
        if s.get("min"):
            mutations.append(("%s: min %d items" % (here, s["min"]), mutate(base, path, cur[:s["min"] - 1]), ptr(path), "minItems"))
        for n, src in [(s.get("max"), "")] + [(v, "documented: ") for c, v in DOCUMENTED.get(name, []) if c == "max"]:
            if n:
                mutations.append(("%s: %smax %d items" % (here, src, n), mutate(base, path, [cur[0]] * (n + 1)), ptr(path), "maxItems"))
        mutations.append(("%s: not a list" % here, mutate(base, path, "x"), ptr(path), "type"))
        walk(s["member"], path + [0], base)
        return
    if t == "map":
        key = list(cur)[0]
        k = shapes[s["key"]]
        if "pattern" in k:
            mutations.append(("%s: key pattern" % here, mutate(base, path + [BAD_PATTERN[s["key"]]], cur[key]), ptr(path + [BAD_PATTERN[s["key"]]]), "pattern"))
        if k.get("max"):
            kk = "k" * (k["max"] + 1)
            mutations.append(("%s: key max %d" % (here, k["max"]), mutate(base, path + [kk], cur[key]), ptr(path + [kk]), "maxLength"))
        if k.get("min"):
            mutations.append(("%s: key min %d" % (here, k["min"]), mutate(base, path + [""], cur[key]), ptr(path + [""]), "minLength"))
        walk(s["value"], path + [key], base)
        return
    # scalars
    if t == "string":
        if "enum" in s:
            mutations.append(("%s: enum" % here, mutate(base, path, "NOT_" + s["enum"][0]), ptr(path), "enum"))
        if s.get("min"):
            mutations.append(("%s: min length %d" % (here, s["min"]), mutate(base, path, too_long(name, s["min"] - 1) if s["min"] > 1 else ""), ptr(path), "minLength"))
        if "max" in s:
            mutations.append(("%s: max length %d" % (here, s["max"]), mutate(base, path, too_long(name, s["max"] + 1)), ptr(path), "maxLength"))
        if "pattern" in s:
            mutations.append(("%s: pattern %s" % (here, s["pattern"]), mutate(base, path, BAD_PATTERN[name]), ptr(path), "pattern"))
        mutations.append(("%s: not a string" % here, mutate(base, path, 7), ptr(path), "type"))
    elif t in ("integer", "long", "double"):
        bounds = [(c, v, "") for c, v in (("min", s.get("min")), ("max", s.get("max"))) if v is not None]
        bounds += [(c, v, "documented: ") for c, v in DOCUMENTED.get(name, []) if c in ("min", "max")]
        step = 1 if t != "double" else 0.1
        for c, v, src in bounds:
            bad = v - step if c == "min" else v + step
            mutations.append(("%s: %s%s %s" % (here, src, c, v), mutate(base, path, round(bad, 6)), ptr(path), {"min": "minimum", "max": "maximum"}[c]))
        if t != "double":
            mutations.append(("%s: not an integer" % here, mutate(base, path, 1.5), ptr(path), "type"))
        mutations.append(("%s: not a number" % here, mutate(base, path, "1"), ptr(path), "type"))
    for c, v in DOCUMENTED.get(name, []):
        if c == "pattern":
            mutations.append(("%s: documented form" % here, mutate(base, path, v), ptr(path), "pattern"))


def run(files):
    p = subprocess.run([os.path.join(BIN, "jobdoc-validate"), "--quiet", "--format", "json",
                        "--schema", "createjob-request"] + files, capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout or "[]"), p.stderr


n = 0
failed = 0


def ok(cond, name, diag=""):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond:
        failed += 1
        for line in diag.splitlines()[:8]:
            print("#   " + line)


base = valid("CreateJobRequest")
walk("CreateJobRequest", [], base)
with tempfile.TemporaryDirectory() as tmp:
    f = os.path.join(tmp, "base.json")
    json.dump(base, open(f, "w"))
    rc, found, err = run([f])
    ok(rc == 0 and not found, "a request with every member is valid", json.dumps(found) + err)
    # samples, compiled without validation, then checked against the schema alone
    reqs = []
    for spec in sorted(glob.glob(os.path.join(TOP, "samples", "*.yaml"))):
        out = os.path.join(tmp, os.path.basename(spec) + ".json")
        p = subprocess.run([os.path.join(BIN, "jobdoc-compile"), "--no-validate", "-o", out, spec],
                           capture_output=True, text=True)
        ok(p.returncode == 0, "compile " + os.path.basename(spec), p.stderr)
        reqs.append(out)
    rc, found, err = run(reqs)
    ok(rc == 0 and not found and len(reqs) >= 5, "every sample is a valid CreateJob request", json.dumps(found) + err)
    files = []
    for i, (name, req, want, kw) in enumerate(mutations):
        f = os.path.join(tmp, "m%03d.json" % i)
        json.dump(req, open(f, "w"))
        files.append(f)
    rc, found, err = run(files)
    ok(rc == 1, "jobdoc-validate exits 1 on the mutations", err)
    by_file = {}
    for x in found:
        by_file.setdefault(x["file"], []).append(x)
    for (name, req, want, kw), f in zip(mutations, files):
        got = by_file.get(f, [])
        ok(any(x["pointer"] == want and x["severity"] == "error" and
               x.get("keywordLocation", "").endswith("/" + kw) for x in got), "rejects " + name,
           "want a finding at %r by %s; got %s" % (want, kw, json.dumps(got)))
print("1..%d" % n)
sys.exit(1 if failed else 0)
