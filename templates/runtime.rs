//! The HTTP runtime every apigen client shares: client configuration,
//! authentication, retries, rate limits, request building, error types.
//!
//! This file does not depend on the spec. Values that do (the base URL, the
//! crate's name and version) come from the sibling `meta` module, so the
//! same file compiles unchanged in every generated client.

use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use super::meta;

/// Default limit on the total time of one attempt, connect to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit on one call: every attempt and every wait between them.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(180);
/// Default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on the size of a response body.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Error messages quote at most this many bytes of an unexpected body.
pub const SNIPPET_BYTES: usize = 1024;

/// A future returned by a [`TokenProvider`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, TokenError>> + Send + 'a>>;

/// The error a [`TokenProvider`] returns.
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

/// Supplies bearer tokens that change over time, such as OAuth access
/// tokens. The client asks for [`TokenProvider::token`] once and keeps it;
/// when the API answers 401 it calls [`TokenProvider::refresh`] once, shared
/// by all requests in flight, and retries the request once with the new token.
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to use now.
    fn token(&self) -> TokenFuture<'_>;
    /// A fresh token, after the API rejected the previous one.
    fn refresh(&self) -> TokenFuture<'_>;
}

/// A bearer token. Its `Debug` output never shows the token.
#[derive(Clone, PartialEq, Eq)]
struct SecretToken(String);

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl SecretToken {
    fn validate(self) -> Result<Self, &'static str> {
        if self.0.is_empty() {
            return Err("the token is empty");
        }
        if !self.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the token contains spaces, control characters or non-ASCII characters");
        }
        Ok(self)
    }

    fn header_value(&self) -> Result<HeaderValue, &'static str> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0))
            .map_err(|_| "the token is not a valid header value")?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// How the client authenticates.
#[derive(Clone)]
enum Auth {
    None,
    Static(HeaderValue),
    Provider(Arc<TokenCache>),
}

/// The current token of a provider, and the lock that makes concurrent
/// requests share one refresh.
struct TokenCache {
    provider: Box<dyn TokenProvider>,
    /// The current `Authorization` value and its generation.
    current: std::sync::Mutex<Option<(HeaderValue, u64)>>,
    refresh: tokio::sync::Mutex<()>,
}

impl TokenCache {
    fn current(&self) -> Option<(HeaderValue, u64)> {
        match self.current.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn store(&self, value: HeaderValue, generation: u64) {
        match self.current.lock() {
            Ok(mut guard) => *guard = Some((value, generation)),
            Err(poisoned) => *poisoned.into_inner() = Some((value, generation)),
        }
    }

    async fn fetch(&self, future: TokenFuture<'_>) -> Result<HeaderValue, String> {
        let token = future.await.map_err(|e| e.to_string())?;
        let token = SecretToken(token).validate().map_err(str::to_string)?;
        token.header_value().map_err(str::to_string)
    }

    /// The header to send, and its generation.
    async fn get(&self) -> Result<(HeaderValue, u64), String> {
        if let Some(current) = self.current() {
            return Ok(current);
        }
        let _guard = self.refresh.lock().await;
        if let Some(current) = self.current() {
            return Ok(current);
        }
        let value = self.fetch(self.provider.token()).await?;
        self.store(value.clone(), 0);
        Ok((value, 0))
    }

    /// A fresh header after `rejected` (a generation) got a 401; only one
    /// caller refreshes, the others wait for it and reuse its token.
    async fn refreshed(&self, rejected: u64) -> Result<(HeaderValue, u64), String> {
        let _guard = self.refresh.lock().await;
        if let Some((value, generation)) = self.current() {
            if generation != rejected {
                return Ok((value, generation));
            }
        }
        let value = self.fetch(self.provider.refresh()).await?;
        let generation = rejected + 1;
        self.store(value.clone(), generation);
        Ok((value, generation))
    }
}

/// When and how often a request is retried.
///
/// Retried: a 429 (the server did not process the request), whatever the
/// method; connection failures, timeouts and the statuses 408, 500, 502,
/// 503 and 504 for idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS)
/// and for requests that carry an idempotency key. Other requests are
/// retried only when the connection failed before they were sent. Waits grow exponentially from
/// `initial_backoff` with full jitter, capped at `max_backoff`; a
/// `Retry-After` header (seconds or HTTP date) or, on 429,
/// `X-RateLimit-Interval-Milliseconds` sets the wait instead. When the next
/// wait would exceed `max_total_wait`, the last answer is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// The first backoff (default 200 ms).
    pub initial_backoff: Duration,
    /// The largest single wait (default 10 s).
    pub max_backoff: Duration,
    /// The largest total wait across retries (default 30 s).
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_total_wait: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Exponential backoff with full jitter before attempt `attempt + 1`.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        // Randomness from std's hasher keys: no extra dependency.
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Duration::from_nanos(random % (nanos + 1))
    }
}

/// The rate-limit headers HighLevel-style APIs send with every answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// `X-RateLimit-Limit-Daily`: requests allowed per day.
    pub daily_limit: Option<u64>,
    /// `X-RateLimit-Daily-Remaining`: requests left today.
    pub daily_remaining: Option<u64>,
    /// `X-RateLimit-Interval-Milliseconds`: length of the burst window.
    pub interval: Option<Duration>,
    /// `X-RateLimit-Max`: requests allowed per burst window.
    pub max: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the burst window.
    pub remaining: Option<u64>,
}

impl RateLimit {
    /// Parses the headers; absent or malformed headers are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateLimit {
            daily_limit: number("x-ratelimit-limit-daily"),
            daily_remaining: number("x-ratelimit-daily-remaining"),
            interval: number("x-ratelimit-interval-milliseconds").map(Duration::from_millis),
            max: number("x-ratelimit-max"),
            remaining: number("x-ratelimit-remaining"),
        }
    }

    /// Whether the daily quota is used up.
    pub fn daily_exhausted(&self) -> bool {
        self.daily_remaining == Some(0)
    }
}

/// The wait a `Retry-After` header asks for: seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More seconds than a u64 holds saturate instead of failing.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Configures and builds a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<SecretToken>,
    provider: Option<Arc<TokenCache>>,
    timeout: Duration,
    deadline: Duration,
    connect_timeout: Duration,
    max_body_bytes: u64,
    allow_insecure_http: bool,
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    hooks: Hooks,
}

/// A function called with each attempt's request, just before it is sent.
type RequestHook = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;
/// A function called with each attempt's response, before its body is read.
type ResponseHook = Arc<dyn Fn(&reqwest::Response) + Send + Sync>;

