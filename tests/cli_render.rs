//! `borda render` end to end: the fatura and baixa JSON written as the API writes them (the views of the examples),
//! read back by the real binary into the domain and rendered to ESC/POS, PNG and PDF; the outputs checked by their
//! signatures, by equality with the library's own rendering, and by the independent scanner; bad input exits 2
//! naming the flag or the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use borda::domain::baixa::{Baixa, Estado};
use borda::domain::impressao::comprovantes::{self, DadosTerminal};
use borda::domain::impressao::{escpos, exemplos};
use borda::edges::views::{BaixaView, FaturaView};
use common::{Symbology, borda};
use serde_json::{Value, json};

/// A folder with `fatura.json`, `pix.json` and `tef.json` as the API answers them.
struct Arquivos {
    dir: tempfile::TempDir,
}

impl Arquivos {
    fn new() -> Arquivos {
        let dir = tempfile::tempdir().unwrap();
        let arquivos = Arquivos { dir };
        arquivos.escrever("fatura.json", &fatura_json());
        arquivos.escrever("pix.json", &baixa_json(&exemplos::baixa_pix(Estado::Sincronizada)));
        arquivos.escrever("tef.json", &baixa_json(&exemplos::baixa_tef(Estado::Pendente)));
        arquivos
    }

    fn path(&self, nome: &str) -> PathBuf {
        self.dir.path().join(nome)
    }

