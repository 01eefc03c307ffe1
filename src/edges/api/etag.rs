//! Conditional requests on cached answers: every answer that says how fresh it is (`Cache-Status`) carries an
//! `ETag` of its body, and a request whose `If-None-Match` names it gets `304 Not Modified` with no body. A kiosk
//! polling a customer's faturas then moves no bytes until the list changes. The tag is a hash of the body, so it
//! changes exactly when the answer does (a new baixa, a refreshed list); `Age` and `Cache-Status` still go out.

use std::hash::{Hash, Hasher};

use axum::body::Body;
use axum::extract::Request;
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
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED).await else {
        tracing::error!("a cached answer could not be read to tag it");
        return Problem::internal().into_response();
    };
    let tag = etag(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if if_none_match.is_some_and(|value| matches(&value, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A strong entity tag of `body`: a quoted 64-bit hash in hex.
fn etag(body: &[u8]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

/// Whether `If-None-Match` (a list of tags, weak or strong, or `*`) names `tag` (RFC 9110 §13.1.2: weak comparison).
fn matches(value: &HeaderValue, tag: &str) -> bool {
    let Ok(text) = value.to_str() else {
        return false;
    };
    text.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_follows_the_body_and_if_none_match_lists_are_read() {
        let tag = etag(b"{\"faturas\":[]}");
        assert_eq!(tag, etag(b"{\"faturas\":[]}"));
        assert_ne!(tag, etag(b"{\"faturas\":[1]}"));
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 18);
        let list = HeaderValue::from_str(&format!("\"outra\", W/{tag}")).unwrap();
        assert!(matches(&list, &tag));
        assert!(matches(&HeaderValue::from_static("*"), &tag));
        assert!(!matches(&HeaderValue::from_static("\"outra\""), &tag));
    }
}
