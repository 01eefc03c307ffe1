//! Money as integer centavos.
//!
//! Every amount borda stores, compares or sends is a [`Centavos`]; `f64` never touches money outside the
//! credit-limit contract, which is defined with doubles upstream. Amounts are read exactly, from their text, by one
//! grammar ([`Centavos::parse`]), whether they arrive as text or as a JSON number ([`Centavos::from_json`]); they are
//! written as `"1234.56"`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// An amount of Brazilian reais, in centavos.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Centavos(i64);

/// Why a text could not be read as an amount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("valor vazio")]
    Empty,
    #[error(
        "\"{0}\" não é um valor em reais: use só dígitos com até duas casas decimais, ex.: 1234.56, 1234,56 ou 1.234,56"
    )]
    Malformed(String),
    #[error("{0}: expoente não é aceito em valores; escreva o número por extenso, ex.: 100.00")]
    Exponent(String),
    #[error("informe o valor como texto decimal (ex.: \"99.90\") ou número, recebido {0}")]
    NotANumber(&'static str),
    #[error("valor \"{0}\" é grande demais")]
    Overflow(String),
}

impl Centavos {
    pub const ZERO: Centavos = Centavos(0);

    pub const fn new(centavos: i64) -> Self {
        Centavos(centavos)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Reads an amount written the way Brazilian systems write them, exactly or not at all.
    ///
    /// After trimming outer ASCII whitespace the text must be one of:
    ///
    /// - plain: digits, optionally a `.` or `,` and one or two decimal digits (`"10"`, `"0.9"`, `"123,45"`);
    /// - grouped: 1–3 digits, then one or more `.` + three digits, optionally `,` and one or two decimal digits
    ///   (`"1.234,56"`, `"1.234.567"`): dots group threes and the comma is the decimal separator, all or nothing.
    ///
    /// One grouped shape is refused: a single group with no decimal part (`"1.234"`, `"10.001"`) is either a
    /// thousand reais or a malformed amount with three decimals, and a wrong guess is a thousandfold error on
    /// somebody's bill. Everything else is refused too: signs (so negative amounts), `R$`, exponents, other
    /// separators (`_`, `'`, spaces), US grouping (`1,234.56`), more than two decimals, a separator without digits
    /// on both sides.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, fraction) = plain(trimmed)
            .or_else(|| grouped(trimmed))
            .ok_or_else(|| MoneyError::Malformed(trimmed.to_owned()))?;
        let overflow = || MoneyError::Overflow(trimmed.to_owned());
        let fraction_padded = [fraction.as_bytes(), b"00"].concat();
        let mut centavos: i64 = 0;
        for digit in whole.bytes().chain(fraction_padded[..2].iter().copied()) {
            centavos = centavos
                .checked_mul(10)
                .and_then(|c| c.checked_add(i64::from(digit - b'0')))
                .ok_or_else(overflow)?;
        }
        Ok(Centavos(centavos))
    }

    /// Reads an amount that arrived as JSON: a string or a number, both read from their text by [`Centavos::parse`].
    ///
    /// A number is taken from its literal text (serde_json's `arbitrary_precision` keeps its digits as written),
    /// never through `f64`:
    /// `10.5` is 1050 centavos, `10.001` is refused like `"10.001"`, and `1e2` is refused because exponents are
    /// not accepted. `null`, booleans and containers are [`MoneyError::NotANumber`].
    pub fn from_json(valor: &Value) -> Result<Self, MoneyError> {
        match valor {
            Value::String(text) => Centavos::parse(text),
            Value::Number(number) => {
                let text = number.as_str();
                if text.contains(['e', 'E']) {
                    return Err(MoneyError::Exponent(text.to_owned()));
                }
                Centavos::parse(text)
            }
            Value::Null => Err(MoneyError::NotANumber("null")),
            Value::Bool(_) => Err(MoneyError::NotANumber("um booleano")),
            Value::Array(_) => Err(MoneyError::NotANumber("uma lista")),
            Value::Object(_) => Err(MoneyError::NotANumber("um objeto")),
        }
    }
}

/// `text` as plain digits with an optional `.` or `,` and one or two decimals: its whole and fraction digits.
fn plain(text: &str) -> Option<(String, &str)> {
    let (whole, fraction) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let whole_ok = !whole.is_empty() && all_digits(whole);
    let fraction_ok = fraction.is_none_or(|f| (1..=2).contains(&f.len()) && all_digits(f));
    (whole_ok && fraction_ok).then(|| (whole.to_owned(), fraction.unwrap_or("")))
}

