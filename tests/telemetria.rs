//! The OTLP push against a minimal OTLP/HTTP receiver the test runs: the real binary, configured with
//! `[telemetria]`, posts its metrics every second as protobuf to `/v1/metrics`; the receiver records each request
//! and answers as a collector does (200 and an empty `ExportMetricsServiceResponse`, or 503 while told to refuse).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use borda::demo::DemoErp;
use common::process::Served;
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, Metric, metric, number_data_point};
use prost::Message;

const MARIA: &str = "52998224725";
const SEGREDO: &str = "Bearer segredo-do-coletor-7f3a";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Recebido {
    caminho: String,
    tipo: Option<String>,
    autorizacao: Option<String>,
    corpo: Bytes,
    /// What the receiver answered.
    status: u16,
}

/// A minimal OTLP/HTTP receiver on a loopback port.
#[derive(Clone, Default)]
struct Receptor {
    recebidos: Arc<Mutex<Vec<Recebido>>>,
    /// Answer 503, as a collector that is down behind its proxy.
    recusar: Arc<AtomicBool>,
}

async fn receber(State(receptor): State<Receptor>, uri: Uri, headers: HeaderMap, corpo: Bytes) -> impl IntoResponse {
    let recusar = receptor.recusar.load(Ordering::SeqCst);
    let texto = |nome: &str| headers.get(nome).map(|valor| valor.to_str().unwrap().to_owned());
    receptor.recebidos.lock().unwrap().push(Recebido {
        caminho: uri.path().to_owned(),
        tipo: texto("content-type"),
        autorizacao: texto("authorization"),
        corpo,
        status: if recusar { 503 } else { 200 },
    });
    if recusar {
        return (StatusCode::SERVICE_UNAVAILABLE, "indisponível").into_response();
    }
    (
        [("content-type", "application/x-protobuf")],
        ExportMetricsServiceResponse::default().encode_to_vec(),
    )
        .into_response()
}

impl Receptor {
    async fn start() -> (Receptor, SocketAddr) {
        let receptor = Receptor::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(receber).with_state(receptor.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receptor, addr)
    }

    fn recebidos(&self) -> Vec<Recebido> {
        self.recebidos.lock().unwrap().clone()
    }

