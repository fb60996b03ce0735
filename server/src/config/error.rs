//! Why the server refuses to start with the configuration it was given. Its own module, so
//! the providers' settings (`providers/<provider>/settings.rs`) can name it without importing
//! the configuration that gathers them.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("BITBUCKET_CLIENT_SECRET must be set together with BITBUCKET_CLIENT_ID")]
    MissingSecret,
    #[error("BITBUCKET_DC_URL, BITBUCKET_DC_CLIENT_ID and BITBUCKET_DC_CLIENT_SECRET must be set together")]
    IncompleteDataCenter,
    /// A provider's settings that must come together, only some of them set.
    #[error("{0} must be set together")]
    Incomplete(&'static str),
    /// A provider's URL setting that is not an http(s) URL.
    #[error("{0} must be an http(s) URL: {1}")]
    NotAUrl(&'static str, String),
    #[error("BITBUCKET_DC_URL must be an http(s) URL: {0}")]
    DataCenterUrl(String),
    #[error("TOKEN_ENCRYPTION_KEYS must be set when a real Bitbucket consumer is configured (generate one with `openssl rand -base64 32`)")]
    MissingKeys,
    #[error("no Git provider is configured and {0} is not a loopback address: set BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET (Bitbucket Cloud), or BITBUCKET_DC_URL, BITBUCKET_DC_CLIENT_ID and BITBUCKET_DC_CLIENT_SECRET (Data Center); or set SANDBOX=true to serve the built-in sandboxes (never on a shared server)")]
    NoProvider(String),
    #[error("SANDBOX=true serves the built-in sandboxes, but a real provider is configured too ({0}): unset one of them")]
    SandboxBesideProvider(&'static str),
    #[error("this server was built without the built-in sandboxes (the `sandbox` cargo feature, off in the production build), so it cannot run in sandbox mode (SANDBOX=true, or no provider configured): unset SANDBOX and configure a provider, BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET (Bitbucket Cloud) or BITBUCKET_DC_URL, BITBUCKET_DC_CLIENT_ID and BITBUCKET_DC_CLIENT_SECRET (Data Center), with TOKEN_ENCRYPTION_KEYS; for development, build with `--features sandbox` (scripts/dev.sh does)")]
    SandboxNotBuilt,
}
