//! Boletos: decoding and validating the codes a customer types or scans, and building barcodes.
//!
//! This module owns both FEBRABAN families of 44-digit payment codes (research notes `formats.md` §1–2):
//!
//! * **bancário** ("cobrança", ficha de compensação): 44-digit barcode ↔ 47-digit linha digitável, three mod-10
//!   field DVs, the mod-11 general DV that is never 0, bank, currency, fator de vencimento, value and campo livre;
//! * **arrecadação** (concessionárias, tributos): 44-digit barcode ↔ 48-digit linha, four block DVs and the general
//!   DAC by mod 10 or mod 11 as the value identifier says, segment, value, company and campo livre.
//!
//! The fator de vencimento is resolved against an explicit reference date (`hoje`) with the CENEGESC window
//! [hoje − 3000, hoje + 5500] days, which picks one of the 9000-day cycles (the second began on 2025-02-22); this
//! module never reads the clock. It is pure: text in, [`Boleto`] or [`BoletoError`] out.
//!
//! Every slice and index below has constant bounds on a fixed-size digit array, so none can fail; the only input
//! of variable length (the caller's text) is read with iterators in `extrair_digitos`.

use chrono::{Days, NaiveDate};

use crate::domain::money::Centavos;

/// Day zero of the fator de vencimento: fator N of the first cycle is this date plus N days (BCB Carta-Circular
/// 2.926; BB Anexo IV; `formats.md` §1.5).
const BASE_FATOR: NaiveDate = data_constante(1997, 10, 7);

/// The date of fator 1000 in the first cycle, from which fatores are counted when encoding (`formats.md` §1.5).
const INICIO_FATOR: NaiveDate = data_constante(2000, 7, 3);

/// Fatores run 1000..=9999 and then restart at 1000, so a cycle lasts 9000 days (FEBRABAN/CENEGESC 2012).
const DIAS_POR_CICLO: i64 = 9000;

/// A due date is accepted at most this many days before the reference date (CENEGESC rule, comunicado FEBRABAN
/// 082/2012, as quoted in `formats.md` §1.5).
const DIAS_ANTES: i64 = 3000;

/// A due date is accepted at most this many days after the reference date (same rule).
const DIAS_DEPOIS: i64 = 5500;

/// The largest bancário value: 10 digits with 2 decimals (BB 2.3.2, positions 10–19).
const VALOR_MAXIMO_BANCARIO: i64 = 9_999_999_999;

/// The largest arrecadação value: 11 digits with 2 decimals (FEBRABAN v04 §2.1, positions 5–15).
const VALOR_MAXIMO_ARRECADACAO: i64 = 99_999_999_999;

/// Builds a date in a constant; the dates above are real, so the fallback is never taken.
const fn data_constante(ano: i32, mes: u32, dia: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(ano, mes, dia) {
        Some(data) => data,
        None => NaiveDate::MIN,
    }
}

/// Which of the two FEBRABAN families a code belongs to (`formats.md` §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tipo {
    /// Boleto de cobrança: 47-digit linha, first digit is not 8.
    Bancario,
    /// Boleto de arrecadação/convênio: 48-digit linha, first digit is 8.
    Arrecadacao,
}

/// A decoded, fully validated boleto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boleto {
    /// The linha digitável, digits only: 47 (bancário) or 48 (arrecadação), check digits included.
    pub linha_digitavel: String,
    /// The 44 digits of the barcode.
    pub codigo_barras: String,
    /// The fields of the code, by family.
    pub detalhe: Detalhe,
}

/// The fields of a boleto, by family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detalhe {
    /// A boleto bancário (`formats.md` §1.1).
    Bancario {
        /// The bank's 3-digit clearing code (COMPE), barcode positions 1–3.
        banco: String,
        /// The currency code, barcode position 4; always 9 (reais) once decoded.
        moeda: u8,
        /// The fator de vencimento, barcode positions 6–9; 0 means no due date.
        fator: u16,
        /// The due date the fator stands for, resolved with the window rule; `None` for fator 0000.
        vencimento: Option<NaiveDate>,
        /// The value, barcode positions 10–19; `None` when the field is all zeros (the payer types it).
        valor: Option<Centavos>,
        /// The bank-defined campo livre, barcode positions 20–44 (25 digits).
        campo_livre: String,
    },
    /// A boleto de arrecadação (`formats.md` §2.1).
    Arrecadacao {
        /// The segment, barcode position 2.
        segmento: Segmento,
        /// The value identifier, barcode position 3: 6 or 8 (value in reais) or 7 or 9 (reference value), and
        /// with it the check-digit method: mod 10 for 6 and 7, mod 11 for 8 and 9.
        identificador_valor: u8,
        /// The value in reais (positions 5–15) for identifiers 6 and 8 when not zero; `None` otherwise.
        valor: Option<Centavos>,
        /// The company or organ code assigned by FEBRABAN, barcode positions 16–19 (4 digits). Companies
        /// identified by CNPJ (segment 6) use positions 16–23 for the CNPJ root instead, which a decoder cannot
        /// tell apart; their CNPJ root is this field followed by the first 4 digits of `campo_livre`.
        empresa: String,
        /// The company's campo livre, barcode positions 20–44 (25 digits).
        campo_livre: String,
    },
}

/// The arrecadação segment, barcode position 2 (FEBRABAN v04 §2.1; 0 and 8 are not assigned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segmento {
    /// 1: Prefeituras.
    Prefeituras,
    /// 2: Saneamento.
    Saneamento,
    /// 3: Energia elétrica e gás.
    EnergiaEGas,
    /// 4: Telecomunicações.
    Telecomunicacoes,
    /// 5: Órgãos governamentais.
    OrgaosGovernamentais,
    /// 6: Carnês e assemelhados, or other companies identified by CNPJ.
    Carnes,
    /// 7: Multas de trânsito.
    MultasDeTransito,
    /// 9: Uso exclusivo do banco.
    UsoExclusivoDoBanco,
}

impl Segmento {
    /// The segment's digit in the barcode (position 2).
    pub fn codigo(self) -> u8 {
        match self {
            Segmento::Prefeituras => 1,
            Segmento::Saneamento => 2,
            Segmento::EnergiaEGas => 3,
            Segmento::Telecomunicacoes => 4,
            Segmento::OrgaosGovernamentais => 5,
            Segmento::Carnes => 6,
            Segmento::MultasDeTransito => 7,
            Segmento::UsoExclusivoDoBanco => 9,
        }
    }

    /// The segment's name in Portuguese, as FEBRABAN v04 writes it.
    pub fn nome(self) -> &'static str {
        match self {
            Segmento::Prefeituras => "Prefeituras",
            Segmento::Saneamento => "Saneamento",
            Segmento::EnergiaEGas => "Energia elétrica e gás",
            Segmento::Telecomunicacoes => "Telecomunicações",
            Segmento::OrgaosGovernamentais => "Órgãos governamentais",
            Segmento::Carnes => "Carnês e assemelhados",
            Segmento::MultasDeTransito => "Multas de trânsito",
            Segmento::UsoExclusivoDoBanco => "Uso exclusivo do banco",
        }
    }

    /// The segment a barcode digit stands for; `None` for the unassigned 0 and 8 (and anything above 9).
    fn de_codigo(codigo: u8) -> Option<Segmento> {
        Some(match codigo {
            1 => Segmento::Prefeituras,
            2 => Segmento::Saneamento,
            3 => Segmento::EnergiaEGas,
            4 => Segmento::Telecomunicacoes,
            5 => Segmento::OrgaosGovernamentais,
            6 => Segmento::Carnes,
            7 => Segmento::MultasDeTransito,
            9 => Segmento::UsoExclusivoDoBanco,
            _ => return None,
        })
    }
}

