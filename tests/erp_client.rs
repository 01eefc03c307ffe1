//! The ERP client against the demo ERP, a real HTTP server on a loopback port: both generations of the contract,
//! the lenient reading of malformed records, every failure mode and the circuit breaker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use borda::boleto;
use borda::config::{Config, ErpConfig};
use borda::demo::{CLIENTES_DEMO, DemoErp, Modo};
use borda::erp::{ErpClient, ErpError};
use borda::model::Fatura;
use borda::money::Centavos;
use chrono::{Days, NaiveDate};

const MARIA: &str = "52998224725";
const JOAO: &str = "11144477735";
const PADARIA: &str = "12ABC34501DE35";
const CARLOS: &str = "39053344705";
/// A valid CPF the demo does not know.
const DESCONHECIDO: &str = "76828154002";

async fn demo() -> DemoErp {
    DemoErp::start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

/// The `[erp]` section the demo advertises, parsed as borda parses its configuration.
fn config(demo: &DemoErp) -> ErpConfig {
    Config::parse(&demo.config_toml(), Path::new("demo.toml")).unwrap().erp
}

fn client(demo: &DemoErp) -> ErpClient {
    ErpClient::new(&config(demo)).unwrap()
}

fn hoje() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn dia(delta: i64) -> Option<NaiveDate> {
    let dias = Days::new(delta.unsigned_abs());
    if delta < 0 {
        hoje().checked_sub_days(dias)
    } else {
        hoje().checked_add_days(dias)
    }
}

fn ids(faturas: &[Fatura]) -> Vec<&str> {
    faturas.iter().map(|f| f.id.as_str()).collect()
}

fn achar<'a>(faturas: &'a [Fatura], id: &str) -> &'a Fatura {
    faturas
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("fatura {id} missing"))
}

/// What every fatura must look like once normalised, whichever generation it came in.
fn assert_normalizada(f: &Fatura, documento: &str) {
    assert_eq!(f.documento, documento, "{}", f.id);
    let linha = f.linha_digitavel.as_deref().unwrap();
    assert!(
        linha.len() == 47 && linha.bytes().all(|b| b.is_ascii_digit()),
        "{}: {linha}",
        f.id
    );
    let barras = f.codigo_barras.as_deref().unwrap();
    assert_eq!(barras, boleto::decode(linha, hoje()).unwrap().codigo_barras, "{}", f.id);
    assert_eq!(barras.len(), 44);
    assert!(f.valor_atual.get() > 0);
    assert!(f.vencimento.is_some() && f.emissao.is_some(), "{}", f.id);
    assert!(f.nome_cliente.is_some() && f.id_cliente.is_some(), "{}", f.id);
}

#[tokio::test]
async fn the_demo_advertises_a_valid_configuration_and_valid_documents() {
    let demo = demo().await;
    let erp = config(&demo);
    assert_eq!(erp.base_url, demo.base_url());
    assert_eq!(erp.base_url, format!("http://{}", demo.addr()));
    assert_eq!(erp.paths.faturas, "/api/faturas");
    for (documento, nome) in CLIENTES_DEMO {
        assert_eq!(
            borda::documento::parse(documento).unwrap().numero(),
            *documento,
            "{nome}"
        );
    }
    assert_eq!(CLIENTES_DEMO.len(), 4);
}

#[tokio::test]
async fn cliente_in_the_short_form() {
    let demo = demo().await;
    let c = client(&demo).cliente("529.982.247-25").await.unwrap();
    assert_eq!(c.documento, MARIA);
    assert_eq!(c.id.as_deref(), Some("501"));
    assert_eq!(c.nome, "Maria Aparecida Souza");
    assert_eq!(c.ativo, Some(true));
    assert_eq!(c.id_contrato.as_deref(), Some("C-1001"));
    assert_eq!(c.endereco.logradouro.as_deref(), Some("Rua das Flores"));
    assert_eq!(c.endereco.numero.as_deref(), Some("45"));
    assert_eq!(c.endereco.complemento, None);
    assert_eq!(c.endereco.uf.as_deref(), Some("SP"));
    assert_eq!(c.endereco.cep.as_deref(), Some("12020-000"));
}

