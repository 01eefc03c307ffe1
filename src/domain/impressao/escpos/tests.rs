use proptest::prelude::*;

use super::*;
use crate::domain::baixa::Estado;
use crate::domain::impressao::{comprovantes, exemplos};
use crate::domain::render::{Itf, Qr};

const ACENTOS: &str = "ÁÉÍÓÚáéíóúÂÊÔâêôÃÕãõÇçÀà";

/// Hex written from the published charts (IBM CP860 and CP850 code page charts; Microsoft's Windows-1252 table;
/// ISO/IEC 8859-1), letter by letter in the order of [`ACENTOS`]: not derived from the tables under test.
const ESPERADO: [(PaginaDeCodigo, &str); 4] = [
    (
        PaginaDeCodigo::Pc860,
        "86 90 8B 9F 96 A0 82 A1 A2 A3 8F 89 8C 83 88 93 8E 99 84 94 80 87 91 85",
    ),
    (
        PaginaDeCodigo::Pc850,
        "B5 90 D6 E0 E9 A0 82 A1 A2 A3 B6 D2 E2 83 88 93 C7 E5 C6 E4 80 87 B7 85",
    ),
    (
        PaginaDeCodigo::Wpc1252,
        "C1 C9 CD D3 DA E1 E9 ED F3 FA C2 CA D4 E2 EA F4 C3 D5 E3 F5 C7 E7 C0 E0",
    ),
    (
        PaginaDeCodigo::Iso8859_1,
        "C1 C9 CD D3 DA E1 E9 ED F3 FA C2 CA D4 E2 EA F4 C3 D5 E3 F5 C7 E7 C0 E0",
    ),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

fn codificado(pagina: PaginaDeCodigo, texto: &str) -> Vec<u8> {
    let mut saida = Vec::new();
    pagina.codificar(texto, &mut saida);
    saida
}

#[test]
fn acentos_byte_a_byte() {
    for (pagina, esperado) in ESPERADO {
        assert_eq!(hex(&codificado(pagina, ACENTOS)), esperado, "{pagina:?}");
        // And back: each byte prints the letter.
        let bytes = codificado(pagina, ACENTOS);
        let lido: String = bytes.iter().filter_map(|&b| pagina.caractere(b)).collect();
        assert_eq!(lido, ACENTOS, "{pagina:?}");
    }
}

#[test]
fn outros_caracteres_das_paginas() {
    // PC860 (IBM chart): º 0xA7, ª 0xA6, ° 0xF8, Ò 0xA9, Ì 0x98. PC850: º 0xA7, ° 0xF8, ® 0xA9, ¿ 0xA8.
    // WPC1252: € 0x80, “ 0x93, ” 0x94, — 0x97, • 0x95, … 0x85, º 0xBA, ª 0xAA.
    assert_eq!(hex(&codificado(PaginaDeCodigo::Pc860, "ºª°ÒÌ")), "A7 A6 F8 A9 98");
    assert_eq!(hex(&codificado(PaginaDeCodigo::Pc850, "º°®¿")), "A7 F8 A9 A8");
    assert_eq!(
        hex(&codificado(PaginaDeCodigo::Wpc1252, "€“”—•…ºª")),
        "80 93 94 97 95 85 BA AA"
    );
}

#[test]
fn tabelas_sem_repeticao_e_sem_controles() {
    for pagina in PaginaDeCodigo::TODAS {
        let mut vistos = std::collections::HashSet::new();
        for byte in 0x80..=0xFFu8 {
            if let Some(c) = pagina.caractere(byte) {
                assert!(!c.is_control(), "{pagina:?} {byte:02X}");
                assert!(vistos.insert(c), "{pagina:?}: {c:?} duas vezes");
                assert_eq!(pagina.byte(c), Some(byte), "{pagina:?} {c:?}");
            }
        }
        for byte in (0x00..0x20u8).chain([0x7F]) {
            assert_eq!(pagina.caractere(byte), None);
        }
    }
    // Windows-1252's five holes and ISO-8859-1's C1 controls are never printable.
    for byte in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
        assert_eq!(PaginaDeCodigo::Wpc1252.caractere(byte), None);
    }
    for byte in 0x80..=0x9F {
        assert_eq!(PaginaDeCodigo::Iso8859_1.caractere(byte), None);
    }
}

