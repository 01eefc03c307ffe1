//! The rasters of the codes a receipt prints as images: the boleto's ITF rotated 90° and the PIX QR Code, as
//! [`Bitmap`]s at the printer's 203 dpi (8 dots/mm, 0.125 mm per dot).
//!
//! The ESC/POS encoder sends these very bitmaps (`GS v 0`) and the PNG and PDF previews draw them, so what the
//! preview shows is what the paper gets. The geometry follows escpos.md §5 and formats.md §3: a 44-digit ITF does
//! not fit 576 dots across at a scannable width, so its bars run across the paper and the symbol runs along it,
//! narrow element 2 dots, wide 6 (3:1), bars 104 dots (13 mm) long, 40 dots (5 mm) of quiet zone before and after;
//! the QR has a 4-module quiet zone and 6 dots (0.75 mm) per module when the paper allows.

use crate::domain::impressao::Bitmap;
use crate::domain::render::{Itf, Qr, RenderError};

/// ITF narrow element: 2 dots (0.25 mm), which survives a thermal head's dot gain (escpos.md §5).
pub const ITF_ESTREITO: u32 = 2;
/// ITF wide element: 6 dots, 3 × narrow.
pub const ITF_LARGO: u32 = 6;
/// ITF bar length across the paper: 104 dots = 13 mm, the banks' minimum height; 13 whole bytes of a `GS v 0` row.
pub const ITF_COMPRIMENTO_BARRA: u32 = 104;
/// ITF quiet zone before and after the symbol, along the paper: 40 dots = 5 mm.
pub const ITF_ZONA_QUIETA: u32 = 40;

/// QR module size when the paper allows: 6 dots = 0.75 mm, so a PIX QR (version 6–8) is 31–37 mm wide.
pub const QR_MODULO_PADRAO: u32 = 6;
/// QR quiet zone: the 4 modules ISO/IEC 18004 requires, on every side.
pub const QR_ZONA_QUIETA: u32 = 4;

/// Where a picture starts across a paper `pontos_por_linha` dots wide: centred (`centrar`) on a whole byte, since a
/// `GS v 0` raster can only be shifted by whole bytes of white, or at the left edge. The boleto's ITF goes at the
/// left edge: centring would pad each of its ~900 rows with white bytes, tripling a transfer that takes seconds
/// over a serial line, and a scanner does not care. The ESC/POS encoder and the previews both place pictures here.
pub fn margem_esquerda(largura: u32, pontos_por_linha: u32, centrar: bool) -> u32 {
    if centrar {
        pontos_por_linha.saturating_sub(largura) / 2 / 8 * 8
    } else {
        0
    }
}

/// The boleto's ITF as the printer gets it: rotated 90°, the bars running across the paper.
///
/// The bitmap is [`ITF_COMPRIMENTO_BARRA`] (104) dots wide; row `y` is all black or all white, the symbol's module
/// at `y` − [`ITF_ZONA_QUIETA`]: 40 white rows, the symbol (start pattern first, narrow 2 rows, wide 6), 40 white
/// rows. A 44-digit boleto is 104 × 890 dots (13 × 111.25 mm). Fails like [`Itf::encode`] on a bad digit string.
pub fn raster_itf(digitos: &str) -> Result<Bitmap, RenderError> {
    let modulos = Itf::encode(digitos)?.modules(ITF_ESTREITO, ITF_LARGO);
    let quieta = usize::try_from(ITF_ZONA_QUIETA).unwrap_or(0);
    let largura = usize::try_from(ITF_COMPRIMENTO_BARRA).unwrap_or(0);
    let linhas = modulos.len().saturating_add(quieta.saturating_mul(2));
    let mut pontos = Vec::with_capacity(linhas.saturating_mul(largura));
    pontos.resize(quieta.saturating_mul(largura), false);
    for barra in modulos {
        pontos.extend(std::iter::repeat_n(barra, largura));
    }
    pontos.resize(linhas.saturating_mul(largura), false);
    Ok(Bitmap {
        largura: ITF_COMPRIMENTO_BARRA,
        altura: dimensao(linhas)?,
        pontos,
    })
}

/// The QR Code of `conteudo` (level M, byte mode, as [`Qr::encode`]) with `modulo` dots per module (at least 1) and
/// a 4-module quiet zone on every side: `(n + 8) × modulo` dots square for an `n`-module symbol.
pub fn raster_qr(conteudo: &str, modulo: u32) -> Result<Bitmap, RenderError> {
    let (lado, escuros) = Qr::encode(conteudo)?.modules();
    Ok(desenhar_qr(lado, &escuros, modulo.max(1)))
}

/// [`raster_qr`] with the largest module, up to [`QR_MODULO_PADRAO`] (6 dots), at which the symbol and its quiet
/// zone fit `pontos_por_linha`: 6 dots for a PIX QR on 576 or 384 dots, smaller only for long payloads. At 2 dots
/// every QR version fits 384 dots; below 370 dots a version 40 symbol may come out at 1 dot per module.
pub fn raster_qr_para_papel(conteudo: &str, pontos_por_linha: u32) -> Result<Bitmap, RenderError> {
    let (lado, escuros) = Qr::encode(conteudo)?.modules();
    let total = u32::try_from(lado)
        .unwrap_or(u32::MAX)
        .saturating_add(2 * QR_ZONA_QUIETA)
        .max(1);
    let modulo = (pontos_por_linha / total).clamp(1, QR_MODULO_PADRAO);
    Ok(desenhar_qr(lado, &escuros, modulo))
}

