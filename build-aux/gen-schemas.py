#!/usr/bin/env python3
"""Writes schemas/createjob-request.json and schemas/job-spec.json.

usage: gen-schemas.py SHAPES.json SCHEMAS_DIR

SHAPES is the extract of the AWS IoT model (tests/data/iot-createjob-shapes.json):
every shape reachable from CreateJobRequest becomes a $defs entry with the
model's bounds, patterns and enums, and then the documented limits the model
lacks are laid over it (DOCUMENTED below). job-spec.json is the same request
with the spec's additions, self-contained (the document schemas are copied
into its $defs) so that editors need no other file.
"""
import copy
import json
import os
import sys

BASE = "https://jobdoc.invalid/schemas/"
D2020 = "https://json-schema.org/draft/2020-12/schema"

ARN = "arn:aws[a-z-]*"
REGION = "[a-z]{2}(-[a-z]+)+-[0-9]+"
ACCOUNT = "[0-9]{12}"

# Documented limits not in the model (aws-iot-jobs.md section 4.6,
# documented_limits_not_in_model): merged into the shapes' schemas.
DOCUMENTED = {
    "JobTargets": {"maxItems": 100},
    "TargetArn": {
        "pattern": "^%s:iot:%s:%s:(thing|thinggroup)/[a-zA-Z0-9:_-]{1,128}$" % (ARN, REGION, ACCOUNT),
        "description": "A thing (arn:aws:iot:REGION:ACCOUNT:thing/NAME) or thing group "
                       "(arn:aws:iot:REGION:ACCOUNT:thinggroup/NAME) ARN.",
    },
    "JobDocumentSource": {
        # http:// too: S3-compatible endpoints on a private network (and loopback tests)
        "pattern": "^https?://[^\\s{}]+$",
        "description": "The S3 object URL of the job document, "
                       "https://s3.REGION.amazonaws.com/BUCKET/KEY (no placeholders: those go in the document).",
    },
    "RoleArn": {
        "pattern": "^%s:iam::%s:role/[\\w+=,.@/-]{1,512}$" % (ARN, ACCOUNT),
        "description": "An IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME.",
    },
    "MaxJobExecutionsPerMin": {"maximum": 1000, "default": 1000},
    "InProgressTimeoutInMinutes": {"minimum": 1, "maximum": 10080},
    "JobTemplateArn": {
        "pattern": "^%s:iot:%s:(%s:jobtemplate/[a-zA-Z0-9_-]{1,64}|:jobtemplate/[a-zA-Z0-9_-]{1,64}:[1-9][0-9]*\\.[0-9]+)$"
                   % (ARN, REGION, ACCOUNT),
        "description": "A job template ARN: arn:aws:iot:REGION:ACCOUNT:jobtemplate/ID, or an AWS "
                       "managed template arn:aws:iot:REGION::jobtemplate/AWS-NAME:1.0 (empty account).",
    },
    "PackageVersionArn": {
        "pattern": "^%s:iot:%s:%s:package/[a-zA-Z0-9._-]{1,128}/version/([a-zA-Z0-9._-]{1,64}|\\$default|\\$null)$"
                   % (ARN, REGION, ACCOUNT),
        "description": "arn:aws:iot:REGION:ACCOUNT:package/PACKAGE/version/VERSION ($default allowed).",
    },
    "DestinationPackageVersions": {"maxItems": 25},
    "StringDateTime": {
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$",
        "description": "UTC date and time as YYYY-MM-DDTHH:MM; at least 30 minutes ahead, "
                       "at most a year (start) or two (end).",
    },
    "RateIncreaseCriteria": {"minProperties": 1},
    "TargetSelection": {"default": "SNAPSHOT"},
    "ExpiresInSec": {"default": 3600},
}


def anchor(p):
    if p.startswith("^") and p.endswith("$"):
        return p
    return "^(?:%s)$" % p


