#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The ESC/POS bytes of every receipt, held to account by an independent command walker (`common::escpos`): golden
//! annotated dumps on `epson-tm-t20` (`tests/golden/*.txt`; `BORDA_ATUALIZAR_GOLDEN=1` rewrites them), no
//! unmapped byte, no raw UTF-8, no malformed or unknown command on any profile, accents byte by byte, and the raster
//! ITF and QR read back by the scanner (rxing) from the bytes themselves.

mod common;

use std::path::PathBuf;

use borda::domain::baixa::Estado;
use borda::domain::impressao::comprovantes::{self, DadosTerminal};
use borda::domain::impressao::escpos::{self, PERFIS, PaginaDeCodigo, Perfil};
use borda::domain::impressao::{Elemento, Impresso, exemplos};
use common::escpos::{Comando, anotar, comandos, conferir_texto, hex, rasters, sem_utf8};
use common::{Symbology, scan_luma};
use proptest::prelude::*;

fn perfil(nome: &str) -> Perfil {
    *escpos::perfil(nome).unwrap_or_else(|| panic!("perfil {nome}"))
}

/// The four receipts of the examples, by name, laid out for `colunas`.
fn recibos(colunas: u16) -> Vec<(&'static str, Impresso)> {
    let fatura = exemplos::fatura();
    let dados = exemplos::dados();
    vec![
        (
            "comprovante_pix",
            comprovantes::comprovante_pix(&fatura, &exemplos::baixa_pix(Estado::Pendente), &dados, colunas),
        ),
        (
            "comprovante_tef",
            comprovantes::comprovante_tef(&fatura, &exemplos::baixa_tef(Estado::Sincronizada), &dados, colunas),
        ),
        ("boleto", comprovantes::boleto(&fatura, &dados, colunas)),
        (
            "texto",
            comprovantes::texto(
                &[
                    "Teste de impressão — borda",
                    "ÁÉÍÓÚ áéíóú ÂÊÔ âêô ÃÕ ãõ Ç ç À à",
                    "“aspas” ‘simples’ … • € ½ ° º ª",
                ],
                colunas,
            ),
        ),
    ]
}

/// Walks `bytes` and checks every text byte against the profile's page and that no raw UTF-8 is there.
fn verificar(bytes: &[u8], perfil: &Perfil) -> Vec<Comando> {
    let lista = comandos(bytes).unwrap_or_else(|e| panic!("{}: {e}", perfil.nome));
    conferir_texto(&lista, perfil.pagina).unwrap_or_else(|e| panic!("{}: {e}", perfil.nome));
    sem_utf8(&lista).unwrap_or_else(|e| panic!("{}: {e}", perfil.nome));
    assert!(!bytes.contains(&0x18), "{}: CAN", perfil.nome);
    lista
}

#[test]
fn golden_epson_tm_t20() {
    let epson = perfil("epson-tm-t20");
    let atualizar = std::env::var_os("BORDA_ATUALIZAR_GOLDEN").is_some_and(|v| v == "1");
    let pasta = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut diferentes = Vec::new();
    for (nome, impresso) in recibos(epson.colunas) {
        let bytes = escpos::codificar(&impresso, &epson).unwrap();
        let lista = verificar(&bytes, &epson);
        let dump = format!(
            "# {nome} em {} ({} bytes). Gerado por tests/escpos_golden.rs; BORDA_ATUALIZAR_GOLDEN=1 regenera.\n{}",
            epson.nome,
            bytes.len(),
            anotar(&lista, epson.pagina)
        );
        let arquivo = pasta.join(format!("{nome}.txt"));
        if atualizar {
            std::fs::write(&arquivo, &dump).unwrap();
        } else {
            let esperado = std::fs::read_to_string(&arquivo)
                .unwrap_or_else(|e| panic!("{}: {e} (BORDA_ATUALIZAR_GOLDEN=1 cria)", arquivo.display()));
            if esperado != dump {
                diferentes.push(format!("{nome}:\n{}", diferenca(&esperado, &dump)));
            }
        }
    }
    assert!(diferentes.is_empty(), "golden diferente:\n{}", diferentes.join("\n"));
}

