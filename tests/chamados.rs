//! `POST /v1/clientes/{documento}/chamados` and `POST /v1/faturas/{id}/envios` on a running daemon against the demo
//! ERP, which opens a ticket for every POST it gets (duplicates included) and records them: online (one POST, every
//! field, the files' bytes intact), retried under one Idempotency-Key (still one ticket), offline (503, nothing
//! sent, the key free again), an ERP that answers 500, garbage, a refusal or nothing after opening the ticket, every
//! kind of bad attachment, the route's body limit, and 501 when unconfigured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use borda::demo::{Modo, ModoChamado};
use common::harness::{Harness, assert_problem, send};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const MARIA: &str = "52998224725";
/// Maria's id in the demo ERP.
const ID_MARIA: &str = "501";
/// The demo ERP's chamado route (the default `erp.paths.chamado`).
const ROTA_ERP: &str = "/api/atendimentos";
/// The ids the tickets are filed under.
const CHAMADO_TOML: &str = "[chamado]\ntipo = \"3\"\ndepartamento = \"7\"\nfuncionario = \"12\"\n";
const MIB: usize = 1024 * 1024;

async fn configurado() -> Harness {
    Harness::with_text(CHAMADO_TOML, |_| {}).await
}

/// A PDF's signature followed by every byte value, `tamanho` bytes long.
fn pdf(tamanho: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(tamanho.saturating_sub(bytes.len())));
    bytes
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend([0, 0, 0, 13, b'I', b'H', b'D', b'R', 0xff, 0x00, 0x80]);
    bytes
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn anexo(nome: &str, tipo: &str, bytes: &[u8]) -> Value {
    json!({"nome": nome, "tipo": tipo, "base64": b64(bytes)})
}

fn corpo(anexos: Vec<Value>) -> Value {
    json!({
        "assunto": "Internet caindo à noite",
        "mensagem": "Desde segunda a conexão cai\ntoda noite por volta das 22h.",
        "id_servico": "S-77",
        "anexos": anexos,
    })
}

async fn post_chamado(
    harness: &Harness,
    documento: &str,
    chave: Option<&str>,
    body: &Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = harness
        .http
        .post(format!("{}/v1/clientes/{documento}/chamados", harness.base))
        .json(body);
    if let Some(chave) = chave {
        request = request.header("idempotency-key", chave);
    }
    send(request).await
}

/// How many POSTs reached the ERP's chamado route, whatever it answered (a refused connection is none).
fn posts_ao_erp(harness: &Harness) -> usize {
    harness
        .erp()
        .pedidos()
        .iter()
        .filter(|pedido| pedido.metodo == "POST" && pedido.caminho == ROTA_ERP)
        .count()
}

#[tokio::test]
async fn a_chamado_is_opened_once_with_every_field_and_its_files_intact() {
    let harness = configurado().await;
    let (conta, tela) = (pdf(300_000), png());
    let body = corpo(vec![
        anexo("conta de setembro.pdf", "application/pdf", &conta),
        anexo("roteador.png", "image/png", &tela),
    ]);
    let (status, headers, answer) = post_chamado(&harness, "529.982.247-25", None, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer, json!({"id": "9001"}));
    assert!(!headers.contains_key("idempotent-replayed"));
    let recebidos = harness.erp().chamados_recebidos();
    assert_eq!(recebidos.len(), 1, "exactly one ticket at the ERP");
    let enviado = &recebidos[0].corpo;
    for (campo, valor) in [
        ("id_cliente", ID_MARIA),
        ("id_servico", "S-77"),
        ("id_tipo_de_atendimento", "3"),
        ("id_departamento", "7"),
        ("id_funcionario", "12"),
        ("email", ""),
        ("telefone", ""),
        ("assunto", "Internet caindo à noite"),
        ("mensagem", "Desde segunda a conexão cai\ntoda noite por volta das 22h."),
    ] {
        assert_eq!(enviado[campo], valor, "{campo}");
    }
    let anexos = enviado["anexo"].as_array().unwrap();
    let lidos: Vec<(String, Vec<u8>)> = anexos
        .iter()
        .map(|anexo| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(anexo["anexo"].as_str().unwrap())
                .unwrap();
            (anexo["nome_anexo"].as_str().unwrap().to_owned(), bytes)
        })
        .collect();
    assert_eq!(
        lidos,
        [
            ("conta de setembro.pdf".to_owned(), conta),
            ("roteador.png".to_owned(), tela)
        ]
    );
    assert_eq!(anexos[0]["obs"], "");
    harness.stop().await;
}