def shape_schema(shapes, name, used):
    s = shapes[name]
    t = s["type"]
    out = {}
    if t == "structure":
        out["type"] = "object"
        props = {}
        for m, d in s["members"].items():
            ref = {"$ref": "#/$defs/" + d["shape"]}
            if d.get("doc"):
                ref["description"] = d["doc"]
            props[m] = ref
            used.append(d["shape"])
        out["properties"] = props
        if s.get("required"):
            out["required"] = list(s["required"])
        out["additionalProperties"] = False
    elif t == "list":
        out["type"] = "array"
        out["items"] = {"$ref": "#/$defs/" + s["member"]}
        used.append(s["member"])
        if "min" in s:
            out["minItems"] = s["min"]
        if "max" in s:
            out["maxItems"] = s["max"]
    elif t == "map":
        out["type"] = "object"
        out["propertyNames"] = {"$ref": "#/$defs/" + s["key"]}
        out["additionalProperties"] = {"$ref": "#/$defs/" + s["value"]}
        used += [s["key"], s["value"]]
    elif t == "string":
        out["type"] = "string"
        if "enum" in s:
            out["enum"] = list(s["enum"])
        if "min" in s:
            out["minLength"] = s["min"]
        if "max" in s:
            out["maxLength"] = s["max"]
        if "pattern" in s:
            out["pattern"] = anchor(s["pattern"])
    elif t in ("integer", "long"):
        out["type"] = "integer"
        if "min" in s:
            out["minimum"] = s["min"]
        if "max" in s:
            out["maximum"] = s["max"]
    elif t == "double":
        out["type"] = "number"
        if "min" in s:
            out["minimum"] = s["min"]
        if "max" in s:
            out["maximum"] = s["max"]
    elif t == "boolean":
        out["type"] = "boolean"
    else:
        raise SystemExit("unhandled shape type %s" % t)
    if s.get("doc") and "description" not in out:
        out["description"] = s["doc"]
    for k, v in DOCUMENTED.get(name, {}).items():
        out[k] = v
    return out


def request_defs(shapes):
    defs, todo = {}, ["CreateJobRequest"]
    while todo:
        n = todo.pop(0)
        if n in defs:
            continue
        used = []
        defs[n] = shape_schema(shapes, n, used)
        todo += used
    return defs


