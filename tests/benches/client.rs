//! Client overhead: the generated `highlevel_calendars` client against the
//! same request written by hand with reqwest and serde, side by side in one
//! run, against one loopback HTTP server; and request encoding and response
//! decoding of the generated types against hand-written serde structs.
//!
//! ```sh
//! cargo bench -p apigen-tests                 # the whole suite, about a minute
//! cargo test -p apigen-tests --benches        # smoke: every benchmark once
//! ```
//!
//! The server is a minimal HTTP/1.1 loop on 127.0.0.1 (keep-alive, no
//! parsing beyond the head and `Content-Length`) that answers every request
//! with the spec's example `BlockSlot`, so that what is measured is the
//! client side. It runs on its own thread and runtime; the clients run on a
//! current-thread runtime driven by criterion. The three request variants
//! are interleaved (see [`interleaved`]): a difference of a few percent is
//! smaller than the drift of a loopback round trip between two benchmarks
//! run one after the other.

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use criterion::{criterion_group, criterion_main, Criterion};
use highlevel_calendars::{
    BlockSlot, Client, RetryPolicy, UpdateBlockSlotRequest,
    UpdateBlockSlotRequestCalendarIdOrAssignedUserId,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "bench-token";
const EVENT_ID: &str = "0TkCdp9PfvLeWKYRRvIz";

/// The spec's example answer of `update-block-slot` (200).
const BLOCK_SLOT: &str = r#"{"id":"0TkCdp9PfvLeWKYRRvIz","locationId":"C2QujeCh8ZnC7al2InWR","title":"My event","startTime":"2021-06-23T03:30:00+05:30","endTime":"2021-06-23T04:30:00+05:30","calendarId":"CVokAlI8fgw4WYWoCtQz","assignedUserId":"0007BWpSzSwfiuSl0tR2"}"#;

/// The request body as someone would write it by hand for the same PUT.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandUpdateBlockSlot {
    location_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_time: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_time: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calendar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assigned_user_id: Option<String>,
}

/// The answer as someone would write it by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandBlockSlot {
    id: String,
    location_id: String,
    title: String,
    start_time: DateTime<FixedOffset>,
    end_time: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calendar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assigned_user_id: Option<String>,
}

fn instant(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("an RFC 3339 instant")
}

fn generated_request() -> UpdateBlockSlotRequest {
    UpdateBlockSlotRequest::new("C2QujeCh8ZnC7al2InWR".to_string())
        .with_title("Test Event".to_string())
        .with_start_time(instant("2021-06-23T03:30:00+05:30"))
        .with_end_time(instant("2021-06-23T04:30:00+05:30"))
        .with_calendar_id_or_assigned_user_id(
            UpdateBlockSlotRequestCalendarIdOrAssignedUserId::CalendarId(
                "CVokAlI8fgw4WYWoCtQz".to_string(),
            ),
        )
}

fn hand_request() -> HandUpdateBlockSlot {
    HandUpdateBlockSlot {
        location_id: "C2QujeCh8ZnC7al2InWR".to_string(),
        title: Some("Test Event".to_string()),
        start_time: Some(instant("2021-06-23T03:30:00+05:30")),
        end_time: Some(instant("2021-06-23T04:30:00+05:30")),
        calendar_id: Some("CVokAlI8fgw4WYWoCtQz".to_string()),
        assigned_user_id: None,
    }
}

/// Starts the loopback server on its own thread; returns its address.
fn start_server() -> SocketAddr {
    let response = Arc::new(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BLOCK_SLOT}",
            BLOCK_SLOT.len()
        )
        .into_bytes(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).expect("nonblocking");
    let address = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            // Ends with the process (the bench binary).
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(connection(socket, Arc::clone(&response)));
            }
        });
    });
    address
}

