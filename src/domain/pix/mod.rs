//! Pix BR Code: reading and checking any Pix QR code / "Pix Copia e Cola" string, and writing static ones.
//!
//! The BR Code is EMV QRCPS Merchant-Presented Mode profiled by the Banco Central (BCB *Manual de Padrões para
//! Iniciação do Pix* v2.6.2, newer versions for Pix Automático); formats.md §4 summarises the rules this module
//! enforces. [`decode`] validates framing, CRC and every field the manual constrains, and reports tolerated
//! deviations as Portuguese warnings in [`BrCode::avisos`]; [`encode`] writes a static code in canonical form.
//! Submodules: `tlv` (framing and CRC16), `chave` (Pix keys), `decode`, `encode`.

mod chave;
mod decode;
mod encode;
mod tlv;

pub use chave::{TipoChave, normalizar_chave};
pub use decode::decode;
pub use encode::{CobrancaEstatica, encode};
pub use tlv::crc16;

use crate::domain::money::Centavos;

/// Globally unique identifier of the Pix arrangement in sub-field 00 of its templates (manual §1.6.1).
/// Compared case-insensitively on read because `BR.GOV.BCB.PIX` circulates (formats.md §4.2).
const GUI_PIX: &str = "br.gov.bcb.pix";

/// Whether a BR Code carries its own data (static) or points at a charge to fetch (dynamic), formats.md §4.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tipo {
    /// Has a Pix key (26-01): the payer's app builds the payment from the code itself.
    Estatico,
    /// Has a charge URL (26-25) or only a Pix Automático recurrence URL (80-25): the payer's app fetches it.
    Dinamico,
}

/// A decoded and validated BR Code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrCode {
    /// The payload exactly as read, ready to be shown again as "Pix Copia e Cola".
    pub payload: String,
    /// Static or dynamic.
    pub tipo: Tipo,
    /// Pix key (26-01), as written in the code.
    pub chave: Option<String>,
    /// Free text for the payer (26-02).
    pub descricao: Option<String>,
    /// Charge location (26-25), without `https://`.
    pub url: Option<String>,
    /// Pix Automático recurrence location (80-25), without `https://`.
    pub recorrencia_url: Option<String>,
    /// ISPB of the Pix Saque/Troco facilitator (26-03).
    pub fss: Option<String>,
    /// Merchant name (59), 1–25 characters.
    pub nome: String,
    /// Merchant city (60), 1–15 characters.
    pub cidade: String,
    /// Postal code (61).
    pub cep: Option<String>,
    /// Merchant category code (52), four digits; `0000` when not informed.
    pub mcc: String,
    /// Amount (54). In dynamic codes the payer's app uses the amount of the fetched charge instead.
    pub valor: Option<Centavos>,
    /// Reference label (62-05); `None` when absent or `***`.
    pub txid: Option<String>,
    /// Point of initiation method (01) is `12`: the code must not be paid more than once.
    pub uso_unico: bool,
    /// Tolerated deviations from the manual, in Portuguese, for the operator (empty for a clean code).
    pub avisos: Vec<String>,
}

