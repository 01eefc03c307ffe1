//! A demo retaguarda: a real HTTP server on a loopback port that speaks the TOTVS PDV Omni "limite de crédito"
//! contract (v3) with made-up customers.
//!
//! `borda demo` and the test suite use it as the back office (the "retaguarda", a TOTVS Winthor say) that borda asks
//! how much credit a customer has left. It answers `GET /limite-credito/{IdRetaguardaLoja}` ([`PATH_LIMITE_CREDITO`])
//! with the contract's envelope, HTTP 200 even for business errors, reading the customer from the `cpfCnpj` header
//! and the per-payment-form detail from `limitePagamentoForma` (or its misspelling `limitePgamentoForma`). Its
//! doubles are written as the seed document writes them (`800.0`, `264.0`, `1234.56`), from integer centavos,
//! never through `f64`. Three customers have a limit ([`CPF_COM_USO`], [`CPF_POR_FORMA`], [`CNPJ_EMPRESA_CLIENTE`]);
//! any other valid document is "not found". A test can change a customer's saldo ([`DemoRetaguarda::set_saldo`]) to
//! tell a fresh answer from a cached one, switch failures ([`ModoRetaguarda`]: 500s, slowness, garbage, refused
//! connections, answers that break the contract) and stop it to cut the link, then start another on the same port to
//! bring it back. It can require a bearer token ([`DemoRetaguarda::start_com_token`]) and records every request it
//! receives with its headers ([`DemoRetaguarda::pedidos`]).
//!
//! It owns only its own made-up data; it must never be pointed at by a production configuration, and it keeps no
//! state beyond the mode, the saldos and the log of requests.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::locked;
use super::portao::{self, Portao};
use crate::domain::documento;
use crate::domain::money::Centavos;

/// The customer whose limit is partly used: saldo `800.0`, utilizado `264.0`, total `1064.0`, one detail
/// (`264.0`, "credito total"), id `"01PSH00000005033CR"`; by payment form BL `500.0` and CH `300.0`.
pub const CPF_COM_USO: &str = "71460238184";

/// The customer of the seed's "by payment form" example: saldo `1000.0`, nothing used, id `null`; by payment form BL
/// `500.0` and CH `500.0`.
pub const CPF_POR_FORMA: &str = "28391504689";

/// A company customer: saldo `2500.5`, utilizado `1234.56` (`1000.0` "boletos em aberto", `234.56` "cheques a
/// compensar"), total `3735.06`, id `"193489-LIMCRED"`; by payment form BL `2000.0` and CH `500.5`.
pub const CNPJ_EMPRESA_CLIENTE: &str = "19348927000145";

/// The documents (normalised) and a description of the customers that have a limit, for the demo's banner and tests.
pub const CLIENTES_RETAGUARDA: &[(&str, &str)] = &[
    (CPF_COM_USO, "limite em uso (saldo 800.0 de 1064.0)"),
    (CPF_POR_FORMA, "limite por forma de pagamento (saldo 1000.0)"),
    (
        CNPJ_EMPRESA_CLIENTE,
        "empresa com boletos e cheques em aberto (saldo 2500.5)",
    ),
];

/// The token a retaguarda started with [`DemoRetaguarda::start_com_token`] requires, as `Authorization: Bearer
/// <token>`.
pub const TOKEN_RETAGUARDA: &str = "demo-retaguarda-borda";

/// The path template the demo serves, the contract's default.
pub const PATH_LIMITE_CREDITO: &str = "/limite-credito/{IdRetaguardaLoja}";

/// The answer to a valid document the retaguarda has no limit for.
const NAO_ENCONTRADO: &str = "Não foi possível encontrar limite de crédito para o cliente selecionado.";
/// The answer to a `cpfCnpj` that is not a valid CPF or CNPJ.
const DOCUMENTO_INVALIDO: &str = "CPF/CNPJ inválido.";
/// The answer (HTTP 400) to a request without `cpfCnpj`.
const INFORME_DOCUMENTO: &str = "Informe o cpfCnpj.";
/// The answer (HTTP 401) to a request without the token, when one is required.
const NAO_AUTORIZADO: &str = "Token de acesso inválido ou ausente.";

/// The `valorUtilizado` [`ModoRetaguarda::DoubleLongo`] writes: `0.1 + 0.2` in binary floating point.
const UTILIZADO_DOUBLE: &str = "0.30000000000000004";
/// The same, in thousandths, for the `valorTotal` of [`ModoRetaguarda::DoubleLongo`].
const UTILIZADO_DOUBLE_MILESIMOS: i64 = 300;
/// The `valorUtilizado` [`ModoRetaguarda::Inconsistente`] gives a customer who used nothing (`150.0`), in centavos.
const UTILIZADO_INCONSISTENTE: i64 = 15_000;