/// The hooks of a client, run in the order they were added.
#[derive(Clone, Default)]
struct Hooks {
    on_request: Vec<RequestHook>,
    on_response: Vec<ResponseHook>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_request", &self.on_request.len())
            .field("on_response", &self.on_response.len())
            .finish()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("token_provider", &self.provider.as_ref().map(|_| ".."))
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("http_client", &self.http.as_ref().map(|_| ".."))
            .field("hooks", &self.hooks)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: meta::DEFAULT_BASE_URL.to_string(),
            token: None,
            provider: None,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_insecure_http: false,
            user_agent: meta::USER_AGENT.to_string(),
            retry: RetryPolicy::default(),
            http: None,
            hooks: Hooks::default(),
        }
    }
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer <token>` with every request (a static
    /// token, such as a Private Integration Token).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretToken(token.into()));
        self.provider = None;
        self
    }

    /// Gets tokens from `provider` (for OAuth access tokens that expire).
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.provider = Some(Arc::new(TokenCache {
            provider: Box::new(provider),
            current: std::sync::Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }));
        self.token = None;
        self
    }

    /// Overrides the server, e.g. `http://127.0.0.1:8080` in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Total time allowed for one call, every attempt and every wait
    /// between retries included (default 3 minutes); past it the call
    /// returns [`Error::Deadline`]. A retry whose wait would pass it is not
    /// made: the last answer or error is returned.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body accepted (default 10 MiB).
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The retry policy of every request (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Allows plain `http://` base URLs for hosts other than loopback.
    /// Loopback addresses (`127.0.0.1`, `[::1]`, `localhost`) are always allowed.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Replaces the `User-Agent` header (default: crate name and version).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends every request through `client`, the application's own
    /// `reqwest::Client` (proxies, custom root certificates, HTTP/2
    /// settings, default headers). Its own settings then replace
    /// [`ClientBuilder::timeout`], [`ClientBuilder::connect_timeout`] and
    /// [`ClientBuilder::user_agent`], which are ignored, and its redirect
    /// and https-only policies apply. Everything else still applies: the
    /// base URL and its https check, the bearer token or token provider,
    /// retries, the body size limit, hooks and per-call timeouts.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Calls `hook` with every attempt's request (retries included) just
    /// before it is sent, e.g. to log it, count it or sign it. The request
    /// carries the `Authorization` header, marked sensitive: its `Debug`
    /// output does not show the token.
    pub fn on_request(
        mut self,
        hook: impl Fn(&mut reqwest::Request) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.on_request.push(Arc::new(hook));
        self
    }

    /// Calls `hook` with every attempt's response (retries included) when
    /// its status and headers have arrived, before its body is read.
    pub fn on_response(
        mut self,
        hook: impl Fn(&reqwest::Response) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.on_response.push(Arc::new(hook));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let auth = match (self.token, self.provider) {
            (Some(token), _) => {
                let token = token.validate().map_err(BuildError::InvalidToken)?;
                Auth::Static(token.header_value().map_err(BuildError::InvalidToken)?)
            }
            (None, Some(provider)) => Auth::Provider(provider),
            (None, None) => Auth::None,
        };
        let base_url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| BuildError::InvalidBaseUrl(format!("{}: {e}", self.base_url)))?;
        match base_url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&base_url) => {}
            "http" => {
                return Err(BuildError::InvalidBaseUrl(format!(
                    "{} uses plain http for a host that is not loopback; use https or call allow_insecure_http(true)",
                    self.base_url
                )))
            }
            other => {
                return Err(BuildError::InvalidBaseUrl(format!(
                    "{}: unsupported scheme `{other}`",
                    self.base_url
                )))
            }
        }
        let user_agent = HeaderValue::try_from(self.user_agent.as_str())
            .map_err(|_| BuildError::InvalidUserAgent)?;
        let http = match self.http {
            Some(http) => http,
            // reqwest drops `Authorization` when a redirect leaves the host.
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(user_agent)
                .https_only(!self.allow_insecure_http && base_url.scheme() == "https")
                .build()
                .map_err(BuildError::Http)?,
        };
        Ok(Client {
            http,
            base_url: self.base_url.trim_end_matches('/').to_string(),
            auth,
            max_body_bytes: self.max_body_bytes,
            retry: self.retry,
            deadline: self.deadline,
            hooks: self.hooks,
        })
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why a [`ClientBuilder`] could not build a client.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The bearer token is empty or not a visible-ASCII string.
    InvalidToken(&'static str),
    /// The base URL does not parse, or is not https.
    InvalidBaseUrl(String),
    /// The user agent is not a valid header value.
    InvalidUserAgent,
    /// reqwest could not build its client (e.g. no TLS backend).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidToken(why) => write!(f, "invalid bearer token: {why}"),
            BuildError::InvalidBaseUrl(why) => write!(f, "invalid base URL {why}"),
            BuildError::InvalidUserAgent => {
                f.write_str("the user agent is not a valid header value")
            }
            BuildError::Http(_) => f.write_str("cannot build the HTTP client"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// The API client: one method per operation. Cheap to clone; clones share
/// their connection pool and token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    auth: Auth,
    max_body_bytes: u64,
    retry: RetryPolicy,
    deadline: Duration,
    hooks: Hooks,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none",
            Auth::Static(_) => "bearer token <redacted>",
            Auth::Provider(_) => "token provider",
        };
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("auth", &auth)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("retry", &self.retry)
            .field("deadline", &self.deadline)
            .field("hooks", &self.hooks)
            .finish()
    }
}

/// One attempt's outcome, before decoding.
enum Attempt {
    Answer(RawResponse),
    Failed(reqwest::Error, bool),
}

