//! Build script of the `ogi` package: links the `ogi` binary as a
//! position-dependent executable on Linux.
//!
//! A position-independent executable of this size carries ≈ 185 000 relative
//! relocations that the dynamic loader applies on every start (copying the
//! ≈ 3 MiB of `.data.rel.ro` they touch); a short command such as `ogi parse`
//! on one PDF spent a large share of its run there. `-no-pie` only changes the
//! link of the binaries (`rustc-link-arg-bins`), so no dependency is rebuilt.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
