//! The customer's read-only lists through the real router against the demo ERP: services (and which are blocked),
//! notas fiscais and their PDFs, contacts (masked), extrato and quitação; online, from the cache offline, 503 with
//! nothing cached, 501 when the ERP does not offer one, 304 on a matching `If-None-Match`, 422 for an invalid
//! document; and no body carrying the ERP's token, a PDF link or a contact in clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use borda::adapters::erp::ErpClient;
use borda::adapters::store::Store;
use borda::config::Config;
use borda::demo::{DemoErp, Modo};
use borda::domain::contato::TipoContato;
use borda::service::Totem;
use borda::service::sync::Waker;
use chrono::Datelike;
use common::harness::{Harness, assert_problem};
use reqwest::StatusCode;
use serde_json::Value;

const MARIA: &str = "52998224725";
const JOAO: &str = "11144477735";
/// A valid CPF of nobody the demo ERP knows.
const NINGUEM: &str = "48273051617";

/// Every list: its path after `/v1/clientes/{documento}/` and the key of its array in the body.
const LISTAS: &[(&str, &str)] = &[
    ("servicos", "servicos"),
    ("notas-fiscais", "notas_fiscais"),
    ("contatos", "contatos"),
    ("extratos", "extratos"),
    ("quitacao", "quitacoes"),
];

