//! The boleto "2ª via" PDF that borda draws itself when the ERP has no PDF for a fatura.
//!
//! This module owns the A4 layout: a "Recibo do Pagador" at the top, a dashed cut line, and the "Ficha de
//! Compensação" at the bottom with the linha digitável and the ITF barcode drawn as vector rectangles at the size the
//! banks fix (`formats.md` §3.2: 0.254 mm narrow bar, 3:1, 13 mm tall, 5 mm quiet zone, ≥ 12 mm from the bottom edge
//! of the ficha to the centre line of the code). The codes themselves come from [`crate::domain::boleto`] (the linha is
//! decoded again, so the barcode can only ever be the one the linha stands for) and the bar pattern from
//! [`crate::domain::render::Itf`].
//!
//! Text uses the PDF standard fonts (Helvetica), which are not embedded and are encoded as WinAnsi (CP1252):
//! Portuguese letters print as they are; anything outside CP1252 is transliterated here on purpose (see
//! [`winansi`]) rather than left to printpdf, which would print `?`.
//!
//! It must never read the clock or anything else that changes between runs: the same fatura, beneficiário and
//! `hoje` give the same bytes, and the document's dates and `/ID` derive from them. It is pure: data in, bytes out.

use chrono::{Datelike, NaiveDate};
use printpdf::{
    BuiltinFont, Color, Greyscale, Line, LineDashPattern, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem,
};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::domain::boleto::{self, Boleto, BoletoError, Detalhe};
use crate::domain::documento::{self, Documento};
use crate::domain::model::Fatura;
use crate::domain::money::Centavos;
use crate::domain::render::Itf;

/// Who receives the payment (the ISP), from the daemon's config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beneficiario {
    /// Name or razão social, as printed on the boleto.
    pub nome: String,
    /// The CNPJ (or CPF), already formatted for print; `None` leaves the field out.
    pub documento: Option<String>,
}

/// Why the boleto PDF could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The fatura carries no linha digitável, so there is no boleto to print (PIX-only invoices, for example).
    #[error("esta fatura não tem linha digitável: não há boleto para gerar")]
    SemLinhaDigitavel,
    /// The stored linha digitável does not decode.
    #[error("a linha digitável desta fatura é inválida: {0}")]
    Linha(#[from] BoletoError),
    /// Drawing or writing the PDF failed; this is a bug, never the customer's data.
    #[error("falha ao gerar o PDF do boleto: {0}")]
    Render(String),
}

impl PdfError {
    /// The stable API error code (`design/api.md`): `sem_linha_digitavel`, `linha_digitavel_invalida` or
    /// `erro_interno`.
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::SemLinhaDigitavel => "sem_linha_digitavel",
            PdfError::Linha(_) => "linha_digitavel_invalida",
            PdfError::Render(_) => "erro_interno",
        }
    }
}

/// A4 width in millimetres.
const PAGINA_LARGURA: f32 = 210.0;
/// A4 height in millimetres.
const PAGINA_ALTURA: f32 = 297.0;
/// Left edge of every box.
const ESQUERDA: f32 = 10.0;
/// Right edge of every box.
const DIREITA: f32 = 200.0;
/// Left edge of the ficha's right-hand column (vencimento and the amounts), 50 mm wide as in bank layouts.
const COLUNA_VALORES: f32 = 150.0;
/// Horizontal padding between a box's border and its text.
const RECUO: f32 = 1.5;

/// Narrow ITF module in points: 0.254 mm is exactly 0.72 pt, so every bar edge is a whole multiple of it.
const ITF_MODULO_PT: f32 = 0.72;
/// Wide bars are three narrow modules (`formats.md` §3.2; ISO/IEC 16390 wants a ratio above 2.2 at this size).
const ITF_LARGO: u32 = 3;
/// Bar height: the banks' 13 mm.
const ITF_ALTURA: f32 = 13.0;
/// The barcode starts 5 mm right of the ficha's left edge, which is the quiet zone the banks require; nothing is
/// drawn within 5 mm of its right end either.
const ITF_X: f32 = ESQUERDA + 5.0;
/// Top of the bars. Their bottom is then 20 mm above the page edge, so the centre line sits 26.5 mm above the
/// bottom of the ficha, well over the required 12 mm, and clear of printers' unprintable margins.
const ITF_Y: f32 = PAGINA_ALTURA - 20.0 - ITF_ALTURA;

/// Label size: small, grey, above each value, as on bank forms.
const ROTULO_PT: f32 = 6.0;
/// Value size.
const VALOR_PT: f32 = 9.0;
/// Grey of labels and notes (0 = black, 1 = white).
const CINZA_ROTULO: f32 = 0.3;
/// Thickness of box borders in points.
const BORDA_PT: f32 = 0.5;
/// Thickness of the rules that open the ficha and close the header, in points.
const BORDA_FORTE_PT: f32 = 1.2;

/// Renders the A4 boleto "2ª via" of `fatura`: the beneficiário, the payer (`nome_cliente` and documento), the
/// histórico, emissão, vencimento, valores (with juros, multa and desconto when present), the formatted linha
/// digitável, and the ITF barcode at bank size near the bottom of the ficha de compensação. `hoje` is the date of
/// this 2ª via (printed as "data do processamento") and the reference for decoding the linha's fator de
/// vencimento. Fails with [`PdfError::SemLinhaDigitavel`] when the fatura has no linha.
pub fn boleto_pdf(fatura: &Fatura, beneficiario: &Beneficiario, hoje: NaiveDate) -> Result<Vec<u8>, PdfError> {
    let linha = fatura
        .linha_digitavel
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .ok_or(PdfError::SemLinhaDigitavel)?;
    let boleto = boleto::decode(linha, hoje)?;
    if fatura
        .codigo_barras
        .as_deref()
        .is_some_and(|c| c != boleto.codigo_barras)
    {
        // The model derives the barcode from the linha, so a mismatch means corrupted data; the linha wins because
        // it is what the customer can read and type.
        tracing::warn!(
            fatura = %fatura.id,
            "codigo_barras da fatura difere do derivado da linha digitável; usando o da linha"
        );
    }
    let itf = Itf::encode(&boleto.codigo_barras).map_err(|e| PdfError::Render(e.to_string()))?;
    let dados = Dados::new(fatura, beneficiario, &boleto, hoje);

    let mut desenho = Desenho::default();
    desenho.cabecalho(&dados);
    desenho.recibo(&dados);
    desenho.ficha(&dados);
    desenho.codigo_de_barras(&itf);

    let mut documento = PdfDocument::new(&format!("Boleto {}", dados.numero_documento));
    let meia_noite = meia_noite_utc(hoje);
    documento.metadata.info.creation_date = meia_noite;
    documento.metadata.info.modification_date = meia_noite;
    documento.metadata.info.metadata_date = meia_noite;
    documento.metadata.info.creator = "borda".to_owned();
    documento.metadata.info.producer = "borda".to_owned();
    // Document information strings are written as UTF-16, so they need no transliteration.
    documento.metadata.info.subject = "Boleto - 2ª via".to_owned();
    let pagina = PdfPage::new(printpdf::Mm(PAGINA_LARGURA), printpdf::Mm(PAGINA_ALTURA), desenho.ops);
    documento.pages.push(pagina);
    salvar(&documento, &boleto.codigo_barras, hoje)
}

