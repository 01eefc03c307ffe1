//! The JSON shapes of borda's public surface (the HTTP API and `--json`).
//!
//! The CLI's `--json` output and the HTTP API serialise exactly these, so a
//! kiosk developer sees one shape wherever a value comes from. Domain types
//! stay free of presentation choices (field names, `"1234.56"` strings,
//! `null` versus absent); this module makes them, in one place.

use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::baixa::{Baixa, BaixaResumo, Estado, Transacao};
use crate::domain::boleto::{Boleto, Detalhe};
use crate::domain::contato::Contato;
use crate::domain::documento::{self, Documento};
use crate::domain::listas::{Lancamento, NotaFiscal, Quitacao, Servico, quitacao_do_ano};
use crate::domain::model::{Cliente, Contrato, Endereco, Fatura};
use crate::domain::money::Centavos;
use crate::domain::pix::{self, BrCode};
use crate::service::{Answer, Origem};

/// `BoletoInfo`: a decoded, validated boleto.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
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
    #[schema(value_type = Option<String>, example = "99.90")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = BrCode)]
pub struct BrCodeInfo {
    /// `estatico` or `dinamico`.
    pub tipo: &'static str,
    pub chave: Option<String>,
    pub nome: String,
    pub cidade: String,
    #[schema(value_type = Option<String>, example = "10.00")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
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

/// `"upstream"` or `"cache"`, as the API writes an answer's origin.
pub fn origem_label(origem: Origem) -> &'static str {
    match origem {
        Origem::Upstream => "upstream",
        Origem::Fresh | Origem::Fallback => "cache",
    }
}

/// When data came from the ERP, in the kiosk's local offset.
fn local_instant(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&Local)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The freshness fields every cached body carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Freshness {
    /// `upstream` (fetched now) or `cache`.
    #[schema(example = "upstream")]
    pub origem: &'static str,
    /// RFC 3339 instant of the last fetch from the ERP.
    pub atualizado_em: String,
}

impl<T> From<&Answer<T>> for Freshness {
    fn from(answer: &Answer<T>) -> Self {
        Freshness {
            origem: origem_label(answer.origem),
            atualizado_em: local_instant(answer.atualizado_em),
        }
    }
}

/// The local payment of a fatura.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BaixaRef {
    pub id: String,
    /// `pendente`, `sincronizada` or `falhou`.
    pub status: String,
}

/// `Fatura`: an open invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Fatura)]
pub struct FaturaView {
    pub id: String,
    pub code_fatura: Option<String>,
    pub documento: String,
    pub nome_cliente: Option<String>,
    pub id_cliente: Option<String>,
    #[schema(value_type = Option<String>, example = "99.90")]
    pub valor_inicial: Option<Centavos>,
    /// What the customer pays today.
    #[schema(value_type = String, example = "101.40")]
    pub valor_atual: Centavos,
    #[schema(value_type = Option<String>)]
    pub juros: Option<Centavos>,
    #[schema(value_type = Option<String>)]
    pub multa: Option<Centavos>,
    #[schema(value_type = Option<String>)]
    pub desconto: Option<Centavos>,
    pub emissao: Option<NaiveDate>,
    pub vencimento: Option<NaiveDate>,
    pub historico: Option<String>,
    pub banco: Option<String>,
    /// Digits only, validated.
    pub linha_digitavel: Option<String>,
    /// The 44 digits of the ITF barcode.
    pub codigo_barras: Option<String>,
    /// PIX copia e cola, validated.
    pub pix_code: Option<String>,
    pub identifier: Option<String>,
    pub contrato: Option<String>,
    pub bill_receipt: Option<String>,
    pub bill_pix_receipt: Option<String>,
    pub link_boleto: Option<String>,
    /// The local payment of this fatura, if any.
    pub baixa: Option<BaixaRef>,
}