#[test]
fn transliteracao() {
    let pc860 = PaginaDeCodigo::Pc860;
    assert_eq!(codificado(pc860, "a—b–c“d”e‘f’g…h•i"), b"a-b-c\"d\"e'f'g...h*i");
    assert_eq!(codificado(pc860, "€ 10"), b"EUR 10");
    // Accents stripped only when the page lacks the letter: PC860 has ã, not ő nor ñ̃; ñ it has (0xA4).
    assert_eq!(codificado(pc860, "ãőñ"), [0x84, b'o', 0xA4]);
    assert_eq!(codificado(pc860, "ﬁ①"), b"fi1");
    assert_eq!(codificado(pc860, "日本😀"), b"???");
    // Controls dropped: no command hides in text.
    assert_eq!(codificado(pc860, "a\x1B@b\nc\td\u{200B}e\u{7F}f\u{9B}g"), b"a@bcdefg");
    // NBSP is a space where the page lacks it.
    assert_eq!(codificado(PaginaDeCodigo::Iso8859_1, "a\u{2009}b"), b"a b");
}

proptest! {
    /// Every character becomes bytes the page prints (printable ASCII or mapped), or nothing: never its raw UTF-8.
    /// And the encoding of a text is the concatenation of its characters' encodings.
    #[test]
    fn nunca_utf8(texto in any::<String>(), indice in 0usize..4) {
        let pagina = PaginaDeCodigo::TODAS[indice];
        let mut todo = Vec::new();
        for c in texto.chars() {
            let mut um = Vec::new();
            pagina.codificar_caractere(c, &mut um);
            for &b in &um {
                prop_assert!((0x20..0x7F).contains(&b) || pagina.caractere(b).is_some(), "{:?} → {:?}", c, um);
            }
            if !c.is_ascii() {
                let utf8 = c.to_string();
                prop_assert_ne!(&um[..], utf8.as_bytes(), "{:?} sent as UTF-8", c);
            }
            todo.extend(um);
        }
        prop_assert_eq!(codificado(pagina, &texto), todo);
    }
}

#[test]
fn perfis_por_nome() {
    for nome in [
        "epson-tm-t20",
        "elgin-i9",
        "bematech-mp4200",
        "generico-80mm",
        "generico-58mm",
    ] {
        let p = perfil(nome).unwrap();
        assert_eq!(p.nome, nome);
        assert_eq!(p.gaveta.len(), 5);
        assert_eq!(p.gaveta[..2], [0x1B, 0x70]);
        assert!(p.gs_w.0 >= 2 && p.gs_w.1 <= 6);
        assert_eq!(usize::from(p.pontos_por_linha) / 12, usize::from(p.colunas));
    }
    assert_eq!(perfil("EPSON-TM-T20").map(|p| p.pagina), Some(PaginaDeCodigo::Pc860));
    assert!(perfil("zebra").is_none());
    let p = perfil("epson-tm-t20").unwrap().com_pagina(PaginaDeCodigo::Wpc1252);
    assert_eq!((p.pagina, p.esc_t), (PaginaDeCodigo::Wpc1252, Some(16)));
    assert_eq!(PaginaDeCodigo::por_nome("PC860"), Some(PaginaDeCodigo::Pc860));
}

fn epson() -> Perfil {
    perfil("epson-tm-t20").copied().unwrap()
}

