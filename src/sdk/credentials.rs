//! Client credentials and Tozny's `e3db.json` profile format (spec §1.1, §1.2).
//!
//! Choices (docs/compatibility.md): `version` is read as a string or an integer and written as an
//! integer, because Go's SDK refuses a string and Python's still loads an integer (as a v1
//! client, without signing). Every field is zeroed when a `Credentials` value is dropped, and
//! `Debug` never prints a secret.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::crypto;
use super::error::{Error, ErrorKind, Result};

/// Default Tozny API URL (every SDK's default).
pub const DEFAULT_API_URL: &str = "https://api.e3db.com";

/// A client's full credentials: identity, API key and both key pairs.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Credentials {
    /// 1 = no signing keys, 2 = with signing keys.
    pub version: u32,
    /// Client UUID (empty until registered).
    pub client_id: String,
    /// OAuth client-credentials id.
    pub api_key_id: String,
    /// OAuth client-credentials secret.
    pub api_secret: String,
    /// Optional e-mail, usually empty.
    pub client_email: String,
    /// Curve25519 public key, b64url.
    pub public_key: String,
    /// Curve25519 secret key, b64url.
    pub private_key: String,
    /// Ed25519 public key, b64url (empty for version 1).
    pub public_signing_key: String,
    /// Ed25519 secret key (seed ‖ public), b64url (empty for version 1).
    pub private_signing_key: String,
    /// Base URL of the TozStore API.
    pub api_url: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("version", &self.version)
            .field("client_id", &self.client_id)
            .field("api_key_id", &self.api_key_id)
            .field("api_secret", &"<redacted>")
            .field("client_email", &self.client_email)
            .field("public_key", &self.public_key)
            .field("private_key", &"<redacted>")
            .field("public_signing_key", &self.public_signing_key)
            .field("private_signing_key", &"<redacted>")
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// The on-disk shape; `version` may be a string ("2", Python) or an integer (Go, JS).
#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(default)]
    version: Option<serde_json::Value>,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    api_key_id: String,
    #[serde(default)]
    api_secret: String,
    #[serde(default)]
    client_email: Option<String>,
    public_key: String,
    private_key: String,
    #[serde(default)]
    public_signing_key: Option<String>,
    #[serde(default)]
    private_signing_key: Option<String>,
    #[serde(default)]
    api_url: String,
}

#[derive(Serialize)]
struct CredentialsOut<'a> {
    version: u32,
    client_id: &'a str,
    api_key_id: &'a str,
    api_secret: &'a str,
    client_email: &'a str,
    public_key: &'a str,
    private_key: &'a str,
    public_signing_key: &'a str,
    private_signing_key: &'a str,
    api_url: &'a str,
}

impl Credentials {
    /// Fresh credentials with newly generated key pairs and no identity yet (not registered).
    pub fn generate(api_url: &str) -> Result<Self> {
        crypto::init()?;
        let (public, secret) = crypto::box_keypair();
        let (sign_public, sign_secret) = crypto::sign_keypair();
        Ok(Credentials {
            version: 2,
            client_id: String::new(),
            api_key_id: String::new(),
            api_secret: String::new(),
            client_email: String::new(),
            public_key: crypto::b64url_encode(&public),
            private_key: crypto::b64url_encode(&secret[..]),
            public_signing_key: crypto::b64url_encode(&sign_public),
            private_signing_key: crypto::b64url_encode(&sign_secret[..]),
            api_url: if api_url.is_empty() {
                DEFAULT_API_URL.to_string()
            } else {
                api_url.to_string()
            },
        })
    }