impl From<&(Fatura, Option<BaixaResumo>)> for FaturaView {
    fn from((fatura, baixa): &(Fatura, Option<BaixaResumo>)) -> Self {
        let fatura = fatura.clone();
        FaturaView {
            id: fatura.id,
            code_fatura: fatura.code_fatura,
            documento: fatura.documento,
            nome_cliente: fatura.nome_cliente,
            id_cliente: fatura.id_cliente,
            valor_inicial: fatura.valor_inicial,
            valor_atual: fatura.valor_atual,
            juros: fatura.juros,
            multa: fatura.multa,
            desconto: fatura.desconto,
            emissao: fatura.emissao,
            vencimento: fatura.vencimento,
            historico: fatura.historico,
            banco: fatura.banco,
            linha_digitavel: fatura.linha_digitavel,
            codigo_barras: fatura.codigo_barras,
            pix_code: fatura.pix_code,
            identifier: fatura.identifier,
            contrato: fatura.contrato,
            bill_receipt: fatura.bill_receipt,
            bill_pix_receipt: fatura.bill_pix_receipt,
            link_boleto: fatura.link_boleto,
            baixa: baixa.as_ref().map(|baixa| BaixaRef {
                id: baixa.id.clone(),
                status: baixa.status.as_str().to_owned(),
            }),
        }
    }
}

/// One fatura with its freshness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FaturaBody {
    #[serde(flatten)]
    pub fatura: FaturaView,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `GET /v1/clientes/{documento}/faturas`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FaturasBody {
    pub faturas: Vec<FaturaView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `Cliente`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Cliente)]
pub struct ClienteBody {
    pub documento: String,
    /// Customer id in the ERP.
    pub id: Option<String>,
    pub nome: String,
    pub nome_fantasia: Option<String>,
    pub ativo: Option<bool>,
    pub id_contrato: Option<String>,
    pub endereco: EnderecoView,
    pub email: Option<String>,
    pub telefone: Option<String>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// A postal address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Endereco)]
pub struct EnderecoView {
    pub logradouro: Option<String>,
    pub numero: Option<String>,
    pub complemento: Option<String>,
    pub bairro: Option<String>,
    pub cidade: Option<String>,
    pub uf: Option<String>,
    pub cep: Option<String>,
}

impl From<Endereco> for EnderecoView {
    fn from(endereco: Endereco) -> Self {
        EnderecoView {
            logradouro: endereco.logradouro,
            numero: endereco.numero,
            complemento: endereco.complemento,
            bairro: endereco.bairro,
            cidade: endereco.cidade,
            uf: endereco.uf,
            cep: endereco.cep,
        }
    }
}

impl From<&Answer<Cliente>> for ClienteBody {
    fn from(answer: &Answer<Cliente>) -> Self {
        let cliente = answer.valor.clone();
        ClienteBody {
            documento: cliente.documento,
            id: cliente.id,
            nome: cliente.nome,
            nome_fantasia: cliente.nome_fantasia,
            ativo: cliente.ativo,
            id_contrato: cliente.id_contrato,
            endereco: cliente.endereco.into(),
            email: cliente.email,
            telefone: cliente.telefone,
            freshness: answer.into(),
        }
    }
}

/// `Contrato`: a contract (installation) of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Contrato)]
pub struct ContratoView {
    /// The id that filters faturas (`?contrato=`).
    pub id: String,
    /// Installation address or contract name.
    pub nome: Option<String>,
}

impl From<&Contrato> for ContratoView {
    fn from(contrato: &Contrato) -> Self {
        ContratoView {
            id: contrato.id.clone(),
            nome: contrato.nome.clone(),
        }
    }
}

/// `Baixa`: a payment taken at the totem and its state with the ERP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Baixa)]
pub struct BaixaView {
    pub id: String,
    pub fatura_id: String,
    /// `pix` or `tef`.
    pub forma: &'static str,
    #[schema(value_type = String, example = "99.90")]
    pub valor: Centavos,
    /// RFC 3339, as the payment was reported.
    pub pago_em: String,
    pub transacao: TransacaoView,
    /// `pendente`, `sincronizada` or `falhou`.
    pub status: &'static str,
    /// How many times the ERP was asked.
    pub tentativas: u32,
    pub ultimo_erro: Option<String>,
    /// The ERP's own answer to the last attempt.
    pub resposta_erp: Option<String>,
    /// The PIX is settled by the ERP's own integration: borda watches the fatura instead of posting.
    pub aguardando_erp: bool,
    /// A post may have reached the ERP without a clear answer: the ERP is read before posting again.
    pub envio_incerto: bool,
    /// Synced by seeing the fatura paid at the ERP rather than by an answer to a post.
    pub reconciliada: bool,
    pub criada_em: String,
    /// When the next attempt is due (pending baixas).
    pub proxima_tentativa: Option<String>,
    pub sincronizada_em: Option<String>,
}

/// The payment's own data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TransacaoView {
    Pix {
        e2e_id: String,
        txid: Option<String>,
    },
    Tef {
        nsu: String,
        autorizacao: String,
        bandeira: Option<String>,
        comprovante_cliente: Vec<String>,
        comprovante_estabelecimento: Vec<String>,
    },
}

