//! A TCP ESC/POS printer emulator, and a daemon printing on it.
//!
//! The emulator listens on 127.0.0.1:0 like a printer's raw port 9100. It records every print byte each connection
//! sends, answers the real-time status queries `DLE EOT 1/2/4` (exactly `10 04 n`) with Epson's status bytes and
//! keeps them out of the recording, and can be switched to paper out, paper near its end, cover open, offline
//! (connections are closed at once), mute (connections accepted, nothing answered), or made to drop or hold the next
//! job's connection after N print bytes. While the paper is out or the cover open, print bytes are lost, as on paper.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use borda::config::Config;
use borda::demo::DemoErp;
use borda::edges::daemon::Daemon;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the emulated printer is going through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Falha {
    Nenhuma,
    SemPapel,
    PoucoPapel,
    TampaAberta,
    /// Every connection is closed as soon as it is accepted.
    Offline,
    /// Connections are accepted and read, but nothing is answered.
    Mudo,
}

impl Falha {
    /// The answers to `DLE EOT 1`, `2`, `3` and `4`, as an Epson TM-T20 gives them.
    fn status(self, n: u8) -> u8 {
        let [impressora, offline, papel] = match self {
            Falha::Nenhuma | Falha::Offline | Falha::Mudo => [0x12, 0x12, 0x12],
            Falha::SemPapel => [0x1A, 0x32, 0x7E],
            Falha::PoucoPapel => [0x12, 0x12, 0x1E],
            Falha::TampaAberta => [0x1A, 0x16, 0x12],
        };
        match n {
            1 => impressora,
            2 => offline,
            4 => papel,
            _ => 0x12,
        }
    }
}

/// What happens to the next job's connection once it has sent N print bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corte {
    /// The connection is closed.
    Derrubar(usize),
    /// The emulator stops reading and answering but keeps the connection open.
    Segurar(usize),
}

#[derive(Debug)]
struct Estado {
    falha: Falha,
    corte: Option<Corte>,
    /// Print bytes per connection, in accept order (status-only connections stay empty).
    conexoes: Vec<Vec<u8>>,
    consultas: usize,
}

