//! borda's configuration file (TOML).
//!
//! Key names are part of the public contract (technicians' docs and external
//! tests use them): extend, never rename. Unknown keys are rejected with their
//! line and column, so a typo is caught by `borda config check` on site rather
//! than silently ignored. Every key has a default except `erp.base_url`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::baixa::Forma;
use crate::domain::impressao::escpos::{self, PaginaDeCodigo, Perfil};
use crate::domain::money::{Centavos, MoneyError};

/// The annotated example printed by `borda config example`.
pub const EXAMPLE: &str = include_str!("../assets/config.example.toml");

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("não foi possível ler {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("não foi possível ler a credencial {path}: {source}")]
    Credential { path: PathBuf, source: std::io::Error },
    #[error("{path}: {field}: {message}")]
    Invalid {
        path: PathBuf,
        field: &'static str,
        message: String,
    },
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub api: ApiConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub cache: CacheConfig,
    #[serde(default)]
    pub empresa: EmpresaConfig,
    #[serde(default)]
    pub totem: TotemConfig,
    #[serde(default)]
    pub baixa: BaixaConfig,
    pub erp: ErpConfig,
    /// `[[impressoras]]`: the receipt printers; the first is the default.
    #[serde(default)]
    pub impressoras: Vec<ImpressoraConfig>,
    /// `[retaguarda]`: the back office the PDV asks for credit limits; absent on a totem.
    #[serde(default)]
    pub retaguarda: Option<RetaguardaConfig>,
    /// `[telemetria]`: the push of the metrics to an OpenTelemetry collector; off without `otlp_endpoint`.
    #[serde(default)]
    pub telemetria: TelemetriaConfig,
    /// `[chamado]`: where the ERP files the support tickets opened at the totem; chamados answer 501 until set.
    #[serde(default)]
    pub chamado: ChamadoConfig,
}

/// `[chamado]`: the ERP's ids a support ticket opened at the totem is filed under ("criar atendimento":
/// `id_tipo_de_atendimento`, `id_departamento`, `id_funcionario`). They belong to each ISP's ERP, so there is no
/// sensible default: while any is empty (or `erp.paths.chamado` is), `POST /v1/clientes/{documento}/chamados`
/// answers 501 `nao_suportado_pelo_erp`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChamadoConfig {
    /// The ERP's ticket type (`id_tipo_de_atendimento`).
    pub tipo: String,
    /// The ERP's department that receives the ticket (`id_departamento`).
    pub departamento: String,
    /// The ERP's employee the ticket is opened in the name of (`id_funcionario`).
    pub funcionario: String,
}

impl ChamadoConfig {
    /// The keys still empty, by their names in the file; none when chamados can be filed.
    pub fn faltando(&self) -> Vec<&'static str> {
        [
            ("chamado.tipo", &self.tipo),
            ("chamado.departamento", &self.departamento),
            ("chamado.funcionario", &self.funcionario),
        ]
        .into_iter()
        .filter(|(_, valor)| valor.trim().is_empty())
        .map(|(nome, _)| nome)
        .collect()
    }

    /// The field at fault and why: an id goes into the ERP's JSON as it is written here.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        for (nome, valor) in [
            ("chamado.tipo", &self.tipo),
            ("chamado.departamento", &self.departamento),
            ("chamado.funcionario", &self.funcionario),
        ] {
            if valor.chars().any(char::is_control) || valor.chars().count() > 100 {
                return Err((nome, "deve ter até 100 caracteres, sem caracteres de controle".into()));
            }
        }
        Ok(())
    }
}

/// `[retaguarda]`: the back office (e.g. TOTVS Winthor) that answers the PDV's credit-limit lookups, in the contract
/// borda serves at `/v1/limite-credito`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetaguardaConfig {
    /// `http://` or `https://` base of `path`.
    pub base_url: String,
    /// The lookup's path; `{IdInquilino}` and `{IdRetaguardaLoja}` are replaced by the request's.
    #[serde(default = "default_path_retaguarda")]
    pub path: String,
    /// Header and value of the retaguarda's credential; an empty value sends none.
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    #[serde(default)]
    pub auth_value: String,
    /// Bound on every call, connect included.
    #[serde(default = "default_timeout_retaguarda_ms")]
    pub timeout_ms: u64,
    /// Consecutive failures that open the circuit breaker (answers then come from the cache at once).
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// A cached answer older than this (`24h`, `90m`, `3d`) is not used offline.
    #[serde(default = "default_max_idade_offline", deserialize_with = "duracao")]
    pub max_idade_offline: Duration,
    /// Share of the cached saldo usable while offline, from 0 to 1.
    #[serde(default = "default_fracao_offline")]
    pub fracao_offline: f64,
    /// Most credit one customer may use while offline (`"500.00"`); empty: no cap beyond the share.
    #[serde(default = "default_teto_offline")]
    pub teto_offline: String,
}

