//! Parse and render costs of the payment formats.
//!
//! Targets (issue 2): parse + validate ≤ 2 µs, PNG ≤ 2 ms.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

use borda::domain::render::{Itf, Qr};
use borda::domain::{boleto, documento, pix};

const LINHA: &str = "00190.50095 40144.816069 06809.350314 3 37370000000100";
const ARRECADACAO: &str = "84630000000-3 29990296202-4 00410136000-8 00200644114-7";
const PIX: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

fn parse(c: &mut Criterion) {
    let hoje = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    c.bench_function("boleto::decode linha bancária", |b| {
        b.iter(|| boleto::decode(black_box(LINHA), hoje))
    });
    c.bench_function("boleto::decode linha arrecadação", |b| {
        b.iter(|| boleto::decode(black_box(ARRECADACAO), hoje))
    });
    c.bench_function("pix::decode", |b| b.iter(|| pix::decode(black_box(PIX))));
    c.bench_function("documento::parse cnpj", |b| {
        b.iter(|| documento::parse(black_box("12.ABC.345/01DE-35")))
    });
}

fn render(c: &mut Criterion) {
    let barcode = "00193373700000001000500940144816060680935031";
    c.bench_function("render ITF png", |b| {
        b.iter(|| Itf::encode(black_box(barcode)).and_then(|itf| itf.png()))
    });
    c.bench_function("render ITF svg", |b| {
        b.iter(|| Itf::encode(black_box(barcode)).map(|itf| itf.svg()))
    });
    c.bench_function("render QR png", |b| {
        b.iter(|| Qr::encode(black_box(PIX)).and_then(|qr| qr.png()))
    });
    c.bench_function("render QR svg", |b| {
        b.iter(|| Qr::encode(black_box(PIX)).map(|qr| qr.svg()))
    });
    // The PNG step alone, of symbols already encoded.
    if let (Ok(itf), Ok(qr)) = (Itf::encode(barcode), Qr::encode(PIX)) {
        c.bench_function("png of an encoded ITF", |b| b.iter(|| black_box(&itf).png()));
        c.bench_function("png of an encoded QR", |b| b.iter(|| black_box(&qr).png()));
    }
}

criterion_group!(benches, parse, render);
criterion_main!(benches);
