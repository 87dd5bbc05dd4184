//! Integration tests of the generated `highlevel-calendars` client against a
//! real HTTP server on 127.0.0.1 (wiremock). No test needs the internet.

mod common;
use common::update_request;

use highlevel_calendars::chrono::{DateTime, FixedOffset};
use highlevel_calendars::{
    BadRequestError, BlockSlot, BuildError, Client, Error, UnauthorizedError,
    UnprocessableEntityError, UpdateBlockSlotError,
};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A token that must never show up in any `Debug` or `Display` output.
const TOKEN: &str = "sentinel-token-3f9a";

const PATH_PREFIX: &str = "/calendars/events/block-slots/";

type CallResult = Result<BlockSlot, Error<UpdateBlockSlotError>>;

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .build()
        .expect("a client for the mock server builds")
}

/// The default policy's attempts, with waits short enough for tests.
fn fast_retries() -> highlevel_calendars::RetryPolicy {
    highlevel_calendars::RetryPolicy {
        initial_backoff: std::time::Duration::from_millis(1),
        max_backoff: std::time::Duration::from_millis(5),
        ..Default::default()
    }
}

fn expected_request_body() -> Value {
    json!({
        "calendarId": "CVokAlI8fgw4WYWoCtQz",
        "locationId": "C2QujeCh8ZnC7al2InWR",
        "title": "Test Event",
        "startTime": "2021-06-23T03:30:00+05:30",
        "endTime": "2021-06-23T04:30:00+05:30"
    })
}

fn block_slot_body() -> Value {
    json!({
        "id": "0TkCdp9PfvLeWKYRRvIz",
        "locationId": "C2QujeCh8ZnC7al2InWR",
        "title": "My event",
        "startTime": "2021-06-23T03:30:00+05:30",
        "endTime": "2021-06-23T04:30:00+05:30",
        "calendarId": "CVokAlI8fgw4WYWoCtQz",
        "assignedUserId": "0007BWpSzSwfiuSl0tR2",
        "someUnknownField": 1
    })
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        serde_json::to_vec(body).expect("a JSON value serializes"),
        "application/json",
    )
}

/// Starts a server answering every request with `response`.
async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// Calls `update_block_slot` once against a server answering `response`.
async fn call_answered_by(response: ResponseTemplate) -> (MockServer, CallResult) {
    let server = server_answering(response).await;
    let result = client_for(&server)
        .update_block_slot("evt-1", &update_request())
        .await;
    (server, result)
}

/// The token must not leak through an error's `Debug` or `Display`.
fn assert_token_not_in<T: std::fmt::Debug + std::fmt::Display>(error: &T) {
    let debug = format!("{error:?}");
    let display = format!("{error}");
    assert!(
        !debug.contains(TOKEN),
        "the token leaks through Debug: {debug}"
    );
    assert!(
        !display.contains(TOKEN),
        "the token leaks through Display: {display}"
    );
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> Vec<&'a str> {
    request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("header value is visible ASCII"))
        .collect()
}

fn expected_block_slot() -> BlockSlot {
    BlockSlot::new(
        "0TkCdp9PfvLeWKYRRvIz".to_string(),
        "C2QujeCh8ZnC7al2InWR".to_string(),
        "My event".to_string(),
        "2021-06-23T03:30:00+05:30".parse().expect("parses"),
        "2021-06-23T04:30:00+05:30".parse().expect("parses"),
    )
    .with_calendar_id("CVokAlI8fgw4WYWoCtQz".to_string())
    .with_assigned_user_id("0007BWpSzSwfiuSl0tR2".to_string())
}

// 1. The exact request.

#[tokio::test]
async fn sends_exact_request_with_event_id_as_one_encoded_segment() {
    let server = server_answering(json_response(200, &block_slot_body())).await;
    let client = client_for(&server);
    let cases = [
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("é", "%C3%A9"),
        ("x y+z%", "x%20y%2Bz%25"),
    ];
    for (event_id, _) in cases {
        let slot = client
            .update_block_slot(event_id, &update_request())
            .await
            .unwrap_or_else(|e| panic!("update_block_slot({event_id:?}) failed: {e}"));
        assert_eq!(slot, expected_block_slot());
    }

    let received = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert_eq!(received.len(), cases.len(), "one request per call");
    for (request, (event_id, encoded)) in received.iter().zip(cases) {
        assert_eq!(request.method.as_str(), "PUT", "method for {event_id:?}");
        assert_eq!(
            request.url.path(),
            format!("{PATH_PREFIX}{encoded}"),
            "raw path for {event_id:?}"
        );
        assert_eq!(request.url.query(), None, "no query for {event_id:?}");
        assert_eq!(
            header(request, "authorization"),
            [format!("Bearer {TOKEN}").as_str()]
        );
        assert_eq!(header(request, "version"), ["2021-04-15"]);
        assert_eq!(header(request, "content-type"), ["application/json"]);
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {}",
                String::from_utf8_lossy(&request.body)
            )
        });
        assert_eq!(body, expected_request_body(), "body for {event_id:?}");
    }
}

