//! The demo servers' gate: a listener and connections that refuse, reset or fail as their server says, so that a
//! client sees a link go down (refused connections, pooled keep-alive connections reset, a cable pulled) as it
//! would on a real network. Shared by the demo ERP and the demo retaguarda.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// What a demo server tells its gate.
pub(super) trait Portao: Send + Sync + 'static {
    /// Whether it refuses connections now: new ones are dropped, open ones reset at their next read.
    fn recusando(&self) -> bool;
    /// Whether it is stopping: open connections fail every read and write, as when a cable is pulled.
    fn parando(&self) -> bool {
        false
    }
    /// Counts a refused connection as a request.
    fn contar(&self);
}

/// The listener: accepts connections unless the server refuses them.
pub(super) struct GatedListener<P> {
    pub(super) tcp: TcpListener,
    pub(super) portao: Arc<P>,
}

impl<P: Portao> axum::serve::Listener for GatedListener<P> {
    type Io = GatedStream<P>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (GatedStream<P>, SocketAddr) {
        loop {
            match self.tcp.accept().await {
                Ok((stream, _)) if self.portao.recusando() || self.portao.parando() => {
                    self.portao.contar();
                    drop(stream);
                }
                Ok((stream, peer)) => {
                    return (
                        GatedStream {
                            stream,
                            portao: Arc::clone(&self.portao),
                        },
                        peer,
                    );
                }
                Err(error) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::debug!(%error, "demo server accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// An accepted connection, reset or failed as the gate says.
pub(super) struct GatedStream<P> {
    stream: TcpStream,
    portao: Arc<P>,
}

fn reset<T>() -> Poll<io::Result<T>> {
    Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
}

impl<P: Portao> AsyncRead for GatedStream<P> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.portao.parando() {
            return reset();
        }
        if self.portao.recusando() {
            self.portao.contar();
            return reset();
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<P: Portao> AsyncWrite for GatedStream<P> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.portao.parando() {
            return reset();
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.portao.parando() {
            return reset();
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// How long [`Servidor::parar`] waits for the server's task before aborting it.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A demo server running on its own task behind a [`GatedListener`].
#[derive(Debug)]
pub(super) struct Servidor {
    addr: SocketAddr,
    nome: &'static str,
    stop_tx: oneshot::Sender<()>,
    /// Set when stopping, so that held requests end instead of delaying the shutdown and open connections fail.
    stopping: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Servidor {
    /// Serves `router` on `tcp` behind `portao`; `stopping` is the sender of the flag the server's handlers watch.
    pub(super) fn servir<P: Portao>(
        nome: &'static str,
        tcp: TcpListener,
        router: Router,
        portao: Arc<P>,
        stopping: watch::Sender<bool>,
    ) -> io::Result<Servidor> {
        let addr = tcp.local_addr()?;
        let (stop_tx, stopped) = oneshot::channel::<()>();
        let listener = GatedListener { tcp, portao };
        let server = axum::serve(listener, router).with_graceful_shutdown(async {
            // A dropped sender also stops the server.
            let _ = stopped.await;
        });
        let task = tokio::spawn(async move {
            if let Err(error) = server.await {
                tracing::warn!(%error, server = nome, "demo server stopped with an error");
            }
        });
        tracing::info!(%addr, server = nome, "demo server listening");
        Ok(Servidor {
            addr,
            nome,
            stop_tx,
            stopping,
            task,
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it: held requests are let go at once, the rest get [`STOP_GRACE`] to finish, then the listener is closed
    /// and the port freed.
    pub(super) async fn parar(self) {
        let Servidor {
            addr,
            nome,
            stop_tx,
            stopping,
            mut task,
        } = self;
        stopping.send_replace(true);
        let _ = stop_tx.send(());
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            task.abort();
            let _ = task.await;
        }
        tracing::info!(%addr, server = nome, "demo server stopped");
    }
}
