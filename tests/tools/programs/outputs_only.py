"""A Pulumi program that only exports a stack output document given by the test (no resources).

STAGECRAFT_TEST_OUTPUTS holds the document as JSON; STAGECRAFT_TEST_SECRETS lists the dotted paths that are
exported as secrets (as `database.connectionUri` is by the real program).
"""

import json
import os

import pulumi

outputs = json.loads(os.environ["STAGECRAFT_TEST_OUTPUTS"])
for path in json.loads(os.environ.get("STAGECRAFT_TEST_SECRETS", "[]")):
    *parents, leaf = path.split(".")
    node = outputs
    for key in parents:
        node = node[key]
    node[leaf] = pulumi.Output.secret(node[leaf])
for key, value in outputs.items():
    pulumi.export(key, value)
