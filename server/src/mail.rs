//! Outgoing mail, through the operator's own mail command (`serve --mail-command`), the way cron
//! and git send-email do it: the command gets one RFC 5322 message on standard input, e.g.
//! `sendmail -t -i`, which reads the recipients from the `To:` header. toz-server speaks no SMTP
//! itself, so it needs no mail credentials and no TLS settings of its own.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

/// How long a mail command may take before the delivery counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends mail, or cannot when no command was configured.
#[derive(Clone, Debug, Default)]
pub struct Mailer {
    command: Option<String>,
}

impl Mailer {
    /// A mailer running `command` with `sh -c`; None or empty cannot send.
    pub fn new(command: Option<String>) -> Self {
        Mailer {
            command: command.filter(|c| !c.trim().is_empty()),
        }
    }

    /// Whether mail can be sent at all.
    pub fn can_send(&self) -> bool {
        self.command.is_some()
    }

    /// Runs the mail command with `message` on its standard input. The error says what went
    /// wrong for the log; it never contains the message, which holds a one-time code.
    pub async fn send(&self, message: &str) -> Result<(), String> {
        let command = self
            .command
            .as_deref()
            .ok_or("no mail command configured")?;
        let mut child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the mail command: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("mail command has no stdin")?;
        let run = async {
            stdin
                .write_all(message.as_bytes())
                .await
                .map_err(|e| format!("cannot write to the mail command: {e}"))?;
            drop(stdin);
            child
                .wait()
                .await
                .map_err(|e| format!("mail command failed: {e}"))
        };
        match tokio::time::timeout(COMMAND_TIMEOUT, run).await {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => Err(format!("mail command exited with {status}")),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("mail command timed out".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_command_gets_the_message_and_its_failure_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.txt");
        let mailer = Mailer::new(Some(format!("cat > '{}'", out.display())));
        assert!(mailer.can_send());
        mailer.send("To: a@b.example\r\n\r\nhi\r\n").await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "To: a@b.example\r\n\r\nhi\r\n"
        );
        let failing = Mailer::new(Some("cat >/dev/null; exit 3".into()));
        let err = failing.send("To: secret-code\r\n").await.unwrap_err();
        assert!(
            err.contains("exited") && !err.contains("secret-code"),
            "{err}"
        );
        assert!(!Mailer::new(Some("  ".into())).can_send());
        assert!(Mailer::new(None).send("x").await.is_err());
    }
}