#[tokio::test]
async fn cliente_in_the_long_form_inside_a_list() {
    let demo = demo().await;
    let c = client(&demo).cliente(JOAO).await.unwrap();
    assert_eq!(c.documento, JOAO);
    assert_eq!(c.id.as_deref(), Some("377"));
    assert_eq!(c.nome, "João Pereira Lima");
    assert_eq!(c.nome_fantasia, None);
    assert_eq!(c.ativo, Some(true));
    assert_eq!(c.telefone.as_deref(), Some("(12) 99123-4567"));
    assert_eq!(c.email.as_deref(), Some("joao.lima@example.com"));
    assert_eq!(c.endereco.logradouro.as_deref(), Some("Av. Independência"));
    assert_eq!(c.endereco.complemento.as_deref(), Some("Casa 2"));
    assert_eq!(c.endereco.cidade.as_deref(), Some("Taubaté"));
}

#[tokio::test]
async fn cliente_with_an_alphanumeric_cnpj_and_unknown_cliente() {
    let demo = demo().await;
    let erp = client(&demo);
    let c = erp.cliente("12.abc.345/01de-35").await.unwrap();
    assert_eq!(
        (c.documento.as_str(), c.id.as_deref(), c.ativo),
        (PADARIA, Some("502"), Some(true))
    );
    assert_eq!(c.id_contrato.as_deref(), Some("2001"));
    assert!(matches!(erp.cliente(DESCONHECIDO).await, Err(ErpError::NaoEncontrado)));
    assert!(erp.online());
}

#[tokio::test]
async fn faturas_of_the_newer_generation() {
    let demo = demo().await;
    let faturas = client(&demo).faturas(MARIA, None).await.unwrap();
    assert_eq!(ids(&faturas), ["10001", "10002", "10003"]);
    for f in &faturas {
        assert_normalizada(f, MARIA);
        assert!(f.pix_code.is_some());
        assert!(f.bill_receipt.as_deref().unwrap().contains("CNPJ 11.222.333/0001-81\n"));
        assert!(
            f.bill_pix_receipt
                .as_deref()
                .unwrap()
                .ends_with("guarde este comprovante")
        );
        assert_eq!(f.link_boleto, None);
    }
    let f1 = achar(&faturas, "10001");
    assert_eq!(
        (f1.valor_inicial, f1.valor_atual),
        (Some(Centavos::new(9990)), Centavos::new(9990))
    );
    assert_eq!((f1.vencimento, f1.emissao), (dia(5), dia(-25)));
    assert_eq!(f1.code_fatura.as_deref(), Some("10001-52998224725"));
    assert_eq!(
        (f1.banco.as_deref(), f1.identifier.as_deref()),
        (Some("341"), Some("carteira-109"))
    );
    // Values as JSON numbers, a numeric id and datetimes normalise exactly.
    let f2 = achar(&faturas, "10002");
    assert_eq!(f2.valor_atual, Centavos::new(10223));
    assert_eq!(
        (f2.juros, f2.multa, f2.desconto),
        (Some(Centavos::new(33)), Some(Centavos::new(200)), Some(Centavos::ZERO))
    );
    assert_eq!((f2.vencimento, f2.emissao), (dia(-10), dia(-40)));
    assert_eq!(
        (f2.id_cliente.as_deref(), f2.contrato.as_deref()),
        (Some("501"), Some("C-1001"))
    );
    let f3 = achar(&faturas, "10003");
    assert_eq!(
        (f3.valor_atual, f3.juros, f3.contrato.as_deref()),
        (Centavos::new(14990), None, Some("C-1002"))
    );
}

#[tokio::test]
async fn faturas_of_the_older_generation() {
    let demo = demo().await;
    let faturas = client(&demo).faturas("111.444.777-35", None).await.unwrap();
    assert_eq!(ids(&faturas), ["A-7781", "A-7782"]);
    for f in &faturas {
        assert_normalizada(f, JOAO);
        assert_eq!(f.banco.as_deref(), Some("237"), "taken from the linha");
    }
    let a1 = achar(&faturas, "A-7781");
    assert_eq!(a1.valor_atual, Centavos::new(7990));
    assert_eq!((a1.vencimento, a1.emissao), (dia(3), dia(-27)));
    assert_eq!(a1.pix_code, None, "an empty pix_code is absent");
    assert_eq!(a1.link_boleto, Some(format!("{}/boletos/A-7781.pdf", demo.base_url())));
    assert_eq!(a1.identifier, None);
    let a2 = achar(&faturas, "A-7782");
    assert_eq!(
        (a2.valor_atual, a2.vencimento, a2.link_boleto.as_deref()),
        (Centavos::new(24990), dia(33), None)
    );
    assert!(a2.pix_code.is_some());
}

