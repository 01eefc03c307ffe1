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
use crate::domain::money::Centavos;
use crate::domain::render::{Itf, Qr};
use crate::domain::{boleto, documento, pix};
use crate::edges::daemon::DaemonError;
use crate::edges::views::{BoletoInfo, BrCodeInfo, DocumentoInfo};

/// borda: edge agent for Brazilian payment totens and PDVs.
#[derive(Debug, Parser)]
#[command(name = "borda", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
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
    /// Check config, database, upstream and printers.
    Doctor(Pending),
    /// Check or print the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Render a receipt or boleto to ESC/POS, PNG or PDF.
    Render(Pending),
    /// Print a test page.
    PrintTest(Pending),
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
struct SyncArgs {
    /// Configuration file of the running daemon (its address and token).
    #[arg(long, env = "BORDA_CONFIG", default_value = "/etc/borda/config.toml")]
    config: PathBuf,
    /// Show progress until no baixa is pending (failures need an operator and do not count).
    #[arg(long)]
    wait: bool,
    /// With --wait: give up (exit 1, listing what is still pending) after this long: 90, 30s, 10m, 1h.
    #[arg(long, default_value = "10m", value_parser = crate::edges::outbox::parse_timeout)]
    timeout: std::time::Duration,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Address of the API; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: std::net::SocketAddr,
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

/// Arguments of a subcommand whose issue has not landed yet: accepted and ignored.
#[derive(Debug, Args)]
struct Pending {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _rest: Vec<String>,
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
        Command::Demo(args) => run_daemon(crate::edges::daemon::demo(args.listen)),
        Command::Config(ConfigCommand::Check { file }) => config_check(&file),
        Command::Sync(args) => sync_command(&args),
        Command::Config(ConfigCommand::Example) => print_lines(&[crate::config::EXAMPLE.trim_end().to_owned()]),
        Command::Doctor(_) | Command::Render(_) | Command::PrintTest(_) => Err(Failure::Other(
            "este comando ainda não está disponível nesta versão".into(),
        )),
    }
}

/// Runs a daemon future on a runtime sized for a kiosk: two workers.
fn run_daemon(daemon: impl std::future::Future<Output = Result<(), DaemonError>>) -> Result<(), Failure> {
    crate::logging::init();
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