impl Client {
    /// Starts configuring a client for the default server.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The server this client talks to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client that shares this one's connections and token but retries
    /// by `policy`, for a request that needs a different policy.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        Client {
            retry: policy,
            ..self.clone()
        }
    }

    /// Sends a request built by a generated method and decodes the answer.
    pub(super) async fn send<T, E>(&self, request: Request) -> Result<Response<T>, Error<E>>
    where
        T: DeserializeOwned,
        E: ApiError,
    {
        let raw = self.exchange(request).await?;
        if raw.status.is_success() {
            return match json_body(&raw.body) {
                Ok(body) => Ok(raw.with_body(body)),
                Err(source) => Err(raw.decode_error(source)),
            };
        }
        Err(error_for(raw))
    }

    /// Like [`Client::send`], with the operation's own decoding of 2xx
    /// bodies (by status, or as text or bytes).
    // Not every API has such an operation.
    #[allow(dead_code)]
    pub(super) async fn send_with<T, E>(
        &self,
        request: Request,
        decode_body: impl FnOnce(u16, &[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<Response<T>, Error<E>>
    where
        E: ApiError,
    {
        let raw = self.exchange(request).await?;
        if raw.status.is_success() {
            return match decode_body(raw.status.as_u16(), &raw.body) {
                Ok(body) => Ok(raw.with_body(body)),
                Err(source) => Err(raw.decode_error(source)),
            };
        }
        Err(error_for(raw))
    }

    /// Like [`Client::send`] for operations whose success has no body.
    // Not every API has such an operation.
    #[allow(dead_code)]
    pub(super) async fn send_empty<E>(&self, request: Request) -> Result<Response<()>, Error<E>>
    where
        E: ApiError,
    {
        let raw = self.exchange(request).await?;
        if raw.status.is_success() {
            return Ok(raw.with_body(()));
        }
        Err(error_for(raw))
    }

    /// Like [`Client::send`], handing a 2xx body over unread: no body
    /// limit, nothing buffered.
    // Not every API has a binary response.
    #[allow(dead_code)]
    pub(super) async fn send_streaming<E>(
        &self,
        request: Request,
    ) -> Result<Response<ByteStream>, Error<E>>
    where
        E: ApiError,
    {
        let mut raw = self.exchange(request).await?;
        if raw.status.is_success() {
            let stream = ByteStream {
                response: raw.stream.take(),
                retries: raw.retries,
            };
            return Ok(raw.with_body(stream));
        }
        Err(error_for(raw))
    }

    async fn authorization<E>(
        &self,
        request: &Request,
    ) -> Result<Option<(HeaderValue, u64)>, Error<E>> {
        if !request.authenticated {
            return Ok(None);
        }
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Static(value) => Ok(Some((value.clone(), 0))),
            Auth::Provider(cache) => cache.get().await.map(Some).map_err(Error::Auth),
        }
    }

    /// Sends `request`, retrying by the policy, and reads the whole body.
    async fn exchange<E>(&self, request: Request) -> Result<RawResponse, Error<E>> {
        use tracing::Instrument;
        // One span per call, named by the spec's path template: the filled-in
        // path may hold identifiers, and nothing secret is recorded.
        let span = tracing::debug_span!(
            "request",
            method = %request.method,
            path = request.template
        );
        self.exchange_inner(request).instrument(span).await
    }

    async fn exchange_inner<E>(&self, request: Request) -> Result<RawResponse, Error<E>> {
        let idempotent = matches!(
            request.method,
            reqwest::Method::GET
                | reqwest::Method::PUT
                | reqwest::Method::DELETE
                | reqwest::Method::HEAD
                | reqwest::Method::OPTIONS
        ) || has_idempotency_key(&request.headers);
        let policy = request.retry.as_ref().unwrap_or(&self.retry);
        let deadline = request.deadline.unwrap_or(self.deadline);
        let call_started = Instant::now();
        let mut authorization = self.authorization(&request).await?;
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let retries = attempt - 1;
            let started = Instant::now();
            let remaining = deadline.saturating_sub(call_started.elapsed());
            let sent = self.attempt(&request, authorization.as_ref().map(|(v, _)| v));
            let Ok(outcome) = tokio::time::timeout(remaining, sent).await else {
                tracing::debug!(attempt, "deadline passed");
                return Err(Error::Deadline { deadline, retries });
            };
            // The retry after a token refresh is one more attempt than the
            // policy's, and is counted in the retries reported.
            let budget = Budget {
                attempts_left: (policy.max_attempts + u32::from(refreshed)).saturating_sub(attempt),
                wait_left: policy
                    .max_total_wait
                    .saturating_sub(waited)
                    .min(deadline.saturating_sub(call_started.elapsed())),
            };
            let wait = match outcome {
                Attempt::Answer(mut raw) => {
                    raw.retries = retries;
                    if raw.too_large {
                        return Err(Error::BodyTooLarge {
                            status: raw.status.as_u16(),
                            limit: self.max_body_bytes,
                        });
                    }
                    let refresh = match (&self.auth, &authorization) {
                        (Auth::Provider(cache), Some((_, generation)))
                            if raw.status == 401 && !refreshed =>
                        {
                            Some((cache, *generation))
                        }
                        _ => None,
                    };
                    let wait = match refresh {
                        Some(_) => Some(Duration::ZERO),
                        None => answer_wait(&mut raw, policy, idempotent, attempt, &budget),
                    };
                    tracing::debug!(
                        method = %request.method,
                        path = request.template,
                        status = raw.status.as_u16(),
                        attempt,
                        duration_ms = millis(started.elapsed()),
                        retry_in_ms = wait.map(millis),
                        "answer"
                    );
                    if let Some((cache, generation)) = refresh {
                        refreshed = true;
                        authorization =
                            Some(cache.refreshed(generation).await.map_err(Error::Auth)?);
                        continue;
                    }
                    match wait {
                        Some(wait) => wait,
                        None => return Ok(raw),
                    }
                }
                Attempt::Failed(error, sent) => {
                    let retryable = (idempotent || !sent) && is_transient(&error);
                    let wait = Some(policy.backoff(attempt))
                        .filter(|wait| retryable && budget.allows(*wait));
                    tracing::debug!(
                        method = %request.method,
                        path = request.template,
                        attempt,
                        timeout = error.is_timeout(),
                        retry_in_ms = wait.map(millis),
                        "request failed"
                    );
                    match wait {
                        Some(wait) => wait,
                        None => return Err(transport_error(error, retries)),
                    }
                }
            };
            tokio::time::sleep(wait).await;
            waited = waited.saturating_add(wait);
        }
    }

    /// One attempt: send, then read the body within the size limit.
    async fn attempt(&self, request: &Request, authorization: Option<&HeaderValue>) -> Attempt {
        let url = format!("{}{}{}", self.base_url, request.path, request.query);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .headers(request.headers.clone());
        if let Some(authorization) = authorization {
            builder = builder.header(reqwest::header::AUTHORIZATION, authorization.clone());
        }
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        if !request.cookies.is_empty() {
            builder = builder.header(reqwest::header::COOKIE, request.cookies.join("; "));
        }
        if let Some(body) = &request.body {
            if let Some(content_type) = &request.content_type {
                builder = builder.header(reqwest::header::CONTENT_TYPE, content_type.clone());
            }
            builder = builder.body(body.clone());
        }
        let sent = match builder.build() {
            Ok(mut built) => {
                for hook in &self.hooks.on_request {
                    hook(&mut built);
                }
                self.http.execute(built).await
            }
            Err(e) => Err(e),
        };
        let mut response = match sent {
            Ok(response) => response,
            Err(e) => {
                let sent = !e.is_connect();
                return Attempt::Failed(e, sent);
            }
        };
        for hook in &self.hooks.on_response {
            hook(&response);
        }
        let status = response.status();
        let too_large = |response: &mut reqwest::Response| {
            Attempt::Answer(RawResponse {
                status,
                headers: std::mem::take(response.headers_mut()),
                body: Vec::new(),
                retries: 0,
                too_large: true,
                rate_limited: None,
                stream: None,
            })
        };
        if request.stream_success && status.is_success() {
            return Attempt::Answer(RawResponse {
                status,
                headers: response.headers().clone(),
                body: Vec::new(),
                retries: 0,
                too_large: false,
                rate_limited: None,
                stream: Some(Box::new(response)),
            });
        }
        let declared = response.content_length();
        if declared.is_some_and(|len| len > self.max_body_bytes) {
            return too_large(&mut response);
        }
        // The declared length is the server's word: a hint, within a bound.
        let hint = declared.map_or(0, |len| len.min(PREALLOCATE_LIMIT) as usize);
        let mut body = Vec::with_capacity(hint);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                        return too_large(&mut response);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Attempt::Failed(e, true),
            }
        }
        Attempt::Answer(RawResponse {
            status,
            headers: std::mem::take(response.headers_mut()),
            body,
            retries: 0,
            too_large: false,
            rate_limited: None,
            stream: None,
        })
    }
}

/// What is left of a call's retry budget after an attempt.
struct Budget {
    /// Attempts the policy still allows.
    attempts_left: u32,
    /// The wait left under the policy's total and the call's deadline.
    wait_left: Duration,
}

impl Budget {
    /// Whether one more attempt after `wait` fits.
    fn allows(&self, wait: Duration) -> bool {
        self.attempts_left > 0 && wait <= self.wait_left
    }
}

/// Whether a failed attempt may succeed when repeated: a timeout, or a
/// connection that failed or was lost.
fn is_transient(error: &reqwest::Error) -> bool {
    error.is_timeout()
        || error.is_connect()
        || error.is_request()
        || error.is_body()
        // reqwest reports a connection lost while reading the body as a
        // decode error; JSON decoding is done later.
        || error.is_decode()
}

/// The wait before retrying after the answer `raw` (attempt number
/// `attempt`), or `None` to return it. Marks a 429 returned as final.
fn answer_wait(
    raw: &mut RawResponse,
    policy: &RetryPolicy,
    idempotent: bool,
    attempt: u32,
    budget: &Budget,
) -> Option<Duration> {
    let status = raw.status.as_u16();
    let rate_limit = RateLimit::from_headers(&raw.headers);
    let asked = retry_after(&raw.headers).or(if status == 429 {
        rate_limit.interval
    } else {
        None
    });
    if status == 429 {
        raw.rate_limited = Some(retry_after(&raw.headers));
        if rate_limit.daily_exhausted() {
            return None;
        }
    }
    // A 429 means the server did not process the request, so it is
    // retried whatever the method; other statuses only where a repeat
    // cannot apply the request twice.
    let retryable = status == 429 || (idempotent && matches!(status, 408 | 500 | 502 | 503 | 504));
    if !retryable || budget.attempts_left == 0 {
        return None;
    }
    let wait = asked.unwrap_or_else(|| policy.backoff(attempt));
    if !budget.allows(wait) {
        if status == 429 {
            raw.rate_limited = Some(asked);
        }
        return None;
    }
    Some(wait)
}

/// A duration in whole milliseconds, for logs.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The most a declared `Content-Length` reserves before the body arrives.
const PREALLOCATE_LIMIT: u64 = 64 * 1024;

fn transport_error<E>(source: reqwest::Error, retries: u32) -> Error<E> {
    if source.is_timeout() {
        Error::Timeout { source, retries }
    } else {
        Error::Transport { source, retries }
    }
}

