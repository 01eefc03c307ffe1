//! Barcode rendering: the boleto's ITF (Interleaved 2 of 5) and the Pix QR Code, as SVG and as PNG.
//!
//! This module owns the geometry of both symbols: the ITF module pattern (our own encoder, formats.md §3.1, because
//! the `barcoders` crate draws a short stop bar and no quiet zone), the physical sizes the bank manuals fix
//! (formats.md §3.2: 0.254 mm narrow bar, 3:1 ratio, 13 mm tall, ≥ 5 mm quiet zone) and the 203 dpi raster used by
//! receipt printers (formats.md §3.4, escpos.md §3). The QR matrix comes from the `qrcode` crate; drawing it is
//! ours so SVG and PNG stay small, crisp and deterministic. Everything is pure: text in, bytes out.

use qrcode::{Color, EcLevel, QrCode, Version, bits::Bits};

/// Why a barcode or QR Code could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The ITF input was empty.
    #[error("código de barras vazio")]
    CodigoVazio,
    /// The ITF input holds something other than a digit.
    #[error("caractere inválido '{caractere}' na posição {posicao} do código de barras: o ITF só codifica dígitos")]
    CaractereInvalido {
        /// The offending character.
        caractere: char,
        /// Its position in the input, counting characters from 1.
        posicao: usize,
    },
    /// ITF encodes digits in pairs, so the count must be even (formats.md §3.1).
    #[error("o código de barras ITF precisa de um número par de dígitos, recebidos {recebidos}")]
    ComprimentoImpar {
        /// How many digits the input had.
        recebidos: usize,
    },
    /// More digits than an ITF symbol borda prints may hold (the ESC/POS limit, formats.md §3.3).
    #[error("código de barras longo demais: no máximo {MAX_DIGITOS_ITF} dígitos, recebidos {recebidos}")]
    CodigoLongoDemais {
        /// How many digits the input had.
        recebidos: usize,
    },
    /// The QR Code payload was empty.
    #[error("conteúdo do QR Code vazio")]
    QrVazio,
    /// The payload does not fit the largest QR Code (version 40, level M, byte mode).
    #[error("conteúdo longo demais para um QR Code: no máximo {MAX_BYTES_QR} bytes, recebidos {bytes}")]
    QrLongoDemais {
        /// The payload's length in UTF-8 bytes.
        bytes: usize,
    },
    /// The image encoder failed; this is a bug, never the customer's input.
    #[error("falha ao gerar a imagem: {0}")]
    Imagem(String),
}

impl RenderError {
    /// The stable API error code (`design/api.md`): `codigo_invalido` for a bad ITF input, `payload_invalido` for a
    /// QR payload that cannot be encoded, `erro_interno` when the image encoder itself fails.
    pub fn code(&self) -> &'static str {
        match self {
            RenderError::CodigoVazio
            | RenderError::CaractereInvalido { .. }
            | RenderError::ComprimentoImpar { .. }
            | RenderError::CodigoLongoDemais { .. } => "codigo_invalido",
            RenderError::QrVazio | RenderError::QrLongoDemais { .. } => "payload_invalido",
            RenderError::Imagem(_) => "erro_interno",
        }
    }
}

/// Longest ITF input: ESC/POS `GS k 70 n` takes at most 255 digits and ITF needs an even count (formats.md §3.3).
/// Boletos use 44; the bound keeps every image small.
const MAX_DIGITOS_ITF: usize = 254;

/// Largest byte-mode payload of a level-M QR Code: version 40 has 2334 data codewords, minus the 4-bit mode and
/// 16-bit length header (ISO/IEC 18004 table 7).
const MAX_BYTES_QR: usize = 2331;

/// ITF digit patterns, `w` = wide, `n` = narrow (formats.md §3.1). A pair's first digit goes in the bars, the second
/// in the spaces between them.
const PADROES_ITF: [&[u8; 5]; 10] = [
    b"nnwwn", b"wnnnw", b"nwnnw", b"wwnnn", b"nnwnw", b"wnwnn", b"nwwnn", b"nnnww", b"wnnwn", b"nwnwn",
];

