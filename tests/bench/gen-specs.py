#!/usr/bin/python3
"""Writes N realistic, varied job specs (1-3 KB each) for the benchmarks.

gen-specs.py OUTDIR [--count 5000] [--params] [--seed 1]

Specs cycle through FreeRTOS OTA over HTTP and MQTT, Device Client
multi-step jobs and managed templates, with random rollout, abort, timeout,
retry, scheduling and tags. Each names a firmware build by five values (size,
sha256, signature, version, bucket). Without --params they are written as
literals; with --params (the same seed gives the same specs) each is a
${aws:iot:parameter:NAME} placeholder, declared under `parameters:`, and
OUTDIR/params.json holds the values: rendering gives the literal specs' requests.
"""
import argparse, json, os, random

ap = argparse.ArgumentParser()
ap.add_argument('outdir')
ap.add_argument('--count', type=int, default=5000)
ap.add_argument('--params', action='store_true')
ap.add_argument('--seed', type=int, default=1)
a = ap.parse_args()
r = random.Random(a.seed)
os.makedirs(a.outdir, exist_ok=True)
REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2']
ACCT = '123456789012'
B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'


def word(n=8):
    return ''.join(r.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(n))


def sig():
    return 'MEUCIQ' + ''.join(r.choice(B64) for _ in range(90)) + '='


def P(name):
    return '${aws:iot:parameter:%s}' % name


def targets(region, n):
    out = []
    for _ in range(n):
        kind = r.choice(['thing', 'thinggroup'])
        out.append('arn:aws:iot:%s:%s:%s/%s-%s' % (region, ACCT, kind, word(6), r.randrange(10000)))
    return out


def configs(lines, retry_ok=True):
    if r.random() < 0.8:
        lines += ['jobExecutionsRolloutConfig:', '  maximumPerMinute: %d' % r.randrange(10, 1000)]
        if r.random() < 0.6:
            lines += ['  exponentialRate:', '    baseRatePerMinute: %d' % r.randrange(1, 200),
                      '    incrementFactor: %.1f' % r.choice([1.1, 1.5, 2.0, 2.5, 3.0]),
                      '    rateIncreaseCriteria:',
                      '      %s: %d' % (r.choice(['numberOfNotifiedThings', 'numberOfSucceededThings']),
                                        r.randrange(1, 1000))]
    if r.random() < 0.7:
        lines += ['abortConfig:', '  criteriaList:']
        for ft in r.sample(['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'], r.randrange(1, 3)):
            lines += ['    - failureType: %s' % ft, '      action: CANCEL',
                      '      thresholdPercentage: %s' % r.choice(['10', '12.5', '25', '50.25']),
                      '      minNumberOfExecutedThings: %d' % r.randrange(1, 500)]
    lines += ['timeoutConfig:', '  inProgressTimeoutInMinutes: %d' % r.randrange(5, 10080)]
    if retry_ok and r.random() < 0.6:
        lines += ['jobExecutionsRetryConfig:', '  criteriaList:',
                  '    - failureType: %s' % r.choice(['FAILED', 'TIMED_OUT', 'ALL']),
                  '      numberOfRetries: %d' % r.randrange(0, 5)]
    if r.random() < 0.3:
        month, day = r.randrange(1, 9), r.randrange(10, 19)
        lines += ['schedulingConfig:', '  startTime: "2027-%02d-%02dT0%d:00"' % (month, day, r.randrange(0, 9)),
                  '  endTime: "2027-%02d-%02dT0%d:00"' % (month, day + 2, r.randrange(0, 9)),
                  '  endBehavior: %s' % r.choice(['STOP_ROLLOUT', 'CANCEL', 'FORCE_CANCEL'])]
    lines += ['tags:']
    for _ in range(r.randrange(1, 9)):
        lines += ['  - Key: %s' % word(6), '    Value: "%s"' % word(r.randrange(3, 20))]


