//! The ERP client against the demo ERP, a real HTTP server on a loopback port: both generations of the contract,
//! the lenient reading of malformed records, every failure mode and the circuit breaker, and baixas: what they
//! carry, how every kind of answer is classified, and the paid fatura that lets an uncertain one be reconciled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use borda::adapters::erp::{EmAberto, EnvioBaixa, ErpClient, ErpError, IdsForma};
use borda::config::{Config, ErpConfig};
use borda::demo::{CLIENTE_CARGA, CLIENTES_DEMO, DemoErp, Modo, ModoBaixa};
use borda::domain::baixa::{Baixa, NovaBaixa, Transacao};
use borda::domain::model::Fatura;
use borda::domain::money::Centavos;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;

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

/// The 44-digit barcode in a 47-digit linha digitável of a boleto bancário, by the positions of the FEBRABAN
/// layout: bank and currency, general DV, fator and valor, then the campo livre spread over the three fields without
/// their DVs. Written from the layout, not from borda, and checked against the public vectors in
/// `the_linha_layout_matches_the_vectors`.
fn barras_da_linha(linha: &str) -> String {
    assert_eq!(linha.len(), 47, "{linha}");
    [
        &linha[0..4],
        &linha[32..33],
        &linha[33..47],
        &linha[4..9],
        &linha[10..20],
        &linha[21..31],
    ]
    .concat()
}

/// The fator de vencimento of `data` in the second cycle (from 2025-02-22): one more per day from the fator 1000 of
/// the vectors' fator table.
fn fator(data: NaiveDate) -> String {
    let tabela = common::vector_file("boleto_bancario.json");
    let inicio: NaiveDate = common::vector_list(&tabela, "fator_table")
        .iter()
        .find(|row| row["cycle"] == 2 && row["fator"] == 1000)
        .and_then(|row| row["date"].as_str()?.parse().ok())
        .expect("the fator table has the start of the second cycle");
    let dias = (data - inicio).num_days();
    assert!((0..9000).contains(&dias), "{data} is outside the second cycle");
    format!("{}", 1000 + dias)
}