/// Whether a body is empty (whitespace counts as nothing).
fn is_empty(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A JSON body decoded into `T`. An empty body (a 204, a 200 with
/// `Content-Length: 0`) is read as `null`, then as `{}`, so that it decodes
/// into a unit or a struct whose fields are all optional; for other types
/// the error is that of the empty body.
pub(super) fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match serde_json::from_slice(body) {
        Err(error) if is_empty(body) => serde_json::from_slice(b"null")
            .or_else(|_| serde_json::from_slice(b"{}"))
            .map_err(|_| error),
        decoded => decoded,
    }
}

/// A decoding of a body into one variant of an operation's success enum.
// Not every API has an operation with several 2xx bodies.
#[allow(dead_code)]
pub(super) type Decoder<T> = fn(&[u8]) -> Result<T, serde_json::Error>;

/// A 2xx body whose status the spec does not list, decoded by its content:
/// an empty body as `empty` (the first listed status without a body) when
/// there is one, otherwise by the first of `tries` (the listed statuses'
/// bodies, in order) that decodes it; the error is the first try's.
#[allow(dead_code)]
pub(super) fn by_content<T>(
    body: &[u8],
    empty: Option<T>,
    tries: &[Decoder<T>],
) -> Result<T, serde_json::Error> {
    if let Some(value) = empty.filter(|_| is_empty(body)) {
        return Ok(value);
    }
    let mut first = None;
    for decode in tries {
        match decode(body) {
            Ok(value) => return Ok(value),
            Err(error) => {
                first.get_or_insert(error);
            }
        }
    }
    Err(first.unwrap_or_else(|| {
        <serde_json::Error as serde::de::Error>::custom(
            "a body where the spec lists none for a 2xx answer",
        )
    }))
}

/// A text body, decoded as UTF-8 (invalid sequences replaced).
#[allow(dead_code)]
pub(super) fn text_body(body: &[u8]) -> Result<String, serde_json::Error> {
    Ok(String::from_utf8_lossy(body).into_owned())
}

/// A binary body, as it is.
#[allow(dead_code)]
pub(super) fn bytes_body(body: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    Ok(body.to_vec())
}

/// The error of a non-2xx answer: the operation's typed body when the spec
/// declares the status (a declared 429 included), else `RateLimited` for a
/// 429, else `UnexpectedStatus`; `Decode` when a declared body does not match.
fn error_for<E: ApiError>(raw: RawResponse) -> Error<E> {
    let status = raw.status.as_u16();
    let retries = raw.retries;
    let typed = E::from_response(status, &raw.body);
    if let Some(retry_after) = raw.rate_limited {
        if let Some(Ok(body)) = typed {
            return Error::Api {
                status,
                body,
                retries,
                response: raw.into_parts(),
            };
        }
        return Error::RateLimited {
            rate_limit: RateLimit::from_headers(&raw.headers),
            retry_after,
            retries,
            response: raw.into_parts(),
        };
    }
    match typed {
        Some(Ok(body)) => Error::Api {
            status,
            body,
            retries,
            response: raw.into_parts(),
        },
        Some(Err(source)) => raw.decode_error(source),
        None => Error::UnexpectedStatus {
            status,
            snippet: snippet(&raw.body),
            retries,
            response: raw.into_parts(),
        },
    }
}

/// At most [`SNIPPET_BYTES`] of a body, cut at a character boundary.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= SNIPPET_BYTES {
        return text.into_owned();
    }
    let mut end = SNIPPET_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or_default())
}

/// A request built by hand, for an endpoint the spec lacks or a call the
/// generated methods cannot express: made by [`Client::request`], sent
/// through the client's base URL, credentials, retries, hooks, body limit
/// and error handling by [`RawRequest::send`]. Any 2xx answer is success;
/// other statuses are `Error::UnexpectedStatus` (or `RateLimited` for 429)
/// with the server's headers and body kept.
#[derive(Debug)]
#[must_use = "a request sends nothing until it is sent"]
pub struct RawRequest<'c> {
    client: &'c Client,
    request: Request,
    options: CallOptions,
    /// The first setter that failed, reported by `send`.
    invalid: Option<AnyError>,
}

/// The error enum of a hand-built request: it declares no status.
#[derive(Debug)]
enum Undeclared {}

impl ApiError for Undeclared {
    fn from_response(_: u16, _: &[u8]) -> Option<Result<Self, serde_json::Error>> {
        None
    }
}

impl Client {
    /// Starts a hand-built request. `path` is appended to the base URL as
    /// it is (percent-encode its segments yourself); it must start with
    /// `/` and hold no query (use [`RawRequest::query`]).
    pub fn request(&self, method: reqwest::Method, path: &str) -> RawRequest<'_> {
        let mut request = Request::new(method, "(hand-built request)");
        let invalid = if !path.starts_with('/') || path.contains(['?', '#']) {
            Some(Error::InvalidRequest(format!(
                "the path `{path}` must start with `/` and hold no `?` or `#`"
            )))
        } else {
            None
        };
        request.path_literal(path);
        RawRequest {
            client: self,
            request,
            options: CallOptions::default(),
            invalid,
        }
    }
}

impl RawRequest<'_> {
    /// Appends `name=value` to the query string, form-encoded.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.request.query(name, value);
        self
    }

    /// Sends a header, replacing one of the same name; checked when sent
    /// (`Authorization` is refused: the client's credentials set it).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.header(name, value);
        self
    }

    /// Sends `body` as JSON.
    pub fn json<B: serde::Serialize>(mut self, body: &B) -> Self {
        if let Err(error) = self.request.json(body) {
            self.invalid.get_or_insert(error.into());
        }
        self
    }

    /// Sends `bytes` as the body, with the given `Content-Type`.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>, content_type: &str) -> Self {
        match HeaderValue::try_from(content_type) {
            Ok(value) => self.request.set_body(bytes.into(), value),
            Err(_) => {
                self.invalid.get_or_insert(Error::InvalidRequest(format!(
                    "the content type `{content_type}` cannot be sent in a header"
                )));
            }
        }
        self
    }

    /// Overrides the client's timeout for each attempt of this request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout(timeout);
        self
    }

    /// Overrides the client's retry policy for this request.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry_policy(policy);
        self
    }

    /// Overrides the client's deadline ([`ClientBuilder::deadline`]) for
    /// this request.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline(deadline);
        self
    }

    /// Sends `key` as the `Idempotency-Key` header: the server applies a
    /// repeated request once, so this request is retried like a GET.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key(key);
        self
    }

    /// Sends the request; the answer's body is returned as bytes.
    pub async fn send(self) -> Result<Response<Vec<u8>>, AnyError> {
        let RawRequest {
            client,
            mut request,
            options,
            invalid,
        } = self;
        if let Some(error) = invalid {
            return Err(error);
        }
        request.apply(options)?;
        let answer = client
            .send_with::<_, Undeclared>(request, |_, body| bytes_body(body))
            .await?;
        Ok(answer)
    }
}

/// Options of one call, set through its request builder (`.timeout(..)`,
/// `.deadline(..)`, `.header(..)`, `.retry_policy(..)`,
/// `.idempotency_key(..)`); they apply to that call only.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    headers: Vec<(String, String)>,
    retry: Option<RetryPolicy>,
    max_pages: Option<u32>,
}

impl CallOptions {
    /// Overrides the client's timeout for each attempt of the call.
    pub fn timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Overrides the client's deadline for the whole call, attempts and
    /// waits included.
    pub fn deadline(&mut self, deadline: Duration) {
        self.deadline = Some(deadline);
    }

    /// Adds an extra header; it is checked when the request is sent.
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Overrides the client's retry policy for the call.
    pub fn retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// Sends `key` as the `Idempotency-Key` header, which makes the call
    /// safe to retry whatever its method.
    pub fn idempotency_key(&mut self, key: impl Into<String>) {
        self.header(IDEMPOTENCY_KEY, key);
    }

    /// Caps the pages a paginated call's stream fetches.
    pub fn max_pages(&mut self, pages: u32) {
        self.max_pages = Some(pages);
    }

    /// The cap on pages: the call's, or [`DEFAULT_MAX_PAGES`].
    // Not every API has a paginated operation.
    #[allow(dead_code)]
    pub(super) fn page_cap(&self) -> u32 {
        self.max_pages.unwrap_or(DEFAULT_MAX_PAGES)
    }
}