/// Pixels per metre of a 203 dpi thermal head (8 dots/mm), written to the PNG `pHYs` chunk so printing software
/// reproduces the physical size.
const PIXELS_POR_METRO: u32 = 8000;

/// ITF SVG: a narrow module is 0.254 mm (254 µm), which makes the 405-module boleto symbol 103 mm long at 3:1
/// (formats.md §3.2, pyboleto's `thin_bar`).
const ITF_SVG_MODULO_UM: usize = 254;
/// ITF SVG: wide bars are 3 narrow modules (ISO/IEC 16390 wants N > 2.2 at this X).
const ITF_SVG_LARGO: u32 = 3;
/// ITF SVG: 20 modules = 5.08 mm of quiet zone each side (banks: ≥ 5 mm; ISO: ≥ 10 X).
const ITF_SVG_QUIETA: usize = 20;
/// ITF SVG: 52 modules = 13.208 mm, the smallest whole-module height that meets the banks' 13 mm minimum.
const ITF_SVG_ALTURA: usize = 52;

/// ITF PNG at 203 dpi: narrow 2 dots (0.25 mm), wide 6 dots (3:1), as escpos.md §3 recommends for thermal heads.
const ITF_PNG_ESTREITO: u32 = 2;
/// See [`ITF_PNG_ESTREITO`].
const ITF_PNG_LARGO: u32 = 6;
/// ITF PNG: 104 dots = 13 mm bar height.
const ITF_PNG_ALTURA: usize = 104;
/// ITF PNG: 40 dots = 5 mm quiet zone left and right.
const ITF_PNG_QUIETA: usize = 40;
/// ITF PNG: 8 dots = 1 mm of white above and below, so the bars do not touch the image edge.
const ITF_PNG_MARGEM: usize = 8;

/// QR: the 4-module quiet zone ISO/IEC 18004 requires.
const QR_QUIETA: usize = 4;
/// QR PNG: 6 dots (0.75 mm at 203 dpi) per module (escpos.md §3, Pix QR).
const QR_PNG_MODULO: usize = 6;

/// An ITF (Interleaved 2 of 5) symbol: start, the digit pairs and stop, without quiet zones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Itf {
    /// Element widths, alternating bar and space and starting with a bar: `true` = wide.
    elementos: Vec<bool>,
}

impl Itf {
    /// Encodes an even-length digit string as Interleaved 2 of 5 (no check digit: boleto digits carry their own DVs).
    pub fn encode(digits: &str) -> Result<Itf, RenderError> {
        // Each digit's pattern, looked up while validating so no lookup can fail later.
        let mut padroes = Vec::with_capacity(44);
        for (indice, c) in digits.chars().enumerate() {
            let Some(padrao) = c.to_digit(10).and_then(|d| PADROES_ITF.get(usize::try_from(d).ok()?)) else {
                return Err(RenderError::CaractereInvalido {
                    caractere: c,
                    posicao: indice.saturating_add(1),
                });
            };
            padroes.push(*padrao);
        }
        let recebidos = padroes.len();
        if recebidos == 0 {
            return Err(RenderError::CodigoVazio);
        }
        if recebidos % 2 != 0 {
            return Err(RenderError::ComprimentoImpar { recebidos });
        }
        if recebidos > MAX_DIGITOS_ITF {
            return Err(RenderError::CodigoLongoDemais { recebidos });
        }
        // Start: narrow bar, narrow space, narrow bar, narrow space.
        let mut elementos = vec![false; 4];
        for par in padroes.chunks_exact(2) {
            if let [barras, espacos] = par {
                for (&barra, &espaco) in barras.iter().zip(espacos.iter()) {
                    elementos.push(barra == b'w');
                    elementos.push(espaco == b'w');
                }
            }
        }
        // Stop: wide bar, narrow space, narrow bar.
        elementos.extend([true, false, false]);
        Ok(Itf { elementos })
    }

