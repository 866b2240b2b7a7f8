"""Seed data for scripts/schemathesis.sh: a few rows of every kind through the back-office API,
so the fuzzed list, pull and conflict endpoints answer real rows (and their schemas are checked
against them). Writes a schemathesis config to CONFIG that points each `{id}` path of an
operation at a real row half of the time (the other half stays random, so 404s are fuzzed
too). Usage: schemathesis_seed.py URL ADMIN_TOKEN CONFIG. Standard library only."""

import datetime
import json
import sys
import urllib.request

url, token, config = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, tok=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + (tok or token))
    req.add_header("Content-Type", "application/json")
    req.add_header("onsite-protocol", "1")
    with urllib.request.urlopen(req) as resp:
        text = resp.read()
        return json.loads(text) if text else None


dispatcher = call("POST", "/v1/users", {"name": "dispatch", "role": "dispatcher"})
call("POST", f"/v1/users/{dispatcher['id']}/tokens")
engineer = call("POST", "/v1/users", {"name": "eng-a", "role": "engineer"})
call("POST", f"/v1/users/{engineer['id']}/tokens")

now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
for n in range(3):
    customer = call("POST", "/v1/customers", {"name": f"Customer {n}", "phone": "+49 30 1731715"})
    site = call(
        "POST",
        f"/v1/customers/{customer['id']}/sites",
        {"address": f"Rosenstrasse {n}, 04109 Leipzig", "access_notes": "Ring twice"},
    )
    contract = call(
        "POST",
        f"/v1/customers/{customer['id']}/contracts",
        {
            "plan": f"Care {n}",
            "starts_on": (now - datetime.timedelta(days=30)).date().isoformat(),
            "ends_on": (now + datetime.timedelta(days=300)).date().isoformat(),
            "visits_per_year": 1,
            "covers_parts": True,
            "covers_labour": False,
        },
    )
    asset = call(
        "POST",
        f"/v1/sites/{site['id']}/assets",
        {
            "kind": "appliance",
            "category": "washing machine",
            "brand": "Miele",
            "model": "WWD320",
            "serial": f"MI3119237{n}",
            "warranty_ends_on": "2024-01-01",
            "contract_id": contract["id"],
        },
    )
    start = now + datetime.timedelta(hours=n)
    job = call(
        "POST",
        "/v1/work-orders",
        {
            "number": f"WO-{n}",
            "kind": "repair",
            "priority": "high",
            "customer_id": customer["id"],
            "site_id": site["id"],
            "asset_id": asset["id"],
            "fault": {"symptom": "Does not drain", "error_code": "F11"},
            "window": {
                "window_start": start.isoformat(),
                "window_end": (start + datetime.timedelta(hours=2)).isoformat(),
            },
            "assignee": "eng-a",
        },
    )
    if n == 2:
        call("POST", f"/v1/work-orders/{job['id']}/status", {"to": "cancelled", "reason": "Duplicate"})
    else:
        ids = {"customer": customer["id"], "site": site["id"], "asset": asset["id"], "job": job["id"]}
ids["engineer"] = engineer["id"]
# Which kind of row each `{id}` path names.
paths = {
    "/v1/users/{id}/tokens": "engineer",
    "/v1/customers/{id}": "customer",
    "/v1/customers/{id}/sites": "customer",
    "/v1/customers/{id}/contracts": "customer",
    "/v1/sites/{id}": "site",
    "/v1/sites/{id}/assets": "site",
    "/v1/assets/{id}": "asset",
    "/v1/work-orders/{id}": "job",
    "/v1/work-orders/{id}/assign": "job",
    "/v1/work-orders/{id}/status": "job",
    "/v1/work-orders/{id}/report": "job",
}
with open(config, "w") as out:
    # No state kept between runs (a crash cache would replay old cases into a seeded run).
    out.write("[cache]\nenabled = false\n\n")
    for kind, row in ids.items():
        out.write(f'[dictionaries.{kind}]\nvalues = ["{row}"]\n\n')
    for path, kind in paths.items():
        out.write(
            f'[[operations]]\ninclude-path = "{path}"\n'
            f'parameters = {{ "path.id" = {{ dictionary = "{kind}", probability = 0.5 }} }}\n\n'
        )
print("schemathesis_seed: 3 customers, sites, contracts, assets and jobs", file=sys.stderr)
