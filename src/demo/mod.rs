//! A demo ERP: a real HTTP server on a loopback port that speaks the upstream contract with made-up customers.
//!
//! `borda demo` runs the daemon against it, and the test suite uses it as the upstream, so it behaves like a
//! real adapter: both generations of field names, values as Brazilian strings and as JSON numbers, valid
//! boletos and PIX codes built by borda's own encoders for due dates around today, an auth token, and switchable
//! failures ([`Modo`]: 500s, slowness, garbage, refused connections, redirects). Baixas pay faturas as a real ERP
//! does, and that ERP is not idempotent: every baixa POST of a known fatura is booked, a second one of a paid
//! fatura too (answered 200 like the first), so a client that posts twice leaves a double write-off in the
//! recording ([`DemoErp::baixas_recebidas`]) for the tests to find. A paid fatura leaves the lists and its by-id
//! read is 404. Baixas have their own failures ([`ModoBaixa`], commit-then-hang among them); load tests get any
//! number of open faturas of [`CLIENTE_CARGA`]. It owns only its own made-up data; it must never be pointed at by a
//! production configuration, and it keeps no state beyond the modes, the log of requests and the baixas it
//! received. The customer's read-only lists (services, notas fiscais with linked PDFs, contacts, extrato, quitação)
//! are in `listas`.

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::ErpPaths;
use crate::domain::money::Centavos;
use crate::domain::{boleto, documento, pix};
use portao::Portao;

mod chamados;
mod listas;
mod portao;
pub mod retaguarda;

pub use chamados::{ChamadoRecebido, ModoChamado};

/// Documents (normalised, fit for a URL path) and names of the demo customers, for the demo's banner and tests.
/// The last one's list of faturas also carries two defective records (an invalid linha, a record without id)
/// that a client must skip.
pub const CLIENTES_DEMO: &[(&str, &str)] = &[
    ("52998224725", "Maria Aparecida Souza"),
    ("11144477735", "João Pereira Lima"),
    ("12ABC34501DE35", "Padaria Pão Dourado Ltda"),
    ("39053344705", "Carlos Eduardo Ramos"),
];

/// The customer of the load faturas: any id `L-<1 to 9 digits>` is an open fatura of theirs until a baixa pays it
/// (R$ 10.00, due in 10 days, generated on demand, so a benchmark can pay as many as it likes; listed only as far as
/// [`DemoErp::listar_carga`] says).
pub const CLIENTE_CARGA: &str = "86419372500";

/// The load customer's name and ERP id.
const NOME_CARGA: &str = "Cliente de Carga";
/// The load customer's id in the ERP.
const ID_CLIENTE_CARGA: &str = "900";

/// The token the demo ERP requires on `/api` paths (the probe path is open, like most ERPs' root).
const TOKEN: &str = "Bearer demo-borda";

/// How long [`ModoBaixa::TravaAntes`] and [`ModoBaixa::TravaDepois`] hold a baixa: far beyond any client timeout.
const TRAVA: Duration = Duration::from_secs(30);

/// The answer to a baixa of a fatura the ERP does not know.
const DESCONHECIDA: &str = "fatura não encontrada";

/// What [`DemoErp::set_valor_ilegivel`] writes in place of every fatura's value.
const VALOR_ILEGIVEL: &str = "abc";

/// The ISP of the demo, as its receipts and PIX codes name it (the same company `borda demo` configures).
const EMPRESA: &str = "Provedor Demonstração Ltda";
/// The ISP's CNPJ, also its PIX key.
const EMPRESA_CNPJ: &str = "11.222.333/0001-81";

/// How the demo ERP behaves; switch with [`DemoErp::set_modo`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modo {
    /// Answers as the contract says.
    Normal,
    /// Every request gets a 500 with an HTML error page, as a crashed PHP adapter gives.
    Erro500,
    /// Every request waits this long before being answered normally.
    Lento(Duration),
    /// Every request gets a 200 whose JSON body is cut in the middle.
    Lixo,
    /// Connections are closed as soon as they are accepted, and open keep-alive connections are reset at their
    /// next request: no HTTP answer at all.
    Recusa,
    /// The fatura-by-id route answers 404 for every fatura, as a wrong `erp.paths.fatura` or a proxy that lost the
    /// route does; the other routes answer normally.
    FaturaSumida,
    /// Every request gets a 301 to this `Location` (as an ERP that moved, or a proxy sending to a login page), and
    /// nothing is handled.
    Redireciona(String),
}

/// How the demo ERP answers `POST paths.baixa`; switch with [`DemoErp::set_modo_baixa`]. The global [`Modo`] applies
/// first, to every route. Whatever the mode, every POST that reaches the route is in [`DemoErp::posts_de_baixa`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModoBaixa {
    /// Books a baixa of a known fatura, paid or not (the ERP does not deduplicate), and says so in its
    /// generation's words; refuses (422) one of a fatura it does not know.
    Normal,
    /// A 500 with an HTML error page; nothing booked.
    Erro500,
    /// A 422 `{"success": false, ...}` business refusal; nothing booked.
    Rejeita,
    /// Holds the request for 30 s before answering 504; nothing booked: the client times out first.
    TravaAntes,
    /// Books the baixa (the fatura becomes paid), then holds the answer for 30 s: commit-then-hang.
    TravaDepois,
    /// Books the baixa, then answers 200 with a body that is not JSON.
    RespostaInvalida,
    /// A 429 with `Retry-After: 1`; nothing booked.
    Limite,
    /// A 401 `{"erro": "token inválido"}`, as an ERP whose token was revoked; nothing booked.
    NaoAutoriza,
    /// A 302 to this `Location` (as a proxy sending to a login page); nothing booked.
    Redireciona(String),
}

