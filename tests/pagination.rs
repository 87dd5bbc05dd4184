//! Paginated operations of the `pagination` fixture against a loopback
//! server: each style walks its pages and stops after the last one, a page
//! that fails ends the stream with its error, and `max_pages` caps it.

#[allow(dead_code)]
mod pagination {
    include!(concat!(env!("OUT_DIR"), "/pagination.rs"));
}

use std::time::Duration;

use futures_util::StreamExt;
use pagination::{Client, Error, Note, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("the client builds")
}

async fn page(
    server: &MockServer,
    route: &str,
    query: (&str, Option<&str>),
    body: serde_json::Value,
) {
    let mock = Mock::given(method("GET")).and(path(route));
    let mock = match query {
        (name, Some(value)) => mock.and(query_param(name, value)),
        (name, None) => mock.and(query_param_is_missing(name)),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

/// The query strings the server received, in order.
async fn queries(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.expect("recording is on");
    requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect()
}

fn notes(ids: &[&str]) -> serde_json::Value {
    let notes: Vec<_> = ids.iter().map(|id| json!({"id": id})).collect();
    json!({"data": {"notes": notes}})
}

#[tokio::test]
async fn offset_pages_until_a_short_page() {
    let server = MockServer::start().await;
    page(&server, "/v1/notes", ("offset", None), notes(&["a", "b"])).await;
    page(
        &server,
        "/v1/notes",
        ("offset", Some("2")),
        notes(&["c", "d"]),
    )
    .await;
    page(&server, "/v1/notes", ("offset", Some("4")), notes(&["e"])).await;
    let client = client(&server);
    let items: Vec<Note> = client
        .list_notes()
        .limit(2)
        .tag("x y")
        .into_stream()
        .map(|item| item.expect("every page decodes"))
        .collect()
        .await;
    let ids: Vec<&str> = items.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(
        queries(&server).await,
        [
            "limit=2&tag=x+y",
            "limit=2&tag=x+y&offset=2",
            "limit=2&tag=x+y&offset=4"
        ],
        "the other parameters go with every page"
    );
}

#[tokio::test]
async fn page_numbers_count_from_one_until_an_empty_page() {
    let server = MockServer::start().await;
    page(&server, "/v1/tags", ("page", None), json!(["a", "b"])).await;
    page(&server, "/v1/tags", ("page", Some("2")), json!(["c"])).await;
    page(&server, "/v1/tags", ("page", Some("3")), json!([])).await;
    let client = client(&server);
    let tags: Vec<String> = client
        .list_tags()
        .into_stream()
        .map(|item| item.expect("every page decodes"))
        .collect()
        .await;
    assert_eq!(
        tags,
        ["a", "b", "c"],
        "without a page size, only an empty page is the last"
    );
}

#[tokio::test]
async fn a_cursor_is_followed_until_there_is_none() {
    let server = MockServer::start().await;
    let first = json!({"events": [{"id": 1}, {"id": 2}], "paging": {"next": "c/2"}});
    page(&server, "/v1/events", ("after", None), first).await;
    let last = json!({"events": [{"id": 3}], "paging": {}});
    page(&server, "/v1/events", ("after", Some("c/2")), last).await;
    let client = client(&server);
    let ids: Vec<i64> = client
        .list_events()
        .into_stream()
        .map(|item| item.expect("every page decodes").id)
        .collect()
        .await;
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn a_next_page_url_on_the_server_is_followed_and_one_elsewhere_is_refused() {
    let server = MockServer::start().await;
    page(
        &server,
        "/v1/files",
        ("page", None),
        json!({"files": ["a"], "next": "/v1/files?page=2"}),
    )
    .await;
    let elsewhere = json!({"files": ["b"], "next": "https://elsewhere.example/v1/files?page=3"});
    page(&server, "/v1/files", ("page", Some("2")), elsewhere).await;
    let client = client(&server);
    let results: Vec<Result<String, _>> = client.list_files().into_stream().collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().ok().map(String::as_str), Some("a"));
    assert_eq!(results[1].as_ref().ok().map(String::as_str), Some("b"));
    match &results[2] {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains("not on the client's server"), "{message}")
        }
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stalled_page_ends_the_stream_with_its_error() {
    let server = MockServer::start().await;
    page(&server, "/v1/notes", ("offset", None), notes(&["a", "b"])).await;
    Mock::given(path("/v1/notes"))
        .and(query_param("offset", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(notes(&["c"]))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let results: Vec<Result<Note, _>> = client
        .list_notes()
        .limit(2)
        .timeout(Duration::from_millis(200))
        .into_stream()
        .collect()
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout applies to each page"
    );
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[..2].iter().all(Result::is_ok));
    assert!(
        matches!(results[2], Err(Error::Timeout { .. })),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn max_pages_caps_the_stream() {
    let server = MockServer::start().await;
    page(&server, "/v1/tags", ("page", None), json!(["a"])).await;
    page(&server, "/v1/tags", ("page", Some("2")), json!(["b"])).await;
    let client = client(&server);
    let tags: Vec<String> = client
        .list_tags()
        .max_pages(2)
        .into_stream()
        .map(|item| item.expect("every page decodes"))
        .collect()
        .await;
    assert_eq!(tags, ["a", "b"]);
    assert_eq!(queries(&server).await.len(), 2, "no third page is fetched");
}

/// The stream can be handed to another task.
#[test]
fn streams_are_send() {
    fn send<T: Send>(_: &T) {}
    let client = Client::builder().build().expect("the client builds");
    send(&client.list_notes().into_stream());
}
