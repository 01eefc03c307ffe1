//! The character tables of the code pages Brazilian receipt printers use, and the one function that turns Unicode
//! text into their bytes ([`PaginaDeCodigo::codificar`]).
//!
//! Bytes 0x20..=0x7E are ASCII on every page (the printer's `ESC R` international set stays USA, its power-on
//! default); bytes 0x80..=0xFF follow the tables below, which are the published charts: IBM code pages 850 and 860
//! (the "PC850"/"PC860" of Epson's ESC/POS `ESC t` table), Microsoft's Windows-1252 ("WPC1252") and ISO/IEC 8859-1.
//! They were generated from Python 3.11's `cp860`, `cp850`, `cp1252` and `latin-1` codecs, and the tests check the
//! Portuguese letters byte by byte against values written from the charts, not from these tables. The escpos crate's
//! PC858 table is wrong in four slots (that crate is not used; see the `escpos` module), so no PC858 here.
//!
//! A character the page lacks is transliterated ([`PaginaDeCodigo::codificar`]), never sent as raw UTF-8: the
//! printer would print each UTF-8 byte as a character of the page (`—` → `ΓÇö` on PC860).

use unicode_normalization::char::decompose_compatible;

/// A code page of the printer: what each byte 0x80..=0xFF prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaginaDeCodigo {
    /// IBM PC860 (Portuguese): Epson `ESC t 3`.
    Pc860,
    /// IBM PC850 (Multilingual Latin 1): Epson `ESC t 2`.
    Pc850,
    /// Windows-1252: Epson `ESC t 16`.
    Wpc1252,
    /// ISO/IEC 8859-1 (Daruma's default table); 0x80..=0x9F are C1 controls and never sent.
    Iso8859_1,
}

impl PaginaDeCodigo {
    /// Every page, in a fixed order.
    pub const TODAS: [PaginaDeCodigo; 4] = [
        PaginaDeCodigo::Pc860,
        PaginaDeCodigo::Pc850,
        PaginaDeCodigo::Wpc1252,
        PaginaDeCodigo::Iso8859_1,
    ];

