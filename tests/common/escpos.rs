//! An ESC/POS command walker for the subset borda emits (plus the status and drawer commands a printer emulator
//! meets), written from the Epson ESC/POS command reference and independent of borda's encoder: it knows each
//! command's length, splits a byte stream into [`Comando`]s and fails on anything malformed or unknown.
//!
//! - [`comandos`]: bytes → commands, or the offset and reason of the first bad byte;
//! - [`conferir_texto`]: every text byte ≥ 0x80 is a mapped character of the page; returns the printed text;
//! - [`sem_utf8`]: no UTF-8 multibyte sequence in text;
//! - [`rasters`]: consecutive `GS v 0` bands joined into pictures (8-bit luma, black 0), for the scanner;
//! - [`anotar`]: a readable dump, one command per line with its meaning, for golden files.

use borda::domain::impressao::escpos::PaginaDeCodigo;

/// One ESC/POS command (or a run of text bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comando {
    /// Printable bytes (0x20..=0x7E, 0x80..=0xFF), as sent.
    Texto(Vec<u8>),
    /// `LF`: print and feed one line.
    AvancoDeLinha,
    /// `ESC @`.
    Inicializar,
    /// `ESC t n`.
    PaginaDeCodigo(u8),
    /// `ESC a n`: 0 left, 1 centre, 2 right.
    Alinhamento(u8),
    /// `ESC E n`.
    Negrito(bool),
    /// `GS ! n`.
    Tamanho(u8),
    /// `ESC d n`.
    Avanco(u8),
    /// `GS V m` (m 0, 1, 48, 49) or `GS V m n` (m 65, 66).
    Corte { modo: u8, n: Option<u8> },
    /// `ESC p m t1 t2`.
    Gaveta { m: u8, t1: u8, t2: u8 },
    /// `DLE EOT n`, n 1..=4: real-time status request.
    Status(u8),
    /// `GS F9h SP n`: Bematech command-set switch (n = 1: ESC/POS).
    ModoBematech(u8),
    /// `GS ( k … 1 A n1 n2`: QR model (n1 = 49 model 1, 50 model 2).
    QrModelo(u8),
    /// `GS ( k … 1 C n`: QR module size.
    QrTamanho(u8),
    /// `GS ( k … 1 E n`: QR error correction (48 L, 49 M, 50 Q, 51 H).
    QrCorrecao(u8),
    /// `GS ( k … 1 P 0 d…`: QR data to store.
    QrArmazenar(Vec<u8>),
    /// `GS ( k … 1 Q 0`: print the stored QR.
    QrImprimir,
    /// `GS v 0 m xL xH yL yH d…` at m = 0 (normal density).
    RasterImagem {
        largura_bytes: u16,
        altura: u16,
        dados: Vec<u8>,
    },
}

/// Reads `n` bytes at `i`.
fn pegar<'a>(bytes: &'a [u8], i: usize, n: usize, nome: &str) -> Result<&'a [u8], String> {
    bytes
        .get(i..i + n)
        .ok_or_else(|| format!("{nome} truncado no byte {i} (faltam {} bytes)", i + n - bytes.len()))
}

