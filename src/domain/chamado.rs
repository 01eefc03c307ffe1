//! A support ticket (chamado) the customer opens at the totem: its subject, its message and its attachments, checked
//! before anything goes to the ERP.
//!
//! Attachments are judged by their bytes, not by what the kiosk declares: the declared `tipo` must be on the
//! allow-list ([`TipoAnexo`]: PDF, PNG, JPEG) *and* the decoded bytes must start with that type's signature, so an
//! HTML page or an executable renamed `.pdf` never reaches the ISP's support desk. Base64 is read strictly (standard
//! alphabet, canonical padding, no whitespace). Sizes are bounded per attachment and in total, checked on the encoded
//! length first so an oversized attachment is refused without being decoded. Pure: no IO, no clock; any input gives
//! a [`Chamado`] or a [`ChamadoInvalido`], never a panic (property-tested).

use base64::Engine as _;
use unicode_normalization::UnicodeNormalization as _;

/// Longest `assunto`, in characters (after trimming).
pub const MAX_ASSUNTO: usize = 120;
/// Longest `mensagem`, in characters (after trimming).
pub const MAX_MENSAGEM: usize = 4000;
/// Most attachments in one chamado.
pub const MAX_ANEXOS: usize = 3;
/// Largest attachment, decoded: 2 MiB.
pub const MAX_ANEXO: usize = 2 * 1024 * 1024;
/// Largest sum of the attachments, decoded: 5 MiB.
pub const MAX_ANEXOS_TOTAL: usize = 5 * 1024 * 1024;
/// Longest attachment name, in characters.
pub const MAX_NOME_ANEXO: usize = 100;
/// Longest `id_servico`, in characters.
pub const MAX_ID_SERVICO: usize = 100;

/// Largest request body a chamado may need: the attachments' base64 at [`MAX_ANEXOS_TOTAL`], plus room for the
/// text (a message of [`MAX_MENSAGEM`] characters written as `\uXXXX` escapes), names, a JSON encoder that escapes
/// every `/` of the base64 and the JSON punctuation. About 7.3 MB.
pub const MAX_CORPO: usize = base64_len(MAX_ANEXOS_TOTAL) + base64_len(MAX_ANEXOS_TOTAL) / 32 + 256 * 1024;

/// The length of the standard, padded base64 of `bytes` bytes.
const fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

/// The kinds of attachment accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipoAnexo {
    Pdf,
    Png,
    Jpeg,
}

impl TipoAnexo {
    /// Every accepted kind.
    pub const TODOS: [TipoAnexo; 3] = [TipoAnexo::Pdf, TipoAnexo::Png, TipoAnexo::Jpeg];

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            TipoAnexo::Pdf => "application/pdf",
            TipoAnexo::Png => "image/png",
            TipoAnexo::Jpeg => "image/jpeg",
        }
    }

    /// The kind a declared media type names: case-insensitive, parameters (`; charset=…`) ignored, `image/jpg`
    /// taken for `image/jpeg`. None for anything off the allow-list.
    pub fn por_mime(declarado: &str) -> Option<TipoAnexo> {
        let essencia = declarado
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essencia.as_str() {
            "application/pdf" => Some(TipoAnexo::Pdf),
            "image/png" => Some(TipoAnexo::Png),
            "image/jpeg" | "image/jpg" => Some(TipoAnexo::Jpeg),
            _ => None,
        }
    }

    /// The kind the bytes are, by their signature: `%PDF-`, the eight-byte PNG signature, or a JPEG's SOI marker
    /// followed by another marker (`FF D8 FF`). None for anything else.
    pub fn pelo_conteudo(bytes: &[u8]) -> Option<TipoAnexo> {
        if bytes.starts_with(b"%PDF-") {
            Some(TipoAnexo::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(TipoAnexo::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(TipoAnexo::Jpeg)
        } else {
            None
        }
    }
}

/// An attachment as the kiosk sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PedidoAnexo {
    /// The file's name, as shown to the support desk.
    pub nome: String,
    /// The declared media type.
    pub tipo: String,
    /// The content, standard base64 with padding.
    pub base64: String,
}

/// A chamado as the kiosk sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PedidoChamado {
    pub assunto: String,
    pub mensagem: String,
    /// The service (installation) it is about, when the customer chose one.
    pub id_servico: Option<String>,
    /// The contact (an id from the customer's contacts) the support desk should answer at.
    pub contato_id: Option<String>,
    pub anexos: Vec<PedidoAnexo>,
}

