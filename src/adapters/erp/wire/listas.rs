//! The customer's read-only lists in the ERP's JSON (services, notas fiscais, contacts, extrato, quitação), read
//! leniently into [`crate::domain::listas`] and [`crate::domain::contato`] types.
//!
//! The rules of the parent module hold: a list answer is an array (or one object, `{}` for none); a record that cannot
//! be read is logged with its index and why, and skipped; the others are returned. A record needs what names it (an
//! id, a year, a contact's type and value); an amount or a date that is present but unreadable also makes it
//! unreadable, because a line shown without the figure the ERP wrote would say something the ERP did not. A link that
//! is not an absolute http(s) URL is dropped (logged), leaving the record without a PDF. Contacts are logged without
//! their value.

use chrono::Datelike;
use serde_json::Value;

use super::{Defect, Record, date, first_present, records, text, valor};
use crate::domain::contato::{Contato, TipoContato};
use crate::domain::listas::{Lancamento, NotaFiscal, Quitacao, Servico};

/// The records of a list answer read by `ler`; unreadable ones are logged and skipped. `nome` names the list in logs.
fn lista<T>(body: Value, nome: &'static str, ler: impl Fn(&Record) -> Result<T, Defect>) -> Result<Vec<T>, String> {
    let mut itens = Vec::new();
    for (index, record) in records(body)?.iter().enumerate() {
        match record.as_object().ok_or(Defect::NotAnObject).and_then(&ler) {
            Ok(item) => itens.push(item),
            Err(defect) => tracing::warn!(lista = nome, index, reason = %defect, "ERP record skipped"),
        }
    }
    Ok(itens)
}

/// The services of an `instalações/serviços do cliente` answer.
pub(in crate::adapters::erp) fn servicos(body: Value) -> Result<Vec<Servico>, String> {
    lista(body, "servicos", |r| {
        Ok(Servico {
            id: text(r, &["id_servico", "id"]).ok_or(Defect::MissingId {
                fields: "id_servico, id",
            })?,
            nome: text(r, &["nome", "descricao"]),
            situacao: text(r, &["situacao", "status"]),
            valor: valor(r, &["valor"])?,
            plano: text(r, &["numero_plano", "plano"]),
            endereco: text(r, &["endereco"]),
        })
    })
}

/// The notas fiscais of a `notas fiscais` answer.
pub(in crate::adapters::erp) fn notas_fiscais(body: Value) -> Result<Vec<NotaFiscal>, String> {
    lista(body, "notas_fiscais", |r| {
        let id = text(r, &["id_nota", "id"]).ok_or(Defect::MissingId { fields: "id_nota, id" })?;
        Ok(NotaFiscal {
            numero: text(r, &["numero_nota", "numero"]),
            tipo: text(r, &["id_tipo_nota", "tipo"]),
            valor: valor(r, &["valor"])?,
            protocolo: text(r, &["protocolo"]),
            emissao: date(r, &["data_lancamento", "data_emissao", "emissao"])?,
            identificacao: text(r, &["identificacao"]),
            url: link(r, &["url_nota_fiscal", "link_nota_fiscal"], &id),
            id,
        })
    })
}

/// The contacts of a `contatos` answer, normalised, each once (the first time it appears).
pub(in crate::adapters::erp) fn contatos(body: Value) -> Result<Vec<Contato>, String> {
    let mut contatos = lista(body, "contatos", contato)?;
    let mut vistos = std::collections::HashSet::new();
    contatos.retain(|contato| vistos.insert(contato.clone()));
    Ok(contatos)
}

/// One contact `{"type": "email" | "phone", "value"}`. The value is never put in a defect (it is logged).
fn contato(r: &Record) -> Result<Contato, Defect> {
    let tipo = text(r, &["type", "tipo"]).ok_or(Defect::MissingId { fields: "type, tipo" })?;
    let tipo = match tipo.to_lowercase().as_str() {
        "email" | "e-mail" | "mail" => TipoContato::Email,
        "phone" | "telefone" | "fone" | "celular" | "mobile" | "whatsapp" => TipoContato::Telefone,
        _ => {
            return Err(Defect::Field {
                field: "type".into(),
                reason: "tipo de contato desconhecido".into(),
            });
        }
    };
    let texto = text(r, &["value", "valor"]).ok_or(Defect::MissingId { fields: "value, valor" })?;
    let lido = match tipo {
        TipoContato::Email => Contato::email(&texto),
        TipoContato::Telefone => Contato::telefone(&texto),
    };
    lido.ok_or_else(|| Defect::Field {
        field: "value".into(),
        reason: format!("não é um {} válido", tipo.nome()),
    })
}

