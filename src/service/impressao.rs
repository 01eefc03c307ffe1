//! Printing: queueing a job (`POST /v1/impressoes`), the printers' status, and one worker per printer that owns its
//! device and gets every queued job onto paper, in order, once, or visibly marked "REIMPRESSÃO".
//!
//! A job is encoded when it is queued and stored with its bytes ([`crate::adapters::store::Impressao`]), so what
//! prints after a restart is what was asked. The worker ([`Trabalhador`]) takes its printer's oldest queued job,
//! asks the printer's status, and
//! - when the printer cannot print (no paper, cover open, offline or unreachable) leaves the job queued with that
//!   `motivo` and asks again every second;
//! - otherwise commits the job as `imprimindo` (its own transaction) before sending a byte, sends it, and asks the
//!   status again on the same connection: an answer with the printer fine makes it `impressa`; a connection that
//!   broke mid-send, or a printer that lost its paper or opened its cover meanwhile, puts it back first in line
//!   marked `reimpressao`; a printer unreachable before anything was sent puts it back unmarked.
//!
//! A job found `imprimindo` when the daemon starts was cut off by a crash: the daemon requeues it marked before the
//! workers start ([`crate::adapters::store::Store::retomar_impressoes`]). A marked job is sent behind
//! [`marca_reimpressao`], a centred bold `*** REIMPRESSÃO ***`. While idle the worker polls the status every few
//! seconds, for `GET /v1/impressoras` and `/readyz`.
//!
//! Two seams wait for the receipt builders and the ESC/POS encoder being written alongside this module:
//! [`Totem::impresso_do_pedido`] (the layout of each `tipo`; only `texto` is built here) and [`Codificador`] (the
//! daemon gets [`codificador_padrao`], `None` until `escpos::codificar` exists, so every `tipo` answers
//! `NaoImplementado` in the real binary until then; tests pass their own).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};

use super::Totem;
use crate::adapters::impressora::{Conexao, ConexaoInvalida, Impressora, Prazos};
use crate::adapters::store::{Impressao, NovaImpressao, RegistroImpressao, Store, StoreError, TipoImpressao, Trabalho};
use crate::config::{CODE_PAGES, ImpressoraConfig};
use crate::domain::impressao::status::{Impedimento, Papel, StatusImpressora};
use crate::domain::impressao::{Elemento, Estilo, Impresso};

/// How often an idle worker asks its printer's status.
const POLL_OCIOSO: Duration = Duration::from_secs(3);
/// How often a worker whose job waits (no paper, offline…) asks again.
const POLL_AGUARDANDO: Duration = Duration::from_secs(1);
/// Pause after the store itself failed.
const STORE_PAUSE: Duration = Duration::from_secs(1);
/// Sends cut off mid-job after which a job is given up as `falhou` (it was printed, marked, that many times at most).
pub const MAX_INTERRUPCOES: u32 = 5;
/// Longest `texto` accepted, in characters.
pub const MAX_TEXTO: usize = 4000;
/// Blank lines after a free text, before the cut.
const AVANCO_FINAL: u8 = 4;

/// Encodes a laid-out receipt for a configured printer (its `modelo` names the profile); `None` when the model has
/// no profile. At merge: `Perfil::por_nome(&impressora.modelo).map(|perfil| escpos::codificar(impresso, perfil))`.
pub type Codificador = Arc<dyn Fn(&Impresso, &ImpressoraConfig) -> Option<Vec<u8>> + Send + Sync>;

/// SEAM (merge): the encoder the daemon uses. `None` until `domain::impressao::escpos` exists; then
/// `Some(Arc::new(|impresso, impressora| Perfil::por_nome(&impressora.modelo).map(|perfil| escpos::codificar(impresso, perfil))))`.
pub fn codificador_padrao() -> Option<Codificador> {
    None
}

