//! Helpers shared by the integration tests: the public vectors, the real
//! binary and an independent scanner.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod escpos;
pub mod harness;
pub mod impressora;
pub mod process;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use borda::demo::BaixaRecebida;
use serde_json::Value;

/// Damages the table `tabela` of the SQLite file `db` (its root page overwritten) and leaves the schema, which
/// start-up reads, intact. The last writes a daemon left in the WAL are first folded into the file, as a checkpoint
/// would.
pub fn danificar_tabela(db: &Path, tabela: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let page_size: u32 = conn.query_row("PRAGMA page_size", [], |row| row.get(0)).unwrap();
    let root: u32 = conn
        .query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [tabela], |row| {
            row.get(0)
        })
        .unwrap();
    conn.close().unwrap();
    let mut bytes = std::fs::read(db).unwrap();
    let (root, page_size) = (root as usize, page_size as usize);
    for (index, byte) in bytes[(root - 1) * page_size..root * page_size].iter_mut().enumerate() {
        *byte = 0xA5 ^ (index as u8);
    }
    std::fs::write(db, bytes).unwrap();
}

/// How many times the ERP booked each fatura, from the demo ERP's recording of bookings
/// (`DemoErp::baixas_recebidas`).
pub fn baixas_por_fatura(recebidas: &[BaixaRecebida]) -> BTreeMap<String, usize> {
    let mut booked: BTreeMap<String, usize> = BTreeMap::new();
    for baixa in recebidas {
        *booked.entry(baixa.id_fatura.clone()).or_default() += 1;
    }
    booked
}

/// The faturas the ERP booked more than once (double write-offs), with how many times: the duplicate check of
/// the crash test, and of every test that says "exactly once".
pub fn duplicadas(recebidas: &[BaixaRecebida]) -> Vec<(String, usize)> {
    baixas_por_fatura(recebidas)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect()
}

/// `tests/vectors`, the public test vectors kept with the crate (their sources are in its README).
pub fn vectors_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    assert!(dir.is_dir(), "vector folder {} is missing", dir.display());
    dir
}

/// One vector file, parsed.
pub fn vector_file(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The non-empty array `key` of a vector file.
pub fn vector_list<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    let list = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector file has no array {key:?}"));
    assert!(!list.is_empty(), "vector array {key:?} is empty");
    list
}

/// Installs the TLS crypto provider reqwest needs (borda builds with
/// `rustls-no-provider` and installs ring itself; test clients do the same).
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// GETs `url` and parses the JSON body.
pub fn get_json(url: &str) -> Value {
    install_crypto();
    reqwest::blocking::get(url)
        .expect("GET succeeds")
        .json()
        .expect("the body is JSON")
}

/// Runs the real `borda` binary with `args`.
pub fn borda(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_borda"))
        .args(args)
        .output()
        .expect("the borda binary runs")
}

