//! Feeds arbitrary UTF-8 text, as a user's config file, to `Config::parse`. A hand-edited file
//! can hold anything, and a bad one must come back as an error with a line number, never a panic
//! (the error's rendering maps byte offsets to lines, so it is exercised too).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use overtime_core::config::Config;

fuzz_target!(|text: &str| {
    if let Err(errors) = Config::parse(text, Some(Path::new("fuzz.toml"))) {
        let _ = errors.to_string();
    }
});
