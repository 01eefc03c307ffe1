//! The `borda` command line.
//!
//! Parses arguments with clap, calls the library, and turns results into
//! output and an exit status: 0 success, 2 invalid input or usage (the
//! message on stderr names what is wrong), 1 any other failure. Domain
//! errors never panic here; they become a message and exit 2.

use std::fmt::Display;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::domain::baixa::Forma;
use crate::domain::impressao::comprovantes::{self, DadosTerminal};
use crate::domain::impressao::escpos::{self, PaginaDeCodigo};
use crate::domain::impressao::pdf_recibo;
use crate::domain::impressao::preview::{self, PreviewError};
use crate::domain::money::Centavos;
use crate::domain::render::{Itf, Qr};
use crate::domain::{boleto, documento, pix};
use crate::edges::daemon::DaemonError;
use crate::edges::views::{BoletoInfo, BrCodeInfo, DocumentoInfo};
use crate::edges::{doctor, leitura, print_test};

/// borda: edge agent for Brazilian payment totens and PDVs.
#[derive(Debug, Parser)]
#[command(name = "borda", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How logs are written to stderr: `human` (coloured only on a terminal) or `json`, one object per line. Under
    /// systemd (`JOURNAL_STREAM`) the human form leaves time and colour to the journal.
    #[arg(long, global = true, value_enum, default_value = "human", env = "BORDA_LOG_FORMAT")]
    log_format: crate::logging::Formato,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode and validate a linha digitável (47/48 digits) or a barcode (44 digits).
    Boleto(BoletoArgs),
    /// PIX BR Code: decode, encode a static code, draw its QR.
    #[command(subcommand)]
    Pix(PixCommand),
    /// Validate a CPF or CNPJ (alphanumeric CNPJ too) and show its normalised forms.
    Documento(DocumentoArgs),
    /// Run the daemon (systemd runs this).
    Serve(ServeArgs),
    /// Run the daemon with a built-in demo ERP and a throw-away store, for a first look.
    Demo(DemoArgs),
    /// Check config, database, disk, ERP, retaguarda, printers and clock: one line each; exit 1 if any fails.
    Doctor(DoctorArgs),
    /// Check or print the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Render a receipt or boleto to ESC/POS, PNG or PDF from the API's JSON (no daemon needed).
    Render(RenderArgs),
    /// Ask the running daemon to print a test page and follow it until printed.
    PrintTest(PrintTestArgs),
    /// Ask the running daemon to drain the baixas outbox now.
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Configuration file.
    #[arg(long, env = "BORDA_CONFIG", default_value = "/etc/borda/config.toml")]
    config: PathBuf,
}

#[derive(Debug, Args)]
struct DoctorArgs {
    /// Configuration file.
    #[arg(long, env = "BORDA_CONFIG", default_value = "/etc/borda/config.toml")]
    config: PathBuf,
}

#[derive(Debug, Args)]
struct SyncArgs {
    /// Configuration file of the running daemon (its address and token).
    #[arg(long, env = "BORDA_CONFIG", default_value = "/etc/borda/config.toml")]
    config: PathBuf,
    /// Show progress until no baixa is pending (failures need an operator and do not count).
    #[arg(long)]
    wait: bool,
    /// With --wait: give up (exit 1, listing what is still pending) after this long: 90, 30s, 10m, 1h.
    #[arg(long, default_value = "10m", value_parser = crate::config::parse_duracao)]
    timeout: std::time::Duration,
}

