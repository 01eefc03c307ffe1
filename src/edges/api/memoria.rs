//! The API's memory of ready answers: the JSON bodies of the cached reads (a customer, her open faturas, her
//! contracts, her other lists, one fatura), kept as bytes with their `ETag`, so that the kiosk's and the PDV's repeated questions are
//! answered without a trip to the store thread, a SQL query or a JSON encode.
//!
//! Coherence rests on the store's generation ([`Totem::geracao`](crate::service::Totem::geracao)): an answer is kept
//! with the generation read *before* the read that produced it, and is served only while the generation has not
//! moved. Every job that writes a row (a baixa, a step of its sync, a refresh from the ERP, a print job) moves it
//! before its caller hears back, so once `POST …/baixas` has answered, no answer kept from before can be served: a
//! paid fatura is never offered from memory.
//!
//! Freshness is decided as for the store's copy ([`Totem::servir_copia`](crate::service::Totem::servir_copia)), so
//! `Age`, `Cache-Status` and the body's `origem` are what they would be without the memory. Only answers the cache gave
//! (`origem: cache`) are kept: an answer fetched from the ERP just moved the generation by being saved, and the next
//! read, from the store, is the one kept.
//!
//! Reads of one key that miss at once share one flight: the first asks the read-through, the others wait for its
//! answer, so sixty-four kiosk connections polling a list whose freshness just ran out make one request to the ERP and
//! one write, not sixty-four. A read joins only a flight that started at the current generation, so it never receives
//! an answer read before a write it has already seen acknowledged.
//!
//! The memory is bounded by a byte budget (`[cache] memoria_kib`), evicting the least recently used answer first, and
//! counts its hits and misses for `/readyz`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lru::LruCache;
use serde::Serialize;
use tokio::sync::watch;
use utoipa::ToSchema;

use super::problem::Problem;
use super::{AppState, etag, freshness_headers};
use crate::domain::credito::ChaveLimite;
use crate::domain::listas::Lista;
use crate::service::{Answer, Origem};

/// What an answer is about: the request it answers, minus what does not change the answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Chave {
    Cliente(String),
    Faturas {
        documento: String,
        contrato: Option<String>,
    },
    Contratos(String),
    Fatura(String),
    Limite(ChaveLimite),
    /// One of the customer's read-only lists; `bloqueados`: only the blocked services.
    Lista {
        lista: Lista,
        documento: String,
        bloqueados: bool,
    },
}

impl Chave {
    /// Bytes the key holds, for the budget.
    fn tamanho(&self) -> usize {
        match self {
            Chave::Cliente(texto) | Chave::Contratos(texto) | Chave::Fatura(texto) => texto.len(),
            Chave::Faturas { documento, contrato } => documento.len() + contrato.as_ref().map_or(0, String::len),
            Chave::Limite(chave) => chave.inquilino.len() + chave.loja.len() + chave.documento.len(),
            Chave::Lista { documento, .. } => documento.len() + 2,
        }
    }
}

/// A ready answer: the body as sent and what its headers are made of.
#[derive(Debug)]
struct Pronta {
    corpo: Bytes,
    etag: HeaderValue,
    /// When the data was fetched from the ERP (`Age`, and the freshness policy).
    atualizado_em: DateTime<Utc>,
    /// The store's generation before the read this answer came from.
    geracao: u64,
}

/// What an entry costs beyond its key and body: the list node, the `Arc`, the header value, the map's slot.
const CUSTO_FIXO: usize = 160;

impl Pronta {
    fn custo(&self, chave: &Chave) -> usize {
        CUSTO_FIXO + chave.tamanho() + self.corpo.len() + self.etag.len()
    }
}

/// The memory: an LRU of ready answers within a byte budget, and the reads in flight.
#[derive(Debug)]
pub struct Memoria {
    entradas: Mutex<Entradas>,
    orcamento: usize,
    voos: Mutex<HashMap<Chave, Voo>>,
    acertos: AtomicU64,
    faltas: AtomicU64,
}

/// An answer shared by the reads of one flight: the ready body and where it came from.
type Compartilhada = (Arc<Pronta>, Origem);

/// A read in flight: the generation it started at, and where its answer will appear.
#[derive(Debug)]
struct Voo {
    geracao: u64,
    resposta: watch::Receiver<Option<Compartilhada>>,
}

/// A read's place in a flight.
enum Lugar<'a> {
    /// It reads, and publishes what it read.
    Piloto(Piloto<'a>),
    /// It waits for the pilot's answer.
    Passageiro(watch::Receiver<Option<Compartilhada>>),
}

/// The reading end of a flight. Dropped (answered, failed or cancelled), it takes the flight off the board; passengers
/// left without an answer then read for themselves.
struct Piloto<'a> {
    memoria: &'a Memoria,
    chave: Chave,
    resposta: watch::Sender<Option<Compartilhada>>,
}