#[test]
fn the_linha_layout_matches_the_vectors() {
    let json = common::vector_file("boleto_bancario.json");
    let validos: Vec<_> = common::vector_list(&json, "cases")
        .iter()
        .filter(|c| c["valid"] == true)
        .collect();
    assert!(validos.len() >= 50, "{} valid cases", validos.len());
    for caso in validos {
        let linha = caso["linha"].as_str().unwrap();
        assert_eq!(
            barras_da_linha(linha),
            caso["barcode"].as_str().unwrap(),
            "{}",
            caso["id"]
        );
    }
    for row in common::vector_list(&json, "fator_table")
        .iter()
        .filter(|row| row["cycle"] == 2)
    {
        let data: NaiveDate = row["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(fator(data), row["fator"].to_string(), "{row}");
    }
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
    assert_eq!(barras, barras_da_linha(linha), "{}", f.id);
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
            borda::domain::documento::parse(documento).unwrap().numero(),
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
    assert!(
        !erp.sondar().await,
        "a 500 means the ERP is not there, for the probe too"
    );
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

/// A baixa of `fatura` paid by PIX; `n` makes its id unique.
fn baixa(n: u32, fatura: &str, documento: &str, valor: i64) -> Baixa {
    let pago_em = DateTime::parse_from_rfc3339("2026-11-20T14:05:09-03:00").unwrap();
    let nova = NovaBaixa {
        id: format!("0192f0c1-7a2b-7c3d-8e4f-{n:012}"),
        chave_idempotencia: format!("totem-1-{n}"),
        fatura_id: fatura.into(),
        documento: documento.into(),
        id_cliente: Some("501".into()),
        identifier: None,
        valor: Centavos::new(valor),
        pago_em,
        transacao: Transacao::Pix {
            e2e_id: format!("E18236120202611201705s{n:010}"),
            txid: Some(format!("FAT{fatura}")),
        },
        aguardar_erp: false,
    };
    Baixa::nova(nova, pago_em.with_timezone(&Utc))
}

const SEM_IDS: IdsForma<'static> = IdsForma {
    id_empresa: None,
    id_conta: None,
};

/// A client whose every call gives up after 200 ms.
fn impaciente(demo: &DemoErp) -> ErpClient {
    let mut config = config(demo);
    config.timeout_ms = 200;
    ErpClient::new(&config).unwrap()
}

#[tokio::test]
async fn a_baixa_pays_the_fatura_and_a_second_one_is_booked_again() {
    let demo = demo().await;
    let erp = client(&demo);
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    assert_eq!(
        envio,
        EnvioBaixa::Aceita {
            resposta: json!({ "success": true, "api_response": { "status": "baixada" } }).to_string()
        }
    );
    assert!(matches!(erp.fatura("10001").await, Err(ErpError::NaoEncontrado)));
    assert_eq!(ids(&erp.faturas(MARIA, None).await.unwrap()), ["10002", "10003"]);

    // The ERP is not idempotent: a second baixa of a paid fatura is booked again, and answered as the first.
    let segunda = erp.baixa(&baixa(2, "10001", MARIA, 9990), &SEM_IDS).await;
    assert_eq!(segunda, envio);
    let desconhecida = erp.baixa(&baixa(3, "99999", MARIA, 100), &SEM_IDS).await;
    assert!(
        matches!(&desconhecida, EnvioBaixa::Recusada { status: 422, resposta } if resposta.contains("não encontrada")),
        "{desconhecida:?}"
    );
    let recebidas = demo.baixas_recebidas();
    let booked: Vec<_> = recebidas.iter().map(|b| b.id_fatura.as_str()).collect();
    assert_eq!(
        booked,
        ["10001", "10001"],
        "both bookings are recorded, the unknown fatura is not"
    );
    assert_eq!(demo.posts_de_baixa().len(), 3, "every POST is recorded");
}

#[tokio::test]
async fn the_older_generation_accepts_with_a_status() {
    let demo = demo().await;
    let erp = client(&demo);
    let envio = erp.baixa(&baixa(1, "A-7781", JOAO, 7990), &SEM_IDS).await;
    assert_eq!(
        envio,
        EnvioBaixa::Aceita {
            resposta: json!({ "status": "baixado" }).to_string()
        }
    );
    assert_eq!(ids(&erp.faturas(JOAO, None).await.unwrap()), ["A-7782"]);
    assert!(matches!(erp.fatura("A-7781").await, Err(ErpError::NaoEncontrado)));
}

#[tokio::test]
async fn the_request_carries_every_name_and_the_idempotency_key() {
    let demo = demo().await;
    let erp = client(&demo);
    let mut tef = baixa(7, "20001", PADARIA, 38990);
    tef.id_cliente = Some("502".into());
    tef.transacao = Transacao::Tef {
        nsu: "000123".into(),
        autorizacao: "A1B2C3".into(),
        bandeira: Some("VISA".into()),
        comprovante_cliente: vec!["VIA CLIENTE".into()],
        comprovante_estabelecimento: vec!["VIA ESTABELECIMENTO".into()],
    };
    let ids_forma = IdsForma {
        id_empresa: Some("3"),
        id_conta: Some("41"),
    };
    assert!(matches!(erp.baixa(&tef, &ids_forma).await, EnvioBaixa::Aceita { .. }));
    let recebidas = demo.baixas_recebidas();
    assert_eq!(recebidas.len(), 1);
    assert_eq!(recebidas[0].chave.as_deref(), Some(tef.id.as_str()));
    assert_eq!(
        recebidas[0].corpo,
        json!({
            "id_cliente": "502",
            "id_fatura": "20001",
            "boleto_id": "20001",
            "customer_document_number": PADARIA,
            "valor": "389.90",
            "data_pagamento": "2026-11-20T14:05:09-03:00",
            "forma_pagamento": "tef",
            "transaction": {
                "tipo": "tef", "nsu": "000123", "autorizacao": "A1B2C3", "bandeira": "VISA",
                "comprovante_cliente": ["VIA CLIENTE"], "comprovante_estabelecimento": ["VIA ESTABELECIMENTO"],
            },
            "id_empresa": "3",
            "id_conta": "41",
            "idempotency_key": tef.id,
        })
    );

    let pix = baixa(8, "10003", MARIA, 14990);
    assert!(matches!(erp.baixa(&pix, &SEM_IDS).await, EnvioBaixa::Aceita { .. }));
    let corpo = &demo.baixas_recebidas()[1].corpo;
    assert_eq!(corpo["forma_pagamento"], "pix");
    assert_eq!(
        corpo["transaction"],
        json!({ "tipo": "pix", "e2e_id": "E18236120202611201705s0000000008", "txid": "FAT10003" })
    );
    assert!(corpo.get("id_empresa").is_none() && corpo.get("id_conta").is_none());
}

#[tokio::test]
async fn refusals_errors_and_rate_limits_record_nothing() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();

    demo.set_modo_baixa(ModoBaixa::Erro500);
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::Incerta { motivo, retry_after: None } if motivo.contains("500")),
        "{envio:?}"
    );
    assert!(!erp.online(), "a 5xx to a baixa counts against the breaker");
    assert!(erp.sondar().await, "the probe route answers");

    demo.set_modo_baixa(ModoBaixa::Rejeita);
    let envio = erp.baixa(&baixa(2, "10001", MARIA, 9990), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::Recusada { status: 422, resposta } if resposta.contains("\"success\":false")),
        "{envio:?}"
    );

    demo.set_modo_baixa(ModoBaixa::Limite);
    assert_eq!(
        erp.baixa(&baixa(3, "10001", MARIA, 9990), &SEM_IDS).await,
        EnvioBaixa::NaoEnviada {
            motivo: "limite de requisições do ERP atingido (429)".into(),
            retry_after: Some(Duration::from_secs(1)),
        }
    );
    assert!(!erp.online(), "a 429 counts against the breaker");
    assert!(erp.sondar().await);

    // The global mode comes first, on every route.
    demo.set_modo_baixa(ModoBaixa::Normal);
    demo.set_modo(Modo::Erro500);
    let envio = erp.baixa(&baixa(4, "10001", MARIA, 9990), &SEM_IDS).await;
    assert!(matches!(envio, EnvioBaixa::Incerta { .. }), "{envio:?}");
    demo.set_modo(Modo::Lixo);
    assert!(erp.sondar().await, "a 200, even of garbage, is the ERP there");
    let envio = erp.baixa(&baixa(5, "10001", MARIA, 9990), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::Incerta { motivo, .. } if motivo.contains("fora do contrato")),
        "{envio:?}"
    );

    demo.set_modo(Modo::Normal);
    assert_eq!(demo.baixas_recebidas(), []);
    assert_eq!(erp.fatura("10001").await.unwrap().id, "10001", "still open");
}

