//! A daemon on a loopback port with its demo ERP and a real SQLite file.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::Path;

use borda::config::Config;
use borda::demo::DemoErp;
use borda::edges::daemon::Daemon;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;

/// A daemon on a loopback port, its demo ERP and its store.
pub struct Harness {
    erp: Option<DemoErp>,
    daemon: Daemon,
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with(|_| {}).await
    }

    /// Starts with `adjust` applied to the configuration (token, origins…).
    pub async fn with(adjust: impl FnOnce(&mut Config)) -> Harness {
        Harness::with_text("", adjust).await
    }

    /// Starts with `extra` (TOML sections such as `[retaguarda]`) appended to the configuration, then `adjust`.
    pub async fn with_text(extra: &str, adjust: impl FnOnce(&mut Config)) -> Harness {
        super::install_crypto();
        let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let text = format!(
            "[api]\nallowed_hosts = [\"{addr}\"]\n[store]\npath = '{}'\n[cache]\nfresh_secs = 0\n{}\ntimeout_ms = 500\nprobe_interval_ms = 100\nprobe_max_interval_ms = 400\n{extra}",
            dir.path().join("borda.db").display(),
            erp.config_toml()
        );
        let mut config = Config::parse(&text, Path::new("test.toml")).unwrap();
        adjust(&mut config);
        let daemon = Daemon::start(config, listener).await.unwrap();
        Harness {
            erp: Some(erp),
            daemon,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// POSTs to `path` with the `Origin` of a page served by this API itself; answers the status.
    pub async fn post_origin(&self, path: &str) -> StatusCode {
        self.http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub fn erp(&self) -> &DemoErp {
        self.erp.as_ref().unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn json(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        send(self.http.get(format!("{}{path}", self.base))).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        send(self.http.post(format!("{}{path}", self.base)).json(body)).await
    }

    /// Stops the ERP: its port refuses connections from now on.
    pub async fn stop_erp(&mut self) {
        self.erp.take().unwrap().stop().await;
    }

    pub async fn stop(mut self) {
        self.daemon.stop().await.unwrap();
        if let Some(erp) = self.erp.take() {
            erp.stop().await;
        }
    }
}

/// Sends `request`: its status, headers and JSON body (`null` when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

/// Asserts a problem+json answer with this status and code.
pub fn assert_problem(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
    expected: u16,
    code: &str,
) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected);
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    assert!(body["type"].as_str().is_some_and(|t| t.ends_with(code)), "{body}");
}

impl Harness {
    /// `POST /v1/faturas/{fatura}/baixas` with this key (none when `None`).
    pub async fn post_baixa(
        &self,
        fatura: &str,
        key: Option<&str>,
        body: &Value,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .http
            .post(format!("{}/v1/faturas/{fatura}/baixas", self.base))
            .json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        send(request).await
    }

    /// `POST path` without a body.
    pub async fn post(&self, path: &str) -> (StatusCode, Value) {
        let (status, _, body) = send(self.http.post(format!("{}{path}", self.base))).await;
        (status, body)
    }

    /// Polls `GET /v1/baixas/{id}` until `done` holds (asking the daemon to sync
    /// between polls), for at most ~10 s; answers the last body.
    pub async fn wait_baixa(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            last = self.json(&format!("/v1/baixas/{id}")).await.2;
            if done(&last) {
                return last;
            }
            self.post("/v1/sync").await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("baixa {id} never reached the expected state: {last}");
    }
}

/// A PIX baixa body for `valor`.
///
/// Each body is a new payment: its end-to-end id is unique (one PIX pays one fatura) and carries the current
/// instant, and `pago_em` is now, as a PIX integration reports them.
pub fn pix_body(valor: &str) -> Value {
    let agora = chrono::Utc::now();
    let unico = uuid::Uuid::now_v7().simple().to_string();
    let e2e_id = format!("E12345678{}{}", agora.format("%Y%m%d%H%M"), &unico[unico.len() - 11..]);
    serde_json::json!({
        "forma": "pix",
        "valor": valor,
        "pago_em": agora_brasilia(),
        "transacao": {"e2e_id": e2e_id, "txid": "FAT10001"},
    })
}

/// Now, in Brasília's offset, as a payment terminal reports it.
pub fn agora_brasilia() -> String {
    let brasilia = chrono::FixedOffset::west_opt(3 * 3600).unwrap();
    chrono::Utc::now().with_timezone(&brasilia).to_rfc3339()
}

/// A TEF baixa body for `valor`.
pub fn tef_body(valor: &str) -> Value {
    serde_json::json!({
        "forma": "tef",
        "valor": valor,
        "pago_em": agora_brasilia(),
        "transacao": {
            "nsu": "123456", "autorizacao": "A1B2C3", "bandeira": "VISA",
            "comprovante_cliente": ["  VIA CLIENTE  ", "VISA CREDITO", "VALOR: R$ 99,90"],
            "comprovante_estabelecimento": ["VIA ESTABELECIMENTO"],
        },
    })
}
