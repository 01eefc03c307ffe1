//! The customer's read-only lists as borda understands them: her services (and which are blocked), her notas
//! fiscais, her statement (extrato), her yearly debt-clearance letters (declaração de quitação) and her contacts
//! ([`crate::domain::contato`]).
//!
//! `erp` builds these from the ERP's answers; `store` keeps each list whole, as the JSON of these types, under its
//! [`Lista`]; `views` shows them. Like [`crate::domain::model`], nothing here knows a wire name or a column: amounts are
//! [`Centavos`], dates plain [`NaiveDate`]s. Serde is derived only for the store.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::domain::money::Centavos;

/// Which list of a customer: the key the store files a list under and the API's memory tells answers apart by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lista {
    Servicos,
    NotasFiscais,
    Contatos,
    Extratos,
    Quitacoes,
}

impl Lista {
    /// Its stable name (the store's key column, logs).
    pub fn nome(self) -> &'static str {
        match self {
            Lista::Servicos => "servicos",
            Lista::NotasFiscais => "notas_fiscais",
            Lista::Contatos => "contatos",
            Lista::Extratos => "extratos",
            Lista::Quitacoes => "quitacoes",
        }
    }
}

/// An element of one of the customer's lists: which list it belongs to, and the order borda answers it in.
pub trait ItemDeLista: Sized {
    /// The list it is filed under.
    const LISTA: Lista;

    /// Puts a list in the order the customer reads it; the ERP's order by default.
    fn ordenar(_itens: &mut [Self]) {}
}

/// A service (plan, installation) of the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Servico {
    /// The ERP's id (`id_servico`), what `POST …/desbloqueio` takes.
    pub id: String,
    pub nome: Option<String>,
    /// The status as the ERP writes it (`ativo`, `Suspenso`, `Bloqueado parcialmente`…).
    pub situacao: Option<String>,
    /// The monthly value.
    pub valor: Option<Centavos>,
    /// The plan's number or code in the ERP.
    pub plano: Option<String>,
    /// Where it is installed.
    pub endereco: Option<String>,
}

impl Servico {
    /// Whether the service is blocked or suspended, by [`situacao_bloqueada`]; a service without a status is not.
    pub fn bloqueado(&self) -> bool {
        self.situacao.as_deref().is_some_and(situacao_bloqueada)
    }
}

impl ItemDeLista for Servico {
    const LISTA: Lista = Lista::Servicos;
}

/// Whether a service status, as an ERP writes it, says the service is blocked or suspended (what the kiosk's
/// "desbloqueio de confiança" button is for).
///
/// Case, accents and punctuation do not matter. The status is blocked when one of its words starts with `bloque`
/// (bloqueado, bloqueada, bloqueio), `suspen` (suspenso, suspensa, suspensão) or `reduzid` (the "velocidade reduzida"
/// of an ERP that throttles a debtor instead of cutting her off), unless that word is negated by the word before it
/// (`não`, `sem`: "sem bloqueio"). A word starting with `desbloque` (desbloqueado, "desbloqueio de confiança") is not
/// `bloque…`, so a service unblocked on trust reads as not blocked. Anything else (ativo, cancelado, desativado,
/// inativo, aguardando instalação, the one-letter codes some ERPs use) is not blocked: a cancelled service cannot be
/// unblocked, and a code borda cannot read must not show a button that would fail.
pub fn situacao_bloqueada(situacao: &str) -> bool {
    let sem_acentos: String = situacao.nfd().filter(|c| !is_combining_mark(*c)).collect();
    let minusculas = sem_acentos.to_lowercase();
    let palavras: Vec<&str> = minusculas
        .split(|c: char| !c.is_alphanumeric())
        .filter(|palavra| !palavra.is_empty())
        .collect();
    palavras.iter().enumerate().any(|(posicao, palavra)| {
        let bloqueio = ["bloque", "suspen", "reduzid"]
            .iter()
            .any(|raiz| palavra.starts_with(raiz));
        let negada = posicao
            .checked_sub(1)
            .and_then(|anterior| palavras.get(anterior))
            .is_some_and(|anterior| matches!(*anterior, "nao" | "sem"));
        bloqueio && !negada
    })
}

