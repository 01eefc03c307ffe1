//! The byte level of the BR Code: the TLV walk (ID, length, value) and the CRC16 that closes the payload.
//!
//! Both are defined by EMV QRCPS Merchant-Presented Mode as profiled by the BCB *Manual de Padrões para Iniciação do
//! Pix* v2.6.2 §1.5.1 (TLV, lengths 00–99) and §1.5.4 (CRC-16/CCITT-FALSE over everything up to and including
//! `6304`). Decoding and encoding both go through here, so the two sides cannot disagree on the framing.

use super::PixError;

/// The CRC-16/CCITT-FALSE lookup table (polynomial 0x1021), built at compile time.
const TABELA_CRC: [u16; 256] = tabela_crc();

/// Builds [`TABELA_CRC`]: entry `i` is the CRC register after shifting the byte `i` through it.
const fn tabela_crc() -> [u16; 256] {
    let mut tabela = [0u16; 256];
    let mut indice = 0;
    while indice < 256 {
        let mut crc = (indice as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        tabela[indice] = crc;
        indice += 1;
    }
    tabela
}

/// CRC-16/CCITT-FALSE of `data`: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor.
///
/// This is the checksum of field 63 of the BR Code (manual §1.5.4); the check value of `"123456789"` is `0x29B1`.
/// Table-driven because decoding has a budget of a couple of microseconds per payload.
pub fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0xFFFF, |crc: u16, &byte| {
        // The index is a `u8`, so it always falls inside the 256-entry table.
        (crc << 8) ^ TABELA_CRC[usize::from((crc >> 8) as u8 ^ byte)]
    })
}

/// One data object found by the walk: its two-digit ID, where it starts in the payload and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Campo<'a> {
    /// The ID, 00–99.
    pub(super) id: u8,
    /// Offset of the first ID digit from the start of the whole payload, so errors point at the right place.
    pub(super) posicao: usize,
    /// The value, exactly as many characters as the length field declared.
    pub(super) valor: &'a str,
}

/// Walks a sequence of data objects, yielding each one or the first framing error (and then nothing more).
///
/// The walk must consume its text exactly (formats.md §4.6 item 3): a length that runs past the end is an error,
/// which is how a payload with a valid CRC but a wrong length (vector pix-031) gets rejected.
pub(super) struct Campos<'a> {
    /// The text being walked: the whole payload or the value of one template.
    texto: &'a str,
    /// Offset of `texto` inside the whole payload.
    base: usize,
    /// Where the next data object starts, relative to `texto`.
    cursor: usize,
    /// ID of the enclosing template, to name nested fields as `26-01`.
    pai: Option<u8>,
    /// Set after an error so the iterator stops instead of walking garbage.
    terminou: bool,
}

impl<'a> Campos<'a> {
    /// Walks the top level of a payload.
    pub(super) fn new(texto: &'a str) -> Self {
        Campos {
            texto,
            base: 0,
            cursor: 0,
            pai: None,
            terminou: false,
        }
    }

    /// Walks the data objects nested inside a template (IDs 26–51, 62, 80–99).
    pub(super) fn dentro(template: Campo<'a>) -> Self {
        Campos {
            texto: template.valor,
            base: template.posicao + 4,
            cursor: 0,
            pai: Some(template.id),
            terminou: false,
        }
    }

    /// Reads the data object at the cursor.
    fn ler(&mut self) -> Result<Campo<'a>, PixError> {
        let inicio = self.cursor;
        let posicao = self.base + inicio;
        let bytes = self.texto.as_bytes();
        let id = dois_digitos(bytes, inicio).ok_or_else(|| PixError::IdInvalido {
            posicao,
            encontrado: trecho(self.texto, inicio),
        })?;
        let declarado = dois_digitos(bytes, inicio + 2).ok_or_else(|| PixError::TamanhoInvalido {
            campo: nome_campo(self.pai, id),
            posicao: posicao + 2,
            encontrado: trecho(self.texto, inicio + 2),
        })?;
        let comeco = inicio + 4;
        let fim = comeco + usize::from(declarado);
        let valor = self.texto.get(comeco..fim).ok_or_else(|| PixError::CampoTruncado {
            campo: nome_campo(self.pai, id),
            posicao,
            declarado: usize::from(declarado),
            restante: self.texto.len().saturating_sub(comeco),
        })?;
        self.cursor = fim;
        Ok(Campo { id, posicao, valor })
    }
}

impl<'a> Iterator for Campos<'a> {
    type Item = Result<Campo<'a>, PixError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.terminou || self.cursor >= self.texto.len() {
            return None;
        }
        let lido = self.ler();
        self.terminou = lido.is_err();
        Some(lido)
    }
}

