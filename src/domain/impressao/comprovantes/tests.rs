use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::domain::baixa::Estado;
use crate::domain::boleto;
use crate::domain::impressao::exemplos;

/// Every text line of `impresso`, in order.
fn textos(impresso: &Impresso) -> Vec<&str> {
    impresso
        .elementos
        .iter()
        .filter_map(|e| match e {
            Elemento::Texto { texto, .. } => Some(texto.as_str()),
            _ => None,
        })
        .collect()
}

/// Fails when a line of text is wider than its style allows.
fn cabe(impresso: &Impresso) {
    let colunas = usize::from(impresso.colunas);
    for e in &impresso.elementos {
        if let Elemento::Texto { texto, estilo } = e {
            let largura = if estilo.duplo { colunas / 2 } else { colunas };
            assert!(texto.chars().count() <= largura, "{texto:?} passa de {largura} colunas");
        }
    }
}

#[test]
fn quebrar_mantem_linha_que_cabe() {
    assert_eq!(quebrar("   POS: 7   DOC: 1", 48), vec!["   POS: 7   DOC: 1"]);
    assert_eq!(quebrar("", 10), vec![""]);
    assert_eq!(quebrar("abcde", 5), vec!["abcde"]);
}

#[test]
fn quebrar_em_espacos_e_palavras_longas() {
    assert_eq!(quebrar("um dois três quatro", 9), vec!["um dois", "três", "quatro"]);
    assert_eq!(quebrar("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    assert_eq!(quebrar("ab cdefghijkl", 4), vec!["ab", "cdef", "ghij", "kl"]);
    // Exactly full line followed by a space.
    assert_eq!(quebrar("abcd efgh", 4), vec!["abcd", "efgh"]);
    // Characters, not bytes.
    assert_eq!(quebrar("ação ação", 4), vec!["ação", "ação"]);
    // Leading spaces alone do not make a line.
    assert_eq!(quebrar("     abcdefgh", 4), vec!["    ", " abc", "defg", "h"]);
    assert_eq!(quebrar("abc ", 4), vec!["abc "]);
    assert_eq!(quebrar("abc      ", 4), vec!["abc"]);
}

proptest! {
    #[test]
    fn quebrar_respeita_a_largura_e_nao_perde_texto(texto in "[a-zçãé ]{0,120}", largura in 1usize..50) {
        let linhas = quebrar(&texto, largura);
        prop_assert!(!linhas.is_empty());
        for linha in &linhas {
            prop_assert!(linha.chars().count() <= largura, "{linha:?}");
        }
        let sem_espacos = |s: &str| s.chars().filter(|&c| c != ' ').collect::<String>();
        prop_assert_eq!(sem_espacos(&linhas.concat()), sem_espacos(&texto));
    }
}

#[test]
fn documento_mascarado() {
    assert_eq!(mascarar_documento("12345678909"), "***.456.789-**");
    assert_eq!(mascarar_documento("123.456.789-09"), "***.456.789-**");
    assert_eq!(mascarar_documento("11222333000181"), "**.222.333/****-**");
    assert_eq!(mascarar_documento("12345"), "***");
}

#[test]
fn linha_digitavel_como_o_boleto_formata() {
    let hoje = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    for linha in [
        exemplos::LINHA_EXEMPLO,
        "846300000003299902962024004101360008002006441147",
    ] {
        let decodificado = boleto::decode(linha, hoje).unwrap();
        assert_eq!(
            crate::domain::boleto::formatar_linha(linha),
            decodificado.linha_formatada()
        );
    }
    assert_eq!(crate::domain::boleto::formatar_linha("123"), "123");
}

#[test]
fn exemplo_de_boleto_e_valido() {
    let hoje = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let b = boleto::decode(exemplos::LINHA_EXEMPLO, hoje).unwrap();
    let c = boleto::decode(exemplos::CODIGO_BARRAS_EXEMPLO, hoje).unwrap();
    assert_eq!(b, c);
}

#[test]
fn comprovante_pix_diz_tudo() {
    let fatura = exemplos::fatura();
    let baixa = exemplos::baixa_pix(Estado::Pendente);
    let impresso = comprovante_pix(&fatura, &baixa, &exemplos::dados(), 48);
    cabe(&impresso);
    let linhas = textos(&impresso);
    let tudo = linhas.join("\n");
    // The header, verbatim line by line (the long third line wrapped at spaces, nothing else changed).
    assert_eq!(linhas[0], "NET SUL TELECOMUNICAÇÕES LTDA");
    assert_eq!(linhas[1], "CNPJ 11.222.333/0001-81");
    assert_eq!(
        quebrar(
            "“Obrigado por pagar em dia!” Atendimento: (51) 3333-4444 • WhatsApp (51) 99999-0000",
            48
        ),
        linhas[2..4]
    );
    for esperado in [
        "COMPROVANTE DE PAGAMENTO PIX",
        "Maria Aparecida Conceição",
        "***.456.789-**",
        "10001 (FAT-2026-10001)",
        "Plano Fibra 500 Mega — novembro/2026",
        "10/11/2026",
        "R$ 129,90",
        "R$ 3,74",
        "R$ 2,60",
        "R$ 136,24",
        "23/11/2026 14:30",
        "E18236120202611231730s0123456789",
        "BORDA7TOTEM07FAT10001",
        "totem-07",
        CONFIRMACAO_PENDENTE,
    ] {
        assert!(tudo.contains(esperado), "falta {esperado:?} em\n{tudo}");
    }
    assert!(!tudo.contains("12345678909"), "documento sem máscara");
    assert!(!tudo.contains("Desconto"), "desconto ausente não aparece");
    assert_eq!(impresso.elementos.last(), Some(&Elemento::Corte));
}

#[test]
fn confirmacao_segue_o_estado() {
    let fatura = exemplos::fatura();
    for (estado, texto) in [
        (Estado::Sincronizada, PAGAMENTO_CONFIRMADO),
        (Estado::Reconciliada, PAGAMENTO_CONFIRMADO),
        (Estado::Pendente, CONFIRMACAO_PENDENTE),
        (Estado::AguardandoErp, CONFIRMACAO_PENDENTE),
        (Estado::Incerta, CONFIRMACAO_PENDENTE),
    ] {
        let impresso = comprovante_pix(&fatura, &exemplos::baixa_pix(estado), &exemplos::dados(), 48);
        assert!(textos(&impresso).contains(&texto), "{estado:?}");
    }
}

#[test]
fn comprovante_tef_com_o_slip_verbatim() {
    let fatura = exemplos::fatura();
    let baixa = exemplos::baixa_tef(Estado::Sincronizada);
    let impresso = comprovante_tef(&fatura, &baixa, &exemplos::dados(), 48);
    cabe(&impresso);
    let linhas = textos(&impresso);
    assert_eq!(linhas[0], "NET SUL TELECOMUNICAÇÕES LTDA");
    assert_eq!(linhas[2], "Rua São João, 1234 – Centro, Araçá/RS");
    assert_eq!(linhas[3], "           MASTERCARD - VIA CLIENTE");
    assert_eq!(linhas[5], "POS: 00000007   DOC: 123456   AUT: A1B2C3");
    assert_eq!(linhas[6], "CRÉDITO À VISTA                    R$ 136,24");
    assert_eq!(linhas[8], "TRANSAÇÃO AUTORIZADA MEDIANTE USO DE SENHA");
    assert_eq!(linhas[9], "PESSOAL.");
    let tudo = linhas.join("\n");
    for esperado in ["000123456", "A1B2C3", "MASTERCARD", PAGAMENTO_CONFIRMADO, "R$ 136,24"] {
        assert!(tudo.contains(esperado), "falta {esperado:?}");
    }
    assert!(!tudo.contains("VIA ESTABELECIMENTO"));
}

#[test]
fn boleto_tem_linha_itf_e_qr() {
    let fatura = exemplos::fatura();
    for colunas in [48, 32] {
        let impresso = boleto(&fatura, &exemplos::dados(), colunas);
        cabe(&impresso);
        assert!(impresso.elementos.contains(&Elemento::CodigoDeBarras {
            digitos: exemplos::CODIGO_BARRAS_EXEMPLO.to_owned()
        }));
        assert!(impresso.elementos.contains(&Elemento::Qr {
            conteudo: exemplos::PIX_EXEMPLO.to_owned()
        }));
        let linhas = textos(&impresso);
        // The formatted linha, split only at its spaces, reads back whole.
        let formatada = crate::domain::boleto::formatar_linha(exemplos::LINHA_EXEMPLO);
        let inicio = linhas
            .iter()
            .position(|l| formatada.starts_with(*l) && !l.is_empty())
            .unwrap();
        let partes: Vec<&str> = linhas[inicio..]
            .iter()
            .take_while(|l| formatada.contains(**l))
            .copied()
            .collect();
        assert_eq!(partes.join(" "), formatada, "{colunas} colunas");
        // The copia-e-cola, hard-wrapped, reads back whole.
        let inicio = linhas.iter().position(|l| *l == "PIX copia e cola:").unwrap() + 1;
        let pix: String = linhas[inicio..]
            .iter()
            .take_while(|l| exemplos::PIX_EXEMPLO.contains(**l))
            .copied()
            .collect();
        assert_eq!(pix, exemplos::PIX_EXEMPLO);
        let tudo = linhas.join("\n");
        for esperado in [
            "BOLETO 2ª VIA",
            "NET SUL TELECOMUNICAÇÕES LTDA",
            "11.222.333/0001-81",
            "R$ 136,24",
            "10/11/2026",
        ] {
            assert!(tudo.contains(esperado), "falta {esperado:?} em {colunas} colunas");
        }
    }
}

#[test]
fn boleto_sem_codigo_nem_pix() {
    let mut fatura = exemplos::fatura();
    fatura.pix_code = None;
    fatura.codigo_barras = None;
    fatura.linha_digitavel = None;
    let impresso = boleto(&fatura, &DadosTerminal::default(), 48);
    assert!(
        !impresso
            .elementos
            .iter()
            .any(|e| matches!(e, Elemento::Qr { .. } | Elemento::CodigoDeBarras { .. }))
    );
}

#[test]
fn texto_livre() {
    let impresso = texto(
        &[
            "Teste de impressão",
            "",
            "uma linha bem longa que não cabe em trinta e duas colunas",
        ],
        32,
    );
    cabe(&impresso);
    assert_eq!(
        textos(&impresso),
        vec![
            "Teste de impressão",
            "",
            "uma linha bem longa que não cabe",
            "em trinta e duas colunas"
        ]
    );
    assert_eq!(impresso.elementos.last(), Some(&Elemento::Corte));
}

#[test]
fn o_documento_do_cliente_nunca_sai_inteiro() {
    assert_eq!(
        sem_documento("10001-52998224725", "52998224725"),
        "10001-***.982.247-**"
    );
    assert_eq!(
        sem_documento("Plano do CPF 529.982.247-25", "52998224725"),
        "Plano do CPF ***.982.247-**"
    );
    assert_eq!(sem_documento("sem documento", "123"), "sem documento");
}
