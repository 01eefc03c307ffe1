//! The customer's read-only lists (services, notas fiscais, contacts, extrato, declarações de quitação) and the PDFs
//! they link to.
//!
//! Every list follows the module's one read-through policy ([`Totem::lista`] hands it to `read_through`), cached whole
//! in the store under its [`Lista`](crate::domain::listas::Lista): fresh from the cache, else from the ERP and written
//! through, else stale from the cache, else [`ServiceError::Unavailable`]. A list the ERP does not offer (its path is
//! not configured) is [`ErpError::NaoSuportado`] before anything else. The operations that take the ERP's customer id
//! find it in the cached customer, or ask the ERP for the customer once.
//!
//! Contacts leave this module with their opaque id ([`Contato::id`], salted by the store's per-installation salt);
//! [`Totem::contato`] maps an id back. PDFs are fetched only from the link the ERP gave for a nota or a declaration
//! in the customer's list: never from a URL the kiosk passes, never for a nota of another customer.

use std::future::Future;

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Answer, ServiceError, Totem};
use crate::adapters::erp::ErpError;
use crate::domain::contato::Contato;
use crate::domain::listas::{ItemDeLista, Lancamento, NotaFiscal, Quitacao, Servico, quitacao_do_ano};

/// Why a PDF of a list could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ErroPdf {
    /// No such nota or declaration in the customer's list.
    #[error("documento não encontrado entre os listados para o cliente")]
    Desconhecido,
    /// It exists, but the ERP gave no link to a PDF of it.
    #[error("o sistema do provedor não tem o PDF deste documento")]
    SemPdf,
    /// The list could not be read.
    #[error(transparent)]
    Lista(#[from] ServiceError),
    /// The link did not give a PDF (unreachable, an error status, a redirect, an answer that is not a PDF).
    #[error("o link do PDF falhou: {0}")]
    Link(ErpError),
}

impl Totem {
    /// One of the customer's lists, `T::LISTA`, by the read-through policy: `buscar` asks the ERP, its answer is put
    /// in order ([`ItemDeLista::ordenar`]) and written through under (`documento`, `T::LISTA`).
    async fn lista<T, F>(&self, documento: &str, buscar: F) -> Result<Answer<Vec<T>>, ServiceError>
    where
        T: ItemDeLista + Serialize + DeserializeOwned + Clone,
        F: Future<Output = Result<Vec<T>, ErpError>>,
    {
        self.erp.oferece(T::LISTA)?;
        let cached = self.store.lista::<T>(documento).await?;
        let buscar = async {
            let mut itens = buscar.await?;
            T::ordenar(&mut itens);
            Ok(itens)
        };
        self.read_through(cached, buscar, |itens, em| {
            self.store.salvar_lista(documento, itens, em)
        })
        .await
    }