impl RetaguardaConfig {
    /// The offline cap as money: None when `teto_offline` is empty.
    pub fn teto(&self) -> Result<Option<Centavos>, MoneyError> {
        let texto = self.teto_offline.trim();
        (!texto.is_empty()).then(|| Centavos::parse(texto)).transpose()
    }

    /// The field at fault and why.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let base = reqwest::Url::parse(&self.base_url)
            .map_err(|error| ("retaguarda.base_url", format!("URL inválida: {error}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(("retaguarda.base_url", "use http:// ou https://".into()));
        }
        if !self.path.starts_with('/') {
            return Err(("retaguarda.path", "deve começar com /".into()));
        }
        if self.timeout_ms == 0 {
            return Err(("retaguarda.timeout_ms", "deve ser maior que zero".into()));
        }
        if self.breaker_failures == 0 {
            return Err(("retaguarda.breaker_failures", "deve ser maior que zero".into()));
        }
        if reqwest::header::HeaderName::from_bytes(self.auth_header.as_bytes()).is_err() {
            return Err((
                "retaguarda.auth_header",
                "não é um nome de cabeçalho HTTP válido".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.fracao_offline) {
            return Err(("retaguarda.fracao_offline", "deve estar entre 0 e 1".into()));
        }
        self.teto()
            .map_err(|error| ("retaguarda.teto_offline", error.to_string()))?;
        Ok(())
    }
}

fn default_path_retaguarda() -> String {
    "/limite-credito/{IdRetaguardaLoja}".into()
}

fn default_timeout_retaguarda_ms() -> u64 {
    2000
}

fn default_max_idade_offline() -> Duration {
    Duration::from_secs(24 * 3600)
}

fn default_fracao_offline() -> f64 {
    0.5
}

fn default_teto_offline() -> String {
    "500.00".into()
}

/// A duration written as a technician would: see [`parse_duracao`].
fn duracao<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_duracao(&text).map_err(serde::de::Error::custom)
}

/// A duration as a technician writes it: `90` (seconds), `30s`, `10m`, `1h`, `3d`; never zero.
pub fn parse_duracao(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let invalida = || format!("duração inválida {text:?}: use por exemplo 30s, 10m, 1h ou 2d");
    let number: u64 = number.parse().map_err(|_| invalida())?;
    let seconds = match unit.trim() {
        "s" => number,
        "m" | "min" => number.saturating_mul(60),
        "h" => number.saturating_mul(3600),
        "d" => number.saturating_mul(86_400),
        _ => return Err(invalida()),
    };
    if seconds == 0 {
        return Err("a duração deve ser maior que zero".into());
    }
    Ok(Duration::from_secs(seconds))
}

/// Longest printer name.
pub const MAX_NOME_IMPRESSORA: usize = 40;

/// `[[impressoras]]`: one receipt printer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpressoraConfig {
    /// How the API and the jobs name it: letters, digits, `-` and `_`.
    pub nome: String,
    /// `tcp://host:9100`, `dev:///dev/usb/lp0`, `file:///caminho` (`serial://` is not supported in this version).
    pub conexao: String,
    /// A printer profile's name ([`crate::domain::impressao::escpos::PERFIS`]).
    pub modelo: String,
    /// Characters per line; the model's Font A columns when absent.
    #[serde(default)]
    pub colunas: Option<u16>,
    /// A code page ([`PaginaDeCodigo::por_nome`]); the profile's when absent.
    #[serde(default)]
    pub code_page: Option<String>,
    /// Bound on connecting and on each status answer, in ms.
    #[serde(default = "default_impressora_timeout_ms")]
    pub timeout_ms: u64,
    /// Whether the printer answers status queries (`DLE EOT`); a one-way device is taken as always ready.
    #[serde(default = "default_true")]
    pub consultar_status: bool,
}

impl ImpressoraConfig {
    /// The printer profile of this printer: its model's, with the configured columns and code page. `None` for a
    /// model or code page [`Config::validate`] would refuse.
    pub fn perfil(&self) -> Option<Perfil> {
        let mut perfil = *escpos::perfil(&self.modelo)?;
        if let Some(nome) = &self.code_page {
            perfil = perfil.com_pagina(PaginaDeCodigo::por_nome(nome)?);
        }
        if let Some(colunas) = self.colunas {
            perfil = perfil.com_colunas(colunas);
        }
        Some(perfil)
    }

