//! Conditional requests on cached answers: every answer that says how fresh it is (`Cache-Status`) carries an
//! `ETag` of its body, and a request whose `If-None-Match` names it gets `304 Not Modified` with no body. A kiosk
//! polling a customer's faturas then moves no bytes until the list changes. The tag is a hash of the body, so it
//! changes exactly when the answer does (a new baixa, a refreshed list); `Age` and `Cache-Status` still go out.

use std::hash::{Hash, Hasher};

use axum::body::Body;
use axum::extract::Request;
use axum::http::response::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::Problem;

/// Largest body tagged (a boleto PDF is a few hundred KiB); a larger one goes out untagged.
const MAX_TAGGED: usize = 8 * 1024 * 1024;

/// The middleware: tags cached GET answers and answers 304 to a matching `If-None-Match`.
pub async fn conditional(request: Request, next: Next) -> Response {
    let get = request.method() == Method::GET;
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let cached = response.headers().contains_key("cache-status");
    if !get || !cached || response.status() != StatusCode::OK {
        return response;
    }
    // An answer from the memory of ready answers comes tagged already.
    if let Some(tag) = response.headers().get(header::ETAG) {
        if if_none_match.is_some_and(|value| matches(&value, tag.as_bytes())) {
            return not_modified(response.into_parts().0);
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED).await else {
        tracing::error!("a cached answer could not be read to tag it");
        return Problem::internal().into_response();
    };
    let tag = tag(&bytes);
    if if_none_match.is_some_and(|value| matches(&value, tag.as_bytes())) {
        parts.headers.insert(header::ETAG, tag);
        return not_modified(parts);
    }
    parts.headers.insert(header::ETAG, tag);
    Response::from_parts(parts, Body::from(bytes))
}

/// `304 Not Modified` with the answer's headers but no body.
fn not_modified(mut parts: Parts) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    Response::from_parts(parts, Body::empty())
}

/// A strong entity tag of `body`: a quoted 64-bit hash in hex.
pub fn tag(body: &[u8]) -> HeaderValue {
    let mut hasher = std::hash::DefaultHasher::new();
    body.hash(&mut hasher);
    // Quotes and hex digits always make a valid header value.
    HeaderValue::try_from(format!("\"{:016x}\"", hasher.finish())).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// Whether `If-None-Match` (a list of tags, weak or strong, or `*`) names `tag` (RFC 9110 §13.1.2: weak comparison).
fn matches(value: &HeaderValue, tag: &[u8]) -> bool {
    value
        .as_bytes()
        .split(|byte| *byte == b',')
        .map(<[u8]>::trim_ascii)
        .any(|candidate| candidate == b"*" || candidate.strip_prefix(b"W/").unwrap_or(candidate) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_follows_the_body_and_if_none_match_lists_are_read() {
        let tag = tag(b"{\"faturas\":[]}");
        assert_eq!(tag, super::tag(b"{\"faturas\":[]}"));
        assert_ne!(tag, super::tag(b"{\"faturas\":[1]}"));
        let text = tag.to_str().unwrap();
        assert!(text.starts_with('"') && text.ends_with('"') && text.len() == 18);
        let list = HeaderValue::from_str(&format!("\"outra\", W/{text}")).unwrap();
        assert!(matches(&list, tag.as_bytes()));
        assert!(matches(&HeaderValue::from_static("*"), tag.as_bytes()));
        assert!(!matches(&HeaderValue::from_static("\"outra\""), tag.as_bytes()));
    }
}
