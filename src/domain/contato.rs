//! A customer's contacts (e-mail, phone) the kiosk may send an invoice to: normalised, masked for display and named by
//! an opaque id.
//!
//! The kiosk never sees a contact in clear: it shows [`Contato::exibicao`] (`f***@provedor.com.br`,
//! `(19) *****-4321`) and passes [`Contato::id`] back to say which one. The id is the start of a SHA-256 over a
//! per-installation secret salt, the customer's document and the contact, so it reveals nothing of the contact (nor
//! whether two customers share one) and cannot be made up from a guess of the contact; borda maps it back by computing
//! the ids of the customer's contacts again. Pure: the salt is passed in.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::listas::{ItemDeLista, Lista};

/// How many hex characters of the hash a contact id keeps (80 bits).
pub const ID_HEX: usize = 20;

/// What a contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipoContato {
    Email,
    Telefone,
}

impl TipoContato {
    /// `email` or `telefone`, as the API and the id write it.
    pub fn nome(self) -> &'static str {
        match self {
            TipoContato::Email => "email",
            TipoContato::Telefone => "telefone",
        }
    }
}

/// A contact of a customer, normalised: an e-mail in lowercase, a phone as its digits (DDD included when known,
/// without the country code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contato {
    pub tipo: TipoContato,
    /// The address or number, in clear: never for the kiosk's eyes.
    pub valor: String,
}

impl ItemDeLista for Contato {
    const LISTA: Lista = Lista::Contatos;
}

impl Contato {
    /// An e-mail address, trimmed and lowercased: one `@` with something before it and a dotted domain after it,
    /// no spaces or control characters. None when the text is not an address.
    pub fn email(texto: &str) -> Option<Contato> {
        let valor = texto.trim().to_lowercase();
        let (local, dominio) = valor.rsplit_once('@')?;
        let dominio_valido = dominio.contains('.') && !dominio.starts_with('.') && !dominio.ends_with('.');
        let limpo = !valor.chars().any(|c| c.is_whitespace() || c.is_control());
        (!local.is_empty() && !local.contains('@') && dominio_valido && limpo).then_some(Contato {
            tipo: TipoContato::Email,
            valor,
        })
    }

    /// A Brazilian phone number as its digits: punctuation (`( ) - . + /` and spaces) dropped, the country code 55
    /// and a trunk `0` before the DDD dropped. Ten or eleven digits with a DDD (neither digit 0), or eight or nine
    /// without; None for anything else (letters, an extension, too few or too many digits).
    pub fn telefone(texto: &str) -> Option<Contato> {
        if !texto
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.' | '+' | '/'))
        {
            return None;
        }
        let mut digitos: String = texto.chars().filter(char::is_ascii_digit).collect();
        if digitos.starts_with("55") && matches!(digitos.len(), 12 | 13) {
            digitos.drain(..2);
        }
        if digitos.starts_with('0') && matches!(digitos.len(), 11 | 12) {
            digitos.remove(0);
        }
        let com_ddd = matches!(digitos.len(), 10 | 11) && digitos.bytes().take(2).all(|b| b != b'0');
        (com_ddd || matches!(digitos.len(), 8 | 9)).then_some(Contato {
            tipo: TipoContato::Telefone,
            valor: digitos,
        })
    }

    /// The contact masked for display: an e-mail keeps the first character of its local part (none when that part
    /// is one character or holds a `*`) and its domain, `f***@provedor.com.br`; a phone keeps its DDD and its last four
    /// digits, `(19) *****-4321`, one `*` per hidden digit.
    pub fn exibicao(&self) -> String {
        match self.tipo {
            TipoContato::Email => {
                let (local, dominio) = self.valor.rsplit_once('@').unwrap_or(("", &self.valor));
                let mostra = local.chars().count() > 1 && !local.contains('*');
                let inicio: String = local.chars().take(usize::from(mostra)).collect();
                format!("{inicio}***@{dominio}")
            }
            TipoContato::Telefone => {
                let digitos = self.valor.as_str();
                let (ddd, assinante) = if digitos.len() >= 10 {
                    digitos.split_at(2)
                } else {
                    ("", digitos)
                };
                let ocultos = assinante.len().saturating_sub(4);
                let fim = assinante.get(ocultos..).unwrap_or_default();
                let estrelas = "*".repeat(ocultos);
                if ddd.is_empty() {
                    format!("{estrelas}-{fim}")
                } else {
                    format!("({ddd}) {estrelas}-{fim}")
                }
            }
        }
    }

