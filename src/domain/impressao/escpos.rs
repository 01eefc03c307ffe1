//! An [`Impresso`] as ESC/POS bytes for a printer [`Perfil`].
//!
//! # Decision: our own encoder, not the `escpos` crate
//!
//! The design card named the `escpos` crate (0.20.1). borda writes its own small encoder instead and does not
//! depend on the crate, because every part a receipt uses would have to be wrapped or replaced:
//! - text: the crate sends a character missing from the code page as raw UTF-8 (`—` prints `ΓÇö` on PC860) and
//!   has no transliteration or word wrap → replaced by [`PaginaDeCodigo::codificar`] and the layout's wrap;
//! - code pages: its PC858 table is wrong in four slots → own PC860, PC850, WPC1252 and ISO-8859-1 tables, tested
//!   byte by byte against the published charts;
//! - drawer: `cash_drawer()` sends `ESC p m` without t1 t2, so the printer eats the next two bytes (the cut was
//!   lost, and a stray "A" printed, when run against an Epson TM-T20III emulator) → [`Perfil::gaveta`] is always the five bytes `ESC p m t1 t2`;
//! - status: `DLE EOT n` is followed by a stray NUL → the driver sends its own three bytes (not in this module);
//! - barcodes: `GS w` limited to 1..5 (Epson: 2..6) and no fit check, and a 44-digit ITF does not fit 576 dots
//!   across at a scannable width → the ITF is always our own raster, rotated 90°;
//! - images: the crate sends `CAN` before images and resizes them to 512×512 → our own `GS v 0`, 1 bit, exact size,
//!   in bands, no `CAN`;
//! - buffering: one `write()` per instruction and no async → we produce one `Vec<u8>` and the driver writes it.
//!
//! What is left (`ESC @`, `ESC t`, `ESC a`, `ESC E`, `GS !`, `ESC d`, `GS V`, `GS ( k`, `GS v 0`) is a few lines
//! each, per the Epson ESC/POS command reference. It is also fast: a comprovante PIX encodes in a few µs (no
//! allocation per character, code pages as const tables).
//!
//! # The commands sent
//! `ESC @` (init), the profile's preamble, `ESC t n` (code page); per line of text `ESC a n` (alignment), `ESC E n`
//! (bold) and `GS ! n` (double size) only when they change, the page's bytes and `LF`; a separator is a line of `-`;
//! `ESC d n` feeds; the profile's cut (`GS V 66 0`). A QR is native (`GS ( k`: model 2, module size, EC level M,
//! store, print) or a raster; the ITF is always a raster; rasters are `GS v 0 0 xL xH yL yH d…`.

mod pagina;
mod perfil;

pub use pagina::PaginaDeCodigo;
pub use perfil::{CORTE_PARCIAL, GAVETA_PADRAO, PERFIS, Perfil, perfil};

use crate::domain::impressao::comprovantes::quebrar;
use crate::domain::impressao::raster::{
    QR_MODULO_PADRAO, QR_ZONA_QUIETA, margem_esquerda, raster_itf, raster_qr_para_papel,
};
use crate::domain::impressao::{Alinhamento, Bitmap, Elemento, Estilo, Impresso};
use crate::domain::render::RenderError;

/// Rows per `GS v 0` band. One image of any height would be one command, but printers buffer a raster before
/// printing it and cheap clones (and some older firmware) have small receive buffers or mishandle `yH` > 0; with
/// ≤ 255 rows `yH` is always 0 and a band of a full 576-dot line is at most 18 KB. Consecutive bands abut exactly
/// (`GS v 0` feeds the image height and no line spacing).
pub const LINHAS_POR_FAIXA: usize = 255;
/// Why an [`Impresso`] could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErroEscpos {
    #[error("código de barras inválido: {0}")]
    CodigoDeBarras(RenderError),
    #[error("QR Code inválido: {0}")]
    Qr(RenderError),
    #[error("o QR Code ({modulos} módulos) não cabe em {pontos} pontos")]
    QrNaoCabe { modulos: usize, pontos: u16 },
    #[error("imagem de {largura} pontos não cabe em {pontos} pontos")]
    ImagemLargaDemais { largura: u32, pontos: u16 },
    #[error("imagem inválida: {largura}x{altura} com {pontos} pontos")]
    ImagemInvalida { largura: u32, altura: u32, pontos: usize },
}

