#!/usr/bin/env python3
"""Writes schemas/aws-managed/<name>.json for each AWS managed job template.

usage: gen-managed-schemas.py INDEX.json TEMPLATE_DIR OUTDIR
INDEX is aws-managed-templates.index.json and TEMPLATE_DIR holds
aws-managed-template.<name>.json (tests/data/job-documents/ has both).
Each schema validates the template's job document (the Device Client v1
document AWS stores, placeholders or their values in the parameter places)
and, under $defs/parameters, a CreateJob documentParameters object.
"""
import json
import os
import sys

BASE = "https://jobdoc.invalid/schemas/"
PLACEHOLDER = "${aws:iot:parameter:"


def value_schema(v):
    """The schema of one value of the template document."""
    if isinstance(v, str):
        if PLACEHOLDER in v:
            name = v[v.index(PLACEHOLDER) + len(PLACEHOLDER):v.index("}")]
            return {"description": "parameter %s (or its value)" % name, "type": "string"}
        return {"const": v}
    if isinstance(v, list):
        return {"type": "array", "minItems": len(v), "maxItems": len(v),
                "prefixItems": [value_schema(x) for x in v]}
    if isinstance(v, dict):
        return {"type": "object", "required": list(v.keys()),
                "properties": {k: value_schema(x) for k, x in v.items()},
                "additionalProperties": False}
    return {"const": v}


def anchored(regex):
    # AWS publishes (.){0,256}: the same language as .{0,256}, which PCRE2
    # compiles without unrolling the capturing group 4096 times.
    return "^(?:" + regex.replace("(.)", ".") + ")$"


def main():
    index = json.load(open(sys.argv[1]))
    common = index["commonOptionalParameters"]
    for name, t in sorted(index["templates"].items()):
        doc = json.load(open(os.path.join(sys.argv[2], "aws-managed-template.%s.json" % name)))
        props, required = {}, []
        for p, d in t["required"].items():
            s = {"type": "string", "minLength": 1}
            if d.get("description"):
                s["description"] = d["description"]
            if d.get("regex"):
                s["pattern"] = anchored(d["regex"])
            if d.get("example"):
                s["examples"] = [d["example"]]
            props[p] = s
            required.append(p)
        for p in t["optional"]:
            d = common[p]
            props[p] = {"description": d["description"] + " Optional.", "type": "string",
                        "minLength": 1, "pattern": anchored(d["regex"]),
                        "examples": [d["example"]]}
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE + "aws-managed/%s.json" % name,
            "title": "AWS managed job template %s" % name,
            "description": ("The job document of the AWS managed template %s (Device Client v1, "
                            "%s %s), with ${aws:iot:parameter:NAME} placeholders or their values. "
                            "$defs/parameters checks CreateJob documentParameters for "
                            "jobTemplateArn arn:aws:iot:REGION::jobtemplate/%s:1.0."
                            % (name, t["action"], t["handler"] or "command", name)),
        }
        schema.update(value_schema(doc))
        schema["$defs"] = {"parameters": {
            "description": "documentParameters of a job from %s: required %s; optional %s."
                           % (name, ", ".join(required) or "none", ", ".join(t["optional"])),
            "type": "object",
            "required": required,
            "properties": props,
            "additionalProperties": False,
        }}
        out = os.path.join(sys.argv[3], "%s.json" % name)
        with open(out, "w") as f:
            json.dump(schema, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