/// Why a BR Code could not be read or written. Messages are Portuguese and name the field (by its EMV ID) at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PixError {
    /// Nothing to decode.
    #[error("código Pix vazio")]
    Vazio,
    /// Longer than the 512 characters EMV allows.
    #[error("código Pix com {tamanho} caracteres; o máximo é 512")]
    MuitoLongo {
        /// Length received.
        tamanho: usize,
    },
    /// A character outside printable ASCII (0x20–0x7E).
    #[error(
        "caractere não permitido {caractere:?} na posição {posicao} do código Pix (só são aceitos caracteres ASCII imprimíveis)"
    )]
    CaractereInvalido {
        /// Zero-based character position.
        posicao: usize,
        /// The offending character.
        caractere: char,
    },
    /// Does not end with `6304` and four hexadecimal digits.
    #[error(
        "o código Pix não termina com o CRC (campo 63: \"6304\" seguido de 4 dígitos hexadecimais); está incompleto?"
    )]
    CrcAusente,
    /// The CRC does not match the content.
    #[error("CRC do código Pix (campo 63) não confere: esperado {esperado}, encontrado {encontrado}")]
    CrcInvalido {
        /// CRC computed over the payload, four upper-case hex digits.
        esperado: String,
        /// CRC written in the payload.
        encontrado: String,
    },
    /// A field ID that is not two digits.
    #[error("identificador de campo inválido na posição {posicao} do código Pix: {encontrado:?} (esperados 2 dígitos)")]
    IdInvalido {
        /// Zero-based offset of the ID.
        posicao: usize,
        /// What was there instead.
        encontrado: String,
    },
    /// A length that is not two digits.
    #[error("tamanho do campo {campo} inválido na posição {posicao}: {encontrado:?} (esperados 2 dígitos)")]
    TamanhoInvalido {
        /// Field, e.g. `26` or `26-01`.
        campo: String,
        /// Zero-based offset of the length.
        posicao: usize,
        /// What was there instead.
        encontrado: String,
    },
    /// A declared length that runs past the end of the payload or template.
    #[error("campo {campo} na posição {posicao} declara {declarado} caracteres, mas só restam {restante}")]
    CampoTruncado {
        /// Field, e.g. `62` or `26-25`.
        campo: String,
        /// Zero-based offset of the field ID.
        posicao: usize,
        /// Declared length.
        declarado: usize,
        /// Characters actually left.
        restante: usize,
    },
    /// The same ID twice in the same template.
    #[error("campo {campo} aparece mais de uma vez")]
    CampoDuplicado {
        /// Field, e.g. `59` or `26-01`.
        campo: String,
    },
    /// Does not start with `000201`.
    #[error("o código Pix deve começar com o campo 00 igual a \"01\" (\"000201\")")]
    InicioInvalido,
    /// Field 63 is not the last one, or the framing swallowed it.
    #[error("o CRC (campo 63) deve ser o último campo do código Pix")]
    CrcForaDoFim,
    /// A mandatory field is missing.
    #[error("campo obrigatório {campo} ({nome}) ausente")]
    CampoAusente {
        /// Field ID.
        campo: String,
        /// What the field holds.
        nome: &'static str,
    },
    /// A field with a fixed format holds something else.
    #[error("campo {campo} ({nome}) inválido: esperado {esperado}, encontrado {encontrado:?}")]
    CampoInvalido {
        /// Field ID.
        campo: &'static str,
        /// What the field holds.
        nome: &'static str,
        /// The allowed content.
        esperado: &'static str,
        /// The content found.
        encontrado: String,
    },
    /// A text field that is empty or too long.
    #[error("{nome} (campo {campo}) deve ter de 1 a {maximo} caracteres, tem {encontrado}")]
    TamanhoCampo {
        /// Field, e.g. `59` or `26-25`.
        campo: String,
        /// What the field holds.
        nome: &'static str,
        /// Maximum length.
        maximo: usize,
        /// Length found.
        encontrado: usize,
    },
    /// A character that cannot be written in a BR Code even after removing accents (encoding only).
    #[error("{nome} (campo {campo}) contém o caractere {caractere:?}, que não pode ser usado no código Pix")]
    CaractereNoCampo {
        /// Field ID.
        campo: &'static str,
        /// What the field holds.
        nome: &'static str,
        /// The offending character.
        caractere: char,
    },
    /// No template 26–51 with the Pix GUI.
    #[error("o código não tem conta Pix (campo de 26 a 51 com identificador br.gov.bcb.pix)")]
    ContaPixAusente,
    /// More than one template with the Pix GUI.
    #[error("o código tem mais de uma conta Pix (campos {primeiro} e {segundo})")]
    ContaPixDuplicada {
        /// ID of the first Pix template.
        primeiro: u8,
        /// ID of the second Pix template.
        segundo: u8,
    },
    /// The Pix template has both a key and a URL.
    #[error("a conta Pix (campo {campo}) tem chave (01) e URL (25); deve ter só uma das duas")]
    ChaveEUrl {
        /// ID of the Pix template.
        campo: u8,
    },
    /// The Pix template has neither a key nor a URL and there is no Pix Automático URL.
    #[error("a conta Pix (campo {campo}) não tem chave (01) nem URL (25)")]
    SemChaveNemUrl {
        /// ID of the Pix template.
        campo: u8,
    },
    /// A URL written with its scheme, which the manual forbids (§1.6.3).
    #[error("a URL do campo {campo} não deve incluir o protocolo (\"https://\"): {url:?}")]
    UrlComProtocolo {
        /// Field, e.g. `26-25` or `80-25`.
        campo: String,
        /// The URL found.
        url: String,
    },
    /// Field 54 is not a non-negative decimal with at most two decimals.
    #[error(
        "valor (campo 54) inválido: {encontrado:?} (esperado número com ponto decimal e até 2 casas, até 13 caracteres)"
    )]
    ValorInvalido {
        /// The content found.
        encontrado: String,
    },
    /// An amount that cannot be charged (encoding only).
    #[error("valor deve ser maior que zero e menor que 10 bilhões de reais, recebido {valor}")]
    ValorForaDoLimite {
        /// The amount given.
        valor: Centavos,
    },
    /// A txid the manual does not allow (encoding only; decoding is lenient).
    #[error("txid (campo 62-05) inválido: {txid:?}; use de 1 a 25 letras sem acento ou dígitos, ou \"***\"")]
    TxidInvalido {
        /// The txid given.
        txid: String,
    },
    /// A Pix key that is not in any DICT format (encoding only; decoding warns).
    #[error("chave Pix {chave:?} inválida: {motivo}")]
    ChaveInvalida {
        /// The key given.
        chave: String,
        /// Why it was refused.
        motivo: String,
    },
    /// Key and description do not fit the 99 characters of template 26 (encoding only).
    #[error(
        "chave e descrição ocupam {tamanho} caracteres no campo 26, que comporta no máximo 99; encurte a descrição"
    )]
    ContaMuitoLonga {
        /// Length template 26 would have.
        tamanho: usize,
    },
}

