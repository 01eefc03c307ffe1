//! `borda doctor`: the technician's one command on site. One [`Verificacao`] per check (configuração, banco de
//! dados, espaço em disco, ERP, retaguarda, each printer, relógio), printed one line each with a hint in plain
//! Portuguese under a failure.
//!
//! It reads, it never writes: the database is opened read-only (its `user_version` and
//! [`Store::verificar_integridade`]), never migrated or created, because the daemon may be running and owns the
//! file; the ERP gets a probe and one harmless authenticated GET ([`ErpClient::verificar`]); printers are asked
//! their status exactly as the daemon's worker asks it ([`Impressora::status`]), never sent a job. The network
//! checks run at once, each bounded by its configured timeout, so a site where everything is down still gets its
//! answer in a few seconds.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Local, TimeDelta, Utc};

use crate::adapters::erp::{AcessoErp, ErpClient};
use crate::adapters::impressora::{Conexao, Impressora, ImpressoraError, Prazos};
use crate::adapters::retaguarda::RetaguardaClient;
use crate::adapters::store::{Store, StoreError};
use crate::config::{Config, ConfigError, ErpConfig, ImpressoraConfig, RetaguardaConfig};
use crate::domain::impressao::status::{Impedimento, Papel};

/// Least free space on the store's filesystem: below it the database may soon refuse baixas (`SQLITE_FULL`).
pub const ESPACO_MINIMO: u64 = 100 * 1024 * 1024;

/// Years a sane clock can show.
pub const ANOS_PLAUSIVEIS: RangeInclusive<i32> = 2024..=2100;

/// Largest difference between the local clock and the ERP's `Date` taken as right.
pub const DESVIO_MAXIMO: TimeDelta = TimeDelta::minutes(5);

/// Extra time a check gets beyond its configured timeouts before it is reported as hung.
const FOLGA: Duration = Duration::from_secs(1);

/// One check's outcome: one line of output, and a hint under it when it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verificacao {
    /// What was checked ("banco de dados", "impressora balcao").
    pub nome: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, in a few words.
    pub detalhe: String,
    /// What the technician should do about a failure.
    pub dica: Option<String>,
}

impl Verificacao {
    fn passou(nome: impl Into<String>, detalhe: impl Into<String>) -> Verificacao {
        Verificacao {
            nome: nome.into(),
            ok: true,
            detalhe: detalhe.into(),
            dica: None,
        }
    }

    fn falhou(nome: impl Into<String>, detalhe: impl Into<String>, dica: impl Into<String>) -> Verificacao {
        Verificacao {
            nome: nome.into(),
            ok: false,
            detalhe: detalhe.into(),
            dica: Some(dica.into()),
        }
    }
}

/// Check 1 passed: the configuration at `arquivo` loaded.
pub fn configuracao_ok(arquivo: &Path) -> Verificacao {
    Verificacao::passou("configuração", format!("ok ({})", arquivo.display()))
}

/// Check 1 failed: the configuration cannot be used (the other checks do not run).
pub fn configuracao_invalida(error: &ConfigError) -> Verificacao {
    let dica = match error {
        ConfigError::Read { .. } => "confira o caminho (--config ou BORDA_CONFIG) e se este usuário pode ler o arquivo",
        ConfigError::Credential { .. } => {
            "confira a credencial erp-auth do systemd (LoadCredential=) e suas permissões"
        }
        ConfigError::Parse { .. } | ConfigError::Invalid { .. } => {
            "corrija o campo indicado; `borda config example` mostra todos os campos"
        }
    };
    Verificacao::falhou("configuração", uma_linha(&error.to_string()), dica)
}

/// A multi-line message (a TOML error with its source excerpt) as one line: the excerpt's lines (`3 | chave = 1`,
/// `  | ^^^`) left out, the others joined by `: `. The full message goes to stderr.
fn uma_linha(mensagem: &str) -> String {
    let trecho = |linha: &str| {
        linha
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with('|')
    };
    mensagem
        .lines()
        .map(str::trim)
        .filter(|linha| !linha.is_empty() && !trecho(linha))
        .collect::<Vec<_>>()
        .join(": ")
}

