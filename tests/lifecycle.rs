//! The block-slot lifecycle against a loopback server: create, list,
//! update (see client.rs) and delete, each with its exact request and a
//! typed response.

use highlevel_calendars::{
    BlockSlot, Client, CreateBlockSlotRequest, CreateBlockSlotRequestCalendarIdOrAssignedUserId,
    Error, RetryPolicy,
};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "lifecycle-token";

fn slot_json() -> Value {
    json!({
        "id": "0TkCdp9PfvLeWKYRRvIz",
        "locationId": "C2QujeCh8ZnC7al2InWR",
        "title": "Test Event",
        "startTime": "2021-06-23T03:30:00+05:30",
        "endTime": "2021-06-23T04:30:00+05:30",
        "calendarId": "CVokAlI8fgw4WYWoCtQz"
    })
}

async fn server(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .bearer_token(TOKEN)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn header(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap_or_default().to_string())
}

fn assert_common_headers(request: &wiremock::Request) {
    assert_eq!(
        header(request, "authorization").as_deref(),
        Some("Bearer lifecycle-token")
    );
    assert_eq!(header(request, "version").as_deref(), Some("2021-04-15"));
    assert_eq!(
        header(request, "user-agent").as_deref(),
        Some(
            format!(
                "highlevel-calendars/{}",
                highlevel_calendars::meta::CRATE_VERSION
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn create_sends_the_example_and_reads_201() {
    let server = server(ResponseTemplate::new(201).set_body_json(slot_json())).await;
    let request = CreateBlockSlotRequest::new("C2QujeCh8ZnC7al2InWR".to_string())
        .with_title("Test Event".to_string())
        .with_start_time("2021-06-23T03:30:00+05:30".parse().unwrap())
        .with_end_time("2021-06-23T04:30:00+05:30".parse().unwrap())
        .with_calendar_id_or_assigned_user_id(
            CreateBlockSlotRequestCalendarIdOrAssignedUserId::CalendarId(
                "CVokAlI8fgw4WYWoCtQz".to_string(),
            ),
        );
    let response = client(&server)
        .create_block_slot(&request)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let slot: &BlockSlot = response.body();
    assert_eq!(slot.id, "0TkCdp9PfvLeWKYRRvIz");
    assert_eq!(
        slot.start_time.offset().local_minus_utc(),
        5 * 3600 + 30 * 60
    );

    let received = only_request(&server).await;
    assert_eq!(received.method.as_str(), "POST");
    assert_eq!(received.url.path(), "/calendars/events/block-slots");
    assert_eq!(received.url.query(), None);
    assert_common_headers(&received);
    assert_eq!(
        header(&received, "content-type").as_deref(),
        Some("application/json")
    );
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(
        body,
        json!({
            "calendarId": "CVokAlI8fgw4WYWoCtQz",
            "locationId": "C2QujeCh8ZnC7al2InWR",
            "title": "Test Event",
            "startTime": "2021-06-23T03:30:00+05:30",
            "endTime": "2021-06-23T04:30:00+05:30"
        })
    );
}

#[tokio::test]
async fn list_sends_the_query_and_reads_the_events() {
    let server = server(
        ResponseTemplate::new(200).set_body_json(json!({ "events": [slot_json(), slot_json()] })),
    )
    .await;
    let list = client(&server)
        .list_blocked_slots("C2Qu jeCh&8", "1680373800000", "1680978599999")
        .calendar_id("cal-1")
        .group_id("grp/2")
        .await
        .unwrap();
    assert_eq!(list.events.len(), 2);
    assert_eq!(list.events[1].title, "Test Event");

    let received = only_request(&server).await;
    assert_eq!(received.method.as_str(), "GET");
    assert_eq!(received.url.path(), "/calendars/blocked-slots");
    assert_eq!(
        received.url.query(),
        Some("locationId=C2Qu+jeCh%268&startTime=1680373800000&endTime=1680978599999&calendarId=cal-1&groupId=grp%2F2")
    );
    assert_common_headers(&received);
    assert!(received.body.is_empty());
}

#[tokio::test]
async fn delete_sends_no_body_and_reads_the_result() {
    let server =
        server(ResponseTemplate::new(200).set_body_json(json!({ "succeeded": true }))).await;
    let result = client(&server)
        .delete_event("ocQHyuzHvysMo5N5VsXc_1729821600000_1800")
        .await
        .unwrap();
    assert_eq!(result.succeeded, Some(true));

    let received = only_request(&server).await;
    assert_eq!(received.method.as_str(), "DELETE");
    assert_eq!(
        received.url.path(),
        "/calendars/events/ocQHyuzHvysMo5N5VsXc_1729821600000_1800"
    );
    assert_common_headers(&received);
    assert!(received.body.is_empty());
}

#[tokio::test]
async fn delete_refuses_dot_dot_before_sending() {
    let server = server(ResponseTemplate::new(200)).await;
    let error = client(&server).delete_event("..").await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}