#[tokio::test]
async fn an_unreadable_success_is_uncertain_but_the_fatura_shows_it_paid() {
    let demo = demo().await;
    let erp = client(&demo);
    demo.set_modo_baixa(ModoBaixa::RespostaInvalida);
    let envio = erp.baixa(&baixa(1, "30001", CARLOS, 12030), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::Incerta { motivo, .. } if motivo.contains("JSON")),
        "{envio:?}"
    );
    assert!(matches!(erp.fatura("30001").await, Err(ErpError::NaoEncontrado)));
    assert_eq!(demo.baixas_recebidas().len(), 1);
}

#[tokio::test]
async fn a_baixa_held_before_the_commit_is_uncertain_and_the_fatura_still_open() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.timeout_ms = 200;
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo_baixa(ModoBaixa::TravaAntes);
    let envio = erp.baixa(&baixa(1, "10002", MARIA, 10223), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::Incerta { motivo, retry_after: None } if motivo.contains("tempo")),
        "{envio:?}"
    );
    assert!(!erp.online(), "a timeout counts against the breaker");
    assert!(erp.sondar().await);
    assert_eq!(erp.fatura("10002").await.unwrap().valor_atual, Centavos::new(10223));
    assert_eq!(demo.baixas_recebidas(), []);
    demo.stop().await;
}

