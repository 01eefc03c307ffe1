//! The receipt preview shown in README.md (`assets/preview/comprovante_pix.png`) is the layout of today: the
//! example comprovante PIX on 80 mm, drawn by `preview_png`, compared pixel by pixel with the committed file.
//! `BORDA_ATUALIZAR_GOLDEN=1 cargo test --test readme_preview` rewrites it (as tests/escpos_golden.rs does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use borda::domain::baixa::Estado;
use borda::domain::impressao::comprovantes;
use borda::domain::impressao::escpos;
use borda::domain::impressao::exemplos;
use borda::domain::impressao::preview::{PONTOS_80MM, preview_png};

/// Width, height and 8-bit pixels of a PNG, so a re-compression alone never fails the test.
fn pixels(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    buf.truncate(frame.buffer_size());
    (frame.width, frame.height, buf)
}

#[test]
fn the_readme_preview_is_the_current_layout() {
    let impresso = comprovantes::comprovante_pix(
        &exemplos::fatura(),
        &exemplos::baixa_pix(Estado::Sincronizada),
        &exemplos::dados(),
        48,
    );
    // As an Epson TM-T20 (PC860) prints it: its transliterations included.
    let perfil = escpos::perfil("epson-tm-t20").unwrap();
    let png = preview_png(&escpos::como_no_papel(&impresso, perfil.pagina), PONTOS_80MM).unwrap();
    let arquivo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/preview/comprovante_pix.png");
    if std::env::var_os("BORDA_ATUALIZAR_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&arquivo, &png).unwrap();
        return;
    }
    let regenerar = "regenere com BORDA_ATUALIZAR_GOLDEN=1 cargo test --test readme_preview e faça commit do PNG";
    let committed = std::fs::read(&arquivo).unwrap_or_else(|e| panic!("{}: {e}; {regenerar}", arquivo.display()));
    let (esperado, obtido) = (pixels(&committed), pixels(&png));
    assert!(
        esperado == obtido,
        "{} não é o layout atual ({}x{} no arquivo, {}x{} agora): o layout do comprovante mudou; {regenerar}",
        arquivo.display(),
        esperado.0,
        esperado.1,
        obtido.0,
        obtido.1
    );
}