/// Why a code was refused or a barcode could not be built. Messages are Portuguese, fit to show a customer, and
/// name what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BoletoError {
    /// A character other than a digit, `.`, space or `-` (1-based character position).
    #[error("caractere inválido '{}' na posição {posicao}: use só dígitos, pontos, espaços e hífens", caractere.escape_debug())]
    CaractereInvalido {
        /// The offending character.
        caractere: char,
        /// Its position in the input, counting characters from 1.
        posicao: usize,
    },
    /// The number of digits is not 44 (barcode), 47 (bancário linha) or 48 (arrecadação linha).
    #[error("esperados 44, 47 ou 48 dígitos, recebidos {recebidos}")]
    TamanhoInvalido {
        /// How many digits the input had.
        recebidos: usize,
    },
    /// A 48-digit linha that does not start with 8, the product id of arrecadação (FEBRABAN v04 §2.1).
    #[error(
        "código de 48 dígitos deve começar com 8 (conta de arrecadação), mas começa com {encontrado}; \
         a linha digitável de boleto bancário tem 47 dígitos"
    )]
    ProdutoInvalido {
        /// The first digit found.
        encontrado: u8,
    },
    /// A bank code starting with 8: such codes are arrecadação (`formats.md` §1.4), so no bank can use them.
    #[error("banco {banco} inválido: códigos que começam com 8 são de arrecadação, com linha digitável de 48 dígitos")]
    BancoInvalido {
        /// The 3-digit bank code found.
        banco: String,
    },
    /// One of the three mod-10 field check digits of a bancário linha (BB Anexo V).
    #[error("dígito verificador do campo {campo} não confere (esperado {esperado}, encontrado {encontrado})")]
    DvCampo {
        /// Which field, 1 to 3.
        campo: u8,
        /// The check digit computed from the field.
        esperado: u8,
        /// The check digit in the linha.
        encontrado: u8,
    },
    /// One of the four block check digits of an arrecadação linha (FEBRABAN v04 §2.2).
    #[error("dígito verificador do bloco {bloco} não confere (esperado {esperado}, encontrado {encontrado})")]
    DvBloco {
        /// Which block, 1 to 4.
        bloco: u8,
        /// The check digit computed from the block.
        esperado: u8,
        /// The check digit in the linha.
        encontrado: u8,
    },
    /// The general check digit of the barcode (bancário position 5, arrecadação position 4).
    #[error("dígito verificador geral não confere (esperado {esperado}, encontrado {encontrado})")]
    DvGeral {
        /// The check digit computed from the other 43 digits.
        esperado: u8,
        /// The check digit in the code.
        encontrado: u8,
    },
    /// A bancário currency code other than 9 (reais).
    #[error("código de moeda {moeda} não aceito: este terminal só recebe boletos em reais (moeda 9)")]
    MoedaNaoAceita {
        /// The currency code found.
        moeda: u8,
    },
    /// A fator de vencimento that is never issued (0001–0999) or does not fit in 4 digits.
    #[error("fator de vencimento {fator:04} inválido: só existem 0000 (sem vencimento) e 1000 a 9999")]
    FatorInvalido {
        /// The fator found.
        fator: u16,
    },
    /// No cycle of the fator falls in the accepted window, so the boleto is not accepted (CENEGESC rule).
    #[error(
        "fator de vencimento {fator} fora da janela aceita: nenhum vencimento possível fica entre {DIAS_ANTES} dias \
         antes e {DIAS_DEPOIS} dias depois de {}",
        hoje.format("%d/%m/%Y")
    )]
    FatorForaDaJanela {
        /// The fator found.
        fator: u16,
        /// The reference date the window was centred on.
        hoje: NaiveDate,
    },
    /// An arrecadação segment that FEBRABAN has not assigned (0 or 8).
    #[error("segmento {segmento} não existe no padrão FEBRABAN de arrecadação (válidos: 1 a 7 e 9)")]
    SegmentoInvalido {
        /// The segment digit found.
        segmento: u8,
    },
    /// An arrecadação value identifier other than 6, 7, 8 or 9.
    #[error("identificador de valor {identificador} inválido (válidos: 6, 7, 8 e 9)")]
    IdentificadorValorInvalido {
        /// The identifier found.
        identificador: u8,
    },
    /// A part given to a barcode builder has the wrong shape.
    #[error("{parametro} inválido: esperados {esperado}, recebido \"{recebido}\"")]
    ParametroInvalido {
        /// Which part ("banco", "campo livre", "empresa").
        parametro: &'static str,
        /// What it should look like, e.g. "25 dígitos".
        esperado: &'static str,
        /// What was given.
        recebido: String,
    },
    /// A value a barcode builder cannot encode: negative or too many digits.
    #[error("valor {valor} fora da faixa do código de barras (de 0.00 a {maximo})")]
    ValorForaDaFaixa {
        /// The value given.
        valor: Centavos,
        /// The largest value the field holds.
        maximo: Centavos,
    },
    /// A value in reais given for an arrecadação value identifier that carries none (7 or 9).
    #[error("identificador de valor {identificador} não leva valor em reais (só 6 e 8 levam)")]
    ValorNaoPermitido {
        /// The identifier given.
        identificador: u8,
    },
    /// A due date before 03/07/2000, the first date with a fator de vencimento (BB Anexo IV).
    #[error("vencimento {} anterior a 03/07/2000, o primeiro dia com fator de vencimento", data.format("%d/%m/%Y"))]
    DataAnteriorAoFator {
        /// The date given.
        data: NaiveDate,
    },
}

impl BoletoError {
    /// A stable snake_case identifier of the error, for API error codes.
    pub fn code(&self) -> &'static str {
        match self {
            BoletoError::CaractereInvalido { .. } => "caractere_invalido",
            BoletoError::TamanhoInvalido { .. } => "tamanho_invalido",
            BoletoError::ProdutoInvalido { .. } => "produto_invalido",
            BoletoError::BancoInvalido { .. } => "banco_invalido",
            BoletoError::DvCampo { .. } => "dv_campo_invalido",
            BoletoError::DvBloco { .. } => "dv_bloco_invalido",
            BoletoError::DvGeral { .. } => "dv_geral_invalido",
            BoletoError::MoedaNaoAceita { .. } => "moeda_nao_aceita",
            BoletoError::FatorInvalido { .. } => "fator_invalido",
            BoletoError::FatorForaDaJanela { .. } => "fator_fora_da_janela",
            BoletoError::SegmentoInvalido { .. } => "segmento_invalido",
            BoletoError::IdentificadorValorInvalido { .. } => "identificador_valor_invalido",
            BoletoError::ParametroInvalido { .. } => "parametro_invalido",
            BoletoError::ValorForaDaFaixa { .. } => "valor_fora_da_faixa",
            BoletoError::ValorNaoPermitido { .. } => "valor_nao_permitido",
            BoletoError::DataAnteriorAoFator { .. } => "data_anterior_ao_fator",
        }
    }
}

impl Boleto {
    /// Which family the boleto belongs to.
    pub fn tipo(&self) -> Tipo {
        match self.detalhe {
            Detalhe::Bancario { .. } => Tipo::Bancario,
            Detalhe::Arrecadacao { .. } => Tipo::Arrecadacao,
        }
    }

    /// The value the code carries, if any (arrecadação: only for value identifiers 6 and 8).
    pub fn valor(&self) -> Option<Centavos> {
        match self.detalhe {
            Detalhe::Bancario { valor, .. } | Detalhe::Arrecadacao { valor, .. } => valor,
        }
    }

    /// The due date of a bancário code with a fator; arrecadação codes carry no fator (`formats.md` §2.1).
    pub fn vencimento(&self) -> Option<NaiveDate> {
        match self.detalhe {
            Detalhe::Bancario { vencimento, .. } => vencimento,
            Detalhe::Arrecadacao { .. } => None,
        }
    }

