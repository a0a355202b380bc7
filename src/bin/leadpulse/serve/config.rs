//! Command-line options of `leadpulse serve`.
use std::path::PathBuf;

use super::rate_limit::RateConfig;
use crate::args::Args;

pub const USAGE: &str = "usage: leadpulse serve [options]
  --port N              port on 127.0.0.1 (default 8080; 0 picks a free port)
  --db FILE             SQLite file for summaries (default leadpulse.db)
  --root DIR            serve DIR/www/ at / and DIR/pkg/ at /pkg/ (default .)
  --model FILE          answer GET /model.json with FILE (else DIR/www/model.json, else
                        the built-in model); checked at startup
  --secret S            HMAC-SHA256 key for X-LeadPulse-Signature (or env LEADPULSE_SECRET)
  --require-signature   reject unsigned summaries with 401 (needs a secret)
  --csp POLICY          add Content-Security-Policy: POLICY to HTML responses
  --rate-limit R[:B]    POST /collect per client IP: R per minute, burst B (default 30:10; off)";

pub struct Config {
    pub port: u16,
    pub db: PathBuf,
    pub root: PathBuf,
    pub model: Option<String>,
    pub secret: Option<Vec<u8>>,
    pub require_signature: bool,
    pub csp: Option<String>,
    /// `None` = no rate limit.
    pub rate: Option<RateConfig>,
}

pub enum Parsed {
    Run(Config),
    Help,
}

/// Parses `args` (after `serve`); `env_secret` is `LEADPULSE_SECRET`, used when `--secret`
/// is absent.
pub fn parse(args: &[String], env_secret: Option<String>) -> Result<Parsed, String> {
    let mut args = Args::new(args);
    if args.flag("--help") || args.flag("-h") {
        return Ok(Parsed::Help);
    }
    let port = match args.value("--port") {
        None => 8080,
        Some(v) => v
            .parse()
            .map_err(|_| format!("--port: '{v}' is not a port number"))?,
    };
    let csp = args.value("--csp");
    if csp
        .as_deref()
        .is_some_and(|v| v.chars().any(char::is_control))
    {
        return Err("--csp: the policy must be one line of text".into());
    }
    let rate = match args.value("--rate-limit") {
        None => Some(RateConfig::DEFAULT),
        Some(v) => RateConfig::parse(&v)?,
    };
    let mut config = Config {
        port,
        db: PathBuf::from(args.value("--db").unwrap_or_else(|| "leadpulse.db".into())),
        root: PathBuf::from(args.value("--root").unwrap_or_else(|| ".".into())),
        model: args.value("--model"),
        secret: None,
        require_signature: args.flag("--require-signature"),
        csp,
        rate,
    };
    let secret = args.value("--secret");
    // NOTE: `finish` has already printed what it did not understand.
    if !args.finish() {
        return Err("invalid arguments".into());
    }
    match secret.or(env_secret.filter(|s| !s.is_empty())) {
        Some(s) if s.is_empty() => return Err("--secret must not be empty".into()),
        Some(s) => config.secret = Some(s.into_bytes()),
        None if config.require_signature => {
            return Err("--require-signature needs --secret S or LEADPULSE_SECRET".into())
        }
        None => {}
    }
    Ok(Parsed::Run(config))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: Option<&str>) -> Result<Config, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args, env.map(String::from))? {
            Parsed::Run(c) => Ok(c),
            Parsed::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults_and_both_flag_forms() {
        let c = run(&[], None).unwrap();
        assert_eq!(
            (c.port, c.db.to_str(), c.secret),
            (8080, Some("leadpulse.db"), None)
        );
        let c = run(
            &["--port=0", "--db", "x.db", "--csp", "default-src 'self'"],
            None,
        )
        .unwrap();
        assert_eq!((c.port, c.db.to_str()), (0, Some("x.db")));
        assert_eq!(c.csp.as_deref(), Some("default-src 'self'"));
    }

    #[test]
    fn secret_from_flag_wins_over_env() {
        assert_eq!(run(&[], Some("env")).unwrap().secret, Some(b"env".to_vec()));
        let c = run(&["--secret", "flag"], Some("env")).unwrap();
        assert_eq!(c.secret, Some(b"flag".to_vec()));
    }

    #[test]
    fn rejects_bad_input() {
        for args in [
            &["--port", "http"][..],
            &["--port"],
            &["--require-signature"],
            &["--secret", "", "--require-signature"],
            &["--frobnicate"],
            &["--rate-limit", "fast"],
        ] {
            assert!(run(args, None).is_err(), "{args:?} should be rejected");
        }
    }
}