/// `hoje` at 00:00 UTC, the document's creation and modification date: a date that depends only on the input.
pub(crate) fn meia_noite_utc(hoje: NaiveDate) -> printpdf::OffsetDateTime {
    printpdf::OffsetDateTime {
        date: printpdf::Date {
            year: hoje.year(),
            // Months and days are at most 31, so the narrowing is exact.
            month: u8::try_from(hoje.month()).unwrap_or(1),
            day: u8::try_from(hoje.day()).unwrap_or(1),
        },
        time: printpdf::Time {
            hour: 0,
            minute: 0,
            second: 0,
            millisecond: 0,
        },
        offset: printpdf::Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    }
}

/// Serialises the document with a deterministic trailer `/ID`. printpdf draws the `/ID` from a process-wide
/// counter, so two renders in one process would differ; the first half is replaced by the barcode (a permanent
/// identifier of the boleto) and the second by the barcode and `hoje` (this rendering of it).
fn salvar(documento: &PdfDocument, codigo_barras: &str, hoje: NaiveDate) -> Result<Vec<u8>, PdfError> {
    let ids = [
        codigo_barras.to_owned(),
        format!("{codigo_barras}{}", hoje.format("%Y%m%d")),
    ];
    salvar_deterministico(documento, ids).map_err(PdfError::Render)
}

