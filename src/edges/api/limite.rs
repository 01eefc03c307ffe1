//! A per-client limit on the customers looked up: at most `api.documentos_por_minuto` different CPFs/CNPJs a minute
//! on `/v1/clientes/{documento}…`, so a compromised page on the kiosk cannot walk the ISP's customer base. Polling one
//! customer again and again is never limited; the next different one past the limit is a 429 with `Retry-After`.
//! Clients are told apart by their address; documents are kept normalised, in memory, for the minute only.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::Problem;

/// The window the limit counts in.
const JANELA: Duration = Duration::from_secs(60);

/// The documents each client looked up in its current window.
#[derive(Debug)]
pub struct LimiteDocumentos {
    por_minuto: usize,
    janelas: Mutex<HashMap<IpAddr, Janela>>,
}

#[derive(Debug)]
struct Janela {
    inicio: Instant,
    documentos: HashSet<String>,
}

impl LimiteDocumentos {
    /// At most `por_minuto` different documents a minute per client; 0: no limit.
    pub fn new(por_minuto: usize) -> LimiteDocumentos {
        LimiteDocumentos {
            por_minuto,
            janelas: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `cliente` may look `documento` up at `agora`; else how long until it may.
    fn permitir(&self, cliente: IpAddr, documento: &str, agora: Instant) -> Result<(), Duration> {
        if self.por_minuto == 0 {
            return Ok(());
        }
        let mut janelas = self.janelas.lock().unwrap_or_else(PoisonError::into_inner);
        let vencida = |janela: &Janela| agora.duration_since(janela.inicio) >= JANELA;
        // The kiosk's polling lands here: one lookup, nothing written.
        if let Some(janela) = janelas.get(&cliente)
            && !vencida(janela)
            && janela.documentos.contains(documento)
        {
            return Ok(());
        }
        // Only when a window starts do the expired ones go, so the map holds the clients of the last minute.
        if janelas.get(&cliente).is_none_or(vencida) {
            janelas.retain(|_, janela| !vencida(janela));
        }
        let janela = janelas.entry(cliente).or_insert_with(|| Janela {
            inicio: agora,
            documentos: HashSet::new(),
        });
        if janela.documentos.len() >= self.por_minuto {
            return Err(JANELA.saturating_sub(agora.duration_since(janela.inicio)));
        }
        janela.documentos.insert(documento.to_owned());
        Ok(())
    }
}

/// The middleware: applies the limit to `/v1/clientes/{documento}…` and to `/v1/notas-fiscais/…?documento=`; a
/// document that does not parse is left to the handler's 422.
pub async fn limitar(State(limite): State<std::sync::Arc<LimiteDocumentos>>, request: Request, next: Next) -> Response {
    let documento = documento_consultado(request.uri()).and_then(|texto| {
        let texto = percent_encoding::percent_decode_str(texto).decode_utf8_lossy();
        crate::domain::documento::parse(&texto).ok()
    });
    if let Some(documento) = documento {
        let cliente = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        if let Err(espera) = limite.permitir(cliente, documento.numero(), Instant::now()) {
            tracing::warn!(%cliente, "too many different customers looked up; refused for now");
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "consultas_demais",
                "Muitos clientes diferentes consultados em pouco tempo. Aguarde um minuto.",
            )
            .into_response();
            let segundos = espera.as_secs().max(1);
            if let Ok(valor) = HeaderValue::from_str(&segundos.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, valor);
            }
            return response;
        }
    }
    next.run(request).await
}

/// The customer a request looks up, still percent-encoded: the path segment after `/v1/clientes/`, or the
/// `documento` of the query of a nota's PDF.
fn documento_consultado(uri: &axum::http::Uri) -> Option<&str> {
    let path = uri.path();
    if let Some(resto) = path.strip_prefix("/v1/clientes/") {
        return resto.split('/').next();
    }
    if path.starts_with("/v1/notas-fiscais/") {
        return uri.query()?.split('&').find_map(|par| par.strip_prefix("documento="));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_documents_are_counted_per_client_and_window() {
        let limite = LimiteDocumentos::new(2);
        let (a, b) = (IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
        let t0 = Instant::now();
        assert!(limite.permitir(a, "1", t0).is_ok());
        assert!(limite.permitir(a, "2", t0).is_ok());
        assert!(limite.permitir(a, "1", t0).is_ok(), "the same customer again");
        let espera = limite.permitir(a, "3", t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(espera, Duration::from_secs(40));
        assert!(limite.permitir(b, "3", t0).is_ok(), "another client");
        assert!(limite.permitir(a, "3", t0 + JANELA).is_ok(), "a new window");
        assert!(LimiteDocumentos::new(0).permitir(a, "9", t0).is_ok());
    }

    #[test]
    fn the_customer_of_a_request_is_in_its_path_or_a_notas_query() {
        let de = |uri: &str| documento_consultado(&uri.parse().unwrap()).map(str::to_owned);
        assert_eq!(
            de("/v1/clientes/529.982.247-25/servicos").as_deref(),
            Some("529.982.247-25")
        );
        assert_eq!(de("/v1/clientes/52998224725").as_deref(), Some("52998224725"));
        assert_eq!(
            de("/v1/notas-fiscais/NF-1.pdf?x=1&documento=52998224725").as_deref(),
            Some("52998224725")
        );
        assert_eq!(de("/v1/notas-fiscais/NF-1.pdf"), None);
        assert_eq!(de("/v1/faturas/1?documento=52998224725"), None);
    }
}