/// A text field must have between 1 and `maximo` characters; shared by reading and writing so both agree.
fn verificar_tamanho(campo: &str, nome: &'static str, valor: &str, maximo: usize) -> Result<(), PixError> {
    if valor.is_empty() || valor.len() > maximo {
        return Err(PixError::TamanhoCampo {
            campo: campo.to_owned(),
            nome,
            maximo,
            encontrado: valor.len(),
        });
    }
    Ok(())
}

impl PixError {
    /// A stable snake_case code for the API and the CLI's `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            PixError::Vazio => "pix_vazio",
            PixError::MuitoLongo { .. } => "pix_muito_longo",
            PixError::CaractereInvalido { .. } | PixError::CaractereNoCampo { .. } => "pix_caractere_invalido",
            PixError::CrcAusente | PixError::CrcForaDoFim => "pix_crc_ausente",
            PixError::CrcInvalido { .. } => "pix_crc_invalido",
            PixError::IdInvalido { .. } | PixError::TamanhoInvalido { .. } | PixError::CampoTruncado { .. } => {
                "pix_tlv_invalido"
            }
            PixError::CampoDuplicado { .. } => "pix_campo_duplicado",
            PixError::InicioInvalido => "pix_inicio_invalido",
            PixError::CampoAusente { .. } => "pix_campo_ausente",
            PixError::CampoInvalido { .. } => "pix_campo_invalido",
            PixError::TamanhoCampo { .. } | PixError::ContaMuitoLonga { .. } => "pix_tamanho_invalido",
            PixError::ContaPixAusente | PixError::ContaPixDuplicada { .. } => "pix_conta_invalida",
            PixError::ChaveEUrl { .. } | PixError::SemChaveNemUrl { .. } => "pix_conta_invalida",
            PixError::UrlComProtocolo { .. } => "pix_url_invalida",
            PixError::ValorInvalido { .. } | PixError::ValorForaDoLimite { .. } => "pix_valor_invalido",
            PixError::TxidInvalido { .. } => "pix_txid_invalido",
            PixError::ChaveInvalida { .. } => "pix_chave_invalida",
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Valid payloads of every shape: static, multi-arrangement (ID 04, 27, 62-50, 80/81), Pix Saque, composite
    /// Pix Automático, dynamic. Taken from the public vectors (pix-001, 003, 027, 041, 029).
    const VALIDOS: [&str; 5] = [
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D",
        "00020104141234567890123426660014BR.GOV.BCB.PIX014466756C616E6F32303139406578616D706C652E636F6D27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5915NOMEDORECEBEDOR6008BRASILIA61087007490062530515RP12345678-201950300017BR.GOV.BCB.BRCODE01051.0.080450014BR.GOV.BCB.PIX0123PADRAO.URL.PIX/0123ABCD81390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304EB76",
        "00020126950014br.gov.bcb.pix01364004901d-bd85-4769-8e52-cb4c42c506dc0221Jornada pagador 851760308999990085204000053039865406582.055802BR5903Pix6008BRASILIA6229052587ea69f3ce744ce19d90787f16304A76D",
        "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac1200026304FB42",
        "00020101021226180014br.gov.bcb.pix5204000053039865802BR5925Arya Stark with a very lo6015Pindamonhangaba62200516565656565656565680850014br.gov.bcb.pix2563invoice.starkbank.com/subs/f5333103-3279-4db2-8389-5efe335ba93d63042EC1",
    ];