// 2. Successful answers.

#[tokio::test]
async fn ok_200_parses_block_slot_and_keeps_offset() {
    let (_server, result) = call_answered_by(json_response(200, &block_slot_body())).await;
    let slot = result.expect("200 is a success");

    assert_eq!(slot, expected_block_slot());
    // `DateTime` equality compares instants only; check the offset itself.
    assert_eq!(
        slot.start_time.offset().local_minus_utc(),
        5 * 3600 + 30 * 60
    );
    assert_eq!(slot.end_time.offset().local_minus_utc(), 5 * 3600 + 30 * 60);
    assert_eq!(
        serde_json::to_string(&slot.start_time).expect("serializes"),
        "\"2021-06-23T03:30:00+05:30\""
    );
    let mut known_fields = block_slot_body();
    known_fields
        .as_object_mut()
        .expect("an object")
        .remove("someUnknownField");
    assert_eq!(
        serde_json::to_value(&slot).expect("serializes"),
        known_fields
    );
}

#[tokio::test]
async fn created_201_counts_as_success() {
    let server = server_answering(json_response(201, &block_slot_body())).await;
    let response = client_for(&server)
        .update_block_slot("evt-1", &update_request())
        .send_with_response()
        .await
        .expect("201 is a success");
    assert_eq!(response.status(), 201);
    assert_eq!(response.body(), &expected_block_slot());
    let start: DateTime<FixedOffset> = response.into_body().start_time;
    assert_eq!(start.to_rfc3339(), "2021-06-23T03:30:00+05:30");
}

// 3. Declared error statuses.