/// Serialises a printpdf document with the trailer `/ID` given (printpdf would draw one from a process-wide
/// counter) and without the empty information keys printpdf writes: the same document gives the same bytes. The
/// boleto and the receipt previews both save through here.
pub(crate) fn salvar_deterministico(documento: &PdfDocument, ids: [String; 2]) -> Result<Vec<u8>, String> {
    let opcoes = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut avisos = Vec::new();
    let mut lopdf = documento.to_lopdf_document(&opcoes, &mut avisos);
    if let Some(aviso) = avisos
        .iter()
        .find(|a| a.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(aviso.msg.clone());
    }
    let entradas = lopdf
        .trailer
        .get_mut(b"ID")
        .and_then(|id| id.as_array_mut())
        .map_err(|e| format!("/ID: {e}"))?;
    for (entrada, id) in entradas.iter_mut().zip(ids) {
        let bytes = entrada.as_str_mut().map_err(|e| format!("/ID: {e}"))?;
        *bytes = id.into_bytes();
    }
    // printpdf always writes a `GTS_PDFXVersion` key, empty for a document that follows no PDF/X profile, which
    // makes readers such as pdfinfo report the PDF as PDF/X; that key and the other empty ones go.
    let info = lopdf
        .trailer
        .get(b"Info")
        .and_then(|info| info.as_reference())
        .map_err(|e| format!("/Info: {e}"))?;
    let info = lopdf
        .get_object_mut(info)
        .and_then(|info| info.as_dict_mut())
        .map_err(|e| format!("/Info: {e}"))?;
    for chave in [&b"GTS_PDFXVersion"[..], b"Identifier", b"Keywords", b"Author"] {
        info.remove(chave);
    }
    lopdf.compress();
    let mut bytes = Vec::new();
    lopdf.save_to(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Label of the discount box; the `(-)` tells the amount is subtracted.
const ROTULO_DESCONTO: &str = "(-) Desconto / Abatimento";
/// Label of the interest box.
const ROTULO_JUROS: &str = "(+) Juros / Mora";
/// Label of the fine box.
const ROTULO_MULTA: &str = "(+) Multa";

/// Everything the page prints, already as text.
struct Dados {
    /// The beneficiário's name.
    beneficiario: String,
    /// The beneficiário's document, formatted, or empty.
    beneficiario_documento: String,
    /// The payer's name, or empty.
    pagador: String,
    /// The payer's document as `CPF 123.456.789-09`, or as the ERP sent it when it does not parse.
    pagador_documento: String,
    /// The customer's code in the ERP, or empty.
    codigo_cliente: String,
    /// `code_fatura`, else the fatura id.
    numero_documento: String,
    /// The histórico, or empty.
    historico: String,
    /// The contract, or empty.
    contrato: String,
    /// Emissão, `dd/mm/aaaa` or empty.
    emissao: String,
    /// Vencimento from the ERP, else from the fator; `dd/mm/aaaa` or empty.
    vencimento: String,
    /// The date of this 2ª via, `dd/mm/aaaa`.
    processamento: String,
    /// The face value: `valor_inicial`, else the barcode's value, else `valor_atual`.
    valor_documento: String,
    /// Desconto, juros and multa as (label, amount), only those present and not zero.
    ajustes: Vec<(&'static str, String)>,
    /// What the customer pays today, when it differs from the face value or adjustments exist.
    valor_cobrado: Option<String>,
    /// The linha digitável with its usual punctuation.
    linha_formatada: String,
    /// The bank's COMPE code for a bancário, empty for an arrecadação.
    banco: String,
    /// The bank's name (from the ERP when it sent a name, else from [`nome_do_banco`]) or the arrecadação
    /// segment; may be empty.
    banco_nome: String,
}

impl Dados {
    /// Gathers and formats what the page prints; every text is already WinAnsi-safe (see [`winansi`]).
    fn new(fatura: &Fatura, beneficiario: &Beneficiario, boleto: &Boleto, hoje: NaiveDate) -> Dados {
        let texto = |t: Option<&str>| t.map(winansi).unwrap_or_default();
        let data = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
        let valor_documento = fatura.valor_inicial.or(boleto.valor()).unwrap_or(fatura.valor_atual);
        // The labels carry the sign, so the amounts are printed unsigned whichever sign the ERP used.
        let ajustes: Vec<(&'static str, String)> = [
            (ROTULO_DESCONTO, fatura.desconto),
            (ROTULO_JUROS, fatura.juros),
            (ROTULO_MULTA, fatura.multa),
        ]
        .into_iter()
        .filter_map(|(rotulo, valor)| {
            let valor = valor.filter(|v| !v.is_zero())?;
            Some((rotulo, reais(Centavos::new(valor.get().saturating_abs()))))
        })
        .collect();
        let valor_cobrado =
            (!ajustes.is_empty() || fatura.valor_atual != valor_documento).then(|| reais(fatura.valor_atual));
        let (banco, banco_nome) = match &boleto.detalhe {
            Detalhe::Bancario { banco, .. } => {
                // ERPs send either the code or the name in `banco`; only a name adds anything to the code.
                let do_erp = texto(fatura.banco.as_deref());
                let nome = if do_erp.is_empty() || do_erp.bytes().all(|b| b.is_ascii_digit()) {
                    nome_do_banco(banco).unwrap_or_default().to_owned()
                } else {
                    do_erp
                };
                (banco.clone(), nome)
            }
            Detalhe::Arrecadacao { segmento, .. } => (String::new(), winansi(segmento.nome())),
        };
        Dados {
            beneficiario: winansi(&beneficiario.nome),
            beneficiario_documento: texto(beneficiario.documento.as_deref()),
            pagador: texto(fatura.nome_cliente.as_deref()),
            pagador_documento: documento_formatado(&fatura.documento),
            codigo_cliente: texto(fatura.id_cliente.as_deref()),
            numero_documento: texto(Some(fatura.code_fatura.as_deref().unwrap_or(&fatura.id))),
            historico: texto(fatura.historico.as_deref()),
            contrato: texto(fatura.contrato.as_deref()),
            emissao: data(fatura.emissao),
            vencimento: data(fatura.vencimento.or(boleto.vencimento())),
            processamento: data(Some(hoje)),
            valor_documento: reais(valor_documento),
            ajustes,
            valor_cobrado,
            linha_formatada: boleto.linha_formatada(),
            banco,
            banco_nome,
        }
    }

    /// The amount cells of the ficha's right-hand column below "Valor do documento", in bank order, each blank
    /// when absent as on a bank form.
    fn coluna_de_valores(&self) -> [(&'static str, String); 4] {
        let ajuste = |rotulo: &str| {
            self.ajustes
                .iter()
                .find(|(r, _)| *r == rotulo)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        [
            (ROTULO_DESCONTO, ajuste(ROTULO_DESCONTO)),
            (ROTULO_JUROS, ajuste(ROTULO_JUROS)),
            (ROTULO_MULTA, ajuste(ROTULO_MULTA)),
            ("(=) Valor cobrado", self.valor_cobrado.clone().unwrap_or_default()),
        ]
    }

    /// The lines of the ficha's instructions box: the histórico, the contract, and how the amounts were computed.
    fn instrucoes(&self) -> Vec<String> {
        let mut linhas = Vec::new();
        if !self.historico.is_empty() {
            linhas.push(format!("Referente a: {}", self.historico));
        }
        if !self.contrato.is_empty() {
            linhas.push(format!("Contrato: {}", self.contrato));
        }
        if self.valor_cobrado.is_some() {
            linhas.push(format!(
                "Valor cobrado atualizado em {} com os encargos e descontos informados.",
                self.processamento
            ));
        }
        linhas.push("2ª via emitida pelo terminal de autoatendimento.".to_owned());
        linhas
    }
}

/// The names of the banks ISPs most often collect through, by COMPE code; others show the code alone.
fn nome_do_banco(codigo: &str) -> Option<&'static str> {
    Some(match codigo {
        "001" => "Banco do Brasil",
        "004" => "Banco do Nordeste",
        "033" => "Santander",
        "041" => "Banrisul",
        "070" => "BRB",
        "077" => "Banco Inter",
        "085" => "Ailos",
        "104" => "Caixa Econômica Federal",
        "136" => "Unicred",
        "208" => "BTG Pactual",
        "212" => "Banco Original",
        "237" => "Bradesco",
        "260" => "Nubank",
        "336" => "C6 Bank",
        "341" => "Itaú Unibanco",
        "364" => "Efí",
        "403" => "Cora",
        "422" => "Safra",
        "461" => "Asaas",
        "748" => "Sicredi",
        "756" => "Sicoob",
        _ => return None,
    })
}

/// The payer's document as printed: `CPF 123.456.789-09` / `CNPJ 12.345.678/0001-95`, or the stored text when it
/// does not parse (the ERP's data is printed rather than hidden).
fn documento_formatado(documento: &str) -> String {
    match documento::parse(documento) {
        Ok(d @ Documento::Cpf(_)) => format!("CPF {}", d.formatado()),
        Ok(d @ Documento::Cnpj(_)) => format!("CNPJ {}", d.formatado()),
        Err(_) => winansi(documento),
    }
}

/// An amount the Brazilian way: `R$ 1.234,56`, `-R$ 0,50` ([`Centavos::em_reais`]).
fn reais(valor: Centavos) -> String {
    valor.em_reais()
}

/// Makes `texto` printable with a WinAnsi-encoded standard font: characters of CP1252 (all Portuguese letters among
/// them) are kept; others are replaced by their compatibility decomposition without accents (`ő` → `o`, `ﬁ` →
/// `fi`), a few letters that do not decompose get their usual Latin spelling, whitespace and control characters
/// become one space, and anything left becomes `?`.
fn winansi(texto: &str) -> String {
    let mut saida = String::with_capacity(texto.len());
    for c in texto.chars() {
        if c.is_whitespace() || c.is_control() {
            if !saida.ends_with(' ') {
                saida.push(' ');
            }
        } else if e_winansi(c) {
            saida.push(c);
        } else if let Some(latina) = transliteracao(c) {
            saida.push_str(latina);
        } else {
            let mut partes = String::new();
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) && e_winansi(d) {
                    partes.push(d);
                }
            });
            saida.push_str(if partes.is_empty() { "?" } else { &partes });
        }
    }
    saida.trim().to_owned()
}

/// Latin letters and punctuation with no compatibility decomposition, spelled as they usually are in ASCII.
fn transliteracao(c: char) -> Option<&'static str> {
    Some(match c {
        'Ł' => "L",
        'ł' => "l",
        'Đ' | 'Ð' => "D",
        'đ' => "d",
        'Ħ' => "H",
        'ħ' => "h",
        'ı' => "i",
        'Ø' => "O",
        'ø' => "o",
        'ŋ' => "n",
        'ſ' => "s",
        '‐' | '‑' | '‒' | '−' => "-",
        '′' => "'",
        '″' => "\"",
        _ => return None,
    })
}