/// How the demo retaguarda behaves; switch with [`DemoRetaguarda::set_modo`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModoRetaguarda {
    /// Answers as the contract says.
    Normal,
    /// Every request gets a 200 whose JSON body is cut in the middle (the body it would have answered, halved).
    Lixo,
    /// Every request gets a 500 with an HTML error page, as a crashed application server gives.
    Erro500,
    /// Every request waits this long before being answered normally (less if the retaguarda is stopped meanwhile).
    Lento(Duration),
    /// Connections are closed as soon as they are accepted, and open keep-alive connections are reset at their next
    /// request: no HTTP answer at all.
    Recusa,
    /// The contract broken: `valorTotal` is not `valorUtilizado + saldoDisponivel` (it is the saldo alone), and
    /// `valorUtilizado` is above zero (`150.0` for a customer who used nothing) with no `detalhesValorUtilizado`.
    Inconsistente,
    /// Doubles as a careless serializer writes them: `saldoDisponivel` with three decimals (`800.005`),
    /// `valorUtilizado` as `0.30000000000000004` with details `0.1` and `0.2`, and `valorTotal` their exact sum
    /// (`800.305`).
    DoubleLongo,
}

/// One HTTP request the demo retaguarda received, whatever the route, the mode and the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PedidoRetaguarda {
    /// The method (`GET`, ...).
    pub metodo: String,
    /// The path, without the query string (`/limite-credito/0001`).
    pub caminho: String,
    /// The query string, without the `?`, if the request had one (`IdInquilino=7&IdRetaguardaLoja=0001`).
    pub consulta: Option<String>,
    /// Its headers, name lowercased → value (lossy UTF-8; a repeated header's values joined with `, `).
    pub cabecalhos: BTreeMap<String, String>,
}

impl PedidoRetaguarda {
    /// The value of the header `nome`, whatever its case.
    pub fn cabecalho(&self, nome: &str) -> Option<&str> {
        self.cabecalhos.get(&nome.to_ascii_lowercase()).map(String::as_str)
    }
}

/// A running demo retaguarda.
#[derive(Debug)]
pub struct DemoRetaguarda {
    servidor: portao::Servidor,
    shared: Arc<Shared>,
}

/// What the server's tasks share.
#[derive(Debug)]
struct Shared {
    modo: Mutex<ModoRetaguarda>,
    /// The whole `Authorization` value required, if any.
    autorizacao: Option<String>,
    requests: AtomicUsize,
    /// Every HTTP request, in arrival order.
    pedidos: Mutex<Vec<PedidoRetaguarda>>,
    /// The customers with a limit, saldos as changed by [`DemoRetaguarda::set_saldo`].
    clientes: Mutex<Vec<ClienteRetaguarda>>,
    stopping: watch::Receiver<bool>,
}

