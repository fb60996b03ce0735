//! A minimal SMTP server on 127.0.0.1:0 that accepts every message and keeps its text, for
//! the test that sign-up mail really goes out through `SMTP_URL`.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub struct FakeSmtp {
    pub url: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(message) = data.as_mut() {
                            if line == "." {
                                kept.lock().unwrap().push(data.take().unwrap());
                                let _ = write.write_all(b"250 queued\r\n").await;
                            } else {
                                message.push_str(&line);
                                message.push('\n');
                            }
                            continue;
                        }
                        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 fake\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        FakeSmtp { url, received }
    }

    /// The messages received so far, waiting up to 5 s for at least one.
    pub async fn messages(&self) -> Vec<String> {
        let started = std::time::Instant::now();
        loop {
            let messages = self.received.lock().unwrap().clone();
            if !messages.is_empty() || started.elapsed() > std::time::Duration::from_secs(5) {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
