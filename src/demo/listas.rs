//! The demo ERP's read-only lists of a customer (services, notas fiscais, contacts, extrato, quitação) at the default
//! `[erp.paths]`, and the PDFs they link to.
//!
//! Like the rest of the demo it is as strict as a real adapter: the lists that take the customer's ERP id refuse
//! (400) a request without the right `id_cliente`, the contacts one without `customer_document_number`; an unknown
//! customer has empty lists. The data mixes both generations' forms (values as `"99,90"` and as numbers, ISO and
//! Brazilian dates) and carries records a client must skip (no id, an unreadable value, an unknown contact type, a
//! repeated contact). Maria has a suspended service, notas whose PDF is at the ERP (behind its token), at a
//! "prefeitura" on another origin that answers an HTML page instead, and none; and last year's quitação with a PDF.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Value, json};

use super::{Shared, demo_pdf};

/// Where the demo ERP serves the PDFs its lists link to, on its own origin and behind its token (an `/api` path),
/// as an ERP's file store does.
pub(super) const ARQUIVOS: &str = "/api/arquivos/{arquivo}";

/// Where the demo's "prefeitura" serves notas fiscais. Linked at another origin (`localhost` for the ERP's
/// `127.0.0.1`), so borda must not send the ERP's credential there; it answers a login page, not a PDF.
pub(super) const PREFEITURA: &str = "/nfse/{arquivo}";

/// The lists of every demo customer that has some, and the files they link to.
#[derive(Debug)]
pub(super) struct Listas {
    /// By normalised documento.
    por_cliente: HashMap<String, DoCliente>,
    /// PDFs by file name, served at [`ARQUIVOS`].
    arquivos: HashMap<String, Vec<u8>>,
}

/// One customer's lists, as the ERP writes them.
#[derive(Debug)]
struct DoCliente {
    /// The customer's id in the ERP, which the lists but the contacts require.
    id_cliente: &'static str,
    servicos: Vec<Value>,
    notas: Vec<Value>,
    contatos: Vec<Value>,
    extratos: Vec<Value>,
    quitacoes: Vec<Value>,
}

impl Listas {
    /// The lists, dated from `hoje`, linking to files under `base_url` (the demo's own origin).
    pub(super) fn new(hoje: NaiveDate, base_url: &str) -> Result<Listas, String> {
        let day = |delta: u64| -> Result<NaiveDate, String> {
            hoje.checked_sub_days(Days::new(delta))
                .ok_or_else(|| format!("data fora do calendário: hoje - {delta} dias"))
        };
        let iso = |date: NaiveDate| date.format("%Y-%m-%d").to_string();
        let br = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
        let outra_origem = base_url.replacen("127.0.0.1", "localhost", 1);
        let ano = u16::try_from(hoje.year()).map_err(|_| "ano fora do calendário".to_owned())?;
        let (passado, retrasado) = (ano - 1, ano - 2);
        let quitacao_pdf = format!("quitacao-501-{passado}.pdf");

        let maria = DoCliente {
            id_cliente: "501",
            servicos: vec![
                json!({"id_servico": "S-1001", "nome": "Fibra 300 Mega", "situacao": "Ativo", "obs": "",
                       "valor": "99,90", "numero_plano": "300", "endereco": "Rua das Flores, 45 - Jardim América"}),
                json!({"id_servico": "S-1002", "nome": "Empresarial 500 Mega", "situacao": "Suspenso",
                       "obs": "Suspenso por débito", "valor": "149,90", "numero_plano": "500E",
                       "endereco": "Av. Brasil, 900, Sala 3 - Centro"}),
                json!({"id_servico": "S-1003", "nome": "Telefonia fixa", "situacao": "Cancelado", "obs": "",
                       "valor": "29,90", "numero_plano": "TF1", "endereco": "Rua das Flores, 45 - Jardim América"}),
            ],
            notas: vec![
                json!({"id_nota": "NF-9003", "id_tipo_nota": "1", "numero_nota": "9003", "valor": "99,90",
                       "protocolo": "3554102-9003", "data_lancamento": iso(day(65)?),
                       "identificacao": "NFCom - Fibra 300 Mega", "url_nota_fiscal": ""}),
                json!({"id_nota": "NF-9001", "id_tipo_nota": "1", "numero_nota": "9001", "valor": "99,90",
                       "protocolo": "3554102-9001", "data_lancamento": format!("{}T10:30:00", iso(day(35)?)),
                       "identificacao": "NFCom - Fibra 300 Mega",
                       "url_nota_fiscal": format!("{base_url}/api/arquivos/NF-9001.pdf")}),
                json!({"id_nota": "NF-9002", "id_tipo_nota": "2", "numero_nota": "9002", "valor": "149,90",
                       "protocolo": "3554102-9002", "data_lancamento": iso(day(5)?),
                       "identificacao": "NFS-e - Empresarial 500 Mega",
                       "url_nota_fiscal": format!("{outra_origem}/nfse/NF-9002.pdf")}),
                // A record the adapter emitted without its id.
                json!({"id_nota": "", "numero_nota": "9004", "valor": "10,00", "data_lancamento": iso(day(1)?)}),
            ],
            contatos: vec![
                json!({"type": "email", "value": "maria.souza@provedor.com.br"}),
                json!({"type": "phone", "value": "(12) 99876-4321"}),
                json!({"type": "email", "value": "Maria.Souza@Provedor.com.br"}),
                json!({"type": "fax", "value": "(12) 3621-4321"}),
            ],
            extratos: vec![
                json!({"id_fatura": "9981", "data_lancamento": iso(day(70)?), "data_vencimento": iso(day(40)?),
                       "data_baixa": iso(day(42)?), "historico": "Mensalidade Fibra 300 Mega", "valor": "99,90",
                       "saldo": "99,90", "cobranca": "Boleto Itaú"}),
                json!({"id_fatura": "10002", "data_lancamento": iso(day(40)?), "data_vencimento": iso(day(10)?),
                       "data_baixa": "", "historico": "Mensalidade Fibra 300 Mega", "valor": "0,00",
                       "saldo": "99,90", "cobranca": "Boleto Itaú"}),
                // A broken column in the adapter's database.
                json!({"id_fatura": "9970", "data_lancamento": iso(day(100)?), "valor": "noventa e nove",
                       "saldo": "99,90"}),
            ],
            // Oldest first, as this ERP lists them.
            quitacoes: vec![
                json!({"id_quitacao": format!("Q-{retrasado}"), "ano": retrasado, "valor": "1198,80",
                       "url_arquivo": ""}),
                json!({"id_quitacao": format!("Q-{passado}"), "ano": passado.to_string(), "valor": "1498,80",
                       "url_arquivo": format!("{base_url}/api/arquivos/{quitacao_pdf}")}),
            ],
        };

        let joao = DoCliente {
            id_cliente: "377",
            servicos: vec![
                json!({"id_servico": 881, "nome": "Fibra 100 Mega", "situacao": "ATIVO", "valor": 79.9,
                                  "numero_plano": 100, "endereco": "Av. Independência, 900 - Centro"}),
            ],
            notas: vec![
                json!({"id_nota": 7001, "id_tipo_nota": 2, "numero_nota": 7001, "valor": 79.9,
                               "data_lancamento": br(day(27)?), "url_nota_fiscal": ""}),
            ],
            contatos: vec![
                json!({"type": "phone", "value": "+55 12 99123-4567"}),
                json!({"type": "email", "value": "joao.lima@example.com"}),
            ],
            extratos: Vec::new(),
            quitacoes: Vec::new(),
        };

        let arquivos = HashMap::from([
            (
                "NF-9001.pdf".to_owned(),
                demo_pdf("Nota fiscal 9001 - Maria Aparecida Souza - R$ 99,90"),
            ),
            (
                quitacao_pdf,
                demo_pdf(&format!(
                    "Declaracao de quitacao de debitos {passado} - Maria Aparecida Souza"
                )),
            ),
        ]);
        Ok(Listas {
            por_cliente: HashMap::from([("52998224725".to_owned(), maria), ("11144477735".to_owned(), joao)]),
            arquivos,
        })
    }
}

