#!/usr/bin/env python3
"""Writes the broken-variant golden cases tests/data/validate/NAME/.

Each case is a real document or a sample spec with exactly one rule broken
(one text edit), run through jobdoc-validate. The expected out/err/rc are
then written by `JD_REGEN=1 prove tests/data/validate.t` and reviewed with
git diff: every err must name the broken place (pointer and line:column).

usage: python3 tests/data/make-validate-cases.py   (from the top folder)
"""
import json
import os
import shutil

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests/data/validate")
DOCS = os.path.join(TOP, "tests/data/job-documents")
DATE = "--date 2026-11-01T00:00:00Z"


def read(path):
    with open(os.path.join(TOP, path)) as f:
        return f.read()


BASES = {
    "H": ("samples/ota-http.yaml", "spec.yaml"),
    "M": ("samples/ota-mqtt.yaml", "spec.yaml"),
    "DC": ("samples/device-client-update.yaml", "spec.yaml"),
    "MR": ("samples/managed-reboot.yaml", "spec.yaml"),
    "mqtt": ("tests/data/job-documents/afr_ota.mqtt.json", "doc.json"),
    "http": ("tests/data/job-documents/afr_ota.http.template.CONSTRUCTED.json", "doc.json"),
    "httpd": ("tests/data/job-documents/afr_ota.http.delivered.json", "doc.json"),
    "msg": ("tests/data/job-documents/afr_ota.mqtt.notify-next-message.json", "doc.json"),
    "dc": ("tests/data/job-documents/device-client.v1.steps-and-finalStep.json", "doc.json"),
    "cmd": ("tests/data/job-documents/device-client.v1.run-shellcommand.json", "doc.json"),
    "v0": ("tests/data/job-documents/device-client.legacy-v0.install-packages.json", "doc.json"),
    "reboot": ("tests/data/job-documents/aws-managed-template.AWS-Reboot.json", "doc.json"),
}

REQ = ('{"jobId":"fw-1","targets":["arn:aws:iot:eu-west-1:123456789012:thinggroup/a"],\n'
       ' "document":"{\\"afr_ota\\":{\\"protocols\\":[\\"MQTT\\"],\\"streamname\\":\\"s\\",\\"files\\":[{\\"filepath\\":null,'
       '\\"filesize\\":1,\\"fileid\\":0,\\"certfile\\":null,\\"sig-sha256-ecdsa\\":\\"AAAA\\"}]}}",\n'
       ' "timeoutConfig":{"inProgressTimeoutInMinutes":30}}\n')

T101 = "targets:\n" + "".join("  - arn:aws:iot:us-east-1:123456789012:thing/gw-%03d\n" % i for i in range(101))
P26 = "destinationPackageVersions:\n" + "".join(
    "  - arn:aws:iot:us-east-1:123456789012:package/p%02d/version/1.0.0\n" % i for i in range(26))
BIGDOC = "document:\n  version: \"1.0\"\n  steps:\n" + "".join(
    "    - action:\n        name: Step-%03d\n        type: runCommand\n        input:\n"
    "          command: echo,%s\n" % (i, "x" * 200) for i in range(150))