/// The ESC/POS block sent before a job that may have printed before: initialise, select the code page, centred bold
/// `*** REIMPRESSÃO ***`, line feed, bold off, left-aligned. The job's own bytes then reset the printer as they like.
pub fn marca_reimpressao(code_page: &str) -> Vec<u8> {
    // `Ã` in each supported code page (checked against Python's cp860, cp850 and cp1252 codecs).
    let (numero, a_til) = match code_page {
        "pc850" => (page_number("pc850"), Some(0xC7)),
        "wpc1252" => (page_number("wpc1252"), Some(0xC3)),
        "pc860" => (page_number("pc860"), Some(0x8E)),
        _ => (None, None),
    };
    let mut bytes = vec![0x1B, 0x40];
    if let Some(numero) = numero {
        bytes.extend([0x1B, 0x74, numero]);
    }
    bytes.extend([0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01]);
    bytes.extend_from_slice(b"*** REIMPRESS");
    bytes.push(a_til.unwrap_or(b'A'));
    bytes.extend_from_slice(b"O ***\n");
    bytes.extend([0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00]);
    bytes
}

fn page_number(nome: &str) -> Option<u8> {
    CODE_PAGES
        .iter()
        .find(|(page, _)| *page == nome)
        .map(|(_, numero)| *numero)
}

/// What the worker last learned about its printer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Situacao {
    /// The last status the printer answered (kept while it is unreachable).
    pub status: Option<StatusImpressora>,
    /// Whether the last attempt to reach it worked.
    pub alcancavel: bool,
    /// Why the last attempt failed.
    pub erro: Option<String>,
    pub verificada_em: Option<DateTime<Utc>>,
}

/// A configured printer: its settings, its driver and what its worker knows.
pub struct Posto {
    pub config: ImpressoraConfig,
    pub impressora: Impressora,
    situacao: Mutex<Situacao>,
    /// Wakes the worker: a job was queued.
    acordar: Notify,
}

impl Posto {
    fn situacao(&self) -> MutexGuard<'_, Situacao> {
        self.situacao.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The configured printers (the first is the default) and the encoder; cheap to clone.
#[derive(Clone, Default)]
pub struct Impressoras {
    postos: Arc<Vec<Arc<Posto>>>,
    codificar: Option<Codificador>,
}

impl Impressoras {
    /// The printers of the configuration (already validated; a connection that does not parse is an error).
    pub fn new(configs: &[ImpressoraConfig], codificar: Option<Codificador>) -> Result<Impressoras, ConexaoInvalida> {
        let postos = configs
            .iter()
            .map(|config| {
                let conexao = Conexao::parse(&config.conexao)?;
                let prazos = Prazos::new(Duration::from_millis(config.timeout_ms));
                Ok(Arc::new(Posto {
                    impressora: Impressora::new(conexao, prazos, config.consultar_status),
                    config: config.clone(),
                    situacao: Mutex::new(Situacao::default()),
                    acordar: Notify::new(),
                }))
            })
            .collect::<Result<Vec<_>, ConexaoInvalida>>()?;
        Ok(Impressoras {
            postos: Arc::new(postos),
            codificar,
        })
    }

    pub fn postos(&self) -> &[Arc<Posto>] {
        &self.postos
    }

    fn posto(&self, nome: Option<&str>) -> Result<&Arc<Posto>, ImpressaoError> {
        match nome {
            None => self.postos.first().ok_or(ImpressaoError::SemImpressora),
            Some(nome) => self
                .postos
                .iter()
                .find(|posto| posto.config.nome == nome)
                .ok_or_else(|| ImpressaoError::ImpressoraDesconhecida(nome.to_owned())),
        }
    }
}

/// A print request, as the API reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PedidoImpressao {
    pub tipo: TipoImpressao,
    pub fatura_id: Option<String>,
    pub baixa_id: Option<String>,
    pub texto: Option<String>,
    /// The printer's `nome`; the first configured when absent.
    pub impressora: Option<String>,
}

