//! The receipts borda prints, laid out once for a paper `colunas` characters wide (48 on 80 mm, 32 on 58 mm):
//! [`comprovante_pix`], [`comprovante_tef`], [`boleto`] (2ª via) and [`texto`].
//!
//! The ERP's receipt headers (`bill_pix_receipt`, `bill_receipt`) and the TEF slip are printed verbatim, line by
//! line: a line longer than the paper is wrapped ([`quebrar`]) and nothing else is changed. The customer's CPF/CNPJ
//! is masked ([`mascarar_documento`]). Money is [`Centavos::em_reais`](crate::domain::money::Centavos::em_reais).

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::domain::baixa::{Baixa, Estado, Transacao};
use crate::domain::documento::{self, Documento};
use crate::domain::impressao::{Alinhamento, Elemento, Estilo, Impresso};
use crate::domain::model::Fatura;

/// What the receipt says about where it was printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DadosTerminal {
    /// The totem's (or PDV's) id.
    pub totem_id: String,
    /// The company (the ISP, the boleto's beneficiário), if configured.
    pub empresa: Option<String>,
    /// The company's CNPJ, printed in full (a company's CNPJ is public).
    pub documento_empresa: Option<String>,
}

/// The confirmation line of a receipt whose baixa the ERP already booked or showed paid.
pub const PAGAMENTO_CONFIRMADO: &str = "Pagamento confirmado pelo provedor";
/// The confirmation line of a receipt whose baixa is recorded here but not yet confirmed by the ERP.
pub const CONFIRMACAO_PENDENTE: &str = "Pagamento registrado; confirmação pendente";

/// Splits `texto` into lines of at most `largura` characters (Unicode scalar values; a receipt font is monospaced).
///
/// A text that fits is returned unchanged, leading and inner spaces included (TEF slips align with spaces).
/// Otherwise it breaks at the last space that keeps the line within `largura` (the spaces at a break are dropped,
/// and trailing spaces of the text are ignored) and a word longer than a line is cut hard. Double-size lines hold
/// half the columns: call with `colunas / 2`. Never returns an empty vector.
pub fn quebrar(texto: &str, largura: usize) -> Vec<String> {
    let largura = largura.max(1);
    if texto.chars().nth(largura).is_none() {
        return vec![texto.to_owned()];
    }
    let caracteres: Vec<char> = texto.trim_end_matches(' ').chars().collect();
    let mut linhas = Vec::with_capacity(caracteres.len() / largura + 1);
    let mut inicio = 0;
    while inicio < caracteres.len() {
        let resto = caracteres.get(inicio..).unwrap_or_default();
        if resto.len() <= largura {
            linhas.push(resto.iter().collect());
            break;
        }
        // A space at index `largura` means the first `largura` characters end exactly at a word.
        let corte = (1..=largura)
            .rev()
            .find(|&i| resto.get(i) == Some(&' ') && resto.get(..i).is_some_and(|a| a.iter().any(|&c| c != ' ')));
        match corte {
            Some(i) => {
                let linha: String = resto.get(..i).unwrap_or_default().iter().collect();
                linhas.push(linha.trim_end_matches(' ').to_owned());
                let espacos = resto
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&c| c == ' ')
                    .count();
                inicio += i + espacos;
            }
            None => {
                linhas.push(resto.get(..largura).unwrap_or_default().iter().collect());
                inicio += largura;
            }
        }
    }
    if linhas.is_empty() {
        linhas.push(String::new());
    }
    linhas
}

/// The customer's CPF or CNPJ as a receipt shows it: only the middle digits, `***.456.789-**` for a CPF and
/// `**.345.678/****-**` for a CNPJ (the LGPD-minded habit of Brazilian receipts). A document that does not parse
/// shows nothing of itself: `***`.
pub fn mascarar_documento(documento: &str) -> String {
    match documento::parse(documento) {
        Ok(Documento::Cpf(n)) => format!(
            "***.{}.{}-**",
            n.get(3..6).unwrap_or("***"),
            n.get(6..9).unwrap_or("***")
        ),
        Ok(Documento::Cnpj(n)) => {
            format!(
                "**.{}.{}/****-**",
                n.get(2..5).unwrap_or("***"),
                n.get(5..8).unwrap_or("***")
            )
        }
        Err(_) => "***".to_owned(),
    }
}

