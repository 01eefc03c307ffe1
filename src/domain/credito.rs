//! Limite de crédito: the retaguarda's answer to the PDV (TOTVS PDV Omni, "limite de crédito", contract v3) read into
//! centavos, checked against the contract's rules, written back in the contract's canonical form, and what borda may
//! answer from a cached copy while the retaguarda is unreachable.
//!
//! The contract carries money as JSON doubles. Each is read from its literal text and rounded half-even to centavos
//! ([`Centavos::de_double`]); every sum, difference and share is done in centavos; doubles are written again only
//! when the envelope is ([`Centavos::para_double`]). So `0.1 + 0.2` never reaches a cashier's screen.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::domain::money::Centavos;

/// One credit-limit question: whose credit, at which store of which tenant, and whether split by payment form. The
/// key of the cached answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChaveLimite {
    pub inquilino: String,
    pub loja: String,
    /// Normalised CPF/CNPJ.
    pub documento: String,
    pub por_forma: bool,
}

/// The envelope the PDV always receives, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Resposta {
    pub success: bool,
    pub message: Option<String>,
    pub detailed_message: Option<String>,
    /// `data[0]`; None when `data` is null or empty.
    pub limite: Option<Limite>,
    /// The sync layer's fields, kept as they came.
    pub errors: Value,
    pub total_time: Value,
    pub number_of_records: Value,
}

/// `data[0]`: the customer's credit.
#[derive(Clone, Debug, PartialEq)]
pub struct Limite {
    pub saldo_disponivel: Centavos,
    pub id_retaguarda_limite_credito: Option<String>,
    pub valor_utilizado: Option<Centavos>,
    pub valor_total: Option<Centavos>,
    pub detalhes_valor_utilizado: Option<Vec<DetalheUtilizado>>,
    pub saldo_por_forma: Option<Vec<SaldoForma>>,
}

/// One item of `detalhesValorUtilizado`.
#[derive(Clone, Debug, PartialEq)]
pub struct DetalheUtilizado {
    pub total: Centavos,
    pub tipo: String,
}

/// One item of `saldoDetalhadoFormaPagamento`.
#[derive(Clone, Debug, PartialEq)]
pub struct SaldoForma {
    pub forma: String,
    pub valor: Centavos,
}

/// Why an answer could not be read as the contract's envelope.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ErroResposta {
    #[error("a resposta não é um objeto JSON")]
    NaoEObjeto,
    #[error("campo {0}: {1}")]
    Campo(String, String),
}

/// A money field that had more than two decimals and was rounded, for the caller's warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arredondado {
    pub campo: String,
    pub texto: String,
}

