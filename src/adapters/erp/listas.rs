//! The customer's read-only lists at the ERP: services, notas fiscais, contacts, extrato and declarações de quitação.
//!
//! One GET each, through the same machinery as every other read ([`ErpClient::get_json`]: the breaker, the timeout,
//! the credential, no redirect); a 404 is an error status, as for every list (more likely a wrong path than "none").
//! An operation whose `[erp.paths]` entry is empty is one the ERP does not offer: [`ErpError::NaoSuportado`], and no
//! request goes out. The fields are the contract's: `document` and, when borda knows it, `id_cliente`; the contacts
//! take `customer_document_number`.

use serde_json::Value;

use super::{ErpClient, ErpError, Resource, fill, normalise_documento, wire};
use crate::domain::contato::Contato;
use crate::domain::listas::{Lancamento, Lista, NotaFiscal, Quitacao, Servico};

impl ErpClient {
    /// Whether the ERP offers `lista`: [`ErpError::NaoSuportado`] when its path is not configured.
    pub fn oferece(&self, lista: Lista) -> Result<(), ErpError> {
        self.caminho(lista).map(|_| ())
    }

    /// The configured path of `lista`, or [`ErpError::NaoSuportado`] naming its `[erp.paths]` key when empty.
    fn caminho(&self, lista: Lista) -> Result<&str, ErpError> {
        let paths = &self.inner.paths;
        let (caminho, chave) = match lista {
            Lista::Servicos => (&paths.servicos, "servicos"),
            Lista::NotasFiscais => (&paths.notas_fiscais, "notas_fiscais"),
            Lista::Contatos => (&paths.contatos, "contatos"),
            Lista::Extratos => (&paths.extratos, "extratos"),
            Lista::Quitacoes => (&paths.quitacao, "quitacao"),
        };
        if caminho.trim().is_empty() {
            Err(ErpError::NaoSuportado(chave))
        } else {
            Ok(caminho)
        }
    }

    /// The raw answer of `lista` for `documento` (normalised here), with `id_cliente` when known.
    async fn lista_json(&self, lista: Lista, documento: &str, id_cliente: Option<&str>) -> Result<Value, ErpError> {
        let caminho = self.caminho(lista)?;
        let documento = normalise_documento(documento);
        let nome_documento = if lista == Lista::Contatos {
            "customer_document_number"
        } else {
            "document"
        };
        let mut fields = vec![(nome_documento, documento.as_str())];
        if let Some(id_cliente) = id_cliente {
            fields.push(("id_cliente", id_cliente));
        }
        // A placeholder left unfilled (`{id_cliente}` of a customer without one) would ask another URL.
        if fill(caminho, &fields).contains('{') {
            return Err(ErpError::Configuracao(format!(
                "o caminho {caminho} pede um campo que este cliente não tem"
            )));
        }
        self.get_json(caminho, &fields, Resource::Other).await
    }

    /// The customer's services (`GET paths.servicos ?document= &id_cliente=`).
    pub async fn servicos(&self, documento: &str, id_cliente: Option<&str>) -> Result<Vec<Servico>, ErpError> {
        let body = self.lista_json(Lista::Servicos, documento, id_cliente).await?;
        wire::listas::servicos(body).map_err(ErpError::RespostaInvalida)
    }

    /// The customer's notas fiscais (`GET paths.notas_fiscais ?document= &id_cliente=`).
    pub async fn notas_fiscais(&self, documento: &str, id_cliente: Option<&str>) -> Result<Vec<NotaFiscal>, ErpError> {
        let body = self.lista_json(Lista::NotasFiscais, documento, id_cliente).await?;
        wire::listas::notas_fiscais(body).map_err(ErpError::RespostaInvalida)
    }

    /// The customer's contacts (`GET paths.contatos ?customer_document_number=`), normalised, each once.
    pub async fn contatos(&self, documento: &str) -> Result<Vec<Contato>, ErpError> {
        let body = self.lista_json(Lista::Contatos, documento, None).await?;
        wire::listas::contatos(body).map_err(ErpError::RespostaInvalida)
    }

    /// The customer's financial statement (`GET paths.extratos ?document= &id_cliente=`).
    pub async fn extratos(&self, documento: &str, id_cliente: Option<&str>) -> Result<Vec<Lancamento>, ErpError> {
        let body = self.lista_json(Lista::Extratos, documento, id_cliente).await?;
        wire::listas::extratos(body).map_err(ErpError::RespostaInvalida)
    }

    /// The customer's declarações de quitação (`GET paths.quitacao ?document= &id_cliente=`).
    pub async fn quitacoes(&self, documento: &str, id_cliente: Option<&str>) -> Result<Vec<Quitacao>, ErpError> {
        let body = self.lista_json(Lista::Quitacoes, documento, id_cliente).await?;
        wire::listas::quitacoes(body).map_err(ErpError::RespostaInvalida)
    }
}