/// Answers every request of one keep-alive connection.
async fn connection(mut socket: TcpStream, response: Arc<Vec<u8>>) {
    let _ = socket.set_nodelay(true);
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        while let Some(length) = request_length(&buffer) {
            if buffer.len() < length {
                break;
            }
            buffer.drain(..length);
            if socket.write_all(&response).await.is_err() {
                return;
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The length of the first request in `buffer` (head and body), once its
/// head is complete.
fn request_length(buffer: &[u8]) -> Option<usize> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let body = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    Some(head_end + body)
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    base_url: String,
    generated: Client,
    /// `reqwest::Client::new()`: what a hand-written client usually has.
    plain: reqwest::Client,
    /// reqwest configured as the generated client configures it (timeouts
    /// and user agent), to separate reqwest's cost from the runtime's.
    configured: reqwest::Client,
}

fn setup() -> Setup {
    let address = start_server();
    let base_url = format!("http://{address}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let generated = Client::builder()
        .bearer_token(TOKEN)
        .base_url(&base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("generated client");
    let configured = reqwest::Client::builder()
        .timeout(highlevel_calendars::DEFAULT_TIMEOUT)
        .connect_timeout(highlevel_calendars::DEFAULT_CONNECT_TIMEOUT)
        .user_agent(highlevel_calendars::meta::USER_AGENT)
        .build()
        .expect("configured reqwest client");
    Setup {
        runtime,
        base_url,
        generated,
        plain: reqwest::Client::new(),
        configured,
    }
}

async fn hand_update(
    http: &reqwest::Client,
    base_url: &str,
    id: &str,
    body: &HandUpdateBlockSlot,
) -> reqwest::Result<HandBlockSlot> {
    http.put(format!("{base_url}/calendars/events/block-slots/{id}"))
        .bearer_auth(TOKEN)
        .header("Version", "2021-04-15")
        .json(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

fn requests(c: &mut Criterion) {
    let setup = setup();
    let generated_body = generated_request();
    let hand_body = hand_request();
    // Same answer both ways, before anything is timed.
    let from_generated = setup
        .runtime
        .block_on(
            setup
                .generated
                .update_block_slot(EVENT_ID, &generated_body)
                .send(),
        )
        .expect("generated client request");
    let from_hand = setup
        .runtime
        .block_on(hand_update(
            &setup.plain,
            &setup.base_url,
            EVENT_ID,
            &hand_body,
        ))
        .expect("hand-written request");
    assert_eq!(from_generated.id, from_hand.id);
    assert_eq!(from_generated.start_time, from_hand.start_time);

    let mut group = c.benchmark_group("update_block_slot");
    group.sample_size(100);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, variant) in [
        ("handwritten", Variant::Handwritten),
        ("handwritten_configured", Variant::HandwrittenConfigured),
        ("generated", Variant::Generated),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&setup.runtime).iter_custom(|iters| {
                interleaved(&setup, &generated_body, &hand_body, variant, iters)
            })
        });
    }
    group.finish();
    if !smoke_run() {
        paired(&setup, &generated_body, &hand_body);
    }
}

/// Whether criterion runs each benchmark once (`cargo test --benches`, or
/// `cargo bench -- --test`) rather than measuring.
fn smoke_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// Rounds of the paired comparison.
const PAIRED_ROUNDS: usize = 20_000;

/// A paired comparison, printed after the criterion group: `PAIRED_ROUNDS`
/// rounds of one request per variant (rotating order), each request timed
/// on its own; the ratio of the medians of the per-request times is the
/// client's overhead. It is written to `target/criterion/update_block_slot.paired.json`.
fn paired(setup: &Setup, generated_body: &UpdateBlockSlotRequest, hand_body: &HandUpdateBlockSlot) {
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(PAIRED_ROUNDS); VARIANTS.len()];
    setup.runtime.block_on(async {
        for round in 0..PAIRED_ROUNDS {
            for k in 0..VARIANTS.len() {
                let index = (round + k) % VARIANTS.len();
                let start = Instant::now();
                send(setup, generated_body, hand_body, VARIANTS[index]).await;
                times[index].push(start.elapsed().as_nanos() as f64);
            }
        }
    });
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    let names: Vec<String> = VARIANTS.iter().map(|v| format!("{v:?}")).collect();
    report(
        "update_block_slot",
        &format!("{PAIRED_ROUNDS} rounds (median per request, ratio to handwritten)"),
        &names,
        &medians,
        PAIRED_ROUNDS,
    );
}

/// Prints a paired comparison (the first variant is the baseline) and
/// writes it to `target/criterion/NAME.paired.json`, next to criterion's
/// own results.
fn report(name: &str, what: &str, variants: &[String], medians: &[f64], rounds: usize) {
    let baseline = medians[0];
    let mut report = serde_json::Map::new();
    println!("{name} paired, {what}:");
    for (variant, median) in variants.iter().zip(medians) {
        println!(
            "  {variant:<24} {:>10.3} µs   {:.3}",
            median / 1e3,
            median / baseline
        );
        report.insert(
            variant.clone(),
            serde_json::json!({ "median_ns": median, "ratio": median / baseline }),
        );
    }
    report.insert("rounds".to_string(), serde_json::json!(rounds));
    // <target>/criterion, the executable being <target>/release/deps/client-*.
    if let Some(target) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
    {
        let dir = target.join("criterion");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            dir.join(format!("{name}.paired.json")),
            serde_json::to_string_pretty(&serde_json::Value::Object(report))
                .expect("JSON of the report"),
        );
    }
}

