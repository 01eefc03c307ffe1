#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Start-up time of the real `borda serve` with a large cache (target: READY ≤ 100 ms cold).
//!
//! The seed is a database of 50,000 clientes with 100,000 open faturas (two each) and each cliente's faturas list
//! fetch recorded, written through [`Store`] as the read-through would write it: about 130 MB, as each fatura's JSON
//! carries its linha digitável, barcode and PIX code. It is built once (on `/dev/shm` when there is one, so
//! `synchronous=FULL` costs nothing) and kept in `target/bench-arranque/borda-100k.db`; later runs reuse it, unless it
//! was written with another schema version.
//!
//! Each run copies the seed into a fresh directory next to it (the daemon never writes to the seed), writes a config
//! whose ERP is a closed loopback port (the ERP is down), and spawns the release binary with `NOTIFY_SOCKET` on a
//! datagram socket of the bench's, standing in for systemd. From just before the spawn it measures:
//!
//! * READY: until `READY=1` arrives on that socket;
//! * healthz: until `GET /healthz` first answers 200 (polled every 1 ms);
//! * integridade: until `GET /readyz` reports `integridade` other than `verificando` (polled every 10 ms), and what
//!   it reported.
//!
//! then stops the daemon with SIGTERM and requires a clean exit. Scenarios, 5 timed runs each: an empty database (a
//! fresh path) and the seed warm, each after one untimed run so that the binary and the file are in the page cache;
//! then the seed cold (`sync` and `echo 3 > /proc/sys/vm/drop_caches` before each spawn, which evicts the binary too,
//! as at boot; needs root, else the scenario is skipped). The daemon's own logs go to a file per run, whose tail is
//! printed when a run fails.
//!
//! `cargo bench --locked --bench arranque`

use std::fmt::Display;
use std::fs::File;
use std::io::Read;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Months, NaiveDate, Utc};

use borda::adapters::store::Store;
use borda::domain::model::{Cliente, Endereco, Fatura};
use borda::domain::money::Centavos;
use borda::domain::{boleto, documento, pix};

/// Clientes in the seed; each has [`FATURAS_POR_CLIENTE`] open faturas.
const CLIENTES: u32 = 50_000;
const FATURAS_POR_CLIENTE: u32 = 2;
/// How many clientes are written concurrently while building the seed.
const LOTE: u32 = 64;
/// The seed's file name inside [`bench_dir`].
const SEED: &str = "borda-100k.db";
/// Timed runs per scenario.
const RUNS: usize = 5;
/// The start-up target, cold.
const META_READY: Duration = Duration::from_millis(100);
/// How long a run may take to answer, and a stopping daemon to exit, before the run fails.
const LIMITE: Duration = Duration::from_secs(60);
const LIMITE_PARADA: Duration = Duration::from_secs(15);
/// The company on the boletos and PIX codes (the example config's CNPJ).
const CNPJ_EMPRESA: &str = "11222333000181";