impl From<&Baixa> for BaixaView {
    fn from(baixa: &Baixa) -> Self {
        let transacao = match baixa.transacao.clone() {
            Transacao::Pix { e2e_id, txid } => TransacaoView::Pix { e2e_id, txid },
            Transacao::Tef {
                nsu,
                autorizacao,
                bandeira,
                comprovante_cliente,
                comprovante_estabelecimento,
            } => TransacaoView::Tef {
                nsu,
                autorizacao,
                bandeira,
                comprovante_cliente,
                comprovante_estabelecimento,
            },
        };
        let pendente = baixa.estado.em_aberto();
        BaixaView {
            id: baixa.id.clone(),
            fatura_id: baixa.fatura_id.clone(),
            forma: baixa.forma().as_str(),
            valor: baixa.valor,
            pago_em: baixa.pago_em.to_rfc3339(),
            transacao,
            status: baixa.status().as_str(),
            tentativas: baixa.tentativas,
            ultimo_erro: baixa.ultimo_erro.clone(),
            resposta_erp: baixa.resposta_erp.clone(),
            aguardando_erp: baixa.estado == Estado::AguardandoErp,
            envio_incerto: matches!(baixa.estado, Estado::Enviando | Estado::Incerta),
            reconciliada: baixa.estado == Estado::Reconciliada,
            criada_em: local_instant(baixa.criada_em),
            proxima_tentativa: pendente.then(|| local_instant(baixa.proxima_tentativa)),
            sincronizada_em: baixa.sincronizada_em.map(local_instant),
        }
    }
}

/// `Servico`: a service (plan, installation) of the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Servico)]
pub struct ServicoView {
    /// The ERP's id: the `id_servico` of `POST /v1/clientes/{documento}/desbloqueio`.
    pub id: String,
    pub nome: Option<String>,
    /// The status as the ERP writes it (`ativo`, `Suspenso`…).
    pub situacao: Option<String>,
    /// Blocked or suspended by the ERP's words (bloqueado, suspenso, velocidade reduzida…, in any case or accent):
    /// what the desbloqueio de confiança is for.
    pub bloqueado: bool,
    /// Monthly value.
    #[schema(value_type = Option<String>, example = "99.90")]
    pub valor: Option<Centavos>,
    /// The plan's number or code in the ERP.
    pub plano: Option<String>,
    /// Where it is installed.
    pub endereco: Option<String>,
}

impl From<&Servico> for ServicoView {
    fn from(servico: &Servico) -> Self {
        ServicoView {
            id: servico.id.clone(),
            nome: servico.nome.clone(),
            situacao: servico.situacao.clone(),
            bloqueado: servico.bloqueado(),
            valor: servico.valor,
            plano: servico.plano.clone(),
            endereco: servico.endereco.clone(),
        }
    }
}

/// `GET /v1/clientes/{documento}/servicos`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ServicosBody {
    pub servicos: Vec<ServicoView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `NotaFiscal`: a nota fiscal of the customer. Its PDF is `GET /v1/notas-fiscais/{id}.pdf` when `tem_pdf`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = NotaFiscal)]
pub struct NotaFiscalView {
    pub id: String,
    pub numero: Option<String>,
    pub emissao: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "99.90")]
    pub valor: Option<Centavos>,
    /// Whether borda can fetch its PDF from the ERP's link.
    pub tem_pdf: bool,
    /// The ERP's type of note.
    pub tipo: Option<String>,
    /// The tax authority's protocol.
    pub protocolo: Option<String>,
    /// The ERP's description of the note.
    pub identificacao: Option<String>,
}

impl From<&NotaFiscal> for NotaFiscalView {
    fn from(nota: &NotaFiscal) -> Self {
        NotaFiscalView {
            id: nota.id.clone(),
            numero: nota.numero.clone(),
            emissao: nota.emissao,
            valor: nota.valor,
            tem_pdf: nota.url.is_some(),
            tipo: nota.tipo.clone(),
            protocolo: nota.protocolo.clone(),
            identificacao: nota.identificacao.clone(),
        }
    }
}

