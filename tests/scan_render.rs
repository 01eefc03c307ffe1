#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Held-out check: an independent decoder (`rxing`, a Rust port of ZXing that shares no code with borda's encoders)
//! must read back exactly what `render` encoded, from the PNGs as written and from the SVGs drawn on a raster.

mod common;

use std::path::Path;

use borda::domain::render::{Itf, Qr};

use common::{Symbology, vector_file as carregar};

/// What the scanner reads in the PNG `arquivo`; a scan that reads nothing fails the test.
fn ler(arquivo: &Path, simbologia: Symbology) -> String {
    common::scan(arquivo, simbologia)
}

/// A valid 44-digit cobrança barcode from a deterministic generator: position 5 carries the mod-11 general check
/// digit (formats.md §1.3: weights 2..9 from the right, results 0, 10 and 11 become 1).
fn boleto_aleatorio(semente: &mut u64) -> String {
    let mut digitos: Vec<u32> = (0..44)
        .map(|_| {
            // xorshift64: reproducible without a random-number dependency.
            *semente ^= *semente << 13;
            *semente ^= *semente >> 7;
            *semente ^= *semente << 17;
            (*semente % 10) as u32
        })
        .collect();
    let soma: u32 = digitos
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 4)
        .rev()
        .zip((2..=9).cycle())
        .map(|((_, &d), p)| d * p)
        .sum();
    let dv = 11 - soma % 11;
    digitos[4] = if dv == 0 || dv >= 10 { 1 } else { dv };
    digitos.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect()
}

#[test]
fn scanner_le_o_itf_exatamente() {
    let dir = tempfile::tempdir().unwrap();
    let json = carregar("itf_boleto.json");
    let mut codigos: Vec<String> = json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["data"].as_str().unwrap().to_owned())
        .collect();
    codigos.sort();
    codigos.dedup();
    assert!(!codigos.is_empty());
    let mut semente = 0x9E37_79B9_7F4A_7C15;
    codigos.extend((0..5).map(|_| boleto_aleatorio(&mut semente)));
    for (i, codigo) in codigos.iter().enumerate() {
        let arquivo = dir.path().join(format!("itf_{i}.png"));
        std::fs::write(&arquivo, Itf::encode(codigo).unwrap().png().unwrap()).unwrap();
        assert_eq!(&ler(&arquivo, Symbology::Itf), codigo, "ITF {codigo}");
    }
}

#[test]
fn scanner_le_o_qr_exatamente() {
    let dir = tempfile::tempdir().unwrap();
    let json = carregar("pix_brcode.json");
    let mut payloads: Vec<&str> = json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["valid"].as_bool() == Some(true))
        .map(|v| v["payload"].as_str().unwrap())
        .collect();
    assert!(payloads.len() >= 5, "poucos payloads Pix válidos: {}", payloads.len());
    // Byte mode carries UTF-8 as is: a text with accents and a non-Latin-1 symbol must come back unchanged.
    payloads.push("Pagamento São João — ação ✓");
    for (i, payload) in payloads.iter().enumerate() {
        let arquivo = dir.path().join(format!("qr_{i}.png"));
        std::fs::write(&arquivo, Qr::encode(payload).unwrap().png().unwrap()).unwrap();
        assert_eq!(&ler(&arquivo, Symbology::Qr), payload, "QR {payload}");
    }
}

/// Rasterises an SVG made by `render` (a viewBox in modules and one path of `M x y h w v h h -w z` rectangles) into
/// 8-bit grey pixels at `escala` pixels per module: (pixels, width, height). Deliberately minimal: it reads only
/// what `render` writes, and fails on anything else so a change in the SVG shape is noticed.
fn svg_para_cinza(svg: &str, escala: usize) -> (Vec<u8>, u32, u32) {
    let caixa = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split('"').next().unwrap();
    let (w, h) = caixa.split_once(' ').unwrap();
    let (w, h): (usize, usize) = (w.parse().unwrap(), h.parse().unwrap());
    let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut img = vec![255u8; w * escala * h * escala];
    for ret in d.split('z').filter(|r| !r.is_empty()) {
        let n: Vec<usize> = ret
            .trim_start_matches('M')
            .split(['h', 'v', ' '])
            .map(|t| {
                t.trim_start_matches('-')
                    .parse()
                    .unwrap_or_else(|_| panic!("caminho inesperado: {ret}"))
            })
            .collect();
        let [x, y, rw, rh, rw2] = n[..] else {
            panic!("caminho inesperado: {ret}")
        };
        assert_eq!(rw, rw2, "{ret}");
        for yy in y * escala..(y + rh) * escala {
            for xx in x * escala..(x + rw) * escala {
                img[yy * w * escala + xx] = 0;
            }
        }
    }
    (img, (w * escala) as u32, (h * escala) as u32)
}

/// What the scanner reads in an SVG made by `render`, drawn at `escala` pixels per module.
fn ler_svg(svg: &str, escala: usize, simbologia: Symbology) -> String {
    let (cinza, largura, altura) = svg_para_cinza(svg, escala);
    common::scan_luma(cinza, largura, altura, simbologia, "the SVG")
}

#[test]
fn scanner_le_os_svg() {
    let codigo = "83860000005096000190000008017823000034306271";
    assert_eq!(ler_svg(&Itf::encode(codigo).unwrap().svg(), 2, Symbology::Itf), codigo);
    let payload = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
    assert_eq!(ler_svg(&Qr::encode(payload).unwrap().svg(), 4, Symbology::Qr), payload);
}
