//! What the daemon's parts say about themselves: which background part died
//! (the daemon then answers 503 and exits so systemd restarts it), and
//! whether the ERP refuses borda's credentials (payments wait, loudly).

use std::sync::{Arc, Mutex, MutexGuard};

/// Shared by the daemon's parts and read by `/healthz` and `/readyz`; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Saude(Arc<Mutex<Relato>>);

#[derive(Debug, Default)]
struct Relato {
    /// Parts that stopped while the daemon was running: (name, why).
    mortas: Vec<(String, String)>,
    /// The ERP refused our credentials on the last post: what it said.
    credenciais_recusadas: Option<String>,
    /// The background check of the database file: `None` while it runs, then its outcome.
    integridade: Option<Result<(), String>>,
}

impl Saude {
    fn relato(&self) -> MutexGuard<'_, Relato> {
        // A panic elsewhere while holding the lock leaves plain data behind, still worth reading.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that the part `parte` stopped, and why.
    pub fn morreu(&self, parte: &str, motivo: impl Into<String>) {
        let motivo = motivo.into();
        tracing::error!(parte, motivo = motivo.as_str(), "a part of the daemon stopped");
        self.relato().mortas.push((parte.to_owned(), motivo));
    }

    /// The parts that stopped: (name, why).
    pub fn mortas(&self) -> Vec<(String, String)> {
        self.relato().mortas.clone()
    }

    /// The ERP refused borda's credentials (`Some`, with what it said) or accepted them again (`None`).
    pub fn credenciais(&self, recusa: Option<String>) {
        let mut relato = self.relato();
        match (&relato.credenciais_recusadas, &recusa) {
            (None, Some(motivo)) => {
                tracing::error!(
                    motivo = motivo.as_str(),
                    "the ERP refuses borda's credentials: baixas wait"
                )
            }
            (Some(_), None) => tracing::info!("the ERP accepts borda's credentials again"),
            _ => {}
        }
        relato.credenciais_recusadas = recusa;
    }

    /// Records the outcome of the check of the whole database file.
    pub fn integridade_verificada(&self, resultado: Result<(), String>) {
        self.relato().integridade = Some(resultado);
    }

    /// `verificando` while the check of the database file runs, then `ok` or SQLite's report; and whether that is a
    /// failure. One reading, so the two agree.
    pub fn integridade(&self) -> (String, bool) {
        match &self.relato().integridade {
            None => ("verificando".to_owned(), false),
            Some(Ok(())) => ("ok".to_owned(), false),
            Some(Err(relatorio)) => (relatorio.clone(), true),
        }
    }

    /// Why the ERP refuses borda's credentials, while it does.
    pub fn credenciais_recusadas(&self) -> Option<String> {
        self.relato().credenciais_recusadas.clone()
    }
}
