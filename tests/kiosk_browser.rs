//! The reference kiosk page in a real browser: headless Chromium driven over WebDriver (`chromedriver`), against the
//! real binary. Ignored in the plain `cargo test` (it needs Debian's `chromium` and `chromium-driver`); `.ci/run`
//! installs them and runs `cargo test --locked --test kiosk_browser -- --ignored`.
//!
//! The first test walks the totem's whole flow on `borda demo`: a document typed (an invalid one refused as typed),
//! the open faturas, one fatura's barcode, linha digitável and PIX QR, a simulated payment followed to
//! `sincronizada`, the receipt printed and its preview shown, a blocked service unblocked. The second runs
//! `borda serve` against a demo ERP that stops: the page then shows the cached faturas and the offline notice.
//! Screenshots of each step go to `target/kiosk-browser/`; the README's picture (`assets/kiosk/captura.png`) is taken
//! again whenever the page's files change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use borda::demo::DemoErp;
use common::process::Served;
use serde_json::{Value, json};

const MARIA: &str = "52998224725";

/// A child process killed when the test ends, however it ends.
struct Processo(Child);

impl Drop for Processo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A WebDriver session on a headless Chromium of its own.
struct Navegador {
    http: reqwest::Client,
    sessao: String,
    _driver: Processo,
    _perfil: tempfile::TempDir,
}

