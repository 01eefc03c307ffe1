//! The baixa: a payment taken at the totem, and its life with the ERP as one
//! state machine.
//!
//! A baixa is recorded before the kiosk hears 202 and is then driven by the
//! sync worker through [`transicao`]: a pure function from a state and an
//! event (what the worker did or saw) to the next state, or a refusal when
//! the event cannot happen there. The store persists each transition (an
//! update that checks the state it starts from), the worker produces the
//! events, and nothing else changes a baixa's state. The invariants the
//! property tests below check over arbitrary event sequences:
//!
//! * a synced or reconciled baixa is never posted again (both are terminal);
//! * after an uncertain post, the next post comes only after the ERP was read
//!   and showed the fatura still open (unless the ERP deduplicates by itself);
//! * `falhou` is reached only by the ERP's refusal.
//!
//! This module also validates a payment as the kiosk reports it
//! ([`validar_pedido`], [`conferir_com_fatura`]): pure, the clock passed in.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::model::Fatura;
use crate::domain::money::Centavos;

/// How a fatura was paid at the totem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forma {
    Pix,
    Tef,
}

impl Forma {
    /// `pix` or `tef`, as the API and the ERP write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Forma::Pix => "pix",
            Forma::Tef => "tef",
        }
    }
}

/// The payment itself, as the PIX or TEF integration reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Transacao {
    Pix {
        /// End-to-end id of the PIX (`E` + ISPB + timestamp + sequence, 32 characters).
        e2e_id: String,
        txid: Option<String>,
    },
    Tef {
        nsu: String,
        autorizacao: String,
        bandeira: Option<String>,
        /// The customer's copy of the TEF receipt, line by line, printed verbatim.
        comprovante_cliente: Vec<String>,
        /// The merchant's copy of the TEF receipt, line by line, printed verbatim.
        comprovante_estabelecimento: Vec<String>,
    },
}

impl Transacao {
    /// The payment method this transaction is of.
    pub fn forma(&self) -> Forma {
        match self {
            Transacao::Pix { .. } => Forma::Pix,
            Transacao::Tef { .. } => Forma::Tef,
        }
    }

    /// What identifies the payment in the world: a PIX by its end-to-end id, a
    /// card payment by its NSU and authorisation code. One payment pays one
    /// fatura, so two live baixas never share it.
    pub fn identidade(&self) -> String {
        match self {
            Transacao::Pix { e2e_id, .. } => format!("pix:{e2e_id}"),
            Transacao::Tef { nsu, autorizacao, .. } => format!("tef:{nsu}:{autorizacao}"),
        }
    }
}

/// Where a baixa stands, as the API shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusBaixa {
    /// Durably recorded here; the ERP has not confirmed it yet.
    Pendente,
    /// The ERP booked it (or showed the fatura paid).
    Sincronizada,
    /// The ERP refused it; kept, waiting for an operator.
    Falhou,
}

impl StatusBaixa {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusBaixa::Pendente => "pendente",
            StatusBaixa::Sincronizada => "sincronizada",
            StatusBaixa::Falhou => "falhou",
        }
    }

    pub fn parse(text: &str) -> Option<StatusBaixa> {
        match text {
            "pendente" => Some(StatusBaixa::Pendente),
            "sincronizada" => Some(StatusBaixa::Sincronizada),
            "falhou" => Some(StatusBaixa::Falhou),
            _ => None,
        }
    }
}

/// The state of a baixa in its life with the ERP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Estado {
    /// To be posted: never posted, or the ERP showed nothing was booked.
    Pendente,
    /// A post was recorded as sent and its answer is not recorded yet. The
    /// store keeps it exactly like [`Estado::Incerta`]: after a crash, a post
    /// that was in flight is just as uncertain.
    Enviando,
    /// A post may have been booked (no answer, or one that does not say):
    /// the ERP must be read before posting again.
    Incerta,
    /// The ERP settles this payment through its own integration: borda only
    /// watches the fatura until the ERP shows it paid, and never posts.
    AguardandoErp,
    /// The ERP answered a post: booked. Terminal.
    Sincronizada,
    /// The ERP showed the fatura paid (after an uncertain post, or while
    /// watched). Terminal.
    Reconciliada,
    /// The ERP refused the post. Waits for an operator ([`Evento::Reenvio`]).
    Falhou,
}