#[derive(Debug, Args)]
struct RenderArgs {
    /// What to render.
    #[arg(value_enum)]
    tipo: TipoRender,
    /// The fatura, as JSON exactly as the API returns it (GET /v1/faturas/{id}).
    #[arg(long, value_name = "FILE.json")]
    fatura: PathBuf,
    /// The baixa, as JSON exactly as the API returns it (GET /v1/baixas/{id}); required for the comprovantes.
    #[arg(long, value_name = "FILE.json")]
    baixa: Option<PathBuf>,
    /// Output format: the printer's bytes, the preview picture or a PDF.
    #[arg(long, value_enum)]
    format: FormatoRender,
    /// Output file; `-` writes to stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Printer profile: epson-tm-t20, elgin-i9, bematech-mp4200, generico-80mm, generico-58mm.
    #[arg(long, default_value = "epson-tm-t20")]
    modelo: String,
    /// Characters per line; the model's when absent (48 on 80 mm, 32 on 58 mm).
    #[arg(long, value_parser = clap::value_parser!(u16).range(16..=96))]
    colunas: Option<u16>,
    /// Code page of the ESC/POS text (pc860, pc850, wpc1252, iso8859-1); the model's when absent.
    #[arg(long, value_name = "PAGINA")]
    code_page: Option<String>,
    /// The totem's (or PDV's) id printed on the receipt.
    #[arg(long, default_value = "borda")]
    totem: String,
    /// The company (beneficiário) printed on the boleto.
    #[arg(long)]
    empresa: Option<String>,
    /// The company's CNPJ printed on the boleto.
    #[arg(long)]
    cnpj: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TipoRender {
    ComprovantePix,
    ComprovanteTef,
    Boleto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FormatoRender {
    Escpos,
    Png,
    Pdf,
}

#[derive(Debug, Args)]
struct PrintTestArgs {
    /// The printer's `nome` in `[[impressoras]]`; the first configured when absent.
    #[arg(long, value_name = "NOME")]
    impressora: Option<String>,
    /// Configuration file of the running daemon (its address and token).
    #[arg(long, env = "BORDA_CONFIG", default_value = "/etc/borda/config.toml")]
    config: PathBuf,
    /// Give up (exit 1) when the page is not printed after this long: 90, 30s, 10m.
    #[arg(long, default_value = "60s", value_parser = crate::config::parse_duracao)]
    timeout: std::time::Duration,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Address of the API (with --erp-only, of the demo ERP); port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: std::net::SocketAddr,
    /// Serve only the demo ERP and the demo retaguarda, and print the `[erp]` and `[retaguarda]` sections that
    /// point `borda serve` at them.
    #[arg(long)]
    erp_only: bool,
    /// Address of the demo retaguarda (credit limits); port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    retaguarda: std::net::SocketAddr,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file: unknown keys and bad values are named with their place.
    Check { file: PathBuf },
    /// Print an annotated example configuration.
    Example,
}

#[derive(Debug, Args)]
struct BoletoArgs {
    /// Linha digitável or barcode; dots, spaces and dashes are allowed.
    codigo: String,
    /// Print the BoletoInfo JSON of the API instead of text.
    #[arg(long)]
    json: bool,
    /// Reference date (YYYY-MM-DD) that picks the fator de vencimento cycle; default: today.
    #[arg(long, value_parser = parse_date)]
    hoje: Option<NaiveDate>,
    /// Also write the ITF barcode as SVG to this file.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Also write the ITF barcode as PNG (203 dpi) to this file.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum PixCommand {
    /// Decode and validate a BR Code (PIX copia e cola).
    Decode {
        payload: String,
        /// Print the BrCode JSON of the API instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build a static BR Code and print its payload.
    Encode(PixEncodeArgs),
    /// Draw the QR code of a payload.
    Qr(PixQrArgs),
}

#[derive(Debug, Args)]
struct PixEncodeArgs {
    /// PIX key: CPF, CNPJ, e-mail, +55 phone or random key (UUID).
    #[arg(long)]
    chave: String,
    /// Receiver name (at most 25 characters once accents are removed).
    #[arg(long)]
    nome: String,
    /// Receiver city (at most 15 characters once accents are removed).
    #[arg(long)]
    cidade: String,
    /// Amount, e.g. 10.50 or 10,50; omit to let the payer type it.
    #[arg(long, value_parser = parse_valor)]
    valor: Option<Centavos>,
    /// Transaction id, up to 25 letters and digits.
    #[arg(long)]
    txid: Option<String>,
    /// Free text shown to the payer.
    #[arg(long)]
    descricao: Option<String>,
}

#[derive(Debug, Args)]
#[group(id = "saida", required = true, multiple = true, args = ["svg", "png"])]
struct PixQrArgs {
    payload: String,
    /// Write the QR as SVG to this file.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write the QR as PNG to this file.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DocumentoArgs {
    /// CPF or CNPJ, with or without punctuation.
    valor: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Why a command failed, and so which exit status it ends with.
#[derive(Debug)]
enum Failure {
    /// The input was wrong: exit 2.
    Invalid(String),
    /// Anything else (a file that cannot be written, …): exit 1.
    Other(String),
}

impl Failure {
    fn invalid(error: impl Display) -> Self {
        Failure::Invalid(error.to_string())
    }
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::init(cli.log_format);
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(message)) => {
            report(&message);
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            report(&message);
            ExitCode::from(1)
        }
    }
}

fn report(message: &str) {
    // Nothing sensible is left to do if stderr itself is gone.
    let _ = writeln!(io::stderr().lock(), "borda: {message}");
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Boleto(args) => boleto_command(args),
        Command::Pix(PixCommand::Decode { payload, json }) => pix_decode(payload.trim(), json),
        Command::Pix(PixCommand::Encode(args)) => pix_encode(args),
        Command::Pix(PixCommand::Qr(args)) => pix_qr(args),
        Command::Documento(args) => documento_command(args),
        Command::Serve(args) => run_daemon(crate::edges::daemon::serve(&args.config)),
        Command::Demo(DemoArgs {
            listen,
            erp_only: false,
            retaguarda,
        }) => run_daemon(crate::edges::daemon::demo(listen, retaguarda)),
        Command::Demo(DemoArgs {
            listen,
            erp_only: true,
            retaguarda,
        }) => run_daemon(crate::edges::daemon::demo_erp(listen, retaguarda)),
        Command::Config(ConfigCommand::Check { file }) => config_check(&file),
        Command::Sync(args) => sync_command(&args),
        Command::Config(ConfigCommand::Example) => print_lines(&[crate::config::EXAMPLE.trim_end().to_owned()]),
        Command::Render(args) => render_command(&args),
        Command::PrintTest(args) => print_test_command(&args),
        Command::Doctor(args) => doctor_command(&args),
    }
}

/// Runs a daemon future on a runtime sized for a kiosk: two workers.
fn run_daemon(daemon: impl std::future::Future<Output = Result<(), DaemonError>>) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| Failure::Other(format!("não foi possível iniciar o runtime: {error}")))?;
    runtime.block_on(daemon).map_err(|error| match error {
        DaemonError::Config(error) => Failure::Invalid(error.to_string()),
        other => Failure::Other(other.to_string()),
    })
}