impl Navegador {
    async fn abrir() -> Navegador {
        let porta = common::process::free_port();
        let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = Processo(
            Command::new(driver)
                .arg(format!("--port={porta}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver (Debian's chromium-driver) must be installed for this test"),
        );
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{porta}");
        esperar("chromedriver", Duration::from_secs(20), || async {
            http.get(format!("{base}/status")).send().await.is_ok()
        })
        .await;
        let perfil = tempfile::tempdir().unwrap();
        let binario = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capacidades = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binario,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1080,1920",
                    format!("--user-data-dir={}", perfil.path().display()),
                ],
            },
        }}});
        let resposta: Value = http
            .post(format!("{base}/session"))
            .json(&capacidades)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sessao = resposta["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {resposta}"));
        Navegador {
            http,
            sessao: format!("{base}/session/{sessao}"),
            _driver: driver,
            _perfil: perfil,
        }
    }

    async fn comando(&self, metodo: reqwest::Method, caminho: &str, corpo: Option<Value>) -> Value {
        let mut pedido = self.http.request(metodo, format!("{}{caminho}", self.sessao));
        if let Some(corpo) = corpo {
            pedido = pedido.json(&corpo);
        }
        let resposta: Value = pedido.send().await.unwrap().json().await.unwrap();
        assert!(resposta["value"]["error"].is_null(), "WebDriver {caminho}: {resposta}");
        resposta["value"].clone()
    }

    async fn ir(&self, url: &str) {
        self.comando(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
        self.ate("the page starts", |n| async move {
            n.js("return document.body.dataset.pronto === 'sim'").await == json!(true)
        })
        .await;
    }

    /// Runs `script` in the page and answers its value.
    async fn js(&self, script: &str) -> Value {
        self.comando(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    async fn elemento(&self, css: &str) -> String {
        let achado = self
            .comando(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        achado
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }

    async fn clicar(&self, css: &str) {
        let id = self.elemento(css).await;
        self.comando(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({})))
            .await;
    }

    async fn digitar(&self, css: &str, texto: &str) {
        let id = self.elemento(css).await;
        self.comando(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(json!({})))
            .await;
        self.comando(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": texto})),
        )
        .await;
    }

    async fn texto(&self, css: &str) -> String {
        let script = format!("return document.querySelector({css:?})?.textContent ?? ''");
        self.js(&script).await.as_str().unwrap_or_default().to_owned()
    }

    /// Polls `pronto` every 100 ms for up to 20 s.
    async fn ate<'a, F, Fut>(&'a self, oque: &str, pronto: F)
    where
        F: Fn(&'a Navegador) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let limite = Instant::now() + Duration::from_secs(20);
        while !pronto(self).await {
            if Instant::now() > limite {
                let erro = self.texto("#erro").await;
                panic!("{oque}: not reached in 20 s (the page shows: {erro:?})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page has an element `css`.
    async fn ate_haver(&self, oque: &str, css: &str) {
        let script = format!("return document.querySelectorAll({css:?}).length > 0");
        let script = script.as_str();
        self.ate(oque, |n| async move { n.js(script).await == json!(true) })
            .await;
    }

    /// Whether the image `css` loaded (a picture, not a broken icon).
    async fn imagem_carregada(&self, css: &str) -> bool {
        let script =
            format!("const i = document.querySelector({css:?}); return !!i && i.complete && i.naturalWidth > 0");
        self.js(&script).await == json!(true)
    }

    async fn captura(&self, nome: &str) -> Vec<u8> {
        let png = self.comando(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let pasta = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../kiosk-browser");
        std::fs::create_dir_all(&pasta).unwrap();
        std::fs::write(pasta.join(nome), &png).unwrap();
        png
    }
}

async fn esperar<F, Fut>(oque: &str, limite: Duration, pronto: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let fim = Instant::now() + limite;
    while !pronto().await {
        assert!(Instant::now() < fim, "{oque} did not start in {limite:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types a document and looks it up.
async fn consultar(navegador: &Navegador, documento: &str) {
    navegador.digitar("#documento", documento).await;
    navegador
        .ate("the document is accepted", |n| async move {
            n.js("return !document.getElementById('consultar').disabled").await == json!(true)
        })
        .await;
    navegador.clicar("#consultar").await;
    navegador.ate_haver("the faturas are listed", "#faturas .fatura").await;
}

/// The README's picture is taken again when the page's files change (their hash is kept beside it).
fn atualizar_captura(png: &[u8]) {
    let kiosk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/kiosk");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for arquivo in ["index.html", "kiosk.js", "kiosk.css"] {
        std::fs::read(kiosk.join(arquivo)).unwrap().hash(&mut hasher);
    }
    let marca = format!("{:016x}\n", hasher.finish());
    let registro = kiosk.join("captura.txt");
    if std::fs::read_to_string(&registro).ok().as_deref() != Some(marca.as_str()) {
        std::fs::write(kiosk.join("captura.png"), png).unwrap();
        std::fs::write(registro, marca).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver: cargo test --test kiosk_browser -- --ignored"]
async fn the_totem_flow_in_a_real_browser() {
    common::install_crypto();
    let porta = common::process::free_port();
    let base = format!("http://127.0.0.1:{porta}");
    let _demo = Processo(
        Command::new(env!("CARGO_BIN_EXE_borda"))
            .args(["demo", "--listen", &format!("127.0.0.1:{porta}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let http = reqwest::Client::new();
    esperar("borda demo", Duration::from_secs(20), || async {
        http.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;
    let navegador = Navegador::abrir().await;
    navegador.ir(&format!("{base}/")).await;

    // A wrong check digit is refused as it is typed; the right one accepted.
    navegador.digitar("#documento", "52998224700").await;
    navegador
        .ate("the invalid CPF is flagged", |n| async move {
            n.texto("#documento-estado").await.contains("inválido")
        })
        .await;
    assert_eq!(
        navegador
            .js("return document.getElementById('consultar').disabled")
            .await,
        json!(true)
    );
    consultar(&navegador, MARIA).await;
    assert_eq!(navegador.texto("#documento-estado").await, "CPF válido");
    assert!(
        navegador.texto("#faturas").await.contains("R$ "),
        "values shown in reais"
    );
    navegador.captura("1-faturas.png").await;

    // Maria has a suspended service: the "desbloqueio de confiança" button unblocks it at the ERP.
    navegador
        .ate_haver("the blocked service is offered", "#servicos .desbloquear")
        .await;
    navegador.clicar("#servicos .desbloquear").await;
    navegador
        .ate("the service is unblocked", |n| async move {
            n.js("return document.querySelector('#servicos .desbloquear').disabled")
                .await
                == json!(true)
        })
        .await;
    assert!(
        navegador.texto("#erro").await.is_empty(),
        "{}",
        navegador.texto("#erro").await
    );

    // One fatura: barcode and QR loaded as pictures, the linha digitável in its groups.
    navegador.clicar("#faturas .fatura").await;
    navegador
        .ate("the barcode loads", |n| async move {
            n.imagem_carregada("#codigo-de-barras").await
        })
        .await;
    let linha = navegador.texto("#linha-digitavel").await;
    assert!(linha.contains('.') && linha.contains(' '), "formatted: {linha}");
    if navegador
        .js("return !document.getElementById('boleto-pix').hidden")
        .await
        == json!(true)
    {
        navegador
            .ate(
                "the PIX QR loads",
                |n| async move { n.imagem_carregada("#pix-qr").await },
            )
            .await;
    }
    let boleto = navegador.captura("2-boleto.png").await;
    atualizar_captura(&boleto);

    // A simulated payment: pending, then synced with the demo ERP.
    navegador.clicar("#simular").await;
    navegador
        .ate("the baixa is synced", |n| async move {
            n.texto("#baixa-estado").await.contains("registrado")
        })
        .await;
    let (_, _, baixas) = common::harness::send(http.get(format!("{base}/v1/baixas?status=sincronizada"))).await;
    assert_eq!(baixas["baixas"].as_array().unwrap().len(), 1, "{baixas}");

    // The receipt: printed on the demo's file printer, its preview shown.
    navegador.clicar("#imprimir-comprovante").await;
    navegador
        .ate("the receipt preview loads", |n| async move {
            n.imagem_carregada("#preview").await
        })
        .await;
    navegador.captura("3-comprovante.png").await;

    // The fatura paid is no longer offered.
    navegador.clicar("#tela-boleto .voltar").await;
    navegador.clicar("#tela-faturas .voltar").await;
    navegador.clicar("#consultar").await;
    navegador
        .ate("the list is read again", |n| async move {
            n.js("return !document.getElementById('tela-faturas').hidden").await == json!(true)
        })
        .await;
    let pagas = baixas["baixas"][0]["fatura_id"].as_str().unwrap().to_owned();
    let oferecidas = navegador
        .js("return [...document.querySelectorAll('#faturas .fatura')].map(b => b.dataset.id)")
        .await;
    assert!(
        !oferecidas.as_array().unwrap().iter().any(|id| id == pagas.as_str()),
        "{pagas} was paid: {oferecidas}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver: cargo test --test kiosk_browser -- --ignored"]
async fn offline_the_page_shows_the_cached_faturas_and_says_so() {
    common::install_crypto();
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    let texto = std::fs::read_to_string(&served.config).unwrap();
    std::fs::write(&served.config, texto.replacen("[api]\n", "[api]\nkiosk = true\n", 1)).unwrap();
    let http = reqwest::Client::new();
    let _borda = Processo(served.spawn(&http).await);
    let navegador = Navegador::abrir().await;
    navegador.ir(&format!("{}/", served.base)).await;
    consultar(&navegador, MARIA).await;
    assert_eq!(
        navegador
            .js("return document.getElementById('aviso-offline').hidden")
            .await,
        json!(true)
    );
    let online = navegador
        .js("return document.querySelectorAll('#faturas .fatura').length")
        .await;

    erp.stop().await;
    navegador.ir(&format!("{}/", served.base)).await;
    consultar(&navegador, MARIA).await;
    assert_eq!(
        navegador
            .js("return document.querySelectorAll('#faturas .fatura').length")
            .await,
        online,
        "the same faturas, from the cache"
    );
    assert_eq!(
        navegador
            .js("return document.getElementById('aviso-offline').hidden")
            .await,
        json!(false)
    );
    assert!(navegador.texto("#frescor").await.starts_with("Dados de "));
    navegador.captura("4-offline.png").await;
}
