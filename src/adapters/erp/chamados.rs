//! "Criar atendimento": opening a support ticket (chamado) at the ERP, request and answer in the contract's words.
//!
//! A chamado is a write the ERP is not known to deduplicate: every POST it receives opens a ticket. So, like a baixa,
//! it is sent once and never retried here, and its failure says whether the ERP may have opened it all the same
//! ([`FalhaChamado::talvez_aberto`]): only a refused connection, an open breaker, a configuration that cannot make the
//! request, a 401/403, a 429 or another business refusal prove it was not. The kiosk's `Idempotency-Key`, when it
//! sent one, goes along for ERPs that honour it; the service keeps its own record of keys.
//!
//! The wire (seed 001, "criar atendimento"): a JSON body with `id_cliente`, `id_servico`, `id_tipo_de_atendimento`,
//! `id_departamento`, `id_funcionario`, `email`, `telefone`, `assunto`, `mensagem` and `anexo: [{"anexo": base64,
//! "obs", "nome_anexo"}]`, every field present (an unknown one as `""`, which PHP adapters read more safely than a
//! missing key); the answer `{"id_atendiemnto": "…", "obs": "…"}`, with the contract's typo, read also as
//! `id_atendimento`, as a number, inside seed 000's `{"success", "api_response"}` envelope or a one-element list.

use base64::Engine as _;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::{
    BREAKER_OPEN, ErpClient, ErpError, IDEMPOTENCY_KEY, MAX_BODY, MAX_ERROR_BODY, fill, path_id, read_body, redirected,
    truncated_text, unavailable,
};
use crate::adapters::breaker::Desfecho;
use crate::domain::chamado::Chamado;

/// The names of the ticket's id in an answer: the contract's (with its typo) first.
const ID_FIELDS: &[&str] = &["id_atendiemnto", "id_atendimento"];

/// The ERP's ids a chamado is filed under (`[chamado]` in the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DestinoChamado<'a> {
    /// `id_tipo_de_atendimento`.
    pub tipo: &'a str,
    /// `id_departamento`.
    pub departamento: &'a str,
    /// `id_funcionario`.
    pub funcionario: &'a str,
}

/// One chamado to open at the ERP.
#[derive(Clone, Copy, Debug)]
pub struct NovoChamado<'a> {
    /// The customer's id in the ERP.
    pub id_cliente: &'a str,
    /// The checked ticket: texts, service, attachments.
    pub chamado: &'a Chamado,
    pub destino: DestinoChamado<'a>,
    /// Where the ERP answers the customer, when known.
    pub email: Option<&'a str>,
    pub telefone: Option<&'a str>,
    /// The kiosk's `Idempotency-Key`, forwarded as that header.
    pub chave: Option<&'a str>,
}

/// A ticket the ERP opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChamadoAberto {
    /// The ERP's `id_atendiemnto`: the protocol number shown to the customer.
    pub id: String,
}

/// Why a chamado was not, or not surely, opened. Never retried here.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{erro}")]
pub struct FalhaChamado {
    /// What went wrong; [`ErpError::NaoSuportado`] when `erp.paths.chamado` is empty.
    pub erro: ErpError,
    /// Whether the ERP may have opened the ticket anyway: the request went out and no readable answer came back (a
    /// timeout or a connection broken after sending, a 408, a 5xx, a redirect, a 2xx without the ticket's id).
    pub talvez_aberto: bool,
}

impl FalhaChamado {
    /// Certainly not opened.
    fn nao_aberto(erro: ErpError) -> FalhaChamado {
        FalhaChamado {
            erro,
            talvez_aberto: false,
        }
    }

    /// May have been opened.
    fn talvez(erro: ErpError) -> FalhaChamado {
        FalhaChamado {
            erro,
            talvez_aberto: true,
        }
    }
}

impl ErpClient {
    /// Whether the configured ERP opens chamados (`erp.paths.chamado` is not empty).
    pub fn suporta_chamados(&self) -> bool {
        !self.inner.paths.chamado.trim().is_empty()
    }