/// Why a job was not queued.
#[derive(Debug, thiserror::Error)]
pub enum ImpressaoError {
    #[error("{0}")]
    Invalido(String),
    #[error("impressora {0:?} não configurada neste terminal")]
    ImpressoraDesconhecida(String),
    #[error("nenhuma impressora configurada neste terminal")]
    SemImpressora,
    /// The receipt (or the encoder) for this `tipo` is not in this version yet.
    #[error("impressão do tipo {} ainda não disponível nesta versão", .0.as_str())]
    NaoImplementado(TipoImpressao),
    #[error("chave de idempotência já usada para outra impressão")]
    ChaveComOutroPedido,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A queued job, and whether it was queued before under the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImpressaoRegistrada {
    pub impressao: Impressao,
    pub repetida: bool,
}

/// A printer as `GET /v1/impressoras` and `/readyz` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SituacaoImpressora {
    pub nome: String,
    pub conexao: String,
    pub modelo: String,
    /// Reachable and online.
    pub online: bool,
    pub papel: Papel,
    pub tampa_aberta: bool,
    /// Jobs queued or printing.
    pub fila: u64,
    /// Why it could not be reached, when it could not.
    pub erro: Option<String>,
    pub verificada_em: Option<DateTime<Utc>>,
}

impl Totem {
    /// Queues a print job; answers once it is on disk. With an idempotency key, the same key and request answer the
    /// job queued the first time (never a second print), another request under the key is refused.
    pub async fn imprimir(
        &self,
        pedido: PedidoImpressao,
        chave: Option<String>,
    ) -> Result<ImpressaoRegistrada, ImpressaoError> {
        let posto = Arc::clone(self.impressoras.posto(pedido.impressora.as_deref())?);
        validar(&pedido)?;
        let canonico = serde_json::json!({
            "tipo": pedido.tipo.as_str(),
            "fatura_id": pedido.fatura_id,
            "baixa_id": pedido.baixa_id,
            "texto": pedido.texto,
            "impressora": posto.config.nome,
        })
        .to_string();
        if let Some(chave) = &chave
            && let Some((impressao, anterior)) = self.store.impressao_por_chave(chave).await?
        {
            return if anterior == canonico {
                Ok(ImpressaoRegistrada {
                    impressao,
                    repetida: true,
                })
            } else {
                Err(ImpressaoError::ChaveComOutroPedido)
            };
        }
        let impresso = self.impresso_do_pedido(&pedido, &posto.config).await?;
        let codificar = self
            .impressoras
            .codificar
            .as_ref()
            .ok_or(ImpressaoError::NaoImplementado(pedido.tipo))?;
        let bytes = codificar(&impresso, &posto.config).ok_or(ImpressaoError::NaoImplementado(pedido.tipo))?;
        let nova = NovaImpressao {
            id: uuid::Uuid::now_v7().to_string(),
            impressora: posto.config.nome.clone(),
            tipo: pedido.tipo,
            fatura_id: pedido.fatura_id,
            baixa_id: pedido.baixa_id,
            texto: pedido.texto,
            chave_idempotencia: chave,
            pedido: canonico,
            bytes,
            criada_em: Utc::now(),
        };
        let registrada = match self.store.registrar_impressao(nova).await? {
            RegistroImpressao::Nova(impressao) => ImpressaoRegistrada {
                impressao,
                repetida: false,
            },
            RegistroImpressao::Repetida(impressao) => ImpressaoRegistrada {
                impressao,
                repetida: true,
            },
            RegistroImpressao::ChaveComOutroPedido => return Err(ImpressaoError::ChaveComOutroPedido),
        };
        posto.acordar.notify_one();
        Ok(registrada)
    }

    /// SEAM (merge): the layout of the receipt a request asks for. Only `texto` is built here; at merge the other
    /// tipos call `comprovantes::*` with the fatura ([`Totem::fatura`]) and the baixa ([`Totem::baixa`]).
    async fn impresso_do_pedido(
        &self,
        pedido: &PedidoImpressao,
        impressora: &ImpressoraConfig,
    ) -> Result<Impresso, ImpressaoError> {
        match pedido.tipo {
            TipoImpressao::Texto => Ok(impresso_de_texto(
                pedido.texto.as_deref().unwrap_or_default(),
                impressora.colunas(),
            )),
            tipo => Err(ImpressaoError::NaoImplementado(tipo)),
        }
    }

    /// The job with this id.
    pub async fn impressao(&self, id: &str) -> Result<Option<Impressao>, StoreError> {
        self.store.impressao(id).await
    }

