//! What a receipt says, laid out once for any paper: the [`Impresso`], a list
//! of [`Elemento`]s (lines of text with alignment, bold and double size,
//! separators, the boleto's ITF, a QR Code, a bitmap, feeds and the cut),
//! already wrapped to a printer's columns.
//!
//! `comprovantes` builds the receipts borda prints (comprovante PIX, TEF,
//! boleto 2ª via, free text) from the fatura and the baixa; the backends turn
//! one `Impresso` into ESC/POS bytes for a printer profile (`escpos`), a PNG
//! preview that shows what the paper shows (`preview`) and a PDF (`pdf`).
//! Everything here is pure: data in, bytes out; no IO, no clock.

pub mod comprovantes;
pub mod escpos;
pub mod exemplos;
pub mod pdf_recibo;
pub mod preview;
pub mod raster;
pub mod status;

/// How a line sits across the paper.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Alinhamento {
    #[default]
    Esquerda,
    Centro,
    Direita,
}

/// The look of a line of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Estilo {
    pub alinhamento: Alinhamento,
    pub negrito: bool,
    /// Double width and height: a line then holds half the columns.
    pub duplo: bool,
}

/// A 1-bit picture, rows top to bottom, `true` is a printed (black) dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub largura: u32,
    pub altura: u32,
    /// `largura × altura` dots, row by row.
    pub pontos: Vec<bool>,
}

/// One piece of a receipt, in paper order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elemento {
    /// One line of text that fits the columns (in its style), as Unicode: each backend maps the characters its
    /// paper can show (an ESC/POS code page transliterates what it lacks).
    Texto { texto: String, estilo: Estilo },
    /// A full-width rule.
    Separador,
    /// The 44 digits of a boleto as an ITF barcode. Printed rotated 90° as a raster (a 44-digit ITF does not fit
    /// 576 dots across at a scannable width), narrow bar ≥ 2 dots, 13 mm (≥ 104 dots) tall.
    CodigoDeBarras { digitos: String },
    /// A QR Code (the PIX copia-e-cola).
    Qr { conteudo: String },
    /// A picture (a logo).
    Imagem(Bitmap),
    /// Blank lines.
    Avanco(u8),
    /// Cut the paper here.
    Corte,
}

/// A receipt laid out for a paper `colunas` characters wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impresso {
    pub colunas: u16,
    pub elementos: Vec<Elemento>,
}