    /// Waits until `pronto` holds for what was received, or fails after `limite`.
    async fn esperar(&self, limite: Duration, pronto: impl Fn(&[Recebido]) -> bool) -> Vec<Recebido> {
        let prazo = Instant::now() + limite;
        loop {
            let recebidos = self.recebidos();
            if pronto(&recebidos) {
                return recebidos;
            }
            assert!(
                Instant::now() < prazo,
                "the receiver got only {} requests",
                recebidos.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Appends `toml` (whole tables) to the configuration `Served` wrote.
fn acrescentar(served: &Served, toml: &str) {
    let mut arquivo = std::fs::OpenOptions::new().append(true).open(&served.config).unwrap();
    writeln!(arquivo, "\n{toml}").unwrap();
}

fn decodificar(recebido: &Recebido) -> ExportMetricsServiceRequest {
    ExportMetricsServiceRequest::decode(recebido.corpo.clone()).unwrap()
}

fn texto(valor: &KeyValue) -> Option<&str> {
    match valor.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(texto) => Some(texto),
        _ => None,
    }
}

/// Attributes as a sorted map of strings.
fn mapa(atributos: &[KeyValue]) -> BTreeMap<String, String> {
    atributos
        .iter()
        .map(|kv| (kv.key.clone(), texto(kv).unwrap_or("(não texto)").to_owned()))
        .collect()
}

fn recurso(pedido: &ExportMetricsServiceRequest) -> BTreeMap<String, String> {
    mapa(&pedido.resource_metrics[0].resource.as_ref().unwrap().attributes)
}

fn metricas(pedido: &ExportMetricsServiceRequest) -> Vec<&Metric> {
    pedido
        .resource_metrics
        .iter()
        .flat_map(|resource| &resource.scope_metrics)
        .flat_map(|scope| &scope.metrics)
        .collect()
}

fn metrica<'a>(pedido: &'a ExportMetricsServiceRequest, nome: &str) -> &'a Metric {
    metricas(pedido)
        .into_iter()
        .find(|metrica| metrica.name == nome)
        .unwrap_or_else(|| panic!("{nome} not pushed"))
}

fn rotulos(pares: &[(&str, &str)]) -> BTreeMap<String, String> {
    pares.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// An integer point's value by its attributes, in a sum or a gauge.
fn inteiro(metrica: &Metric, atributos: &BTreeMap<String, String>) -> Option<i64> {
    let pontos = match metrica.data.as_ref()? {
        metric::Data::Sum(soma) => &soma.data_points,
        metric::Data::Gauge(gauge) => &gauge.data_points,
        _ => return None,
    };
    let ponto = pontos.iter().find(|ponto| mapa(&ponto.attributes) == *atributos)?;
    match ponto.value {
        Some(number_data_point::Value::AsInt(valor)) => Some(valor),
        _ => None,
    }
}

/// Every cumulative figure of a push (sums' values, histograms' counts and sums), by metric and attributes, with
/// its start time.
fn cumulativos(pedido: &ExportMetricsServiceRequest) -> BTreeMap<(String, BTreeMap<String, String>), (f64, u64)> {
    let mut figuras = BTreeMap::new();
    for metrica in metricas(pedido) {
        match &metrica.data {
            Some(metric::Data::Sum(soma)) => {
                for ponto in &soma.data_points {
                    let Some(number_data_point::Value::AsInt(valor)) = ponto.value else {
                        panic!("{}: not an int", metrica.name)
                    };
                    figuras.insert(
                        (metrica.name.clone(), mapa(&ponto.attributes)),
                        (valor as f64, ponto.start_time_unix_nano),
                    );
                }
            }
            Some(metric::Data::Histogram(histograma)) => {
                for ponto in &histograma.data_points {
                    let chave = mapa(&ponto.attributes);
                    figuras.insert(
                        (format!("{}#count", metrica.name), chave.clone()),
                        (ponto.count as f64, ponto.start_time_unix_nano),
                    );
                    figuras.insert(
                        (format!("{}#sum", metrica.name), chave),
                        (ponto.sum.unwrap(), ponto.start_time_unix_nano),
                    );
                }
            }
            _ => {}
        }
    }
    figuras
}

/// A running `borda serve`, killed if the test fails before stopping it (else it would push on, for nobody).
struct Daemon(Option<Child>);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `borda serve` against a demo ERP, configured with `secao` appended, logging to `log` in its own directory.
struct Montagem {
    erp: DemoErp,
    served: Served,
    http: reqwest::Client,
    log: PathBuf,
    daemon: Daemon,
    _dir: tempfile::TempDir,
}

async fn iniciar(secao: &str) -> Montagem {
    let erp = DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::configure(dir.path(), &erp);
    acrescentar(&served, secao);
    let http = reqwest::Client::new();
    let log = dir.path().join("borda.log");
    let daemon = Daemon(Some(served.spawn_logging(&http, &log).await));
    Montagem {
        erp,
        served,
        http,
        log,
        daemon,
        _dir: dir,
    }
}

/// Stops it with SIGTERM, as systemd does: a clean exit, the push part included.
fn parar(mut daemon: Daemon) {
    let mut child = daemon.0.take().unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// The whole push, checked from the receiver's side: the path, the media type, the configured header, the resource,
/// the request counter (a monotonic cumulative sum with the customer lookup's route), the latency histogram, the
/// outbox and the version; cumulative figures never go down from one push to the next; and no body holds the
/// customer's CPF (bare or punctuated) or name, nor the log the collector's credential.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_reach_an_otlp_receiver_without_personal_data() {
    common::install_crypto();
    let (receptor, addr) = Receptor::start().await;
    let Montagem {
        erp,
        served,
        http,
        log,
        daemon,
        _dir,
    } = iniciar(&format!(
        "[totem]\nid = \"totem-teste-07\"\n\
             [telemetria]\notlp_endpoint = \"http://{addr}/\"\nintervalo = \"1s\"\n\
             cabecalhos = {{ Authorization = \"{SEGREDO}\" }}\n"
    ))
    .await;

    // A customer looked up and one of her faturas paid, through the API.
    let cliente = http
        .get(format!("{}/v1/clientes/{MARIA}", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(cliente.status(), 200);
    // A load fatura of the demo ERP (R$ 10,00), paid through the API.
    let baixa = served.pay(&http, "L-1").send().await.unwrap();
    assert!(baixa.status().is_success(), "{}", baixa.status());

    // Two more pushes after the one that first counts the lookup.
    let rota = rotulos(&[("rota", "/v1/clientes/:documento"), ("status", "200")]);
    let conta_a_consulta = |recebido: &Recebido| {
        let pedido = decodificar(recebido);
        let requisicoes = metricas(&pedido)
            .into_iter()
            .find(|metrica| metrica.name == "borda_http_requests");
        requisicoes.is_some_and(|requisicoes| inteiro(requisicoes, &rota).is_some())
    };
    let recebidos = receptor
        .esperar(Duration::from_secs(20), |recebidos| {
            recebidos
                .iter()
                .position(conta_a_consulta)
                .is_some_and(|primeiro| recebidos.len() >= primeiro + 3)
        })
        .await;
    parar(daemon);
    erp.stop().await;

    for recebido in &recebidos {
        for dado in [MARIA, "529.982.247-25", "Maria Aparecida", "MARIA APARECIDA"] {
            assert!(
                !recebido
                    .corpo
                    .windows(dado.len())
                    .any(|janela| janela == dado.as_bytes()),
                "{dado} pushed to the collector"
            );
        }
    }
    for recebido in &recebidos {
        assert_eq!(recebido.caminho, "/v1/metrics");
        assert_eq!(recebido.tipo.as_deref(), Some("application/x-protobuf"));
        assert_eq!(recebido.autorizacao.as_deref(), Some(SEGREDO));
    }
    let pedidos: Vec<_> = recebidos.iter().map(decodificar).collect();
    let ultimo = pedidos.last().unwrap();
    // Cumulative figures never go down, and keep their start.
    for par in pedidos.windows(2) {
        let (antes, depois) = (cumulativos(&par[0]), cumulativos(&par[1]));
        for (chave, (valor, inicio)) in &antes {
            let (agora, inicio_agora) = depois.get(chave).unwrap_or_else(|| panic!("{chave:?} vanished"));
            assert!(agora >= valor, "{chave:?}: {valor} then {agora}");
            assert_eq!(inicio, inicio_agora, "{chave:?}");
        }
    }
    assert!(
        cumulativos(&pedidos[0]).len() < cumulativos(ultimo).len(),
        "the figures did grow"
    );

    assert_eq!(
        recurso(ultimo),
        rotulos(&[
            ("service.instance.id", "totem-teste-07"),
            ("service.name", "borda"),
            ("service.version", env!("CARGO_PKG_VERSION")),
        ])
    );
    assert!(
        metricas(ultimo).iter().all(|metrica| !metrica.name.ends_with("_total")),
        "OTLP names carry no _total"
    );

    let requisicoes = metrica(ultimo, "borda_http_requests");
    let Some(metric::Data::Sum(soma)) = &requisicoes.data else {
        panic!("the request counter is a sum: {requisicoes:?}")
    };
    assert!(soma.is_monotonic);
    assert_eq!(soma.aggregation_temporality, AggregationTemporality::Cumulative as i32);
    assert_eq!(inteiro(requisicoes, &rota), Some(1));
    let ponto = &soma.data_points[0];
    assert!(0 < ponto.start_time_unix_nano && ponto.start_time_unix_nano < ponto.time_unix_nano);

    let duracao = metrica(ultimo, "borda_http_request_duration_seconds");
    assert_eq!(duracao.unit, "s");
    let Some(metric::Data::Histogram(histograma)) = &duracao.data else {
        panic!("the latency is a histogram: {duracao:?}")
    };
    assert_eq!(
        histograma.aggregation_temporality,
        AggregationTemporality::Cumulative as i32
    );
    let consulta = histograma
        .data_points
        .iter()
        .find(|ponto| mapa(&ponto.attributes) == rotulos(&[("rota", "/v1/clientes/:documento")]))
        .expect("the lookup's latency");
    assert_eq!(consulta.count, 1);
    for ponto in &histograma.data_points {
        assert_eq!(ponto.bucket_counts.len(), ponto.explicit_bounds.len() + 1);
        assert_eq!(ponto.bucket_counts.iter().sum::<u64>(), ponto.count, "{ponto:?}");
        assert!(ponto.count > 0 && ponto.sum.unwrap() > 0.0);
    }

    let outbox = metrica(ultimo, "borda_outbox_baixas");
    assert!(matches!(outbox.data, Some(metric::Data::Gauge(_))));
    for status in ["pendente", "falhou"] {
        assert!(inteiro(outbox, &rotulos(&[("status", status)])).is_some(), "{status}");
    }
    let versao = metrica(ultimo, "borda_build_info");
    assert_eq!(
        inteiro(versao, &rotulos(&[("versao", env!("CARGO_PKG_VERSION"))])),
        Some(1)
    );
    assert!(inteiro(metrica(ultimo, "borda_start_time_seconds"), &BTreeMap::new()).is_some());
    assert!(
        inteiro(
            metrica(ultimo, "borda_upstream_last_answer_timestamp_seconds"),
            &rotulos(&[("upstream", "erp")])
        )
        .is_some()
    );

    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("pushing the metrics to the OTLP collector"), "{log}");
    assert!(
        !log.contains("segredo-do-coletor"),
        "the collector's credential in the log"
    );
}

/// A collector that answers 503 for a while: the daemon stays healthy, warns once (not once per push), and once the
/// collector accepts again, says so and the next push arrives whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_refuses_for_a_while_neither_stops_the_daemon_nor_loses_the_push() {
    common::install_crypto();
    let (receptor, addr) = Receptor::start().await;
    receptor.recusar.store(true, Ordering::SeqCst);
    let Montagem {
        erp,
        served,
        http,
        log,
        daemon,
        _dir,
    } = iniciar(&format!(
        "[telemetria]\notlp_endpoint = \"http://{addr}\"\nintervalo = \"1s\"\ninstancia = \"frota-sp-0042\"\n\
             timeout_ms = 2000\n"
    ))
    .await;

    receptor
        .esperar(Duration::from_secs(20), |recebidos| recebidos.len() >= 3)
        .await;
    let saude = http.get(format!("{}/healthz", served.base)).send().await.unwrap();
    assert_eq!(saude.status(), 200, "{}", saude.text().await.unwrap());
    let consulta = http
        .get(format!("{}/v1/clientes/{MARIA}", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(consulta.status(), 200);

    receptor.recusar.store(false, Ordering::SeqCst);
    let recebidos = receptor
        .esperar(Duration::from_secs(20), |recebidos| {
            recebidos.iter().filter(|recebido| recebido.status == 200).count() >= 2
        })
        .await;
    let saude = http.get(format!("{}/healthz", served.base)).send().await.unwrap();
    assert_eq!(saude.status(), 200);
    parar(daemon);
    erp.stop().await;

    let recusados = recebidos.iter().take_while(|recebido| recebido.status == 503).count();
    assert!(recusados >= 3, "{recusados}");
    let aceito = recebidos.iter().find(|recebido| recebido.status == 200).unwrap();
    let pedido = decodificar(aceito);
    assert_eq!(recurso(&pedido)["service.instance.id"], "frota-sp-0042");
    assert_eq!(
        inteiro(
            metrica(&pedido, "borda_http_requests"),
            &rotulos(&[("rota", "/v1/clientes/:documento"), ("status", "200")])
        ),
        Some(1),
        "the request counted while the collector refused is in the first push it accepts"
    );

    let log = std::fs::read_to_string(&log).unwrap();
    let linhas = |texto: &str| log.lines().filter(|linha| linha.contains(texto)).count();
    assert_eq!(linhas("the OTLP push failed; trying again"), 1, "one warning: {log}");
    assert!(linhas("the OTLP push failed again") >= 2, "{log}");
    assert_eq!(linhas("the OTLP collector accepts the metrics again"), 1, "{log}");
}