/// `texto` with every occurrence of the customer's document, bare or punctuated, replaced by its masked form
/// ([`mascarar_documento`]).
pub fn sem_documento(texto: &str, documento: &str) -> String {
    let Ok(doc) = documento::parse(documento) else {
        return texto.to_owned();
    };
    let mascarado = mascarar_documento(documento);
    texto
        .replace(&doc.formatado(), &mascarado)
        .replace(doc.numero(), &mascarado)
}

/// A date as `dd/mm/aaaa`.
fn data(dia: NaiveDate) -> String {
    dia.format("%d/%m/%Y").to_string()
}

/// An instant as `dd/mm/aaaa hh:mm`, in the offset it was reported with.
fn data_hora(instante: DateTime<FixedOffset>) -> String {
    instante.format("%d/%m/%Y %H:%M").to_string()
}

/// A receipt being laid out.
struct Layout {
    colunas: usize,
    elementos: Vec<Elemento>,
}

const NORMAL: Estilo = Estilo {
    alinhamento: Alinhamento::Esquerda,
    negrito: false,
    duplo: false,
};
const TITULO: Estilo = Estilo {
    alinhamento: Alinhamento::Centro,
    negrito: true,
    duplo: false,
};
const DESTAQUE: Estilo = Estilo {
    alinhamento: Alinhamento::Esquerda,
    negrito: true,
    duplo: false,
};

impl Layout {
    fn new(colunas: u16) -> Layout {
        Layout {
            colunas: usize::from(colunas.max(1)),
            elementos: Vec::with_capacity(48),
        }
    }

    /// `texto` in `estilo`, wrapped to the columns of that style.
    fn linha(&mut self, texto: &str, estilo: Estilo) {
        let largura = if estilo.duplo {
            (self.colunas / 2).max(1)
        } else {
            self.colunas
        };
        for parte in quebrar(texto, largura) {
            self.elementos.push(Elemento::Texto { texto: parte, estilo });
        }
    }

    /// A text of several lines (`\n` or `\r\n`), each printed as it is, wrapped only when too long.
    fn verbatim(&mut self, texto: &str) {
        for linha in texto.lines() {
            self.linha(linha, NORMAL);
        }
    }

    /// `rotulo` at the left and `valor` at the right of one line; when both do not fit, the label on its line and
    /// the value below it.
    fn par(&mut self, rotulo: &str, valor: &str, estilo: Estilo) {
        let largura = if estilo.duplo {
            (self.colunas / 2).max(1)
        } else {
            self.colunas
        };
        let (r, v) = (rotulo.chars().count(), valor.chars().count());
        if r + 1 + v <= largura {
            let mut texto = String::with_capacity(rotulo.len() + valor.len() + largura);
            texto.push_str(rotulo);
            texto.extend(std::iter::repeat_n(' ', largura - r - v));
            texto.push_str(valor);
            self.elementos.push(Elemento::Texto { texto, estilo });
        } else {
            self.linha(rotulo, estilo);
            self.linha(valor, estilo);
        }
    }

    /// `texto` cut every `colunas` characters, spaces kept: for codes read character by character (the PIX
    /// copia-e-cola may hold spaces, and a break at a space must not drop it).
    fn fixo(&mut self, texto: &str) {
        let caracteres: Vec<char> = texto.chars().collect();
        for parte in caracteres.chunks(self.colunas) {
            self.elementos.push(Elemento::Texto {
                texto: parte.iter().collect(),
                estilo: NORMAL,
            });
        }
    }

    fn separador(&mut self) {
        self.elementos.push(Elemento::Separador);
    }

    /// The feed and the cut that end every receipt.
    fn fim(mut self) -> Impresso {
        self.elementos.push(Elemento::Avanco(3));
        self.elementos.push(Elemento::Corte);
        Impresso {
            colunas: u16::try_from(self.colunas).unwrap_or(u16::MAX),
            elementos: self.elementos,
        }
    }