#[tokio::test]
async fn commit_then_hang_is_uncertain_and_the_fatura_already_paid() {
    let demo = demo().await;
    let erp = impaciente(&demo);
    demo.set_modo_baixa(ModoBaixa::TravaDepois);
    let envio = erp.baixa(&baixa(1, "A-7782", JOAO, 24990), &SEM_IDS).await;
    assert!(matches!(envio, EnvioBaixa::Incerta { .. }), "{envio:?}");
    assert!(matches!(erp.fatura("A-7782").await, Err(ErpError::NaoEncontrado)));
    assert_eq!(ids(&erp.faturas(JOAO, None).await.unwrap()), ["A-7781"]);
    let recebidas = demo.baixas_recebidas();
    assert_eq!(recebidas.len(), 1);
    assert_eq!(recebidas[0].id_fatura, "A-7782");
    demo.stop().await;
}

#[tokio::test]
async fn a_stopped_erp_or_an_open_breaker_sends_nothing() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo(Modo::Erro500);
    assert!(erp.contratos(MARIA).await.is_err());
    assert!(!erp.online());
    let chegaram = demo.requests();
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    assert!(
        matches!(&envio, EnvioBaixa::NaoEnviada { motivo, retry_after: None } if motivo.contains("circuito")),
        "{envio:?}"
    );
    assert_eq!(demo.requests(), chegaram, "an open breaker must not touch the network");

    demo.stop().await;
    let envio = ErpClient::new(&config)
        .unwrap()
        .baixa(&baixa(2, "10001", MARIA, 9990), &SEM_IDS)
        .await;
    assert!(
        matches!(&envio, EnvioBaixa::NaoEnviada { motivo, retry_after: None } if motivo.contains("sem conexão")),
        "{envio:?}"
    );
}

#[tokio::test]
async fn load_faturas_are_made_on_demand_and_paid_like_the_others() {
    let demo = demo().await;
    let erp = client(&demo);
    let cpf = borda::domain::documento::parse(CLIENTE_CARGA).unwrap();
    assert_eq!(cpf.numero(), CLIENTE_CARGA);
    assert!(CLIENTES_DEMO.iter().all(|(documento, _)| *documento != CLIENTE_CARGA));

    let f = erp.fatura("L-42").await.unwrap();
    assert_eq!((f.id.as_str(), f.documento.as_str()), ("L-42", CLIENTE_CARGA));
    assert_eq!(f.valor_atual, Centavos::new(1000));
    assert_eq!(f.identifier.as_deref(), Some("carteira-carga"));
    assert_eq!(f.vencimento, dia(10));
    assert!(f.pix_code.is_some(), "the PIX code is valid");
    // Read by the layout's positions: fator 6-9, valor 10-19 (R$ 10,00), campo livre 20-44 (nosso número 42).
    let barras = barras_da_linha(f.linha_digitavel.as_deref().unwrap());
    assert_eq!(f.codigo_barras.as_deref(), Some(barras.as_str()));
    assert_eq!(&barras[5..9], fator(dia(10).unwrap()));
    assert_eq!(&barras[9..19], "0000001000");
    assert!(barras[19..].starts_with("000000042"), "{barras}");
    assert_ne!(erp.fatura("L-43").await.unwrap().linha_digitavel, f.linha_digitavel);
    assert_eq!(erp.fatura("L-123456789").await.unwrap().id, "L-123456789");
    for nenhuma in ["L-", "L-1234567890", "L-4a", "l-42", "L--1"] {
        assert!(
            matches!(erp.fatura(nenhuma).await, Err(ErpError::NaoEncontrado)),
            "{nenhuma}"
        );
    }
    assert_eq!(erp.faturas(CLIENTE_CARGA, None).await.unwrap(), []);

    let envio = erp.baixa(&baixa(1, "L-42", CLIENTE_CARGA, 1000), &SEM_IDS).await;
    assert!(matches!(envio, EnvioBaixa::Aceita { .. }), "{envio:?}");
    assert!(matches!(erp.fatura("L-42").await, Err(ErpError::NaoEncontrado)));
    assert!(
        matches!(
            erp.baixa(&baixa(2, "L-42", CLIENTE_CARGA, 1000), &SEM_IDS).await,
            EnvioBaixa::Aceita { .. }
        ),
        "booked again: the ERP does not deduplicate"
    );
    assert_eq!(demo.baixas_recebidas().len(), 2);
    assert!(erp.fatura("L-43").await.is_ok());
}

