//! Fuzz harnesses for Onsite; see [`harness`]. The targets in `fuzz_targets/` call them, and
//! the workspace's `tests/tests/fuzz_corpus.rs` replays the committed corpus through them.

pub mod harness;
