//! Per-client token buckets for `POST /collect`.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Above this many tracked clients, buckets that have refilled completely are forgotten.
const MAX_TRACKED: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateConfig {
    pub per_minute: u32,
    pub burst: u32,
}

impl RateConfig {
    pub const DEFAULT: RateConfig = RateConfig {
        per_minute: 30,
        burst: 10,
    };

    /// `R` or `R:B` (R requests per minute, burst B; burst defaults to min(R, 10)),
    /// or `off` / `0` for no limit.
    pub fn parse(text: &str) -> Result<Option<RateConfig>, String> {
        if text == "off" || text == "0" {
            return Ok(None);
        }
        let bad = || format!("--rate-limit: expected R[:B] or off, got '{text}'");
        let (rate, burst) = match text.split_once(':') {
            Some((r, b)) => (r, Some(b)),
            None => (text, None),
        };
        let per_minute: u32 = rate.parse().map_err(|_| bad())?;
        let burst: u32 = match burst {
            Some(b) => b.parse().map_err(|_| bad())?,
            None => per_minute.min(10),
        };
        if per_minute == 0 || burst == 0 {
            return Err(bad());
        }
        Ok(Some(RateConfig { per_minute, burst }))
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct RateLimiter {
    config: RateConfig,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(config: RateConfig) -> Self {
        RateLimiter {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.config.per_minute) / 60.0
    }

    /// Takes one token for `client`; `Err(wait)` when none is left, with the time until the
    /// next one.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.config.burst);
        let rate = self.per_second();
        // NOTE: a poisoned lock only means another thread panicked mid-update; the map is
        // still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn burst_then_refill_per_client() {
        let limiter = RateLimiter::new(RateConfig {
            per_minute: 60,
            burst: 3,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(A, t0).is_ok());
        }
        let wait = limiter.check(A, t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(
            limiter.check(B, t0).is_ok(),
            "other clients keep their own bucket"
        );
        assert!(limiter.check(A, t0 + Duration::from_millis(1100)).is_ok());
        assert!(limiter.check(A, t0 + Duration::from_millis(1100)).is_err());
    }

    #[test]
    fn parses_config() {
        assert_eq!(RateConfig::parse("off").unwrap(), None);
        assert_eq!(
            RateConfig::parse("120:5").unwrap(),
            Some(RateConfig {
                per_minute: 120,
                burst: 5
            })
        );
        assert_eq!(RateConfig::parse("4").unwrap().map(|c| c.burst), Some(4));
        assert!(RateConfig::parse("5:0").is_err());
        assert!(RateConfig::parse("-1").is_err());
    }
}
