//! Any bytes, as a YAML or JSON spec: the generator returns code that
//! parses as Rust or diagnostics, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the front end, the rest is the spec.
    let Some((&selector, spec)) = data.split_first() else {
        return;
    };
    let file = if selector % 2 == 0 {
        "fuzz-input.yaml"
    } else {
        "fuzz-input.json"
    };
    let options = apigen::Options::new(file, "fuzzed");
    match apigen::generate_module_from_bytes(spec, &options) {
        Ok(module) => {
            if let Err(e) = syn::parse_file(&module.contents) {
                panic!("generated code does not parse: {e}");
            }
        }
        Err(error) => assert!(!error.diagnostics().is_empty()),
    }
});
