//! What an ESC/POS printer says about itself: the real-time status queries `DLE EOT n` and the decoding of their
//! one-byte answers (Epson's "transmit real-time status"), pure.
//!
//! Each query is exactly three bytes, `10 04 n` (the `escpos` crate sends a fourth, a stray NUL, that a printer then
//! reads as data). Each answer is one byte whose bits 0 and 7 are 0 and bits 1 and 4 are 1 (`b & 0x93 == 0x12`); a
//! byte that breaks that pattern is not a status answer. The meanings used here:
//!
//! | query | bit | when set |
//! |---|---|---|
//! | `n = 1` printer status | 3 | offline |
//! | `n = 2` offline cause | 2 | cover open |
//! | `n = 2` offline cause | 5 | printing stopped by paper end |
//! | `n = 4` roll paper sensor | 2–3 | paper near its end |
//! | `n = 4` roll paper sensor | 5–6 | paper end (no paper) |

/// `DLE EOT 1`: printer status (online or offline).
pub const CONSULTA_IMPRESSORA: [u8; 3] = [0x10, 0x04, 0x01];
/// `DLE EOT 2`: why the printer is offline (cover, paper end).
pub const CONSULTA_OFFLINE: [u8; 3] = [0x10, 0x04, 0x02];
/// `DLE EOT 4`: roll paper sensors (near end, end).
pub const CONSULTA_PAPEL: [u8; 3] = [0x10, 0x04, 0x04];

/// The three queries, in the order [`decodificar`] takes their answers.
pub const CONSULTAS: [[u8; 3]; 3] = [CONSULTA_IMPRESSORA, CONSULTA_OFFLINE, CONSULTA_PAPEL];

/// The fixed bits of every status byte: bits 1 and 4 set, bits 0 and 7 clear.
const FIXOS_MASCARA: u8 = 0x93;
const FIXOS_VALOR: u8 = 0x12;

const OFFLINE: u8 = 0x08;
const TAMPA_ABERTA: u8 = 0x04;
const PAROU_SEM_PAPEL: u8 = 0x20;
const PAPEL_NO_FIM: u8 = 0x0C;
const SEM_PAPEL: u8 = 0x60;

/// The paper roll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Papel {
    #[default]
    Ok,
    /// The near-end sensor sees the roll ending: it still prints.
    Pouco,
    /// No paper: nothing prints.
    SemPapel,
}

impl Papel {
    /// The API's name: `ok`, `pouco`, `sem_papel`.
    pub fn as_str(self) -> &'static str {
        match self {
            Papel::Ok => "ok",
            Papel::Pouco => "pouco",
            Papel::SemPapel => "sem_papel",
        }
    }
}

/// What a printer said about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusImpressora {
    pub online: bool,
    pub papel: Papel,
    pub tampa_aberta: bool,
}

/// Why a job cannot go to the printer now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Impedimento {
    TampaAberta,
    SemPapel,
    Offline,
}

impl Impedimento {
    /// The job's `motivo`: `tampa_aberta`, `sem_papel`, `offline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Impedimento::TampaAberta => "tampa_aberta",
            Impedimento::SemPapel => "sem_papel",
            Impedimento::Offline => "offline",
        }
    }
}

impl StatusImpressora {
    /// A printer that answers no status but is always there (a file).
    pub const PRONTA: StatusImpressora = StatusImpressora {
        online: true,
        papel: Papel::Ok,
        tampa_aberta: false,
    };

    /// Why nothing may be sent now, the most specific reason first; `None` when the printer can print (paper near its
    /// end still prints).
    pub fn impedimento(&self) -> Option<Impedimento> {
        if self.tampa_aberta {
            Some(Impedimento::TampaAberta)
        } else if self.papel == Papel::SemPapel {
            Some(Impedimento::SemPapel)
        } else if !self.online {
            Some(Impedimento::Offline)
        } else {
            None
        }
    }
}

