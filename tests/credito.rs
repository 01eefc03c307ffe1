//! The PDV's credit-limit lookup through borda, against the demo retaguarda as a real HTTP upstream on a loopback
//! port and a real SQLite file: the retaguarda's own bodies online, by both paths and both header spellings; offline
//! answers from the cache with the local ledger applied under the offline policy; a cache too old, a customer never
//! seen, an invalid document; the ledger's idempotence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use borda::demo::retaguarda::{
    CNPJ_EMPRESA_CLIENTE, CPF_COM_USO, CPF_POR_FORMA, DemoRetaguarda, ModoRetaguarda, TOKEN_RETAGUARDA,
};
use common::harness::{Harness, send};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A valid CPF the retaguarda does not know.
const CPF_DESCONHECIDO: &str = "52998224725";

/// borda with the demo retaguarda and `politica` (TOML lines of `[retaguarda]`) over the defaults: half the saldo
/// offline, at most R$ 500.00, and here a breaker that opens at the first failure.
async fn pdv(politica: &str) -> (Harness, DemoRetaguarda) {
    common::install_crypto();
    let retaguarda = DemoRetaguarda::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let breaker = if politica.contains("breaker_failures") {
        ""
    } else {
        "breaker_failures = 1\n"
    };
    let extra = format!("{}{breaker}{politica}", retaguarda.config_toml());
    let harness = Harness::with_text(&extra, |_| {}).await;
    (harness, retaguarda)
}

/// `GET /v1/limite-credito/T1/L1` for `documento`, with `cabecalhos` besides `cpfCnpj`.
async fn limite(
    harness: &Harness,
    documento: &str,
    cabecalhos: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = harness
        .http
        .get(format!("{}/v1/limite-credito/T1/L1", harness.base))
        .header("cpfCnpj", documento);
    for (nome, valor) in cabecalhos {
        request = request.header(*nome, *valor);
    }
    send(request).await
}

