//! Resilience tests of the generated `highlevel-calendars` client: retries,
//! rate limits, broken connections, timeouts, body limits, token refresh,
//! path encoding, redirects and secrecy of the token.
//!
//! Every test talks to [`FaultServer`], a small scripted HTTP/1.1 server on
//! 127.0.0.1 written for these tests: it records each raw request (request
//! line, headers, body) and answers per a script, including answers no
//! well-behaved server gives (a connection reset mid-body, a body that never
//! comes, an oversized or chunked body). wiremock would do for the plain
//! answers, but not for those faults nor for the raw request target, so one
//! harness serves every test. No test needs the internet.

mod common;
use common::update_request;

use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use highlevel_calendars::{
    BadRequestError, BlockSlot, Client, ClientBuilder, CreateBlockSlotRequest,
    CreateBlockSlotRequestCalendarIdOrAssignedUserId, Error, RateLimit, RetryPolicy, TokenFuture,
    TokenProvider, UnauthorizedError, UpdateBlockSlotError,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A token that must never show up in any `Debug`, `Display` or log output.
const SENTINEL: &str = "sentinel-3f9a-secret";

const PATH_PREFIX: &str = "/calendars/events/block-slots/";

/// Upper bound on any single call, so that a hang fails instead of blocking.
const CALL_LIMIT: Duration = Duration::from_secs(10);

type CallError = Error<UpdateBlockSlotError>;

// ---------------------------------------------------------------------------
// The fault-injecting server.

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Recorded {
    /// The raw request line, e.g. `PUT /calendars/events/block-slots/x HTTP/1.1`.
    request_line: String,
    method: String,
    /// The raw request target, exactly as sent.
    target: String,
    /// Header names lowercased, values as sent.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn authorization(&self) -> Option<&str> {
        match self.header("authorization").as_slice() {
            [] => None,
            [one] => Some(one),
            many => panic!("several Authorization headers: {many:?}"),
        }
    }
}

/// A well-formed answer.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Wait this long before answering.
    delay: Duration,
}

impl Reply {
    fn new(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    fn json(status: u16, body: &Value) -> Self {
        Reply::new(status)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).expect("a JSON value serializes"))
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
enum Behaviour {
    /// Answers normally; the connection stays open for the next request.
    Reply(Reply),
    /// A 200 head with `Content-Length: 1000`, 10 bytes of body, a pause so
    /// the client has the head, then a TCP reset (SO_LINGER 0).
    ResetMidBody,
    /// A 200 head with `Content-Length: 100`, then nothing, ever.
    StallAfterHeaders,
    /// A 200 with `Transfer-Encoding: chunked` (no `Content-Length`) that
    /// streams `total` bytes of JSON-ish text in chunks of `chunk` bytes.
    Chunked { chunk: usize, total: usize },
    /// These bytes as they are (head and body), then the connection closes.
    Raw(Vec<u8>),
}

impl From<Reply> for Behaviour {
    fn from(reply: Reply) -> Self {
        Behaviour::Reply(reply)
    }
}

type Responder = Arc<dyn Fn(&Recorded, usize) -> Behaviour + Send + Sync>;

struct FaultServer {
    addr: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl FaultServer {
    /// Answers each request with `responder(request, index)`, where `index`
    /// counts requests from 0 across all connections.
    async fn start(
        responder: impl Fn(&Recorded, usize) -> Behaviour + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a port on 127.0.0.1");
        let addr = listener.local_addr().expect("has a local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Responder = Arc::new(responder);
        let accept_loop = tokio::spawn({
            let requests = Arc::clone(&requests);
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    tokio::spawn(serve_connection(
                        stream,
                        Arc::clone(&requests),
                        Arc::clone(&responder),
                    ));
                }
            }
        });
        FaultServer {
            addr,
            requests,
            accept_loop,
        }
    }

    /// Answers the i-th request with `script[i]`, and every request past the
    /// end of the script with its last entry.
    async fn sequence(script: Vec<Behaviour>) -> Self {
        assert!(!script.is_empty(), "a script needs at least one behaviour");
        FaultServer::start(move |_, index| script[index.min(script.len() - 1)].clone()).await
    }

    async fn always(behaviour: impl Into<Behaviour>) -> Self {
        FaultServer::sequence(vec![behaviour.into()]).await
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("not poisoned").clone()
    }

