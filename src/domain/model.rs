//! The ERP's nouns as borda understands them, whatever their wire form.
//!
//! `erp` builds these from either generation of the ERP contract; `store`
//! keeps them; `views` shows them. The payment taken at the totem, and its life
//! with the ERP, is [`crate::domain::baixa`]. Amounts are [`Centavos`], dates plain
//! [`NaiveDate`]s, documents normalised; nothing here knows a wire name.

use chrono::NaiveDate;
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
