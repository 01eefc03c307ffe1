//! `/metrics`: what the technician's or the ISP's Prometheus scrapes, in the OpenMetrics text format, every name
//! prefixed `borda_`.
//!
//! The HTTP requests are counted as they happen, by route (the matched template, never the path: a path can hold a
//! CPF; written `/v1/clientes/:documento`) and status, with a latency histogram by route. Everything else is read when scraped, from the parts that own
//! it: the upstreams' circuits and call outcomes, the memory of ready answers, the outbox, the print jobs, the printers. No metric
//! carries personal data: labels are routes, statuses, upstream and printer names.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

use super::AppState;
use crate::adapters::breaker::Chamadas;
use crate::domain::impressao::status::Papel;

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Requisicao {
    rota: String,
    status: u16,
}

/// Labels of a latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Rota {
    rota: String,
}

/// Labels of an upstream's figures.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Upstream {
    upstream: &'static str,
}

/// Labels of an upstream's calls.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Chamada {
    upstream: &'static str,
    desfecho: &'static str,
}

/// Labels of one printer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Impressora {
    impressora: String,
}

/// Labels of a count by status (the outbox's baixas, the print jobs).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Status {
    status: &'static str,
}

/// The figures counted as requests happen; cheap to clone (the families are shared).
#[derive(Clone, Debug, Default)]
pub struct Metricas {
    requisicoes: Family<Requisicao, Counter>,
    latencia: Family<Rota, Latencias>,
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

impl TypedMetric for Latencias {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for Latencias {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let limites = LIMITES_US.iter().map(|us| *us as f64 / 1e6).chain([f64::INFINITY]);
        let baldes: Vec<(f64, u64)> = limites
            .zip(&self.baldes)
            .map(|(limite, balde)| (limite, balde.load(Ordering::Relaxed)))
            .collect();
        let contagem = baldes.iter().map(|(_, n)| n).sum();
        let soma = self.soma_us.load(Ordering::Relaxed) as f64 / 1e6;
        encoder.encode_histogram::<NoLabelSet>(soma, contagem, &baldes, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

/// The middleware: counts every request by its route and status, and times it.
pub async fn medir(State(metricas): State<Metricas>, request: Request, next: Next) -> Response {
    // `{documento}` written `:documento`: braces are valid in a label value, but naive parsers of the text format
    // (regexes that end the labels at the first `}`) lose the sample.
    let rota = request.extensions().get::<MatchedPath>().map_or_else(
        || "desconhecida".to_owned(),
        |rota| rota.as_str().replace('{', ":").replace('}', ""),
    );
    let inicio = Instant::now();
    let response = next.run(request).await;
    metricas
        .latencia
        .get_or_create(&Rota { rota: rota.clone() })
        .observar(inicio.elapsed());
    metricas
        .requisicoes
        .get_or_create(&Requisicao {
            rota,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operacao",
    responses((status = 200, content_type = "application/openmetrics-text", description = "OpenMetrics text, names prefixed borda_")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut registry = Registry::with_prefix("borda");
    let metricas = &state.metricas;
    registry.register(
        "http_requests",
        "HTTP requests answered, by route template and status",
        metricas.requisicoes.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by route template",
        metricas.latencia.clone(),
    );

    let online: Family<Upstream, Gauge> = Family::default();
    let chamadas: Family<Chamada, Counter> = Family::default();
    let upstream = |nome: &'static str, esta_online: bool, contagem: Chamadas| {
        online
            .get_or_create(&Upstream { upstream: nome })
            .set(i64::from(esta_online));
        for (desfecho, valor) in [("respondeu", contagem.respondidas), ("indisponivel", contagem.falhas)] {
            chamadas
                .get_or_create(&Chamada {
                    upstream: nome,
                    desfecho,
                })
                .inc_by(valor);
        }
    };
    upstream("erp", state.totem.online(), state.totem.erp_chamadas());
    if let Some(credito) = &state.credito {
        upstream("retaguarda", credito.online(), credito.chamadas());
    }
    registry.register(
        "upstream_up",
        "1 while the upstream's circuit is closed (calls go out)",
        online,
    );
    registry.register(
        "upstream_calls",
        "Calls to the upstream, by whether it answered",
        chamadas,
    );

    let memoria = state.memoria.contagem();
    let acertos: Counter = Counter::default();
    acertos.inc_by(memoria.acertos);
    let faltas: Counter = Counter::default();
    faltas.inc_by(memoria.faltas);
    let bytes: Gauge = Gauge::default();
    bytes.set(i64::try_from(memoria.bytes).unwrap_or(i64::MAX));
    registry.register(
        "memory_hits",
        "Cached reads answered from the memory of ready answers",
        acertos,
    );
    registry.register("memory_misses", "Cached reads that went to the database", faltas);
    registry.register("memory_bytes", "Bytes the memory of ready answers holds", bytes);

    let outbox: Family<Status, Gauge> = Family::default();
    match state.totem.contar_baixas().await {
        Ok((pendentes, falhas)) => {
            for (status, valor) in [("pendente", pendentes), ("falhou", falhas)] {
                outbox
                    .get_or_create(&Status { status })
                    .set(i64::try_from(valor).unwrap_or(i64::MAX));
            }
        }
        Err(error) => tracing::warn!(%error, "the outbox could not be counted for /metrics"),
    }
    registry.register(
        "outbox_baixas",
        "Baixas waiting for the ERP (pendente) and refused by it (falhou)",
        outbox,
    );

    let prontas: Family<Impressora, Gauge> = Family::default();
    let fila: Family<Impressora, Gauge> = Family::default();
    if let Ok(impressoras) = state.totem.impressoras().await {
        for situacao in impressoras {
            let rotulo = Impressora {
                impressora: situacao.nome.clone(),
            };
            let pronta = situacao.online
                && situacao.erro.is_none()
                && !situacao.tampa_aberta
                && situacao.papel != Papel::SemPapel;
            prontas.get_or_create(&rotulo).set(i64::from(pronta));
            fila.get_or_create(&rotulo)
                .set(i64::try_from(situacao.fila).unwrap_or(i64::MAX));
        }
    }
    let trabalhos: Family<Status, Gauge> = Family::default();
    match state.totem.contar_impressoes().await {
        Ok(contagem) => {
            for (status, valor) in contagem {
                trabalhos
                    .get_or_create(&Status {
                        status: status.as_str(),
                    })
                    .set(i64::try_from(valor).unwrap_or(i64::MAX));
            }
        }
        Err(error) => tracing::warn!(%error, "the print jobs could not be counted for /metrics"),
    }
    registry.register("print_jobs", "Print jobs by status", trabalhos);
    registry.register(
        "printer_ready",
        "1 while the printer is reachable, online, closed and has paper",
        prontas,
    );
    registry.register("printer_queue", "Print jobs queued or printing, by printer", fila);

    let mut texto = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut texto, &registry) {
        tracing::error!(%error, "the metrics could not be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        texto,
    )
        .into_response()
}
