//! The OpenAPI document is served, covers the public contract, and the
//! committed copy in docs/openapi.json is fresh (HEALTHCODE_BLESS=1 rewrites it).

use crate::harness::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn openapi_document_is_served_complete_and_fresh() {
    let app = spawn_app().await;
    let (s, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    for path in
        ["/api/v1/declarations", "/api/v1/me/status", "/api/v1/me/code", "/api/v1/clock-ins", "/api/v1/trust-list"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("HEALTHCODE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&committed, &pretty).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        on_disk == pretty,
        "docs/openapi.json is stale: run HEALTHCODE_BLESS=1 cargo test -p healthcode-server openapi"
    );

    let resp = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "Swagger UI is served from the binary");
}