    /// Customer, fatura, histórico, due date and the fatura's values (original, juros, multa, desconto).
    fn dados_da_fatura(&mut self, fatura: &Fatura) {
        if let Some(nome) = &fatura.nome_cliente {
            self.par("Cliente:", nome, NORMAL);
        }
        let rotulo = match documento::parse(&fatura.documento).map(|d| d.tipo()) {
            Ok(documento::Tipo::Cnpj) => "CNPJ:",
            _ => "CPF:",
        };
        self.par(rotulo, &mascarar_documento(&fatura.documento), NORMAL);
        let numero = match &fatura.code_fatura {
            Some(codigo) if codigo != &fatura.id => format!("{} ({codigo})", fatura.id),
            _ => fatura.id.clone(),
        };
        // ERPs build codes and histories from the customer's document ("10001-52998224725"): masked there too.
        self.par("Fatura:", &sem_documento(&numero, &fatura.documento), NORMAL);
        if let Some(historico) = &fatura.historico {
            self.linha("Histórico:", NORMAL);
            self.linha(&sem_documento(historico, &fatura.documento), NORMAL);
        }
        if let Some(vencimento) = fatura.vencimento {
            self.par("Vencimento:", &data(vencimento), NORMAL);
        }
        self.par(
            "Valor original:",
            &fatura.valor_inicial.unwrap_or(fatura.valor_atual).em_reais(),
            NORMAL,
        );
        for (rotulo, valor) in [
            ("Juros:", fatura.juros),
            ("Multa:", fatura.multa),
            ("Desconto:", fatura.desconto),
        ] {
            if let Some(valor) = valor.filter(|v| !v.is_zero()) {
                self.par(rotulo, &valor.em_reais(), NORMAL);
            }
        }
    }

    /// What the customer paid, when, the payment's ids, the totem and whether the ERP has confirmed it.
    fn dados_do_pagamento(&mut self, baixa: &Baixa, dados: &DadosTerminal) {
        self.par("Valor pago:", &baixa.valor.em_reais(), DESTAQUE);
        self.par("Data/hora:", &data_hora(baixa.pago_em), NORMAL);
        match &baixa.transacao {
            Transacao::Pix { e2e_id, txid } => {
                self.par("E2E:", e2e_id, NORMAL);
                if let Some(txid) = txid {
                    self.par("TXID:", txid, NORMAL);
                }
            }
            Transacao::Tef {
                nsu,
                autorizacao,
                bandeira,
                ..
            } => {
                if let Some(bandeira) = bandeira {
                    self.par("Bandeira:", bandeira, NORMAL);
                }
                self.par("NSU:", nsu, NORMAL);
                self.par("Autorização:", autorizacao, NORMAL);
            }
        }
        self.par("Totem:", &dados.totem_id, NORMAL);
        self.separador();
        self.linha(confirmacao(baixa.estado), TITULO);
    }
}

/// "Pagamento confirmado pelo provedor" once the ERP booked the baixa or showed the fatura paid; otherwise
/// "Pagamento registrado; confirmação pendente" (the payment is taken and recorded here either way).
pub fn confirmacao(estado: Estado) -> &'static str {
    match estado {
        Estado::Sincronizada | Estado::Reconciliada => PAGAMENTO_CONFIRMADO,
        Estado::Pendente | Estado::Enviando | Estado::Incerta | Estado::AguardandoErp | Estado::Falhou => {
            CONFIRMACAO_PENDENTE
        }
    }
}

/// The receipt of a PIX payment: the fatura's `bill_pix_receipt` verbatim, then customer (masked document),
/// fatura, histórico, due date, values, what was paid and when, the end-to-end id and txid, the totem and whether
/// the ERP has confirmed the payment.
pub fn comprovante_pix(fatura: &Fatura, baixa: &Baixa, dados: &DadosTerminal, colunas: u16) -> Impresso {
    let mut layout = Layout::new(colunas);
    if let Some(cabecalho) = &fatura.bill_pix_receipt {
        layout.verbatim(cabecalho);
        layout.separador();
    }
    layout.linha("COMPROVANTE DE PAGAMENTO PIX", TITULO);
    layout.separador();
    layout.dados_da_fatura(fatura);
    layout.dados_do_pagamento(baixa, dados);
    layout.fim()
}

