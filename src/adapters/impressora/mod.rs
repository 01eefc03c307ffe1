//! The receipt printer: how bytes reach it and how its status is asked.
//!
//! A [`Conexao`] is parsed from the configuration text: `tcp://host:9100` (a network printer's raw port),
//! `dev:///dev/usb/lp0` (a device file, read and write), `file:///path` (bytes appended to a file; always "online") or
//! `serial:///dev/ttyS0?baud=9600` (parsed, refused: this version has no serial driver, because the pure-Rust ways to
//! set a baud rate need system libraries or `unsafe`). [`Impressora`] does the IO with tokio, every step bounded by a
//! timeout: a TCP connection per operation; a device file opened non-blocking on the blocking pool.
//!
//! The status is the three `DLE EOT` queries of [`crate::domain::impressao::status`], asked one at a time, each
//! answered by one byte before the next is sent. [`Impressora::imprimir`] sends a job and then asks the status on the
//! same connection: an answer proves the printer took every byte; a connection that breaks before it says the job was
//! interrupted somewhere in the middle.

mod dispositivo;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::domain::impressao::status::{self, StatusImpressora, StatusInvalido};

/// The raw-printing port of network printers, when a `tcp://` address names none.
pub const PORTA_PADRAO: u16 = 9100;

/// Where a printer is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conexao {
    /// A network printer's raw port.
    Tcp { host: String, porta: u16 },
    /// A device file (`/dev/usb/lp0`), read and write.
    Dispositivo(PathBuf),
    /// A file the bytes are appended to (a virtual printer, a spool for tests).
    Arquivo(PathBuf),
    /// A serial port: parsed, but this version does not drive it.
    Serial { caminho: PathBuf, baud: u32 },
}

/// Why a `conexao` text is not a printer address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConexaoInvalida {
    #[error("use tcp://host:porta, dev:///caminho, file:///caminho ou serial:///caminho?baud=9600")]
    Esquema,
    #[error("endereço tcp:// sem host")]
    SemHost,
    #[error("porta inválida: {0:?}")]
    Porta(String),
    #[error("caminho ausente ou relativo: use três barras, como em dev:///dev/usb/lp0")]
    Caminho,
    #[error("velocidade serial inválida: {0:?}")]
    Baud(String),
    #[error("parâmetro desconhecido: {0:?}")]
    Parametro(String),
}

impl Conexao {
    /// Parses the configuration text.
    pub fn parse(texto: &str) -> Result<Conexao, ConexaoInvalida> {
        let texto = texto.trim();
        let (esquema, resto) = texto.split_once("://").ok_or(ConexaoInvalida::Esquema)?;
        match esquema.to_ascii_lowercase().as_str() {
            "tcp" => {
                let resto = resto.trim_end_matches('/');
                let (host, porta) = match resto.rsplit_once(':') {
                    // A bracketed IPv6 literal without a port: `[::1]`.
                    Some((_, porta)) if porta.ends_with(']') => (resto, PORTA_PADRAO),
                    Some((host, porta)) => (
                        host,
                        porta
                            .parse::<u16>()
                            .ok()
                            .filter(|porta| *porta > 0)
                            .ok_or_else(|| ConexaoInvalida::Porta(porta.to_owned()))?,
                    ),
                    None => (resto, PORTA_PADRAO),
                };
                let host = host.trim_start_matches('[').trim_end_matches(']');
                if host.is_empty() || host.contains(['/', '?', '@', ' ']) {
                    return Err(ConexaoInvalida::SemHost);
                }
                Ok(Conexao::Tcp {
                    host: host.to_owned(),
                    porta,
                })
            }
            "dev" => Ok(Conexao::Dispositivo(caminho(resto)?)),
            "file" => Ok(Conexao::Arquivo(caminho(resto)?)),
            "serial" => {
                let (resto, consulta) = resto.split_once('?').unwrap_or((resto, ""));
                let mut baud = 9600;
                for parametro in consulta.split('&').filter(|parametro| !parametro.is_empty()) {
                    match parametro.split_once('=') {
                        Some(("baud", valor)) => {
                            baud = valor
                                .parse::<u32>()
                                .ok()
                                .filter(|baud| *baud > 0)
                                .ok_or_else(|| ConexaoInvalida::Baud(valor.to_owned()))?;
                        }
                        _ => return Err(ConexaoInvalida::Parametro(parametro.to_owned())),
                    }
                }
                Ok(Conexao::Serial {
                    caminho: caminho(resto)?,
                    baud,
                })
            }
            _ => Err(ConexaoInvalida::Esquema),
        }
    }

    /// Whether this version can drive it.
    pub fn suportada(&self) -> bool {
        !matches!(self, Conexao::Serial { .. })
    }
}

fn caminho(resto: &str) -> Result<PathBuf, ConexaoInvalida> {
    if !resto.starts_with('/') || resto.len() < 2 || resto.contains('\0') {
        return Err(ConexaoInvalida::Caminho);
    }
    Ok(PathBuf::from(resto))
}