/// The header by which a server recognises a repeated request.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Whether a request carries an idempotency key, under the conventional
/// name or a spec's own (`X-Idempotency-Key`, `Idempotency_Key`): the server
/// then applies a repeated request once, so any method may be retried.
fn has_idempotency_key(headers: &HeaderMap) -> bool {
    headers.keys().any(|name| {
        let name = name.as_str().replace('_', "-");
        name == "idempotency-key" || name.ends_with("-idempotency-key")
    })
}

/// Why a request cannot be sent, found while building it: kept small, so
/// that building returns it cheaply, and made an [`Error::InvalidRequest`]
/// by `?`.
#[derive(Debug)]
pub(super) struct InvalidRequest(String);

impl<E> From<InvalidRequest> for Error<E> {
    fn from(invalid: InvalidRequest) -> Self {
        Error::InvalidRequest(invalid.0)
    }
}

/// A request as a generated method describes it.
// Not every API uses every kind of parameter, so some helpers may be unused.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub(super) struct Request {
    method: reqwest::Method,
    /// The spec's path template, e.g. `/pets/{petId}`, for logs.
    template: &'static str,
    path: String,
    query: String,
    headers: HeaderMap,
    cookies: Vec<String>,
    /// Shared, so that each attempt sends it without a copy.
    body: Option<bytes::Bytes>,
    content_type: Option<HeaderValue>,
    authenticated: bool,
    /// A per-call timeout, instead of the client's.
    timeout: Option<Duration>,
    /// A per-call deadline, instead of the client's.
    deadline: Option<Duration>,
    /// A per-call retry policy, instead of the client's.
    retry: Option<RetryPolicy>,
    /// A 2xx body is handed over unread, as a [`ByteStream`].
    stream_success: bool,
}

#[allow(dead_code)]
impl Request {
    pub(super) fn new(method: reqwest::Method, template: &'static str) -> Self {
        Request {
            method,
            template,
            path: String::new(),
            query: String::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: None,
            content_type: None,
            authenticated: true,
            timeout: None,
            deadline: None,
            retry: None,
            stream_success: false,
        }
    }

    /// Applies a call's options: its timeout, and its extra headers, each
    /// replacing a header of the same name. A name or value that cannot be
    /// sent, and `Authorization`, which only the client's credentials set,
    /// are refused.
    pub(super) fn apply(&mut self, options: CallOptions) -> Result<(), InvalidRequest> {
        self.timeout = options.timeout;
        self.deadline = options.deadline;
        self.retry = options.retry;
        for (name, value) in options.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| InvalidRequest(format!("`{name}` is not a valid header name")))?;
            if header == reqwest::header::AUTHORIZATION {
                return Err(InvalidRequest(
                    "the `Authorization` header comes from the client's credentials and cannot be set per call"
                        .to_string(),
                ));
            }
            let value = HeaderValue::try_from(value).map_err(|_| {
                InvalidRequest(format!(
                    "header `{name}` has a value that cannot be sent in a header"
                ))
            })?;
            self.headers.insert(header, value);
        }
        Ok(())
    }

    /// The operation needs no credentials: no `Authorization` is sent.
    pub(super) fn without_auth(&mut self) {
        self.authenticated = false;
    }

    /// Appends literal path text from the spec's template.
    pub(super) fn path_literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends a path parameter, percent-encoded as exactly one segment.
    pub(super) fn path_param(
        &mut self,
        name: &'static str,
        value: &str,
    ) -> Result<(), InvalidRequest> {
        if value.is_empty() || value == "." || value == ".." {
            return Err(InvalidRequest(format!(
                "path parameter `{name}` is {value:?}, which would address a different endpoint"
            )));
        }
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                self.path.push(char::from(byte));
            } else {
                self.path.push_str(&format!("%{byte:02X}"));
            }
        }
        Ok(())
    }

    /// Appends `name=value` to the query string, form-encoded.
    pub(super) fn query(&mut self, name: &str, value: &str) {
        self.query
            .push(if self.query.is_empty() { '?' } else { '&' });
        self.query
            .extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
        self.query.push('=');
        self.query
            .extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
    }

    /// Leaves a 2xx body unread, for [`Client::send_streaming`].
    pub(super) fn stream_success(&mut self) {
        self.stream_success = true;
    }

    /// The value of the query parameter `name`, when the request has it.
    fn query_value(&self, name: &str) -> Option<String> {
        let query = self.query.strip_prefix('?').unwrap_or(&self.query);
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// Sets the query parameter `name` to `value`, replacing any value it
    /// had.
    fn set_query(&mut self, name: &str, value: &str) {
        let query = self.query.strip_prefix('?').unwrap_or(&self.query);
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key != name)
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        self.query.clear();
        for (key, value) in &kept {
            self.query(key, value);
        }
        self.query(name, value);
    }

    /// Sets a header; fails when the value cannot be sent as a header.
    pub(super) fn header(&mut self, name: &'static str, value: &str) -> Result<(), InvalidRequest> {
        let value = HeaderValue::try_from(value).map_err(|_| {
            InvalidRequest(format!(
                "header `{name}` has a value that cannot be sent in a header"
            ))
        })?;
        self.headers.insert(HeaderName::from_static(name), value);
        Ok(())
    }

    /// Sets a header whose value is a constant of the spec.
    pub(super) fn constant_header(&mut self, name: &'static str, value: &'static str) {
        self.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }

    /// Serializes the JSON body.
    pub(super) fn json<B: serde::Serialize>(&mut self, body: &B) -> Result<(), InvalidRequest> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| InvalidRequest(format!("the request body cannot be serialized: {e}")))?;
        self.set_body(bytes, HeaderValue::from_static("application/json"));
        Ok(())
    }

    /// Encodes an object's fields as `application/x-www-form-urlencoded`:
    /// strings as they are, arrays as repeated names, other values as JSON
    /// text, absent fields left out.
    pub(super) fn form<B: serde::Serialize>(&mut self, body: &B) -> Result<(), InvalidRequest> {
        let value = serde_json::to_value(body)
            .map_err(|e| InvalidRequest(format!("the request body cannot be serialized: {e}")))?;
        let serde_json::Value::Object(fields) = value else {
            return Err(InvalidRequest("a form body must be an object".to_string()));
        };
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        let text = |value: &serde_json::Value| match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        for (name, value) in fields {
            match value {
                serde_json::Value::Null => {}
                // Arrays repeat the name, as `style: form, explode: true`.
                serde_json::Value::Array(items) => {
                    for item in items.iter().filter(|item| !item.is_null()) {
                        form.append_pair(&name, &text(item));
                    }
                }
                other => {
                    form.append_pair(&name, &text(&other));
                }
            }
        }
        self.set_body(
            form.finish().into_bytes(),
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        Ok(())
    }

    /// Sends `bytes` as they are, with the spec's media type.
    pub(super) fn raw(&mut self, bytes: Vec<u8>, content_type: &'static str) {
        self.set_body(bytes, HeaderValue::from_static(content_type));
    }

    /// Encodes a `multipart/form-data` body.
    pub(super) fn multipart(&mut self, form: Multipart) {
        let (bytes, content_type) = form.encode();
        self.set_body(bytes, content_type);
    }

    /// Adds `name=value` to the `Cookie` header.
    pub(super) fn cookie(&mut self, name: &str, value: &str) -> Result<(), InvalidRequest> {
        let safe = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
        };
        if !safe(name) || !(value.is_empty() || safe(value)) {
            return Err(InvalidRequest(format!(
                "cookie `{name}` has a value that cannot be sent in a cookie"
            )));
        }
        self.cookies.push(format!("{name}={value}"));
        Ok(())
    }

    fn set_body(&mut self, bytes: Vec<u8>, content_type: HeaderValue) {
        self.body = Some(bytes::Bytes::from(bytes));
        self.content_type = Some(content_type);
    }
}

/// A `multipart/form-data` body that the app builds part by part, for an
/// operation whose spec does not describe the form's fields.
#[derive(Debug, Clone, Default)]
pub struct MultipartForm {
    parts: Multipart,
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        MultipartForm::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.text(name, value);
        self
    }

    /// Adds a file, sent as `application/octet-stream` under `file_name`.
    pub fn file(mut self, name: &str, file_name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.parts.parts.push((
            name.to_string(),
            Some(file_name.to_string()),
            "application/octet-stream",
            bytes.into(),
        ));
        self
    }

    // Not every API has such an operation.
    #[allow(dead_code)]
    pub(super) fn to_parts(&self) -> Multipart {
        self.parts.clone()
    }
}

