//! Receipts to ESC/POS bytes.
//!
//! Targets (issue 9): ESC/POS bytes of a `comprovante_pix` ≤ 10 µs; a boleto with its raster ITF ≤ 200 µs. Each is
//! measured as encoding alone (the layout built once) and as layout + encoding.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use borda::domain::baixa::Estado;
use borda::domain::impressao::escpos::{self, Perfil};
use borda::domain::impressao::{comprovantes, exemplos};

fn perfil(nome: &str) -> Perfil {
    escpos::perfil(nome).copied().unwrap_or(escpos::PERFIS[0])
}

fn escpos_bytes(c: &mut Criterion) {
    let fatura = exemplos::fatura();
    let baixa = exemplos::baixa_pix(Estado::Pendente);
    let dados = exemplos::dados();
    let epson = perfil("epson-tm-t20");
    let generico = perfil("generico-80mm");

    let pix = comprovantes::comprovante_pix(&fatura, &baixa, &dados, 48);
    c.bench_function("escpos comprovante_pix (codificar)", |b| {
        b.iter(|| escpos::codificar(black_box(&pix), &epson))
    });
    c.bench_function("escpos comprovante_pix (layout + codificar)", |b| {
        b.iter(|| {
            let impresso = comprovantes::comprovante_pix(black_box(&fatura), &baixa, &dados, 48);
            escpos::codificar(&impresso, &epson)
        })
    });

    let boleto = comprovantes::boleto(&fatura, &dados, 48);
    c.bench_function("escpos boleto, ITF raster + QR nativo (codificar)", |b| {
        b.iter(|| escpos::codificar(black_box(&boleto), &epson))
    });
    c.bench_function("escpos boleto, ITF raster + QR nativo (layout + codificar)", |b| {
        b.iter(|| {
            let impresso = comprovantes::boleto(black_box(&fatura), &dados, 48);
            escpos::codificar(&impresso, &epson)
        })
    });
    c.bench_function("escpos boleto, ITF raster + QR raster (codificar)", |b| {
        b.iter(|| escpos::codificar(black_box(&boleto), &generico))
    });
}

criterion_group!(benches, escpos_bytes);
criterion_main!(benches);
