//! Pix keys (chaves do DICT): recognising the five kinds and writing each one the single way the DICT stores it.
//!
//! Formats from the BCB *Manual de Padrões para Iniciação do Pix* v2.6.2 §1.4 (formats.md §4.4): CPF 11 digits and
//! CNPJ 14 characters without punctuation, e-mail, phone `+55` + area code + number, random key (EVP) as a UUID with
//! hyphens. CPF/CNPJ check digits come from [`crate::domain::documento`], which also knows the alphanumeric CNPJ.

use super::PixError;
use crate::domain::documento::{self, Documento};

/// Maximum length of a key in field 26-01 (manual §1.4 and the 77-character limit of the 26 template).
pub(super) const CHAVE_MAXIMA: usize = 77;

/// The kind of a Pix key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipoChave {
    /// CPF: 11 digits.
    Cpf,
    /// CNPJ: 14 characters, digits or (alphanumeric CNPJ) upper-case letters in the first 12.
    Cnpj,
    /// E-mail address, lower case.
    Email,
    /// Phone number, `+55` followed by area code and number.
    Telefone,
    /// Random key (EVP): a UUID with hyphens, lower case.
    Aleatoria,
}

/// Recognises a Pix key typed by a person and returns its kind and the form the DICT uses.
///
/// Punctuation is removed from CPF/CNPJ (`529.982.247-25` → `52998224725`) and phone numbers
/// (`+55 (61) 91234-5678` → `+5561912345678`); e-mails and random keys are lower-cased; CNPJs are upper-cased.
/// A phone number needs its leading `+`: a bare 11-digit string is a CPF, as in the DICT.
pub fn normalizar_chave(chave: &str) -> Result<(TipoChave, String), PixError> {
    let chave = chave.trim();
    let invalida = |motivo: &str| PixError::ChaveInvalida {
        chave: chave.to_owned(),
        motivo: motivo.to_owned(),
    };
    if chave.is_empty() {
        return Err(invalida("a chave está vazia"));
    }
    if chave.contains('@') {
        return normalizar_email(chave).ok_or_else(|| {
            invalida("e-mail deve ter um único @, sem espaços, com até 77 caracteres (ex.: fulano@example.com)")
        });
    }
    if let Some(resto) = chave.strip_prefix('+') {
        return normalizar_telefone(resto)
            .ok_or_else(|| invalida("telefone deve ser +55 seguido do DDD e do número, 10 ou 11 dígitos"));
    }
    if eh_uuid(chave) {
        return Ok((TipoChave::Aleatoria, chave.to_ascii_lowercase()));
    }
    let compacto: String = chave.chars().filter(|c| !matches!(c, '.' | '/' | '-' | ' ')).collect();
    let forma_de_cpf = compacto.len() == 11 && compacto.bytes().all(|b| b.is_ascii_digit());
    let forma_de_cnpj = compacto.len() == 14 && compacto.bytes().all(|b| b.is_ascii_alphanumeric());
    if !(forma_de_cpf || forma_de_cnpj) {
        return Err(invalida("não é CPF, CNPJ, e-mail, telefone (+55…) nem chave aleatória"));
    }
    // Alphanumeric CNPJs are written in upper case; the check digits are computed on the upper-case form.
    match documento::parse(&compacto.to_ascii_uppercase()) {
        Ok(documento @ Documento::Cpf(_)) => Ok((TipoChave::Cpf, documento.numero().to_owned())),
        Ok(documento @ Documento::Cnpj(_)) => Ok((TipoChave::Cnpj, documento.numero().to_owned())),
        // The documento messages already say which document and what is wrong ("CPF com dígito verificador …").
        Err(erro) => Err(invalida(&erro.to_string())),
    }
}

/// Whether `chave` is already exactly what the DICT stores, i.e. what [`normalizar_chave`] would emit.
pub(super) fn eh_chave_do_dict(chave: &str) -> bool {
    matches!(normalizar_chave(chave), Ok((_, normalizada)) if normalizada == chave)
}

/// An e-mail key: one `@` with something on both sides, a dot in the domain, printable ASCII without spaces.
fn normalizar_email(chave: &str) -> Option<(TipoChave, String)> {
    let (local, dominio) = chave.split_once('@')?;
    let imprimivel = chave.bytes().all(|b| b.is_ascii_graphic());
    let dominio_ok = dominio.contains('.') && !dominio.starts_with('.') && !dominio.ends_with('.');
    let ok = imprimivel && chave.len() <= CHAVE_MAXIMA && !local.is_empty() && !dominio.contains('@') && dominio_ok;
    ok.then(|| (TipoChave::Email, chave.to_ascii_lowercase()))
}