/// A field of a request that the spec marks `nullable` and does not
/// require: left out of the request, sent as `null` (which asks the server
/// to clear it), or sent with a value. Decoding tells a missing field
/// (`Absent`) from `null` (`Null`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// Not sent: the server keeps what it has.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is left out of the request.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// The value, if there is one.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T: serde::Serialize> serde::Serialize for Nullable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

/// A present field: `null` or a value. A missing one is `Absent`, through
/// `#[serde(default)]` on the field.
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Option<T> as serde::Deserialize>::deserialize(deserializer)?;
        Ok(value.map_or(Nullable::Null, Nullable::Value))
    }
}

/// A `multipart/form-data` body, built part by part.
#[allow(dead_code)]
#[derive(Debug, Clone, Default)]
pub(super) struct Multipart {
    parts: Vec<(String, Option<String>, &'static str, Vec<u8>)>,
}

#[allow(dead_code)]
impl Multipart {
    pub(super) fn new() -> Self {
        Multipart::default()
    }

    /// A text part.
    pub(super) fn text(&mut self, name: &str, value: &str) {
        self.parts.push((
            name.to_string(),
            None,
            "text/plain; charset=utf-8",
            value.as_bytes().to_vec(),
        ));
    }

    /// A part holding a value as JSON text (strings as they are).
    pub(super) fn json<T: serde::Serialize>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), InvalidRequest> {
        let value = serde_json::to_value(value)
            .map_err(|e| InvalidRequest(format!("part `{name}` cannot be serialized: {e}")))?;
        match value {
            serde_json::Value::String(text) => self.text(name, &text),
            other => self.parts.push((
                name.to_string(),
                None,
                "application/json",
                other.to_string().into_bytes(),
            )),
        }
        Ok(())
    }

    /// A file part.
    pub(super) fn bytes(&mut self, name: &str, value: Vec<u8>) {
        self.parts.push((
            name.to_string(),
            Some(name.to_string()),
            "application/octet-stream",
            value,
        ));
    }

    fn encode(self) -> (Vec<u8>, HeaderValue) {
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let boundary = format!("apigen-boundary-{random:016x}");
        let quote = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace(['\r', '\n'], " ")
        };
        let mut out = Vec::new();
        for (name, file_name, content_type, bytes) in self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file_name {
                Some(file) => format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n",
                    quote(&name),
                    quote(&file)
                ),
                None => format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n",
                    quote(&name)
                ),
            };
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
            out.extend_from_slice(&bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type =
            HeaderValue::try_from(format!("multipart/form-data; boundary={boundary}"))
                .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"));
        (out, content_type)
    }
}

/// The most pages a paginated call's stream fetches, unless its builder
/// sets `max_pages`.
pub const DEFAULT_MAX_PAGES: u32 = 1_000;

/// How a paginated operation asks for its next page.
// Not every API has a paginated operation, nor every style.
#[allow(dead_code)]
pub(super) enum Paging {
    /// The query parameter `param` counts the items to skip; `limit` is the
    /// page-size parameter.
    Offset {
        param: &'static str,
        limit: Option<&'static str>,
    },
    /// The query parameter `param` numbers the pages, from 1 unless the
    /// first request sets it.
    Page {
        param: &'static str,
        limit: Option<&'static str>,
    },
    /// The query parameter `param` carries the cursor the previous page
    /// gave.
    Cursor { param: &'static str },
    /// The previous page gave the next page's URL.
    NextUrl,
}

/// A paginated operation: how to page, and where a page's body holds its
/// items and the next cursor or URL.
#[allow(dead_code)]
pub(super) struct Pager<T, I> {
    pub(super) paging: Paging,
    pub(super) items: fn(T) -> Option<Vec<I>>,
    pub(super) next: fn(&T) -> Option<String>,
}

/// Where a paginated stream is: the items of the page fetched last, and
/// the request for the next page (none once the last page is in).
struct PageState<T, I, E> {
    buffered: std::collections::VecDeque<I>,
    next: Option<Result<Request, Error<E>>>,
    pages: u32,
    pager: Pager<T, I>,
}

#[allow(dead_code)]
impl Client {
    /// The items of every page, starting with `first`: fetched one page at
    /// a time, as the stream is read. A failed page ends the stream after
    /// its error; so does `max_pages`, without one.
    pub(super) fn paginate<'c, T, I, E>(
        &'c self,
        first: Result<Request, InvalidRequest>,
        pager: Pager<T, I>,
        max_pages: u32,
    ) -> impl futures_util::Stream<Item = Result<I, Error<E>>> + Send + 'c
    where
        T: DeserializeOwned + Send + 'c,
        I: Send + 'c,
        E: ApiError + Send + 'c,
    {
        let state = PageState {
            buffered: std::collections::VecDeque::new(),
            next: Some(first.map_err(Error::from)),
            pages: 0,
            pager,
        };
        futures_util::stream::unfold(state, move |mut state| async move {
            loop {
                if let Some(item) = state.buffered.pop_front() {
                    return Some((Ok(item), state));
                }
                if state.pages >= max_pages {
                    return None;
                }
                let request = match state.next.take()? {
                    Ok(request) => request,
                    Err(error) => return Some((Err(error), state)),
                };
                let body = match self.send::<T, E>(request.clone()).await {
                    Ok(response) => response.into_body(),
                    Err(error) => return Some((Err(error), state)),
                };
                state.pages += 1;
                let next = (state.pager.next)(&body);
                let items = (state.pager.items)(body).unwrap_or_default();
                state.next = self.next_page(request, &state.pager.paging, items.len(), next);
                state.buffered.extend(items);
            }
        })
    }

    /// The request for the page after the one `request` fetched, which held
    /// `count` items and gave `next`; `None` after the last page.
    fn next_page<E>(
        &self,
        mut request: Request,
        paging: &Paging,
        count: usize,
        next: Option<String>,
    ) -> Option<Result<Request, Error<E>>> {
        let number = |request: &Request, name: &str| {
            request
                .query_value(name)
                .and_then(|value| value.parse::<u64>().ok())
        };
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        // An empty page, or one shorter than the page size asked for, is
        // the last.
        let last = |request: &Request, limit: &Option<&str>| {
            count == 0
                || limit
                    .and_then(|l| number(request, l))
                    .is_some_and(|l| count < l)
        };
        match paging {
            Paging::Offset { param, limit } => {
                if last(&request, limit) {
                    return None;
                }
                let offset = number(&request, param).unwrap_or(0).saturating_add(count);
                request.set_query(param, &offset.to_string());
            }
            Paging::Page { param, limit } => {
                if last(&request, limit) {
                    return None;
                }
                let page = number(&request, param).unwrap_or(1).saturating_add(1);
                request.set_query(param, &page.to_string());
            }
            Paging::Cursor { param } => {
                let cursor = next.filter(|c| !c.is_empty())?;
                // A server that gives the same cursor again would loop.
                if request.query_value(param).as_deref() == Some(cursor.as_str()) {
                    return None;
                }
                request.set_query(param, &cursor);
            }
            Paging::NextUrl => {
                let url = next.filter(|u| !u.is_empty())?;
                return Some(self.follow(request, &url).map_err(Error::InvalidRequest));
            }
        }
        Some(Ok(request))
    }

