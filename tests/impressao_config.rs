//! `borda config check` covers `[[impressoras]]`: a file with valid printers passes, a repeated name, an unparsable
//! or serial connection and an unknown model are refused (exit 2) naming the printer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{borda, borda_ok};

const ERP: &str = "[erp]\nbase_url = \"https://erp.example.com\"\n";

fn impressora(nome: &str, conexao: &str, modelo: &str) -> String {
    format!("[[impressoras]]\nnome = \"{nome}\"\nconexao = \"{conexao}\"\nmodelo = \"{modelo}\"\n")
}

#[test]
fn config_check_validates_the_printers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let check = |texto: String| {
        std::fs::write(&path, texto).unwrap();
        borda(&["config", "check", path.to_str().unwrap()])
    };
    std::fs::write(
        &path,
        format!(
            "{ERP}{}{}",
            impressora("principal", "tcp://192.168.0.50:9100", "epson-tm-t20"),
            impressora("balcao", "file:///var/spool/borda/balcao.bin", "generico-58mm")
        ),
    )
    .unwrap();
    borda_ok(&["config", "check", path.to_str().unwrap()]);

    let casos = [
        (
            format!(
                "{ERP}{}{}",
                impressora("a", "tcp://h:9100", "elgin-i9"),
                impressora("a", "tcp://h:9101", "elgin-i9")
            ),
            "impressora 2 (\"a\"): nome repetido",
        ),
        (
            format!("{ERP}{}", impressora("a", "/dev/usb/lp0", "elgin-i9")),
            "conexao inválida",
        ),
        (
            format!("{ERP}{}", impressora("a", "serial:///dev/ttyS0?baud=9600", "elgin-i9")),
            "serial não suportada nesta versão",
        ),
        (
            format!("{ERP}{}", impressora("a", "tcp://h", "daruma-dr800")),
            "modelo desconhecido",
        ),
    ];
    for (texto, esperado) in casos {
        let output = check(texto);
        assert_eq!(output.status.code(), Some(2), "{esperado}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("impressoras") && stderr.contains(esperado), "{stderr}");
    }
}