/// A baixa the demo ERP booked, as it arrived. Two of the same fatura are a double write-off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaixaRecebida {
    /// The fatura it paid (`id_fatura`, or `boleto_id`).
    pub id_fatura: String,
    /// Its `Idempotency-Key` header (borda's baixa id), if any.
    pub chave: Option<String>,
    /// Its JSON body.
    pub corpo: Value,
    /// When it arrived.
    pub recebida_em: DateTime<Utc>,
}

/// One POST that reached the baixa route, booked or not, as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostBaixa {
    /// The fatura it names (`id_fatura`, or `boleto_id`), if its body names one.
    pub id_fatura: Option<String>,
    /// Its `Idempotency-Key` header (borda's baixa id), if any.
    pub chave: Option<String>,
    /// Its body as text (lossy UTF-8).
    pub corpo: String,
    /// When it arrived.
    pub recebido_em: DateTime<Utc>,
    /// Whether the demo booked it (it is then also in [`DemoErp::baixas_recebidas`]).
    pub baixada: bool,
}

/// One HTTP request the demo ERP received, whatever the route and the mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pedido {
    /// The method (`GET`, `POST`, ...).
    pub metodo: String,
    /// The path, without the query string.
    pub caminho: String,
    /// The names of its headers, lowercase (never their values).
    pub cabecalhos: Vec<String>,
}

/// A running demo ERP.
#[derive(Debug)]
pub struct DemoErp {
    servidor: portao::Servidor,
    shared: Arc<Shared>,
}

/// What the server's tasks share.
#[derive(Debug)]
struct Shared {
    modo: Mutex<Modo>,
    modo_baixa: Mutex<ModoBaixa>,
    /// Whether lists and by-id answers carry every fatura's value as [`VALOR_ILEGIVEL`].
    valor_ilegivel: std::sync::atomic::AtomicBool,
    /// How many load faturas (`L-1` up) the load customer's list shows ([`DemoErp::listar_carga`]).
    carga_listada: AtomicUsize,
    requests: AtomicUsize,
    /// Every HTTP request, in arrival order.
    pedidos: Mutex<Vec<Pedido>>,
    data: DemoData,
    /// The faturas paid, the baixas that paid them and every baixa POST, under one lock.
    baixas: Mutex<Baixas>,
    /// The tickets opened ("criar atendimento") and how the route answers.
    chamados: chamados::Registro,
    stopping: watch::Receiver<bool>,
}

/// The demo ERP's ledger of write-offs.
#[derive(Debug, Default)]
struct Baixas {
    pagas: HashSet<String>,
    /// Every booking, repeats included, in arrival order.
    recebidas: Vec<BaixaRecebida>,
    /// Every POST to the baixa route, in arrival order.
    posts: Vec<PostBaixa>,
}

/// The value behind a lock: a poisoned lock only means a panic elsewhere, and every value here is always whole.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// The current mode.
    fn modo(&self) -> Modo {
        locked(&self.modo).clone()
    }

    /// The current mode of baixas.
    fn modo_baixa(&self) -> ModoBaixa {
        locked(&self.modo_baixa).clone()
    }

    /// Whether a baixa paid this fatura.
    fn paga(&self, id: &str) -> bool {
        locked(&self.baixas).pagas.contains(id)
    }

    /// Records one POST to the baixa route and, when `book` and its fatura is known, books it (paid or not: the ERP
    /// does not deduplicate), which pays the fatura. The answer's generation when booked (`true`: the older one);
    /// `None` when not booked.
    fn registrar(&self, post: PostBaixa, corpo: Option<Value>, book: bool) -> Option<bool> {
        let old_generation = post
            .id_fatura
            .as_deref()
            .filter(|_| book)
            .and_then(|id| self.generation(id));
        let mut baixas = locked(&self.baixas);
        let booking = match (old_generation, &post.id_fatura, corpo) {
            (Some(_), Some(id_fatura), Some(corpo)) => Some(BaixaRecebida {
                id_fatura: id_fatura.clone(),
                chave: post.chave.clone(),
                corpo,
                recebida_em: post.recebido_em,
            }),
            _ => None,
        };
        let baixada = booking.is_some();
        if let Some(booking) = booking {
            baixas.pagas.insert(booking.id_fatura.clone());
            baixas.recebidas.push(booking);
        }
        baixas.posts.push(PostBaixa { baixada, ..post });
        old_generation.filter(|_| baixada)
    }

    /// The generation of a known fatura (`true`: the older one), paid or not; `None` for an unknown one.
    fn generation(&self, id: &str) -> Option<bool> {
        if fatura_carga(id).is_some() {
            return Some(false);
        }
        self.data
            .clientes
            .iter()
            .find(|c| c.faturas.iter().any(|f| f.id == id))
            .map(|c| c.old_generation)
    }

    /// A fatura record as served now: with its value unreadable when [`DemoErp::set_valor_ilegivel`] says so.
    fn servida(&self, record: &Value) -> Value {
        let mut record = record.clone();
        if self.valor_ilegivel.load(Ordering::SeqCst)
            && let Value::Object(fields) = &mut record
        {
            for field in ["valor_atual", "valor_final", "valor_inicial", "valor"] {
                if let Some(valor) = fields.get_mut(field) {
                    *valor = Value::from(VALOR_ILEGIVEL);
                }
            }
        }
        record
    }

    /// Waits [`TRAVA`], or less if the server is stopping.
    async fn hold(&self) {
        let mut stopping = self.stopping.clone();
        let _ = tokio::time::timeout(TRAVA, stopping.wait_for(|stopping| *stopping)).await;
    }

    /// Whether connections must be dropped without an answer.
    fn refusing(&self) -> bool {
        self.modo() == Modo::Recusa
    }

    /// Counts one request (or refused connection) for [`DemoErp::requests`].
    fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }
}

