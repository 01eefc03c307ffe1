//! The CLI's way to the running daemon: its own loopback API, at the configured address and with its token, so a
//! command (`borda sync`, `borda print-test`) never opens the database or a printer behind the daemon's back.

use std::time::Duration;

use reqwest::RequestBuilder;
use reqwest::header::AUTHORIZATION;
use serde::de::DeserializeOwned;

use crate::config::ApiConfig;

/// The daemon gave no answer at `url`, and why.
#[derive(Debug)]
pub struct Inalcancavel {
    pub url: String,
    pub reason: String,
}

impl Inalcancavel {
    fn de(url: String, error: &reqwest::Error) -> Inalcancavel {
        Inalcancavel {
            url,
            reason: std::error::Error::source(error).map_or_else(|| error.to_string(), ToString::to_string),
        }
    }
}

/// How long one request to the daemon may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A client of the daemon's API.
pub struct LocalApi {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl LocalApi {
    /// A client of the daemon configured by `api` (an unspecified listen address is reached on loopback).
    pub fn new(api: &ApiConfig) -> Result<LocalApi, reqwest::Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
        let mut address = api.listen;
        if address.ip().is_unspecified() {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        Ok(LocalApi {
            client,
            base: format!("http://{address}"),
            token: api.token.clone(),
        })
    }

    /// The full URL of `path` (`/readyz`, `/v1/...`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path`, with the token.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.authorised(self.client.get(self.url(path)))
    }

    /// `POST path`, with the token.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.authorised(self.client.post(self.url(path)))
    }

    /// Sends `builder`: the daemon's answer and the URL it was sent to, or, when no answer came, that URL and why (the
    /// innermost cause, which says more than reqwest's own message).
    pub async fn enviar(builder: RequestBuilder) -> Result<(reqwest::Response, String), Inalcancavel> {
        let (client, request) = builder.build_split();
        let request = request.map_err(|error| Inalcancavel::de(String::new(), &error))?;
        let url = request.url().to_string();
        match client.execute(request).await {
            Ok(response) => Ok((response, url)),
            Err(error) => Err(Inalcancavel::de(url, &error)),
        }
    }

    /// The JSON body of `response` from `url`; a body that cannot be read is the daemon not answering properly.
    pub async fn corpo<T: DeserializeOwned>(response: reqwest::Response, url: String) -> Result<T, Inalcancavel> {
        response.json().await.map_err(|error| Inalcancavel::de(url, &error))
    }

    fn authorised(&self, builder: RequestBuilder) -> RequestBuilder {
        if self.token.is_empty() {
            builder
        } else {
            builder.header(AUTHORIZATION, format!("Bearer {}", self.token))
        }
    }
}
