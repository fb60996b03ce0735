//! Sets `cfg(wasm_split)` when `site build --split` builds this crate: it links with
//! `--emit-relocs` then, which wasm-split needs (see `src/lazy_pages.rs`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasm_split)");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if wasm
        && flags
            .split('\x1f')
            .any(|flag| flag.contains("--emit-relocs"))
    {
        println!("cargo::rustc-cfg=wasm_split");
    }
}