/// Splits `bytes` into commands; fails on a malformed or unknown command, a control byte in text or a truncated
/// command, naming its offset.
pub fn comandos(bytes: &[u8]) -> Result<Vec<Comando>, String> {
    let mut saida = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x20..=0x7E | 0x80..=0xFF => {
                let fim = bytes[i..]
                    .iter()
                    .position(|&c| c < 0x20 || c == 0x7F)
                    .map_or(bytes.len(), |p| i + p);
                saida.push(Comando::Texto(bytes[i..fim].to_vec()));
                i = fim;
            }
            0x0A => {
                saida.push(Comando::AvancoDeLinha);
                i += 1;
            }
            0x10 => {
                let c = pegar(bytes, i, 3, "DLE EOT")?;
                if c[1] != 0x04 || !(1..=4).contains(&c[2]) {
                    return Err(format!("DLE desconhecido no byte {i}: {c:02X?}"));
                }
                saida.push(Comando::Status(c[2]));
                i += 3;
            }
            0x1B => {
                let c = pegar(bytes, i, 2, "ESC")?;
                let (comando, n) = match c[1] {
                    b'@' => (Comando::Inicializar, 2),
                    b't' => (Comando::PaginaDeCodigo(pegar(bytes, i, 3, "ESC t")?[2]), 3),
                    b'a' => {
                        let n = pegar(bytes, i, 3, "ESC a")?[2];
                        if !matches!(n, 0..=2 | 48..=50) {
                            return Err(format!("ESC a {n} inválido no byte {i}"));
                        }
                        (Comando::Alinhamento(n % 48), 3)
                    }
                    b'E' => (Comando::Negrito(pegar(bytes, i, 3, "ESC E")?[2] & 1 == 1), 3),
                    b'd' => (Comando::Avanco(pegar(bytes, i, 3, "ESC d")?[2]), 3),
                    b'p' => {
                        let c = pegar(bytes, i, 5, "ESC p")?;
                        if !matches!(c[2], 0 | 1 | 48 | 49) {
                            return Err(format!("ESC p m={} inválido no byte {i}", c[2]));
                        }
                        (
                            Comando::Gaveta {
                                m: c[2],
                                t1: c[3],
                                t2: c[4],
                            },
                            5,
                        )
                    }
                    outro => return Err(format!("ESC {outro:#04X} desconhecido no byte {i}")),
                };
                saida.push(comando);
                i += n;
            }
            0x1D => {
                let c = pegar(bytes, i, 2, "GS")?;
                let (comando, n) = match c[1] {
                    b'!' => (Comando::Tamanho(pegar(bytes, i, 3, "GS !")?[2]), 3),
                    b'V' => {
                        let m = pegar(bytes, i, 3, "GS V")?[2];
                        match m {
                            0 | 1 | 48 | 49 => (Comando::Corte { modo: m, n: None }, 3),
                            65 | 66 => (
                                Comando::Corte {
                                    modo: m,
                                    n: Some(pegar(bytes, i, 4, "GS V")?[3]),
                                },
                                4,
                            ),
                            _ => return Err(format!("GS V {m} inválido no byte {i}")),
                        }
                    }
                    0xF9 => {
                        let c = pegar(bytes, i, 4, "GS F9h")?;
                        if c[2] != 0x20 || c[3] > 1 {
                            return Err(format!("GS F9h desconhecido no byte {i}: {c:02X?}"));
                        }
                        (Comando::ModoBematech(c[3]), 4)
                    }
                    b'(' => {
                        let c = pegar(bytes, i, 5, "GS (")?;
                        if c[2] != b'k' {
                            return Err(format!("GS ( {:#04X} desconhecido no byte {i}", c[2]));
                        }
                        let p = usize::from(u16::from_le_bytes([c[3], c[4]]));
                        let corpo = pegar(bytes, i + 5, p, "GS ( k")?;
                        (qr(corpo, i)?, 5 + p)
                    }
                    b'v' => {
                        let c = pegar(bytes, i, 8, "GS v 0")?;
                        if c[2] != b'0' || !matches!(c[3], 0 | 48) {
                            return Err(format!("GS v {:#04X} m={} não suportado no byte {i}", c[2], c[3]));
                        }
                        let largura_bytes = u16::from_le_bytes([c[4], c[5]]);
                        let altura = u16::from_le_bytes([c[6], c[7]]);
                        if largura_bytes == 0 || altura == 0 {
                            return Err(format!("GS v 0 vazio no byte {i}"));
                        }
                        let total = usize::from(largura_bytes) * usize::from(altura);
                        let dados = pegar(bytes, i + 8, total, "GS v 0")?.to_vec();
                        (
                            Comando::RasterImagem {
                                largura_bytes,
                                altura,
                                dados,
                            },
                            8 + total,
                        )
                    }
                    outro => return Err(format!("GS {outro:#04X} desconhecido no byte {i}")),
                };
                saida.push(comando);
                i += n;
            }
            outro => return Err(format!("byte de controle {outro:#04X} no byte {i}")),
        }
    }
    Ok(saida)
}

