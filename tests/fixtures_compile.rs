//! The fixture specs' generated modules compile (this file would not build
//! otherwise) and behave as their specs say.

#[allow(dead_code)]
mod naming {
    include!(concat!(env!("OUT_DIR"), "/naming.rs"));
}

#[allow(dead_code)]
mod parameters {
    include!(concat!(env!("OUT_DIR"), "/parameters.rs"));
}

#[allow(dead_code)]
mod bodies {
    include!(concat!(env!("OUT_DIR"), "/bodies.rs"));
}

#[allow(dead_code)]
mod schemas {
    include!(concat!(env!("OUT_DIR"), "/schemas.rs"));
}

#[allow(dead_code)]
mod mistakes {
    include!(concat!(env!("OUT_DIR"), "/mistakes.rs"));
}

/// What published specs get wrong, each a warning and a fallback.
#[allow(dead_code)]
mod published {
    include!(concat!(env!("OUT_DIR"), "/published.rs"));
}

/// A Swagger 2.0 spec.
#[allow(dead_code)]
mod swagger2 {
    include!(concat!(env!("OUT_DIR"), "/swagger2.rs"));
}

/// An OpenAPI 3.1 spec, read as 3.0.
#[allow(dead_code)]
mod openapi31 {
    include!(concat!(env!("OUT_DIR"), "/openapi31.rs"));
}

/// HighLevel's whole published Calendars spec, unmodified, two files.
#[allow(dead_code)]
mod calendars {
    include!(concat!(env!("OUT_DIR"), "/calendars.rs"));
}

#[test]
fn vendor_calendars_spec_keeps_all_41_operations() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/highlevel/apps/calendars.json");
    let (api, warnings, _) =
        apigen::load_model(&spec, "calendars.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.operations.len(), 41);
    // The two undeclared `{noteId}` template variables, and the date-times
    // typed as objects, are reported, not dropped.
    let undeclared = warnings
        .iter()
        .filter(|w| w.message.contains("`{noteId}` is not declared"))
        .count();
    assert_eq!(undeclared, 2, "{warnings:#?}");
    // Every operation is a method of the compiled client: the paths of
    // `fn` pointers to a few of them, and the count from the module's text.
    let _ = calendars::Client::get_calendars;
    let _ = calendars::Client::update_appointment_note;
    let _ = calendars::Client::edit_block_slot;
    let text = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/calendars.rs")).unwrap();
    let file = syn::parse_file(&text).unwrap();
    let methods = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "client" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Impl(i) => Some(i),
            _ => None,
        })
        .flat_map(|i| &i.items)
        .filter(|item| matches!(item, syn::ImplItem::Fn(_)))
        .count();
    assert_eq!(methods, 41);
}

#[test]
fn vendor_object_typed_date_times_decode_as_strings() {
    let event: calendars::types::CalendarEventDto = serde_json::from_value(serde_json::json!({
        "id": "e1", "title": "t", "calendarId": "c", "locationId": "l", "contactId": "k", "groupId": "g",
        "appointmentStatus": "confirmed", "assignedUserId": "u", "users": [],
        "startTime": "2021-06-23T03:30:00+05:30", "endTime": "2021-06-23T04:30:00+05:30",
        "dateAdded": "2021-06-23T03:30:00+05:30", "dateUpdated": "2021-06-23T03:30:00+05:30"
    }))
    .unwrap();
    assert_eq!(
        event.start_time,
        serde_json::json!("2021-06-23T03:30:00+05:30")
    );
}

#[test]
fn keyword_and_colliding_fields_keep_their_wire_names() {
    let json = serde_json::json!({
        "type": "a", "self": "b", "Self": "c", "crate": "d", "fn": "e", "gen": "f",
        "": "g", "2fa": true, "fooBar": 1, "foo_bar": 2, "FooBar": 3
    });
    let keywords: naming::types::Keywords = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(keywords.type_.as_deref(), Some("a"));
    assert_eq!(keywords.self_.as_deref(), Some("b"));
    assert_eq!(keywords.self2.as_deref(), Some("c"));
    assert_eq!(keywords.foo_bar, Some(1));
    assert_eq!(keywords.foo_bar2, Some(2));
    assert_eq!(keywords.foo_bar3, Some(3));
    assert_eq!(serde_json::to_value(&keywords).unwrap(), json);
}