/// What [`Fake`] saw of each request: its method and header names.
type Seen = Vec<(String, Vec<String>)>;

/// A tiny upstream on a loopback port for answers the demo ERP does not give: every request gets the status and
/// body it is set to; it logs each request's method and header names.
#[derive(Clone, Default)]
struct Fake {
    answer: std::sync::Arc<std::sync::Mutex<(u16, String)>>,
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
}

impl Fake {
    async fn start(status: u16, body: &str) -> (Fake, String) {
        use axum::extract::{Request, State};
        use axum::response::IntoResponse;
        let fake = Fake::default();
        fake.set(status, body);
        let app = axum::Router::new()
            .fallback(|State(fake): State<Fake>, request: Request| async move {
                let names = request.headers().keys().map(|n| n.as_str().to_owned()).collect();
                fake.seen.lock().unwrap().push((request.method().to_string(), names));
                let (status, body) = fake.answer.lock().unwrap().clone();
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response()
            })
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, base)
    }

    fn set(&self, status: u16, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_owned());
    }

    fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }
}

/// A client of `base_url` with the demo's token and `breaker_failures`.
fn client_of(base_url: &str, breaker_failures: u32) -> ErpClient {
    let toml = format!(
        "[erp]\nbase_url = \"{base_url}\"\nauth_header = \"Authorization\"\nauth_value = \"Bearer demo-borda\"\n\
         breaker_failures = {breaker_failures}\n"
    );
    ErpClient::new(&Config::parse(&toml, Path::new("fake.toml")).unwrap().erp).unwrap()
}

#[tokio::test]
async fn a_302_on_the_baixa_post_is_uncertain_and_never_followed() {
    let demo = demo().await;
    let erp = client(&demo);
    demo.set_modo_baixa(ModoBaixa::Redireciona(format!(
        "{}/api/faturas?document={MARIA}",
        demo.base_url()
    )));
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    let EnvioBaixa::Incerta { motivo, .. } = &envio else {
        panic!("a redirect may hide a booking: {envio:?}");
    };
    assert!(motivo.contains("302"), "{motivo}");
    assert!(motivo.contains(&format!("{}/api/faturas", demo.base_url())), "{motivo}");
    assert!(!motivo.contains(MARIA), "the query string is not repeated: {motivo}");
    let pedidos = demo.pedidos();
    let metodos: Vec<(&str, &str)> = pedidos
        .iter()
        .map(|p| (p.metodo.as_str(), p.caminho.as_str()))
        .collect();
    assert_eq!(metodos, [("POST", "/api/baixas")], "exactly one POST and no GET");
    assert_eq!(demo.posts_de_baixa().len(), 1);
    assert!(erp.online(), "a redirect is the ERP answering");
}

#[tokio::test]
async fn a_301_on_a_read_is_an_error_naming_the_location() {
    let demo = demo().await;
    let erp = client(&demo);
    // Somewhere nothing listens, with the customer's CPF in the query.
    demo.set_modo(Modo::Redireciona(format!(
        "http://127.0.0.1:9/api/v2/faturas?document={MARIA}#x"
    )));
    for error in [
        erp.faturas(MARIA, None).await.unwrap_err(),
        erp.fatura("10001").await.unwrap_err(),
        erp.desbloqueio("501", "C-1001").await.unwrap_err(),
    ] {
        let message = error.to_string();
        assert!(message.contains("301"), "{message}");
        assert!(message.contains("http://127.0.0.1:9/api/v2/faturas"), "{message}");
        assert!(!message.contains(MARIA) && !message.contains('#'), "{message}");
        assert!(!error.is_unavailable(), "{error:?}");
    }
    assert!(erp.online());
    assert_eq!(demo.requests(), 3, "nothing followed");
}

