//! The daemon's figures as one neutral reading, a [`Painel`], and its OpenMetrics text.
//!
//! `edges::api::metricas::ler` reads the figures once from the parts that own them; `/metrics` encodes that reading
//! as OpenMetrics text ([`Painel::openmetrics`], through prometheus-client) and the OTLP push (`adapters::otlp`)
//! encodes the same reading as OTLP, so the two cannot disagree on a name, a label or a value. Names are given
//! without the `borda_` prefix ([`PREFIXO`]) and without the `_total` that OpenMetrics adds to a counter. No label
//! value may carry personal data: routes, statuses, upstream and printer names, the version.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// The prefix of every name: `borda_http_requests`.
pub const PREFIXO: &str = "borda";

/// The labels of a point: name and value.
pub type Rotulos = Vec<(&'static str, String)>;

/// One reading of every figure, in the order `/metrics` shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Painel {
    pub series: Vec<Serie>,
}

/// One named figure and its points (one per label set).
#[derive(Clone, Debug, PartialEq)]
pub struct Serie {
    /// Without the prefix and without `_total`: `http_requests`.
    pub nome: &'static str,
    /// One sentence, without the final period (OpenMetrics' `# HELP` gets one).
    pub ajuda: &'static str,
    /// The UCUM unit for OTLP (`s`); `/metrics` carries it in the name instead (`_seconds`).
    pub unidade: Option<&'static str>,
    pub pontos: Pontos,
}

/// The points of a series, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Pontos {
    /// Counts since the daemon started: they only grow.
    Contador(Vec<Ponto<u64>>),
    /// A value now, which may go down.
    Medidor(Vec<Ponto<i64>>),
    /// Observations in buckets, counted since the daemon started.
    Histograma(Vec<Ponto<Histograma>>),
}

/// One label set's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Ponto<T> {
    pub rotulos: Rotulos,
    pub valor: T,
}

/// A histogram's buckets: `baldes[i]` counts the observations in `(limites[i-1], limites[i]]`, not cumulatively, and
/// the last of `baldes` (one more than `limites`) those above every limit (+Inf).
#[derive(Clone, Debug, PartialEq)]
pub struct Histograma {
    /// Finite upper bounds, increasing.
    pub limites: Vec<f64>,
    pub baldes: Vec<u64>,
    pub soma: f64,
}

impl Histograma {
    /// How many observations in all.
    pub fn contagem(&self) -> u64 {
        self.baldes.iter().fold(0, |soma, n| soma.saturating_add(*n))
    }
}

impl<T> Ponto<T> {
    pub fn new(rotulos: Rotulos, valor: T) -> Self {
        Ponto { rotulos, valor }
    }

    /// A point without labels.
    pub fn unico(valor: T) -> Self {
        Ponto::new(Vec::new(), valor)
    }
}

impl Serie {
    pub fn contador(nome: &'static str, ajuda: &'static str, pontos: Vec<Ponto<u64>>) -> Serie {
        Serie {
            nome,
            ajuda,
            unidade: None,
            pontos: Pontos::Contador(pontos),
        }
    }

    pub fn medidor(nome: &'static str, ajuda: &'static str, pontos: Vec<Ponto<i64>>) -> Serie {
        Serie {
            nome,
            ajuda,
            unidade: None,
            pontos: Pontos::Medidor(pontos),
        }
    }

    pub fn histograma(
        nome: &'static str,
        ajuda: &'static str,
        unidade: &'static str,
        pontos: Vec<Ponto<Histograma>>,
    ) -> Serie {
        Serie {
            nome,
            ajuda,
            unidade: Some(unidade),
            pontos: Pontos::Histograma(pontos),
        }
    }
}

impl Painel {
    /// The series named `nome` (without the prefix), if read.
    pub fn serie(&self, nome: &str) -> Option<&Serie> {
        self.series.iter().find(|serie| serie.nome == nome)
    }

    /// The OpenMetrics text of `/metrics`: every name prefixed `borda_`, counters suffixed `_total`, a series read
    /// without points still described (`# HELP`, `# TYPE`).
    pub fn openmetrics(self) -> Result<String, std::fmt::Error> {
        let mut registry = Registry::with_prefix(PREFIXO);
        registry.register_collector(Box::new(Coletor(self)));
        let mut texto = String::new();
        prometheus_client::encoding::text::encode(&mut texto, &registry)?;
        Ok(texto)
    }
}

