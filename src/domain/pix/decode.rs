//! Reading a BR Code: framing, CRC, the Pix template and the fixed fields, in the order of formats.md §4.6.
//!
//! Errors are for what makes the code unusable or ambiguous; deviations that real PSPs emit and payers accept
//! (a `-` in the txid, an amount without two decimals, a key outside the DICT formats, a lower-case CRC) become
//! warnings in [`BrCode::avisos`].

use super::chave::{CHAVE_MAXIMA, eh_chave_do_dict};
use super::tlv::{Campo, Campos, crc16, nome_campo};
use super::{BrCode, GUI_PIX, PixError, Tipo, verificar_tamanho};
use crate::domain::money::Centavos;

/// EMV limit for the whole payload (formats.md §4.1).
const TAMANHO_MAXIMO: usize = 512;

/// The data objects of one level, indexed by ID (IDs are two digits, so 100 slots cover them all).
type Tabela<'a> = [Option<Campo<'a>>; 100];

/// Decodes and validates a BR Code ("Pix Copia e Cola" or the text of a Pix QR code).
///
/// The payload is read verbatim: surrounding whitespace (a pasted newline) is the caller's to trim, because the CRC
/// covers every character and [`BrCode::payload`] must be exactly what was validated. Anything that breaks a rule of
/// the manual is an error naming the field; tolerated deviations are listed in [`BrCode::avisos`].
pub fn decode(payload: &str) -> Result<BrCode, PixError> {
    if payload.is_empty() {
        return Err(PixError::Vazio);
    }
    verificar_caracteres(payload)?;
    if payload.len() > TAMANHO_MAXIMO {
        return Err(PixError::MuitoLongo { tamanho: payload.len() });
    }
    let mut avisos = Vec::new();
    verificar_crc(payload, &mut avisos)?;
    let topo = ler_topo(payload)?;

    let uso_unico = match campo(&topo, 1).map(|c| c.valor) {
        None | Some("11") => false,
        Some("12") => true,
        Some(outro) => return Err(invalido("01", "método de iniciação", "11 ou 12", outro)),
    };
    let Templates {
        id_conta,
        conta,
        recorrencia_url,
    } = ler_templates(&topo)?;
    let conta = ler_conta(id_conta, &conta, &mut avisos)?;
    let tipo = match (conta.chave, conta.url, &recorrencia_url) {
        (Some(_), _, _) => Tipo::Estatico,
        (None, Some(_), _) | (None, None, Some(_)) => Tipo::Dinamico,
        (None, None, None) => return Err(PixError::SemChaveNemUrl { campo: id_conta }),
    };

    let mcc = obrigatorio(&topo, 52, "código de categoria do estabelecimento")?.valor;
    if mcc.len() != 4 || !mcc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalido(
            "52",
            "código de categoria do estabelecimento",
            "4 dígitos",
            mcc,
        ));
    }
    let moeda = obrigatorio(&topo, 53, "moeda")?.valor;
    if moeda != "986" {
        return Err(invalido("53", "moeda", "986 (real)", moeda));
    }
    let valor = campo(&topo, 54).map(|c| ler_valor(c.valor, &mut avisos)).transpose()?;
    let pais = obrigatorio(&topo, 58, "país")?.valor;
    if pais != "BR" {
        return Err(invalido("58", "país", "BR", pais));
    }
    let nome = obrigatorio(&topo, 59, "nome do recebedor")?.valor;
    verificar_tamanho("59", "nome do recebedor", nome, 25)?;
    let cidade = obrigatorio(&topo, 60, "cidade do recebedor")?.valor;
    verificar_tamanho("60", "cidade do recebedor", cidade, 15)?;
    let cep = campo(&topo, 61).map(|c| c.valor);
    if let Some(cep) = cep {
        verificar_tamanho("61", "CEP", cep, 10)?;
    }
    // Footnote 16 of the manual: the additional data template is always present, even if only with `***`.
    let adicionais = ler_template(obrigatorio(&topo, 62, "dados adicionais")?)?;
    let txid = campo(&adicionais, 5).map(|c| c.valor);
    if let Some(txid) = txid {
        verificar_tamanho("62-05", "txid", txid, 25)?;
        if txid != "***" && !txid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            avisos.push(format!(
                "o txid {txid:?} (campo 62-05) tem caracteres além de letras e dígitos, o que o manual do Pix não permite"
            ));
        }
    }

    Ok(BrCode {
        payload: payload.to_owned(),
        tipo,
        chave: conta.chave.map(str::to_owned),
        descricao: conta.descricao.map(str::to_owned),
        url: conta.url.map(str::to_owned),
        recorrencia_url,
        fss: conta.fss.map(str::to_owned),
        nome: nome.to_owned(),
        cidade: cidade.to_owned(),
        cep: cep.map(str::to_owned),
        mcc: mcc.to_owned(),
        valor,
        txid: txid.filter(|t| *t != "***").map(str::to_owned),
        uso_unico,
        avisos,
    })
}

