//! A loopback HTTP endpoint that answers every request with one canned AWS error, for error
//! paths the emulator cannot produce (throttling, internal errors) through the real SDK stack.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub struct FaultServer {
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
}

impl FaultServer {
    /// Every request gets `status` with `body` (`content_type`), until the process ends.
    pub fn start(status: u16, content_type: &'static str, body: &'static str) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                // Read the request head and body so the client sees a clean exchange.
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body_in = vec![0; length];
                let _ = reader.read_exact(&mut body_in);
                let response = format!(
                    "HTTP/1.1 {status} Error\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        FaultServer { endpoint, requests }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