/// Checks 2 to 7 for a loaded configuration, in output order. The database and disk checks run on the blocking
/// pool while the ERP, the retaguarda and every printer are asked at once.
pub async fn verificar(config: &Config) -> Vec<Verificacao> {
    let caminho = config.store.path.clone();
    let banco = bloqueante("banco de dados", {
        let caminho = caminho.clone();
        move || banco_de_dados(&caminho)
    });
    let disco = bloqueante("espaço em disco", move || espaco_em_disco(&caminho));
    let impressoras: Vec<_> = config
        .impressoras
        .iter()
        .cloned()
        .map(|impressora_config| tokio::spawn(async move { impressora(&impressora_config).await }))
        .collect();
    let ((erp, data_erp, quando), retaguarda, banco, disco) =
        tokio::join!(erp(&config.erp), retaguarda(config.retaguarda.as_ref()), banco, disco);

    let mut verificacoes = vec![banco, disco, erp, retaguarda];
    if impressoras.is_empty() {
        verificacoes.push(Verificacao::passou("impressoras", "nenhuma configurada"));
    }
    for (tarefa, impressora_config) in impressoras.into_iter().zip(&config.impressoras) {
        verificacoes.push(tarefa.await.unwrap_or_else(|error| {
            Verificacao::falhou(
                nome_impressora(impressora_config),
                format!("a verificação parou: {error}"),
                "rode o doctor de novo",
            )
        }));
    }
    verificacoes.push(relogio(quando, data_erp));
    verificacoes
}

/// Runs a blocking check on the blocking pool.
async fn bloqueante(nome: &'static str, check: impl FnOnce() -> Verificacao + Send + 'static) -> Verificacao {
    tokio::task::spawn_blocking(check).await.unwrap_or_else(|error| {
        Verificacao::falhou(nome, format!("a verificação parou: {error}"), "rode o doctor de novo")
    })
}

/// The output: one line per check, `✔`/`✘`, the name padded so the details align, and `  → hint` under a failure.
pub fn linhas(verificacoes: &[Verificacao]) -> Vec<String> {
    let largura = verificacoes
        .iter()
        .map(|verificacao| verificacao.nome.chars().count() + 1)
        .max()
        .unwrap_or(0);
    let mut linhas = Vec::with_capacity(verificacoes.len() * 2);
    for verificacao in verificacoes {
        let marca = if verificacao.ok { '✔' } else { '✘' };
        let rotulo = format!("{}:", verificacao.nome);
        linhas.push(format!("{marca} {rotulo:<largura$} {}", verificacao.detalhe));
        if let Some(dica) = &verificacao.dica {
            linhas.push(format!("  → {dica}"));
        }
    }
    linhas
}

/// Check 2: the database file, read-only. Absent is a pass (the daemon creates it); it must be a database of a
/// schema this binary knows, and pass `quick_check`.
pub fn banco_de_dados(caminho: &Path) -> Verificacao {
    const NOME: &str = "banco de dados";
    let tamanho_arquivo = match std::fs::metadata(caminho) {
        Ok(metadata) if metadata.is_file() => metadata.len(),
        Ok(_) => {
            return Verificacao::falhou(
                NOME,
                format!("{} não é um arquivo", caminho.display()),
                "confira store.path na configuração",
            );
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Verificacao::passou(
                NOME,
                format!(
                    "ainda não existe; será criado em {} quando o serviço iniciar",
                    caminho.display()
                ),
            );
        }
        Err(error) => {
            return Verificacao::falhou(
                NOME,
                format!("não foi possível ler {}: {error}", caminho.display()),
                "rode o doctor como o usuário do serviço (sudo) ou confira store.path",
            );
        }
    };
    let danificado = |detalhe: String| {
        Verificacao::falhou(
            NOME,
            detalhe,
            "chame o suporte antes de mexer no arquivo: ele pode guardar pagamentos ainda não enviados ao ERP; \
             não o apague",
        )
    };
    let versao = match Store::versao_do_arquivo(caminho) {
        Ok(versao) => versao,
        Err(error @ StoreError::Corrompido(_)) => return danificado(error.to_string()),
        Err(error) => {
            return Verificacao::falhou(
                NOME,
                error.to_string(),
                "rode o doctor como o usuário do serviço (sudo) ou confira store.path",
            );
        }
    };
    if versao > Store::VERSAO_SCHEMA {
        return Verificacao::falhou(
            NOME,
            format!(
                "schema {versao}, mais novo que o deste programa ({})",
                Store::VERSAO_SCHEMA
            ),
            "instale a versão do borda que criou este arquivo (ou uma mais nova)",
        );
    }
    if let Err(error) = Store::verificar_integridade(caminho) {
        return match error {
            StoreError::Corrompido(_) => danificado(error.to_string()),
            other => Verificacao::falhou(
                NOME,
                other.to_string(),
                "rode o doctor como o usuário do serviço (sudo) ou confira store.path",
            ),
        };
    }
    let schema = if versao < Store::VERSAO_SCHEMA {
        format!(
            "schema {versao}, atualizado para {} quando o serviço iniciar",
            Store::VERSAO_SCHEMA
        )
    } else {
        format!("schema {versao}")
    };
    Verificacao::passou(NOME, format!("ok ({schema}, {})", tamanho(tamanho_arquivo)))
}