    /// The symbol as modules, `true` = bar, with each narrow element `narrow` modules wide and each wide element
    /// `wide` modules wide; no quiet zone. Matches `itf_boleto.json` "modules" for (1,3), (2,5) and (2,6). For 44
    /// digits the length is 89·N + 138 narrow units, N = wide/narrow (formats.md §3.1).
    pub fn modules(&self, narrow: u32, wide: u32) -> Vec<bool> {
        let mut modulos = Vec::new();
        for (barra, largura) in self.barras_e_espacos(narrow, wide) {
            modulos.extend(std::iter::repeat_n(barra, largura));
        }
        modulos
    }

    /// Each element as (is a bar, width in modules).
    fn barras_e_espacos(&self, narrow: u32, wide: u32) -> impl Iterator<Item = (bool, usize)> + '_ {
        let estreito = usize::try_from(narrow).unwrap_or(0);
        let largo = usize::try_from(wide).unwrap_or(0);
        self.elementos
            .iter()
            .enumerate()
            .map(move |(i, &e)| (i % 2 == 0, if e { largo } else { estreito }))
    }

    /// The symbol as SVG at the bank size: narrow 0.254 mm, wide 3× narrow, 13.208 mm tall, 5.08 mm quiet
    /// zone each side; 113.03 mm × 13.208 mm for a boleto. The viewBox counts narrow modules, so every coordinate
    /// is an integer; `width`/`height` carry the physical size in mm.
    pub fn svg(&self) -> String {
        let simbolo: usize = self.barras_e_espacos(1, ITF_SVG_LARGO).map(|(_, w)| w).sum();
        let largura = simbolo.saturating_add(2 * ITF_SVG_QUIETA);
        let mut caminho = String::with_capacity(self.elementos.len().saturating_mul(8));
        let mut x = ITF_SVG_QUIETA;
        for (barra, w) in self.barras_e_espacos(1, ITF_SVG_LARGO) {
            if barra {
                caminho.push_str(&format!("M{x} 0h{w}v{ITF_SVG_ALTURA}h-{w}z"));
            }
            x = x.saturating_add(w);
        }
        svg_documento(
            largura,
            ITF_SVG_ALTURA,
            &format!(
                " width=\"{}\" height=\"{}\"",
                milimetros(largura.saturating_mul(ITF_SVG_MODULO_UM)),
                milimetros(ITF_SVG_ALTURA.saturating_mul(ITF_SVG_MODULO_UM))
            ),
            &caminho,
        )
    }

    /// The symbol as a 1-bit grayscale PNG for a 203 dpi printer: narrow 2 px, wide 6 px, bars 104 px (13 mm) tall,
    /// 40 px (5 mm) quiet zone left and right, 8 px white above and below; `pHYs` = 8000 px/m. A boleto comes out
    /// 890 × 120 px (111.25 × 15 mm).
    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        let quieta = std::iter::repeat_n(false, ITF_PNG_QUIETA);
        let linha: Vec<bool> = quieta
            .clone()
            .chain(self.modules(ITF_PNG_ESTREITO, ITF_PNG_LARGO))
            .chain(quieta)
            .collect();
        let barras = empacotar(&linha);
        let branca = empacotar(&vec![false; linha.len()]);
        let mut dados = Vec::with_capacity(barras.len().saturating_mul(ITF_PNG_ALTURA + 2 * ITF_PNG_MARGEM));
        for _ in 0..ITF_PNG_MARGEM {
            dados.extend_from_slice(&branca);
        }
        for _ in 0..ITF_PNG_ALTURA {
            dados.extend_from_slice(&barras);
        }
        for _ in 0..ITF_PNG_MARGEM {
            dados.extend_from_slice(&branca);
        }
        png_1bit(linha.len(), ITF_PNG_ALTURA + 2 * ITF_PNG_MARGEM, &dados)
    }
}

/// A QR Code symbol (level M, byte mode), as its module matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side, without quiet zone.
    largura: usize,
    /// Row-major, `true` = dark.
    escuros: Vec<bool>,
}