    /// Parses e3db.json (or any JSON object with its fields) and checks the keys are consistent.
    pub fn from_json(text: &str) -> Result<Self> {
        let file: CredentialsFile = super::json::from_object(text, "credentials")?;
        let private_signing_key = file.private_signing_key.unwrap_or_default();
        let version = match &file.version {
            None | Some(serde_json::Value::Null) => {
                if private_signing_key.is_empty() {
                    1
                } else {
                    2
                }
            }
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0) as u32,
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            Some(_) => 0,
        };
        if version != 1 && version != 2 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "credentials: version must be 1 or 2",
            ));
        }
        let creds = Credentials {
            version,
            client_id: file.client_id,
            api_key_id: file.api_key_id,
            api_secret: file.api_secret,
            client_email: file.client_email.unwrap_or_default(),
            public_key: file.public_key,
            private_key: file.private_key,
            public_signing_key: file.public_signing_key.unwrap_or_default(),
            private_signing_key,
            api_url: if file.api_url.is_empty() {
                DEFAULT_API_URL.to_string()
            } else {
                file.api_url
            },
        };
        creds.validate()?;
        Ok(creds)
    }

    /// Serialises to e3db.json form (sensitive: contains the private keys and API secret).
    pub fn to_json(&self) -> Zeroizing<String> {
        let out = CredentialsOut {
            version: self.version,
            client_id: &self.client_id,
            api_key_id: &self.api_key_id,
            api_secret: &self.api_secret,
            client_email: &self.client_email,
            public_key: &self.public_key,
            private_key: &self.private_key,
            public_signing_key: &self.public_signing_key,
            private_signing_key: &self.private_signing_key,
            api_url: &self.api_url,
        };
        Zeroizing::new(serde_json::to_string_pretty(&out).expect("plain strings always serialise"))
    }

    /// The fields that are safe to show or log: ids, public keys, URL.
    pub fn public_info(&self) -> serde_json::Value {
        serde_json::json!({
            "version": self.version,
            "client_id": self.client_id,
            "api_key_id": self.api_key_id,
            "client_email": self.client_email,
            "public_key": self.public_key,
            "public_signing_key": self.public_signing_key,
            "api_url": self.api_url,
        })
    }

    /// Checks every key decodes to the right length and each public key matches its secret key,
    /// which catches truncated files and swapped fields before they cause confusing failures.
    pub fn validate(&self) -> Result<()> {
        let public = crypto::b64url_decode_array::<32>(&self.public_key, "public_key")?;
        let secret = self.box_secret()?;
        if !crypto::constant_time_eq(&crypto::box_public_key(&secret), &public[..]) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "credentials: public_key does not match private_key",
            ));
        }
        if self.version == 2 || !self.private_signing_key.is_empty() {
            let sign_public = self.signing_public()?;
            let sign_secret = self.signing_secret()?;
            if !crypto::constant_time_eq(&sign_secret[32..], &sign_public) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "credentials: public_signing_key does not match private_signing_key",
                ));
            }
        }
        Ok(())
    }

    /// Curve25519 public key bytes.
    pub fn box_public(&self) -> Result<[u8; 32]> {
        Ok(*crypto::b64url_decode_array::<32>(
            &self.public_key,
            "public_key",
        )?)
    }

    /// Curve25519 secret key bytes (zeroed on drop).
    pub fn box_secret(&self) -> Result<Zeroizing<[u8; 32]>> {
        crypto::b64url_decode_array::<32>(&self.private_key, "private_key")
    }

    /// Ed25519 public key bytes.
    pub fn signing_public(&self) -> Result<[u8; 32]> {
        if self.public_signing_key.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "credentials have no signing key (version 1)",
            ));
        }
        Ok(*crypto::b64url_decode_array::<32>(
            &self.public_signing_key,
            "public_signing_key",
        )?)
    }

    /// Ed25519 secret key bytes, libsodium's 64-byte form (zeroed on drop).
    pub fn signing_secret(&self) -> Result<Zeroizing<[u8; 64]>> {
        if self.private_signing_key.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "credentials have no signing key (version 1)",
            ));
        }
        crypto::b64url_decode_array::<64>(&self.private_signing_key, "private_signing_key")
    }

    /// Reads credentials from an e3db.json file.
    pub fn load_file(path: &Path) -> Result<Self> {
        let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| io_error(e, path))?);
        Credentials::from_json(&text)
    }

    /// Writes credentials to `path` with mode 0600. An existing file is an
    /// [`ErrorKind::AlreadyExists`] error unless `overwrite`, in which case it is replaced
    /// atomically (write to a temporary file, then rename).
    pub fn save_file(&self, path: &Path, overwrite: bool) -> Result<()> {
        let json = self.to_json();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        if !overwrite {
            let mut file = private_file(path, true).map_err(|e| io_error(e, path))?;
            return file
                .write_all(json.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| io_error(e, path));
        }
        let tmp = path.with_extension(format!("tmp-{}", crypto::random_uuid_v4()));
        let result = private_file(&tmp, true)
            .and_then(|mut f| f.write_all(json.as_bytes()).and_then(|_| f.sync_all()))
            .and_then(|_| fs::rename(&tmp, path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(|e| io_error(e, path))
    }

    /// Loads `~/.tozny/<profile>/e3db.json` (`~/.tozny/e3db.json` when `profile` is None or empty).
    pub fn load_profile(profile: Option<&str>) -> Result<Self> {
        Credentials::load_file(&profile_path(profile)?)
    }

    /// Saves to the profile path, never replacing an existing profile unless `overwrite`.
    pub fn save_profile(&self, profile: Option<&str>, overwrite: bool) -> Result<()> {
        self.save_file(&profile_path(profile)?, overwrite)
    }
}

/// `~/.tozny/[<profile>/]e3db.json`. Profile names are a single path component of
/// `[A-Za-z0-9._-]`, so a name can never point outside `~/.tozny`.
pub fn profile_path(profile: Option<&str>) -> Result<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::new(ErrorKind::Io, "HOME is not set; cannot locate ~/.tozny"))?;
    let mut path = PathBuf::from(home).join(".tozny");
    match profile.filter(|p| !p.is_empty()) {
        None => {}
        Some(name) => {
            let valid = name != "."
                && name != ".."
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
            if !valid {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "profile name may contain only letters, digits, '.', '_' and '-'",
                ));
            }
            path.push(name);
        }
    }
    path.push("e3db.json");
    Ok(path)
}