/// Whether the standard fonts' WinAnsiEncoding (PDF 32000-1 Annex D.2) has `c`: printable ASCII, Latin-1's upper
/// half, and the 27 characters CP1252 puts in 0x80–0x9F.
fn e_winansi(c: char) -> bool {
    matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0xFF)
        || matches!(
            c,
            '€' | '‚'
                | 'ƒ'
                | '„'
                | '…'
                | '†'
                | '‡'
                | 'ˆ'
                | '‰'
                | 'Š'
                | '‹'
                | 'Œ'
                | 'Ž'
                | '‘'
                | '’'
                | '“'
                | '”'
                | '•'
                | '–'
                | '—'
                | '˜'
                | '™'
                | 'š'
                | '›'
                | 'œ'
                | 'ž'
                | 'Ÿ'
        )
}

/// The two faces the page uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fonte {
    /// Helvetica, for labels and notes.
    Normal,
    /// Helvetica-Bold, for values.
    Negrito,
}

/// Helvetica advance widths (1/1000 em) of ASCII 0x20–0x7E, from the Adobe AFM (identical in URW Nimbus Sans).
const LARGURAS_HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 222, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

/// Helvetica-Bold advance widths of ASCII 0x20–0x7E, same source.
const LARGURAS_HELVETICA_NEGRITO: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 278, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584,
];

impl Fonte {
    /// The standard PDF font this face is.
    fn builtin(self) -> BuiltinFont {
        match self {
            Fonte::Normal => BuiltinFont::Helvetica,
            Fonte::Negrito => BuiltinFont::HelveticaBold,
        }
    }

    /// Advance width of `c` in 1/1000 em. Accented letters are as wide as their base letter in Helvetica, so they
    /// use the base's width; other characters outside ASCII get a full em, which can only make text shorter than
    /// it could be, never overflow its box.
    fn largura(self, c: char) -> u64 {
        let tabela = match self {
            Fonte::Normal => &LARGURAS_HELVETICA,
            Fonte::Negrito => &LARGURAS_HELVETICA_NEGRITO,
        };
        let mut base = c;
        if !c.is_ascii() {
            unicode_normalization::char::decompose_canonical(c, |d| {
                if base == c {
                    base = d;
                }
            });
        }
        u32::from(base)
            .checked_sub(0x20)
            .and_then(|i| tabela.get(usize::try_from(i).ok()?))
            .map_or(1000, |&w| u64::from(w))
    }

    /// Width of `texto` at `tamanho` points, in millimetres.
    fn medir(self, texto: &str, tamanho: f32) -> f32 {
        let milesimos = texto.chars().fold(0u64, |soma, c| soma.saturating_add(self.largura(c)));
        em_milimetros(milesimos, tamanho)
    }

    /// `texto` cut to fit `largura` mm at `tamanho` points, ending in `…` when something was cut. Linear in the
    /// text's length, so an absurdly long field from the ERP costs no more than reading it once.
    fn caber(self, texto: &str, tamanho: f32, largura: f32) -> String {
        if self.medir(texto, tamanho) <= largura {
            return texto.to_owned();
        }
        let reticencias = self.largura('…');
        let mut milesimos = 0u64;
        let mut cortado = String::new();
        for c in texto.chars() {
            milesimos = milesimos.saturating_add(self.largura(c));
            if em_milimetros(milesimos.saturating_add(reticencias), tamanho) > largura {
                break;
            }
            cortado.push(c);
        }
        format!("{}…", cortado.trim_end())
    }

    /// `texto` broken into lines of at most `largura` mm, word by word; at most `maximo` lines, the last one cut
    /// with `…` when text remains.
    fn quebrar(self, texto: &str, tamanho: f32, largura: f32, maximo: usize) -> Vec<String> {
        let mut linhas: Vec<String> = Vec::new();
        let mut atual = String::new();
        for palavra in texto.split(' ').filter(|p| !p.is_empty()) {
            // One line past the limit is enough to know the text must be cut.
            if linhas.len() > maximo {
                break;
            }
            let tentativa = if atual.is_empty() {
                palavra.to_owned()
            } else {
                format!("{atual} {palavra}")
            };
            if self.medir(&tentativa, tamanho) <= largura || atual.is_empty() {
                atual = tentativa;
            } else {
                linhas.push(std::mem::replace(&mut atual, palavra.to_owned()));
            }
        }
        if !atual.is_empty() {
            linhas.push(atual);
        }
        if linhas.len() > maximo {
            let resto = linhas.split_off(maximo.saturating_sub(1)).join(" ");
            if maximo > 0 {
                linhas.push(format!("{resto}…"));
            }
        }
        linhas.into_iter().map(|l| self.caber(&l, tamanho, largura)).collect()
    }
}

/// A width in 1/1000 em at `tamanho` points, in millimetres. Any width that fits a page is far below the range
/// where `f32` loses whole units.
fn em_milimetros(milesimos: u64, tamanho: f32) -> f32 {
    milesimos as f32 / 1000.0 * tamanho * 25.4 / 72.0
}

/// How a value sits in its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alinhamento {
    /// Flush left, for names and text.
    Esquerda,
    /// Flush right, for dates and amounts, so their digits line up down the column.
    Direita,
}

/// A box of the form: a label at the top-left and a value on its bottom line.
struct Celula<'a> {
    /// Left edge, mm.
    x: f32,
    /// Top edge, mm from the top of the page.
    y: f32,
    /// Width, mm.
    largura: f32,
    /// Height, mm.
    altura: f32,
    /// The small grey label.
    rotulo: &'a str,
    /// The bold value.
    valor: &'a str,
    /// Where the value sits.
    alinhamento: Alinhamento,
}

/// The page's drawing operations, built in millimetres from the top-left corner and emitted in PDF points from
/// the bottom-left.
#[derive(Default)]
struct Desenho {
    ops: Vec<Op>,
}

/// A PDF point from millimetres measured from the top-left corner.
fn ponto(x: f32, y: f32) -> Point {
    Point::new(printpdf::Mm(x), printpdf::Mm(PAGINA_ALTURA - y))
}

/// A grey level as a PDF colour (0 = black).
fn cinza(nivel: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: nivel,
        icc_profile: None,
    })
}