    /// The ERP's id of the customer, for the operations that take it: the cached customer's (however old: the id does
    /// not change), else the ERP's customer, which is then cached. None when the ERP gives her none.
    async fn id_cliente(&self, documento: &str) -> Result<Option<String>, ErpError> {
        match self.store.cliente(documento).await {
            Ok(Some(hit)) => return Ok(hit.valor.id),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "the cached customer could not be read; asking the ERP"),
        }
        let cliente = self.erp.cliente(documento).await?;
        let id = cliente.id.clone();
        if let Err(error) = self.store.salvar_cliente(cliente, Utc::now()).await {
            tracing::error!(%error, "could not write the ERP's answer to the cache");
        }
        Ok(id)
    }

    /// The customer's services (plans, installations), each with its status.
    pub async fn servicos(&self, documento: &str) -> Result<Answer<Vec<Servico>>, ServiceError> {
        let buscar = async {
            let id_cliente = self.id_cliente(documento).await?;
            self.erp.servicos(documento, id_cliente.as_deref()).await
        };
        self.lista(documento, buscar).await
    }

    /// The customer's notas fiscais, newest first.
    pub async fn notas_fiscais(&self, documento: &str) -> Result<Answer<Vec<NotaFiscal>>, ServiceError> {
        let buscar = async {
            let id_cliente = self.id_cliente(documento).await?;
            self.erp.notas_fiscais(documento, id_cliente.as_deref()).await
        };
        self.lista(documento, buscar).await
    }

    /// The customer's financial statement, newest first.
    pub async fn extratos(&self, documento: &str) -> Result<Answer<Vec<Lancamento>>, ServiceError> {
        let buscar = async {
            let id_cliente = self.id_cliente(documento).await?;
            self.erp.extratos(documento, id_cliente.as_deref()).await
        };
        self.lista(documento, buscar).await
    }

    /// The customer's declarações de quitação, newest year first.
    pub async fn quitacoes(&self, documento: &str) -> Result<Answer<Vec<Quitacao>>, ServiceError> {
        let buscar = async {
            let id_cliente = self.id_cliente(documento).await?;
            self.erp.quitacoes(documento, id_cliente.as_deref()).await
        };
        self.lista(documento, buscar).await
    }

    /// The customer's contacts, each with its opaque id ([`Contato::id`]) for this customer. The contact itself is in
    /// clear: show only [`Contato::exibicao`].
    pub async fn contatos(&self, documento: &str) -> Result<Answer<Vec<(String, Contato)>>, ServiceError> {
        let documento = normalizado(documento);
        let answer = self.lista(&documento, self.erp.contatos(&documento)).await?;
        let sal = self.store.sal_contatos().await?;
        Ok(Answer {
            valor: answer
                .valor
                .into_iter()
                .map(|contato| (contato.id(&sal, &documento), contato))
                .collect(),
            origem: answer.origem,
            atualizado_em: answer.atualizado_em,
        })
    }

    /// The contact of the customer `documento` whose opaque id is `contato_id`, in clear (to send her something), by
    /// the same read-through as [`Totem::contatos`]; None when none of her contacts has that id (an id of another
    /// customer, of another installation, or of a contact she no longer has).
    pub async fn contato(&self, documento: &str, contato_id: &str) -> Result<Option<Contato>, ServiceError> {
        let contato_id = contato_id.trim().to_ascii_lowercase();
        Ok(self
            .contatos(documento)
            .await?
            .valor
            .into_iter()
            .find(|(id, _)| *id == contato_id)
            .map(|(_, contato)| contato))
    }

    /// The PDF of nota fiscal `id` of the customer `documento`, fetched from the link the ERP gave for it in her list
    /// of notas (read by the same read-through as [`Totem::notas_fiscais`]); borda fetches no other URL.
    pub async fn nota_fiscal_pdf(&self, documento: &str, id: &str) -> Result<Vec<u8>, ErroPdf> {
        let notas = self.notas_fiscais(documento).await?;
        let nota = notas
            .valor
            .iter()
            .find(|nota| nota.id == id.trim())
            .ok_or(ErroPdf::Desconhecido)?;
        let link = nota.url.as_deref().ok_or(ErroPdf::SemPdf)?;
        self.erp.pdf_do_link(link).await.map_err(ErroPdf::Link)
    }

    /// The PDF of the customer's declaração de quitação of year `ano` (the newest year when None), from the link the
    /// ERP gave for it, and the year it is of.
    pub async fn quitacao_pdf(&self, documento: &str, ano: Option<u16>) -> Result<(u16, Vec<u8>), ErroPdf> {
        let quitacoes = self.quitacoes(documento).await?;
        let quitacao = quitacao_do_ano(&quitacoes.valor, ano).ok_or(ErroPdf::Desconhecido)?;
        let link = quitacao.url.as_deref().ok_or(ErroPdf::SemPdf)?;
        let pdf = self.erp.pdf_do_link(link).await.map_err(ErroPdf::Link)?;
        Ok((quitacao.ano, pdf))
    }
}

/// A documento normalised when it is a valid CPF/CNPJ, else as given (trimmed).
fn normalizado(documento: &str) -> String {
    crate::domain::documento::parse(documento).map_or_else(|_| documento.trim().to_owned(), |d| d.numero().to_owned())
}
