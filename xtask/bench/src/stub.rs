//! A minimal in-process HTTP/1.1 server on 127.0.0.1 that answers every request with one fixed JSON
//! body (figure 1's "server does nothing" side). It runs on its own thread and current-thread
//! runtime so the client under test has the other core to itself.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::Result;

/// A running stub; [`Stub::stop`] ends its thread.
pub(crate) struct Stub {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl Stub {
    /// Binds 127.0.0.1 on a free port and serves `body` (as `application/json`) to every request.
    pub(crate) fn start(body: &'static [u8]) -> Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("stub: cannot bind: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("stub: {e}"))?;
        let addr = listener.local_addr().map_err(|e| format!("stub: {e}"))?;
        let runtime = crate::runtime(1)?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                    tokio::select! {
                        () = accept_loop(listener, body) => {}
                        _ = stopped => {}
                    }
                }
            });
        });
        Ok(Self { addr, stop, thread })
    }

    /// Stops the server and joins its thread.
    pub(crate) fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, body: &'static [u8]) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = service_fn(move |_request: Request<hyper::body::Incoming>| async move {
                let response = Response::builder()
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from_static(body)))
                    .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(body))));
                Ok::<_, Infallible>(response)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