/// Draws an `lado`-module matrix (row-major, `true` = dark) at `modulo` dots per module with the quiet zone.
fn desenhar_qr(lado: usize, escuros: &[bool], modulo: u32) -> Bitmap {
    let m = usize::try_from(modulo).unwrap_or(1);
    let quieta = usize::try_from(QR_ZONA_QUIETA).unwrap_or(4).saturating_mul(m);
    let largura = lado.saturating_mul(m).saturating_add(quieta.saturating_mul(2));
    let mut pontos = Vec::with_capacity(largura.saturating_mul(largura));
    pontos.resize(quieta.saturating_mul(largura), false);
    for linha in escuros.chunks_exact(lado.max(1)) {
        let inicio = pontos.len();
        pontos.resize(inicio.saturating_add(quieta), false);
        for &escuro in linha {
            pontos.extend(std::iter::repeat_n(escuro, m));
        }
        pontos.resize(inicio.saturating_add(largura), false);
        for _ in 1..m {
            pontos.extend_from_within(inicio..inicio.saturating_add(largura));
        }
    }
    pontos.resize(largura.saturating_mul(largura), false);
    let lado_pontos = u32::try_from(largura).unwrap_or(u32::MAX);
    Bitmap {
        largura: lado_pontos,
        altura: lado_pontos,
        pontos,
    }
}

/// A dot count as a bitmap dimension.
fn dimensao(valor: usize) -> Result<u32, RenderError> {
    u32::try_from(valor).map_err(|_| RenderError::Imagem(format!("imagem grande demais: {valor} pontos")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOLETO: &str = "65597190700002820120000000400500000000315800";
    const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

    fn ponto(b: &Bitmap, x: u32, y: u32) -> bool {
        b.pontos[(y * b.largura + x) as usize]
    }

    #[test]
    fn itf_rodado_tem_barras_atravessando_o_papel() {
        let b = raster_itf(BOLETO).unwrap();
        let modulos = Itf::encode(BOLETO).unwrap().modules(2, 6);
        assert_eq!(modulos.len(), 810);
        assert_eq!((b.largura, b.altura), (104, 890));
        assert_eq!(b.pontos.len(), 104 * 890);
        for y in 0..b.altura {
            let esperado = y
                .checked_sub(40)
                .and_then(|i| modulos.get(i as usize))
                .copied()
                .unwrap_or(false);
            for x in 0..b.largura {
                assert_eq!(ponto(&b, x, y), esperado, "({x},{y})");
            }
        }
        // The start pattern: narrow bar (2 rows), narrow space, narrow bar, after 40 white rows.
        assert!(!ponto(&b, 0, 39) && ponto(&b, 0, 40) && ponto(&b, 0, 41) && !ponto(&b, 0, 42));
        assert!(matches!(raster_itf("123"), Err(RenderError::ComprimentoImpar { .. })));
    }

    #[test]
    fn qr_com_modulo_e_zona_quieta() {
        let b = raster_qr(PIX, 6).unwrap();
        let (lado, escuros) = Qr::encode(PIX).unwrap().modules();
        assert_eq!(lado, 49);
        assert_eq!((b.largura, b.altura), (342, 342));
        for y in 0..b.altura {
            for x in 0..b.largura {
                let (mx, my) = ((x / 6).checked_sub(4), (y / 6).checked_sub(4));
                let esperado = match (mx, my) {
                    (Some(mx), Some(my)) if (mx as usize) < lado && (my as usize) < lado => {
                        escuros[my as usize * lado + mx as usize]
                    }
                    _ => false,
                };
                assert_eq!(ponto(&b, x, y), esperado, "({x},{y})");
            }
        }
        // 342 dots = 42.75 mm with the quiet zone; the symbol alone 294 dots = 36.75 mm, over 25 mm (200 dots).
        let simbolo = (b.largura - 2 * 4 * 6) as usize;
        assert_eq!(simbolo, lado * 6);
        assert!(simbolo >= 200);
        assert_eq!(raster_qr(PIX, 0).unwrap().largura, 57);
        assert_eq!(raster_qr("", 6), Err(RenderError::QrVazio));
    }

    #[test]
    fn qr_para_papel_escolhe_o_maior_modulo_que_cabe() {
        assert_eq!(raster_qr_para_papel(PIX, 576).unwrap(), raster_qr(PIX, 6).unwrap());
        assert_eq!(raster_qr_para_papel(PIX, 384).unwrap(), raster_qr(PIX, 6).unwrap());
        assert_eq!(raster_qr_para_papel(PIX, 300).unwrap().largura, 57 * 5);
        let grande = "a".repeat(2331);
        let b = raster_qr_para_papel(&grande, 384).unwrap();
        assert_eq!(b.largura, 185 * 2);
        assert!(raster_qr_para_papel(&grande, 576).unwrap().largura <= 576);
    }
}