impl Desenho {
    /// Writes `texto` with its baseline's left end at (`x`, `y`).
    fn texto(&mut self, x: f32, y: f32, fonte: Fonte, tamanho: f32, nivel: f32, texto: &str) {
        if texto.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: cinza(nivel) },
            Op::SetFont {
                font: PdfFontHandle::Builtin(fonte.builtin()),
                size: Pt(tamanho),
            },
            Op::SetTextCursor { pos: ponto(x, y) },
            Op::ShowText {
                items: vec![TextItem::Text(texto.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Writes `texto` with its baseline's right end at (`x`, `y`).
    fn texto_a_direita(&mut self, x: f32, y: f32, fonte: Fonte, tamanho: f32, nivel: f32, texto: &str) {
        self.texto(x - fonte.medir(texto, tamanho), y, fonte, tamanho, nivel, texto);
    }

    /// A straight stroke from (`x0`, `y0`) to (`x1`, `y1`), `espessura` points thick, solid or `tracejada`.
    fn linha(&mut self, (x0, y0): (f32, f32), (x1, y1): (f32, f32), espessura: f32, tracejada: bool) {
        let traco = if tracejada {
            LineDashPattern::new(0.0, &[3.0, 2.0])
        } else {
            LineDashPattern::solid()
        };
        self.ops.extend([
            Op::SetOutlineColor { col: cinza(0.0) },
            Op::SetOutlineThickness { pt: Pt(espessura) },
            Op::SetLineDashPattern { dash: traco },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: ponto(x0, y0),
                            bezier: false,
                        },
                        LinePoint {
                            p: ponto(x1, y1),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    /// A horizontal border from `x0` to `x1` at `y`.
    fn horizontal(&mut self, x0: f32, x1: f32, y: f32, espessura: f32) {
        self.linha((x0, y), (x1, y), espessura, false);
    }

    /// A vertical border at `x` from `y0` down to `y1`.
    fn vertical(&mut self, x: f32, y0: f32, y1: f32) {
        self.linha((x, y0), (x, y1), BORDA_PT, false);
    }

    /// A box: its bottom and left borders (neighbours and the enclosing frame draw the rest), its label and its
    /// value cut to fit.
    fn celula(&mut self, c: &Celula) {
        self.horizontal(c.x, c.x + c.largura, c.y + c.altura, BORDA_PT);
        self.vertical(c.x, c.y, c.y + c.altura);
        self.texto(c.x + RECUO, c.y + 2.6, Fonte::Normal, ROTULO_PT, CINZA_ROTULO, c.rotulo);
        let util = c.largura - 2.0 * RECUO;
        let valor = Fonte::Negrito.caber(c.valor, VALOR_PT, util);
        let base = c.y + c.altura - 1.8;
        match c.alinhamento {
            Alinhamento::Esquerda => self.texto(c.x + RECUO, base, Fonte::Negrito, VALOR_PT, 0.0, &valor),
            Alinhamento::Direita => {
                self.texto_a_direita(c.x + c.largura - RECUO, base, Fonte::Negrito, VALOR_PT, 0.0, &valor);
            }
        }
    }

    /// A row of boxes from `ESQUERDA` to `DIREITA` at `y`, `altura` tall, closed on the right; each box is (width,
    /// label, value, alignment), the last one taking what is left.
    fn fileira(&mut self, y: f32, altura: f32, caixas: &[(f32, &str, &str, Alinhamento)]) {
        let mut x = ESQUERDA;
        for (indice, &(largura, rotulo, valor, alinhamento)) in caixas.iter().enumerate() {
            let largura = if indice + 1 == caixas.len() {
                DIREITA - x
            } else {
                largura
            };
            self.celula(&Celula {
                x,
                y,
                largura,
                altura,
                rotulo,
                valor,
                alinhamento,
            });
            x += largura;
        }
        self.vertical(DIREITA, y, y + altura);
    }

    /// The page header: the beneficiário, and what this document is.
    fn cabecalho(&mut self, d: &Dados) {
        let titulo = Fonte::Negrito.caber(&d.beneficiario, 13.0, 120.0);
        self.texto(ESQUERDA, 16.0, Fonte::Negrito, 13.0, 0.0, &titulo);
        if !d.beneficiario_documento.is_empty() {
            self.texto(
                ESQUERDA,
                21.0,
                Fonte::Normal,
                8.0,
                CINZA_ROTULO,
                &format!("CNPJ {}", d.beneficiario_documento),
            );
        }
        self.texto_a_direita(DIREITA, 16.0, Fonte::Negrito, 12.0, 0.0, "Boleto - 2ª via");
        self.texto_a_direita(
            DIREITA,
            21.0,
            Fonte::Normal,
            8.0,
            CINZA_ROTULO,
            &format!("Emitida em {}", d.processamento),
        );
        self.horizontal(ESQUERDA, DIREITA, 24.0, BORDA_FORTE_PT);
    }

    /// The "Recibo do Pagador": what the customer keeps.
    fn recibo(&mut self, d: &Dados) {
        use Alinhamento::{Direita, Esquerda};
        const ALTURA: f32 = 10.0;
        self.texto(ESQUERDA, 32.0, Fonte::Negrito, 10.0, 0.0, "Recibo do Pagador");
        let mut y = 35.0;
        self.horizontal(ESQUERDA, DIREITA, y, BORDA_PT);
        let beneficiario = d.beneficiario.as_str();
        let documento_beneficiario = d.beneficiario_documento.as_str();
        self.fileira(
            y,
            ALTURA,
            &[
                (100.0, "Beneficiário", beneficiario, Esquerda),
                (40.0, "CPF/CNPJ do beneficiário", documento_beneficiario, Esquerda),
                (0.0, "Vencimento", &d.vencimento, Direita),
            ],
        );
        y += ALTURA;
        self.fileira(
            y,
            ALTURA,
            &[
                (100.0, "Pagador", &d.pagador, Esquerda),
                (40.0, "CPF/CNPJ do pagador", &d.pagador_documento, Esquerda),
                (0.0, "Nº do documento", &d.numero_documento, Direita),
            ],
        );
        y += ALTURA;
        self.fileira(
            y,
            ALTURA,
            &[
                (100.0, "Referência", &d.historico, Esquerda),
                (40.0, "Data do documento", &d.emissao, Esquerda),
                (0.0, "(=) Valor do documento", &d.valor_documento, Direita),
            ],
        );
        y += ALTURA;
        if let Some(cobrado) = &d.valor_cobrado {
            let largura = 140.0 / f32::from(u8::try_from(d.ajustes.len()).unwrap_or(1).max(1));
            let mut caixas: Vec<(f32, &str, &str, Alinhamento)> = d
                .ajustes
                .iter()
                .map(|(r, v)| (largura, *r, v.as_str(), Direita))
                .collect();
            if caixas.is_empty() {
                caixas.push((140.0, "", "", Esquerda));
            }
            caixas.push((0.0, "(=) Valor cobrado", cobrado, Direita));
            self.fileira(y, ALTURA, &caixas);
            y += ALTURA;
        }
        self.fileira(y, ALTURA, &[(0.0, "Linha digitável", &d.linha_formatada, Esquerda)]);
        y += ALTURA;
        self.texto_a_direita(
            DIREITA,
            y + 3.5,
            Fonte::Normal,
            ROTULO_PT,
            CINZA_ROTULO,
            "Autenticação mecânica",
        );
        let nota = "Pague em qualquer banco, lotérica ou aplicativo de banco usando a linha digitável ou o código de \
                    barras da Ficha de Compensação abaixo.";
        for (i, linha) in Fonte::Normal.quebrar(nota, 7.5, 130.0, 2).iter().enumerate() {
            self.texto(
                ESQUERDA,
                y + 4.0 + 3.6 * i as f32,
                Fonte::Normal,
                7.5,
                CINZA_ROTULO,
                linha,
            );
        }
    }

    /// The "Ficha de Compensação": the bank's part, in the FEBRABAN arrangement.
    fn ficha(&mut self, d: &Dados) {
        use Alinhamento::{Direita, Esquerda};
        const LINHA: f32 = 9.0;
        const CABECALHO: f32 = 10.0;
        const INSTRUCOES: f32 = 4.0 * 8.0;
        const PAGADOR: f32 = 12.0;
        let base = ITF_Y - 4.0;
        let topo = base - (CABECALHO + 3.0 * LINHA + INSTRUCOES + PAGADOR);

        // Cut line, well above the ficha so scissors do not touch it.
        self.linha((ESQUERDA, topo - 12.0), (DIREITA, topo - 12.0), BORDA_PT, true);
        self.texto_a_direita(
            DIREITA,
            topo - 13.2,
            Fonte::Normal,
            ROTULO_PT,
            CINZA_ROTULO,
            "Corte na linha pontilhada",
        );

        // Header over a heavy rule: bank name | bank code | linha digitável, as on bank forms.
        const NOME_FIM: f32 = 52.0;
        const CODIGO_FIM: f32 = 68.0;
        // An arrecadação has no bank code: its segment name gets the room of both cells.
        let nome_fim = if d.banco.is_empty() { CODIGO_FIM } else { NOME_FIM };
        let nome = Fonte::Negrito.caber(&d.banco_nome, 10.0, nome_fim - ESQUERDA - RECUO);
        self.texto(ESQUERDA + RECUO, topo - 2.2, Fonte::Negrito, 10.0, 0.0, &nome);
        if !d.banco.is_empty() {
            self.linha((NOME_FIM, topo - 7.0), (NOME_FIM, topo), BORDA_FORTE_PT, false);
            self.linha((CODIGO_FIM, topo - 7.0), (CODIGO_FIM, topo), BORDA_FORTE_PT, false);
            let codigo_x = (NOME_FIM + CODIGO_FIM - Fonte::Negrito.medir(&d.banco, 14.0)) / 2.0;
            self.texto(codigo_x, topo - 2.0, Fonte::Negrito, 14.0, 0.0, &d.banco);
        }
        let linha = Fonte::Negrito.caber(&d.linha_formatada, 11.5, DIREITA - CODIGO_FIM - 2.0 * RECUO);
        self.texto_a_direita(DIREITA, topo - 2.2, Fonte::Negrito, 11.5, 0.0, &linha);
        self.horizontal(ESQUERDA, DIREITA, topo, BORDA_FORTE_PT);
        let mut y = topo;

        let esquerda = COLUNA_VALORES - ESQUERDA;
        let local = "Pagável em qualquer banco, lotérica ou aplicativo de banco";
        self.fileira(
            y,
            LINHA,
            &[
                (esquerda, "Local de pagamento", local, Esquerda),
                (0.0, "Vencimento", &d.vencimento, Direita),
            ],
        );
        y += LINHA;
        let beneficiario = if d.beneficiario_documento.is_empty() {
            d.beneficiario.clone()
        } else {
            format!("{} - CNPJ {}", d.beneficiario, d.beneficiario_documento)
        };
        self.fileira(
            y,
            LINHA,
            &[
                (esquerda, "Beneficiário", &beneficiario, Esquerda),
                (0.0, "Nº do documento", &d.numero_documento, Direita),
            ],
        );
        y += LINHA;
        self.fileira(
            y,
            LINHA,
            &[
                (35.0, "Data do documento", &d.emissao, Esquerda),
                (35.0, "Data do processamento", &d.processamento, Esquerda),
                (20.0, "Espécie", "R$", Esquerda),
                (esquerda - 90.0, "Código do cliente", &d.codigo_cliente, Esquerda),
                (0.0, "(=) Valor do documento", &d.valor_documento, Direita),
            ],
        );
        y += LINHA;

        // Instructions on the left, the four amount boxes on the right.
        self.vertical(ESQUERDA, y, y + INSTRUCOES);
        self.horizontal(ESQUERDA, COLUNA_VALORES, y + INSTRUCOES, BORDA_PT);
        self.texto(
            ESQUERDA + RECUO,
            y + 2.6,
            Fonte::Normal,
            ROTULO_PT,
            CINZA_ROTULO,
            "Instruções (texto de responsabilidade do beneficiário)",
        );
        let mut linha_y = y + 7.0;
        let instrucoes = d.instrucoes();
        let largura_util = esquerda - 2.0 * RECUO;
        let mut restantes = 6usize;
        for paragrafo in &instrucoes {
            for texto in Fonte::Normal.quebrar(paragrafo, 8.0, largura_util, restantes) {
                self.texto(ESQUERDA + RECUO, linha_y, Fonte::Normal, 8.0, 0.0, &texto);
                linha_y += 3.9;
                restantes = restantes.saturating_sub(1);
            }
            if restantes == 0 {
                break;
            }
        }
        let altura_valor = INSTRUCOES / 4.0;
        for (indice, (rotulo, valor)) in d.coluna_de_valores().iter().enumerate() {
            self.celula(&Celula {
                x: COLUNA_VALORES,
                y: y + altura_valor * indice as f32,
                largura: DIREITA - COLUNA_VALORES,
                altura: altura_valor,
                rotulo,
                valor,
                alinhamento: Direita,
            });
        }
        self.vertical(DIREITA, y, y + INSTRUCOES);
        y += INSTRUCOES;

        // Pagador, across the whole width, closed by a heavy rule.
        self.vertical(ESQUERDA, y, y + PAGADOR);
        self.vertical(DIREITA, y, y + PAGADOR);
        self.texto(
            ESQUERDA + RECUO,
            y + 2.6,
            Fonte::Normal,
            ROTULO_PT,
            CINZA_ROTULO,
            "Pagador",
        );
        let pagador = if d.pagador.is_empty() {
            d.pagador_documento.clone()
        } else {
            format!("{} - {}", d.pagador, d.pagador_documento)
        };
        let pagador = Fonte::Negrito.caber(&pagador, VALOR_PT, DIREITA - ESQUERDA - 2.0 * RECUO);
        self.texto(ESQUERDA + RECUO, y + 7.5, Fonte::Negrito, VALOR_PT, 0.0, &pagador);
        y += PAGADOR;
        self.horizontal(ESQUERDA, DIREITA, y, BORDA_FORTE_PT);
        self.texto_a_direita(
            DIREITA,
            y + 3.0,
            Fonte::Normal,
            ROTULO_PT,
            CINZA_ROTULO,
            "Autenticação mecânica - Ficha de Compensação",
        );
    }

    /// The ITF barcode: one filled black rectangle per bar, each bar 1 or 3 modules of 0.254 mm, 13 mm tall.
    fn codigo_de_barras(&mut self, itf: &Itf) {
        self.ops.push(Op::SetFillColor { col: cinza(0.0) });
        let x0 = Pt::from(printpdf::Mm(ITF_X)).0;
        let y = Pt::from(printpdf::Mm(PAGINA_ALTURA - ITF_Y - ITF_ALTURA));
        let altura = Pt::from(printpdf::Mm(ITF_ALTURA));
        let modulos = itf.modules(1, ITF_LARGO);
        let mut inicio = 0usize;
        for corrida in modulos.chunk_by(|a, b| a == b) {
            if corrida.first() == Some(&true) {
                // Module counts stay below 1000, exact in f32, so each edge is an exact multiple of the module.
                self.ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(x0 + inicio as f32 * ITF_MODULO_PT),
                        y,
                        width: Pt(corrida.len() as f32 * ITF_MODULO_PT),
                        height: altura,
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            inicio += corrida.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Banco do Brasil's manual example (`vectors/boleto_bancario.json`, cob-001).
    const LINHA: &str = "00190500954014481606906809350314337370000000100";
    const BARRAS: &str = "00193373700000001000500940144816060680935031";

    fn hoje() -> NaiveDate {
        NaiveDate::from_ymd_opt(2007, 12, 20).unwrap()
    }

    fn fatura() -> Fatura {
        Fatura {
            id: "F-123".to_owned(),
            code_fatura: Some("123-45678909".to_owned()),
            documento: "52998224725".to_owned(),
            nome_cliente: Some("João da Conceição".to_owned()),
            id_cliente: Some("42".to_owned()),
            valor_inicial: Some(Centavos::new(100)),
            valor_atual: Centavos::new(100),
            juros: None,
            multa: None,
            desconto: None,
            emissao: NaiveDate::from_ymd_opt(2007, 12, 1),
            vencimento: NaiveDate::from_ymd_opt(2007, 12, 31),
            historico: Some("Mensalidade Plano Fibra 300 Mb".to_owned()),
            banco: Some("001".to_owned()),
            linha_digitavel: Some(LINHA.to_owned()),
            codigo_barras: Some(BARRAS.to_owned()),
            pix_code: None,
            identifier: None,
            integration_id: None,
            contrato: Some("7".to_owned()),
            bill_receipt: None,
            bill_pix_receipt: None,
            link_boleto: None,
        }
    }

    fn beneficiario() -> Beneficiario {
        Beneficiario {
            nome: "Provedor Exemplo Telecomunicações Ltda".to_owned(),
            documento: Some("11.222.333/0001-81".to_owned()),
        }
    }

    #[test]
    fn gera_pdf() {
        let pdf = boleto_pdf(&fatura(), &beneficiario(), hoje()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        assert!(pdf.len() < 20_000, "{}", pdf.len());
    }

    #[test]
    fn deterministico() {
        let a = boleto_pdf(&fatura(), &beneficiario(), hoje()).unwrap();
        let b = boleto_pdf(&fatura(), &beneficiario(), hoje()).unwrap();
        assert_eq!(a, b);
        let ids = format!("/ID[({BARRAS})({BARRAS}20071220)]");
        let texto = String::from_utf8_lossy(&a);
        assert!(texto.contains(&ids), "{texto}");
        assert!(texto.contains("/CreationDate(D:20071220000000+00'00')"));
        assert!(!texto.contains("GTS_PDFX"), "no PDF/X claim: {texto}");
    }

    #[test]
    fn sem_linha_digitavel() {
        let mut f = fatura();
        f.linha_digitavel = None;
        let erro = boleto_pdf(&f, &beneficiario(), hoje()).unwrap_err();
        assert_eq!(erro, PdfError::SemLinhaDigitavel);
        assert_eq!(erro.code(), "sem_linha_digitavel");
        f.linha_digitavel = Some("  ".to_owned());
        assert_eq!(
            boleto_pdf(&f, &beneficiario(), hoje()),
            Err(PdfError::SemLinhaDigitavel)
        );
    }

    #[test]
    fn linha_invalida() {
        let mut f = fatura();
        f.linha_digitavel = Some(LINHA.replace("0019050095", "0019050096"));
        let erro = boleto_pdf(&f, &beneficiario(), hoje()).unwrap_err();
        assert!(matches!(erro, PdfError::Linha(_)), "{erro:?}");
        assert_eq!(erro.code(), "linha_digitavel_invalida");
        assert!(
            erro.to_string()
                .starts_with("a linha digitável desta fatura é inválida: "),
            "{erro}"
        );
    }

    #[test]
    fn reais_brasileiros() {
        assert_eq!(reais(Centavos::new(0)), "R$ 0,00");
        assert_eq!(reais(Centavos::new(5)), "R$ 0,05");
        assert_eq!(reais(Centavos::new(100)), "R$ 1,00");
        assert_eq!(reais(Centavos::new(99_999)), "R$ 999,99");
        assert_eq!(reais(Centavos::new(123_456)), "R$ 1.234,56");
        assert_eq!(reais(Centavos::new(123_456_789)), "R$ 1.234.567,89");
        assert_eq!(reais(Centavos::new(-50)), "-R$ 0,50");
        assert_eq!(reais(Centavos::new(i64::MIN)), "-R$ 92.233.720.368.547.758,08");
    }

    #[test]
    fn winansi_mantem_portugues_e_translitera_o_resto() {
        assert_eq!(winansi("João Conceição Ávila ÊÔÕ ü"), "João Conceição Ávila ÊÔÕ ü");
        assert_eq!(winansi("“Plano” – 2ª via €"), "“Plano” – 2ª via €");
        assert_eq!(winansi("Łódź ő ﬁbra"), "Lódz o fibra");
        assert_eq!(winansi("  linha\n\tdupla  "), "linha dupla");
        assert_eq!(winansi("网络 🚀"), "?? ?");
        assert!(winansi("Ǆ").chars().all(e_winansi));
    }

    #[test]
    fn larguras_e_corte() {
        // "R$ 1,00" in Helvetica-Bold: 722+556+278+556+278+556+556 = 3502/1000 em.
        let mm = Fonte::Negrito.medir("R$ 1,00", 10.0);
        assert!((mm - 3.502 * 10.0 * 25.4 / 72.0).abs() < 1e-4, "{mm}");
        assert_eq!(Fonte::Normal.largura('é'), Fonte::Normal.largura('e'));
        let cortado = Fonte::Normal.caber(&"palavra ".repeat(40), 9.0, 50.0);
        assert!(
            cortado.ends_with('…') && Fonte::Normal.medir(&cortado, 9.0) <= 50.0,
            "{cortado}"
        );
        let linhas = Fonte::Normal.quebrar(&"palavra ".repeat(60), 8.0, 60.0, 3);
        assert_eq!(linhas.len(), 3);
        assert!(linhas.iter().all(|l| Fonte::Normal.medir(l, 8.0) <= 60.0));
        assert!(linhas[2].ends_with('…'));
        assert!(Fonte::Normal.quebrar("uma duas", 8.0, 60.0, 0).is_empty());
        assert_eq!(Fonte::Normal.quebrar("uma duas", 8.0, 60.0, 1), vec!["uma duas"]);
        // A field far longer than any page costs one pass, not one pass per character.
        let enorme = "x".repeat(1_000_000);
        assert!(Fonte::Negrito.caber(&enorme, 9.0, 100.0).chars().count() < 200);
        assert_eq!(
            Fonte::Normal.quebrar(&"palavra ".repeat(200_000), 8.0, 60.0, 2).len(),
            2
        );
    }

    #[test]
    fn valores_e_ajustes() {
        let mut f = fatura();
        f.valor_inicial = Some(Centavos::new(10_000));
        f.valor_atual = Centavos::new(10_250);
        f.juros = Some(Centavos::new(50));
        f.multa = Some(Centavos::new(200));
        f.desconto = Some(Centavos::ZERO);
        let boleto = boleto::decode(LINHA, hoje()).unwrap();
        let d = Dados::new(&f, &beneficiario(), &boleto, hoje());
        assert_eq!(d.valor_documento, "R$ 100,00");
        assert_eq!(d.valor_cobrado.as_deref(), Some("R$ 102,50"));
        assert_eq!(
            d.ajustes,
            vec![
                (ROTULO_JUROS, "R$ 0,50".to_owned()),
                (ROTULO_MULTA, "R$ 2,00".to_owned())
            ]
        );
        assert_eq!(d.pagador_documento, "CPF 529.982.247-25");
        assert_eq!(d.vencimento, "31/12/2007");
        assert_eq!(d.banco, "001");
        assert_eq!(d.banco_nome, "Banco do Brasil");
        assert!(boleto_pdf(&f, &beneficiario(), hoje()).unwrap().starts_with(b"%PDF-"));

        // Without ERP values the face value and due date come from the code itself.
        f.valor_inicial = None;
        f.vencimento = None;
        f.juros = None;
        f.multa = None;
        f.valor_atual = Centavos::new(100);
        f.documento = "123".to_owned();
        f.banco = Some("BB Cobrança".to_owned());
        let d = Dados::new(&f, &beneficiario(), &boleto, hoje());
        assert_eq!(d.valor_documento, "R$ 1,00");
        assert_eq!(d.valor_cobrado, None);
        assert_eq!(d.vencimento, "31/12/2007");
        assert_eq!(d.pagador_documento, "123");
        assert_eq!(d.banco_nome, "BB Cobrança");
    }

    #[test]
    fn arrecadacao_tambem_gera() {
        let mut f = fatura();
        // vectors/arrecadacao.json arr-003, a telecom (segment 4) bill.
        f.linha_digitavel = Some("846300000003299902962024004101360008002006441147".to_owned());
        f.codigo_barras = None;
        let pdf = boleto_pdf(&f, &beneficiario(), hoje()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn campos_enormes_ou_estranhos_nao_quebram() {
        let mut f = fatura();
        f.nome_cliente = Some("Ana 🚀 Łukasz\u{0}\n".repeat(20_000));
        f.historico = Some("Mensalidade\t\r\n网络 ".repeat(100_000));
        f.code_fatura = Some("9".repeat(10_000));
        f.contrato = Some(String::new());
        f.banco = Some(" ".to_owned());
        let b = Beneficiario {
            nome: "B".repeat(50_000),
            documento: None,
        };
        assert!(boleto_pdf(&f, &b, hoje()).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn codigo_de_barras_em_modulos_exatos() {
        let itf = Itf::encode(BARRAS).unwrap();
        let mut desenho = Desenho::default();
        desenho.codigo_de_barras(&itf);
        let barras: Vec<&Rect> = desenho
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::DrawRectangle { rectangle } => Some(rectangle),
                _ => None,
            })
            .collect();
        // 22 pairs × 5 bars + 2 start bars + 2 stop bars.
        assert_eq!(barras.len(), 114);
        let largura: f32 = barras.iter().map(|r| r.width.0).sum();
        // Bars are 2 + 22×(2×3+3×1) + 3+1 = 204 narrow modules.
        assert!((largura - 204.0 * ITF_MODULO_PT).abs() < 1e-3, "{largura}");
        let ultima = barras.last().unwrap();
        let fim_mm = (ultima.x.0 + ultima.width.0) * 25.4 / 72.0;
        // 405 modules of 0.254 mm = 102.87 mm from the start.
        assert!((fim_mm - (ITF_X + 102.87)).abs() < 1e-3, "{fim_mm}");
        assert!(barras.iter().all(|r| (r.height.0 * 25.4 / 72.0 - 13.0).abs() < 1e-3));
    }
}