values = {}
for i in range(a.count):
    region = r.choice(REGIONS)
    kind = i % 4
    jid = 'job-%05d-%s' % (i, word(5))
    desc = ' '.join(word(r.randrange(3, 9)) for _ in range(r.randrange(3, 30)))
    L = ['# generated spec %d' % i, 'jobId: %s' % jid, None,
         'targets:'] + ['  - ' + t for t in targets(region, r.randrange(1, 12))]
    # The same random draws with and without --params: the two trees hold
    # the same specs, one with literal values, the other with placeholders
    # that -P OUTDIR/params.json resolves to those values.
    names = ['p%d_%s' % (i, k) for k in ('size', 'sha', 'sig', 'version', 'bucket')]
    vals = [r.randrange(1000, 4 << 20), ''.join(r.choice('0123456789abcdef') for _ in range(64)), sig(),
            '%d.%d.%d' % (r.randrange(5), r.randrange(20), r.randrange(50)), 'fw-' + word(8)]
    notes = [word(6) for _ in names]
    if a.params:
        values.update(zip(names, vals))
        size, sha, signature, ver, bucket = [P(n) for n in names]
    else:
        size, sha, signature, ver, bucket = vals
    # every parameter is used: the description names the build
    L[2] = 'description: "%s, build %s from %s, sha256 %s"' % (desc, ver, bucket, sha)
    if kind in (0, 1):
        http = kind == 0
        L += ['targetSelection: %s' % r.choice(['CONTINUOUS', 'SNAPSHOT']), 'documentSchema: afr-ota',
              'document:', '  afr_ota:', '    protocols: [%s]' % ('HTTP' if http else 'MQTT')]
        if not http:
            L += ['    streamname: AFR_OTA-%s' % word(12)]
        L += ['    files:', '      - filepath: /ota/%s-%s.bin' % (word(6), ver),
              '        filesize: %s' % (('"%s"' % size) if a.params else size), '        fileid: 0',
              '        certfile: %s' % word(10)]
        if http:
            L += ['        fileType: 0',
                  '        update_data_url: "${aws:iot:s3-presigned-url-v2:https://s3.%s.amazonaws.com/%s/%s/%s.bin}"'
                  % (region, bucket, word(5), word(7)),
                  '        auth_scheme: aws.s3.presigned']
        L += ['        sig-sha256-ecdsa: "%s"' % signature]
        if http:
            L += ['presignedUrlConfig:', '  roleArn: arn:aws:iam::%s:role/%s' % (ACCT, word(10)),
                  '  expiresInSec: %d' % r.randrange(60, 3600)]
        if a.params:
            L += ['parameters:'] + ['  %s: {description: %s}' % (n, d) for n, d in zip(names, notes)]
        configs(L)
    elif kind == 2:
        L += ['documentSchema: device-client', 'document:', '  version: "1.0"',
              '  includeStdOut: "true"', '  steps:']
        for s in range(r.randrange(1, 4)):
            L += ['    - action:', '        name: step-%d-%s' % (s, word(5)), '        type: runHandler',
                  '        input:', '          handler: %s.sh' % word(8),
                  '          args: [%s]' % ', '.join(word(6) for _ in range(r.randrange(0, 4))),
                  '          path: default', '        runAsUser: %s' % r.choice(['root', 'pi', 'app'])]
        L += ['    - action:', '        name: fetch', '        type: runCommand', '        input:',
              '          command: "curl,-o,/tmp/f,https://%s.example.com/%s/%s?sha=%s&s=%s&sig=%s"'
              % (bucket, ver, word(4), sha, size, signature),
              '        runAsUser: root', '        ignoreStepFailure: "false"']
        L += ['  finalStep:', '    action:', '      name: Reboot', '      type: runHandler',
              '      input: {handler: reboot.sh, path: default}', '      runAsUser: root']
        if a.params:
            L += ['parameters:'] + ['  %s: {}' % n for n in names]
        configs(L)
    else:
        L += ['jobTemplateArn: arn:aws:iot:%s::jobtemplate/AWS-Reboot:1.0' % region,
              'documentParameters:', '  runAsUser: %s' % r.choice(['root', 'pi']),
              '  pathToHandler: /home/%s/.aws-iot-device-client/jobs' % word(5)]
        configs(L, retry_ok=True)
        # the tags that configs() ended with name the size and the signature
        L += ['  - Key: size', '    Value: "%s bytes"' % size, '  - Key: signature', '    Value: "%s"' % signature]
        if a.params:
            L += ['parameters:'] + ['  %s: {description: %s}' % (n, d) for n, d in zip(names, notes)]
    with open(os.path.join(a.outdir, 'spec-%05d.yaml' % i), 'w') as f:
        f.write('\n'.join(L) + '\n')
if a.params:
    with open(os.path.join(a.outdir, 'params.json'), 'w') as f:
        json.dump(values, f)
