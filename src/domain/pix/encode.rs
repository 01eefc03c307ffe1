//! Writing a static BR Code (Pix key, optional amount) in the canonical form of the BCB manual.
//!
//! Canonical means: IDs in ascending order (the order changes the CRC, manual footnote 23), `01` omitted because a
//! static code may be paid many times, `52` = `0000` ("não informado"), amount as `\d{1,10}\.\d{2}`, pure ASCII
//! name and city (accents removed, formats.md §4.1), upper-case CRC. [`super::decode`] reads the result back with no
//! warnings.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::tlv::{crc16, escrever};
use super::{GUI_PIX, PixError, normalizar_chave, verificar_tamanho};
use crate::domain::money::Centavos;

/// Largest amount field 54 can hold in the API pattern `\d{1,10}\.\d{2}`.
const VALOR_MAXIMO: i64 = 999_999_999_999;

/// What a static Pix charge needs: whom to pay, and optionally how much and with which reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CobrancaEstatica {
    /// Pix key in any usual writing (`529.982.247-25`, `+55 (61) 91234-5678`, …); normalised by [`normalizar_chave`].
    pub chave: String,
    /// Merchant name, up to 25 characters once accents are removed.
    pub nome: String,
    /// Merchant city, up to 15 characters once accents are removed.
    pub cidade: String,
    /// Amount; `None` lets the payer type it.
    pub valor: Option<Centavos>,
    /// Reference (txid), 1–25 letters or digits; `None` writes `***`.
    pub txid: Option<String>,
    /// Free text shown to the payer; blank is the same as `None`.
    pub descricao: Option<String>,
}

/// Writes the "Pix Copia e Cola" string of a static charge, or says which field cannot be written.
pub fn encode(cobranca: &CobrancaEstatica) -> Result<String, PixError> {
    let (_, chave) = normalizar_chave(&cobranca.chave)?;
    let nome = texto_ascii(&cobranca.nome, "59", "nome do recebedor")?;
    verificar_tamanho("59", "nome do recebedor", &nome, 25)?;
    let cidade = texto_ascii(&cobranca.cidade, "60", "cidade do recebedor")?;
    verificar_tamanho("60", "cidade do recebedor", &cidade, 15)?;
    let descricao = match &cobranca.descricao {
        Some(texto) => Some(texto_ascii(texto, "26-02", "descrição")?).filter(|d| !d.is_empty()),
        None => None,
    };
    let txid = match cobranca.txid.as_deref() {
        None | Some("***") => "***",
        Some(txid) if (1..=25).contains(&txid.len()) && txid.bytes().all(|b| b.is_ascii_alphanumeric()) => txid,
        Some(txid) => return Err(PixError::TxidInvalido { txid: txid.to_owned() }),
    };
    let valor = match cobranca.valor {
        Some(valor) if !(1..=VALOR_MAXIMO).contains(&valor.get()) => return Err(PixError::ValorForaDoLimite { valor }),
        Some(valor) => Some(valor.to_string()),
        None => None,
    };

    // Template 26 holds the GUI, the key and the description in at most 99 characters (manual §1.5.1).
    let mut conta = String::with_capacity(99);
    escrever(&mut conta, 0, GUI_PIX);
    escrever(&mut conta, 1, &chave);
    if let Some(descricao) = &descricao {
        if conta.len() + 4 + descricao.len() > 99 {
            return Err(PixError::ContaMuitoLonga {
                tamanho: conta.len() + 4 + descricao.len(),
            });
        }
        escrever(&mut conta, 2, descricao);
    }
    let mut adicionais = String::with_capacity(29);
    escrever(&mut adicionais, 5, txid);

    let mut payload = String::with_capacity(256);
    escrever(&mut payload, 0, "01");
    escrever(&mut payload, 26, &conta);
    escrever(&mut payload, 52, "0000");
    escrever(&mut payload, 53, "986");
    if let Some(valor) = &valor {
        escrever(&mut payload, 54, valor);
    }
    escrever(&mut payload, 58, "BR");
    escrever(&mut payload, 59, &nome);
    escrever(&mut payload, 60, &cidade);
    escrever(&mut payload, 62, &adicionais);
    payload.push_str("6304");
    let crc = crc16(payload.as_bytes());
    payload.push_str(&format!("{crc:04X}"));
    Ok(payload)
}

