#!/usr/bin/env python3
"""Reads a WARC file back with warcio (an independent reader) and checks every
record: it parses, and the payload digest of every response record matches its
payload. Prints one summary line; exits 1 on any problem.

usage: check_warc.py FILE.warc.gz
"""
import base64
import hashlib
import sys

from warcio.archiveiterator import ArchiveIterator


def digest_hex(value: str) -> str:
    """The hex of a WARC digest value written in base16 or base32."""
    if len(value) == 64:
        return value.lower()
    return base64.b32decode(value.upper()).hex()


def main(path: str) -> int:
    records = responses = verified = 0
    problems = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        for record in it:
            records += 1
            rtype = record.rec_type
            payload = record.raw_stream.read()
            if rtype != "response":
                continue
            responses += 1
            uri = record.rec_headers.get_header("WARC-Target-URI")
            declared = record.rec_headers.get_header("WARC-Payload-Digest")
            if not declared or ":" not in declared:
                problems.append(f"{uri}: no payload digest")
                continue
            algo, value = declared.split(":", 1)
            ours = hashlib.new(algo.replace("-", "").lower(), payload).hexdigest()
            if ours != digest_hex(value):
                problems.append(f"{uri}: payload digest {declared} but payload hashes to {ours}")
            elif record.digest_checker.passed is not True:
                problems.append(
                    f"{uri}: warcio digest check: {list(record.digest_checker.problems)}"
                )
            else:
                verified += 1
    print(f"{records} records, {responses} responses, {verified} payload digests verified")
    for p in problems:
        print("  " + p, file=sys.stderr)
    return 0 if not problems and verified == responses else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
