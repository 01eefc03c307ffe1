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
//! A job's layout comes from `domain::impressao::comprovantes` (the fatura as the read-through cache knows it, the
//! local baixa) and its bytes from `domain::impressao::escpos`, for the printer's profile.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};

use super::{ServiceError, Totem};
use crate::adapters::impressora::{Conexao, ConexaoInvalida, Impressora, Prazos};
use crate::adapters::store::{
    Impressao, NovaImpressao, RegistroImpressao, StatusImpressao, Store, StoreError, TipoImpressao, Trabalho,
};
use crate::config::ImpressoraConfig;
use crate::domain::baixa::Forma;
use crate::domain::impressao::comprovantes::{self, DadosTerminal};
use crate::domain::impressao::escpos::{self, ErroEscpos, PERFIS, Perfil};
use crate::domain::impressao::status::{Impedimento, Papel, StatusImpressora};
use crate::domain::impressao::{Alinhamento, Elemento, Estilo, Impresso};

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

/// The ESC/POS block sent before a job that may have printed before: a centred bold `*** REIMPRESSÃO ***` in the
/// printer's own profile and code page (initialised first; the job's own bytes then reset the printer as they like).
pub fn marca_reimpressao(perfil: &Perfil) -> Vec<u8> {
    let marca = Impresso {
        colunas: perfil.colunas,
        elementos: vec![Elemento::Texto {
            texto: "*** REIMPRESSÃO ***".into(),
            estilo: Estilo {
                alinhamento: Alinhamento::Centro,
                negrito: true,
                duplo: false,
            },
        }],
    };
    // Text alone always encodes; the fallback is plain ASCII, never nothing.
    escpos::codificar(&marca, perfil).unwrap_or_else(|_| b"*** REIMPRESSAO ***\n".to_vec())
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

/// The configured printers (the first is the default) and what receipts say of this terminal; cheap to clone.
#[derive(Clone)]
pub struct Impressoras {
    postos: Arc<Vec<Arc<Posto>>>,
    terminal: Arc<DadosTerminal>,
}

impl Default for Impressoras {
    /// No printer, and the default terminal data.
    fn default() -> Self {
        Impressoras {
            postos: Arc::default(),
            terminal: Arc::new(DadosTerminal {
                totem_id: crate::config::TotemConfig::default().id,
                empresa: None,
                documento_empresa: None,
            }),
        }
    }
}

impl Impressoras {
    /// The printers of the configuration (already validated; a connection that does not parse is an error).
    pub fn new(configs: &[ImpressoraConfig], terminal: DadosTerminal) -> Result<Impressoras, ConexaoInvalida> {
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
            terminal: Arc::new(terminal),
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
    /// The printer's model has no profile (the configuration check refuses this; kept for a hand-edited file).
    #[error("modelo de impressora sem perfil: {0}")]
    SemPerfil(String),
    /// The receipt could not be encoded (a code that does not fit the paper, a bad barcode).
    #[error("não foi possível preparar a impressão: {0}")]
    Codificacao(#[from] ErroEscpos),
    /// The fatura could not be had.
    #[error(transparent)]
    Servico(#[from] ServiceError),
    /// The baixa does not exist, or is of another fatura.
    #[error("baixa não encontrada para esta fatura")]
    BaixaNaoEncontrada,
    /// A comprovante PIX of a TEF baixa, or the other way round.
    #[error("a baixa é de outra forma de pagamento que a do comprovante pedido")]
    FormaDiferente,
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
        let perfil = posto
            .config
            .perfil()
            .ok_or_else(|| ImpressaoError::SemPerfil(posto.config.modelo.clone()))?;
        let impresso = self.impresso_do_pedido(&pedido, perfil.colunas).await?;
        let bytes = escpos::codificar(&impresso, &perfil).map_err(ImpressaoError::Codificacao)?;
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

    /// The layout of the receipt a request asks for, for a paper `colunas` wide: the fatura as borda knows it (the
    /// read-through cache) and, for a comprovante, the local baixa, which must be of that fatura and of the kind.
    async fn impresso_do_pedido(&self, pedido: &PedidoImpressao, colunas: u16) -> Result<Impresso, ImpressaoError> {
        let terminal = &self.impressoras.terminal;
        if pedido.tipo == TipoImpressao::Texto {
            let texto = pedido.texto.as_deref().unwrap_or_default();
            return Ok(comprovantes::texto(
                &texto.trim_end().lines().collect::<Vec<_>>(),
                colunas,
            ));
        }
        if pedido.tipo == TipoImpressao::Boleto {
            let fatura = self
                .fatura(pedido.fatura_id.as_deref().unwrap_or_default())
                .await?
                .valor
                .0;
            return Ok(comprovantes::boleto(&fatura, terminal, colunas));
        }
        // A comprovante: of the baixa named, or else of the fatura's local baixa; the baixa says which fatura it paid
        // (a `fatura_id` given too must agree).
        let baixa_id = match (&pedido.baixa_id, &pedido.fatura_id) {
            (Some(baixa_id), _) => baixa_id.clone(),
            (None, Some(fatura_id)) => {
                let mut locais = self.store.baixas_das_faturas(vec![fatura_id.clone()]).await?;
                locais.remove(fatura_id).ok_or(ImpressaoError::BaixaNaoEncontrada)?.id
            }
            (None, None) => return Err(ImpressaoError::BaixaNaoEncontrada),
        };
        let baixa = self
            .baixa(&baixa_id)
            .await?
            .filter(|baixa| {
                pedido
                    .fatura_id
                    .as_ref()
                    .is_none_or(|fatura| *fatura == baixa.fatura_id)
            })
            .ok_or(ImpressaoError::BaixaNaoEncontrada)?;
        let fatura = self.fatura(&baixa.fatura_id).await?.valor.0;
        match (pedido.tipo, baixa.forma()) {
            (TipoImpressao::ComprovantePix, Forma::Pix) => {
                Ok(comprovantes::comprovante_pix(&fatura, &baixa, terminal, colunas))
            }
            (TipoImpressao::ComprovanteTef, Forma::Tef) => {
                Ok(comprovantes::comprovante_tef(&fatura, &baixa, terminal, colunas))
            }
            _ => Err(ImpressaoError::FormaDiferente),
        }
    }

    /// What job `id` prints, laid out again from its request for its printer and with its texts as the printer's
    /// code page shows them, with the printer's dots per line: the previews draw this. `None` when there is no such
    /// job.
    pub async fn layout_da_impressao(&self, id: &str) -> Result<Option<(Impresso, u32)>, ImpressaoError> {
        let Some(impressao) = self.store.impressao(id).await? else {
            return Ok(None);
        };
        let posto = self.impressoras.posto(Some(&impressao.impressora))?;
        let perfil = posto
            .config
            .perfil()
            .ok_or_else(|| ImpressaoError::SemPerfil(posto.config.modelo.clone()))?;
        let pedido = PedidoImpressao {
            tipo: impressao.tipo,
            fatura_id: impressao.fatura_id,
            baixa_id: impressao.baixa_id,
            texto: impressao.texto,
            impressora: Some(impressao.impressora),
        };
        let impresso = self.impresso_do_pedido(&pedido, perfil.colunas).await?;
        let no_papel = escpos::como_no_papel(&impresso, perfil.pagina);
        Ok(Some((no_papel, u32::from(perfil.pontos_por_linha))))
    }

    /// The job with this id.
    pub async fn impressao(&self, id: &str) -> Result<Option<Impressao>, StoreError> {
        self.store.impressao(id).await
    }

    /// Every configured printer with what its worker last learned and its queue.
    /// How many print jobs there are in each status.
    pub async fn contar_impressoes(&self) -> Result<Vec<(StatusImpressao, u64)>, StoreError> {
        self.store.contar_impressoes().await
    }

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
            let perfil = self.posto.config.perfil().unwrap_or(PERFIS[3]);
            let mut marcado = marca_reimpressao(&perfil);
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
                        tracing::info!(impressora = nome, impressao.id = impressao.id.as_str(), "printed");
                    }
                    // The printer took every byte but cannot have printed them all: print it again, marked.
                    Some(impedimento) => {
                        tracing::warn!(
                            impressora = nome,
                            impressao.id = impressao.id.as_str(),
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
                tracing::warn!(impressora = nome, impressao.id = impressao.id.as_str(), %error, talvez_impresso = talvez, "a print job did not complete");
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

    #[test]
    fn the_reprint_mark_is_centred_bold_in_the_printers_code_page() {
        let pc860 = escpos::perfil("epson-tm-t20").unwrap();
        let marca = marca_reimpressao(pc860);
        assert!(
            marca.starts_with(&[0x1B, 0x40, 0x1B, 0x74, 3]),
            "initialised, PC860: {marca:02X?}"
        );
        assert!(marca.windows(3).any(|w| w == [0x1B, 0x61, 1]), "centred");
        assert!(marca.windows(3).any(|w| w == [0x1B, 0x45, 1]), "bold");
        assert!(
            marca.windows(15).any(|w| w == b"*** REIMPRESS\x8EO"),
            "Ã in PC860: {marca:02X?}"
        );
        let wpc1252 = pc860.com_pagina(escpos::PaginaDeCodigo::Wpc1252);
        let marca = marca_reimpressao(&wpc1252);
        assert!(marca.windows(3).any(|w| w == [0x1B, 0x74, 16]) && marca.contains(&0xC3));
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