impl Piloto<'_> {
    fn publicar(&self, compartilhada: Compartilhada) {
        self.resposta.send_replace(Some(compartilhada));
    }
}

impl Drop for Piloto<'_> {
    fn drop(&mut self) {
        let mut voos = travar(&self.memoria.voos);
        // A newer flight of the same key may have taken the place since; that one stays.
        if voos
            .get(&self.chave)
            .is_some_and(|voo| voo.resposta.same_channel(&self.resposta.subscribe()))
        {
            voos.remove(&self.chave);
        }
    }
}

#[derive(Debug)]
struct Entradas {
    lru: LruCache<Chave, Arc<Pronta>>,
    bytes: usize,
}

/// The memory's counts, as `/readyz` shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemoriaView {
    /// Answers kept.
    pub entradas: usize,
    /// What they take, in bytes (estimated), within `limite_bytes`.
    pub bytes: usize,
    pub limite_bytes: usize,
    /// Reads answered from memory since start-up.
    pub acertos: u64,
    /// Reads that went to the store (nothing kept, or kept before a write).
    pub faltas: u64,
}

impl Memoria {
    /// A memory of at most `orcamento` bytes; 0 keeps nothing.
    pub fn new(orcamento: usize) -> Memoria {
        Memoria {
            entradas: Mutex::new(Entradas {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            orcamento,
            voos: Mutex::new(HashMap::new()),
            acertos: AtomicU64::new(0),
            faltas: AtomicU64::new(0),
        }
    }

    pub fn contagem(&self) -> MemoriaView {
        let entradas = self.lock();
        MemoriaView {
            entradas: entradas.lru.len(),
            bytes: entradas.bytes,
            limite_bytes: self.orcamento,
            acertos: self.acertos.load(Ordering::Relaxed),
            faltas: self.faltas.load(Ordering::Relaxed),
        }
    }

    /// The answer kept for `chave`, if it was kept at generation `geracao` (the current one); an older one is dropped.
    fn buscar(&self, chave: &Chave, geracao: u64) -> Option<Arc<Pronta>> {
        let mut entradas = self.lock();
        let pronta = Arc::clone(entradas.lru.get(chave)?);
        if pronta.geracao == geracao {
            return Some(pronta);
        }
        if let Some(velha) = entradas.lru.pop(chave) {
            entradas.bytes -= velha.custo(chave);
        }
        None
    }

    /// A place in the flight of `chave` that started at `geracao`, or the pilot's seat of a new one.
    fn embarcar(&self, chave: &Chave, geracao: u64) -> Lugar<'_> {
        let mut voos = travar(&self.voos);
        if let Some(voo) = voos.get(chave).filter(|voo| voo.geracao == geracao) {
            return Lugar::Passageiro(voo.resposta.clone());
        }
        let (resposta, recebe) = watch::channel(None);
        voos.insert(
            chave.clone(),
            Voo {
                geracao,
                resposta: recebe,
            },
        );
        Lugar::Piloto(Piloto {
            memoria: self,
            chave: chave.clone(),
            resposta,
        })
    }

    /// Keeps `pronta` for `chave`, evicting the least recently used answers until it fits the budget.
    fn guardar(&self, chave: Chave, pronta: Arc<Pronta>) {
        let custo = pronta.custo(&chave);
        if custo > self.orcamento {
            return;
        }
        let mut entradas = self.lock();
        if let Some(velha) = entradas.lru.pop(&chave) {
            entradas.bytes -= velha.custo(&chave);
        }
        while entradas.bytes + custo > self.orcamento {
            let Some((velha_chave, velha)) = entradas.lru.pop_lru() else {
                break;
            };
            entradas.bytes -= velha.custo(&velha_chave);
        }
        entradas.bytes += custo;
        entradas.lru.put(chave, pronta);
    }

    fn lock(&self) -> MutexGuard<'_, Entradas> {
        travar(&self.entradas)
    }
}