#[tokio::test]
async fn a_retry_under_the_same_key_answers_the_first_ticket_and_never_opens_another() {
    let harness = configurado().await;
    let body = corpo(vec![anexo("a.pdf", "application/pdf", &pdf(1000))]);
    let (status, headers, first) = post_chamado(&harness, MARIA, Some("totem-1-chamado-7"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(!headers.contains_key("idempotent-replayed"));
    let (status, headers, again) = post_chamado(&harness, MARIA, Some("totem-1-chamado-7"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again, first, "the same ticket");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1, "one ticket at the ERP");
    assert_eq!(
        harness.erp().chamados_recebidos()[0].chave.as_deref(),
        Some("totem-1-chamado-7"),
        "the key goes along"
    );
    // Another chamado under the key is a client bug, not a retry.
    let mut outro = body.clone();
    outro["mensagem"] = json!("Outra coisa.");
    let (status, headers, problem) = post_chamado(&harness, MARIA, Some("totem-1-chamado-7"), &outro).await;
    assert_problem(status, &headers, &problem, 409, "idempotency_conflict");
    let (status, headers, problem) = post_chamado(&harness, "11144477735", Some("totem-1-chamado-7"), &body).await;
    assert_problem(status, &headers, &problem, 409, "idempotency_conflict");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1);
    // The ERP itself is not idempotent: without a key, or under another, a POST is another ticket.
    let (status, _, second) = post_chamado(&harness, MARIA, Some("totem-1-chamado-8"), &body).await;
    assert_eq!((status, second), (StatusCode::CREATED, json!({"id": "9002"})));
    let (status, _, third) = post_chamado(&harness, MARIA, None, &body).await;
    assert_eq!((status, third), (StatusCode::CREATED, json!({"id": "9003"})));
    assert_eq!(harness.erp().chamados_recebidos().len(), 3);
    harness.stop().await;
}

#[tokio::test]
async fn concurrent_retries_under_one_key_open_one_ticket() {
    let harness = configurado().await;
    harness.erp().set_modo(Modo::Lento(Duration::from_millis(150)));
    let body = corpo(vec![]);
    let tentativas = (0..4).map(|_| post_chamado(&harness, MARIA, Some("corrida"), &body));
    let respostas = futures_join(tentativas).await;
    for (status, _, answer) in &respostas {
        assert_eq!(*status, StatusCode::CREATED, "{answer}");
        assert_eq!(*answer, json!({"id": "9001"}));
    }
    let repetidas = respostas
        .iter()
        .filter(|(_, headers, _)| headers.contains_key("idempotent-replayed"))
        .count();
    assert_eq!(repetidas, 3, "one sent, three answered from it");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1);
    harness.stop().await;
}

/// Runs the futures at once and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

/// Polls `/readyz` until it reports the ERP `offline` (its circuit open), for at most ~10 s, asking the customer
/// meanwhile so that the failures count.
async fn ate_offline(harness: &Harness) {
    for _ in 0..100 {
        let (_, _, ready) = harness.json("/readyz").await;
        if ready["upstream"] == "offline" {
            return;
        }
        harness.json(&format!("/v1/clientes/{MARIA}")).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the ERP never counted as offline");
}

#[tokio::test]
async fn offline_is_503_with_retry_after_nothing_is_sent_and_the_key_stays_free() {
    let harness = configurado().await;
    let body = corpo(vec![anexo("a.pdf", "application/pdf", &pdf(500))]);
    // A known customer (cached), then the link goes down until the circuit opens.
    let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}")).await;
    assert_eq!(status, StatusCode::OK);
    harness.erp().set_modo(Modo::Recusa);
    ate_offline(&harness).await;
    for documento in [MARIA, MARIA, "11144477735"] {
        let (status, headers, problem) = post_chamado(&harness, documento, Some("k-offline"), &body).await;
        assert_problem(status, &headers, &problem, 503, "upstream_indisponivel");
        assert!(headers.contains_key("retry-after"), "{headers:?}");
    }
    assert!(harness.erp().chamados_recebidos().is_empty(), "nothing queued or sent");
    // Back online (once the probe closes the circuit): the same key sends it, once.
    harness.erp().set_modo(Modo::Normal);
    let mut answer = (StatusCode::SERVICE_UNAVAILABLE, HeaderMap::new(), Value::Null);
    for _ in 0..100 {
        answer = post_chamado(&harness, MARIA, Some("k-offline"), &body).await;
        if answer.0 != StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.2);
    assert_eq!(answer.2, json!({"id": "9001"}));
    assert!(!answer.1.contains_key("idempotent-replayed"), "sent now, not replayed");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1);
    harness.stop().await;
}

