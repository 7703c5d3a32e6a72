//! One-time codes: wrong codes, attempt limits, rate limits, visitors.

use crate::harness::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn wrong_codes_are_refused_and_five_strikes_burn_the_code() {
    let app = spawn_app().await;
    let phone = "+8613800000010";
    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    let good = app.otp_for(phone).await;
    let wrong = if good == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": wrong })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["error"]["code"], "OTP_INVALID");
    }
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": good })).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b["error"]["code"], "OTP_TOO_MANY_ATTEMPTS");
}

#[tokio::test]
async fn codes_expire_and_are_single_use() {
    let app = spawn_app().await;
    let phone = "+8613800000011";
    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    let code = app.otp_for(phone).await;
    app.clock.advance(jiff::SignedDuration::from_mins(6));
    let (_, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(b["error"]["code"], "OTP_EXPIRED");

    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    let code = app.otp_for(phone).await;
    let (s, _) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(b["error"]["code"], "OTP_NOT_REQUESTED");
}

#[tokio::test]
async fn sending_is_rate_limited_per_phone() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let (s, _) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "+8613800000012" })).await;
        assert_eq!(s, StatusCode::ACCEPTED);
    }
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "+8613800000012" })).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b["error"]["code"], "OTP_RATE_LIMITED");
    let (s, _) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "+8613800000013" })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "another phone is not affected");
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    let (s, _) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "+8613800000012" })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "the window has passed");
}

#[tokio::test]
async fn visitors_sign_in_by_email_with_a_passport() {
    let app = spawn_app().await;
    let email = "anna@example.org";
    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": email })).await;
    let code = app.otp_for(email).await;
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": email, "code": code })).await;
    assert_eq!(b["error"]["code"], "VISITOR_DOCUMENT_REQUIRED", "{s}");

    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": email })).await;
    let code = app.otp_for(email).await;
    let visitor = json!({ "name": "Anna Schmidt", "document_type": "passport", "document_number": "C01X00T47", "district": "330106" });
    let (s, b) = app
        .post_json("/api/v1/auth/otp/verify", None, json!({ "contact": email, "code": code, "visitor": visitor }))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let token = b["token"].as_str().unwrap();
    // Identity came with the sign-in, so the declaration needs only health fields.
    let (s, b) =
        app.post_json("/api/v1/declarations", Some(token), json!({ "temperature_c": 36.7, "symptoms": [] })).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, code) = app.get_json("/api/v1/me/code", Some(token)).await;
    assert_eq!(code["colour"], "green");
}
