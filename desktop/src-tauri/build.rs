fn main() {
    // The app serves the built front end; it must exist before the binary
    // is compiled with the custom protocol (the default).
    // Read when the script runs, not baked in when it is compiled: a target
    // dir shared by several checkouts reuses one compiled script.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dist = std::path::Path::new(&manifest).join("../ui/dist");
    println!("cargo:rerun-if-changed=../ui/dist");
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_some()
        && !dist.join("index.html").exists()
    {
        println!(
            "cargo::error=desktop/ui/dist is missing: build the front end first with \
             `npm --prefix desktop/ui ci && npm --prefix desktop/ui run build`"
        );
        return;
    }
    tauri_build::build();
}
