//! `borda print-test`: a test page printed by the running daemon, through its own API (`POST /v1/impressoes`,
//! then `GET /v1/impressoes/{id}` until printed). The printer belongs to the daemon's worker, the queue to its
//! database: the CLI never opens either behind the daemon's back (as `borda sync`, see `edges::outbox`).

use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::local_api::{Inalcancavel, LocalApi};
use crate::config::ApiConfig;

/// How often the job is asked about.
const POLL: Duration = Duration::from_millis(250);
/// Columns of the ruler: an 80 mm printer's Font A. A 58 mm printer wraps it after 32, which shows its width too.
const REGUA: usize = 48;

/// Why the page was not printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintTestError {
    #[error("o daemon do borda não respondeu em {url} ({reason}): ele está rodando?")]
    Unreachable { url: String, reason: String },
    #[error("o daemon do borda respondeu {status} em {url}{}", detalhe.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        /// The problem's `code` and `detail`, when the answer had them.
        detalhe: Option<String>,
    },
    #[error("nenhuma impressora configurada no daemon ([[impressoras]] na configuração)")]
    SemImpressora,
    #[error("a impressora \"{nome}\" não está configurada no daemon; configuradas: {}", configuradas.join(", "))]
    ImpressoraDesconhecida { nome: String, configuradas: Vec<String> },
    #[error("a impressão {id} falhou{}", motivo.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Falhou { id: String, motivo: Option<String> },
    #[error(
        "tempo esgotado após {esperado}s: a impressão {id} continua {status}{} e sai quando a impressora puder \
         (GET /v1/impressoes/{id})",
        motivo.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
    )]
    Timeout {
        id: String,
        esperado: u64,
        status: String,
        motivo: Option<String>,
    },
}

/// A printer as `GET /v1/impressoras` lists it.
#[derive(Debug, Deserialize)]
struct Impressora {
    nome: String,
    #[serde(default)]
    conexao: String,
    #[serde(default)]
    modelo: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    papel: String,
}

/// A job as `POST /v1/impressoes` and `GET /v1/impressoes/{id}` answer it.
#[derive(Debug, Deserialize)]
struct Job {
    id: String,
    status: String,
    motivo: Option<String>,
}

/// The test page: borda's version, the printer, the date and time, the accented letters of Portuguese and a
/// ruler of columns.
pub fn pagina_de_teste(impressora: &str, agora: DateTime<Local>) -> String {
    let regua: String = (1..=REGUA)
        .map(|coluna| match coluna {
            c if c % 10 == 0 => char::from(b'0' + u8::try_from((c / 10) % 10).unwrap_or(0)),
            c if c % 5 == 0 => '+',
            _ => '.',
        })
        .collect();
    let digitos: String = (1..=REGUA)
        .map(|coluna| char::from(b'0' + u8::try_from(coluna % 10).unwrap_or(0)))
        .collect();
    [
        "TESTE DE IMPRESSÃO".to_owned(),
        format!("borda {}", env!("CARGO_PKG_VERSION")),
        format!("Impressora: {impressora}"),
        format!("Data/hora: {}", agora.format("%d/%m/%Y %H:%M:%S")),
        String::new(),
        "Acentos:".to_owned(),
        "ÁÉÍÓÚ ÂÊÔ ÃÕ Ç".to_owned(),
        "áéíóú âêô ãõ ç".to_owned(),
        String::new(),
        format!("Régua ({REGUA} colunas):"),
        regua,
        digitos,
    ]
    .join("\n")
}

impl From<Inalcancavel> for PrintTestError {
    fn from(erro: Inalcancavel) -> Self {
        PrintTestError::Unreachable {
            url: erro.url,
            reason: erro.reason,
        }
    }
}

/// The daemon's API, as the configuration says where it listens and with which token.
struct Api {
    local: LocalApi,
}