#[tokio::test]
async fn bad_request_400_is_typed() {
    let body = json!({"statusCode": 400, "message": "Bad Request"});
    let (_server, result) = call_answered_by(json_response(400, &body)).await;
    let error = result.expect_err("400 is an error");
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(400));
    match error {
        Error::Api {
            status,
            body: UpdateBlockSlotError::BadRequest(body),
            retries: 0,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(
                body,
                BadRequestError::new()
                    .with_status_code(400)
                    .with_message("Bad Request".to_string())
            );
        }
        other => panic!("expected Error::Api with BadRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn unauthorized_401_is_typed() {
    let body = json!({
        "statusCode": 401,
        "message": "Invalid token: access token is invalid",
        "error": "Unauthorized"
    });
    let (_server, result) = call_answered_by(json_response(401, &body)).await;
    let error = result.expect_err("401 is an error");
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(401));
    match error {
        Error::Api {
            status,
            body: UpdateBlockSlotError::Unauthorized(body),
            retries: 0,
            ..
        } => {
            assert_eq!(status, 401);
            assert_eq!(
                body,
                UnauthorizedError::new()
                    .with_status_code(401)
                    .with_message("Invalid token: access token is invalid".to_string())
                    .with_error("Unauthorized".to_string())
            );
        }
        other => panic!("expected Error::Api with Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn unprocessable_entity_422_is_typed() {
    let body = json!({
        "statusCode": 422,
        "message": ["title must be a string"],
        "error": "Unprocessable Entity"
    });
    let (_server, result) = call_answered_by(json_response(422, &body)).await;
    let error = result.expect_err("422 is an error");
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(422));
    match error {
        Error::Api {
            status,
            body: UpdateBlockSlotError::UnprocessableEntity(body),
            retries: 0,
            ..
        } => {
            assert_eq!(status, 422);
            assert_eq!(
                body,
                UnprocessableEntityError::new()
                    .with_status_code(422)
                    .with_message(vec!["title must be a string".to_string()])
                    .with_error("Unprocessable Entity".to_string())
            );
        }
        other => panic!("expected Error::Api with UnprocessableEntity, got {other:?}"),
    }
}

// 4. HTML bodies.

const HTML: &str = "<html><body>Bad Gateway</body></html>";

#[tokio::test]
async fn undeclared_502_with_html_is_unexpected_status() {
    let (server, result) =
        call_answered_by(ResponseTemplate::new(502).set_body_raw(HTML, "text/html")).await;
    let error = result.expect_err("502 is an error");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(502));
    assert!(
        error.to_string().contains("Bad Gateway"),
        "Display shows the snippet: {error}"
    );
    match error {
        Error::UnexpectedStatus {
            status,
            snippet,
            retries,
            ..
        } => {
            assert_eq!(status, 502);
            assert_eq!(snippet, HTML);
            // 502 is retried for an idempotent PUT: three attempts in all.
            assert_eq!(retries, 2);
        }
        other => panic!("expected Error::UnexpectedStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn ok_200_with_html_is_decode_error() {
    let (_server, result) =
        call_answered_by(ResponseTemplate::new(200).set_body_raw(HTML, "text/html")).await;
    let error = result.expect_err("an HTML body is not a BlockSlot");
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(200));
    match error {
        Error::Decode {
            status, snippet, ..
        } => {
            assert_eq!(status, 200);
            assert_eq!(snippet, HTML);
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

// 5. Event ids that would address another endpoint.

#[tokio::test]
async fn empty_and_dot_event_ids_are_refused_before_sending() {
    let server = server_answering(json_response(200, &block_slot_body())).await;
    let client = client_for(&server);
    for event_id in ["", ".", ".."] {
        let error = client
            .update_block_slot(event_id, &update_request())
            .await
            .expect_err("the call is refused");
        assert_token_not_in(&error);
        assert_eq!(error.status(), None);
        match error {
            Error::InvalidRequest(why) => {
                assert!(why.contains("eventId"), "names the parameter: {why}");
            }
            other => panic!("expected Error::InvalidRequest for {event_id:?}, got {other:?}"),
        }
    }
    let received = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert!(
        received.is_empty(),
        "the server received {} request(s): {:?}",
        received.len(),
        received
            .iter()
            .map(|r| r.url.path().to_string())
            .collect::<Vec<_>>()
    );
}

// 6. The token stays secret.

#[tokio::test]
async fn token_not_in_debug_of_client_or_builder() {
    let server = MockServer::start().await;
    let builder = Client::builder().bearer_token(TOKEN).base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    assert!(
        !builder_debug.contains(TOKEN),
        "builder Debug leaks the token: {builder_debug}"
    );
    assert!(
        builder_debug.contains(&server.uri()),
        "builder Debug is a real rendering: {builder_debug}"
    );

    let client = builder.build().expect("builds");
    for debug in [format!("{client:?}"), format!("{client:#?}")] {
        assert!(
            !debug.contains(TOKEN),
            "client Debug leaks the token: {debug}"
        );
        assert!(
            debug.contains(&server.uri()),
            "client Debug is a real rendering: {debug}"
        );
    }
    let clone = client.clone();
    assert!(!format!("{clone:?}").contains(TOKEN));
}

// 7. Malformed tokens.

#[tokio::test]
async fn build_rejects_empty_or_malformed_token() {
    let server = MockServer::start().await;
    let space = format!("{TOKEN} x");
    let newline = format!("{TOKEN}\nx");
    let carriage_return = format!("{TOKEN}\r\nx");
    for token in [
        "",
        space.as_str(),
        newline.as_str(),
        carriage_return.as_str(),
    ] {
        let result = Client::builder()
            .bearer_token(token)
            .base_url(server.uri())
            .build();
        match result {
            Err(error @ BuildError::InvalidToken(_)) => assert_token_not_in(&error),
            Err(other) => panic!("expected BuildError::InvalidToken for {token:?}, got {other:?}"),
            Ok(client) => panic!("a client was built with token {token:?}: {client:?}"),
        }
    }
    // Control: the same builder accepts a well-formed token.
    Client::builder()
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .build()
        .expect("a well-formed token is accepted");
}

/// The client, and the futures of its operations, can cross threads: this
/// test would not compile otherwise.
#[test]
fn client_is_send_sync_clone_and_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    fn shared<T: Send + Sync + Clone>() {}
    shared::<Client>();
    let client = Client::builder()
        .build()
        .expect("the default client builds");
    let request = update_request();
    send(&client.update_block_slot("evt-1", &request).send());
    send(
        &client
            .update_block_slot("evt-1", &request)
            .send_with_response(),
    );
    send(&std::future::IntoFuture::into_future(
        client.delete_event("evt-1"),
    ));
    send(
        &client
            .list_blocked_slots("loc", "1", "2")
            .user_id("u")
            .timeout(std::time::Duration::from_secs(1))
            .header("x-trace", "t")
            .send(),
    );
}

#[tokio::test]
async fn builder_sends_exactly_the_optional_parameters_that_were_set() {
    let server = server_answering(json_response(200, &json!({ "events": [] }))).await;
    let client = client_for(&server);
    client
        .list_blocked_slots("loc-1", "100", "200")
        .group_id("grp 2")
        .user_id("usr-1")
        .await
        .expect("the list decodes");
    client
        .list_blocked_slots("loc-1", "100", "200")
        .await
        .expect("the list decodes");
    let requests = server.received_requests().await.expect("recording is on");
    let queries: Vec<_> = requests.iter().map(|r| r.url.query()).collect();
    assert_eq!(
        queries,
        [
            Some("locationId=loc-1&startTime=100&endTime=200&userId=usr-1&groupId=grp+2"),
            Some("locationId=loc-1&startTime=100&endTime=200"),
        ]
    );
}

#[tokio::test]
async fn per_call_timeout_overrides_the_clients() {
    let stalled = ResponseTemplate::new(200)
        .set_body_json(block_slot_body())
        .set_delay(std::time::Duration::from_secs(10));
    let server = server_answering(stalled).await;
    let client = Client::builder()
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .timeout(std::time::Duration::from_secs(30))
        .retry_policy(highlevel_calendars::RetryPolicy::none())
        .build()
        .expect("a client for the mock server builds");
    let started = std::time::Instant::now();
    let error = client
        .update_block_slot("evt-1", &update_request())
        .timeout(std::time::Duration::from_millis(200))
        .await
        .expect_err("the server stalls past the call's timeout");
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn per_call_headers_are_sent_and_invalid_ones_refused() {
    let server = server_answering(json_response(200, &block_slot_body())).await;
    let client = client_for(&server);
    client
        .update_block_slot("evt-1", &update_request())
        .header("X-Trace-Id", "trace-7")
        .header("version", "2099-01-01")
        .await
        .expect("the slot decodes");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    assert_eq!(header(&requests[0], "x-trace-id"), ["trace-7"]);
    // A per-call header replaces the operation's header of the same name.
    assert_eq!(header(&requests[0], "version"), ["2099-01-01"]);
    assert_eq!(
        header(&requests[0], "authorization"),
        [format!("Bearer {TOKEN}")]
    );

    let refused = [
        ("bad header name", "x"),
        ("x-ok", "bad\nvalue"),
        ("Authorization", "Bearer other"),
    ];
    for (name, value) in refused {
        let error = client
            .update_block_slot("evt-1", &update_request())
            .header(name, value)
            .await
            .expect_err("the header is refused");
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{name}: {error:?}"
        );
    }
    // Nothing more reached the server.
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
}

// 7. Escape hatches and what the server said.

#[tokio::test]
async fn a_custom_reqwest_client_is_used_and_auth_still_applies() {
    let server = server_answering(json_response(200, &block_slot_body())).await;
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-app", reqwest::header::HeaderValue::from_static("mine"));
    let http = reqwest::Client::builder()
        .default_headers(defaults)
        .user_agent("my-app/1.0")
        .build()
        .expect("the app's client builds");
    let client = Client::builder()
        .http_client(http)
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .build()
        .expect("a client on the app's reqwest client builds");
    assert!(!format!("{client:?}").contains(TOKEN));
    client
        .update_block_slot("evt-1", &update_request())
        .await
        .expect("the call succeeds");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    assert_eq!(header(&requests[0], "x-app"), ["mine"]);
    // The app's client's user agent, not the builder's.
    assert_eq!(header(&requests[0], "user-agent"), ["my-app/1.0"]);
    assert_eq!(
        header(&requests[0], "authorization"),
        [format!("Bearer {TOKEN}")]
    );
}

#[tokio::test]
async fn a_hand_built_request_goes_through_auth() {
    let server = server_answering(json_response(200, &json!({"ok": true}))).await;
    let client = client_for(&server);
    let answer = client
        .request(reqwest::Method::POST, "/custom/endpoint")
        .query("limit", "10 items")
        .header("x-trace", "t-1")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("the hand-built request succeeds");
    assert_eq!(answer.status(), 200);
    let body: Value = serde_json::from_slice(answer.body()).expect("the body is JSON");
    assert_eq!(body, json!({"ok": true}));
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/custom/endpoint");
    assert_eq!(request.url.query(), Some("limit=10+items"));
    assert_eq!(header(request, "x-trace"), ["t-1"]);
    assert_eq!(header(request, "content-type"), ["application/json"]);
    assert_eq!(
        header(request, "authorization"),
        [format!("Bearer {TOKEN}")]
    );
    let sent: Value = serde_json::from_slice(&request.body).expect("the body is JSON");
    assert_eq!(sent, json!({"name": "x"}));

    // Refused before anything is sent.
    for path in ["no-slash", "/a?b=c"] {
        let error = client
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect_err("the path is refused");
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    }
    let error = client
        .request(reqwest::Method::GET, "/x")
        .header("Authorization", "Bearer other")
        .send()
        .await
        .expect_err("Authorization is refused");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
}

#[tokio::test]
async fn error_bodies_and_headers_are_kept() {
    let body = json!({"statusCode": 400, "message": "Bad Request"});
    let (_server, result) = call_answered_by(
        json_response(400, &body)
            .insert_header("x-request-id", "req-123")
            .insert_header("x-custom", "kept"),
    )
    .await;
    let error = result.expect_err("400 is an error");
    assert_token_not_in(&error);
    assert!(matches!(error, Error::Api { status: 400, .. }), "{error:?}");
    assert_eq!(error.request_id(), Some("req-123"));
    assert!(error.to_string().contains("req-123"), "{error}");
    let headers = error.headers().expect("the headers are kept");
    assert_eq!(
        headers.get("x-custom").map(|v| v.as_bytes()),
        Some(&b"kept"[..])
    );
    let kept: Value =
        serde_json::from_slice(error.body_bytes().expect("the body is kept")).expect("JSON");
    assert_eq!(kept, body);
    let response = error.response().expect("the answer is kept");
    assert_eq!(response.status(), 400);
    assert_eq!(response.request_id(), Some("req-123"));
    assert!(format!("{response:?}").contains("Bad Request"));

    // The whole body, not only the snippet.
    let long = "x".repeat(5000);
    let (_server, result) =
        call_answered_by(ResponseTemplate::new(418).set_body_raw(long.clone(), "text/plain")).await;
    let error = result.expect_err("418 is an error");
    assert_eq!(error.body_bytes(), Some(long.as_bytes()));
    assert!(
        format!("{error}").len() < 2000,
        "Display quotes only a snippet"
    );
}

#[tokio::test]
async fn retry_after_reads_seconds_and_http_dates_from_errors() {
    let body = json!({"statusCode": 400, "message": "later"});
    let (_server, result) =
        call_answered_by(json_response(400, &body).insert_header("retry-after", "7")).await;
    let error = result.expect_err("400 is an error");
    assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(7)));

    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(120);
    let date = httpdate::fmt_http_date(later);
    let (_server, result) =
        call_answered_by(json_response(400, &body).insert_header("retry-after", date.as_str()))
            .await;
    let wait = result
        .expect_err("400 is an error")
        .retry_after()
        .expect("an HTTP date is read");
    assert!(
        wait > std::time::Duration::from_secs(100) && wait <= std::time::Duration::from_secs(120),
        "{wait:?}"
    );

    let (_server, result) = call_answered_by(
        json_response(400, &body).insert_header("retry-after", "99999999999999999999999"),
    )
    .await;
    assert_eq!(
        result.expect_err("400 is an error").retry_after(),
        Some(std::time::Duration::from_secs(u64::MAX)),
        "too many seconds saturate"
    );
}

/// Two operations with different error enums, one `?` each.
async fn update_then_delete(client: &Client) -> Result<(), highlevel_calendars::AnyError> {
    client.update_block_slot("evt-1", &update_request()).await?;
    client.delete_event("evt-1").await?;
    Ok(())
}

#[tokio::test]
async fn question_mark_works_across_operations_into_any_error() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("PUT"))
        .respond_with(json_response(200, &block_slot_body()))
        .mount(&server)
        .await;
    let body = json!({"statusCode": 400, "message": "cannot delete"});
    Mock::given(wiremock::matchers::method("DELETE"))
        .respond_with(json_response(400, &body).insert_header("x-request-id", "del-1"))
        .mount(&server)
        .await;
    let error = update_then_delete(&client_for(&server))
        .await
        .expect_err("the delete fails");
    assert_token_not_in(&error);
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.request_id(), Some("del-1"));
    match &error {
        Error::Api { body, .. } => {
            let typed = body
                .downcast_ref::<highlevel_calendars::DeleteEventError>()
                .expect("the delete's own error enum");
            assert!(
                matches!(typed, highlevel_calendars::DeleteEventError::BadRequest(_)),
                "{typed:?}"
            );
            assert!(body.downcast_ref::<UpdateBlockSlotError>().is_none());
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(error.to_string().contains("cannot delete"), "{error}");
}
