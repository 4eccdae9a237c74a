#!/usr/bin/env python3
"""Drive `offerkit sandbox serve` from Python (standard library only: urllib).

    offerkit sandbox serve --port 8787 &
    python3 drive_sandbox.py http://127.0.0.1:8787

Seeds an Appcharge offer, injects one throttling fault, deletes the offer (the first DELETE gets the
429 with Retry-After, the retry succeeds), checks it is gone, and reads the journal's counters.
Exits 1 with a message when the sandbox answers something else. Tested by tests/it/sandbox_languages.rs.
"""

import json
import sys
import urllib.error
import urllib.request

ROOT = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787").rstrip("/")
TOKEN = "python-example-token"  # any non-empty publisher token works unless the sandbox restricts them


def call(method, path, body=None, headers=None):
    """One request; returns (status, headers, parsed JSON body or None). 4xx/5xx are answers, not errors."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(ROOT + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, error.headers, error.read()
    return status, answer_headers, (json.loads(raw) if raw.strip() else None)


def expect(condition, message):
    if not condition:
        print("FAILED: " + message, file=sys.stderr)
        sys.exit(1)


def main():
    status, _, health = call("GET", "/_sandbox/health")
    expect(status == 200 and health.get("status") == "ok", f"health: {status} {health}")
    # A clean slate for this run: no faults, an empty journal (stored resources are kept).
    call("DELETE", "/_sandbox/faults")
    call("DELETE", "/_sandbox/journal")

    # 1. Seed (merge by id): one offer.
    seed = {"appcharge": {"offers": [
        {"publisherOfferId": "starter-pack", "name": "Starter pack", "type": "Bundle"}]}}
    status, _, _ = call("POST", "/_sandbox/seed", seed)
    expect(status == 200, f"seed answered {status}")

    # 2. Fault: the next DELETE of any offer is throttled (429, Retry-After, Appcharge's error body).
    fault = {"method": "DELETE", "path": "/v2/offer/*", "mode": {"nextN": 1},
             "fault": {"kind": "throttle", "retryAfterSeconds": 1}}
    status, _, _ = call("POST", "/_sandbox/faults", fault)
    expect(status in (200, 201), f"fault answered {status}")

    # 3. Call the vendor endpoint, as a client with one retry would.
    auth = {"x-publisher-token": TOKEN}
    status, headers, body = call("DELETE", "/v2/offer/starter-pack", headers=auth)
    expect(status == 429 and headers.get("Retry-After") == "1", f"first DELETE: {status} {body}")
    print(f"first DELETE: {status}, Retry-After {headers.get('Retry-After')}: {body['errorMessage']}")
    status, _, body = call("DELETE", "/v2/offer/starter-pack", headers=auth)
    expect(status == 200 and body["publisherOfferId"] == "starter-pack", f"retry: {status} {body}")
    print(f"retried DELETE: {status}, deleted {body['publisherOfferId']}")
    status, _, _ = call("GET", "/v2/offer/starter-pack", headers=auth)
    expect(status == 404, f"read-back answered {status}, not 404")

    # 4. The journal: two DELETEs reached the server, one was handled (the fault answered the first).
    status, _, journal = call("GET", "/_sandbox/journal?method=DELETE")
    counts = journal["counts"]
    key = "DELETE /v2/offer/starter-pack"
    requested, acted = counts["byPath"].get(key), counts["actedByPath"].get(key)
    expect((requested, acted) == (2, 1), f"journal counts {requested} requested, {acted} acted")
    faults = [entry.get("fault") for entry in journal["entries"]]
    print(f"journal: {requested} DELETEs, {acted} acted; faults {faults}")
    print("python example: ok")


if __name__ == "__main__":
    main()
