//! The ERP's nouns as borda understands them, whatever their wire form.
//!
//! `erp` builds these from either generation of the ERP contract; `store`
//! keeps them; `views` shows them. Amounts are [`Centavos`], dates plain
//! [`NaiveDate`]s, documents normalised; nothing here knows a wire name.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::money::Centavos;

/// A customer of the ISP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cliente {
    /// CPF or CNPJ, normalised.
    pub documento: String,
    /// Customer id in the ERP (`id_remoto` / `id_cliente`).
    pub id: Option<String>,
    /// Name or razão social.
    pub nome: String,
    pub nome_fantasia: Option<String>,
    pub ativo: Option<bool>,
    pub id_contrato: Option<String>,
    pub endereco: Endereco,
    pub email: Option<String>,
    pub telefone: Option<String>,
}

/// A postal address; every part optional because ERPs fill what they have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endereco {
    pub logradouro: Option<String>,
    pub numero: Option<String>,
    pub complemento: Option<String>,
    pub bairro: Option<String>,
    pub cidade: Option<String>,
    pub uf: Option<String>,
    pub cep: Option<String>,
}

/// An open invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fatura {
    /// The ERP's id, used to fetch the invoice and to post its baixa.
    pub id: String,
    pub code_fatura: Option<String>,
    /// The customer's CPF/CNPJ, normalised.
    pub documento: String,
    pub nome_cliente: Option<String>,
    /// Customer id in the ERP.
    pub id_cliente: Option<String>,
    pub valor_inicial: Option<Centavos>,
    /// What the customer pays today.
    pub valor_atual: Centavos,
    pub juros: Option<Centavos>,
    pub multa: Option<Centavos>,
    pub desconto: Option<Centavos>,
    pub emissao: Option<NaiveDate>,
    pub vencimento: Option<NaiveDate>,
    pub historico: Option<String>,
    pub banco: Option<String>,
    /// Validated linha digitável, digits only.
    pub linha_digitavel: Option<String>,
    /// The 44 digits derived from the linha.
    pub codigo_barras: Option<String>,
    /// Validated PIX copia-e-cola.
    pub pix_code: Option<String>,
    pub identifier: Option<String>,
    pub integration_id: Option<String>,
    pub contrato: Option<String>,
    /// Receipt header the ERP wrote for card (TEF) payments.
    pub bill_receipt: Option<String>,
    /// Receipt header the ERP wrote for PIX payments.
    pub bill_pix_receipt: Option<String>,
    pub link_boleto: Option<String>,
}

/// Puts faturas in the order a customer reads them: by due date, the ones
/// without one last, then by id. Every list borda answers is in this order,
/// whether it came from the ERP or from the cache.
pub fn ordenar(faturas: &mut [Fatura]) {
    faturas.sort_by(ordem);
}

/// The order of [`ordenar`].
pub fn ordem(a: &Fatura, b: &Fatura) -> std::cmp::Ordering {
    (a.vencimento.is_none(), a.vencimento, &a.id).cmp(&(b.vencimento.is_none(), b.vencimento, &b.id))
}
/// A contract (installation) of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contrato {
    /// Contract id, the filter of faturas.
    pub id: String,
    /// Installation address or contract name.
    pub nome: Option<String>,
}

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
}

/// Where a baixa stands with the ERP.
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

/// A payment write-off: a fatura paid at the totem, to be told to the ERP
/// exactly once in effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub status: StatusBaixa,
    /// The ERP settles this payment by itself (its own PIX integration): borda
    /// only watches the fatura until the ERP shows it paid, and never posts.
    pub aguardar_erp: bool,
    /// How many times the ERP was asked.
    pub tentativas: u32,
    pub ultimo_erro: Option<String>,
    /// The ERP's own answer to the last attempt, kept verbatim.
    pub resposta_erp: Option<String>,
    /// An attempt may have reached the ERP without an answer: check the fatura
    /// before sending again.
    pub envio_incerto: bool,
    /// Synced by observing the fatura closed rather than by an answer to a post.
    pub reconciliada: bool,
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
    /// A baixa just taken: pending, never attempted, due at `agora`.
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
            status: StatusBaixa::Pendente,
            aguardar_erp,
            tentativas: 0,
            ultimo_erro: None,
            resposta_erp: None,
            envio_incerto: false,
            reconciliada: false,
            criada_em: agora,
            proxima_tentativa: agora,
            sincronizada_em: None,
        }
    }

    /// The payment method.
    pub fn forma(&self) -> Forma {
        self.transacao.forma()
    }
}

/// A baixa as a fatura shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaixaResumo {
    pub id: String,
    pub status: StatusBaixa,
}