    /// The configured columns, or the model's (48 when the model is unknown).
    pub fn colunas(&self) -> u16 {
        self.perfil().map_or(48, |perfil| perfil.colunas)
    }
}

fn default_impressora_timeout_ms() -> u64 {
    3000
}

fn default_true() -> bool {
    true
}

/// `[baixa]`: payments taken at the totem.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BaixaConfig {
    /// Accept a paid value different from the fatura's `valor_atual`.
    pub allow_different_valor: bool,
    pub pix: FormaConfig,
    pub tef: FormaConfig,
}

/// `[baixa.pix]`, `[baixa.tef]`: per payment method.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormaConfig {
    /// The ERP's company id for write-offs of this method ("ID da empresa").
    pub id_empresa: String,
    /// The ERP's account (carteira de cobrança) for write-offs of this method ("ID da conta").
    pub id_conta: String,
    /// Fatura identifiers whose payments of this method the ERP settles by
    /// itself (its own bank integration): borda watches the fatura instead of
    /// posting a baixa, which would book the money twice. `"*"` means all.
    pub settled_by_erp: Vec<String>,
}

impl BaixaConfig {
    /// The settings of one payment method.
    pub fn forma(&self, forma: Forma) -> &FormaConfig {
        match forma {
            Forma::Pix => &self.pix,
            Forma::Tef => &self.tef,
        }
    }
}

impl FormaConfig {
    /// Whether the ERP settles payments of faturas with this identifier itself.
    pub fn settled_by_erp(&self, identifier: Option<&str>) -> bool {
        self.settled_by_erp
            .iter()
            .any(|listed| listed == "*" || identifier.is_some_and(|identifier| identifier == listed))
    }
}

/// `[cache]`: how long an answer stays fresh, and how much memory keeps ready answers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Seconds during which a cached answer is served without asking the ERP;
    /// 0 asks the ERP on every request and uses the cache only when it fails.
    pub fresh_secs: u64,
    /// KiB of memory for the API's ready answers (the JSON of the cached reads); 0 keeps none and every read goes to
    /// the database.
    pub memoria_kib: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            fresh_secs: 10,
            memoria_kib: 2048,
        }
    }
}

/// `[empresa]`: the ISP itself, the beneficiário of its boletos.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmpresaConfig {
    pub nome: String,
    /// CNPJ, with or without punctuation.
    pub documento: String,
}

/// `[totem]`: this machine, as its receipts name it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TotemConfig {
    /// The totem's (or PDV's) id, printed on every receipt.
    pub id: String,
}

impl Default for TotemConfig {
    fn default() -> Self {
        TotemConfig { id: "borda".into() }
    }
}

/// `[api]`: the localhost HTTP API.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Address to bind; loopback unless a token is set.
    pub listen: SocketAddr,
    /// When set, every `/v1` request needs `Authorization: Bearer <token>`.
    pub token: String,
    /// Exact `Origin`s allowed by CORS.
    pub allowed_origins: Vec<String>,
    /// `Host` header allow-list, against DNS rebinding. Empty (the default):
    /// `127.0.0.1:PORT`, `localhost:PORT` and `[::1]:PORT` for the port of
    /// `listen` (see [`ApiConfig::hosts`]).
    pub allowed_hosts: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Seconds a client has to send a request's headers (also the longest
    /// wait for the next request on a keep-alive connection).
    pub header_timeout_secs: u64,
    /// Seconds a request body has to arrive in full; later: 408.
    pub body_timeout_secs: u64,
    /// Seconds a connection may go without a byte read or written (and no
    /// request being handled) before it is closed.
    pub idle_timeout_secs: u64,
    /// Open connections at most; past it the one idle the longest is closed.
    pub max_connections: usize,
    /// Different CPFs/CNPJs one client may look up per minute (`/v1/clientes/…`), against enumeration from a
    /// compromised page; 0: no limit.
    pub documentos_por_minuto: usize,
    /// Serve the reference kiosk page at `/` (`assets/kiosk/`).
    pub kiosk: bool,
    /// The kiosk page offers "simular pagamento", which records a made-up PIX: the demo only, refused unless the
    /// ERP is on loopback (the demo ERP).
    pub kiosk_simular_pagamento: bool,
}

/// Shortest `api.token` accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

impl ApiConfig {
    /// The `Host` values the API accepts: `allowed_hosts`, or when it is empty
    /// the loopback names with the port of `listen`.
    pub fn hosts(&self) -> Vec<String> {
        if !self.allowed_hosts.is_empty() {
            return self.allowed_hosts.clone();
        }
        let port = self.listen.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        let own = self.listen.to_string();
        if !self.listen.ip().is_unspecified() && !hosts.contains(&own) {
            hosts.push(own);
        }
        hosts
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            token: String::new(),
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            body_limit: 64 * 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            idle_timeout_secs: 30,
            max_connections: 200,
            documentos_por_minuto: 30,
            kiosk: false,
            kiosk_simular_pagamento: false,
        }
    }
}

