//! The HTTP client for Vast.ai's host API: one request per call, each bounded by a timeout, and
//! every failure turned into a [`ProviderError`] that says what to do.
//!
//! The API key travels only in the `Authorization: Bearer` header (marked sensitive, so the HTTP
//! stack never logs it), never in a URL; every text the server sends back is scrubbed of the key
//! and shortened before it reaches an error message or a log line.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::SERVICE;
use crate::providers::ProviderError;

/// How long to wait before retrying when Vast.ai says 429 without a `Retry-After` header.
pub const DEFAULT_RETRY_AFTER_S: u64 = 30;

/// Longest piece of a server's answer quoted in an error message.
const QUOTE_CHARS: usize = 200;

/// What the user must do when no key is known.
pub const NO_KEY_HELP: &str = "no Vast.ai API key: set it with `overtime secrets set vast-api-key` \
                               or OVERTIME_VAST_API_KEY";

/// A Vast.ai API key. Neither `Debug` nor `Display` shows it, so it cannot reach a log line or an
/// error message by mistake; only the request builder reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// `None` for an empty or blank key (treated as no key at all).
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into().trim().to_owned();
        (!key.is_empty()).then_some(ApiKey(key))
    }

    fn bearer(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// `text` with every occurrence of the key replaced, for quoting server answers.
    fn scrub(&self, text: &str) -> String {
        text.replace(&self.0, "<redacted>")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A client bound to one API base URL and one key.
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Option<ApiKey>,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("key", &self.key)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Client {
    /// `timeout` bounds each request as a whole (connection, TLS, answer).
    pub fn new(base: &str, key: Option<ApiKey>, timeout: Duration) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect to another host would drop the Authorization header and show up as a
            // confusing 401; better to say where the API moved.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("overtime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Other {
                service: SERVICE.to_owned(),
                detail: format!("cannot set up the HTTPS client ({e}); please report this bug"),
            })?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            timeout,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `GET {base}{path}` and read the JSON answer as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ProviderError> {
        let body = self.send(Method::GET, path, None::<&()>).await?;
        self.parse(&Method::GET, path, &body)
    }

    /// `PUT {base}{path}` with a JSON body; answers `{success: false}` count as refusals.
    pub async fn put<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(), ProviderError> {
        let answer = self.send(Method::PUT, path, Some(body)).await?;
        self.check_envelope(&Method::PUT, path, &answer)
    }

    /// `DELETE {base}{path}`; answers `{success: false}` count as refusals.
    pub async fn delete(&self, path: &str) -> Result<(), ProviderError> {
        let answer = self.send(Method::DELETE, path, None::<&()>).await?;
        self.check_envelope(&Method::DELETE, path, &answer)
    }

    async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<String, ProviderError> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| ProviderError::Unauthorized {
                service: SERVICE.to_owned(),
                detail: NO_KEY_HELP.to_owned(),
            })?;
        let bearer = key.bearer().ok_or_else(|| ProviderError::Unauthorized {
            service: SERVICE.to_owned(),
            detail: "the stored Vast.ai API key holds characters no key has (a stray line \
                     break?); store it again with `overtime secrets set vast-api-key`"
                .to_owned(),
        })?;
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header(AUTHORIZATION, bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        tracing::debug!(%method, path, "Vast.ai request");
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return Ok(text);
        }
        Err(self.refusal(&method, path, status, retry_after, location, &text))
    }

    /// A failure before any HTTP status arrived.
    fn transport(&self, e: reqwest::Error) -> ProviderError {
        if e.is_timeout() {
            return ProviderError::Timeout {
                service: SERVICE.to_owned(),
                timeout_s: self.timeout.as_secs_f64().ceil().max(1.0) as u64,
            };
        }
        let detail = self.quote(&error_chain(&e));
        if e.is_connect() {
            ProviderError::Unreachable {
                service: SERVICE.to_owned(),
                address: self.base.clone(),
                detail: format!(
                    "cannot connect ({detail}); check the network, and providers.vast.api_url"
                ),
            }
        } else {
            ProviderError::Unreachable {
                service: SERVICE.to_owned(),
                address: self.base.clone(),
                detail: format!("the connection broke ({detail}); retrying later"),
            }
        }
    }

    /// An HTTP answer other than 2xx.
    fn refusal(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        retry_after: Option<u64>,
        location: Option<String>,
        text: &str,
    ) -> ProviderError {
        let service = SERVICE.to_owned();
        let said = self.explain(text);
        let code = status.as_u16();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ProviderError::Unauthorized {
                service,
                detail: format!(
                    "HTTP {code} for {method} {path} ({said}); check the API key (create one in the Vast.ai \
                     console's account settings and store it with `overtime secrets set \
                     vast-api-key`) and that providers.vast.machine_id is a machine of that account"
                ),
            },
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after_s = retry_after.unwrap_or(DEFAULT_RETRY_AFTER_S);
                tracing::warn!(%method, path, retry_after_s, detail = %said, "Vast.ai rate limit");
                ProviderError::RateLimited {
                    service,
                    retry_after_s,
                }
            }
            StatusCode::NOT_FOUND => ProviderError::Other {
                service,
                detail: format!(
                    "HTTP 404 for {method} {path} ({said}); check providers.vast.machine_id \
                     against `vastai show machines` and providers.vast.api_url"
                ),
            },
            s if s.is_server_error() => ProviderError::Other {
                service,
                detail: format!(
                    "server error HTTP {code} for {method} {path} ({said}); usually passes, \
                     Overtime retries"
                ),
            },
            s if s.is_redirection() => ProviderError::Other {
                service,
                detail: format!(
                    "HTTP {code}: the API moved to {}; set providers.vast.api_url accordingly",
                    location
                        .map(|l| self.quote(&l))
                        .unwrap_or_else(|| "an unnamed place".to_owned())
                ),
            },
            _ => ProviderError::Other {
                service,
                detail: format!("HTTP {code} for {method} {path} ({said})"),
            },
        }
    }

    fn check_envelope(&self, method: &Method, path: &str, text: &str) -> Result<(), ProviderError> {
        let envelope: super::wire::Envelope = self.parse(method, path, text)?;
        if envelope.success == Some(false) {
            return Err(ProviderError::Other {
                service: SERVICE.to_owned(),
                detail: format!(
                    "{method} {path} was refused: {}",
                    envelope
                        .explanation()
                        .map(|e| self.quote(&e))
                        .unwrap_or_else(|| "no reason given".to_owned())
                ),
            });
        }
        Ok(())
    }

    fn parse<T: DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
        text: &str,
    ) -> Result<T, ProviderError> {
        serde_json::from_str(text).map_err(|e| ProviderError::Protocol {
            service: SERVICE.to_owned(),
            detail: format!(
                "the answer to {method} {path} is not what Vast.ai documents ({}): {}",
                self.quote(&e.to_string()),
                self.quote(text)
            ),
        })
    }

    /// What a refusal's body says: its `error`/`msg`/`detail` fields, or the start of the text.
    fn explain(&self, text: &str) -> String {
        match serde_json::from_str::<super::wire::Envelope>(text)
            .ok()
            .and_then(|e| e.explanation())
        {
            Some(e) => self.quote(&e),
            None if text.trim().is_empty() => "empty answer".to_owned(),
            None => self.quote(text),
        }
    }

    /// Server text made safe to show: key removed, shortened, on one line.
    fn quote(&self, text: &str) -> String {
        let scrubbed = match &self.key {
            Some(k) => k.scrub(text),
            None => text.to_owned(),
        };
        let one_line: String = scrubbed
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let one_line = one_line.trim();
        if one_line.chars().count() > QUOTE_CHARS {
            let cut: String = one_line.chars().take(QUOTE_CHARS).collect();
            format!("{cut}…")
        } else {
            one_line.to_owned()
        }
    }
}

/// An error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_prints() {
        let key = ApiKey::new("sk-very-secret-123").unwrap();
        assert!(!format!("{key:?}").contains("secret"));
        assert!(!format!("{key}").contains("secret"));
        let client = Client::new("http://127.0.0.1:1", Some(key), Duration::from_secs(1)).unwrap();
        assert!(!format!("{client:?}").contains("secret"));
    }

    #[test]
    fn blank_keys_are_no_keys() {
        assert!(ApiKey::new("").is_none());
        assert!(ApiKey::new("  \n").is_none());
        assert!(ApiKey::new(" k \n").is_some());
    }

    #[test]
    fn quoted_server_text_loses_the_key_and_its_length() {
        let key = ApiKey::new("sk-abc").unwrap();
        let client = Client::new("http://x", Some(key), Duration::from_secs(1)).unwrap();
        let quoted = client.quote(&format!("bad key sk-abc\n{}", "x".repeat(500)));
        assert!(!quoted.contains("sk-abc"));
        assert!(quoted.contains("<redacted>"));
        assert!(!quoted.contains('\n'));
        assert!(quoted.chars().count() <= QUOTE_CHARS + 1);
    }
}