    /// The name used in the configuration (`code_page = "pc860"`).
    pub fn nome(self) -> &'static str {
        match self {
            PaginaDeCodigo::Pc860 => "pc860",
            PaginaDeCodigo::Pc850 => "pc850",
            PaginaDeCodigo::Wpc1252 => "wpc1252",
            PaginaDeCodigo::Iso8859_1 => "iso8859-1",
        }
    }

    /// The page named `nome` (case-insensitive; `cp1252`, `windows-1252`, `latin1` and `iso-8859-1` are accepted too).
    pub fn por_nome(nome: &str) -> Option<PaginaDeCodigo> {
        match nome.trim().to_ascii_lowercase().as_str() {
            "pc860" | "cp860" => Some(PaginaDeCodigo::Pc860),
            "pc850" | "cp850" => Some(PaginaDeCodigo::Pc850),
            "wpc1252" | "cp1252" | "windows-1252" => Some(PaginaDeCodigo::Wpc1252),
            "iso8859-1" | "iso-8859-1" | "latin1" | "latin-1" => Some(PaginaDeCodigo::Iso8859_1),
            _ => None,
        }
    }

    /// The `ESC t n` number of this page in Epson's numbering (Epson ESC/POS reference, `ESC t`), which Elgin and
    /// Bematech (in ESC/POS mode) follow; ISO-8859-1 has no Epson number (Daruma selects it by its own setup).
    pub fn esc_t_epson(self) -> Option<u8> {
        match self {
            PaginaDeCodigo::Pc860 => Some(3),
            PaginaDeCodigo::Pc850 => Some(2),
            PaginaDeCodigo::Wpc1252 => Some(16),
            PaginaDeCodigo::Iso8859_1 => None,
        }
    }

    /// The upper half of the page.
    fn metade_alta(self) -> MetadeAlta {
        match self {
            PaginaDeCodigo::Pc860 => MetadeAlta::Tabela(&PC860),
            PaginaDeCodigo::Pc850 => MetadeAlta::Tabela(&PC850),
            PaginaDeCodigo::Wpc1252 => MetadeAlta::Latin1 { c1: &WPC1252_C1 },
            PaginaDeCodigo::Iso8859_1 => MetadeAlta::Latin1 { c1: &[NENHUM; 32] },
        }
    }

    /// What the printer prints for `byte` in text, if it is a printable character of this page: ASCII 0x20..=0x7E
    /// and the mapped bytes of 0x80..=0xFF. Controls and unmapped bytes are `None`.
    pub fn caractere(self, byte: u8) -> Option<char> {
        let c = match (byte, self.metade_alta()) {
            (0x20..=0x7E, _) => return Some(char::from(byte)),
            (0xA0..=0xFF, MetadeAlta::Latin1 { .. }) => return Some(char::from(byte)),
            (0x80..=0x9F, MetadeAlta::Latin1 { c1 }) => *c1.get(usize::from(byte - 0x80))?,
            (0x80..=0xFF, MetadeAlta::Tabela(tabela)) => *tabela.get(usize::from(byte - 0x80))?,
            _ => return None,
        };
        (c != NENHUM).then_some(c)
    }

    /// The byte of `c` on this page, if the page has it (printable ASCII included).
    pub fn byte(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return u8::try_from(c).ok();
        }
        if c == NENHUM || c.is_ascii() {
            return None;
        }
        let posicao = match self.metade_alta() {
            MetadeAlta::Latin1 { .. } if ('\u{A0}'..='\u{FF}').contains(&c) => return u8::try_from(c).ok(),
            MetadeAlta::Latin1 { c1 } => c1.iter().position(|&t| t == c)?,
            MetadeAlta::Tabela(tabela) => tabela.iter().position(|&t| t == c)?,
        };
        u8::try_from(posicao).ok().map(|p| p | 0x80)
    }

    /// Appends `texto` to `saida` as bytes of this page. Each character is, in order of preference:
    /// - dropped when it is a control or an invisible format character (`\n`, `\t`, ESC, U+200B, U+FEFF...): text
    ///   never carries a command;
    /// - its own byte when the page has it;
    /// - a fixed substitute for typographic punctuation (`—`, `–` → `-`; `“ ” „` → `"`; `‘ ’ ‚` → `'`; `…` →
    ///   `...`; `•` → `*`; `€` → `EUR`; other spaces → space; and `« » ·` when the page lacks them);
    /// - its compatibility decomposition without combining marks, when the page has every remaining character
    ///   (`ő` → `o`, `ﬁ` → `fi`, `①` → `1`): accents are stripped only when the page lacks the accented letter;
    /// - `?`.
    ///
    /// So every character becomes either one byte the page maps or ASCII: never raw UTF-8. No allocation.
    pub fn codificar(self, texto: &str, saida: &mut Vec<u8>) {
        for c in texto.chars() {
            self.codificar_caractere(c, saida);
        }
    }

    /// `texto` as the paper shows it in this page: what [`PaginaDeCodigo::codificar`] sends, read back (a missing
    /// character shows its transliteration, `—` as `-`, `“` as `"`). The previews draw this.
    pub fn no_papel(self, texto: &str) -> String {
        let mut bytes = Vec::with_capacity(texto.len());
        self.codificar(texto, &mut bytes);
        bytes.into_iter().filter_map(|byte| self.caractere(byte)).collect()
    }

    /// [`PaginaDeCodigo::codificar`] for one character.
    pub fn codificar_caractere(self, c: char, saida: &mut Vec<u8>) {
        if (' '..='~').contains(&c) {
            // Printable ASCII: every page, one byte (checked by the range).
            saida.push(c as u8);
            return;
        }
        if invisivel(c) {
            return;
        }
        if let Some(byte) = self.byte(c) {
            saida.push(byte);
            return;
        }
        if let Some(substituto) = substituto(c) {
            saida.extend_from_slice(substituto.as_bytes());
            return;
        }
        let inicio = saida.len();
        let mut falhou = false;
        let mut algum = false;
        decompose_compatible(c, |parte| {
            if falhou || marca_combinante(parte) {
                return;
            }
            match self.byte(parte) {
                Some(byte) if parte != c => {
                    saida.push(byte);
                    algum = true;
                }
                _ => falhou = true,
            }
        });
        if falhou || !algum {
            saida.truncate(inicio);
            saida.push(b'?');
        }
    }
}