/// `[store]`: the SQLite file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// How long personal data is kept (`30d`): cached customers, faturas and credit answers older than this are
    /// deleted, synced baixas lose the customer's document, printed receipts are deleted.
    #[serde(deserialize_with = "duracao")]
    pub retencao: Duration,
}

impl Default for StoreConfig {
    /// systemd's `StateDirectory=` when present, else `/var/lib/borda`.
    fn default() -> Self {
        let directory = std::env::var_os("STATE_DIRECTORY")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/lib/borda"));
        StoreConfig {
            path: directory.join("borda.db"),
            retencao: Duration::from_secs(30 * 86_400),
        }
    }
}

/// `[erp]`: the ISP's ERP.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErpConfig {
    /// `http://` or `https://` base of every path below.
    pub base_url: String,
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    /// Empty: read from the systemd credential `erp-auth`, if any.
    #[serde(default)]
    pub auth_value: String,
    /// Bound on every upstream call, connect included.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// The ERP honours `Idempotency-Key` on baixas: an unanswered attempt may
    /// simply be sent again. When false (the default) borda reads the fatura
    /// first and sends again only if it is still open.
    #[serde(default)]
    pub idempotent: bool,
    /// Consecutive failures that open the circuit breaker.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// The background probe's first wait after the breaker opened, in ms; it doubles after each failed probe.
    #[serde(default = "default_probe_interval_ms")]
    pub probe_interval_ms: u64,
    /// The longest wait between probes, and between two calls while catching up after an outage, in ms (the pace
    /// itself follows the totem's own payment rate: `domain::ritmo`).
    #[serde(default = "default_probe_max_interval_ms")]
    pub probe_max_interval_ms: u64,
    #[serde(default)]
    pub paths: ErpPaths,
}

/// `[erp.paths]`: one path template per operation; `{placeholders}` are
/// filled, the other request fields go as query (GET) or JSON body (POST).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ErpPaths {
    pub cliente: String,
    pub faturas: String,
    pub fatura: String,
    pub boleto_pdf: String,
    pub baixa: String,
    pub contratos: String,
    pub desbloqueio: String,
    /// The customer's read-only lists (GET `document`, and `id_cliente` except for contatos, which takes
    /// `customer_document_number`). An empty path says the ERP does not offer the operation: its endpoint answers
    /// 501 `nao_suportado_pelo_erp`.
    pub servicos: String,
    pub notas_fiscais: String,
    pub contatos: String,
    pub extratos: String,
    pub quitacao: String,
    /// "Criar atendimento": opens a support ticket (`POST`). Empty: the ERP offers none, chamados answer 501.
    pub chamado: String,
    /// What the breaker's probe GETs: any HTTP answer means the ERP is reachable.
    pub probe: String,
}

impl Default for ErpPaths {
    fn default() -> Self {
        ErpPaths {
            cliente: "/api/cliente".into(),
            faturas: "/api/faturas".into(),
            fatura: "/api/faturas/{id_fatura}".into(),
            boleto_pdf: "/api/boletos/{boleto_id}/pdf".into(),
            baixa: "/api/baixas".into(),
            contratos: "/api/contratos".into(),
            desbloqueio: "/api/habilitacao-provisoria".into(),
            servicos: "/api/servicos".into(),
            notas_fiscais: "/api/notas-fiscais".into(),
            contatos: "/api/contatos".into(),
            extratos: "/api/extratos".into(),
            quitacao: "/api/quitacao".into(),
            chamado: "/api/atendimentos".into(),
            probe: "/".into(),
        }
    }
}

/// A secret systemd passed with `LoadCredential=`, trimmed; `None` outside
/// systemd or when the unit passes no credential of that name. A credential
/// that is there but cannot be read is an error naming the file: starting
/// without the ERP's secret would only fail later, on every call.
fn credential(name: &str) -> Result<Option<String>, ConfigError> {
    let Some(directory) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
        return Ok(None);
    };
    let path = Path::new(&directory).join(name);
    match std::fs::read_to_string(&path) {
        Ok(secret) => Ok(Some(secret.trim().to_owned())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Credential { path, source }),
    }
}