impl Qr {
    /// Encodes `payload` as a QR Code with error correction level M (15 % recovery, what Pix QR Codes use) in byte
    /// mode, in the smallest version it fits. Fails when the payload is empty or longer than version 40 holds.
    pub fn encode(payload: &str) -> Result<Qr, RenderError> {
        let bytes = payload.as_bytes();
        if bytes.is_empty() {
            return Err(RenderError::QrVazio);
        }
        if bytes.len() > MAX_BYTES_QR {
            return Err(RenderError::QrLongoDemais { bytes: bytes.len() });
        }
        // Byte mode in one segment, like a printer's native `GS ( k`, rather than the crate's mixed-mode optimiser:
        // try each version until header, data and terminator fit.
        let bits = (1..=40)
            .find_map(|versao| {
                let mut bits = Bits::new(Version::Normal(versao));
                bits.push_byte_data(bytes).ok()?;
                bits.push_terminator(EcLevel::M).ok()?;
                Some(bits)
            })
            .ok_or(RenderError::QrLongoDemais { bytes: bytes.len() })?;
        let codigo = QrCode::with_bits(bits, EcLevel::M).map_err(|e| RenderError::Imagem(e.to_string()))?;
        Ok(Qr {
            largura: codigo.width(),
            escuros: codigo.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
        })
    }

    /// The symbol as SVG: viewBox in modules with a 4-module quiet zone, a white background and one path of
    /// horizontal runs with integer coordinates, `shape-rendering="crispEdges"`. No physical size is set, so it
    /// scales to its container.
    pub fn svg(&self) -> String {
        let lado = self.largura.saturating_add(2 * QR_QUIETA);
        let mut caminho = String::with_capacity(self.escuros.len().saturating_mul(2));
        for (y, linha) in self.linhas().enumerate() {
            let mut x = QR_QUIETA;
            for corrida in linha.chunk_by(|a, b| a == b) {
                let n = corrida.len();
                if corrida.first() == Some(&true) {
                    caminho.push_str(&format!("M{x} {}h{n}v1h-{n}z", y.saturating_add(QR_QUIETA)));
                }
                x = x.saturating_add(n);
            }
        }
        svg_documento(lado, lado, "", &caminho)
    }

    /// The symbol as a 1-bit grayscale PNG: 6 px per module (0.75 mm at 203 dpi), 4-module quiet zone,
    /// `pHYs` = 8000 px/m.
    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        let lado = self.largura.saturating_add(2 * QR_QUIETA).saturating_mul(QR_PNG_MODULO);
        let branca = empacotar(&vec![false; lado]);
        let mut dados = Vec::with_capacity(branca.len().saturating_mul(lado));
        for _ in 0..QR_QUIETA * QR_PNG_MODULO {
            dados.extend_from_slice(&branca);
        }
        for linha in self.linhas() {
            let quieta = std::iter::repeat_n(false, QR_QUIETA * QR_PNG_MODULO);
            let pixels: Vec<bool> = quieta
                .clone()
                .chain(linha.iter().flat_map(|&e| std::iter::repeat_n(e, QR_PNG_MODULO)))
                .chain(quieta)
                .collect();
            let empacotada = empacotar(&pixels);
            for _ in 0..QR_PNG_MODULO {
                dados.extend_from_slice(&empacotada);
            }
        }
        for _ in 0..QR_QUIETA * QR_PNG_MODULO {
            dados.extend_from_slice(&branca);
        }
        png_1bit(lado, lado, &dados)
    }

    /// Modules per side (without quiet zone) and the dark modules row-major, for the ESC/POS raster.
    pub fn modules(&self) -> (usize, Vec<bool>) {
        (self.largura, self.escuros.clone())
    }

    /// The matrix row by row.
    fn linhas(&self) -> std::slice::ChunksExact<'_, bool> {
        self.escuros.chunks_exact(self.largura.max(1))
    }
}