/// `text` as dot-grouped thousands with an optional `,` and 1–2 decimals: its whole digits (groups joined) and its
/// fraction digits. A single group without decimals (`"1.234"`) is ambiguous and refused.
fn grouped(text: &str) -> Option<(String, &str)> {
    let (whole, fraction) = match text.split_once(',') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction
        && !((1..=2).contains(&fraction.len()) && all_digits(fraction))
    {
        return None;
    }
    let groups: Vec<&str> = whole.split('.').collect();
    let (first, rest) = groups.split_first()?;
    let first_ok = (1..=3).contains(&first.len()) && all_digits(first);
    let rest_ok = !rest.is_empty() && rest.iter().all(|g| g.len() == 3 && all_digits(g));
    let unambiguous = rest.len() > 1 || fraction.is_some();
    (first_ok && rest_ok && unambiguous).then(|| (groups.concat(), fraction.unwrap_or("")))
}

/// Whether every character of `text` is an ASCII digit (true for the empty text).
fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

impl Centavos {
    /// The amount as a Brazilian reads it on paper: `R$ 1.234,56`, `R$ 0,05`, `-R$ 0,50` (dot-grouped thousands,
    /// comma decimal, always two decimals), exactly from the centavos. For receipts and previews; the API writes
    /// [`Display`](fmt::Display)'s `"1234.56"`.
    pub fn em_reais(self) -> String {
        let absoluto = self.0.unsigned_abs();
        let inteiro = (absoluto / 100).to_string();
        let mut texto = String::with_capacity(inteiro.len() + inteiro.len() / 3 + 8);
        if self.0 < 0 {
            texto.push('-');
        }
        texto.push_str("R$ ");
        for (indice, digito) in inteiro.chars().enumerate() {
            if indice > 0 && (inteiro.len() - indice).is_multiple_of(3) {
                texto.push('.');
            }
            texto.push(digito);
        }
        texto.push(',');
        let resto = absoluto % 100;
        // Two decimal digits; `resto` < 100, so each division gives one digit.
        for digito in [resto / 10, resto % 10] {
            texto.push(char::from_digit(u32::try_from(digito).unwrap_or(0), 10).unwrap_or('0'));
        }
        texto
    }
}

impl fmt::Display for Centavos {
    /// Writes `"1234.56"`: no thousands separator, always two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let absolute = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", absolute / 100, absolute % 100)
    }
}

impl FromStr for Centavos {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Centavos::parse(text)
    }
}