#[tokio::test]
async fn a_redirect_to_another_loopback_port_never_gets_the_credential() {
    let demo = demo().await;
    let (other, other_base) = Fake::start(200, r#"{"status": "baixado"}"#).await;
    let mut config = config(&demo);
    config.auth_header = "X-Api-Key".into();
    config.auth_value = "segredo-do-provedor".into();
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo(Modo::Redireciona(format!("{other_base}/api/baixas")));
    let lida = erp.faturas(MARIA, None).await;
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    let link = format!("{}/boletos/A-7781.pdf", demo.base_url());
    let pdf = erp.pdf_do_link(&link).await;
    let seen = other.seen();
    assert!(
        seen.iter().all(|(_, names)| !names.contains(&"x-api-key".to_owned())),
        "the credential reached another host: {seen:?}"
    );
    assert_eq!(seen, [], "nothing is followed");
    assert!(
        matches!(lida, Err(ErpError::Redirecionado { status: 301, .. })),
        "{lida:?}"
    );
    assert!(matches!(envio, EnvioBaixa::Incerta { .. }), "{envio:?}");
    assert!(
        matches!(pdf, Err(ErpError::Redirecionado { status: 301, .. })),
        "{pdf:?}"
    );
    assert!(
        demo.pedidos()
            .iter()
            .all(|p| p.cabecalhos.contains(&"x-api-key".to_owned())),
        "the configured host gets the credential"
    );
}

#[tokio::test]
async fn a_probe_seeing_502_does_not_close_an_open_breaker() {
    let (fake, base) = Fake::start(502, "<html>Bad Gateway</html>").await;
    let erp = client_of(&base, 1);
    let error = erp.contratos(MARIA).await.unwrap_err();
    assert!(matches!(error, ErpError::Status { status: 502, .. }), "{error:?}");
    assert!(!erp.online());
    assert!(!erp.sondar().await, "a 502 is not the ERP");
    assert!(!erp.online(), "the probe's 502 must not close the breaker");
    fake.set(429, "{}");
    assert!(!erp.sondar().await, "a 429 is not the ERP either");
    assert!(!erp.online());
    fake.set(401, "{}");
    assert!(erp.sondar().await, "a 401 is the ERP answering");
    assert!(erp.online());
}

#[tokio::test]
async fn a_baixa_answered_500_counts_as_a_failure() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.breaker_failures = 2;
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo_baixa(ModoBaixa::Erro500);
    for n in 1..=2 {
        assert!(erp.online());
        let envio = erp.baixa(&baixa(n, "10001", MARIA, 9990), &SEM_IDS).await;
        assert!(matches!(envio, EnvioBaixa::Incerta { .. }), "{envio:?}");
    }
    assert!(!erp.online(), "two 500s in a row open the breaker");
    assert_eq!(demo.posts_de_baixa().len(), 2);
    assert_eq!(demo.baixas_recebidas(), []);
}

#[tokio::test]
async fn reads_answered_429_count_as_unavailable() {
    let (_fake, base) = Fake::start(429, "{}").await;
    let erp = client_of(&base, 1);
    let error = erp.faturas(MARIA, None).await.unwrap_err();
    assert!(matches!(error, ErpError::Status { status: 429, .. }), "{error:?}");
    assert!(error.is_unavailable());
    assert!(!erp.online());
}