/// Which list a route serves.
#[derive(Clone, Copy)]
enum Qual {
    Servicos,
    Notas,
    Contatos,
    Extratos,
    Quitacoes,
}

/// A list answer: the customer's list when the request names her as the contract says, `[]` for a customer without
/// one, 400 for a request that does not say who.
fn lista(shared: &Shared, q: &HashMap<String, String>, qual: Qual) -> Response {
    let campo = match qual {
        Qual::Contatos => "customer_document_number",
        _ => "document",
    };
    let Some(documento) = q.get(campo) else {
        return recusa(&format!("informe {campo}"));
    };
    let Some(cliente) = shared.data.cliente(documento) else {
        return Json(json!([])).into_response();
    };
    let Some(listas) = shared.data.listas.por_cliente.get(&cliente.documento) else {
        return Json(json!([])).into_response();
    };
    if !matches!(qual, Qual::Contatos) && q.get("id_cliente").map(String::as_str) != Some(listas.id_cliente) {
        return recusa("id_cliente ausente ou de outro cliente");
    }
    let itens = match qual {
        Qual::Servicos => &listas.servicos,
        Qual::Notas => &listas.notas,
        Qual::Contatos => &listas.contatos,
        Qual::Extratos => &listas.extratos,
        Qual::Quitacoes => &listas.quitacoes,
    };
    Json(Value::Array(itens.clone())).into_response()
}

fn recusa(erro: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "erro": erro }))).into_response()
}

/// `GET paths.servicos ?document= &id_cliente=`.
pub(super) async fn servicos(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    lista(&shared, &q, Qual::Servicos)
}

/// `GET paths.notas_fiscais ?document= &id_cliente=`.
pub(super) async fn notas_fiscais(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    lista(&shared, &q, Qual::Notas)
}

/// `GET paths.contatos ?customer_document_number=`.
pub(super) async fn contatos(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    lista(&shared, &q, Qual::Contatos)
}

/// `GET paths.extratos ?document= &id_cliente=`.
pub(super) async fn extratos(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    lista(&shared, &q, Qual::Extratos)
}

/// `GET paths.quitacao ?document= &id_cliente=`.
pub(super) async fn quitacao(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    lista(&shared, &q, Qual::Quitacoes)
}

/// `GET /api/arquivos/{arquivo}`: a PDF a list links to.
pub(super) async fn arquivo(State(shared): State<Arc<Shared>>, Path(arquivo): Path<String>) -> Response {
    match shared.data.listas.arquivos.get(&arquivo) {
        Some(pdf) => ([(header::CONTENT_TYPE, "application/pdf")], pdf.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "erro": "arquivo não encontrado" }))).into_response(),
    }
}

/// `GET /nfse/{arquivo}`: the prefeitura's site answers its login page, with a 200, whatever is asked.
pub(super) async fn prefeitura() -> Response {
    let page = "<!DOCTYPE html><html><head><title>NFS-e - Prefeitura</title></head>\
                <body><form action=\"/login\"><input name=\"cpf\"><button>Entrar</button></form></body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