/// `borda doctor`: one line per check; exit 2 when the configuration cannot be used (nothing else is checked), 1 when
/// any other check fails.
fn doctor_command(args: &DoctorArgs) -> Result<(), Failure> {
    let config = match Config::load(&args.config) {
        Ok(config) => config,
        Err(error) => {
            print_lines(&doctor::linhas(&[doctor::configuracao_invalida(&error)]))?;
            return Err(Failure::Invalid(error.to_string()));
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Other(format!("não foi possível iniciar o runtime: {error}")))?;
    let mut verificacoes = vec![doctor::configuracao_ok(&args.config)];
    verificacoes.extend(runtime.block_on(doctor::verificar(&config)));
    print_lines(&doctor::linhas(&verificacoes))?;
    match verificacoes.iter().filter(|verificacao| !verificacao.ok).count() {
        0 => Ok(()),
        falhas => Err(Failure::Other(format!(
            "{falhas} de {} verificações falharam",
            verificacoes.len()
        ))),
    }
}

/// `borda sync`: talks to the running daemon over its loopback API.
fn sync_command(args: &SyncArgs) -> Result<(), Failure> {
    let config = Config::load(&args.config).map_err(|error| match error {
        ConfigError::Read { .. } => Failure::Other(error.to_string()),
        other => Failure::Invalid(other.to_string()),
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Other(error.to_string()))?;
    let outbox = runtime
        .block_on(crate::edges::outbox::drain(&config.api, args.wait, args.timeout))
        .map_err(|error| Failure::Other(error.to_string()))?;
    let summary = format!("pendentes: {}, recusadas pelo ERP: {}", outbox.pendentes, outbox.falhas);
    print_lines(&[summary])?;
    if args.wait && outbox.falhas > 0 {
        return Err(Failure::Other(
            "há baixas recusadas pelo ERP: veja GET /v1/baixas?status=falhou e reenvie com POST /v1/baixas/{id}/reenviar"
                .into(),
        ));
    }
    Ok(())
}

/// `borda render`: the receipt laid out from the fatura (and baixa) JSON, encoded for the profile, written to
/// `-o`. Pure: no daemon, no printer, no database.
fn render_command(args: &RenderArgs) -> Result<(), Failure> {
    let perfil = escpos::perfil(&args.modelo).ok_or_else(|| {
        let nomes: Vec<&str> = escpos::PERFIS.iter().map(|p| p.nome).collect();
        Failure::Invalid(format!(
            "--modelo: \"{}\" desconhecido; use {}",
            args.modelo,
            nomes.join(", ")
        ))
    })?;
    let mut perfil = *perfil;
    if let Some(nome) = &args.code_page {
        let pagina = PaginaDeCodigo::por_nome(nome).ok_or_else(|| {
            let nomes: Vec<&str> = PaginaDeCodigo::TODAS.iter().map(|p| p.nome()).collect();
            Failure::Invalid(format!(
                "--code-page: \"{nome}\" desconhecida; use {}",
                nomes.join(", ")
            ))
        })?;
        perfil = perfil.com_pagina(pagina);
    }
    if let Some(colunas) = args.colunas {
        perfil = perfil.com_colunas(colunas);
    }
    let dados = DadosTerminal {
        totem_id: args.totem.trim().to_owned(),
        empresa: args.empresa.clone().filter(|e| !e.trim().is_empty()),
        documento_empresa: match &args.cnpj {
            Some(cnpj) => Some(
                documento::parse(cnpj)
                    .map_err(|error| Failure::Invalid(format!("--cnpj: {error}")))?
                    .numero()
                    .to_owned(),
            ),
            None => None,
        },
    };
    if dados.totem_id.is_empty() {
        return Err(Failure::Invalid("--totem: não pode ser vazio".into()));
    }
    let hoje = chrono::Local::now().date_naive();
    let fatura = leitura::ler_fatura(&read_input("--fatura", &args.fatura)?, hoje)
        .map_err(|error| Failure::Invalid(format!("--fatura {}: {error}", args.fatura.display())))?;
    let impresso = match (args.tipo, &args.baixa) {
        (TipoRender::Boleto, Some(_)) => {
            return Err(Failure::Invalid(
                "--baixa: o boleto (2ª via) não usa baixa; tire --baixa".into(),
            ));
        }
        (TipoRender::Boleto, None) => {
            if fatura.codigo_barras.is_none() {
                return Err(Failure::Invalid(format!(
                    "--fatura {}: campo linha_digitavel: a fatura não tem boleto (sem linha_digitavel nem codigo_barras)",
                    args.fatura.display()
                )));
            }
            comprovantes::boleto(&fatura, &dados, perfil.colunas)
        }
        (tipo, None) => {
            let nome = if tipo == TipoRender::ComprovantePix {
                "comprovante-pix"
            } else {
                "comprovante-tef"
            };
            return Err(Failure::Invalid(format!("--baixa: obrigatório para {nome}")));
        }
        (tipo, Some(caminho)) => {
            let baixa = leitura::ler_baixa(&read_input("--baixa", caminho)?, &fatura)
                .map_err(|error| Failure::Invalid(format!("--baixa {}: {error}", caminho.display())))?;
            match (tipo, baixa.forma()) {
                (TipoRender::ComprovantePix, Forma::Pix) => {
                    comprovantes::comprovante_pix(&fatura, &baixa, &dados, perfil.colunas)
                }
                (TipoRender::ComprovanteTef, Forma::Tef) => {
                    comprovantes::comprovante_tef(&fatura, &baixa, &dados, perfil.colunas)
                }
                (_, forma) => {
                    let certo = if forma == Forma::Pix {
                        "comprovante-pix"
                    } else {
                        "comprovante-tef"
                    };
                    return Err(Failure::Invalid(format!(
                        "--baixa {}: campo forma: a baixa é {}; use {certo}",
                        caminho.display(),
                        forma.as_str()
                    )));
                }
            }
        }
    };
    let pontos = u32::from(perfil.pontos_por_linha);
    let bytes =
        match args.format {
            FormatoRender::Escpos => escpos::codificar(&impresso, &perfil).map_err(|error| match error {
                escpos::ErroEscpos::ImagemInvalida { .. } => Failure::Other(error.to_string()),
                other => Failure::Invalid(other.to_string()),
            })?,
            FormatoRender::Png => preview::preview_png(&escpos::como_no_papel(&impresso, perfil.pagina), pontos)
                .map_err(preview_failure)?,
            FormatoRender::Pdf => pdf_recibo::recibo_pdf(&escpos::como_no_papel(&impresso, perfil.pagina), pontos)
                .map_err(preview_failure)?,
        };
    if args.output.as_os_str() == "-" {
        let mut stdout = io::stdout().lock();
        return match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
            Err(error) if error.kind() != io::ErrorKind::BrokenPipe => Err(Failure::Other(error.to_string())),
            _ => Ok(()),
        };
    }
    write_file(&args.output, &bytes)
}

fn preview_failure(error: PreviewError) -> Failure {
    match error {
        PreviewError::ColunasDemais { .. } => Failure::Invalid(format!("--colunas: {error}")),
        PreviewError::Codigo(_) => Failure::Invalid(error.to_string()),
        PreviewError::Imagem(_) => Failure::Other(error.to_string()),
    }
}

/// The text of an input file; a file that cannot be read is bad input, named by its flag.
fn read_input(flag: &str, path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|error| Failure::Invalid(format!("{flag}: não foi possível ler {}: {error}", path.display())))
}