/// What the retaguarda itself answers, asked directly.
async fn direto(retaguarda: &DemoRetaguarda, documento: &str, por_forma: bool) -> Value {
    reqwest::Client::new()
        .get(format!("{}/limite-credito/L1", retaguarda.base_url()))
        .header("cpfCnpj", documento)
        .header("limitePagamentoForma", por_forma.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Takes the retaguarda down and waits until borda answers from its cache.
async fn derrubar(harness: &Harness, retaguarda: DemoRetaguarda, documento: &str) {
    retaguarda.stop().await;
    // The first lookup after the link drops fails over to the cache and opens the breaker (threshold 1).
    let (status, headers, body) = limite(harness, documento, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        headers["cache-status"].to_str().unwrap().contains("upstream-offline"),
        "{headers:?}"
    );
}

fn consumo(documento: &str, valor: Value, forma: Option<&str>, venda: &str) -> Value {
    json!({
        "IdInquilino": "T1", "IdRetaguardaLoja": "L1", "cpfCnpj": documento, "valor": valor,
        "idRetaguardaPagamentoForma": forma, "id_venda": venda,
    })
}

#[tokio::test]
async fn online_the_pdv_sees_the_retaguardas_own_bodies_by_both_paths_and_header_spellings() {
    let (harness, retaguarda) = pdv("").await;
    for documento in [CPF_COM_USO, CPF_POR_FORMA, CNPJ_EMPRESA_CLIENTE, CPF_DESCONHECIDO] {
        for por_forma in [false, true] {
            let esperado = direto(&retaguarda, documento, por_forma).await;
            let forma = por_forma.to_string();
            let (status, headers, pelo_caminho) =
                limite(&harness, documento, &[("limitePagamentoForma", &forma)]).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(pelo_caminho, esperado, "{documento} por forma {por_forma}");
            assert_eq!(headers["age"], "0");
            let (_, _, pela_consulta) = send(
                harness
                    .http
                    .get(format!(
                        "{}/v1/limite-credito?IdInquilino=T1&IdRetaguardaLoja=L1",
                        harness.base
                    ))
                    .header("cpfCnpj", documento)
                    .header("limitePgamentoForma", &forma),
            )
            .await;
            assert_eq!(
                pela_consulta, esperado,
                "{documento}: the seed's misspelt header is read too"
            );
        }
    }
    // Forwarded as the PDV sent it: the document, the flag, the store in the path; each lookup asked anew.
    let pedidos = retaguarda.pedidos();
    let ultimo = pedidos.last().unwrap();
    assert_eq!(ultimo.caminho, "/limite-credito/L1");
    assert_eq!(ultimo.cabecalho("cpfCnpj"), Some(CPF_DESCONHECIDO));
    assert_eq!(ultimo.cabecalho("limitePagamentoForma"), Some("true"));
    assert_eq!(
        pedidos.len(),
        4 * 2 * 3,
        "two lookups through borda and one direct for each case"
    );
}

#[tokio::test]
async fn the_credential_goes_along() {
    common::install_crypto();
    let retaguarda = DemoRetaguarda::start_com_token(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let extra = format!(
        "{}auth_header = \"Authorization\"\nauth_value = \"Bearer {TOKEN_RETAGUARDA}\"\n",
        retaguarda.config_toml()
    );
    let harness = Harness::with_text(&extra, |_| {}).await;
    let (_, _, body) = limite(&harness, CPF_COM_USO, &[]).await;
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(
        retaguarda.pedidos()[0].cabecalho("authorization"),
        Some(format!("Bearer {TOKEN_RETAGUARDA}").as_str())
    );
}

#[tokio::test]
async fn offline_the_cached_saldo_is_shared_capped_and_reduced_by_the_ledger() {
    let (harness, retaguarda) = pdv("").await;
    let (_, _, online) = limite(&harness, CNPJ_EMPRESA_CLIENTE, &[("limitePagamentoForma", "true")]).await;
    assert_eq!(online["data"][0]["saldoDisponivel"].to_string(), "2500.5");
    // Two sales on credit, one cancelled, one on boleto.
    for (venda, valor, forma) in [
        ("V1", json!(120.25), Some("BL")),
        ("V2", json!("30.00"), None),
        ("V3", json!(99), None),
    ] {
        let (status, _, body) = harness
            .post_json(
                "/v1/limite-credito/consumos",
                &consumo(CNPJ_EMPRESA_CLIENTE, valor, forma, venda),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let cancelada = harness
        .http
        .delete(format!("{}/v1/limite-credito/consumos/V3", harness.base))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelada.status(), StatusCode::OK);
    derrubar(&harness, retaguarda, CPF_COM_USO).await;

    let (status, headers, offline) = limite(&harness, CNPJ_EMPRESA_CLIENTE, &[("limitePagamentoForma", "true")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["cache-status"].to_str().unwrap().contains("upstream-offline"));
    assert!(headers.contains_key("age"));
    assert_eq!(offline["success"], true, "{offline}");
    let data = &offline["data"][0];
    // 50% of 2500.50 = 1250.25, capped at 500.00, less 150.25 used (the cancelled 99.00 does not count).
    assert_eq!(data["saldoDisponivel"].to_string(), "349.75", "{offline}");
    // 1234.56 + 150.25 used; total = used + saldo.
    assert_eq!(data["valorUtilizado"].to_string(), "1384.81");
    assert_eq!(data["valorTotal"].to_string(), "1734.56");
    let formas = data["saldoDetalhadoFormaPagamento"].as_array().unwrap();
    // BL: 50% of 2000.00 capped at 500.00 less its 120.25 = 379.75, within the 349.75 left: 349.75.
    // CH: 50% of 500.50 = 250.25.
    assert_eq!(formas[0]["idRetaguardaPagamentoForma"], "BL");
    assert_eq!(formas[0]["valor"].to_string(), "349.75");
    assert_eq!(formas[1]["valor"].to_string(), "250.25");
    let detalhes = data["detalhesValorUtilizado"].as_array().unwrap();
    assert_eq!(detalhes.last().unwrap()["total"].to_string(), "150.25");
    let message = offline["message"].as_str().unwrap();
    assert!(
        message.contains("50%") && message.contains("R$ 500,00") && message.contains("R$ 150,25"),
        "{message}"
    );

    // Asked again: the same answer (from memory), and a new sale counts at once.
    assert_eq!(
        limite(&harness, CNPJ_EMPRESA_CLIENTE, &[("limitePagamentoForma", "true")])
            .await
            .2,
        offline
    );
    harness
        .post_json(
            "/v1/limite-credito/consumos",
            &consumo(CNPJ_EMPRESA_CLIENTE, json!("49.75"), None, "V4"),
        )
        .await;
    let (_, _, depois) = limite(&harness, CNPJ_EMPRESA_CLIENTE, &[("limitePagamentoForma", "true")]).await;
    assert_eq!(depois["data"][0]["saldoDisponivel"].to_string(), "300.0");
}

#[tokio::test]
async fn offline_a_customer_never_seen_or_seen_too_long_ago_gets_no_limit() {
    let (harness, retaguarda) = pdv("max_idade_offline = \"1s\"\n").await;
    assert_eq!(limite(&harness, CPF_POR_FORMA, &[]).await.2["success"], true);
    derrubar(&harness, retaguarda, CPF_COM_USO).await;
    let (status, _, nunca) = limite(&harness, CNPJ_EMPRESA_CLIENTE, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(nunca["success"], false);
    assert!(nunca["data"].is_null());
    assert!(
        nunca["message"].as_str().unwrap().contains("ainda não foi consultado"),
        "{nunca}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, antiga) = limite(&harness, CPF_POR_FORMA, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(antiga["success"], false, "{antiga}");
    assert!(
        antiga["message"].as_str().unwrap().contains("antiga demais"),
        "{antiga}"
    );
}

#[tokio::test]
async fn a_fresh_answer_supersedes_the_consumptions_before_it() {
    let (harness, retaguarda) = pdv("fracao_offline = 1.0\nteto_offline = \"\"\n").await;
    limite(&harness, CPF_COM_USO, &[]).await;
    harness
        .post_json(
            "/v1/limite-credito/consumos",
            &consumo(CPF_COM_USO, json!("100.00"), None, "V1"),
        )
        .await;
    // The retaguarda booked that sale; its next answer counts it.
    retaguarda.set_saldo(CPF_COM_USO, "700.0");
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        limite(&harness, CPF_COM_USO, &[]).await.2["data"][0]["saldoDisponivel"].to_string(),
        "700.0"
    );
    derrubar(&harness, retaguarda, CPF_POR_FORMA).await;
    let (_, _, offline) = limite(&harness, CPF_COM_USO, &[]).await;
    assert_eq!(
        offline["data"][0]["saldoDisponivel"].to_string(),
        "700.0",
        "not 600: {offline}"
    );
}

#[tokio::test]
async fn garbage_or_a_500_from_the_retaguarda_is_answered_from_the_cache() {
    let (harness, retaguarda) = pdv("breaker_failures = 5\n").await;
    let (_, _, online) = limite(&harness, CPF_COM_USO, &[]).await;
    for modo in [ModoRetaguarda::Lixo, ModoRetaguarda::Erro500] {
        retaguarda.set_modo(modo.clone());
        let (status, headers, body) = limite(&harness, CPF_COM_USO, &[]).await;
        assert_eq!(status, StatusCode::OK, "{modo:?}");
        assert!(
            headers["cache-status"].to_str().unwrap().contains("upstream-offline"),
            "{modo:?}"
        );
        assert_eq!(body["success"], true);
        assert_eq!(
            body["data"][0]["saldoDisponivel"].to_string(),
            "400.0",
            "50% of {online}"
        );
    }
}

#[tokio::test]
async fn doubles_are_read_from_their_text_and_broken_rules_are_passed_on() {
    let (harness, retaguarda) = pdv("").await;
    retaguarda.set_modo(ModoRetaguarda::DoubleLongo);
    let (_, _, body) = limite(&harness, CPF_COM_USO, &[]).await;
    let texto = body.to_string();
    assert!(
        !texto.contains("30000000000000004"),
        "no float noise reaches the cashier: {texto}"
    );
    assert_eq!(
        body["data"][0]["saldoDisponivel"].to_string(),
        "800.0",
        "800.005 rounds half-even"
    );
    assert_eq!(body["data"][0]["valorUtilizado"].to_string(), "0.3");
    retaguarda.set_modo(ModoRetaguarda::Inconsistente);
    let (status, _, body) = limite(&harness, CPF_POR_FORMA, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], true, "the PDV still gets the answer: {body}");
}

#[tokio::test]
async fn bad_input_is_the_contracts_envelope() {
    let (harness, retaguarda) = pdv("").await;
    let (status, _, invalido) = limite(&harness, "123.456.789-00", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(invalido["success"], false);
    assert!(
        invalido["message"].as_str().unwrap().starts_with("CPF/CNPJ inválido"),
        "{invalido}"
    );
    let (status, _, sem_documento) = send(harness.http.get(format!("{}/v1/limite-credito/T1/L1", harness.base))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(sem_documento["success"], false);
    assert!(sem_documento["message"].as_str().unwrap().contains("cpfCnpj"));
    for chave in [
        "success",
        "message",
        "detailedMessage",
        "data",
        "errors",
        "totalTime",
        "numberOfRecords",
    ] {
        assert!(sem_documento.get(chave).is_some(), "{chave} in {sem_documento}");
    }
    let (status, _, sem_loja) = send(
        harness
            .http
            .get(format!("{}/v1/limite-credito?IdInquilino=T1", harness.base))
            .header("cpfCnpj", CPF_COM_USO),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(sem_loja["message"].as_str().unwrap().contains("IdRetaguardaLoja"));
    let (status, _, forma) = limite(&harness, CPF_COM_USO, &[("limitePagamentoForma", "talvez")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(forma["success"], false);
    assert!(retaguarda.pedidos().is_empty(), "nothing bad went upstream");
}

#[tokio::test]
async fn the_ledger_records_a_sale_once() {
    let (harness, _retaguarda) = pdv("").await;
    let pedido = consumo(CPF_COM_USO, json!(150.5), Some("BL"), "VENDA-1");
    let (status, _, primeiro) = harness.post_json("/v1/limite-credito/consumos", &pedido).await;
    assert_eq!(status, StatusCode::CREATED, "{primeiro}");
    assert_eq!(primeiro["valor"], "150.50");
    let (status, _, de_novo) = harness.post_json("/v1/limite-credito/consumos", &pedido).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(de_novo, primeiro, "a replay answers the first record");
    let outro = consumo(CPF_COM_USO, json!(10), Some("BL"), "VENDA-1");
    let (status, _, conflito) = harness.post_json("/v1/limite-credito/consumos", &outro).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflito["code"], "id_venda_em_uso");
    for (ruim, campo) in [
        (consumo(CPF_COM_USO, json!("10.001"), None, "V9"), "valor"),
        (consumo(CPF_COM_USO, json!(0), None, "V9"), "valor"),
        (consumo("111", json!(1), None, "V9"), "cpfCnpj"),
        (consumo(CPF_COM_USO, json!(1), None, " "), "id_venda"),
    ] {
        let (status, _, body) = harness.post_json("/v1/limite-credito/consumos", &ruim).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{ruim}");
        assert!(body["detail"].as_str().unwrap().contains(campo), "{body}");
    }
    let nenhuma = harness
        .http
        .delete(format!("{}/v1/limite-credito/consumos/NAO-EXISTE", harness.base))
        .send()
        .await
        .unwrap();
    assert_eq!(nenhuma.status(), StatusCode::NOT_FOUND);
    let (_, _, cancelada) = send(
        harness
            .http
            .delete(format!("{}/v1/limite-credito/consumos/VENDA-1", harness.base)),
    )
    .await;
    assert!(cancelada["cancelado_em"].is_string(), "{cancelada}");
}