/// A lock of the memory. A panic while one was held left its value whole (every change under it is one call), so a
/// poisoned lock is taken as it is.
fn travar<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Answers a cached read: from memory when a kept answer is current and `servir` (the freshness policy of the use
/// case, given when the data was fetched) lets a copy answer, else by `ler` (the read-through), keeping what the cache
/// answered. `vista` makes the body of an answer.
pub async fn responder<T, S, E, P, V, L, F>(
    state: &AppState,
    chave: Chave,
    servir: P,
    ler: L,
    vista: V,
) -> Result<Response, E>
where
    P: Fn(DateTime<Utc>) -> Option<Origem>,
    L: FnOnce() -> F,
    F: Future<Output = Result<Answer<T>, S>>,
    V: FnOnce(&Answer<T>) -> Result<Bytes, Problem>,
    E: From<S> + From<Problem>,
{
    let memoria = &state.memoria;
    let geracao = state.totem.geracao();
    if let Some(pronta) = memoria.buscar(&chave, geracao)
        && let Some(origem) = servir(pronta.atualizado_em)
    {
        memoria.acertos.fetch_add(1, Ordering::Relaxed);
        return Ok(resposta_de(state, &pronta, origem));
    }
    memoria.faltas.fetch_add(1, Ordering::Relaxed);
    let piloto = match memoria.embarcar(&chave, geracao) {
        Lugar::Piloto(piloto) => Some(piloto),
        Lugar::Passageiro(mut resposta) => {
            if let Ok(compartilhada) = resposta.wait_for(Option::is_some).await
                && let Some((pronta, origem)) = compartilhada.as_ref()
            {
                return Ok(resposta_de(state, pronta, *origem));
            }
            // The pilot failed or was cancelled: this read goes alone.
            None
        }
    };
    // `geracao` was read before this read starts: a write that lands meanwhile makes what is kept look stale.
    let answer = ler().await?;
    let corpo = vista(&answer).map_err(E::from)?;
    let pronta = Arc::new(Pronta {
        etag: etag::tag(&corpo),
        corpo,
        atualizado_em: answer.atualizado_em,
        geracao,
    });
    if let Some(piloto) = &piloto {
        piloto.publicar((Arc::clone(&pronta), answer.origem));
    }
    let response = resposta_de(state, &pronta, answer.origem);
    if answer.origem != Origem::Upstream {
        memoria.guardar(chave, pronta);
    }
    Ok(response)
}

/// The freshness policy of the totem's reads ([`crate::service::Totem::servir_copia`]), for [`responder`].
pub fn do_totem(state: &AppState) -> impl Fn(DateTime<Utc>) -> Option<Origem> + '_ {
    move |atualizado_em| state.totem.servir_copia(atualizado_em, Utc::now())
}

/// The JSON body of `view`.
pub fn json<V: Serialize>(view: &V) -> Result<Bytes, Problem> {
    serde_json::to_vec(view).map(Bytes::from).map_err(|error| {
        tracing::error!(%error, "an answer could not be encoded");
        Problem::internal()
    })
}

fn resposta_de(state: &AppState, pronta: &Pronta, origem: Origem) -> Response {
    let mut response = (
        freshness_headers(origem, pronta.atualizado_em, state.fresh_secs),
        Body::from(pronta.corpo.clone()),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::ETAG, pronta.etag.clone());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pronta(corpo: &str, geracao: u64) -> Arc<Pronta> {
        let corpo = Bytes::from(corpo.to_owned());
        Arc::new(Pronta {
            etag: etag::tag(&corpo),
            corpo,
            atualizado_em: DateTime::UNIX_EPOCH,
            geracao,
        })
    }

    #[test]
    fn an_answer_is_served_only_at_the_generation_it_was_kept_at() {
        let memoria = Memoria::new(1 << 20);
        let chave = Chave::Fatura("F1".into());
        memoria.guardar(chave.clone(), pronta("{}", 7));
        assert!(memoria.buscar(&chave, 7).is_some());
        assert!(memoria.buscar(&chave, 8).is_none(), "a write happened since");
        assert!(memoria.buscar(&chave, 7).is_none(), "the stale answer was dropped");
        assert_eq!(memoria.contagem().bytes, 0);
    }

    #[test]
    fn the_budget_evicts_the_least_recently_used() {
        let corpo = "x".repeat(1000);
        let um = pronta(&corpo, 0).custo(&Chave::Fatura("F0".into()));
        let memoria = Memoria::new(3 * um);
        for n in 0..3 {
            memoria.guardar(Chave::Fatura(format!("F{n}")), pronta(&corpo, 0));
        }
        assert!(
            memoria.buscar(&Chave::Fatura("F0".into()), 0).is_some(),
            "F0 is now the most recent"
        );
        memoria.guardar(Chave::Fatura("F3".into()), pronta(&corpo, 0));
        let contagem = memoria.contagem();
        assert_eq!((contagem.entradas, contagem.bytes), (3, 3 * um));
        assert!(
            memoria.buscar(&Chave::Fatura("F1".into()), 0).is_none(),
            "F1 was the least recent"
        );
        assert!(memoria.buscar(&Chave::Fatura("F0".into()), 0).is_some());
        // Replacing an entry does not count it twice; one larger than the budget is not kept.
        memoria.guardar(Chave::Fatura("F0".into()), pronta(&corpo, 1));
        assert_eq!(memoria.contagem().bytes, 3 * um);
        memoria.guardar(Chave::Fatura("F9".into()), pronta(&"x".repeat(4 * um), 1));
        assert!(memoria.buscar(&Chave::Fatura("F9".into()), 1).is_none());
        assert!(Memoria::new(0).contagem().limite_bytes == 0);
    }
}