#[test]
fn unknown_enum_values_are_kept() {
    use parameters::types::Status;
    let known: Status = serde_json::from_str("\"on-hold\"").unwrap();
    assert_eq!(known, Status::OnHold);
    let unknown: Status = serde_json::from_str("\"archived\"").unwrap();
    assert_eq!(unknown, Status::Unknown("archived".to_string()));
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"archived\"");
}

#[test]
fn exclusive_properties_are_one_field() {
    use parameters::types::{Slot, SlotUserIdOrTeamId};
    let slot: Slot = serde_json::from_value(serde_json::json!({
        "id": "s1", "startsAt": "2024-01-02T03:04:05-08:00", "note": null, "teamId": "t1"
    }))
    .unwrap();
    assert_eq!(
        slot.user_id_or_team_id,
        Some(SlotUserIdOrTeamId::TeamId("t1".to_string()))
    );
    assert_eq!(slot.note, None);
    let back = serde_json::to_value(&slot).unwrap();
    assert_eq!(back["startsAt"], "2024-01-02T03:04:05-08:00");
    assert_eq!(back["note"], serde_json::Value::Null);
    assert!(back.get("userId").is_none());
}

/// A 3.1 spec's webhooks are one enum of events, decoded from a request's
/// body by the webhook's name.
#[test]
fn webhook_events_decode_by_name() {
    use openapi31::types::{ExhibitOpenedWebhook, Ticket};
    use openapi31::webhooks::Event;
    assert_eq!(Event::NAMES, ["ticketSold", "exhibitOpened"]);
    let sold =
        Event::from_body("ticketSold", br#"{"id": "t1", "price": 5, "note": "gift"}"#).unwrap();
    assert_eq!(
        sold,
        Event::TicketSold(Ticket::new("t1".to_string(), 5.0).with_note("gift".to_string()))
    );
    assert_eq!(sold.name(), "ticketSold");
    let opened = Event::from_body("exhibitOpened", br#"{"exhibitId": "e1"}"#).unwrap();
    assert_eq!(
        opened,
        Event::ExhibitOpened(ExhibitOpenedWebhook::new("e1".to_string()))
    );
    let unknown = Event::from_body("exhibitClosed", b"{}").unwrap_err();
    assert!(unknown
        .to_string()
        .contains("`exhibitClosed` is not a webhook"));
    assert!(Event::from_body("ticketSold", b"{}").is_err());
}

/// A spec with the mistakes published specs make still gives every
/// operation, with the fallbacks its warnings name.
#[test]
fn published_mistakes_fall_back_and_keep_every_operation() {
    use published::types::{Country, Event, Project};
    // Both operations named `getProject`, and the path that differs only by
    // its parameter's name, are methods.
    let _ = published::Client::get_project;
    let _ = published::Client::get_project2;
    let _ = published::Client::delete_project;
    // `CT` listed twice is one variant; the large variant is boxed.
    let project: Project = serde_json::from_value(serde_json::json!({
        "name": "demo",
        "country": "CT",
        "nothing": "anything",
        "owner": {"login": "ann"},
        "event": {"a01": "x"}
    }))
    .unwrap();
    assert_eq!(project.country, Some(Country::Ct));
    assert_eq!(project.nothing.as_deref(), Some("anything"));
    // Untagged: the first alternative that fits wins.
    assert!(matches!(project.event, Some(Event::Ping(_))));
    let push = Event::Push(Box::new(published::types::Push::new()));
    assert!(
        std::mem::size_of_val(&push) < 64,
        "the large variant is boxed"
    );
}

mod behaviour {
    //! The fixtures' generated clients against a loopback server.

    use serde_json::json;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn server(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    async fn only_request(server: &MockServer) -> wiremock::Request {
        let mut requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1);
        requests.remove(0)
    }

    fn header(request: &wiremock::Request, name: &str) -> String {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    }

    fn bodies_client(server: &MockServer) -> super::bodies::Client {
        super::bodies::Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn form_bodies_are_url_encoded_with_repeated_arrays() {
        let server = server(ResponseTemplate::new(204)).await;
        let body = super::bodies::types::SubmitFormRequest::new("Ann & Bo".to_string())
            .with_age(3)
            .with_tags(vec!["a".to_string(), "b c".to_string()]);
        bodies_client(&server).submit_form(&body).await.unwrap();
        let request = only_request(&server).await;
        assert_eq!(
            header(&request, "content-type"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "name=Ann+%26+Bo&age=3&tags=a&tags=b+c"
        );
    }

    #[tokio::test]
    async fn multipart_bodies_have_a_part_per_field_and_decode_by_status() {
        let server = server(
            ResponseTemplate::new(201).set_body_json(json!({"id": "f1", "location": "/f1"})),
        )
        .await;
        let body = super::bodies::types::UploadFileRequest::new(vec![0, 159, 146, 150])
            .with_description("a \"quoted\" name".to_string())
            .with_meta(super::bodies::types::UploadFileRequestMeta::new().with_size(4));
        let answer = bodies_client(&server).upload_file(&body).await.unwrap();
        assert_eq!(
            answer,
            super::bodies::types::UploadFileSuccess::Created(
                super::bodies::types::Created::new()
                    .with_id("f1".to_string())
                    .with_location("/f1".to_string())
            )
        );
        let request = only_request(&server).await;
        let content_type = header(&request, "content-type");
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect(&content_type);
        let mut expected = Vec::new();
        expected.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        expected.extend_from_slice(&[0, 159, 146, 150]);
        expected.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\na \"quoted\" name\r\n").as_bytes());
        expected.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{{\"size\":4}}\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(request.body, expected);
    }

    /// The body each kind of request sends for "either `userId` or
    /// `teamId`": the one set is sent as any other field.
    #[tokio::test]
    async fn exclusive_fields_are_sent_in_every_body_kind() {
        use super::bodies::types::{
            Assignment, AssignmentUserIdOrTeamId, SubmitFormRequest,
            SubmitFormRequestUserIdOrTeamId, UploadFileRequest, UploadFileRequestUserIdOrTeamId,
        };
        let json_server = server(ResponseTemplate::new(204)).await;
        let assignment = Assignment::new("t".to_string())
            .with_user_id_or_team_id(AssignmentUserIdOrTeamId::TeamId(7));
        bodies_client(&json_server)
            .assign(&assignment)
            .await
            .unwrap();
        let request = only_request(&json_server).await;
        let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(sent, json!({"task": "t", "teamId": 7}));

        let form_server = server(ResponseTemplate::new(204)).await;
        let form = SubmitFormRequest::new("Ann".to_string())
            .with_user_id_or_team_id(SubmitFormRequestUserIdOrTeamId::UserId("u 1".to_string()));
        bodies_client(&form_server)
            .submit_form(&form)
            .await
            .unwrap();
        let request = only_request(&form_server).await;
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "name=Ann&userId=u+1"
        );

        let multipart_server = server(ResponseTemplate::new(202)).await;
        let upload = UploadFileRequest::new(vec![1])
            .with_user_id_or_team_id(UploadFileRequestUserIdOrTeamId::UserId("u1".to_string()));
        bodies_client(&multipart_server)
            .upload_file(&upload)
            .await
            .unwrap();
        let request = only_request(&multipart_server).await;
        let text = String::from_utf8_lossy(&request.body);
        assert!(
            text.contains("Content-Disposition: form-data; name=\"userId\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nu1\r\n"),
            "{text}"
        );
        assert!(!text.contains("teamId"), "{text}");
    }

    /// An optional, nullable field of a request body is left out, sent as
    /// `null` or sent with a value; the same field of a response is an
    /// `Option`.
    #[tokio::test]
    async fn a_nullable_request_field_is_left_out_sent_as_null_or_set() {
        use super::bodies::types::{Assignment, Created};
        use super::bodies::Nullable;
        assert_eq!(Assignment::new("t".to_string()).note, Nullable::Absent);
        let cases = [
            (Assignment::new("t".to_string()), json!({"task": "t"})),
            (
                Assignment::new("t".to_string()).with_note_null(),
                json!({"task": "t", "note": null}),
            ),
            (
                Assignment::new("t".to_string()).with_note("n".to_string()),
                json!({"task": "t", "note": "n"}),
            ),
        ];
        for (assignment, expected) in cases {
            let server = server(ResponseTemplate::new(204)).await;
            bodies_client(&server).assign(&assignment).await.unwrap();
            let request = only_request(&server).await;
            let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(sent, expected);
            let decoded: Assignment = serde_json::from_value(expected).unwrap();
            assert_eq!(decoded, assignment);
        }
        let created: Created = serde_json::from_value(json!({"location": null})).unwrap();
        let location: Option<String> = created.location;
        assert_eq!(location, None);
    }

    #[tokio::test]
    async fn a_2xx_without_body_and_a_declared_error_status() {
        let accepted = server(ResponseTemplate::new(202)).await;
        let body = super::bodies::types::UploadFileRequest::new(vec![1]);
        let answer = bodies_client(&accepted).upload_file(&body).await.unwrap();
        assert_eq!(answer, super::bodies::types::UploadFileSuccess::Accepted);

        let conflict =
            server(ResponseTemplate::new(409).set_body_json(json!({"detail": "exists"}))).await;
        match bodies_client(&conflict)
            .upload_file(&body)
            .await
            .unwrap_err()
        {
            super::bodies::Error::Api {
                status: 409,
                body: super::bodies::types::UploadFileError::Conflict(problem),
                ..
            } => {
                assert_eq!(problem.detail.as_deref(), Some("exists"));
            }
            other => panic!("expected a typed 409, got {other:?}"),
        }

        // A declared 429 is typed too, and keeps the rate-limit headers.
        let limited = server(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3")
                .insert_header("x-ratelimit-remaining", "0")
                .set_body_json(json!({"detail": "slow down"})),
        )
        .await;
        let error = bodies_client(&limited)
            .upload_file(&body)
            .await
            .unwrap_err();
        assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(3)));
        assert_eq!(error.rate_limit().and_then(|r| r.remaining), Some(0));
        match error {
            super::bodies::Error::Api {
                status: 429,
                body: super::bodies::types::UploadFileError::TooManyRequests(problem),
                ..
            } => {
                assert_eq!(problem.detail.as_deref(), Some("slow down"));
            }
            other => panic!("expected a typed 429, got {other:?}"),
        }
    }

    /// A 2xx the spec does not list is decoded by its content: an empty
    /// body as the first listed status without a body, another as the
    /// first listed status whose schema it matches.
    #[tokio::test]
    async fn an_unlisted_2xx_is_decoded_by_its_content() {
        use super::bodies::types::{Stored, UploadFileSuccess};
        let body = super::bodies::types::UploadFileRequest::new(vec![1]);
        let empty = server(ResponseTemplate::new(203)).await;
        let answer = bodies_client(&empty).upload_file(&body).await.unwrap();
        assert_eq!(answer, UploadFileSuccess::Accepted);
        let stored = server(ResponseTemplate::new(203).set_body_json(json!({"id": "f1"}))).await;
        let answer = bodies_client(&stored).upload_file(&body).await.unwrap();
        assert_eq!(
            answer,
            UploadFileSuccess::Ok(Stored::new().with_id("f1".to_string()))
        );
        let html = server(ResponseTemplate::new(203).set_body_string("<html>")).await;
        let error = bodies_client(&html).upload_file(&body).await.unwrap_err();
        assert!(
            matches!(error, super::bodies::Error::Decode { status: 203, .. }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn binary_and_text_bodies_pass_through() {
        let blob = server(
            ResponseTemplate::new(200).set_body_raw(vec![1u8, 2, 255], "application/octet-stream"),
        )
        .await;
        let client = bodies_client(&blob);
        client.put_blob("b-1", &[9, 8, 7]).await.unwrap();
        let request = only_request(&blob).await;
        assert_eq!(request.url.path(), "/blobs/b-1");
        assert_eq!(header(&request, "content-type"), "application/octet-stream");
        assert_eq!(request.body, vec![9, 8, 7]);
        assert_eq!(client.get_blob("b-1").await.unwrap(), vec![1, 2, 255]);

        let note = server(ResponseTemplate::new(200).set_body_raw("echo: hi", "text/plain")).await;
        assert_eq!(
            bodies_client(&note).post_note().body("hi").await.unwrap(),
            "echo: hi"
        );
        let request = only_request(&note).await;
        assert_eq!(header(&request, "content-type"), "text/plain");
        assert_eq!(request.body, b"hi");
    }

    /// A binary answer larger than the body limit: `send` refuses it,
    /// `send_streaming` hands it over chunk by chunk.
    #[tokio::test]
    async fn a_streamed_download_is_not_bound_by_the_body_limit() {
        use futures_util::StreamExt;
        let blob: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let server = server(
            ResponseTemplate::new(200).set_body_raw(blob.clone(), "application/octet-stream"),
        )
        .await;
        let client = super::bodies::Client::builder()
            .base_url(server.uri())
            .max_body_bytes(64 * 1024)
            .build()
            .unwrap();
        match client.get_blob("b-1").await {
            Err(super::bodies::Error::BodyTooLarge { limit, .. }) => assert_eq!(limit, 64 * 1024),
            other => panic!("expected Error::BodyTooLarge, got {other:?}"),
        }
        let response = client.get_blob("b-1").send_streaming().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            header_value(response.headers(), "content-type"),
            "application/octet-stream"
        );
        let mut chunks = std::pin::pin!(response.into_body().into_stream());
        let mut received = Vec::new();
        while let Some(chunk) = chunks.next().await {
            received.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(received.len(), blob.len());
        assert!(received == blob, "the bytes arrive unchanged");
    }

    fn header_value(headers: &reqwest::header::HeaderMap, name: &str) -> String {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    #[tokio::test]
    async fn many_required_arguments_are_one_struct_of_named_fields() {
        use super::parameters::builders::BuildReportArgs;
        use super::parameters::types::Status;
        let server = server(ResponseTemplate::new(204)).await;
        let client = super::parameters::Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap();
        let args = BuildReportArgs {
            year: 2024,
            month: 2,
            location_id: "loc",
            from: "a",
            to: "b",
            timezone: "UTC",
            x_trace: "t-1",
            body: &Status::OnHold,
        };
        // Parameters named like the builder's own methods are renamed.
        client
            .build_report(args)
            .timeout2(30)
            .send2(true)
            .await
            .unwrap();
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), "/reports/2024/2");
        assert_eq!(
            request.url.query(),
            Some("locationId=loc&from=a&to=b&timezone=UTC&timeout=30&send=true")
        );
        assert_eq!(header(&request, "x-trace"), "t-1");
        assert_eq!(request.body, b"\"on-hold\"");
    }

    /// Form bodies the spec does not describe as objects fall back: a
    /// multipart form the app builds, a map of fields.
    #[tokio::test]
    async fn undescribed_form_bodies_are_built_by_the_app() {
        let server = server(ResponseTemplate::new(204)).await;
        let client = super::mistakes::Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .build()
            .unwrap();
        let form = super::mistakes::MultipartForm::new()
            .text("title", "Q3")
            .file("report", "q3.pdf", b"%PDF".to_vec());
        client.upload_files(&form).await.unwrap();
        let request = only_request(&server).await;
        let content_type = header(&request, "content-type");
        assert!(content_type.starts_with("multipart/form-data; boundary="));
        let body = String::from_utf8_lossy(&request.body);
        assert!(
            body.contains(
                "name=\"title\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nQ3\r\n"
            ),
            "{body}"
        );
        assert!(
            body.contains("name=\"report\"; filename=\"q3.pdf\""),
            "{body}"
        );
        assert!(body.contains("%PDF"), "{body}");

        let server = self::server(ResponseTemplate::new(204)).await;
        let client = super::mistakes::Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .build()
            .unwrap();
        let fields = std::collections::BTreeMap::from([("a".to_string(), "1 2".to_string())]);
        client.put_settings(&fields).await.unwrap();
        let request = only_request(&server).await;
        assert_eq!(request.body, b"a=1+2");
    }

    /// A query object is one parameter per property: by its name (form
    /// style), or as `name[property]` (deepObject).
    #[tokio::test]
    async fn query_objects_are_exploded_into_their_properties() {
        use super::parameters::types::Status;
        let server = server(ResponseTemplate::new(204)).await;
        let client = super::parameters::Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap();
        client
            .search_slots("mon")
            .tags(&["a".to_string(), "b".to_string()])
            .filter_status(&Status::OnHold)
            .filter_min(3)
            .await
            .unwrap();
        let request = only_request(&server).await;
        assert_eq!(
            request.url.query(),
            Some("from=mon&tags=a&tags=b&filter%5Bstatus%5D=on-hold&filter%5Bmin%5D=3")
        );
    }

    #[tokio::test]
    async fn cookies_dates_and_array_styles() {
        let server =
            server(ResponseTemplate::new(200).set_body_json(json!({"id": 7, "children": []})))
                .await;
        let client = super::schemas::Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap();
        let day = "2024-02-29".parse().unwrap();
        let fields = ["a".to_string(), "b".to_string()];
        let node = client
            .get_node(7, "s3ss10n")
            .day(day)
            .fields(&fields)
            .sizes(&[1, 2])
            .await
            .unwrap();
        assert_eq!(node.id, 7);
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), "/nodes/7");
        assert_eq!(
            request.url.query(),
            Some("day=2024-02-29&fields=a%2Cb&sizes=1%7C2")
        );
        assert_eq!(header(&request, "cookie"), "session=s3ss10n");
    }

    #[test]
    fn recursive_types_round_trip() {
        let json = json!({
            "id": 1,
            "parent": {"id": 0, "children": []},
            "children": [{"id": 2, "children": [{"id": 3, "children": []}]}]
        });
        let node: super::schemas::types::Node = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(node.parent.as_ref().map(|p| p.id), Some(0));
        assert_eq!(node.children[0].children[0].id, 3);
        assert_eq!(serde_json::to_value(&node).unwrap(), json);
    }

    #[test]
    fn discriminated_unions_pick_by_property_and_keep_unknown_values() {
        use super::schemas::types::{Circle, Shape, Square};
        let square: Shape = serde_json::from_value(json!({"kind": "Square", "side": 2.0})).unwrap();
        assert_eq!(
            square,
            Shape::Square(Square::new("Square".to_string(), 2.0))
        );
        // `Circle`'s other keys are numbers: the tag is not one of them.
        let circle: Shape =
            serde_json::from_value(json!({"kind": "Circle", "radius": 1.5, "z": 1.0})).unwrap();
        assert_eq!(
            circle,
            Shape::Circle(Circle::new(1.5).with_additional("z", 1.0))
        );
        let hexagon = json!({"kind": "Hexagon", "side": 1});
        let unknown: Shape = serde_json::from_value(hexagon.clone()).unwrap();
        assert_eq!(unknown, Shape::Unknown(hexagon.clone()));
        assert_eq!(serde_json::to_value(&unknown).unwrap(), hexagon);
        // A known kind with the wrong fields is an error, not a guess.
        assert!(serde_json::from_value::<Shape>(json!({"kind": "Circle", "side": 1})).is_err());
    }

    /// The tag a union writes is its variant's: `Circle` (a variant only)
    /// has no `kind` field, and `Square` (also used on its own) keeps one
    /// that the union overrides.
    #[test]
    fn a_discriminated_union_writes_the_tag_of_its_variant() {
        use super::schemas::types::{Circle, Shape, Square};
        let circle = Shape::Circle(Circle::new(1.5));
        assert_eq!(
            serde_json::to_value(&circle).unwrap(),
            json!({"kind": "Circle", "radius": 1.5})
        );
        let square = Shape::Square(Square::new("Circle".to_string(), 2.0));
        assert_eq!(
            serde_json::to_value(&square).unwrap(),
            json!({"kind": "Square", "side": 2.0})
        );
        for json in [
            json!({"kind": "Circle", "radius": 1.5, "z": 2.0}),
            json!({"kind": "Square", "side": 2.0}),
            json!({"kind": "Hexagon", "side": 1}),
        ] {
            let shape: Shape = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&shape).unwrap(), json);
        }
    }

    #[test]
    fn additional_properties_beside_properties_are_kept() {
        use super::schemas::types::Counts;
        let json = json!({"total": 3, "additional": "a", "apples": 1, "pears": 2});
        let counts: Counts = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(counts.total, 3);
        assert_eq!(counts.additional.as_deref(), Some("a"));
        assert_eq!(counts.additional2.get("apples"), Some(&1));
        assert_eq!(counts.additional2.len(), 2);
        assert_eq!(serde_json::to_value(&counts).unwrap(), json);
        let built = Counts::new(3)
            .with_additional("a".to_string())
            .with_additional2("apples", 1)
            .with_additional2("pears", 2);
        assert_eq!(built, counts);
        // A value that does not fit the map's type is an error.
        assert!(serde_json::from_value::<Counts>(json!({"total": 1, "x": "y"})).is_err());
    }

    #[test]
    fn all_of_merges_and_any_of_tries_in_order() {
        use super::schemas::types::{NodeIdOrName, Owner, Pet};
        let owner: Owner =
            serde_json::from_value(json!({"name": "Ann", "email": "a@example.com"})).unwrap();
        assert_eq!(owner.email, "a@example.com");
        assert!(serde_json::from_value::<Owner>(json!({"name": "Ann"})).is_err());
        assert_eq!(
            serde_json::from_value::<NodeIdOrName>(json!(5)).unwrap(),
            NodeIdOrName::Integer(5)
        );
        assert_eq!(
            serde_json::from_value::<NodeIdOrName>(json!("x")).unwrap(),
            NodeIdOrName::String("x".to_string())
        );
        assert!(matches!(
            serde_json::from_value::<Pet>(json!({"meow": true})).unwrap(),
            Pet::PetVariant2(_)
        ));
    }

    #[test]
    fn read_only_fields_may_be_left_out() {
        // `createdAt` is required-free because it is read-only; `password` is write-only.
        let node: super::schemas::types::Node =
            serde_json::from_value(json!({"id": 1, "children": []})).unwrap();
        assert!(node.created_at.is_none() && node.password.is_none());
    }

    #[test]
    fn structs_are_built_with_new_and_setters() {
        use super::schemas::types::{Node, NodeSettings, NodeStatus};
        // `new` takes the fields that are not an `Option`; setters the others.
        let node = Node::new(1, vec![])
            .with_note("n".to_string())
            .with_status(NodeStatus::Retired)
            .with_parent(Box::new(Node::new(0, vec![])));
        assert_eq!(node.note.as_deref(), Some("n"));
        assert_eq!(node.parent.as_ref().map(|p| p.id), Some(0));
        let json = serde_json::to_value(&node).unwrap();
        assert_eq!(json["status"], "retired");
        // Every field optional: `new()` is `Default::default()`.
        assert_eq!(NodeSettings::new(), NodeSettings::default());
    }

    #[test]
    fn more_than_seven_required_fields_are_one_struct_of_named_fields() {
        use super::schemas::types::{Wide, WideRequired, WideRequired2};
        let wide = Wide::new(WideRequired2 {
            a: "a".to_string(),
            b: "b".to_string(),
            c: "c".to_string(),
            d: "d".to_string(),
            e: "e".to_string(),
            f: "f".to_string(),
            g: 7,
            h: true,
        })
        .with_note("n".to_string());
        let json = serde_json::to_value(&wide).unwrap();
        assert_eq!(
            json,
            json!({"a": "a", "b": "b", "c": "c", "d": "d", "e": "e", "f": "f", "g": 7, "h": true, "note": "n"})
        );
        // The component keeps its name; the constructor's argument type yields.
        let _ = WideRequired::default();
    }

    /// The vendor's schedule search, paged by `skip` through
    /// `[pagination]`-style options, walks its pages until a short one.
    #[tokio::test]
    async fn vendor_schedules_are_streamed_across_pages() {
        use futures_util::StreamExt;
        use wiremock::matchers::{query_param, query_param_is_missing};
        let server = MockServer::start().await;
        let schedules = |ids: &[&str]| {
            let all: Vec<_> = ids
                .iter()
                .map(|id| {
                    json!({
                        "id": id, "name": "Hours", "locationId": "loc", "rules": [],
                        "timezone": "America/New_York", "dateAdded": "2023-01-15T10:30:00.000Z",
                        "dateUpdated": "2023-01-20T14:45:00.000Z", "userId": "user", "deleted": false
                    })
                })
                .collect();
            json!({"schedules": all})
        };
        for (skip, ids) in [(None, &["a", "b"][..]), (Some("2"), &["c"][..])] {
            let mock = Mock::given(wiremock::matchers::path("/calendars/schedules/search"));
            let mock = match skip {
                Some(skip) => mock.and(query_param("skip", skip)),
                None => mock.and(query_param_is_missing("skip")),
            };
            mock.respond_with(ResponseTemplate::new(200).set_body_json(schedules(ids)))
                .expect(1)
                .mount(&server)
                .await;
        }
        let client = super::calendars::Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .build()
            .unwrap();
        let ids: Vec<String> = client
            .get_all_schedules("loc", "user")
            .limit(2.0)
            .into_stream()
            .map(|schedule| schedule.expect("each page decodes").id)
            .collect()
            .await;
        assert_eq!(ids, ["a", "b", "c"]);
    }

    fn swagger2_client(server: &MockServer) -> super::swagger2::Client {
        super::swagger2::Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap()
    }

    /// A Swagger 2.0 body parameter is the request body, sent as JSON.
    #[tokio::test]
    async fn a_swagger_2_body_parameter_is_sent_as_json() {
        use super::swagger2::types::{Owner, Pet};
        let server = server(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 7, "name": "Rex", "petType": "Dog"})),
        )
        .await;
        let pet = Pet::new("Rex".to_string(), "Dog".to_string())
            .with_owner(Owner::new().with_name("Ann".to_string()));
        let created = swagger2_client(&server).add_pet(&pet).await.unwrap();
        assert_eq!(created.id, Some(7));
        let request = only_request(&server).await;
        assert_eq!(
            (request.method.as_str(), request.url.path()),
            ("POST", "/pets")
        );
        assert_eq!(header(&request, "content-type"), "application/json");
        let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            sent,
            json!({"name": "Rex", "petType": "Dog", "owner": {"name": "Ann"}})
        );
    }

    /// Swagger 2.0 formData parameters are one form: URL-encoded, or
    /// multipart when one of them is a file.
    #[tokio::test]
    async fn swagger_2_form_data_parameters_are_sent_as_a_form() {
        use super::swagger2::types::{UpdatePetWithFormRequest, UploadPhotoRequest};
        let forms = server(ResponseTemplate::new(204)).await;
        let form = UpdatePetWithFormRequest::new("Rex & co".to_string())
            .with_tags(vec!["a".to_string(), "b".to_string()]);
        swagger2_client(&forms)
            .update_pet_with_form(7, &form)
            .await
            .unwrap();
        let request = only_request(&forms).await;
        assert_eq!(request.url.path(), "/pets/7");
        assert_eq!(
            header(&request, "content-type"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "name=Rex+%26+co&tags=a&tags=b"
        );

        let uploads =
            server(ResponseTemplate::new(200).set_body_json(json!({"url": "/p.png"}))).await;
        let photo =
            UploadPhotoRequest::new(vec![137, 80, 78, 71]).with_caption("front".to_string());
        let uploaded = swagger2_client(&uploads)
            .upload_photo(7, &photo)
            .await
            .unwrap();
        assert_eq!(uploaded.url.as_deref(), Some("/p.png"));
        let request = only_request(&uploads).await;
        assert_eq!(request.url.path(), "/pets/7/photo");
        let content_type = header(&request, "content-type");
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        let body = String::from_utf8_lossy(&request.body);
        assert!(body.contains("name=\"file\"; filename=\"file\""), "{body}");
        assert!(body.contains("name=\"caption\""), "{body}");
    }

    /// Swagger 2.0 collection formats: comma-separated by default, `multi`
    /// repeated, `pipes` pipe-separated.
    #[tokio::test]
    async fn swagger_2_collection_formats_are_query_styles() {
        use super::swagger2::types::FindPetsStatusItem;
        let server = server(ResponseTemplate::new(200).set_body_json(json!([]))).await;
        let tags = ["a".to_string(), "b".to_string()];
        let status = [FindPetsStatusItem::Available, FindPetsStatusItem::Sold];
        let pets = swagger2_client(&server)
            .find_pets()
            .tags(&tags)
            .status(&status)
            .ids(&[1, 2])
            .limit(5)
            .await
            .unwrap();
        assert!(pets.is_empty());
        let request = only_request(&server).await;
        assert_eq!(
            request.url.query(),
            Some("tags=a%2Cb&status=available&status=sold&ids=1%7C2&limit=5")
        );
    }

    /// A 3.1 `type: [string, "null"]` field: `null` and a string decode,
    /// and a required one is sent as `null` or as its value.
    #[tokio::test]
    async fn a_nullable_type_list_field_decodes_and_is_sent() {
        use super::openapi31::types::{Ticket, TicketRequest};
        let none = server(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "t1", "price": 12.5, "note": null})),
        )
        .await;
        let client = super::openapi31::Client::builder()
            .base_url(none.uri())
            .build()
            .unwrap();
        let ticket = client
            .buy_ticket(&TicketRequest::new("e1".to_string()))
            .await
            .unwrap();
        assert_eq!(ticket, Ticket::new("t1".to_string(), 12.5));
        assert_eq!(ticket.note, None);
        let request = only_request(&none).await;
        let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(sent, json!({"exhibitId": "e1", "note": null}));

        let gift = server(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "t2", "price": 3, "note": "gift"})),
        )
        .await;
        let client = super::openapi31::Client::builder()
            .base_url(gift.uri())
            .build()
            .unwrap();
        let request = TicketRequest::new("e2".to_string()).with_note("gift".to_string());
        let ticket = client.buy_ticket(&request).await.unwrap();
        assert_eq!(ticket.note.as_deref(), Some("gift"));
        let sent: serde_json::Value =
            serde_json::from_slice(&only_request(&gift).await.body).unwrap();
        assert_eq!(sent, json!({"exhibitId": "e2", "note": "gift"}));
    }
}
