//! What the paper shows: an [`Impresso`] laid out on a thermal printer's dot grid and drawn as a 1-bit PNG.
//!
//! The grid is the printer's: 203 dpi (8 dots/mm), `pontos_por_linha` dots across (576 on 80 mm paper, 384 on
//! 58 mm), Epson font A cells of 12 × 24 dots (48 columns × 12 = 576), the default line spacing of 30 dots
//! (`ESC 2` on a TM-T20), double size as 2 × 2 dots per dot with a 48-dot line, alignment within the printable
//! width, the ITF and the QR as the very rasters the ESC/POS encoder sends ([`super::raster`]), centred like every
//! image, and a dashed mark where the paper is cut. The text is DejaVu Sans Mono (`assets/fonts`, with its
//! licence), rasterised once per glyph with `fontdue` and thresholded to 1 bit like a thermal head's dots.
//!
//! [`diagramar`] places everything once; the PNG here and the PDF in [`super::pdf_recibo`] both draw that
//! placement, so the two pictures cannot disagree. Pure: data in, bytes out.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::impressao::raster::{margem_esquerda, raster_itf, raster_qr_para_papel};
use crate::domain::impressao::{Alinhamento, Bitmap, Elemento, Impresso};
use crate::domain::render::RenderError;

/// Dots across an 80 mm roll's 72 mm printable width.
pub const PONTOS_80MM: u32 = 576;
/// Dots across a 58 mm roll's 48 mm printable width.
pub const PONTOS_58MM: u32 = 384;
/// Width of a character cell (Epson font A), in dots.
pub const CELULA_LARGURA: u32 = 12;
/// Height of a character cell (Epson font A), in dots.
pub const CELULA_ALTURA: u32 = 24;
/// The printer's default line feed (`ESC 2`): 30 dots, the 24-dot cell plus 6 dots of spacing.
pub const ESPACAMENTO_LINHA: u32 = 30;
/// Blank paper before and after the cut mark, in dots (3 mm).
const MARGEM_CORTE: u32 = 24;
/// Thickness of the dashed cut mark, in dots.
const ESPESSURA_CORTE: u32 = 2;
/// Length of a dash (and of a gap) of the cut mark, in dots.
const TRACO_CORTE: u32 = 8;

/// Where the baseline sits in a 12 × 24 cell, counting dots from its top: DejaVu Sans Mono's ascent is 0.928 em,
/// 18.5 dots at the size that makes its advance 12 dots, so accented capitals fit above and descenders below.
pub(crate) const LINHA_DE_BASE: u32 = 19;
/// DejaVu Sans Mono's advance, 1233 of 2048 font units per em (every glyph: it is monospace).
pub(crate) const AVANCO_EM: f32 = 1233.0 / 2048.0;
/// A coverage at or above this (of 255) prints a dot: a thermal head prints a dot or nothing.
const LIMIAR: u8 = 110;

/// DejaVu Sans Mono, subset to what receipt code pages show (see `assets/fonts/README.md`).
pub(crate) const FONTE_NORMAL: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");
/// DejaVu Sans Mono Bold, the same subset.
pub(crate) const FONTE_NEGRITO: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono-Bold.ttf");
/// Drawn for a character the font lacks.
pub(crate) const SUBSTITUTO: char = '\u{FFFD}';

/// Why a preview could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    /// The ITF digits or the QR payload cannot be encoded.
    #[error("{0}")]
    Codigo(#[from] RenderError),
    /// The layout's columns do not fit the printer's dots.
    #[error("{colunas} colunas de {CELULA_LARGURA} pontos não cabem nos {pontos} pontos por linha da impressora")]
    ColunasDemais {
        /// The layout's columns.
        colunas: u16,
        /// The printer's dots per line.
        pontos: u32,
    },
    /// The image or PDF encoder failed; this is a bug, never the customer's data.
    #[error("falha ao gerar a prévia do impresso: {0}")]
    Imagem(String),
}

impl PreviewError {
    /// The stable API error code: `codigo_invalido`/`payload_invalido` as [`RenderError::code`], `erro_interno`
    /// otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            PreviewError::Codigo(e) => e.code(),
            PreviewError::ColunasDemais { .. } | PreviewError::Imagem(_) => "erro_interno",
        }
    }
}