    /// The linha digitável as printed: bancário `AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV`
    /// (BB 2.3.4), arrecadação `XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D` (FEBRABAN v04 §2.2).
    pub fn linha_formatada(&self) -> String {
        formatar_linha(&self.linha_digitavel)
    }
}

/// A linha digitável (digits only) with the separators it is printed with: bancário (47 digits)
/// `AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV` (BB 2.3.4), arrecadação (48)
/// `XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D` (FEBRABAN v04 §2.2); any other length unchanged.
pub fn formatar_linha(linha: &str) -> String {
    // Each pair says: after the digit at this 0-based index, write this separator.
    const BANCARIO: &[(usize, char)] = &[
        (4, '.'),
        (9, ' '),
        (14, '.'),
        (20, ' '),
        (25, '.'),
        (31, ' '),
        (32, ' '),
    ];
    const ARRECADACAO: &[(usize, char)] = &[
        (10, '-'),
        (11, ' '),
        (22, '-'),
        (23, ' '),
        (34, '-'),
        (35, ' '),
        (46, '-'),
    ];
    let separadores = match linha.chars().count() {
        47 => BANCARIO,
        48 => ARRECADACAO,
        _ => return linha.to_owned(),
    };
    let mut texto = String::with_capacity(linha.len() + separadores.len());
    for (indice, digito) in linha.chars().enumerate() {
        texto.push(digito);
        if let Some(&(_, separador)) = separadores.iter().find(|&&(depois_de, _)| depois_de == indice) {
            texto.push(separador);
        }
    }
    texto
}

/// Decodes a linha digitável (47/48 digits) or barcode (44), with or without dots, spaces, dashes (only those three
/// separators are stripped; any other character, letters included, is an error naming it). `hoje` is the reference
/// date for the fator de vencimento window.
///
/// Checks run in the order a customer can act on: characters, length, then the check digits (which catch typing
/// errors), then the meaning of the fields (currency, fator, segment). The few digits needed to read the rest come
/// first: the product id 8 of a 48-digit linha, a bank code starting with 8 in a 47-digit one, and the arrecadação
/// value identifier, which chooses the DV method.
pub fn decode(input: &str, hoje: NaiveDate) -> Result<Boleto, BoletoError> {
    let digitos = extrair_digitos(input)?;
    let buffer = &digitos.buffer;
    match digitos.quantidade {
        44 => {
            let mut barras = [0; 44];
            copiar(&mut barras, buffer);
            if barras[0] == 8 {
                arrecadacao(barras)
            } else {
                bancario(barras, hoje)
            }
        }
        47 => {
            let mut linha = [0; 47];
            copiar(&mut linha, buffer);
            bancario(barras_de_linha_bancaria(&linha)?, hoje)
        }
        48 => arrecadacao(barras_de_linha_arrecadacao(buffer)?),
        recebidos => Err(BoletoError::TamanhoInvalido { recebidos }),
    }
}

/// Builds a bancário barcode from its parts (computes the mod-11 general DV) — used by the demo ERP and tests.
///
/// `banco` is the 3-digit COMPE code (not starting with 8), `vencimento` becomes the fator of its cycle (`None`
/// gives 0000), `valor` fills the 10-digit value field (`None` gives zeros) and `campo_livre` has 25 digits.
/// The currency is always 9 (reais).
pub fn codigo_barras_bancario(
    banco: &str,
    vencimento: Option<NaiveDate>,
    valor: Option<Centavos>,
    campo_livre: &str,
) -> Result<String, BoletoError> {
    let banco: [u8; 3] = digitos_exatos(banco, "banco", "3 dígitos")?;
    if banco[0] == 8 {
        return Err(BoletoError::BancoInvalido { banco: texto(&banco) });
    }
    let fator = vencimento.map(data_para_fator).transpose()?.unwrap_or(0);
    let valor = centavos_no_campo(valor, VALOR_MAXIMO_BANCARIO)?;
    let campo_livre: [u8; 25] = digitos_exatos(campo_livre, "campo livre", "25 dígitos")?;

    let mut barras = [0; 44];
    barras[0..3].copy_from_slice(&banco);
    barras[3] = 9;
    escrever_numero(&mut barras[5..9], u64::from(fator));
    escrever_numero(&mut barras[9..19], valor);
    barras[19..44].copy_from_slice(&campo_livre);
    barras[4] = dv_geral_bancario(&barras);
    Ok(texto(&barras))
}

/// Builds an arrecadação barcode (value id chooses mod10 (6,7) / mod11 (8,9)); computes the general DV.
///
/// `valor` fills the 11-digit value field for identifiers 6 and 8 (`None` gives zeros); identifiers 7 and 9 carry
/// no value in reais, so they take `None` and get zeros. `empresa` is the 4-digit FEBRABAN company code and
/// `campo_livre` has 25 digits (a CNPJ root of segment 6 is split across both, see [`Detalhe::Arrecadacao`]).
pub fn codigo_barras_arrecadacao(
    segmento: Segmento,
    identificador_valor: u8,
    valor: Option<Centavos>,
    empresa: &str,
    campo_livre: &str,
) -> Result<String, BoletoError> {
    let metodo = Metodo::do_identificador(identificador_valor)?;
    let valor = match (valor, identificador_valor) {
        (Some(_), 7 | 9) => {
            return Err(BoletoError::ValorNaoPermitido {
                identificador: identificador_valor,
            });
        }
        (valor, _) => centavos_no_campo(valor, VALOR_MAXIMO_ARRECADACAO)?,
    };
    let empresa: [u8; 4] = digitos_exatos(empresa, "empresa", "4 dígitos")?;
    let campo_livre: [u8; 25] = digitos_exatos(campo_livre, "campo livre", "25 dígitos")?;

    let mut barras = [0; 44];
    barras[0] = 8;
    barras[1] = segmento.codigo();
    barras[2] = identificador_valor;
    escrever_numero(&mut barras[4..15], valor);
    barras[15..19].copy_from_slice(&empresa);
    barras[19..44].copy_from_slice(&campo_livre);
    barras[3] = metodo.dv(barras[0..3].iter().chain(&barras[4..44]).copied());
    Ok(texto(&barras))
}

/// The due date a fator de vencimento stands for, seen from `hoje`: 0 → `Ok(None)` (no due date); 0001–0999 and
/// anything above 9999 → [`BoletoError::FatorInvalido`]; otherwise the one date 1997-10-07 + fator + 9000·k (k ≥ 0)
/// inside [hoje − 3000, hoje + 5500] days, or [`BoletoError::FatorForaDaJanela`] when no cycle falls inside
/// (CENEGESC rule, `formats.md` §1.5; the window spans 8500 < 9000 days, so at most one cycle matches).
pub fn fator_para_data(fator: u16, hoje: NaiveDate) -> Result<Option<NaiveDate>, BoletoError> {
    if fator == 0 {
        return Ok(None);
    }
    if !(1000..=9999).contains(&fator) {
        return Err(BoletoError::FatorInvalido { fator });
    }
    let fora = || BoletoError::FatorForaDaJanela { fator, hoje };
    // Work in days since the base date: the first cycle's date is `fator` days after it.
    let hoje_desde_base = hoje.signed_duration_since(BASE_FATOR).num_days();
    let (inicio, fim) = (hoje_desde_base - DIAS_ANTES, hoje_desde_base + DIAS_DEPOIS);
    let primeiro = i64::from(fator);
    // The earliest cycle not before the window's start; cycles only go forward from the base (k ≥ 0).
    let ciclos = if primeiro >= inicio {
        0
    } else {
        (inicio - primeiro + DIAS_POR_CICLO - 1) / DIAS_POR_CICLO
    };
    let dias = primeiro + ciclos * DIAS_POR_CICLO;
    if dias > fim {
        return Err(fora());
    }
    let dias = u64::try_from(dias).map_err(|_| fora())?;
    BASE_FATOR.checked_add_days(Days::new(dias)).map(Some).ok_or_else(fora)
}

