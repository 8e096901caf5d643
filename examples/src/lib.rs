//! Examples of profile-info; run them with `cargo run --example NAME`.