/// Check 3: free space (for an unprivileged user) on the filesystem of the store's directory, or of its nearest
/// existing ancestor when the directory is not there yet.
pub fn espaco_em_disco(banco: &Path) -> Verificacao {
    const NOME: &str = "espaço em disco";
    let diretorio = diretorio_existente(banco);
    match rustix::fs::statvfs(&diretorio) {
        Ok(stat) => {
            let livre = stat.f_bavail.saturating_mul(stat.f_frsize);
            avaliar_espaco(livre, &diretorio)
        }
        Err(error) => Verificacao::falhou(
            NOME,
            format!("não foi possível consultar {}: {error}", diretorio.display()),
            "confira store.path na configuração",
        ),
    }
}

/// Check 3's verdict on `livre` bytes free in `diretorio`.
fn avaliar_espaco(livre: u64, diretorio: &Path) -> Verificacao {
    const NOME: &str = "espaço em disco";
    if livre >= ESPACO_MINIMO {
        Verificacao::passou(
            NOME,
            format!("ok ({} livres em {})", tamanho(livre), diretorio.display()),
        )
    } else {
        Verificacao::falhou(
            NOME,
            format!(
                "só {} livres em {} (mínimo {})",
                tamanho(livre),
                diretorio.display(),
                tamanho(ESPACO_MINIMO)
            ),
            "libere espaço: apague arquivos que não sejam do borda ou reduza os logs (journalctl --vacuum-size=50M)",
        )
    }
}

