//! The demo ERP's "criar atendimento": it opens a ticket for every well-formed POST it receives, duplicates
//! included, as the real ERP does, and records each one ([`super::DemoErp::chamados_recebidos`]) so that a test's
//! "exactly one ticket" can fail. Unforgiving like a real adapter: a body without `id_cliente`, `assunto` or
//! `mensagem`, or with an attachment that is not standard base64, is refused (422) and opens nothing.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Shared, locked};

/// The first ticket id the demo gives; the next ones count up.
const PRIMEIRO_ID: u64 = 9001;

/// How the demo ERP answers `POST paths.chamado`; switch with [`super::DemoErp::set_modo_chamado`]. The global
/// [`super::Modo`] applies first (a 500, garbage or a refused connection never reaches the route, and opens nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ModoChamado {
    /// Opens the ticket and answers its id.
    #[default]
    Normal,
    /// A 422 `{"success": false, ...}`: opens nothing.
    Rejeita,
    /// Opens the ticket, then holds the answer for 30 s: the client times out after the ticket exists.
    TravaDepois,
}

/// A ticket the demo ERP opened, as its POST arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChamadoRecebido {
    /// The id it answered (`id_atendiemnto`).
    pub id: String,
    /// Its `Idempotency-Key` header, if any.
    pub chave: Option<String>,
    /// Its JSON body.
    pub corpo: Value,
    /// When it arrived.
    pub recebido_em: DateTime<Utc>,
}

/// The tickets opened and the mode, under one lock.
#[derive(Debug, Default)]
pub(super) struct Registro {
    estado: Mutex<Estado>,
}

#[derive(Debug, Default)]
struct Estado {
    modo: ModoChamado,
    recebidos: Vec<ChamadoRecebido>,
}

impl Registro {
    pub(super) fn set_modo(&self, modo: ModoChamado) {
        locked(&self.estado).modo = modo;
    }

    pub(super) fn recebidos(&self) -> Vec<ChamadoRecebido> {
        locked(&self.estado).recebidos.clone()
    }
}

/// Largest chamado body the demo reads: past borda's own limit, so that borda's limit is the one tested.
const MAX_CORPO: usize = 16 * 1024 * 1024;

/// The route of `paths.chamado`.
pub(super) fn rota() -> MethodRouter<Arc<Shared>> {
    post(criar).layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(MAX_CORPO))
}

/// `POST paths.chamado {id_cliente, assunto, mensagem, anexo: [...], ...}`.
async fn criar(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let recusa = |motivo: &str| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "success": false, "api_response": motivo })),
        )
            .into_response()
    };
    let Ok(corpo) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({ "erro": "corpo não é JSON" }))).into_response();
    };
    let preenchido = |campo: &str| {
        corpo
            .get(campo)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.trim().is_empty())
    };
    if !["id_cliente", "assunto", "mensagem"]
        .iter()
        .all(|campo| preenchido(campo))
    {
        return recusa("informe id_cliente, assunto e mensagem");
    }
    let anexos_legiveis = match corpo.get("anexo") {
        None => true,
        Some(Value::Array(anexos)) => anexos.iter().all(|anexo| {
            anexo
                .get("anexo")
                .and_then(Value::as_str)
                .is_some_and(|b64| base64::engine::general_purpose::STANDARD.decode(b64).is_ok())
        }),
        Some(_) => false,
    };
    if !anexos_legiveis {
        return recusa("anexo inválido");
    }
    // Booked at arrival, whatever comes after: a held answer does not undo the ticket.
    let aberto = {
        let mut estado = locked(&shared.chamados.estado);
        if estado.modo == ModoChamado::Rejeita {
            None
        } else {
            let id = (PRIMEIRO_ID + estado.recebidos.len() as u64).to_string();
            estado.recebidos.push(ChamadoRecebido {
                id: id.clone(),
                chave: headers
                    .get("idempotency-key")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned),
                corpo,
                recebido_em: Utc::now(),
            });
            Some((id, estado.modo == ModoChamado::TravaDepois))
        }
    };
    let Some((id, trava)) = aberto else {
        return recusa("tipo de atendimento inativo");
    };
    if trava {
        shared.hold().await;
    }
    Json(json!({ "id_atendiemnto": id, "obs": "Chamado aberto pelo totem" })).into_response()
}