# name: (base, [(find, replace)...], extra options, file override)
CASES = {
    # createjob-request schema, through specs
    "jobid-pattern": ("H", [("jobId: sensor-fw-1-4-2-http", "jobId: sensor fw 1.4.2")]),
    "jobid-too-long": ("H", [("jobId: sensor-fw-1-4-2-http", "jobId: " + "a" * 65)]),
    "targets-empty": ("H", [("targets:\n  - arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors-fleet-a", "targets: []")]),
    "targets-over-100": ("M", [("targets:\n  - arn:aws:iot:us-east-1:123456789012:thing/gateway-0001\n"
                                "  - arn:aws:iot:us-east-1:123456789012:thing/gateway-0002\n"
                                "  - arn:aws:iot:us-east-1:123456789012:thinggroup/gateways-eu\n", T101)]),
    "target-arn-resource": ("M", [("thing/gateway-0002", "device/gateway-0002")]),
    "target-arn-account": ("M", [("123456789012:thing/gateway-0001", "12345678901:thing/gateway-0001")]),
    "target-arn-name": ("M", [("thing/gateway-0001", "thing/gateway 0001")]),
    "description-control": ("H", [("description: Sensor firmware 1.4.2 over HTTP, fleet A",
                                   'description: "Sensor firmware 1.4.2\\nover HTTP"')]),
    "description-too-long": ("H", [("description: Sensor firmware 1.4.2 over HTTP, fleet A", "description: " + "d" * 2029)]),
    "target-selection-enum": ("H", [("targetSelection: CONTINUOUS", "targetSelection: CONTINOUS")]),
    "role-arn-form": ("H", [("roleArn: arn:aws:iam::123456789012:role/iot-ota-presign", "roleArn: arn:aws:iam::123456789012:user/iot-ota-presign")]),
    "expires-too-small": ("H", [("expiresInSec: 1800", "expiresInSec: 59")]),
    "expires-too-big": ("H", [("expiresInSec: 1800", "expiresInSec: 3601")]),
    "expires-real": ("H", [("expiresInSec: 1800", "expiresInSec: 1800.5")]),
    "rollout-zero": ("H", [("maximumPerMinute: 500", "maximumPerMinute: 0")]),
    "rollout-over-1000": ("H", [("maximumPerMinute: 500", "maximumPerMinute: 1001")]),
    "base-rate-zero": ("H", [("baseRatePerMinute: 20", "baseRatePerMinute: 0")]),
    "base-rate-over-1000": ("H", [("baseRatePerMinute: 20", "baseRatePerMinute: 1001")]),
    "base-rate-missing": ("H", [("    baseRatePerMinute: 20\n", "")]),
    "increment-factor-low": ("H", [("incrementFactor: 2.5", "incrementFactor: 1.0")]),
    "increment-factor-high": ("H", [("incrementFactor: 2.5", "incrementFactor: 5.5")]),
    "increment-factor-precision": ("H", [("incrementFactor: 2.5", "incrementFactor: 2.55")]),
    "rate-criteria-empty": ("H", [("    rateIncreaseCriteria:\n      numberOfSucceededThings: 100", "    rateIncreaseCriteria: {}")]),
    "rate-criteria-zero": ("H", [("numberOfSucceededThings: 100", "numberOfSucceededThings: 0")]),
    "abort-list-empty": ("M", [("abortConfig:\n  criteriaList:\n    - failureType: ALL\n      action: CANCEL\n"
                                "      thresholdPercentage: 20\n      minNumberOfExecutedThings: 10\n",
                                "abortConfig:\n  criteriaList: []\n")]),
    "abort-failure-type": ("M", [("failureType: ALL", "failureType: FAILD")]),
    "abort-action": ("M", [("action: CANCEL", "action: STOP")]),
    "abort-action-missing": ("M", [("      action: CANCEL\n", "")]),
    "abort-threshold-over-100": ("M", [("thresholdPercentage: 20", "thresholdPercentage: 100.5")]),
    "abort-threshold-precision": ("H", [("thresholdPercentage: 10.5", "thresholdPercentage: 10.555")]),
    "abort-min-executed-zero": ("M", [("minNumberOfExecutedThings: 10", "minNumberOfExecutedThings: 0")]),
    "timeout-zero": ("M", [("inProgressTimeoutInMinutes: 120", "inProgressTimeoutInMinutes: 0")]),
    "timeout-over-a-week": ("M", [("inProgressTimeoutInMinutes: 120", "inProgressTimeoutInMinutes: 10081")]),
    "timeout-string": ("M", [("inProgressTimeoutInMinutes: 120", 'inProgressTimeoutInMinutes: "120"')]),
    "retry-three-criteria": ("H", [("    - failureType: FAILED\n      numberOfRetries: 1\n",
                                    "    - failureType: FAILED\n      numberOfRetries: 1\n"
                                    "    - failureType: ALL\n      numberOfRetries: 1\n")]),
    "retry-rejected": ("H", [("    - failureType: FAILED\n      numberOfRetries: 1\n", "    - failureType: REJECTED\n      numberOfRetries: 1\n")]),
    "retry-count-11": ("DC", [("numberOfRetries: 3", "numberOfRetries: 11")]),
    "retry-negative": ("DC", [("numberOfRetries: 3", "numberOfRetries: -1")]),
    "retry-total-over-10": ("H", [("numberOfRetries: 2", "numberOfRetries: 6"), ("numberOfRetries: 1", "numberOfRetries: 5")]),
    "retry-timed-out-no-timeout": ("H", [("timeoutConfig:\n  inProgressTimeoutInMinutes: 60\n", "")]),
    "retry-failure-type-twice": ("H", [("    - failureType: FAILED\n      numberOfRetries: 1\n", "    - failureType: TIMED_OUT\n      numberOfRetries: 1\n")]),
    "tag-key-too-long": ("H", [("Key: team", "Key: " + "k" * 129)]),
    "tag-key-pattern": ("H", [("Key: team", "Key: team!")]),
    "tag-value-too-long": ("H", [("Value: sensors", "Value: " + "v" * 257)]),
    "tag-key-missing": ("H", [("  - Key: team\n    Value: sensors", "  - Value: sensors")]),
    "namespace-pattern": ("H", [("targetSelection: CONTINUOUS", "targetSelection: CONTINUOUS\nnamespaceId: greengrass/v2")]),
    "template-arn-form": ("MR", [("jobTemplateArn: arn:aws:iot:us-west-2::jobtemplate/AWS-Reboot:1.0",
                                  "jobTemplateArn: arn:aws:iot:us-west-2::template/AWS-Reboot:1.0")]),
    "document-parameters-custom-template": ("MR", [("jobTemplateArn: arn:aws:iot:us-west-2::jobtemplate/AWS-Reboot:1.0",
                                                    "jobTemplateArn: arn:aws:iot:us-west-2:123456789012:jobtemplate/AWS-Reboot")]),
    "document-parameters-with-document": ("DC", [("jobExecutionsRolloutConfig:", "documentParameters:\n  runAsUser: root\njobExecutionsRolloutConfig:")]),
    "parameter-key-pattern": ("MR", [("  runAsUser: root", '  "run as user": root')]),
    "parameter-value-control": ("MR", [("  runAsUser: root", '  runAsUser: "ro\\tot"')]),
    "parameter-value-empty": ("MR", [("  runAsUser: root", '  runAsUser: ""')]),
    "managed-parameter-unknown": ("MR", [("  runAsUser: root", "  runAsUser: root\n  reason: weekly")]),
    "managed-parameter-missing": ("MR", [("AWS-Reboot:1.0", "AWS-Download-File:1.0")]),
    "managed-parameter-too-long": ("MR", [("  runAsUser: root", "  runAsUser: " + "u" * 257)]),
    "schedule-start-too-soon": ("M", [('startTime: "2027-03-01T01:00"', 'startTime: "2026-11-01T00:20"')]),
    "schedule-start-too-far": ("M", [('startTime: "2027-03-01T01:00"', 'startTime: "2027-11-01T00:01"'),
                                     ('endTime: "2027-03-03T05:00"', 'endTime: "2027-11-03T05:00"')]),
    "schedule-end-too-close": ("M", [('endTime: "2027-03-03T05:00"', 'endTime: "2027-03-01T01:29"')]),
    "schedule-end-too-far": ("M", [('endTime: "2027-03-03T05:00"', 'endTime: "2028-11-01T00:01"')]),
    "schedule-time-format": ("M", [('startTime: "2027-03-01T01:00"', 'startTime: "2027-03-01 01:00"')]),
    "schedule-end-behavior": ("M", [("endBehavior: STOP_ROLLOUT", "endBehavior: STOP")]),
    "maintenance-window-duration": ("M", [("  endBehavior: STOP_ROLLOUT", "  endBehavior: STOP_ROLLOUT\n  maintenanceWindows:\n"
                                           "    - startTime: cron(0 1 ? * SUN *)\n      durationInMinutes: 1431")]),
    "maintenance-window-start-missing": ("M", [("  endBehavior: STOP_ROLLOUT", "  endBehavior: STOP_ROLLOUT\n  maintenanceWindows:\n"
                                                "    - durationInMinutes: 60")]),
    "package-version-arn": ("M", [("tags:", "destinationPackageVersions:\n  - arn:aws:iot:us-east-1:123456789012:package/gw\ntags:")]),
    "package-versions-26": ("M", [("tags:", P26 + "tags:")]),
    "targets-two-regions": ("M", [("us-east-1:123456789012:thinggroup/gateways-eu", "eu-west-1:123456789012:thinggroup/gateways-eu")]),
    "targets-two-accounts": ("M", [("us-east-1:123456789012:thing/gateway-0002", "us-east-1:210987654321:thing/gateway-0002")]),
    "presigned-no-role": ("H", [("  roleArn: arn:aws:iam::123456789012:role/iot-ota-presign\n", "")]),
    "document-too-big": ("DC", [("documentSchema: device-client\ndocument:\n", "documentSchema: device-client\ndocument-old:\n")], None, None),
    "spec-unknown-key": ("H", [("description:", "descripton:")]),
    "spec-two-sources": ("H", [("targetSelection:", "documentSource: https://s3.amazonaws.com/b/k\ntargetSelection:")]),
    "spec-document-schema-unknown": ("H", [("documentSchema: afr-ota", "documentSchema: afr-otaa")]),
    # CreateJob requests as JSON
    "request-unknown-member": (None, [], None, ("request.json", REQ.replace('"timeoutConfig"', '"timeoutconfig"'))),
    "request-jobid-missing": (None, [], None, ("request.json", REQ.replace('"jobId":"fw-1",', ''))),
    "request-two-sources": (None, [], None, ("request.json", REQ.replace('"timeoutConfig"', '"documentSource":"https://s3.amazonaws.com/b/k","timeoutConfig"'))),
    "request-document-source-s3-uri": (None, [], None, ("request.json", REQ.replace('"document":', '"documentSource":"s3://b/k","x":'))),
    "request-document-bad": (None, [], None, ("request.json", REQ.replace('\\"filesize\\":1', '\\"filesize\\":0'))),
    # afr_ota documents
    "afr-protocol-enum": ("mqtt", [('"MQTT"', '"MQTTS"')]),
    "afr-mqtt-streamname-missing": ("mqtt", [('    "streamname": "AFR_OTA-6e01bdb2-5057-4606-8966-b1bf8028416f",\n', "")]),
    "afr-mqtt-streamname-empty": ("mqtt", [('"AFR_OTA-6e01bdb2-5057-4606-8966-b1bf8028416f"', '""')]),
    "afr-http-url-missing": ("http", [('        "update_data_url": "${aws:iot:s3-presigned-url:https://s3.us-east-1.amazonaws.com/example-firmware-bucket/app/app-1.2.3.bin}",\n', "")]),
    "afr-http-url-null": ("http", [('"${aws:iot:s3-presigned-url:https://s3.us-east-1.amazonaws.com/example-firmware-bucket/app/app-1.2.3.bin}"', "null")]),
    "afr-http-auth-scheme-missing": ("http", [('        "auth_scheme": "aws.s3.presigned",\n', "")]),
    "afr-http-file-type-missing": ("httpd", []),
    "afr-filesize-zero": ("mqtt", [('"filesize": 366816', '"filesize": 0')]),
    "afr-filesize-string": ("mqtt", [('"filesize": 366816', '"filesize": "366816"')]),
    "afr-filesize-over-uint32": ("mqtt", [('"filesize": 366816', '"filesize": 4294967296')]),
    "afr-fileid-256": ("mqtt", [('"fileid": 0', '"fileid": 256')]),
    "afr-signature-not-base64": ("mqtt", [('"MEUCIQCuwPQBzaKu9Rp4v4BwGa7T4h3JK71KwDJ3LZoSvYdCsQIgclDeaFE+5NeJL3cydMiuKM909bprNXfCZcneIuiSZrk="', '"-----BEGIN CERTIFICATE-----"')]),
    "afr-signature-missing": ("mqtt", [(',\n        "sig-sha256-ecdsa": "MEUCIQCuwPQBzaKu9Rp4v4BwGa7T4h3JK71KwDJ3LZoSvYdCsQIgclDeaFE+5NeJL3cydMiuKM909bprNXfCZcneIuiSZrk="', "")]),
    "afr-signature-rsa-key": ("mqtt", [('"sig-sha256-ecdsa"', '"sig-sha256-rsa"')]),
    "afr-unknown-file-key": ("mqtt", [('"filesize"', '"file_size"')]),
    "afr-files-empty": ("mqtt", [(None, "files: []")]),
    "afr-files-11": ("mqtt", [(None, "files: 11")]),
    "afr-legacy-two-files": ("mqtt", [(None, "files: 2")], "--schema afr-ota-legacy"),
    "afr-legacy-signature-key": ("mqtt", [('"sig-sha256-ecdsa"', '"sig-sha512-ecdsa"')], "--schema afr-ota-legacy"),
    "afr-legacy-filesize-zero-string": ("mqtt", [('"filesize": 366816', '"filesize": "0"')], "--schema afr-ota-legacy"),
    "afr-legacy-http-url-missing": ("httpd", [('        "update_data_url": "https://dummy-url.com/ota.bin",\n', "")], "--schema afr-ota-legacy"),
    "afr-message-jobid-too-long": ("msg", [('"AFR_OTA-testjob20"', '"AFR_OTA-' + "j" * 65 + '"')]),
    "afr-message-protocols-twice": ("msg", [('"MQTT"\n', '"MQTT", "MQTT"\n')]),
    # Device Client documents
    "dc-include-stdout-boolean": ("dc", [('"version": "1.0",', '"version": "1.0",\n  "includeStdOut": true,')]),
    "dc-ignore-step-failure-boolean": ("dc", [('"runAsUser": "root"\n    }\n  }', '"runAsUser": "root",\n      "ignoreStepFailure": false\n    }\n  }')]),
    "dc-allow-stderr-string": ("cmd", [('"runAsUser": "root"', '"runAsUser": "root",\n        "allowStdErr": "2"')]),
    "dc-version-number": ("dc", [('"version": "1.0"', '"version": 1.0')]),
    "dc-steps-empty": ("cmd", [(None, "steps: []")]),
    "dc-action-type": ("cmd", [('"runCommand"', '"runScript"')]),
    "dc-handler-missing": ("dc", [('"handler": "remove-packages.sh",', '"script": "remove-packages.sh",')]),
    "dc-command-missing": ("cmd", [('"command": "mkdir,newDir"', '"cmd": "mkdir,newDir"')]),
    "dc-command-first-token-space": ("cmd", [('"mkdir,newDir"', '"mkdir -p,newDir"')]),
    "dc-action-name-empty": ("cmd", [('"name": "Create New Directory"', '"name": ""')]),
    "dc-action-unknown-key": ("cmd", [('"runAsUser"', '"runAsuser"')]),
    "dc-legacy-allow-stderr-string": ("v0", [('"allowStdErr": 2', '"allowStdErr": "2"')]),
    "dc-legacy-operation-missing": ("v0", [('"operation": "install-packages.sh",\n  ', '')], "--schema device-client"),
    "managed-document-handler": ("reboot", [('"reboot.sh"', '"reboot-now.sh"')], "--schema aws-managed/AWS-Reboot"),
}