/// The store's directory, or its nearest ancestor that exists.
fn diretorio_existente(banco: &Path) -> PathBuf {
    let mut diretorio = banco
        .parent()
        .filter(|pai| !pai.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    while !diretorio.is_dir() {
        match diretorio.parent().filter(|pai| !pai.as_os_str().is_empty()) {
            Some(pai) => diretorio = pai,
            None => return PathBuf::from(if diretorio.is_absolute() { "/" } else { "." }),
        }
    }
    diretorio.to_path_buf()
}

/// Check 4: the ERP reachable and taking the credential. Also answers the ERP's `Date`, and the local instant the
/// check ended, for the clock check.
async fn erp(config: &ErpConfig) -> (Verificacao, Option<DateTime<Utc>>, DateTime<Utc>) {
    const NOME: &str = "ERP";
    let origem = origem(&config.base_url);
    let cliente = match ErpClient::new(config) {
        Ok(cliente) => cliente,
        Err(error) => {
            return (
                Verificacao::falhou(NOME, error.to_string(), "corrija a seção [erp] da configuração"),
                None,
                Utc::now(),
            );
        }
    };
    // The probe and the read, each bounded by erp.timeout_ms.
    let limite = Duration::from_millis(config.timeout_ms).saturating_mul(2) + FOLGA;
    let inicio = Instant::now();
    let Ok(verificacao) = tokio::time::timeout(limite, cliente.verificar()).await else {
        let detalhe = format!("sem resposta em {} s ({origem})", limite.as_secs());
        let dica = format!("verifique o cabo de rede, a internet ou erp.base_url ({origem})");
        return (Verificacao::falhou(NOME, detalhe, dica), None, Utc::now());
    };
    let quando = Utc::now();
    let ms = inicio.elapsed().as_millis();
    let resultado = match verificacao.acesso {
        AcessoErp::Autenticado { .. } => Verificacao::passou(NOME, format!("ok ({origem}, autenticado, {ms} ms)")),
        AcessoErp::CredencialRecusada { status } => Verificacao::falhou(
            NOME,
            format!("credencial recusada (HTTP {status}, {origem})"),
            "confira erp.auth_header e erp.auth_value (ou a credencial erp-auth do systemd) com o provedor do ERP",
        ),
        AcessoErp::SemResposta(motivo) => Verificacao::falhou(
            NOME,
            format!("sem conexão ({motivo})"),
            format!("verifique o cabo de rede, a internet ou erp.base_url ({origem})"),
        ),
        AcessoErp::Indisponivel { status } => Verificacao::falhou(
            NOME,
            format!("indisponível (respondeu HTTP {status}, {origem})"),
            "o ERP está com problema: tente de novo mais tarde ou fale com o provedor do ERP",
        ),
        AcessoErp::Configuracao(motivo) => Verificacao::falhou(NOME, motivo, "corrija a seção [erp] da configuração"),
    };
    (resultado, verificacao.data, quando)
}

/// Check 5: the retaguarda reachable, when configured (a PDV's); a totem has none.
async fn retaguarda(config: Option<&RetaguardaConfig>) -> Verificacao {
    const NOME: &str = "retaguarda";
    let Some(config) = config else {
        return Verificacao::passou(NOME, "não configurada (só PDV)");
    };
    let origem = origem(&config.base_url);
    let cliente = match RetaguardaClient::new(config) {
        Ok(cliente) => cliente,
        Err(error) => {
            return Verificacao::falhou(NOME, error.to_string(), "corrija a seção [retaguarda] da configuração");
        }
    };
    let limite = Duration::from_millis(config.timeout_ms) + FOLGA;
    let inicio = Instant::now();
    match tokio::time::timeout(limite, cliente.sondar()).await {
        Ok(true) => Verificacao::passou(NOME, format!("ok ({origem}, {} ms)", inicio.elapsed().as_millis())),
        Ok(false) | Err(_) => Verificacao::falhou(
            NOME,
            format!("sem conexão ({origem})"),
            format!("verifique o cabo de rede, a internet ou retaguarda.base_url ({origem})"),
        ),
    }
}

/// Check 6: one printer's status, asked as the daemon's worker asks it.
async fn impressora(config: &ImpressoraConfig) -> Verificacao {
    let nome = nome_impressora(config);
    let conexao = match Conexao::parse(&config.conexao) {
        Ok(conexao) => conexao,
        Err(error) => {
            return Verificacao::falhou(
                nome,
                format!("conexão inválida: {error}"),
                "corrija conexao em [[impressoras]]",
            );
        }
    };
    let onde = conexao.to_string();
    let resposta = Duration::from_millis(config.timeout_ms);
    let driver = Impressora::new(conexao, Prazos::new(resposta), config.consultar_status);
    // Connecting and three status answers, each bounded by timeout_ms.
    let limite = resposta.saturating_mul(4) + FOLGA;
    let resultado = match tokio::time::timeout(limite, driver.status()).await {
        Ok(resultado) => resultado,
        Err(_) => Err(ImpressoraError::Inalcancavel(format!(
            "sem resposta em {} s",
            limite.as_secs()
        ))),
    };
    let status = match resultado {
        Ok(status) => status,
        Err(ImpressoraError::Inalcancavel(motivo) | ImpressoraError::Interrompida(motivo)) => {
            return Verificacao::falhou(
                nome,
                format!("inalcançável ({}, {onde})", sem_numero_do_erro(&motivo)),
                "verifique se está ligada, o cabo (rede ou USB), o IP e a porta em conexao, e o papel",
            );
        }
        Err(error @ ImpressoraError::Status(_)) => {
            return Verificacao::falhou(
                nome,
                format!("{error} ({onde})"),
                "confira se a impressora está em modo ESC/POS e o modelo configurado (ou consultar_status = false)",
            );
        }
        Err(ImpressoraError::NaoSuportada) => {
            return Verificacao::falhou(
                nome,
                format!("conexão serial não suportada nesta versão ({onde})"),
                "use a impressora pela rede (tcp://) ou USB (dev:///dev/usb/lp0)",
            );
        }
    };
    match status.impedimento() {
        Some(Impedimento::TampaAberta) => {
            Verificacao::falhou(nome, format!("tampa aberta ({onde})"), "feche a tampa da impressora")
        }
        Some(Impedimento::SemPapel) => {
            Verificacao::falhou(nome, format!("sem papel ({onde})"), "coloque uma bobina de papel")
        }
        Some(Impedimento::Offline) => Verificacao::falhou(
            nome,
            format!("offline ({onde})"),
            "a impressora responde mas está parada: veja a luz de erro, a tampa e o papel; desligue e ligue",
        ),
        None if !config.consultar_status => {
            Verificacao::passou(nome, format!("alcançável, sem consulta de status ({onde})"))
        }
        None if status.papel == Papel::Pouco => {
            Verificacao::passou(nome, format!("online, papel no fim: troque a bobina logo ({onde})"))
        }
        None => Verificacao::passou(nome, format!("online, papel ok ({onde})")),
    }
}

fn nome_impressora(config: &ImpressoraConfig) -> String {
    format!("impressora {}", config.nome)
}

/// Check 7: the local clock `agora` is plausible and, when the ERP sent its `Date` (`data_erp`, read at `agora`),
/// within [`DESVIO_MAXIMO`] of it.
pub fn relogio(agora: DateTime<Utc>, data_erp: Option<DateTime<Utc>>) -> Verificacao {
    const NOME: &str = "relógio";
    const DICA: &str = "acerte a data e a hora (timedatectl set-ntp true); com o relógio errado o vencimento dos \
                        boletos e as conexões seguras (TLS) falham";
    let mostrado = agora.with_timezone(&Local).format("%d/%m/%Y %H:%M:%S");
    if !ANOS_PLAUSIVEIS.contains(&agora.year()) {
        return Verificacao::falhou(
            NOME,
            format!(
                "data {mostrado} fora do plausível ({} a {})",
                ANOS_PLAUSIVEIS.start(),
                ANOS_PLAUSIVEIS.end()
            ),
            DICA,
        );
    }
    let Some(data_erp) = data_erp else {
        return Verificacao::passou(NOME, format!("ok ({mostrado}; sem a hora do ERP para comparar)"));
    };
    let desvio = agora.signed_duration_since(data_erp);
    let sentido = if desvio > TimeDelta::zero() {
        "adiantado"
    } else {
        "atrasado"
    };
    if desvio.abs() > DESVIO_MAXIMO {
        return Verificacao::falhou(
            NOME,
            format!("{mostrado}: {} {sentido} em relação ao ERP", duracao(desvio.abs())),
            DICA,
        );
    }
    Verificacao::passou(
        NOME,
        format!("ok ({mostrado}, {} de diferença do ERP)", duracao(desvio.abs())),
    )
}

/// A non-negative span in the largest unit that fits: `3 s`, `7 min`, `2 h`, `40 dias`.
fn duracao(span: TimeDelta) -> String {
    let segundos = span.num_seconds();
    if segundos < 120 {
        format!("{segundos} s")
    } else if segundos < 7200 {
        format!("{} min", segundos / 60)
    } else if segundos < 172_800 {
        format!("{} h", segundos / 3600)
    } else {
        format!("{} dias", segundos / 86_400)
    }
}

/// A size the way a technician reads it: `512 B`, `3,4 KB`, `1,2 MB`, `12,3 GB` (binary units, one decimal).
pub fn tamanho(bytes: u64) -> String {
    const UNIDADES: [(&str, u64); 4] = [("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)];
    for (nome, unidade) in UNIDADES {
        if bytes >= unidade {
            let decimos = (u128::from(bytes) * 10 + u128::from(unidade) / 2) / u128::from(unidade);
            return format!("{},{} {nome}", decimos / 10, decimos % 10);
        }
    }
    format!("{bytes} B")
}

/// `scheme://host:port` of a base URL: enough to recognise it, without a path or any userinfo.
fn origem(base_url: &str) -> String {
    reqwest::Url::parse(base_url).map_or_else(|_| base_url.to_owned(), |url| url.origin().ascii_serialization())
}

/// An IO error's text without its `(os error N)` suffix.
fn sem_numero_do_erro(motivo: &str) -> &str {
    motivo
        .find(" (os error ")
        .map_or(motivo, |at| motivo.get(..at).unwrap_or(motivo))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn instante(texto: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(texto).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn lines_align_and_failures_carry_their_hint() {
        let linhas = linhas(&[
            Verificacao::passou("ERP", "ok"),
            Verificacao::falhou("banco de dados", "corrompido", "chame o suporte"),
        ]);
        assert_eq!(
            linhas,
            [
                "✔ ERP:            ok",
                "✘ banco de dados: corrompido",
                "  → chame o suporte",
            ]
        );
    }

    #[test]
    fn sizes_read_in_binary_units_with_a_decimal_comma() {
        assert_eq!(tamanho(0), "0 B");
        assert_eq!(tamanho(1023), "1023 B");
        assert_eq!(tamanho(1024), "1,0 KB");
        assert_eq!(tamanho(1_258_291), "1,2 MB");
        assert_eq!(tamanho(ESPACO_MINIMO), "100,0 MB");
        assert_eq!(tamanho(u64::MAX), "16777216,0 TB");
    }

    #[test]
    fn free_space_below_the_minimum_fails() {
        assert!(avaliar_espaco(ESPACO_MINIMO, Path::new("/var")).ok);
        let pouco = avaliar_espaco(ESPACO_MINIMO - 1, Path::new("/var"));
        assert!(!pouco.ok && pouco.dica.is_some(), "{pouco:?}");
        assert!(pouco.detalhe.contains("mínimo 100,0 MB"), "{pouco:?}");
    }

    #[test]
    fn the_clock_must_be_plausible_and_near_the_erps() {
        let agora = instante("2026-11-20T12:00:00Z");
        assert!(relogio(agora, None).ok);
        assert!(relogio(agora, Some(instante("2026-11-20T12:04:59Z"))).ok);
        assert!(relogio(agora, Some(instante("2026-11-20T11:55:00Z"))).ok);
        let atrasado = relogio(agora, Some(instante("2026-11-20T12:07:00Z")));
        assert!(
            !atrasado.ok && atrasado.detalhe.contains("7 min atrasado"),
            "{atrasado:?}"
        );
        let adiantado = relogio(agora, Some(instante("2026-11-19T06:00:00Z")));
        assert!(
            !adiantado.ok && adiantado.detalhe.contains("30 h adiantado"),
            "{adiantado:?}"
        );
        let dias = relogio(agora, Some(instante("2026-10-20T12:00:00Z")));
        assert!(!dias.ok && dias.detalhe.contains("31 dias adiantado"), "{dias:?}");
        assert!(!relogio(instante("1970-01-01T00:00:05Z"), None).ok);
        assert!(!relogio(instante("2101-01-01T00:00:00Z"), None).ok);
    }

    #[test]
    fn a_missing_database_passes_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let caminho = dir.path().join("sub").join("borda.db");
        let verificacao = banco_de_dados(&caminho);
        assert!(verificacao.ok, "{verificacao:?}");
        assert!(verificacao.detalhe.contains("será criado"), "{verificacao:?}");
        assert!(!caminho.exists() && !dir.path().join("sub").exists());
        // The free space is that of the nearest existing directory.
        assert_eq!(diretorio_existente(&caminho), dir.path());
        assert!(
            espaco_em_disco(&caminho)
                .detalhe
                .contains(&dir.path().display().to_string())
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_fails() {
        let dir = tempfile::tempdir().unwrap();
        let caminho = dir.path().join("borda.db");
        std::fs::write(&caminho, vec![0xA5; 8192]).unwrap();
        let verificacao = banco_de_dados(&caminho);
        assert!(!verificacao.ok, "{verificacao:?}");
        assert!(verificacao.dica.unwrap().contains("não o apague"));
    }

    #[test]
    fn a_toml_error_becomes_one_line() {
        let mensagem = "c.toml: TOML parse error at line 3, column 1\n  |\n3 | timeot_ms = 1000\n  | ^^^^^^^^^\n\
                        unknown field `timeot_ms`, expected one of `base_url`\n";
        assert_eq!(
            uma_linha(mensagem),
            "c.toml: TOML parse error at line 3, column 1: unknown field `timeot_ms`, expected one of `base_url`"
        );
        assert_eq!(
            uma_linha("c.toml: erp.base_url: use http://"),
            "c.toml: erp.base_url: use http://"
        );
    }

    #[test]
    fn the_os_error_number_is_left_out() {
        assert_eq!(
            sem_numero_do_erro("Connection refused (os error 111)"),
            "Connection refused"
        );
        assert_eq!(sem_numero_do_erro("tempo esgotado"), "tempo esgotado");
        assert_eq!(
            origem("https://user:pw@erp.example.com:8443/api/"),
            "https://erp.example.com:8443"
        );
    }
}