/// `borda print-test`: through the running daemon's API, never the printer itself.
fn print_test_command(args: &PrintTestArgs) -> Result<(), Failure> {
    let config = Config::load(&args.config).map_err(|error| match error {
        ConfigError::Read { .. } => Failure::Other(error.to_string()),
        other => Failure::Invalid(other.to_string()),
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Other(error.to_string()))?;
    let progresso = |linha: String| {
        // A closed stdout does not stop the print.
        let _ = print_lines(&[linha]);
    };
    let resultado = runtime.block_on(print_test::imprimir(
        &config.api,
        args.impressora.as_deref(),
        args.timeout,
        progresso,
    ));
    match resultado {
        Ok(()) => Ok(()),
        Err(error @ print_test::PrintTestError::ImpressoraDesconhecida { .. }) => {
            Err(Failure::Invalid(format!("--impressora: {error}")))
        }
        Err(error) => Err(Failure::Other(error.to_string())),
    }
}

fn config_check(file: &Path) -> Result<(), Failure> {
    let config = Config::load(file).map_err(|error| match error {
        ConfigError::Read { .. } => Failure::Other(error.to_string()),
        other => Failure::Invalid(other.to_string()),
    })?;
    print_lines(&[format!(
        "{}: ok (API em {}, ERP em {}, banco em {})",
        file.display(),
        config.api.listen,
        config.erp.base_url,
        config.store.path.display()
    )])
}

fn boleto_command(args: BoletoArgs) -> Result<(), Failure> {
    let hoje = args.hoje.unwrap_or_else(|| chrono::Local::now().date_naive());
    let decoded = boleto::decode(&args.codigo, hoje).map_err(Failure::invalid)?;
    if args.svg.is_some() || args.png.is_some() {
        let itf = Itf::encode(&decoded.codigo_barras).map_err(Failure::invalid)?;
        if let Some(path) = &args.svg {
            write_file(path, itf.svg().as_bytes())?;
        }
        if let Some(path) = &args.png {
            write_file(path, &itf.png().map_err(|e| Failure::Other(e.to_string()))?)?;
        }
    }
    let info = BoletoInfo::from(&decoded);
    if args.json {
        return print_json(&info);
    }
    let mut lines = vec![
        field("tipo", info.tipo),
        field("linha digitável", &info.linha_formatada),
        field("código de barras", &info.codigo_barras),
    ];
    if let Some(banco) = &info.banco {
        lines.push(field("banco", banco));
    }
    if let (Some(segmento), Some(nome)) = (&info.segmento, info.segmento_nome) {
        lines.push(field("segmento", format!("{segmento} ({nome})")));
    }
    lines.push(field("valor", or_dash(info.valor, "sem valor (o pagador informa)")));
    lines.push(field("vencimento", or_dash(info.vencimento, "sem vencimento")));
    print_lines(&lines)
}

fn pix_decode(payload: &str, json: bool) -> Result<(), Failure> {
    let code = pix::decode(payload).map_err(Failure::invalid)?;
    let info = BrCodeInfo::from(&code);
    if json {
        return print_json(&info);
    }
    let mut lines = vec![field("tipo", info.tipo)];
    let optional = [
        ("chave", &info.chave),
        ("url", &info.url),
        ("recorrência", &info.recorrencia_url),
        ("descrição", &info.descricao),
        ("txid", &info.txid),
    ];
    lines.extend(
        optional
            .iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| field(name, v))),
    );
    lines.push(field("nome", &info.nome));
    lines.push(field("cidade", &info.cidade));
    lines.push(field("valor", or_dash(info.valor, "livre (o pagador informa)")));
    lines.extend(info.avisos.iter().map(|aviso| field("aviso", aviso)));
    print_lines(&lines)
}