impl Resposta {
    /// Reads the retaguarda's envelope. Spellings the contract's own document uses (`detailedmessage`) are accepted;
    /// the money fields are read from their text ([`Centavos::de_double`]) and those that were rounded are listed.
    pub fn ler(valor: &Value) -> Result<(Resposta, Vec<Arredondado>), ErroResposta> {
        let objeto = valor.as_object().ok_or(ErroResposta::NaoEObjeto)?;
        let mut arredondados = Vec::new();
        let texto = |nome: &str| -> Result<Option<String>, ErroResposta> {
            match objeto.get(nome) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(texto)) => Ok(Some(texto.clone())),
                Some(_) => Err(campo(nome, "deveria ser texto")),
            }
        };
        let success = match objeto.get("success") {
            Some(Value::Bool(success)) => *success,
            _ => return Err(campo("success", "deveria ser verdadeiro ou falso")),
        };
        let detailed_message = match texto("detailedMessage")? {
            Some(texto) => Some(texto),
            None => texto("detailedmessage")?,
        };
        let limite = match objeto.get("data") {
            None | Some(Value::Null) => None,
            Some(Value::Array(itens)) => match itens.first() {
                None => None,
                Some(item) => Some(ler_limite(item, &mut arredondados)?),
            },
            Some(_) => return Err(campo("data", "deveria ser uma lista")),
        };
        let resposta = Resposta {
            success,
            message: texto("message")?,
            detailed_message,
            limite,
            errors: objeto.get("errors").cloned().unwrap_or(Value::Null),
            total_time: objeto.get("totalTime").cloned().unwrap_or(Value::Null),
            number_of_records: objeto.get("numberOfRecords").cloned().unwrap_or(Value::Null),
        };
        Ok((resposta, arredondados))
    }

    /// An answer of borda's own, in the contract's envelope: `success: false` and why.
    pub fn falha(message: impl Into<String>) -> Resposta {
        Resposta {
            success: false,
            message: Some(message.into()),
            detailed_message: None,
            limite: None,
            errors: Value::Null,
            total_time: Number::from(0).into(),
            number_of_records: Number::from(0).into(),
        }
    }

    /// The contract's rules this answer breaks (each named), for a warning: the PDV still gets the answer.
    pub fn regras_violadas(&self, por_forma: bool) -> Vec<&'static str> {
        let mut violadas = Vec::new();
        let Some(limite) = &self.limite else {
            if self.success {
                violadas.push("success: true exige data com saldoDisponivel");
            }
            return violadas;
        };
        if let (Some(utilizado), Some(total)) = (limite.valor_utilizado, limite.valor_total)
            && utilizado.get().checked_add(limite.saldo_disponivel.get()) != Some(total.get())
        {
            violadas.push("valorTotal = valorUtilizado + saldoDisponivel");
        }
        if limite.valor_utilizado.is_some_and(|utilizado| utilizado.get() > 0)
            && limite.detalhes_valor_utilizado.as_ref().is_none_or(Vec::is_empty)
        {
            violadas.push("detalhesValorUtilizado com ao menos um item quando valorUtilizado > 0");
        }
        if por_forma && limite.saldo_disponivel.get() > 0 && limite.saldo_por_forma.is_none() {
            violadas.push("saldoDetalhadoFormaPagamento quando limitePagamentoForma = true e saldo > 0");
        }
        violadas
    }

    /// The envelope in the contract's canonical spelling, money as doubles.
    pub fn para_json(&self) -> Value {
        let limite = self.limite.as_ref().map(|limite| {
            let mut item = Map::new();
            item.insert("saldoDisponivel".into(), limite.saldo_disponivel.para_double().into());
            item.insert(
                "idRetaguardaLimiteCredito".into(),
                limite.id_retaguarda_limite_credito.clone().into(),
            );
            if let Some(utilizado) = limite.valor_utilizado {
                item.insert("valorUtilizado".into(), utilizado.para_double().into());
            }
            if let Some(total) = limite.valor_total {
                item.insert("valorTotal".into(), total.para_double().into());
            }
            if let Some(detalhes) = &limite.detalhes_valor_utilizado {
                let detalhes = detalhes
                    .iter()
                    .map(|detalhe| serde_json::json!({ "total": detalhe.total.para_double(), "tipo": detalhe.tipo }))
                    .collect();
                item.insert("detalhesValorUtilizado".into(), Value::Array(detalhes));
            }
            if let Some(formas) = &limite.saldo_por_forma {
                let formas = formas
                    .iter()
                    .map(|forma| {
                        serde_json::json!({ "idRetaguardaPagamentoForma": forma.forma, "valor": forma.valor.para_double() })
                    })
                    .collect();
                item.insert("saldoDetalhadoFormaPagamento".into(), Value::Array(formas));
            }
            Value::Array(vec![Value::Object(item)])
        });
        serde_json::to_value(Envelope {
            success: self.success,
            message: &self.message,
            detailed_message: &self.detailed_message,
            data: limite.unwrap_or(Value::Null),
            errors: &self.errors,
            total_time: &self.total_time,
            number_of_records: &self.number_of_records,
        })
        .unwrap_or(Value::Null)
    }
}

/// The envelope's fields in the contract's order and spelling.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    success: bool,
    message: &'a Option<String>,
    detailed_message: &'a Option<String>,
    data: Value,
    errors: &'a Value,
    total_time: &'a Value,
    number_of_records: &'a Value,
}

fn campo(nome: &str, motivo: &str) -> ErroResposta {
    ErroResposta::Campo(nome.to_owned(), motivo.to_owned())
}