    /// Opens a chamado (`POST paths.chamado`, a `{id_cliente}` placeholder filled): the ERP's ticket id, or why not.
    /// Sent once, through the breaker (nothing is sent while it is open; the outcome is recorded by the one rule of
    /// `breaker::respondeu`), never retried; a redirect is not followed. Logs the ticket's id and the outcome, never
    /// the texts or the files.
    pub async fn abrir_chamado(&self, novo: &NovoChamado<'_>) -> Result<ChamadoAberto, FalhaChamado> {
        let resultado = self.enviar_chamado(novo).await;
        match &resultado {
            Ok(aberto) => tracing::info!(chamado.id = aberto.id.as_str(), "ERP opened a chamado"),
            Err(FalhaChamado {
                erro: ErpError::NaoSuportado("chamado"),
                ..
            }) => {}
            Err(falha) if falha.talvez_aberto => {
                tracing::warn!(error = %falha.erro, "a chamado may have been opened at the ERP without an answer");
            }
            Err(falha) => tracing::warn!(error = %falha.erro, "ERP did not open the chamado"),
        }
        resultado
    }

    /// One attempt, classified.
    async fn enviar_chamado(&self, novo: &NovoChamado<'_>) -> Result<ChamadoAberto, FalhaChamado> {
        if !self.suporta_chamados() {
            return Err(FalhaChamado::nao_aberto(ErpError::NaoSuportado("chamado")));
        }
        if self.inner.breaker.is_open() {
            return Err(FalhaChamado::nao_aberto(ErpError::Indisponivel(BREAKER_OPEN.into())));
        }
        let request = self.chamado_request(novo).map_err(FalhaChamado::nao_aberto)?;
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                self.inner.breaker.record(Desfecho::SemResposta);
                // Only a failure to connect proves the request never left.
                return Err(if error.is_connect() {
                    FalhaChamado::nao_aberto(unavailable(&error))
                } else {
                    FalhaChamado::talvez(unavailable(&error))
                });
            }
        };
        let status = response.status();
        self.inner.breaker.record(Desfecho::Status(status.as_u16()));
        if status.is_redirection() {
            // Not followed: the ERP, or something in front of it, may have handled the POST before redirecting.
            return Err(FalhaChamado::talvez(redirected(status.as_u16(), response.headers())));
        }
        if status.is_success() {
            let body = match read_body(&mut response, MAX_BODY).await {
                Ok((body, true)) => body,
                Ok(_) => {
                    return Err(FalhaChamado::talvez(ErpError::RespostaInvalida(format!(
                        "corpo maior que {MAX_BODY} bytes"
                    ))));
                }
                Err(erro) => return Err(FalhaChamado::talvez(erro)),
            };
            return resposta(status.as_u16(), &body);
        }
        let corpo = match read_body(&mut response, MAX_ERROR_BODY).await {
            Ok((start, _)) => truncated_text(&start),
            Err(_) => String::new(),
        };
        let erro = ErpError::Status {
            status: status.as_u16(),
            corpo,
        };
        Err(if status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() {
            FalhaChamado::talvez(erro)
        } else {
            FalhaChamado::nao_aberto(erro)
        })
    }

    /// The POST of a chamado. An `id_cliente` the path needs but that would change it stops it here: a write to
    /// another URL than the configured one must never go out.
    fn chamado_request(&self, novo: &NovoChamado<'_>) -> Result<reqwest::RequestBuilder, ErpError> {
        let template = &self.inner.paths.chamado;
        let fields = [("id_cliente", novo.id_cliente)];
        if template.contains("{id_cliente}") && path_id(novo.id_cliente).is_err() {
            return Err(ErpError::Configuracao(
                "id_cliente não pode ir no caminho do chamado".into(),
            ));
        }
        let mut request = self
            .builder(Method::POST, self.url(template, &fill(template, &fields))?)
            .json(&corpo(novo));
        if let Some(chave) = novo.chave.and_then(|chave| HeaderValue::from_str(chave).ok()) {
            request = request.header(IDEMPOTENCY_KEY, chave);
        }
        Ok(request)
    }
}

/// The JSON body of a chamado: every field of the contract, `""` for what borda does not know.
fn corpo(novo: &NovoChamado<'_>) -> Value {
    let chamado = novo.chamado;
    let anexos: Vec<Value> = chamado
        .anexos
        .iter()
        .map(|anexo| {
            json!({
                "anexo": base64::engine::general_purpose::STANDARD.encode(&anexo.bytes),
                "obs": "",
                "nome_anexo": anexo.nome,
            })
        })
        .collect();
    json!({
        "id_cliente": novo.id_cliente,
        "id_servico": chamado.id_servico.as_deref().unwrap_or_default(),
        "id_tipo_de_atendimento": novo.destino.tipo,
        "id_departamento": novo.destino.departamento,
        "id_funcionario": novo.destino.funcionario,
        "email": novo.email.unwrap_or_default(),
        "telefone": novo.telefone.unwrap_or_default(),
        "assunto": chamado.assunto,
        "mensagem": chamado.mensagem,
        "anexo": anexos,
    })
}