#[tokio::test]
async fn a_stopped_erp_is_503_whether_the_customer_is_cached_or_not() {
    let mut harness = configurado().await;
    let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}")).await;
    assert_eq!(status, StatusCode::OK);
    harness.stop_erp().await;
    for documento in [MARIA, "11144477735"] {
        let (status, headers, problem) = post_chamado(&harness, documento, Some("k"), &corpo(vec![])).await;
        assert_problem(status, &headers, &problem, 503, "upstream_indisponivel");
        assert!(headers.contains_key("retry-after"));
    }
    harness.stop().await;
}

#[tokio::test]
async fn an_answer_lost_after_the_ticket_was_opened_is_uncertain_and_the_key_never_sends_again() {
    let harness = configurado().await;
    harness.erp().set_modo_chamado(ModoChamado::TravaDepois);
    let body = corpo(vec![]);
    let (status, headers, problem) = post_chamado(&harness, MARIA, Some("k-trava"), &body).await;
    assert_problem(status, &headers, &problem, 504, "chamado_incerto");
    assert!(
        problem["detail"].as_str().unwrap().contains("pode ter sido aberto"),
        "{problem}"
    );
    assert_eq!(harness.erp().chamados_recebidos().len(), 1, "the ERP did open it");
    harness.erp().set_modo_chamado(ModoChamado::Normal);
    let (status, headers, problem) = post_chamado(&harness, MARIA, Some("k-trava"), &body).await;
    assert_problem(status, &headers, &problem, 409, "chamado_incerto");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1, "never sent a second time");
    assert_eq!(posts_ao_erp(&harness), 1);
    harness.stop().await;
}

#[tokio::test]
async fn a_500_or_garbage_after_sending_is_uncertain_and_not_retried() {
    for (modo, chave) in [(Modo::Erro500, "k-500"), (Modo::Lixo, "k-lixo")] {
        let harness = configurado().await;
        let (status, _, _) = harness.json(&format!("/v1/clientes/{MARIA}")).await;
        assert_eq!(status, StatusCode::OK);
        harness.erp().set_modo(modo.clone());
        let (status, headers, problem) = post_chamado(&harness, MARIA, Some(chave), &corpo(vec![])).await;
        assert_problem(status, &headers, &problem, 502, "chamado_incerto");
        assert_eq!(posts_ao_erp(&harness), 1, "{modo:?}: sent once");
        harness.erp().set_modo(Modo::Normal);
        let (status, headers, problem) = post_chamado(&harness, MARIA, Some(chave), &corpo(vec![])).await;
        assert_problem(status, &headers, &problem, 409, "chamado_incerto");
        assert_eq!(posts_ao_erp(&harness), 1, "{modo:?}: not sent again");
        harness.stop().await;
    }
}

