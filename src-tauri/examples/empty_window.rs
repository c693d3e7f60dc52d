//! The desktop benchmark's baseline: the same Tauri and WebKitGTK stack as the dashboard,
//! showing an empty page and nothing of Overtime. `scripts/bench-desktop` measures it beside the
//! real window, so its report separates what the web engine costs on the machine from what the
//! dashboard adds to it.
//!
//! The page is a real (tiny) document from a custom scheme: WebKit shows `about:blank` without
//! starting a web process at all, which would make the baseline look far cheaper than any page.

use std::process::ExitCode;

use tauri::http::{HeaderValue, Response, header::CONTENT_TYPE};

const PAGE: &[u8] = b"<!doctype html><html><head><title>baseline</title></head><body><p>Empty page</p></body></html>";

fn main() -> ExitCode {
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("baseline", |_ctx, _request| {
            let mut response = Response::new(PAGE.to_vec());
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
        })
        .setup(|app| {
            let page = "baseline://localhost/".parse()?;
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::External(page))
                .title("Overtime baseline")
                .inner_size(
                    overtime_dashboard::OPEN_SIZE.0,
                    overtime_dashboard::OPEN_SIZE.1,
                )
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("the empty Tauri window could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