/// One thing placed on the paper, in dots from the top-left corner of the printable area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Peca {
    /// A run of text: its cells start at (`x`, `y`), each `CELULA_LARGURA × escala` wide.
    Texto {
        x: u32,
        y: u32,
        texto: String,
        negrito: bool,
        /// 1, or 2 for double width and height.
        escala: u32,
    },
    /// A bitmap with its top-left corner at (`x`, `y`).
    Imagem { x: u32, y: u32, bitmap: Bitmap },
    /// The cut, a dashed line across the paper from row `y`, [`ESPESSURA_CORTE`] dots thick.
    Corte { y: u32 },
}

/// An [`Impresso`] placed on the dot grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagrama {
    /// Dots across.
    pub largura: u32,
    /// Dots of paper used.
    pub altura: u32,
    pub pecas: Vec<Peca>,
}

/// Places `impresso` on a paper `pontos_por_linha` dots wide, as the printer would: text lines one after the
/// other at the line spacing (a line longer than the paper wraps, as on the printer), images centred and advancing
/// the paper by their height, feeds of whole lines, a cut mark with 3 mm of paper on either side.
pub(crate) fn diagramar(impresso: &Impresso, pontos_por_linha: u32) -> Result<Diagrama, PreviewError> {
    let colunas = u32::from(impresso.colunas);
    if colunas.saturating_mul(CELULA_LARGURA) > pontos_por_linha || pontos_por_linha < CELULA_LARGURA * 2 {
        return Err(PreviewError::ColunasDemais {
            colunas: impresso.colunas,
            pontos: pontos_por_linha,
        });
    }
    let mut pecas = Vec::with_capacity(impresso.elementos.len());
    let mut y = 0u32;
    let texto = |y: &mut u32, pecas: &mut Vec<Peca>, conteudo: &str, estilo: &super::Estilo| {
        let escala = if estilo.duplo { 2 } else { 1 };
        let celula = CELULA_LARGURA * escala;
        let cabem = usize::try_from((pontos_por_linha / celula).max(1)).unwrap_or(1);
        let avanco = ESPACAMENTO_LINHA.max(CELULA_ALTURA * escala);
        let caracteres: Vec<char> = conteudo.chars().collect();
        let linhas: Vec<&[char]> = if caracteres.is_empty() {
            vec![&[]]
        } else {
            caracteres.chunks(cabem).collect()
        };
        for linha in linhas {
            let largura = u32::try_from(linha.len()).unwrap_or(u32::MAX).saturating_mul(celula);
            let sobra = pontos_por_linha.saturating_sub(largura);
            let x = match estilo.alinhamento {
                Alinhamento::Esquerda => 0,
                Alinhamento::Centro => sobra / 2,
                Alinhamento::Direita => sobra,
            };
            if linha.iter().any(|c| !c.is_whitespace()) {
                pecas.push(Peca::Texto {
                    x,
                    y: *y,
                    texto: linha.iter().collect(),
                    negrito: estilo.negrito,
                    escala,
                });
            }
            *y = y.saturating_add(avanco);
        }
    };
    let imagem = |y: &mut u32, pecas: &mut Vec<Peca>, bitmap: Bitmap, centrar: bool| {
        let x = margem_esquerda(bitmap.largura, pontos_por_linha, centrar);
        let altura = bitmap.altura;
        pecas.push(Peca::Imagem { x, y: *y, bitmap });
        *y = y.saturating_add(altura);
    };
    for elemento in &impresso.elementos {
        match elemento {
            Elemento::Texto {
                texto: conteudo,
                estilo,
            } => texto(&mut y, &mut pecas, conteudo, estilo),
            Elemento::Separador => {
                let regua = "-".repeat(usize::from(impresso.colunas));
                texto(&mut y, &mut pecas, &regua, &super::Estilo::default());
            }
            Elemento::CodigoDeBarras { digitos } => imagem(&mut y, &mut pecas, raster_itf(digitos)?, false),
            Elemento::Qr { conteudo } => imagem(
                &mut y,
                &mut pecas,
                raster_qr_para_papel(conteudo, pontos_por_linha)?,
                true,
            ),
            Elemento::Imagem(bitmap) => imagem(&mut y, &mut pecas, bitmap.clone(), true),
            Elemento::Avanco(n) => y = y.saturating_add(u32::from(*n).saturating_mul(ESPACAMENTO_LINHA)),
            Elemento::Corte => {
                y = y.saturating_add(MARGEM_CORTE);
                pecas.push(Peca::Corte { y });
                y = y.saturating_add(ESPESSURA_CORTE + MARGEM_CORTE);
            }
        }
    }
    Ok(Diagrama {
        largura: pontos_por_linha,
        altura: y.max(1),
        pecas,
    })
}