impl Serialize for Centavos {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads back what [`Serialize`] wrote (borda's own JSON, such as the offline cache): the [`Centavos::parse`]
/// grammar after an optional `-`, because an amount borda holds may be negative (a desconto, a difference) and its
/// stored form must read back. Money from outside is read by [`Centavos::parse`] or [`Centavos::from_json`], which
/// refuse signs.
impl<'de> Deserialize<'de> for Centavos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let read = match text.strip_prefix('-') {
            Some(absolute) => Centavos::parse(absolute).map(|c| Centavos(-c.0)),
            None => Centavos::parse(&text),
        };
        read.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn em_reais_brasileiros() {
        for (centavos, texto) in [
            (0, "R$ 0,00"),
            (5, "R$ 0,05"),
            (100, "R$ 1,00"),
            (99_999, "R$ 999,99"),
            (123_456, "R$ 1.234,56"),
            (123_456_789, "R$ 1.234.567,89"),
            (-50, "-R$ 0,50"),
            (i64::MIN, "-R$ 92.233.720.368.547.758,08"),
        ] {
            assert_eq!(Centavos::new(centavos).em_reais(), texto);
        }
    }

    #[test]
    fn reads_the_shapes_erps_send() {
        for (text, centavos) in [
            ("123.45", 12345),
            ("123,45", 12345),
            ("1.234,56", 123456),
            ("1.234.567", 123456700),
            ("1.234.567,8", 123456780),
            ("12.345,67", 1234567),
            ("123.456,00", 12345600),
            ("10", 1000),
            ("0.9", 90),
            ("007", 700),
            (" 7 ", 700),
            ("\t10,50\n", 1050),
            ("92233720368547758.07", i64::MAX),
        ] {
            assert_eq!(Centavos::parse(text), Ok(Centavos::new(centavos)), "{text}");
        }
    }

    #[test]
    fn refuses_every_hostile_or_ambiguous_text() {
        for text in [
            // Anything between digit groups used to be read as a thousands separator.
            "1e309",
            "12e345e678",
            "1x000",
            "1_309",
            "1'309",
            "1 309",
            "1E2",
            "1e-2",
            // Signs and currency.
            "-1.00",
            "+1.00",
            "-0",
            "R$ 12,00",
            "R$12,00",
            "12,00 R$",
            // US grouping, mixed grouping, ambiguity, too many decimals.
            "1,234.56",
            "1,234,567",
            "1.234",
            "10.001",
            "1,234",
            "0.125",
            "1.2.3,4",
            "1.234.56",
            "1.23,45",
            "1234.567,89",
            "12.34.567",
            "1.234,567",
            "1.234,",
            // Separators without digits on both sides.
            "10.",
            ",5",
            ".",
            ",",
            "1..0",
            "1,,0",
            "1.,0",
            // Not numbers at all, or not ASCII digits.
            "",
            "   ",
            "abc",
            "12a",
            "١٢",
            "１２",
            "99999999999999999999",
            "92233720368547758.08",
        ] {
            assert!(Centavos::parse(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn overflow_and_emptiness_have_their_own_errors() {
        assert_eq!(Centavos::parse("  "), Err(MoneyError::Empty));
        assert!(matches!(
            Centavos::parse("99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(Centavos::parse("1e309"), Err(MoneyError::Malformed(_))));
    }

    #[test]
    fn writes_two_decimals_without_grouping() {
        assert_eq!(Centavos::new(123456).to_string(), "1234.56");
        assert_eq!(Centavos::new(5).to_string(), "0.05");
        assert_eq!(Centavos::new(-100).to_string(), "-1.00");
        assert_eq!(Centavos::new(i64::MIN).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn json_strings_and_numbers_are_read_from_their_text() {
        let valor = |text: &str| Centavos::from_json(&serde_json::from_str::<Value>(text).unwrap());
        for (json, centavos) in [
            ("10.5", 1050),
            ("10", 1000),
            ("0.1", 10),
            ("99.9", 9990),
            ("102.23", 10223),
            ("12.50", 1250),
            ("\"1.234,56\"", 123456),
            ("\"10.50\"", 1050),
            ("92233720368547758.07", i64::MAX),
        ] {
            assert_eq!(valor(json), Ok(Centavos::new(centavos)), "{json}");
        }
        for json in [
            "10.001",
            "\"10.001\"",
            "1.234",
            "1.005",
            "-1",
            "-0",
            "0.125",
            "1e309",
            "\"1e309\"",
            "null",
            "true",
            "[]",
            "{}",
        ] {
            assert!(valor(json).is_err(), "{json} must be refused");
        }
        assert_eq!(
            valor("99999999999999999999.99"),
            Err(MoneyError::Overflow("99999999999999999999.99".to_owned()))
        );
    }

    #[test]
    fn json_exponents_are_refused_saying_so() {
        for json in ["1e2", "1E2", "1.5e1", "1e-2", "1e309"] {
            let error = Centavos::from_json(&serde_json::from_str::<Value>(json).unwrap()).unwrap_err();
            // serde_json writes the exponent back normalised (`1e+2`), the digits before it as they came.
            assert!(matches!(error, MoneyError::Exponent(_)), "{json}: {error:?}");
            assert!(error.to_string().contains("expoente"), "{error}");
        }
        // Built in code, through f64, a number still carries text without exponent when it is small.
        assert_eq!(Centavos::from_json(&json!(12.5)), Ok(Centavos::new(1250)));
    }

    #[test]
    fn stored_form_reads_back_including_negative_amounts() {
        for centavos in [0, 5, -5, 123_456, -123_456, i64::MAX, i64::MIN + 1] {
            let amount = Centavos::new(centavos);
            let json = serde_json::to_string(&amount).unwrap();
            assert_eq!(serde_json::from_str::<Centavos>(&json).unwrap(), amount, "{json}");
        }
        assert!(serde_json::from_str::<Centavos>("\"--1.00\"").is_err());
        assert!(serde_json::from_str::<Centavos>("\"-+1.00\"").is_err());
        assert!(serde_json::from_str::<Centavos>("\"1e3\"").is_err());
    }

    /// An independent reading of the grammar, for the property below: the text (ASCII-trimmed) cut into runs of
    /// digits and single other characters, then the token sequence matched against the accepted shapes. Returns
    /// the amount in centavos (unbounded, as u128) or None when the text is not money.
    fn reference(text: &str) -> Option<u128> {
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        let mut end = chars.len();
        while start < end && matches!(chars[start], ' ' | '\t' | '\n' | '\r' | '\x0c') {
            start += 1;
        }
        while end > start && matches!(chars[end - 1], ' ' | '\t' | '\n' | '\r' | '\x0c') {
            end -= 1;
        }
        #[derive(Debug)]
        enum Token {
            Digits(String),
            Other(char),
        }
        let mut tokens: Vec<Token> = Vec::new();
        for &c in &chars[start..end] {
            match (c.is_ascii_digit(), tokens.last_mut()) {
                (true, Some(Token::Digits(run))) => run.push(c),
                (true, _) => tokens.push(Token::Digits(c.to_string())),
                (false, _) => tokens.push(Token::Other(c)),
            }
        }
        let value = |whole: &str, fraction: &str| -> Option<u128> {
            let mut digits = format!("{whole}{fraction}");
            for _ in fraction.len()..2 {
                digits.push('0');
            }
            digits.parse::<u128>().ok()
        };
        use Token::{Digits, Other};
        match tokens.as_slice() {
            [Digits(whole)] => value(whole, ""),
            [Digits(whole), Other('.' | ','), Digits(fraction)] if fraction.len() <= 2 => value(whole, fraction),
            [Digits(first), rest @ ..] if (1..=3).contains(&first.len()) => {
                // Dot groups of three, then optionally a comma and one or two decimals.
                let mut whole = first.clone();
                let mut groups = 0;
                let mut rest = rest;
                while let [Other('.'), Digits(group), tail @ ..] = rest {
                    if group.len() != 3 {
                        return None;
                    }
                    whole.push_str(group);
                    groups += 1;
                    rest = tail;
                }
                let fraction = match rest {
                    [] => None,
                    [Other(','), Digits(fraction)] if fraction.len() <= 2 => Some(fraction.as_str()),
                    _ => return None,
                };
                let unambiguous = groups >= 2 || (groups == 1 && fraction.is_some());
                if groups == 0 || !unambiguous {
                    return None;
                }
                value(&whole, fraction.unwrap_or(""))
            }
            _ => None,
        }
    }

    /// Texts heavy in digits and in the characters hostile inputs are made of.
    fn hostile_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            12 => (0u8..10).prop_map(|d| char::from(b'0' + d).to_string()),
            4 => Just(".".to_owned()),
            4 => Just(",".to_owned()),
            1 => Just("e".to_owned()),
            1 => Just("E".to_owned()),
            1 => Just("_".to_owned()),
            1 => Just("'".to_owned()),
            1 => Just(" ".to_owned()),
            1 => Just("-".to_owned()),
            1 => Just("+".to_owned()),
            1 => Just("R$".to_owned()),
        ];
        proptest::collection::vec(piece, 0..18).prop_map(|pieces| pieces.concat())
    }

    /// Texts shaped like grouped amounts, so that the property also sees many accepted grouped texts.
    fn grouped_text() -> impl Strategy<Value = String> {
        (
            "[0-9]{1,4}",
            proptest::collection::vec("[.,][0-9]{1,4}", 0..5),
            proptest::option::of("[.,][0-9]{0,3}"),
        )
            .prop_map(|(first, groups, tail)| format!("{first}{}{}", groups.concat(), tail.unwrap_or_default()))
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_what_the_reference_grammar_accepts(
            text in prop_oneof![hostile_text(), grouped_text()]
        ) {
            match (Centavos::parse(&text), reference(&text)) {
                (Ok(amount), Some(expected)) => prop_assert_eq!(u128::try_from(amount.get()).ok(), Some(expected)),
                (Err(MoneyError::Overflow(_)), Some(expected)) => prop_assert!(i64::try_from(expected).is_err()),
                (Err(_), None) => {}
                (parsed, expected) => prop_assert!(false, "{text:?}: parse {parsed:?}, reference {expected:?}"),
            }
        }

        #[test]
        fn display_then_parse_is_identity(centavos in 0i64..=i64::MAX) {
            let amount = Centavos::new(centavos);
            prop_assert_eq!(Centavos::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn json_number_text_reads_like_the_string(centavos in 0i64..1_000_000_000_000) {
            let amount = Centavos::new(centavos);
            let number: Value = serde_json::from_str(&amount.to_string()).unwrap();
            prop_assert_eq!(Centavos::from_json(&number), Ok(amount));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,24}") {
            let _ = Centavos::parse(&text);
        }
    }
}
