//! What serde says is wrong with a JSON document, in Portuguese and naming the field by its path
//! (`transacao.nsu`): the API's request bodies ([`super::api`]) and `borda render`'s files ([`super::leitura`]) are
//! read the same way.

use std::fmt;

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Defeito {
    Ausente,
    Desconhecido,
    Repetido,
    /// A value an enumeration does not have.
    ValorDesconhecido(String),
    Tipo,
    Tamanho,
    /// A date not written `AAAA-MM-DD`.
    Data,
    Valor,
}

/// A field (its path; `None` for the document as a whole) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErroDeCampo {
    pub campo: Option<String>,
    pub defeito: Defeito,
}

impl ErroDeCampo {
    /// Reads serde's `mensagem` about the value at `caminho` (serde_path_to_error's path, `.` for the root).
    pub fn de_serde(caminho: &str, mensagem: &str) -> ErroDeCampo {
        let mensagem = mensagem.split(" at line ").next().unwrap_or(mensagem);
        let raiz = caminho.is_empty() || caminho == ".";
        let citado = |texto: &str| texto.split('`').nth(1).map(str::to_owned);
        // A missing, unknown or repeated field is named by its own path, not by the object that has it.
        let dentro = |nome: String| {
            if raiz || caminho == nome {
                nome
            } else if caminho.ends_with(&format!(".{nome}")) {
                caminho.to_owned()
            } else {
                format!("{caminho}.{nome}")
            }
        };
        let aqui = (!raiz).then(|| caminho.to_owned());
        let (campo, defeito) = if let Some(nome) = mensagem.strip_prefix("missing field ").and_then(citado) {
            (Some(dentro(nome)), Defeito::Ausente)
        } else if let Some(nome) = mensagem.strip_prefix("unknown field ").and_then(citado) {
            (Some(dentro(nome)), Defeito::Desconhecido)
        } else if let Some(nome) = mensagem.strip_prefix("duplicate field ").and_then(citado) {
            (Some(dentro(nome)), Defeito::Repetido)
        } else if let Some(valor) = mensagem.strip_prefix("unknown variant ").and_then(citado) {
            (aqui, Defeito::ValorDesconhecido(valor))
        } else if mensagem.starts_with("invalid type") {
            (aqui, Defeito::Tipo)
        } else if mensagem.starts_with("invalid length") {
            (aqui, Defeito::Tamanho)
        } else if [
            "input contains invalid characters",
            "premature end of input",
            "input is out of range",
            "trailing input",
        ]
        .iter()
        .any(|chrono| mensagem.starts_with(chrono))
        {
            (aqui, Defeito::Data)
        } else {
            (aqui, Defeito::Valor)
        };
        ErroDeCampo { campo, defeito }
    }

    /// What is wrong, without the field's name (`obrigatório e ausente`).
    pub fn motivo(&self) -> String {
        match &self.defeito {
            Defeito::Ausente => "obrigatório e ausente".to_owned(),
            Defeito::Desconhecido => "desconhecido".to_owned(),
            Defeito::Repetido => "repetido".to_owned(),
            Defeito::ValorDesconhecido(valor) => format!("valor desconhecido `{valor}`"),
            Defeito::Tipo => "tipo inválido".to_owned(),
            Defeito::Tamanho => "tamanho inválido".to_owned(),
            Defeito::Data => "data inválida: use AAAA-MM-DD".to_owned(),
            Defeito::Valor => "valor inválido".to_owned(),
        }
    }
}

/// The sentence a customer reads: ``campo obrigatório `forma` ausente``, `` `valor`: tipo inválido``.
impl fmt::Display for ErroDeCampo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let campo = self.campo.as_deref().unwrap_or("corpo");
        match &self.defeito {
            Defeito::Ausente => write!(f, "campo obrigatório `{campo}` ausente"),
            Defeito::Desconhecido => write!(f, "campo desconhecido `{campo}`"),
            Defeito::Repetido => write!(f, "campo `{campo}` repetido"),
            _ => write!(f, "`{campo}`: {}", self.motivo()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serdes_messages_name_the_field_by_its_path() {
        let erro = ErroDeCampo::de_serde("transacao", "missing field `nsu` at line 1 column 20");
        assert_eq!(erro.campo.as_deref(), Some("transacao.nsu"));
        assert_eq!(erro.to_string(), "campo obrigatório `transacao.nsu` ausente");
        assert_eq!(erro.motivo(), "obrigatório e ausente");
        let erro = ErroDeCampo::de_serde(".", "unknown field `foo`, expected one of `a`");
        assert_eq!(erro.to_string(), "campo desconhecido `foo`");
        let erro = ErroDeCampo::de_serde("valor", "invalid type: map, expected a string");
        assert_eq!(erro.to_string(), "`valor`: tipo inválido");
        let erro = ErroDeCampo::de_serde("vencimento", "input contains invalid characters");
        assert_eq!(
            (erro.campo.as_deref(), erro.defeito),
            (Some("vencimento"), Defeito::Data)
        );
        assert_eq!(
            ErroDeCampo::de_serde(".", "oops").to_string(),
            "`corpo`: valor inválido"
        );
    }
}