impl fmt::Display for Conexao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conexao::Tcp { host, porta } if host.contains(':') => write!(f, "tcp://[{host}]:{porta}"),
            Conexao::Tcp { host, porta } => write!(f, "tcp://{host}:{porta}"),
            Conexao::Dispositivo(caminho) => write!(f, "dev://{}", caminho.display()),
            Conexao::Arquivo(caminho) => write!(f, "file://{}", caminho.display()),
            Conexao::Serial { caminho, baud } => write!(f, "serial://{}?baud={baud}", caminho.display()),
        }
    }
}

/// Why the printer could not be asked or could not take a job.
#[derive(Debug, thiserror::Error)]
pub enum ImpressoraError {
    /// Nothing was sent: the printer could not be reached (connection refused, no device, timeout connecting).
    #[error("impressora inalcançável: {0}")]
    Inalcancavel(String),
    /// The connection broke or stalled after bytes were sent, or the printer did not answer: the job may be partly
    /// printed.
    #[error("comunicação com a impressora interrompida: {0}")]
    Interrompida(String),
    /// The printer answered something that is not a status byte.
    #[error(transparent)]
    Status(#[from] StatusInvalido),
    #[error("conexão serial não suportada nesta versão")]
    NaoSuportada,
}

impl ImpressoraError {
    /// Whether some of the job's bytes may have reached the paper.
    pub fn talvez_impresso(&self) -> bool {
        matches!(self, ImpressoraError::Interrompida(_) | ImpressoraError::Status(_))
    }
}

/// How long each step may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prazos {
    /// Connecting, and each status answer.
    pub resposta: Duration,
    /// Sending a whole job.
    pub envio: Duration,
}

impl Prazos {
    /// `resposta` for connecting and answering; a job gets at least 10 s to be sent.
    pub fn new(resposta: Duration) -> Prazos {
        Prazos {
            resposta,
            envio: resposta.max(Duration::from_secs(10)),
        }
    }
}

/// A printer's driver. Stateless between calls: each operation opens its connection and closes it.
#[derive(Clone, Debug)]
pub struct Impressora {
    conexao: Conexao,
    prazos: Prazos,
    /// Whether the printer answers `DLE EOT` (a one-way device does not: it is then taken as always ready).
    consultar_status: bool,
}

impl Impressora {
    pub fn new(conexao: Conexao, prazos: Prazos, consultar_status: bool) -> Impressora {
        Impressora {
            conexao,
            prazos,
            consultar_status,
        }
    }

    pub fn conexao(&self) -> &Conexao {
        &self.conexao
    }

    /// Asks `DLE EOT 1`, `2` and `4`.
    pub async fn status(&self) -> Result<StatusImpressora, ImpressoraError> {
        match &self.conexao {
            Conexao::Tcp { host, porta } if !self.consultar_status => {
                let mut stream = self.conectar(host, *porta).await?;
                let _ = stream.shutdown().await;
                Ok(StatusImpressora::PRONTA)
            }
            Conexao::Tcp { host, porta } => {
                let mut stream = self.conectar(host, *porta).await?;
                let status = self.consultar(&mut stream).await.map_err(|error| match error {
                    // Nothing of a job was sent: a broken status read is an unreachable printer.
                    ImpressoraError::Interrompida(motivo) => ImpressoraError::Inalcancavel(motivo),
                    other => other,
                })?;
                let _ = stream.shutdown().await;
                Ok(status)
            }
            Conexao::Dispositivo(caminho) if self.consultar_status => {
                dispositivo::status(caminho.clone(), self.prazos).await
            }
            Conexao::Dispositivo(caminho) => {
                dispositivo::existe(caminho.clone()).await?;
                Ok(StatusImpressora::PRONTA)
            }
            Conexao::Arquivo(_) => Ok(StatusImpressora::PRONTA),
            Conexao::Serial { .. } => Err(ImpressoraError::NaoSuportada),
        }
    }

    /// Sends a job and then asks the status on the same connection, which proves every byte was taken; answers that
    /// status (the paper may have run out at the end of the job).
    pub async fn imprimir(&self, bytes: Vec<u8>) -> Result<StatusImpressora, ImpressoraError> {
        match &self.conexao {
            Conexao::Tcp { host, porta } => {
                let mut stream = self.conectar(host, *porta).await?;
                match tokio::time::timeout(self.prazos.envio, stream.write_all(&bytes)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => return Err(ImpressoraError::Interrompida(error.to_string())),
                    Err(_) => return Err(ImpressoraError::Interrompida("tempo de envio esgotado".into())),
                }
                let status = if self.consultar_status {
                    self.consultar(&mut stream).await?
                } else {
                    StatusImpressora::PRONTA
                };
                let _ = stream.shutdown().await;
                Ok(status)
            }
            Conexao::Dispositivo(caminho) => {
                dispositivo::imprimir(caminho.clone(), bytes, self.prazos, self.consultar_status).await
            }
            Conexao::Arquivo(caminho) => {
                dispositivo::anexar(caminho.clone(), bytes).await?;
                Ok(StatusImpressora::PRONTA)
            }
            Conexao::Serial { .. } => Err(ImpressoraError::NaoSuportada),
        }
    }