/// The fator de vencimento of a date: (data − 2000-07-03) mod 9000 + 1000, so 2025-02-21 → 9999 and 2025-02-22 →
/// 1000 (`formats.md` §1.5, identical to ACBr). Dates before 2000-07-03 have no fator.
pub fn data_para_fator(data: NaiveDate) -> Result<u16, BoletoError> {
    let antes = || BoletoError::DataAnteriorAoFator { data };
    let dias = data.signed_duration_since(INICIO_FATOR).num_days();
    if dias < 0 {
        return Err(antes());
    }
    u16::try_from(dias % DIAS_POR_CICLO + 1000).map_err(|_| antes())
}

/// The digits of an input, as values 0–9. Only the first 48 are kept (more is a length error anyway), but all are
/// counted so the error can say how many there were.
struct Digitos {
    buffer: [u8; 48],
    quantidade: usize,
}

/// Strips the separators `.`, space and `-` and refuses any other non-digit (`formats.md` §1.6 step 1).
fn extrair_digitos(input: &str) -> Result<Digitos, BoletoError> {
    let mut digitos = Digitos {
        buffer: [0; 48],
        quantidade: 0,
    };
    for (indice, caractere) in input.chars().enumerate() {
        match caractere {
            '0'..='9' => {
                if let Some(vaga) = digitos.buffer.get_mut(digitos.quantidade) {
                    // The match arm guarantees an ASCII digit, so the byte minus b'0' is its value.
                    *vaga = caractere as u8 - b'0';
                }
                digitos.quantidade += 1;
            }
            '.' | ' ' | '-' => {}
            _ => {
                return Err(BoletoError::CaractereInvalido {
                    caractere,
                    posicao: indice + 1,
                });
            }
        }
    }
    Ok(digitos)
}

/// Checks the three field DVs of a bancário linha and rebuilds its barcode (`formats.md` §1.2:
/// `barcode = l[0:4] + l[32] + l[33:47] + l[4:9] + l[10:20] + l[21:31]`).
fn barras_de_linha_bancaria(linha: &[u8; 47]) -> Result<[u8; 44], BoletoError> {
    // A bancário code starting with 8 would be read back as arrecadação (§1.4), so no bank code starts with 8;
    // most likely the customer dropped a digit of a 48-digit arrecadação linha.
    if linha[0] == 8 {
        return Err(BoletoError::BancoInvalido {
            banco: texto(&linha[0..3]),
        });
    }
    for (campo, dados, dv) in [
        (1, &linha[0..9], linha[9]),
        (2, &linha[10..20], linha[20]),
        (3, &linha[21..31], linha[31]),
    ] {
        let esperado = modulo10(dados.iter().copied());
        if esperado != dv {
            return Err(BoletoError::DvCampo {
                campo,
                esperado,
                encontrado: dv,
            });
        }
    }
    let mut barras = [0; 44];
    barras[0..4].copy_from_slice(&linha[0..4]);
    barras[4] = linha[32];
    barras[5..19].copy_from_slice(&linha[33..47]);
    barras[19..24].copy_from_slice(&linha[4..9]);
    barras[24..34].copy_from_slice(&linha[10..20]);
    barras[34..44].copy_from_slice(&linha[21..31]);
    Ok(barras)
}

/// The bancário linha of a barcode (`formats.md` §1.2: `f1 + DV + f2 + DV + f3 + DV + b[4] + b[5:19]`).
fn linha_bancaria(barras: &[u8; 44]) -> [u8; 47] {
    let mut linha = [0; 47];
    linha[0..4].copy_from_slice(&barras[0..4]);
    linha[4..9].copy_from_slice(&barras[19..24]);
    linha[9] = modulo10(linha[0..9].iter().copied());
    linha[10..20].copy_from_slice(&barras[24..34]);
    linha[20] = modulo10(linha[10..20].iter().copied());
    linha[21..31].copy_from_slice(&barras[34..44]);
    linha[31] = modulo10(linha[21..31].iter().copied());
    linha[32] = barras[4];
    linha[33..47].copy_from_slice(&barras[5..19]);
    linha
}

/// Validates a bancário barcode and reads its fields (`formats.md` §1.6 steps 3–4).
fn bancario(barras: [u8; 44], hoje: NaiveDate) -> Result<Boleto, BoletoError> {
    let esperado = dv_geral_bancario(&barras);
    if esperado != barras[4] {
        return Err(BoletoError::DvGeral {
            esperado,
            encontrado: barras[4],
        });
    }
    let moeda = barras[3];
    if moeda != 9 {
        return Err(BoletoError::MoedaNaoAceita { moeda });
    }
    // Four digits always fit in a u16; the fallback only keeps the conversion total. Codes above R$ 99.999.999,99
    // that spill the value over the fator (BB Anexo IV) cannot be told apart from a fator and are out of scope for a
    // kiosk: they read as a wrong fator and are refused by the fator checks or the window.
    let fator = u16::try_from(numero(&barras[5..9])).unwrap_or(u16::MAX);
    let vencimento = fator_para_data(fator, hoje)?;
    Ok(Boleto {
        linha_digitavel: texto(&linha_bancaria(&barras)),
        codigo_barras: texto(&barras),
        detalhe: Detalhe::Bancario {
            banco: texto(&barras[0..3]),
            moeda,
            fator,
            vencimento,
            valor: centavos(&barras[9..19]),
            campo_livre: texto(&barras[19..44]),
        },
    })
}

/// Checks the four block DVs of an arrecadação linha and rebuilds its barcode by dropping them (FEBRABAN v04 §2.2).
fn barras_de_linha_arrecadacao(linha: &[u8; 48]) -> Result<[u8; 44], BoletoError> {
    if linha[0] != 8 {
        return Err(BoletoError::ProdutoInvalido { encontrado: linha[0] });
    }
    // The value identifier is position 3 of both the linha and the barcode, and chooses the DV method.
    let metodo = Metodo::do_identificador(linha[2])?;
    let mut barras = [0; 44];
    let (destinos, _) = barras.as_chunks_mut::<11>();
    let (origens, _) = linha.as_chunks::<12>();
    for (bloco, (destino, origem)) in (1..).zip(destinos.iter_mut().zip(origens)) {
        let esperado = metodo.dv(origem[0..11].iter().copied());
        let encontrado = origem[11];
        if esperado != encontrado {
            return Err(BoletoError::DvBloco {
                bloco,
                esperado,
                encontrado,
            });
        }
        destino.copy_from_slice(&origem[0..11]);
    }
    Ok(barras)
}

/// The arrecadação linha of a barcode: each 11-digit block followed by its DV (FEBRABAN v04 §2.2).
fn linha_arrecadacao(barras: &[u8; 44], metodo: Metodo) -> [u8; 48] {
    let mut linha = [0; 48];
    let (destinos, _) = linha.as_chunks_mut::<12>();
    let (blocos, _) = barras.as_chunks::<11>();
    for (destino, bloco) in destinos.iter_mut().zip(blocos) {
        destino[0..11].copy_from_slice(bloco);
        destino[11] = metodo.dv(bloco.iter().copied());
    }
    linha
}