/// The first differing lines of two dumps.
fn diferenca(esperado: &str, obtido: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (esperado.lines().collect(), obtido.lines().collect());
    let primeira = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    format!(
        "linha {}:\n- {}\n+ {}\n({} linhas esperadas, {} obtidas)",
        primeira + 1,
        a.get(primeira).unwrap_or(&""),
        b.get(primeira).unwrap_or(&""),
        a.len(),
        b.len()
    )
}

#[test]
fn todos_os_recibos_em_todos_os_perfis() {
    for p in PERFIS {
        for colunas in [48, 32] {
            for (nome, impresso) in recibos(colunas) {
                let bytes = escpos::codificar(&impresso, &p).unwrap();
                let lista = verificar(&bytes, &p);
                assert_eq!(lista.first(), Some(&Comando::Inicializar), "{nome} {}", p.nome);
                assert!(
                    matches!(lista.last(), Some(Comando::Corte { modo: 66, n: Some(0) })),
                    "{nome} {} termina sem corte",
                    p.nome
                );
                let largura = usize::from(p.pontos_por_linha);
                for raster in rasters(&lista) {
                    assert!(
                        raster.largura as usize <= largura,
                        "{nome} {}: raster largo demais",
                        p.nome
                    );
                }
            }
        }
    }
}

#[test]
fn texto_impresso_legivel() {
    // What the printer prints, decoded with the page: the pt-BR text survives, transliterated where needed.
    let epson = perfil("epson-tm-t20");
    let (_, impresso) = recibos(48).remove(0);
    let texto = conferir_texto(
        &comandos(&escpos::codificar(&impresso, &epson).unwrap()).unwrap(),
        epson.pagina,
    )
    .unwrap();
    for esperado in [
        "NET SUL TELECOMUNICAÇÕES LTDA",
        "\"Obrigado por pagar em dia!\" Atendimento:",
        "Maria Aparecida Conceição",
        "Plano Fibra 500 Mega - novembro/2026",
        "Pagamento registrado; confirmação pendente",
    ] {
        assert!(texto.contains(esperado), "falta {esperado:?} em\n{texto}");
    }
}

/// Hex of the text bytes of a one-line `texto` receipt on `perfil`.
fn bytes_do_texto(linha: &str, perfil: &Perfil) -> String {
    let bytes = escpos::codificar(&comprovantes::texto(&[linha], 48), perfil).unwrap();
    let lista = comandos(&bytes).unwrap();
    let textos: Vec<&Vec<u8>> = lista
        .iter()
        .filter_map(|c| match c {
            Comando::Texto(b) => Some(b),
            _ => None,
        })
        .collect();
    assert_eq!(textos.len(), 1);
    hex(textos[0])
}

#[test]
fn acentos_byte_a_byte_pc860_e_wpc1252() {
    // From the IBM CP860 chart and Microsoft's Windows-1252 table, in the order of the string.
    let acentos = "ÁÉÍÓÚáéíóúÂÊÔâêôÃÕãõÇçÀà";
    assert_eq!(
        bytes_do_texto(acentos, &perfil("epson-tm-t20")),
        "86 90 8B 9F 96 A0 82 A1 A2 A3 8F 89 8C 83 88 93 8E 99 84 94 80 87 91 85"
    );
    assert_eq!(
        bytes_do_texto(acentos, &perfil("generico-80mm")),
        "C1 C9 CD D3 DA E1 E9 ED F3 FA C2 CA D4 E2 EA F4 C3 D5 E3 F5 C7 E7 C0 E0"
    );
    // The same profile switched to WPC1252 by configuration sends ESC t 16.
    let epson_1252 = perfil("epson-tm-t20").com_pagina(PaginaDeCodigo::Wpc1252);
    let bytes = escpos::codificar(&comprovantes::texto(&["ç"], 48), &epson_1252).unwrap();
    assert_eq!(bytes[..5], [0x1B, 0x40, 0x1B, 0x74, 16]);
    // Em dash and curly quotes: transliterated on PC860, native on WPC1252.
    assert_eq!(bytes_do_texto("—“”", &perfil("epson-tm-t20")), "2D 22 22");
    assert_eq!(bytes_do_texto("—“”", &perfil("generico-80mm")), "97 93 94");
}