impl Estado {
    /// The state of a baixa just taken.
    pub fn inicial(aguardar_erp: bool) -> Estado {
        if aguardar_erp {
            Estado::AguardandoErp
        } else {
            Estado::Pendente
        }
    }

    /// The status the API shows.
    pub fn status(self) -> StatusBaixa {
        match self {
            Estado::Pendente | Estado::Enviando | Estado::Incerta | Estado::AguardandoErp => StatusBaixa::Pendente,
            Estado::Sincronizada | Estado::Reconciliada => StatusBaixa::Sincronizada,
            Estado::Falhou => StatusBaixa::Falhou,
        }
    }

    /// Whether this baixa pays its fatura as far as the totem is concerned
    /// (pending or synced): such a fatura is never offered as open again.
    pub fn viva(self) -> bool {
        self != Estado::Falhou
    }

    /// Whether the sync worker still has work on it.
    pub fn em_aberto(self) -> bool {
        self.status() == StatusBaixa::Pendente
    }
}

/// What happened to a baixa: something the worker did, saw, or an operator asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Evento {
    /// The worker is about to post it. Recorded (and counted as an attempt)
    /// before anything is sent, so a crash mid-send leaves it uncertain.
    Envio,
    /// The ERP booked the post.
    Aceita,
    /// The ERP refused the post (a business refusal: nothing was booked).
    Recusada,
    /// The post certainly did not reach the ERP's books (no connection, rate
    /// limited, credentials refused).
    NaoEnviada,
    /// The post may have been booked (timeout after sending, reset, 5xx, 3xx,
    /// an unreadable answer).
    Incerta,
    /// The ERP was read and still lists the fatura as open.
    VistaEmAberto,
    /// The ERP was read and no longer lists the fatura as open.
    VistaQuitada,
    /// The ERP could not be read, or its answers disagree.
    LeituraFalhou,
    /// An operator asks for a refused baixa to be posted again.
    Reenvio,
}

/// What the worker must do next with a baixa.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passo {
    /// Post it ([`Evento::Envio`] first, then the answer's event).
    Postar,
    /// Read the fatura at the ERP (then `VistaEmAberto`, `VistaQuitada` or `LeituraFalhou`).
    LerErp,
    /// Nothing: it is settled, or waits for an operator.
    Nenhum,
}

/// How the ERP behaves, as far as the state machine cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Politica {
    /// The ERP deduplicates posts on our idempotency key, so an uncertain post
    /// may simply be sent again (`erp.idempotent`).
    pub erp_idempotente: bool,
}

/// An event that cannot happen in a state: a bug in the caller, or a stale
/// copy of the baixa. Nothing is changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("transição inválida da baixa: {evento:?} em {estado:?}")]
pub struct TransicaoInvalida {
    pub estado: Estado,
    pub evento: Evento,
}

/// What the worker must do with a baixa in `estado`.
pub fn passo(estado: Estado, politica: Politica) -> Passo {
    match estado {
        Estado::Pendente => Passo::Postar,
        Estado::Enviando | Estado::Incerta if politica.erp_idempotente => Passo::Postar,
        Estado::Enviando | Estado::Incerta | Estado::AguardandoErp => Passo::LerErp,
        Estado::Sincronizada | Estado::Reconciliada | Estado::Falhou => Passo::Nenhum,
    }
}

