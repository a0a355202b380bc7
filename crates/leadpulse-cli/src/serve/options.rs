//! `leadpulse serve` options, and the checks a deployment must pass before it listens.
use std::net::SocketAddr;
use std::path::PathBuf;

use reqwest::Url;

use super::crm::Kind as CrmKind;
use super::duration;
use super::owners::{owner_arg, OwnerArg};
use super::store::Location;

/// Unsigned summaries per client address: a rate per minute and a burst, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    Off,
    PerMinute { rate: u32, burst: u32 },
}

/// `R[:B]` (burst defaults to R), or `off`.
fn rate_limit(text: &str) -> Result<RateLimit, String> {
    if text == "off" {
        return Ok(RateLimit::Off);
    }
    let (rate, burst) = text.split_once(':').unwrap_or((text, text));
    let number = |s: &str| s.parse::<u32>().ok().filter(|&n| n > 0);
    match (number(rate), number(burst)) {
        (Some(rate), Some(burst)) => Ok(RateLimit::PerMinute { rate, burst }),
        _ => Err(format!(
            "'{text}' is not R[:B] (summaries per minute and burst, both ≥ 1) or off"
        )),
    }
}

fn url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("'{text}': {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("'{text}': expected an http or https URL"));
    }
    Ok(url)
}