/// The printer's text state, tracked so a command is sent only when it changes.
struct Estado {
    alinhamento: Alinhamento,
    negrito: bool,
    duplo: bool,
}

/// `impresso` as the bytes `perfil` prints: initialise, select the code page, then each element in order.
///
/// A line longer than the profile's columns (in its size) is wrapped again here, so an `Impresso` laid out for 48
/// columns still prints whole on a 32-column printer.
pub fn codificar(impresso: &Impresso, perfil: &Perfil) -> Result<Vec<u8>, ErroEscpos> {
    let mut saida = Vec::with_capacity(estimativa(impresso));
    saida.extend_from_slice(&[0x1B, 0x40]);
    saida.extend_from_slice(perfil.preambulo);
    if let Some(n) = perfil.esc_t {
        saida.extend_from_slice(&[0x1B, 0x74, n]);
    }
    let mut estado = Estado {
        alinhamento: Alinhamento::Esquerda,
        negrito: false,
        duplo: false,
    };
    let colunas = usize::from(perfil.colunas.max(1));
    for elemento in &impresso.elementos {
        match elemento {
            Elemento::Texto { texto, estilo } => {
                let largura = if estilo.duplo { (colunas / 2).max(1) } else { colunas };
                estilo_de_texto(&mut saida, &mut estado, *estilo);
                if texto.chars().nth(largura).is_none() {
                    linha(&mut saida, perfil.pagina, texto);
                } else {
                    for parte in quebrar(texto, largura) {
                        linha(&mut saida, perfil.pagina, &parte);
                    }
                }
            }
            Elemento::Separador => {
                estilo_de_texto(&mut saida, &mut estado, Estilo::default());
                let largura = usize::from(impresso.colunas.max(1)).min(colunas);
                saida.extend(std::iter::repeat_n(b'-', largura));
                saida.push(0x0A);
            }
            Elemento::CodigoDeBarras { digitos } => {
                alinhar(&mut saida, &mut estado, Alinhamento::Esquerda);
                let simbolo = raster_itf(digitos).map_err(ErroEscpos::CodigoDeBarras)?;
                imagem(&mut saida, &simbolo, perfil.pontos_por_linha, false)?;
            }
            Elemento::Qr { conteudo } => {
                if perfil.qr_nativo {
                    alinhar(&mut saida, &mut estado, Alinhamento::Centro);
                    qr_nativo(&mut saida, conteudo, perfil.pontos_por_linha)?;
                } else {
                    alinhar(&mut saida, &mut estado, Alinhamento::Esquerda);
                    let simbolo =
                        raster_qr_para_papel(conteudo, u32::from(perfil.pontos_por_linha)).map_err(ErroEscpos::Qr)?;
                    imagem(&mut saida, &simbolo, perfil.pontos_por_linha, true)?;
                }
            }
            Elemento::Imagem(bitmap) => {
                alinhar(&mut saida, &mut estado, Alinhamento::Esquerda);
                imagem(&mut saida, bitmap, perfil.pontos_por_linha, true)?;
            }
            Elemento::Avanco(n) => saida.extend_from_slice(&[0x1B, 0x64, *n]),
            Elemento::Corte => saida.extend_from_slice(perfil.corte),
        }
    }
    Ok(saida)
}

