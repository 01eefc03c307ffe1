//! Reading back what the API wrote: a `Fatura` and a `Baixa` as JSON, exactly as `GET /v1/faturas/{id}` and
//! `GET /v1/baixas/{id}` answer them ([`FaturaView`](super::views::FaturaView),
//! [`BaixaView`](super::views::BaixaView)), into the domain types, for `borda render`.
//!
//! The domain stays free of the API's serde: [`FaturaJson`] and [`BaixaJson`] mirror the views, and the conversion
//! validates as the ERP adapter does (documento normalised, linha digitável and barcode checked and agreeing, PIX
//! BR Code decoded, money through [`Centavos::from_json`], never a float). Every error names its field, by its
//! path (`transacao.e2e_id`). Fields the views add later, and the freshness fields of a single fatura's body
//! (`origem`, `atualizado_em`), are ignored.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::baixa::{Baixa, Estado, Forma, NovaBaixa, Transacao};
use crate::domain::model::Fatura;
use crate::domain::money::Centavos;
use crate::domain::{boleto, documento, pix};
use crate::edges::json::ErroDeCampo;

/// Why a JSON text is not a fatura or a baixa.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErroLeitura {
    /// Not JSON at all.
    #[error("não é JSON válido (linha {linha}, coluna {coluna}): {motivo}")]
    Json {
        linha: usize,
        coluna: usize,
        motivo: String,
    },
    /// A field is missing, of the wrong type or invalid; `campo` is its path.
    #[error("campo {campo}: {motivo}")]
    Campo { campo: String, motivo: String },
}

impl ErroLeitura {
    /// The field this error is about (`None` for a syntax error).
    pub fn campo(&self) -> Option<&str> {
        match self {
            ErroLeitura::Json { .. } => None,
            ErroLeitura::Campo { campo, .. } => Some(campo),
        }
    }
}

fn campo(campo: impl Into<String>, motivo: impl Into<String>) -> ErroLeitura {
    ErroLeitura::Campo {
        campo: campo.into(),
        motivo: motivo.into(),
    }
}

/// A `Fatura` as the API writes it.
#[derive(Clone, Debug, Deserialize)]
pub struct FaturaJson {
    pub id: String,
    pub code_fatura: Option<String>,
    pub documento: String,
    pub nome_cliente: Option<String>,
    pub id_cliente: Option<String>,
    /// Money as the JSON wrote it (`"99.90"` or `99.90`), read by [`Centavos::from_json`].
    pub valor_inicial: Option<Value>,
    pub valor_atual: Value,
    pub juros: Option<Value>,
    pub multa: Option<Value>,
    pub desconto: Option<Value>,
    pub emissao: Option<NaiveDate>,
    pub vencimento: Option<NaiveDate>,
    pub historico: Option<String>,
    pub banco: Option<String>,
    pub linha_digitavel: Option<String>,
    pub codigo_barras: Option<String>,
    pub pix_code: Option<String>,
    pub identifier: Option<String>,
    pub contrato: Option<String>,
    pub bill_receipt: Option<String>,
    pub bill_pix_receipt: Option<String>,
    pub link_boleto: Option<String>,
}

/// A `Baixa` as the API writes it.
#[derive(Clone, Debug, Deserialize)]
pub struct BaixaJson {
    pub id: String,
    pub fatura_id: String,
    /// `pix` or `tef`.
    pub forma: String,
    pub valor: Value,
    /// RFC 3339.
    pub pago_em: String,
    pub transacao: TransacaoJson,
    /// `pendente`, `sincronizada` or `falhou`.
    pub status: String,
    #[serde(default)]
    pub tentativas: u32,
    pub ultimo_erro: Option<String>,
    pub resposta_erp: Option<String>,
    #[serde(default)]
    pub aguardando_erp: bool,
    #[serde(default)]
    pub envio_incerto: bool,
    #[serde(default)]
    pub reconciliada: bool,
    pub criada_em: Option<String>,
    pub proxima_tentativa: Option<String>,
    pub sincronizada_em: Option<String>,
}