/// The lines of an `extratos financeiros` answer.
pub(in crate::adapters::erp) fn extratos(body: Value) -> Result<Vec<Lancamento>, String> {
    lista(body, "extratos", |r| {
        Ok(Lancamento {
            id_fatura: text(r, &["id_fatura", "fatura"]).ok_or(Defect::MissingId {
                fields: "id_fatura, fatura",
            })?,
            lancamento: date(r, &["data_lancamento"])?,
            vencimento: date(r, &["data_vencimento", "vencimento"])?,
            pagamento: date(r, &["data_baixa", "data_pagamento"])?,
            historico: text(r, &["historico"]),
            // The contract's names: `saldo` is the fatura's value, `valor` what was received.
            valor_fatura: valor(r, &["saldo"])?,
            valor_pago: valor(r, &["valor"])?,
            cobranca: text(r, &["cobranca"]),
        })
    })
}

/// The declarations of a `declaração de quitação de débitos` answer.
pub(in crate::adapters::erp) fn quitacoes(body: Value) -> Result<Vec<Quitacao>, String> {
    lista(body, "quitacoes", |r| {
        let ano = ano(r)?;
        let id = text(r, &["id_quitacao", "id"]);
        let url = link(r, &["url_arquivo", "url"], id.as_deref().unwrap_or_default());
        Ok(Quitacao {
            ano,
            valor: valor(r, &["valor"])?,
            texto: text(r, &["texto", "declaracao", "descricao"]),
            url,
            id,
        })
    })
}

/// The year of a quitação: four digits, as a number or a string, from 1900 to 2999.
fn ano(r: &Record) -> Result<u16, Defect> {
    let (field, texto) = first_present(r, &["ano", "ano_referencia"]).ok_or(Defect::MissingId {
        fields: "ano, ano_referencia",
    })?;
    texto
        .parse::<u16>()
        .ok()
        .filter(|ano| (1900..=2999).contains(ano) && texto.len() == 4)
        .or_else(|| {
            // Some adapters send the year as a date of it.
            chrono::NaiveDate::parse_from_str(&texto, "%Y-%m-%d")
                .ok()
                .and_then(|dia| u16::try_from(dia.year()).ok())
        })
        .ok_or_else(|| Defect::Field {
            field: field.to_owned(),
            reason: format!("ano \"{texto}\" ilegível"),
        })
}

