#!/usr/bin/env bash
# What can be checked of the iOS shell without a Swift toolchain (none installs on Linux): the
# Swift bindings generate from the built library (both crates' files, headers and module maps,
# as build-xcframework.sh packs them), every generated method the Swift sources call exists
# there, and build-xcframework.sh parses. Ends with "ios: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

bindings/generate.sh swift >/dev/null
python3 - <<'PY'
import glob, re, sys

generated = "bindings/generated/swift"
expected = ["onsite.swift", "onsite_core.swift", "onsiteFFI.h", "onsite_coreFFI.h",
            "onsiteFFI.modulemap", "onsite_coreFFI.modulemap"]
passed, failed = 0, []
for name in expected:
    try:
        open(f"{generated}/{name}").close()
        passed += 1
    except OSError:
        failed.append(f"not generated: {name}")

api = "".join(open(f"{generated}/{n}").read() for n in expected[:2] if not any(n in f for f in failed))
functions = set(re.findall(r"func (\w+)\(", api))
types = set(re.findall(r"(?:public|open)\s+(?:indirect\s+)?(?:struct|enum|class|protocol|typealias)\s+(\w+)", api))
sources = {f: open(f).read() for f in glob.glob("ios/Sources/**/*.swift", recursive=True)}
# Methods called on the store or in the facade's `call { try $0.method(...) }` closures.
calls = set()
for text in sources.values():
    calls |= set(re.findall(r"\$0\.(\w+)\(", text)) | set(re.findall(r"try \$0\.(\w+)", text))
swift_std = {"map", "trimmingCharacters", "filter", "joined", "split", "sorted"}
for call in sorted(calls - swift_std):
    if call in functions:
        passed += 1
    else:
        failed.append(f"the Swift sources call {call}(), which the bindings do not have")
# Generated types the sources name (capitalised words that are ours, not Foundation/SwiftUI).
ours = {"OnsiteStore", "BackgroundSync", "ObserverHandle", "SyncObserver", "ApiError", "Missing",
        "FieldIssue", "JobDetail", "JobSummary", "VisitRecord", "SyncStatus", "SyncState",
        "Conflict", "Stroke", "StrokePoint", "Outcome", "Status", "Coverage", "NewPartLine",
        "NewDiagnosis", "Approval", "Billing", "PartDirection"}
named = set()
for text in sources.values():
    named |= set(re.findall(r"\b([A-Z]\w+)\b", text)) & ours
for t in sorted(named):
    if t in types:
        passed += 1
    else:
        failed.append(f"the Swift sources use {t}, which the bindings do not define")
for f in failed:
    print(f"ios: {f}", file=sys.stderr)
print(f"ios: {passed} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
bash -n ios/build-xcframework.sh