/// The state after `evento` in `estado`, or why it cannot happen.
pub fn transicao(estado: Estado, evento: Evento, politica: Politica) -> Result<Estado, TransicaoInvalida> {
    use Estado::{AguardandoErp, Enviando, Falhou, Incerta, Pendente, Reconciliada, Sincronizada};
    let proximo = match (estado, evento) {
        // A post goes out only when it is the step to take.
        (Pendente | Enviando | Incerta, Evento::Envio) if passo(estado, politica) == Passo::Postar => Enviando,
        // Answers arrive only for a post in flight.
        (Enviando, Evento::Aceita) => Sincronizada,
        (Enviando, Evento::Recusada) => Falhou,
        (Enviando, Evento::NaoEnviada) => Pendente,
        (Enviando, Evento::Incerta) => Incerta,
        // Reads settle an uncertain post, or a payment the ERP settles itself.
        (Enviando | Incerta, Evento::VistaEmAberto) => Pendente,
        (Enviando | Incerta | AguardandoErp, Evento::VistaQuitada) => Reconciliada,
        (Enviando | Incerta | AguardandoErp, Evento::LeituraFalhou) => estado,
        (AguardandoErp, Evento::VistaEmAberto) => AguardandoErp,
        (Falhou, Evento::Reenvio) => Pendente,
        _ => return Err(TransicaoInvalida { estado, evento }),
    };
    Ok(proximo)
}

/// A payment write-off: a fatura paid at the totem, to be told to the ERP
/// exactly once in effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baixa {
    /// Minted here (UUID v7); also sent to the ERP as the idempotency key.
    pub id: String,
    /// The client's `Idempotency-Key`.
    pub chave_idempotencia: String,
    pub fatura_id: String,
    /// The customer's CPF/CNPJ, normalised.
    pub documento: String,
    pub id_cliente: Option<String>,
    /// The fatura's payment identifier (carteira), which selects per-method settings.
    pub identifier: Option<String>,
    pub valor: Centavos,
    pub pago_em: DateTime<FixedOffset>,
    /// The payment; its variant is the method ([`Baixa::forma`]).
    pub transacao: Transacao,
    /// Where it stands with the ERP; changed only through [`transicao`].
    pub estado: Estado,
    /// How many posts were recorded as sent.
    pub tentativas: u32,
    pub ultimo_erro: Option<String>,
    /// The ERP's own answer to the last attempt, kept verbatim.
    pub resposta_erp: Option<String>,
    pub criada_em: DateTime<Utc>,
    pub proxima_tentativa: DateTime<Utc>,
    pub sincronizada_em: Option<DateTime<Utc>>,
}

/// A payment as the totem took it: what a new [`Baixa`] is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NovaBaixa {
    pub id: String,
    pub chave_idempotencia: String,
    pub fatura_id: String,
    pub documento: String,
    pub id_cliente: Option<String>,
    pub identifier: Option<String>,
    pub valor: Centavos,
    pub pago_em: DateTime<FixedOffset>,
    pub transacao: Transacao,
    pub aguardar_erp: bool,
}

impl Baixa {
    /// A baixa just taken: never attempted, due at `agora`.
    pub fn nova(nova: NovaBaixa, agora: DateTime<Utc>) -> Baixa {
        let NovaBaixa {
            id,
            chave_idempotencia,
            fatura_id,
            documento,
            id_cliente,
            identifier,
            valor,
            pago_em,
            transacao,
            aguardar_erp,
        } = nova;
        Baixa {
            id,
            chave_idempotencia,
            fatura_id,
            documento,
            id_cliente,
            identifier,
            valor,
            pago_em,
            transacao,
            estado: Estado::inicial(aguardar_erp),
            tentativas: 0,
            ultimo_erro: None,
            resposta_erp: None,
            criada_em: agora,
            proxima_tentativa: agora,
            sincronizada_em: None,
        }
    }

    /// The payment method.
    pub fn forma(&self) -> Forma {
        self.transacao.forma()
    }

    /// The status the API shows.
    pub fn status(&self) -> StatusBaixa {
        self.estado.status()
    }
}

/// A baixa as a fatura shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaixaResumo {
    pub id: String,
    pub status: StatusBaixa,
}

/// How far ahead of the totem's clock `pago_em` may be: the kiosk's and the
/// payment terminal's clocks disagree a little.
pub const TOLERANCIA_RELOGIO: Duration = Duration::minutes(5);

/// How long after the instant inside a PIX end-to-end id its `pago_em` may be
/// (the id is minted when the payer starts the PIX; settlement takes seconds).
pub const ATRASO_MAXIMO_PIX: Duration = Duration::hours(24);

