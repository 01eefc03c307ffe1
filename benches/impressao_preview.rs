//! What the receipt previews cost: an `Impresso` to the PNG preview and to the PDF, for a comprovante-like receipt
//! (about 25 lines of text and the PIX QR) and a boleto 2ª via (text, the rotated ITF raster and the QR).
//!
//! Targets (issue 9): PNG ≤ 5 ms, PDF ≤ 10 ms. The fonts are parsed and their common glyphs rasterised once per
//! process (a `OnceLock`), so the first iteration of warm-up pays for it and the measured ones do not.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use borda::domain::impressao::pdf_recibo::recibo_pdf;
use borda::domain::impressao::preview::{PONTOS_80MM, preview_png};
use borda::domain::impressao::raster::{raster_itf, raster_qr};
use borda::domain::impressao::{Alinhamento, Elemento, Estilo, Impresso};

const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
const BOLETO: &str = "00193373700000001000500940144816060680935031";

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

/// Two columns on one 48-column line: label on the left, value on the right.
fn par(rotulo: &str, valor: &str) -> Elemento {
    let espacos = 48usize.saturating_sub(rotulo.chars().count() + valor.chars().count());
    linha(
        &format!("{rotulo}{}{valor}", " ".repeat(espacos)),
        Alinhamento::Esquerda,
        false,
        false,
    )
}

/// A comprovante PIX as the kiosk prints it: header, customer and fatura data, values, ids, the QR, the cut.
fn comprovante() -> Impresso {
    let mut elementos = vec![
        linha("REDE SERTÃO TELECOM", Alinhamento::Centro, true, true),
        linha("CNPJ 11.222.333/0001-81", Alinhamento::Centro, false, false),
        linha(
            "Rua das Acácias, 123 - São João do Piauí",
            Alinhamento::Centro,
            false,
            false,
        ),
        Elemento::Separador,
        linha("COMPROVANTE DE PAGAMENTO PIX", Alinhamento::Centro, true, false),
        Elemento::Separador,
        par("Cliente", "Conceição Araújo Gonçalves"),
        par("CPF", "***.982.247-**"),
        par("Fatura", "9001-52998224725"),
        par("Histórico", "Internet Fibra 500 Mega"),
        par("Vencimento", "18/08/2027"),
        par("Valor original", "R$ 1.234,56"),
        par("Juros/multa", "R$ 15,44"),
        par("Desconto", "R$ 0,00"),
        linha("VALOR PAGO  R$ 1.250,00", Alinhamento::Direita, true, true),
        Elemento::Separador,
        par("Data", "23/11/2026 14:32:05"),
        linha(
            "E2E E00000000202611231432abcdefghijk",
            Alinhamento::Esquerda,
            false,
            false,
        ),
        linha("txid PEDIDO123", Alinhamento::Esquerda, false, false),
        par("Totem", "totem-loja-centro-01"),
        par("Baixa no ERP", "confirmada"),
        Elemento::Separador,
        Elemento::Qr {
            conteudo: PIX.to_owned(),
        },
    ];
    for pedaco in PIX.as_bytes().chunks(48) {
        elementos.push(linha(
            &String::from_utf8_lossy(pedaco),
            Alinhamento::Esquerda,
            false,
            false,
        ));
    }
    elementos.extend([
        Elemento::Avanco(1),
        linha("Obrigado! Guarde este comprovante.", Alinhamento::Centro, false, false),
        Elemento::Avanco(2),
        Elemento::Corte,
    ]);
    Impresso { colunas: 48, elementos }
}

/// A boleto 2ª via: payee, customer, values, the ITF rotated, the linha, the PIX QR and copia-e-cola, the cut.
fn boleto() -> Impresso {
    let mut elementos = vec![
        linha("BOLETO - 2ª VIA", Alinhamento::Centro, true, true),
        linha("Rede Sertão Telecomunicações Ltda", Alinhamento::Centro, false, false),
        Elemento::Separador,
        par("Pagador", "Conceição Araújo Gonçalves"),
        par("Vencimento", "18/08/2027"),
        par("Valor", "R$ 1.234,56"),
        Elemento::Avanco(1),
        Elemento::CodigoDeBarras {
            digitos: BOLETO.to_owned(),
        },
        linha(
            "00190.50095 40144.816069 06809.350314 3 37370000000100",
            Alinhamento::Centro,
            false,
            false,
        ),
        Elemento::Separador,
        linha("Pague com PIX", Alinhamento::Centro, true, false),
        Elemento::Qr {
            conteudo: PIX.to_owned(),
        },
    ];
    for pedaco in PIX.as_bytes().chunks(48) {
        elementos.push(linha(
            &String::from_utf8_lossy(pedaco),
            Alinhamento::Esquerda,
            false,
            false,
        ));
    }
    elementos.push(Elemento::Corte);
    Impresso { colunas: 48, elementos }
}

fn previews(c: &mut Criterion) {
    let (comprovante, boleto) = (comprovante(), boleto());
    c.bench_function("impresso comprovante -> png", |b| {
        b.iter(|| preview_png(black_box(&comprovante), PONTOS_80MM))
    });
    c.bench_function("impresso comprovante -> pdf", |b| {
        b.iter(|| recibo_pdf(black_box(&comprovante), PONTOS_80MM))
    });
    c.bench_function("impresso boleto -> png", |b| {
        b.iter(|| preview_png(black_box(&boleto), PONTOS_80MM))
    });
    c.bench_function("impresso boleto -> pdf", |b| {
        b.iter(|| recibo_pdf(black_box(&boleto), PONTOS_80MM))
    });
}

/// The shared rasters alone, which the ESC/POS encoder also pays for.
fn rasters(c: &mut Criterion) {
    c.bench_function("raster_itf 44 digits", |b| b.iter(|| raster_itf(black_box(BOLETO))));
    c.bench_function("raster_qr pix 6 dots", |b| b.iter(|| raster_qr(black_box(PIX), 6)));
}

criterion_group!(benches, previews, rasters);
criterion_main!(benches);
