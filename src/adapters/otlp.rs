//! The push of the metrics to an OpenTelemetry collector over OTLP/HTTP: a [`Painel`] encoded as an
//! `ExportMetricsServiceRequest` (protobuf) and posted to `{otlp_endpoint}/v1/metrics`.
//!
//! The same names as `/metrics` (`borda_…`, counters without the `_total` OpenMetrics adds: an OTLP→Prometheus
//! translation adds it back), the same labels as attributes. Counters are monotonic cumulative sums and the latency
//! histogram a cumulative histogram, both counted from the daemon's start, so a push that fails loses nothing: the
//! next one carries the totals. The resource says which totem: `service.name` `borda`, `service.version`,
//! `service.instance.id`. Only the generated protobuf messages of `opentelemetry-proto` are used (no gRPC, no SDK
//! pipeline); the client is built like the upstreams' (rustls, no redirect followed, every call bounded).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics,
    ScopeMetrics, Sum, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::config::{TelemetriaConfig, TotemConfig};
use crate::metricas::{PREFIXO, Painel, Pontos, Rotulos};

/// The OTLP/HTTP path of metrics, after the configured base.
pub const CAMINHO: &str = "/v1/metrics";

/// The media type of an OTLP/HTTP protobuf body.
pub const PROTOBUF: &str = "application/x-protobuf";

/// Why a push did not go through.
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    /// The configuration cannot make a client (checked by `Config` already; kept for the client's own build).
    #[error("telemetria: {0}")]
    Config(String),
    /// No HTTP answer: no connection, a timeout, a connection reset.
    #[error("coletor OTLP inalcançável: {0}")]
    Transporte(String),
    /// The collector answered with an error status (not 2xx).
    #[error("o coletor OTLP respondeu {0}")]
    Status(u16),
}

/// The client of one OTLP/HTTP collector; cheap to clone.
#[derive(Clone, Debug)]
pub struct OtlpClient {
    http: reqwest::Client,
    url: reqwest::Url,
    /// `[telemetria] cabecalhos`, marked sensitive.
    cabecalhos: HeaderMap,
    /// `service.instance.id`.
    instancia: String,
}

impl OtlpClient {
    /// The client of `[telemetria]`; None while `otlp_endpoint` is absent. `totem` names the instance when
    /// `instancia` is empty ([`instancia`]).
    pub fn new(config: &TelemetriaConfig, totem: &TotemConfig) -> Result<Option<OtlpClient>, OtlpError> {
        let Some(endpoint) = &config.otlp_endpoint else {
            return Ok(None);
        };
        let url = reqwest::Url::parse(&format!("{}{CAMINHO}", endpoint.trim_end_matches('/')))
            .map_err(|error| OtlpError::Config(format!("otlp_endpoint: {error}")))?;
        let mut cabecalhos = HeaderMap::new();
        for (nome, valor) in &config.cabecalhos {
            let nome = HeaderName::from_bytes(nome.as_bytes())
                .map_err(|_| OtlpError::Config(format!("cabecalhos: {nome:?} não é um nome de cabeçalho")))?;
            let mut valor = HeaderValue::from_str(valor)
                .map_err(|_| OtlpError::Config(format!("cabecalhos: o valor de {nome} é inválido")))?;
            valor.set_sensitive(true);
            cabecalhos.insert(nome, valor);
        }
        let http = super::cliente_http(Duration::from_millis(config.timeout_ms)).map_err(OtlpError::Config)?;
        Ok(Some(OtlpClient {
            http,
            url,
            cabecalhos,
            instancia: instancia(&config.instancia, totem),
        }))
    }

    /// Where the metrics go: `{otlp_endpoint}/v1/metrics`.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// `service.instance.id`.
    pub fn instancia(&self) -> &str {
        &self.instancia
    }