def rewrite_refs(v, prefix):
    """Points a copied schema's internal #/$defs/X refs at #/$defs/PREFIX.X."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "$ref" and isinstance(x, str) and x.startswith("#/$defs/"):
                out[k] = "#/$defs/%s.%s" % (prefix, x[len("#/$defs/"):])
            elif k == "$ref" and x == "#":
                out[k] = "#/$defs/" + prefix
            else:
                out[k] = rewrite_refs(x, prefix)
        return out
    if isinstance(v, list):
        return [rewrite_refs(x, prefix) for x in v]
    return v


def dump(path, schema):
    with open(path, "w") as f:
        json.dump(schema, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    model = json.load(open(sys.argv[1]))
    outdir = sys.argv[2]
    shapes = model["services"]["iot"]["shapes"]
    defs = request_defs(shapes)
    top = defs.pop("CreateJobRequest")
    req = {
        "$schema": D2020,
        "$id": BASE + "createjob-request.json",
        "title": "AWS IoT CreateJob request",
        "description": "The body of CreateJob (PUT /jobs/{jobId}) with jobId, as "
                       "'aws iot create-job --cli-input-json' takes it: every member and bound of the "
                       "AWS IoT model, plus the limits the AWS documentation gives (document at most "
                       "32,768 characters, rollout 1-1000 per minute, timeout 1-10080 minutes, at most "
                       "100 targets, ARN forms). Rules across members (one document source, retries, "
                       "scheduling windows) are checked by jobdoc's AWS rules.",
    }
    req.update(top)
    req["$defs"] = defs
    dump(os.path.join(outdir, "createjob-request.json"), req)

    # job-spec: the request in YAML, with the spec's four additions.
    docnames = {"afr-ota": "afr-ota.json", "afr-ota-legacy": "afr-ota-legacy.json",
                "device-client": "device-client.json"}
    managed = sorted(f[:-5] for f in os.listdir(os.path.join(outdir, "aws-managed")) if f.endswith(".json"))
    sdefs = copy.deepcopy(defs)
    for n, f in list(docnames.items()) + [("aws-managed/" + m, "aws-managed/%s.json" % m) for m in managed]:
        doc = json.load(open(os.path.join(outdir, f)))
        key = n.replace("/", ".")
        inner = doc.pop("$defs", {})
        for k in ("$schema", "$id"):
            doc.pop(k, None)
        sdefs[key] = rewrite_refs(doc, key)
        for k, v in inner.items():
            sdefs["%s.%s" % (key, k)] = rewrite_refs(v, key)
    names = list(docnames) + ["aws-managed/" + m for m in managed]
    props = copy.deepcopy(top["properties"])
    props["document"] = {
        "description": "The job document: a mapping (written here as YAML, compiled to the compact "
                       "JSON string CreateJob wants) or a string of JSON text.",
        "type": ["object", "string"],
        "maxLength": 32768,
    }
    props["documentFile"] = {
        "description": "Path of a JSON or YAML job document, relative to this spec; instead of document.",
        "type": "string",
        "minLength": 1,
    }
    props["documentSchema"] = {
        "description": "The schema the document is checked against: a built-in name or the path of a "
                       "JSON Schema file (draft 2020-12 or draft-07).",
        "anyOf": [
            {"enum": names},
            {"type": "string", "pattern": "[./]", "description": "a path to a schema file"},
        ],
    }
    props["parameters"] = {
        "description": "Declarations of the spec's ${aws:iot:parameter:NAME} substitution parameters, "
                       "as AWS declares those of its managed templates.",
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,128}$"},
        "additionalProperties": {"$ref": "#/$defs/ParameterDeclaration"},
    }
    sdefs["ParameterDeclaration"] = {
        "type": "object",
        "properties": {
            "description": {"type": "string", "description": "What the parameter is for."},
            "regex": {"type": "string", "description": "A regular expression (ECMA-262) the whole value must match."},
            "example": {"description": "An example value."},
            "optional": {"type": "boolean", "default": False,
                         "description": "true: the parameter may be left out (it then takes its default)."},
            "default": {"description": "The value used when none is given."},
            "type": {"enum": ["string", "number", "integer", "boolean", "object", "array"], "default": "string",
                     "description": "The JSON type of the value."},
        },
        "additionalProperties": False,
        "defaultSnippets": [{"label": "parameter", "body": {"description": "$1", "regex": "$2", "example": "$3"}}],
    }
    spec_all_of = []
    for n in names:
        spec_all_of.append({
            "if": {"required": ["documentSchema", "document"],
                   "properties": {"documentSchema": {"const": n}, "document": {"type": "object"}}},
            "then": {"properties": {"document": {"$ref": "#/$defs/" + n.replace("/", ".")}}},
        })
    for m in managed:
        spec_all_of.append({
            "if": {"required": ["jobTemplateArn"],
                   "properties": {"jobTemplateArn": {"type": "string",
                                                     "pattern": "^arn:aws[a-z-]*:iot:[^:]*::jobtemplate/%s:" % m}}},
            "then": {"properties": {"documentParameters": {"$ref": "#/$defs/aws-managed.%s.parameters" % m}}},
        })
    spec = {
        "$schema": D2020,
        "$id": BASE + "job-spec.json",
        "title": "jobdoc job spec",
        "description": "A job spec: the AWS IoT CreateJob request in YAML with AWS's member names, plus "
                       "document as a mapping, documentFile, documentSchema and parameters. "
                       "Compile it with jobdoc-compile; check it with jobdoc-validate.",
        "type": "object",
        "required": ["jobId", "targets"],
        "properties": props,
        "additionalProperties": False,
        "allOf": spec_all_of,
        "defaultSnippets": [
            {"label": "job spec (document)",
             "description": "a job with its document written in the spec",
             "body": {"jobId": "$1", "targets": ["arn:aws:iot:${2:region}:${3:account}:thinggroup/$4"],
                      "documentSchema": "${5:device-client}", "document": {}}},
            {"label": "job spec (managed template)",
             "description": "a job from an AWS managed template",
             "body": {"jobId": "$1", "targets": ["arn:aws:iot:${2:region}:${3:account}:thinggroup/$4"],
                      "jobTemplateArn": "arn:aws:iot:${2:region}::jobtemplate/${5:AWS-Reboot}:1.0",
                      "documentParameters": {}}},
        ],
        "$defs": sdefs,
    }
    spec["$defs"]["Tag"]["defaultSnippets"] = [{"label": "tag", "body": {"Key": "$1", "Value": "$2"}}]
    spec["$defs"]["AbortCriteria"]["defaultSnippets"] = [{"label": "abort criteria", "body": {
        "failureType": "${1|FAILED,REJECTED,TIMED_OUT,ALL|}", "action": "CANCEL",
        "thresholdPercentage": "^${2:10}", "minNumberOfExecutedThings": "^${3:10}"}}]
    spec["$defs"]["RetryCriteria"]["defaultSnippets"] = [{"label": "retry criteria", "body": {
        "failureType": "${1|FAILED,TIMED_OUT,ALL|}", "numberOfRetries": "^${2:1}"}}]
    spec["$defs"]["device-client.step"]["defaultSnippets"] = [
        {"label": "runHandler step", "body": {"action": {"name": "$1", "type": "runHandler",
                                                        "input": {"handler": "$2", "args": [], "path": "default"},
                                                        "runAsUser": "${3:root}"}}},
        {"label": "runCommand step", "body": {"action": {"name": "$1", "type": "runCommand",
                                                        "input": {"command": "$2"}, "runAsUser": "${3:root}"}}},
    ]
    dump(os.path.join(outdir, "job-spec.json"), spec)


if __name__ == "__main__":
    main()