impl DemoErp {
    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves the demo data, built for today's date.
    pub async fn start(addr: SocketAddr) -> io::Result<DemoErp> {
        let tcp = TcpListener::bind(addr).await?;
        let addr = tcp.local_addr()?;
        let hoje = chrono::Local::now().date_naive();
        let data = DemoData::new(hoje, &format!("http://{addr}")).map_err(io::Error::other)?;
        let (stopping, stopping_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            modo: Mutex::new(Modo::Normal),
            modo_baixa: Mutex::new(ModoBaixa::Normal),
            valor_ilegivel: std::sync::atomic::AtomicBool::new(false),
            carga_listada: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            pedidos: Mutex::new(Vec::new()),
            data,
            baixas: Mutex::new(Baixas::default()),
            chamados: chamados::Registro::default(),
            stopping: stopping_rx,
        });
        let paths = ErpPaths::default();
        let router = Router::new()
            .route(&paths.probe, get(probe))
            .route(&paths.cliente, get(cliente))
            .route(&paths.faturas, get(faturas))
            .route(&paths.fatura, get(fatura))
            .route(&paths.boleto_pdf, get(boleto_pdf))
            .route(LINKED_PDFS, get(linked_pdf))
            .route(&paths.baixa, post(baixa))
            .route(&paths.contratos, get(contratos))
            .route(&paths.desbloqueio, post(desbloqueio))
            .route(&paths.servicos, get(listas::servicos))
            .route(&paths.notas_fiscais, get(listas::notas_fiscais))
            .route(&paths.contatos, get(listas::contatos))
            .route(&paths.extratos, get(listas::extratos))
            .route(&paths.quitacao, get(listas::quitacao))
            .route(listas::ARQUIVOS, get(listas::arquivo))
            .route(listas::PREFEITURA, get(listas::prefeitura))
            .route(&paths.chamado, chamados::rota())
            .layer(middleware::from_fn_with_state(shared.clone(), apply_modo))
            .with_state(shared.clone());
        let servidor = portao::Servidor::servir("ERP", tcp, router, shared.clone(), stopping)?;
        Ok(DemoErp { servidor, shared })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.servidor.addr()
    }

    /// `http://<addr>`, the `erp.base_url` that points at it.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.servidor.addr())
    }

    /// Switches its behaviour for the next requests (and connections).
    pub fn set_modo(&self, modo: Modo) {
        *locked(&self.shared.modo) = modo;
    }

    /// Switches how the next baixas are answered.
    pub fn set_modo_baixa(&self, modo: ModoBaixa) {
        *locked(&self.shared.modo_baixa) = modo;
    }

    /// Makes every fatura in the lists and by-id answers carry an unreadable value (`"abc"` in `valor_atual`,
    /// `valor_final`, `valor_inicial`, `valor`), as an adapter with a broken column does; `false` restores them.
    pub fn set_valor_ilegivel(&self, ilegivel: bool) {
        self.shared.valor_ilegivel.store(ilegivel, Ordering::SeqCst);
    }

    /// Makes the load customer ([`CLIENTE_CARGA`]) list the load faturas `L-1` to `L-<n>` that are not paid (none by
    /// default: theirs are fetched by id).
    pub fn listar_carga(&self, n: usize) {
        self.shared.carga_listada.store(n, Ordering::SeqCst);
    }

    /// Every baixa it booked, in arrival order, repeats included: it books every POST of a known fatura, as the
    /// real ERP does, so a fatura listed twice is a double write-off. Refused and failed attempts are not here
    /// (they are in [`DemoErp::posts_de_baixa`]).
    pub fn baixas_recebidas(&self) -> Vec<BaixaRecebida> {
        locked(&self.shared.baixas).recebidas.clone()
    }

    /// Every POST that reached the baixa route, booked or not, in arrival order. A POST answered by the global
    /// [`Modo`] (500s, garbage, redirects) or refused for its token never reaches the route: see
    /// [`DemoErp::pedidos`].
    pub fn posts_de_baixa(&self) -> Vec<PostBaixa> {
        locked(&self.shared.baixas).posts.clone()
    }

    /// Every ticket it opened ("criar atendimento"), in arrival order, duplicates included: it opens one for every
    /// well-formed POST, as the real ERP does.
    pub fn chamados_recebidos(&self) -> Vec<ChamadoRecebido> {
        self.shared.chamados.recebidos()
    }

    /// Switches how the next chamados are answered.
    pub fn set_modo_chamado(&self, modo: ModoChamado) {
        self.shared.chamados.set_modo(modo);
    }

    /// A `[chamado]` section of borda's configuration with the ids the demo files tickets under.
    pub fn chamado_toml(&self) -> String {
        "[chamado]\ntipo = \"3\"\ndepartamento = \"7\"\nfuncionario = \"12\"\n".to_owned()
    }

    /// Every HTTP request it received, in arrival order, whatever the route and the mode.
    pub fn pedidos(&self) -> Vec<Pedido> {
        locked(&self.shared.pedidos).clone()
    }

    /// How many requests it received, plus the connections it refused in [`Modo::Recusa`].
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// An `[erp]` section of borda's configuration pointing at it, with its token and the default paths.
    pub fn config_toml(&self) -> String {
        format!(
            "[erp]\nbase_url = \"{}\"\nauth_header = \"Authorization\"\nauth_value = \"{TOKEN}\"\n",
            self.base_url()
        )
    }

    /// Stops it: held baixas are let go at once, other in-flight requests get two seconds to finish, then the
    /// listener is closed and the port freed.
    pub async fn stop(self) {
        self.servidor.parar().await;
    }
}

impl Portao for Shared {
    fn recusando(&self) -> bool {
        self.refusing()
    }