/// The boleto's raster ITF, read back from the ESC/POS bytes: the `GS v 0` bands joined, turned 90° so the bars
/// stand up, a white margin around, then the scanner.

#[test]
fn itf_do_escpos_le_os_44_digitos() {
    let fatura = exemplos::fatura();
    for nome in ["epson-tm-t20", "generico-58mm", "bematech-mp4200"] {
        let p = perfil(nome);
        let bytes = escpos::codificar(&comprovantes::boleto(&fatura, &exemplos::dados(), p.colunas), &p).unwrap();
        assert_eq!(
            common::escpos::ler_itf(&bytes),
            exemplos::CODIGO_BARRAS_EXEMPLO,
            "{nome}"
        );
    }
}

#[test]
fn qr_raster_do_escpos_le_o_pix() {
    let fatura = exemplos::fatura();
    for nome in ["generico-58mm", "generico-80mm", "bematech-mp4200"] {
        let p = perfil(nome);
        assert!(!p.qr_nativo);
        let bytes = escpos::codificar(&comprovantes::boleto(&fatura, &exemplos::dados(), p.colunas), &p).unwrap();
        let lista = comandos(&bytes).unwrap();
        let qr = rasters(&lista)
            .into_iter()
            .find(|r| r.altura < 800)
            .expect("o raster do QR");
        assert_eq!(
            scan_luma(qr.luma, qr.largura, qr.altura, Symbology::Qr, nome),
            exemplos::PIX_EXEMPLO,
            "{nome}"
        );
    }
}

#[test]
fn qr_nativo_leva_o_pix_inteiro() {
    let p = perfil("epson-tm-t20");
    let bytes = escpos::codificar(&comprovantes::boleto(&exemplos::fatura(), &exemplos::dados(), 48), &p).unwrap();
    let lista = comandos(&bytes).unwrap();
    let i = lista.iter().position(|c| matches!(c, Comando::QrModelo(_))).unwrap();
    assert_eq!(
        lista[i..i + 5],
        [
            Comando::QrModelo(50),
            Comando::QrTamanho(6),
            Comando::QrCorrecao(49),
            Comando::QrArmazenar(exemplos::PIX_EXEMPLO.as_bytes().to_vec()),
            Comando::QrImprimir,
        ]
    );
}