#[tokio::test]
async fn a_refusal_by_the_erp_is_422_and_frees_the_key() {
    let harness = configurado().await;
    harness.erp().set_modo_chamado(ModoChamado::Rejeita);
    let body = corpo(vec![]);
    let (status, headers, problem) = post_chamado(&harness, MARIA, Some("k-recusa"), &body).await;
    assert_problem(status, &headers, &problem, 422, "chamado_recusado");
    assert!(harness.erp().chamados_recebidos().is_empty());
    harness.erp().set_modo_chamado(ModoChamado::Normal);
    let (status, _, answer) = post_chamado(&harness, MARIA, Some("k-recusa"), &body).await;
    assert_eq!((status, answer), (StatusCode::CREATED, json!({"id": "9001"})));
    // A customer the ERP does not know.
    let (status, headers, problem) = post_chamado(&harness, "48273051617", None, &body).await;
    assert_problem(status, &headers, &problem, 404, "nao_encontrado");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1);
    harness.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_naming_the_field_before_anything_goes_upstream() {
    let harness = configurado().await;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let mut grande = pdf(2 * MIB + 1);
    grande.truncate(2 * MIB + 1);
    let bom = anexo("a.pdf", "application/pdf", &pdf(100));
    let sem_padding = {
        let texto = b64(&pdf(100));
        assert!(texto.ends_with('='));
        json!({"nome": "a.pdf", "tipo": "application/pdf", "base64": texto.trim_end_matches('=')})
    };
    let casos: Vec<(Value, u16, &str, &str)> = vec![
        (
            corpo(vec![anexo("a.pdf", "application/pdf", &grande)]),
            422,
            "anexo_grande_demais",
            "anexos[0]",
        ),
        (
            corpo(vec![bom.clone(), anexo("conta.pdf", "application/pdf", html)]),
            422,
            "anexo_tipo_nao_permitido",
            "anexos[1].tipo",
        ),
        (
            corpo(vec![anexo("pagina.html", "text/html", html)]),
            422,
            "anexo_tipo_nao_permitido",
            "anexos[0].tipo",
        ),
        (corpo(vec![sem_padding]), 422, "anexo_invalido", "anexos[0].base64"),
        (
            corpo(vec![
                json!({"nome": "a.pdf", "tipo": "application/pdf", "base64": "JVBER i0x"}),
            ]),
            422,
            "anexo_invalido",
            "anexos[0].base64",
        ),
        (
            corpo(vec![anexo("../../etc/passwd", "application/pdf", &pdf(100))]),
            422,
            "anexo_invalido",
            "anexos[0].nome",
        ),
        (corpo(vec![bom.clone(); 4]), 422, "anexos_demais", "anexos"),
        (
            json!({"assunto": "  ", "mensagem": "Oi"}),
            422,
            "assunto_invalido",
            "assunto",
        ),
        (
            json!({"assunto": "Oi", "mensagem": "x".repeat(4001)}),
            422,
            "mensagem_invalida",
            "mensagem",
        ),
        (json!({"assunto": "Oi"}), 422, "json_invalido", "mensagem"),
        (
            json!({"assunto": "Oi", "mensagem": "Oi", "prioridade": "alta"}),
            422,
            "json_invalido",
            "prioridade",
        ),
    ];
    for (body, esperado, code, campo) in casos {
        let (status, headers, problem) = post_chamado(&harness, MARIA, None, &body).await;
        assert_problem(status, &headers, &problem, esperado, code);
        assert!(problem["detail"].as_str().unwrap().contains(campo), "{code}: {problem}");
    }
    let (status, headers, problem) = post_chamado(&harness, "123.456.789-00", None, &corpo(vec![bom])).await;
    assert_problem(status, &headers, &problem, 422, "documento_invalido");
    let (status, headers, problem) = send(
        harness
            .http
            .post(format!("{}/v1/clientes/{MARIA}/chamados", harness.base))
            .header("idempotency-key", "")
            .json(&corpo(vec![])),
    )
    .await;
    assert_problem(status, &headers, &problem, 400, "idempotency_key_invalida");
    assert_eq!(posts_ao_erp(&harness), 0, "nothing reached the ERP's chamado route");
    harness.stop().await;
}

#[tokio::test]
async fn the_route_takes_the_largest_chamado_and_refuses_a_body_over_its_limit() {
    let harness = configurado().await;
    // 2 + 2 + 1 MiB decoded: about 7 MB of JSON, far past the 64 KiB of api.body_limit.
    let maior = corpo(vec![
        anexo("a.pdf", "application/pdf", &pdf(2 * MIB)),
        anexo("b.pdf", "application/pdf", &pdf(2 * MIB)),
        anexo("c.pdf", "application/pdf", &pdf(MIB)),
    ]);
    let (status, _, answer) = post_chamado(&harness, MARIA, None, &maior).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let recebidos = harness.erp().chamados_recebidos();
    assert_eq!(recebidos[0].corpo["anexo"][1]["anexo"], b64(&pdf(2 * MIB)));
    // One byte more in all is refused by the domain, not by the body limit.
    let mut demais = maior.clone();
    demais["anexos"][2] = anexo("c.pdf", "application/pdf", &pdf(MIB + 1));
    let (status, headers, problem) = post_chamado(&harness, MARIA, None, &demais).await;
    assert_problem(status, &headers, &problem, 422, "anexo_grande_demais");
    // A body past the route's limit never reaches the handler.
    let enorme = json!({"assunto": "a", "mensagem": "b", "lixo": "x".repeat(8 * MIB)});
    let (status, headers, problem) = post_chamado(&harness, MARIA, None, &enorme).await;
    assert_problem(status, &headers, &problem, 413, "corpo_grande_demais");
    // The other routes keep api.body_limit.
    let (status, headers, problem) = harness
        .post_json(
            "/v1/faturas/10001/envios",
            &json!({"contato_id": "x".repeat(100 * 1024)}),
        )
        .await;
    assert_problem(status, &headers, &problem, 413, "corpo_grande_demais");
    assert_eq!(harness.erp().chamados_recebidos().len(), 1);
    harness.stop().await;
}

