//! The HTTP runtime every apigen client shares: client configuration,
//! authentication, request building, error types.
//!
//! This file does not depend on the spec. Values that do (the base URL, the
//! crate's name and version) come from the sibling `meta` module, so the
//! same file compiles unchanged in every generated client.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use super::meta;

/// Default limit on the total time of one attempt, connect to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on the size of a response body.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Error messages quote at most this many bytes of an unexpected body.
pub const SNIPPET_BYTES: usize = 1024;

/// A bearer token. Its `Debug` output never shows the token.
#[derive(Clone)]
struct SecretToken(String);

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

impl SecretToken {
    fn validate(self) -> Result<Self, BuildError> {
        let token = &self.0;
        if token.is_empty() {
            return Err(BuildError::InvalidToken("the token is empty"));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BuildError::InvalidToken(
                "the token contains spaces, control characters or non-ASCII characters",
            ));
        }
        Ok(self)
    }

    fn header_value(&self) -> Result<HeaderValue, BuildError> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0))
            .map_err(|_| BuildError::InvalidToken("the token is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Configures and builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<SecretToken>,
    timeout: Duration,
    connect_timeout: Duration,
    max_body_bytes: u64,
    allow_insecure_http: bool,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: meta::DEFAULT_BASE_URL.to_string(),
            token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_insecure_http: false,
            user_agent: meta::USER_AGENT.to_string(),
        }
    }
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretToken(token.into()));
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

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let token = self.token.map(SecretToken::validate).transpose()?;
        let authorization = token.as_ref().map(SecretToken::header_value).transpose()?;
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
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(user_agent)
            .build()
            .map_err(BuildError::Http)?;
        Ok(Client {
            http,
            base_url: self.base_url.trim_end_matches('/').to_string(),
            authorization,
            max_body_bytes: self.max_body_bytes,
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
/// their connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    authorization: Option<HeaderValue>,
    max_body_bytes: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
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

    /// Sends a request built by a generated method and decodes the answer.
    pub(super) async fn send<T, E>(&self, request: Request) -> Result<Response<T>, Error<E>>
    where
        T: DeserializeOwned,
        E: ApiError,
    {
        let raw = self.exchange(request).await?;
        if raw.status.is_success() {
            let body = decode(raw.status, &raw.body)?;
            return Ok(raw.with_body(body));
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

    async fn exchange<E>(&self, request: Request) -> Result<RawResponse, Error<E>> {
        let url = format!("{}{}{}", self.base_url, request.path, request.query);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .headers(request.headers);
        if let Some(authorization) = self
            .authorization
            .as_ref()
            .filter(|_| request.authenticated)
        {
            builder = builder.header(reqwest::header::AUTHORIZATION, authorization.clone());
        }
        if let Some(body) = request.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(body);
        }
        let mut response = builder.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_bytes)
        {
            return Err(Error::BodyTooLarge {
                status: status.as_u16(),
                limit: self.max_body_bytes,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                return Err(Error::BodyTooLarge {
                    status: status.as_u16(),
                    limit: self.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

fn transport_error<E>(e: reqwest::Error) -> Error<E> {
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

fn decode<T: DeserializeOwned, E>(status: reqwest::StatusCode, body: &[u8]) -> Result<T, Error<E>> {
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        status: status.as_u16(),
        snippet: snippet(body),
        source,
    })
}

fn error_for<E: ApiError>(raw: RawResponse) -> Error<E> {
    let status = raw.status.as_u16();
    match E::from_response(status, &raw.body) {
        Some(Ok(body)) => Error::Api { status, body },
        Some(Err(source)) => Error::Decode {
            status,
            snippet: snippet(&raw.body),
            source,
        },
        None => Error::UnexpectedStatus {
            status,
            snippet: snippet(&raw.body),
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

/// A request as a generated method describes it.
// Not every API uses every kind of parameter, so some helpers may be unused.
#[allow(dead_code)]
#[derive(Debug)]
pub(super) struct Request {
    method: reqwest::Method,
    /// The spec's path template, e.g. `/pets/{petId}`, for logs.
    template: &'static str,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    authenticated: bool,
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
            body: None,
            authenticated: true,
        }
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
    pub(super) fn path_param<E>(
        &mut self,
        name: &'static str,
        value: &str,
    ) -> Result<(), Error<E>> {
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::InvalidRequest(format!(
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

    /// Sets a header; fails when the value cannot be sent as a header.
    pub(super) fn header<E>(&mut self, name: &'static str, value: &str) -> Result<(), Error<E>> {
        let value = HeaderValue::try_from(value).map_err(|_| {
            Error::InvalidRequest(format!(
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
    pub(super) fn json<B: serde::Serialize, E>(&mut self, body: &B) -> Result<(), Error<E>> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidRequest(format!("the request body cannot be serialized: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(())
    }
}

struct RawResponse {
    status: reqwest::StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    fn with_body<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status.as_u16(),
            headers: self.headers,
            body,
        }
    }
}

/// A decoded answer with its status and headers.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
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
    /// The server answered with an error status the spec declares; `body`
    /// is its typed body.
    Api { status: u16, body: E },
    /// The server answered with a status the spec does not declare.
    UnexpectedStatus { status: u16, snippet: String },
    /// The body is not what the spec says (for example an HTML error page
    /// from a proxy); `snippet` is its start, at most 1 KiB.
    Decode {
        status: u16,
        snippet: String,
        source: serde_json::Error,
    },
    /// The request was refused before anything was sent.
    InvalidRequest(String),
    /// The response body is larger than the configured limit.
    BodyTooLarge { status: u16, limit: u64 },
    /// The server did not answer in time.
    Timeout(reqwest::Error),
    /// Connecting, sending or receiving failed.
    Transport(reqwest::Error),
}

impl<E> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::InvalidRequest(_) | Error::Timeout(_) | Error::Transport(_) => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, body } => write!(f, "the API answered {status}: {body:?}"),
            Error::UnexpectedStatus { status, snippet } => {
                write!(f, "the API answered {status}, which this operation does not declare: {snippet}")
            }
            Error::Decode { status, snippet, .. } => write!(
                f,
                "the API answered {status} with a body that does not match the spec (check the base URL or a proxy in between): {snippet}"
            ),
            Error::InvalidRequest(why) => write!(f, "invalid request, nothing was sent: {why}"),
            Error::BodyTooLarge { status, limit } => write!(
                f,
                "the API answered {status} with a body larger than {limit} bytes; raise ClientBuilder::max_body_bytes if it is expected"
            ),
            Error::Timeout(_) => f.write_str("the API did not answer in time; retry later or raise ClientBuilder::timeout"),
            Error::Transport(_) => f.write_str("could not reach the API; check the network and the base URL"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } => Some(source),
            Error::Timeout(e) | Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}