#[tokio::test]
async fn a_401_on_a_baixa_is_about_the_credentials_not_the_payment() {
    let demo = demo().await;
    let mut config = config(&demo);
    config.breaker_failures = 1;
    let erp = ErpClient::new(&config).unwrap();
    demo.set_modo_baixa(ModoBaixa::NaoAutoriza);
    let envio = erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await;
    assert_eq!(envio, EnvioBaixa::NaoAutorizada { status: 401 });
    assert!(erp.online(), "a 401 is the ERP answering");
    assert_eq!(demo.baixas_recebidas(), []);

    // The token itself wrong: the demo's own check answers 401 before the route.
    demo.set_modo_baixa(ModoBaixa::Normal);
    let mut config = config.clone();
    config.auth_value = "Bearer errado".into();
    let erp = ErpClient::new(&config).unwrap();
    let envio = erp.baixa(&baixa(2, "10001", MARIA, 9990), &SEM_IDS).await;
    assert_eq!(envio, EnvioBaixa::NaoAutorizada { status: 401 });
    // Reads: an error, neither "not found" (which could be taken for paid) nor "ERP down".
    for error in [
        erp.fatura("10001").await.unwrap_err(),
        erp.fatura_em_aberto(MARIA, "10001").await.unwrap_err(),
    ] {
        assert!(matches!(error, ErpError::Status { status: 401, .. }), "{error:?}");
        assert!(!error.is_unavailable());
    }
    assert!(erp.online());
}

#[tokio::test]
async fn an_open_fatura_with_a_malformed_field_is_still_open() {
    let demo = demo().await;
    let erp = client(&demo);
    assert_eq!(erp.fatura_em_aberto(MARIA, "10001").await.unwrap(), EmAberto::Sim);
    demo.set_valor_ilegivel(true);
    assert_eq!(
        erp.faturas(MARIA, None).await.unwrap(),
        [],
        "the lenient list drops every record it cannot read"
    );
    assert_eq!(
        erp.fatura_em_aberto("529.982.247-25", "10001").await.unwrap(),
        EmAberto::Sim,
        "the raw list still names it"
    );
    assert_eq!(erp.fatura_em_aberto(JOAO, "A-7781").await.unwrap(), EmAberto::Sim);
    demo.set_valor_ilegivel(false);

    assert!(matches!(
        erp.baixa(&baixa(1, "10001", MARIA, 9990), &SEM_IDS).await,
        EnvioBaixa::Aceita { .. }
    ));
    assert_eq!(erp.fatura_em_aberto(MARIA, "10001").await.unwrap(), EmAberto::Nao);
    assert_eq!(erp.fatura_em_aberto(MARIA, "10002").await.unwrap(), EmAberto::Sim);
    assert_eq!(
        erp.fatura_em_aberto(DESCONHECIDO, "10001").await.unwrap(),
        EmAberto::Nao
    );

    // Carlos's list carries a record without an id: it cannot prove any of his faturas absent.
    let error = erp.fatura_em_aberto(CARLOS, "99999").await.unwrap_err();
    assert!(
        matches!(&error, ErpError::RespostaInvalida(m) if m.contains("sem id")),
        "{error:?}"
    );
    demo.set_modo(Modo::Lixo);
    let error = erp.fatura_em_aberto(MARIA, "10001").await.unwrap_err();
    assert!(matches!(error, ErpError::RespostaInvalida(_)), "{error:?}");
}

#[tokio::test]
async fn an_open_list_that_is_not_a_list_proves_nothing() {
    let (fake, base) = Fake::start(200, r#""nenhuma fatura""#).await;
    let erp = client_of(&base, 3);
    for body in [
        r#""nenhuma fatura""#,
        "null",
        "42",
        r#"{"faturas": [{"id_fatura": "1"}]}"#,
        r#"[{"id_fatura": "1"}, {"valor_atual": "10,00"}]"#,
    ] {
        fake.set(200, body);
        let error = erp.fatura_em_aberto(MARIA, "10001").await.unwrap_err();
        assert!(matches!(error, ErpError::RespostaInvalida(_)), "{body}: {error:?}");
    }
    for (body, esperado) in [
        (r#"[{"id_fatura": 10001, "valor_atual": "abc"}]"#, EmAberto::Sim),
        (r#"{"fatura": "10001"}"#, EmAberto::Sim),
        (r#"[{"id_fatura": "10002"}]"#, EmAberto::Nao),
        ("[]", EmAberto::Nao),
        ("{}", EmAberto::Nao),
    ] {
        fake.set(200, body);
        assert_eq!(erp.fatura_em_aberto(MARIA, "10001").await.unwrap(), esperado, "{body}");
    }
}
