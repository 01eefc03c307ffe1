//! The HTTP/1.1 server under the API: our own accept loop on hyper, so a
//! hostile or broken client cannot hold the edge.
//!
//! `axum::serve` never times a connection out: partial headers, an idle
//! keep-alive or a stalled reader stayed open forever, and a few hundred of
//! them exhausted the file descriptors until `/healthz` and the baixa POST
//! timed out. Here every connection is bounded:
//!
//! - **headers** must arrive within `api.header_timeout_secs` (hyper's
//!   `header_read_timeout`, which also runs while a keep-alive connection
//!   waits for its next request);
//! - **no progress**: a connection without a request in a handler and without
//!   a byte read or written for `api.idle_timeout_secs` is closed (an idle
//!   keep-alive, or a client that stopped reading its response);
//! - **bodies** must arrive within `api.body_timeout_secs`, or the request is
//!   answered 408 (see [`crate::edges::api::ApiJson`], which reads them);
//! - **connections** are capped at `api.max_connections` (a [`Semaphore`]).
//!   When the cap is reached the next connection is still accepted and the
//!   connection that has been idle the longest (no request in a handler) is
//!   closed to make room. Answering the newcomer 503 instead would let whoever
//!   holds the most sockets lock the kiosk out of `/healthz` and the baixa
//!   POST; evicting the oldest idle one keeps them answering while hundreds
//!   of idle sockets are held, and only costs an idle client a reconnect.
//!   When every connection has a request in a handler, accepting waits for
//!   one to finish (those requests are bounded by the timeouts above).
//!
//! `accept` errors (EMFILE, ENFILE, ECONNABORTED…) are logged and retried
//! after a short pause instead of spinning. On shutdown the loop stops
//! accepting, idle connections close at once and requests in flight finish.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};

use crate::config::ApiConfig;

/// Pause after a failed `accept` (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The connection limits, from `[api]`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn from_config(api: &ApiConfig) -> Self {
        Limits {
            header_timeout: Duration::from_secs(api.header_timeout_secs),
            idle_timeout: Duration::from_secs(api.idle_timeout_secs),
            max_connections: api.max_connections.max(1),
        }
    }
}

/// What one open connection shares with the accept loop.
struct Activity {
    /// Milliseconds since [`Registry::epoch`] of the last byte read or written,
    /// or of the last handler finishing.
    last: AtomicU64,
    /// Requests inside a handler right now.
    in_flight: AtomicUsize,
    /// Closes the connection at once (eviction).
    evict: Notify,
}

/// The open connections, to find the one idle the longest.
struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Registry {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn add(&self) -> (u64, Arc<Activity>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity {
            last: AtomicU64::new(self.now()),
            in_flight: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        self.lock().insert(id, activity.clone());
        (id, activity)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes the connection idle the longest; false when every one is busy.
    fn evict_oldest_idle(&self) -> bool {
        let open = self.lock();
        let oldest = open
            .values()
            .filter(|activity| activity.in_flight.load(Ordering::Acquire) == 0)
            .min_by_key(|activity| activity.last.load(Ordering::Acquire));
        match oldest {
            Some(activity) => {
                activity.evict.notify_one();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Serves `app` on `listener` until `stopped` turns true, then waits for the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    let registry = Arc::new(Registry {
        epoch: Instant::now(),
        next_id: AtomicU64::new(0),
        open: Mutex::new(HashMap::new()),
    });
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "accept failed; pausing");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = until(&mut stopped) => break,
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !registry.evict_oldest_idle() {
                    tracing::warn!(
                        limit = limits.max_connections,
                        "every connection is busy; waiting for one"
                    );
                }
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = until(&mut stopped) => break,
                }
            }
        };
        tokio::spawn(connection(
            stream,
            app.clone(),
            limits,
            registry.clone(),
            stopped.clone(),
            permit,
        ));
    }
    drop(listener);
    // Every connection gives its permit back when it ends.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// Resolves once `stopped` turns true (or its sender is gone).
async fn until(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// One connection, from accept to close.
async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    registry: Arc<Registry>,
    mut stopped: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    // Who is asking, for the per-client limits (`ConnectInfo`, as axum's own server provides it).
    let peer = stream.peer_addr().ok();
    let (id, activity) = registry.add();
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
        registry: registry.clone(),
    });
    let service = {
        let activity = activity.clone();
        let registry = registry.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let busy = Busy::start(activity.clone(), registry.clone());
            let mut app = app.clone();
            let mut request = request.map(Body::new);
            if let Some(peer) = peer {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            }
            async move {
                let response: Result<Response, Infallible> = tower_service::Service::call(&mut app, request).await;
                drop(busy);
                response
            }
        })
    };
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(served);
    let mut draining = false;
    loop {
        let idle_since = activity.last.load(Ordering::Acquire);
        let idle_for = Duration::from_millis(registry.now().saturating_sub(idle_since));
        let wake = limits.idle_timeout.saturating_sub(idle_for);
        tokio::select! {
            result = served.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                break;
            }
            () = until(&mut stopped), if !draining => {
                served.as_mut().graceful_shutdown();
                draining = true;
            }
            () = activity.evict.notified() => {
                tracing::debug!("closing the connection idle the longest: connection limit reached");
                break;
            }
            () = tokio::time::sleep(wake) => {
                let quiet = registry.now().saturating_sub(activity.last.load(Ordering::Acquire));
                if activity.in_flight.load(Ordering::Acquire) == 0
                    && Duration::from_millis(quiet) >= limits.idle_timeout
                {
                    tracing::debug!("closing a connection without progress");
                    break;
                }
                if activity.in_flight.load(Ordering::Acquire) > 0 {
                    // A handler is working: look again one full period later.
                    activity.last.store(registry.now(), Ordering::Release);
                }
            }
        }
    }
    registry.remove(id);
}

/// Marks a request as inside a handler while alive.
struct Busy {
    activity: Arc<Activity>,
    registry: Arc<Registry>,
}

impl Busy {
    fn start(activity: Arc<Activity>, registry: Arc<Registry>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy { activity, registry }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.activity.last.store(self.registry.now(), Ordering::Release);
        self.activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A socket that records when bytes last moved.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
    registry: Arc<Registry>,
}

impl Tracked {
    fn touch(&self) {
        self.activity.last.store(self.registry.now(), Ordering::Release);
    }
}

impl AsyncRead for Tracked {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, bytes);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            this.touch();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            this.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