fn main() {
    if let Err(error) = run() {
        eprintln!("arranque: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    // reqwest is built without a default crypto provider; plain HTTP still needs one installed to build a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).context(|| format!("creating {}", dir.display()))?;
    let seed = seed(&dir)?;

    let mut linhas = Vec::new();
    linhas.push(cenario("empty", &dir, None, Frio::Nao)?);
    linhas.push(cenario("100k warm", &dir, Some(&seed), Frio::Nao)?);
    match esfriar() {
        Ok(()) => linhas.push(cenario("100k cold", &dir, Some(&seed), Frio::Sim)?),
        Err(error) => println!("cold: skipped (needs root to drop the page cache): {error}"),
    }
    imprimir(&linhas);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// The seed.

/// Where the seed and the runs' directories live: `bench-arranque` in cargo's target directory (the binary is
/// `<target>/release/borda`). On the target's disk, not tmpfs, so that dropping the page cache makes a run cold.
fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_borda"))
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("bench-arranque")
}

/// The seed database, built unless a complete one of this build's schema version is already there.
fn seed(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join(SEED);
    let esperada = versao_do_esquema(dir)?;
    if path.exists() {
        match versao_do_arquivo(&path) {
            Ok(versao) if versao == esperada => {
                println!("seed: reused {} ({})", path.display(), megabytes(&path)?);
                return Ok(path);
            }
            Ok(versao) => println!("seed: schema version {versao}, this build writes {esperada}: rebuilding"),
            Err(error) => println!("seed: unreadable ({error}): rebuilding"),
        }
        std::fs::remove_file(&path).context(|| format!("removing the old seed {}", path.display()))?;
    }
    construir_seed(dir, &path)?;
    Ok(path)
}

/// The `user_version` a database freshly opened by this build's [`Store`] has.
fn versao_do_esquema(dir: &Path) -> Result<u32, String> {
    let tmp = tempfile::Builder::new()
        .prefix("versao-")
        .tempdir_in(dir)
        .context(|| "creating a temp dir".to_owned())?;
    let path = tmp.path().join("versao.db");
    drop(Store::open(&path).context(|| "opening an empty store".to_owned())?);
    let conn = rusqlite::Connection::open(&path).context(|| "reopening the empty store".to_owned())?;
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .context(|| "reading user_version".to_owned())
}

/// The `user_version` in the header of the database file at `path` (big-endian at byte 60), read without opening it
/// with SQLite so that the seed is never touched. Right for the seed, whose WAL is checkpointed before it is copied.
fn versao_do_arquivo(path: &Path) -> Result<u32, String> {
    let mut header = [0u8; 100];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .context(|| format!("reading the header of {}", path.display()))?;
    if !header.starts_with(b"SQLite format 3\0") {
        return Err("not an SQLite database".to_owned());
    }
    let versao: [u8; 4] = header[60..64].try_into().expect("4 bytes");
    Ok(u32::from_be_bytes(versao))
}

/// Writes the seed through the store's public API on tmpfs when there is one, closes the store (which checkpoints
/// the WAL into the main file), and copies the file to `path`, through a temporary name so that a seed left
/// half-built by an interrupted run is never taken for a complete one.
fn construir_seed(dir: &Path, path: &Path) -> Result<(), String> {
    let shm = Path::new("/dev/shm");
    let rascunho = tempfile::Builder::new()
        .prefix("borda-seed-")
        .tempdir_in(if shm.is_dir() { shm } else { dir })
        .context(|| "creating the seed's temp dir".to_owned())?;
    let db = rascunho.path().join("borda.db");
    println!(
        "seed: building {CLIENTES} clientes, {} faturas in {}",
        CLIENTES * FATURAS_POR_CLIENTE,
        db.display()
    );
    let started = Instant::now();
    let store = Store::open(&db).context(|| format!("opening {}", db.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context(|| "building the tokio runtime".to_owned())?;
    let em = Utc::now();
    runtime.block_on(async {
        for inicio in (0..CLIENTES).step_by(LOTE as usize) {
            let mut tarefas = tokio::task::JoinSet::new();
            for n in inicio..(inicio + LOTE).min(CLIENTES) {
                let store = store.clone();
                tarefas.spawn(async move { salvar(&store, n, em).await });
            }
            while let Some(tarefa) = tarefas.join_next().await {
                tarefa.context(|| "a seed task".to_owned())??;
            }
        }
        Ok::<(), String>(())
    })?;
    drop(store);
    drop(runtime);
    // The store thread ends with its last handle, and closing its connection checkpoints the WAL and removes it.
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let deadline = Instant::now() + Duration::from_secs(30);
    while wal.exists() {
        if Instant::now() > deadline {
            return Err(format!("the store did not checkpoint and remove {}", wal.display()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let construido = started.elapsed();
    let parcial = dir.join(format!("{SEED}.partial"));
    std::fs::copy(&db, &parcial).context(|| format!("copying the seed to {}", parcial.display()))?;
    std::fs::rename(&parcial, path).context(|| format!("renaming the seed to {}", path.display()))?;
    println!(
        "seed: built in {:.1} s, {} ({})",
        construido.as_secs_f64(),
        path.display(),
        megabytes(path)?
    );
    Ok(())
}

/// Writes cliente `n`, then its open faturas as one list fetch, as the read-through does.
async fn salvar(store: &Store, n: u32, em: DateTime<Utc>) -> Result<(), String> {
    let cliente = cliente(n);
    let documento = cliente.documento.clone();
    let faturas = (0..FATURAS_POR_CLIENTE)
        .map(|k| fatura(&cliente, n * FATURAS_POR_CLIENTE + k, k))
        .collect::<Result<Vec<_>, String>>()?;
    store
        .salvar_cliente(cliente, em)
        .await
        .context(|| format!("salvar_cliente {n}"))?;
    store
        .salvar_faturas(&documento, None, faturas, em)
        .await
        .context(|| format!("salvar_faturas {n}"))
}

/// A valid CPF, different for every `n` below [`CLIENTES`], and not in `n`'s order (as a real cache fills).
fn cpf(n: u32) -> Result<String, String> {
    // 3^18 is coprime with 8 * 10^8, so n -> n * 3^18 mod 8 * 10^8 is one-to-one: nine-digit bases from 100000000.
    let base = 100_000_000 + (u64::from(n) * 387_420_489) % 800_000_000;
    let mut digitos: Vec<u32> = base.to_string().bytes().map(|b| u32::from(b - b'0')).collect();
    for _ in 0..2 {
        // Receita Federal: weights len+1 down to 2; a remainder below 2 gives 0, else 11 minus it.
        let pesos = (2..=digitos.len() as u32 + 1).rev();
        let resto = digitos.iter().zip(pesos).map(|(d, p)| d * p).sum::<u32>() % 11;
        digitos.push(if resto < 2 { 0 } else { 11 - resto });
    }
    let cpf: String = digitos.iter().map(u32::to_string).collect();
    documento::parse(&cpf).map_err(|error| format!("computed CPF {cpf} is invalid: {error}"))?;
    Ok(cpf)
}

const NOMES: &[&str] = &[
    "Maria",
    "José",
    "Ana",
    "João",
    "Francisca",
    "Antônio",
    "Adriana",
    "Carlos",
    "Juliana",
];
const SOBRENOMES: &[&str] = &[
    "da Silva",
    "dos Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
];
const CIDADES: &[(&str, &str)] = &[
    ("Recife", "PE"),
    ("Olinda", "PE"),
    ("Caruaru", "PE"),
    ("João Pessoa", "PB"),
];

fn pick<T: Copy>(lista: &[T], n: u32) -> T {
    lista[n as usize % lista.len()]
}

fn cliente(n: u32) -> Cliente {
    let nome = format!("{} {}", pick(NOMES, n), pick(SOBRENOMES, n / 7));
    let (cidade, uf) = pick(CIDADES, n / 3);
    Cliente {
        documento: cpf(n).expect("a valid CPF"),
        id: Some((100_000 + n).to_string()),
        email: Some(format!("cliente{n}@example.com")),
        telefone: Some(format!("(81) 9{:04}-{:04}", n % 10_000, (n * 7) % 10_000)),
        nome,
        nome_fantasia: None,
        ativo: Some(true),
        id_contrato: Some((200_000 + n).to_string()),
        endereco: Endereco {
            logradouro: Some(format!("Rua {}", pick(SOBRENOMES, n / 5))),
            numero: Some((n % 2000 + 1).to_string()),
            complemento: n.is_multiple_of(4).then(|| format!("Apto {}", n % 300 + 101)),
            bairro: Some("Boa Vista".to_owned()),
            cidade: Some(cidade.to_owned()),
            uf: Some(uf.to_owned()),
            cep: Some(format!("50{:06}", n % 1_000_000)),
        },
    }
}

/// The `k`-th open fatura (id `1000000 + numero`) of `cliente`: last month's, overdue with multa and juros, then this
/// month's; each with a valid bancário barcode and linha and a valid PIX copia-e-cola.
fn fatura(cliente: &Cliente, numero: u32, k: u32) -> Result<Fatura, String> {
    let id = (1_000_000 + numero).to_string();
    let mensal = 9_990 + i64::from(numero % 5) * 2_000;
    let (multa, juros) = if k == 0 { (mensal / 50, 33) } else { (0, 0) };
    let valor = Centavos::new(mensal + multa + juros);
    let emissao = NaiveDate::from_ymd_opt(2026, 5, 25)
        .and_then(|dia| dia.checked_add_months(Months::new(k)))
        .expect("a date");
    let vencimento = emissao + chrono::Days::new(16);
    let campo_livre = format!("1234{:02}{numero:011}{:07}0", 9, 765_432);
    let barras = boleto::codigo_barras_bancario("237", Some(vencimento), Some(valor), &campo_livre)
        .map_err(|error| format!("barcode of fatura {id}: {error}"))?;
    let linha = boleto::decode(&barras, emissao)
        .map_err(|error| format!("linha of fatura {id}: {error}"))?
        .linha_digitavel;
    let pix = pix::encode(&pix::CobrancaEstatica {
        chave: CNPJ_EMPRESA.to_owned(),
        nome: "Provedor Exemplo".to_owned(),
        cidade: "Recife".to_owned(),
        valor: Some(valor),
        txid: Some(format!("FAT{id}")),
        descricao: None,
    })
    .map_err(|error| format!("PIX code of fatura {id}: {error}"))?;
    Ok(Fatura {
        code_fatura: Some(format!("FAT-{id}")),
        documento: cliente.documento.clone(),
        nome_cliente: Some(cliente.nome.clone()),
        id_cliente: cliente.id.clone(),
        valor_inicial: Some(Centavos::new(mensal)),
        valor_atual: valor,
        juros: (juros > 0).then_some(Centavos::new(juros)),
        multa: (multa > 0).then_some(Centavos::new(multa)),
        desconto: None,
        emissao: Some(emissao),
        vencimento: Some(vencimento),
        historico: Some(format!("Mensalidade Internet 300 Mega {}", vencimento.format("%m/%Y"))),
        banco: Some("237".to_owned()),
        linha_digitavel: Some(linha),
        codigo_barras: Some(barras),
        pix_code: Some(pix),
        identifier: Some("carteira-237".to_owned()),
        integration_id: None,
        contrato: cliente.id_contrato.clone(),
        bill_receipt: None,
        bill_pix_receipt: None,
        link_boleto: Some(format!("https://erp.example.com/boletos/{id}.pdf")),
        id,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The runs.

#[derive(Clone, Copy, PartialEq)]
enum Frio {
    Sim,
    Nao,
}

/// One run's times, from just before the spawn.
struct Medida {
    ready: Duration,
    healthz: Duration,
    integridade: Duration,
    /// What `/readyz` reported once the check was done: `ok` or SQLite's report.
    resultado: String,
}

/// One line of the table.
struct Linha {
    nome: &'static str,
    medidas: Vec<Medida>,
}

/// [`RUNS`] timed runs of one scenario; a warm one starts with an untimed run.
fn cenario(nome: &'static str, dir: &Path, seed: Option<&Path>, frio: Frio) -> Result<Linha, String> {
    if frio == Frio::Nao {
        medir(dir, seed, frio).context(|| format!("{nome}: untimed warm-up run"))?;
    }
    let medidas = (1..=RUNS)
        .map(|run| medir(dir, seed, frio).context(|| format!("{nome}: run {run}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Linha { nome, medidas })
}

/// Syncs, then drops the page cache; an error when that is not allowed (not root).
fn esfriar() -> Result<(), String> {
    let sync = Command::new("sync").status().context(|| "running sync".to_owned())?;
    if !sync.success() {
        return Err(format!("sync: {sync}"));
    }
    std::fs::write("/proc/sys/vm/drop_caches", "3").context(|| "writing /proc/sys/vm/drop_caches".to_owned())
}

/// One run in a fresh directory, which goes when it returns; on failure the error ends with the daemon's log.
fn medir(dir: &Path, seed: Option<&Path>, frio: Frio) -> Result<Medida, String> {
    let run = tempfile::Builder::new()
        .prefix("run-")
        .tempdir_in(dir)
        .context(|| format!("creating a run directory in {}", dir.display()))?;
    let log = run.path().join("borda.log");
    medir_em(run.path(), &log, seed, frio).map_err(|error| format!("{error}\n{}", cauda(&log)))
}

fn medir_em(dir: &Path, log: &Path, seed: Option<&Path>, frio: Frio) -> Result<Medida, String> {
    let db = dir.join("borda.db");
    if let Some(seed) = seed {
        std::fs::copy(seed, &db).context(|| format!("copying the seed to {}", db.display()))?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .context(|| "finding a free port".to_owned())?
        .port();
    let config = dir.join("borda.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nlisten = \"127.0.0.1:{port}\"\n[store]\npath = '{}'\n[erp]\nbase_url = \"http://127.0.0.1:9/\"\n",
            db.display()
        ),
    )
    .context(|| format!("writing {}", config.display()))?;
    let notify = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&notify).context(|| format!("binding {}", notify.display()))?;
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .context(|| "setting the socket's timeout".to_owned())?;
    let saida = File::create(log).context(|| format!("creating {}", log.display()))?;
    let erros = saida.try_clone().context(|| "duplicating the log file".to_owned())?;
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_millis(50))
        .timeout(Duration::from_secs(10))
        .build()
        .context(|| "building the HTTP client".to_owned())?;
    let base = format!("http://127.0.0.1:{port}");
    if frio == Frio::Sim {
        esfriar()?;
    }

    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_borda"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .env("NOTIFY_SOCKET", &notify)
        .env("BORDA_LOG", "info")
        // Plain text in the log file, for a failed run's message.
        .env("NO_COLOR", "1")
        .env_remove("JOURNAL_STREAM")
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .stdin(Stdio::null())
        .stdout(saida)
        .stderr(erros)
        .spawn()
        .context(|| format!("spawning {}", env!("CARGO_BIN_EXE_borda")))?;
    let mut daemon = Daemon(child);
    let desistir = AtomicBool::new(false);
    let (ready, medidas) = std::thread::scope(|scope| {
        let ready = scope.spawn(|| esperar_ready(&socket, start, &desistir));
        let medidas = esperar_respostas(&http, &base, &mut daemon, start);
        if medidas.is_err() {
            desistir.store(true, Ordering::Relaxed);
        }
        (ready.join(), medidas)
    });
    let (healthz, integridade, resultado) = medidas?;
    let ready = ready.map_err(|_| "the READY=1 reader panicked".to_owned())??;
    daemon.parar()?;
    Ok(Medida {
        ready,
        healthz,
        integridade,
        resultado,
    })
}

/// Reads the notify socket until `READY=1`; the time it arrived, from `start`.
fn esperar_ready(socket: &UnixDatagram, start: Instant, desistir: &AtomicBool) -> Result<Duration, String> {
    let mut buffer = [0u8; 4096];
    loop {
        if desistir.load(Ordering::Relaxed) {
            return Err("no READY=1 (the run failed first)".to_owned());
        }
        if start.elapsed() > LIMITE {
            return Err(format!("no READY=1 within {LIMITE:?}"));
        }
        // A timeout is an error here too; the loop checks the deadline and reads again.
        if let Ok(n) = socket.recv(&mut buffer) {
            let chegou = start.elapsed();
            if String::from_utf8_lossy(&buffer[..n])
                .lines()
                .any(|line| line == "READY=1")
            {
                return Ok(chegou);
            }
        }
    }
}

/// Polls `/healthz` until 200, then `/readyz` until the integrity check is done: both times from `start`, and what
/// the check reported.
fn esperar_respostas(
    http: &reqwest::blocking::Client,
    base: &str,
    daemon: &mut Daemon,
    start: Instant,
) -> Result<(Duration, Duration, String), String> {
    let healthz = loop {
        daemon.vivo(start)?;
        if http
            .get(format!("{base}/healthz"))
            .send()
            .is_ok_and(|response| response.status() == reqwest::StatusCode::OK)
        {
            break start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    loop {
        daemon.vivo(start)?;
        let response = http
            .get(format!("{base}/readyz"))
            .send()
            .context(|| "GET /readyz".to_owned())?;
        let chegou = start.elapsed();
        let status = response.status();
        let ready: serde_json::Value = response.json().context(|| format!("GET /readyz ({status})"))?;
        match ready.get("integridade").and_then(serde_json::Value::as_str) {
            Some("verificando") => std::thread::sleep(Duration::from_millis(10)),
            Some(resultado) => return Ok((healthz, chegou, resultado.to_owned())),
            None => return Err(format!("/readyz answered {status} without integridade: {ready}")),
        }
    }
}

/// The spawned `borda serve`; killed if a failed run leaves it running.
struct Daemon(Child);

impl Daemon {
    /// An error when the daemon has exited or `start` is [`LIMITE`] ago.
    fn vivo(&mut self, start: Instant) -> Result<(), String> {
        if let Some(status) = self.0.try_wait().context(|| "waiting for borda serve".to_owned())? {
            return Err(format!("borda serve exited while starting: {status}"));
        }
        if start.elapsed() > LIMITE {
            return Err(format!("borda serve did not finish starting within {LIMITE:?}"));
        }
        Ok(())
    }

    /// SIGTERM, as systemd stops it; an error unless it exits 0 in time.
    fn parar(&mut self) -> Result<(), String> {
        let pid = self.0.id().to_string();
        let kill = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .context(|| "running kill".to_owned())?;
        if !kill.success() {
            return Err(format!("kill -TERM {pid}: {kill}"));
        }
        let deadline = Instant::now() + LIMITE_PARADA;
        let status: ExitStatus = loop {
            if let Some(status) = self.0.try_wait().context(|| "waiting for borda serve".to_owned())? {
                break status;
            }
            if Instant::now() > deadline {
                return Err(format!("borda serve did not exit within {LIMITE_PARADA:?} of SIGTERM"));
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if !status.success() {
            return Err(format!("borda serve did not exit cleanly on SIGTERM: {status}"));
        }
        Ok(())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting.

fn imprimir(linhas: &[Linha]) {
    println!();
    println!("borda serve start-up, ms from spawn (min / median / max); ERP down");
    println!(
        "{:<10} {:>4}  {:^22}  {:^22}  {:^22}  integridade",
        "scenario", "runs", "READY=1", "GET /healthz 200", "integrity check done"
    );
    for linha in linhas {
        let tempos = |campo: fn(&Medida) -> Duration| {
            let mut tempos: Vec<Duration> = linha.medidas.iter().map(campo).collect();
            tempos.sort();
            format!(
                "{:>6.1} / {:>6.1} / {:>6.1}",
                ms(tempos[0]),
                ms(tempos[tempos.len() / 2]),
                ms(tempos[tempos.len() - 1])
            )
        };
        let mut resultados: Vec<&str> = linha.medidas.iter().map(|m| m.resultado.as_str()).collect();
        resultados.sort_unstable();
        resultados.dedup();
        println!(
            "{:<10} {:>4}  {}  {}  {}  {}",
            linha.nome,
            linha.medidas.len(),
            tempos(|m| m.ready),
            tempos(|m| m.healthz),
            tempos(|m| m.integridade),
            resultados.join(" | ")
        );
    }
    let frio = linhas.iter().find(|linha| linha.nome == "100k cold");
    match frio.and_then(|linha| linha.medidas.iter().map(|m| m.ready).max()) {
        Some(pior) => println!(
            "target: READY ≤ {} ms cold; worst cold run {:.1} ms: {}",
            META_READY.as_millis(),
            ms(pior),
            if pior <= META_READY { "met" } else { "NOT met" }
        ),
        None => println!("target: READY ≤ {} ms cold (not measured)", META_READY.as_millis()),
    }
}

fn ms(tempo: Duration) -> f64 {
    tempo.as_secs_f64() * 1000.0
}

fn megabytes(path: &Path) -> Result<String, String> {
    let bytes = std::fs::metadata(path)
        .context(|| format!("reading the size of {}", path.display()))?
        .len();
    Ok(format!("{:.1} MB, {bytes} bytes", bytes as f64 / 1e6))
}

/// The last lines of the daemon's log, for a failed run's message.
fn cauda(log: &Path) -> String {
    match std::fs::read_to_string(log) {
        Ok(texto) => {
            let linhas: Vec<&str> = texto.lines().collect();
            let inicio = linhas.len().saturating_sub(30);
            format!(
                "--- last lines of {} ---\n{}",
                log.display(),
                linhas[inicio..].join("\n")
            )
        }
        Err(error) => format!("(no daemon log at {}: {error})", log.display()),
    }
}

/// `Result::map_err` with a description of what failed.
trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, String>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, String> {
        self.map_err(|error| format!("{}: {error}", what()))
    }
}