/// A complete SVG document: viewBox `0 0 largura altura`, white background, black path `d`.
fn svg_documento(largura: usize, altura: usize, tamanho: &str, d: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"{tamanho} viewBox=\"0 0 {largura} {altura}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{largura}\" height=\"{altura}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>\n"
    )
}

/// Micrometres as an exact millimetre length for an SVG attribute, e.g. `113030` → `113.03mm`, with no
/// floating-point rounding.
fn milimetros(micrometros: usize) -> String {
    let fracao = format!("{:03}", micrometros % 1000);
    let fracao = fracao.trim_end_matches('0');
    if fracao.is_empty() {
        format!("{}mm", micrometros / 1000)
    } else {
        format!("{}.{fracao}mm", micrometros / 1000)
    }
}

/// Packs one row of pixels (`true` = black) into 1-bit grayscale PNG bytes: most significant bit first, 1 = white,
/// the unused bits of the last byte white.
fn empacotar(pixels: &[bool]) -> Vec<u8> {
    let mut bytes = vec![0xFF_u8; pixels.len().div_ceil(8)];
    for (x, _) in pixels.iter().enumerate().filter(|&(_, &preto)| preto) {
        if let Some(byte) = bytes.get_mut(x / 8) {
            *byte &= !(0x80 >> (x % 8));
        }
    }
    bytes
}