/// One customer with a credit limit, amounts in centavos.
#[derive(Clone, Debug)]
struct ClienteRetaguarda {
    /// Normalised CPF/CNPJ.
    documento: &'static str,
    /// `idRetaguardaLimiteCredito`.
    id_limite: Option<&'static str>,
    saldo: Centavos,
    utilizado: Centavos,
    /// `detalhesValorUtilizado`: (total, tipo); they add up to `utilizado`.
    detalhes: Vec<(Centavos, &'static str)>,
    /// `saldoDetalhadoFormaPagamento`: (idRetaguardaPagamentoForma, valor); they add up to the initial saldo.
    formas: Vec<(&'static str, Centavos)>,
}

/// The customers as the retaguarda starts.
fn clientes_iniciais() -> Vec<ClienteRetaguarda> {
    vec![
        ClienteRetaguarda {
            documento: CPF_COM_USO,
            id_limite: Some("01PSH00000005033CR"),
            saldo: Centavos::new(80_000),
            utilizado: Centavos::new(26_400),
            detalhes: vec![(Centavos::new(26_400), "credito total")],
            formas: vec![("BL", Centavos::new(50_000)), ("CH", Centavos::new(30_000))],
        },
        ClienteRetaguarda {
            documento: CPF_POR_FORMA,
            id_limite: None,
            saldo: Centavos::new(100_000),
            utilizado: Centavos::ZERO,
            detalhes: Vec::new(),
            formas: vec![("BL", Centavos::new(50_000)), ("CH", Centavos::new(50_000))],
        },
        ClienteRetaguarda {
            documento: CNPJ_EMPRESA_CLIENTE,
            id_limite: Some("193489-LIMCRED"),
            saldo: Centavos::new(250_050),
            utilizado: Centavos::new(123_456),
            detalhes: vec![
                (Centavos::new(100_000), "boletos em aberto"),
                (Centavos::new(23_456), "cheques a compensar"),
            ],
            formas: vec![("BL", Centavos::new(200_000)), ("CH", Centavos::new(50_050))],
        },
    ]
}

impl ClienteRetaguarda {
    /// The `data[0]` object, as JSON text, in this mode; with `saldoDetalhadoFormaPagamento` when `por_forma` and the
    /// saldo is above zero.
    fn registro(&self, por_forma: bool, modo: &ModoRetaguarda) -> String {
        let saldo = self.saldo.get();
        let utilizado = self.utilizado.get();
        let (saldo_texto, utilizado_texto, total_texto, detalhes) = match modo {
            ModoRetaguarda::Inconsistente => {
                let utilizado = if utilizado > 0 {
                    utilizado
                } else {
                    UTILIZADO_INCONSISTENTE
                };
                // The total ignores what was used; the details are missing although something was used.
                (decimal(saldo), decimal(utilizado), decimal(saldo), Vec::new())
            }
            ModoRetaguarda::DoubleLongo => {
                let saldo_milesimos = saldo.saturating_mul(10).saturating_add(5);
                let total_milesimos = saldo_milesimos.saturating_add(UTILIZADO_DOUBLE_MILESIMOS);
                let detalhes = vec![("0.1".to_owned(), "tarifa de manutenção"), ("0.2".to_owned(), "juros")];
                (
                    milesimos(saldo_milesimos),
                    UTILIZADO_DOUBLE.to_owned(),
                    milesimos(total_milesimos),
                    detalhes,
                )
            }
            _ => {
                let detalhes = if utilizado > 0 {
                    self.detalhes
                        .iter()
                        .map(|(total, tipo)| (decimal(total.get()), *tipo))
                        .collect()
                } else {
                    Vec::new()
                };
                (
                    decimal(saldo),
                    decimal(utilizado),
                    decimal(saldo.saturating_add(utilizado)),
                    detalhes,
                )
            }
        };
        let id = self.id_limite.map_or_else(|| "null".to_owned(), texto_json);
        let mut registro = format!(
            "{{\"saldoDisponivel\":{saldo_texto},\"idRetaguardaLimiteCredito\":{id},\
             \"valorUtilizado\":{utilizado_texto},\"valorTotal\":{total_texto}"
        );
        if !detalhes.is_empty() {
            let itens: Vec<String> = detalhes
                .iter()
                .map(|(total, tipo)| format!("{{\"total\":{total},\"tipo\":{}}}", texto_json(tipo)))
                .collect();
            registro.push_str(&format!(",\"detalhesValorUtilizado\":[{}]", itens.join(",")));
        }
        if por_forma && saldo > 0 {
            let itens: Vec<String> = distribuir(self.saldo, &self.formas)
                .iter()
                .map(|(forma, valor)| {
                    format!(
                        "{{\"idRetaguardaPagamentoForma\":{},\"valor\":{}}}",
                        texto_json(forma),
                        decimal(valor.get())
                    )
                })
                .collect();
            registro.push_str(&format!(",\"saldoDetalhadoFormaPagamento\":[{}]", itens.join(",")));
        }
        registro.push('}');
        registro
    }
}

/// The saldo spread over the payment forms in their order: each takes at most its own limit, the last takes the rest,
/// so that they always add up to the saldo (and are the customer's own values while the saldo is the initial one).
/// Forms left with nothing are omitted.
fn distribuir(saldo: Centavos, formas: &[(&'static str, Centavos)]) -> Vec<(&'static str, Centavos)> {
    let mut resto = saldo.get();
    let mut distribuidas = Vec::with_capacity(formas.len());
    for (indice, (forma, limite)) in formas.iter().enumerate() {
        let valor = if indice + 1 == formas.len() {
            resto
        } else {
            resto.min(limite.get())
        };
        resto = resto.saturating_sub(valor);
        if valor > 0 {
            distribuidas.push((*forma, Centavos::new(valor)));
        }
    }
    distribuidas
}

/// An amount in centavos as the seed writes doubles: at least one decimal, no trailing zero beyond it (`800.0`,
/// `799.5`, `799.55`, `-0.05`).
fn decimal(centavos: i64) -> String {
    let sinal = if centavos < 0 { "-" } else { "" };
    let absoluto = centavos.unsigned_abs();
    let (reais, resto) = (absoluto / 100, absoluto % 100);
    if resto % 10 == 0 {
        format!("{sinal}{reais}.{}", resto / 10)
    } else {
        format!("{sinal}{reais}.{resto:02}")
    }
}

/// An amount in thousandths of a real with its three decimals (`800.005`, `-0.195`).
fn milesimos(milesimos: i64) -> String {
    let sinal = if milesimos < 0 { "-" } else { "" };
    let absoluto = milesimos.unsigned_abs();
    format!("{sinal}{}.{:03}", absoluto / 1000, absoluto % 1000)
}

/// `texto` as a JSON string literal, quoted and escaped.
fn texto_json(texto: &str) -> String {
    Value::from(texto).to_string()
}

/// The contract's envelope, as JSON text, around `data` (a JSON array's text) or `null`.
fn envelope(success: bool, message: &str, data: Option<&str>) -> String {
    format!(
        "{{\"success\":{success},\"message\":{},\"detailedMessage\":null,\"data\":{},\"errors\":null,\
         \"totalTime\":0,\"numberOfRecords\":0}}",
        texto_json(message),
        data.unwrap_or("null")
    )
}

/// An amount as a test writes it for [`DemoRetaguarda::set_saldo`]: [`Centavos::parse`]'s grammar (`799.5`, `799,55`,
/// `1.234,56`) with an optional leading `-`.
fn ler_saldo(texto: &str) -> Result<Centavos, String> {
    let texto = texto.trim();
    let (negativo, absoluto) = match texto.strip_prefix('-') {
        Some(absoluto) => (true, absoluto),
        None => (false, texto),
    };
    let centavos = Centavos::parse(absoluto).map_err(|error| error.to_string())?.get();
    Ok(Centavos::new(if negativo { -centavos } else { centavos }))
}

impl Shared {
    /// The current mode.
    fn modo(&self) -> ModoRetaguarda {
        locked(&self.modo).clone()
    }

    /// Whether the retaguarda is being stopped.
    fn stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Counts one request (or refused connection) for [`DemoRetaguarda::requests`].
    fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }

    /// The answer to a limit query with these headers: its status and its JSON body.
    fn limite(&self, headers: &HeaderMap) -> (StatusCode, String) {
        let informado = headers
            .get("cpfcnpj")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned())
            .filter(|value| !value.is_empty());
        let Some(informado) = informado else {
            return (StatusCode::BAD_REQUEST, envelope(false, INFORME_DOCUMENTO, None));
        };
        let Ok(documento) = documento::parse(&informado) else {
            return (StatusCode::OK, envelope(false, DOCUMENTO_INVALIDO, None));
        };
        let por_forma = ["limitepagamentoforma", "limitepgamentoforma"].iter().any(|name| {
            headers.get_all(*name).iter().any(|value| {
                value
                    .to_str()
                    .is_ok_and(|value| value.trim().eq_ignore_ascii_case("true"))
            })
        });
        let modo = self.modo();
        let clientes = locked(&self.clientes);
        match clientes.iter().find(|c| c.documento == documento.numero()) {
            Some(cliente) => {
                let data = format!("[{}]", cliente.registro(por_forma, &modo));
                (StatusCode::OK, envelope(true, "", Some(&data)))
            }
            None => (StatusCode::OK, envelope(false, NAO_ENCONTRADO, None)),
        }
    }
}

impl DemoRetaguarda {
    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves the demo customers, without authentication.
    pub async fn start(addr: SocketAddr) -> io::Result<DemoRetaguarda> {
        DemoRetaguarda::iniciar(addr, None).await
    }

    /// Like [`DemoRetaguarda::start`], but every request must carry `Authorization: Bearer` [`TOKEN_RETAGUARDA`]; one
    /// without it is answered 401 (and still recorded in [`DemoRetaguarda::pedidos`]).
    pub async fn start_com_token(addr: SocketAddr) -> io::Result<DemoRetaguarda> {
        DemoRetaguarda::iniciar(addr, Some(format!("Bearer {TOKEN_RETAGUARDA}"))).await
    }

    /// Binds and serves, requiring this whole `Authorization` value if any.
    async fn iniciar(addr: SocketAddr, autorizacao: Option<String>) -> io::Result<DemoRetaguarda> {
        let tcp = TcpListener::bind(addr).await?;
        let (stopping, stopping_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            modo: Mutex::new(ModoRetaguarda::Normal),
            autorizacao,
            requests: AtomicUsize::new(0),
            pedidos: Mutex::new(Vec::new()),
            clientes: Mutex::new(clientes_iniciais()),
            stopping: stopping_rx,
        });
        let router = Router::new()
            .route(PATH_LIMITE_CREDITO, get(limite_credito))
            .fallback(nao_encontrado)
            .layer(middleware::from_fn_with_state(shared.clone(), apply_modo))
            .with_state(shared.clone());
        let servidor = portao::Servidor::servir("retaguarda", tcp, router, shared.clone(), stopping)?;
        Ok(DemoRetaguarda { servidor, shared })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.servidor.addr()
    }

    /// `http://<addr>`, the `retaguarda.base_url` that points at it.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.servidor.addr())
    }