/// Whether `base_url` points at this machine (the demo ERP), by its host.
fn erp_no_loopback(base_url: &str) -> bool {
    let url = reqwest::Url::parse(base_url);
    let host = url.as_ref().ok().and_then(reqwest::Url::host_str).unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn default_auth_header() -> String {
    "Authorization".into()
}

fn default_timeout_ms() -> u64 {
    3000
}

fn default_breaker_failures() -> u32 {
    3
}

fn default_probe_interval_ms() -> u64 {
    2000
}

fn default_probe_max_interval_ms() -> u64 {
    900_000
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates `text`; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|error| ConfigError::Parse {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        config.validate(path)?;
        if config.erp.auth_value.is_empty() {
            config.erp.auth_value = credential("erp-auth")?.unwrap_or_default();
        }
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |field, message: &str| ConfigError::Invalid {
            path: path.to_owned(),
            field,
            message: message.into(),
        };
        if !self.api.listen.ip().is_loopback() && self.api.token.is_empty() {
            return Err(invalid("api.listen", "endereço fora do loopback exige api.token"));
        }
        if !self.empresa.documento.is_empty() && crate::domain::documento::parse(&self.empresa.documento).is_err() {
            return Err(invalid("empresa.documento", "CPF/CNPJ inválido"));
        }
        if self.api.kiosk_simular_pagamento && !(self.api.kiosk && erp_no_loopback(&self.erp.base_url)) {
            return Err(invalid(
                "api.kiosk_simular_pagamento",
                "só para demonstração: exige api.kiosk = true e o ERP de demonstração (erp.base_url no loopback)",
            ));
        }
        if !self.api.token.is_empty() && self.api.token.chars().count() < MIN_TOKEN_CHARS {
            return Err(invalid(
                "api.token",
                &format!("curto demais: use ao menos {MIN_TOKEN_CHARS} caracteres"),
            ));
        }
        for (field, value) in [
            ("api.header_timeout_secs", self.api.header_timeout_secs),
            ("api.body_timeout_secs", self.api.body_timeout_secs),
            ("api.idle_timeout_secs", self.api.idle_timeout_secs),
        ] {
            if value == 0 {
                return Err(invalid(field, "deve ser maior que zero"));
            }
        }
        if self.api.max_connections == 0 {
            return Err(invalid("api.max_connections", "deve ser maior que zero"));
        }
        if self.api.body_limit == 0 {
            return Err(invalid("api.body_limit", "deve ser maior que zero"));
        }
        let base = reqwest::Url::parse(&self.erp.base_url)
            .map_err(|error| invalid("erp.base_url", &format!("URL inválida: {error}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("erp.base_url", "use http:// ou https://"));
        }
        if self.erp.timeout_ms == 0 {
            return Err(invalid("erp.timeout_ms", "deve ser maior que zero"));
        }
        if self.erp.breaker_failures == 0 {
            return Err(invalid("erp.breaker_failures", "deve ser maior que zero"));
        }
        if reqwest::header::HeaderName::from_bytes(self.erp.auth_header.as_bytes()).is_err() {
            return Err(invalid("erp.auth_header", "não é um nome de cabeçalho HTTP válido"));
        }
        if let Some(retaguarda) = &self.retaguarda {
            retaguarda
                .validate()
                .map_err(|(field, message)| invalid(field, &message))?;
        }
        self.telemetria
            .validate()
            .map_err(|(field, message)| invalid(field, &message))?;
        self.chamado
            .validate()
            .map_err(|(field, message)| invalid(field, &message))?;
        self.validate_impressoras()
            .map_err(|message| invalid("impressoras", &message))
    }

    /// Unique, well-formed names; a connection this version drives; a known model, sensible columns, a known code
    /// page. The message names the printer.
    fn validate_impressoras(&self) -> Result<(), String> {
        let mut nomes = std::collections::HashSet::new();
        for (posicao, impressora) in self.impressoras.iter().enumerate() {
            let nome = &impressora.nome;
            let qual = format!("impressora {} ({nome:?})", posicao + 1);
            let nome_valido = !nome.is_empty()
                && nome.chars().count() <= MAX_NOME_IMPRESSORA
                && nome.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !nome_valido {
                return Err(format!(
                    "{qual}: nome deve ter de 1 a {MAX_NOME_IMPRESSORA} letras, dígitos, '-' ou '_'"
                ));
            }
            if !nomes.insert(nome.as_str()) {
                return Err(format!("{qual}: nome repetido"));
            }
            let conexao = crate::adapters::impressora::Conexao::parse(&impressora.conexao)
                .map_err(|error| format!("{qual}: conexao inválida: {error}"))?;
            if !conexao.suportada() {
                return Err(format!(
                    "{qual}: conexão serial não suportada nesta versão (use tcp://, dev:// ou file://)"
                ));
            }
            if escpos::perfil(&impressora.modelo).is_none() {
                let conhecidos: Vec<&str> = escpos::PERFIS.iter().map(|perfil| perfil.nome).collect();
                return Err(format!(
                    "{qual}: modelo desconhecido {:?} (conhecidos: {})",
                    impressora.modelo,
                    conhecidos.join(", ")
                ));
            }
            if impressora.colunas.is_some_and(|colunas| !(16..=96).contains(&colunas)) {
                return Err(format!("{qual}: colunas deve estar entre 16 e 96"));
            }
            if let Some(code_page) = &impressora.code_page
                && PaginaDeCodigo::por_nome(code_page).is_none()
            {
                let conhecidas: Vec<&str> = PaginaDeCodigo::TODAS.iter().map(|pagina| pagina.nome()).collect();
                return Err(format!(
                    "{qual}: code_page desconhecida {code_page:?} (conhecidas: {})",
                    conhecidas.join(", ")
                ));
            }
            if impressora.timeout_ms == 0 {
                return Err(format!("{qual}: timeout_ms deve ser maior que zero"));
            }
        }
        Ok(())
    }
}

/// `[telemetria]`: every `intervalo`, the figures `/metrics` shows (and a heartbeat: version, start, when each
/// upstream last answered) pushed to an OpenTelemetry collector over OTLP/HTTP, for a fleet behind NAT that no
/// Prometheus can scrape. Off while `otlp_endpoint` is absent. Never personal data: the same labels as `/metrics`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetriaConfig {
    /// `http://` or `https://` base of the collector's OTLP/HTTP receiver (`http://coletor:4318`); the metrics go to
    /// `{otlp_endpoint}/v1/metrics`.
    pub otlp_endpoint: Option<String>,
    /// How often the metrics are pushed (`60s`, `5m`): at least a second ([`parse_duracao`]).
    #[serde(deserialize_with = "duracao")]
    pub intervalo: Duration,
    /// `service.instance.id`, this totem in the fleet; empty: `[totem] id` when set, else the host name.
    pub instancia: String,
    /// Headers sent with every push (`{ Authorization = "Bearer …" }`); never logged.
    pub cabecalhos: std::collections::BTreeMap<String, String>,
    /// Bound on every push, connect included, in ms.
    pub timeout_ms: u64,
}

impl Default for TelemetriaConfig {
    fn default() -> Self {
        TelemetriaConfig {
            otlp_endpoint: None,
            intervalo: Duration::from_secs(60),
            instancia: String::new(),
            cabecalhos: std::collections::BTreeMap::new(),
            timeout_ms: 5000,
        }
    }
}

impl std::fmt::Debug for TelemetriaConfig {
    /// The headers' names only: their values are credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelemetriaConfig")
            .field("otlp_endpoint", &self.otlp_endpoint)
            .field("intervalo", &self.intervalo)
            .field("instancia", &self.instancia)
            .field("cabecalhos", &self.cabecalhos.keys().collect::<Vec<_>>())
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

impl TelemetriaConfig {
    /// The field at fault and why.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(endpoint) = &self.otlp_endpoint {
            let url = reqwest::Url::parse(endpoint)
                .map_err(|error| ("telemetria.otlp_endpoint", format!("URL inválida: {error}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err((
                    "telemetria.otlp_endpoint",
                    "use http:// ou https:// (o coletor OTLP/HTTP, como http://coletor:4318)".into(),
                ));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err((
                    "telemetria.otlp_endpoint",
                    "sem usuário ou senha na URL: use telemetria.cabecalhos (Authorization)".into(),
                ));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err((
                    "telemetria.otlp_endpoint",
                    "a URL é a base do coletor (/v1/metrics é acrescentado): sem ? nem #".into(),
                ));
            }
        }
        if self.timeout_ms == 0 {
            return Err(("telemetria.timeout_ms", "deve ser maior que zero".into()));
        }
        if self.instancia.chars().any(char::is_control) {
            return Err(("telemetria.instancia", "contém caracteres de controle".into()));
        }
        for (nome, valor) in &self.cabecalhos {
            if reqwest::header::HeaderName::from_bytes(nome.as_bytes()).is_err() {
                return Err((
                    "telemetria.cabecalhos",
                    format!("{nome:?} não é um nome de cabeçalho HTTP válido"),
                ));
            }
            if reqwest::header::HeaderValue::from_str(valor).is_err() {
                return Err((
                    "telemetria.cabecalhos",
                    format!("o valor de {nome:?} contém caracteres inválidos"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    #[test]
    fn allowed_hosts_default_to_the_port_of_listen() {
        let config = parse("[api]\nlisten = \"127.0.0.1:9999\"\n[erp]\nbase_url = \"http://erp\"\n");
        let hosts = config.map(|config| config.api.hosts()).unwrap_or_default();
        assert_eq!(hosts, ["127.0.0.1:9999", "localhost:9999", "[::1]:9999"]);
        let explicit = parse("[api]\nallowed_hosts = [\"totem:80\"]\n[erp]\nbase_url = \"http://erp\"\n");
        let hosts = explicit.map(|config| config.api.hosts()).unwrap_or_default();
        assert_eq!(hosts, ["totem:80"]);
    }

    const ERP: &str = "[erp]\nbase_url = \"http://erp\"\n";

    fn impressoras(toml: &str) -> Result<Config, ConfigError> {
        parse(&format!("{ERP}{toml}"))
    }

    fn mensagem(resultado: Result<Config, ConfigError>) -> String {
        match resultado {
            Err(ConfigError::Invalid {
                field: "impressoras",
                message,
                ..
            }) => message,
            other => format!("not an impressoras error: {other:?}"),
        }
    }

    #[test]
    fn printers_are_read_with_defaults_from_the_model() {
        let config = impressoras(
            "[[impressoras]]\nnome = \"principal\"\nconexao = \"tcp://127.0.0.1:9100\"\nmodelo = \"epson-tm-t20\"\n\
             colunas = 42\ncode_page = \"wpc1252\"\n\
             [[impressoras]]\nnome = \"balcao\"\nconexao = \"dev:///dev/usb/lp0\"\nmodelo = \"generico-58mm\"\n",
        )
        .unwrap();
        let [principal, balcao] = config.impressoras.as_slice() else {
            panic!("two printers expected")
        };
        let pagina = |impressora: &ImpressoraConfig| impressora.perfil().map(|perfil| perfil.pagina.nome());
        assert_eq!((principal.colunas(), pagina(principal)), (42, Some("wpc1252")));
        assert_eq!(
            (balcao.colunas(), pagina(balcao)),
            (32, Some("wpc1252")),
            "the generic profile's page"
        );
        assert!(balcao.consultar_status);
        assert_eq!(balcao.timeout_ms, 3000);
        assert!(parse(ERP).unwrap().impressoras.is_empty());
    }

    #[test]
    fn bad_printers_are_refused_naming_them() {
        let uma = |nome: &str, conexao: &str, modelo: &str, extra: &str| {
            format!("[[impressoras]]\nnome = \"{nome}\"\nconexao = \"{conexao}\"\nmodelo = \"{modelo}\"\n{extra}")
        };
        let ok = uma("a", "tcp://h:9100", "elgin-i9", "");
        let casos = [
            (format!("{ok}{ok}"), "nome repetido"),
            (uma("a b", "tcp://h:9100", "elgin-i9", ""), "nome deve ter"),
            (uma("a", "lp0", "elgin-i9", ""), "conexao inválida"),
            (
                uma("a", "serial:///dev/ttyS0?baud=9600", "elgin-i9", ""),
                "não suportada nesta versão",
            ),
            (uma("a", "tcp://h:9100", "epson-tm-t88", ""), "modelo desconhecido"),
            (uma("a", "tcp://h:9100", "elgin-i9", "colunas = 4\n"), "colunas"),
            (
                uma("a", "tcp://h:9100", "elgin-i9", "code_page = \"pc437\"\n"),
                "code_page desconhecida",
            ),
            (uma("a", "tcp://h:9100", "elgin-i9", "timeout_ms = 0\n"), "timeout_ms"),
        ];
        for (toml, esperado) in casos {
            let message = mensagem(impressoras(&toml));
            assert!(message.contains(esperado), "{toml}: {message}");
        }
        assert!(matches!(
            impressoras(&uma("a", "tcp://h:9100", "elgin-i9", "cor = 1\n")),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn the_example_documents_every_erp_path_with_its_default() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(format!("{:?}", config.erp.paths), format!("{:?}", ErpPaths::default()));
        let vazio = parse("[erp]\nbase_url = \"http://127.0.0.1:1\"\n[erp.paths]\nservicos = \"\"\n").unwrap();
        assert_eq!(
            vazio.erp.paths.servicos, "",
            "an empty path is allowed: the ERP does not offer it"
        );
        assert_eq!(vazio.erp.paths.contatos, ErpPaths::default().contatos);
    }

    #[test]
    fn the_example_configures_a_valid_printer() {
        let config = parse(EXAMPLE).unwrap();
        assert!(!config.impressoras.is_empty());
    }

    #[test]
    fn chamados_are_off_until_every_id_is_set() {
        let config = parse(ERP).unwrap();
        assert_eq!(config.erp.paths.chamado, "/api/atendimentos");
        assert_eq!(
            config.chamado.faltando(),
            ["chamado.tipo", "chamado.departamento", "chamado.funcionario"]
        );
        assert_eq!(
            parse(EXAMPLE).unwrap().chamado.faltando().len(),
            3,
            "the example sets none"
        );
        let config = parse(&format!(
            "{ERP}[chamado]\ntipo = \"3\"\ndepartamento = \" \"\nfuncionario = \"12\"\n"
        ))
        .unwrap();
        assert_eq!(config.chamado.faltando(), ["chamado.departamento"]);
        let config = parse(&format!(
            "{ERP}[chamado]\ntipo = \"3\"\ndepartamento = \"7\"\nfuncionario = \"12\"\n"
        ))
        .unwrap();
        assert!(config.chamado.faltando().is_empty());
        let resultado = parse(&format!("{ERP}[chamado]\ntipo = \"3\\n4\"\n"));
        assert!(
            matches!(
                resultado,
                Err(ConfigError::Invalid {
                    field: "chamado.tipo",
                    ..
                })
            ),
            "{resultado:?}"
        );
        assert!(matches!(
            parse(&format!("{ERP}[chamado]\nfila = \"x\"\n")),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn the_simulated_payment_is_for_the_demo_erp_only() {
        let com = |erp: &str, kiosk: bool| {
            parse(&format!(
                "[api]\nkiosk = {kiosk}\nkiosk_simular_pagamento = true\n[erp]\nbase_url = \"{erp}\"\n"
            ))
        };
        for demo in ["http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"] {
            assert!(com(demo, true).is_ok(), "{demo}");
        }
        for recusado in [("https://erp.provedor.com.br", true), ("http://127.0.0.1:9000", false)] {
            assert!(
                matches!(
                    com(recusado.0, recusado.1),
                    Err(ConfigError::Invalid {
                        field: "api.kiosk_simular_pagamento",
                        ..
                    })
                ),
                "{recusado:?}"
            );
        }
    }

    #[test]
    fn a_short_token_is_refused() {
        let short = parse("[api]\ntoken = \"abc\"\n[erp]\nbase_url = \"http://erp\"\n");
        assert!(matches!(short, Err(ConfigError::Invalid { field: "api.token", .. })));
    }

    #[test]
    fn telemetry_is_off_by_default_and_read_with_its_defaults() {
        let config = parse(ERP).unwrap();
        assert!(config.telemetria.otlp_endpoint.is_none());
        assert_eq!(config.telemetria.intervalo, Duration::from_secs(60));
        assert_eq!(config.telemetria.timeout_ms, 5000);
        let config = parse(&format!(
            "{ERP}[telemetria]\notlp_endpoint = \"https://coletor:4318\"\nintervalo = \"5m\"\n\
             instancia = \"sp-0042\"\ncabecalhos = {{ Authorization = \"Bearer segredo\" }}\n"
        ))
        .unwrap();
        let telemetria = &config.telemetria;
        assert_eq!(telemetria.otlp_endpoint.as_deref(), Some("https://coletor:4318"));
        assert_eq!(telemetria.intervalo, Duration::from_secs(300));
        assert_eq!(telemetria.instancia, "sp-0042");
        assert_eq!(telemetria.cabecalhos["Authorization"], "Bearer segredo");
        assert!(
            !format!("{config:?}").contains("segredo"),
            "the header's value is not in Debug"
        );
    }

    #[test]
    fn bad_telemetry_is_refused_naming_the_field() {
        let casos = [
            ("otlp_endpoint = \"coletor:4318\"", "telemetria.otlp_endpoint"),
            ("otlp_endpoint = \"grpc://coletor:4317\"", "telemetria.otlp_endpoint"),
            (
                "otlp_endpoint = \"http://u:senha@coletor:4318\"",
                "telemetria.otlp_endpoint",
            ),
            (
                "otlp_endpoint = \"http://coletor:4318/?x=1\"",
                "telemetria.otlp_endpoint",
            ),
            ("timeout_ms = 0", "telemetria.timeout_ms"),
            ("cabecalhos = { \"a b\" = \"c\" }", "telemetria.cabecalhos"),
            ("cabecalhos = { a = \"linha\\nnova\" }", "telemetria.cabecalhos"),
        ];
        for (linha, campo) in casos {
            let resultado = parse(&format!("{ERP}[telemetria]\n{linha}\n"));
            assert!(
                matches!(&resultado, Err(ConfigError::Invalid { field, .. }) if *field == campo),
                "{linha}: {resultado:?}"
            );
        }
        for linha in ["intervalo = \"0s\"", "intervalo = \"500ms\"", "endpoint = \"http://c\""] {
            let resultado = parse(&format!("{ERP}[telemetria]\n{linha}\n"));
            assert!(
                matches!(resultado, Err(ConfigError::Parse { .. })),
                "{linha}: {resultado:?}"
            );
        }
    }
}