/// Rounds of the paired codec comparison, and calls per timed batch.
const CODEC_ROUNDS: usize = 2_000;
const CODEC_BATCH: usize = 200;

/// Encoding and decoding compared the way requests are: `CODEC_ROUNDS`
/// rounds of one batch of `CODEC_BATCH` calls per variant, the variant that
/// goes first alternating, each batch timed on its own; the ratio of the
/// medians of the time per call. Criterion's groups above run one variant
/// after the other, and their medians drift by ±20 % between groups on a
/// busy machine, more than the difference measured.
fn paired_codec(generated_body: &UpdateBlockSlotRequest, hand_body: &HandUpdateBlockSlot) {
    fn per_call(mut call: impl FnMut()) -> f64 {
        let start = Instant::now();
        for _ in 0..CODEC_BATCH {
            call();
        }
        start.elapsed().as_nanos() as f64 / CODEC_BATCH as f64
    }
    /// One round: a batch of each variant, the one that goes first
    /// alternating from round to round.
    fn round(
        round: usize,
        times: &mut [Vec<f64>; 2],
        mut handwritten: impl FnMut(),
        mut generated: impl FnMut(),
    ) {
        for k in 0..2 {
            let which = (round + k) % 2;
            times[which].push(match which {
                0 => per_call(&mut handwritten),
                _ => per_call(&mut generated),
            });
        }
    }
    fn median(mut times: Vec<f64>) -> f64 {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    }
    let bytes = BLOCK_SLOT.as_bytes();
    // [handwritten, generated]
    let mut encode: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut decode: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for r in 0..CODEC_ROUNDS {
        round(
            r,
            &mut encode,
            || {
                black_box(serde_json::to_vec(black_box(hand_body)).expect("encode"));
            },
            || {
                black_box(serde_json::to_vec(black_box(generated_body)).expect("encode"));
            },
        );
        round(
            r,
            &mut decode,
            || {
                black_box(
                    serde_json::from_slice::<HandBlockSlot>(black_box(bytes)).expect("decode"),
                );
            },
            || {
                black_box(serde_json::from_slice::<BlockSlot>(black_box(bytes)).expect("decode"));
            },
        );
    }
    let names = ["handwritten".to_string(), "generated".to_string()];
    let what = format!(
        "{CODEC_ROUNDS} rounds of {CODEC_BATCH} calls (median per call, ratio to handwritten)"
    );
    for (name, [hand, generated]) in [
        ("encode_update_block_slot_request", encode),
        ("decode_block_slot", decode),
    ] {
        let medians = [median(hand), median(generated)];
        report(name, &what, &names, &medians, CODEC_ROUNDS);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Handwritten,
    HandwrittenConfigured,
    Generated,
}

const VARIANTS: [Variant; 3] = [
    Variant::Handwritten,
    Variant::HandwrittenConfigured,
    Variant::Generated,
];

/// Sends one request the way `variant` does.
async fn send(
    setup: &Setup,
    generated_body: &UpdateBlockSlotRequest,
    hand_body: &HandUpdateBlockSlot,
    variant: Variant,
) {
    match variant {
        Variant::Handwritten => {
            black_box(
                hand_update(
                    &setup.plain,
                    &setup.base_url,
                    EVENT_ID,
                    black_box(hand_body),
                )
                .await
                .expect("hand-written request"),
            );
        }
        Variant::HandwrittenConfigured => {
            black_box(
                hand_update(
                    &setup.configured,
                    &setup.base_url,
                    EVENT_ID,
                    black_box(hand_body),
                )
                .await
                .expect("hand-written request, configured reqwest"),
            );
        }
        Variant::Generated => {
            black_box(
                setup
                    .generated
                    .update_block_slot(EVENT_ID, black_box(generated_body))
                    .await
                    .expect("generated client request"),
            );
        }
    }
}

/// Times `iters` requests of `measured`, each in a round with one request
/// of every other variant (untimed, in rotating order), so that all
/// variants are measured under the same conditions over the same period:
/// drift of the machine cancels out of their ratio.
async fn interleaved(
    setup: &Setup,
    generated_body: &UpdateBlockSlotRequest,
    hand_body: &HandUpdateBlockSlot,
    measured: Variant,
    iters: u64,
) -> Duration {
    let mut total = Duration::ZERO;
    for round in 0..iters {
        for k in 0..VARIANTS.len() {
            let variant = VARIANTS[(round as usize + k) % VARIANTS.len()];
            let start = Instant::now();
            send(setup, generated_body, hand_body, variant).await;
            if variant == measured {
                total += start.elapsed();
            }
        }
    }
    total
}

fn codec(c: &mut Criterion) {
    let generated_body = generated_request();
    let hand_body = hand_request();
    assert_eq!(
        serde_json::to_vec(&generated_body).expect("encode"),
        serde_json::to_vec(&hand_body).expect("encode"),
        "both request types encode to the same bytes"
    );
    let generated_slot: BlockSlot = serde_json::from_str(BLOCK_SLOT).expect("decode");
    let hand_slot: HandBlockSlot = serde_json::from_str(BLOCK_SLOT).expect("decode");
    assert_eq!(
        serde_json::to_value(&generated_slot).expect("value"),
        serde_json::to_value(&hand_slot).expect("value"),
        "both answer types decode the same fields"
    );

    let mut group = c.benchmark_group("encode_update_block_slot_request");
    group.bench_function("handwritten", |b| {
        b.iter(|| serde_json::to_vec(black_box(&hand_body)).expect("encode"))
    });
    group.bench_function("generated", |b| {
        b.iter(|| serde_json::to_vec(black_box(&generated_body)).expect("encode"))
    });
    group.finish();

    let mut group = c.benchmark_group("decode_block_slot");
    group.bench_function("handwritten", |b| {
        b.iter(|| {
            serde_json::from_slice::<HandBlockSlot>(black_box(BLOCK_SLOT.as_bytes()))
                .expect("decode")
        })
    });
    group.bench_function("generated", |b| {
        b.iter(|| {
            serde_json::from_slice::<BlockSlot>(black_box(BLOCK_SLOT.as_bytes())).expect("decode")
        })
    });
    group.finish();
    if !smoke_run() {
        paired_codec(&generated_body, &hand_body);
    }
}

criterion_group!(benches, requests, codec);
criterion_main!(benches);
