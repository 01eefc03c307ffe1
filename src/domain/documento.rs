//! CPF and CNPJ: reading, validating and formatting the Brazilian taxpayer numbers.
//!
//! This module owns the rule that decides whether a text is a customer's `documento` (API conventions in
//! `design/api.md`): a CPF (11 digits) or a CNPJ (14 characters, including the alphanumeric CNPJ of the Receita
//! Federal, in force from July 2026), with or without punctuation. Both carry two mod-11 check digits; the
//! alphanumeric CNPJ keeps the same weights and gives each character the value of its ASCII code minus 48, so the
//! digits keep their old values and the numeric CNPJ is a special case of the alphanumeric one.

use std::fmt;
use std::str::FromStr;

/// Which kind of document a [`Documento`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tipo {
    /// Cadastro de Pessoas Físicas: 11 digits.
    Cpf,
    /// Cadastro Nacional da Pessoa Jurídica: 12 alphanumeric characters and 2 check digits.
    Cnpj,
}

impl Tipo {
    /// The name a customer knows the document by, for error messages.
    fn nome(self) -> &'static str {
        match self {
            Tipo::Cpf => "CPF",
            Tipo::Cnpj => "CNPJ",
        }
    }
}

/// A valid CPF or CNPJ, normalised: CPF as 11 digits; CNPJ as 14 characters, the first 12 in `[0-9A-Z]` and the
/// last 2 digits. There is no punctuation and letters are uppercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Documento {
    /// A CPF: 11 ASCII digits.
    Cpf(String),
    /// A CNPJ: 12 characters in `[0-9A-Z]` followed by 2 ASCII digits.
    Cnpj(String),
}

/// Why a text is not a valid CPF or CNPJ.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentoError {
    /// Nothing was left once the punctuation was removed.
    #[error("documento vazio")]
    Vazio,
    /// A character that is neither a letter, a digit nor accepted punctuation. The position counts characters of
    /// the text as typed, from 1.
    #[error("caractere inválido '{caractere}' na posição {posicao}")]
    CaractereInvalido {
        /// The offending character.
        caractere: char,
        /// Its position in the text as typed, counting from 1.
        posicao: usize,
    },
    /// The number of letters and digits is neither 11 nor 14.
    #[error("documento deve ter 11 (CPF) ou 14 (CNPJ) caracteres, recebidos {recebidos}")]
    Comprimento {
        /// How many letters and digits the text had after removing punctuation.
        recebidos: usize,
    },
    /// An 11-character document (a CPF) with a letter: only the CNPJ became alphanumeric.
    #[error("CPF deve ter só dígitos: letra '{caractere}' na posição {posicao}")]
    LetraNoCpf {
        /// The letter, uppercased.
        caractere: char,
        /// Its position in the text as typed, counting from 1.
        posicao: usize,
    },
    /// A letter where a CNPJ has its check digits: they stay numeric in the alphanumeric CNPJ.
    #[error("dígito verificador do CNPJ deve ser numérico: letra '{caractere}' na posição {posicao}")]
    LetraNoDigitoVerificador {
        /// The letter, uppercased.
        caractere: char,
        /// Its position in the text as typed, counting from 1.
        posicao: usize,
    },
    /// Every character is the same (e.g. `00000000000`, `11111111111`): the arithmetic passes but the Receita never
    /// issues such numbers, and they are what people type to get past a form.
    #[error("{} inválido: todos os caracteres são iguais", .tipo.nome())]
    Repetido {
        /// Whether it looked like a CPF or a CNPJ.
        tipo: Tipo,
    },
    /// The two check digits do not match the rest of the number.
    #[error("{} com dígito verificador inválido", .tipo.nome())]
    DigitoVerificador {
        /// Whether it looked like a CPF or a CNPJ.
        tipo: Tipo,
    },
}

impl DocumentoError {
    /// The stable API error code (`design/api.md`): every variant is a `documento_invalido`.
    pub fn code(&self) -> &'static str {
        "documento_invalido"
    }
}