/// Reads a 2xx answer (of this `status`): the ticket's id; a `"success": false` is a refusal (not opened); an answer
/// without a readable id may still mean an opened ticket.
fn resposta(status: u16, body: &[u8]) -> Result<ChamadoAberto, FalhaChamado> {
    let invalida = |motivo: String| FalhaChamado::talvez(ErpError::RespostaInvalida(motivo));
    let valor: Value = serde_json::from_slice(body).map_err(|error| invalida(format!("JSON inválido: {error}")))?;
    let valor = match valor {
        Value::Array(mut itens) if itens.len() == 1 => itens.remove(0),
        outro => outro,
    };
    let Some(objeto) = valor.as_object() else {
        return Err(invalida("esperava um objeto JSON".into()));
    };
    if objeto.get("success") == Some(&Value::Bool(false)) {
        return Err(FalhaChamado::nao_aberto(ErpError::Status {
            status,
            corpo: truncated_text(body),
        }));
    }
    let envelope = objeto.get("api_response").and_then(Value::as_object);
    [Some(objeto), envelope]
        .into_iter()
        .flatten()
        .find_map(id_atendimento)
        .map(|id| ChamadoAberto { id })
        .ok_or_else(|| invalida("resposta sem id_atendiemnto".into()))
}

/// The ticket's id in one object: a non-empty string or a number under one of [`ID_FIELDS`].
fn id_atendimento(objeto: &Map<String, Value>) -> Option<String> {
    ID_FIELDS.iter().find_map(|campo| match objeto.get(*campo)? {
        Value::String(id) => Some(id.trim().to_owned()).filter(|id| !id.is_empty()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::chamado::{Anexo, TipoAnexo};

    fn aberto(body: &str) -> Result<String, (bool, String)> {
        resposta(200, body.as_bytes())
            .map(|aberto| aberto.id)
            .map_err(|falha| (falha.talvez_aberto, falha.erro.to_string()))
    }

    #[test]
    fn the_answer_is_read_in_every_form_the_contract_allows() {
        assert_eq!(aberto(r#"{"id_atendiemnto": " 4711 ", "obs": ""}"#), Ok("4711".into()));
        assert_eq!(aberto(r#"{"id_atendimento": 4712}"#), Ok("4712".into()));
        assert_eq!(aberto(r#"[{"id_atendiemnto": "4713"}]"#), Ok("4713".into()));
        assert_eq!(
            aberto(r#"{"success": true, "api_response": {"id_atendiemnto": "4714"}}"#),
            Ok("4714".into())
        );
        // The contract's typo wins when both are there.
        assert_eq!(
            aberto(r#"{"id_atendiemnto": "1", "id_atendimento": "2"}"#),
            Ok("1".into())
        );
    }

    #[test]
    fn an_answer_without_an_id_may_hide_an_opened_ticket_but_a_refusal_does_not() {
        for body in [
            r#"{"id_atendiemnto": "", "obs": ""}"#,
            "{}",
            "<html>ok</html>",
            "[1, 2]",
            "null",
        ] {
            assert!(matches!(aberto(body), Err((true, _))), "{body}");
        }
        assert!(matches!(
            aberto(r#"{"success": false, "api_response": "tipo inválido"}"#),
            Err((false, _))
        ));
    }

    #[test]
    fn the_body_has_every_field_and_the_files_in_base64() {
        let chamado = Chamado {
            assunto: "Sem sinal".into(),
            mensagem: "Desde ontem.".into(),
            id_servico: None,
            contato_id: None,
            anexos: vec![Anexo {
                nome: "conta.pdf".into(),
                tipo: TipoAnexo::Pdf,
                bytes: b"%PDF-1.4 \xff\x00".to_vec(),
            }],
        };
        let novo = NovoChamado {
            id_cliente: "501",
            chamado: &chamado,
            destino: DestinoChamado {
                tipo: "3",
                departamento: "7",
                funcionario: "12",
            },
            email: None,
            telefone: Some("12991234567"),
            chave: None,
        };
        assert_eq!(
            corpo(&novo),
            json!({
                "id_cliente": "501", "id_servico": "", "id_tipo_de_atendimento": "3", "id_departamento": "7",
                "id_funcionario": "12", "email": "", "telefone": "12991234567", "assunto": "Sem sinal",
                "mensagem": "Desde ontem.",
                "anexo": [{"anexo": "JVBERi0xLjQg/wA=", "obs": "", "nome_anexo": "conta.pdf"}],
            })
        );
    }
}