/// The payment's own data: `e2e_id` (and `txid`) for PIX; `nsu`, `autorizacao`, `bandeira` and the slips for TEF.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TransacaoJson {
    pub e2e_id: Option<String>,
    pub txid: Option<String>,
    pub nsu: Option<String>,
    pub autorizacao: Option<String>,
    pub bandeira: Option<String>,
    pub comprovante_cliente: Option<Vec<String>>,
    pub comprovante_estabelecimento: Option<Vec<String>>,
}

/// Parses `texto` as JSON (numbers keep their text) and deserialises it as `T`, naming the path of a bad field.
fn ler<T: for<'de> Deserialize<'de>>(texto: &str, o_que: &str) -> Result<T, ErroLeitura> {
    let valor: Value = serde_json::from_str(texto).map_err(|error| ErroLeitura::Json {
        linha: error.line(),
        coluna: error.column(),
        motivo: error.to_string(),
    })?;
    let Value::Object(objeto) = &valor else {
        return Err(campo("(raiz)", format!("esperado um objeto JSON com uma {o_que}")));
    };
    if !objeto.contains_key("id") {
        for lista in ["faturas", "baixas"] {
            if objeto.get(lista).is_some_and(Value::is_array) {
                return Err(campo(
                    lista,
                    format!("o arquivo tem uma lista; passe uma só {o_que}, como GET /v1/{lista}/{{id}} responde"),
                ));
            }
        }
    }
    serde_path_to_error::deserialize(valor).map_err(|error| {
        let caminho = error.path().to_string();
        let erro = ErroDeCampo::de_serde(&caminho, &error.into_inner().to_string());
        campo(erro.campo.as_deref().unwrap_or("(raiz)"), erro.motivo())
    })
}

/// A fatura from the JSON the API answers for it (`FaturaView`, alone or with its freshness fields).
pub fn ler_fatura(texto: &str, hoje: NaiveDate) -> Result<Fatura, ErroLeitura> {
    let json: FaturaJson = ler(texto, "fatura")?;
    json.validar(hoje)
}

/// A baixa of `fatura` from the JSON the API answers for it (`BaixaView`).
pub fn ler_baixa(texto: &str, fatura: &Fatura) -> Result<Baixa, ErroLeitura> {
    let json: BaixaJson = ler(texto, "baixa")?;
    json.validar(fatura)
}

fn dinheiro(nome: &str, valor: &Value) -> Result<Centavos, ErroLeitura> {
    Centavos::from_json(valor).map_err(|error| campo(nome, error.to_string()))
}

fn dinheiro_opcional(nome: &str, valor: Option<&Value>) -> Result<Option<Centavos>, ErroLeitura> {
    valor.map(|valor| dinheiro(nome, valor)).transpose()
}