/// The name of a field as the manual writes it: `59` at the top level, `26-01` inside a template.
pub(super) fn nome_campo(pai: Option<u8>, id: u8) -> String {
    match pai {
        Some(pai) => format!("{pai:02}-{id:02}"),
        None => format!("{id:02}"),
    }
}

/// The two decimal digits at `inicio` as a number, or `None` if either is missing or not a digit.
fn dois_digitos(bytes: &[u8], inicio: usize) -> Option<u8> {
    let dezena = bytes.get(inicio).filter(|b| b.is_ascii_digit())?;
    let unidade = bytes.get(inicio + 1).filter(|b| b.is_ascii_digit())?;
    Some((dezena - b'0') * 10 + (unidade - b'0'))
}

/// Up to two characters of `texto` from `inicio`, to quote in an error message.
fn trecho(texto: &str, inicio: usize) -> String {
    texto.get(inicio..).unwrap_or_default().chars().take(2).collect()
}

/// Appends one data object. Callers have already bounded `valor` to 99 characters (manual §1.5.1).
pub(super) fn escrever(saida: &mut String, id: u8, valor: &str) {
    for numero in [usize::from(id), valor.len()] {
        saida.push(char::from(b'0' + (numero / 10 % 10) as u8));
        saida.push(char::from(b'0' + (numero % 10) as u8));
    }
    saida.push_str(valor);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc16(b""), 0xFFFF);
    }

    #[test]
    fn crc16_matches_the_bitwise_definition() {
        // formats.md §4.5 gives the bitwise loop; the table must agree with it on every byte.
        fn bitwise(data: &[u8]) -> u16 {
            let mut crc: u16 = 0xFFFF;
            for &b in data {
                crc ^= u16::from(b) << 8;
                for _ in 0..8 {
                    crc = if crc & 0x8000 != 0 {
                        (crc << 1) ^ 0x1021
                    } else {
                        crc << 1
                    };
                }
            }
            crc
        }
        let todos: Vec<u8> = (0..=255).collect();
        assert_eq!(crc16(&todos), bitwise(&todos));
        let bcb = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***6304";
        assert_eq!(crc16(bcb.as_bytes()), 0x1D3D);
        assert_eq!(bitwise(bcb.as_bytes()), 0x1D3D);
    }

    #[test]
    fn walks_nested_objects_with_absolute_offsets() {
        let texto = "000201261100020101011";
        let campos: Vec<Campo<'_>> = Campos::new(texto).collect::<Result<_, _>>().unwrap();
        assert_eq!(campos.len(), 2);
        assert_eq!(
            campos[1],
            Campo {
                id: 26,
                posicao: 6,
                valor: "00020101011"
            }
        );
        let internos: Vec<Campo<'_>> = Campos::dentro(campos[1]).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            internos,
            vec![
                Campo {
                    id: 0,
                    posicao: 10,
                    valor: "01"
                },
                Campo {
                    id: 1,
                    posicao: 16,
                    valor: "1"
                }
            ]
        );
        // The trailing "3" is left over: one character cannot hold an ID and a length.
        let erro = Campos::new("0002013").collect::<Result<Vec<_>, _>>().unwrap_err();
        assert_eq!(
            erro,
            PixError::IdInvalido {
                posicao: 6,
                encontrado: "3".into()
            }
        );
    }

    #[test]
    fn framing_errors_name_field_and_offset() {
        let erro = |texto: &str| Campos::new(texto).collect::<Result<Vec<_>, _>>().unwrap_err();
        assert_eq!(
            erro("00A0XYZ"),
            PixError::TamanhoInvalido {
                campo: "00".into(),
                posicao: 2,
                encontrado: "A0".into()
            }
        );
        assert_eq!(
            erro("x0"),
            PixError::IdInvalido {
                posicao: 0,
                encontrado: "x0".into()
            }
        );
        assert_eq!(
            erro("000201590"),
            PixError::TamanhoInvalido {
                campo: "59".into(),
                posicao: 8,
                encontrado: "0".into()
            }
        );
        assert_eq!(
            erro("0002016205abc"),
            PixError::CampoTruncado {
                campo: "62".into(),
                posicao: 6,
                declarado: 5,
                restante: 3
            }
        );
        let template = Campo {
            id: 26,
            posicao: 10,
            valor: "0199x",
        };
        assert_eq!(
            Campos::dentro(template).collect::<Result<Vec<_>, _>>().unwrap_err(),
            PixError::CampoTruncado {
                campo: "26-01".into(),
                posicao: 14,
                declarado: 99,
                restante: 1
            }
        );
    }

    #[test]
    fn writes_two_digit_id_and_length() {
        let mut saida = String::new();
        escrever(&mut saida, 5, "***");
        escrever(&mut saida, 62, "");
        assert_eq!(saida, "0503***6200");
    }
}