/// Encodes packed 1-bit grayscale rows as a PNG with `pHYs` at 203 dpi.
fn png_1bit(largura: usize, altura: usize, dados: &[u8]) -> Result<Vec<u8>, RenderError> {
    let erro = |e: png::EncodingError| RenderError::Imagem(e.to_string());
    let dimensao =
        |v: usize| u32::try_from(v).map_err(|_| RenderError::Imagem(format!("imagem grande demais: {v} px")));
    let mut saida = Vec::with_capacity(dados.len() / 4 + 128);
    let mut encoder = png::Encoder::new(&mut saida, dimensao(largura)?, dimensao(altura)?);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: PIXELS_POR_METRO,
        yppu: PIXELS_POR_METRO,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(erro)?;
    writer.write_image_data(dados).map_err(erro)?;
    writer.finish().map_err(erro)?;
    Ok(saida)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BOLETO: &str = "65597190700002820120000000400500000000315800";

    /// Decodes a PNG back to (width, height, pHYs, rows of `true` = black) with the `png` crate.
    fn decodificar(bytes: &[u8]) -> (u32, u32, Option<png::PixelDimensions>, Vec<Vec<bool>>) {
        let mut leitor = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let info = leitor.info().clone();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::One);
        let mut buf = vec![0; leitor.output_buffer_size().unwrap()];
        let quadro = leitor.next_frame(&mut buf).unwrap();
        let linhas = buf[..quadro.buffer_size()]
            .chunks(quadro.line_size)
            .map(|l| {
                (0..info.width as usize)
                    .map(|x| l[x / 8] & (0x80 >> (x % 8)) == 0)
                    .collect()
            })
            .collect();
        (info.width, info.height, info.pixel_dims, linhas)
    }

    /// The `d` attribute of an SVG made by [`svg_documento`].
    fn caminho(svg: &str) -> &str {
        svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap()
    }

    #[test]
    fn padroes_itf_tem_dois_largos() {
        for p in PADROES_ITF {
            assert_eq!(p.iter().filter(|&&c| c == b'w').count(), 2);
        }
    }

    #[test]
    fn largura_itf_segue_a_formula() {
        let itf = Itf::encode(BOLETO).unwrap();
        for n in [2, 3, 4] {
            assert_eq!(itf.modules(1, n).len(), (89 * n + 138) as usize, "N={n}");
        }
        assert_eq!(itf.modules(2, 5).len(), 721);
        assert_eq!(itf.modules(2, 6).len(), 810);
        // Two digits: start 4 + pair 2·(3 + 2N) + stop N + 2.
        assert_eq!(Itf::encode("00").unwrap().modules(1, 3).len(), 4 + 18 + 5);
    }

    #[test]
    fn itf_padrao_de_um_par() {
        // "12": bars 1 = wnnnw, spaces 2 = nwnnw.
        let m: String = Itf::encode("12")
            .unwrap()
            .modules(1, 3)
            .iter()
            .map(|&b| if b { '1' } else { '0' })
            .collect();
        assert_eq!(
            m,
            [
                "1010", "111", "0", "1", "000", "1", "0", "1", "0", "111", "000", "1110", "1"
            ]
            .concat()
        );
    }

    #[test]
    fn itf_erros() {
        let casos = [
            ("", RenderError::CodigoVazio),
            ("123", RenderError::ComprimentoImpar { recebidos: 3 }),
            ("1", RenderError::ComprimentoImpar { recebidos: 1 }),
            (
                "12a4",
                RenderError::CaractereInvalido {
                    caractere: 'a',
                    posicao: 3,
                },
            ),
            (
                "12 4",
                RenderError::CaractereInvalido {
                    caractere: ' ',
                    posicao: 3,
                },
            ),
            (
                "1²",
                RenderError::CaractereInvalido {
                    caractere: '²',
                    posicao: 2,
                },
            ),
            (
                "١٢",
                RenderError::CaractereInvalido {
                    caractere: '١',
                    posicao: 1,
                },
            ),
        ];
        for (entrada, esperado) in casos {
            let erro = Itf::encode(entrada).unwrap_err();
            assert_eq!(erro, esperado, "{entrada:?}");
            assert_eq!(erro.code(), "codigo_invalido");
        }
        assert!(Itf::encode(&"0".repeat(254)).is_ok());
        assert_eq!(
            Itf::encode(&"0".repeat(256)),
            Err(RenderError::CodigoLongoDemais { recebidos: 256 })
        );
        assert_eq!(
            Itf::encode("123").unwrap_err().to_string(),
            "o código de barras ITF precisa de um número par de dígitos, recebidos 3"
        );
    }

    #[test]
    fn itf_svg_tamanho_fisico_e_barras() {
        let svg = Itf::encode(BOLETO).unwrap().svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.contains(" width=\"113.03mm\" height=\"13.208mm\" viewBox=\"0 0 445 52\""),
            "{svg}"
        );
        assert!(svg.contains("<rect width=\"445\" height=\"52\" fill=\"#fff\"/>"));
        // 22 pairs × 5 bars + 2 start + 2 stop; the first bar starts after the 20-module quiet zone.
        assert_eq!(svg.matches('M').count(), 114);
        assert!(svg.contains("d=\"M20 0h1v52h-1zM22 0h1v52h-1z"));
        assert!(!caminho(&svg).contains('.'), "no fractional coordinates");
        assert!(svg.len() < 3000, "{}", svg.len());
        assert_eq!(svg, Itf::encode(BOLETO).unwrap().svg());
    }

    #[test]
    fn itf_png_geometria() {
        let png = Itf::encode(BOLETO).unwrap().png().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h, phys, linhas) = decodificar(&png);
        assert_eq!((w, h), (890, 120));
        let phys = phys.unwrap();
        assert_eq!((phys.xppu, phys.yppu, phys.unit), (8000, 8000, png::Unit::Meter));
        let esperado: Vec<bool> = std::iter::repeat_n(false, 40)
            .chain(Itf::encode(BOLETO).unwrap().modules(2, 6))
            .chain(std::iter::repeat_n(false, 40))
            .collect();
        for (y, linha) in linhas.iter().enumerate() {
            if (8..112).contains(&y) {
                assert_eq!(linha, &esperado, "linha {y}");
            } else {
                assert!(linha.iter().all(|&p| !p), "margem {y}");
            }
        }
    }

    #[test]
    fn milimetros_exatos() {
        assert_eq!(milimetros(113_030), "113.03mm");
        assert_eq!(milimetros(12_954), "12.954mm");
        assert_eq!(milimetros(13_000), "13mm");
        assert_eq!(milimetros(254), "0.254mm");
    }

    #[test]
    fn empacota_msb_primeiro_e_branco_no_fim() {
        assert_eq!(empacotar(&[true, false, true]), vec![0b0101_1111]);
        assert_eq!(empacotar(&[false; 9]), vec![0xFF, 0xFF]);
        assert_eq!(empacotar(&[]), Vec::<u8>::new());
    }

    const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

    #[test]
    fn qr_modulos_quadrados_e_versao_de_byte() {
        let qr = Qr::encode(PIX).unwrap();
        let (w, m) = qr.modules();
        // 137 bytes in byte mode at level M need version 8 (49 modules): version 7 holds only 122.
        assert_eq!(w, 49);
        assert_eq!(m.len(), w * w);
        // Finder pattern at the top-left corner: a 7-module dark ring row.
        assert!(m[..7].iter().all(|&d| d) && !m[7]);
        assert_eq!(Qr::encode("a").unwrap().modules().0, 21);
    }

    #[test]
    fn qr_erros() {
        assert_eq!(Qr::encode(""), Err(RenderError::QrVazio));
        assert!(Qr::encode(&"a".repeat(2331)).is_ok());
        let erro = Qr::encode(&"a".repeat(2332)).unwrap_err();
        assert_eq!(erro, RenderError::QrLongoDemais { bytes: 2332 });
        assert_eq!(erro.code(), "payload_invalido");
        assert_eq!(
            erro.to_string(),
            "conteúdo longo demais para um QR Code: no máximo 2331 bytes, recebidos 2332"
        );
    }

    #[test]
    fn qr_svg() {
        let qr = Qr::encode(PIX).unwrap();
        let svg = qr.svg();
        assert!(svg.contains("viewBox=\"0 0 57 57\""));
        assert!(svg.contains("<rect width=\"57\" height=\"57\" fill=\"#fff\"/>"));
        // The first run is the top-left finder's top edge, 7 modules long, after the quiet zone.
        assert!(svg.contains("d=\"M4 4h7v1h-7z"), "{svg}");
        assert!(!caminho(&svg).contains('.'), "no fractional coordinates");
        assert_eq!(svg, Qr::encode(PIX).unwrap().svg());
    }

    #[test]
    fn qr_png_geometria() {
        let qr = Qr::encode(PIX).unwrap();
        let png = qr.png().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h, phys, linhas) = decodificar(&png);
        assert_eq!((w, h), (342, 342));
        assert_eq!(phys.map(|p| p.xppu), Some(8000));
        let (largura, escuros) = qr.modules();
        for (y, linha) in linhas.iter().enumerate() {
            for (x, &preto) in linha.iter().enumerate() {
                let (mx, my) = ((x / 6).checked_sub(4), (y / 6).checked_sub(4));
                let esperado = match (mx, my) {
                    (Some(mx), Some(my)) if mx < largura && my < largura => escuros[my * largura + mx],
                    _ => false,
                };
                assert_eq!(preto, esperado, "({x},{y})");
            }
        }
    }

    proptest! {
        #[test]
        fn itf_nunca_entra_em_panico(s in any::<String>()) {
            if let Ok(itf) = Itf::encode(&s) {
                prop_assert!(!itf.modules(1, 3).is_empty());
            }
        }

        #[test]
        fn itf_digitos_pares_sempre_codificam(s in "([0-9]{2}){1,30}") {
            let itf = Itf::encode(&s).unwrap();
            let n = s.len() as u32 / 2;
            prop_assert_eq!(itf.modules(1, 3).len() as u32, n * 18 + 4 + 5);
            let m = itf.modules(2, 5);
            prop_assert!(m.first() == Some(&true) && m.last() == Some(&true));
            prop_assert!(itf.png().unwrap().starts_with(b"\x89PNG"));
        }

        #[test]
        fn qr_nunca_entra_em_panico(s in any::<String>()) {
            if let Ok(qr) = Qr::encode(&s) {
                let (w, m) = qr.modules();
                prop_assert_eq!(m.len(), w * w);
                prop_assert!((21..=177).contains(&w));
            }
        }
    }
}
