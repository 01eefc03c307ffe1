//! Money as integer centavos.
//!
//! Every amount borda stores, compares or sends is a [`Centavos`]; `f64` never touches money. Amounts are read
//! exactly, from their text, by one grammar ([`Centavos::parse`]), whether they arrive as text or as a JSON number
//! ([`Centavos::from_json`]); they are written as `"1234.56"`. The credit-limit contract, defined with doubles
//! upstream, is read and written from the numbers' text too ([`Centavos::de_double`], [`Centavos::para_double`]).

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

    /// Reads an amount the credit-limit contract sent as a JSON double (`800.0`, `1234.56`, `1.0E3`, `-12.5`),
    /// exactly, from the number's literal text (serde_json's `arbitrary_precision`), never through `f64`.
    ///
    /// The text is an optional `-`, digits, optionally `.` and digits, optionally `e`/`E`, a sign and digits; the
    /// exponent moves the decimal point. The exact value is rounded to centavos half-even on its magnitude
    /// (banker's rounding): `0.015` is 0.02, `0.025` is 0.02, `800.005` is 800.00, `800.0051` is 800.01, `-0.015`
    /// is -0.02, and float noise goes: `0.30000000000000004` is 0.30. The flag says whether rounding changed the
    /// value, that is whether the exact value was not a whole number of centavos (`800.000` is exact, `800.005` is
    /// not). Negative amounts are read (an overdrawn balance); `-0.0` is zero.
    ///
    /// Any other shape is [`MoneyError::Malformed`]; an amount beyond `i64` centavos is [`MoneyError::Overflow`],
    /// however large the exponent (`1e999999`): it is never written out as digits.
    pub fn de_double(numero: &serde_json::Number) -> Result<(Centavos, bool), MoneyError> {
        read_double(numero.as_str())
    }

    /// The amount as the credit-limit contract's JSON double, written like Java prints a double: the fewest
    /// decimals but at least one (`800.0`, `800.5`, `800.55`, `0.05`, `-12.5`, `0.0`), from the centavos with
    /// integer arithmetic. Never an exponent (Java writes `1.0E7` from ten million on; JSON readers take both).
    /// [`Centavos::de_double`] reads it back exactly.
    pub fn para_double(self) -> serde_json::Number {
        let sign = if self.0 < 0 { "-" } else { "" };
        let absolute = self.0.unsigned_abs();
        let (whole, rest) = (absolute / 100, absolute % 100);
        let text = if rest % 10 == 0 {
            format!("{sign}{whole}.{}", rest / 10)
        } else {
            format!("{sign}{whole}.{rest:02}")
        };
        // `-?digits.digits` is always a JSON number: the fallback is unreachable (the tests cover every i64).
        serde_json::from_str(&text).unwrap_or_else(|_| serde_json::Number::from(0))
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

/// [`Centavos::de_double`] on the number's text: `-?digits(.digits)?([eE][+-]?digits)?`, rounded half-even.
fn read_double(text: &str) -> Result<(Centavos, bool), MoneyError> {
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let malformed = || MoneyError::Malformed(text.to_owned());
    let overflow = || MoneyError::Overflow(text.to_owned());
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(unsigned) => (true, unsigned),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent_value(exponent).ok_or_else(malformed)?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |digits: &str| !digits.is_empty() && all_digits(digits);
    if !digits_ok(whole) || (mantissa.contains('.') && !digits_ok(fraction)) {
        return Err(malformed());
    }
    // The amount is `digits` × 10^`shift` centavos.
    let digits: Vec<u8> = whole
        .bytes()
        .chain(fraction.bytes())
        .skip_while(|&digit| digit == b'0')
        .map(|digit| digit - b'0')
        .collect();
    let fraction_len = i64::try_from(fraction.len()).unwrap_or(i64::MAX);
    let shift = exponent.saturating_add(2).saturating_sub(fraction_len);
    let (magnitude, inexact) = scale_half_even(&digits, shift).ok_or_else(overflow)?;
    let centavos = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    Ok((Centavos(centavos.ok_or_else(overflow)?), inexact))
}

/// An exponent's text, `[+-]?digits`, as a number saturated at `i64`'s bounds: no literal that fits in memory has
/// a fraction long enough for a saturated exponent to mean anything but overflow or zero.
fn exponent_value(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !all_digits(digits) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |value, digit| {
        value.saturating_mul(10).saturating_add(i64::from(digit - b'0'))
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// `digits` (decimal digit values, most significant first, no leading zero) × 10^`shift`, rounded half-even to an
/// integer, and whether that dropped anything other than zeros. None when the result does not fit a `u64`.
fn scale_half_even(digits: &[u8], shift: i64) -> Option<(u64, bool)> {
    let value = |digits: &[u8]| {
        digits.iter().try_fold(0u64, |value, &digit| {
            value.checked_mul(10)?.checked_add(u64::from(digit))
        })
    };
    if digits.is_empty() {
        return Some((0, false));
    }
    if shift >= 0 {
        let scale = 10u64.checked_pow(u32::try_from(shift).ok()?)?;
        return Some((value(digits)?.checked_mul(scale)?, false));
    }
    // The last `-shift` digits are dropped; when there are more of them than digits the value is below 0.1.
    let kept_len = match usize::try_from(shift.unsigned_abs()) {
        Ok(dropped_len) if dropped_len <= digits.len() => digits.len() - dropped_len,
        _ => return Some((0, true)),
    };
    let (kept, dropped) = digits.split_at(kept_len);
    let kept = value(kept)?;
    let round_up = match dropped.split_first() {
        Some((&first, rest)) => first > 5 || (first == 5 && (rest.iter().any(|&d| d != 0) || kept % 2 == 1)),
        None => false,
    };
    let inexact = dropped.iter().any(|&d| d != 0);
    Some((kept.checked_add(u64::from(round_up))?, inexact))
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

    /// A JSON number's text as a [`serde_json::Number`], for the credit-limit tests.
    fn number(text: &str) -> serde_json::Number {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn de_double_reads_doubles_exactly_rounding_half_even() {
        for (text, centavos, inexact) in [
            ("800.0", 80_000, false),
            ("264.0", 26_400, false),
            ("1234.56", 123_456, false),
            ("800.000", 80_000, false),
            ("12", 1_200, false),
            ("0.30000000000000004", 30, true),
            ("0.005", 0, true),
            ("0.015", 2, true),
            ("0.025", 2, true),
            ("0.045", 4, true),
            ("0.055", 6, true),
            ("0.0049999", 0, true),
            ("0.0050001", 1, true),
            ("800.005", 80_000, true),
            ("800.0051", 80_001, true),
            ("800.015", 80_002, true),
            ("-0.015", -2, true),
            ("-0.025", -2, true),
            ("-0.035", -4, true),
            ("-12.5", -1_250, false),
            ("-0.0", 0, false),
            ("-0", 0, false),
            ("0", 0, false),
            ("1.0E3", 100_000, false),
            ("1.5e-1", 15, false),
            ("1e2", 10_000, false),
            ("1E+2", 10_000, false),
            ("-1.25E1", -1_250, false),
            ("1.5e-2", 2, true),
            ("2.5e-2", 2, true),
            ("12345e-5", 12, true),
            ("5e-3", 0, true),
            ("1e-999999", 0, true),
            ("0e999999", 0, false),
            ("0.000e-5", 0, false),
            ("92233720368547758.07", i64::MAX, false),
            ("9.223372036854775807e16", i64::MAX, false),
            ("92233720368547758.074", i64::MAX, true),
            ("-92233720368547758.08", i64::MIN, false),
            ("-92233720368547758.085", i64::MIN, true),
        ] {
            assert_eq!(
                Centavos::de_double(&number(text)),
                Ok((Centavos::new(centavos), inexact)),
                "{text}"
            );
        }
        for text in [
            "92233720368547758.08",
            "92233720368547758.075",
            "-92233720368547758.09",
            "-92233720368547758.0851",
            "99999999999999999999",
            "1e17",
            "1e18",
            "1e999999",
            "-1e999999",
            "1e99999999999999999999999999",
        ] {
            let parsed = number(text);
            assert_eq!(
                Centavos::de_double(&parsed),
                Err(MoneyError::Overflow(parsed.as_str().to_owned())),
                "{text}"
            );
        }
    }

    #[test]
    fn de_double_refuses_what_is_not_a_number() {
        // serde_json only makes numbers from valid JSON; the text reader behind `de_double` refuses the rest.
        assert_eq!(read_double(""), Err(MoneyError::Empty));
        for text in [
            "-",
            "+1",
            ".5",
            "5.",
            "-.5",
            "1e",
            "1e+",
            "1e-",
            "e5",
            "1.2.3",
            "1,5",
            "0x10",
            " 1",
            "1 ",
            "--1",
            "-+1",
            "1e+-2",
            "1e2.5",
            "1e2e3",
            "NaN",
            "Infinity",
            "-Infinity",
            "١",
            "1_000",
        ] {
            assert_eq!(
                read_double(text),
                Err(MoneyError::Malformed(text.to_owned())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn para_double_writes_like_a_java_double() {
        for (centavos, text) in [
            (80_000, "800.0"),
            (80_050, "800.5"),
            (80_055, "800.55"),
            (80_005, "800.05"),
            (5, "0.05"),
            (50, "0.5"),
            (0, "0.0"),
            (-1_250, "-12.5"),
            (-5, "-0.05"),
            (i64::MAX, "92233720368547758.07"),
            (i64::MIN, "-92233720368547758.08"),
        ] {
            let written = Centavos::new(centavos).para_double();
            assert_eq!(written.as_str(), text);
            assert_eq!(
                Centavos::de_double(&written),
                Ok((Centavos::new(centavos), false)),
                "{text}"
            );
        }
        assert_eq!(
            serde_json::to_string(&json!({ "limite": Centavos::new(80_000).para_double() })).unwrap(),
            r#"{"limite":800.0}"#
        );
    }

    /// The exact amount of `negative`, `whole`, `fraction`, `exponent` in centavos, rounded half-even, and whether
    /// rounding changed it, by `i128` arithmetic (a reference for `de_double`). `whole` and `fraction` together hold
    /// at most 36 digits; None when the amount does not fit an `i64`.
    fn double_reference(negative: bool, whole: &str, fraction: &str, exponent: i64) -> Option<(i64, bool)> {
        let mantissa: i128 = format!("{whole}{fraction}").parse().unwrap();
        let shift = exponent + 2 - fraction.len() as i64;
        let (magnitude, inexact) = if mantissa == 0 {
            (0, false)
        } else if shift >= 0 {
            (mantissa.checked_mul(10i128.checked_pow(shift as u32)?)?, false)
        } else if -shift > 37 {
            // The mantissa is below 10^36, so the amount is below a hundredth of a centavo.
            (0, true)
        } else {
            let divisor = 10i128.pow((-shift) as u32);
            let (quotient, remainder) = (mantissa / divisor, mantissa % divisor);
            let up = match (2 * remainder).cmp(&divisor) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => quotient % 2 == 1,
                std::cmp::Ordering::Less => false,
            };
            (quotient + i128::from(up), remainder != 0)
        };
        let signed = if negative { -magnitude } else { magnitude };
        i64::try_from(signed).ok().map(|centavos| (centavos, inexact))
    }

    /// How an exponent may be written: `e`/`E`, with `+`, `-` or no sign.
    fn exponent_text(exponent: i64, upper: bool, plus: bool) -> String {
        let letter = if upper { "E" } else { "e" };
        let sign = if exponent < 0 {
            "-"
        } else if plus {
            "+"
        } else {
            ""
        };
        format!("{letter}{sign}{}", exponent.unsigned_abs())
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

        #[test]
        fn para_double_then_de_double_is_identity(centavos in any::<i64>()) {
            let written = Centavos::new(centavos).para_double();
            let text = written.as_str();
            let decimals = text.split_once('.').map_or(0, |(_, decimals)| decimals.len());
            prop_assert!(decimals == 1 || (decimals == 2 && !text.ends_with('0')), "{}", text);
            prop_assert_eq!(Centavos::de_double(&written), Ok((Centavos::new(centavos), false)));
        }

        #[test]
        fn de_double_agrees_with_an_i128_reference(
            negative in any::<bool>(),
            whole in "0|[1-9][0-9]{0,17}",
            fraction in proptest::option::of("[0-9]{1,18}"),
            exponent in proptest::option::of((-45i64..=45, any::<bool>(), any::<bool>())),
        ) {
            let fraction_text = fraction.as_deref().map(|f| format!(".{f}")).unwrap_or_default();
            let exponent_written =
                exponent.map(|(e, upper, plus)| exponent_text(e, upper, plus)).unwrap_or_default();
            let text = format!("{}{whole}{fraction_text}{exponent_written}", if negative { "-" } else { "" });
            let expected =
                double_reference(negative, &whole, fraction.as_deref().unwrap_or(""), exponent.map_or(0, |(e, ..)| e));
            let parsed: serde_json::Number = serde_json::from_str(&text).unwrap();
            match (Centavos::de_double(&parsed), expected) {
                (Ok((amount, inexact)), Some(expected)) => prop_assert_eq!((amount.get(), inexact), expected, "{}", text),
                (Err(MoneyError::Overflow(_)), None) => {}
                (read, expected) => prop_assert!(false, "{}: de_double {:?}, reference {:?}", text, read, expected),
            }
        }

        #[test]
        fn de_double_bounds_absurd_exponents(
            negative in any::<bool>(),
            digits in "[1-9][0-9]{0,30}(\\.[0-9]{1,30})?",
            exponent in "[0-9]{3,40}",
            exponent_negative in any::<bool>(),
        ) {
            let text = format!(
                "{}{digits}e{}{exponent}",
                if negative { "-" } else { "" },
                if exponent_negative { "-" } else { "" }
            );
            let read = Centavos::de_double(&serde_json::from_str(&text).unwrap());
            let huge = exponent.trim_start_matches('0').len() > 2;
            match (huge, exponent_negative) {
                (true, false) => prop_assert!(matches!(read, Err(MoneyError::Overflow(_))), "{}: {:?}", text, read),
                (true, true) => prop_assert_eq!(read, Ok((Centavos::ZERO, true)), "{}", text),
                (false, _) => {}
            }
        }

        #[test]
        fn de_double_rounds_the_third_decimal_half_even(
            magnitude in 0i64..1_000_000_000_000_000,
            third in 0i64..10,
            negative in any::<bool>(),
        ) {
            let sign = if negative { "-" } else { "" };
            let text = format!("{sign}{}.{:02}{third}", magnitude / 100, magnitude % 100);
            let rounded = match third {
                0..=4 => magnitude,
                5 => magnitude + magnitude % 2,
                _ => magnitude + 1,
            };
            let expected = if negative { -rounded } else { rounded };
            prop_assert_eq!(
                Centavos::de_double(&serde_json::from_str(&text).unwrap()),
                Ok((Centavos::new(expected), third != 0)),
                "{}", text
            );
        }
    }
}