#[test]
fn texto_com_estilos() {
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![
            Elemento::Texto {
                texto: "Título".into(),
                estilo: Estilo {
                    alinhamento: Alinhamento::Centro,
                    negrito: true,
                    duplo: true,
                },
            },
            Elemento::Texto {
                texto: "ok".into(),
                estilo: Estilo::default(),
            },
            Elemento::Separador,
            Elemento::Avanco(3),
            Elemento::Corte,
        ],
    };
    let bytes = codificar(&impresso, &epson()).unwrap();
    let mut esperado = vec![0x1B, 0x40, 0x1B, 0x74, 3];
    esperado.extend([0x1B, 0x61, 1, 0x1B, 0x45, 1, 0x1D, 0x21, 0x11]);
    esperado.extend([b'T', 0xA1, b't', b'u', b'l', b'o', 0x0A]);
    esperado.extend([0x1B, 0x61, 0, 0x1B, 0x45, 0, 0x1D, 0x21, 0x00, b'o', b'k', 0x0A]);
    esperado.extend([b'-'; 48]);
    esperado.extend([0x0A, 0x1B, 0x64, 3, 0x1D, 0x56, 0x42, 0x00]);
    assert_eq!(hex(&bytes), hex(&esperado));
}

#[test]
fn linha_longa_requebrada_para_o_perfil() {
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::Texto {
            texto: "palavra ".repeat(6).trim_end().to_owned(),
            estilo: Estilo::default(),
        }],
    };
    let p58 = perfil("generico-58mm").copied().unwrap();
    let bytes = codificar(&impresso, &p58).unwrap();
    assert!(bytes.ends_with(b"palavra palavra palavra palavra\npalavra palavra\n"));
}

#[test]
fn itf_rotacionado_em_faixas() {
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::CodigoDeBarras {
            digitos: exemplos::CODIGO_BARRAS_EXEMPLO.into(),
        }],
    };
    let bytes = codificar(&impresso, &epson()).unwrap();
    let corpo = &bytes[5..];
    // 44 digits at 2/6: 4·2 (start) + 22 pairs · (6·2 + 4·6) + (6 + 2·2) (stop) = 810 rows, + 2 × 40 quiet rows.
    let mut linhas = Vec::new();
    let mut resto = corpo;
    while !resto.is_empty() {
        assert_eq!(resto[..4], [0x1D, 0x76, 0x30, 0x00]);
        let largura = usize::from(u16::from_le_bytes([resto[4], resto[5]]));
        let altura = usize::from(u16::from_le_bytes([resto[6], resto[7]]));
        assert_eq!(largura, 13, "104-dot bars: 13 whole bytes");
        assert!(altura <= LINHAS_POR_FAIXA);
        let dados = &resto[8..8 + largura * altura];
        for linha in dados.chunks(largura) {
            assert!(linha.iter().all(|&b| b == linha[0]) && (linha[0] == 0 || linha[0] == 0xFF));
            linhas.push(linha[0] == 0xFF);
        }
        resto = &resto[8 + largura * altura..];
    }
    assert_eq!(linhas.len(), 810 + 80);
    assert!(linhas[..40].iter().all(|&b| !b) && linhas[850..].iter().all(|&b| !b));
    let itf = Itf::encode(exemplos::CODIGO_BARRAS_EXEMPLO).unwrap();
    assert_eq!(linhas[40..850], itf.modules(2, 6)[..]);
    // No CAN anywhere.
    assert!(!bytes.contains(&0x18));
}

#[test]
fn itf_invalido_e_erro() {
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::CodigoDeBarras { digitos: "123".into() }],
    };
    assert!(matches!(
        codificar(&impresso, &epson()),
        Err(ErroEscpos::CodigoDeBarras(_))
    ));
}

#[test]
fn qr_nativo_gs_k() {
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::Qr {
            conteudo: exemplos::PIX_EXEMPLO.into(),
        }],
    };
    let bytes = codificar(&impresso, &epson()).unwrap();
    let n = exemplos::PIX_EXEMPLO.len() + 3;
    let mut esperado = vec![0x1B, 0x40, 0x1B, 0x74, 3, 0x1B, 0x61, 1];
    esperado.extend([0x1D, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x32, 0]);
    esperado.extend([0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 6]);
    esperado.extend([0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x31]);
    esperado.extend([0x1D, 0x28, 0x6B, (n % 256) as u8, (n / 256) as u8, 0x31, 0x50, 0x30]);
    esperado.extend(exemplos::PIX_EXEMPLO.as_bytes());
    esperado.extend([0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30]);
    assert_eq!(hex(&bytes), hex(&esperado));
}

