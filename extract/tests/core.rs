//! Integration tests of the parsing core (one binary; see `core/`).

#[path = "core/bad_input.rs"]
mod bad_input;
#[path = "core/common.rs"]
mod common;
#[path = "core/families.rs"]
mod families;
#[path = "core/props.rs"]
mod props;
#[path = "core/roundtrip.rs"]
mod roundtrip;
#[path = "core/seeds.rs"]
mod seeds;
#[path = "core/templates.rs"]
mod templates;
#[path = "core/text_families.rs"]
mod text_families;