    /// The contact's opaque id for customer `documento` (normalised): the first [`ID_HEX`] hex characters of
    /// SHA-256(`sal`, `documento`, type, value), fields separated by NUL (none of them holds one).
    pub fn id(&self, sal: &[u8], documento: &str) -> String {
        let mut hash = Sha256::new();
        for parte in [
            sal,
            documento.as_bytes(),
            self.tipo.nome().as_bytes(),
            self.valor.as_bytes(),
        ] {
            hash.update(parte);
            hash.update([0]);
        }
        hash.finalize()
            .iter()
            .flat_map(|byte| [byte >> 4, byte & 0x0f])
            .take(ID_HEX)
            .filter_map(|nibble| char::from_digit(u32::from(nibble), 16))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn emails_are_normalised_and_masked() {
        let email = Contato::email("  Fulano.Silva@Provedor.com.br ").unwrap();
        assert_eq!(email.valor, "fulano.silva@provedor.com.br");
        assert_eq!(email.exibicao(), "f***@provedor.com.br");
        assert_eq!(
            Contato::email("a@b.co").unwrap().exibicao(),
            "***@b.co",
            "one letter is the whole local part"
        );
        assert_eq!(Contato::email("*x@b.co").unwrap().exibicao(), "***@b.co");
        for invalido in [
            "",
            "fulano",
            "@provedor.com",
            "fulano@",
            "fulano@provedor",
            "ful ano@x.com",
            "a@.com",
            "a@b.",
            "a@b@c.com",
        ] {
            assert_eq!(Contato::email(invalido), None, "{invalido:?}");
        }
    }

    #[test]
    fn phones_are_normalised_and_masked() {
        for (texto, digitos, exibicao) in [
            ("(19) 98765-4321", "19987654321", "(19) *****-4321"),
            ("+55 19 98765-4321", "19987654321", "(19) *****-4321"),
            ("5519987654321", "19987654321", "(19) *****-4321"),
            ("(12) 3621-0000", "1236210000", "(12) ****-0000"),
            ("012 3621-0000", "1236210000", "(12) ****-0000"),
            ("98765-4321", "987654321", "*****-4321"),
            ("3621.0000", "36210000", "****-0000"),
        ] {
            let telefone = Contato::telefone(texto).unwrap();
            assert_eq!(
                (telefone.valor.as_str(), telefone.exibicao()),
                (digitos, exibicao.to_owned()),
                "{texto}"
            );
        }
        for invalido in [
            "",
            "123",
            "(19) 98765-4321 ramal 2",
            "0800",
            "(10) 98765-4321",
            "551998765432109",
            "abc",
        ] {
            assert_eq!(Contato::telefone(invalido), None, "{invalido:?}");
        }
    }

    #[test]
    fn the_id_depends_on_salt_customer_and_contact_only() {
        let email = Contato::email("maria@provedor.com.br").unwrap();
        let id = email.id(b"sal", "52998224725");
        assert_eq!(id.len(), ID_HEX);
        assert!(
            id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{id}"
        );
        assert_eq!(
            id,
            Contato::email("MARIA@provedor.com.br ")
                .unwrap()
                .id(b"sal", "52998224725")
        );
        assert_ne!(id, email.id(b"outro sal", "52998224725"));
        assert_ne!(id, email.id(b"sal", "11144477735"));
        assert_ne!(
            id,
            Contato::email("mario@provedor.com.br")
                .unwrap()
                .id(b"sal", "52998224725")
        );
        // A known vector: SHA-256("s\0d\0email\0a@b.co\0").
        let vetor = Contato::email("a@b.co").unwrap().id(b"s", "d");
        let esperado: String = Sha256::digest(b"s\0d\0email\0a@b.co\0")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(vetor, esperado[..ID_HEX]);
    }

    proptest! {
        #[test]
        fn a_masked_email_never_shows_its_local_part(
            local in "[a-z0-9._%+-]{1,30}",
            dominio in "[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        ) {
            let contato = Contato::email(&format!("{local}@{dominio}")).unwrap();
            let exibicao = contato.exibicao();
            let (mascara, resto) = exibicao.rsplit_once('@').unwrap();
            prop_assert!(!mascara.contains(&local), "{exibicao}");
            prop_assert_eq!(resto, dominio.as_str());
            prop_assert!(!exibicao.contains(&contato.valor));
        }

        #[test]
        fn a_masked_phone_shows_at_most_its_ddd_and_last_four_digits(
            ddd in "[1-9]{2}",
            assinante in "[0-9]{8,9}",
            formato in 0..3usize,
        ) {
            let texto = match formato {
                0 => format!("({ddd}) {assinante}"),
                1 => format!("+55 {ddd} {assinante}"),
                _ => format!("{ddd}{assinante}"),
            };
            let contato = Contato::telefone(&texto).unwrap();
            let exibicao = contato.exibicao();
            let mostrados: String = exibicao.chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(mostrados, format!("{ddd}{}", &assinante[assinante.len() - 4..]));
            prop_assert_eq!(exibicao.matches('*').count(), assinante.len() - 4);
            prop_assert!(!exibicao.contains(&assinante));
        }

        #[test]
        fn arbitrary_text_never_panics(texto in "\\PC{0,40}") {
            for contato in [Contato::email(&texto), Contato::telefone(&texto)].into_iter().flatten() {
                let _ = contato.exibicao();
                prop_assert_eq!(contato.id(b"s", "d").len(), ID_HEX);
            }
        }
    }
}