/// Stdout of a run that must succeed.
pub fn borda_ok(args: &[&str]) -> String {
    let output = borda(args);
    assert!(
        output.status.success(),
        "borda {args:?} failed with {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Which symbology the scanner looks for.
#[derive(Clone, Copy, Debug)]
pub enum Symbology {
    Itf,
    Qr,
}

/// What the independent scanner `rxing` (a Rust port of ZXing, which shares no code with borda's encoders) reads
/// in the PNG file at `path`, looking only for `symbology`. Fails the test when it reads nothing.
pub fn scan(path: &Path, symbology: Symbology) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    scan_png(&bytes, symbology, &path.display().to_string())
}

/// What the scanner reads in a PNG held in memory; `what` names the image in failure messages.
pub fn scan_png(bytes: &[u8], symbology: Symbology, what: &str) -> String {
    let (luma, width, height) = png_luma(bytes, what);
    scan_luma(luma, width, height, symbology, what)
}

/// What the scanner reads in an 8-bit grey image, `width` × `height`, rows top to bottom, holding little but the
/// symbol (borda's PNGs and SVGs).
///
/// The hints only narrow the search: the one symbology expected and, for ITF, the 44 digits of a boleto (ZXing's
/// ITF reader otherwise accepts only 6 to 14 digits). TRY_HARDER stays off: ZXing then looks at the middle rows only,
/// where these images have their symbol.
pub fn scan_luma(luma: Vec<u8>, width: u32, height: u32, symbology: Symbology, what: &str) -> String {
    detect(luma, width, height, symbology, what, false)
}

/// [`scan_luma`] for a whole page, where the symbol can be anywhere: TRY_HARDER makes ZXing look at every row, as a
/// scanner moved over the page would, instead of only the middle ones.
pub fn scan_page(luma: Vec<u8>, width: u32, height: u32, symbology: Symbology, what: &str) -> String {
    detect(luma, width, height, symbology, what, true)
}

fn detect(luma: Vec<u8>, width: u32, height: u32, symbology: Symbology, what: &str, try_harder: bool) -> String {
    use rxing::{BarcodeFormat, DecodeHints};
    let format = match symbology {
        Symbology::Itf => BarcodeFormat::ITF,
        Symbology::Qr => BarcodeFormat::QR_CODE,
    };
    let mut hints = DecodeHints {
        PossibleFormats: Some(std::collections::HashSet::from([format])),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    if matches!(symbology, Symbology::Itf) {
        hints.AllowedLengths = Some(vec![44]);
    }
    match rxing::helpers::detect_in_luma_with_hints(luma, width, height, Some(format), &mut hints) {
        Ok(result) => {
            assert_eq!(
                result.getBarcodeFormat(),
                &format,
                "the scanner read another symbology in {what}"
            );
            result.getText().to_owned()
        }
        Err(error) => panic!("the scanner read no {symbology:?} symbol in {what} ({width}x{height}): {error}"),
    }
}

/// Decodes a PNG of any colour type into 8-bit grey (alpha composed over white).
pub fn png_luma(bytes: &[u8], what: &str) -> (Vec<u8>, u32, u32) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{what} is not a PNG: {e}"));
    let mut buf = vec![0; reader.output_buffer_size().expect("the PNG fits in memory")];
    let frame = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{what}: cannot decode the PNG: {e}"));
    let channels = frame.color_type.samples();
    let luma = buf[..frame.buffer_size()]
        .chunks(frame.line_size)
        .flat_map(|line| line[..frame.width as usize * channels].chunks(channels))
        .map(grey)
        .collect();
    (luma, frame.width, frame.height)
}

/// One pixel (grey, grey+alpha, RGB or RGBA, 8 bits each, alpha not premultiplied) as grey over a white
/// background.
pub fn grey(px: &[u8]) -> u8 {
    let (value, alpha) = match *px {
        [g] => (u32::from(g), 255),
        [g, a] => (u32::from(g), u32::from(a)),
        [r, g, b] => (
            (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000,
            255,
        ),
        [r, g, b, a] => (
            (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000,
            u32::from(a),
        ),
        _ => panic!("unexpected pixel {px:?}"),
    };
    ((value * alpha + 255 * (255 - alpha)) / 255) as u8
}

/// An 8-bit grey image turned 90° clockwise: (pixels, width, height) of the turned image. A receipt's ITF runs
/// along the paper; turned, its bars stand upright, the way ZXing's row scanner reads best.
pub fn rotate_luma_cw(luma: &[u8], width: u32, height: u32) -> (Vec<u8>, u32, u32) {
    let (w, h) = (width as usize, height as usize);
    let mut turned = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            // (x, y) goes to column h - 1 - y, row x of an image h wide.
            turned[x * h + (h - 1 - y)] = luma[y * w + x];
        }
    }
    (turned, height, width)
}

/// The first page of `pdf` drawn by `hayro` (a PDF rasteriser that shares no code with printpdf) at `dpi` on
/// white, as 8-bit grey: (pixels, width, height).
pub fn render_pdf_page(pdf: Vec<u8>, dpi: f32) -> (Vec<u8>, u32, u32) {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings};

    let pdf = Pdf::new(std::sync::Arc::new(pdf)).unwrap_or_else(|e| panic!("hayro cannot read the PDF: {e:?}"));
    let page = pdf.pages().first().expect("the PDF has a page");
    let scale = dpi / 72.0;
    let pixmap = hayro::render(
        page,
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // Drawn over opaque white, every pixel is opaque: premultiplied and straight RGBA agree.
    let luma = pixmap.data_as_u8_slice().chunks(4).map(grey).collect();
    (luma, width, height)
}
