"""Schemathesis hooks for scripts/schemathesis.sh: the core's rules that relate two fields of a
request, which JSON Schema cannot state (the OpenAPI document says them in words). Each
schema-valid request the fuzzer makes is brought inside them before it is sent, so that the
positive_data_acceptance check holds the server to accepting it; a request generated to be
invalid is left as it is. Nothing here hides a finding."""

import datetime
import sys

import schemathesis

# Schemathesis builds the coverage cases of the free-form push payload by deep recursion, and
# Hypothesis parses source (ast) while describing them; near Python's default limit of 1000,
# CPython 3.11 then failed with "AST constructor recursion depth mismatch" (seen on a run
# after a fresh install). More room for the stack, not a different test.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

WINDOW_LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _time(text):
    try:
        t = datetime.datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except (AttributeError, ValueError):
        return None
    return t if t.tzinfo is not None else None


def _window(start_text, end_text):
    """An end after the start, at most 24 hours later, inside the store's window."""
    start = _time(start_text)
    if start is None:
        return None
    end = start + datetime.timedelta(hours=1)
    if end >= WINDOW_LATEST:
        start, end = start - datetime.timedelta(hours=1), start
    return start.isoformat(), end.isoformat()


@schemathesis.hook
def map_case(context, case):
    if not _positive(case) or not isinstance(case.body, dict):
        return case
    path, method, body = case.operation.path, case.method.upper(), case.body
    if (path, method) == ("/v1/work-orders", "POST") and isinstance(body.get("window"), dict):
        w = body["window"]
        fixed = _window(w.get("window_start"), w.get("window_end"))
        if fixed:
            w["window_start"], w["window_end"] = fixed
    elif (path, method) == ("/v1/work-orders/{id}", "PATCH"):
        if "window_start" in body or "window_end" in body:
            fixed = _window(body.get("window_start") or body.get("window_end"), None)
            if fixed:
                body["window_start"], body["window_end"] = fixed
    elif (path, method) == ("/v1/customers/{id}/contracts", "POST"):
        if str(body.get("ends_on", "")) < str(body.get("starts_on", "")):
            body["starts_on"], body["ends_on"] = body["ends_on"], body["starts_on"]
    elif (path, method) == ("/v1/work-orders/{id}/status", "POST"):
        if body.get("to") in ("cancelled", "incomplete") and not str(body.get("reason") or "").strip():
            body["reason"] = "Customer called to cancel"
    elif (path, method) == ("/v1/sync/push", "POST") and isinstance(body.get("mutations"), list):
        # The seqs of one push are contiguous (the first is whatever the device sends).
        items = [m for m in body["mutations"] if isinstance(m, dict) and isinstance(m.get("seq"), (int, float))]
        if items:
            first = min(int(items[0]["seq"]), 2**63 - len(items))
            for n, m in enumerate(items):
                m["seq"] = first + n
    return case