/// The summary collector and the small backend a sales team runs: it stores qualified leads
/// (a SQLite file, or PostgreSQL shared by several collectors), pushes every new SQL and
/// revision to webhooks, Slack and CRMs through a durable outbox, takes sales feedback, and
/// serves the demo site and the leads dashboard.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Address to listen on. Anything but loopback needs --api-token.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Where leads, their revisions and history, and the outbox are kept: a SQLite file, or a
    /// postgres://USER@HOST/DB URL for several collectors sharing one database
    /// (docs/collector.md, "Two instances on PostgreSQL"). A password belongs in the
    /// environment (LEADPULSE_DB), not on the command line.
    #[arg(
        long,
        env = "LEADPULSE_DB",
        hide_env_values = true,
        default_value = "leadpulse.db",
        value_name = "FILE|URL",
        value_parser = Location::parse
    )]
    pub db: Location,
    /// Folder holding www/ (served at /) and pkg/ (served at /pkg/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The site's model (a document or a compiled model), served at /model.json and
    /// /model.lpm and used to check summaries that name it; repeat for older models still in
    /// use. Default: www/model.json if present, else the built-in model.
    #[arg(long, value_name = "FILE")]
    pub model: Vec<PathBuf>,
    /// Token for everything under /api/ and the dashboard's data (`Authorization: Bearer`): the
    /// admin token for automation, recorded as `api` in the history. People get their own
    /// (`leadpulse users add`). Without one, a random token is made and printed (loopback only).
    #[arg(
        long,
        env = "LEADPULSE_API_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub api_token: Option<String>,
    /// Secret shared with the edge worker: summaries it signs (X-LeadPulse-Signature) are
    /// marked verified.
    #[arg(
        long,
        alias = "secret",
        env = "LEADPULSE_SIGNING_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub signing_secret: Option<String>,
    /// The signing secret being rotated out: summaries signed with it are verified too, so
    /// the edge can switch to the new --signing-secret while its re-sends drain
    /// (docs/collector.md, "Rotating secrets").
    #[arg(
        long,
        env = "LEADPULSE_PREVIOUS_SIGNING_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub previous_signing_secret: Option<String>,
    /// Refuse summaries without a valid edge signature (401).
    #[arg(long)]
    pub require_signature: bool,
    /// Push unsigned summaries of models the collector was not given (--model) to sales like
    /// browser summaries. Default: they are held for review (status `review`), since only
    /// their arithmetic can be checked.
    #[arg(long)]
    pub push_unknown_models: bool,
    /// A site origin whose pages may POST /collect from the browser (CORS); repeatable.
    /// Pages served by this server need none.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Receives every new SQL and every revision as JSON, signed with --webhook-secret;
    /// repeatable. A hooks.slack.com URL gets a Slack message instead.
    #[arg(long = "webhook", value_name = "URL", value_parser = url)]
    pub webhooks: Vec<Url>,
    /// A Slack-compatible incoming webhook (a text message per SQL); repeatable.
    #[arg(long, value_name = "URL", value_parser = url)]
    pub slack: Vec<Url>,
    /// The collector's address as people and receivers reach it (e.g. https://leads.example.com/):
    /// links in webhooks and Slack messages become absolute.
    #[arg(long, value_name = "URL", value_parser = url)]
    pub public_url: Option<Url>,
    /// Secret for the webhooks' X-LeadPulse-Signature (HMAC-SHA256 of "<timestamp>.<body>").
    #[arg(
        long,
        env = "LEADPULSE_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub webhook_secret: Option<String>,
    /// A sales rep to assign new SQLs to, round-robin; repeatable. `NAME=URL` also gives the
    /// rep's booking page, which the lead API shows as `bookingUrl` beside its owner.
    #[arg(long = "owner", value_name = "NAME[=URL]", value_parser = owner_arg)]
    pub owners: Vec<OwnerArg>,
    /// Owner rules (JSON, docs/collector.md): the first rule whose condition a lead's traits
    /// meet names its owner (and may set its `sla` and the owner's `bookingUrl`); the others
    /// go round-robin over --owner.
    #[arg(long, value_name = "FILE")]
    pub owner_rules: Option<PathBuf>,
    /// How long an owner has to accept a new SQL (`30s`, `15m`, `4h`): then they are reminded
    /// (Slack, webhook `lead.sla`), and after as long again the lead moves to the next --owner
    /// (docs/collector.md, "Response times (SLA)"). An owner rule's `sla` overrides it.
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub sla: Option<i64>,
    /// How often, in milliseconds, the collector looks for windows that have run out (tests
    /// shorten it).
    #[arg(long, default_value_t = 1000, value_name = "MS", hide = true, value_parser = at_least_one)]
    pub sla_check_ms: usize,
    /// Content-Security-Policy header for HTML pages.
    #[arg(long, value_name = "POLICY")]
    pub csp: Option<String>,
    /// Unsigned summaries per client address: R per minute, burst B (`30:10`), or `off`.
    #[arg(long, default_value = "30:10", value_name = "R[:B]", value_parser = rate_limit)]
    pub rate_limit: RateLimit,
    /// Take the client address from the last X-Forwarded-For entry, the one your proxy
    /// appended (only behind a proxy you control).
    #[arg(long)]
    pub behind_proxy: bool,
    /// Open connections at most; one more is closed at once.
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = at_least_one)]
    pub max_connections: usize,
    /// Open connections per client address at most (not behind a proxy: there the proxy is
    /// the only peer); one more from that address is closed at once.
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = at_least_one)]
    pub max_connections_per_address: usize,
    /// A CRM to keep in step with the leads (repeatable): each lead sales hears of and each
    /// status sales gives it is written there through the outbox; status changes made there
    /// come back as feedback (by crm). Credentials only from the environment (or NAME_FILE):
    /// `hubspot`: LEADPULSE_HUBSPOT_TOKEN (a private app's token), LEADPULSE_HUBSPOT_URL
    /// (default https://api.hubapi.com), LEADPULSE_HUBSPOT_APP_SECRET (the app's client
    /// secret: its webhooks to /crm/hubspot/webhook are taken). `salesforce`:
    /// LEADPULSE_SALESFORCE_URL (the instance), LEADPULSE_SALESFORCE_TOKEN or
    /// LEADPULSE_SALESFORCE_CLIENT_ID and LEADPULSE_SALESFORCE_CLIENT_SECRET (client
    /// credentials); changed Leads are polled.
    #[arg(long = "crm", value_name = "CRM", value_enum)]
    pub crms: Vec<CrmKind>,
    /// CRM mapping (JSON, docs/collector.md "CRM"): owners' e-mail addresses, custom HubSpot
    /// properties and Salesforce fields and which LeadPulse value fills each, the Salesforce
    /// external-id field, each status's CRM values. Mistakes stop serve, with their JSON path.
    #[arg(long, value_name = "FILE")]
    pub crm_map: Option<PathBuf>,
    /// Seconds between looks at Salesforce for Leads changed there (--crm salesforce).
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = at_least_one)]
    pub salesforce_poll: usize,
    /// Dashboards' event streams (`GET /api/events`) open at most; one more gets 503 and
    /// polls instead.
    #[arg(long, default_value_t = 64, value_name = "N", value_parser = at_least_one)]
    pub max_event_streams: usize,
    /// Seconds a new connection may stay silent before its first byte (tests shorten or
    /// lengthen it).
    #[arg(long, default_value_t = 5, value_name = "SECONDS", hide = true, value_parser = at_least_one)]
    pub first_byte_timeout: usize,
    /// How long, in milliseconds, a delivery being attempted stays this collector's before
    /// another may attempt it (the claim of a collector that died runs out; tests shorten it).
    #[arg(long, default_value_t = 60_000, value_name = "MS", hide = true, value_parser = at_least_one)]
    pub outbox_claim_ms: usize,
    /// Seconds a read or a write may make no progress (tests shorten it).
    #[arg(long, default_value_t = 30, value_name = "SECONDS", hide = true, value_parser = at_least_one)]
    pub stall_timeout: usize,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("'{text}' is not a whole number ≥ 1"))
}