impl Api {
    /// Sends `builder` and reads its JSON body; a non-2xx answer is an error carrying the problem's detail.
    async fn send<T: DeserializeOwned>(&self, builder: reqwest::RequestBuilder) -> Result<T, PrintTestError> {
        let (response, url) = LocalApi::enviar(builder).await?;
        let status = response.status();
        if !status.is_success() {
            let detalhe = response.json::<serde_json::Value>().await.ok().and_then(|problema| {
                let detail = problema.get("detail")?.as_str()?.to_owned();
                Some(match problema.get("code").and_then(|c| c.as_str()) {
                    Some(code) => format!("{code}: {detail}"),
                    None => detail,
                })
            });
            return Err(PrintTestError::Status {
                url,
                status: status.as_u16(),
                detalhe,
            });
        }
        Ok(LocalApi::corpo(response, url).await?)
    }
}

/// Asks the daemon at `api` to print the test page on `impressora` (the first configured when `None`) and follows
/// the job until it is printed (`Ok`), fails, or `timeout` passes. `progresso` receives one line per change of
/// status or motivo.
pub async fn imprimir(
    api: &ApiConfig,
    impressora: Option<&str>,
    timeout: Duration,
    mut progresso: impl FnMut(String),
) -> Result<(), PrintTestError> {
    let api = Api {
        local: LocalApi::new(api).map_err(|error| PrintTestError::Unreachable {
            url: String::new(),
            reason: error.to_string(),
        })?,
    };

    let impressoras: Vec<Impressora> = api.send(api.local.get("/v1/impressoras")).await?;
    let escolhida = match impressora {
        Some(nome) => {
            impressoras
                .iter()
                .find(|i| i.nome == nome)
                .ok_or_else(|| PrintTestError::ImpressoraDesconhecida {
                    nome: nome.to_owned(),
                    configuradas: impressoras.iter().map(|i| i.nome.clone()).collect(),
                })?
        }
        None => impressoras.first().ok_or(PrintTestError::SemImpressora)?,
    };
    progresso(format!(
        "impressora {} ({}, {}): {}, papel {}",
        escolhida.nome, escolhida.conexao, escolhida.modelo, escolhida.status, escolhida.papel
    ));

    let texto = pagina_de_teste(&escolhida.nome, Local::now());
    let chave = format!("print-test-{}", uuid::Uuid::now_v7());
    let job: Job = api
        .send(
            api.local
                .post("/v1/impressoes")
                .header("idempotency-key", chave)
                .json(&json!({"tipo": "texto", "texto": texto, "impressora": escolhida.nome})),
        )
        .await?;
    let id = job.id.clone();
    let deadline = Instant::now() + timeout;
    let mut visto: Option<(String, Option<String>)> = None;
    let mut atual = job;
    loop {
        let agora = (atual.status.clone(), atual.motivo.clone());
        if visto.as_ref() != Some(&agora) {
            progresso(match &atual.motivo {
                Some(motivo) => format!("impressão {id}: {} ({motivo})", atual.status),
                None => format!("impressão {id}: {}", atual.status),
            });
            visto = Some(agora);
        }
        match atual.status.as_str() {
            "impressa" => return Ok(()),
            "falhou" => {
                return Err(PrintTestError::Falhou {
                    id,
                    motivo: atual.motivo,
                });
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(PrintTestError::Timeout {
                id,
                esperado: timeout.as_secs(),
                status: atual.status,
                motivo: atual.motivo,
            });
        }
        tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        atual = api.send(api.local.get(&format!("/v1/impressoes/{id}"))).await?;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_test_page_lists_version_printer_time_accents_and_a_ruler() {
        let agora = Local.with_ymd_and_hms(2026, 11, 23, 14, 30, 5).single().unwrap();
        let pagina = pagina_de_teste("principal", agora);
        let linhas: Vec<&str> = pagina.lines().collect();
        assert!(linhas.contains(&concat!("borda ", env!("CARGO_PKG_VERSION"))));
        assert!(linhas.contains(&"Impressora: principal"));
        assert!(linhas.contains(&"Data/hora: 23/11/2026 14:30:05"));
        assert!(linhas.contains(&"ÁÉÍÓÚ ÂÊÔ ÃÕ Ç"));
        assert!(linhas.contains(&"áéíóú âêô ãõ ç"));
        assert!(linhas.contains(&"....+....1....+....2....+....3....+....4....+..."));
        assert!(linhas.contains(&"123456789012345678901234567890123456789012345678"));
    }
}