/// Weights of the CPF check digits (Receita Federal): 10..2 over the 9 base digits, then 11..2 over the base and the
/// first check digit. Both are the tail of one table.
const PESOS_CPF: [u32; 10] = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/// Weights of the CNPJ check digits (Receita Federal, unchanged for the alphanumeric CNPJ): 5,4,3,2,9,...,2 over the
/// 12 base characters, then 6,5,4,3,2,9,...,2 over the base and the first check digit.
const PESOS_CNPJ: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/// Reads a CPF or CNPJ.
///
/// `.`, `/`, `-` and whitespace are ignored and letters are uppercased, so `123.456.789-09`,
/// `12.abc.345/01de-35` and `12ABC34501DE35` are all accepted. 11 characters make a CPF (digits only), 14 a CNPJ
/// (alphanumeric base, numeric check digits).
pub fn parse(input: &str) -> Result<Documento, DocumentoError> {
    // Each kept character with its 1-based position in the input, so errors point at what the user typed.
    let mut chars: Vec<(u8, usize)> = Vec::with_capacity(14);
    let mut total = 0usize;
    for (indice, c) in input.chars().enumerate() {
        if matches!(c, '.' | '/' | '-') || c.is_whitespace() {
            continue;
        }
        let posicao = indice.saturating_add(1);
        if !c.is_ascii_alphanumeric() {
            return Err(DocumentoError::CaractereInvalido { caractere: c, posicao });
        }
        total = total.saturating_add(1);
        // Only keep what a document can hold; the count above still reports the full length.
        if chars.len() < 14
            && let Ok(b) = u8::try_from(c.to_ascii_uppercase())
        {
            chars.push((b, posicao));
        }
    }
    let tipo = match total {
        0 => return Err(DocumentoError::Vazio),
        11 => Tipo::Cpf,
        14 => Tipo::Cnpj,
        recebidos => return Err(DocumentoError::Comprimento { recebidos }),
    };
    let numericos = match tipo {
        Tipo::Cpf => chars.as_slice(),
        Tipo::Cnpj => chars.get(12..).unwrap_or_default(),
    };
    if let Some(&(b, posicao)) = numericos.iter().find(|(b, _)| !b.is_ascii_digit()) {
        let caractere = char::from(b);
        return Err(match tipo {
            Tipo::Cpf => DocumentoError::LetraNoCpf { caractere, posicao },
            Tipo::Cnpj => DocumentoError::LetraNoDigitoVerificador { caractere, posicao },
        });
    }
    let numero: Vec<u8> = chars.iter().map(|&(b, _)| b).collect();
    if numero.windows(2).all(|par| par.first() == par.get(1)) {
        return Err(DocumentoError::Repetido { tipo });
    }
    let pesos: &[u32] = match tipo {
        Tipo::Cpf => &PESOS_CPF,
        Tipo::Cnpj => &PESOS_CNPJ,
    };
    let base_len = numero.len().saturating_sub(2);
    let dv1 = digito_verificador(numero.get(..base_len).unwrap_or_default(), pesos);
    let dv2 = digito_verificador(numero.get(..base_len.saturating_add(1)).unwrap_or_default(), pesos);
    if numero.get(base_len..) != Some(&[dv1, dv2][..]) {
        return Err(DocumentoError::DigitoVerificador { tipo });
    }
    // Every byte is ASCII alphanumeric, so this conversion cannot fail; mapping keeps the function total anyway.
    let numero = String::from_utf8(numero).map_err(|_| DocumentoError::DigitoVerificador { tipo })?;
    Ok(match tipo {
        Tipo::Cpf => Documento::Cpf(numero),
        Tipo::Cnpj => Documento::Cnpj(numero),
    })
}

/// One mod-11 check digit, as an ASCII digit, over `chars` (ASCII `[0-9A-Z]`) with the last `chars.len()` weights
/// of `pesos`. Each character is worth its ASCII code minus 48 (Receita Federal, CNPJ alfanumérico), which keeps
/// digits at their face value; a remainder below 2 gives 0, otherwise the digit is 11 minus the remainder.
fn digito_verificador(chars: &[u8], pesos: &[u32]) -> u8 {
    let pesos = pesos.get(pesos.len().saturating_sub(chars.len())..).unwrap_or_default();
    let soma: u32 = chars
        .iter()
        .zip(pesos)
        .map(|(&c, &p)| u32::from(c.saturating_sub(b'0')) * p)
        .sum();
    let resto = soma % 11;
    let dv = if resto < 2 { 0 } else { 11 - resto };
    // dv is at most 9, so the narrowing is exact.
    b'0'.saturating_add(u8::try_from(dv).unwrap_or(0))
}

impl Documento {
    /// Whether this is a CPF or a CNPJ.
    pub fn tipo(&self) -> Tipo {
        match self {
            Documento::Cpf(_) => Tipo::Cpf,
            Documento::Cnpj(_) => Tipo::Cnpj,
        }
    }