    /// Every configured printer with what its worker last learned and its queue.
    pub async fn impressoras(&self) -> Result<Vec<SituacaoImpressora>, StoreError> {
        let postos = self.impressoras.postos();
        let filas = self
            .store
            .contar_filas(postos.iter().map(|posto| posto.config.nome.clone()).collect())
            .await?;
        Ok(postos
            .iter()
            .zip(filas)
            .map(|(posto, fila)| {
                let situacao = posto.situacao().clone();
                let status = situacao.status.unwrap_or(StatusImpressora {
                    online: false,
                    papel: Papel::Ok,
                    tampa_aberta: false,
                });
                let erro = match (&situacao.erro, situacao.verificada_em) {
                    (_, None) => Some("ainda não verificada".to_owned()),
                    (erro, Some(_)) => erro.clone(),
                };
                SituacaoImpressora {
                    nome: posto.config.nome.clone(),
                    conexao: posto.impressora.conexao().to_string(),
                    modelo: posto.config.modelo.clone(),
                    online: situacao.alcancavel && status.online,
                    papel: status.papel,
                    tampa_aberta: status.tampa_aberta,
                    fila,
                    erro,
                    verificada_em: situacao.verificada_em,
                }
            })
            .collect())
    }
}

/// The request's own rules: `texto` for a text, an id for a receipt.
fn validar(pedido: &PedidoImpressao) -> Result<(), ImpressaoError> {
    let invalido = |texto: &str| Err(ImpressaoError::Invalido(texto.to_owned()));
    match pedido.tipo {
        TipoImpressao::Texto => {
            let Some(texto) = pedido.texto.as_deref().filter(|texto| !texto.trim().is_empty()) else {
                return invalido("texto: obrigatório para tipo texto.");
            };
            if texto.chars().count() > MAX_TEXTO {
                return Err(ImpressaoError::Invalido(format!(
                    "texto: longo demais (no máximo {MAX_TEXTO} caracteres)."
                )));
            }
            if texto.chars().any(|c| c.is_control() && c != '\n') {
                return invalido("texto: contém caracteres de controle (só a quebra de linha é aceita).");
            }
        }
        TipoImpressao::ComprovantePix | TipoImpressao::ComprovanteTef => {
            if pedido.baixa_id.is_none() && pedido.fatura_id.is_none() {
                return invalido("informe baixa_id ou fatura_id do comprovante.");
            }
        }
        TipoImpressao::Boleto => {
            if pedido.fatura_id.is_none() {
                return invalido("fatura_id: obrigatório para tipo boleto.");
            }
        }
    }
    Ok(())
}

/// Free text laid out for `colunas`: each line wrapped at spaces (a word longer than a line is cut), then a feed and
/// the cut.
pub fn impresso_de_texto(texto: &str, colunas: u16) -> Impresso {
    let largura = usize::from(colunas.max(1));
    let mut elementos = Vec::new();
    for linha in texto.trim_end().lines() {
        for parte in quebrar(linha.trim_end(), largura) {
            elementos.push(Elemento::Texto {
                texto: parte,
                estilo: Estilo::default(),
            });
        }
    }
    elementos.push(Elemento::Avanco(AVANCO_FINAL));
    elementos.push(Elemento::Corte);
    Impresso { colunas, elementos }
}

/// Greedy word wrap to `largura` characters; an empty line stays one empty line.
fn quebrar(linha: &str, largura: usize) -> Vec<String> {
    let mut linhas = Vec::new();
    let mut atual = String::new();
    for palavra in linha.split(' ') {
        let mut palavra: Vec<char> = palavra.chars().collect();
        let usados = atual.chars().count();
        if usados > 0 && usados + 1 + palavra.len() <= largura {
            atual.push(' ');
            atual.extend(palavra);
            continue;
        }
        if usados > 0 {
            linhas.push(std::mem::take(&mut atual));
        }
        while palavra.len() > largura {
            let resto = palavra.split_off(largura);
            linhas.push(palavra.into_iter().collect());
            palavra = resto;
        }
        atual.extend(palavra);
    }
    linhas.push(atual);
    linhas
}

/// What one step of the worker did.
#[derive(Debug, PartialEq, Eq)]
enum Passo {
    /// Nothing queued.
    Ocioso,
    /// A job waits for the printer.
    Aguardando,
    /// A job was sent (or moved): look at the queue again now.
    Seguir,
}