/// A nota fiscal of the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotaFiscal {
    /// The ERP's id (`id_nota`): what `GET /v1/notas-fiscais/{id}.pdf` takes.
    pub id: String,
    /// The number printed on the note.
    pub numero: Option<String>,
    /// The ERP's type of note (`id_tipo_nota`).
    pub tipo: Option<String>,
    pub valor: Option<Centavos>,
    /// The tax authority's protocol.
    pub protocolo: Option<String>,
    /// When it was issued (`data_lancamento`).
    pub emissao: Option<NaiveDate>,
    /// The ERP's description of it (`identificacao`).
    pub identificacao: Option<String>,
    /// Where its PDF is (`url_nota_fiscal`). Never shown to the kiosk: borda fetches it.
    pub url: Option<String>,
}

impl ItemDeLista for NotaFiscal {
    const LISTA: Lista = Lista::NotasFiscais;

    /// The newest first; those without a date last; then by id.
    fn ordenar(itens: &mut [Self]) {
        itens.sort_by(|a, b| (b.emissao.is_some(), b.emissao, &a.id).cmp(&(a.emissao.is_some(), a.emissao, &b.id)));
    }
}

/// A line of the customer's financial statement (extrato): one fatura and what was paid of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lancamento {
    /// The fatura it is about.
    pub id_fatura: String,
    /// When it was entered (`data_lancamento`).
    pub lancamento: Option<NaiveDate>,
    pub vencimento: Option<NaiveDate>,
    /// When it was paid (`data_baixa`); none while open.
    pub pagamento: Option<NaiveDate>,
    pub historico: Option<String>,
    /// The fatura's value (the ERP's `saldo`).
    pub valor_fatura: Option<Centavos>,
    /// What was received (the ERP's `valor`).
    pub valor_pago: Option<Centavos>,
    /// How it is charged (carteira, boleto, cartão…).
    pub cobranca: Option<String>,
}

impl ItemDeLista for Lancamento {
    const LISTA: Lista = Lista::Extratos;

    /// The newest first (by entry date, else due date); undated lines last; then by fatura.
    fn ordenar(itens: &mut [Self]) {
        let data = |l: &Lancamento| l.lancamento.or(l.vencimento);
        itens.sort_by(|a, b| {
            (data(b).is_some(), data(b), &a.id_fatura).cmp(&(data(a).is_some(), data(a), &b.id_fatura))
        });
    }
}

/// A yearly declaração de quitação de débitos (Lei 12.007/2009): the customer owes nothing of that year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quitacao {
    /// The ERP's id (`id_quitacao`).
    pub id: Option<String>,
    pub ano: u16,
    /// The total paid that year.
    pub valor: Option<Centavos>,
    /// The declaration's text, when the ERP sends one.
    pub texto: Option<String>,
    /// Where its PDF is (`url_arquivo`). Never shown to the kiosk: borda fetches it.
    pub url: Option<String>,
}

impl ItemDeLista for Quitacao {
    const LISTA: Lista = Lista::Quitacoes;

    /// The newest year first; one year's records in the ERP's order.
    fn ordenar(itens: &mut [Self]) {
        itens.sort_by_key(|quitacao| std::cmp::Reverse(quitacao.ano));
    }
}

