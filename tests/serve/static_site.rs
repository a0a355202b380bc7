//! Static files: content types, folders, traversal, CSP, `/model.json`.
use leadpulse::core::model::BUILTIN_JSON;
use serde_json::{json, Value};

use crate::harness::{site, Server, SECRET_MARKER, WASM_BYTES};

#[test]
fn serves_the_site_and_package_with_their_content_types() {
    let server = Server::start(&site("static"), &["--rate-limit", "off"]);
    let cases = [
        ("/", "text/html; charset=utf-8", &b"<h1>home</h1>"[..]),
        ("/index.html", "text/html; charset=utf-8", b"<h1>home</h1>"),
        ("/pricing", "text/html; charset=utf-8", b"<h1>pricing</h1>"),
        ("/docs", "text/html; charset=utf-8", b"<h1>docs</h1>"),
        (
            "/docs/?from=nav",
            "text/html; charset=utf-8",
            b"<h1>docs</h1>",
        ),
        (
            "/app.js",
            "text/javascript; charset=utf-8",
            b"export const a = 1;",
        ),
        (
            "/app.mjs",
            "text/javascript; charset=utf-8",
            b"export const b = 2;",
        ),
        (
            "/style.css",
            "text/css; charset=utf-8",
            b"h1 { color: red }",
        ),
        ("/data.json", "application/json", b"{\"a\":1}"),
        (
            "/logo.svg",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        ("/favicon.ico", "image/x-icon", b"\0\0\x01\0"),
        ("/robots.txt", "text/plain; charset=utf-8", b"User-agent: *"),
        ("/dot.png", "image/png", b"\x89PNG\r\n\x1a\n"),
        (
            "/pkg/leadpulse_core_bg.wasm",
            "application/wasm",
            WASM_BYTES,
        ),
        (
            "/pkg/leadpulse.js",
            "text/javascript; charset=utf-8",
            b"// tracker",
        ),
    ];
    for (target, content_type, body) in cases {
        let reply = server.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{target}");
        assert_eq!(reply.body, body, "{target}");
        assert_eq!(reply.header("content-security-policy"), None, "{target}");
    }
    for missing in [
        "/nope",
        "/nope.js",
        "/pricing/",
        "/pkg/nope.wasm",
        "/app.js/",
    ] {
        assert_eq!(server.get(missing).status, 404, "{missing}");
    }

    let head = server.raw(b"HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("17"))
    );
    assert!(head.body.is_empty(), "HEAD has no body");
    let post = server.raw(b"POST /index.html HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        (post.status, post.header("allow")),
        (405, Some("GET, HEAD"))
    );
    assert_eq!(server.raw(b"nonsense\r\n\r\n").status, 400);
}

#[test]
fn refuses_paths_outside_www_and_pkg() {
    let dir = site("traversal");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("www/link.txt")).unwrap();
    let server = Server::start(&dir, &[]);
    for target in [
        "/../secret.txt",
        "/pkg/../secret.txt",
        "/pkg/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/pkg/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/./../secret.txt",
        "/link.txt",
        "/secret",
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 404, "{target}");
        assert!(
            !reply.text().contains(SECRET_MARKER),
            "{target} leaked the file"
        );
    }
}

#[test]
fn adds_the_content_security_policy_to_html_only() {
    let policy = "script-src 'self' 'wasm-unsafe-eval'";
    let server = Server::start(&site("csp"), &["--csp", policy]);
    assert_eq!(
        server.get("/").header("content-security-policy"),
        Some(policy)
    );
    assert_eq!(
        server.get("/pricing").header("content-security-policy"),
        Some(policy)
    );
    assert_eq!(
        server.get("/app.js").header("content-security-policy"),
        None
    );
}

#[test]
fn serves_the_model_from_the_flag_or_www_or_the_builtin() {
    let dir = site("model");
    let builtin = Server::start(&dir, &[]).get("/model.json");
    assert_eq!(builtin.status, 200);
    assert_eq!(builtin.header("content-type"), Some("application/json"));
    assert_eq!(builtin.body, BUILTIN_JSON.as_bytes());

    let mut from_www: Value = serde_json::from_str(BUILTIN_JSON).unwrap();
    from_www["name"] = json!("from-www");
    std::fs::write(dir.join("www/model.json"), from_www.to_string()).unwrap();
    let reply = Server::start(&dir, &[]).get("/model.json");
    assert_eq!((reply.status, reply.json()), (200, from_www));

    // A valid model that differs from the built-in one, under a name that is not *.json.
    let mut custom: Value = serde_json::from_str(BUILTIN_JSON).unwrap();
    custom["name"] = json!("from-the-flag");
    let model = dir.join("custom-model.txt");
    std::fs::write(&model, custom.to_string()).unwrap();
    let server = Server::start(&dir, &["--model", model.to_str().unwrap()]);
    let reply = server.get("/model.json");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!((reply.status, reply.json()), (200, custom));
    // The browser build's compiled model of the same document.
    let compiled = server.get("/model.lpm");
    assert_eq!(compiled.status, 200);
    let decoded = leadpulse::core::model::compiled::decode_text(&compiled.text()).unwrap();
    assert_eq!(decoded.name, "from-the-flag");
}

#[test]
fn compresses_and_lets_browsers_cache_with_validators() {
    let dir = site("static-cache");
    // A package file large enough to be worth compressing.
    let big = "export const table = [".to_string() + &"1, 2, 3, 4, 5, ".repeat(400) + "];\n";
    std::fs::write(dir.join("pkg/big.js"), &big).unwrap();
    let server = Server::start(&dir, &["--rate-limit", "off"]);
    for (accept, encoding) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let reply = server.request("GET", "/pkg/big.js", &[("Accept-Encoding", accept)], b"");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding"), encoding, "{accept}");
        if encoding.is_some() {
            assert!(
                reply.body.len() * 10 < big.len(),
                "{accept}: {} bytes",
                reply.body.len()
            );
        } else {
            assert_eq!(reply.body, big.as_bytes());
        }
    }
    // Pages are checked every time, the package after five minutes; both have a validator.
    let page = server.get("/pricing");
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    let package = server.get("/pkg/big.js");
    assert_eq!(
        package.header("cache-control"),
        Some("public, max-age=300, must-revalidate")
    );
    let modified = package
        .header("last-modified")
        .expect("Last-Modified")
        .to_string();
    let again = server.request(
        "GET",
        "/pkg/big.js",
        &[("If-Modified-Since", &modified)],
        b"",
    );
    assert_eq!((again.status, again.body.len()), (304, 0));
    // The compiled model: its hash is its ETag.
    let model = server.get("/model.lpm");
    let etag = model.header("etag").expect("ETag").to_string();
    assert_eq!(model.header("cache-control"), Some("no-cache"));
    let same = server.request("GET", "/model.lpm", &[("If-None-Match", &etag)], b"");
    assert_eq!((same.status, same.body.len()), (304, 0));
}

#[test]
fn a_form_sent_in_the_address_is_refused_not_processed() {
    let server = Server::start(&site("static-form-get"), &["--rate-limit", "off"]);
    let reply = server.get("/pricing?leadpulse-form=demo&name=Dana&email=dana%40acme.example");
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("was not sent"), "{}", reply.text());
    assert!(
        !reply.text().contains("dana"),
        "the page does not echo the data"
    );
    assert!(server.leads_at("/api/leads?rejected=true").is_empty());
    assert_eq!(server.get("/pricing?utm_source=news").status, 200);
}
