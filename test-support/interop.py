"""Runs matrix-org's reference libraries for the interop test (sim/core/interop.test.ts).

Reads one JSON request on stdin, writes one JSON answer on stdout (ASCII, so no transport
ambiguity). Run under Debian's /usr/bin/python3 with python3-signedjson, python3-canonicaljson
and python3-nacl.
"""
import base64
import json
import sys

import canonicaljson
import nacl.exceptions
import nacl.signing
import signedjson.key
import signedjson.sign


def b64decode(text):
    return base64.b64decode(text + "=" * (-len(text) % 4))


def verify(item):
    key = signedjson.key.decode_verify_key_bytes(item["key_id"], b64decode(item["verify_key"]))
    try:
        signedjson.sign.verify_signed_json(item["object"], item["entity"], key)
        return True
    except signedjson.sign.SignatureVerifyException:
        return False


def sign(item):
    algorithm, version = item["key_id"].split(":", 1)
    key = signedjson.key.decode_signing_key_base64(algorithm, version, item["seed"])
    return signedjson.sign.sign_json(item["object"], item["entity"], key)


def raw_verify(item):
    try:
        nacl.signing.VerifyKey(b64decode(item["public_key"])).verify(b64decode(item["message"]), b64decode(item["signature"]))
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False


request = json.load(sys.stdin)
answer = {
    "canonical": [canonicaljson.encode_canonical_json(o).decode("utf-8") for o in request.get("canonical", [])],
    "verify": [verify(i) for i in request.get("verify", [])],
    "sign": [sign(i) for i in request.get("sign", [])],
    "raw_verify": [raw_verify(i) for i in request.get("raw_verify", [])],
}
json.dump(answer, sys.stdout, ensure_ascii=True)