    /// Switches its behaviour for the next requests (and connections).
    pub fn set_modo(&self, modo: ModoRetaguarda) {
        *locked(&self.shared.modo) = modo;
    }

    /// Replaces the `saldoDisponivel` of the customer with this document (written any way) by `saldo_texto` (`799.5`,
    /// `799,55`, `-10`; at most two decimals); `valorTotal` follows (utilizado + saldo, in centavos) and the
    /// per-payment-form detail is spread again over the new saldo. The values are written back as the seed writes
    /// them (`799.5`, `799.55`). An unknown customer or an unreadable amount changes nothing and logs a warning.
    pub fn set_saldo(&self, documento: &str, saldo_texto: &str) {
        let saldo = match ler_saldo(saldo_texto) {
            Ok(saldo) => saldo,
            Err(error) => {
                tracing::warn!(saldo_texto, %error, "demo retaguarda: saldo ilegível, nada mudou");
                return;
            }
        };
        let numero = documento::parse(documento).map(|d| d.numero().to_owned());
        let mut clientes = locked(&self.shared.clientes);
        let cliente = numero
            .ok()
            .and_then(|numero| clientes.iter_mut().find(|c| c.documento == numero));
        match cliente {
            Some(cliente) => cliente.saldo = saldo,
            None => tracing::warn!(documento, "demo retaguarda: cliente sem limite, nada mudou"),
        }
    }

    /// Every HTTP request it received, in arrival order, whatever the route, the mode and the token.
    pub fn pedidos(&self) -> Vec<PedidoRetaguarda> {
        locked(&self.shared.pedidos).clone()
    }

    /// How many requests it received, plus the connections it refused in [`ModoRetaguarda::Recusa`].
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// A `[retaguarda]` section of borda's configuration pointing at it, with the default path and a 500 ms timeout.
    /// It carries no token: a test of [`DemoRetaguarda::start_com_token`] adds its own.
    pub fn config_toml(&self) -> String {
        format!(
            "[retaguarda]\nbase_url = \"{}\"\npath = \"{PATH_LIMITE_CREDITO}\"\ntimeout_ms = 500\n",
            self.base_url()
        )
    }

    /// Stops it as a link that goes down: held requests are let go, open connections are cut without an answer, and
    /// the listener is closed, so the port is free (for another [`DemoRetaguarda::start`]) when this returns.
    pub async fn stop(self) {
        self.servidor.parar().await;
    }
}