#[test]
fn o_walker_recusa_o_que_nao_conhece() {
    // The escpos crate's drawer kick without t1 t2, followed by a cut: the walker must not read it as valid.
    assert!(comandos(&[0x1B, 0x70, 0x00]).is_err());
    assert!(comandos(&[0x1B, 0x40, 0x18]).is_err(), "CAN");
    assert!(comandos(&[0x1D, 0x77, 0x02]).is_err(), "GS w is not emitted");
    assert!(
        comandos(&[0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xFF]).is_err(),
        "truncated raster"
    );
    assert!(comandos(&[0x10, 0x04, 0x01, 0x00]).is_err(), "stray NUL after DLE EOT");
    assert_eq!(
        comandos(&[0x10, 0x04, 0x04, 0x1B, 0x70, 0x00, 0x19, 0xFA]).unwrap(),
        [Comando::Status(4), Comando::Gaveta { m: 0, t1: 25, t2: 250 }]
    );
    // Raw UTF-8 of "—" in text is caught.
    let lista = comandos("a—b".as_bytes()).unwrap();
    assert!(sem_utf8(&lista).is_err());
    assert!(conferir_texto(&lista, PaginaDeCodigo::Iso8859_1).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any Unicode text, on any profile and width, encodes to bytes the walker accepts and whose every text byte is a
    /// character of the page; every character the page has is printed as itself, in one byte.
    #[test]
    fn qualquer_texto_vira_bytes_validos(
        linhas in proptest::collection::vec(any::<String>(), 0..4),
        acentuado in "[a-zA-Z0-9 ÁÉÍÓÚáéíóúÂÊÔâêôÃÕãõÇçÀà—“”…•€\t\n\u{1b}]{0,60}",
        indice in 0usize..5,
        colunas in prop_oneof![Just(48u16), Just(32u16), 1u16..80],
    ) {
        let p = PERFIS[indice];
        let mut todas = linhas.clone();
        todas.push(acentuado.clone());
        let bytes = escpos::codificar(&comprovantes::texto(&todas, colunas), &p).unwrap();
        let lista = comandos(&bytes).map_err(TestCaseError::fail)?;
        conferir_texto(&lista, p.pagina).map_err(TestCaseError::fail)?;
        // The Portuguese line keeps its letters, and each of its non-ASCII characters the page has is exactly one
        // byte ≥ 0x80 (the others became ASCII): raw UTF-8 would take two or three. (`sem_utf8` cannot judge here:
        // two mapped characters can form a UTF-8 sequence by chance, e.g. WPC1252 "Ú—" = DA 97.)
        let so_acentuado = escpos::codificar(&comprovantes::texto(&[acentuado.as_str()], colunas), &p).unwrap();
        let lista_acentuada = comandos(&so_acentuado).map_err(TestCaseError::fail)?;
        let impresso = conferir_texto(&lista_acentuada, p.pagina).map_err(TestCaseError::fail)?;
        let altos: usize = lista_acentuada
            .iter()
            .map(|c| match c {
                Comando::Texto(b) => b.iter().filter(|&&x| x >= 0x80).count(),
                _ => 0,
            })
            .sum();
        let mapeados = acentuado.chars().filter(|&c| !c.is_ascii() && p.pagina.byte(c).is_some()).count();
        prop_assert_eq!(altos, mapeados);
        let letras = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let esperado = if p.pagina.byte('€').is_some() { acentuado.clone() } else { acentuado.replace('€', "EUR") };
        prop_assert_eq!(letras(&impresso), letras(&esperado));
    }
}

#[test]
fn imagem_centrada_em_faixas() {
    // A 200 × 600 logo: bands of ≤ 255 rows, joined back into the same picture, centred by whole bytes.
    let pontos: Vec<bool> = (0..200 * 600).map(|i| (i / 200 + i % 200) % 7 == 0).collect();
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::Imagem(borda::domain::impressao::Bitmap {
            largura: 200,
            altura: 600,
            pontos: pontos.clone(),
        })],
    };
    let bytes = escpos::codificar(&impresso, &perfil("epson-tm-t20")).unwrap();
    let lista = comandos(&bytes).unwrap();
    let alturas: Vec<u16> = lista
        .iter()
        .filter_map(|c| match c {
            Comando::RasterImagem { altura, .. } => Some(*altura),
            _ => None,
        })
        .collect();
    assert_eq!(alturas, [255, 255, 90]);
    let imagem = rasters(&lista).remove(0);
    let esquerda = (576 - 200) / 2 / 8 * 8;
    assert_eq!(imagem.altura, 600);
    for y in 0..600usize {
        for x in 0..200usize {
            let preto = imagem.luma[y * imagem.largura as usize + esquerda + x] == 0;
            assert_eq!(preto, pontos[y * 200 + x], "({x}, {y})");
        }
    }
}

#[test]
fn dados_sem_empresa() {
    let impresso = comprovantes::boleto(&exemplos::fatura(), &DadosTerminal::default(), 48);
    let p = perfil("epson-tm-t20");
    verificar(&escpos::codificar(&impresso, &p).unwrap(), &p);
}