/// The emulated printer.
pub struct Emulador {
    pub addr: SocketAddr,
    estado: Arc<Mutex<Estado>>,
    parar: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulador {
    pub async fn start() -> Emulador {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let estado = Arc::new(Mutex::new(Estado {
            falha: Falha::Nenhuma,
            corte: None,
            conexoes: Vec::new(),
            consultas: 0,
        }));
        let (parar, parado) = watch::channel(false);
        let task = tokio::spawn(aceitar(listener, Arc::clone(&estado), parado));
        Emulador {
            addr,
            estado,
            parar,
            task,
        }
    }

    /// The `conexao` of a `[[impressoras]]` entry for it.
    pub fn conexao(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    pub fn falha(&self, falha: Falha) {
        self.estado.lock().unwrap().falha = falha;
    }

    /// The next connection that sends `n` print bytes is closed right then (once).
    pub fn derrubar_apos(&self, n: usize) {
        self.estado.lock().unwrap().corte = Some(Corte::Derrubar(n));
    }

    /// The next connection that sends `n` print bytes is held open, never read or answered again (once).
    pub fn segurar_apos(&self, n: usize) {
        self.estado.lock().unwrap().corte = Some(Corte::Segurar(n));
    }

    /// The print bytes of every connection that sent some, in order: one entry per job sent.
    pub fn impressos(&self) -> Vec<Vec<u8>> {
        let estado = self.estado.lock().unwrap();
        estado
            .conexoes
            .iter()
            .filter(|bytes| !bytes.is_empty())
            .cloned()
            .collect()
    }

    /// How many status queries it answered.
    pub fn consultas(&self) -> usize {
        self.estado.lock().unwrap().consultas
    }

    pub async fn stop(self) {
        let _ = self.parar.send(true);
        let _ = self.task.await;
    }
}

async fn aceitar(listener: TcpListener, estado: Arc<Mutex<Estado>>, mut parado: watch::Receiver<bool>) {
    let mut conexoes = tokio::task::JoinSet::new();
    loop {
        let (stream, _) = tokio::select! {
            aceita = listener.accept() => match aceita {
                Ok(aceita) => aceita,
                Err(_) => continue,
            },
            _ = parado.wait_for(|parar| *parar) => break,
        };
        if estado.lock().unwrap().falha == Falha::Offline {
            drop(stream);
            continue;
        }
        let indice = {
            let mut estado = estado.lock().unwrap();
            estado.conexoes.push(Vec::new());
            estado.conexoes.len() - 1
        };
        conexoes.spawn(atender(stream, indice, Arc::clone(&estado), parado.clone()));
    }
    conexoes.abort_all();
}

/// Serves one connection: records print bytes, answers `DLE EOT n`, applies a pending cut.
async fn atender(mut stream: TcpStream, indice: usize, estado: Arc<Mutex<Estado>>, mut parado: watch::Receiver<bool>) {
    let mut pendente: Vec<u8> = Vec::new();
    let mut impressos = 0usize;
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::select! {
            lido = stream.read(&mut buf) => match lido {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            _ = parado.wait_for(|parar| *parar) => return,
        };
        for &byte in &buf[..n] {
            pendente.push(byte);
            // A status query is exactly DLE EOT n; anything else that started like one is print data.
            match pendente.as_slice() {
                [0x10] | [0x10, 0x04] => continue,
                [0x10, 0x04, n @ 1..=4] => {
                    let n = *n;
                    pendente.clear();
                    let resposta = {
                        let mut estado = estado.lock().unwrap();
                        if estado.falha == Falha::Mudo {
                            None
                        } else {
                            estado.consultas += 1;
                            Some(estado.falha.status(n))
                        }
                    };
                    if let Some(resposta) = resposta
                        && stream.write_all(&[resposta]).await.is_err()
                    {
                        return;
                    }
                    continue;
                }
                _ => {}
            }
            for dado in std::mem::take(&mut pendente) {
                let corte = {
                    let mut estado = estado.lock().unwrap();
                    if matches!(estado.falha, Falha::SemPapel | Falha::TampaAberta) {
                        continue;
                    }
                    estado.conexoes[indice].push(dado);
                    impressos += 1;
                    match estado.corte {
                        Some(Corte::Derrubar(limite) | Corte::Segurar(limite)) if impressos >= limite => {
                            estado.corte.take()
                        }
                        _ => None,
                    }
                };
                match corte {
                    Some(Corte::Derrubar(_)) => return,
                    Some(Corte::Segurar(_)) => {
                        let _ = parado.wait_for(|parar| *parar).await;
                        return;
                    }
                    None => {}
                }
            }
        }
    }
}

/// Whether `bytes` holds `trecho`.
pub fn contem(bytes: &[u8], trecho: &[u8]) -> bool {
    bytes.windows(trecho.len()).any(|janela| janela == trecho)
}

/// A `[[impressoras]]` entry named `nome` for `emulador`.
pub fn impressora_toml(nome: &str, emulador: &Emulador) -> String {
    format!(
        "[[impressoras]]\nnome = \"{nome}\"\nconexao = \"{}\"\nmodelo = \"epson-tm-t20\"\ntimeout_ms = 1000\n",
        emulador.conexao()
    )
}

/// A daemon (with its demo ERP and store) whose printers are in `impressoras` (TOML).
pub struct Balcao {
    daemon: Daemon,
    erp: DemoErp,
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Balcao {
    pub async fn start(impressoras: &str) -> Balcao {
        super::install_crypto();
        let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let text = format!(
            "[api]\nallowed_hosts = [\"{addr}\"]\n[store]\npath = '{}'\n[cache]\nfresh_secs = 0\n{}\ntimeout_ms = 500\nprobe_interval_ms = 100\nprobe_max_interval_ms = 400\n{impressoras}",
            dir.path().join("borda.db").display(),
            erp.config_toml()
        );
        let config = Config::parse(&text, Path::new("test.toml")).unwrap();
        let daemon = Daemon::start(config, listener).await.unwrap();
        Balcao {
            daemon,
            erp,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// `POST /v1/impressoes` with this body and key.
    pub async fn imprimir(&self, body: &Value, chave: Option<&str>) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.post(format!("{}/v1/impressoes", self.base)).json(body);
        if let Some(chave) = chave {
            request = request.header("idempotency-key", chave);
        }
        super::harness::send(request).await
    }

    /// Queues a text and answers the job's id.
    pub async fn imprimir_texto(&self, texto: &str) -> String {
        let (status, _, job) = self
            .imprimir(&serde_json::json!({"tipo": "texto", "texto": texto}), None)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        job["id"].as_str().unwrap().to_owned()
    }

    pub async fn json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Polls `GET /v1/impressoes/{id}` until `pronto` holds, for at most `limite`; answers the last body.
    pub async fn esperar_impressao(&self, id: &str, limite: Duration, pronto: impl Fn(&Value) -> bool) -> Value {
        let path = format!("/v1/impressoes/{id}");
        esperar(limite, || self.json(&path), pronto).await
    }

    /// Polls `GET /v1/impressoras` until `pronto` holds on the first printer, for at most `limite`.
    pub async fn esperar_impressora(&self, limite: Duration, pronto: impl Fn(&Value) -> bool) -> Value {
        esperar(
            limite,
            || async { self.json("/v1/impressoras").await[0].clone() },
            pronto,
        )
        .await
    }

    pub async fn stop(self) {
        self.daemon.stop().await.unwrap();
        self.erp.stop().await;
    }
}

/// Calls `ler` every 50 ms until `pronto` holds on its answer, for at most `limite`.
pub async fn esperar<F, Fut>(limite: Duration, ler: F, pronto: impl Fn(&Value) -> bool) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let inicio = std::time::Instant::now();
    loop {
        let valor = ler().await;
        if pronto(&valor) {
            return valor;
        }
        assert!(inicio.elapsed() < limite, "not reached in {limite:?}: {valor}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