/// Longest receipt, in lines, and longest receipt line.
const MAX_LINHAS_COMPROVANTE: usize = 200;
const MAX_LINHA_COMPROVANTE: usize = 200;

/// A payment as the kiosk reported it, fields as they came (trimmed by the
/// caller or not); [`validar_pedido`] makes a [`Pagamento`] of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PedidoBaixa {
    pub forma: String,
    pub valor: Centavos,
    pub pago_em: String,
    pub e2e_id: Option<String>,
    pub txid: Option<String>,
    pub nsu: Option<String>,
    pub autorizacao: Option<String>,
    pub bandeira: Option<String>,
    pub comprovante_cliente: Option<Vec<String>>,
    pub comprovante_estabelecimento: Option<Vec<String>>,
}

/// A validated payment, and the canonical text an idempotency key stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagamento {
    pub valor: Centavos,
    pub pago_em: DateTime<FixedOffset>,
    pub transacao: Transacao,
    /// The request in one canonical JSON text: the same payment gives the same text.
    pub canonico: String,
}

/// Why a reported payment cannot be recorded; `campo` names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{campo}: {motivo}")]
pub struct PedidoInvalido {
    pub campo: &'static str,
    pub motivo: String,
}

fn invalido(campo: &'static str, motivo: impl Into<String>) -> PedidoInvalido {
    PedidoInvalido {
        campo,
        motivo: motivo.into(),
    }
}

/// Checks a reported payment of fatura `fatura_id` on its own, at `agora`.
pub fn validar_pedido(fatura_id: &str, pedido: PedidoBaixa, agora: DateTime<Utc>) -> Result<Pagamento, PedidoInvalido> {
    let forma = match pedido.forma.trim() {
        "pix" => Forma::Pix,
        "tef" => Forma::Tef,
        other => {
            return Err(invalido(
                "forma",
                format!("use \"pix\" ou \"tef\", recebido \"{other}\""),
            ));
        }
    };
    if pedido.valor.get() <= 0 {
        return Err(invalido("valor", "deve ser maior que zero"));
    }
    let pago_em = DateTime::parse_from_rfc3339(pedido.pago_em.trim()).map_err(|_| {
        invalido(
            "pago_em",
            "use data e hora RFC 3339 com fuso, ex.: 2026-11-23T10:15:00-03:00",
        )
    })?;
    if pago_em.with_timezone(&Utc) > agora + TOLERANCIA_RELOGIO {
        return Err(invalido("pago_em", "está no futuro"));
    }
    let transacao = match forma {
        Forma::Pix => transacao_pix(&pedido, pago_em)?,
        Forma::Tef => transacao_tef(pedido.clone())?,
    };
    let canonico = json!({
        "fatura_id": fatura_id,
        "forma": forma.as_str(),
        "valor": pedido.valor.to_string(),
        "pago_em": pago_em.to_rfc3339(),
        "transacao": transacao,
    })
    .to_string();
    Ok(Pagamento {
        valor: pedido.valor,
        pago_em,
        transacao,
        canonico,
    })
}

/// Checks a payment against the fatura it pays: the amount (unless a
/// different one is allowed) and a `pago_em` not before the fatura existed.
pub fn conferir_com_fatura(
    pagamento: &Pagamento,
    fatura: &Fatura,
    permitir_valor_diferente: bool,
) -> Result<(), PedidoInvalido> {
    if pagamento.valor != fatura.valor_atual && !permitir_valor_diferente {
        return Err(invalido(
            "valor",
            format!(
                "{} difere do valor atual da fatura, {}",
                pagamento.valor, fatura.valor_atual
            ),
        ));
    }
    if let Some(emissao) = fatura.emissao {
        let dia_antes = emissao.pred_opt().unwrap_or(emissao);
        if pagamento.pago_em.date_naive() < dia_antes {
            return Err(invalido(
                "pago_em",
                format!("é anterior à emissão da fatura ({emissao})"),
            ));
        }
    }
    Ok(())
}