/// A checked attachment: its bytes decoded and their kind confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anexo {
    /// Trimmed, without control characters or path separators.
    pub nome: String,
    pub tipo: TipoAnexo,
    pub bytes: Vec<u8>,
}

/// A checked chamado, ready to go to the ERP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chamado {
    /// One line, trimmed, NFC.
    pub assunto: String,
    /// Trimmed, NFC, lines separated by `\n`.
    pub mensagem: String,
    /// Trimmed; None when absent or blank.
    pub id_servico: Option<String>,
    /// Trimmed; None when absent or blank.
    pub contato_id: Option<String>,
    pub anexos: Vec<Anexo>,
}

/// Why a chamado cannot be sent. Messages are Portuguese, fit for the kiosk, and name the field (`anexos[1]`,
/// counted from 0 as in the JSON); [`ChamadoInvalido::code`] is the API's stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChamadoInvalido {
    #[error("assunto: {0}")]
    Assunto(String),
    #[error("mensagem: {0}")]
    Mensagem(String),
    #[error("id_servico: {0}")]
    IdServico(String),
    #[error("contato_id: {0}")]
    ContatoId(String),
    #[error("anexos: no máximo {MAX_ANEXOS} anexos, vieram {0}")]
    AnexosDemais(usize),
    /// A name that cannot be a file name, or content that is not strict base64 or is empty.
    #[error("anexos[{indice}].{campo}: {motivo}")]
    AnexoInvalido {
        indice: usize,
        campo: &'static str,
        motivo: String,
    },
    /// One attachment over [`MAX_ANEXO`], or all of them over [`MAX_ANEXOS_TOTAL`] (`indice` None).
    #[error("{}", grande_demais(.indice))]
    AnexoGrandeDemais { indice: Option<usize> },
    /// A declared type off the allow-list, or bytes that are not what was declared.
    #[error("anexos[{indice}].tipo: {motivo}")]
    AnexoTipoNaoPermitido { indice: usize, motivo: String },
}

/// The message of [`ChamadoInvalido::AnexoGrandeDemais`].
fn grande_demais(indice: &Option<usize>) -> String {
    match indice {
        Some(indice) => format!("anexos[{indice}]: maior que {} MiB", MAX_ANEXO / (1024 * 1024)),
        None => format!("anexos: juntos passam de {} MiB", MAX_ANEXOS_TOTAL / (1024 * 1024)),
    }
}

impl ChamadoInvalido {
    /// The API's stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ChamadoInvalido::Assunto(_) => "assunto_invalido",
            ChamadoInvalido::Mensagem(_) => "mensagem_invalida",
            ChamadoInvalido::IdServico(_) => "id_servico_invalido",
            ChamadoInvalido::ContatoId(_) => "contato_id_invalido",
            ChamadoInvalido::AnexosDemais(_) => "anexos_demais",
            ChamadoInvalido::AnexoInvalido { .. } => "anexo_invalido",
            ChamadoInvalido::AnexoGrandeDemais { .. } => "anexo_grande_demais",
            ChamadoInvalido::AnexoTipoNaoPermitido { .. } => "anexo_tipo_nao_permitido",
        }
    }
}

/// Checks a chamado: the texts, the service id, then the attachments (their count before any is decoded, each in
/// order, then their sum).
pub fn validar(pedido: &PedidoChamado) -> Result<Chamado, ChamadoInvalido> {
    let assunto = texto(&pedido.assunto, MAX_ASSUNTO, false).map_err(ChamadoInvalido::Assunto)?;
    let mensagem = texto(&pedido.mensagem, MAX_MENSAGEM, true).map_err(ChamadoInvalido::Mensagem)?;
    let id_servico = id_opcional(pedido.id_servico.as_deref()).map_err(ChamadoInvalido::IdServico)?;
    let contato_id = id_opcional(pedido.contato_id.as_deref()).map_err(ChamadoInvalido::ContatoId)?;
    if pedido.anexos.len() > MAX_ANEXOS {
        return Err(ChamadoInvalido::AnexosDemais(pedido.anexos.len()));
    }
    let mut anexos = Vec::with_capacity(pedido.anexos.len());
    let mut total = 0usize;
    for (indice, anexo) in pedido.anexos.iter().enumerate() {
        let anexo = validar_anexo(indice, anexo)?;
        total = total.saturating_add(anexo.bytes.len());
        if total > MAX_ANEXOS_TOTAL {
            return Err(ChamadoInvalido::AnexoGrandeDemais { indice: None });
        }
        anexos.push(anexo);
    }
    Ok(Chamado {
        assunto,
        mensagem,
        id_servico,
        contato_id,
        anexos,
    })
}

