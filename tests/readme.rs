//! The repository's README, whose Rust examples are compiled as doctests
//! against the generated client (`cargo test -p apigen-tests --doc`).
#![doc = include_str!("../README.md")]