    /// Posts `painel`, read now, its cumulative figures counted since `inicio`. Any 2xx is accepted (a partial
    /// success is logged at debug level); anything else is an error for the caller to log and carry on.
    pub async fn enviar(&self, painel: &Painel, inicio: SystemTime) -> Result<(), OtlpError> {
        let corpo = pedido(painel, &self.instancia, inicio, SystemTime::now()).encode_to_vec();
        let resposta = self
            .http
            .post(self.url.clone())
            .headers(self.cabecalhos.clone())
            .header(CONTENT_TYPE, PROTOBUF)
            .body(corpo)
            .send()
            .await
            .map_err(|error| OtlpError::Transporte(motivo(&error)))?;
        let status = resposta.status();
        if !status.is_success() {
            return Err(OtlpError::Status(status.as_u16()));
        }
        // The answer only matters for a partial success; a body that does not arrive or decode is still a 2xx.
        if let Ok(corpo) = resposta.bytes().await
            && let Ok(resposta) = ExportMetricsServiceResponse::decode(corpo)
            && let Some(parcial) = resposta.partial_success
            && parcial.rejected_data_points > 0
        {
            tracing::debug!(
                rejected = parcial.rejected_data_points,
                message = parcial.error_message.as_str(),
                "the OTLP collector rejected some data points"
            );
        }
        Ok(())
    }
}

/// A transport failure in a few words.
fn motivo(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "tempo de resposta esgotado".to_owned()
    } else {
        super::erp::root_cause(error)
    }
}

/// `service.instance.id`: `configurada` (`[telemetria] instancia`) when not empty, else `[totem] id` when it was
/// set (not its default), else the host name; a fleet's totems must differ, or their figures mix.
pub fn instancia(configurada: &str, totem: &TotemConfig) -> String {
    let configurada = configurada.trim();
    if !configurada.is_empty() {
        return configurada.to_owned();
    }
    let id = totem.id.trim();
    if !id.is_empty() && id != TotemConfig::default().id {
        return id.to_owned();
    }
    rustix::system::uname().nodename().to_string_lossy().into_owned()
}

/// Nanoseconds since the Unix epoch (0 before it).
fn nanos(instante: SystemTime) -> u64 {
    instante
        .duration_since(UNIX_EPOCH)
        .map_or(0, |desde| u64::try_from(desde.as_nanos()).unwrap_or(u64::MAX))
}

/// An OTLP string attribute.
fn atributo(chave: &str, valor: &str) -> KeyValue {
    KeyValue {
        key: chave.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(valor.to_owned())),
        }),
        ..Default::default()
    }
}

fn atributos(rotulos: &Rotulos) -> Vec<KeyValue> {
    rotulos.iter().map(|(chave, valor)| atributo(chave, valor)).collect()
}