    /// `request`, sent to the next page's URL instead: only a URL on this
    /// client's server (the credentials go with it).
    fn follow(&self, mut request: Request, next: &str) -> Result<Request, String> {
        let refused = || format!("the next page's URL `{next}` is not on the client's server");
        let base = reqwest::Url::parse(&self.base_url).map_err(|_| refused())?;
        let url = base.join(next).map_err(|_| refused())?;
        let rest = url
            .as_str()
            .strip_prefix(self.base_url.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            .ok_or_else(refused)?;
        let (path, query) = match rest.find('?') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        request.path = path.to_string();
        request.query = query.to_string();
        Ok(request)
    }
}

struct RawResponse {
    status: reqwest::StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    retries: u32,
    too_large: bool,
    /// For a 429 returned as the final answer: the wait the server asked for.
    rate_limited: Option<Option<Duration>>,
    /// A 2xx answer to a request that streams its body, unread (boxed: it
    /// is large, and rare).
    stream: Option<Box<reqwest::Response>>,
}

impl RawResponse {
    fn into_parts(self) -> Box<ResponseParts> {
        Box::new(ResponseParts {
            status: self.status.as_u16(),
            headers: self.headers,
            body: self.body,
        })
    }

    fn decode_error<E>(self, source: serde_json::Error) -> Error<E> {
        Error::Decode {
            status: self.status.as_u16(),
            snippet: snippet(&self.body),
            source,
            response: self.into_parts(),
        }
    }

    fn with_body<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status.as_u16(),
            rate_limit: RateLimit::from_headers(&self.headers),
            headers: self.headers,
            retries: self.retries,
            body,
        }
    }
}

/// A response body read as it arrives, chunk by chunk: from
/// `send_streaming` on the builder of an operation with a binary answer.
/// No body limit applies and nothing is buffered.
pub struct ByteStream {
    response: Option<Box<reqwest::Response>>,
    retries: u32,
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").finish_non_exhaustive()
    }
}

impl ByteStream {
    /// The next chunk of the body; `None` at its end. A connection lost
    /// mid-body is an `Error::Transport` (or `Error::Timeout`).
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, AnyError> {
        let Some(response) = &mut self.response else {
            return Ok(None);
        };
        match response.chunk().await {
            Ok(Some(chunk)) => Ok(Some(chunk)),
            Ok(None) => {
                self.response = None;
                Ok(None)
            }
            Err(source) => {
                self.response = None;
                Err(transport_error(source, self.retries))
            }
        }
    }

    /// The chunks as a `futures_util::Stream`; it ends after an error.
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = Result<bytes::Bytes, AnyError>> + Send {
        futures_util::stream::unfold(self, |mut body| async move {
            match body.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), body)),
                Ok(None) => None,
                Err(error) => Some((Err(error), body)),
            }
        })
    }
}

/// A decoded answer with its status, headers and rate-limit state.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    rate_limit: RateLimit,
    retries: u32,
    body: T,
}

impl<T> Response<T> {
    /// The HTTP status code (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The parsed `X-RateLimit-*` headers.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// How many times the request was retried before this answer.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// Consumes the response, keeping the body.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// Implemented by each operation's error enum: decodes the body of a
/// declared error status into its typed variant.
pub trait ApiError: Sized + fmt::Debug {
    /// `None` when `status` is not declared by the operation; otherwise the
    /// typed body, or the JSON error when the body does not match it.
    fn from_response(status: u16, body: &[u8]) -> Option<Result<Self, serde_json::Error>>;
}

/// Everything that can go wrong calling an operation. `E` is the
/// operation's error enum, holding the typed bodies of the error statuses
/// the spec declares.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with an error status the spec declares.
    Api {
        /// The HTTP status.
        status: u16,
        /// The typed body of that status.
        body: E,
        /// Retries before this answer.
        retries: u32,
        /// The status, headers and body bytes as the server sent them.
        response: Box<ResponseParts>,
    },
    /// The server answered with a status the spec does not declare.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body, at most 1 KiB.
        snippet: String,
        /// Retries before this answer.
        retries: u32,
        /// The status, headers and body bytes as the server sent them.
        response: Box<ResponseParts>,
    },
    /// 429, after the retries the policy allows, or at once when the daily
    /// quota is used up, for an operation that declares no 429 body (a
    /// declared one is returned as `Api`, its headers kept).
    RateLimited {
        /// The `X-RateLimit-*` headers of the last answer.
        rate_limit: RateLimit,
        /// The wait the server asked for, if it did.
        retry_after: Option<Duration>,
        /// Retries before this answer.
        retries: u32,
        /// The status, headers and body bytes as the server sent them.
        response: Box<ResponseParts>,
    },
    /// The body is not what the spec says (for example an HTML error page
    /// from a proxy).
    Decode {
        /// The HTTP status.
        status: u16,
        /// The start of the body, at most 1 KiB.
        snippet: String,
        /// What serde_json found wrong.
        source: serde_json::Error,
        /// The status, headers and body bytes as the server sent them.
        response: Box<ResponseParts>,
    },
    /// The request was refused before anything was sent.
    InvalidRequest(String),
    /// The response body is larger than the configured limit.
    BodyTooLarge {
        /// The HTTP status.
        status: u16,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The token provider failed or returned an unusable token.
    Auth(String),
    /// The server did not answer in time.
    Timeout {
        /// reqwest's error.
        source: reqwest::Error,
        /// Retries before giving up.
        retries: u32,
    },
    /// The call's deadline ([`ClientBuilder::deadline`], or the call's
    /// own) passed during an attempt.
    Deadline {
        /// The deadline of the call.
        deadline: Duration,
        /// Retries before the deadline passed.
        retries: u32,
    },
    /// Connecting, sending or receiving failed.
    Transport {
        /// reqwest's error.
        source: reqwest::Error,
        /// Retries before giving up.
        retries: u32,
    },
}

impl<E> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            Error::InvalidRequest(_)
            | Error::Auth(_)
            | Error::Timeout { .. }
            | Error::Deadline { .. }
            | Error::Transport { .. } => None,
        }
    }

    /// How many times the request was retried before this error.
    pub fn retries(&self) -> u32 {
        match self {
            Error::Api { retries, .. }
            | Error::UnexpectedStatus { retries, .. }
            | Error::RateLimited { retries, .. }
            | Error::Timeout { retries, .. }
            | Error::Deadline { retries, .. }
            | Error::Transport { retries, .. } => *retries,
            _ => 0,
        }
    }

    /// What the server sent (status, all headers, the whole body up to the
    /// body limit), for `Api`, `UnexpectedStatus`, `RateLimited` and `Decode`.
    pub fn response(&self) -> Option<&ResponseParts> {
        match self {
            Error::Api { response, .. }
            | Error::UnexpectedStatus { response, .. }
            | Error::RateLimited { response, .. }
            | Error::Decode { response, .. } => Some(response),
            _ => None,
        }
    }

    /// All the response headers, when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.response().map(ResponseParts::headers)
    }

    /// The whole response body (up to the body limit), when the server
    /// answered.
    pub fn body_bytes(&self) -> Option<&[u8]> {
        self.response().map(ResponseParts::body)
    }

    /// The server's request id (see [`ResponseParts::request_id`]).
    pub fn request_id(&self) -> Option<&str> {
        self.response().and_then(ResponseParts::request_id)
    }

    /// The wait the server asked for: for `RateLimited` the wait the
    /// retries used (`Retry-After`, or the rate-limit interval), otherwise
    /// the `Retry-After` header.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => self.response().and_then(ResponseParts::retry_after),
        }
    }

    /// The parsed `X-RateLimit-*` headers, when the server answered (a
    /// declared 429 returned as `Api` included).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.response().map(ResponseParts::rate_limit)
    }
}

/// What the server sent with an error: status, all headers and the whole
/// body (up to the client's body limit). `Debug` shows the body as text,
/// cut after [`SNIPPET_BYTES`].
#[derive(Clone)]
pub struct ResponseParts {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl fmt::Debug for ResponseParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseParts")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &snippet(&self.body))
            .finish()
    }
}

/// The headers that commonly carry a request id, in the order they are read.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "x-correlation-id", "request-id"];

impl ResponseParts {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// All the response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The whole body, up to the client's body limit.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The first of `X-Request-Id`, `X-Correlation-Id` and `Request-Id`
    /// that is present and visible ASCII.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name)?.to_str().ok())
    }

    /// `Retry-After` as a wait: seconds (saturating) or an HTTP date (zero
    /// when it is past); `None` when absent or malformed.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// The parsed `X-RateLimit-*` headers.
    pub fn rate_limit(&self) -> RateLimit {
        RateLimit::from_headers(&self.headers)
    }
}