/// One printer's worker: the only code that talks to that printer.
pub struct Trabalhador {
    store: Store,
    posto: Arc<Posto>,
}

impl Trabalhador {
    pub fn new(store: Store, posto: Arc<Posto>) -> Trabalhador {
        Trabalhador { store, posto }
    }

    /// Prints until `stopped` turns true.
    pub async fn run(self, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            let espera = match self.passo().await {
                Ok(Passo::Seguir) => continue,
                Ok(Passo::Ocioso) => POLL_OCIOSO,
                Ok(Passo::Aguardando) => POLL_AGUARDANDO,
                Err(error) => {
                    tracing::error!(impressora = self.posto.config.nome.as_str(), %error, "the print queue could not be read or written");
                    STORE_PAUSE
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(espera) => {}
                _ = self.posto.acordar.notified() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
        }
    }

    async fn passo(&self) -> Result<Passo, StoreError> {
        let nome = self.posto.config.nome.as_str();
        let Some(Trabalho { impressao, bytes }) = self.store.proxima_impressao(nome).await? else {
            self.verificar().await;
            return Ok(Passo::Ocioso);
        };
        let impedimento = match self.verificar().await {
            Some(status) => status.impedimento(),
            None => Some(Impedimento::Offline),
        };
        if let Some(impedimento) = impedimento {
            self.store
                .aguardar_impressao(&impressao.id, Some(impedimento.as_str()))
                .await?;
            return Ok(Passo::Aguardando);
        }
        if !self.store.iniciar_impressao(&impressao.id).await? {
            return Ok(Passo::Seguir);
        }
        let enviar = if impressao.reimpressao {
            let mut marcado = marca_reimpressao(self.posto.config.code_page());
            marcado.extend_from_slice(&bytes);
            marcado
        } else {
            bytes
        };
        let tentativas = impressao.tentativas.saturating_add(1);
        match self.posto.impressora.imprimir(enviar).await {
            Ok(depois) => {
                self.registrar(Some(depois), None);
                match depois.impedimento() {
                    None => {
                        self.store.concluir_impressao(&impressao.id, Utc::now()).await?;
                        tracing::info!(impressora = nome, id = impressao.id.as_str(), "printed");
                    }
                    // The printer took every byte but cannot have printed them all: print it again, marked.
                    Some(impedimento) => {
                        tracing::warn!(
                            impressora = nome,
                            id = impressao.id.as_str(),
                            motivo = impedimento.as_str(),
                            "the printer stopped during a job; it will print again marked"
                        );
                        self.devolver(&impressao.id, impedimento.as_str(), true, tentativas)
                            .await?;
                    }
                }
            }
            Err(error) => {
                self.registrar(None, Some(error.to_string()));
                let talvez = error.talvez_impresso();
                tracing::warn!(impressora = nome, id = impressao.id.as_str(), %error, talvez_impresso = talvez, "a print job did not complete");
                let motivo = if talvez {
                    "envio_interrompido"
                } else {
                    Impedimento::Offline.as_str()
                };
                self.devolver(&impressao.id, motivo, talvez, tentativas).await?;
                if !talvez {
                    return Ok(Passo::Aguardando);
                }
            }
        }
        Ok(Passo::Seguir)
    }

    /// Back to the queue; a job cut off mid-send [`MAX_INTERRUPCOES`] times fails for good.
    async fn devolver(
        &self,
        id: &str,
        motivo: &'static str,
        reimpressao: bool,
        tentativas: u32,
    ) -> Result<(), StoreError> {
        let falhou = reimpressao && tentativas >= MAX_INTERRUPCOES;
        if falhou {
            tracing::error!(
                impressora = self.posto.config.nome.as_str(),
                id,
                tentativas,
                "print job given up"
            );
        }
        self.store.devolver_impressao(id, motivo, reimpressao, falhou).await?;
        Ok(())
    }

    /// Asks the printer's status and records it; `None` when it cannot be reached.
    async fn verificar(&self) -> Option<StatusImpressora> {
        match self.posto.impressora.status().await {
            Ok(status) => {
                self.registrar(Some(status), None);
                Some(status)
            }
            Err(error) => {
                self.registrar(None, Some(error.to_string()));
                None
            }
        }
    }

    fn registrar(&self, status: Option<StatusImpressora>, erro: Option<String>) {
        let nome = self.posto.config.nome.as_str();
        let mut situacao = self.posto.situacao();
        let antes = (situacao.alcancavel, situacao.status);
        if let Some(status) = status {
            situacao.status = Some(status);
        }
        situacao.alcancavel = erro.is_none();
        situacao.erro = erro;
        situacao.verificada_em = Some(Utc::now());
        if antes != (situacao.alcancavel, situacao.status) {
            match (&situacao.erro, situacao.status) {
                (Some(erro), _) => tracing::warn!(impressora = nome, erro = erro.as_str(), "printer unreachable"),
                (None, Some(status)) => tracing::info!(
                    impressora = nome,
                    online = status.online,
                    papel = status.papel.as_str(),
                    tampa_aberta = status.tampa_aberta,
                    "printer status"
                ),
                (None, None) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn textos(impresso: &Impresso) -> Vec<&str> {
        impresso
            .elementos
            .iter()
            .filter_map(|elemento| match elemento {
                Elemento::Texto { texto, .. } => Some(texto.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn free_text_is_wrapped_to_the_columns_then_fed_and_cut() {
        let impresso = impresso_de_texto("Obrigado pela preferência, volte sempre!\n\nLinha2\n", 16);
        assert_eq!(impresso.colunas, 16);
        assert_eq!(
            textos(&impresso),
            ["Obrigado pela", "preferência,", "volte sempre!", "", "Linha2"]
        );
        assert_eq!(
            impresso.elementos[impresso.elementos.len() - 2..],
            [Elemento::Avanco(AVANCO_FINAL), Elemento::Corte]
        );
        assert_eq!(
            textos(&impresso_de_texto("00191100000001234560", 8)),
            ["00191100", "00000123", "4560"]
        );
        for linha in textos(&impresso_de_texto(&"palavra ".repeat(40), 32)) {
            assert!(linha.chars().count() <= 32, "{linha:?}");
        }
    }

    #[test]
    fn the_reprint_mark_is_centred_bold_in_the_printers_code_page() {
        let marca = marca_reimpressao("pc860");
        let mut esperado = vec![0x1B, 0x40, 0x1B, 0x74, 3, 0x1B, 0x61, 1, 0x1B, 0x45, 1];
        esperado.extend_from_slice(b"*** REIMPRESS\x8EO ***\n");
        esperado.extend([0x1B, 0x45, 0, 0x1B, 0x61, 0]);
        assert_eq!(marca, esperado);
        assert!(marca_reimpressao("wpc1252").windows(2).any(|par| par == [0x74, 16]));
        assert!(marca_reimpressao("wpc1252").contains(&0xC3));
        assert!(marca_reimpressao("pc850").contains(&0xC7));
        // Never raw UTF-8: an unknown page gets plain ASCII.
        let ascii = marca_reimpressao("outra");
        assert!(ascii.windows(11).any(|w| w == b"REIMPRESSAO"));
        assert!(ascii.iter().all(|byte| byte.is_ascii()));
    }

    #[test]
    fn a_request_is_checked_before_anything_is_queued() {
        let pedido = |tipo, texto: Option<&str>| PedidoImpressao {
            tipo,
            fatura_id: None,
            baixa_id: None,
            texto: texto.map(str::to_owned),
            impressora: None,
        };
        assert!(validar(&pedido(TipoImpressao::Texto, Some("olá"))).is_ok());
        for texto in [
            None,
            Some("  \n"),
            Some("a\u{7}b"),
            Some(&"x".repeat(MAX_TEXTO + 1)[..]),
        ] {
            assert!(matches!(
                validar(&pedido(TipoImpressao::Texto, texto)),
                Err(ImpressaoError::Invalido(_))
            ));
        }
        assert!(validar(&pedido(TipoImpressao::Boleto, None)).is_err());
        assert!(validar(&pedido(TipoImpressao::ComprovantePix, None)).is_err());
    }
}