/// The body of a `GS ( k` (after pL pH) as a QR command; only cn = 49 (QR Code) and its functions 65, 67, 69, 80
/// and 81 are known.
fn qr(corpo: &[u8], i: usize) -> Result<Comando, String> {
    let erro = || format!("GS ( k malformado no byte {i}: {:02X?}", &corpo[..corpo.len().min(8)]);
    match corpo {
        [49, 65, n1 @ (49 | 50), 0] => Ok(Comando::QrModelo(*n1)),
        [49, 67, n @ 1..=16] => Ok(Comando::QrTamanho(*n)),
        [49, 69, n @ 48..=51] => Ok(Comando::QrCorrecao(*n)),
        [49, 80, 48, dados @ ..] if !dados.is_empty() => Ok(Comando::QrArmazenar(dados.to_vec())),
        [49, 81, 48] => Ok(Comando::QrImprimir),
        _ => Err(erro()),
    }
}

/// The text the printer prints (lines joined by `\n`), failing on any text byte that is not a printable character
/// of `pagina`.
pub fn conferir_texto(comandos: &[Comando], pagina: PaginaDeCodigo) -> Result<String, String> {
    let mut texto = String::new();
    for comando in comandos {
        match comando {
            Comando::Texto(bytes) => {
                for &b in bytes {
                    let c = pagina
                        .caractere(b)
                        .ok_or_else(|| format!("byte {b:#04X} não é um caractere de {pagina:?} em {bytes:02X?}"))?;
                    texto.push(c);
                }
            }
            Comando::AvancoDeLinha => texto.push('\n'),
            _ => {}
        }
    }
    Ok(texto)
}