    #[test]
    fn seeds_are_valid() {
        for payload in VALIDOS {
            assert!(decode(payload).is_ok(), "{payload}");
        }
    }

    /// Check digits of a CPF base (9 digits), computed here independently of `crate::domain::documento`.
    fn cpf(base: &[u32]) -> String {
        let mut numero = base.to_vec();
        for _ in 0..2 {
            let peso_inicial = numero.len() as u32 + 1;
            let soma: u32 = numero.iter().zip((2..=peso_inicial).rev()).map(|(d, p)| d * p).sum();
            numero.push(soma * 10 % 11 % 10);
        }
        numero.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect()
    }

    /// Check digits of a CNPJ base (12 characters `[0-9A-Z]`, value = ASCII − 48), computed independently.
    fn cnpj(base: &str) -> String {
        let mut valores: Vec<u32> = base.bytes().map(|b| u32::from(b) - 48).collect();
        for _ in 0..2 {
            let n = valores.len();
            let soma: u32 = valores
                .iter()
                .enumerate()
                .map(|(i, v)| v * ((n - 1 - i) as u32 % 8 + 2))
                .sum();
            valores.push(if soma % 11 < 2 { 0 } else { 11 - soma % 11 });
        }
        let dvs: String = valores[12..]
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect();
        format!("{base}{dvs}")
    }

    #[test]
    fn independent_check_digits_agree_with_known_documents() {
        assert_eq!(cpf(&[5, 2, 9, 9, 8, 2, 2, 4, 7]), "52998224725");
        assert_eq!(cnpj("000381660001"), "00038166000105");
        assert_eq!(cnpj("12ABC34501DE"), "12ABC34501DE35");
    }

    /// A key as a person might type it, its kind and the DICT form `normalizar_chave` must produce.
    fn chave() -> impl Strategy<Value = (String, TipoChave, String)> {
        let cpf = (proptest::collection::vec(0u32..10, 9), any::<bool>())
            .prop_filter("repeated digits", |(base, _)| base.iter().any(|d| *d != base[0]))
            .prop_map(|(base, pontuar)| {
                let numero = cpf(&base);
                let digitado = if pontuar {
                    format!("{}.{}.{}-{}", &numero[..3], &numero[3..6], &numero[6..9], &numero[9..])
                } else {
                    numero.clone()
                };
                (digitado, TipoChave::Cpf, numero)
            });
        let cnpj = ("[0-9A-Z]{12}", any::<bool>())
            .prop_filter("repeated characters", |(base, _)| {
                base.bytes().any(|b| b != base.as_bytes()[0])
            })
            .prop_map(|(base, pontuar)| {
                let numero = cnpj(&base);
                let digitado = if pontuar {
                    format!(
                        "{}.{}.{}/{}-{}",
                        &numero[..2],
                        &numero[2..5],
                        &numero[5..8],
                        &numero[8..12],
                        &numero[12..]
                    )
                    .to_lowercase()
                } else {
                    numero.clone()
                };
                (digitado, TipoChave::Cnpj, numero)
            });
        let email = (
            "[a-z0-9][a-z0-9._+-]{0,24}@[a-z0-9]{1,15}\\.[a-z]{2,5}(\\.br)?",
            any::<bool>(),
        )
            .prop_map(|(email, gritar)| {
                let digitado = if gritar { email.to_uppercase() } else { email.clone() };
                (digitado, TipoChave::Email, email)
            });
        let telefone = ("[1-9][1-9]", "9?[2-9][0-9]{7}", any::<bool>()).prop_map(|(ddd, numero, formatar)| {
            let dict = format!("+55{ddd}{numero}");
            let digitado = if formatar {
                let corte = numero.len() - 4;
                format!("+55 ({ddd}) {}-{}", &numero[..corte], &numero[corte..])
            } else {
                dict.clone()
            };
            (digitado, TipoChave::Telefone, dict)
        });
        let aleatoria = (
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            any::<bool>(),
        )
            .prop_map(|(uuid, gritar)| {
                (
                    if gritar { uuid.to_uppercase() } else { uuid.clone() },
                    TipoChave::Aleatoria,
                    uuid,
                )
            });
        prop_oneof![cpf, cnpj, email, telefone, aleatoria]
    }

    /// Some of the letters of an ASCII text with accents added, to check they are removed again.
    fn acentuar(texto: &str, acentuar: bool) -> String {
        if !acentuar {
            return texto.to_owned();
        }
        texto
            .replace('a', "ã")
            .replace('e', "é")
            .replace('c', "ç")
            .replace('O', "Ô")
            .replace('u', "ü")
    }