#[tokio::test]
async fn faturas_of_an_alphanumeric_cnpj_and_of_nobody() {
    let demo = demo().await;
    let erp = client(&demo);
    let faturas = erp.faturas(PADARIA, None).await.unwrap();
    assert_eq!(ids(&faturas), ["20001"]);
    assert_normalizada(&faturas[0], PADARIA);
    assert_eq!(
        (faturas[0].valor_atual, faturas[0].contrato.as_deref()),
        (Centavos::new(38990), Some("2001"))
    );
    assert_eq!(erp.faturas(DESCONHECIDO, None).await.unwrap(), []);
}

#[tokio::test]
async fn faturas_filtered_by_contract() {
    let demo = demo().await;
    let erp = client(&demo);
    assert_eq!(ids(&erp.faturas(MARIA, Some("C-1002")).await.unwrap()), ["10003"]);
    assert_eq!(
        ids(&erp.faturas(MARIA, Some("C-1001")).await.unwrap()),
        ["10001", "10002"]
    );
    assert_eq!(erp.faturas(MARIA, Some("C-9")).await.unwrap(), []);
}

#[tokio::test]
async fn malformed_records_are_skipped_and_the_rest_answers() {
    let demo = demo().await;
    let erp = client(&demo);
    let faturas = erp.faturas(CARLOS, None).await.unwrap();
    assert_eq!(
        ids(&faturas),
        ["30001"],
        "the invalid linha and the record without id are skipped"
    );
    assert_normalizada(&faturas[0], CARLOS);
    assert_eq!(
        (faturas[0].valor_atual, faturas[0].juros),
        (Centavos::new(12030), Some(Centavos::new(40)))
    );
    assert!(matches!(erp.fatura("30002").await, Err(ErpError::RespostaInvalida(_))));
}

#[tokio::test]
async fn fatura_by_id_as_object_or_list() {
    let demo = demo().await;
    let erp = client(&demo);
    let nova = erp.fatura("10001").await.unwrap();
    let na_lista = erp.faturas(MARIA, None).await.unwrap();
    assert_eq!(&nova, achar(&na_lista, "10001"));
    let antiga = erp.fatura("A-7781").await.unwrap();
    assert_eq!(
        (antiga.documento.as_str(), antiga.valor_atual),
        (JOAO, Centavos::new(7990))
    );
    assert_eq!(erp.fatura("20001").await.unwrap().documento, PADARIA);
    assert!(matches!(erp.fatura("99999").await, Err(ErpError::NaoEncontrado)));
    assert!(matches!(erp.fatura("..").await, Err(ErpError::NaoEncontrado)));
    assert!(matches!(erp.fatura("a/b").await, Err(ErpError::NaoEncontrado)));
}

#[tokio::test]
async fn boleto_pdf_from_upstream_or_not_found() {
    let demo = demo().await;
    let erp = client(&demo);
    let pdf = erp.boleto_pdf("10001").await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n"));
    assert!(matches!(erp.boleto_pdf("10002").await, Err(ErpError::NaoEncontrado)));
    assert!(erp.online());
}

#[tokio::test]
async fn contratos_of_both_generations() {
    let demo = demo().await;
    let erp = client(&demo);
    let maria = erp.contratos(MARIA).await.unwrap();
    assert_eq!(
        maria.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["C-1001", "C-1002"]
    );
    assert_eq!(maria[0].nome.as_deref(), Some("Rua das Flores, 45 - Jardim América"));
    let joao = erp.contratos(JOAO).await.unwrap();
    assert_eq!(
        (joao[0].id.as_str(), joao[0].nome.as_deref()),
        ("881", Some("Av. Independência, 900 - Centro"))
    );
    assert_eq!(erp.contratos(PADARIA).await.unwrap()[0].id, "2001");
    assert_eq!(erp.contratos(DESCONHECIDO).await.unwrap(), []);
}

#[tokio::test]
async fn desbloqueio_and_probe() {
    let demo = demo().await;
    let erp = client(&demo);
    assert_eq!(erp.desbloqueio("501", "C-1001").await.unwrap(), "ativo");
    assert!(erp.sondar().await);
    assert!(erp.online());
}

#[tokio::test]
async fn a_wrong_token_is_an_error_status_not_an_outage() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.auth_value = "Bearer errado".into();
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();
    let error = erp.faturas(MARIA, None).await.unwrap_err();
    assert!(
        matches!(&error, ErpError::Status { status: 401, corpo } if corpo.contains("token")),
        "{error:?}"
    );
    assert!(!error.is_unavailable());
    assert!(erp.online());
}