/// Fails when a text run holds a UTF-8 multibyte sequence (a lead byte 0xC2..=0xF4 followed by the continuation
/// bytes 0x80..=0xBF it announces): what a raw UTF-8 character looks like on the wire. (Two mapped characters can
/// form one by chance, e.g. WPC1252 "Ã©"; receipts' real text does not.)
pub fn sem_utf8(comandos: &[Comando]) -> Result<(), String> {
    for comando in comandos {
        if let Comando::Texto(bytes) = comando {
            for (j, &b) in bytes.iter().enumerate() {
                let seguintes = match b {
                    0xC2..=0xDF => 1,
                    0xE0..=0xEF => 2,
                    0xF0..=0xF4 => 3,
                    _ => continue,
                };
                if let Some(resto) = bytes.get(j + 1..j + 1 + seguintes)
                    && std::str::from_utf8(&bytes[j..j + 1 + seguintes]).is_ok()
                    && resto.iter().all(|c| (0x80..=0xBF).contains(c))
                {
                    return Err(format!(
                        "UTF-8 cru no texto: {:02X?} em {bytes:02X?}",
                        &bytes[j..j + 1 + seguintes]
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A picture the printer prints: `largura` × `altura` dots, 8-bit luma row by row, black 0 and white 255.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raster {
    pub largura: u32,
    pub altura: u32,
    pub luma: Vec<u8>,
}

impl Raster {
    /// The picture turned 90° clockwise (what was the top row becomes the right column).
    pub fn girada(&self) -> Raster {
        let (w, h) = (self.largura as usize, self.altura as usize);
        let mut luma = vec![255; w * h];
        for y in 0..h {
            for x in 0..w {
                // (x, y) → (h - 1 - y, x) in a picture h wide.
                luma[x * h + (h - 1 - y)] = self.luma[y * w + x];
            }
        }
        Raster {
            largura: self.altura,
            altura: self.largura,
            luma,
        }
    }

    /// The picture with `margem` white dots on every side.
    pub fn com_margem(&self, margem: u32) -> Raster {
        let (w, m) = (self.largura as usize, margem as usize);
        let nova = w + 2 * m;
        let mut luma = vec![255; nova * (self.altura as usize + 2 * m)];
        for (y, linha) in self.luma.chunks(w).enumerate() {
            let inicio = (y + m) * nova + m;
            luma[inicio..inicio + w].copy_from_slice(linha);
        }
        Raster {
            largura: self.largura + 2 * margem,
            altura: self.altura + 2 * margem,
            luma,
        }
    }
}

/// The `GS v 0` images of `comandos`, consecutive bands of the same width joined into one picture (only commands
/// that print nothing may sit between bands).
pub fn rasters(comandos: &[Comando]) -> Vec<Raster> {
    let mut imagens: Vec<Raster> = Vec::new();
    let mut continua = false;
    for comando in comandos {
        match comando {
            Comando::RasterImagem {
                largura_bytes,
                altura,
                dados,
            } => {
                let largura = u32::from(*largura_bytes) * 8;
                let luma: Vec<u8> = dados
                    .iter()
                    .flat_map(|&byte| (0..8).map(move |bit| if byte & (0x80 >> bit) != 0 { 0 } else { 255 }))
                    .collect();
                match imagens.last_mut() {
                    Some(ultima) if continua && ultima.largura == largura => {
                        ultima.altura += u32::from(*altura);
                        ultima.luma.extend(luma);
                    }
                    _ => imagens.push(Raster {
                        largura,
                        altura: u32::from(*altura),
                        luma,
                    }),
                }
                continua = true;
            }
            Comando::Alinhamento(_) | Comando::Negrito(_) | Comando::Tamanho(_) | Comando::PaginaDeCodigo(_) => {}
            _ => continua = false,
        }
    }
    imagens
}

/// FNV-1a 64 of `bytes`: a stable fingerprint of raster data in golden files.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Hex of `bytes`, space-separated.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

/// A readable dump of `comandos`: one command per line, its bytes (headers only for data-carrying commands) and
/// meaning; text decoded with `pagina`, with the bytes ≥ 0x80 listed (so the dump pins every byte). Raster data is
/// summarised by size and FNV-1a fingerprint.
pub fn anotar(comandos: &[Comando], pagina: PaginaDeCodigo) -> String {
    let mut saida = String::new();
    let mut linha = |bytes: String, sentido: String| {
        saida.push_str(&format!("{bytes:<26} {sentido}\n"));
    };
    for comando in comandos {
        match comando {
            Comando::Texto(bytes) => {
                let texto: String = bytes
                    .iter()
                    .map(|&b| pagina.caractere(b).unwrap_or('\u{FFFD}'))
                    .collect();
                let altos: Vec<u8> = bytes.iter().copied().filter(|&b| b >= 0x80).collect();
                let extra = if altos.is_empty() {
                    String::new()
                } else {
                    format!("  [≥0x80: {}]", hex(&altos))
                };
                linha(format!("({} bytes)", bytes.len()), format!("texto {texto:?}{extra}"));
            }
            Comando::AvancoDeLinha => linha("0A".into(), "LF".into()),
            Comando::Inicializar => linha("1B 40".into(), "ESC @ inicializar".into()),
            Comando::PaginaDeCodigo(n) => linha(format!("1B 74 {n:02X}"), format!("ESC t {n} página de código")),
            Comando::Alinhamento(n) => {
                let nome = ["esquerda", "centro", "direita"]
                    .get(usize::from(*n))
                    .copied()
                    .unwrap_or("?");
                linha(format!("1B 61 {n:02X}"), format!("ESC a {n} alinhamento {nome}"));
            }
            Comando::Negrito(b) => linha(format!("1B 45 {:02X}", u8::from(*b)), format!("ESC E negrito {b}")),
            Comando::Tamanho(n) => linha(
                format!("1D 21 {n:02X}"),
                format!("GS ! tamanho {}x{}", (n >> 4) + 1, (n & 7) + 1),
            ),
            Comando::Avanco(n) => linha(format!("1B 64 {n:02X}"), format!("ESC d {n} avança linhas")),
            Comando::Corte { modo, n } => match n {
                Some(n) => linha(format!("1D 56 {modo:02X} {n:02X}"), format!("GS V {modo} {n} corte")),
                None => linha(format!("1D 56 {modo:02X}"), format!("GS V {modo} corte")),
            },
            Comando::Gaveta { m, t1, t2 } => linha(
                format!("1B 70 {m:02X} {t1:02X} {t2:02X}"),
                format!("ESC p gaveta pino {m} {} ms", u32::from(*t1) * 2),
            ),
            Comando::Status(n) => linha(format!("10 04 {n:02X}"), format!("DLE EOT {n} status")),
            Comando::ModoBematech(n) => linha(format!("1D F9 20 {n:02X}"), format!("GS F9h SP {n} modo ESC/POS")),
            Comando::QrModelo(n) => linha(
                format!("1D 28 6B 04 00 31 41 {n:02X} 00"),
                format!("GS ( k QR modelo {}", n - 48),
            ),
            Comando::QrTamanho(n) => linha(
                format!("1D 28 6B 03 00 31 43 {n:02X}"),
                format!("GS ( k QR módulo {n} pontos"),
            ),
            Comando::QrCorrecao(n) => {
                let nivel = ["L", "M", "Q", "H"].get(usize::from(n - 48)).copied().unwrap_or("?");
                linha(
                    format!("1D 28 6B 03 00 31 45 {n:02X}"),
                    format!("GS ( k QR correção {nivel}"),
                );
            }
            Comando::QrArmazenar(dados) => {
                let [pl, ph] = u16::try_from(dados.len() + 3).unwrap_or(u16::MAX).to_le_bytes();
                linha(
                    format!("1D 28 6B {pl:02X} {ph:02X} 31 50 30 …"),
                    format!(
                        "GS ( k QR armazena {} bytes {:?}",
                        dados.len(),
                        String::from_utf8_lossy(dados)
                    ),
                );
            }
            Comando::QrImprimir => linha("1D 28 6B 03 00 31 51 30".into(), "GS ( k QR imprime".into()),
            Comando::RasterImagem {
                largura_bytes,
                altura,
                dados,
            } => {
                let [xl, xh] = largura_bytes.to_le_bytes();
                let [yl, yh] = altura.to_le_bytes();
                let pretos: u32 = dados.iter().map(|b| b.count_ones()).sum();
                linha(
                    format!("1D 76 30 00 {xl:02X} {xh:02X} {yl:02X} {yh:02X} …"),
                    format!(
                        "GS v 0 raster {} pontos x {altura} linhas, {pretos} pretos, fnv1a {:016x}",
                        u32::from(*largura_bytes) * 8,
                        fnv1a(dados)
                    ),
                );
            }
        }
    }
    saida
}

/// The 44 digits the independent scanner reads in the boleto ITF raster inside ESC/POS `bytes`: the tall `GS v 0`
/// image, checked for its 13 mm bars and 5 mm quiet rows, turned upright and scanned.
pub fn ler_itf(bytes: &[u8]) -> String {
    let lista = comandos(bytes).unwrap();
    let itf = rasters(&lista)
        .into_iter()
        .find(|r| r.altura > 800)
        .expect("o raster do ITF");
    // At least 104 dots (13 mm) of bar across the paper; 5 mm quiet rows along it.
    assert!(itf.largura >= 104, "barra de {} pontos", itf.largura);
    let linha = |y: usize| &itf.luma[y * itf.largura as usize..(y + 1) * itf.largura as usize];
    assert!((0..40).all(|y| linha(y).iter().all(|&p| p == 255)));
    assert!(((itf.altura as usize - 40)..itf.altura as usize).all(|y| linha(y).iter().all(|&p| p == 255)));
    let em_pe = itf.girada().com_margem(16);
    super::scan_luma(
        em_pe.luma,
        em_pe.largura,
        em_pe.altura,
        super::Symbology::Itf,
        "ITF do ESC/POS",
    )
}