    /// A byte-level mutation of a valid payload: position (as a fraction of its length) and new byte.
    fn mutacao() -> impl Strategy<Value = (prop::sample::Index, prop::sample::Index, u8)> {
        (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>())
    }

    proptest! {
        #[test]
        fn encode_then_decode_gives_the_normalised_fields(
            (digitada, tipo, normalizada) in chave(),
            nome in "[A-Za-z0-9]([A-Za-z0-9 .&'-]{0,23}[A-Za-z0-9])?",
            cidade in "[A-Za-z]([A-Za-z .'-]{0,13}[A-Za-z])?",
            acentos in any::<bool>(),
            valor in proptest::option::of(1i64..=999_999_999_999),
            txid in proptest::option::of("[A-Za-z0-9]{1,25}|\\*\\*\\*"),
            descricao in proptest::option::of("[!-~]([ -~]{0,18}[!-~])?"),
        ) {
            prop_assert_eq!(normalizar_chave(&digitada), Ok((tipo, normalizada.clone())));
            let cobranca = CobrancaEstatica {
                chave: digitada,
                nome: acentuar(&nome, acentos),
                cidade: acentuar(&cidade, acentos),
                valor: valor.map(Centavos::new),
                txid: txid.clone(),
                descricao: descricao.clone(),
            };
            let payload = encode(&cobranca).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let lido = decode(&payload).map_err(|e| TestCaseError::fail(format!("{payload}: {e}")))?;
            prop_assert_eq!(&lido.payload, &payload);
            prop_assert_eq!(lido.tipo, Tipo::Estatico);
            prop_assert_eq!(lido.chave, Some(normalizada));
            prop_assert_eq!(lido.nome, nome);
            prop_assert_eq!(lido.cidade, cidade);
            prop_assert_eq!(lido.valor, valor.map(Centavos::new));
            prop_assert_eq!(lido.txid, txid.filter(|t| t != "***"));
            prop_assert_eq!(lido.descricao, descricao);
            prop_assert_eq!(lido.mcc, "0000");
            prop_assert!(!lido.uso_unico);
            prop_assert!(lido.avisos.is_empty(), "{:?}", lido.avisos);
            // Canonical output: ascending IDs, upper-case CRC, amount with two decimals.
            prop_assert!(payload.starts_with("00020126"));
            prop_assert!(!payload[payload.len() - 4..].bytes().any(|b| b.is_ascii_lowercase()));
        }

        #[test]
        fn decode_never_panics_on_arbitrary_text(texto in "\\PC{0,600}") {
            let _ = decode(&texto);
        }

        #[test]
        fn decode_never_panics_on_arbitrary_ascii(texto in "[ -~]{0,300}") {
            let _ = decode(&texto);
        }

        #[test]
        fn decode_never_panics_on_mutated_payloads(
            semente in prop::sample::select(VALIDOS.to_vec()),
            mutacoes in proptest::collection::vec(mutacao(), 1..4),
            recalcular_crc in any::<bool>(),
        ) {
            let mut bytes = semente.as_bytes().to_vec();
            for (posicao, _, byte) in mutacoes {
                let i = posicao.index(bytes.len());
                bytes[i] = byte;
            }
            let mut texto = String::from_utf8_lossy(&bytes).into_owned();
            if recalcular_crc && texto.is_char_boundary(texto.len().saturating_sub(4)) {
                // Re-sealing the CRC lets the mutation reach the TLV walk and the field checks.
                texto.truncate(texto.len().saturating_sub(4));
                let crc = crc16(texto.as_bytes());
                texto.push_str(&format!("{crc:04X}"));
            }
            let _ = decode(&texto);
        }

        #[test]
        fn any_single_character_change_is_caught(
            semente in prop::sample::select(VALIDOS.to_vec()),
            posicao in any::<prop::sample::Index>(),
            novo in b' '..=b'~',
        ) {
            // Outside the last four characters (a case change of a hex digit there keeps the CRC value).
            let i = posicao.index(semente.len() - 4);
            prop_assume!(semente.as_bytes()[i] != novo);
            let mut bytes = semente.as_bytes().to_vec();
            bytes[i] = novo;
            let mutado = String::from_utf8(bytes).unwrap();
            let escrito = u16::from_str_radix(&mutado[mutado.len() - 4..], 16).unwrap();
            prop_assume!(crc16(&mutado.as_bytes()[..mutado.len() - 4]) != escrito);
            prop_assert!(decode(&mutado).is_err(), "{}", mutado);
        }
    }
}