fn transacao_pix(pedido: &PedidoBaixa, pago_em: DateTime<FixedOffset>) -> Result<Transacao, PedidoInvalido> {
    if pedido.nsu.is_some() || pedido.autorizacao.is_some() || pedido.comprovante_cliente.is_some() {
        return Err(invalido(
            "transacao",
            "nsu, autorizacao e comprovantes são de TEF, não de PIX",
        ));
    }
    let e2e_id = pedido.e2e_id.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let Some(instante) = instante_e2e(&e2e_id) else {
        return Err(invalido(
            "transacao.e2e_id",
            "o identificador fim a fim do PIX tem 32 caracteres: E, o ISPB (8 dígitos), data e hora AAAAMMDDHHMM (UTC) e 11 letras ou dígitos",
        ));
    };
    let pago_utc = pago_em.with_timezone(&Utc);
    if pago_utc < instante - TOLERANCIA_RELOGIO || pago_utc > instante + ATRASO_MAXIMO_PIX {
        return Err(invalido(
            "pago_em",
            format!("não condiz com o instante do PIX no seu identificador fim a fim ({instante})"),
        ));
    }
    let txid = pedido
        .txid
        .as_deref()
        .map(str::trim)
        .filter(|txid| !txid.is_empty())
        .map(str::to_owned);
    if let Some(txid) = &txid
        && (txid.len() > 35 || !txid.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(invalido("transacao.txid", "até 35 letras ou dígitos"));
    }
    Ok(Transacao::Pix { e2e_id, txid })
}

/// The instant inside an end-to-end id: `E` + ISPB (8 digits) + `AAAAMMDDHHMM`
/// in UTC + 11 letters or digits (BCB, manual de padrões para iniciação do
/// PIX); `None` when the id is not of that form or its instant does not exist.
pub fn instante_e2e(id: &str) -> Option<DateTime<Utc>> {
    let bytes = id.as_bytes();
    let forma_ok = bytes.len() == 32
        && bytes.first() == Some(&b'E')
        && bytes.get(1..21)?.iter().all(u8::is_ascii_digit)
        && bytes.get(21..)?.iter().all(u8::is_ascii_alphanumeric);
    if !forma_ok {
        return None;
    }
    let instante = NaiveDateTime::parse_from_str(id.get(9..21)?, "%Y%m%d%H%M").ok()?;
    Some(instante.and_utc())
}

