//! A minimal HTTP/1.1 keep-alive client for the load generator.
//!
//! One request in flight per connection, request bytes built once by the
//! caller (only the txn id changes from send to send, patched in place), a
//! read buffer reused for every answer: a send costs two syscalls and no
//! allocation, so the generator stays far cheaper than the server it drives.
//! It understands exactly what axum answers: `Content-Length` bodies (and
//! 204s); anything else is an error, never a guess.

use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes in `buf` past the last answer (none with one request in flight).
    filled: usize,
}

pub struct Response<'a> {
    pub status: u16,
    pub body: &'a [u8],
}

/// Connects with Nagle off; `local` picks the source address (any of
/// 127.0.0.0/8), which the server's per-IP limits count separately.
pub async fn connect_tcp(addr: SocketAddr, local: Option<IpAddr>) -> io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A whole request: head and body.
pub fn request(
    method: &str,
    path: &str,
    host: &SocketAddr,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + body.map_or(0, <[u8]>::len));
    out.extend_from_slice(format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n").as_bytes());
    if let Some(t) = token {
        out.extend_from_slice(format!("Authorization: Bearer {t}\r\n").as_bytes());
    }
    match body {
        Some(b) => {
            out.extend_from_slice(
                format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    b.len()
                )
                .as_bytes(),
            );
            out.extend_from_slice(b);
        }
        None => out.extend_from_slice(b"Content-Length: 0\r\n\r\n"),
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Status and body length from a response head.
fn parse_head(head: &[u8]) -> io::Result<(u16, usize)> {
    let text = std::str::from_utf8(head).map_err(|_| bad("response head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(bad("chunked answers are not supported by the bench client"));
        }
    }
    match (status, length) {
        (_, Some(n)) => Ok((status, n)),
        (204 | 304, None) => Ok((status, 0)),
        (s, None) => Err(bad(format!("answer {s} has no Content-Length"))),
    }
}

impl Conn {
    pub async fn connect(addr: SocketAddr, local: Option<IpAddr>) -> io::Result<Self> {
        Ok(Self {
            stream: connect_tcp(addr, local).await?,
            buf: vec![0; 16 * 1024],
            filled: 0,
        })
    }

    /// Writes `req` and reads the whole answer.
    pub async fn roundtrip(&mut self, req: &[u8]) -> io::Result<Response<'_>> {
        self.roundtrip_parts(req, &[]).await
    }

    /// Writes a request head and then a large body without copying it.
    pub async fn roundtrip_parts(&mut self, head: &[u8], body: &[u8]) -> io::Result<Response<'_>> {
        self.stream.write_all(head).await?;
        if !body.is_empty() {
            self.stream.write_all(body).await?;
        }
        let (status, head_end, len) = self.read_head().await?;
        let total = head_end + len;
        if self.buf.len() < total {
            self.buf.resize(total, 0);
        }
        while self.filled < total {
            self.fill().await?;
        }
        // Answers never overlap (one request in flight), so what was read
        // is exactly this answer.
        if self.filled > total {
            return Err(bad("the server answered more than was asked"));
        }
        self.filled = 0;
        Ok(Response {
            status,
            body: &self.buf[head_end..total],
        })
    }

    /// Reads until a whole answer head is in; status, head length, body
    /// length.
    async fn read_head(&mut self) -> io::Result<(u16, usize, usize)> {
        let head_end = loop {
            if let Some(i) = find(&self.buf[..self.filled], b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let (status, len) = parse_head(&self.buf[..head_end])?;
        Ok((status, head_end, len))
    }

    /// Writes `req` and hands the answer's body to `sink` piece by piece,
    /// never holding it whole; answers the status and the body length.
    pub async fn stream_body(
        &mut self,
        req: &[u8],
        mut sink: impl FnMut(&[u8]),
    ) -> io::Result<(u16, u64)> {
        self.stream.write_all(req).await?;
        let (status, head_end, len) = self.read_head().await?;
        // Large reads: the generator must not be what limits a download.
        if len > self.buf.len() && self.buf.len() < 1 << 20 {
            self.buf.resize(1 << 20, 0);
        }
        let first = (self.filled - head_end).min(len);
        sink(&self.buf[head_end..head_end + first]);
        let mut left = len - first;
        while left > 0 {
            let want = left.min(self.buf.len());
            let n = self.stream.read(&mut self.buf[..want]).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection mid-body",
                ));
            }
            sink(&self.buf[..n]);
            left -= n;
        }
        self.filled = 0;
        Ok((status, len as u64))
    }

    async fn fill(&mut self) -> io::Result<()> {
        if self.filled == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        let n = self.stream.read(&mut self.buf[self.filled..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.filled += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_with_length() {
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 42\r\n\r\n";
        assert_eq!(parse_head(head).expect("parses"), (200, 42));
    }

    #[test]
    fn no_content() {
        assert_eq!(
            parse_head(b"HTTP/1.1 204 No Content\r\n\r\n").expect("parses"),
            (204, 0)
        );
    }

    #[test]
    fn chunked_is_refused() {
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").is_err());
    }

    #[test]
    fn request_has_length_and_token() {
        let addr: SocketAddr = "127.0.0.1:9".parse().expect("addr");
        let r = request("PUT", "/x", &addr, Some("t"), Some(b"{}"));
        let s = String::from_utf8(r).expect("utf8");
        assert!(s.starts_with("PUT /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"));
        assert!(s.contains("Authorization: Bearer t\r\n"));
        assert!(s.ends_with("Content-Length: 2\r\n\r\n{}"));
    }
}