/// An optional id: trimmed, None when absent or blank, refused with control characters or over [`MAX_ID_SERVICO`]
/// characters.
fn id_opcional(id: Option<&str>) -> Result<Option<String>, String> {
    match id.map(str::trim) {
        None | Some("") => Ok(None),
        Some(id) if id.chars().any(char::is_control) => Err("contém caracteres de controle".into()),
        Some(id) if id.chars().count() > MAX_ID_SERVICO => {
            Err(format!("longo demais (no máximo {MAX_ID_SERVICO} caracteres)"))
        }
        Some(id) => Ok(Some(id.to_owned())),
    }
}

/// Checks attachment number `indice`: its name, its declared type, its size (from the encoded length, before
/// decoding), strict base64, and that the bytes are of the declared type.
pub fn validar_anexo(indice: usize, anexo: &PedidoAnexo) -> Result<Anexo, ChamadoInvalido> {
    let invalido = |campo: &'static str, motivo: &str| ChamadoInvalido::AnexoInvalido {
        indice,
        campo,
        motivo: motivo.to_owned(),
    };
    let nome = anexo.nome.trim();
    if nome.is_empty() {
        return Err(invalido("nome", "informe o nome do arquivo"));
    }
    if nome.chars().count() > MAX_NOME_ANEXO {
        return Err(invalido(
            "nome",
            &format!("longo demais (no máximo {MAX_NOME_ANEXO} caracteres)"),
        ));
    }
    if nome.chars().any(|c| c.is_control() || c == '/' || c == '\\') || nome.chars().all(|c| c == '.') {
        return Err(invalido(
            "nome",
            "não pode ter caracteres de controle, barras nem ser só pontos",
        ));
    }
    let tipo = TipoAnexo::por_mime(&anexo.tipo).ok_or_else(|| ChamadoInvalido::AnexoTipoNaoPermitido {
        indice,
        motivo: format!("só são aceitos {}", aceitos()),
    })?;
    // Refused before decoding: the encoded length bounds the decoded one from above by at most two bytes.
    if anexo.base64.len() > base64_len(MAX_ANEXO) {
        return Err(ChamadoInvalido::AnexoGrandeDemais { indice: Some(indice) });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(anexo.base64.as_bytes())
        .map_err(|_| {
            invalido(
                "base64",
                "não é base64 padrão (A-Z a-z 0-9 + /, com preenchimento =, sem espaços nem prefixo data:)",
            )
        })?;
    if bytes.is_empty() {
        return Err(invalido("base64", "arquivo vazio"));
    }
    if bytes.len() > MAX_ANEXO {
        return Err(ChamadoInvalido::AnexoGrandeDemais { indice: Some(indice) });
    }
    match TipoAnexo::pelo_conteudo(&bytes) {
        Some(conteudo) if conteudo == tipo => Ok(Anexo {
            nome: nome.to_owned(),
            tipo,
            bytes,
        }),
        _ => Err(ChamadoInvalido::AnexoTipoNaoPermitido {
            indice,
            motivo: format!("o conteúdo do arquivo não é {}", tipo.mime()),
        }),
    }
}

/// The accepted media types, for messages.
fn aceitos() -> String {
    TipoAnexo::TODOS.map(TipoAnexo::mime).join(", ")
}

/// A text field: trimmed, in NFC, `\r\n` read as `\n`, from 1 to `max` characters; no control character but, when
/// `linhas`, the newline.
fn texto(bruto: &str, max: usize, linhas: bool) -> Result<String, String> {
    let texto: String = bruto.replace("\r\n", "\n").trim().nfc().collect();
    if texto.is_empty() {
        return Err("não pode ficar vazio".into());
    }
    if texto.chars().count() > max {
        return Err(format!("longo demais (no máximo {max} caracteres)"));
    }
    if texto.chars().any(|c| c.is_control() && !(linhas && c == '\n')) {
        return Err(if linhas {
            "não pode ter caracteres de controle (só quebras de linha)".into()
        } else {
            "deve ser uma linha só, sem caracteres de controle".into()
        });
    }
    Ok(texto)
}