/// A guess of the output size, so the buffer rarely grows.
fn estimativa(impresso: &Impresso) -> usize {
    impresso
        .elementos
        .iter()
        .map(|e| match e {
            Elemento::Texto { texto, .. } => texto.len() + 8,
            Elemento::Separador => usize::from(impresso.colunas) + 8,
            Elemento::CodigoDeBarras { .. } => 16 * 900 + 40,
            Elemento::Qr { conteudo } => conteudo.len() + 64,
            Elemento::Imagem(b) => (b.largura as usize).div_ceil(8) * b.altura as usize + 64,
            Elemento::Avanco(_) | Elemento::Corte => 4,
        })
        .sum::<usize>()
        + 16
}

/// One line of text in the page's bytes, then `LF`.
fn linha(saida: &mut Vec<u8>, pagina: PaginaDeCodigo, texto: &str) {
    pagina.codificar(texto, saida);
    saida.push(0x0A);
}

/// Sends `ESC a`, `ESC E` and `GS !` for `estilo`, each only when it differs from the printer's state.
fn estilo_de_texto(saida: &mut Vec<u8>, estado: &mut Estado, estilo: Estilo) {
    alinhar(saida, estado, estilo.alinhamento);
    if estado.negrito != estilo.negrito {
        saida.extend_from_slice(&[0x1B, 0x45, u8::from(estilo.negrito)]);
        estado.negrito = estilo.negrito;
    }
    if estado.duplo != estilo.duplo {
        // GS ! n: bits 4-6 width multiplier − 1, bits 0-2 height multiplier − 1 (Epson ESC/POS reference, GS !).
        saida.extend_from_slice(&[0x1D, 0x21, if estilo.duplo { 0x11 } else { 0x00 }]);
        estado.duplo = estilo.duplo;
    }
}

/// `ESC a n` (0 left, 1 centre, 2 right) when the alignment changes.
fn alinhar(saida: &mut Vec<u8>, estado: &mut Estado, alinhamento: Alinhamento) {
    if estado.alinhamento != alinhamento {
        let n = match alinhamento {
            Alinhamento::Esquerda => 0,
            Alinhamento::Centro => 1,
            Alinhamento::Direita => 2,
        };
        saida.extend_from_slice(&[0x1B, 0x61, n]);
        estado.alinhamento = alinhamento;
    }
}

/// `impresso` with every text as the paper of a printer on `pagina` shows it ([`PaginaDeCodigo::no_papel`]): what
/// the previews draw, so a preview shows the transliterations the printer prints.
pub fn como_no_papel(impresso: &Impresso, pagina: PaginaDeCodigo) -> Impresso {
    let elementos = impresso
        .elementos
        .iter()
        .map(|elemento| match elemento {
            Elemento::Texto { texto, estilo } => Elemento::Texto {
                texto: pagina.no_papel(texto),
                estilo: *estilo,
            },
            outro => outro.clone(),
        })
        .collect();
    Impresso {
        colunas: impresso.colunas,
        elementos,
    }
}

/// `GS v 0 0 xL xH yL yH`: a raster of `largura_bytes` × `altura` rows at normal density follows.
fn cabecalho_raster(saida: &mut Vec<u8>, largura_bytes: usize, altura: usize) {
    let [xl, xh] = u16::try_from(largura_bytes).unwrap_or(u16::MAX).to_le_bytes();
    let [yl, yh] = u16::try_from(altura).unwrap_or(u16::MAX).to_le_bytes();
    saida.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00, xl, xh, yl, yh]);
}

/// Byte-mode capacity of QR versions 1..=40 at EC level M (ISO/IEC 18004 table 7), to pick the module size of a
/// native QR without encoding it (the printer encodes).
const CAPACIDADE_QR_M: [u16; 40] = [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911,
    997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
];

/// The largest module size ≤ [`QR_MODULO_PADRAO`] at which a QR `modulos` wide plus its quiet zone fits `pontos`.
fn modulo_qr(modulos: usize, pontos: u16) -> Result<u8, ErroEscpos> {
    let lado = modulos + 2 * QR_ZONA_QUIETA as usize;
    let cabe = usize::from(pontos) / lado.max(1);
    let tamanho = cabe.min(QR_MODULO_PADRAO as usize);
    u8::try_from(tamanho)
        .ok()
        .filter(|&t| t >= 1)
        .ok_or(ErroEscpos::QrNaoCabe { modulos, pontos })
}