/// A [`Painel`] as prometheus-client's collector, encoded once.
#[derive(Debug)]
struct Coletor(Painel);

impl Collector for Coletor {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for serie in &self.0.series {
            let tipo = match serie.pontos {
                Pontos::Contador(_) => MetricType::Counter,
                Pontos::Medidor(_) => MetricType::Gauge,
                Pontos::Histograma(_) => MetricType::Histogram,
            };
            // The period `Registry::register` adds to a help text.
            let ajuda = format!("{}.", serie.ajuda);
            let mut metrica = encoder.encode_descriptor(serie.nome, &ajuda, None, tipo)?;
            match &serie.pontos {
                Pontos::Contador(pontos) => {
                    for ponto in pontos {
                        com_rotulos(&mut metrica, &ponto.rotulos, |metrica| {
                            metrica.encode_counter::<NoLabelSet, u64, u64>(&ponto.valor, None)
                        })?;
                    }
                }
                Pontos::Medidor(pontos) => {
                    for ponto in pontos {
                        com_rotulos(&mut metrica, &ponto.rotulos, |metrica| {
                            metrica.encode_gauge(&ponto.valor)
                        })?;
                    }
                }
                Pontos::Histograma(pontos) => {
                    for ponto in pontos {
                        let histograma = &ponto.valor;
                        let limites = histograma.limites.iter().copied().chain([f64::INFINITY]);
                        let baldes: Vec<(f64, u64)> = limites.zip(histograma.baldes.iter().copied()).collect();
                        com_rotulos(&mut metrica, &ponto.rotulos, |metrica| {
                            metrica.encode_histogram::<NoLabelSet>(
                                histograma.soma,
                                histograma.contagem(),
                                &baldes,
                                None,
                            )
                        })?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Encodes one point with its labels (none: the bare name, as a metric registered without a family).
fn com_rotulos(
    metrica: &mut MetricEncoder,
    rotulos: &Rotulos,
    encode: impl FnOnce(&mut MetricEncoder) -> Result<(), std::fmt::Error>,
) -> Result<(), std::fmt::Error> {
    if rotulos.is_empty() {
        encode(metrica)
    } else {
        encode(&mut metrica.encode_family(rotulos)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openmetrics_text_of_each_kind() {
        let painel = Painel {
            series: vec![
                Serie::contador(
                    "pedidos",
                    "Pedidos",
                    vec![Ponto::new(vec![("rota", "/a".into()), ("status", "200".into())], 3)],
                ),
                Serie::medidor("bytes", "Bytes", vec![Ponto::unico(-2)]),
                Serie::histograma(
                    "duracao_seconds",
                    "Duração",
                    "s",
                    vec![Ponto::new(
                        vec![("rota", "/a".into())],
                        Histograma {
                            limites: vec![0.5, 1.0],
                            baldes: vec![1, 0, 2],
                            soma: 7.25,
                        },
                    )],
                ),
                Serie::medidor("vazia", "Nada lido", Vec::new()),
            ],
        };
        let texto = painel.openmetrics().unwrap();
        assert_eq!(
            texto,
            "# HELP borda_pedidos Pedidos.\n\
             # TYPE borda_pedidos counter\n\
             borda_pedidos_total{rota=\"/a\",status=\"200\"} 3\n\
             # HELP borda_bytes Bytes.\n\
             # TYPE borda_bytes gauge\n\
             borda_bytes -2\n\
             # HELP borda_duracao_seconds Duração.\n\
             # TYPE borda_duracao_seconds histogram\n\
             borda_duracao_seconds_sum{rota=\"/a\"} 7.25\n\
             borda_duracao_seconds_count{rota=\"/a\"} 3\n\
             borda_duracao_seconds_bucket{le=\"0.5\",rota=\"/a\"} 1\n\
             borda_duracao_seconds_bucket{le=\"1.0\",rota=\"/a\"} 1\n\
             borda_duracao_seconds_bucket{le=\"+Inf\",rota=\"/a\"} 3\n\
             # HELP borda_vazia Nada lido.\n\
             # TYPE borda_vazia gauge\n\
             # EOF\n"
        );
    }
}