    fn count(&self) -> usize {
        self.requests.lock().expect("not poisoned").len()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Reads requests off one connection and answers them until the client
/// closes it or a behaviour ends it.
async fn serve_connection(
    mut stream: TcpStream,
    requests: Arc<Mutex<Vec<Recorded>>>,
    responder: Responder,
) {
    let mut buffer = Vec::new();
    let mut scratch = [0u8; 8192];
    loop {
        // The head.
        let head_end = loop {
            if let Some(position) = find(&buffer, b"\r\n\r\n") {
                break position;
            }
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&scratch[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        let content_length = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .map_or(0, |(_, value)| {
                value.parse::<usize>().expect("Content-Length is a number")
            });
        // The body.
        let body_start = head_end + 4;
        while buffer.len() < body_start + content_length {
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&scratch[..n]),
            }
        }
        let body = buffer[body_start..body_start + content_length].to_vec();
        buffer.drain(..body_start + content_length);

        let recorded = Recorded {
            request_line,
            method,
            target,
            headers,
            body,
        };
        let index = {
            let mut requests = requests.lock().expect("not poisoned");
            requests.push(recorded.clone());
            requests.len() - 1
        };
        match responder(&recorded, index) {
            Behaviour::Reply(reply) => {
                if !reply.delay.is_zero() {
                    tokio::time::sleep(reply.delay).await;
                }
                let mut out = format!(
                    "HTTP/1.1 {} Scripted\r\ncontent-length: {}\r\n",
                    reply.status,
                    reply.body.len()
                );
                for (name, value) in &reply.headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str("\r\n");
                let mut out = out.into_bytes();
                out.extend_from_slice(&reply.body);
                if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
            }
            Behaviour::ResetMidBody => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(br#"{"id":"ab"#).await;
                let _ = stream.flush().await;
                // Let the client read the head and start on the body.
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = stream.set_zero_linger();
                drop(stream);
                return;
            }
            Behaviour::StallAfterHeaders => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.flush().await;
                // Keep the connection open and silent until the test ends.
                std::future::pending::<()>().await;
            }
            Behaviour::Raw(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                return;
            }
            Behaviour::Chunked { chunk, total } => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut sent = 0;
                while sent < total {
                    let size = chunk.min(total - sent);
                    let mut frame = format!("{size:X}\r\n").into_bytes();
                    frame.extend(std::iter::repeat(b'x').take(size));
                    frame.extend_from_slice(b"\r\n");
                    if stream.write_all(&frame).await.is_err() {
                        return;
                    }
                    sent += size;
                }
                if stream.write_all(b"0\r\n\r\n").await.is_err() {
                    return;
                }
                let _ = stream.flush().await;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers.

/// The default number of attempts, with waits short enough for tests.
fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_total_wait: Duration::from_secs(30),
    }
}

fn builder_for(server: &FaultServer) -> ClientBuilder {
    Client::builder()
        .bearer_token(SENTINEL)
        .base_url(server.url())
        .retry_policy(fast_retries(3))
}

fn client_for(server: &FaultServer) -> Client {
    builder_for(server)
        .build()
        .expect("a client for the fault server builds")
}

fn block_slot_body() -> Value {
    json!({
        "id": "0TkCdp9PfvLeWKYRRvIz",
        "locationId": "C2QujeCh8ZnC7al2InWR",
        "title": "My event",
        "startTime": "2021-06-23T03:30:00+05:30",
        "endTime": "2021-06-23T04:30:00+05:30",
        "calendarId": "CVokAlI8fgw4WYWoCtQz",
        "assignedUserId": "0007BWpSzSwfiuSl0tR2"
    })
}

fn expected_block_slot() -> BlockSlot {
    serde_json::from_value(block_slot_body()).expect("the fixture is a BlockSlot")
}

fn ok_reply() -> Reply {
    Reply::json(200, &block_slot_body())
}

fn unauthorized_body() -> Value {
    json!({"statusCode": 401, "message": "Invalid token", "error": "Unauthorized"})
}

/// Runs `future`, failing the test if it takes longer than [`CALL_LIMIT`].
async fn bounded<F: IntoFuture>(future: F) -> F::Output {
    tokio::time::timeout(CALL_LIMIT, future)
        .await
        .expect("the call finished within the time limit")
}

/// Sends `update_block_slot("evt-1", ..)` with the response, timing it.
async fn call(
    client: &Client,
) -> (
    Result<highlevel_calendars::Response<BlockSlot>, CallError>,
    Duration,
) {
    let started = Instant::now();
    let result = bounded(
        client
            .update_block_slot("evt-1", &update_request())
            .send_with_response(),
    )
    .await;
    (result, started.elapsed())
}

/// `secret` appears in neither the `Debug` nor the `Display` of `value`.
fn assert_secret_not_in<T: std::fmt::Debug + std::fmt::Display>(value: &T, secret: &str) {
    let debug = format!("{value:?}");
    let pretty = format!("{value:#?}");
    let display = format!("{value}");
    for (how, text) in [("Debug", debug), ("{:#?}", pretty), ("Display", display)] {
        assert!(
            !text.contains(secret),
            "the secret leaks through {how}: {text}"
        );
    }
}

fn assert_no_leak(error: &CallError) {
    assert_secret_not_in(error, SENTINEL);
}

// ---------------------------------------------------------------------------
// 1-5. Retried statuses and rate limits.

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server =
        FaultServer::sequence(vec![Reply::new(503).body("busy").into(), ok_reply().into()]).await;
    let (result, _) = call(&client_for(&server)).await;
    let response = result.expect("the retry succeeds");
    assert_eq!(response.status(), 200);
    assert_eq!(response.retries(), 1);
    assert_eq!(response.body(), &expected_block_slot());
    assert_eq!(server.count(), 2);
    assert_secret_not_in(&format!("{response:?}"), SENTINEL);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured_on_429() {
    let server = FaultServer::sequence(vec![
        Reply::new(429).header("Retry-After", "1").into(),
        ok_reply().into(),
    ])
    .await;
    let (result, elapsed) = call(&client_for(&server)).await;
    let response = result.expect("the retry succeeds");
    assert_eq!(response.retries(), 1);
    assert_eq!(server.count(), 2);
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed <= Duration::from_secs(3),
        "Retry-After: 1 should make the call take about 1 s, took {elapsed:?}"
    );
}

#[tokio::test]
async fn rate_limit_interval_is_the_wait_on_429_without_retry_after() {
    let server = FaultServer::sequence(vec![
        Reply::new(429)
            .header("X-RateLimit-Interval-Milliseconds", "50")
            .into(),
        ok_reply().into(),
    ])
    .await;
    let (result, elapsed) = call(&client_for(&server)).await;
    let response = result.expect("the retry succeeds");
    assert_eq!(response.retries(), 1);
    assert_eq!(server.count(), 2);
    // The backoff alone is at most 5 ms; the interval is 50 ms.
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < Duration::from_secs(2),
        "the 50 ms interval should be waited, took {elapsed:?}"
    );
}

#[tokio::test]
async fn daily_quota_exhausted_fails_at_once() {
    let server = FaultServer::always(
        Reply::new(429)
            .header("X-RateLimit-Daily-Remaining", "0")
            .header("Retry-After", "100"),
    )
    .await;
    let (result, elapsed) = call(&client_for(&server)).await;
    let error = result.expect_err("429 with no daily quota left is an error");
    assert_no_leak(&error);
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    assert_eq!(
        server.count(),
        1,
        "no retry when the daily quota is used up"
    );
    assert_eq!(error.status(), Some(429));
    match error {
        Error::RateLimited {
            rate_limit,
            retry_after,
            retries,
            ..
        } => {
            assert_eq!(rate_limit.daily_remaining, Some(0));
            assert!(rate_limit.daily_exhausted());
            assert_eq!(retry_after, Some(Duration::from_secs(100)));
            assert_eq!(retries, 0);
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn persistent_429_gives_rate_limited_with_parsed_headers() {
    let server = FaultServer::always(
        Reply::new(429)
            .header("X-RateLimit-Max", "100")
            .header("X-RateLimit-Remaining", "0")
            .header("X-RateLimit-Limit-Daily", "200000")
            .header("X-RateLimit-Daily-Remaining", "199990")
            .header("X-RateLimit-Interval-Milliseconds", "10"),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("429 every time is an error");
    assert_no_leak(&error);
    assert_eq!(server.count(), 3, "max_attempts is 3");
    assert_eq!(error.retries(), 2);
    match error {
        Error::RateLimited {
            rate_limit,
            retry_after,
            retries,
            ..
        } => {
            assert_eq!(
                rate_limit,
                RateLimit {
                    daily_limit: Some(200_000),
                    daily_remaining: Some(199_990),
                    interval: Some(Duration::from_millis(10)),
                    max: Some(100),
                    remaining: Some(0),
                }
            );
            assert!(!rate_limit.daily_exhausted());
            assert_eq!(retry_after, None, "the server sent no Retry-After");
            assert_eq!(retries, 2);
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
}

// 6. Connections reset mid-body.

#[tokio::test]
async fn reset_mid_body_every_time_is_transport_after_all_attempts() {
    let server = FaultServer::always(Behaviour::ResetMidBody).await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("a body that never completes is an error");
    assert_no_leak(&error);
    assert_eq!(error.status(), None);
    match &error {
        Error::Transport { source, retries } => {
            assert!(!source.is_timeout(), "not a timeout: {source:?}");
            assert_eq!(*retries, 2, "max_attempts is 3");
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert_eq!(server.count(), 3, "an idempotent PUT is retried");
}

#[tokio::test]
async fn reset_mid_body_once_then_succeeds() {
    let server = FaultServer::sequence(vec![Behaviour::ResetMidBody, ok_reply().into()]).await;
    let (result, _) = call(&client_for(&server)).await;
    let response = result.expect("the retry after the reset succeeds");
    assert_eq!(response.retries(), 1);
    assert_eq!(response.body(), &expected_block_slot());
    assert_eq!(server.count(), 2);
}

/// What the runtime does today with a reset mid-body, without retries, so
/// that the error kind is pinned even while the retry tests above fail.
#[tokio::test]
async fn reset_mid_body_without_retries_is_transport() {
    let server = FaultServer::always(Behaviour::ResetMidBody).await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds");
    let (result, _) = call(&client).await;
    let error = result.expect_err("a body that never completes is an error");
    assert_no_leak(&error);
    match &error {
        Error::Transport { source, retries } => {
            assert!(!source.is_timeout(), "not a timeout: {source:?}");
            assert_eq!(*retries, 0);
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

// 7. A body that never comes.

#[tokio::test]
async fn stalled_body_times_out() {
    let server = FaultServer::always(Behaviour::StallAfterHeaders).await;
    let client = builder_for(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds");
    let (result, elapsed) = call(&client).await;
    let error = result.expect_err("a stalled body is an error");
    assert_no_leak(&error);
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "the 300 ms timeout should end the call, took {elapsed:?}"
    );
    match &error {
        Error::Timeout { source, retries } => {
            assert!(source.is_timeout(), "{source:?}");
            assert_eq!(*retries, 0);
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

// 7b. The call's deadline: attempts and waits together.

#[tokio::test]
async fn a_stalled_body_ends_at_the_call_s_deadline() {
    let server = FaultServer::always(Behaviour::StallAfterHeaders).await;
    // The attempt's own timeout (30 s) is far away: the deadline ends it.
    let client = client_for(&server);
    let started = Instant::now();
    let result = bounded(
        client
            .update_block_slot("evt-1", &update_request())
            .deadline(Duration::from_millis(300)),
    )
    .await;
    let elapsed = started.elapsed();
    let error = result.expect_err("a stalled body passes the deadline");
    assert_no_leak(&error);
    match &error {
        Error::Deadline { deadline, retries } => {
            assert_eq!(*deadline, Duration::from_millis(300));
            assert_eq!(*retries, 0);
        }
        other => panic!("expected Error::Deadline, got {other:?}"),
    }
    assert!(error.to_string().contains("deadline of 300 ms"), "{error}");
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "the deadline ends the call, took {elapsed:?}"
    );
}

#[tokio::test]
async fn the_deadline_passes_across_retries() {
    // Every answer is a 503 that takes 300 ms: the deadline passes during
    // the second attempt, though the policy allows ten.
    let server = FaultServer::always(Reply::new(503).delay(Duration::from_millis(300))).await;
    let client = builder_for(&server)
        .retry_policy(fast_retries(10))
        .deadline(Duration::from_millis(500))
        .build()
        .expect("builds");
    let (result, _) = call(&client).await;
    match result.expect_err("the deadline passes") {
        Error::Deadline { retries, .. } => assert_eq!(retries, 1),
        other => panic!("expected Error::Deadline, got {other:?}"),
    }
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_wait_past_the_deadline_returns_the_last_answer() {
    let server = FaultServer::always(Reply::new(503).header("Retry-After", "5")).await;
    let client = builder_for(&server)
        .deadline(Duration::from_secs(2))
        .build()
        .expect("builds");
    let (result, elapsed) = call(&client).await;
    match result.expect_err("503") {
        Error::UnexpectedStatus {
            status, retries, ..
        } => {
            assert_eq!(status, 503);
            assert_eq!(retries, 0, "a 5 s wait does not fit in a 2 s deadline");
        }
        other => panic!("expected Error::UnexpectedStatus, got {other:?}"),
    }
    assert!(elapsed < Duration::from_secs(2), "no wait: {elapsed:?}");
    assert_eq!(server.count(), 1);
}

// 7c. Compressed answers (the generated crate's default features).

#[tokio::test]
async fn gzip_answers_are_asked_for_and_decompressed() {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let json = serde_json::to_vec(&block_slot_body()).expect("serializes");
    encoder.write_all(&json).expect("compresses");
    let gzipped = encoder.finish().expect("compresses");
    let server = FaultServer::always(
        Reply::new(200)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gzipped),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    assert_eq!(result.expect("decompressed").body(), &expected_block_slot());
    let asked = server.requests()[0].header("accept-encoding").join(", ");
    assert!(asked.contains("gzip") && asked.contains("br"), "{asked}");
}

// 8. Oversized bodies.

#[tokio::test]
async fn body_over_limit_with_content_length_is_refused() {
    let server = FaultServer::start(|request, _| {
        if request.target.ends_with("/small") {
            ok_reply().into()
        } else {
            Reply::new(200)
                .header("Content-Type", "application/json")
                .body(vec![b' '; 4096])
                .into()
        }
    })
    .await;
    let client = builder_for(&server)
        .max_body_bytes(1024)
        .build()
        .expect("builds");

    // Control: a body under the limit is accepted by the same client.
    let slot = bounded(client.update_block_slot("small", &update_request()))
        .await
        .expect("a body under the limit is fine");
    assert_eq!(slot, expected_block_slot());

    let (result, _) = call(&client).await;
    let error = result.expect_err("4096 bytes is over the limit");
    assert_no_leak(&error);
    match error {
        Error::BodyTooLarge { status, limit } => {
            assert_eq!(status, 200);
            assert_eq!(limit, 1024);
        }
        other => panic!("expected Error::BodyTooLarge, got {other:?}"),
    }
    assert_eq!(server.count(), 2, "an oversized body is not retried");
}

#[tokio::test]
async fn chunked_body_over_limit_is_refused() {
    let server = FaultServer::always(Behaviour::Chunked {
        chunk: 256,
        total: 64 * 1024,
    })
    .await;
    let client = builder_for(&server)
        .max_body_bytes(1024)
        .build()
        .expect("builds");
    let (result, _) = call(&client).await;
    let error = result.expect_err("64 KiB is over the limit");
    assert_no_leak(&error);
    match error {
        Error::BodyTooLarge { status, limit } => {
            assert_eq!(status, 200);
            assert_eq!(limit, 1024);
        }
        other => panic!("expected Error::BodyTooLarge, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

// 9-10. Bodies that are not what the spec says.

#[tokio::test]
async fn malformed_json_200_is_decode_error() {
    let server = FaultServer::always(
        Reply::new(200)
            .header("Content-Type", "application/json")
            .body(r#"{"id": "#),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("truncated JSON is an error");
    assert_no_leak(&error);
    match error {
        Error::Decode {
            status,
            snippet,
            source,
            ..
        } => {
            assert_eq!(status, 200);
            assert_eq!(snippet, r#"{"id": "#);
            assert!(source.is_eof(), "serde_json reports EOF: {source}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

/// A 2xx whose body breaks the schema is an `Error::Decode` that keeps the
/// whole answer: the app can still read what the server did (here the id
/// of the slot).
async fn assert_wrong_2xx_body_is_kept(body: Value, why: &str) {
    let bytes = serde_json::to_vec(&body).expect("serializes");
    let server = FaultServer::always(
        Reply::new(200)
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "req-7")
            .body(bytes.clone()),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err(why);
    assert_no_leak(&error);
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{why}: {error:?}"
    );
    let response = error.response().expect("the answer is kept");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), &bytes[..], "{why}");
    assert_eq!(response.request_id(), Some("req-7"));
    let kept: Value = serde_json::from_slice(response.body()).expect("the body is JSON");
    assert_eq!(kept["id"], "0TkCdp9PfvLeWKYRRvIz");
    assert_eq!(server.count(), 1, "a wrong body is not retried");
}

#[tokio::test]
async fn a_2xx_missing_a_required_field_keeps_the_whole_answer() {
    let mut body = block_slot_body();
    body.as_object_mut().expect("an object").remove("title");
    assert_wrong_2xx_body_is_kept(body, "`title` is required").await;
}

#[tokio::test]
async fn a_2xx_with_null_where_the_spec_has_no_nullable_keeps_the_whole_answer() {
    let mut body = block_slot_body();
    body["locationId"] = Value::Null;
    assert_wrong_2xx_body_is_kept(body, "`locationId` is not nullable").await;
}

#[tokio::test]
async fn a_2xx_with_a_date_time_without_offset_keeps_the_whole_answer() {
    let mut body = block_slot_body();
    body["startTime"] = json!("2021-06-23T03:30:00");
    assert_wrong_2xx_body_is_kept(body, "a date-time needs an offset").await;
}

#[tokio::test]
async fn an_empty_200_decodes_to_a_success_type_whose_fields_are_all_optional() {
    let server = FaultServer::always(Reply::new(200)).await;
    let client = client_for(&server);
    let result = bounded(client.delete_event("evt-1")).await;
    let deleted = result.expect("an empty body is an empty DeleteEventResult");
    assert_eq!(deleted, highlevel_calendars::DeleteEventResult::new());
    // 204 too, though the spec lists only 200.
    let server = FaultServer::always(Reply::new(204)).await;
    let result = bounded(client_for(&server).delete_event("evt-1")).await;
    assert_eq!(
        result.expect("204"),
        highlevel_calendars::DeleteEventResult::new()
    );
}

#[tokio::test]
async fn an_empty_200_where_a_body_is_required_is_an_error_naming_the_status() {
    let server = FaultServer::always(Reply::new(200).header("Content-Length", "0")).await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("a BlockSlot cannot be empty");
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    assert_eq!(error.body_bytes(), Some(&b""[..]));
    let text = error.to_string();
    assert!(
        text.contains("200") && text.contains("empty body"),
        "the message names the status and the empty body: {text}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_unlisted_2xx_is_decoded_by_its_content() {
    let server = FaultServer::always(Reply::json(203, &block_slot_body())).await;
    let (result, _) = call(&client_for(&server)).await;
    let response = result.expect("a BlockSlot body is a BlockSlot whatever the 2xx");
    assert_eq!(response.status(), 203);
    assert_eq!(response.body(), &expected_block_slot());
}

/// Heads no well-behaved server sends: each is an error or an answer,
/// never a panic, and never hangs.
#[tokio::test]
async fn invalid_content_length_is_an_error() {
    let heads: [&[u8]; 4] = [
        b"HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ncontent-length: 99999999999999999999999\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}",
    ];
    for head in heads {
        let server = FaultServer::always(Behaviour::Raw(head.to_vec())).await;
        let (result, _) = call(&client_for(&server)).await;
        let error = result.expect_err("an invalid Content-Length is not an answer");
        assert!(
            matches!(error, Error::Transport { .. }),
            "{}: {error:?}",
            String::from_utf8_lossy(head)
        );
    }
    // A Content-Length longer than the body, then the connection closes.
    let short = b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{\"id\":".to_vec();
    let server = FaultServer::always(Behaviour::Raw(short)).await;
    let (result, _) = call(&client_for(&server)).await;
    match result.expect_err("a short body is an error") {
        Error::Transport { retries, .. } => assert_eq!(retries, 2, "a PUT is retried"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}

const HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

#[tokio::test]
async fn html_502_every_time_is_unexpected_status_after_retries() {
    let server = FaultServer::always(
        Reply::new(502)
            .header("Content-Type", "text/html")
            .body(HTML),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("502 is an error");
    assert_no_leak(&error);
    assert_eq!(error.retries(), 2);
    match error {
        Error::UnexpectedStatus {
            status,
            snippet,
            retries,
            ..
        } => {
            assert_eq!(status, 502);
            assert_eq!(snippet, HTML);
            assert_eq!(retries, 2);
        }
        other => panic!("expected Error::UnexpectedStatus, got {other:?}"),
    }
    assert_eq!(server.count(), 3);
}

// 11-13. Token refresh.

/// `token()` gives "old-token", `refresh()` gives "new-token"; both count.
#[derive(Clone, Default)]
struct CountingProvider {
    token_calls: Arc<AtomicUsize>,
    refresh_calls: Arc<AtomicUsize>,
    old: &'static str,
    new: &'static str,
}

impl CountingProvider {
    fn new(old: &'static str, new: &'static str) -> Self {
        CountingProvider {
            old,
            new,
            ..Default::default()
        }
    }

    fn tokens(&self) -> usize {
        self.token_calls.load(Ordering::SeqCst)
    }

    fn refreshes(&self) -> usize {
        self.refresh_calls.load(Ordering::SeqCst)
    }
}

impl TokenProvider for CountingProvider {
    fn token(&self) -> TokenFuture<'_> {
        self.token_calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(self.old.to_string()) })
    }

    fn refresh(&self) -> TokenFuture<'_> {
        self.refresh_calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            // A refresh takes a moment, as a real one would.
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(self.new.to_string())
        })
    }
}

fn provider_client(server: &FaultServer, provider: &CountingProvider) -> Client {
    Client::builder()
        .token_provider(provider.clone())
        .base_url(server.url())
        .retry_policy(fast_retries(3))
        .build()
        .expect("builds")
}

/// 401 for `Bearer old-token`, 200 for `Bearer new-token`; 401s wait `delay`.
async fn old_new_server(delay: Duration) -> FaultServer {
    FaultServer::start(move |request, _| match request.authorization() {
        Some("Bearer new-token") => ok_reply().into(),
        _ => Reply::json(401, &unauthorized_body()).delay(delay).into(),
    })
    .await
}

fn authorizations(server: &FaultServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.authorization().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn refreshes_token_once_after_401() {
    let server = old_new_server(Duration::ZERO).await;
    let provider = CountingProvider::new("old-token", "new-token");
    let client = provider_client(&server, &provider);
    let (result, _) = call(&client).await;
    let response = result.expect("the request with the new token succeeds");
    assert_eq!(response.body(), &expected_block_slot());
    assert_eq!(
        response.retries(),
        1,
        "the request with the new token is a retry"
    );
    assert_eq!(provider.tokens(), 1);
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(
        authorizations(&server),
        [
            Some("Bearer old-token".to_string()),
            Some("Bearer new-token".to_string())
        ]
    );

    // The new token is kept: the next call sends it at once.
    let (result, _) = call(&client).await;
    result.expect("the second call succeeds");
    assert_eq!(provider.tokens(), 1);
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(server.count(), 3);
    assert_eq!(
        server.requests()[2].authorization(),
        Some("Bearer new-token")
    );
}

#[tokio::test]
async fn second_401_is_returned_without_looping() {
    let server = FaultServer::always(Reply::json(401, &unauthorized_body())).await;
    let provider = CountingProvider::new("old-token", "new-token");
    let client = provider_client(&server, &provider);
    let (result, _) = call(&client).await;
    let error = result.expect_err("401 with the new token too is an error");
    for secret in [SENTINEL, "old-token", "new-token"] {
        assert_secret_not_in(&error, secret);
    }
    match error {
        Error::Api {
            status,
            body: UpdateBlockSlotError::Unauthorized(body),
            ..
        } => {
            assert_eq!(status, 401);
            assert_eq!(
                body,
                UnauthorizedError::new()
                    .with_status_code(401)
                    .with_message("Invalid token".to_string())
                    .with_error("Unauthorized".to_string())
            );
        }
        other => panic!("expected Error::Api with Unauthorized, got {other:?}"),
    }
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(server.count(), 2, "one request per token, no loop");
    assert_eq!(
        authorizations(&server),
        [
            Some("Bearer old-token".to_string()),
            Some("Bearer new-token".to_string())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_share_one_refresh() {
    const CALLS: usize = 8;
    // The 401s are held back so that every call has sent its request with
    // the old token before the first 401 arrives.
    let server = old_new_server(Duration::from_millis(300)).await;
    let provider = CountingProvider::new("old-token", "new-token");
    let client = provider_client(&server, &provider);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CALLS {
        let client = client.clone();
        calls.spawn(async move {
            client
                .update_block_slot(&format!("evt-{i}"), &update_request())
                .await
        });
    }
    let mut succeeded = 0;
    while let Some(joined) = bounded(calls.join_next()).await {
        let slot = joined
            .expect("the task did not panic")
            .expect("every call succeeds after the refresh");
        assert_eq!(slot, expected_block_slot());
        succeeded += 1;
    }
    assert_eq!(succeeded, CALLS);
    assert_eq!(provider.refreshes(), 1, "one refresh shared by all calls");
    assert_eq!(provider.tokens(), 1, "the first token is fetched once");
    let auths = authorizations(&server);
    let old = auths
        .iter()
        .filter(|a| a.as_deref() == Some("Bearer old-token"))
        .count();
    let new = auths
        .iter()
        .filter(|a| a.as_deref() == Some("Bearer new-token"))
        .count();
    assert_eq!(
        (old, new, auths.len()),
        (CALLS, CALLS, 2 * CALLS),
        "{auths:?}"
    );
}

// 14. What is not retried.
//
// A status outside the retried set (408, 429, 500, 502, 503, 504) is not
// retried, even for the idempotent PUT; a POST is not retried once it was
// sent, whatever the answer or failure, but is when the connection failed
// before anything was sent.

#[tokio::test]
async fn non_retryable_400_is_not_retried() {
    let server = FaultServer::always(Reply::json(
        400,
        &json!({"statusCode": 400, "message": "Bad Request"}),
    ))
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("400 is an error");
    assert_no_leak(&error);
    match error {
        Error::Api {
            status,
            body: UpdateBlockSlotError::BadRequest(body),
            retries,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(retries, 0);
            assert_eq!(
                body,
                BadRequestError::new()
                    .with_status_code(400)
                    .with_message("Bad Request".to_string())
            );
        }
        other => panic!("expected Error::Api with BadRequest, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

fn create_request() -> CreateBlockSlotRequest {
    CreateBlockSlotRequest::new("C2QujeCh8ZnC7al2InWR".to_string())
        .with_title("Test Event".to_string())
        .with_calendar_id_or_assigned_user_id(
            CreateBlockSlotRequestCalendarIdOrAssignedUserId::CalendarId(
                "CVokAlI8fgw4WYWoCtQz".to_string(),
            ),
        )
}

#[tokio::test]
async fn post_answered_503_is_not_retried() {
    let server = FaultServer::always(Reply::new(503).body("busy")).await;
    let error = bounded(client_for(&server).create_block_slot(&create_request()))
        .await
        .expect_err("503 is an error");
    assert_secret_not_in(&error, SENTINEL);
    match error {
        Error::UnexpectedStatus {
            status, retries, ..
        } => {
            assert_eq!(status, 503);
            assert_eq!(retries, 0);
        }
        other => panic!("expected Error::UnexpectedStatus, got {other:?}"),
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a sent POST is not retried");
    assert_eq!(
        requests[0].request_line,
        "POST /calendars/events/block-slots HTTP/1.1"
    );
}

#[tokio::test]
async fn post_answered_429_is_retried() {
    let server = FaultServer::sequence(vec![
        Reply::new(429).header("Retry-After", "0").into(),
        Reply::json(201, &block_slot_body()).into(),
    ])
    .await;
    let response = bounded(
        client_for(&server)
            .create_block_slot(&create_request())
            .send_with_response(),
    )
    .await
    .expect("the POST is retried after a 429 and succeeds");
    assert_eq!(response.retries(), 1);
    assert_eq!(server.count(), 2, "a 429 means nothing was processed");
}

#[tokio::test]
async fn post_with_an_idempotency_key_is_retried_on_503() {
    let server = FaultServer::sequence(vec![
        Reply::new(503).body("busy").into(),
        Reply::json(201, &block_slot_body()).into(),
    ])
    .await;
    let response = bounded(
        client_for(&server)
            .create_block_slot(&create_request())
            .idempotency_key("key-7")
            .send_with_response(),
    )
    .await
    .expect("the keyed POST is retried and succeeds");
    assert_eq!(response.retries(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.header("idempotency-key"), ["key-7"]);
    }
}

#[tokio::test]
async fn a_call_s_retry_policy_replaces_the_client_s() {
    let server = FaultServer::always(Reply::new(503).body("busy")).await;
    let client = client_for(&server);
    let error = bounded(
        client
            .update_block_slot("evt-1", &update_request())
            .retry_policy(RetryPolicy::none()),
    )
    .await
    .expect_err("503 is an error");
    assert_eq!(error.retries(), 0);
    assert_eq!(server.count(), 1, "the call's policy allows one attempt");
    // The client's own policy is unchanged for the next call.
    let error = bounded(client.update_block_slot("evt-1", &update_request()))
        .await
        .expect_err("503 every time is an error");
    assert_eq!(error.retries(), 2);
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn post_reset_mid_body_is_not_retried() {
    let server = FaultServer::always(Behaviour::ResetMidBody).await;
    let error = bounded(client_for(&server).create_block_slot(&create_request()))
        .await
        .expect_err("a reset is an error");
    assert_secret_not_in(&error, SENTINEL);
    match &error {
        Error::Transport { retries, .. } => assert_eq!(*retries, 0),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert_eq!(server.count(), 1, "a sent POST is not retried");
}

#[tokio::test]
async fn post_is_retried_when_the_connection_fails_before_sending() {
    // A port that was just free: connecting to it is refused.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        listener.local_addr().expect("has an address").port()
    };
    let client = Client::builder()
        .bearer_token(SENTINEL)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_retries(3))
        .build()
        .expect("builds");
    let error = bounded(client.create_block_slot(&create_request()))
        .await
        .expect_err("nothing listens");
    assert_secret_not_in(&error, SENTINEL);
    match &error {
        Error::Transport { source, retries } => {
            assert!(source.is_connect(), "a connect error: {source:?}");
            assert_eq!(*retries, 2, "nothing was sent, so the POST is retried");
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}

// 15. Path parameters.

#[tokio::test]
async fn event_ids_cannot_escape_their_path_segment() {
    let server = FaultServer::always(ok_reply()).await;
    let client = client_for(&server);
    for event_id in ["", ".", ".."] {
        let error = bounded(client.update_block_slot(event_id, &update_request()))
            .await
            .expect_err("the call is refused");
        assert_no_leak(&error);
        match error {
            Error::InvalidRequest(why) => {
                assert!(why.contains("eventId"), "names the parameter: {why}");
            }
            other => panic!("expected Error::InvalidRequest for {event_id:?}, got {other:?}"),
        }
    }
    assert_eq!(server.count(), 0, "{:?}", server.requests());

    for event_id in ["a/b?c#d", "é"] {
        bounded(client.update_block_slot(event_id, &update_request()))
            .await
            .unwrap_or_else(|e| panic!("update_block_slot({event_id:?}) failed: {e}"));
    }
    let lines: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.request_line.clone())
        .collect();
    assert_eq!(
        lines,
        [
            format!("PUT {PATH_PREFIX}a%2Fb%3Fc%23d HTTP/1.1"),
            format!("PUT {PATH_PREFIX}%C3%A9 HTTP/1.1"),
        ]
    );
}

// 16. Redirects.

#[tokio::test]
async fn cross_host_redirect_drops_authorization() {
    let target = FaultServer::always(ok_reply()).await;
    let location = format!("http://localhost:{}{PATH_PREFIX}evt-1", target.port());
    let origin = FaultServer::always(Reply::new(307).header("Location", location)).await;
    let (result, _) = call(&client_for(&origin)).await;
    let response = result.expect("the redirect is followed");
    assert_eq!(response.body(), &expected_block_slot());

    let sent = origin.requests();
    assert_eq!(sent.len(), 1);
    let expected_authorization = format!("Bearer {SENTINEL}");
    assert_eq!(
        sent[0].authorization(),
        Some(expected_authorization.as_str())
    );
    let received = target.requests();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].authorization(),
        None,
        "the token went to another host"
    );
    // 307 keeps the method and the body.
    assert_eq!(received[0].method, "PUT");
    assert_eq!(received[0].target, format!("{PATH_PREFIX}evt-1"));
    assert_eq!(received[0].body, sent[0].body);
    assert_eq!(
        received[0].header("host"),
        [format!("localhost:{}", target.port())]
    );
}

#[tokio::test]
async fn same_host_redirect_keeps_authorization() {
    let server = FaultServer::start(|request, _| {
        if request.target.ends_with("/evt-1") {
            Reply::new(307)
                .header("Location", format!("{PATH_PREFIX}moved"))
                .into()
        } else {
            ok_reply().into()
        }
    })
    .await;
    let (result, _) = call(&client_for(&server)).await;
    result.expect("the redirect is followed");
    let requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            format!("{PATH_PREFIX}evt-1").as_str(),
            format!("{PATH_PREFIX}moved").as_str()
        ]
    );
    let expected_authorization = format!("Bearer {SENTINEL}");
    for request in &requests {
        assert_eq!(
            request.authorization(),
            Some(expected_authorization.as_str())
        );
    }
}

// 17. User-Agent.

#[tokio::test]
async fn user_agent_names_the_crate() {
    let server = FaultServer::always(ok_reply()).await;
    let (result, _) = call(&client_for(&server)).await;
    result.expect("200 is a success");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("user-agent"),
        [format!(
            "highlevel-calendars/{}",
            highlevel_calendars::meta::CRATE_VERSION
        )
        .as_str()]
    );
}

// 18. The token does not leak.

/// A `Write` into a buffer shared with the test.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

/// A provider whose tokens contain the sentinel.
struct SentinelProvider;

impl TokenProvider for SentinelProvider {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(SENTINEL.to_string()) })
    }

    fn refresh(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(format!("{SENTINEL}-refreshed")) })
    }
}

// The default dispatcher is thread-local: a current-thread runtime keeps
// every event of the client on this thread.
#[tokio::test(flavor = "current_thread")]
async fn token_never_in_debug_display_or_logs() {
    let logs = SharedBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::info!("log capture is on");

    let server = FaultServer::start(|request, _| match request.target.as_str() {
        t if t.ends_with("/unauthorized") => Reply::json(401, &unauthorized_body()).into(),
        _ => ok_reply().into(),
    })
    .await;
    let builder = builder_for(&server);
    assert_secret_not_in(&format!("{builder:?}"), SENTINEL);
    let client = builder.clone().build().expect("builds");
    assert_secret_not_in(&format!("{client:?}"), SENTINEL);
    assert_secret_not_in(&format!("{client:#?}"), SENTINEL);
    let log_before_calls = logs.text();

    // Success.
    let response = bounded(
        client
            .update_block_slot("ok", &update_request())
            .send_with_response(),
    )
    .await
    .expect("200 is a success");
    assert_secret_not_in(&format!("{response:?}"), SENTINEL);
    // 401 with a static token.
    let error = bounded(client.update_block_slot("unauthorized", &update_request()))
        .await
        .expect_err("401 is an error");
    assert_no_leak(&error);
    assert_eq!(error.status(), Some(401));

    // 503, then a retry.
    let flaky = FaultServer::sequence(vec![Reply::new(503).into(), ok_reply().into()]).await;
    let flaky_client = builder_for(&flaky).build().expect("builds");
    let response = bounded(
        flaky_client
            .update_block_slot("evt-1", &update_request())
            .send_with_response(),
    )
    .await
    .expect("the retry succeeds");
    assert_eq!(response.retries(), 1);
    assert_secret_not_in(&format!("{response:?}"), SENTINEL);
    // The 503's event says how long the client waits before retrying.
    let retried = logs
        .text()
        .lines()
        .filter(|line| line.contains("status=503") && line.contains("retry_in_ms="))
        .count();
    assert_eq!(retried, 1, "{}", logs.text());

    // A token provider whose tokens hold the sentinel, refreshed after a 401.
    let provider_builder = Client::builder()
        .token_provider(SentinelProvider)
        .base_url(server.url())
        .retry_policy(fast_retries(3));
    assert_secret_not_in(&format!("{provider_builder:?}"), SENTINEL);
    let provider_client = provider_builder.build().expect("builds");
    assert_secret_not_in(&format!("{provider_client:?}"), SENTINEL);
    let error = bounded(provider_client.update_block_slot("unauthorized", &update_request()))
        .await
        .expect_err("401 is an error");
    assert_no_leak(&error);
    assert_secret_not_in(&format!("{provider_client:?}"), SENTINEL);

    // A transport failure, a timeout and a too-large body.
    let reset = FaultServer::always(Behaviour::ResetMidBody).await;
    let reset_client = builder_for(&reset)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds");
    let error = bounded(reset_client.update_block_slot("evt-1", &update_request()))
        .await
        .expect_err("a reset is an error");
    assert_no_leak(&error);
    let stall = FaultServer::always(Behaviour::StallAfterHeaders).await;
    let stall_client = builder_for(&stall)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds");
    let error = bounded(stall_client.update_block_slot("evt-1", &update_request()))
        .await
        .expect_err("a stall is an error");
    assert_no_leak(&error);
    let error = bounded(
        builder_for(&server)
            .max_body_bytes(10)
            .build()
            .expect("builds")
            .update_block_slot("evt-1", &update_request()),
    )
    .await
    .expect_err("the body is over 10 bytes");
    assert_no_leak(&error);

    // The sentinel did reach the servers: it was sent, just never shown.
    let expected_authorization = format!("Bearer {SENTINEL}");
    assert_eq!(
        server.requests()[0].authorization(),
        Some(expected_authorization.as_str())
    );

    let log = logs.text();
    assert!(
        log_before_calls.contains("log capture is on"),
        "the capture works: {log_before_calls:?}"
    );
    assert!(
        log.len() > log_before_calls.len() && log.contains("highlevel_calendars"),
        "the client emitted events during the calls: {log}"
    );
    assert!(
        !log.contains(SENTINEL),
        "the token leaks into the logs:\n{log}"
    );
}

// Escape hatches: hand-built requests and hooks.

#[tokio::test]
async fn a_hand_built_request_is_retried_and_authenticated() {
    let server = FaultServer::sequence(vec![
        Reply::new(503).body("busy").into(),
        Reply::json(200, &json!({"ok": true})).into(),
    ])
    .await;
    let client = client_for(&server);
    let answer = bounded(client.request(reqwest::Method::GET, "/custom/thing").send())
        .await
        .expect("the retry succeeds");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.retries(), 1);
    assert_eq!(answer.body(), br#"{"ok":true}"#);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "503 is retried for GET");
    for request in &requests {
        assert_eq!(request.target, "/custom/thing");
        assert_eq!(
            request.authorization(),
            Some(format!("Bearer {SENTINEL}").as_str())
        );
    }

    // A persistent error is kept whole, without the token.
    let server = FaultServer::always(
        Reply::new(500)
            .header("X-Correlation-Id", "corr-9")
            .body("boom"),
    )
    .await;
    let error = bounded(
        client_for(&server)
            .request(reqwest::Method::GET, "/x")
            .send(),
    )
    .await
    .expect_err("500 every time is an error");
    assert_secret_not_in(&error, SENTINEL);
    assert_eq!(server.count(), 3);
    assert_eq!(error.retries(), 2);
    assert_eq!(error.request_id(), Some("corr-9"));
    assert_eq!(error.body_bytes(), Some(&b"boom"[..]));
    assert!(
        matches!(error, Error::UnexpectedStatus { status: 500, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn hooks_see_every_attempt_and_may_sign_it() {
    let server =
        FaultServer::sequence(vec![Reply::new(503).body("busy").into(), ok_reply().into()]).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let builder = {
        let seen = Arc::clone(&seen);
        let statuses = Arc::clone(&statuses);
        builder_for(&server)
            .on_request(move |request| {
                // What a logging hook would print must not show the token.
                let logged = format!("{request:?} {:?}", request.headers());
                request.headers_mut().insert(
                    "x-signature",
                    reqwest::header::HeaderValue::from_static("signed"),
                );
                if let Ok(mut seen) = seen.lock() {
                    seen.push(logged);
                }
            })
            .on_response(move |response| {
                if let Ok(mut statuses) = statuses.lock() {
                    statuses.push(response.status().as_u16());
                }
            })
    };
    assert_secret_not_in(&FmtBoth(format!("{builder:?}")), SENTINEL);
    let client = builder.build().expect("the client builds");
    assert_secret_not_in(&FmtBoth(format!("{client:?}")), SENTINEL);
    let (result, _) = call(&client).await;
    result.expect("the retry succeeds");
    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(seen.len(), 2, "the request hook runs on every attempt");
    for logged in &seen {
        assert!(
            !logged.contains(SENTINEL),
            "the hook saw the token: {logged}"
        );
    }
    assert_eq!(*statuses.lock().expect("not poisoned"), [503, 200]);
    for request in server.requests() {
        assert_eq!(request.header("x-signature"), ["signed"]);
    }
}

/// Debug and Display of a string, to check text with `assert_secret_not_in`.
struct FmtBoth(String);

impl std::fmt::Debug for FmtBoth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for FmtBoth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[tokio::test]
async fn kept_error_answers_do_not_show_the_token() {
    // The kept answer (headers and body) and its conversion into AnyError
    // show nothing of the request's credentials.
    let server = FaultServer::always(
        Reply::json(400, &json!({"statusCode": 400, "message": "Bad Request"}))
            .header("X-Request-Id", "req-1"),
    )
    .await;
    let (result, _) = call(&client_for(&server)).await;
    let error = result.expect_err("400 is an error");
    assert_no_leak(&error);
    let response = error.response().expect("the answer is kept");
    assert_secret_not_in(&FmtBoth(format!("{response:?}")), SENTINEL);
    let any: highlevel_calendars::AnyError = error.into();
    assert_secret_not_in(&any, SENTINEL);
    assert_eq!(any.request_id(), Some("req-1"));
    assert!(any.to_string().contains("Bad Request"), "{any}");
}

// ---------------------------------------------------------------------------
// Arbitrary answers: whatever the server sends, a call ends in `Ok` or
// `Err`, never in a panic or a hang.

mod arbitrary {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// The headers the runtime reads, and some that change how the body is
    /// framed or decoded.
    const NAMES: &[&str] = &[
        "Retry-After",
        "X-RateLimit-Remaining",
        "X-RateLimit-Daily-Remaining",
        "X-RateLimit-Interval-Milliseconds",
        "X-RateLimit-Max",
        "Content-Length",
        "Content-Type",
        "Content-Encoding",
        "Transfer-Encoding",
        "X-Request-Id",
    ];

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,25}",
            "-[0-9]{1,4}",
            "[ -~]{0,24}",
            Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
            Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
            Just("application/json".to_string()),
            Just("text/html; charset=utf-8".to_string()),
            Just("chunked".to_string()),
            Just("gzip".to_string()),
            Just("br".to_string()),
        ]
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        let slot = serde_json::to_vec(&block_slot_body()).expect("serializes");
        prop_oneof![
            Just(slot),
            Just(b"{}".to_vec()),
            Just(b"null".to_vec()),
            Just(Vec::new()),
            "[ -~]{0,64}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..128),
        ]
    }

    /// A whole answer, head and body, as the server writes it.
    fn answer() -> impl Strategy<Value = Vec<u8>> {
        let status = prop_oneof![
            100u16..1000,
            Just(200u16),
            Just(204),
            Just(401),
            Just(429),
            Just(503),
        ];
        let headers = prop::collection::vec((prop::sample::select(NAMES), value()), 0..6);
        (status, headers, body()).prop_map(|(status, headers, body)| {
            let mut head = format!("HTTP/1.1 {status} Arbitrary\r\n");
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(&body);
            bytes
        })
    }

    #[test]
    fn arbitrary_answers_end_in_ok_or_err() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let current: Arc<Mutex<Vec<u8>>> = Arc::default();
        let server = runtime.block_on(FaultServer::start({
            let current = Arc::clone(&current);
            move |_, _| Behaviour::Raw(current.lock().expect("not poisoned").clone())
        }));
        // Waits short enough that a case takes milliseconds; the deadline
        // bounds whatever the headers ask for.
        let client = builder_for(&server)
            .retry_policy(RetryPolicy {
                max_total_wait: Duration::from_millis(20),
                ..fast_retries(2)
            })
            .timeout(Duration::from_millis(500))
            .deadline(Duration::from_secs(1))
            .build()
            .expect("builds");
        let config = Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(config, rng);
        runner
            .run(&answer(), |bytes| {
                *current.lock().expect("not poisoned") = bytes;
                let result = runtime.block_on(bounded(
                    client.update_block_slot("evt-1", &update_request()),
                ));
                if let Err(error) = result {
                    // Every accessor and both formats work on every error.
                    let _ = (error.status(), error.retries(), error.retry_after());
                    let _ = (error.rate_limit(), error.request_id(), error.body_bytes());
                    assert!(!format!("{error}").is_empty());
                    assert!(!format!("{error:?}").is_empty());
                    assert_no_leak(&error);
                }
                Ok(())
            })
            .expect("every answer ends in Ok or Err");
        assert!(server.count() >= 256, "every case reached the server");
    }
}
