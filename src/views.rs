//! The JSON shapes of borda's public surface (`../shared/design/api.md`).
//!
//! The CLI's `--json` output and the HTTP API serialise exactly these, so a
//! kiosk developer sees one shape wherever a value comes from. Domain types
//! stay free of presentation choices (field names, `"1234.56"` strings,
//! `null` versus absent); this module makes them, in one place.

use chrono::NaiveDate;
use serde::Serialize;

use crate::boleto::{Boleto, Detalhe};
use crate::documento::{self, Documento};
use crate::money::Centavos;
use crate::pix::{self, BrCode};

/// `BoletoInfo`: a decoded, validated boleto.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BoletoInfo {
    /// `bancario` or `arrecadacao`.
    pub tipo: &'static str,
    /// The linha digitável, digits only (47 or 48).
    pub linha_digitavel: String,
    /// The linha as printed on paper.
    pub linha_formatada: String,
    /// The 44 digits the ITF barcode carries.
    pub codigo_barras: String,
    /// Bank code (bancário only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banco: Option<String>,
    /// Fator de vencimento as printed in the code (bancário only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fator_vencimento: Option<u16>,
    /// FEBRABAN segment digit (arrecadação only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segmento: Option<String>,
    /// The segment's name (arrecadação only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segmento_nome: Option<&'static str>,
    /// Amount; `null` when the code carries none and the payer types it.
    pub valor: Option<Centavos>,
    /// Due date; `null` when the code carries none.
    pub vencimento: Option<NaiveDate>,
}

impl From<&Boleto> for BoletoInfo {
    fn from(decoded: &Boleto) -> Self {
        let (tipo, banco, fator_vencimento, segmento, segmento_nome) = match &decoded.detalhe {
            Detalhe::Bancario { banco, fator, .. } => ("bancario", Some(banco.clone()), Some(*fator), None, None),
            Detalhe::Arrecadacao { segmento, .. } => (
                "arrecadacao",
                None,
                None,
                Some(segmento.codigo().to_string()),
                Some(segmento.nome()),
            ),
        };
        BoletoInfo {
            tipo,
            linha_digitavel: decoded.linha_digitavel.clone(),
            linha_formatada: decoded.linha_formatada(),
            codigo_barras: decoded.codigo_barras.clone(),
            banco,
            fator_vencimento,
            segmento,
            segmento_nome,
            valor: decoded.valor(),
            vencimento: decoded.vencimento(),
        }
    }
}

/// `BrCode`: a decoded, validated PIX payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrCodeInfo {
    /// `estatico` or `dinamico`.
    pub tipo: &'static str,
    pub chave: Option<String>,
    pub nome: String,
    pub cidade: String,
    pub valor: Option<Centavos>,
    /// `null` when absent or `***` (not used).
    pub txid: Option<String>,
    /// Location of a dynamic charge, without scheme.
    pub url: Option<String>,
    pub descricao: Option<String>,
    /// Pix Automático recurrence location (template 80), without scheme.
    pub recorrencia_url: Option<String>,
    /// ISPB of the Pix Saque/Troco facilitator.
    pub fss: Option<String>,
    pub cep: Option<String>,
    /// The payer may use the code only once (point of initiation `12`).
    pub uso_unico: bool,
    /// Deviations from the BCB manual that were tolerated on reading.
    pub avisos: Vec<String>,
}

impl From<&BrCode> for BrCodeInfo {
    fn from(code: &BrCode) -> Self {
        BrCodeInfo {
            tipo: match code.tipo {
                pix::Tipo::Estatico => "estatico",
                pix::Tipo::Dinamico => "dinamico",
            },
            chave: code.chave.clone(),
            nome: code.nome.clone(),
            cidade: code.cidade.clone(),
            valor: code.valor,
            txid: code.txid.clone(),
            url: code.url.clone(),
            descricao: code.descricao.clone(),
            recorrencia_url: code.recorrencia_url.clone(),
            fss: code.fss.clone(),
            cep: code.cep.clone(),
            uso_unico: code.uso_unico,
            avisos: code.avisos.clone(),
        }
    }
}

/// A validated CPF or CNPJ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentoInfo {
    /// `cpf` or `cnpj`.
    pub tipo: &'static str,
    /// Normalised: digits (and CNPJ letters), no punctuation.
    pub numero: String,
    pub formatado: String,
}

impl From<&Documento> for DocumentoInfo {
    fn from(documento: &Documento) -> Self {
        DocumentoInfo {
            tipo: match documento.tipo() {
                documento::Tipo::Cpf => "cpf",
                documento::Tipo::Cnpj => "cnpj",
            },
            numero: documento.numero().to_owned(),
            formatado: documento.formatado(),
        }
    }
}
