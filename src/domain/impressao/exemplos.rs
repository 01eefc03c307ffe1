//! A realistic fatura, its PIX and TEF baixas and a totem, for the receipt tests, golden files, benchmarks,
//! previews and `borda print-test`: the same receipt everywhere. Valid data: the linha digitável and barcode agree
//! (bank 001, R$ 1,00 in the barcode's value field), the CPF and CNPJ check digits are right, the PIX BR Code has
//! its CRC.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::domain::baixa::{Baixa, Estado, NovaBaixa, Transacao};
use crate::domain::impressao::comprovantes::DadosTerminal;
use crate::domain::model::Fatura;
use crate::domain::money::Centavos;

/// A static PIX BR Code with a valid CRC (the one of `benches/formats.rs`).
pub const PIX_EXEMPLO: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
/// A bancário linha digitável, digits only (Banco do Brasil's published example).
pub const LINHA_EXEMPLO: &str = "00190500954014481606906809350314337370000000100";
/// The 44-digit barcode of [`LINHA_EXEMPLO`].
pub const CODIGO_BARRAS_EXEMPLO: &str = "00193373700000001000500940144816060680935031";

/// A fatura with everything a receipt prints: header texts, juros, multa and desconto, linha, barcode and PIX.
pub fn fatura() -> Fatura {
    Fatura {
        id: "10001".to_owned(),
        code_fatura: Some("FAT-2026-10001".to_owned()),
        documento: "12345678909".to_owned(),
        nome_cliente: Some("Maria Aparecida Conceição".to_owned()),
        id_cliente: Some("501".to_owned()),
        valor_inicial: Some(Centavos::new(12_990)),
        valor_atual: Centavos::new(13_624),
        juros: Some(Centavos::new(374)),
        multa: Some(Centavos::new(260)),
        desconto: None,
        emissao: NaiveDate::from_ymd_opt(2026, 11, 1),
        vencimento: NaiveDate::from_ymd_opt(2026, 11, 10),
        historico: Some("Plano Fibra 500 Mega — novembro/2026".to_owned()),
        banco: Some("001 - Banco do Brasil".to_owned()),
        linha_digitavel: Some(LINHA_EXEMPLO.to_owned()),
        codigo_barras: Some(CODIGO_BARRAS_EXEMPLO.to_owned()),
        pix_code: Some(PIX_EXEMPLO.to_owned()),
        identifier: None,
        integration_id: None,
        contrato: Some("7001".to_owned()),
        bill_receipt: Some(
            "NET SUL TELECOMUNICAÇÕES LTDA\nCNPJ 11.222.333/0001-81\nRua São João, 1234 – Centro, Araçá/RS".to_owned(),
        ),
        bill_pix_receipt: Some(
            "NET SUL TELECOMUNICAÇÕES LTDA\r\nCNPJ 11.222.333/0001-81\r\n“Obrigado por pagar em dia!” Atendimento: (51) 3333-4444 • WhatsApp (51) 99999-0000"
                .to_owned(),
        ),
        link_boleto: None,
    }
}

/// 23/11/2026 14:30 in Brasília (UTC−3), when the examples were paid.
pub fn pago_em() -> DateTime<FixedOffset> {
    FixedOffset::west_opt(3 * 3600)
        .and_then(|fuso| fuso.with_ymd_and_hms(2026, 11, 23, 14, 30, 5).single())
        .unwrap_or_default()
}

fn baixa(transacao: Transacao, estado: Estado) -> Baixa {
    let agora = Utc
        .with_ymd_and_hms(2026, 11, 23, 17, 30, 6)
        .single()
        .unwrap_or_default();
    let mut baixa = Baixa::nova(
        NovaBaixa {
            id: "0193a0c2-7e1f-7d2a-9b3c-4d5e6f708192".to_owned(),
            chave_idempotencia: "totem-07-000123".to_owned(),
            fatura_id: "10001".to_owned(),
            documento: "12345678909".to_owned(),
            id_cliente: Some("501".to_owned()),
            identifier: None,
            valor: Centavos::new(13_624),
            pago_em: pago_em(),
            transacao,
            aguardar_erp: false,
        },
        agora,
    );
    baixa.estado = estado;
    baixa
}

/// The fatura paid by PIX, in `estado`.
pub fn baixa_pix(estado: Estado) -> Baixa {
    baixa(
        Transacao::Pix {
            e2e_id: "E18236120202611231730s0123456789".to_owned(),
            txid: Some("BORDA7TOTEM07FAT10001".to_owned()),
        },
        estado,
    )
}

/// The fatura paid by card (TEF), in `estado`, with the customer's slip as a TEF client writes it.
pub fn baixa_tef(estado: Estado) -> Baixa {
    baixa(
        Transacao::Tef {
            nsu: "000123456".to_owned(),
            autorizacao: "A1B2C3".to_owned(),
            bandeira: Some("MASTERCARD".to_owned()),
            comprovante_cliente: vec![
                "           MASTERCARD - VIA CLIENTE".to_owned(),
                "NET SUL TELECOM".to_owned(),
                "POS: 00000007   DOC: 123456   AUT: A1B2C3".to_owned(),
                "CRÉDITO À VISTA                    R$ 136,24".to_owned(),
                "************1234".to_owned(),
                "TRANSAÇÃO AUTORIZADA MEDIANTE USO DE SENHA PESSOAL.".to_owned(),
            ],
            comprovante_estabelecimento: vec!["VIA ESTABELECIMENTO".to_owned()],
        },
        estado,
    )
}

/// Totem 07 of the ISP.
pub fn dados() -> DadosTerminal {
    DadosTerminal {
        totem_id: "totem-07".to_owned(),
        empresa: Some("NET SUL TELECOMUNICAÇÕES LTDA".to_owned()),
        documento_empresa: Some("11222333000181".to_owned()),
    }
}