/// The declaration of year `ano`, or of the newest year when `ano` is None, in a list [`ItemDeLista::ordenar`] put in
/// order; of one year's records, the first with a PDF, else the first.
pub fn quitacao_do_ano(quitacoes: &[Quitacao], ano: Option<u16>) -> Option<&Quitacao> {
    let ano = ano.or_else(|| quitacoes.first().map(|q| q.ano))?;
    let do_ano = || quitacoes.iter().filter(move |q| q.ano == ano);
    do_ano().find(|q| q.url.is_some()).or_else(|| do_ano().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_of_a_blocked_service_in_any_case_or_accent() {
        for bloqueada in [
            "suspenso",
            "Suspenso",
            "SUSPENSA",
            "Suspensão temporária",
            "suspensao por debito",
            "Suspenso parcialmente",
            "bloqueado",
            "Bloqueada",
            "BLOQUEIO FINANCEIRO",
            "Bloqueio manual",
            "bloqueado (inadimplência)",
            "Ativo - velocidade reduzida",
            "Ativo V. Reduzida",
            "  suspenso  ",
            "cliente-bloqueado",
        ] {
            assert!(situacao_bloqueada(bloqueada), "{bloqueada:?} is blocked");
        }
        for livre in [
            "ativo",
            "Ativo",
            "ATIVO",
            "cancelado",
            "Desativado",
            "inativo",
            "Aguardando instalação",
            "desbloqueado",
            "Ativo (desbloqueio de confiança)",
            "Desbloqueio em confiança",
            "sem bloqueio",
            "Não suspenso",
            "nao bloqueado",
            "",
            "A",
            "CA",
            "bloq",
        ] {
            assert!(!situacao_bloqueada(livre), "{livre:?} is not blocked");
        }
    }

    fn servico(situacao: Option<&str>) -> Servico {
        Servico {
            id: "S1".into(),
            nome: None,
            situacao: situacao.map(str::to_owned),
            valor: None,
            plano: None,
            endereco: None,
        }
    }

    #[test]
    fn a_service_without_a_status_is_not_blocked() {
        assert!(!servico(None).bloqueado());
        assert!(servico(Some("Suspenso")).bloqueado());
        assert!(!servico(Some("Ativo")).bloqueado());
    }

    fn dia(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 1, d)
    }

    #[test]
    fn notas_newest_first_undated_last() {
        let nota = |id: &str, emissao| NotaFiscal {
            id: id.into(),
            numero: None,
            tipo: None,
            valor: None,
            protocolo: None,
            emissao,
            identificacao: None,
            url: None,
        };
        let mut notas = vec![nota("a", dia(1)), nota("x", None), nota("b", dia(3)), nota("c", dia(3))];
        NotaFiscal::ordenar(&mut notas);
        let ids: Vec<&str> = notas.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a", "x"]);
    }

    #[test]
    fn lancamentos_newest_first_by_entry_else_due_date() {
        let linha = |id: &str, lancamento, vencimento| Lancamento {
            id_fatura: id.into(),
            lancamento,
            vencimento,
            pagamento: None,
            historico: None,
            valor_fatura: None,
            valor_pago: None,
            cobranca: None,
        };
        let mut linhas = vec![
            linha("1", dia(2), None),
            linha("2", None, None),
            linha("3", None, dia(5)),
            linha("4", dia(9), dia(1)),
        ];
        Lancamento::ordenar(&mut linhas);
        let ids: Vec<&str> = linhas.iter().map(|l| l.id_fatura.as_str()).collect();
        assert_eq!(ids, ["4", "3", "1", "2"]);
    }

    fn quitacao(ano: u16, id: &str, url: Option<&str>) -> Quitacao {
        Quitacao {
            id: Some(id.into()),
            ano,
            valor: None,
            texto: None,
            url: url.map(str::to_owned),
        }
    }

    #[test]
    fn quitacoes_newest_year_first_and_the_pdf_of_a_year() {
        let mut lista = vec![
            quitacao(2023, "a", Some("u23")),
            quitacao(2025, "b", None),
            quitacao(2024, "c", Some("u24")),
            quitacao(2025, "d", Some("u25")),
        ];
        Quitacao::ordenar(&mut lista);
        let anos: Vec<u16> = lista.iter().map(|q| q.ano).collect();
        assert_eq!(anos, [2025, 2025, 2024, 2023]);
        assert_eq!(quitacao_do_ano(&lista, None).and_then(|q| q.id.as_deref()), Some("d"));
        assert_eq!(
            quitacao_do_ano(&lista, Some(2024)).and_then(|q| q.id.as_deref()),
            Some("c")
        );
        assert_eq!(quitacao_do_ano(&lista, Some(2022)), None);
        assert_eq!(quitacao_do_ano(&[], None), None);
        let sem_pdf = [quitacao(2025, "e", None)];
        assert_eq!(quitacao_do_ano(&sem_pdf, None).and_then(|q| q.id.as_deref()), Some("e"));
    }
}