/// The shortest token or secret accepted (spaces around it not counted): shorter ones can be
/// guessed.
pub const MIN_SECRET: usize = 16;

impl Options {
    /// Refuses a deployment that would expose leads or mix up secrets; the message says why.
    pub fn check(&self) -> Result<(), String> {
        if !self.listen.ip().is_loopback() && self.api_token.is_none() {
            return Err(format!(
                "refusing to listen on {} without --api-token (or LEADPULSE_API_TOKEN): \
                 the leads would be open to anyone who can reach it",
                self.listen
            ));
        }
        if self.sla.is_some() && self.owners.is_empty() && self.owner_rules.is_none() {
            return Err(
                "--sla needs owners (--owner, --owner-rules): a window is an owner's to keep"
                    .into(),
            );
        }
        if self.require_signature && self.signing_secret.is_none() {
            return Err("--require-signature needs --signing-secret".into());
        }
        if self.previous_signing_secret.is_some() && self.signing_secret.is_none() {
            return Err("--previous-signing-secret needs --signing-secret (the new secret)".into());
        }
        if !self.webhooks.is_empty() && self.webhook_secret.is_none() {
            return Err(
                "--webhook needs --webhook-secret, so receivers can verify what they get".into(),
            );
        }
        let secrets = [
            ("--api-token", &self.api_token),
            ("--signing-secret", &self.signing_secret),
            ("--previous-signing-secret", &self.previous_signing_secret),
            ("--webhook-secret", &self.webhook_secret),
        ];
        for (name, value) in secrets {
            // NOTE: counted without surrounding spaces, so sixteen spaces are no secret.
            if value
                .as_ref()
                .is_some_and(|v| v.trim().chars().count() < MIN_SECRET)
            {
                return Err(format!(
                    "{name} must be at least {MIN_SECRET} characters, not counting spaces around it"
                ));
            }
        }
        for (i, (a, x)) in secrets.iter().enumerate() {
            for (b, y) in secrets.iter().skip(i + 1) {
                if x.is_some() && x == y {
                    return Err(format!("{a} and {b} are the same: use one secret per role"));
                }
            }
        }
        if self.crm_map.is_some() && self.crms.is_empty() {
            return Err("--crm-map needs --crm hubspot or --crm salesforce".into());
        }
        if self
            .csp
            .as_deref()
            .is_some_and(|p| p.chars().any(char::is_control))
        {
            return Err("--csp: the policy must be one line of text".into());
        }
        for origin in &self.allow_origins {
            let parsed =
                Url::parse(origin).map_err(|e| format!("--allow-origin '{origin}': {e}"))?;
            if parsed.origin().ascii_serialization() != origin.trim_end_matches('/') {
                return Err(format!(
                    "--allow-origin '{origin}': expected an origin such as https://www.example.com"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_rate_limits() {
        assert_eq!(
            rate_limit("30:10").unwrap(),
            RateLimit::PerMinute {
                rate: 30,
                burst: 10
            }
        );
        assert_eq!(rate_limit("off").unwrap(), RateLimit::Off);
        assert_eq!(
            rate_limit("5").unwrap(),
            RateLimit::PerMinute { rate: 5, burst: 5 }
        );
        for bad in ["fast", "0:1", "1:0", "-1", ""] {
            assert!(rate_limit(bad).is_err(), "{bad}");
        }
    }
}
