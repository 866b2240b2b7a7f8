#!/usr/bin/env bash
# Builds the Rust core for iOS and packages it for the Swift package (macOS with Xcode only):
#   1. generates the Swift bindings (bindings/generate.sh swift: host build, library mode);
#   2. cargo builds the static library for aarch64-apple-ios (devices), aarch64-apple-ios-sim
#      and x86_64-apple-ios (simulators on Apple silicon and Intel);
#   3. lipo joins the two simulator slices (an XCFramework takes one library per platform);
#   4. xcodebuild -create-xcframework with both C headers (onsiteFFI.h for the FFI crate's
#      objects, onsite_coreFFI.h for the core's records) and one module map declaring both C
#      modules -> ios/onsiteFFI.xcframework;
#   5. copies both generated Swift files (onsite.swift, onsite_core.swift) into
#      Sources/OnsiteBindings/: UniFFI needs the two crates' Swift in one Swift module, since the
#      objects' code uses the core's records.
#
#   ios/build-xcframework.sh            # release (what an app ships)
#   ONSITE_PROFILE=dev ios/build-xcframework.sh   # quicker, unoptimized
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

fail() { echo "build-xcframework: $*" >&2; exit 1; }
[[ "$(uname -s)" == Darwin ]] || fail "needs macOS with Xcode (xcodebuild, lipo, the iOS SDKs)"
command -v xcodebuild >/dev/null || fail "xcodebuild not found: install Xcode and run xcode-select"

profile="${ONSITE_PROFILE:-release}"
case "$profile" in
    release) profile_dir=release ;;
    dev) profile_dir=debug ;;
    *) fail "ONSITE_PROFILE must be release or dev" ;;
esac
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# Must match Package.swift's platforms, or the linker warns about newer object files.
export IPHONEOS_DEPLOYMENT_TARGET=16.0

rustup target add "${targets[@]}"
bindings/generate.sh swift >/dev/null
for t in "${targets[@]}"; do
    cargo build --locked -p onsite-ffi --lib --profile "$profile" --target "$t"
done

work="$target_dir/ios-xcframework"
rm -rf "$work"
mkdir -p "$work/headers" "$work/simulator"
ffi_modules=(onsiteFFI onsite_coreFFI)
for m in "${ffi_modules[@]}"; do
    cp "bindings/generated/swift/$m.h" "$work/headers/"
done
# xcodebuild looks for the module map under this exact name; one file may declare both modules.
for m in "${ffi_modules[@]}"; do
    cat "bindings/generated/swift/$m.modulemap"
    echo
done > "$work/headers/module.modulemap"
lipo -create \
    "$target_dir/aarch64-apple-ios-sim/$profile_dir/libonsite_ffi.a" \
    "$target_dir/x86_64-apple-ios/$profile_dir/libonsite_ffi.a" \
    -output "$work/simulator/libonsite_ffi.a"

rm -rf ios/onsiteFFI.xcframework
xcodebuild -create-xcframework \
    -library "$target_dir/aarch64-apple-ios/$profile_dir/libonsite_ffi.a" -headers "$work/headers" \
    -library "$work/simulator/libonsite_ffi.a" -headers "$work/headers" \
    -output ios/onsiteFFI.xcframework
cp bindings/generated/swift/onsite.swift bindings/generated/swift/onsite_core.swift ios/Sources/OnsiteBindings/
echo "build-xcframework: ios/onsiteFFI.xcframework and ios/Sources/OnsiteBindings/{onsite,onsite_core}.swift ($profile)" >&2