    fn escrever(&self, nome: &str, valor: &Value) -> String {
        let path = self.path(nome);
        std::fs::write(&path, serde_json::to_string_pretty(valor).unwrap()).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn s(&self, nome: &str) -> String {
        self.path(nome).to_str().unwrap().to_owned()
    }
}

fn fatura_json() -> Value {
    serde_json::to_value(FaturaView::from(&(exemplos::fatura(), None))).unwrap()
}

fn baixa_json(baixa: &Baixa) -> Value {
    serde_json::to_value(BaixaView::from(baixa)).unwrap()
}

/// The terminal flags that say what `exemplos::dados()` says.
fn flags_dos_dados() -> Vec<String> {
    let dados = exemplos::dados();
    vec![
        "--totem".into(),
        dados.totem_id,
        "--empresa".into(),
        dados.empresa.unwrap(),
        "--cnpj".into(),
        dados.documento_empresa.unwrap(),
    ]
}

/// `borda render TIPO` with the example files; answers the output's bytes.
fn render(arquivos: &Arquivos, tipo: &str, formato: &str, extra: &[String]) -> Vec<u8> {
    let saida = arquivos.s(&format!("{tipo}.{formato}"));
    let mut args: Vec<String> = vec![
        "render".into(),
        tipo.into(),
        "--fatura".into(),
        arquivos.s("fatura.json"),
    ];
    match tipo {
        "comprovante-pix" => args.extend(["--baixa".into(), arquivos.s("pix.json")]),
        "comprovante-tef" => args.extend(["--baixa".into(), arquivos.s("tef.json")]),
        _ => {}
    }
    args.extend(["--format".into(), formato.into(), "-o".into(), saida.clone()]);
    args.extend(extra.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = borda(&args);
    assert!(
        output.status.success(),
        "borda {args:?}: {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&saida).unwrap()
}

fn largura_png(bytes: &[u8]) -> u32 {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().unwrap();
    reader.info().width
}

#[test]
fn every_type_renders_in_every_format() {
    let arquivos = Arquivos::new();
    for tipo in ["comprovante-pix", "comprovante-tef", "boleto"] {
        let escpos = render(&arquivos, tipo, "escpos", &[]);
        assert_eq!(&escpos[..2], &[0x1B, 0x40], "{tipo}: ESC/POS starts with ESC @");
        let png = render(&arquivos, tipo, "png", &[]);
        assert_eq!(largura_png(&png), 576, "{tipo}: the preview is 576 dots wide");
        let pdf = render(&arquivos, tipo, "pdf", &[]);
        assert!(pdf.starts_with(b"%PDF-"), "{tipo}: a PDF");
    }
}

/// The round trip API JSON → domain loses nothing a receipt prints: the binary's bytes are the library's own.
#[test]
fn the_escpos_bytes_are_those_of_the_domain_objects() {
    let arquivos = Arquivos::new();
    let epson = escpos::perfil("epson-tm-t20").unwrap();
    let (fatura, dados) = (exemplos::fatura(), exemplos::dados());
    let esperados = [
        (
            "comprovante-pix",
            comprovantes::comprovante_pix(&fatura, &exemplos::baixa_pix(Estado::Sincronizada), &dados, 48),
        ),
        (
            "comprovante-tef",
            comprovantes::comprovante_tef(&fatura, &exemplos::baixa_tef(Estado::Pendente), &dados, 48),
        ),
        ("boleto", comprovantes::boleto(&fatura, &dados, 48)),
    ];
    for (tipo, impresso) in esperados {
        let bytes = render(&arquivos, tipo, "escpos", &flags_dos_dados());
        assert_eq!(bytes, escpos::codificar(&impresso, epson).unwrap(), "{tipo}");
    }
}

#[test]
fn the_boleto_preview_scans_to_the_44_digits_and_the_pix_payload() {
    let arquivos = Arquivos::new();
    let png = render(&arquivos, "boleto", "png", &flags_dos_dados());
    let (luma, largura, altura) = common::png_luma(&png, "boleto.png");
    let qr = common::scan_page(luma.clone(), largura, altura, Symbology::Qr, "boleto.png");
    assert_eq!(qr, exemplos::PIX_EXEMPLO);
    let (girada, l, a) = common::rotate_luma_cw(&luma, largura, altura);
    let itf = common::scan_page(girada, l, a, Symbology::Itf, "boleto.png, turned");
    assert_eq!(itf, exemplos::CODIGO_BARRAS_EXEMPLO);
}

#[test]
fn the_model_sets_the_dots_and_the_columns() {
    let arquivos = Arquivos::new();
    let png = render(
        &arquivos,
        "comprovante-pix",
        "png",
        &["--modelo".into(), "generico-58mm".into()],
    );
    assert_eq!(largura_png(&png), 384);
    let com_32 = render(
        &arquivos,
        "comprovante-pix",
        "escpos",
        &["--colunas".into(), "32".into()],
    );
    let com_48 = render(&arquivos, "comprovante-pix", "escpos", &[]);
    assert_ne!(com_32, com_48);
}

#[test]
fn output_dash_writes_to_stdout() {
    let arquivos = Arquivos::new();
    let output = borda(&[
        "render",
        "boleto",
        "--fatura",
        &arquivos.s("fatura.json"),
        "--format",
        "escpos",
        "-o",
        "-",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(&output.stdout[..2], &[0x1B, 0x40]);
}

/// Runs `borda render` and answers (exit code, stderr).
fn falha(args: &[&str]) -> (Option<i32>, String) {
    let output = borda(args);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn esperar_2(args: &[&str], menciona: &str) {
    let (codigo, stderr) = falha(args);
    assert_eq!(codigo, Some(2), "borda {args:?}: {stderr}");
    assert!(
        stderr.contains(menciona),
        "borda {args:?}: stderr does not name {menciona}: {stderr}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_flag_or_the_field() {
    let arquivos = Arquivos::new();
    let fatura = arquivos.s("fatura.json");
    let pix = arquivos.s("pix.json");
    let tef = arquivos.s("tef.json");
    let out = arquivos.s("out.bin");
    let sem_arquivo = arquivos.s("nao-existe.json");
    let base = |tipo: &'static str, fatura: &str, baixa: Option<&str>| -> Vec<String> {
        let mut args = vec![
            "render".to_owned(),
            tipo.to_owned(),
            "--fatura".to_owned(),
            fatura.to_owned(),
        ];
        if let Some(baixa) = baixa {
            args.extend(["--baixa".to_owned(), baixa.to_owned()]);
        }
        args.extend(["--format".to_owned(), "png".to_owned(), "-o".to_owned(), out.clone()]);
        args
    };
    let run = |args: Vec<String>, extra: &[&str], menciona: &str| {
        let mut todos: Vec<&str> = args.iter().map(String::as_str).collect();
        todos.extend_from_slice(extra);
        esperar_2(&todos, menciona);
    };

    run(base("boleto", &sem_arquivo, None), &[], "--fatura");
    run(base("comprovante-pix", &fatura, Some(&sem_arquivo)), &[], "--baixa");
    run(base("comprovante-pix", &fatura, None), &[], "--baixa");
    run(base("boleto", &fatura, Some(&pix)), &[], "--baixa");
    run(base("comprovante-tef", &fatura, Some(&pix)), &[], "forma");
    run(base("comprovante-pix", &fatura, Some(&tef)), &[], "forma");
    run(base("boleto", &fatura, None), &["--modelo", "epson-xyz"], "--modelo");
    run(base("boleto", &fatura, None), &["--colunas", "64"], "--colunas");
    run(base("boleto", &fatura, None), &["--colunas", "4"], "--colunas");
    run(
        base("boleto", &fatura, None),
        &["--cnpj", "11.222.333/0001-00"],
        "--cnpj",
    );
    run(base("boleto", &fatura, None), &["--code-page", "ebcdic"], "--code-page");

    let mut json = fatura_json();
    json["valor_atual"] = json!("12,3,4");
    let ruim = arquivos.escrever("valor.json", &json);
    run(base("boleto", &ruim, None), &[], "valor_atual");

    let mut json = fatura_json();
    json["linha_digitavel"] = json!("00190500954014481606906809350314337370000000101");
    let ruim = arquivos.escrever("linha.json", &json);
    run(base("boleto", &ruim, None), &[], "linha_digitavel");

    let mut json = fatura_json();
    json["linha_digitavel"] = Value::Null;
    json["codigo_barras"] = Value::Null;
    let sem_boleto = arquivos.escrever("sem-boleto.json", &json);
    run(base("boleto", &sem_boleto, None), &[], "linha_digitavel");

    let mut json = baixa_json(&exemplos::baixa_pix(Estado::Pendente));
    json["transacao"] = json!({"txid": "X"});
    let ruim = arquivos.escrever("e2e.json", &json);
    run(base("comprovante-pix", &fatura, Some(&ruim)), &[], "transacao.e2e_id");

    let mut json = baixa_json(&exemplos::baixa_pix(Estado::Pendente));
    json["fatura_id"] = json!("999");
    let ruim = arquivos.escrever("outra.json", &json);
    run(base("comprovante-pix", &fatura, Some(&ruim)), &[], "fatura_id");

    std::fs::write(arquivos.path("quebrado.json"), "{\"id\": ").unwrap();
    run(base("boleto", &arquivos.s("quebrado.json"), None), &[], "--fatura");

    // Usage errors are clap's, also exit 2.
    esperar_2(
        &["render", "recibo", "--fatura", &fatura, "--format", "png", "-o", &out],
        "recibo",
    );
    esperar_2(
        &["render", "boleto", "--fatura", &fatura, "--format", "bmp", "-o", &out],
        "bmp",
    );
}

#[test]
fn an_output_that_cannot_be_written_exits_1() {
    let arquivos = Arquivos::new();
    let dentro_de_arquivo = Path::new(&arquivos.s("fatura.json")).join("x.png");
    let (codigo, stderr) = falha(&[
        "render",
        "boleto",
        "--fatura",
        &arquivos.s("fatura.json"),
        "--format",
        "png",
        "-o",
        dentro_de_arquivo.to_str().unwrap(),
    ]);
    assert_eq!(codigo, Some(1), "{stderr}");
    assert!(stderr.contains("x.png"), "{stderr}");
}

/// The same receipt through the binary and through the library with the CLI's default terminal data.
#[test]
fn the_default_terminal_is_borda() {
    let arquivos = Arquivos::new();
    let bytes = render(&arquivos, "comprovante-pix", "escpos", &[]);
    let dados = DadosTerminal {
        totem_id: "borda".into(),
        empresa: None,
        documento_empresa: None,
    };
    let impresso = comprovantes::comprovante_pix(
        &exemplos::fatura(),
        &exemplos::baixa_pix(Estado::Sincronizada),
        &dados,
        48,
    );
    assert_eq!(
        bytes,
        escpos::codificar(&impresso, escpos::perfil("epson-tm-t20").unwrap()).unwrap()
    );
}
