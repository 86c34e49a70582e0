//! Regenerates include/toz.h from src/ffi with cbindgen on every build. The header is committed;
//! CI fails if a build changes it (scripts/check-header.sh).

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=src/sdk/error.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    // Version macros come from Cargo.toml so they can never drift from the crate version.
    config.after_includes = Some(format!(
        "\n#define TOZ_VERSION_MAJOR {}\n#define TOZ_VERSION_MINOR {}\n#define TOZ_VERSION_PATCH {}\n\
         #define TOZ_VERSION_STRING \"{}\"\n\n\
         #if defined(__GNUC__) || defined(__clang__)\n#  define TOZ_MUST_USE __attribute__((warn_unused_result))\n\
         #else\n#  define TOZ_MUST_USE\n#endif\n",
        env::var("CARGO_PKG_VERSION_MAJOR").unwrap(),
        env::var("CARGO_PKG_VERSION_MINOR").unwrap(),
        env::var("CARGO_PKG_VERSION_PATCH").unwrap(),
        env::var("CARGO_PKG_VERSION").unwrap(),
    ));

    match // Only the ABI module and the error kinds it exposes are parsed, so constants of the Rust
    // core never leak into the C header.
    cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_src(crate_dir.join("src/sdk/error.rs")).with_config(config).generate() {
        // write_to_file leaves the file untouched when the content is the same.
        Ok(bindings) => {
            bindings.write_to_file(crate_dir.join("include/toz.h"));
        }
        Err(e) => panic!("cbindgen could not generate include/toz.h: {e}"),
    }
}