    fn contar(&self) {
        self.count_request();
    }
}

/// Counts every request, applies the mode, and checks the token on `/api` paths.
async fn apply_modo(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    shared.count_request();
    locked(&shared.pedidos).push(Pedido {
        metodo: request.method().to_string(),
        caminho: request.uri().path().to_owned(),
        cabecalhos: request.headers().keys().map(|name| name.as_str().to_owned()).collect(),
    });
    match shared.modo() {
        Modo::Redireciona(location) => {
            return redirect(StatusCode::MOVED_PERMANENTLY, &location);
        }
        Modo::Erro500 => {
            let page = "<html><body><b>Fatal error</b>: Uncaught PDOException: SQLSTATE[HY000] [2002] \
                          Connection refused in /var/www/api/index.php:42</body></html>";
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html")],
                page,
            )
                .into_response();
        }
        Modo::Lixo => {
            let truncated = "[{\"id_fatura\": \"10001\", \"valor_atual\": \"99,9";
            return ([(header::CONTENT_TYPE, "application/json")], truncated).into_response();
        }
        Modo::Lento(delay) => tokio::time::sleep(delay).await,
        Modo::Normal | Modo::Recusa | Modo::FaturaSumida => {}
    }
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value == TOKEN);
    if request.uri().path().starts_with("/api/") && !authorized {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "erro": "token inválido" }))).into_response();
    }
    next.run(request).await
}

/// `GET /`: the probe.
async fn probe() -> &'static str {
    "ERP de demonstração do borda\n"
}

/// `GET paths.cliente ?cnpj_cpf=`.
async fn cliente(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("cnpj_cpf").and_then(|d| shared.data.cliente(d)) {
        // The old generation answers a one-element list, the new one an object: clients must take both.
        Some(c) if c.old_generation => Json(json!([c.cliente])).into_response(),
        Some(c) => Json(c.cliente.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "erro": "cliente não encontrado" }))).into_response(),
    }
}

/// `GET paths.faturas ?document= | customer_document_number= [&id_contrato= | contract_id=]`.
async fn faturas(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let documento = q.get("document").or_else(|| q.get("customer_document_number"));
    let contrato = q.get("id_contrato").or_else(|| q.get("contract_id"));
    let cliente = documento.and_then(|d| shared.data.cliente(d));
    let mut records: Vec<Value> = cliente.map_or_else(Vec::new, |c| {
        c.faturas
            .iter()
            .filter(|f| contrato.is_none_or(|requested| f.contrato.as_deref() == Some(requested.as_str())))
            .filter(|f| !shared.paga(&f.id))
            .map(|f| shared.servida(&f.record))
            .collect()
    });
    if cliente.is_some_and(|c| c.documento == CLIENTE_CARGA) {
        let listadas = u32::try_from(shared.carga_listada.load(Ordering::SeqCst)).unwrap_or(u32::MAX);
        records.extend(
            (1..=listadas)
                .map(|numero| (format!("L-{numero}"), numero))
                .filter(|(id, _)| !shared.paga(id))
                .filter_map(|(id, numero)| shared.data.fatura_carga(&id, numero).ok()),
        );
    }
    Json(Value::Array(records))
}

/// `GET paths.fatura` (`{id_fatura}`): an open fatura; a paid one is 404, as the ERP only serves open ones.
async fn fatura(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, Json(json!({ "erro": "fatura não encontrada" }))).into_response();
    if shared.paga(&id) || shared.modo() == Modo::FaturaSumida {
        return not_found();
    }
    if let Some(numero) = fatura_carga(&id) {
        return match shared.data.fatura_carga(&id, numero) {
            Ok(record) => Json(record).into_response(),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "erro": error }))).into_response(),
        };
    }
    let found = shared
        .data
        .clientes
        .iter()
        .find_map(|c| c.faturas.iter().find(|f| f.id == id).map(|f| (c.old_generation, f)));
    match found {
        Some((true, f)) => Json(json!([shared.servida(&f.record)])).into_response(),
        Some((false, f)) => Json(shared.servida(&f.record)).into_response(),
        None => not_found(),
    }
}

