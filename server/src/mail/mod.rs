//! Mail the studio sends: sign-up links, and the note to an address that has an account.
//!
//! One [`Mailer`], chosen by configuration:
//! - [`Mailer::Smtp`] (`SMTP_URL`): delivered through the operator's SMTP server.
//! - [`Mailer::Outbox`]: kept in the database and shown at `/_sandbox/mail`
//!   (`api::paths::SANDBOX_MAILBOX`). The default in sandbox mode, so a fresh checkout can sign
//!   up with no mail server; never on a shared server, as anyone can read that page.
//! - [`Mailer::Off`]: neither configured, with a real Bitbucket; sign-up says it is unavailable
//!   rather than accepting sign-ups nobody can finish.
//!
//! Sending happens after the answer (see [`Mailer::send_later`]), so how long an SMTP server
//! takes, or whether it fails, shows nothing to the person who asked.

mod smtp;

pub use smtp::SmtpMailer;

use crate::store::Db;

/// One plain-text message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Debug)]
pub enum Mailer {
    Smtp(std::sync::Arc<SmtpMailer>),
    Outbox(Db),
    Off,
}

impl Mailer {
    pub fn is_available(&self) -> bool {
        !matches!(self, Mailer::Off)
    }

    /// True when mail is kept and readable at the mailbox page.
    pub fn keeps_mail(&self) -> bool {
        matches!(self, Mailer::Outbox(_))
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        match self {
            Mailer::Smtp(smtp) => smtp.send(mail).await,
            Mailer::Outbox(db) => db
                .keep_mail(&mail.to, &mail.subject, &mail.body)
                .await
                .map_err(|e| MailError(e.to_string())),
            Mailer::Off => Err(MailError("no mail transport is configured".into())),
        }
    }

    /// Sends in the background; a failure is logged (without the message, which may hold a
    /// sign-up link) and not reported to the request that caused it.
    pub fn send_later(&self, mail: Mail) {
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(error) = mailer.send(&mail).await {
                tracing::error!(%error, subject = %mail.subject, "a mail could not be sent");
            }
        });
    }
}

#[derive(Debug, thiserror::Error)]
#[error("mail: {0}")]
pub struct MailError(pub String);