/// The first of `fields` that is an absolute http(s) URL; one that is present but is not is logged (for record `id`)
/// and dropped: the record stays, without its PDF.
fn link(r: &Record, fields: &[&str], id: &str) -> Option<String> {
    let (field, texto) = first_present(r, fields)?;
    match reqwest::Url::parse(&texto) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Some(texto),
        _ => {
            tracing::warn!(id, field, "ERP link is not an http(s) URL; ignored");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;
    use crate::domain::money::Centavos;

    #[test]
    fn servicos_both_value_forms_and_a_record_without_id_skipped() {
        let body = json!([
            {"id_servico": "S1", "nome": "Fibra 300", "situacao": "Suspenso", "obs": "x", "valor": "99,90",
             "numero_plano": 300, "endereco": "Rua A, 1"},
            {"id_servico": 7, "nome": "Fibra 100", "situacao": "ativo", "valor": 79.9},
            {"nome": "sem id", "situacao": "ativo"},
            {"id_servico": "S3", "valor": "abc"},
            "não é objeto",
        ]);
        let servicos = servicos(body).unwrap();
        assert_eq!(servicos.len(), 2);
        assert_eq!(servicos[0].id, "S1");
        assert_eq!(servicos[0].valor, Some(Centavos::new(9990)));
        assert_eq!(servicos[0].plano.as_deref(), Some("300"));
        assert!(servicos[0].bloqueado());
        assert_eq!(servicos[1].id, "7");
        assert_eq!(servicos[1].valor, Some(Centavos::new(7990)));
        assert!(!servicos[1].bloqueado());
        assert_eq!(super::servicos(json!({})).unwrap(), Vec::new());
        assert!(super::servicos(json!("x")).is_err(), "not a list at all");
    }

    #[test]
    fn notas_with_dates_of_either_form_and_only_http_links() {
        let body = json!([
            {"id_nota": "N1", "id_tipo_nota": 1, "numero_nota": "9001", "valor": "99.90", "protocolo": "P",
             "data_lancamento": "2026-10-05T10:00:00", "identificacao": "NFCom", "url_nota_fiscal": "https://nf.example/1.pdf"},
            {"id_nota": "N2", "valor": "10,00", "data_lancamento": "05/09/2026", "url_nota_fiscal": "javascript:alert(1)"},
            {"id_nota": "N3", "data_lancamento": "ontem"},
            {"id_nota": "N4", "url_nota_fiscal": ""},
        ]);
        let notas = notas_fiscais(body).unwrap();
        let ids: Vec<&str> = notas.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["N1", "N2", "N4"]);
        assert_eq!(notas[0].emissao, NaiveDate::from_ymd_opt(2026, 10, 5));
        assert_eq!(notas[0].url.as_deref(), Some("https://nf.example/1.pdf"));
        assert_eq!(notas[0].tipo.as_deref(), Some("1"));
        assert_eq!(notas[1].emissao, NaiveDate::from_ymd_opt(2026, 9, 5));
        assert_eq!(notas[1].url, None, "not http: no PDF");
        assert_eq!(notas[2].url, None);
    }

    #[test]
    fn contatos_normalised_once_and_unknown_types_skipped() {
        let body = json!([
            {"type": "email", "value": "Maria.Souza@Provedor.com.br"},
            {"type": "phone", "value": "(12) 99876-4321"},
            {"type": "email", "value": " maria.souza@provedor.com.br"},
            {"type": "fax", "value": "(12) 3621-0000"},
            {"type": "phone", "value": "ramal 12"},
            {"type": "email", "value": ""},
            {"value": "x@y.com"},
        ]);
        let contatos = contatos(body).unwrap();
        assert_eq!(
            contatos,
            [
                Contato::email("maria.souza@provedor.com.br").unwrap(),
                Contato::telefone("12998764321").unwrap()
            ]
        );
    }

    #[test]
    fn extrato_lines_read_saldo_as_the_faturas_value() {
        let body = json!([
            {"id_fatura": "F1", "data_lancamento": "2026-09-01", "data_vencimento": "10/09/2026",
             "data_baixa": "2026-09-08", "historico": "Mensalidade", "valor": "99,90", "saldo": "99,90", "cobranca": "Boleto"},
            {"id_fatura": 2, "data_baixa": "0000-00-00", "valor": "0", "saldo": 120.3},
            {"id_fatura": "F3", "saldo": "-5,00"},
            {"historico": "sem fatura"},
        ]);
        let linhas = extratos(body).unwrap();
        assert_eq!(linhas.len(), 2);
        assert_eq!(linhas[0].pagamento, NaiveDate::from_ymd_opt(2026, 9, 8));
        assert_eq!(linhas[0].vencimento, NaiveDate::from_ymd_opt(2026, 9, 10));
        assert_eq!(linhas[1].id_fatura, "2");
        assert_eq!(linhas[1].pagamento, None, "an all-zero date is absent");
        assert_eq!(linhas[1].valor_fatura, Some(Centavos::new(12030)));
        assert_eq!(linhas[1].valor_pago, Some(Centavos::new(0)));
    }

    #[test]
    fn quitacoes_need_a_year() {
        let body = json!([
            {"id_quitacao": "Q1", "ano": 2025, "valor": "1198,80", "url_arquivo": "http://erp/q1.pdf"},
            {"id_quitacao": "Q2", "ano": "2024", "url_arquivo": ""},
            {"id_quitacao": "Q3", "ano": "2023-12-31"},
            {"id_quitacao": "Q4", "ano": "25"},
            {"id_quitacao": "Q5"},
            {"ano": 2022, "texto": "Declaramos que..."},
        ]);
        let quitacoes = quitacoes(body).unwrap();
        let anos: Vec<u16> = quitacoes.iter().map(|q| q.ano).collect();
        assert_eq!(anos, [2025, 2024, 2023, 2022]);
        assert_eq!(quitacoes[0].url.as_deref(), Some("http://erp/q1.pdf"));
        assert_eq!(quitacoes[0].valor, Some(Centavos::new(119_880)));
        assert_eq!(quitacoes[1].url, None);
        assert_eq!(quitacoes[3].id, None);
        assert_eq!(quitacoes[3].texto.as_deref(), Some("Declaramos que..."));
    }
}