/// Validates an arrecadação barcode and reads its fields (FEBRABAN v04 §2.1, §2.3).
fn arrecadacao(barras: [u8; 44]) -> Result<Boleto, BoletoError> {
    let identificador_valor = barras[2];
    let metodo = Metodo::do_identificador(identificador_valor)?;
    let esperado = metodo.dv(barras[0..3].iter().chain(&barras[4..44]).copied());
    if esperado != barras[3] {
        return Err(BoletoError::DvGeral {
            esperado,
            encontrado: barras[3],
        });
    }
    let segmento = Segmento::de_codigo(barras[1]).ok_or(BoletoError::SegmentoInvalido { segmento: barras[1] })?;
    // Only identifiers 6 and 8 say the field is an amount in reais; 7 and 9 hold a reference value or quantity.
    let valor = match identificador_valor {
        6 | 8 => centavos(&barras[4..15]),
        _ => None,
    };
    Ok(Boleto {
        linha_digitavel: texto(&linha_arrecadacao(&barras, metodo)),
        codigo_barras: texto(&barras),
        detalhe: Detalhe::Arrecadacao {
            segmento,
            identificador_valor,
            valor,
            empresa: texto(&barras[15..19]),
            campo_livre: texto(&barras[19..44]),
        },
    })
}

/// The arrecadação check-digit method, chosen by the value identifier (FEBRABAN v04 §2.1 position 3).
#[derive(Clone, Copy)]
enum Metodo {
    Modulo10,
    Modulo11,
}

impl Metodo {
    /// 6 and 7 use mod 10, 8 and 9 use mod 11; anything else is not a v04 code.
    fn do_identificador(identificador: u8) -> Result<Metodo, BoletoError> {
        match identificador {
            6 | 7 => Ok(Metodo::Modulo10),
            8 | 9 => Ok(Metodo::Modulo11),
            _ => Err(BoletoError::IdentificadorValorInvalido { identificador }),
        }
    }

    fn dv(self, digitos: impl DoubleEndedIterator<Item = u8>) -> u8 {
        match self {
            Metodo::Modulo10 => modulo10(digitos),
            Metodo::Modulo11 => modulo11_arrecadacao(digitos),
        }
    }
}

/// Mod 10 (FEBRABAN v04 §7, BB Anexo V): weights 2,1,2,1… from the rightmost digit, products above 9 replaced by
/// the sum of their digits, DV = 10 − (sum mod 10) with 10 → 0.
fn modulo10(digitos: impl DoubleEndedIterator<Item = u8>) -> u8 {
    let soma: u32 = digitos
        .rev()
        .zip([2, 1].into_iter().cycle())
        .map(|(digito, peso)| {
            let produto = u32::from(digito) * peso;
            produto / 10 + produto % 10
        })
        .sum();
    // `soma % 10` is below 10, so the narrowing is exact.
    (10 - (soma % 10) as u8) % 10
}

/// The remainder mod 11 of the sum with weights 2..9, repeating, from the rightmost digit (BB Anexo VI, FEBRABAN
/// v04 §9); both families use it and differ only in how they map the remainder.
fn resto_modulo11(digitos: impl DoubleEndedIterator<Item = u8>) -> u8 {
    let soma: u32 = digitos
        .rev()
        .zip((2..=9).cycle())
        .map(|(digito, peso)| u32::from(digito) * peso)
        .sum();
    // The remainder is below 11, so the narrowing is exact.
    (soma % 11) as u8
}

/// The bancário general DV over barcode positions 1–4 and 6–44: 11 − r, and 0, 10 or 11 become 1 ("em nenhuma
/// hipótese poderá ser utilizado o dígito 0 na quinta posição", BB Anexo VI).
fn dv_geral_bancario(barras: &[u8; 44]) -> u8 {
    match 11 - resto_modulo11(barras[0..4].iter().chain(&barras[5..44]).copied()) {
        dv @ 2..=9 => dv,
        _ => 1,
    }
}

/// Mod 11 of arrecadação (FEBRABAN v04 §9): 11 − r, and 10 or 11 (remainder 1 or 0) become 0 — unlike cobrança,
/// which maps them to 1 (`formats.md` §2.3).
fn modulo11_arrecadacao(digitos: impl DoubleEndedIterator<Item = u8>) -> u8 {
    match 11 - resto_modulo11(digitos) {
        dv @ 1..=9 => dv,
        _ => 0,
    }
}

/// Copies as many digits as fit; both sides are fixed-size arrays, so nothing is left out by accident.
fn copiar(destino: &mut [u8], origem: &[u8]) {
    for (d, o) in destino.iter_mut().zip(origem) {
        *d = *o;
    }
}

/// The number written by a run of digit values (at most 11 here, so it cannot overflow).
fn numero(digitos: &[u8]) -> u64 {
    digitos.iter().fold(0, |n, &d| n * 10 + u64::from(d))
}

/// An amount field: all zeros means "no value" (BB 2.3.2; FEBRABAN v04 §2.1).
fn centavos(digitos: &[u8]) -> Option<Centavos> {
    let valor = i64::try_from(numero(digitos)).ok()?;
    (valor != 0).then_some(Centavos::new(valor))
}

/// The digits field of an amount for a builder: `None` is zeros; negative or too large is an error.
fn centavos_no_campo(valor: Option<Centavos>, maximo: i64) -> Result<u64, BoletoError> {
    let Some(valor) = valor else { return Ok(0) };
    u64::try_from(valor.get())
        .ok()
        .filter(|_| valor.get() <= maximo)
        .ok_or(BoletoError::ValorForaDaFaixa {
            valor,
            maximo: Centavos::new(maximo),
        })
}

/// Writes `n` right-aligned with leading zeros into `destino`; the callers check `n` fits.
fn escrever_numero(destino: &mut [u8], mut n: u64) {
    for digito in destino.iter_mut().rev() {
        // `n % 10` is below 10, so the narrowing is exact.
        *digito = (n % 10) as u8;
        n /= 10;
    }
}

/// Digit values as text.
fn texto(digitos: &[u8]) -> String {
    digitos.iter().map(|&d| char::from(b'0' + d % 10)).collect()
}

