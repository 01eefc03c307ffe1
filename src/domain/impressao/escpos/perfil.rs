//! Printer profiles as data: what differs between the models borda drives is numbers and byte strings, never a
//! code path.
//!
//! Sources: Epson ESC/POS Application Programming Guide / Command Reference (TM-T20: 576 dots on 80 mm at 203 dpi,
//! 48 columns of Font A 12×24; `ESC t` numbers; `GS V 66 0`; `ESC p m t1 t2`; `GS ( k` QR; `GS w` 2..6); Bematech
//! MP-4200 TH programmer's manual (ESC/Bema and ESC/POS command sets, `GS F9h SP n` switching to ESC/POS with n = 1);
//! Elgin i9 manual (Epson-compatible ESC/POS). Numbers that only a test print confirms are marked so.

use super::pagina::PaginaDeCodigo;

/// `GS V 66 0`: feed to the cutter and cut, leaving a hinge (partial cut) (Epson ESC/POS reference, `GS V`,
/// function B).
pub const CORTE_PARCIAL: &[u8] = &[0x1D, 0x56, 0x42, 0x00];

/// `ESC p 0 25 250`: pulse drawer pin 2, 50 ms on, 500 ms off (Epson ESC/POS reference, `ESC p`: t1, t2 in 2 ms
/// units). The escpos crate sends `ESC p m` without t1 and t2, so the printer eats the next two bytes.
pub const GAVETA_PADRAO: [u8; 5] = [0x1B, 0x70, 0x00, 0x19, 0xFA];

/// What borda needs to know to drive one printer model in ESC/POS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perfil {
    /// The `modelo` of the configuration (`epson-tm-t20`).
    pub nome: &'static str,
    /// Printable dots across the paper at 203 dpi: 576 on 80 mm (72 mm printable), 384 on 58 mm (48 mm).
    pub pontos_por_linha: u16,
    /// Characters per line in Font A (12 dots wide): 48 on 80 mm, 32 on 58 mm.
    pub colunas: u16,
    /// The code page the text is encoded in.
    pub pagina: PaginaDeCodigo,
    /// The `ESC t n` that selects `pagina` on this model; `None` sends no `ESC t` (the printer's own setting).
    pub esc_t: Option<u8>,
    /// Whether the model prints QR Codes itself (`GS ( k`); otherwise borda sends the QR as a raster image.
    pub qr_nativo: bool,
    /// The `GS w` module widths the model accepts (Epson: 2..=6). borda prints the ITF as a raster and sends no
    /// `GS w`; kept for native 1D barcodes.
    pub gs_w: (u8, u8),
    /// Bytes that cut the paper.
    pub corte: &'static [u8],
    /// `ESC p m t1 t2`: always five bytes.
    pub gaveta: [u8; 5],
    /// Bytes sent right after `ESC @` (Bematech: switch to the ESC/POS command set).
    pub preambulo: &'static [u8],
}

impl Perfil {
    /// This profile with another code page (the configuration's `code_page`), selected by its Epson `ESC t` number.
    pub fn com_pagina(self, pagina: PaginaDeCodigo) -> Perfil {
        Perfil {
            pagina,
            esc_t: pagina.esc_t_epson(),
            ..self
        }
    }

    /// This profile with another number of columns (the configuration's `colunas`, e.g. 42 on 512-dot models).
    pub fn com_colunas(self, colunas: u16) -> Perfil {
        Perfil {
            colunas: colunas.max(1),
            ..self
        }
    }

    /// The drawer kick: `ESC p m t1 t2`, five bytes.
    pub fn comando_gaveta(&self) -> [u8; 5] {
        self.gaveta
    }
}

/// The profiles borda knows, by [`Perfil::nome`].
pub const PERFIS: [Perfil; 5] = [
    // Epson TM-T20 (II/III/X): PC860 is `ESC t 3`; native QR (model 2); `GS w` 2..6.
    Perfil {
        nome: "epson-tm-t20",
        pontos_por_linha: 576,
        colunas: 48,
        pagina: PaginaDeCodigo::Pc860,
        esc_t: Some(3),
        qr_nativo: true,
        gs_w: (2, 6),
        corte: CORTE_PARCIAL,
        gaveta: GAVETA_PADRAO,
        preambulo: &[],
    },
    // Elgin i9: Epson-compatible numbering and commands, native QR. (`ESC t` number to confirm with a test print.)
    Perfil {
        nome: "elgin-i9",
        pontos_por_linha: 576,
        colunas: 48,
        pagina: PaginaDeCodigo::Pc860,
        esc_t: Some(3),
        qr_nativo: true,
        gs_w: (2, 6),
        corte: CORTE_PARCIAL,
        gaveta: GAVETA_PADRAO,
        preambulo: &[],
    },
    // Bematech MP-4200 TH in ESC/POS mode: `GS F9h SP 1` after `ESC @` selects the ESC/POS command set (in
    // ESC/Bema `GS w` and others mean something else). `GS ( k` is not relied on: QR as raster. (`ESC t` number to
    // confirm with a test print.)
    Perfil {
        nome: "bematech-mp4200",
        pontos_por_linha: 576,
        colunas: 48,
        pagina: PaginaDeCodigo::Pc850,
        esc_t: Some(2),
        qr_nativo: false,
        gs_w: (2, 6),
        corte: CORTE_PARCIAL,
        gaveta: GAVETA_PADRAO,
        preambulo: &[0x1D, 0xF9, 0x20, 0x01],
    },
    // Any 80 mm ESC/POS printer: WPC1252 (the widest Portuguese coverage), QR as raster (clones often lack `GS ( k`).
    Perfil {
        nome: "generico-80mm",
        pontos_por_linha: 576,
        colunas: 48,
        pagina: PaginaDeCodigo::Wpc1252,
        esc_t: Some(16),
        qr_nativo: false,
        gs_w: (2, 6),
        corte: CORTE_PARCIAL,
        gaveta: GAVETA_PADRAO,
        preambulo: &[],
    },
    // Any 58 mm ESC/POS printer: 384 dots, 32 columns; QR as raster.
    Perfil {
        nome: "generico-58mm",
        pontos_por_linha: 384,
        colunas: 32,
        pagina: PaginaDeCodigo::Wpc1252,
        esc_t: Some(16),
        qr_nativo: false,
        gs_w: (2, 6),
        corte: CORTE_PARCIAL,
        gaveta: GAVETA_PADRAO,
        preambulo: &[],
    },
];

/// The profile named `nome` (case-insensitive).
pub fn perfil(nome: &str) -> Option<&'static Perfil> {
    let nome = nome.trim();
    PERFIS.iter().find(|p| p.nome.eq_ignore_ascii_case(nome))
}