fn transacao_tef(pedido: PedidoBaixa) -> Result<Transacao, PedidoInvalido> {
    if pedido.e2e_id.is_some() {
        return Err(invalido("transacao.e2e_id", "é de PIX, não de TEF"));
    }
    let codigo = |campo: &'static str, valor: Option<String>| -> Result<String, PedidoInvalido> {
        let valor = valor.map(|valor| valor.trim().to_owned()).unwrap_or_default();
        if valor.is_empty() || valor.len() > 20 || !valor.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalido(campo, "de 1 a 20 letras ou dígitos"));
        }
        Ok(valor)
    };
    let nsu = codigo("transacao.nsu", pedido.nsu)?;
    let autorizacao = codigo("transacao.autorizacao", pedido.autorizacao)?;
    let bandeira = pedido
        .bandeira
        .map(|bandeira| bandeira.trim().to_owned())
        .filter(|b| !b.is_empty());
    if bandeira.as_ref().is_some_and(|bandeira| bandeira.chars().count() > 30) {
        return Err(invalido("transacao.bandeira", "no máximo 30 caracteres"));
    }
    let comprovante = |campo: &'static str, linhas: Option<Vec<String>>| -> Result<Vec<String>, PedidoInvalido> {
        let linhas = linhas.unwrap_or_default();
        let longa = linhas.iter().any(|linha| linha.chars().count() > MAX_LINHA_COMPROVANTE);
        let controle = linhas.iter().any(|linha| linha.chars().any(char::is_control));
        if linhas.len() > MAX_LINHAS_COMPROVANTE || longa || controle {
            return Err(invalido(
                campo,
                format!(
                    "até {MAX_LINHAS_COMPROVANTE} linhas de até {MAX_LINHA_COMPROVANTE} caracteres, sem caracteres de controle"
                ),
            ));
        }
        Ok(linhas)
    };
    Ok(Transacao::Tef {
        nsu,
        autorizacao,
        bandeira,
        comprovante_cliente: comprovante("transacao.comprovante_cliente", pedido.comprovante_cliente)?,
        comprovante_estabelecimento: comprovante(
            "transacao.comprovante_estabelecimento",
            pedido.comprovante_estabelecimento,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EVENTOS: [Evento; 9] = [
        Evento::Envio,
        Evento::Aceita,
        Evento::Recusada,
        Evento::NaoEnviada,
        Evento::Incerta,
        Evento::VistaEmAberto,
        Evento::VistaQuitada,
        Evento::LeituraFalhou,
        Evento::Reenvio,
    ];

    fn evento() -> impl Strategy<Value = Evento> {
        proptest::sample::select(EVENTOS.to_vec())
    }

    /// Applies every event that is valid where it arrives (invalid ones change nothing, as in the store) and
    /// returns the accepted (before, event, after) steps.
    fn percorrer(inicial: Estado, eventos: &[Evento], politica: Politica) -> Vec<(Estado, Evento, Estado)> {
        let mut estado = inicial;
        let mut passos = Vec::new();
        for &evento in eventos {
            if let Ok(depois) = transicao(estado, evento, politica) {
                passos.push((estado, evento, depois));
                estado = depois;
            }
        }
        passos
    }

    proptest! {
        #[test]
        fn sincronizada_ou_reconciliada_nunca_e_postada_de_novo(
            aguardar in any::<bool>(), idempotente in any::<bool>(), eventos in proptest::collection::vec(evento(), 0..60)
        ) {
            let politica = Politica { erp_idempotente: idempotente };
            let mut liquidada = false;
            for (antes, evento, depois) in percorrer(Estado::inicial(aguardar), &eventos, politica) {
                if liquidada {
                    prop_assert!(false, "{evento:?} aceito depois de liquidada ({antes:?} → {depois:?})");
                }
                liquidada = matches!(depois, Estado::Sincronizada | Estado::Reconciliada);
            }
        }

        #[test]
        fn depois_de_um_envio_incerto_so_se_posta_apos_ler_a_fatura_em_aberto(
            aguardar in any::<bool>(), eventos in proptest::collection::vec(evento(), 0..60)
        ) {
            let politica = Politica { erp_idempotente: false };
            // Whether the last post may have been booked and no read since showed the fatura open.
            let mut pode_ter_sido_lancada = false;
            for (_, evento, _) in percorrer(Estado::inicial(aguardar), &eventos, politica) {
                match evento {
                    Evento::Envio => {
                        prop_assert!(!pode_ter_sido_lancada, "postada de novo sem ler o ERP");
                        pode_ter_sido_lancada = true;
                    }
                    // Settled: the post was booked, refused, certainly not received, or read as not booked.
                    Evento::Aceita | Evento::Recusada | Evento::NaoEnviada | Evento::VistaEmAberto => {
                        pode_ter_sido_lancada = false;
                    }
                    _ => {}
                }
            }
        }

        #[test]
        fn falhou_so_por_recusa_do_erp(
            aguardar in any::<bool>(), idempotente in any::<bool>(), eventos in proptest::collection::vec(evento(), 0..60)
        ) {
            let politica = Politica { erp_idempotente: idempotente };
            for (_, evento, depois) in percorrer(Estado::inicial(aguardar), &eventos, politica) {
                if depois == Estado::Falhou {
                    prop_assert_eq!(evento, Evento::Recusada);
                }
            }
        }

        #[test]
        fn aguardando_o_erp_nunca_e_postada(idempotente in any::<bool>(), eventos in proptest::collection::vec(evento(), 0..60)) {
            let politica = Politica { erp_idempotente: idempotente };
            for (_, evento, _) in percorrer(Estado::AguardandoErp, &eventos, politica) {
                prop_assert_ne!(evento, Evento::Envio);
            }
        }

        #[test]
        fn o_passo_sugerido_e_sempre_uma_transicao_valida(
            aguardar in any::<bool>(), idempotente in any::<bool>(), eventos in proptest::collection::vec(evento(), 0..60)
        ) {
            let politica = Politica { erp_idempotente: idempotente };
            let passos = percorrer(Estado::inicial(aguardar), &eventos, politica);
            let estado = passos.last().map_or(Estado::inicial(aguardar), |&(_, _, depois)| depois);
            match passo(estado, politica) {
                Passo::Postar => prop_assert!(transicao(estado, Evento::Envio, politica).is_ok()),
                Passo::LerErp => {
                    for visto in [Evento::VistaEmAberto, Evento::VistaQuitada, Evento::LeituraFalhou] {
                        prop_assert!(transicao(estado, visto, politica).is_ok());
                    }
                }
                Passo::Nenhum => prop_assert!(!estado.em_aberto()),
            }
        }
    }

    #[test]
    fn um_envio_incerto_com_erp_idempotente_pode_ser_repetido() {
        let politica = Politica { erp_idempotente: true };
        let incerta = Estado::Incerta;
        assert_eq!(passo(incerta, politica), Passo::Postar);
        assert_eq!(transicao(incerta, Evento::Envio, politica), Ok(Estado::Enviando));
        assert!(transicao(incerta, Evento::Envio, Politica::default()).is_err());
    }

    #[test]
    fn o_status_da_api() {
        assert_eq!(Estado::AguardandoErp.status(), StatusBaixa::Pendente);
        assert_eq!(Estado::Reconciliada.status(), StatusBaixa::Sincronizada);
        assert!(!Estado::Falhou.viva());
        assert!(Estado::Incerta.viva());
    }

    fn agora() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T13:20:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn pedido_pix(e2e_id: &str, pago_em: &str) -> PedidoBaixa {
        PedidoBaixa {
            forma: "pix".into(),
            valor: Centavos::new(9990),
            pago_em: pago_em.into(),
            e2e_id: Some(e2e_id.into()),
            ..PedidoBaixa::default()
        }
    }

    #[test]
    fn identificadores_fim_a_fim() {
        assert_eq!(
            instante_e2e("E12345678202611231015abcdefGHIJK"),
            Some(
                DateTime::parse_from_rfc3339("2026-11-23T10:15:00Z")
                    .unwrap()
                    .with_timezone(&Utc)
            )
        );
        for id in [
            "E12345678202611231015abcdefGHIJ",
            "D12345678202611231015abcdefGHIJK",
            "E1234567820261123101Xabcdef-HIJK",
            "E12345678202613231015abcdefGHIJK",
            "",
        ] {
            assert_eq!(instante_e2e(id), None, "{id}");
        }
    }

    #[test]
    fn pago_em_condiz_com_o_pix() {
        let e2e = "E12345678202611231015abcdefGHIJK";
        assert!(validar_pedido("F1", pedido_pix(e2e, "2026-11-23T07:16:00-03:00"), agora()).is_ok());
        let cedo = validar_pedido("F1", pedido_pix(e2e, "2026-11-23T07:00:00-03:00"), agora()).unwrap_err();
        assert_eq!(cedo.campo, "pago_em");
        let antigo = "E12345678202610011015abcdefGHIJK";
        let tarde = validar_pedido("F1", pedido_pix(antigo, "2026-11-23T07:16:00-03:00"), agora()).unwrap_err();
        assert_eq!(tarde.campo, "pago_em");
        let futuro = validar_pedido("F1", pedido_pix(e2e, "2026-11-23T10:40:00-03:00"), agora()).unwrap_err();
        assert_eq!((futuro.campo, futuro.motivo.as_str()), ("pago_em", "está no futuro"));
    }

    #[test]
    fn a_mesma_transacao_tem_a_mesma_identidade() {
        let a = validar_pedido(
            "F1",
            pedido_pix("E12345678202611231015abcdefGHIJK", "2026-11-23T10:16:00-03:00"),
            agora(),
        )
        .unwrap();
        assert_eq!(a.transacao.identidade(), "pix:E12345678202611231015abcdefGHIJK");
        let tef = Transacao::Tef {
            nsu: "1".into(),
            autorizacao: "A".into(),
            bandeira: None,
            comprovante_cliente: vec![],
            comprovante_estabelecimento: vec![],
        };
        assert_eq!(tef.identidade(), "tef:1:A");
    }
}