/// The picture of the paper as a [`Bitmap`] `pontos_por_linha` dots wide and as tall as the receipt.
pub fn preview_bitmap(impresso: &Impresso, pontos_por_linha: u32) -> Result<Bitmap, PreviewError> {
    let diagrama = diagramar(impresso, pontos_por_linha)?;
    let mut tela = Tela::new(diagrama.largura, diagrama.altura)?;
    for peca in &diagrama.pecas {
        match peca {
            Peca::Texto {
                x,
                y,
                texto,
                negrito,
                escala,
            } => tela.texto(*x, *y, texto, *negrito, *escala),
            Peca::Imagem { x, y, bitmap } => tela.bitmap(*x, *y, bitmap),
            Peca::Corte { y } => tela.corte(*y),
        }
    }
    Ok(Bitmap {
        largura: tela.largura,
        altura: tela.altura,
        pontos: tela.pontos,
    })
}

/// The picture of the paper as a 1-bit greyscale PNG (black dots on white) `pontos_por_linha` pixels wide, one
/// pixel per printer dot, with `pHYs` at 203 dpi (8000 px/m) so it prints at the paper's size.
pub fn preview_png(impresso: &Impresso, pontos_por_linha: u32) -> Result<Vec<u8>, PreviewError> {
    png_1bit(&preview_bitmap(impresso, pontos_por_linha)?)
}

/// Encodes a bitmap as a 1-bit greyscale PNG, 1 = white, at 8000 px/m.
fn png_1bit(bitmap: &Bitmap) -> Result<Vec<u8>, PreviewError> {
    let erro = |e: png::EncodingError| PreviewError::Imagem(e.to_string());
    let largura = usize::try_from(bitmap.largura).map_err(|e| PreviewError::Imagem(e.to_string()))?;
    let por_linha = largura.div_ceil(8);
    let mut dados = vec![0xFF_u8; por_linha.saturating_mul(bitmap.pontos.len() / largura.max(1))];
    for (linha, destino) in bitmap
        .pontos
        .chunks(largura.max(1))
        .zip(dados.chunks_mut(por_linha.max(1)))
    {
        for (x, _) in linha.iter().enumerate().filter(|&(_, &preto)| preto) {
            if let Some(byte) = destino.get_mut(x / 8) {
                *byte &= !(0x80 >> (x % 8));
            }
        }
    }
    let mut saida = Vec::with_capacity(dados.len() / 8 + 256);
    let mut encoder = png::Encoder::new(&mut saida, bitmap.largura, bitmap.altura);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: 8000,
        yppu: 8000,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(erro)?;
    writer.write_image_data(&dados).map_err(erro)?;
    writer.finish().map_err(erro)?;
    Ok(saida)
}

/// The paper being drawn: `true` = a printed dot.
struct Tela {
    largura: u32,
    altura: u32,
    pontos: Vec<bool>,
}

impl Tela {
    fn new(largura: u32, altura: u32) -> Result<Tela, PreviewError> {
        let n = usize::try_from(u64::from(largura) * u64::from(altura))
            .map_err(|_| PreviewError::Imagem(format!("imagem grande demais: {largura} × {altura}")))?;
        Ok(Tela {
            largura,
            altura,
            pontos: vec![false; n],
        })
    }

