//! The Dashboard (docs/dashboard.md): a static page whose JavaScript does every key generation,
//! password stretching and decryption in the browser, using the TozStore and account APIs of
//! this server. The server only serves the files, which are embedded in the binary (nothing is
//! read from disk at run time), with a strict Content-Security-Policy.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// Where the page lives; `/` and `/dashboard` redirect here.
pub const PREFIX: &str = "/dashboard/";

/// No inline script or style, nothing from another origin, no framing. `'wasm-unsafe-eval'` is
/// what lets libsodium.js compile its WebAssembly (it allows no JavaScript `eval`).
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every served file: path under [`PREFIX`], Content-Type, contents (from `server/web/`).
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    ("index.html", HTML, include_bytes!("../../web/index.html")),
    ("style.css", CSS, include_bytes!("../../web/style.css")),
    ("favicon.svg", SVG, include_bytes!("../../web/favicon.svg")),
    ("js/app.js", JS, include_bytes!("../../web/js/app.js")),
    (
        "js/account.js",
        JS,
        include_bytes!("../../web/js/account.js"),
    ),
    ("js/api.js", JS, include_bytes!("../../web/js/api.js")),
    ("js/toz.js", JS, include_bytes!("../../web/js/toz.js")),
    (
        "js/kdf-worker.js",
        JS,
        include_bytes!("../../web/js/kdf-worker.js"),
    ),
    (
        "vendor/libsodium-wrappers-sumo.mjs",
        JS,
        include_bytes!("../../web/vendor/libsodium-wrappers-sumo.mjs"),
    ),
    (
        "vendor/libsodium-sumo.mjs",
        JS,
        include_bytes!("../../web/vendor/libsodium-sumo.mjs"),
    ),
    (
        "vendor/LICENSE",
        TEXT,
        include_bytes!("../../web/vendor/LICENSE"),
    ),
];

/// The Dashboard routes, to merge into the API router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary(PREFIX) }))
        .route("/dashboard", get(|| async { Redirect::temporary(PREFIX) }))
        .route("/dashboard/", get(|| async { asset("index.html") }))
        .route(
            "/dashboard/{*path}",
            get(|Path(path): Path<String>| async move { asset(&path) }),
        )
}

fn asset(path: &str) -> Response {
    let Some((name, content_type, bytes)) = ASSETS.iter().find(|(p, _, _)| *p == path) else {
        let mut resp = (StatusCode::NOT_FOUND, "not found\n").into_response();
        secure_headers(&mut resp, "no-store");
        return resp;
    };
    let mut resp = Response::new(Body::from(*bytes));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The page must never be served stale (it names the scripts); the rest is revalidated.
    let cache = if *name == "index.html" {
        "no-store"
    } else {
        "no-cache"
    };
    secure_headers(&mut resp, cache);
    resp
}

fn secure_headers(resp: &mut Response, cache: &'static str) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "Cross-Origin-Opener-Policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "Cross-Origin-Resource-Policy",
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get(path: &str) -> Response {
        routes::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    fn header<'a>(r: &'a Response, name: &str) -> &'a str {
        r.headers().get(name).unwrap().to_str().unwrap()
    }

    #[tokio::test]
    async fn index_is_served_with_strict_headers() {
        let r = get("/dashboard/").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "content-type"), HTML);
        assert_eq!(header(&r, "content-security-policy"), CSP);
        assert_eq!(header(&r, "x-content-type-options"), "nosniff");
        assert_eq!(header(&r, "cache-control"), "no-store");
        let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
        assert!(body.starts_with(b"<!doctype html>"));
    }

    #[tokio::test]
    async fn root_and_bare_prefix_redirect() {
        for path in ["/", "/dashboard"] {
            let r = get(path).await;
            assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT, "{path}");
            assert_eq!(header(&r, "location"), PREFIX);
        }
    }

    #[tokio::test]
    async fn every_asset_has_its_type_and_unknown_paths_404() {
        for (path, content_type, bytes) in ASSETS {
            let r = get(&format!("{PREFIX}{path}")).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&r, "content-type"), *content_type, "{path}");
            assert_eq!(header(&r, "x-content-type-options"), "nosniff");
            let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
            assert_eq!(&body[..], *bytes);
        }
        for path in [
            "/dashboard/nope.js",
            "/dashboard/../Cargo.toml",
            "/dashboard/vendor/README.md",
        ] {
            let r = get(path).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    /// A file added to server/web/ but not to ASSETS would silently 404 in the browser.
    #[test]
    fn every_web_file_is_embedded() {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else {
                    out.push(
                        p.strip_prefix(base)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                    );
                }
            }
        }
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut files = Vec::new();
        walk(&base, &base, &mut files);
        for f in files.iter().filter(|f| *f != "vendor/README.md") {
            assert!(
                ASSETS.iter().any(|(p, _, _)| p == f),
                "{f} is not in ASSETS"
            );
        }
    }

    /// The CSP forbids inline script and style: the page must not rely on any.
    #[test]
    fn index_has_no_inline_script_or_style() {
        let html = std::str::from_utf8(ASSETS[0].2).unwrap().to_lowercase();
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains(" src="), "inline <script> in index.html");
        }
        assert!(!html.contains("<style"), "inline <style> in index.html");
        assert!(!html.contains(" style="), "style attribute in index.html");
        assert!(!html.contains(" onclick="), "inline handler in index.html");
    }
}
