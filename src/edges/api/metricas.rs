//! `/metrics`: what the technician's or the ISP's Prometheus scrapes, in the OpenMetrics text format, every name
//! prefixed `borda_`.
//!
//! The HTTP requests are counted as they happen, by route (the matched template, never the path: a path can hold a
//! CPF; written `/v1/clientes/:documento`) and status, with a latency histogram by route. [`ler`] reads them with
//! everything else, when asked, from the parts that own it: the upstreams' circuits and call outcomes, the memory of
//! ready answers, the outbox, the print jobs, the printers. That one reading ([`Painel`]) is what `/metrics` encodes
//! and what the OTLP push sends. No metric carries personal data: labels are routes, statuses, upstream and printer
//! names.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::adapters::breaker::Chamadas;
use crate::domain::impressao::status::Papel;
use crate::metricas::{Histograma, Painel, Ponto, Serie};

/// The figures counted as requests happen, since the daemon started; cheap to clone (the map is shared).
#[derive(Clone, Debug)]
pub struct Metricas {
    /// By route, keyed by the template as the router matched it (`/v1/clientes/{documento}`), so that counting a
    /// request allocates nothing; the label is written when read ([`rotulo`]).
    rotas: Arc<Mapa<String, Rota>>,
    /// When the counting started: the daemon's start.
    inicio: SystemTime,
}

/// One route's figures.
#[derive(Debug, Default)]
struct Rota {
    latencias: Latencias,
    por_status: Mapa<u16, AtomicU64>,
}

impl Default for Metricas {
    /// Counting from now.
    fn default() -> Self {
        Metricas {
            rotas: Arc::default(),
            inicio: SystemTime::now(),
        }
    }
}

impl Metricas {
    /// When the counts started (the daemon's start): the start of every cumulative figure.
    pub fn inicio(&self) -> SystemTime {
        self.inicio
    }
}

/// Seconds since the Unix epoch (0 before it).
fn segundos_unix(instante: SystemTime) -> i64 {
    instante
        .duration_since(UNIX_EPOCH)
        .map_or(0, |desde| medida(desde.as_secs()))
}

/// Figures recorded atomically, by label: recording into a label already seen takes a read lock and atomics, the
/// write lock only the first time a label is seen (what prometheus-client's `Family` does, but readable here).
#[derive(Debug)]
struct Mapa<K, V>(RwLock<HashMap<K, V>>);