/// Removes accents (NFD, then drops combining marks: "São João" → "Sao Joao") and surrounding spaces; any
/// character that is still not printable ASCII is refused, naming the field, instead of being silently dropped.
fn texto_ascii(texto: &str, campo: &'static str, nome: &'static str) -> Result<String, PixError> {
    let sem_acentos: String = texto.nfd().filter(|c| !is_combining_mark(*c)).collect();
    let limpo = sem_acentos.trim();
    match limpo.chars().find(|c| !(' '..='~').contains(c)) {
        Some(caractere) => Err(PixError::CaractereNoCampo { campo, nome, caractere }),
        None => Ok(limpo.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pix::decode;

    fn cobranca(chave: &str, nome: &str, cidade: &str) -> CobrancaEstatica {
        CobrancaEstatica {
            chave: chave.to_owned(),
            nome: nome.to_owned(),
            cidade: cidade.to_owned(),
            valor: None,
            txid: None,
            descricao: None,
        }
    }

    #[test]
    fn reproduces_the_bcb_static_example() {
        let payload = encode(&cobranca(
            "123e4567-e12b-12d1-a456-426655440000",
            "Fulano de Tal",
            "BRASILIA",
        ))
        .unwrap();
        assert_eq!(
            payload,
            "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
        );
    }

    #[test]
    fn reproduces_pix_utils_static_example_with_amount_and_description() {
        let mut pedido = cobranca("thalesog@me.com", "THALES OGLIARI", "SAO MIGUEL DO O");
        pedido.valor = Some(Centavos::new(1000));
        pedido.descricao = Some("Pedido 123".to_owned());
        assert_eq!(
            encode(&pedido).unwrap(),
            "00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6"
        );
    }

    #[test]
    fn normalises_key_text_and_amount() {
        let mut pedido = cobranca("+55 (61) 91234-5678", "  José da Conceição  ", "São João d'Água");
        pedido.valor = Some(Centavos::new(999_999_999_999));
        pedido.txid = Some("PEDIDO42".to_owned());
        pedido.descricao = Some("   ".to_owned());
        let lido = decode(&encode(&pedido).unwrap()).unwrap();
        assert_eq!(lido.chave.as_deref(), Some("+5561912345678"));
        assert_eq!(lido.nome, "Jose da Conceicao");
        assert_eq!(lido.cidade, "Sao Joao d'Agua");
        assert_eq!(lido.valor, Some(Centavos::new(999_999_999_999)));
        assert_eq!(lido.txid.as_deref(), Some("PEDIDO42"));
        assert_eq!(lido.descricao, None);
        assert!(lido.payload.contains("54139999999999.99"));
        assert!(lido.avisos.is_empty(), "{:?}", lido.avisos);
    }

    #[test]
    fn each_rule_has_its_error() {
        let base = cobranca("52998224725", "Fulano de Tal", "BRASILIA");
        let com = |mudar: fn(&mut CobrancaEstatica)| {
            let mut c = base.clone();
            mudar(&mut c);
            c
        };
        let tamanho = |campo: &str, nome: &'static str, maximo, encontrado| PixError::TamanhoCampo {
            campo: campo.to_owned(),
            nome,
            maximo,
            encontrado,
        };
        let casos: Vec<(CobrancaEstatica, PixError)> = vec![
            (
                com(|c| c.nome = "A".repeat(26)),
                tamanho("59", "nome do recebedor", 25, 26),
            ),
            (
                com(|c| c.nome = "Ação Ação Ação Ação Ação Ç".into()),
                tamanho("59", "nome do recebedor", 25, 26),
            ),
            (
                com(|c| c.nome = "   ".into()),
                tamanho("59", "nome do recebedor", 25, 0),
            ),
            (
                com(|c| c.nome = "Ωmega".into()),
                PixError::CaractereNoCampo {
                    campo: "59",
                    nome: "nome do recebedor",
                    caractere: 'Ω',
                },
            ),
            (
                com(|c| c.cidade = "SAO MIGUEL DO OE".into()),
                tamanho("60", "cidade do recebedor", 15, 16),
            ),
            (
                com(|c| c.cidade = String::new()),
                tamanho("60", "cidade do recebedor", 15, 0),
            ),
            (
                com(|c| c.cidade = "Rio\nde Janeiro".into()),
                PixError::CaractereNoCampo {
                    campo: "60",
                    nome: "cidade do recebedor",
                    caractere: '\n',
                },
            ),
            (
                com(|c| c.descricao = Some("Pedido 🍕".into())),
                PixError::CaractereNoCampo {
                    campo: "26-02",
                    nome: "descrição",
                    caractere: '🍕',
                },
            ),
            (
                com(|c| c.descricao = Some("d".repeat(67))),
                PixError::ContaMuitoLonga { tamanho: 104 },
            ),
            (
                com(|c| c.txid = Some("RP12345678-2019".into())),
                PixError::TxidInvalido {
                    txid: "RP12345678-2019".into(),
                },
            ),
            (
                com(|c| c.txid = Some(String::new())),
                PixError::TxidInvalido { txid: String::new() },
            ),
            (
                com(|c| c.txid = Some("1".repeat(26))),
                PixError::TxidInvalido { txid: "1".repeat(26) },
            ),
            (
                com(|c| c.valor = Some(Centavos::ZERO)),
                PixError::ValorForaDoLimite { valor: Centavos::ZERO },
            ),
            (
                com(|c| c.valor = Some(Centavos::new(-1))),
                PixError::ValorForaDoLimite {
                    valor: Centavos::new(-1),
                },
            ),
            (
                com(|c| c.valor = Some(Centavos::new(1_000_000_000_000))),
                PixError::ValorForaDoLimite {
                    valor: Centavos::new(1_000_000_000_000),
                },
            ),
        ];
        for (cobranca, esperado) in casos {
            assert_eq!(encode(&cobranca), Err(esperado), "{cobranca:?}");
        }
        let erro = encode(&com(|c| c.chave = "52998224724".into())).unwrap_err();
        assert_eq!(erro.code(), "pix_chave_invalida");
        let erro = encode(&com(|c| c.chave = "fulano".into())).unwrap_err();
        assert_eq!(erro.code(), "pix_chave_invalida");
    }

    #[test]
    fn description_fills_template_26_up_to_99() {
        let mut pedido = cobranca("52998224725", "Fulano", "BRASILIA");
        // GUI 18 + key 4+11 + description 4+62 = 99.
        pedido.descricao = Some("d".repeat(62));
        let lido = decode(&encode(&pedido).unwrap()).unwrap();
        assert_eq!(lido.descricao.map(|d| d.len()), Some(62));
        pedido.descricao = Some("d".repeat(63));
        assert_eq!(encode(&pedido), Err(PixError::ContaMuitoLonga { tamanho: 100 }));
    }

    #[test]
    fn explicit_no_txid_is_written_as_stars() {
        let mut pedido = cobranca("52998224725", "Fulano", "BRASILIA");
        pedido.txid = Some("***".to_owned());
        assert!(encode(&pedido).unwrap().contains("62070503***6304"));
    }
}