#[tokio::test]
async fn unconfigured_chamados_answer_501() {
    // No [chamado]: the ERP ids are unknown.
    let harness = Harness::start().await;
    let (status, headers, problem) = post_chamado(&harness, MARIA, Some("k"), &corpo(vec![])).await;
    assert_problem(status, &headers, &problem, 501, "nao_suportado_pelo_erp");
    assert_eq!(posts_ao_erp(&harness), 0);
    harness.stop().await;
    // An incomplete [chamado].
    let harness = Harness::with_text("[chamado]\ntipo = \"3\"\ndepartamento = \"7\"\n", |_| {}).await;
    let (status, headers, problem) = post_chamado(&harness, MARIA, None, &corpo(vec![])).await;
    assert_problem(status, &headers, &problem, 501, "nao_suportado_pelo_erp");
    harness.stop().await;
    // An ERP without the operation (empty path), however [chamado] is set.
    let harness = Harness::with_text(CHAMADO_TOML, |config| config.erp.paths.chamado = String::new()).await;
    let (status, headers, problem) = post_chamado(&harness, MARIA, None, &corpo(vec![])).await;
    assert_problem(status, &headers, &problem, 501, "nao_suportado_pelo_erp");
    // Invalid input is still named first.
    let (status, headers, problem) =
        post_chamado(&harness, MARIA, None, &json!({"assunto": "", "mensagem": "x"})).await;
    assert_problem(status, &headers, &problem, 422, "assunto_invalido");
    assert_eq!(posts_ao_erp(&harness), 0);
    harness.stop().await;
}

#[tokio::test]
async fn sending_a_fatura_to_a_contact_answers_501_after_checking_the_request() {
    let harness = configurado().await;
    let antes = harness.erp().requests();
    let (status, headers, problem) = harness
        .post_json("/v1/faturas/10001/envios", &json!({"contato_id": "c-1"}))
        .await;
    assert_problem(status, &headers, &problem, 501, "nao_suportado_pelo_erp");
    let casos = [
        (json!({}), "json_invalido"),
        (json!({"contato_id": " "}), "contato_id_invalido"),
        (json!({"contato_id": "a\nb"}), "contato_id_invalido"),
        (json!({"contato_id": "c-1", "canal": "sms"}), "json_invalido"),
    ];
    for (body, code) in casos {
        let (status, headers, problem) = harness.post_json("/v1/faturas/10001/envios", &body).await;
        assert_problem(status, &headers, &problem, 422, code);
    }
    let (status, headers, problem) = harness
        .post_json("/v1/faturas/a%0Ab/envios", &json!({"contato_id": "c-1"}))
        .await;
    assert_problem(status, &headers, &problem, 422, "id_invalido");
    assert_eq!(harness.erp().requests(), antes, "nothing went upstream");
    harness.stop().await;
}

/// A contact chosen from the customer's list goes to the ERP in clear, as the ticket's `email` or `telefone` (the
/// kiosk only ever saw it masked); an id that is not one of hers is refused and nothing is sent.
#[tokio::test]
async fn the_chosen_contact_reaches_the_erp_and_a_foreign_one_is_refused() {
    let harness = configurado().await;
    let (_, _, lista) = harness.json(&format!("/v1/clientes/{MARIA}/contatos")).await;
    let contatos = lista["contatos"].as_array().unwrap();
    let id_de = |tipo: &str| {
        contatos
            .iter()
            .find(|contato| contato["tipo"] == tipo)
            .and_then(|contato| contato["id"].as_str())
            .unwrap()
            .to_owned()
    };
    for (tipo, campo, esperado, vazio) in [
        ("email", "email", "maria.souza@provedor.com.br", "telefone"),
        ("telefone", "telefone", "12998764321", "email"),
    ] {
        let mut body = corpo(Vec::new());
        body["contato_id"] = json!(id_de(tipo));
        let (status, _, answer) = post_chamado(&harness, MARIA, None, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let enviado = harness.erp().chamados_recebidos().last().unwrap().corpo.clone();
        let digitos = |valor: &Value| {
            valor
                .as_str()
                .unwrap()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        };
        if tipo == "email" {
            assert_eq!(enviado[campo], esperado);
        } else {
            assert!(digitos(&enviado[campo]).ends_with(esperado), "{}", enviado[campo]);
        }
        assert_eq!(enviado[vazio], "", "{tipo}");
    }
    let antes = posts_ao_erp(&harness);
    let mut body = corpo(Vec::new());
    body["contato_id"] = json!("0123456789abcdef0123");
    let (status, headers, answer) = post_chamado(&harness, MARIA, None, &body).await;
    assert_problem(status, &headers, &answer, 422, "contato_id_invalido");
    assert_eq!(posts_ao_erp(&harness), antes, "nothing sent");
    harness.stop().await;
}