/// The number of a load fatura id `L-<1 to 9 digits>`.
fn fatura_carga(id: &str) -> Option<u32> {
    let digits = id.strip_prefix("L-")?;
    let valid = (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if valid { digits.parse().ok() } else { None }
}

/// Where the demo serves the PDFs that faturas link to (`link_boleto`), as some ERPs do instead of base64.
const LINKED_PDFS: &str = "/boletos/{arquivo}";

/// `GET /boletos/{id}.pdf`: a linked PDF, served raw.
async fn linked_pdf(State(shared): State<Arc<Shared>>, Path(arquivo): Path<String>) -> Response {
    let pdf = arquivo
        .strip_suffix(".pdf")
        .and_then(|id| shared.data.linked_pdfs.get(id));
    match pdf {
        Some(pdf) => ([(axum::http::header::CONTENT_TYPE, "application/pdf")], pdf.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET paths.boleto_pdf` (`{boleto_id}`): only some faturas have a PDF upstream.
async fn boleto_pdf(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match shared.data.pdfs.get(&id) {
        Some(pdf) => Json(json!({ "base_64": base64::engine::general_purpose::STANDARD.encode(pdf) })).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({ "erro": "boleto sem PDF" }))).into_response(),
    }
}

/// A redirect to `location`, with an empty body.
fn redirect(status: StatusCode, location: &str) -> Response {
    match header::HeaderValue::from_str(location) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Location inválido no modo do ERP de demonstração",
        )
            .into_response(),
    }
}

/// `POST paths.baixa {id_fatura | boleto_id, ...}`: records the POST and, unless [`ModoBaixa`] says otherwise, books
/// it like an ERP that is not idempotent: every baixa of a known fatura is booked and answered 200, a second one
/// of an already paid fatura too, whatever its `Idempotency-Key`. Only an unknown fatura or a body without one is
/// refused (422, 400).
async fn baixa(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let recusa = |status: StatusCode, motivo: &str| {
        (status, Json(json!({ "success": false, "api_response": motivo }))).into_response()
    };
    let corpo = serde_json::from_slice::<Value>(&body).ok();
    let id_fatura = corpo.as_ref().and_then(|corpo| {
        ["id_fatura", "boleto_id"]
            .iter()
            .find_map(|field| match corpo.get(*field)? {
                Value::String(id) => Some(id.trim().to_owned()).filter(|id| !id.is_empty()),
                Value::Number(id) => Some(id.to_string()),
                _ => None,
            })
    });
    let post = PostBaixa {
        id_fatura,
        chave: headers
            .get("idempotency-key")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        corpo: String::from_utf8_lossy(&body).into_owned(),
        recebido_em: Utc::now(),
        baixada: false,
    };
    let modo = shared.modo_baixa();
    let books = matches!(
        modo,
        ModoBaixa::Normal | ModoBaixa::TravaDepois | ModoBaixa::RespostaInvalida
    );
    let id_fatura = post.id_fatura.clone();
    let has_body = corpo.is_some();
    // Recorded (and booked) at arrival, whatever comes after: a held answer does not undo a booking.
    let booked = shared.registrar(post, corpo, books);
    match modo {
        ModoBaixa::Erro500 => {
            let page =
                "<html><body><b>Fatal error</b>: Uncaught Exception: baixa em /var/www/api/baixa.php:17</body></html>";
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html")],
                page,
            )
                .into_response();
        }
        ModoBaixa::Rejeita => {
            return recusa(StatusCode::UNPROCESSABLE_ENTITY, "valor divergente do título");
        }
        ModoBaixa::Limite => {
            let mut response = recusa(StatusCode::TOO_MANY_REQUESTS, "muitas requisições");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            return response;
        }
        ModoBaixa::NaoAutoriza => {
            return (StatusCode::UNAUTHORIZED, Json(json!({ "erro": "token inválido" }))).into_response();
        }
        ModoBaixa::Redireciona(location) => return redirect(StatusCode::FOUND, &location),
        ModoBaixa::TravaAntes => {
            shared.hold().await;
            return recusa(StatusCode::GATEWAY_TIMEOUT, "tempo esgotado");
        }
        ModoBaixa::Normal | ModoBaixa::TravaDepois | ModoBaixa::RespostaInvalida => {}
    }
    if !has_body {
        return recusa(StatusCode::BAD_REQUEST, "corpo não é JSON");
    }
    if id_fatura.is_none() {
        return recusa(StatusCode::UNPROCESSABLE_ENTITY, "informe id_fatura");
    }
    let Some(old_generation) = booked else {
        return recusa(StatusCode::UNPROCESSABLE_ENTITY, DESCONHECIDA);
    };
    let aceita = if old_generation {
        json!({ "status": "baixado" })
    } else {
        json!({ "success": true, "api_response": { "status": "baixada" } })
    };
    match modo {
        ModoBaixa::TravaDepois => {
            shared.hold().await;
            Json(aceita).into_response()
        }
        ModoBaixa::RespostaInvalida => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Baixa registrada com sucesso</body></html>",
        )
            .into_response(),
        _ => Json(aceita).into_response(),
    }
}

/// `GET paths.contratos ?document=`.
async fn contratos(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let contratos = q
        .get("document")
        .and_then(|d| shared.data.cliente(d))
        .map_or_else(Vec::new, |c| c.contratos.clone());
    Json(Value::Array(contratos))
}

/// `POST paths.desbloqueio {id_cliente, id_servico}`.
async fn desbloqueio(Json(body): Json<Value>) -> Response {
    let filled = |field: &str| {
        body.get(field)
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
    };
    if filled("id_cliente") && filled("id_servico") {
        Json(json!({ "status": "ativo" })).into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status": "", "erro": "informe id_cliente e id_servico" })),
        )
            .into_response()
    }
}

/// The demo's customers and documents, built once at start.
#[derive(Debug)]
struct DemoData {
    /// The day the data was built for; load faturas are due counted from it.
    hoje: NaiveDate,
    clientes: Vec<ClienteDemo>,
    /// PDFs by boleto id, for the faturas the "ERP" renders itself.
    pdfs: HashMap<String, Vec<u8>>,
    /// PDFs by fatura id, served at the fatura's `link_boleto`.
    linked_pdfs: HashMap<String, Vec<u8>>,
    /// The customers' read-only lists and the files they link to.
    listas: listas::Listas,
}

/// One customer in its generation's wire form.
#[derive(Debug)]
struct ClienteDemo {
    /// Normalised CPF/CNPJ.
    documento: String,
    /// Served in the old generation (seed 000 names, long-form cliente, lists for single answers).
    old_generation: bool,
    cliente: Value,
    contratos: Vec<Value>,
    faturas: Vec<FaturaDemo>,
}

/// One fatura record and what the server filters it by.
#[derive(Debug)]
struct FaturaDemo {
    id: String,
    contrato: Option<String>,
    record: Value,
}

/// A boleto of the demo: the linha digitável as printed and the PIX code for the same amount.
struct Cobranca {
    linha: String,
    pix: String,
}

impl DemoData {
    /// The four customers with due dates counted from `hoje`; fails only if borda's own encoders refuse the
    /// made-up data, which would be a bug here.
    fn new(hoje: NaiveDate, base_url: &str) -> Result<DemoData, String> {
        let day = |delta: i64| -> Result<NaiveDate, String> {
            let days = Days::new(delta.unsigned_abs());
            let date = if delta < 0 {
                hoje.checked_sub_days(days)
            } else {
                hoje.checked_add_days(days)
            };
            date.ok_or_else(|| format!("data fora do calendário: hoje {delta:+} dias"))
        };
        let iso = |date: NaiveDate| date.format("%Y-%m-%d").to_string();
        let br = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
        let recibo = format!(
            "{}\nCNPJ {EMPRESA_CNPJ}\nRua das Palmeiras, 120 - Centro\nTaubaté/SP - CEP 12020-000\nSAC 0800 000 0000",
            EMPRESA.to_uppercase()
        );
        let recibo_pix = format!("{recibo}\nPagamento via PIX - guarde este comprovante");

        let maria = "52998224725";
        let m1 = cobranca_demo("341", day(5)?, Centavos::new(9990), "10001", hoje)?;
        let m2 = cobranca_demo("341", day(-10)?, Centavos::new(9990), "10002", hoje)?;
        let m3 = cobranca_demo("341", day(20)?, Centavos::new(14990), "10003", hoje)?;
        let maria = ClienteDemo {
            documento: maria.into(),
            old_generation: false,
            cliente: json!({
                "nome_completo": "Maria Aparecida Souza", "aniversario": "1985-04-12", "data_registro": "2019-03-02",
                "ativo": true, "id_remoto": "501", "id_contrato": "C-1001", "rua_endereco": "Rua das Flores",
                "numero_endereco": "45", "cep_endereco": "12020-000", "cidade_endereco": "Taubaté",
                "complemento_endereco": "", "bairro_endereco": "Jardim América", "estado_endereco": "SP",
            }),
            contratos: vec![
                json!({ "remote_id": "C-1001", "contract_name": "Rua das Flores, 45 - Jardim América" }),
                json!({ "remote_id": "C-1002", "contract_name": "Av. Brasil, 900, Sala 3 - Centro" }),
            ],
            faturas: vec![
                FaturaDemo {
                    id: "10001".into(),
                    contrato: Some("C-1001".into()),
                    record: json!({
                        "id_fatura": "10001", "code_fatura": format!("10001-{maria}"),
                        "nome_cliente": "Maria Aparecida Souza", "document_number": maria, "remote_id": "501",
                        "valor_inicial": "99,90", "valor_atual": "99,90", "juros": "0,00", "multa": "0,00",
                        "desconto": "0,00", "data_emissao": iso(day(-25)?), "data_vencimento": iso(day(5)?),
                        "historico": "Mensalidade Fibra 300 Mega", "bank_code": "341",
                        "linha_digitavel": m1.linha, "integration_id": "1", "identifier": "carteira-109",
                        "pix_code": m1.pix, "contract_id": "C-1001", "bill_receipt": recibo,
                        "bill_pix_receipt": recibo_pix, "url_boleto": "",
                    }),
                },
                FaturaDemo {
                    id: "10002".into(),
                    contrato: Some("C-1001".into()),
                    record: json!({
                        "id_fatura": 10002, "code_fatura": format!("10002-{maria}"),
                        "nome_cliente": "Maria Aparecida Souza", "document_number": "529.982.247-25",
                        "remote_id": 501, "valor_inicial": 99.9, "valor_atual": 102.23, "juros": 0.33, "multa": 2,
                        "desconto": 0, "data_emissao": format!("{}T00:00:00", iso(day(-40)?)),
                        "data_vencimento": format!("{}T00:00:00", iso(day(-10)?)),
                        "historico": "Mensalidade Fibra 300 Mega (vencida)", "bank_code": "341",
                        "linha_digitavel": m2.linha, "integration_id": 1, "identifier": "carteira-109",
                        "pix_code": m2.pix, "contract_id": ["C-1001"], "bill_receipt": recibo,
                        "bill_pix_receipt": recibo_pix, "url_boleto": "",
                    }),
                },
                FaturaDemo {
                    id: "10003".into(),
                    contrato: Some("C-1002".into()),
                    record: json!({
                        "id_fatura": "10003", "code_fatura": format!("10003-{maria}"),
                        "nome_cliente": "Maria Aparecida Souza", "document_number": maria, "remote_id": "501",
                        "valor_inicial": "149,90", "valor_atual": "149,90", "juros": "", "multa": "", "desconto": "",
                        "data_emissao": iso(day(-10)?), "data_vencimento": iso(day(20)?),
                        "historico": "Mensalidade Empresarial 500 Mega", "bank_code": "341",
                        "linha_digitavel": m3.linha.replace(['.', ' '], ""), "integration_id": "1",
                        "identifier": "carteira-109", "pix_code": m3.pix, "contract_id": "C-1002",
                        "bill_receipt": recibo, "bill_pix_receipt": recibo_pix, "url_boleto": "",
                    }),
                },
            ],
        };

        let joao = "11144477735";
        let j1 = cobranca_demo("237", day(3)?, Centavos::new(7990), "7781", hoje)?;
        let j2 = cobranca_demo("237", day(33)?, Centavos::new(24990), "7782", hoje)?;
        let joao = ClienteDemo {
            documento: joao.into(),
            old_generation: true,
            cliente: json!({
                "id_cliente": "377", "nome": "João Pereira Lima", "fantasia": "", "tipo_pessoa": "F",
                "cnpj_cpf": "111.444.777-35", "ie_identidade": "", "cep": "12030-100",
                "endereco": "Av. Independência", "numero": "900", "complemento": "Casa 2", "bairro": "Centro",
                "cidade": "Taubaté", "uf": "SP", "fone": "(12) 3621-0000", "telefone_comercial": "",
                "telefone_celular": "(12) 99123-4567", "whatsapp": "(12) 99123-4567",
                "email": "joao.lima@example.com", "obs": "", "alerta": "", "ativo": "S",
                "id_contrato": "881",
            }),
            contratos: vec![json!({ "id_contrato": "881", "endereco": "Av. Independência, 900 - Centro" })],
            faturas: vec![
                FaturaDemo {
                    id: "A-7781".into(),
                    contrato: None,
                    record: json!({
                        "document_number": "111.444.777-35", "fatura": "A-7781", "nome_cliente": "João Pereira Lima",
                        "valor_inicial": "79,90", "valor_final": "79,90", "juros": "0,00", "multa": "0,00",
                        "emissao": br(day(-27)?), "vencimento": br(day(3)?), "historico": "Plano Fibra 100 Mega",
                        "link_boleto": format!("{base_url}/boletos/A-7781.pdf"),
                        "linha_digitavel": j1.linha, "code_fatura": "A-7781", "identifier": "",
                        "remote_id": "377", "pix_code": "",
                    }),
                },
                FaturaDemo {
                    id: "A-7782".into(),
                    contrato: None,
                    record: json!({
                        "document_number": "111.444.777-35", "fatura": "A-7782", "nome_cliente": "João Pereira Lima",
                        "valor_inicial": "249,90", "valor_final": "249,90", "juros": "", "multa": "",
                        "emissao": br(hoje), "vencimento": br(day(33)?), "historico": "Taxa de instalação",
                        "link_boleto": "", "linha_digitavel": j2.linha, "code_fatura": "A-7782",
                        "identifier": "", "remote_id": "377", "pix_code": j2.pix,
                    }),
                },
            ],
        };

        let padaria = "12ABC34501DE35";
        let p1 = cobranca_demo("001", day(8)?, Centavos::new(38990), "20001", hoje)?;
        let padaria = ClienteDemo {
            documento: padaria.into(),
            old_generation: false,
            cliente: json!({
                "nome_completo": "Padaria Pão Dourado Ltda", "aniversario": "", "data_registro": "2026-07-15",
                "ativo": "S", "id_remoto": 502, "id_contrato": 2001, "rua_endereco": "Rua do Comércio",
                "numero_endereco": "310", "cep_endereco": "12010-050", "cidade_endereco": "Taubaté",
                "complemento_endereco": "Loja 1", "bairro_endereco": "Centro", "estado_endereco": "SP",
            }),
            contratos: vec![json!({ "remote_id": 2001, "contract_name": "Rua do Comércio, 310, Loja 1 - Centro" })],
            faturas: vec![FaturaDemo {
                id: "20001".into(),
                contrato: Some("2001".into()),
                record: json!({
                    "id_fatura": 20001, "code_fatura": format!("20001-{padaria}"),
                    "nome_cliente": "Padaria Pão Dourado Ltda", "document_number": "12.ABC.345/01DE-35",
                    "remote_id": 502, "valor_inicial": 389.9, "valor_atual": 389.9, "juros": 0, "multa": 0,
                    "desconto": 0, "data_emissao": iso(day(-22)?), "data_vencimento": iso(day(8)?),
                    "historico": "Link dedicado 200 Mega", "bank_code": "001", "linha_digitavel": p1.linha,
                    "integration_id": 2, "identifier": "carteira-17", "pix_code": p1.pix, "contract_id": 2001,
                    "bill_receipt": recibo, "bill_pix_receipt": recibo_pix, "url_boleto": "",
                }),
            }],
        };

        let carlos = "39053344705";
        let c1 = cobranca_demo("756", day(-2)?, Centavos::new(11990), "30001", hoje)?;
        let c2 = cobranca_demo("756", day(28)?, Centavos::new(11990), "30002", hoje)?;
        let carlos = ClienteDemo {
            documento: carlos.into(),
            old_generation: false,
            cliente: json!({
                "nome_completo": "Carlos Eduardo Ramos", "ativo": "1", "id_remoto": "503", "id_contrato": "C-3001",
                "rua_endereco": "Rua Quinze de Novembro", "numero_endereco": "77", "cep_endereco": "12020-010",
                "cidade_endereco": "Taubaté", "bairro_endereco": "Centro", "estado_endereco": "SP",
            }),
            contratos: vec![json!({ "remote_id": "C-3001", "contract_name": "Rua Quinze de Novembro, 77" })],
            faturas: vec![
                FaturaDemo {
                    id: "30001".into(),
                    contrato: Some("C-3001".into()),
                    record: json!({
                        "id_fatura": "30001", "nome_cliente": "Carlos Eduardo Ramos", "document_number": carlos,
                        "remote_id": "503", "valor_inicial": "119,90", "valor_atual": "120,30", "juros": "0,40",
                        "data_emissao": iso(day(-32)?), "data_vencimento": iso(day(-2)?),
                        "historico": "Mensalidade Fibra 200 Mega", "bank_code": "756", "linha_digitavel": c1.linha,
                        "pix_code": c1.pix, "contract_id": "C-3001",
                    }),
                },
                FaturaDemo {
                    // A typing error in the adapter's database: one digit of the linha is wrong.
                    id: "30002".into(),
                    contrato: Some("C-3001".into()),
                    record: json!({
                        "id_fatura": "30002", "nome_cliente": "Carlos Eduardo Ramos", "document_number": carlos,
                        "remote_id": "503", "valor_inicial": "119,90", "valor_atual": "119,90",
                        "data_emissao": iso(hoje), "data_vencimento": iso(day(28)?),
                        "historico": "Mensalidade Fibra 200 Mega", "bank_code": "756",
                        "linha_digitavel": with_wrong_digit(&c2.linha), "pix_code": c2.pix, "contract_id": "C-3001",
                    }),
                },
                FaturaDemo {
                    // A record the adapter emitted without its id.
                    id: String::new(),
                    contrato: Some("C-3001".into()),
                    record: json!({
                        "id_fatura": "", "nome_cliente": "Carlos Eduardo Ramos", "document_number": carlos,
                        "valor_atual": "35,00", "data_vencimento": iso(day(15)?), "historico": "Taxa de religação",
                        "contract_id": "C-3001",
                    }),
                },
            ],
        };

        let pdfs = HashMap::from([(
            "10001".to_owned(),
            demo_pdf("Boleto 10001 - Maria Aparecida Souza - R$ 99,90"),
        )]);
        let linked_pdfs = HashMap::from([("A-7781".to_owned(), demo_pdf("Boleto A-7781 - Joao Pereira Lima"))]);
        // The load customer exists, so that a totem can look them up, but lists no fatura: theirs are made on demand.
        let carga = ClienteDemo {
            documento: CLIENTE_CARGA.into(),
            old_generation: false,
            cliente: json!({
                "nome_completo": NOME_CARGA, "ativo": true, "id_remoto": ID_CLIENTE_CARGA, "id_contrato": "C-CARGA",
                "rua_endereco": "Rua dos Testes", "numero_endereco": "1", "cidade_endereco": "Taubaté",
                "estado_endereco": "SP",
            }),
            contratos: vec![json!({ "remote_id": "C-CARGA", "contract_name": "Rua dos Testes, 1" })],
            faturas: Vec::new(),
        };

        Ok(DemoData {
            hoje,
            clientes: vec![maria, joao, padaria, carlos, carga],
            pdfs,
            linked_pdfs,
            listas: listas::Listas::new(hoje, base_url)?,
        })
    }

    /// The load fatura `id` (`L-<numero>`): R$ 10.00 due in 10 days, with a valid boleto whose campo livre carries
    /// the number, and its PIX.
    fn fatura_carga(&self, id: &str, numero: u32) -> Result<Value, String> {
        let vencimento = self
            .hoje
            .checked_add_days(Days::new(10))
            .ok_or("data fora do calendário")?;
        let valor = Centavos::new(1000);
        let campo_livre = format!("{numero:09}{:016}", 0);
        let c = cobranca(
            "341",
            vencimento,
            valor,
            &campo_livre,
            &format!("CARGA{numero}"),
            self.hoje,
        )?;
        Ok(json!({
            "id_fatura": id, "code_fatura": format!("{id}-{CLIENTE_CARGA}"), "nome_cliente": NOME_CARGA,
            "document_number": CLIENTE_CARGA, "remote_id": ID_CLIENTE_CARGA, "valor_inicial": "10.00",
            "valor_atual": "10.00", "data_emissao": self.hoje.format("%Y-%m-%d").to_string(),
            "data_vencimento": vencimento.format("%Y-%m-%d").to_string(),
            "historico": format!("Fatura de carga {numero}"), "bank_code": "341", "linha_digitavel": c.linha, "identifier": "carteira-carga", "pix_code": c.pix,
            "contract_id": "C-CARGA",
        }))
    }

    /// The customer with this CPF/CNPJ, written any way.
    fn cliente(&self, documento: &str) -> Option<&ClienteDemo> {
        let parsed = documento::parse(documento).ok()?;
        self.clientes.iter().find(|c| c.documento == parsed.numero())
    }
}

/// A boleto bancário of the demo's carteira 109 and its PIX, deterministic from `nosso_numero` (digits).
fn cobranca_demo(
    banco: &str,
    vencimento: NaiveDate,
    valor: Centavos,
    nosso_numero: &str,
    hoje: NaiveDate,
) -> Result<Cobranca, String> {
    let campo_livre = format!("109{nosso_numero:0>8}{:0>14}", "1234567890");
    cobranca(
        banco,
        vencimento,
        valor,
        &campo_livre,
        &format!("FAT{nosso_numero}"),
        hoje,
    )
}

/// A boleto bancário of `banco` with this campo livre (25 digits), and a PIX of the same value with this txid.
fn cobranca(
    banco: &str,
    vencimento: NaiveDate,
    valor: Centavos,
    campo_livre: &str,
    txid: &str,
    hoje: NaiveDate,
) -> Result<Cobranca, String> {
    let barras = boleto::codigo_barras_bancario(banco, Some(vencimento), Some(valor), campo_livre)
        .map_err(|error| error.to_string())?;
    let linha = boleto::decode(&barras, hoje)
        .map_err(|error| error.to_string())?
        .linha_formatada();
    let pix = pix::encode(&pix::CobrancaEstatica {
        chave: EMPRESA_CNPJ.into(),
        // The BR Code holds at most 25 characters of name, so the PIX name drops the "Ltda".
        nome: "Provedor Demonstração".into(),
        cidade: "Taubaté".into(),
        valor: Some(valor),
        txid: Some(txid.to_owned()),
        descricao: None,
    })
    .map_err(|error| error.to_string())?;
    Ok(Cobranca { linha, pix })
}

/// The linha (digits only) with its sixth digit changed: that digit is covered by the first field's mod-10 DV,
/// which catches every single-digit change, so the result is invalid whatever the date and value.
fn with_wrong_digit(linha: &str) -> String {
    linha
        .chars()
        .filter(char::is_ascii_digit)
        .enumerate()
        .map(|(index, digit)| match (index, digit) {
            (5, '9') => '0',
            (5, d) => char::from_u32(u32::from(d) + 1).unwrap_or('0'),
            (_, d) => d,
        })
        .collect()
}

/// A one-page PDF with one line of Helvetica text (ASCII, no parentheses or backslashes), with a correct
/// cross-reference table so that strict readers open it.
fn demo_pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 24 60 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 120] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", index + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}
