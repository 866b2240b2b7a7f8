//! cargo-fuzz target: [`onsite_fuzz::harness::store_file`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onsite_fuzz::harness::store_file(data));
