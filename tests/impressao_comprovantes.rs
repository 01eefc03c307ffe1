//! Every receipt type end to end: a payment taken through the API, its comprovante (and a boleto 2ª via) queued with
//! `POST /v1/impressoes`, printed through the TCP printer emulator, and previewed as PNG and PDF. The bytes the
//! printer got hold only commands the walker knows and only characters of the printer's code page; the ITF inside
//! them, and the ITF and QR in both previews, scan back exactly (rxing, independent of borda's encoders).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use borda::domain::impressao::escpos::PaginaDeCodigo;
use common::escpos::{comandos, conferir_texto, ler_itf};
use common::harness::{pix_body, tef_body};
use common::impressora::{Balcao, Emulador, impressora_toml};
use common::{Symbology, png_luma, render_pdf_page, rotate_luma_cw, scan_page};
use reqwest::StatusCode;
use serde_json::{Value, json};

const LIMITE: Duration = Duration::from_secs(15);

/// A payment of `fatura` with `body`; answers the baixa's id.
async fn pagar(balcao: &Balcao, fatura: &str, body: &Value) -> String {
    let response = balcao
        .http
        .post(format!("{}/v1/faturas/{fatura}/baixas", balcao.base))
        .header("idempotency-key", format!("pagamento-{fatura}"))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Queues `body`, waits until it is printed and answers the job's id.
async fn imprimir(balcao: &Balcao, body: &Value) -> String {
    let (status, _, job) = balcao.imprimir(body, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let job = balcao
        .esperar_impressao(&id, LIMITE, |job| job["status"] == "impressa")
        .await;
    assert_eq!(job["tentativas"], 1, "{job}");
    id
}

async fn bytes(balcao: &Balcao, path: &str) -> Vec<u8> {
    let response = balcao.http.get(format!("{}{path}", balcao.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_receipt_prints_through_the_emulator_and_its_previews_scan() {
    let emulador = Emulador::start().await;
    let balcao = Balcao::start(&impressora_toml("principal", &emulador)).await;
    let (f1, f2, f3) = (
        balcao.json("/v1/faturas/10001").await,
        balcao.json("/v1/faturas/10002").await,
        balcao.json("/v1/faturas/10003").await,
    );
    let pix = pagar(&balcao, "10001", &pix_body(f1["valor_atual"].as_str().unwrap())).await;
    pagar(&balcao, "10002", &tef_body(f2["valor_atual"].as_str().unwrap())).await;

    let comprovante_pix = imprimir(&balcao, &json!({"tipo": "comprovante_pix", "baixa_id": pix})).await;
    let comprovante_tef = imprimir(&balcao, &json!({"tipo": "comprovante_tef", "fatura_id": "10002"})).await;
    let boleto = imprimir(&balcao, &json!({"tipo": "boleto", "fatura_id": "10003"})).await;
    let impressos = emulador.impressos();
    assert_eq!(impressos.len(), 3);

    // What the paper got: known commands only, every character in PC860, and what each receipt must say.
    let mut textos = Vec::new();
    for bytes in &impressos {
        let lista = comandos(bytes).unwrap();
        textos.push(conferir_texto(&lista, PaginaDeCodigo::Pc860).unwrap());
    }
    assert!(
        textos[0].contains("10001") && textos[0].contains("E12345678"),
        "{}",
        textos[0]
    );
    assert!(textos[0].contains("***."), "the documento is masked: {}", textos[0]);
    assert!(!textos[0].contains("52998224725"), "never the whole CPF: {}", textos[0]);
    assert!(
        textos[1].contains("VIA CLIENTE") && textos[1].contains("123456"),
        "{}",
        textos[1]
    );
    assert!(textos[2].contains("10003"), "{}", textos[2]);
    assert_eq!(ler_itf(&impressos[2]), f3["codigo_barras"].as_str().unwrap());

    // The boleto's previews: the same ITF and the same PIX QR.
    let png = bytes(&balcao, &format!("/v1/impressoes/{boleto}/preview.png")).await;
    let (luma, largura, altura) = png_luma(&png, "the boleto preview");
    assert_eq!(largura, 576);
    assert_eq!(
        scan_page(luma.clone(), largura, altura, Symbology::Qr, "preview QR"),
        f3["pix_code"].as_str().unwrap()
    );
    let (girada, l, a) = rotate_luma_cw(&luma, largura, altura);
    assert_eq!(
        scan_page(girada, l, a, Symbology::Itf, "preview ITF"),
        f3["codigo_barras"].as_str().unwrap()
    );
    let pdf = bytes(&balcao, &format!("/v1/impressoes/{boleto}/preview.pdf")).await;
    let (luma, largura, altura) = render_pdf_page(pdf, 406.4);
    let (girada, l, a) = rotate_luma_cw(&luma, largura, altura);
    assert_eq!(
        scan_page(girada, l, a, Symbology::Itf, "PDF ITF"),
        f3["codigo_barras"].as_str().unwrap()
    );
    for id in [comprovante_pix, comprovante_tef] {
        let png = bytes(&balcao, &format!("/v1/impressoes/{id}/preview.png")).await;
        assert_eq!(png_luma(&png, "a comprovante preview").1, 576);
        assert!(
            bytes(&balcao, &format!("/v1/impressoes/{id}/preview.pdf"))
                .await
                .starts_with(b"%PDF-")
        );
    }
    let response = balcao
        .http
        .get(format!("{}/v1/impressoes/nenhuma/preview.png", balcao.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    balcao.stop().await;
    emulador.stop().await;
}