/// A phone key after its `+`: country code 55, an area code not starting with 0, 8 or 9 more digits.
/// Spaces, parentheses, dots and hyphens are layout and are dropped.
fn normalizar_telefone(resto: &str) -> Option<(TipoChave, String)> {
    let mut digitos = String::with_capacity(13);
    for c in resto.chars() {
        match c {
            '0'..='9' => digitos.push(c),
            ' ' | '(' | ')' | '-' | '.' => {}
            _ => return None,
        }
    }
    let nacional = digitos.strip_prefix("55")?;
    let ddd_ok = nacional.bytes().next().is_some_and(|b| b != b'0');
    ((10..=11).contains(&nacional.len()) && ddd_ok).then(|| (TipoChave::Telefone, format!("+{digitos}")))
}

/// Whether `chave` is a UUID in the 8-4-4-4-12 hexadecimal layout (random key, manual §1.4).
fn eh_uuid(chave: &str) -> bool {
    chave.len() == 36
        && chave.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_each_kind() {
        for (entrada, tipo, saida) in [
            ("529.982.247-25", TipoChave::Cpf, "52998224725"),
            ("52998224725", TipoChave::Cpf, "52998224725"),
            (" 00.038.166/0001-05 ", TipoChave::Cnpj, "00038166000105"),
            ("12.abc.345/01de-35", TipoChave::Cnpj, "12ABC34501DE35"),
            ("Fulano.Silva@Example.COM", TipoChave::Email, "fulano.silva@example.com"),
            ("+55 (61) 91234-5678", TipoChave::Telefone, "+5561912345678"),
            ("+556132345678", TipoChave::Telefone, "+556132345678"),
            (
                "123E4567-E12B-12D1-A456-426655440000",
                TipoChave::Aleatoria,
                "123e4567-e12b-12d1-a456-426655440000",
            ),
        ] {
            assert_eq!(normalizar_chave(entrada), Ok((tipo, saida.to_owned())), "{entrada}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_key() {
        for entrada in [
            "",
            "   ",
            "52998224724",             // CPF with a wrong check digit
            "00038166000106",          // CNPJ with a wrong check digit
            "5561912345678",           // phone without '+' is not a CPF either (13 digits)
            "+1 202 555 0123",         // not Brazilian
            "+55 61 1234",             // too short
            "+55 (01) 91234-5678",     // area code starting with 0
            "+55 61 91234-5678 ramal", // letters in a phone
            "fulano@",                 // no domain
            "@example.com",            // no local part
            "a@b@example.com",         // two @
            "fulano da silva@example.com",
            "fulano@localhost",
            "123e4567e12b12d1a456426655440000", // UUID without hyphens
            "66756C616E6F32303139406578616D706C652E636F6D",
        ] {
            let erro = normalizar_chave(entrada).unwrap_err();
            assert_eq!(erro.code(), "pix_chave_invalida", "{entrada}");
        }
        let longo = format!("{}@example.com", "a".repeat(66));
        assert!(normalizar_chave(&longo).is_err());
        assert!(normalizar_chave(&format!("{}@example.com", "a".repeat(65))).is_ok());
    }

    #[test]
    fn error_message_names_the_document() {
        let erro = normalizar_chave("529.982.247-24").unwrap_err().to_string();
        assert!(erro.starts_with("chave Pix \"529.982.247-24\" inválida: CPF"), "{erro}");
        let erro = normalizar_chave("00038166000106").unwrap_err().to_string();
        assert!(
            erro.starts_with("chave Pix \"00038166000106\" inválida: CNPJ"),
            "{erro}"
        );
    }

    #[test]
    fn dict_form_is_the_normalised_form() {
        assert!(eh_chave_do_dict("+5561912345678"));
        assert!(eh_chave_do_dict("123e4567-e12b-12d1-a456-426655440000"));
        assert!(!eh_chave_do_dict("529.982.247-25"));
        assert!(!eh_chave_do_dict("Fulano@example.com"));
        assert!(!eh_chave_do_dict("66756C616E6F32303139406578616D706C652E636F6D"));
    }
}