impl Portao for Shared {
    fn recusando(&self) -> bool {
        self.modo() == ModoRetaguarda::Recusa
    }

    fn parando(&self) -> bool {
        self.stopping()
    }

    fn contar(&self) {
        self.count_request();
    }
}

/// Records and counts every request, applies the mode, and checks the token when one is required.
async fn apply_modo(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    shared.count_request();
    let mut cabecalhos: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in request.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        cabecalhos
            .entry(name.as_str().to_owned())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    locked(&shared.pedidos).push(PedidoRetaguarda {
        metodo: request.method().to_string(),
        caminho: request.uri().path().to_owned(),
        consulta: request.uri().query().map(str::to_owned),
        cabecalhos,
    });
    let modo = shared.modo();
    match &modo {
        ModoRetaguarda::Erro500 => {
            let page = "<html><head><title>Error 500</title></head><body><h1>HTTP Status 500 - Internal Server \
                        Error</h1><p>java.lang.NullPointerException at LimiteCreditoService.consultar</p></body></html>";
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html")],
                page,
            )
                .into_response();
        }
        ModoRetaguarda::Lento(delay) => {
            let mut stopping = shared.stopping.clone();
            let _ = tokio::time::timeout(*delay, stopping.wait_for(|stopping| *stopping)).await;
        }
        ModoRetaguarda::Normal
        | ModoRetaguarda::Lixo
        | ModoRetaguarda::Recusa
        | ModoRetaguarda::Inconsistente
        | ModoRetaguarda::DoubleLongo => {}
    }
    let authorized = shared.autorizacao.as_ref().is_none_or(|expected| {
        request
            .headers()
            .get(header::AUTHORIZATION)
            .is_some_and(|value| value.as_bytes() == expected.as_bytes())
    });
    let response = if authorized {
        next.run(request).await
    } else {
        json_response(StatusCode::UNAUTHORIZED, envelope(false, NAO_AUTORIZADO, None))
    };
    if modo == ModoRetaguarda::Lixo {
        return cortada(response).await;
    }
    response
}

/// A 200 carrying the first half of `response`'s body, cut on a character boundary: JSON that never ends.
async fn cortada(response: Response) -> Response {
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let half = text.floor_char_boundary(text.len() / 2);
    let cut = text.get(..half).unwrap_or_default().to_owned();
    json_response(StatusCode::OK, cut)
}

/// A response with this status and JSON body text.
fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], body).into_response()
}

/// `GET /limite-credito/{IdRetaguardaLoja}` with `cpfCnpj` and `limitePagamentoForma` headers. The store id (path or
/// query) does not change the answer; it is only recorded.
async fn limite_credito(
    State(shared): State<Arc<Shared>>,
    Path(_id_retaguarda_loja): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (status, body) = shared.limite(&headers);
    json_response(status, body)
}