fn ids(body: &Value, lista: &str, campo: &str) -> Vec<String> {
    body[lista]
        .as_array()
        .unwrap_or_else(|| panic!("no {lista} in {body}"))
        .iter()
        .map(|item| {
            item[campo]
                .as_str()
                .map_or_else(|| item[campo].to_string(), str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn every_list_answers_online_then_from_the_cache_when_the_erp_fails_or_is_gone() {
    let mut harness = Harness::start().await;
    let mut online = Vec::new();
    for (caminho, chave) in LISTAS {
        let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/{caminho}")).await;
        assert_eq!(status, StatusCode::OK, "{caminho}: {body}");
        assert_eq!(body["origem"], "upstream", "{caminho}");
        assert!(body["atualizado_em"].as_str().is_some(), "{caminho}: {body}");
        assert!(!body[chave].as_array().unwrap().is_empty(), "{caminho}: {body}");
        assert_eq!(headers["cache-status"], "borda; fwd=miss; stored", "{caminho}");
        assert!(headers.contains_key("etag"), "{caminho}");
        online.push(body);
    }
    // An ERP that answers 500s: the cache stands in.
    harness.erp().set_modo(Modo::Erro500);
    let (status, _, body) = harness.json(&format!("/v1/clientes/{MARIA}/servicos")).await;
    assert_eq!(
        (status, body["origem"].as_str()),
        (StatusCode::OK, Some("cache")),
        "{body}"
    );
    assert_eq!(body["servicos"], online[0]["servicos"]);
    harness.stop_erp().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for ((caminho, chave), antes) in LISTAS.iter().zip(&online) {
        let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/{caminho}")).await;
        assert_eq!(status, StatusCode::OK, "{caminho}: {body}");
        assert_eq!(body["origem"], "cache", "{caminho}");
        assert_eq!(body[chave], antes[chave], "{caminho}");
        assert_eq!(body["atualizado_em"], antes["atualizado_em"], "{caminho}");
        assert!(
            headers["age"].to_str().unwrap().parse::<u64>().unwrap() >= 1,
            "{caminho}"
        );
        assert!(headers["cache-status"].to_str().unwrap().contains("hit"), "{caminho}");
    }
    // The filter applies to the cached list too (and is not the whole list's answer kept in memory).
    for _ in 0..2 {
        let (status, _, body) = harness
            .json(&format!("/v1/clientes/{MARIA}/servicos?bloqueados=true"))
            .await;
        assert_eq!((status, body["origem"].as_str()), (StatusCode::OK, Some("cache")));
        assert_eq!(ids(&body, "servicos", "id"), ["S-1002"]);
    }
    harness.stop().await;
}

#[tokio::test]
async fn offline_with_nothing_cached_every_list_is_503() {
    let mut harness = Harness::start().await;
    harness.stop_erp().await;
    for (caminho, _) in LISTAS {
        let (status, headers, body) = harness.json(&format!("/v1/clientes/{JOAO}/{caminho}")).await;
        assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
        assert!(headers.contains_key("retry-after"), "{caminho}");
    }
    harness.stop().await;
}

#[tokio::test]
async fn servicos_say_which_are_blocked_and_list_only_those_when_asked() {
    let harness = Harness::start().await;
    let (status, _, body) = harness.json(&format!("/v1/clientes/{MARIA}/servicos")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body, "servicos", "id"), ["S-1001", "S-1002", "S-1003"]);
    let bloqueados: Vec<bool> = body["servicos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["bloqueado"].as_bool().unwrap())
        .collect();
    assert_eq!(bloqueados, [false, true, false], "ativo, suspenso, cancelado: {body}");
    let suspenso = &body["servicos"][1];
    assert_eq!(suspenso["situacao"], "Suspenso");
    assert_eq!(suspenso["valor"], "149.90");
    assert_eq!(suspenso["plano"], "500E");
    assert_eq!(suspenso["nome"], "Empresarial 500 Mega");
    assert!(
        suspenso.get("obs").is_none(),
        "the ERP's notes are not the kiosk's: {suspenso}"
    );

    let (status, _, so_bloqueados) = harness
        .json(&format!("/v1/clientes/{MARIA}/servicos?bloqueados=true"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&so_bloqueados, "servicos", "id"), ["S-1002"]);
    let (_, _, todos) = harness
        .json(&format!("/v1/clientes/{MARIA}/servicos?bloqueados=false"))
        .await;
    assert_eq!(todos["servicos"], body["servicos"]);
    let (status, headers, invalido) = harness
        .json(&format!("/v1/clientes/{MARIA}/servicos?bloqueados=talvez"))
        .await;
    assert_problem(status, &headers, &invalido, 422, "bloqueados_invalido");

    // The unblock button has something to send.
    let (status, _, desbloqueio) = harness
        .post_json(
            &format!("/v1/clientes/{MARIA}/desbloqueio"),
            &serde_json::json!({"id_servico": "S-1002"}),
        )
        .await;
    assert_eq!(
        (status, desbloqueio["status"].as_str()),
        (StatusCode::OK, Some("ativo"))
    );

    // The older generation: numbers for ids and values.
    let (_, _, joao) = harness.json(&format!("/v1/clientes/{JOAO}/servicos")).await;
    assert_eq!(ids(&joao, "servicos", "id"), ["881"]);
    assert_eq!(joao["servicos"][0]["valor"], "79.90");
    assert_eq!(joao["servicos"][0]["bloqueado"], false);
    let (_, _, nenhum) = harness
        .json(&format!("/v1/clientes/{JOAO}/servicos?bloqueados=true"))
        .await;
    assert_eq!(nenhum["servicos"], serde_json::json!([]));
    harness.stop().await;
}

#[tokio::test]
async fn the_lists_that_need_the_customers_erp_id_send_it_and_an_unknown_customer_is_404() {
    let harness = Harness::start().await;
    // The demo refuses these without the right `id_cliente` (a 400, which would be a 502 here).
    for caminho in ["servicos", "notas-fiscais", "extratos", "quitacao"] {
        let (status, _, body) = harness.json(&format!("/v1/clientes/{JOAO}/{caminho}")).await;
        assert_eq!(status, StatusCode::OK, "{caminho}: {body}");
    }
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{NINGUEM}/servicos")).await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    let (status, _, body) = harness.json(&format!("/v1/clientes/{NINGUEM}/contatos")).await;
    assert_eq!((status, &body["contatos"]), (StatusCode::OK, &serde_json::json!([])));
    harness.stop().await;
}

#[tokio::test]
async fn contatos_are_masked_with_opaque_ids_and_never_in_clear() {
    let harness = Harness::start().await;
    let (status, _, maria) = harness.json(&format!("/v1/clientes/{MARIA}/contatos")).await;
    assert_eq!(status, StatusCode::OK, "{maria}");
    let contatos = maria["contatos"].as_array().unwrap();
    // The repeated e-mail and the fax are not listed.
    let vistos: Vec<(&str, &str)> = contatos
        .iter()
        .map(|c| (c["tipo"].as_str().unwrap(), c["exibicao"].as_str().unwrap()))
        .collect();
    assert_eq!(
        vistos,
        [("email", "m***@provedor.com.br"), ("telefone", "(12) *****-4321")]
    );
    let maria_ids = ids(&maria, "contatos", "id");
    for id in &maria_ids {
        assert_eq!(id.len(), 20, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(maria_ids[0], maria_ids[1]);
    let (_, _, joao) = harness.json(&format!("/v1/clientes/{JOAO}/contatos")).await;
    let joao_vistos: Vec<&str> = joao["contatos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["exibicao"].as_str().unwrap())
        .collect();
    assert_eq!(joao_vistos, ["(12) *****-4567", "j***@example.com"]);
    let texto = format!("{maria}{joao}");
    for claro in ["maria.souza", "99876", "998764321", "joao.lima", "99123", "991234567"] {
        assert!(!texto.contains(claro), "{claro} in clear: {texto}");
    }
    // The same contact has the same id on the next read, and another customer's are others.
    let (_, _, de_novo) = harness.json(&format!("/v1/clientes/{MARIA}/contatos")).await;
    assert_eq!(ids(&de_novo, "contatos", "id"), maria_ids);
    assert!(ids(&joao, "contatos", "id").iter().all(|id| !maria_ids.contains(id)));
    harness.stop().await;
}

/// A totem on the demo ERP and a store of its own, for the service's functions the API does not show.
async fn novo_totem(erp: &DemoErp, dir: &std::path::Path) -> Totem {
    common::install_crypto();
    let config = Config::parse(&erp.config_toml(), std::path::Path::new("test.toml")).unwrap();
    Totem::new(
        ErpClient::new(&config.erp).unwrap(),
        Store::open(&dir.join("borda.db")).unwrap(),
        Duration::ZERO,
        Arc::new(config.baixa.clone()),
        Waker::default(),
    )
}

#[tokio::test]
async fn a_contact_id_maps_back_to_the_contact_of_that_customer_only() {
    let erp = DemoErp::start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let totem = novo_totem(&erp, dir.path()).await;
    let contatos = totem.contatos("529.982.247-25").await.unwrap().valor;
    assert_eq!(contatos.len(), 2);
    let (id_email, _) = &contatos[0];
    let contato = totem.contato(MARIA, id_email).await.unwrap().unwrap();
    assert_eq!(
        (contato.tipo, contato.valor.as_str()),
        (TipoContato::Email, "maria.souza@provedor.com.br")
    );
    let (id_telefone, _) = &contatos[1];
    let telefone = totem
        .contato(MARIA, &id_telefone.to_uppercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(telefone.valor, "12998764321");
    assert_eq!(
        totem.contato(JOAO, id_email).await.unwrap(),
        None,
        "another customer's id"
    );
    assert_eq!(totem.contato(MARIA, "0123456789abcdef0123").await.unwrap(), None);
    // Another installation (another store, another salt) names the same contacts otherwise.
    let outro_dir = tempfile::tempdir().unwrap();
    let outro = novo_totem(&erp, outro_dir.path()).await;
    assert_eq!(outro.contato(MARIA, id_email).await.unwrap(), None);
    assert!(
        outro
            .contatos(MARIA)
            .await
            .unwrap()
            .valor
            .iter()
            .all(|(id, _)| id != id_email)
    );
    erp.stop().await;
}

#[tokio::test]
async fn notas_fiscais_newest_first_and_their_pdfs_only_through_borda() {
    let mut harness = Harness::start().await;
    // A nota is reached through its customer: another's list has no such nota, and none is no customer.
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9001.pdf?documento={JOAO}"))
        .await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    let (status, headers, body) = harness.json("/v1/notas-fiscais/NF-9001.pdf").await;
    assert_problem(status, &headers, &body, 422, "documento_invalido");

    let (status, _, notas) = harness.json(&format!("/v1/clientes/{MARIA}/notas-fiscais")).await;
    assert_eq!(status, StatusCode::OK, "{notas}");
    assert_eq!(ids(&notas, "notas_fiscais", "id"), ["NF-9002", "NF-9001", "NF-9003"]);
    let tem_pdf: Vec<bool> = notas["notas_fiscais"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["tem_pdf"].as_bool().unwrap())
        .collect();
    assert_eq!(tem_pdf, [true, true, false]);
    let nf = &notas["notas_fiscais"][1];
    assert_eq!(
        (nf["numero"].as_str(), nf["valor"].as_str()),
        (Some("9001"), Some("99.90"))
    );
    let trinta_e_cinco = chrono::Local::now().date_naive() - chrono::Days::new(35);
    assert_eq!(nf["emissao"], trinta_e_cinco.format("%Y-%m-%d").to_string());
    let texto = notas.to_string();
    for link in ["http", "arquivos", "nfse", "url"] {
        assert!(!texto.contains(link), "a link reached the kiosk ({link}): {texto}");
    }

    let pdf = harness
        .get(&format!("/v1/notas-fiscais/NF-9001.pdf?documento={MARIA}"))
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // The prefeitura's link answers an HTML page: not passed on as the nota.
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9002.pdf?documento={MARIA}"))
        .await;
    assert_problem(status, &headers, &body, 502, "pdf_invalido");
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9003.pdf?documento={MARIA}"))
        .await;
    assert_problem(status, &headers, &body, 404, "sem_pdf");
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-0000.pdf?documento={MARIA}"))
        .await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9001?documento={MARIA}"))
        .await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    // The ERP's credential went to the ERP's own file store, never to the prefeitura.
    let pedidos = harness.erp().pedidos();
    let cabecalhos = |caminho: &str| {
        pedidos
            .iter()
            .find(|p| p.caminho == caminho)
            .unwrap_or_else(|| panic!("no request to {caminho}"))
            .cabecalhos
            .clone()
    };
    assert!(cabecalhos("/api/arquivos/NF-9001.pdf").contains(&"authorization".to_owned()));
    assert!(!cabecalhos("/nfse/NF-9002.pdf").contains(&"authorization".to_owned()));

    // Offline: the list from the cache, but the PDF cannot be fetched.
    harness.stop_erp().await;
    let (status, _, offline) = harness.json(&format!("/v1/clientes/{MARIA}/notas-fiscais")).await;
    assert_eq!((status, offline["origem"].as_str()), (StatusCode::OK, Some("cache")));
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9001.pdf?documento={MARIA}"))
        .await;
    assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
    harness.stop().await;
}

#[tokio::test]
async fn extrato_newest_first_with_a_broken_line_left_out() {
    let harness = Harness::start().await;
    let (status, _, body) = harness.json(&format!("/v1/clientes/{MARIA}/extratos")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body, "extratos", "id_fatura"), ["10002", "9981"]);
    let aberta = &body["extratos"][0];
    assert_eq!(aberta["valor_fatura"], "99.90");
    assert_eq!(aberta["valor_pago"], "0.00");
    assert_eq!(aberta["data_pagamento"], Value::Null);
    let paga = &body["extratos"][1];
    assert_eq!(paga["valor_pago"], "99.90");
    assert!(paga["data_pagamento"].as_str().is_some(), "{paga}");
    assert_eq!(paga["cobranca"], "Boleto Itaú");
    let (_, _, joao) = harness.json(&format!("/v1/clientes/{JOAO}/extratos")).await;
    assert_eq!(joao["extratos"], serde_json::json!([]));
    harness.stop().await;
}

#[tokio::test]
async fn quitacao_newest_year_first_and_its_pdf() {
    let mut harness = Harness::start().await;
    let ano = u16::try_from(chrono::Local::now().year()).unwrap();
    let (passado, retrasado) = (ano - 1, ano - 2);
    let (status, _, body) = harness.json(&format!("/v1/clientes/{MARIA}/quitacao")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["ano"].as_u64(), body["tem_pdf"].as_bool()),
        (Some(passado.into()), Some(true))
    );
    assert_eq!(body["texto"], Value::Null);
    let anos: Vec<u64> = body["quitacoes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["ano"].as_u64().unwrap())
        .collect();
    assert_eq!(anos, [u64::from(passado), u64::from(retrasado)]);
    assert_eq!(body["quitacoes"][0]["valor"], "1498.80");
    assert_eq!(body["quitacoes"][1]["tem_pdf"], false);
    assert!(!body.to_string().contains("arquivos"), "{body}");

    let pdf = harness.get(&format!("/v1/clientes/{MARIA}/quitacao.pdf")).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let pdf = harness
        .get(&format!("/v1/clientes/{MARIA}/quitacao.pdf?ano={passado}"))
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let (status, headers, body) = harness
        .json(&format!("/v1/clientes/{MARIA}/quitacao.pdf?ano={retrasado}"))
        .await;
    assert_problem(status, &headers, &body, 404, "sem_pdf");
    let (status, headers, body) = harness
        .json(&format!("/v1/clientes/{MARIA}/quitacao.pdf?ano=1999"))
        .await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");
    let (status, headers, body) = harness
        .json(&format!("/v1/clientes/{MARIA}/quitacao.pdf?ano=abc"))
        .await;
    assert_problem(status, &headers, &body, 422, "ano_invalido");

    let (status, _, joao) = harness.json(&format!("/v1/clientes/{JOAO}/quitacao")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&joao["ano"], &joao["tem_pdf"], &joao["quitacoes"]),
        (&Value::Null, &Value::Bool(false), &serde_json::json!([]))
    );
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{JOAO}/quitacao.pdf")).await;
    assert_problem(status, &headers, &body, 404, "nao_encontrado");

    harness.stop_erp().await;
    let (status, _, offline) = harness.json(&format!("/v1/clientes/{MARIA}/quitacao")).await;
    assert_eq!((status, offline["origem"].as_str()), (StatusCode::OK, Some("cache")));
    assert_eq!(offline["ano"].as_u64(), Some(passado.into()));
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/quitacao.pdf")).await;
    assert_problem(status, &headers, &body, 503, "upstream_indisponivel");
    harness.stop().await;
}

#[tokio::test]
async fn an_operation_the_erp_does_not_offer_is_501_online_and_offline() {
    let mut harness = Harness::with(|config| {
        let paths = &mut config.erp.paths;
        for path in [
            &mut paths.servicos,
            &mut paths.notas_fiscais,
            &mut paths.contatos,
            &mut paths.extratos,
            &mut paths.quitacao,
        ] {
            path.clear();
        }
    })
    .await;
    // Whatever the ERP does.
    for _ in 0..2 {
        for (caminho, _) in LISTAS {
            let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/{caminho}")).await;
            assert_problem(status, &headers, &body, 501, "nao_suportado_pelo_erp");
        }
        let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/quitacao.pdf")).await;
        assert_problem(status, &headers, &body, 501, "nao_suportado_pelo_erp");
        // Nothing was asked of the ERP, not even the customer.
        let pedidos: Vec<String> = harness.erp().pedidos().into_iter().map(|p| p.caminho).collect();
        assert!(pedidos.iter().all(|p| !p.starts_with("/api/")), "{pedidos:?}");
        harness.erp().set_modo(Modo::Erro500);
    }
    harness.stop_erp().await;
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{MARIA}/contatos")).await;
    assert_problem(status, &headers, &body, 501, "nao_suportado_pelo_erp");
    harness.stop().await;
}

#[tokio::test]
async fn a_matching_if_none_match_is_304_without_a_body() {
    let harness = Harness::start().await;
    for (caminho, _) in LISTAS {
        let url = format!("{}/v1/clientes/{MARIA}/{caminho}", harness.base);
        let primeira = harness.http.get(&url).send().await.unwrap();
        let etag = primeira.headers()["etag"].clone();
        // Cached now: the same body, the same tag.
        let segunda = harness.http.get(&url).send().await.unwrap();
        assert_eq!(segunda.headers()["etag"], etag, "{caminho}");
        let condicional = harness
            .http
            .get(&url)
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(condicional.status(), StatusCode::NOT_MODIFIED, "{caminho}");
        assert!(condicional.bytes().await.unwrap().is_empty());
        let outra = harness
            .http
            .get(&url)
            .header("if-none-match", "\"outra\"")
            .send()
            .await
            .unwrap();
        assert_eq!(outra.status(), StatusCode::OK, "{caminho}");
    }
    harness.stop().await;
}

#[tokio::test]
async fn an_invalid_document_is_422_before_anything_goes_upstream() {
    let harness = Harness::start().await;
    let antes = harness.erp().requests();
    for caminho in [
        "servicos",
        "notas-fiscais",
        "contatos",
        "extratos",
        "quitacao",
        "quitacao.pdf",
    ] {
        let (status, headers, body) = harness.json(&format!("/v1/clientes/52998224700/{caminho}")).await;
        assert_problem(status, &headers, &body, 422, "documento_invalido");
    }
    assert_eq!(harness.erp().requests(), antes);
    harness.stop().await;
}

#[tokio::test]
async fn the_document_rate_limit_covers_the_lists() {
    let harness = Harness::with(|config| config.api.documentos_por_minuto = 1).await;
    let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}/servicos")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}/contatos")).await;
    assert_eq!(status, StatusCode::OK, "the same customer again is never limited");
    let (status, headers, body) = harness.json(&format!("/v1/clientes/{JOAO}/contatos")).await;
    assert_problem(status, &headers, &body, 429, "consultas_demais");
    // A nota's PDF names its customer, and counts as looking her up.
    let (status, headers, body) = harness
        .json(&format!("/v1/notas-fiscais/NF-9001.pdf?documento={JOAO}"))
        .await;
    assert_problem(status, &headers, &body, 429, "consultas_demais");
    let pdf = harness
        .get(&format!("/v1/notas-fiscais/NF-9001.pdf?documento={MARIA}"))
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    harness.stop().await;
}

#[tokio::test]
async fn no_answer_carries_the_erps_token_a_link_or_a_contact_in_clear() {
    let harness = Harness::start().await;
    let mut textos = String::new();
    for documento in [MARIA, JOAO] {
        for (caminho, _) in LISTAS {
            let resposta = harness.get(&format!("/v1/clientes/{documento}/{caminho}")).await;
            textos.push_str(&format!("{:?}", resposta.headers()));
            textos.push_str(&resposta.text().await.unwrap());
        }
    }
    for segredo in [
        "demo-borda",
        "Bearer",
        "maria.souza@",
        "joao.lima@",
        "99876-4321",
        "99123-4567",
        "/api/arquivos",
        "/nfse/",
    ] {
        assert!(!textos.contains(segredo), "{segredo} reached the kiosk");
    }
    harness.stop().await;
}