    /// Prints the dot at (`x`, `y`) when it lies on the paper.
    fn marcar(&mut self, x: i64, y: i64) {
        if x < 0 || y < 0 || x >= i64::from(self.largura) || y >= i64::from(self.altura) {
            return;
        }
        let indice = y * i64::from(self.largura) + x;
        if let Some(ponto) = usize::try_from(indice).ok().and_then(|i| self.pontos.get_mut(i)) {
            *ponto = true;
        }
    }

    fn texto(&mut self, x: u32, y: u32, texto: &str, negrito: bool, escala: u32) {
        let Some(fontes) = fontes() else {
            return;
        };
        let escala_i = i64::from(escala);
        for (coluna, c) in texto.chars().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            let celula_x = i64::from(x) + i64::try_from(coluna).unwrap_or(0) * i64::from(CELULA_LARGURA) * escala_i;
            let desenhado;
            let glifo = match fontes.glifo(c, negrito) {
                Some(g) => g,
                None => {
                    desenhado = fontes.rasterizar(c, negrito);
                    &desenhado
                }
            };
            for (gy, linha) in glifo.pontos.chunks(glifo.largura.max(1)).enumerate() {
                for (gx, _) in linha.iter().enumerate().filter(|&(_, &p)| p) {
                    let px = celula_x + (glifo.x + i64::try_from(gx).unwrap_or(0)) * escala_i;
                    let py = i64::from(y) + (glifo.y + i64::try_from(gy).unwrap_or(0)) * escala_i;
                    for dy in 0..escala_i {
                        for dx in 0..escala_i {
                            self.marcar(px + dx, py + dy);
                        }
                    }
                }
            }
        }
    }

    fn bitmap(&mut self, x: u32, y: u32, bitmap: &Bitmap) {
        let largura = usize::try_from(bitmap.largura).unwrap_or(0).max(1);
        for (by, linha) in bitmap.pontos.chunks(largura).enumerate() {
            let py = i64::from(y) + i64::try_from(by).unwrap_or(i64::MAX);
            for (bx, _) in linha.iter().enumerate().filter(|&(_, &p)| p) {
                self.marcar(i64::from(x) + i64::try_from(bx).unwrap_or(i64::MAX), py);
            }
        }
    }

    fn corte(&mut self, y: u32) {
        for dy in 0..ESPESSURA_CORTE {
            for x in (0..self.largura).filter(|x| (x / TRACO_CORTE).is_multiple_of(2)) {
                self.marcar(i64::from(x), i64::from(y + dy));
            }
        }
    }
}

/// A glyph thresholded to dots, placed relative to its 12 × 24 cell's top-left corner.
#[derive(Clone, Debug, Default)]
struct Glifo {
    /// Left edge in the cell (may be negative for a glyph that overhangs).
    x: i64,
    /// Top edge in the cell.
    y: i64,
    largura: usize,
    pontos: Vec<bool>,
}

/// The two faces and their glyphs rasterised once.
struct Fontes {
    normal: fontdue::Font,
    negrito: fontdue::Font,
    /// The glyphs of ASCII, Latin-1 and the usual receipt punctuation, rasterised when the fonts are first used.
    glifos: HashMap<(char, bool), Glifo>,
}

/// The font size, in pixels per em, at which DejaVu Sans Mono's advance is exactly one 12-dot cell.
pub(crate) fn pixels_por_em() -> f32 {
    CELULA_LARGURA as f32 / AVANCO_EM
}

/// The fonts, parsed and their common glyphs rasterised on first use (a few milliseconds, once per process).
/// `None` only if the bundled font bytes were corrupt, which the unit tests rule out.
fn fontes() -> Option<&'static Fontes> {
    static FONTES: OnceLock<Option<Fontes>> = OnceLock::new();
    FONTES
        .get_or_init(|| {
            let configuracao = fontdue::FontSettings {
                scale: pixels_por_em(),
                ..fontdue::FontSettings::default()
            };
            let normal = fontdue::Font::from_bytes(FONTE_NORMAL, configuracao).ok()?;
            let negrito = fontdue::Font::from_bytes(FONTE_NEGRITO, configuracao).ok()?;
            let mut fontes = Fontes {
                normal,
                negrito,
                glifos: HashMap::new(),
            };
            let comuns = ('!'..='~')
                .chain('\u{A1}'..='\u{FF}')
                .chain("—–‘’“”•…€ºª°·".chars())
                .chain([SUBSTITUTO]);
            let mut glifos = HashMap::new();
            for c in comuns {
                for negrito in [false, true] {
                    glifos.insert((c, negrito), fontes.rasterizar(c, negrito));
                }
            }
            fontes.glifos = glifos;
            Some(fontes)
        })
        .as_ref()
}