/// A QR the printer draws: `GS ( k` functions 165 (model 2), 167 (module size), 169 (EC level M), 180 (store the
/// data) and 181 (print) (Epson ESC/POS reference, `GS ( k` cn = 49).
fn qr_nativo(saida: &mut Vec<u8>, conteudo: &str, pontos: u16) -> Result<(), ErroEscpos> {
    let dados = conteudo.as_bytes();
    if dados.is_empty() {
        return Err(ErroEscpos::Qr(RenderError::QrVazio));
    }
    let versao = CAPACIDADE_QR_M
        .iter()
        .position(|&c| dados.len() <= usize::from(c))
        .ok_or(ErroEscpos::Qr(RenderError::QrLongoDemais { bytes: dados.len() }))?;
    let tamanho = modulo_qr(17 + 4 * (versao + 1), pontos)?;
    // pL pH count the data plus `cn fn m` (3 bytes); the capacity check keeps it well below u16::MAX.
    let [pl, ph] = u16::try_from(dados.len() + 3).unwrap_or(u16::MAX).to_le_bytes();
    saida.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
    saida.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, tamanho]);
    saida.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
    saida.extend_from_slice(&[0x1D, 0x28, 0x6B, pl, ph, 0x31, 0x50, 0x30]);
    saida.extend_from_slice(dados);
    saida.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
    Ok(())
}

/// A picture as `GS v 0` bands, placed across the paper by [`margem_esquerda`] (centred on a whole byte, or at the
/// left edge), exactly where the previews draw it.
fn imagem(saida: &mut Vec<u8>, bitmap: &Bitmap, pontos: u16, centrar: bool) -> Result<(), ErroEscpos> {
    let largura = bitmap.largura as usize;
    let altura = bitmap.altura as usize;
    if bitmap.pontos.len() != largura.saturating_mul(altura) {
        return Err(ErroEscpos::ImagemInvalida {
            largura: bitmap.largura,
            altura: bitmap.altura,
            pontos: bitmap.pontos.len(),
        });
    }
    if largura > usize::from(pontos) {
        return Err(ErroEscpos::ImagemLargaDemais {
            largura: bitmap.largura,
            pontos,
        });
    }
    if largura == 0 || altura == 0 {
        return Ok(());
    }
    let esquerda = margem_esquerda(bitmap.largura, u32::from(pontos), centrar) as usize;
    let largura_bytes = (esquerda + largura).div_ceil(8);
    let mut dados = vec![0u8; largura_bytes * altura];
    for (y, linha) in bitmap.pontos.chunks_exact(largura).enumerate() {
        for (x, _) in linha.iter().enumerate().filter(|(_, p)| **p) {
            let coluna = esquerda + x;
            if let Some(byte) = dados.get_mut(y * largura_bytes + coluna / 8) {
                *byte |= 0x80 >> (coluna % 8);
            }
        }
    }
    raster(saida, &dados, largura_bytes, altura);
    Ok(())
}

/// Packed rows (`largura_bytes` each, MSB = leftmost dot, 1 = black) as `GS v 0` bands of ≤ [`LINHAS_POR_FAIXA`].
fn raster(saida: &mut Vec<u8>, dados: &[u8], largura_bytes: usize, altura: usize) {
    if largura_bytes == 0 {
        return;
    }
    for (indice, faixa) in dados.chunks(largura_bytes * LINHAS_POR_FAIXA).enumerate() {
        let linhas = (altura - indice * LINHAS_POR_FAIXA).min(LINHAS_POR_FAIXA);
        cabecalho_raster(saida, largura_bytes, linhas);
        saida.extend_from_slice(faixa);
    }
}

#[cfg(test)]
mod tests;