fn ler_limite(item: &Value, arredondados: &mut Vec<Arredondado>) -> Result<Limite, ErroResposta> {
    let objeto = item
        .as_object()
        .ok_or_else(|| campo("data[0]", "deveria ser um objeto"))?;
    let mut dinheiro = |nome: &str, valor: Option<&Value>| -> Result<Option<Centavos>, ErroResposta> {
        match valor {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(numero)) => {
                let (centavos, arredondado) =
                    Centavos::de_double(numero).map_err(|error| campo(nome, &error.to_string()))?;
                if arredondado {
                    arredondados.push(Arredondado {
                        campo: nome.to_owned(),
                        texto: numero.as_str().to_owned(),
                    });
                }
                Ok(Some(centavos))
            }
            Some(_) => Err(campo(nome, "deveria ser um número")),
        }
    };
    let saldo_disponivel = dinheiro("saldoDisponivel", objeto.get("saldoDisponivel"))?
        .ok_or_else(|| campo("saldoDisponivel", "ausente"))?;
    let valor_utilizado = dinheiro("valorUtilizado", objeto.get("valorUtilizado"))?;
    let valor_total = dinheiro("valorTotal", objeto.get("valorTotal"))?;
    let lista = |nome: &str| -> Result<Option<&Vec<Value>>, ErroResposta> {
        match objeto.get(nome) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(itens)) => Ok(Some(itens)),
            Some(_) => Err(campo(nome, "deveria ser uma lista")),
        }
    };
    let texto_de = |item: &Value, nome: &str| -> Result<String, ErroResposta> {
        match item.get(nome) {
            Some(Value::String(texto)) => Ok(texto.clone()),
            _ => Err(campo(nome, "deveria ser texto")),
        }
    };
    let detalhes_valor_utilizado = match lista("detalhesValorUtilizado")? {
        None => None,
        Some(itens) => Some(
            itens
                .iter()
                .map(|item| {
                    let total = dinheiro("detalhesValorUtilizado.total", item.get("total"))?
                        .ok_or_else(|| campo("detalhesValorUtilizado.total", "ausente"))?;
                    Ok(DetalheUtilizado {
                        total,
                        tipo: texto_de(item, "tipo")?,
                    })
                })
                .collect::<Result<Vec<_>, ErroResposta>>()?,
        ),
    };
    let saldo_por_forma = match lista("saldoDetalhadoFormaPagamento")? {
        None => None,
        Some(itens) => Some(
            itens
                .iter()
                .map(|item| {
                    let valor = dinheiro("saldoDetalhadoFormaPagamento.valor", item.get("valor"))?
                        .ok_or_else(|| campo("saldoDetalhadoFormaPagamento.valor", "ausente"))?;
                    Ok(SaldoForma {
                        forma: texto_de(item, "idRetaguardaPagamentoForma")?,
                        valor,
                    })
                })
                .collect::<Result<Vec<_>, ErroResposta>>()?,
        ),
    };
    let id_retaguarda_limite_credito = match objeto.get("idRetaguardaLimiteCredito") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err(campo("idRetaguardaLimiteCredito", "deveria ser texto")),
    };
    Ok(Limite {
        saldo_disponivel,
        id_retaguarda_limite_credito,
        valor_utilizado,
        valor_total,
        detalhes_valor_utilizado,
        saldo_por_forma,
    })
}

/// A share from 0 to 1 in ten-thousandths (`fracao_offline = 0.5` is 5000), so that taking it of centavos is integer
/// arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fracao(u32);

impl Fracao {
    pub const INTEIRA: Fracao = Fracao(10_000);

    /// `fracao` from a configuration number in [0, 1] (checked there), to the nearest ten-thousandth.
    pub fn de_config(fracao: f64) -> Fracao {
        // The share is policy, not money: the one float here, bounded and rounded once.
        let dez_milesimos = (fracao.clamp(0.0, 1.0) * 10_000.0).round();
        Fracao(if dez_milesimos >= 10_000.0 {
            10_000
        } else {
            dez_milesimos as u32
        })
    }