fn pix_encode(args: PixEncodeArgs) -> Result<(), Failure> {
    let cobranca = pix::CobrancaEstatica {
        chave: args.chave,
        nome: args.nome,
        cidade: args.cidade,
        valor: args.valor,
        txid: args.txid,
        descricao: args.descricao,
    };
    let payload = pix::encode(&cobranca).map_err(Failure::invalid)?;
    print_lines(&[payload])
}

fn pix_qr(args: PixQrArgs) -> Result<(), Failure> {
    // Drawing an invalid payload would put a QR on paper that no bank app accepts.
    let payload = args.payload.trim();
    pix::decode(payload).map_err(Failure::invalid)?;
    let qr = Qr::encode(payload).map_err(Failure::invalid)?;
    if let Some(path) = &args.svg {
        write_file(path, qr.svg().as_bytes())?;
    }
    if let Some(path) = &args.png {
        write_file(path, &qr.png().map_err(|e| Failure::Other(e.to_string()))?)?;
    }
    Ok(())
}

fn documento_command(args: DocumentoArgs) -> Result<(), Failure> {
    let parsed = documento::parse(&args.valor).map_err(Failure::invalid)?;
    let info = DocumentoInfo::from(&parsed);
    if args.json {
        return print_json(&info);
    }
    print_lines(&[
        field("tipo", info.tipo.to_uppercase()),
        field("número", &info.numero),
        field("formatado", &info.formatado),
    ])
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("data \"{text}\" inválida: use AAAA-MM-DD"))
}

fn parse_valor(text: &str) -> Result<Centavos, String> {
    Centavos::parse(text).map_err(|error| error.to_string())
}

fn field(name: &str, value: impl Display) -> String {
    format!("{name:<17} {value}")
}

fn or_dash<T: Display>(value: Option<T>, absent: &str) -> String {
    value.map_or_else(|| absent.to_owned(), |v| v.to_string())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|error| Failure::Other(format!("não foi possível gravar {}: {error}", path.display())))
}

fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|error| Failure::Other(error.to_string()))?;
    print_lines(&[text])
}

fn print_lines(lines: &[String]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    for line in lines {
        match writeln!(stdout, "{line}") {
            Ok(()) => {}
            // A closed pipe (`borda … | head`) is the reader's choice, not a failure.
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(error) => return Err(Failure::Other(error.to_string())),
        }
    }
    Ok(())
}