/// A builder's part that must be exactly `N` ASCII digits, as digit values.
fn digitos_exatos<const N: usize>(
    texto: &str,
    parametro: &'static str,
    esperado: &'static str,
) -> Result<[u8; N], BoletoError> {
    let invalido = || BoletoError::ParametroInvalido {
        parametro,
        esperado,
        recebido: texto.to_owned(),
    };
    if texto.len() != N || !texto.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalido());
    }
    let mut digitos = [0; N];
    for (d, b) in digitos.iter_mut().zip(texto.bytes()) {
        *d = b - b'0';
    }
    Ok(digitos)
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn data(texto: &str) -> NaiveDate {
        texto.parse().unwrap()
    }

    /// The fixed reference date of these tests; the module never reads the clock and neither do its tests.
    fn hoje() -> NaiveDate {
        data("2026-11-23")
    }

    fn valores(texto: &str) -> Vec<u8> {
        texto.bytes().map(|b| b - b'0').collect()
    }

    const BB_LINHA: &str = "00190500954014481606906809350314337370000000100";
    const BB_BARRAS: &str = "00193373700000001000500940144816060680935031";
    const ARR_LINHA: &str = "846300000003299902962024004101360008002006441147";

    #[test]
    fn check_digit_helpers_match_the_febraban_worked_examples() {
        // FEBRABAN v04 §7 and §9 (arrecadacao.json dac_examples[0]): 01230067896 → mod 10 = 3, mod 11 = 0.
        assert_eq!(modulo10(valores("01230067896").into_iter()), 3);
        assert_eq!(modulo11_arrecadacao(valores("01230067896").into_iter()), 0);
        // FEBRABAN v04 §8 and §10 (dac_examples[1]): sum 139 → DAC 1; sum 705, remainder 1 → DAC 0.
        let sem_dv = valores("8220000215048200974123220154098290108605940");
        assert_eq!(modulo10(sem_dv.iter().copied()), 1);
        assert_eq!(modulo11_arrecadacao(sem_dv.iter().copied()), 0);
        // BB Anexo V: the field DVs of the manual's boleto are 5, 9, 4; its general DV is 3.
        let linha = valores(BB_LINHA);
        assert_eq!(modulo10(linha[0..9].iter().copied()), 5);
        assert_eq!(modulo10(linha[10..20].iter().copied()), 9);
        assert_eq!(modulo10(linha[21..31].iter().copied()), 4);
        let barras: [u8; 44] = valores(BB_BARRAS).try_into().unwrap();
        assert_eq!(dv_geral_bancario(&barras), 3);
    }

    #[test]
    fn mod11_maps_the_edge_remainders_differently_per_family() {
        // Remainder 0 → 11, remainder 1 → 10: bancário writes 1, arrecadação writes 0; remainder 10 → 1 in both.
        for (digitos, resto) in [("0", 0), ("6", 1), ("5", 10)] {
            assert_eq!(resto_modulo11(valores(digitos).into_iter()), resto, "{digitos}");
            let esperado_arrecadacao = if resto == 10 { 1 } else { 0 };
            assert_eq!(
                modulo11_arrecadacao(valores(digitos).into_iter()),
                esperado_arrecadacao,
                "{digitos}"
            );
        }
        let mut barras = [0; 44];
        barras[43] = 6; // 6 × 2 = 12, remainder 1, 11 − 1 = 10 → 1.
        assert_eq!(dv_geral_bancario(&barras), 1);
        barras[43] = 0; // remainder 0, 11 → 1.
        assert_eq!(dv_geral_bancario(&barras), 1);
    }

    #[test]
    fn decodes_the_bb_manual_example_with_and_without_punctuation() {
        for entrada in [
            BB_LINHA,
            "00190.50095 40144.816069 06809.350314 3 37370000000100",
            BB_BARRAS,
        ] {
            let boleto = decode(entrada, data("2010-01-01")).unwrap();
            assert_eq!(boleto.linha_digitavel, BB_LINHA);
            assert_eq!(boleto.codigo_barras, BB_BARRAS);
            assert_eq!(boleto.tipo(), Tipo::Bancario);
            assert_eq!(boleto.valor(), Some(Centavos::new(100)));
            assert_eq!(boleto.vencimento(), Some(data("2007-12-31")));
            assert_eq!(
                boleto.linha_formatada(),
                "00190.50095 40144.816069 06809.350314 3 37370000000100"
            );
            assert_eq!(
                boleto.detalhe,
                Detalhe::Bancario {
                    banco: "001".into(),
                    moeda: 9,
                    fator: 3737,
                    vencimento: Some(data("2007-12-31")),
                    valor: Some(Centavos::new(100)),
                    campo_livre: "0500940144816060680935031".into(),
                }
            );
        }
    }

    #[test]
    fn decodes_an_arrecadacao_linha() {
        let boleto = decode("84630000000-3 29990296202-4 00410136000-8 00200644114-7", hoje()).unwrap();
        assert_eq!(boleto.linha_digitavel, ARR_LINHA);
        assert_eq!(boleto.codigo_barras, "84630000000299902962020041013600000200644114");
        assert_eq!(boleto.tipo(), Tipo::Arrecadacao);
        assert_eq!(boleto.vencimento(), None);
        assert_eq!(
            boleto.linha_formatada(),
            "84630000000-3 29990296202-4 00410136000-8 00200644114-7"
        );
        assert_eq!(
            boleto.detalhe,
            Detalhe::Arrecadacao {
                segmento: Segmento::Telecomunicacoes,
                identificador_valor: 6,
                valor: Some(Centavos::new(2999)),
                empresa: "0296".into(),
                campo_livre: "2020041013600000200644114".into(),
            }
        );
    }

    /// Replaces the digit at a 0-based index of a digit string.
    fn trocar(texto: &str, indice: usize, digito: char) -> String {
        texto
            .chars()
            .enumerate()
            .map(|(i, c)| if i == indice { digito } else { c })
            .collect()
    }

    /// A bancário barcode with the given currency and fator, its general DV recomputed.
    fn barras_bancarias(moeda: u8, fator: &str) -> String {
        let mut barras: [u8; 44] = valores(BB_BARRAS).try_into().unwrap();
        barras[3] = moeda;
        barras[5..9].copy_from_slice(&valores(fator));
        barras[4] = dv_geral_bancario(&barras);
        texto(&barras)
    }

    /// An arrecadação barcode with the given segment and value identifier, its general DV recomputed.
    fn barras_arrecadacao(segmento: u8, identificador: u8) -> String {
        let mut barras: [u8; 44] = valores("84630000000299902962020041013600000200644114")
            .try_into()
            .unwrap();
        barras[1] = segmento;
        barras[2] = identificador;
        let metodo = Metodo::do_identificador(identificador).unwrap_or(Metodo::Modulo10);
        barras[3] = metodo.dv(barras[0..3].iter().chain(&barras[4..44]).copied());
        texto(&barras)
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let casos: Vec<(String, &str, &str)> = vec![
            (
                "".into(),
                "tamanho_invalido",
                "esperados 44, 47 ou 48 dígitos, recebidos 0",
            ),
            (
                "0019050095".into(),
                "tamanho_invalido",
                "esperados 44, 47 ou 48 dígitos, recebidos 10",
            ),
            (
                format!("{BB_LINHA}x"),
                "caractere_invalido",
                "caractere inválido 'x' na posição 48: use só dígitos, pontos, espaços e hífens",
            ),
            (
                format!("{BB_LINHA}\n"),
                "caractere_invalido",
                "caractere inválido '\\n' na posição 48: use só dígitos, pontos, espaços e hífens",
            ),
            (
                trocar(BB_LINHA, 20, '0'),
                "dv_campo_invalido",
                "dígito verificador do campo 2 não confere (esperado 9, encontrado 0)",
            ),
            (
                trocar(BB_LINHA, 32, '0'),
                "dv_geral_invalido",
                "dígito verificador geral não confere (esperado 3, encontrado 0)",
            ),
            (
                trocar(ARR_LINHA, 35, '9'),
                "dv_bloco_invalido",
                "dígito verificador do bloco 3 não confere (esperado 8, encontrado 9)",
            ),
            (
                format!("5{}", &ARR_LINHA[1..]),
                "produto_invalido",
                "código de 48 dígitos deve começar com 8 (conta de arrecadação), mas começa com 5; \
                 a linha digitável de boleto bancário tem 47 dígitos",
            ),
            (
                format!("8{}", &BB_LINHA[1..]),
                "banco_invalido",
                "banco 801 inválido: códigos que começam com 8 são de arrecadação, com linha digitável de 48 dígitos",
            ),
            (
                barras_bancarias(0, "3737"),
                "moeda_nao_aceita",
                "código de moeda 0 não aceito: este terminal só recebe boletos em reais (moeda 9)",
            ),
            (
                barras_bancarias(9, "0999"),
                "fator_invalido",
                "fator de vencimento 0999 inválido: só existem 0000 (sem vencimento) e 1000 a 9999",
            ),
            (
                barras_bancarias(9, "7500"),
                "fator_fora_da_janela",
                "fator de vencimento 7500 fora da janela aceita: nenhum vencimento possível fica entre 3000 dias \
                 antes e 5500 dias depois de 23/11/2026",
            ),
            (
                barras_arrecadacao(8, 6),
                "segmento_invalido",
                "segmento 8 não existe no padrão FEBRABAN de arrecadação (válidos: 1 a 7 e 9)",
            ),
            (
                barras_arrecadacao(4, 5),
                "identificador_valor_invalido",
                "identificador de valor 5 inválido (válidos: 6, 7, 8 e 9)",
            ),
        ];
        for (entrada, codigo, mensagem) in casos {
            let erro = decode(&entrada, hoje()).unwrap_err();
            assert_eq!(
                (erro.code(), erro.to_string().as_str()),
                (codigo, mensagem),
                "{entrada:?}"
            );
        }
    }

    #[test]
    fn field_checks_accept_every_assigned_segment_and_identifier_and_nothing_else() {
        for segmento in 0..=9 {
            for identificador in 0..=9 {
                let resultado = decode(&barras_arrecadacao(segmento, identificador), hoje());
                let valido = Segmento::de_codigo(segmento).is_some() && (6..=9).contains(&identificador);
                assert_eq!(
                    resultado.is_ok(),
                    valido,
                    "segmento {segmento}, identificador {identificador}"
                );
            }
        }
    }

    #[test]
    fn segments_round_trip_and_have_portuguese_names() {
        let nomes: Vec<(u8, &str)> = (0..=9)
            .filter_map(Segmento::de_codigo)
            .map(|s| (s.codigo(), s.nome()))
            .collect();
        assert_eq!(
            nomes,
            [
                (1, "Prefeituras"),
                (2, "Saneamento"),
                (3, "Energia elétrica e gás"),
                (4, "Telecomunicações"),
                (5, "Órgãos governamentais"),
                (6, "Carnês e assemelhados"),
                (7, "Multas de trânsito"),
                (9, "Uso exclusivo do banco"),
            ]
        );
    }

    #[test]
    fn fator_edges() {
        assert_eq!(fator_para_data(0, hoje()), Ok(None));
        for fator in [1, 999, 10_000, u16::MAX] {
            assert_eq!(
                fator_para_data(fator, hoje()),
                Err(BoletoError::FatorInvalido { fator })
            );
        }
        // The window's two ends are both inside: today − 3000 and today + 5500.
        let hoje = hoje();
        let inicio = hoje - chrono::Days::new(3000);
        let fim = hoje + chrono::Days::new(5500);
        for limite in [inicio, fim] {
            let fator = data_para_fator(limite).unwrap();
            assert_eq!(fator_para_data(fator, hoje), Ok(Some(limite)));
        }
        for fora in [inicio - chrono::Days::new(1), fim + chrono::Days::new(1)] {
            let fator = data_para_fator(fora).unwrap();
            assert_eq!(
                fator_para_data(fator, hoje),
                Err(BoletoError::FatorForaDaJanela { fator, hoje })
            );
        }
        // Extreme reference dates neither overflow nor panic: before the base no cycle is near; at the end of the
        // calendar either a cycle falls in the window's representable part or none does.
        assert!(matches!(
            fator_para_data(1000, NaiveDate::MIN),
            Err(BoletoError::FatorForaDaJanela { .. })
        ));
        for fator in [1000, 5000, 9999] {
            match fator_para_data(fator, NaiveDate::MAX) {
                Ok(Some(dia)) => assert!(dia >= NaiveDate::MAX - chrono::Days::new(3000)),
                resultado => assert!(matches!(resultado, Err(BoletoError::FatorForaDaJanela { .. }))),
            }
        }
        assert_eq!(data_para_fator(data("2000-07-03")), Ok(1000));
        assert_eq!(data_para_fator(data("2025-02-21")), Ok(9999));
        assert_eq!(data_para_fator(data("2025-02-22")), Ok(1000));
        assert_eq!(
            data_para_fator(data("2000-07-02")).map_err(|e| e.to_string()),
            Err("vencimento 02/07/2000 anterior a 03/07/2000, o primeiro dia com fator de vencimento".to_owned())
        );
        assert_eq!(
            data_para_fator(NaiveDate::MAX).map(|f| (1000..=9999).contains(&f)),
            Ok(true)
        );
    }

    #[test]
    fn builders_refuse_malformed_parts() {
        let campo = "0".repeat(25);
        let dia = Some(hoje());
        let casos = [
            codigo_barras_bancario("01", dia, None, &campo),
            codigo_barras_bancario("00a", dia, None, &campo),
            codigo_barras_bancario("001", dia, None, "123"),
            codigo_barras_bancario("001", dia, None, &"٣".repeat(25)),
            codigo_barras_bancario("801", dia, None, &campo),
            codigo_barras_bancario("001", dia, Some(Centavos::new(-1)), &campo),
            codigo_barras_bancario("001", dia, Some(Centavos::new(VALOR_MAXIMO_BANCARIO + 1)), &campo),
            codigo_barras_bancario("001", Some(data("1999-01-01")), None, &campo),
            codigo_barras_arrecadacao(Segmento::Saneamento, 5, None, "0001", &campo),
            codigo_barras_arrecadacao(Segmento::Saneamento, 7, Some(Centavos::new(1)), "0001", &campo),
            codigo_barras_arrecadacao(Segmento::Saneamento, 6, Some(Centavos::new(-5)), "0001", &campo),
            codigo_barras_arrecadacao(
                Segmento::Saneamento,
                6,
                Some(Centavos::new(VALOR_MAXIMO_ARRECADACAO + 1)),
                "0001",
                &campo,
            ),
            codigo_barras_arrecadacao(Segmento::Saneamento, 6, None, "00001", &campo),
            codigo_barras_arrecadacao(Segmento::Saneamento, 6, None, "0001", "1"),
        ];
        let codigos: Vec<&str> = casos
            .iter()
            .map(|r| r.as_ref().map_or_else(BoletoError::code, |_| "ok"))
            .collect();
        assert_eq!(
            codigos,
            [
                "parametro_invalido",
                "parametro_invalido",
                "parametro_invalido",
                "parametro_invalido",
                "banco_invalido",
                "valor_fora_da_faixa",
                "valor_fora_da_faixa",
                "data_anterior_ao_fator",
                "identificador_valor_invalido",
                "valor_nao_permitido",
                "valor_fora_da_faixa",
                "valor_fora_da_faixa",
                "parametro_invalido",
                "parametro_invalido",
            ]
        );
        assert_eq!(
            casos[2].as_ref().unwrap_err().to_string(),
            "campo livre inválido: esperados 25 dígitos, recebido \"123\""
        );
        assert_eq!(
            casos[6].as_ref().unwrap_err().to_string(),
            "valor 100000000.00 fora da faixa do código de barras (de 0.00 a 99999999.99)"
        );
        // The largest values still fit.
        let maximo = Some(Centavos::new(VALOR_MAXIMO_BANCARIO));
        let barras = codigo_barras_bancario("001", None, maximo, &campo).unwrap();
        assert_eq!(decode(&barras, hoje()).unwrap().valor(), maximo);
        let maximo = Some(Centavos::new(VALOR_MAXIMO_ARRECADACAO));
        let barras = codigo_barras_arrecadacao(Segmento::Saneamento, 8, maximo, "0001", &campo).unwrap();
        assert_eq!(decode(&barras, hoje()).unwrap().valor(), maximo);
    }

    // ---- Properties -------------------------------------------------------------------------------------------

    fn segmento() -> impl Strategy<Value = Segmento> {
        prop::sample::select(vec![
            Segmento::Prefeituras,
            Segmento::Saneamento,
            Segmento::EnergiaEGas,
            Segmento::Telecomunicacoes,
            Segmento::OrgaosGovernamentais,
            Segmento::Carnes,
            Segmento::MultasDeTransito,
            Segmento::UsoExclusivoDoBanco,
        ])
    }

    /// Parts of a valid bancário code: bank, due date inside the window (or none), value (or none), campo livre.
    fn partes_bancarias() -> impl Strategy<Value = (String, Option<NaiveDate>, Option<Centavos>, String)> {
        (
            "[0-79][0-9]{2}",
            prop::option::of(-DIAS_ANTES..=DIAS_DEPOIS),
            prop::option::of(0..=VALOR_MAXIMO_BANCARIO),
            "[0-9]{25}",
        )
            .prop_map(|(banco, dias, valor, campo)| {
                let vencimento = dias.map(|d| hoje() + chrono::TimeDelta::days(d));
                (banco, vencimento, valor.map(Centavos::new), campo)
            })
    }

    /// Parts of a valid arrecadação code, with every value identifier.
    fn partes_arrecadacao() -> impl Strategy<Value = (Segmento, u8, Option<Centavos>, String, String)> {
        (
            segmento(),
            6u8..=9,
            prop::option::of(0..=VALOR_MAXIMO_ARRECADACAO),
            "[0-9]{4}",
            "[0-9]{25}",
        )
            .prop_map(|(segmento, identificador, valor, empresa, campo)| {
                let valor = if matches!(identificador, 6 | 8) {
                    valor.map(Centavos::new)
                } else {
                    None
                };
                (segmento, identificador, valor, empresa, campo)
            })
    }

    /// A valid linha of either kind.
    fn linha_valida() -> impl Strategy<Value = String> {
        prop_oneof![
            partes_bancarias().prop_map(|(banco, vencimento, valor, campo)| {
                let barras = codigo_barras_bancario(&banco, vencimento, valor, &campo).unwrap();
                decode(&barras, hoje()).unwrap().linha_digitavel
            }),
            partes_arrecadacao().prop_map(|(segmento, identificador, valor, empresa, campo)| {
                let barras = codigo_barras_arrecadacao(segmento, identificador, valor, &empresa, &campo).unwrap();
                decode(&barras, hoje()).unwrap().linha_digitavel
            }),
        ]
    }

    /// An independent, deliberately plain checker of a linha (digit values), written from `formats.md` §1–2
    /// without the module's helpers, to judge mutated lines.
    fn referencia_valida(l: &[u8], hoje: NaiveDate) -> bool {
        fn mod10(ds: &[u8]) -> u8 {
            let mut soma = 0u32;
            let mut peso = 2u32;
            for &d in ds.iter().rev() {
                let p = u32::from(d) * peso;
                soma += p / 10 + p % 10;
                peso = if peso == 2 { 1 } else { 2 };
            }
            let dv = 10 - soma % 10;
            if dv == 10 { 0 } else { dv as u8 }
        }
        fn resto11(ds: &[u8]) -> u32 {
            let mut soma = 0u32;
            let mut peso = 2u32;
            for &d in ds.iter().rev() {
                soma += u32::from(d) * peso;
                peso = if peso == 9 { 2 } else { peso + 1 };
            }
            soma % 11
        }
        fn sem(barras: &[u8], posicao: usize) -> Vec<u8> {
            barras
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != posicao)
                .map(|(_, d)| *d)
                .collect()
        }
        match l.len() {
            47 => {
                if l[0] == 8 || l[3] != 9 {
                    return false;
                }
                if mod10(&l[0..9]) != l[9] || mod10(&l[10..20]) != l[20] || mod10(&l[21..31]) != l[31] {
                    return false;
                }
                let barras: Vec<u8> = [&l[0..4], &l[32..33], &l[33..47], &l[4..9], &l[10..20], &l[21..31]].concat();
                let r = resto11(&sem(&barras, 4));
                let dv = if r == 0 || r == 1 { 1 } else { (11 - r) as u8 };
                if dv != barras[4] {
                    return false;
                }
                let fator = l[33..37].iter().fold(0i64, |n, &d| n * 10 + i64::from(d));
                if fator == 0 {
                    return true;
                }
                if fator < 1000 {
                    return false;
                }
                let base = data("1997-10-07");
                (0..20).any(|k| {
                    let dia = base + chrono::TimeDelta::days(fator + 9000 * k);
                    dia >= hoje - chrono::TimeDelta::days(3000) && dia <= hoje + chrono::TimeDelta::days(5500)
                })
            }
            48 => {
                if l[0] != 8 || !matches!(l[1], 1..=7 | 9) || !matches!(l[2], 6..=9) {
                    return false;
                }
                let dv = |ds: &[u8]| {
                    if l[2] <= 7 {
                        mod10(ds)
                    } else {
                        let r = resto11(ds);
                        if r == 0 || r == 1 { 0 } else { (11 - r) as u8 }
                    }
                };
                let mut barras = Vec::new();
                for bloco in 0..4 {
                    let dados = &l[bloco * 12..bloco * 12 + 11];
                    if dv(dados) != l[bloco * 12 + 11] {
                        return false;
                    }
                    barras.extend_from_slice(dados);
                }
                dv(&sem(&barras, 3)) == barras[3]
            }
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn bancario_barcode_and_linha_round_trip((banco, vencimento, valor, campo) in partes_bancarias()) {
            let barras = codigo_barras_bancario(&banco, vencimento, valor, &campo).unwrap();
            let pela_barra = decode(&barras, hoje()).unwrap();
            prop_assert_eq!(&pela_barra.codigo_barras, &barras);
            let pela_linha = decode(&pela_barra.linha_digitavel, hoje()).unwrap();
            prop_assert_eq!(&pela_linha, &pela_barra);
            prop_assert_eq!(pela_linha.vencimento(), vencimento);
            prop_assert_eq!(pela_linha.valor(), valor.filter(|v| !v.is_zero()));
            let formatada = decode(&pela_linha.linha_formatada(), hoje()).unwrap();
            prop_assert_eq!(&formatada, &pela_linha);
            match &pela_linha.detalhe {
                Detalhe::Bancario { banco: b, campo_livre, .. } => {
                    prop_assert_eq!(b, &banco);
                    prop_assert_eq!(campo_livre, &campo);
                }
                Detalhe::Arrecadacao { .. } => prop_assert!(false, "decoded as arrecadação"),
            }
        }

        #[test]
        fn arrecadacao_barcode_and_linha_round_trip(
            (segmento, identificador, valor, empresa, campo) in partes_arrecadacao()
        ) {
            let barras = codigo_barras_arrecadacao(segmento, identificador, valor, &empresa, &campo).unwrap();
            let pela_barra = decode(&barras, hoje()).unwrap();
            prop_assert_eq!(&pela_barra.codigo_barras, &barras);
            let pela_linha = decode(&pela_barra.linha_digitavel, hoje()).unwrap();
            prop_assert_eq!(&pela_linha, &pela_barra);
            let formatada = decode(&pela_linha.linha_formatada(), hoje()).unwrap();
            prop_assert_eq!(&formatada, &pela_linha);
            prop_assert_eq!(
                &pela_linha.detalhe,
                &Detalhe::Arrecadacao {
                    segmento,
                    identificador_valor: identificador,
                    valor: valor.filter(|v| !v.is_zero()),
                    empresa,
                    campo_livre: campo,
                }
            );
        }

        #[test]
        fn every_single_digit_change_is_judged_like_the_reference(linha in linha_valida()) {
            let digitos = valores(&linha);
            prop_assert!(referencia_valida(&digitos, hoje()));
            for posicao in 0..digitos.len() {
                for novo in 0..=9u8 {
                    if novo == digitos[posicao] {
                        continue;
                    }
                    let mut mutada = digitos.clone();
                    mutada[posicao] = novo;
                    let texto_mutado = texto(&mutada);
                    let aceito = decode(&texto_mutado, hoje()).is_ok();
                    prop_assert_eq!(aceito, referencia_valida(&mutada, hoje()), "{} → {}", linha, texto_mutado);
                }
            }
        }

        #[test]
        fn decode_never_panics_on_arbitrary_text(entrada in "\\PC*") {
            let _ = decode(&entrada, hoje());
        }

        #[test]
        fn decode_never_panics_on_digit_strings(entrada in "[0-9]{40,50}", dias in -200_000i64..200_000) {
            let hoje = hoje() + chrono::TimeDelta::days(dias);
            let _ = decode(&entrada, hoje);
        }

        #[test]
        fn decode_never_panics_with_separators(entrada in "[0-9 .\\-]{40,70}") {
            let _ = decode(&entrada, hoje());
        }
    }
}