/// Any other path: a 404, as the application server gives.
async fn nao_encontrado() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "Not Found",
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The seed's "success with usage" example, byte for byte.
    const SEED_COM_USO: &str = r#"{"success":true,"message":"","detailedMessage":null,"data":[{"saldoDisponivel":800.0,"idRetaguardaLimiteCredito":"01PSH00000005033CR","valorUtilizado":264.0,"valorTotal":1064.0,"detalhesValorUtilizado":[{"total":264.0,"tipo":"credito total"}]}],"errors":null,"totalTime":0,"numberOfRecords":0}"#;

    /// The seed's "not found" example, byte for byte.
    const SEED_NAO_ENCONTRADO: &str = r#"{"success":false,"message":"Não foi possível encontrar limite de crédito para o cliente selecionado.","detailedMessage":null,"data":null,"errors":null,"totalTime":0,"numberOfRecords":0}"#;

    /// A valid CPF the retaguarda has no limit for.
    const CPF_SEM_LIMITE: &str = "529.982.247-25";

    fn local() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 0))
    }

    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }

    fn url(retaguarda: &DemoRetaguarda) -> String {
        format!("{}/limite-credito/0001", retaguarda.base_url())
    }

    /// GETs the limit of `documento` with these extra headers: status and body text.
    async fn consultar(
        client: &reqwest::Client,
        retaguarda: &DemoRetaguarda,
        documento: Option<&str>,
        extra: &[(&str, &str)],
    ) -> (u16, String) {
        let mut request = client.get(url(retaguarda));
        if let Some(documento) = documento {
            request = request.header("cpfCnpj", documento);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    fn json(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    /// A JSON number's literal text (kept as written: `arbitrary_precision`).
    fn numero(value: &Value) -> String {
        assert!(value.is_number(), "not a number: {value}");
        value.to_string()
    }

    #[test]
    fn the_customers_documents_are_valid() {
        for (documento, _) in CLIENTES_RETAGUARDA {
            let parsed = documento::parse(documento).unwrap();
            assert_eq!(parsed.numero(), *documento);
        }
        assert_eq!(
            documento::parse(CNPJ_EMPRESA_CLIENTE).unwrap().tipo(),
            documento::Tipo::Cnpj
        );
        assert_eq!(documento::parse(CPF_COM_USO).unwrap().tipo(), documento::Tipo::Cpf);
        assert_eq!(documento::parse(CPF_POR_FORMA).unwrap().tipo(), documento::Tipo::Cpf);
    }

    #[test]
    fn amounts_are_written_as_the_seed_writes_doubles() {
        assert_eq!(decimal(80_000), "800.0");
        assert_eq!(decimal(79_950), "799.5");
        assert_eq!(decimal(79_955), "799.55");
        assert_eq!(decimal(373_506), "3735.06");
        assert_eq!(decimal(0), "0.0");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(-5), "-0.05");
        assert_eq!(decimal(-1_000), "-10.0");
        assert_eq!(milesimos(800_005), "800.005");
        assert_eq!(milesimos(-195), "-0.195");
        assert_eq!(ler_saldo("799.5").unwrap(), Centavos::new(79_950));
        assert_eq!(ler_saldo("799,55").unwrap(), Centavos::new(79_955));
        assert_eq!(ler_saldo("-10").unwrap(), Centavos::new(-1_000));
        assert!(ler_saldo("799.555").is_err());
        assert!(ler_saldo("abc").is_err());
    }

    #[test]
    fn the_forms_always_add_up_to_the_saldo() {
        let formas = [("BL", Centavos::new(50_000)), ("CH", Centavos::new(30_000))];
        assert_eq!(distribuir(Centavos::new(80_000), &formas), formas.to_vec());
        assert_eq!(
            distribuir(Centavos::new(79_950), &formas),
            vec![("BL", Centavos::new(50_000)), ("CH", Centavos::new(29_950))]
        );
        assert_eq!(
            distribuir(Centavos::new(100_000), &formas),
            vec![("BL", Centavos::new(50_000)), ("CH", Centavos::new(50_000))]
        );
        assert_eq!(
            distribuir(Centavos::new(40_000), &formas),
            vec![("BL", Centavos::new(40_000))]
        );
    }

    #[tokio::test]
    async fn each_customer_answers_as_the_seed() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();

        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(body, SEED_COM_USO);

        let (status, body) = consultar(
            &client,
            &retaguarda,
            Some("714.602.381-84"),
            &[("limitePagamentoForma", "true")],
        )
        .await;
        assert_eq!(status, 200);
        let registro = &json(&body)["data"][0];
        assert_eq!(numero(&registro["saldoDisponivel"]), "800.0");
        assert_eq!(
            registro["saldoDetalhadoFormaPagamento"].to_string(),
            r#"[{"idRetaguardaPagamentoForma":"BL","valor":500.0},{"idRetaguardaPagamentoForma":"CH","valor":300.0}]"#
        );

        let (status, body) = consultar(
            &client,
            &retaguarda,
            Some(CPF_POR_FORMA),
            &[("limitePagamentoForma", "true")],
        )
        .await;
        assert_eq!(status, 200);
        let envelope = json(&body);
        assert_eq!(envelope["success"], Value::Bool(true));
        assert_eq!(envelope["message"], "");
        assert!(envelope["detailedMessage"].is_null() && envelope["errors"].is_null());
        let registro = &envelope["data"][0];
        assert!(registro["idRetaguardaLimiteCredito"].is_null());
        assert_eq!(numero(&registro["saldoDisponivel"]), "1000.0");
        assert_eq!(numero(&registro["valorUtilizado"]), "0.0");
        assert_eq!(numero(&registro["valorTotal"]), "1000.0");
        assert!(registro.get("detalhesValorUtilizado").is_none());
        assert_eq!(
            registro["saldoDetalhadoFormaPagamento"].to_string(),
            r#"[{"idRetaguardaPagamentoForma":"BL","valor":500.0},{"idRetaguardaPagamentoForma":"CH","valor":500.0}]"#
        );

        let (_, body) = consultar(
            &client,
            &retaguarda,
            Some(CPF_POR_FORMA),
            &[("limitePagamentoForma", "false")],
        )
        .await;
        assert!(json(&body)["data"][0].get("saldoDetalhadoFormaPagamento").is_none());

        let (status, body) = consultar(&client, &retaguarda, Some("19.348.927/0001-45"), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            r#"{"success":true,"message":"","detailedMessage":null,"data":[{"saldoDisponivel":2500.5,"idRetaguardaLimiteCredito":"193489-LIMCRED","valorUtilizado":1234.56,"valorTotal":3735.06,"detalhesValorUtilizado":[{"total":1000.0,"tipo":"boletos em aberto"},{"total":234.56,"tipo":"cheques a compensar"}]}],"errors":null,"totalTime":0,"numberOfRecords":0}"#
        );

        let (status, body) = consultar(&client, &retaguarda, Some(CPF_SEM_LIMITE), &[]).await;
        assert_eq!((status, body.as_str()), (200, SEED_NAO_ENCONTRADO));

        let (status, body) = consultar(&client, &retaguarda, Some("714.602.381-85"), &[]).await;
        assert_eq!(status, 200);
        let envelope = json(&body);
        assert_eq!(envelope["success"], Value::Bool(false));
        assert_eq!(envelope["message"], "CPF/CNPJ inválido.");
        assert!(envelope["data"].is_null());

        let (status, body) = consultar(&client, &retaguarda, None, &[]).await;
        assert_eq!(status, 400);
        let envelope = json(&body);
        assert_eq!(envelope["success"], Value::Bool(false));
        assert_eq!(envelope["message"], "Informe o cpfCnpj.");
        assert_eq!(numero(&envelope["totalTime"]), "0");
        assert_eq!(numero(&envelope["numberOfRecords"]), "0");

        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn both_spellings_of_the_form_header_and_any_case_are_accepted() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();
        for (name, value) in [
            ("limitePagamentoForma", "true"),
            ("limitePgamentoForma", "true"),
            ("LIMITEPAGAMENTOFORMA", "TRUE"),
            ("limitepgamentoforma", "True"),
        ] {
            let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[(name, value)]).await;
            assert_eq!(status, 200, "{name}");
            assert!(
                json(&body)["data"][0]["saldoDetalhadoFormaPagamento"].is_array(),
                "{name}: {body}"
            );
        }
        let response = client
            .get(url(&retaguarda))
            .header("CPFCNPJ", CPF_COM_USO)
            .send()
            .await
            .unwrap();
        assert_eq!(response.text().await.unwrap(), SEED_COM_USO);
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn every_request_is_recorded_with_its_headers() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();
        client
            .get(format!(
                "{}/limite-credito/0007?IdInquilino=42&IdRetaguardaLoja=0007",
                retaguarda.base_url()
            ))
            .header("cpfCnpj", "714.602.381-84")
            .header("limitePagamentoForma", "true")
            .send()
            .await
            .unwrap();
        let status = client
            .get(format!("{}/outro", retaguarda.base_url()))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404);
        let pedidos = retaguarda.pedidos();
        assert_eq!(pedidos.len(), 2);
        let pedido = &pedidos[0];
        assert_eq!(pedido.metodo, "GET");
        assert_eq!(pedido.caminho, "/limite-credito/0007");
        assert_eq!(pedido.consulta.as_deref(), Some("IdInquilino=42&IdRetaguardaLoja=0007"));
        assert_eq!(
            pedido.cabecalhos.get("cpfcnpj").map(String::as_str),
            Some("714.602.381-84")
        );
        assert_eq!(pedido.cabecalho("limitePagamentoForma"), Some("true"));
        assert_eq!(pedido.cabecalho("authorization"), None);
        assert_eq!(pedidos[1].caminho, "/outro");
        assert_eq!(pedidos[1].consulta, None);
        assert_eq!(retaguarda.requests(), 2);
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn the_token_is_required_only_when_asked_for() {
        let retaguarda = DemoRetaguarda::start_com_token(local()).await.unwrap();
        let client = client();
        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 401);
        assert_eq!(json(&body)["success"], Value::Bool(false));
        let bearer = format!("Bearer {TOKEN_RETAGUARDA}");
        let (status, body) = consultar(
            &client,
            &retaguarda,
            Some(CPF_COM_USO),
            &[("Authorization", bearer.as_str())],
        )
        .await;
        assert_eq!((status, body.as_str()), (200, SEED_COM_USO));
        let (status, _) = consultar(
            &client,
            &retaguarda,
            Some(CPF_COM_USO),
            &[("Authorization", "Bearer outro")],
        )
        .await;
        assert_eq!(status, 401);
        let pedidos = retaguarda.pedidos();
        assert_eq!(pedidos.len(), 3);
        assert_eq!(pedidos[1].cabecalho("Authorization"), Some(bearer.as_str()));
        retaguarda.stop().await;

        let aberta = DemoRetaguarda::start(local()).await.unwrap();
        let (status, _) = consultar(&client, &aberta, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 200);
        aberta.stop().await;
    }

    #[tokio::test]
    async fn set_saldo_changes_the_saldo_and_the_total() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();
        let forma = [("limitePagamentoForma", "true")];
        for (texto, saldo, total, ch) in [
            ("799.5", "799.5", "1063.5", "299.5"),
            ("799,55", "799.55", "1063.55", "299.55"),
            ("800", "800.0", "1064.0", "300.0"),
        ] {
            retaguarda.set_saldo("714.602.381-84", texto);
            let (_, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &forma).await;
            let registro = &json(&body)["data"][0];
            assert_eq!(numero(&registro["saldoDisponivel"]), saldo, "{texto}");
            assert_eq!(numero(&registro["valorUtilizado"]), "264.0");
            assert_eq!(numero(&registro["valorTotal"]), total, "{texto}");
            assert_eq!(numero(&registro["saldoDetalhadoFormaPagamento"][1]["valor"]), ch);
        }
        retaguarda.set_saldo(CNPJ_EMPRESA_CLIENTE, "0.01");
        let (_, body) = consultar(&client, &retaguarda, Some(CNPJ_EMPRESA_CLIENTE), &[]).await;
        let registro = &json(&body)["data"][0];
        assert_eq!(numero(&registro["saldoDisponivel"]), "0.01");
        assert_eq!(numero(&registro["valorTotal"]), "1234.57");

        // Nothing left: no detail by payment form, even when asked.
        retaguarda.set_saldo(CPF_POR_FORMA, "0");
        let (_, body) = consultar(&client, &retaguarda, Some(CPF_POR_FORMA), &forma).await;
        let registro = &json(&body)["data"][0];
        assert_eq!(numero(&registro["saldoDisponivel"]), "0.0");
        assert!(registro.get("saldoDetalhadoFormaPagamento").is_none());

        // Unreadable amounts and unknown customers change nothing.
        retaguarda.set_saldo(CPF_COM_USO, "1.2.3");
        retaguarda.set_saldo(CPF_SEM_LIMITE, "10");
        let (_, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(body, SEED_COM_USO);
        let (_, body) = consultar(&client, &retaguarda, Some(CPF_SEM_LIMITE), &[]).await;
        assert_eq!(body, SEED_NAO_ENCONTRADO);
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn recusa_cuts_connections_and_normal_brings_them_back() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();
        let (status, _) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 200);
        retaguarda.set_modo(ModoRetaguarda::Recusa);
        // The pooled keep-alive connection and a fresh one both fail.
        for _ in 0..2 {
            let result = client.get(url(&retaguarda)).header("cpfCnpj", CPF_COM_USO).send().await;
            assert!(result.is_err(), "{result:?}");
        }
        assert_eq!(retaguarda.pedidos().len(), 1);
        retaguarda.set_modo(ModoRetaguarda::Normal);
        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!((status, body.as_str()), (200, SEED_COM_USO));
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn lixo_erro500_and_lento() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();

        retaguarda.set_modo(ModoRetaguarda::Lixo);
        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 200);
        assert!(!body.is_empty() && SEED_COM_USO.starts_with(&body), "{body}");
        assert!(serde_json::from_str::<Value>(&body).is_err());

        retaguarda.set_modo(ModoRetaguarda::Erro500);
        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 500);
        assert!(body.starts_with("<html>"));

        retaguarda.set_modo(ModoRetaguarda::Lento(Duration::from_millis(400)));
        let impaciente = reqwest::Client::builder()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let error = impaciente
            .get(url(&retaguarda))
            .header("cpfCnpj", CPF_COM_USO)
            .send()
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error}");
        let started = tokio::time::Instant::now();
        let (status, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert_eq!((status, body.as_str()), (200, SEED_COM_USO));
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn inconsistente_and_double_longo_break_the_contract() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let client = client();

        retaguarda.set_modo(ModoRetaguarda::Inconsistente);
        for documento in [CPF_COM_USO, CPF_POR_FORMA, CNPJ_EMPRESA_CLIENTE] {
            let (_, body) = consultar(&client, &retaguarda, Some(documento), &[]).await;
            let registro = &json(&body)["data"][0];
            let centavos = |field: &str| Centavos::from_json(&registro[field]).unwrap().get();
            assert!(centavos("valorUtilizado") > 0, "{body}");
            assert_ne!(
                centavos("valorTotal"),
                centavos("valorUtilizado") + centavos("saldoDisponivel"),
                "{body}"
            );
            assert!(registro.get("detalhesValorUtilizado").is_none(), "{body}");
        }

        retaguarda.set_modo(ModoRetaguarda::DoubleLongo);
        let (_, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        let registro = &json(&body)["data"][0];
        assert_eq!(numero(&registro["saldoDisponivel"]), "800.005");
        assert_eq!(numero(&registro["valorUtilizado"]), "0.30000000000000004");
        assert_eq!(numero(&registro["valorTotal"]), "800.305");
        assert_eq!(numero(&registro["detalhesValorUtilizado"][0]["total"]), "0.1");
        assert_eq!(numero(&registro["detalhesValorUtilizado"][1]["total"]), "0.2");

        retaguarda.set_modo(ModoRetaguarda::Normal);
        let (_, body) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(body, SEED_COM_USO);
        retaguarda.stop().await;
    }

    #[tokio::test]
    async fn stop_frees_the_port_and_a_new_start_on_it_brings_the_link_back() {
        let retaguarda = DemoRetaguarda::start(local()).await.unwrap();
        let addr = retaguarda.addr();
        assert_eq!(
            retaguarda.config_toml(),
            format!(
                "[retaguarda]\nbase_url = \"http://{addr}\"\npath = \"/limite-credito/{{IdRetaguardaLoja}}\"\n\
                 timeout_ms = 500\n"
            )
        );
        let client = client();
        let (status, _) = consultar(&client, &retaguarda, Some(CPF_COM_USO), &[]).await;
        assert_eq!(status, 200);

        // A request held by Lento when the link goes down gets no answer, and stop does not wait for it.
        retaguarda.set_modo(ModoRetaguarda::Lento(Duration::from_secs(30)));
        let held = {
            let client = client.clone();
            let url = url(&retaguarda);
            tokio::spawn(async move { client.get(url).header("cpfCnpj", CPF_COM_USO).send().await })
        };
        while retaguarda.pedidos().len() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let started = tokio::time::Instant::now();
        retaguarda.stop().await;
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        assert!(held.await.unwrap().is_err());

        // Down: nobody listens.
        let down = client
            .get(format!("http://{addr}/limite-credito/0001"))
            .header("cpfCnpj", CPF_COM_USO)
            .send()
            .await;
        assert!(down.is_err(), "{down:?}");

        // Back on the same port, for the same client.
        let de_volta = DemoRetaguarda::start(addr).await.unwrap();
        assert_eq!(de_volta.addr(), addr);
        let (status, body) = consultar(&client, &de_volta, Some(CPF_COM_USO), &[]).await;
        assert_eq!((status, body.as_str()), (200, SEED_COM_USO));
        de_volta.stop().await;
        let de_novo = DemoRetaguarda::start(addr).await.unwrap();
        de_novo.stop().await;
    }
}