/// What the Pix merchant account template (one of 26–51) holds.
struct Conta<'a> {
    /// Pix key (sub-field 01).
    chave: Option<&'a str>,
    /// Charge location (sub-field 25).
    url: Option<&'a str>,
    /// Free text (sub-field 02), `None` when empty.
    descricao: Option<&'a str>,
    /// Pix Saque/Troco facilitator ISPB (sub-field 03).
    fss: Option<&'a str>,
}

/// The Pix templates of a payload.
struct Templates<'a> {
    /// ID (26–51) of the single Pix merchant account template.
    id_conta: u8,
    /// Its sub-fields.
    conta: Tabela<'a>,
    /// Pix Automático recurrence location (80-25).
    recorrencia_url: Option<String>,
}

/// Walks every template 26–51 and 80–99, even those of other arrangements, so a broken one is caught (§4.1),
/// and finds the single Pix account template and the Pix Automático URL of template 80.
fn ler_templates<'a>(topo: &Tabela<'a>) -> Result<Templates<'a>, PixError> {
    let mut conta: Option<(u8, Tabela<'a>)> = None;
    let mut recorrencia_url = None;
    for id in (26..=51).chain(80..=99) {
        let Some(template) = campo(topo, id) else { continue };
        let internos = ler_template(template)?;
        if !eh_pix(&internos) {
            continue;
        }
        if id == 80 {
            // Pix Automático puts its recurrence location in 80-25 (newer manuals, formats.md §4.3).
            if let Some(url) = campo(&internos, 25) {
                verificar_url("80-25", url.valor)?;
                recorrencia_url = Some(url.valor.to_owned());
            }
        } else if id <= 51 {
            if let Some((primeiro, _)) = conta {
                return Err(PixError::ContaPixDuplicada { primeiro, segundo: id });
            }
            conta = Some((id, internos));
        }
    }
    let (id_conta, conta) = conta.ok_or(PixError::ContaPixAusente)?;
    Ok(Templates {
        id_conta,
        conta,
        recorrencia_url,
    })
}

/// Reads the Pix account template: a key or a URL, never both (formats.md §4.3), plus description and ISPB.
fn ler_conta<'a>(id: u8, conta: &Tabela<'a>, avisos: &mut Vec<String>) -> Result<Conta<'a>, PixError> {
    let chave = campo(conta, 1).map(|c| c.valor);
    let url = campo(conta, 25).map(|c| c.valor);
    if chave.is_some() && url.is_some() {
        return Err(PixError::ChaveEUrl { campo: id });
    }
    if let Some(chave) = chave {
        verificar_tamanho(&nome_campo(Some(id), 1), "chave Pix", chave, CHAVE_MAXIMA)?;
        if !eh_chave_do_dict(chave) {
            avisos.push(format!(
                "a chave {chave:?} (campo {id:02}-01) não está em nenhum formato de chave Pix do DICT \
                 (CPF, CNPJ, e-mail, telefone +55 ou chave aleatória)"
            ));
        }
    }
    if let Some(url) = url {
        verificar_url(&nome_campo(Some(id), 25), url)?;
    }
    let fss = campo(conta, 3).map(|c| c.valor);
    if let Some(fss) = fss.filter(|f| f.len() != 8 || !f.bytes().all(|b| b.is_ascii_digit())) {
        avisos.push(format!(
            "o ISPB do facilitador de saque/troco (campo {id:02}-03) deveria ter 8 dígitos, encontrado {fss:?}"
        ));
    }
    let descricao = campo(conta, 2).map(|c| c.valor).filter(|d| !d.is_empty());
    Ok(Conta {
        chave,
        url,
        descricao,
        fss,
    })
}