/// `Some` of a text that is not blank, trimmed.
fn presente(texto: Option<String>) -> Option<String> {
    texto.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn obrigatorio(nome: &str, texto: &str) -> Result<String, ErroLeitura> {
    let texto = texto.trim();
    if texto.is_empty() {
        return Err(campo(nome, "não pode ser vazio"));
    }
    Ok(texto.to_owned())
}

impl FaturaJson {
    /// The domain's fatura: validated as the ERP adapter validates what it reads. `hoje` is the reference date of
    /// the fator de vencimento (it picks the cycle; it does not decide validity).
    pub fn validar(self, hoje: NaiveDate) -> Result<Fatura, ErroLeitura> {
        let id = obrigatorio("id", &self.id)?;
        let documento = documento::parse(&self.documento)
            .map_err(|error| campo("documento", error.to_string()))?
            .numero()
            .to_owned();
        let (linha_digitavel, codigo_barras) = boleto_da_fatura(self.linha_digitavel, self.codigo_barras, hoje)?;
        let pix_code = match presente(self.pix_code) {
            Some(code) => {
                pix::decode(&code).map_err(|error| campo("pix_code", error.to_string()))?;
                Some(code)
            }
            None => None,
        };
        Ok(Fatura {
            id,
            code_fatura: presente(self.code_fatura),
            documento,
            nome_cliente: self.nome_cliente,
            id_cliente: presente(self.id_cliente),
            valor_inicial: dinheiro_opcional("valor_inicial", self.valor_inicial.as_ref())?,
            valor_atual: dinheiro("valor_atual", &self.valor_atual)?,
            juros: dinheiro_opcional("juros", self.juros.as_ref())?,
            multa: dinheiro_opcional("multa", self.multa.as_ref())?,
            desconto: dinheiro_opcional("desconto", self.desconto.as_ref())?,
            emissao: self.emissao,
            vencimento: self.vencimento,
            historico: self.historico,
            banco: self.banco,
            linha_digitavel,
            codigo_barras,
            pix_code,
            identifier: presente(self.identifier),
            integration_id: None,
            contrato: presente(self.contrato),
            bill_receipt: self.bill_receipt,
            bill_pix_receipt: self.bill_pix_receipt,
            link_boleto: presente(self.link_boleto),
        })
    }
}

/// The linha (digits) and the 44-digit barcode, validated and agreeing. Either alone is enough: the other is
/// derived from it.
fn boleto_da_fatura(
    linha: Option<String>,
    barras: Option<String>,
    hoje: NaiveDate,
) -> Result<(Option<String>, Option<String>), ErroLeitura> {
    let linha = presente(linha)
        .map(|linha| boleto::decode(&linha, hoje).map_err(|error| campo("linha_digitavel", error.to_string())))
        .transpose()?;
    let barras = presente(barras)
        .map(|barras| boleto::decode(&barras, hoje).map_err(|error| campo("codigo_barras", error.to_string())))
        .transpose()?;
    match (linha, barras) {
        (Some(linha), Some(barras)) if linha.codigo_barras != barras.codigo_barras => Err(campo(
            "codigo_barras",
            format!("não corresponde à linha_digitavel (a linha dá {})", linha.codigo_barras),
        )),
        (Some(boleto), _) | (None, Some(boleto)) => Ok((Some(boleto.linha_digitavel), Some(boleto.codigo_barras))),
        (None, None) => Ok((None, None)),
    }
}

fn instante(nome: &str, texto: &str) -> Result<DateTime<FixedOffset>, ErroLeitura> {
    DateTime::parse_from_rfc3339(texto.trim()).map_err(|_| {
        campo(
            nome,
            format!("\"{texto}\" não é data e hora RFC 3339 com fuso (ex.: 2026-11-23T14:30:05-03:00)"),
        )
    })
}

fn instante_opcional(nome: &str, texto: Option<&str>) -> Result<Option<DateTime<Utc>>, ErroLeitura> {
    texto
        .map(|texto| instante(nome, texto).map(|i| i.with_timezone(&Utc)))
        .transpose()
}

impl BaixaJson {
    /// The domain's baixa of `fatura`. What the view does not carry is taken from the fatura (documento, customer,
    /// identifier) or from the baixa itself (its id stands for the idempotency key); the state is the one the
    /// view's `status` and flags describe.
    pub fn validar(self, fatura: &Fatura) -> Result<Baixa, ErroLeitura> {
        let id = obrigatorio("id", &self.id)?;
        let fatura_id = obrigatorio("fatura_id", &self.fatura_id)?;
        if fatura_id != fatura.id {
            return Err(campo(
                "fatura_id",
                format!("a baixa é da fatura {fatura_id}, não da fatura {}", fatura.id),
            ));
        }
        let valor = dinheiro("valor", &self.valor)?;
        if valor.is_zero() {
            return Err(campo("valor", "deve ser maior que zero"));
        }
        let pago_em = instante("pago_em", &self.pago_em)?;
        let forma = match self.forma.trim() {
            "pix" => Forma::Pix,
            "tef" => Forma::Tef,
            outra => return Err(campo("forma", format!("use \"pix\" ou \"tef\", recebido \"{outra}\""))),
        };
        let transacao = transacao(forma, self.transacao)?;
        let estado = match (
            self.status.trim(),
            self.reconciliada,
            self.aguardando_erp,
            self.envio_incerto,
        ) {
            ("sincronizada", true, _, _) => Estado::Reconciliada,
            ("sincronizada", false, _, _) => Estado::Sincronizada,
            ("falhou", _, _, _) => Estado::Falhou,
            ("pendente", _, true, _) => Estado::AguardandoErp,
            ("pendente", _, false, true) => Estado::Incerta,
            ("pendente", _, false, false) => Estado::Pendente,
            (outro, ..) => {
                return Err(campo(
                    "status",
                    format!("use \"pendente\", \"sincronizada\" ou \"falhou\", recebido \"{outro}\""),
                ));
            }
        };
        let criada_em =
            instante_opcional("criada_em", self.criada_em.as_deref())?.unwrap_or_else(|| pago_em.with_timezone(&Utc));
        let proxima_tentativa = instante_opcional("proxima_tentativa", self.proxima_tentativa.as_deref())?;
        let sincronizada_em = instante_opcional("sincronizada_em", self.sincronizada_em.as_deref())?;
        let mut baixa = Baixa::nova(
            NovaBaixa {
                chave_idempotencia: id.clone(),
                id,
                fatura_id,
                documento: fatura.documento.clone(),
                id_cliente: fatura.id_cliente.clone(),
                identifier: fatura.identifier.clone(),
                valor,
                pago_em,
                transacao,
                aguardar_erp: estado == Estado::AguardandoErp,
            },
            criada_em,
        );
        baixa.estado = estado;
        baixa.tentativas = self.tentativas;
        baixa.ultimo_erro = self.ultimo_erro;
        baixa.resposta_erp = self.resposta_erp;
        baixa.proxima_tentativa = proxima_tentativa.unwrap_or(criada_em);
        baixa.sincronizada_em = sincronizada_em;
        Ok(baixa)
    }
}

fn transacao(forma: Forma, json: TransacaoJson) -> Result<Transacao, ErroLeitura> {
    let exigido = |nome: &str, valor: Option<String>| {
        presente(valor).ok_or_else(|| {
            campo(
                format!("transacao.{nome}"),
                format!("obrigatório numa baixa {}", forma.as_str()),
            )
        })
    };
    Ok(match forma {
        Forma::Pix => Transacao::Pix {
            e2e_id: exigido("e2e_id", json.e2e_id)?,
            txid: presente(json.txid),
        },
        Forma::Tef => Transacao::Tef {
            nsu: exigido("nsu", json.nsu)?,
            autorizacao: exigido("autorizacao", json.autorizacao)?,
            bandeira: presente(json.bandeira),
            comprovante_cliente: json.comprovante_cliente.unwrap_or_default(),
            comprovante_estabelecimento: json.comprovante_estabelecimento.unwrap_or_default(),
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::impressao::exemplos;
    use crate::edges::views::{BaixaView, FaturaView};

    fn hoje() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn fatura_json() -> Value {
        serde_json::to_value(FaturaView::from(&(exemplos::fatura(), None))).unwrap()
    }

    fn baixa_json(baixa: &Baixa) -> Value {
        serde_json::to_value(BaixaView::from(baixa)).unwrap()
    }

    #[test]
    fn a_fatura_round_trips_through_its_view() {
        let lida = ler_fatura(&fatura_json().to_string(), hoje()).unwrap();
        assert_eq!(lida, exemplos::fatura());
    }

    #[test]
    fn the_freshness_fields_and_the_baixa_ref_are_ignored() {
        let mut json = fatura_json();
        json["origem"] = json!("cache");
        json["atualizado_em"] = json!("2026-11-23T14:30:05-03:00");
        json["baixa"] = json!({"id": "b1", "status": "pendente"});
        assert_eq!(ler_fatura(&json.to_string(), hoje()).unwrap(), exemplos::fatura());
    }

    #[test]
    fn baixas_round_trip_in_every_state() {
        let fatura = exemplos::fatura();
        for estado in [
            Estado::Pendente,
            Estado::Incerta,
            Estado::AguardandoErp,
            Estado::Sincronizada,
            Estado::Reconciliada,
            Estado::Falhou,
        ] {
            for original in [exemplos::baixa_pix(estado), exemplos::baixa_tef(estado)] {
                let mut lida = ler_baixa(&baixa_json(&original).to_string(), &fatura).unwrap();
                // The view does not carry the client's idempotency key: the reader stands the id for it.
                assert_eq!(lida.chave_idempotencia, original.id);
                lida.chave_idempotencia.clone_from(&original.chave_idempotencia);
                assert_eq!(lida, original, "{estado:?}");
            }
        }
        // Enviando is shown as an uncertain pending baixa: read back as Incerta, the same receipt.
        let enviando = exemplos::baixa_pix(Estado::Enviando);
        let lida = ler_baixa(&baixa_json(&enviando).to_string(), &fatura).unwrap();
        assert_eq!(lida.estado, Estado::Incerta);
    }

    #[test]
    fn money_is_read_from_its_text_never_through_a_float() {
        let mut json = fatura_json();
        json["valor_atual"] = serde_json::from_str("136.24").unwrap();
        assert_eq!(
            ler_fatura(&json.to_string(), hoje()).unwrap().valor_atual,
            Centavos::new(13_624)
        );
        for errado in ["10.001", "1e2", "-1.00", "\"abc\"", "null", "true"] {
            let texto = fatura_json().to_string().replace("\"136.24\"", errado);
            let erro = ler_fatura(&texto, hoje()).unwrap_err();
            assert_eq!(erro.campo(), Some("valor_atual"), "{errado}: {erro}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let casos: Vec<(&str, Value, &str)> = vec![
            ("documento", json!("123"), "documento"),
            ("documento", json!(12), "documento"),
            (
                "linha_digitavel",
                json!("00190500954014481606906809350314337370000000101"),
                "linha_digitavel",
            ),
            (
                "codigo_barras",
                json!("00193373700000001000500940144816060680935032"),
                "codigo_barras",
            ),
            ("pix_code", json!("000201"), "pix_code"),
            ("vencimento", json!("10/11/2026"), "vencimento"),
            ("juros", json!("1,2,3"), "juros"),
            ("id", json!(" "), "id"),
        ];
        for (nome, valor, esperado) in casos {
            let mut json = fatura_json();
            json[nome] = valor;
            let erro = ler_fatura(&json.to_string(), hoje()).unwrap_err();
            assert_eq!(erro.campo(), Some(esperado), "{nome}: {erro}");
            assert!(erro.to_string().contains(esperado), "{erro}");
        }
        let mut json = fatura_json();
        json.as_object_mut().unwrap().remove("valor_atual");
        let erro = ler_fatura(&json.to_string(), hoje()).unwrap_err();
        assert_eq!(erro.campo(), Some("valor_atual"), "{erro}");
    }

    #[test]
    fn baixa_errors_name_the_field() {
        let fatura = exemplos::fatura();
        let pix = baixa_json(&exemplos::baixa_pix(Estado::Pendente));
        let casos: Vec<(&str, Value, &str)> = vec![
            ("fatura_id", json!("999"), "fatura_id"),
            ("forma", json!("boleto"), "forma"),
            ("valor", json!("0.00"), "valor"),
            ("pago_em", json!("23/11/2026"), "pago_em"),
            ("status", json!("talvez"), "status"),
            ("transacao", json!({"txid": "x"}), "transacao.e2e_id"),
            ("tentativas", json!("três"), "tentativas"),
        ];
        for (nome, valor, esperado) in casos {
            let mut json = pix.clone();
            json[nome] = valor;
            let erro = ler_baixa(&json.to_string(), &fatura).unwrap_err();
            assert_eq!(erro.campo(), Some(esperado), "{nome}: {erro}");
        }
        let mut tef = pix;
        tef["forma"] = json!("tef");
        let erro = ler_baixa(&tef.to_string(), &fatura).unwrap_err();
        assert_eq!(erro.campo(), Some("transacao.nsu"), "{erro}");
    }

    #[test]
    fn a_list_or_a_non_object_is_refused_with_a_hint() {
        let lista = json!({"faturas": [fatura_json()]}).to_string();
        assert_eq!(ler_fatura(&lista, hoje()).unwrap_err().campo(), Some("faturas"));
        assert_eq!(ler_fatura("[1]", hoje()).unwrap_err().campo(), Some("(raiz)"));
        assert!(matches!(ler_fatura("{", hoje()), Err(ErroLeitura::Json { .. })));
    }
}