    async fn conectar(&self, host: &str, porta: u16) -> Result<TcpStream, ImpressoraError> {
        match tokio::time::timeout(self.prazos.resposta, TcpStream::connect((host, porta))).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Ok(stream)
            }
            Ok(Err(error)) => Err(ImpressoraError::Inalcancavel(error.to_string())),
            Err(_) => Err(ImpressoraError::Inalcancavel("tempo de conexão esgotado".into())),
        }
    }

    /// The three queries, one answer each, on an open connection.
    async fn consultar(&self, stream: &mut TcpStream) -> Result<StatusImpressora, ImpressoraError> {
        let mut respostas = [0u8; 3];
        for (consulta, resposta) in status::CONSULTAS.iter().zip(respostas.iter_mut()) {
            let troca = async {
                stream.write_all(consulta).await?;
                let mut byte = [0u8; 1];
                stream.read_exact(&mut byte).await?;
                Ok::<u8, std::io::Error>(byte[0])
            };
            *resposta = match tokio::time::timeout(self.prazos.resposta, troca).await {
                Ok(Ok(byte)) => byte,
                Ok(Err(error)) => return Err(ImpressoraError::Interrompida(error.to_string())),
                Err(_) => {
                    return Err(ImpressoraError::Interrompida(
                        "a impressora não respondeu ao status".into(),
                    ));
                }
            };
        }
        Ok(status::decodificar(respostas[0], respostas[1], respostas[2])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_scheme_and_prints_it_back() {
        let casos = [
            ("tcp://192.168.0.50:9100", "tcp://192.168.0.50:9100"),
            ("tcp://impressora.local", "tcp://impressora.local:9100"),
            ("tcp://[::1]:9101", "tcp://[::1]:9101"),
            ("dev:///dev/usb/lp0", "dev:///dev/usb/lp0"),
            ("file:///tmp/recibos.bin", "file:///tmp/recibos.bin"),
            ("serial:///dev/ttyS0?baud=115200", "serial:///dev/ttyS0?baud=115200"),
            ("serial:///dev/ttyUSB0", "serial:///dev/ttyUSB0?baud=9600"),
        ];
        for (texto, esperado) in casos {
            let conexao = Conexao::parse(texto).unwrap();
            assert_eq!(conexao.to_string(), esperado);
            assert_eq!(Conexao::parse(esperado).unwrap(), conexao);
        }
        assert!(!Conexao::parse("serial:///dev/ttyS0").unwrap().suportada());
        assert!(Conexao::parse("tcp://h:1").unwrap().suportada());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        let casos = [
            ("192.168.0.50:9100", ConexaoInvalida::Esquema),
            ("usb://x", ConexaoInvalida::Esquema),
            ("tcp://:9100", ConexaoInvalida::SemHost),
            ("tcp://h:0", ConexaoInvalida::Porta("0".into())),
            ("tcp://h:99999", ConexaoInvalida::Porta("99999".into())),
            ("dev://dev/usb/lp0", ConexaoInvalida::Caminho),
            ("file://", ConexaoInvalida::Caminho),
            (
                "serial:///dev/ttyS0?baud=rapido",
                ConexaoInvalida::Baud("rapido".into()),
            ),
            (
                "serial:///dev/ttyS0?paridade=n",
                ConexaoInvalida::Parametro("paridade=n".into()),
            ),
        ];
        for (texto, erro) in casos {
            assert_eq!(Conexao::parse(texto), Err(erro), "{texto}");
        }
    }

    #[tokio::test]
    async fn a_file_is_always_ready_and_gets_every_job_appended() {
        let dir = tempfile::tempdir().unwrap();
        let caminho = dir.path().join("spool.bin");
        let impressora = Impressora::new(
            Conexao::Arquivo(caminho.clone()),
            Prazos::new(Duration::from_secs(1)),
            true,
        );
        assert_eq!(impressora.status().await.unwrap(), StatusImpressora::PRONTA);
        impressora.imprimir(b"um\n".to_vec()).await.unwrap();
        impressora.imprimir(b"dois\n".to_vec()).await.unwrap();
        assert_eq!(std::fs::read(&caminho).unwrap(), b"um\ndois\n");
    }

    #[tokio::test]
    async fn an_unreachable_printer_is_inalcancavel_and_serial_is_not_supported() {
        let livre = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let porta = livre.local_addr().unwrap().port();
        drop(livre);
        let tcp = Impressora::new(
            Conexao::Tcp {
                host: "127.0.0.1".into(),
                porta,
            },
            Prazos::new(Duration::from_millis(500)),
            true,
        );
        assert!(matches!(tcp.status().await, Err(ImpressoraError::Inalcancavel(_))));
        let error = tcp.imprimir(vec![1]).await.unwrap_err();
        assert!(!error.talvez_impresso(), "{error}");
        let serial = Impressora::new(
            Conexao::parse("serial:///dev/ttyS0").unwrap(),
            Prazos::new(Duration::from_millis(500)),
            true,
        );
        assert!(matches!(serial.status().await, Err(ImpressoraError::NaoSuportada)));
        assert_eq!(
            ImpressoraError::NaoSuportada.to_string(),
            "conexão serial não suportada nesta versão"
        );
    }
}