impl<K, V> Default for Mapa<K, V> {
    fn default() -> Self {
        Mapa(RwLock::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Default> Mapa<K, V> {
    /// Runs `registrar` on the figure of `chave`, created at its default the first time.
    fn com<Q>(&self, chave: &Q, registrar: impl FnOnce(&V))
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        // A panic never happens while a lock is held (atomics and a map insert), so a poisoned lock holds a whole map.
        {
            let mapa = self.0.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(valor) = mapa.get(chave) {
                registrar(valor);
                return;
            }
        }
        let mut mapa = self.0.write().unwrap_or_else(PoisonError::into_inner);
        registrar(mapa.entry(chave.to_owned()).or_default());
    }

    /// Reads every figure.
    fn ler<T>(&self, mut ler: impl FnMut(&K, &V) -> T) -> Vec<T> {
        let mapa = self.0.read().unwrap_or_else(PoisonError::into_inner);
        mapa.iter().map(|(chave, valor)| ler(chave, valor)).collect()
    }
}

/// Upper bounds of the latency buckets, in microseconds: from 0.25 ms to about 4 s, doubling (the cached reads sit at
/// the bottom, a PDF or an ERP timeout at the top).
const LIMITES_US: [u64; 15] = {
    let mut limites = [0; 15];
    let mut i = 0;
    while i < 15 {
        limites[i] = 250 << i;
        i += 1;
    }
    limites
};

/// A latency histogram that a request records into with two atomic additions, never a lock: every request takes this
/// path, on both workers at once (prometheus-client's own histogram takes a mutex per observation).
#[derive(Debug, Default)]
struct Latencias {
    /// Per bucket of [`LIMITES_US`], then the rest (+Inf); not cumulative.
    baldes: [AtomicU64; 16],
    soma_us: AtomicU64,
}

impl Latencias {
    fn observar(&self, duracao: Duration) {
        let us = u64::try_from(duracao.as_micros()).unwrap_or(u64::MAX);
        let balde = LIMITES_US
            .iter()
            .position(|limite| us <= *limite)
            .unwrap_or(LIMITES_US.len());
        if let Some(balde) = self.baldes.get(balde) {
            balde.fetch_add(1, Ordering::Relaxed);
        }
        self.soma_us.fetch_add(us, Ordering::Relaxed);
    }
}

impl Latencias {
    /// The histogram as read now, in seconds.
    fn histograma(&self) -> Histograma {
        Histograma {
            limites: LIMITES_US.iter().map(|us| *us as f64 / 1e6).collect(),
            baldes: self.baldes.iter().map(|balde| balde.load(Ordering::Relaxed)).collect(),
            soma: self.soma_us.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// The middleware: counts every request by its route and status, and times it.
pub async fn medir(State(metricas): State<Metricas>, request: Request, next: Next) -> Response {
    let rota = request.extensions().get::<MatchedPath>().cloned();
    let inicio = Instant::now();
    let response = next.run(request).await;
    let duracao = inicio.elapsed();
    let status = response.status().as_u16();
    let rota = rota.as_ref().map_or(SEM_ROTA, MatchedPath::as_str);
    metricas.rotas.com(rota, |rota| {
        rota.latencias.observar(duracao);
        rota.por_status.com(&status, |contagem| {
            contagem.fetch_add(1, Ordering::Relaxed);
        });
    });
    response
}

/// The route of a request no route matched.
const SEM_ROTA: &str = "desconhecida";

/// A route template as a label: `{documento}` written `:documento`. Braces are valid in a label value, but naive
/// parsers of the text format (regexes that end the labels at the first `}`) lose the sample.
fn rotulo(template: &str) -> String {
    template.replace('{', ":").replace('}', "")
}

/// A count as a gauge's value (a count past `i64::MAX` is shown as `i64::MAX`).
fn medida(valor: impl TryInto<i64>) -> i64 {
    valor.try_into().unwrap_or(i64::MAX)
}

/// Reads every figure `/metrics` shows (and the OTLP push sends), in its order: the requests counted so far, then
/// the upstreams, the memory, the outbox, the print jobs and the printers as they are now, and the heartbeat (the
/// version, when the daemon started; with the upstreams, when each last answered). A part that cannot be read (the
/// store busy or gone) leaves its series without points, logged.
pub async fn ler(state: &AppState) -> Painel {
    let metricas = &state.metricas;
    let mut requisicoes = Vec::new();
    let mut latencia = Vec::new();
    metricas.rotas.ler(|template, rota| {
        let nome = rotulo(template);
        requisicoes.extend(rota.por_status.ler(|status, contagem| {
            Ponto::new(
                vec![("rota", nome.clone()), ("status", status.to_string())],
                contagem.load(Ordering::Relaxed),
            )
        }));
        latencia.push(Ponto::new(vec![("rota", nome)], rota.latencias.histograma()));
    });
    requisicoes.sort_by(|a, b| a.rotulos.cmp(&b.rotulos));
    latencia.sort_by(|a, b| a.rotulos.cmp(&b.rotulos));

    let mut online = Vec::new();
    let mut chamadas = Vec::new();
    let mut respostas = Vec::new();
    let mut upstream = |nome: &'static str, esta_online: bool, contagem: Chamadas| {
        let rotulo = || vec![("upstream", nome.to_owned())];
        online.push(Ponto::new(rotulo(), i64::from(esta_online)));
        if let Some(quando) = contagem.ultima_resposta {
            respostas.push(Ponto::new(rotulo(), medida(quando)));
        }
        for (desfecho, valor) in [("respondeu", contagem.respondidas), ("indisponivel", contagem.falhas)] {
            chamadas.push(Ponto::new(
                vec![("upstream", nome.to_owned()), ("desfecho", desfecho.to_owned())],
                valor,
            ));
        }
    };
    upstream("erp", state.totem.online(), state.totem.erp_chamadas());
    if let Some(credito) = &state.credito {
        upstream("retaguarda", credito.online(), credito.chamadas());
    }

    let memoria = state.memoria.contagem();

    let mut outbox = Vec::new();
    match state.totem.contar_baixas().await {
        Ok((pendentes, falhas)) => {
            for (status, valor) in [("pendente", pendentes), ("falhou", falhas)] {
                outbox.push(Ponto::new(vec![("status", status.to_owned())], medida(valor)));
            }
        }
        Err(error) => tracing::warn!(%error, "the outbox could not be counted for the metrics"),
    }
    let sincronizada = match state.totem.ultima_sincronizacao().await {
        Ok(ultima) => ultima.map(|em| Ponto::unico(em.timestamp())).into_iter().collect(),
        Err(error) => {
            tracing::warn!(%error, "the outbox's last sync could not be read for the metrics");
            Vec::new()
        }
    };

    let mut prontas = Vec::new();
    let mut fila = Vec::new();
    if let Ok(impressoras) = state.totem.impressoras().await {
        for situacao in impressoras {
            let pronta = situacao.online
                && situacao.erro.is_none()
                && !situacao.tampa_aberta
                && situacao.papel != Papel::SemPapel;
            prontas.push(Ponto::new(
                vec![("impressora", situacao.nome.clone())],
                i64::from(pronta),
            ));
            fila.push(Ponto::new(vec![("impressora", situacao.nome)], medida(situacao.fila)));
        }
    }
    let mut trabalhos = Vec::new();
    match state.totem.contar_impressoes().await {
        Ok(contagem) => {
            for (status, valor) in contagem {
                trabalhos.push(Ponto::new(vec![("status", status.as_str().to_owned())], medida(valor)));
            }
        }
        Err(error) => tracing::warn!(%error, "the print jobs could not be counted for the metrics"),
    }

    Painel {
        series: vec![
            Serie::contador(
                "http_requests",
                "HTTP requests answered, by route template and status",
                requisicoes,
            ),
            Serie::histograma(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route template",
                "s",
                latencia,
            ),
            Serie::medidor(
                "upstream_up",
                "1 while the upstream's circuit is closed (calls go out)",
                online,
            ),
            Serie::contador(
                "upstream_calls",
                "Calls to the upstream, by whether it answered",
                chamadas,
            ),
            Serie::medidor(
                "upstream_last_answer_timestamp_seconds",
                "When the upstream last answered a call, in seconds since the Unix epoch (absent while it never has)",
                respostas,
            ),
            Serie::contador(
                "memory_hits",
                "Cached reads answered from the memory of ready answers",
                vec![Ponto::unico(memoria.acertos)],
            ),
            Serie::contador(
                "memory_misses",
                "Cached reads that went to the database",
                vec![Ponto::unico(memoria.faltas)],
            ),
            Serie::medidor(
                "memory_bytes",
                "Bytes the memory of ready answers holds",
                vec![Ponto::unico(medida(memoria.bytes))],
            ),
            Serie::medidor(
                "outbox_baixas",
                "Baixas waiting for the ERP (pendente) and refused by it (falhou)",
                outbox,
            ),
            Serie::medidor(
                "outbox_last_synced_timestamp_seconds",
                "When the ERP last took a baixa, in seconds since the Unix epoch (absent while none was synced)",
                sincronizada,
            ),
            Serie::medidor("print_jobs", "Print jobs by status", trabalhos),
            Serie::medidor(
                "printer_ready",
                "1 while the printer is reachable, online, closed and has paper",
                prontas,
            ),
            Serie::medidor("printer_queue", "Print jobs queued or printing, by printer", fila),
            Serie::medidor(
                "build_info",
                "Always 1, labelled with the running version",
                vec![Ponto::new(vec![("versao", env!("CARGO_PKG_VERSION").to_owned())], 1)],
            ),
            Serie::medidor(
                "start_time_seconds",
                "When the daemon started, in seconds since the Unix epoch",
                vec![Ponto::unico(segundos_unix(metricas.inicio))],
            ),
        ],
    }
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operacao",
    responses((status = 200, content_type = "application/openmetrics-text", description = "OpenMetrics text, names prefixed borda_")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    match ler(&state).await.openmetrics() {
        Ok(texto) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            )],
            texto,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "the metrics could not be written");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