impl Chamado {
    /// A fingerprint of this chamado for `documento` (16 hex digits, FNV-1a 64 over every field, each prefixed by
    /// its length): what an idempotency key is stored with, so that a retry is told from another chamado under the
    /// same key without keeping the message or the files. Stable across versions and platforms.
    pub fn impressao_digital(&self, documento: &str) -> String {
        let mut hash = Fnv::new();
        hash.campo(documento.as_bytes());
        hash.campo(self.assunto.as_bytes());
        hash.campo(self.mensagem.as_bytes());
        hash.campo(self.id_servico.as_deref().unwrap_or_default().as_bytes());
        hash.campo(self.contato_id.as_deref().unwrap_or_default().as_bytes());
        for anexo in &self.anexos {
            hash.campo(anexo.nome.as_bytes());
            hash.campo(anexo.tipo.mime().as_bytes());
            hash.campo(&anexo.bytes);
        }
        format!("{:016x}", hash.0)
    }
}

/// FNV-1a, 64 bits: not cryptographic, but fixed by its definition (unlike std's `DefaultHasher`), so a fingerprint
/// stored by one version reads the same in the next.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// One field, prefixed by its length so that ("ab", "c") and ("a", "bc") differ.
    fn campo(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn anexo(nome: &str, tipo: &str, bytes: &[u8]) -> PedidoAnexo {
        PedidoAnexo {
            nome: nome.into(),
            tipo: tipo.into(),
            base64: b64(bytes),
        }
    }

    fn pedido(anexos: Vec<PedidoAnexo>) -> PedidoChamado {
        PedidoChamado {
            assunto: "Internet lenta".into(),
            mensagem: "Desde ontem a conexão cai à noite.".into(),
            id_servico: None,
            contato_id: None,
            anexos,
        }
    }

    fn codigo(pedido: &PedidoChamado) -> &'static str {
        match validar(pedido) {
            Ok(_) => "ok",
            Err(error) => error.code(),
        }
    }

    #[test]
    fn a_good_chamado_keeps_its_bytes_and_kinds() {
        let pedido = pedido(vec![
            anexo("conta.pdf", "application/pdf", PDF),
            anexo(" tela.png ", "IMAGE/PNG", PNG),
            anexo("foto.jpg", "image/jpg", JPEG),
        ]);
        let chamado = validar(&pedido).unwrap();
        assert_eq!(chamado.assunto, "Internet lenta");
        let kinds: Vec<_> = chamado.anexos.iter().map(|a| (a.nome.as_str(), a.tipo)).collect();
        assert_eq!(
            kinds,
            [
                ("conta.pdf", TipoAnexo::Pdf),
                ("tela.png", TipoAnexo::Png),
                ("foto.jpg", TipoAnexo::Jpeg)
            ]
        );
        assert_eq!(chamado.anexos[0].bytes, PDF);
        assert_eq!(chamado.anexos[2].bytes, JPEG);
    }

    #[test]
    fn texts_are_trimmed_normalised_and_bounded() {
        let mut p = pedido(vec![]);
        p.assunto = "  Sem sinal \t".into();
        p.mensagem = " linha 1\r\nlinha 2\n".into();
        p.id_servico = Some("  ".into());
        let chamado = validar(&p).unwrap();
        assert_eq!(chamado.assunto, "Sem sinal");
        assert_eq!(chamado.mensagem, "linha 1\nlinha 2");
        assert_eq!(chamado.id_servico, None);
        // "é" written as e + combining acute counts as one character once in NFC.
        p.assunto = "e\u{301}".repeat(MAX_ASSUNTO);
        assert_eq!(validar(&p).unwrap().assunto, "é".repeat(MAX_ASSUNTO));
        p.assunto = "a".repeat(MAX_ASSUNTO + 1);
        assert_eq!(codigo(&p), "assunto_invalido");
        for assunto in ["", "   ", "a\nb", "a\u{7}b"] {
            p.assunto = assunto.into();
            assert_eq!(codigo(&p), "assunto_invalido", "{assunto:?}");
        }
        p.assunto = "ok".into();
        p.mensagem = "x".repeat(MAX_MENSAGEM);
        assert_eq!(codigo(&p), "ok");
        for mensagem in [
            "".to_owned(),
            "x".repeat(MAX_MENSAGEM + 1),
            "a\rb".into(),
            "a\u{0}b".into(),
        ] {
            p.mensagem = mensagem;
            assert_eq!(codigo(&p), "mensagem_invalida");
        }
        p.mensagem = "ok".into();
        p.id_servico = Some("S\n1".into());
        assert_eq!(codigo(&p), "id_servico_invalido");
        p.id_servico = Some(" 7 ".into());
        assert_eq!(validar(&p).unwrap().id_servico.as_deref(), Some("7"));
    }

    #[test]
    fn the_declared_type_and_the_bytes_must_agree_and_be_allowed() {
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        let casos: [(&str, &[u8], &str); 6] = [
            ("application/pdf", html, "anexo_tipo_nao_permitido"),
            ("image/png", PDF, "anexo_tipo_nao_permitido"),
            ("text/html", html, "anexo_tipo_nao_permitido"),
            ("application/octet-stream", PDF, "anexo_tipo_nao_permitido"),
            ("application/pdf; charset=binary", PDF, "ok"),
            ("image/jpeg", JPEG, "ok"),
        ];
        for (tipo, bytes, esperado) in casos {
            assert_eq!(codigo(&pedido(vec![anexo("a.pdf", tipo, bytes)])), esperado, "{tipo}");
        }
    }

    #[test]
    fn base64_is_read_strictly() {
        let bom = b64(&PDF[..PDF.len() - 1]);
        assert_eq!(
            codigo(&pedido(vec![PedidoAnexo {
                nome: "a.pdf".into(),
                tipo: "application/pdf".into(),
                base64: bom.clone()
            }])),
            "ok"
        );
        let sem_padding = bom.trim_end_matches('=').to_owned();
        assert_ne!(sem_padding, bom, "the sample needs padding");
        let casos = [
            sem_padding,
            format!("{}\n{}", &bom[..8], &bom[8..]),
            format!("data:application/pdf;base64,{bom}"),
            bom.replace('+', "-").replace('/', "_") + "-_",
            String::new(),
        ];
        for base64 in casos {
            let p = pedido(vec![PedidoAnexo {
                nome: "a.pdf".into(),
                tipo: "application/pdf".into(),
                base64: base64.clone(),
            }]);
            assert_eq!(codigo(&p), "anexo_invalido", "{base64:?}");
        }
    }

    #[test]
    fn names_that_are_not_file_names_are_refused() {
        for nome in [
            "",
            "  ",
            "../etc/passwd",
            "a\\b.pdf",
            "..",
            "a\nb.pdf",
            &"n".repeat(MAX_NOME_ANEXO + 1),
        ] {
            let error = validar(&pedido(vec![anexo(nome, "application/pdf", PDF)])).unwrap_err();
            assert_eq!(error.code(), "anexo_invalido", "{nome:?}");
            assert!(error.to_string().starts_with("anexos[0].nome"), "{error}");
        }
    }

    #[test]
    fn sizes_count_and_totals_are_bounded() {
        let grande = |tamanho: usize| {
            let mut bytes = PDF.to_vec();
            bytes.resize(tamanho, b' ');
            bytes
        };
        assert_eq!(
            codigo(&pedido(vec![anexo("a.pdf", "application/pdf", &grande(MAX_ANEXO))])),
            "ok"
        );
        let error = validar(&pedido(vec![
            anexo("a.pdf", "application/pdf", PDF),
            anexo("b.pdf", "application/pdf", &grande(MAX_ANEXO + 1)),
        ]))
        .unwrap_err();
        assert_eq!(error, ChamadoInvalido::AnexoGrandeDemais { indice: Some(1) });
        let tres = vec![
            anexo("a.pdf", "application/pdf", &grande(MAX_ANEXO)),
            anexo("b.pdf", "application/pdf", &grande(MAX_ANEXO)),
            anexo(
                "c.pdf",
                "application/pdf",
                &grande(MAX_ANEXOS_TOTAL - 2 * MAX_ANEXO + 1),
            ),
        ];
        let error = validar(&pedido(tres)).unwrap_err();
        assert_eq!(error, ChamadoInvalido::AnexoGrandeDemais { indice: None });
        assert_eq!(error.code(), "anexo_grande_demais");
        let quatro = vec![anexo("a.pdf", "application/pdf", PDF); MAX_ANEXOS + 1];
        assert_eq!(codigo(&pedido(quatro)), "anexos_demais");
        // An oversized attachment is refused by its encoded length, even when it is not base64 at all.
        let enorme = PedidoAnexo {
            nome: "a.pdf".into(),
            tipo: "application/pdf".into(),
            base64: "!".repeat(base64_len(MAX_ANEXO) + 1),
        };
        assert_eq!(codigo(&pedido(vec![enorme])), "anexo_grande_demais");
    }

    #[test]
    fn the_body_limit_fits_the_largest_chamado() {
        // Base64 of the largest attachments, every '/' escaped, and a message of \uXXXX escapes.
        let texto = MAX_MENSAGEM * 6 + MAX_ASSUNTO * 6;
        let anexos = base64_len(MAX_ANEXOS_TOTAL) * 66 / 64 + 3 * (MAX_NOME_ANEXO * 6 + 200);
        assert!(texto + anexos < MAX_CORPO, "{} >= {MAX_CORPO}", texto + anexos);
        const { assert!(MAX_CORPO < 8 * 1024 * 1024) };
    }

    #[test]
    fn the_fingerprint_tells_chamados_apart_and_is_stable() {
        let chamado = validar(&pedido(vec![anexo("a.pdf", "application/pdf", PDF)])).unwrap();
        let digital = chamado.impressao_digital("52998224725");
        assert_eq!(digital.len(), 16);
        assert_eq!(digital, chamado.impressao_digital("52998224725"));
        assert_ne!(digital, chamado.impressao_digital("11144477735"));
        let mut outro = chamado.clone();
        outro.anexos[0].bytes.push(b'\n');
        assert_ne!(digital, outro.impressao_digital("52998224725"));
        let mut deslocado = chamado.clone();
        deslocado.assunto = "Internet lent".into();
        deslocado.mensagem = format!("a{}", chamado.mensagem);
        assert_ne!(digital, deslocado.impressao_digital("52998224725"));
        // FNV-1a 64 of the empty input is its offset basis: the function is the standard one.
        assert_eq!(Fnv::new().0, 0xcbf2_9ce4_8422_2325);
        let mut a = Fnv::new();
        a.bytes(b"a");
        assert_eq!(a.0, 0xaf63_dc4c_8601_ec8c);
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(
            assunto in any::<String>(),
            mensagem in any::<String>(),
            id_servico in proptest::option::of(any::<String>()),
            contato_id in proptest::option::of(any::<String>()),
            anexos in proptest::collection::vec((any::<String>(), any::<String>(), any::<String>()), 0..5),
        ) {
            let pedido = PedidoChamado {
                assunto,
                mensagem,
                id_servico,
                contato_id,
                anexos: anexos
                    .into_iter()
                    .map(|(nome, tipo, base64)| PedidoAnexo { nome, tipo, base64 })
                    .collect(),
            };
            if let Ok(chamado) = validar(&pedido) {
                prop_assert!(!chamado.assunto.is_empty() && chamado.assunto.chars().count() <= MAX_ASSUNTO);
                prop_assert!(chamado.anexos.len() <= MAX_ANEXOS);
            }
        }

        #[test]
        fn arbitrary_bytes_are_accepted_only_with_their_signature(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            declarado in 0usize..3,
        ) {
            let tipo = TipoAnexo::TODOS[declarado];
            let resultado = validar_anexo(0, &anexo("x", tipo.mime(), &bytes));
            match TipoAnexo::pelo_conteudo(&bytes) {
                Some(conteudo) if conteudo == tipo && !bytes.is_empty() => {
                    prop_assert_eq!(resultado.map(|a| a.bytes), Ok(bytes));
                }
                _ => prop_assert!(resultado.is_err()),
            }
        }

        #[test]
        fn signed_bytes_round_trip(resto in proptest::collection::vec(any::<u8>(), 0..256), declarado in 0usize..3) {
            let tipo = TipoAnexo::TODOS[declarado];
            let assinatura: &[u8] = match tipo {
                TipoAnexo::Pdf => b"%PDF-",
                TipoAnexo::Png => b"\x89PNG\r\n\x1a\n",
                TipoAnexo::Jpeg => &[0xFF, 0xD8, 0xFF],
            };
            let bytes = [assinatura, &resto].concat();
            let lido = validar_anexo(0, &anexo("x", tipo.mime(), &bytes)).unwrap();
            prop_assert_eq!(lido.bytes, bytes);
            prop_assert_eq!(lido.tipo, tipo);
        }
    }
}