    /// The normalised number: no punctuation, letters uppercase.
    pub fn numero(&self) -> &str {
        match self {
            Documento::Cpf(n) | Documento::Cnpj(n) => n,
        }
    }

    /// The number with its usual punctuation: `123.456.789-09` for a CPF, `12.ABC.345/01DE-35` for a CNPJ.
    pub fn formatado(&self) -> String {
        let n = self.numero();
        let parte = |faixa: std::ops::Range<usize>| n.get(faixa).unwrap_or_default();
        match self {
            Documento::Cpf(_) => format!("{}.{}.{}-{}", parte(0..3), parte(3..6), parte(6..9), parte(9..11)),
            Documento::Cnpj(_) => {
                format!(
                    "{}.{}.{}/{}-{}",
                    parte(0..2),
                    parte(2..5),
                    parte(5..8),
                    parte(8..12),
                    parte(12..14)
                )
            }
        }
    }
}

impl fmt::Display for Documento {
    /// Writes the normalised number, the form upstream systems and Pix keys use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numero())
    }
}

impl FromStr for Documento {
    type Err = DocumentoError;

    /// Same as [`parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Valid documents: input as typed, expected type, normalised number, formatted number.
    const VALIDOS: &[(&str, Tipo, &str, &str)] = &[
        // Receita Federal's published alphanumeric CNPJ example.
        ("12.ABC.345/01DE-35", Tipo::Cnpj, "12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("12ABC34501DE35", Tipo::Cnpj, "12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("12.abc.345/01de-35", Tipo::Cnpj, "12ABC34501DE35", "12.ABC.345/01DE-35"),
        (
            " 12 ABC 345 01DE 35 ",
            Tipo::Cnpj,
            "12ABC34501DE35",
            "12.ABC.345/01DE-35",
        ),
        // The CNPJ key example of the BCB Pix manual (formats.md §4.4).
        ("00038166000105", Tipo::Cnpj, "00038166000105", "00.038.166/0001-05"),
        ("11.222.333/0001-81", Tipo::Cnpj, "11222333000181", "11.222.333/0001-81"),
        ("123.456.789-09", Tipo::Cpf, "12345678909", "123.456.789-09"),
        ("529.982.247-25", Tipo::Cpf, "52998224725", "529.982.247-25"),
        // The CPF key of vector pix-032.
        ("57946663234", Tipo::Cpf, "57946663234", "579.466.632-34"),
        ("579\t466\u{a0}632-34", Tipo::Cpf, "57946663234", "579.466.632-34"),
    ];

    /// Invalid documents and the exact error.
    fn invalidos() -> Vec<(&'static str, DocumentoError)> {
        use DocumentoError::*;
        vec![
            ("", Vazio),
            (" .-/ ", Vazio),
            ("123.456.78", Comprimento { recebidos: 8 }),
            ("1234567890", Comprimento { recebidos: 10 }),
            ("123456789012", Comprimento { recebidos: 12 }),
            ("123456789012345", Comprimento { recebidos: 15 }),
            ("12x", Comprimento { recebidos: 3 }),
            (
                "12_4567890",
                CaractereInvalido {
                    caractere: '_',
                    posicao: 3,
                },
            ),
            (
                "123.456.789,09",
                CaractereInvalido {
                    caractere: ',',
                    posicao: 12,
                },
            ),
            (
                "12É45678909",
                CaractereInvalido {
                    caractere: 'É',
                    posicao: 3,
                },
            ),
            (
                "123.456.789-0９",
                CaractereInvalido {
                    caractere: '９',
                    posicao: 14,
                },
            ),
            ("12345678900", DigitoVerificador { tipo: Tipo::Cpf }),
            ("123.456.789-90", DigitoVerificador { tipo: Tipo::Cpf }),
            ("00.038.166/0001-06", DigitoVerificador { tipo: Tipo::Cnpj }),
            ("12ABC34501DE53", DigitoVerificador { tipo: Tipo::Cnpj }),
            ("12ABC34501DF35", DigitoVerificador { tipo: Tipo::Cnpj }),
            (
                "1234567890A",
                LetraNoCpf {
                    caractere: 'A',
                    posicao: 11,
                },
            ),
            (
                "abc.456.789-09",
                LetraNoCpf {
                    caractere: 'A',
                    posicao: 1,
                },
            ),
            (
                "12ABC34501DE3A",
                LetraNoDigitoVerificador {
                    caractere: 'A',
                    posicao: 14,
                },
            ),
            (
                "12.ABC.345/01DE-x5",
                LetraNoDigitoVerificador {
                    caractere: 'X',
                    posicao: 17,
                },
            ),
            ("00000000000", Repetido { tipo: Tipo::Cpf }),
            ("111.111.111-11", Repetido { tipo: Tipo::Cpf }),
            ("99999999999", Repetido { tipo: Tipo::Cpf }),
            ("00000000000000", Repetido { tipo: Tipo::Cnpj }),
            ("11.111.111/1111-11", Repetido { tipo: Tipo::Cnpj }),
        ]
    }

    #[test]
    fn validos_sao_aceitos_e_formatados() {
        for &(entrada, tipo, numero, formatado) in VALIDOS {
            let doc = parse(entrada).unwrap_or_else(|e| panic!("{entrada:?} deveria ser válido: {e}"));
            assert_eq!(doc.tipo(), tipo, "{entrada:?}");
            assert_eq!(doc.numero(), numero, "{entrada:?}");
            assert_eq!(doc.to_string(), numero, "{entrada:?}");
            assert_eq!(doc.formatado(), formatado, "{entrada:?}");
            assert_eq!(entrada.parse::<Documento>(), Ok(doc), "{entrada:?}");
        }
    }

    #[test]
    fn invalidos_sao_rejeitados_com_o_motivo() {
        for (entrada, esperado) in invalidos() {
            let erro = parse(entrada).expect_err(entrada);
            assert_eq!(erro, esperado, "{entrada:?}");
            assert_eq!(erro.code(), "documento_invalido");
        }
    }

    #[test]
    fn mensagens_em_portugues_nomeiam_o_problema() {
        let casos = [
            ("12345678900", "CPF com dígito verificador inválido"),
            ("12ABC34501DE53", "CNPJ com dígito verificador inválido"),
            (
                "1234567890",
                "documento deve ter 11 (CPF) ou 14 (CNPJ) caracteres, recebidos 10",
            ),
            ("12x_", "caractere inválido '_' na posição 4"),
            ("00000000000", "CPF inválido: todos os caracteres são iguais"),
            ("1234567890A", "CPF deve ter só dígitos: letra 'A' na posição 11"),
            (
                "12ABC34501DE3A",
                "dígito verificador do CNPJ deve ser numérico: letra 'A' na posição 14",
            ),
            ("", "documento vazio"),
        ];
        for (entrada, mensagem) in casos {
            assert_eq!(
                parse(entrada).map_err(|e| e.to_string()),
                Err(mensagem.to_owned()),
                "{entrada:?}"
            );
        }
    }

    /// Mod 11 does NOT catch every single-character substitution: the remainders 0 and 1 both give check digit 0,
    /// the first CPF digit has weight 11 ≡ 0 in the second check digit, and alphanumeric values 11 apart (`7` = 7,
    /// `B` = 18) weigh the same mod 11. These pairs are both valid, and must stay so.
    #[test]
    fn substituicoes_que_o_modulo_11_nao_detecta() {
        let pares = [
            ("13917261200", "23917261200"),
            ("13917261200", "13917461200"),
            ("66259846946800", "66259846746800"),
        ];
        for (a, b) in pares {
            assert!(parse(a).is_ok() && parse(b).is_ok(), "{a} / {b}");
        }
        // '7' → 'B' anywhere in a CNPJ base leaves both check digits unchanged.
        let base = "1277C34501DE";
        let com_b = base.replacen('7', "B", 1);
        assert_eq!(completar_cnpj(base).get(12..), completar_cnpj(&com_b).get(12..));
    }

    /// Independent reference, written the way the Receita describes it (explicit weight lists, i64 arithmetic),
    /// used to judge mutated documents in the properties below.
    fn referencia_valido(s: &str) -> bool {
        fn dv(valores: &[i64], pesos: &[i64]) -> i64 {
            let r = valores.iter().zip(pesos).map(|(v, p)| v * p).sum::<i64>() % 11;
            if r < 2 { 0 } else { 11 - r }
        }
        let v: Vec<i64> = s.bytes().map(|b| i64::from(b) - 48).collect();
        let repetido = s.bytes().all(|b| Some(b) == s.bytes().next());
        let ok = match s.len() {
            11 if s.bytes().all(|b| b.is_ascii_digit()) => {
                dv(&v[..9], &[10, 9, 8, 7, 6, 5, 4, 3, 2]) == v[9]
                    && dv(&v[..10], &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]) == v[10]
            }
            14 if s[..12].bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && s[12..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                dv(&v[..12], &[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) == v[12]
                    && dv(&v[..13], &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) == v[13]
            }
            _ => false,
        };
        ok && !repetido
    }

    fn completar_cpf(base: &str) -> String {
        let mut s = base.to_owned();
        for pesos in [&PESOS_CPF[1..], &PESOS_CPF[..]] {
            s.push(char::from(digito_verificador(s.as_bytes(), pesos)));
        }
        s
    }

    fn completar_cnpj(base: &str) -> String {
        let mut s = base.to_owned();
        for pesos in [&PESOS_CNPJ[1..], &PESOS_CNPJ[..]] {
            s.push(char::from(digito_verificador(s.as_bytes(), pesos)));
        }
        s
    }

    #[test]
    fn referencia_concorda_com_a_tabela() {
        for &(_, _, numero, _) in VALIDOS {
            assert!(referencia_valido(numero), "{numero}");
        }
        assert_eq!(completar_cpf("123456789"), "12345678909");
        assert_eq!(completar_cnpj("12ABC34501DE"), "12ABC34501DE35");
    }

    const ALFANUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    proptest! {
        #[test]
        fn cpf_gerado_e_aceito_e_volta_do_formatado(base in "[0-9]{9}") {
            let cpf = completar_cpf(&base);
            prop_assume!(!cpf.bytes().all(|b| b == cpf.as_bytes()[0]));
            prop_assert!(referencia_valido(&cpf));
            let doc = parse(&cpf).unwrap();
            prop_assert_eq!(doc.tipo(), Tipo::Cpf);
            prop_assert_eq!(doc.numero(), cpf.as_str());
            prop_assert_eq!(parse(&doc.formatado()), Ok(doc));
        }

        #[test]
        fn cnpj_gerado_e_aceito_e_volta_do_formatado(base in "[0-9A-Za-z]{12}") {
            let cnpj = completar_cnpj(&base.to_ascii_uppercase());
            prop_assume!(!cnpj.bytes().all(|b| b == cnpj.as_bytes()[0]));
            prop_assert!(referencia_valido(&cnpj));
            // Lowercase input is accepted and normalised.
            let entrada = format!("{}{}", base, &cnpj[12..]);
            let doc = parse(&entrada).unwrap();
            prop_assert_eq!(doc.tipo(), Tipo::Cnpj);
            prop_assert_eq!(doc.numero(), cnpj.as_str());
            prop_assert_eq!(parse(&doc.formatado()), Ok(doc));
        }

        /// A single-character change is accepted exactly when the independent reference says the result is valid
        /// (mod 11 misses some substitutions, see `substituicoes_que_o_modulo_11_nao_detecta`).
        #[test]
        fn troca_de_um_caractere(cnpj in any::<bool>(), base in "[0-9A-Z]{12}", pos in 0usize..14, novo in 0usize..36) {
            let original = if cnpj { completar_cnpj(&base) } else { completar_cpf(&base[..9].replace(|c: char| c.is_ascii_uppercase(), "7")) };
            let pos = pos % original.len();
            let novo = char::from(ALFANUM.as_bytes()[novo]);
            prop_assume!(original.as_bytes()[pos] != novo as u8);
            let mut mutado = original.into_bytes();
            mutado[pos] = novo as u8;
            let mutado = String::from_utf8(mutado).unwrap();
            prop_assert_eq!(parse(&mutado).is_ok(), referencia_valido(&mutado), "{}", mutado);
        }

        /// A numeric single-digit change of a numeric CPF is nearly always caught; where it is not, the reference
        /// agrees. Checked exhaustively for each generated document.
        #[test]
        fn trocas_numericas_concordam_com_a_referencia(base in "[0-9]{9}") {
            let cpf = completar_cpf(&base);
            for pos in 0..11 {
                for d in b'0'..=b'9' {
                    let mut m = cpf.clone().into_bytes();
                    m[pos] = d;
                    let m = String::from_utf8(m).unwrap();
                    prop_assert_eq!(parse(&m).is_ok(), referencia_valido(&m), "{}", m);
                }
            }
        }

        #[test]
        fn nunca_entra_em_panico(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn nunca_entra_em_panico_perto_do_formato(s in "[0-9A-Za-z./ \\-]{0,20}") {
            if let Ok(doc) = parse(&s) {
                prop_assert!(referencia_valido(doc.numero()));
                prop_assert_eq!(parse(&doc.formatado()), Ok(doc));
            }
        }
    }
}