/// The receipt of a card (TEF) payment: the fatura's `bill_receipt` verbatim, the customer's copy of the TEF slip
/// verbatim, then the same data as [`comprovante_pix`] with the card's NSU and authorisation.
pub fn comprovante_tef(fatura: &Fatura, baixa: &Baixa, dados: &DadosTerminal, colunas: u16) -> Impresso {
    let mut layout = Layout::new(colunas);
    if let Some(cabecalho) = &fatura.bill_receipt {
        layout.verbatim(cabecalho);
        layout.separador();
    }
    if let Transacao::Tef {
        comprovante_cliente, ..
    } = &baixa.transacao
        && !comprovante_cliente.is_empty()
    {
        for linha in comprovante_cliente {
            layout.verbatim(linha);
        }
        layout.separador();
    }
    layout.linha("COMPROVANTE DE PAGAMENTO", TITULO);
    layout.separador();
    layout.dados_da_fatura(fatura);
    layout.dados_do_pagamento(baixa, dados);
    layout.fim()
}

/// The boleto's 2ª via: beneficiário, pagador, values and due date, the linha digitável (formatted, over as many
/// lines as it needs), the ITF of the 44 digits and, when the fatura has one, the PIX QR with its copia-e-cola.
pub fn boleto(fatura: &Fatura, dados: &DadosTerminal, colunas: u16) -> Impresso {
    let mut layout = Layout::new(colunas);
    layout.linha(
        "BOLETO 2ª VIA",
        Estilo {
            alinhamento: Alinhamento::Centro,
            negrito: true,
            duplo: true,
        },
    );
    layout.separador();
    if let Some(empresa) = &dados.empresa {
        layout.par("Beneficiário:", empresa, NORMAL);
    }
    if let Some(cnpj) = &dados.documento_empresa {
        let formatado = documento::parse(cnpj)
            .map(|d| d.formatado())
            .unwrap_or_else(|_| cnpj.clone());
        layout.par("CNPJ:", &formatado, NORMAL);
    }
    layout.dados_da_fatura(fatura);
    layout.par("Valor a pagar:", &fatura.valor_atual.em_reais(), DESTAQUE);
    if let Some(banco) = &fatura.banco {
        layout.par("Banco:", banco, NORMAL);
    }
    if let Some(linha) = &fatura.linha_digitavel {
        layout.separador();
        layout.linha("Linha digitável:", DESTAQUE);
        layout.linha(&crate::domain::boleto::formatar_linha(linha), NORMAL);
    }
    if let Some(codigo) = &fatura.codigo_barras {
        layout.elementos.push(Elemento::Avanco(1));
        layout.elementos.push(Elemento::CodigoDeBarras {
            digitos: codigo.clone(),
        });
        layout.elementos.push(Elemento::Avanco(1));
    }
    if let Some(pix) = &fatura.pix_code {
        layout.separador();
        layout.linha("Pague com PIX", TITULO);
        layout.elementos.push(Elemento::Qr { conteudo: pix.clone() });
        layout.linha("PIX copia e cola:", NORMAL);
        layout.fixo(pix);
    }
    layout.separador();
    layout.par("Totem:", &dados.totem_id, NORMAL);
    layout.fim()
}

/// Free text (the print test, the kiosk's own messages): each line wrapped to the columns, then feed and cut.
pub fn texto<S: AsRef<str>>(linhas: &[S], colunas: u16) -> Impresso {
    let mut layout = Layout::new(colunas);
    for linha in linhas {
        layout.verbatim(linha.as_ref());
        if linha.as_ref().is_empty() {
            layout.linha("", NORMAL);
        }
    }
    layout.fim()
}

#[cfg(test)]
mod tests;