/// Every character must be printable ASCII (EMV "ans", formats.md §4.1); this also makes bytes and characters
/// coincide, so offsets and lengths below are both.
fn verificar_caracteres(payload: &str) -> Result<(), PixError> {
    if payload.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Ok(());
    }
    match payload.chars().enumerate().find(|(_, c)| !(' '..='~').contains(c)) {
        Some((posicao, caractere)) => Err(PixError::CaractereInvalido { posicao, caractere }),
        None => Ok(()),
    }
}

/// Checks the trailing `6304XXXX` against the CRC of everything before `XXXX` (manual §1.5.4).
///
/// Lower-case hex is numerically fine but some readers refuse it (vector notes, formats.md §4.5): accepted with a
/// warning.
fn verificar_crc(payload: &str, avisos: &mut Vec<String>) -> Result<(), PixError> {
    let corte = payload.len().checked_sub(4).ok_or(PixError::CrcAusente)?;
    let (corpo, escrito) = payload.split_at_checked(corte).ok_or(PixError::CrcAusente)?;
    if !corpo.ends_with("6304") || !escrito.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PixError::CrcAusente);
    }
    let encontrado = u16::from_str_radix(escrito, 16).map_err(|_| PixError::CrcAusente)?;
    let esperado = crc16(corpo.as_bytes());
    if encontrado != esperado {
        return Err(PixError::CrcInvalido {
            esperado: format!("{esperado:04X}"),
            encontrado: escrito.to_owned(),
        });
    }
    if escrito.bytes().any(|b| b.is_ascii_lowercase()) {
        avisos.push(format!(
            "o CRC (campo 63) {escrito:?} está em letras minúsculas; o padrão é maiúsculas e alguns aplicativos recusam"
        ));
    }
    Ok(())
}

/// Walks the top level: `00` = `01` first, `63` last (at the offset the CRC check already looked at), no repeats.
fn ler_topo(payload: &str) -> Result<Tabela<'_>, PixError> {
    let posicao_crc = payload.len().saturating_sub(8);
    let mut topo: Tabela<'_> = [None; 100];
    for (indice, lido) in Campos::new(payload).enumerate() {
        let lido = lido?;
        if indice == 0 && (lido.id != 0 || lido.valor != "01") {
            return Err(PixError::InicioInvalido);
        }
        if lido.id == 63 && lido.posicao != posicao_crc {
            return Err(PixError::CrcForaDoFim);
        }
        guardar(&mut topo, lido, None)?;
    }
    // The walk may have swallowed the trailing `6304XXXX` inside another value.
    campo(&topo, 63).map(|_| topo).ok_or(PixError::CrcForaDoFim)
}

/// Walks one template (26–51, 62, 80–99); its sub-fields are not walked further (manual §1.5.1).
fn ler_template(template: Campo<'_>) -> Result<Tabela<'_>, PixError> {
    let mut tabela: Tabela<'_> = [None; 100];
    for lido in Campos::dentro(template) {
        guardar(&mut tabela, lido?, Some(template.id))?;
    }
    Ok(tabela)
}

/// Records a data object, refusing a second one with the same ID at the same level.
fn guardar<'a>(tabela: &mut Tabela<'a>, lido: Campo<'a>, pai: Option<u8>) -> Result<(), PixError> {
    match tabela.get_mut(usize::from(lido.id)) {
        Some(Some(_)) => Err(PixError::CampoDuplicado {
            campo: nome_campo(pai, lido.id),
        }),
        Some(vazio) => {
            *vazio = Some(lido);
            Ok(())
        }
        // IDs are two decimal digits, so every one has a slot.
        None => Ok(()),
    }
}