/// A directory that cannot be created because a file is in the way is an I/O problem, not the
/// "file already exists" that `save_file` reports for the target itself.
fn dir_error(e: std::io::Error, dir: &Path) -> Error {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        return Error::new(
            ErrorKind::Io,
            format!("{}: a path component is not a directory", dir.display()),
        );
    }
    io_error(e, dir)
}

fn io_error(e: std::io::Error, path: &Path) -> Error {
    Error::from(e).context(&path.display().to_string())
}

#[cfg(unix)]
fn private_file(path: &Path, exclusive: bool) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if exclusive {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    options.open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path, exclusive: bool) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true);
    if exclusive {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    options.open(path)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| dir_error(e, dir))
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir).map_err(|e| dir_error(e, dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec §1.2: a genuine, self-consistent key set.
    const C_EXAMPLE: &str = r#"{"version":"2","public_signing_key":"RveDgHnDiY25vdFmnoMoJ02hqZxal8lKtMFl7z6c49E",
 "private_signing_key":"Fq4V3JouNDEH7_FRf5nTlJuejbXThMiGzmIcRUp7UNRG94OAecOJjbm90WaegygnTaGpnFqXyUq0wWXvPpzj0Q",
 "client_id":"d96102c7-6930-4907-8ca8-e9fc0520f22d",
 "api_key_id":"c883050f5d0d3d29020a8b12ede16ce6b31de22a4cdd05a1d33422f218b6534f",
 "api_secret":"4624dd5f730df9bc367a97087c0aaf315ff9325c7bc83ba279a7521c4942a366",
 "public_key":"zsZL2o_khBgN_baQ6H9cg8zWwLn9DYObWFjm9scNJlQ",
 "private_key":"twNjRBtOJrOHxt9a0JPQV1x5NZN3vW1rTrl3C-34ub8",
 "api_url":"https://api.e3db.com","client_email":""}"#;

    #[test]
    fn reads_python_style_string_version() {
        let c = Credentials::from_json(C_EXAMPLE).unwrap();
        assert_eq!(c.version, 2);
        assert_eq!(c.client_id, "d96102c7-6930-4907-8ca8-e9fc0520f22d");
    }

    #[test]
    fn reads_integer_version_and_round_trips() {
        let c = Credentials::from_json(&C_EXAMPLE.replace("\"version\":\"2\"", "\"version\":2"))
            .unwrap();
        let again = Credentials::from_json(&c.to_json()).unwrap();
        assert_eq!(c, again);
        let v: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(v["version"], 2);
    }

    #[test]
    fn version_one_without_signing_keys() {
        let c = Credentials::from_json(
            r#"{"version":1,"client_id":"x","public_key":"zsZL2o_khBgN_baQ6H9cg8zWwLn9DYObWFjm9scNJlQ",
               "private_key":"twNjRBtOJrOHxt9a0JPQV1x5NZN3vW1rTrl3C-34ub8","public_signing_key":"","private_signing_key":""}"#,
        )
        .unwrap();
        assert_eq!(c.version, 1);
        assert!(c.signing_secret().is_err());
    }

    #[test]
    fn rejects_mismatched_keys_without_quoting_them() {
        let swapped = C_EXAMPLE.replace(
            "zsZL2o_khBgN_baQ6H9cg8zWwLn9DYObWFjm9scNJlQ",
            "RveDgHnDiY25vdFmnoMoJ02hqZxal8lKtMFl7z6c49E",
        );
        let err = Credentials::from_json(&swapped).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(!err.message().contains("twNjRBtOJ"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::from_json(C_EXAMPLE).unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("4624dd5f"));
        assert!(!text.contains("twNjRBtOJ"));
        assert!(!text.contains("Fq4V3Jou"));
        assert!(text.contains("d96102c7"));
    }

    #[test]
    fn generated_keys_validate() {
        let c = Credentials::generate("").unwrap();
        c.validate().unwrap();
        assert_eq!(c.api_url, DEFAULT_API_URL);
        assert_eq!(c.private_signing_key.len(), 86);
        assert_eq!(c.public_key.len(), 43);
    }

    #[test]
    fn profile_names_cannot_escape() {
        assert!(profile_path(Some("../x")).is_err());
        assert!(profile_path(Some("..")).is_err());
        assert!(profile_path(Some("a/b")).is_err());
        assert!(profile_path(Some("dev-1.test_x")).is_ok());
    }
}
