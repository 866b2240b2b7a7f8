#!/usr/bin/env bash
# Fuzzes the real onsite-server from its own OpenAPI document with schemathesis (PyPI) and
# fails on any finding: a 5xx, a status code or content type the document does not list, a
# body that does not match its schema, or a request the document calls valid refused with 400
# or 422. Installs schemathesis (pinned) into .tools/schemathesis when missing.
#
# The server runs from the debug build on a loopback port over a temp data dir, with an admin
# account (`onsite-server create-admin`) and a little seed data (an engineer, a dispatcher, a
# customer with a site, a contract and assets, jobs, one of them cancelled), so the lists, the
# pull pages and the conflict log answer real rows. Every request carries the admin's token: an
# admin may call every endpoint, the back office's and the device sync protocol's alike (an
# engineer's token reaches only the sync endpoints, a dispatcher's not the staff accounts).
#
#   ONSITE_ST_EXAMPLES  test cases per operation and phase (default 100: about 50 s here)
#   ONSITE_ST_SEED      the random seed (default 20261203)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
examples="${ONSITE_ST_EXAMPLES:-100}"
seed="${ONSITE_ST_SEED:-20261203}"
venv="$PWD/.tools/schemathesis"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

fail() { echo "schemathesis.sh: $*" >&2; exit 1; }

if [[ ! -x "$venv/bin/st" ]] || [[ "$("$venv/bin/st" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    command -v python3 >/dev/null || fail "python3 is missing"
    python3 -c 'import venv, ensurepip' 2>/dev/null || {
        command -v apt-get >/dev/null || fail "python3-venv is missing and apt-get is not available"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2 \
            || fail "apt-get install python3-venv failed"
    }
    echo "schemathesis.sh: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "cannot create a venv at $venv"
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" >&2 \
        || fail "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
fi

cargo build --quiet --locked -p onsite-server --bin onsite-server
server_bin="$target_dir/debug/onsite-server"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

token="$("$server_bin" --data "$work/data" create-admin admin)"
RUST_LOG=warn "$server_bin" --data "$work/data" --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
# The server prints `listening on URL` once it accepts connections.
for _ in $(seq 200); do
    grep -q '^listening on ' "$work/stdout" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited: $(cat "$work/server.log")"
    sleep 0.05
done
url="$(sed -n 's/^listening on //p' "$work/stdout")"
[[ -n "$url" ]] || fail "the server printed no address"

"$venv/bin/python" scripts/schemathesis_seed.py "$url" "$token" "$work/schemathesis.toml" \
    || fail "seeding the server failed"

started=$SECONDS
status=0
run_schemathesis() {
    SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$PWD/scripts" "$venv/bin/st" --config-file "$work/schemathesis.toml" run "$url/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance \
        --seed "$seed" \
        --max-examples "$examples" \
        --workers 2 \
        --generation-database none \
        --suppress-health-check all \
        --no-color \
        --request-timeout 30 2>&1 | tee "$work/schemathesis.out"
    return "${PIPESTATUS[0]}"
}
run_schemathesis || status=$?
# Schemathesis 4.32.5 now and then fails inside itself (a KeyError in its Hypothesis
# integration, reported as a "Runtime Error" with every test case passed). Only that is run once
# more; any failure it found in the API fails the run as it is.
if [[ $status -ne 0 ]] && ! grep -q 'FAILURES' "$work/schemathesis.out" \
    && grep -q 'Runtime Error' "$work/schemathesis.out"; then
    echo "schemathesis.sh: schemathesis failed inside itself (a Runtime Error, no API failure); running it once more"
    status=0
    run_schemathesis || status=$?
fi
echo "schemathesis.sh: ran in $((SECONDS - started)) s (seed $seed, $examples examples per operation)"
if grep -q 'ERROR\|panicked' "$work/server.log"; then
    echo "schemathesis.sh: the server logged failures:" >&2
    grep 'ERROR\|panicked' "$work/server.log" | head -20 >&2
    status=1
fi
[[ $status -eq 0 ]] || fail "schemathesis found problems (exit $status)"
echo "schemathesis.sh: no findings"