impl Fontes {
    /// The cached glyph of `c`, if it is one of the common ones.
    fn glifo(&self, c: char, negrito: bool) -> Option<&Glifo> {
        self.glifos.get(&(c, negrito))
    }

    /// Rasterises `c` (or [`SUBSTITUTO`] when the font lacks it) at one cell's size and thresholds it.
    fn rasterizar(&self, c: char, negrito: bool) -> Glifo {
        let fonte = if negrito { &self.negrito } else { &self.normal };
        let indice = match fonte.lookup_glyph_index(c) {
            0 => fonte.lookup_glyph_index(SUBSTITUTO),
            i => i,
        };
        let (metricas, cobertura) = fonte.rasterize_indexed(indice, pixels_por_em());
        let topo = i64::from(LINHA_DE_BASE) - i64::from(metricas.ymin) - i64::try_from(metricas.height).unwrap_or(0);
        Glifo {
            x: i64::from(metricas.xmin),
            y: topo,
            largura: metricas.width,
            pontos: cobertura.iter().map(|&v| v >= LIMIAR).collect(),
        }
    }
}

/// Whether the bundled font can draw `c`; the previews draw anything else as [`SUBSTITUTO`].
pub(crate) fn fonte_tem(c: char) -> bool {
    fontes().is_some_and(|f| f.normal.lookup_glyph_index(c) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::impressao::Estilo;

    fn linha(texto: &str, alinhamento: Alinhamento, negrito: bool, duplo: bool) -> Elemento {
        Elemento::Texto {
            texto: texto.to_owned(),
            estilo: Estilo {
                alinhamento,
                negrito,
                duplo,
            },
        }
    }

    fn impresso(colunas: u16, elementos: Vec<Elemento>) -> Impresso {
        Impresso { colunas, elementos }
    }

    /// The columns holding at least one black dot in rows `y0..y1`.
    fn colunas_pretas(b: &Bitmap, y0: u32, y1: u32) -> Vec<u32> {
        (0..b.largura)
            .filter(|&x| (y0..y1.min(b.altura)).any(|y| b.pontos[(y * b.largura + x) as usize]))
            .collect()
    }

    fn pretos(b: &Bitmap, y0: u32, y1: u32) -> usize {
        (y0 * b.largura..y1.min(b.altura) * b.largura)
            .filter(|&i| b.pontos[i as usize])
            .count()
    }

    #[test]
    fn fontes_carregam_e_tem_o_portugues() {
        assert!(fontes().is_some());
        let f = fontes().unwrap();
        for c in "çãéôÇÃÉÔáíóúâêõàü€—“”".chars() {
            assert_ne!(f.normal.lookup_glyph_index(c), 0, "{c}");
            assert_ne!(f.negrito.lookup_glyph_index(c), 0, "{c}");
        }
        assert_eq!(f.normal.lookup_glyph_index('漢'), 0);
        // The size that makes the advance 12 dots.
        assert!((pixels_por_em() - 19.93).abs() < 0.01);
    }

    #[test]
    fn largura_e_altura_do_papel() {
        let i = impresso(48, vec![linha("a", Alinhamento::Esquerda, false, false)]);
        let b = preview_bitmap(&i, PONTOS_80MM).unwrap();
        assert_eq!((b.largura, b.altura), (576, 30));
        let b = preview_bitmap(&impresso(32, vec![Elemento::Avanco(3)]), PONTOS_58MM).unwrap();
        assert_eq!((b.largura, b.altura), (384, 90));
        assert_eq!(
            preview_bitmap(&impresso(49, vec![]), PONTOS_80MM),
            Err(PreviewError::ColunasDemais {
                colunas: 49,
                pontos: 576
            })
        );
        assert_eq!(
            preview_bitmap(&impresso(33, vec![]), PONTOS_58MM).unwrap_err().code(),
            "erro_interno"
        );
    }

    #[test]
    fn quarenta_e_oito_colunas_cabem_em_576_pontos() {
        let cheia = "M".repeat(48);
        let i = impresso(48, vec![linha(&cheia, Alinhamento::Esquerda, false, false)]);
        let b = preview_bitmap(&i, PONTOS_80MM).unwrap();
        // One line, not wrapped; ink in the first and the last cell.
        assert_eq!(b.altura, 30);
        let tinta = colunas_pretas(&b, 0, 24);
        assert!(tinta.first().is_some_and(|&x| x < 12), "{tinta:?}");
        assert!(tinta.last().is_some_and(|&x| (564..576).contains(&x)), "{tinta:?}");
        // Every cell has ink of its own M.
        for celula in 0..48 {
            assert!(tinta.iter().any(|&x| x / 12 == celula), "célula {celula}");
        }
        // Inside its 24-dot cell, with the 6 dots of spacing below it blank.
        assert_eq!(pretos(&b, 24, 30), 0);
        // 49 characters wrap to a second line, as on the printer.
        let i = impresso(48, vec![linha(&"M".repeat(49), Alinhamento::Esquerda, false, false)]);
        assert_eq!(preview_bitmap(&i, PONTOS_80MM).unwrap().altura, 60);
    }

    #[test]
    fn duplo_ocupa_o_dobro_e_metade_das_colunas() {
        let i = impresso(48, vec![linha(&"M".repeat(24), Alinhamento::Esquerda, false, true)]);
        let b = preview_bitmap(&i, PONTOS_80MM).unwrap();
        assert_eq!(b.altura, 48, "one double line, 48 dots");
        let tinta = colunas_pretas(&b, 0, 48);
        assert!(tinta.last().is_some_and(|&x| x >= 552), "{tinta:?}");
        // 25 double characters do not fit 576 dots: the 25th wraps.
        let i = impresso(48, vec![linha(&"M".repeat(25), Alinhamento::Esquerda, false, true)]);
        assert_eq!(preview_bitmap(&i, PONTOS_80MM).unwrap().altura, 96);
        // The same glyph, 2 × 2 dots per dot: four times the ink.
        let simples = preview_bitmap(
            &impresso(48, vec![linha("A", Alinhamento::Esquerda, false, false)]),
            PONTOS_80MM,
        )
        .unwrap();
        let duplo = preview_bitmap(
            &impresso(48, vec![linha("A", Alinhamento::Esquerda, false, true)]),
            PONTOS_80MM,
        )
        .unwrap();
        assert_eq!(pretos(&duplo, 0, 48), 4 * pretos(&simples, 0, 24));
    }

    #[test]
    fn alinhamento_dentro_da_largura() {
        let desenhar = |a| {
            let b = preview_bitmap(&impresso(48, vec![linha("MMMM", a, false, false)]), PONTOS_80MM).unwrap();
            let tinta = colunas_pretas(&b, 0, 24);
            (tinta[0], *tinta.last().unwrap())
        };
        let (e0, e1) = desenhar(Alinhamento::Esquerda);
        let (c0, c1) = desenhar(Alinhamento::Centro);
        let (d0, d1) = desenhar(Alinhamento::Direita);
        assert!(e0 < 12 && e1 < 48);
        // Centred: 4 cells starting at (576 − 48) / 2 = 264.
        assert_eq!(c0 - e0, 264);
        assert_eq!(c1 - e1, 264);
        // Right: the last cell ends at 576.
        assert_eq!(d0 - e0, 528);
        assert_eq!(d1 - e1, 528);
    }

    #[test]
    fn negrito_e_mais_escuro() {
        let tinta = |negrito| {
            let b = preview_bitmap(
                &impresso(48, vec![linha("Pagamento", Alinhamento::Esquerda, negrito, false)]),
                PONTOS_80MM,
            )
            .unwrap();
            pretos(&b, 0, 30)
        };
        assert!(
            tinta(true) > tinta(false) * 5 / 4,
            "{} vs {}",
            tinta(true),
            tinta(false)
        );
    }

    #[test]
    fn acentos_tem_pontos_e_diferem_da_letra_sem_acento() {
        for (acentuada, sem) in [('ç', 'c'), ('ã', 'a'), ('é', 'e'), ('ô', 'o'), ('Ã', 'A'), ('É', 'E')] {
            let desenhar = |c: char| {
                preview_bitmap(
                    &impresso(48, vec![linha(&c.to_string(), Alinhamento::Esquerda, false, false)]),
                    PONTOS_80MM,
                )
                .unwrap()
            };
            let (a, s) = (desenhar(acentuada), desenhar(sem));
            assert!(pretos(&a, 0, 30) > pretos(&s, 0, 30), "{acentuada} has its mark");
            assert_ne!(a, s);
            // Inside its cell.
            assert!(colunas_pretas(&a, 0, 30).iter().all(|&x| x < 12));
        }
    }

    #[test]
    fn separador_avanco_corte_e_imagens() {
        let logo = Bitmap {
            largura: 100,
            altura: 10,
            pontos: vec![true; 1000],
        };
        let i = impresso(
            48,
            vec![
                Elemento::Separador,
                Elemento::Avanco(2),
                Elemento::Imagem(logo),
                Elemento::Corte,
            ],
        );
        let b = preview_bitmap(&i, PONTOS_80MM).unwrap();
        assert_eq!(b.altura, 30 + 60 + 10 + 24 + 2 + 24);
        // The separator runs across the 48 columns.
        let tinta = colunas_pretas(&b, 0, 24);
        assert!(tinta[0] < 12 && *tinta.last().unwrap() >= 564);
        assert_eq!(pretos(&b, 30, 90), 0, "the feed is blank");
        // The logo centred on a whole byte, as the printer's raster can only be: x 232..332.
        assert_eq!(colunas_pretas(&b, 90, 100), (232..332).collect::<Vec<_>>());
        // The cut mark: dashes of 8 dots, 2 dots thick.
        assert_eq!(pretos(&b, 124, 126), 2 * 36 * 8);
        assert!(b.pontos[(124 * 576) as usize] && !b.pontos[(124 * 576 + 8) as usize]);
    }

    #[test]
    fn itf_e_qr_sao_os_rasters_compartilhados() {
        use crate::domain::impressao::raster::{raster_itf, raster_qr};
        const BOLETO: &str = "65597190700002820120000000400500000000315800";
        let i = impresso(
            48,
            vec![
                Elemento::CodigoDeBarras {
                    digitos: BOLETO.to_owned(),
                },
                Elemento::Qr {
                    conteudo: "PIX".to_owned(),
                },
            ],
        );
        let diagrama = diagramar(&i, PONTOS_80MM).unwrap();
        let itf = raster_itf(BOLETO).unwrap();
        let qr = raster_qr("PIX", 6).unwrap();
        assert_eq!(
            diagrama.pecas,
            vec![
                Peca::Imagem {
                    x: 0,
                    y: 0,
                    bitmap: itf
                },
                Peca::Imagem {
                    x: (576 - qr.largura) / 2 / 8 * 8,
                    y: 890,
                    bitmap: qr.clone()
                },
            ]
        );
        assert_eq!(diagrama.altura, 890 + qr.altura);
        assert!(matches!(
            preview_png(
                &impresso(
                    48,
                    vec![Elemento::CodigoDeBarras {
                        digitos: "123".to_owned()
                    }]
                ),
                576
            ),
            Err(PreviewError::Codigo(RenderError::ComprimentoImpar { recebidos: 3 }))
        ));
    }

    #[test]
    fn png_um_bit_a_203_dpi_e_deterministico() {
        let i = impresso(
            48,
            vec![linha("São João — R$ 1.234,56", Alinhamento::Centro, true, false)],
        );
        let png = preview_png(&i, PONTOS_80MM).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let leitor = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap();
        let info = leitor.info();
        assert_eq!((info.width, info.height), (576, 30));
        assert_eq!(info.bit_depth, png::BitDepth::One);
        assert_eq!(info.pixel_dims.map(|p| p.xppu), Some(8000));
        assert_eq!(png, preview_png(&i, PONTOS_80MM).unwrap());
    }
}