#[test]
fn qr_raster_centrado() {
    let impresso = Impresso {
        colunas: 32,
        elementos: vec![Elemento::Qr {
            conteudo: exemplos::PIX_EXEMPLO.into(),
        }],
    };
    let p = perfil("generico-58mm").copied().unwrap();
    let bytes = codificar(&impresso, &p).unwrap();
    let (modulos, _) = Qr::encode(exemplos::PIX_EXEMPLO).unwrap().modules();
    let lado = (modulos + 8) * 6;
    assert!(lado <= 384);
    let corpo = &bytes[5..];
    assert_eq!(corpo[..4], [0x1D, 0x76, 0x30, 0x00]);
    let largura = usize::from(u16::from_le_bytes([corpo[4], corpo[5]]));
    assert_eq!(largura, ((384 - lado) / 2 / 8 * 8 + lado).div_ceil(8));
}

#[test]
fn imagem_larga_demais_e_erro() {
    let impresso = Impresso {
        colunas: 32,
        elementos: vec![Elemento::Imagem(Bitmap {
            largura: 400,
            altura: 1,
            pontos: vec![true; 400],
        })],
    };
    let p = perfil("generico-58mm").copied().unwrap();
    assert!(matches!(
        codificar(&impresso, &p),
        Err(ErroEscpos::ImagemLargaDemais { .. })
    ));
}

#[test]
fn bematech_troca_para_escpos() {
    let p = perfil("bematech-mp4200").copied().unwrap();
    let bytes = codificar(&comprovantes::texto(&["x"], 48), &p).unwrap();
    assert_eq!(bytes[..9], [0x1B, 0x40, 0x1D, 0xF9, 0x20, 0x01, 0x1B, 0x74, 2]);
}

#[test]
fn comprovantes_sem_utf8() {
    let fatura = exemplos::fatura();
    let baixa = exemplos::baixa_pix(Estado::Pendente);
    let impresso = comprovantes::comprovante_pix(&fatura, &baixa, &exemplos::dados(), 48);
    let bytes = codificar(&impresso, &epson()).unwrap();
    // "Conceição" on PC860: ç 0x87, ã 0x84.
    assert!(bytes.windows(9).any(|w| w == b"Concei\x87\x84o"));
    // The em dash of the histórico became a hyphen.
    assert!(bytes.windows(12).any(|w| w == b"500 Mega - n"));
}

#[test]
fn qr_grande_encolhe_o_modulo() {
    // 1000 bytes need version 26 at level M (121 modules + 8 of quiet zone): 576 / 129 = 4 dots, 384 / 129 = 2.
    let conteudo = "A".repeat(1000);
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::Qr {
            conteudo: conteudo.clone(),
        }],
    };
    let bytes = codificar(&impresso, &epson()).unwrap();
    assert!(bytes.windows(8).any(|w| w == [0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 4]));
    let p58 = perfil("generico-58mm").copied().unwrap();
    let (modulos, _) = Qr::encode(&conteudo).unwrap().modules();
    assert_eq!(modulo_qr(modulos, p58.pontos_por_linha).unwrap(), 2);
    assert!(codificar(&impresso, &p58).is_ok());
    assert!(matches!(
        modulo_qr(400, 384),
        Err(ErroEscpos::QrNaoCabe {
            modulos: 400,
            pontos: 384
        })
    ));
}

#[test]
fn a_previa_mostra_o_que_o_papel_mostra() {
    assert_eq!(
        PaginaDeCodigo::Pc860.no_papel("“Obrigado” — São João • ✓"),
        "\"Obrigado\" - São João * ?"
    );
    let impresso = Impresso {
        colunas: 48,
        elementos: vec![Elemento::Texto {
            texto: "Mensalidade — novembro".into(),
            estilo: Estilo::default(),
        }],
    };
    assert_eq!(
        como_no_papel(&impresso, PaginaDeCodigo::Wpc1252).elementos,
        [Elemento::Texto {
            texto: "Mensalidade — novembro".into(),
            estilo: Estilo::default()
        }],
        "WPC1252 has the em dash"
    );
}