/// Controls (C0, DEL, C1), line and paragraph separators and zero-width format characters: dropped from text.
fn invisivel(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Combining diacritical marks, dropped when a decomposed letter is printed without its accent.
fn marca_combinante(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The ASCII stand-in of typographic characters that decompose to nothing useful (all ASCII, so printable on every
/// page).
fn substituto(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => "-",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => "\"",
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' => "'",
        '\u{2026}' => "...",
        '\u{2022}' | '\u{2023}' | '\u{2043}' | '\u{2219}' | '\u{00B7}' | '\u{25CF}' => "*",
        '\u{20AC}' => "EUR",
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        _ => return None,
    })
}

/// Bytes 0x80..=0xFF of PC860; `'\0'` = no printable character at that byte.
const PC860: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E3}', '\u{00E0}', '\u{00C1}', '\u{00E7}', // 0x80
    '\u{00EA}', '\u{00CA}', '\u{00E8}', '\u{00CD}', '\u{00D4}', '\u{00EC}', '\u{00C3}', '\u{00C2}', // 0x88
    '\u{00C9}', '\u{00C0}', '\u{00C8}', '\u{00F4}', '\u{00F5}', '\u{00F2}', '\u{00DA}', '\u{00F9}', // 0x90
    '\u{00CC}', '\u{00D5}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00D9}', '\u{20A7}', '\u{00D3}', // 0x98
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', // 0xA0
    '\u{00BF}', '\u{00D2}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}', // 0xA8
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}', // 0xB0
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}', // 0xB8
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}', // 0xC0
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}', // 0xC8
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}', // 0xD0
    '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}', // 0xD8
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}', // 0xE0
    '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}', // 0xE8
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}', // 0xF0
    '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}', // 0xF8
];
/// Bytes 0x80..=0xFF of PC850; `'\0'` = no printable character at that byte.
const PC850: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}', // 0x80
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}', // 0x88
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}', // 0x90
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}', '\u{0192}', // 0x98
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', // 0xA0
    '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}', // 0xA8
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}', '\u{00C2}', '\u{00C0}', // 0xB0
    '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}', '\u{2510}', // 0xB8
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}', '\u{00C3}', // 0xC0
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}', // 0xC8
    '\u{00F0}', '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{0131}', '\u{00CD}', '\u{00CE}', // 0xD0
    '\u{00CF}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}', '\u{2580}', // 0xD8
    '\u{00D3}', '\u{00DF}', '\u{00D4}', '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}', '\u{00FE}', // 0xE0
    '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{00FD}', '\u{00DD}', '\u{00AF}', '\u{00B4}', // 0xE8
    '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}', '\u{00A7}', '\u{00F7}', '\u{00B8}', // 0xF0
    '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}', '\u{25A0}', '\u{00A0}', // 0xF8
];
/// `'\0'` in a table: no printable character at that byte.
const NENHUM: char = '\0';

/// Bytes 0x80..=0xFF of a page: a table of its own (the IBM pages), or Latin-1's (each byte its own code point)
/// from 0xA0 up, with the page's own 0x80..=0x9F (WPC1252's typographic characters; none in ISO-8859-1).
enum MetadeAlta {
    Tabela(&'static [char; 128]),
    Latin1 { c1: &'static [char; 32] },
}

/// Bytes 0x80..=0x9F of WPC1252; above them it is Latin-1.
const WPC1252_C1: [char; 32] = [
    '\u{20AC}', '\0', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', // 0x80
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\0', '\u{017D}', '\0', // 0x88
    '\0', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', // 0x90
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\0', '\u{017E}', '\u{0178}', // 0x98
];