def mutate_files(text, what):
    """Structural edits of an afr_ota document (files list)."""
    d = json.loads(text)
    f = d["afr_ota"]["files"]
    if what == "files: []":
        d["afr_ota"]["files"] = []
    else:
        n = int(what.split()[1])
        d["afr_ota"]["files"] = [dict(f[0], fileid=i) for i in range(n)]
    return json.dumps(d, indent=2) + "\n"


def mutate_steps(text):
    d = json.loads(text)
    d["steps"] = []
    return json.dumps(d, indent=2) + "\n"


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for name, case in sorted(CASES.items()):
        base, edits = case[0], case[1]
        extra = case[2] if len(case) > 2 and case[2] else ""
        override = case[3] if len(case) > 3 else None
        d = os.path.join(OUT, name)
        os.makedirs(d)
        if override:
            fname, text = override
        elif name == "document-too-big":
            fname, text = "spec.yaml", read("samples/ota-mqtt.yaml").split("documentSchema:")[0] + BIGDOC
        else:
            src, fname = BASES[base]
            text = read(src)
            for find, repl in edits:
                if find is None:
                    text = mutate_steps(text) if repl == "steps: []" else mutate_files(text, repl)
                    continue
                assert find in text, (name, find)
                text = text.replace(find, repl, 1)
        with open(os.path.join(d, fname), "w") as f:
            f.write(text)
        with open(os.path.join(d, "cmd"), "w") as f:
            f.write("jobdoc-validate %s%s %s\n" % (DATE, " " + extra if extra else "", fname))
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()
