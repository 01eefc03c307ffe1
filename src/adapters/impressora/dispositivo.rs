//! Device files (`/dev/usb/lp0`) and plain files, on the blocking pool.
//!
//! A device is opened non-blocking, so a printer that never answers a status query (or stops taking bytes) costs a
//! bounded wait, never a blocking-pool thread stuck forever in `read(2)`.

use std::io::{ErrorKind, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{ImpressoraError, Prazos};
use crate::domain::impressao::status::{self, StatusImpressora};

/// How long to wait before retrying a device that is not ready for the next byte.
const PAUSA: Duration = Duration::from_millis(5);

/// `O_NONBLOCK` on Linux (the same value on x86-64, ARM and AArch64).
#[cfg(target_os = "linux")]
const O_NONBLOCK: i32 = 0o4000;

/// Runs blocking file work on the blocking pool.
async fn bloqueante<T, F>(trabalho: F) -> Result<T, ImpressoraError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ImpressoraError> + Send + 'static,
{
    tokio::task::spawn_blocking(trabalho)
        .await
        .unwrap_or_else(|error| Err(ImpressoraError::Interrompida(error.to_string())))
}

fn abrir(caminho: &PathBuf) -> Result<std::fs::File, ImpressoraError> {
    let mut opcoes = std::fs::OpenOptions::new();
    opcoes.read(true).write(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opcoes.custom_flags(O_NONBLOCK);
    }
    opcoes
        .open(caminho)
        .map_err(|error| ImpressoraError::Inalcancavel(format!("{}: {error}", caminho.display())))
}

/// Writes every byte before `prazo`, retrying while the device is not ready. `Err(true)` when some bytes went out.
fn escrever(arquivo: &mut std::fs::File, mut bytes: &[u8], prazo: Instant) -> Result<(), (bool, String)> {
    let mut algum = false;
    while !bytes.is_empty() {
        match arquivo.write(bytes) {
            Ok(0) => return Err((algum, "o dispositivo não aceita mais bytes".into())),
            Ok(n) => {
                algum = true;
                bytes = bytes.get(n..).unwrap_or_default();
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock || error.kind() == ErrorKind::Interrupted => {
                if Instant::now() >= prazo {
                    return Err((algum, "tempo de envio esgotado".into()));
                }
                std::thread::sleep(PAUSA);
            }
            Err(error) => return Err((algum, error.to_string())),
        }
    }
    Ok(())
}

/// One byte before `prazo`.
fn ler_byte(arquivo: &mut std::fs::File, prazo: Instant) -> Result<u8, String> {
    let mut byte = [0u8; 1];
    loop {
        match arquivo.read(&mut byte) {
            Ok(1) => return Ok(byte[0]),
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::WouldBlock || error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error.to_string()),
        }
        if Instant::now() >= prazo {
            return Err("a impressora não respondeu ao status".into());
        }
        std::thread::sleep(PAUSA);
    }
}

fn consultar(arquivo: &mut std::fs::File, prazos: Prazos) -> Result<StatusImpressora, ImpressoraError> {
    let mut respostas = [0u8; 3];
    for (consulta, resposta) in status::CONSULTAS.iter().zip(respostas.iter_mut()) {
        let prazo = Instant::now() + prazos.resposta;
        escrever(arquivo, consulta, prazo).map_err(|(_, motivo)| ImpressoraError::Interrompida(motivo))?;
        *resposta = ler_byte(arquivo, prazo).map_err(ImpressoraError::Interrompida)?;
    }
    Ok(status::decodificar(respostas[0], respostas[1], respostas[2])?)
}

/// The status of the device at `caminho`.
pub(super) async fn status(caminho: PathBuf, prazos: Prazos) -> Result<StatusImpressora, ImpressoraError> {
    bloqueante(move || {
        let mut arquivo = abrir(&caminho)?;
        consultar(&mut arquivo, prazos).map_err(|error| match error {
            ImpressoraError::Interrompida(motivo) => ImpressoraError::Inalcancavel(motivo),
            other => other,
        })
    })
    .await
}

/// Whether the device is there (for a one-way device, which answers no status).
pub(super) async fn existe(caminho: PathBuf) -> Result<(), ImpressoraError> {
    bloqueante(move || abrir(&caminho).map(drop)).await
}

/// Sends a job to the device, then asks its status when it answers one.
pub(super) async fn imprimir(
    caminho: PathBuf,
    bytes: Vec<u8>,
    prazos: Prazos,
    consultar_status: bool,
) -> Result<StatusImpressora, ImpressoraError> {
    bloqueante(move || {
        let mut arquivo = abrir(&caminho)?;
        escrever(&mut arquivo, &bytes, Instant::now() + prazos.envio).map_err(|(algum, motivo)| {
            if algum {
                ImpressoraError::Interrompida(motivo)
            } else {
                ImpressoraError::Inalcancavel(motivo)
            }
        })?;
        if consultar_status {
            consultar(&mut arquivo, prazos)
        } else {
            Ok(StatusImpressora::PRONTA)
        }
    })
    .await
}

/// Appends a job to a plain file (created when missing) and syncs it.
pub(super) async fn anexar(caminho: PathBuf, bytes: Vec<u8>) -> Result<(), ImpressoraError> {
    bloqueante(move || {
        let mut arquivo = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&caminho)
            .map_err(|error| ImpressoraError::Inalcancavel(format!("{}: {error}", caminho.display())))?;
        arquivo
            .write_all(&bytes)
            .and_then(|()| arquivo.sync_data())
            .map_err(|error| ImpressoraError::Interrompida(error.to_string()))
    })
    .await
}