    /// This share of `valor`, rounded down to the centavo (offline, borda errs on the side of less credit); nothing of
    /// a negative saldo.
    pub fn de(self, valor: Centavos) -> Centavos {
        let parte = i128::from(valor.get().max(0)) * i128::from(self.0) / 10_000;
        Centavos::new(i64::try_from(parte).unwrap_or(i64::MAX))
    }

    /// As a percentage for messages: `50`, `33,33`.
    fn percentual(self) -> String {
        let (inteiro, resto) = (self.0 / 100, self.0 % 100);
        if resto == 0 {
            inteiro.to_string()
        } else {
            format!("{inteiro},{resto:02}")
        }
    }
}

/// What borda lets a customer use while the retaguarda is unreachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoliticaOffline {
    pub fracao: Fracao,
    /// The most one customer may use offline, in all; None: the share is the only limit.
    pub teto: Option<Centavos>,
}

/// Credit the PDV used since the cached answer (the local ledger), for one payment form or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumo {
    pub valor: Centavos,
    pub forma: Option<String>,
}

/// The `tipo` of the local ledger's line in `detalhesValorUtilizado`.
pub const TIPO_CONSUMO_LOCAL: &str = "consumo neste PDV sem conexão com a retaguarda";

/// The answer borda gives offline from the `cached` one, consulted at `consultado_em` (local time): the saldo (and
/// each form's) is the policy's share of the cached one, capped by its `teto`, less what the PDV used since (the
/// `consumos`), never below zero; `valorUtilizado` grows by that use, which is listed in `detalhesValorUtilizado`,
/// and `valorTotal` stays their sum. A cached refusal (customer not found…) is given as it was. The message says it
/// all in Portuguese.
pub fn resposta_offline(
    cached: &Resposta,
    consultado_em: NaiveDateTime,
    consumos: &[Consumo],
    politica: PoliticaOffline,
) -> Resposta {
    let quando = consultado_em.format("%d/%m/%Y %H:%M");
    let mut resposta = cached.clone();
    let Some(limite) = resposta.limite.as_mut().filter(|_| cached.success) else {
        let motivo = cached
            .message
            .as_deref()
            .filter(|m| !m.is_empty())
            .unwrap_or("sem limite");
        resposta.message = Some(format!(
            "{motivo} (consulta de {quando}; retaguarda indisponível no momento)"
        ));
        return resposta;
    };
    let soma = |valores: &mut dyn Iterator<Item = Centavos>| {
        Centavos::new(valores.map(Centavos::get).fold(0i64, i64::saturating_add))
    };
    let consumido = soma(&mut consumos.iter().map(|consumo| consumo.valor));
    let permitido = |saldo: Centavos| {
        let parte = politica.fracao.de(saldo);
        politica.teto.map_or(parte, |teto| parte.min(teto))
    };
    let disponivel = Centavos::new(
        permitido(limite.saldo_disponivel)
            .get()
            .saturating_sub(consumido.get())
            .max(0),
    );
    if let Some(formas) = &mut limite.saldo_por_forma {
        for forma in formas.iter_mut() {
            let desta = soma(
                &mut consumos
                    .iter()
                    .filter(|consumo| consumo.forma.as_deref() == Some(forma.forma.as_str()))
                    .map(|consumo| consumo.valor),
            );
            let resta = permitido(forma.valor).get().saturating_sub(desta.get()).max(0);
            forma.valor = Centavos::new(resta.min(disponivel.get()));
        }
    }
    limite.saldo_disponivel = disponivel;
    if consumido.get() > 0 || limite.valor_utilizado.is_some() {
        let utilizado = limite
            .valor_utilizado
            .unwrap_or(Centavos::ZERO)
            .get()
            .saturating_add(consumido.get());
        limite.valor_utilizado = Some(Centavos::new(utilizado));
        limite.valor_total = Some(Centavos::new(utilizado.saturating_add(disponivel.get())));
    }
    if consumido.get() > 0 {
        limite
            .detalhes_valor_utilizado
            .get_or_insert_with(Vec::new)
            .push(DetalheUtilizado {
                total: consumido,
                tipo: TIPO_CONSUMO_LOCAL.to_owned(),
            });
    }
    let mut mensagem = format!(
        "Retaguarda indisponível: saldo da consulta de {quando}, limitado a {}% do saldo",
        politica.fracao.percentual()
    );
    if let Some(teto) = politica.teto {
        mensagem.push_str(&format!(" e a R$ {}", teto.em_reais()));
    }
    if consumido.get() > 0 {
        mensagem.push_str(&format!(
            ", menos R$ {} usados neste PDV desde então",
            consumido.em_reais()
        ));
    }
    mensagem.push('.');
    resposta.message = Some(mensagem);
    resposta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ler(texto: &str) -> Resposta {
        Resposta::ler(&serde_json::from_str(texto).unwrap()).unwrap().0
    }

    const COM_USO: &str = r#"{"success":true,"message":"","detailedMessage":null,
        "data":[{"saldoDisponivel":800.0,"idRetaguardaLimiteCredito":"01PSH00000005033CR","valorUtilizado":264.0,
                 "valorTotal":1064.0,"detalhesValorUtilizado":[{"total":264.0,"tipo":"credito total"}],
                 "saldoDetalhadoFormaPagamento":[{"idRetaguardaPagamentoForma":"BL","valor":500.0},
                                                 {"idRetaguardaPagamentoForma":"CH","valor":300.0}]}],
        "errors":null,"totalTime":0,"numberOfRecords":0}"#;

    fn quando() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .unwrap()
            .and_hms_opt(14, 3, 0)
            .unwrap()
    }

    #[test]
    fn the_seed_examples_read_and_write_back_the_same() {
        let com_uso = ler(COM_USO);
        let limite = com_uso.limite.as_ref().unwrap();
        assert_eq!(limite.saldo_disponivel, Centavos::new(80_000));
        assert_eq!(limite.valor_total, Some(Centavos::new(106_400)));
        assert!(com_uso.regras_violadas(true).is_empty());
        let escrito = com_uso.para_json();
        assert_eq!(escrito, serde_json::from_str::<Value>(COM_USO).unwrap());
        assert_eq!(ler(&escrito.to_string()), com_uso);

        let nao_encontrado = ler(
            r#"{"success":false,"message":"Não foi possível encontrar limite de crédito para o cliente selecionado.",
                "detailedmessage":"","data":null,"errors":null,"totalTime":0,"numberOfRecords":0}"#,
        );
        assert!(!nao_encontrado.success && nao_encontrado.limite.is_none());
        assert_eq!(nao_encontrado.para_json()["detailedMessage"], "", "canonical spelling");
        assert!(nao_encontrado.para_json().get("detailedmessage").is_none());
    }

    #[test]
    fn the_contract_rules_are_named_when_broken() {
        let mut resposta = ler(COM_USO);
        let limite = resposta.limite.as_mut().unwrap();
        limite.valor_total = Some(Centavos::new(37_200));
        limite.detalhes_valor_utilizado = None;
        limite.saldo_por_forma = None;
        assert_eq!(resposta.regras_violadas(true).len(), 3);
        assert_eq!(resposta.regras_violadas(false).len(), 2);
    }

    #[test]
    fn doubles_with_noise_are_rounded_half_even_and_reported() {
        let (resposta, arredondados) = Resposta::ler(
            &serde_json::from_str(
                r#"{"success":true,"data":[{"saldoDisponivel":800.005,"valorUtilizado":0.30000000000000004,
                    "valorTotal":800.3,"detalhesValorUtilizado":[{"total":0.3,"tipo":"x"}]}]}"#,
            )
            .unwrap(),
        )
        .unwrap();
        let limite = resposta.limite.unwrap();
        assert_eq!(limite.saldo_disponivel, Centavos::new(80_000));
        assert_eq!(limite.valor_utilizado, Some(Centavos::new(30)));
        assert_eq!(
            arredondados.iter().map(|a| a.campo.as_str()).collect::<Vec<_>>(),
            ["saldoDisponivel", "valorUtilizado"]
        );
    }

    #[test]
    fn what_is_not_the_envelope_is_refused_naming_the_field() {
        for (texto, campo_esperado) in [
            (r#"[]"#, None),
            (r#"{"data":null}"#, Some("success")),
            (r#"{"success":true,"data":{}}"#, Some("data")),
            (
                r#"{"success":true,"data":[{"saldoDisponivel":"800"}]}"#,
                Some("saldoDisponivel"),
            ),
            (r#"{"success":true,"data":[{}]}"#, Some("saldoDisponivel")),
        ] {
            let erro = Resposta::ler(&serde_json::from_str(texto).unwrap()).unwrap_err();
            match (erro, campo_esperado) {
                (ErroResposta::NaoEObjeto, None) => {}
                (ErroResposta::Campo(campo, _), Some(esperado)) => assert_eq!(campo, esperado),
                (erro, _) => panic!("{texto}: {erro:?}"),
            }
        }
    }

    #[test]
    fn offline_the_saldo_is_the_share_capped_less_the_ledger() {
        let politica = PoliticaOffline {
            fracao: Fracao::de_config(0.5),
            teto: Some(Centavos::new(30_000)),
        };
        let consumos = [
            Consumo {
                valor: Centavos::new(10_000),
                forma: Some("BL".into()),
            },
            Consumo {
                valor: Centavos::new(5_050),
                forma: None,
            },
        ];
        let offline = resposta_offline(&ler(COM_USO), quando(), &consumos, politica);
        let limite = offline.limite.as_ref().unwrap();
        // 50% of 800.00 is 400.00, capped at 300.00, less 150.50 used.
        assert_eq!(limite.saldo_disponivel, Centavos::new(14_950));
        // BL: 50% of 500.00 = 250.00, less its 100.00 = 150.00, bounded by the 149.50 left in all.
        // CH: 50% of 300.00 = 150.00, nothing used on it, bounded by 149.50 too.
        let formas: Vec<i64> = limite
            .saldo_por_forma
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.valor.get())
            .collect();
        assert_eq!(formas, [14_950, 14_950]);
        assert_eq!(limite.valor_utilizado, Some(Centavos::new(26_400 + 15_050)));
        assert_eq!(limite.valor_total, Some(Centavos::new(26_400 + 15_050 + 14_950)));
        assert!(
            offline.regras_violadas(true).is_empty(),
            "{:?}",
            offline.regras_violadas(true)
        );
        let message = offline.message.unwrap();
        assert!(
            message.contains("06/12/2026 14:03") && message.contains("50%"),
            "{message}"
        );
        assert!(
            message.contains("R$ 300,00") && message.contains("R$ 150,50"),
            "{message}"
        );
        // Spent beyond the allowance: zero, never negative.
        let gasto = [Consumo {
            valor: Centavos::new(99_999),
            forma: None,
        }];
        let offline = resposta_offline(&ler(COM_USO), quando(), &gasto, politica);
        assert_eq!(offline.limite.unwrap().saldo_disponivel, Centavos::ZERO);
    }

    #[test]
    fn offline_a_cached_refusal_is_given_as_it_was() {
        let recusa = Resposta::falha("Cliente não encontrado");
        let offline = resposta_offline(
            &recusa,
            quando(),
            &[],
            PoliticaOffline {
                fracao: Fracao::INTEIRA,
                teto: None,
            },
        );
        assert!(!offline.success && offline.limite.is_none());
        assert!(
            offline
                .message
                .unwrap()
                .starts_with("Cliente não encontrado (consulta de 06/12/2026 14:03")
        );
    }

    #[test]
    fn a_share_is_integer_arithmetic_rounded_down() {
        assert_eq!(Fracao::de_config(0.5).de(Centavos::new(101)), Centavos::new(50));
        assert_eq!(
            Fracao::de_config(1.0).de(Centavos::new(i64::MAX)),
            Centavos::new(i64::MAX)
        );
        assert_eq!(
            Fracao::de_config(0.3333).de(Centavos::new(30_000)),
            Centavos::new(9_999)
        );
        assert_eq!(Fracao::de_config(0.5).de(Centavos::new(-100)), Centavos::ZERO);
        assert_eq!(Fracao::de_config(0.3333).percentual(), "33,33");
        assert_eq!(Fracao::de_config(0.5).percentual(), "50");
    }
}