/// `painel` as one OTLP export of the instance `instancia`, read at `agora`, its cumulative figures counted since
/// `inicio`. A series without points is left out.
pub fn pedido(painel: &Painel, instancia: &str, inicio: SystemTime, agora: SystemTime) -> ExportMetricsServiceRequest {
    let (inicio, agora) = (nanos(inicio), nanos(agora));
    let cumulativa = AggregationTemporality::Cumulative as i32;
    let numero = |rotulos: &Rotulos, inicio: u64, valor: i64| NumberDataPoint {
        attributes: atributos(rotulos),
        start_time_unix_nano: inicio,
        time_unix_nano: agora,
        value: Some(number_data_point::Value::AsInt(valor)),
        ..Default::default()
    };
    let metricas = painel
        .series
        .iter()
        .filter_map(|serie| {
            let data = match &serie.pontos {
                Pontos::Contador(pontos) if !pontos.is_empty() => metric::Data::Sum(Sum {
                    data_points: pontos
                        .iter()
                        .map(|ponto| numero(&ponto.rotulos, inicio, i64::try_from(ponto.valor).unwrap_or(i64::MAX)))
                        .collect(),
                    aggregation_temporality: cumulativa,
                    is_monotonic: true,
                }),
                Pontos::Medidor(pontos) if !pontos.is_empty() => metric::Data::Gauge(Gauge {
                    data_points: pontos
                        .iter()
                        .map(|ponto| numero(&ponto.rotulos, 0, ponto.valor))
                        .collect(),
                }),
                Pontos::Histograma(pontos) if !pontos.is_empty() => metric::Data::Histogram(Histogram {
                    data_points: pontos
                        .iter()
                        .map(|ponto| HistogramDataPoint {
                            attributes: atributos(&ponto.rotulos),
                            start_time_unix_nano: inicio,
                            time_unix_nano: agora,
                            count: ponto.valor.contagem(),
                            sum: Some(ponto.valor.soma),
                            bucket_counts: ponto.valor.baldes.clone(),
                            explicit_bounds: ponto.valor.limites.clone(),
                            ..Default::default()
                        })
                        .collect(),
                    aggregation_temporality: cumulativa,
                }),
                _ => return None,
            };
            Some(Metric {
                name: format!("{PREFIXO}_{}", serie.nome),
                description: serie.ajuda.to_owned(),
                unit: serie.unidade.unwrap_or_default().to_owned(),
                data: Some(data),
                ..Default::default()
            })
        })
        .collect();
    let versao = env!("CARGO_PKG_VERSION");
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![
                    atributo("service.name", PREFIXO),
                    atributo("service.version", versao),
                    atributo("service.instance.id", instancia),
                ],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(InstrumentationScope {
                    name: PREFIXO.to_owned(),
                    version: versao.to_owned(),
                    ..Default::default()
                }),
                metrics: metricas,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metricas::{Histograma, Ponto, Serie};

    fn painel() -> Painel {
        Painel {
            series: vec![
                Serie::contador(
                    "http_requests",
                    "HTTP requests",
                    vec![Ponto::new(vec![("rota", "/a".into()), ("status", "200".into())], 7)],
                ),
                Serie::histograma(
                    "http_request_duration_seconds",
                    "Time",
                    "s",
                    vec![Ponto::new(
                        vec![("rota", "/a".into())],
                        Histograma {
                            limites: vec![0.25, 0.5, 1.0],
                            baldes: vec![2, 0, 3, 1],
                            soma: 4.5,
                        },
                    )],
                ),
                Serie::medidor(
                    "outbox_baixas",
                    "Baixas",
                    vec![Ponto::new(vec![("status", "pendente".into())], 4)],
                ),
                Serie::medidor("vazia", "Nada", Vec::new()),
            ],
        }
    }

    fn em(segundos: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(segundos)
    }

    fn texto(valor: &KeyValue) -> (&str, &str) {
        match valor.value.as_ref().and_then(|valor| valor.value.as_ref()) {
            Some(any_value::Value::StringValue(texto)) => (valor.key.as_str(), texto.as_str()),
            outro => panic!("not a string: {outro:?}"),
        }
    }

    fn metricas(pedido: &ExportMetricsServiceRequest) -> &[Metric] {
        &pedido.resource_metrics[0].scope_metrics[0].metrics
    }

    #[test]
    fn the_resource_says_which_totem() {
        let pedido = pedido(&painel(), "sp-0042", em(100), em(160));
        assert_eq!(pedido.resource_metrics.len(), 1);
        let recurso = pedido.resource_metrics[0].resource.as_ref().unwrap();
        let atributos: Vec<_> = recurso.attributes.iter().map(texto).collect();
        assert_eq!(
            atributos,
            [
                ("service.name", "borda"),
                ("service.version", env!("CARGO_PKG_VERSION")),
                ("service.instance.id", "sp-0042"),
            ]
        );
        let escopo = pedido.resource_metrics[0].scope_metrics[0].scope.as_ref().unwrap();
        assert_eq!(
            (escopo.name.as_str(), escopo.version.as_str()),
            ("borda", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn counters_are_monotonic_cumulative_sums_from_the_start() {
        let pedido = pedido(&painel(), "x", em(100), em(160));
        let nomes: Vec<_> = metricas(&pedido).iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            nomes,
            [
                "borda_http_requests",
                "borda_http_request_duration_seconds",
                "borda_outbox_baixas"
            ],
            "prefixed, no _total, the empty series left out"
        );
        let contador = &metricas(&pedido)[0];
        let Some(metric::Data::Sum(soma)) = &contador.data else {
            panic!("a counter is a sum: {contador:?}")
        };
        assert!(soma.is_monotonic);
        assert_eq!(soma.aggregation_temporality, AggregationTemporality::Cumulative as i32);
        let ponto = &soma.data_points[0];
        assert_eq!(ponto.value, Some(number_data_point::Value::AsInt(7)));
        assert_eq!(
            (ponto.start_time_unix_nano, ponto.time_unix_nano),
            (100_000_000_000, 160_000_000_000)
        );
        let atributos: Vec<_> = ponto.attributes.iter().map(texto).collect();
        assert_eq!(atributos, [("rota", "/a"), ("status", "200")]);

        let medidor = &metricas(&pedido)[2];
        let Some(metric::Data::Gauge(gauge)) = &medidor.data else {
            panic!("a gauge: {medidor:?}")
        };
        assert_eq!(gauge.data_points[0].value, Some(number_data_point::Value::AsInt(4)));
        assert_eq!(gauge.data_points[0].start_time_unix_nano, 0);
    }

    #[test]
    fn a_histogram_keeps_its_finite_bounds_and_per_bucket_counts() {
        let pedido = pedido(&painel(), "x", em(100), em(160));
        let metrica = &metricas(&pedido)[1];
        assert_eq!(metrica.unit, "s");
        let Some(metric::Data::Histogram(histograma)) = &metrica.data else {
            panic!("a histogram: {metrica:?}")
        };
        assert_eq!(
            histograma.aggregation_temporality,
            AggregationTemporality::Cumulative as i32
        );
        let ponto = &histograma.data_points[0];
        assert_eq!(ponto.explicit_bounds, [0.25, 0.5, 1.0]);
        assert_eq!(
            ponto.bucket_counts,
            [2, 0, 3, 1],
            "per bucket, the last above every bound"
        );
        assert_eq!(ponto.count, 6);
        assert_eq!(ponto.sum, Some(4.5));
        assert_eq!(ponto.start_time_unix_nano, 100_000_000_000);
    }

    #[test]
    fn the_request_round_trips_through_protobuf() {
        let pedido = pedido(&painel(), "x", em(100), em(160));
        let lido = ExportMetricsServiceRequest::decode(pedido.encode_to_vec().as_slice()).unwrap();
        assert_eq!(lido, pedido);
    }

    #[test]
    fn the_instance_is_the_configured_one_else_the_totem_else_the_host() {
        let totem = |id: &str| TotemConfig { id: id.to_owned() };
        assert_eq!(instancia(" sp-0042 ", &totem("totem-01")), "sp-0042");
        assert_eq!(instancia("", &totem("totem-01")), "totem-01");
        let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
        assert!(!host.is_empty());
        assert_eq!(
            instancia("", &TotemConfig::default()),
            host,
            "the default id is no name"
        );
        assert_eq!(instancia("", &totem(" ")), host);
    }

    #[test]
    fn the_endpoint_is_a_base_and_the_client_is_off_without_it() {
        let totem = TotemConfig::default();
        let mut config = TelemetriaConfig::default();
        assert!(OtlpClient::new(&config, &totem).unwrap().is_none());
        for (endpoint, url) in [
            ("http://coletor:4318", "http://coletor:4318/v1/metrics"),
            ("http://coletor:4318/", "http://coletor:4318/v1/metrics"),
            (
                "https://otlp.isp.example/borda/",
                "https://otlp.isp.example/borda/v1/metrics",
            ),
        ] {
            config.otlp_endpoint = Some(endpoint.to_owned());
            let cliente = OtlpClient::new(&config, &totem).unwrap().unwrap();
            assert_eq!(cliente.url().as_str(), url);
        }
    }
}