#[tokio::test]
async fn error_500_is_an_unavailable_status() {
    let demo = demo().await;
    let erp = client(&demo);
    demo.set_modo(Modo::Erro500);
    let error = erp.cliente(MARIA).await.unwrap_err();
    assert!(
        matches!(&error, ErpError::Status { status: 500, corpo } if corpo.contains("Fatal error")),
        "{error:?}"
    );
    assert!(error.is_unavailable());
    assert!(erp.sondar().await, "a 500 is still an answer");
}

#[tokio::test]
async fn garbage_is_an_invalid_answer() {
    let demo = demo().await;
    let erp = client(&demo);
    demo.set_modo(Modo::Lixo);
    for error in [
        erp.faturas(MARIA, None).await.unwrap_err(),
        erp.fatura("10001").await.unwrap_err(),
    ] {
        assert!(matches!(error, ErpError::RespostaInvalida(_)), "{error:?}");
        assert!(!error.is_unavailable());
    }
}

#[tokio::test]
async fn a_slow_erp_times_out() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.timeout_ms = 300;
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo(Modo::Lento(Duration::from_secs(1)));
    let error = erp.faturas(MARIA, None).await.unwrap_err();
    assert!(matches!(error, ErpError::Indisponivel(_)), "{error:?}");
}

#[tokio::test]
async fn refused_connections_are_unavailable_even_on_a_pooled_connection() {
    let demo = demo().await;
    let erp = client(&demo);
    erp.cliente(MARIA).await.unwrap();
    demo.set_modo(Modo::Recusa);
    let error = erp.cliente(MARIA).await.unwrap_err();
    assert!(matches!(error, ErpError::Indisponivel(_)), "{error:?}");
    let error = ErpClient::new(&config(&demo))
        .unwrap()
        .cliente(MARIA)
        .await
        .unwrap_err();
    assert!(matches!(error, ErpError::Indisponivel(_)), "{error:?}");
    demo.set_modo(Modo::Normal);
    assert_eq!(erp.cliente(MARIA).await.unwrap().documento, MARIA);
}

#[tokio::test]
async fn a_stopped_erp_is_unavailable() {
    let demo = demo().await;
    let erp = client(&demo);
    erp.contratos(MARIA).await.unwrap();
    demo.stop().await;
    let error = erp.contratos(MARIA).await.unwrap_err();
    assert!(matches!(error, ErpError::Indisponivel(_)), "{error:?}");
    assert!(!erp.sondar().await);
}

#[tokio::test]
async fn the_breaker_opens_stops_calling_and_closes_when_the_erp_is_back() {
    let demo = demo().await;
    let addr = demo.addr();
    let erp = client(&demo);
    assert_eq!(config(&demo).breaker_failures, 3);
    demo.set_modo(Modo::Erro500);
    for _ in 0..3 {
        assert!(erp.online());
        assert!(matches!(
            erp.faturas(MARIA, None).await,
            Err(ErpError::Status { status: 500, .. })
        ));
    }
    assert!(!erp.online());
    let chegaram = demo.requests();
    for _ in 0..5 {
        let error = erp.faturas(MARIA, None).await.unwrap_err();
        assert!(
            matches!(&error, ErpError::Indisponivel(m) if m.contains("circuito aberto")),
            "{error:?}"
        );
        assert!(matches!(erp.boleto_pdf("10001").await, Err(ErpError::Indisponivel(_))));
    }
    assert_eq!(demo.requests(), chegaram, "an open breaker must not touch the network");

    // The ERP goes away entirely, then comes back on the same address.
    demo.stop().await;
    assert!(!erp.sondar().await);
    assert!(!erp.online());
    let de_volta = DemoErp::start(addr).await.unwrap();
    assert!(erp.sondar().await);
    assert!(erp.online());
    assert_eq!(
        ids(&erp.faturas(MARIA, None).await.unwrap()),
        ["10001", "10002", "10003"]
    );
    assert_eq!(de_volta.requests(), 2, "the probe and the call");
}

#[tokio::test]
async fn clones_share_the_breaker() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();
    let clone = erp.clone();
    demo.set_modo(Modo::Erro500);
    assert!(erp.cliente(MARIA).await.is_err());
    assert!(!clone.online());
    demo.set_modo(Modo::Normal);
    assert!(clone.sondar().await);
    assert!(erp.online());
}
