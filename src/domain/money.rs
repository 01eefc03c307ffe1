//! Money as integer centavos.
//!
//! Every amount borda stores, compares or sends is a [`Centavos`]; `f64` never
//! touches money outside the credit-limit contract, which is defined with
//! doubles upstream. Parsing is lenient on the way in (ERPs write `"123.45"`,
//! `"123,45"`, `"1.234,56"`) and exact on the way out (`"1234.56"`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of Brazilian reais, in centavos.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Centavos(i64);

/// Why a text could not be read as an amount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("valor vazio")]
    Empty,
    #[error("valor \"{0}\" não é um número com no máximo duas casas decimais")]
    Malformed(String),
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

    /// Reads an amount written the way Brazilian systems write them.
    ///
    /// Accepts an optional sign and `R$`, digits, thousands separators and at
    /// most two decimal places. When both `.` and `,` appear the last one is
    /// the decimal separator (`"1.234,56"`, `"1,234.56"`); a separator that
    /// appears more than once groups thousands (`"1.234.567"`). A single
    /// separator followed by exactly three digits (`"1.234"`) could be either,
    /// so it is refused rather than guessed: a wrong guess is a thousandfold
    /// error on somebody's bill.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let malformed = || MoneyError::Malformed(trimmed.to_owned());
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let unsigned = unsigned.strip_prefix("R$").unwrap_or(unsigned).trim_start();
        let (whole, fraction) = split_decimal(unsigned).ok_or_else(malformed)?;
        let whole_digits = strip_thousands(whole).ok_or_else(malformed)?;
        if whole_digits.is_empty() && fraction.is_empty() {
            return Err(malformed());
        }
        let overflow = || MoneyError::Overflow(trimmed.to_owned());
        let mut centavos: i64 = 0;
        let fraction_padded = [fraction.as_bytes(), b"00"].concat();
        for digit in whole_digits.bytes().chain(fraction_padded[..2].iter().copied()) {
            centavos = centavos
                .checked_mul(10)
                .and_then(|c| c.checked_add(i64::from(digit - b'0')))
                .ok_or_else(overflow)?;
        }
        Ok(Centavos(if negative { -centavos } else { centavos }))
    }
}

/// Splits `text` into its whole part and its 0–2 decimal digits.
fn split_decimal(text: &str) -> Option<(&str, &str)> {
    let last_dot = text.rfind('.');
    let last_comma = text.rfind(',');
    let at = match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => dot.max(comma),
        (Some(at), None) | (None, Some(at)) => {
            let separator = text.as_bytes()[at];
            if text.bytes().filter(|&b| b == separator).count() > 1 {
                return Some((text, ""));
            }
            at
        }
        (None, None) => return Some((text, "")),
    };
    let (whole, fraction) = (&text[..at], &text[at + 1..]);
    let fraction_ok = fraction.len() <= 2 && fraction.bytes().all(|b| b.is_ascii_digit());
    fraction_ok.then_some((whole, fraction))
}

/// The whole part without thousands separators, or `None` if it is not digits
/// grouped by threes.
fn strip_thousands(whole: &str) -> Option<String> {
    if whole.bytes().all(|b| b.is_ascii_digit()) {
        return Some(whole.to_owned());
    }
    let separator = whole.bytes().find(|b| !b.is_ascii_digit())?;
    let groups: Vec<&str> = whole.split(char::from(separator)).collect();
    let (first, rest) = groups.split_first()?;
    let all_digits = |g: &&str| g.bytes().all(|b| b.is_ascii_digit());
    let first_ok = (1..=3).contains(&first.len()) && all_digits(first);
    let rest_ok = rest.iter().all(|g| g.len() == 3 && all_digits(g));
    (first_ok && rest_ok).then(|| groups.concat())
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

impl<'de> Deserialize<'de> for Centavos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Centavos::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_erps_send() {
        for (text, centavos) in [
            ("123.45", 12345),
            ("123,45", 12345),
            ("1.234,56", 123456),
            ("1,234.56", 123456),
            ("1.234.567", 123456700),
            ("10", 1000),
            ("0.9", 90),
            ("10.", 1000),
            (",5", 50),
            ("R$ 12,00", 1200),
            ("-1.00", -100),
            (" 7 ", 700),
        ] {
            assert_eq!(Centavos::parse(text), Ok(Centavos::new(centavos)), "{text}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        for text in [
            "",
            "abc",
            "1.234",
            "1,234",
            "0.125",
            "1.2.3,4",
            "12a",
            "1..0",
            ".",
            "1e5",
            "99999999999999999999",
        ] {
            assert!(Centavos::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn writes_two_decimals_without_grouping() {
        assert_eq!(Centavos::new(123456).to_string(), "1234.56");
        assert_eq!(Centavos::new(5).to_string(), "0.05");
        assert_eq!(Centavos::new(-100).to_string(), "-1.00");
        assert_eq!(Centavos::new(i64::MIN).to_string(), "-92233720368547758.08");
    }

    proptest::proptest! {
        #[test]
        fn display_then_parse_is_identity(centavos in -1_000_000_000_000i64..1_000_000_000_000) {
            let amount = Centavos::new(centavos);
            proptest::prop_assert_eq!(Centavos::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,24}") {
            let _ = Centavos::parse(&text);
        }
    }
}