/// A byte that is not a status answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("resposta de status inválida da impressora: 0x{0:02X}")]
pub struct StatusInvalido(pub u8);

/// Checks the fixed bits of one status byte.
pub fn conferir(byte: u8) -> Result<u8, StatusInvalido> {
    if byte & FIXOS_MASCARA == FIXOS_VALOR {
        Ok(byte)
    } else {
        Err(StatusInvalido(byte))
    }
}

/// Decodes the answers to `DLE EOT 1`, `DLE EOT 2` and `DLE EOT 4`.
pub fn decodificar(impressora: u8, offline: u8, papel: u8) -> Result<StatusImpressora, StatusInvalido> {
    let (impressora, offline, papel) = (conferir(impressora)?, conferir(offline)?, conferir(papel)?);
    let papel = if papel & SEM_PAPEL != 0 || offline & PAROU_SEM_PAPEL != 0 {
        Papel::SemPapel
    } else if papel & PAPEL_NO_FIM != 0 {
        Papel::Pouco
    } else {
        Papel::Ok
    };
    Ok(StatusImpressora {
        online: impressora & OFFLINE == 0,
        papel,
        tampa_aberta: offline & TAMPA_ABERTA != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queries_are_three_bytes_without_a_trailing_nul() {
        assert_eq!(CONSULTAS, [[0x10, 0x04, 1], [0x10, 0x04, 2], [0x10, 0x04, 4]]);
    }

    #[test]
    fn a_printer_with_paper_is_online_and_ok() {
        assert_eq!(decodificar(0x12, 0x12, 0x12), Ok(StatusImpressora::PRONTA));
        assert_eq!(StatusImpressora::PRONTA.impedimento(), None);
    }

    #[test]
    fn emupos_paper_out_reads_offline_without_paper() {
        // Measured against emupos after `fault set front paper-out`: 0x1A to DLE EOT 1, 0x7E to DLE EOT 4.
        let status = decodificar(0x1A, 0x32, 0x7E).unwrap();
        assert_eq!(
            status,
            StatusImpressora {
                online: false,
                papel: Papel::SemPapel,
                tampa_aberta: false
            }
        );
        assert_eq!(status.impedimento(), Some(Impedimento::SemPapel));
    }

    #[test]
    fn paper_near_its_end_still_prints() {
        let status = decodificar(0x12, 0x12, 0x1E).unwrap();
        assert_eq!(status.papel, Papel::Pouco);
        assert!(status.online);
        assert_eq!(status.impedimento(), None);
        // Either bit of the pair counts.
        assert_eq!(decodificar(0x12, 0x12, 0x16).unwrap().papel, Papel::Pouco);
    }

    #[test]
    fn the_offline_cause_tells_cover_and_paper_end() {
        let cover = decodificar(0x1A, 0x16, 0x12).unwrap();
        assert!(cover.tampa_aberta && !cover.online);
        assert_eq!(cover.papel, Papel::Ok);
        assert_eq!(cover.impedimento(), Some(Impedimento::TampaAberta));
        // Paper end seen only as the offline cause still means no paper.
        assert_eq!(decodificar(0x1A, 0x32, 0x12).unwrap().papel, Papel::SemPapel);
        let offline = decodificar(0x1A, 0x12, 0x12).unwrap();
        assert_eq!(offline.impedimento(), Some(Impedimento::Offline));
        assert_eq!(Impedimento::Offline.as_str(), "offline");
    }

    #[test]
    fn bytes_that_break_the_fixed_bits_are_refused() {
        for byte in [0x00, 0xFF, 0x13, 0x92, 0x02, 0x10] {
            assert_eq!(conferir(byte), Err(StatusInvalido(byte)), "{byte:#04x}");
        }
        assert_eq!(decodificar(0x12, 0x12, 0x00), Err(StatusInvalido(0)));
        // Every byte is either refused or decoded: never a panic.
        for a in 0..=255u8 {
            let _ = decodificar(a, a, a);
        }
    }
}