/// The crate-level error: every operation's `Error<E>` converts into it
/// with `?` (its typed body becomes an [`ErrorBody`]), so one function can
/// call several operations. Hand-built requests ([`Client::request`])
/// return it too.
pub type AnyError = Error<ErrorBody>;

/// The typed error body of some operation, inside an [`AnyError`]: get it
/// back with [`ErrorBody::downcast_ref`] and the operation's error enum.
pub struct ErrorBody {
    body: Box<dyn std::any::Any + Send + Sync>,
    /// The typed body's `Debug` text.
    debug: String,
}

impl fmt::Debug for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug)
    }
}

impl ErrorBody {
    /// The body, if it is of type `T` (an operation's error enum).
    pub fn downcast_ref<T: std::any::Any>(&self) -> Option<&T> {
        self.body.downcast_ref()
    }
}

impl<E> From<Error<E>> for AnyError
where
    E: ApiError + Send + Sync + 'static,
{
    fn from(error: Error<E>) -> Self {
        match error {
            Error::Api {
                status,
                body,
                retries,
                response,
            } => Error::Api {
                status,
                body: ErrorBody {
                    debug: format!("{body:?}"),
                    body: Box::new(body),
                },
                retries,
                response,
            },
            Error::UnexpectedStatus {
                status,
                snippet,
                retries,
                response,
            } => Error::UnexpectedStatus {
                status,
                snippet,
                retries,
                response,
            },
            Error::RateLimited {
                rate_limit,
                retry_after,
                retries,
                response,
            } => Error::RateLimited {
                rate_limit,
                retry_after,
                retries,
                response,
            },
            Error::Decode {
                status,
                snippet,
                source,
                response,
            } => Error::Decode {
                status,
                snippet,
                source,
                response,
            },
            Error::InvalidRequest(why) => Error::InvalidRequest(why),
            Error::BodyTooLarge { status, limit } => Error::BodyTooLarge { status, limit },
            Error::Auth(why) => Error::Auth(why),
            Error::Timeout { source, retries } => Error::Timeout { source, retries },
            Error::Deadline { deadline, retries } => Error::Deadline { deadline, retries },
            Error::Transport { source, retries } => Error::Transport { source, retries },
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)?;
        match self.request_id() {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}

impl<E: fmt::Debug> Error<E> {
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, body, .. } => write!(f, "the API answered {status}: {body:?}"),
            Error::UnexpectedStatus { status, snippet, .. } => write!(
                f,
                "the API answered {status}, which this operation does not declare: {snippet}"
            ),
            Error::RateLimited {
                rate_limit,
                retry_after,
                retries,
                ..
            } => {
                if rate_limit.daily_exhausted() {
                    write!(f, "the daily request quota is used up; retry tomorrow")
                } else {
                    write!(f, "rate limited after {retries} retries")?;
                    match retry_after {
                        Some(wait) => write!(f, "; the API asks to wait {} ms", wait.as_millis()),
                        None => write!(f, "; slow down and retry later"),
                    }
                }
            }
            Error::Decode {
                status, response, ..
            } if response.body().iter().all(u8::is_ascii_whitespace) => write!(
                f,
                "the API answered {status} with an empty body, where the spec says the answer has one"
            ),
            Error::Decode { status, snippet, .. } => write!(
                f,
                "the API answered {status} with a body that does not match the spec (check the base URL or a proxy in between): {snippet}"
            ),
            Error::InvalidRequest(why) => write!(f, "invalid request, nothing was sent: {why}"),
            Error::BodyTooLarge { status, limit } => write!(
                f,
                "the API answered {status} with a body larger than {limit} bytes; raise ClientBuilder::max_body_bytes if it is expected"
            ),
            Error::Auth(why) => write!(f, "could not get a usable token from the token provider: {why}"),
            Error::Timeout { retries, .. } => write!(
                f,
                "the API did not answer in time ({retries} retries); retry later or raise ClientBuilder::timeout"
            ),
            Error::Deadline { deadline, retries } => write!(
                f,
                "the call took longer than its deadline of {} ms ({retries} retries); retry later or raise ClientBuilder::deadline",
                deadline.as_millis()
            ),
            Error::Transport { retries, .. } => write!(
                f,
                "could not reach the API ({retries} retries); check the network and the base URL"
            ),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } => Some(source),
            Error::Timeout { source, .. } | Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(3) <= Duration::from_millis(350));
            assert!(policy.backoff(30) <= Duration::from_millis(350));
        }
        // Full jitter: waits differ from one call to the next.
        let waits: std::collections::BTreeSet<Duration> =
            (0..50).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        headers.insert("retry-after", HeaderValue::try_from(date).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retry_after_saturates_and_never_panics() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            HeaderValue::from_static("99999999999999999999999"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(u64::MAX)));
        for odd in ["", "-1", "1.5", "+3", "Mon, 99 Foo 2015 07:28:00 GMT"] {
            headers.insert("retry-after", HeaderValue::from_static(odd));
            assert_eq!(retry_after(&headers), None, "{odd:?}");
        }
    }

    /// An error enum that declares 429.
    #[derive(Debug, PartialEq)]
    struct TooMany(serde_json::Value);

    impl ApiError for TooMany {
        fn from_response(status: u16, body: &[u8]) -> Option<Result<Self, serde_json::Error>> {
            (status == 429).then(|| serde_json::from_slice(body).map(TooMany))
        }
    }

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &[u8]) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        RawResponse {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            rate_limited: (status == 429).then(|| retry_after(&map)),
            headers: map,
            body: body.to_vec(),
            retries: 2,
            too_large: false,
            stream: None,
        }
    }

    #[test]
    fn a_declared_429_is_typed_and_keeps_the_rate_limit() {
        let raw = answer(
            429,
            &[("retry-after", "5"), ("x-ratelimit-remaining", "0")],
            br#"{"message":"slow down"}"#,
        );
        let error = error_for::<TooMany>(raw);
        match &error {
            Error::Api {
                status: 429,
                body,
                retries: 2,
                ..
            } => {
                assert_eq!(body, &TooMany(serde_json::json!({"message": "slow down"})));
            }
            other => panic!("expected Error::Api, got {other:?}"),
        }
        assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(error.rate_limit().and_then(|r| r.remaining), Some(0));
        assert_eq!(error.body_bytes(), Some(&br#"{"message":"slow down"}"#[..]));
        // The same answer for an operation that does not declare 429.
        let raw = answer(429, &[("retry-after", "5")], b"slow down");
        match error_for::<Undeclared>(raw) {
            Error::RateLimited {
                retry_after,
                response,
                ..
            } => {
                assert_eq!(retry_after, Some(Duration::from_secs(5)));
                assert_eq!(response.body(), b"slow down");
            }
            other => panic!("expected Error::RateLimited, got {other:?}"),
        }
    }

    #[test]
    fn request_ids_are_read_from_the_common_headers() {
        for name in ["x-request-id", "x-correlation-id", "request-id"] {
            let error = error_for::<Undeclared>(answer(500, &[(name, "req-42")], b""));
            assert_eq!(error.request_id(), Some("req-42"), "{name}");
            assert!(
                error.to_string().ends_with("(request id req-42)"),
                "{error}"
            );
        }
        let error = error_for::<Undeclared>(answer(500, &[], b""));
        assert_eq!(error.request_id(), None);
    }

    #[test]
    fn http_base_urls_only_for_loopback_unless_allowed() {
        let err = Client::builder()
            .base_url("http://api.example.com")
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::InvalidBaseUrl(_)), "{err:?}");
        for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
            assert!(Client::builder().base_url(url).build().is_ok(), "{url}");
        }
        assert!(Client::builder()
            .base_url("http://api.example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok());
    }

    #[test]
    fn snippets_are_bounded_at_a_char_boundary() {
        let body = "é".repeat(2000);
        let cut = snippet(body.as_bytes());
        assert!(cut.len() <= SNIPPET_BYTES + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }
}