/// The data object with this ID, if present.
fn campo<'a>(tabela: &Tabela<'a>, id: u8) -> Option<Campo<'a>> {
    tabela.get(usize::from(id)).copied().flatten()
}

/// Whether a template's sub-field 00 is the Pix GUI.
fn eh_pix(template: &Tabela<'_>) -> bool {
    campo(template, 0).is_some_and(|gui| gui.valor.eq_ignore_ascii_case(GUI_PIX))
}

/// The value of a mandatory top-level field.
fn obrigatorio<'a>(topo: &Tabela<'a>, id: u8, nome: &'static str) -> Result<Campo<'a>, PixError> {
    campo(topo, id).ok_or_else(|| PixError::CampoAusente {
        campo: nome_campo(None, id),
        nome,
    })
}

/// A [`PixError::CampoInvalido`] for a fixed-format field.
fn invalido(campo: &'static str, nome: &'static str, esperado: &'static str, encontrado: &str) -> PixError {
    PixError::CampoInvalido {
        campo,
        nome,
        esperado,
        encontrado: encontrado.to_owned(),
    }
}

/// A charge or recurrence URL: no scheme (manual §1.6.3, the payer adds `https://`), 1–77 characters.
fn verificar_url(campo: &str, url: &str) -> Result<(), PixError> {
    // Any scheme (`https://`, `http://`, …): the text before `://` made only of RFC 3986 scheme characters.
    let protocolo = url.split_once("://").is_some_and(|(esquema, _)| {
        !esquema.is_empty()
            && esquema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    if protocolo {
        return Err(PixError::UrlComProtocolo {
            campo: campo.to_owned(),
            url: url.to_owned(),
        });
    }
    verificar_tamanho(campo, "URL", url, 77)
}

/// Reads field 54 leniently: digits, optionally a point and up to two decimals, at most 13 characters
/// (formats.md §4.6 item 8: "100", "0.9" and "10." circulate). Anything but the canonical `\d+\.\d{2}` and a zero
/// amount are tolerated with a warning.
fn ler_valor(texto: &str, avisos: &mut Vec<String>) -> Result<Centavos, PixError> {
    let invalido = || PixError::ValorInvalido {
        encontrado: texto.to_owned(),
    };
    let (inteiro, fracao) = texto.split_once('.').unwrap_or((texto, ""));
    let digitos = |parte: &str| parte.bytes().all(|b| b.is_ascii_digit());
    if texto.len() > 13 || inteiro.is_empty() || fracao.len() > 2 || !digitos(inteiro) || !digitos(fracao) {
        return Err(invalido());
    }
    let centavos = inteiro
        .bytes()
        .chain(fracao.bytes().chain(*b"00").take(2))
        .try_fold(0i64, |total, digito| {
            total.checked_mul(10)?.checked_add(i64::from(digito - b'0'))
        })
        .ok_or_else(invalido)?;
    if fracao.len() != 2 {
        avisos.push(format!(
            "o valor (campo 54) {texto:?} não está no formato padrão com duas casas decimais (ex.: \"10.00\")"
        ));
    }
    if centavos == 0 {
        avisos.push("o valor (campo 54) é zero; o manual do Pix não prevê cobrança de valor zero".to_owned());
    }
    Ok(Centavos::new(centavos))
}

#[cfg(test)]
mod tests {
    use super::super::tlv::escrever;
    use super::*;

    /// BCB manual §1.5.4 static example (CRC 1D3D).
    const BCB_ESTATICO: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
    /// BCB manual dynamic example (CRC 64E4), formats.md §4.3.
    const BCB_DINAMICO: &str = "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4";

    /// Appends `6304` and the right CRC.
    fn com_crc(corpo: &str) -> String {
        let corpo = format!("{corpo}6304");
        let crc = crc16(corpo.as_bytes());
        format!("{corpo}{crc:04X}")
    }

    /// A payload with these top-level fields, in this order, closed by a correct CRC.
    fn montar(campos: &[(u8, &str)]) -> String {
        let mut corpo = String::new();
        for (id, valor) in campos {
            escrever(&mut corpo, *id, valor);
        }
        com_crc(&corpo)
    }

    /// A template value from sub-fields.
    fn template(campos: &[(u8, &str)]) -> String {
        let mut valor = String::new();
        for (id, sub) in campos {
            escrever(&mut valor, *id, sub);
        }
        valor
    }

    const EVP: &str = "123e4567-e12b-12d1-a456-426655440000";

    /// The BCB static example as fields, with `troca` replacing (or, with `None`, removing) fields by ID.
    fn estatico_com(troca: &[(u8, Option<&str>)]) -> String {
        let conta = template(&[(0, "br.gov.bcb.pix"), (1, EVP)]);
        let base = [
            (0, "01"),
            (26, conta.as_str()),
            (52, "0000"),
            (53, "986"),
            (58, "BR"),
            (59, "Fulano de Tal"),
            (60, "BRASILIA"),
            (62, "0503***"),
        ];
        let mut campos: Vec<(u8, &str)> = Vec::new();
        for (id, valor) in base {
            match troca.iter().find(|(t, _)| *t == id) {
                Some((_, Some(novo))) => campos.push((id, novo)),
                Some((_, None)) => {}
                None => campos.push((id, valor)),
            }
        }
        for (id, valor) in troca {
            if let (false, Some(valor)) = (base.iter().any(|(b, _)| b == id), valor) {
                campos.push((*id, valor));
            }
        }
        campos.sort_by_key(|(id, _)| *id);
        montar(&campos)
    }

    #[test]
    fn decodes_the_bcb_static_example() {
        assert_eq!(estatico_com(&[]), BCB_ESTATICO);
        let lido = decode(BCB_ESTATICO).unwrap();
        assert_eq!(
            lido,
            BrCode {
                payload: BCB_ESTATICO.to_owned(),
                tipo: Tipo::Estatico,
                chave: Some(EVP.to_owned()),
                descricao: None,
                url: None,
                recorrencia_url: None,
                fss: None,
                nome: "Fulano de Tal".to_owned(),
                cidade: "BRASILIA".to_owned(),
                cep: None,
                mcc: "0000".to_owned(),
                valor: None,
                txid: None,
                uso_unico: false,
                avisos: vec![],
            }
        );
    }

    #[test]
    fn decodes_the_bcb_dynamic_example() {
        let lido = decode(BCB_DINAMICO).unwrap();
        assert_eq!(lido.tipo, Tipo::Dinamico);
        assert_eq!(
            lido.url.as_deref(),
            Some("pix.example.com/8b3da2f39a4140d1a91abd93113bd441")
        );
        assert_eq!(lido.chave, None);
        assert!(lido.uso_unico);
        assert!(lido.avisos.is_empty(), "{:?}", lido.avisos);
    }

    #[test]
    fn tolerated_deviations_become_warnings() {
        let minusculo = format!("{}{}", &BCB_DINAMICO[..BCB_DINAMICO.len() - 4], "64e4");
        let casos: Vec<(String, &str)> = vec![
            (minusculo, "minúsculas"),
            (estatico_com(&[(62, Some("0515RP12345678-2019"))]), "txid"),
            (estatico_com(&[(54, Some("100"))]), "duas casas"),
            (estatico_com(&[(54, Some("0.00"))]), "zero"),
            (
                estatico_com(&[(26, Some(&template(&[(0, "br.gov.bcb.pix"), (1, "66756C616E6F")])))]),
                "DICT",
            ),
            (
                estatico_com(&[(26, Some(&template(&[(0, "br.gov.bcb.pix"), (1, EVP), (3, "123")])))]),
                "ISPB",
            ),
        ];
        for (payload, trecho) in casos {
            let lido = decode(&payload).unwrap_or_else(|e| panic!("{payload}: {e}"));
            assert_eq!(lido.avisos.len(), 1, "{payload}: {:?}", lido.avisos);
            assert!(
                lido.avisos[0].contains(trecho),
                "{:?} should mention {trecho}",
                lido.avisos
            );
        }
    }

    #[test]
    fn reads_lenient_amounts() {
        for (texto, centavos) in [
            ("100", 10000),
            ("0.9", 90),
            ("10.", 1000),
            ("1.00", 100),
            ("9999999999.99", 999_999_999_999),
        ] {
            let lido = decode(&estatico_com(&[(54, Some(texto))])).unwrap();
            assert_eq!(lido.valor, Some(Centavos::new(centavos)), "{texto}");
        }
        for texto in [
            "",
            ".",
            ".5",
            "1,00",
            "-1.00",
            "+1.00",
            "1.234",
            "1.2.3",
            "1 000.00",
            "12345678901.00",
            "1e3",
        ] {
            let erro = decode(&estatico_com(&[(54, Some(texto))])).unwrap_err();
            assert_eq!(
                erro,
                PixError::ValorInvalido {
                    encontrado: texto.to_owned()
                },
                "{texto}"
            );
        }
    }

    #[test]
    fn accepts_what_the_manual_allows() {
        let maiusculo = estatico_com(&[(26, Some(&template(&[(0, "BR.GOV.BCB.PIX"), (1, EVP)])))]);
        assert!(decode(&maiusculo).unwrap().avisos.is_empty());
        assert!(!decode(&estatico_com(&[(1, Some("11"))])).unwrap().uso_unico);
        assert!(decode(&estatico_com(&[(1, Some("12"))])).unwrap().uso_unico);
        let com_extras = estatico_com(&[
            (4, Some("12345678901234")),
            (27, Some("0012BR.COM.OUTRO")),
            (61, Some("70074900")),
        ]);
        let lido = decode(&com_extras).unwrap();
        assert_eq!(lido.cep.as_deref(), Some("70074900"));
        assert_eq!(decode(BCB_ESTATICO).unwrap().payload, BCB_ESTATICO);
        let sem_txid = decode(&estatico_com(&[(62, Some(""))])).unwrap();
        assert_eq!(sem_txid.txid, None);
        let com_txid = decode(&estatico_com(&[(62, Some("0503abc"))])).unwrap();
        assert_eq!(com_txid.txid.as_deref(), Some("abc"));
        // Template 80 with the Pix GUI and no key in 26: Pix Automático only, a dynamic code.
        let automatico = estatico_com(&[
            (26, Some("0014br.gov.bcb.pix")),
            (
                80,
                Some(&template(&[(0, "br.gov.bcb.pix"), (25, "pix.example.com/rec/1")])),
            ),
        ]);
        let lido = decode(&automatico).unwrap();
        assert_eq!(
            (lido.tipo, lido.recorrencia_url.as_deref()),
            (Tipo::Dinamico, Some("pix.example.com/rec/1"))
        );
        let consulta = estatico_com(&[(
            26,
            Some(&template(&[(0, "br.gov.bcb.pix"), (25, "psp.example/c?v=https://x")])),
        )]);
        assert_eq!(
            decode(&consulta).unwrap().url.as_deref(),
            Some("psp.example/c?v=https://x")
        );
    }

    #[test]
    fn each_rule_has_its_error() {
        let conta = |campos: &[(u8, &str)]| template(campos);
        let gui = (0u8, "br.gov.bcb.pix");
        let url = "pix.example.com/8b3d";
        let longo = "a".repeat(600);
        // A key or URL longer than 77 cannot occur: with the 18-character GUI it would not fit in 99.
        let casos: Vec<(String, PixError)> = vec![
            (String::new(), PixError::Vazio),
            (" ".to_owned(), PixError::CrcAusente),
            (
                format!("{BCB_ESTATICO}\n"),
                PixError::CaractereInvalido { posicao: 137, caractere: '\n' },
            ),
            (format!(" {BCB_ESTATICO}"), PixError::CrcInvalido { esperado: "1BFA".into(), encontrado: "1D3D".into() }),
            (longo, PixError::MuitoLongo { tamanho: 600 }),
            (
                BCB_ESTATICO.replace("BRASILIA", "BRASÍLIA"),
                PixError::CaractereInvalido { posicao: 114, caractere: 'Í' },
            ),
            (BCB_ESTATICO.replace("\u{2a}", "\t"), PixError::CaractereInvalido { posicao: 126, caractere: '\t' }),
            (BCB_ESTATICO[..BCB_ESTATICO.len() - 8].to_owned(), PixError::CrcAusente),
            (BCB_ESTATICO.replace("1D3D", "1D3G"), PixError::CrcAusente),
            (
                BCB_ESTATICO.replace("1D3D", "1D3E"),
                PixError::CrcInvalido { esperado: "1D3D".into(), encontrado: "1D3E".into() },
            ),
            (
                BCB_ESTATICO.replace("Fulano", "Fulana"),
                PixError::CrcInvalido { esperado: "5669".into(), encontrado: "1D3D".into() },
            ),
            (com_crc("00A0XYZ"), PixError::TamanhoInvalido { campo: "00".into(), posicao: 2, encontrado: "A0".into() }),
            (com_crc("000201x"), PixError::IdInvalido { posicao: 6, encontrado: "x6".into() }),
            // pix-031: tag 62 declares 08 but holds 7 characters, and the CRC was computed over the broken string.
            (
                "00020126360014BR.GOV.BCB.PIX0114+5511943214321520400005303986540566.665802BR5907EMPRESA6008BRASILIA62080503***6304170E".to_owned(),
                PixError::CampoTruncado { campo: "30".into(), posicao: 111, declarado: 41, restante: 3 },
            ),
            (com_crc("000202"), PixError::InicioInvalido),
            (com_crc("0102125802BR"), PixError::InicioInvalido),
            (estatico_com(&[(63, Some("ABCD"))]), PixError::CrcForaDoFim),
            (com_crc(&format!("{}1008", &BCB_ESTATICO[..BCB_ESTATICO.len() - 8])), PixError::CrcForaDoFim),
            (
                com_crc(&format!("{}5903Ana", &BCB_ESTATICO[..BCB_ESTATICO.len() - 8])),
                PixError::CampoDuplicado { campo: "59".into() },
            ),
            (
                estatico_com(&[(26, Some(&conta(&[gui, (1, EVP), (1, EVP)])))]),
                PixError::CampoDuplicado { campo: "26-01".into() },
            ),
            (estatico_com(&[(26, Some(&conta(&[(0, "br.gov.bcb.spi"), (1, EVP)])))]), PixError::ContaPixAusente),
            (estatico_com(&[(26, None)]), PixError::ContaPixAusente),
            (
                estatico_com(&[(27, Some(&conta(&[gui, (1, EVP)])))]),
                PixError::ContaPixDuplicada { primeiro: 26, segundo: 27 },
            ),
            (estatico_com(&[(26, Some(&conta(&[gui, (1, EVP), (25, url)])))]), PixError::ChaveEUrl { campo: 26 }),
            (estatico_com(&[(26, Some(&conta(&[gui, (2, "so texto")])))]), PixError::SemChaveNemUrl { campo: 26 }),
            (
                estatico_com(&[(26, Some(&conta(&[gui, (25, "https://pix.example.com/x")])))]),
                PixError::UrlComProtocolo { campo: "26-25".into(), url: "https://pix.example.com/x".into() },
            ),
            (
                estatico_com(&[(26, Some(&conta(&[gui, (25, "HTTPS://pix.example.com/x")])))]),
                PixError::UrlComProtocolo { campo: "26-25".into(), url: "HTTPS://pix.example.com/x".into() },
            ),
            (
                estatico_com(&[(26, Some(&conta(&[gui, (25, "")])))]),
                PixError::TamanhoCampo { campo: "26-25".into(), nome: "URL", maximo: 77, encontrado: 0 },
            ),
            (
                estatico_com(&[
                    (26, Some("0014br.gov.bcb.pix")),
                    (80, Some(&conta(&[gui, (25, "http://pix.example.com/rec/1")]))),
                ]),
                PixError::UrlComProtocolo { campo: "80-25".into(), url: "http://pix.example.com/rec/1".into() },
            ),
            (
                estatico_com(&[(26, Some(&conta(&[gui, (1, "")])))]),
                PixError::TamanhoCampo { campo: "26-01".into(), nome: "chave Pix", maximo: 77, encontrado: 0 },
            ),
            (
                estatico_com(&[(27, Some("0199x"))]),
                PixError::CampoTruncado { campo: "27-01".into(), posicao: 72, declarado: 99, restante: 1 },
            ),
            (
                estatico_com(&[(1, Some("13"))]),
                PixError::CampoInvalido {
                    campo: "01",
                    nome: "método de iniciação",
                    esperado: "11 ou 12",
                    encontrado: "13".into(),
                },
            ),
            (
                estatico_com(&[(52, None)]),
                PixError::CampoAusente { campo: "52".into(), nome: "código de categoria do estabelecimento" },
            ),
            (
                estatico_com(&[(52, Some("00A0"))]),
                PixError::CampoInvalido {
                    campo: "52",
                    nome: "código de categoria do estabelecimento",
                    esperado: "4 dígitos",
                    encontrado: "00A0".into(),
                },
            ),
            (estatico_com(&[(53, None)]), PixError::CampoAusente { campo: "53".into(), nome: "moeda" }),
            (
                estatico_com(&[(53, Some("840"))]),
                PixError::CampoInvalido {
                    campo: "53",
                    nome: "moeda",
                    esperado: "986 (real)",
                    encontrado: "840".into(),
                },
            ),
            (
                estatico_com(&[(58, Some("US"))]),
                PixError::CampoInvalido { campo: "58", nome: "país", esperado: "BR", encontrado: "US".into() },
            ),
            (estatico_com(&[(59, None)]), PixError::CampoAusente { campo: "59".into(), nome: "nome do recebedor" }),
            (
                estatico_com(&[(59, Some("BANCOCENTRALDOBRASIL000381"))]),
                PixError::TamanhoCampo { campo: "59".into(), nome: "nome do recebedor", maximo: 25, encontrado: 26 },
            ),
            (
                estatico_com(&[(59, Some(""))]),
                PixError::TamanhoCampo { campo: "59".into(), nome: "nome do recebedor", maximo: 25, encontrado: 0 },
            ),
            (
                estatico_com(&[(60, Some("SAO MIGUEL DO OE"))]),
                PixError::TamanhoCampo { campo: "60".into(), nome: "cidade do recebedor", maximo: 15, encontrado: 16 },
            ),
            (
                estatico_com(&[(61, Some("70074-900 DF"))]),
                PixError::TamanhoCampo { campo: "61".into(), nome: "CEP", maximo: 10, encontrado: 12 },
            ),
            (estatico_com(&[(62, None)]), PixError::CampoAusente { campo: "62".into(), nome: "dados adicionais" }),
            (
                estatico_com(&[(62, Some(&conta(&[(5, &"1".repeat(26))])))]),
                PixError::TamanhoCampo { campo: "62-05".into(), nome: "txid", maximo: 25, encontrado: 26 },
            ),
            (
                estatico_com(&[(62, Some("0500"))]),
                PixError::TamanhoCampo { campo: "62-05".into(), nome: "txid", maximo: 25, encontrado: 0 },
            ),
        ];
        for (payload, esperado) in casos {
            assert_eq!(decode(&payload), Err(esperado), "{payload}");
        }
    }

    #[test]
    fn error_messages_are_portuguese_and_name_the_field() {
        let erro = decode(&estatico_com(&[(59, Some("BANCOCENTRALDOBRASIL000381"))])).unwrap_err();
        assert_eq!(
            erro.to_string(),
            "nome do recebedor (campo 59) deve ter de 1 a 25 caracteres, tem 26"
        );
        assert_eq!(erro.code(), "pix_tamanho_invalido");
        let erro = decode(&BCB_ESTATICO.replace("1D3D", "1D3E")).unwrap_err();
        assert_eq!(
            erro.to_string(),
            "CRC do código Pix (campo 63) não confere: esperado 1D3D, encontrado 1D3E"
        );
        assert_eq!(erro.code(), "pix_crc_invalido");
        let erro = decode(&com_crc("00A0XYZ")).unwrap_err();
        assert_eq!(
            erro.to_string(),
            "tamanho do campo 00 inválido na posição 2: \"A0\" (esperados 2 dígitos)"
        );
    }
}
