//! `uniffi-bindgen`: generates the Kotlin and Swift bindings of `onsite-ffi` from its built
//! library (library mode). A crate of its own so that uniffi's `cli` feature never reaches the
//! cdylib; `bindings/generate.sh` runs it.

fn main() {
    uniffi::uniffi_bindgen_main()
}