/// `GET /v1/clientes/{documento}/notas-fiscais`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct NotasFiscaisBody {
    pub notas_fiscais: Vec<NotaFiscalView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `Contato`: a contact of the customer, masked. Never the address or number in clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Contato)]
pub struct ContatoView {
    /// Opaque id of this contact for this customer, to name it back (`contato_id`); reveals nothing of it.
    #[schema(example = "3f9a1c0b7d2e4a6f8b1c")]
    pub id: String,
    /// `email` or `telefone`.
    #[schema(example = "email")]
    pub tipo: &'static str,
    /// The contact masked for display: `f***@provedor.com.br`, `(19) *****-4321`.
    #[schema(example = "f***@provedor.com.br")]
    pub exibicao: String,
}

impl From<&(String, Contato)> for ContatoView {
    fn from((id, contato): &(String, Contato)) -> Self {
        ContatoView {
            id: id.clone(),
            tipo: contato.tipo.nome(),
            exibicao: contato.exibicao(),
        }
    }
}

/// `GET /v1/clientes/{documento}/contatos`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContatosBody {
    pub contatos: Vec<ContatoView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `Lancamento`: a line of the customer's statement: one fatura and what was paid of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Lancamento)]
pub struct LancamentoView {
    pub id_fatura: String,
    /// When it was entered.
    pub data_lancamento: Option<NaiveDate>,
    pub vencimento: Option<NaiveDate>,
    /// When it was paid; `null` while open.
    pub data_pagamento: Option<NaiveDate>,
    pub historico: Option<String>,
    /// The fatura's value.
    #[schema(value_type = Option<String>, example = "99.90")]
    pub valor_fatura: Option<Centavos>,
    /// What was received.
    #[schema(value_type = Option<String>, example = "99.90")]
    pub valor_pago: Option<Centavos>,
    /// How it is charged.
    pub cobranca: Option<String>,
}

impl From<&Lancamento> for LancamentoView {
    fn from(linha: &Lancamento) -> Self {
        LancamentoView {
            id_fatura: linha.id_fatura.clone(),
            data_lancamento: linha.lancamento,
            vencimento: linha.vencimento,
            data_pagamento: linha.pagamento,
            historico: linha.historico.clone(),
            valor_fatura: linha.valor_fatura,
            valor_pago: linha.valor_pago,
            cobranca: linha.cobranca.clone(),
        }
    }
}

/// `GET /v1/clientes/{documento}/extratos`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExtratosBody {
    pub extratos: Vec<LancamentoView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// `Quitacao`: a yearly declaração de quitação de débitos. Its PDF is
/// `GET /v1/clientes/{documento}/quitacao.pdf?ano=` when `tem_pdf`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Quitacao)]
pub struct QuitacaoView {
    /// The ERP's id.
    pub id: Option<String>,
    pub ano: u16,
    /// The total paid that year.
    #[schema(value_type = Option<String>, example = "1198.80")]
    pub valor: Option<Centavos>,
    /// The declaration's text, when the ERP sends one.
    pub texto: Option<String>,
    pub tem_pdf: bool,
}

impl From<&Quitacao> for QuitacaoView {
    fn from(quitacao: &Quitacao) -> Self {
        QuitacaoView {
            id: quitacao.id.clone(),
            ano: quitacao.ano,
            valor: quitacao.valor,
            texto: quitacao.texto.clone(),
            tem_pdf: quitacao.url.is_some(),
        }
    }
}

/// `GET /v1/clientes/{documento}/quitacao`: the newest declaration's `ano`, `texto` and `tem_pdf` (what
/// `quitacao.pdf` gives without `?ano=`; `null`, `null`, `false` when there is none), and every year's in
/// `quitacoes`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct QuitacaoBody {
    pub ano: Option<u16>,
    pub texto: Option<String>,
    pub tem_pdf: bool,
    pub quitacoes: Vec<QuitacaoView>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

impl From<&Answer<Vec<Quitacao>>> for QuitacaoBody {
    fn from(answer: &Answer<Vec<Quitacao>>) -> Self {
        let recente = quitacao_do_ano(&answer.valor, None);
        QuitacaoBody {
            ano: recente.map(|q| q.ano),
            texto: recente.and_then(|q| q.texto.clone()),
            tem_pdf: recente.is_some_and(|q| q.url.is_some()),
            quitacoes: answer.valor.iter().map(QuitacaoView::from).collect(),
            freshness: answer.into(),
        }
    }
}
