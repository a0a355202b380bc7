//! Who the client is, and how much of the server it may hold: its address (the peer's, or
//! behind a proxy the entry the proxy appended to `X-Forwarded-For`), its share of the open
//! connections (a cap in all and per address; one more is closed at once), and its share of
//! unsigned summaries (the rate limit, whose per-address memory is pruned as it goes stale).
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::RateLimiter;

/// The client's address: the peer's, or behind a proxy the right-most `X-Forwarded-For`
/// entry — the one our proxy appended. The entries left of it are whatever the client sent,
/// so a client could name any address there and dodge its limit.
pub fn address(behind_proxy: bool, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let forwarded = behind_proxy
        .then(|| {
            // NOTE: several X-Forwarded-For lines count as one list, in order (RFC 9110, 5.3).
            let last = headers.get_all("x-forwarded-for").iter().next_back()?;
            last.to_str().ok()?.rsplit(',').next()?.trim().parse().ok()
        })
        .flatten();
    forwarded.unwrap_or(peer.ip())
}

/// The limiter for unsigned summaries, keyed by client address.
pub type Limiter<C = DefaultClock> =
    RateLimiter<IpAddr, DashMapStateStore<IpAddr>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// `Err(seconds)` when `client` is over the limit: how long until it may send again, rounded
/// up (a client that waits the rounded-down time would be refused once more).
pub fn check<C: Clock>(limiter: &Limiter<C>, client: IpAddr) -> Result<(), u64> {
    limiter.check_key(&client).map_err(|wait| {
        let wait = wait.wait_time_from(limiter.clock().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        seconds.max(1)
    })
}

/// Forgets the addresses whose limit is back to full: without this the map grows by every
/// address that ever sent a summary.
pub fn prune<C: Clock>(limiter: &Limiter<C>) {
    limiter.retain_recent();
    limiter.shrink_to_fit();
}

/// How often [`prune`] runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Open connections, in all and per client address.
pub struct Connections {
    max: usize,
    /// `None`: no cap per address (behind a proxy, the proxy is the only peer).
    per_address: Option<usize>,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// A connection's place among the open ones, given back when it is dropped.
pub struct Slot {
    connections: Arc<Connections>,
    address: IpAddr,
}

impl Connections {
    pub fn new(max: usize, per_address: Option<usize>) -> Arc<Connections> {
        Arc::new(Connections {
            max,
            per_address,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// A place for one more connection from `address`, if it is under both caps.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_address) = &mut *open;
        let from_address = by_address.get(&address).copied().unwrap_or(0);
        if *total >= self.max || self.per_address.is_some_and(|cap| from_address >= cap) {
            return None;
        }
        *total += 1;
        by_address.insert(address, from_address + 1);
        Some(Slot {
            connections: self.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let (total, by_address) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(count) = by_address.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                // NOTE: addresses leave the map with their last connection, so it stays small.
                by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use axum::http::HeaderValue;
    use governor::clock::FakeRelativeClock;
    use governor::Quota;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn behind_a_proxy_the_address_is_the_one_it_appended() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(address(true, peer, &headers), ip("203.0.113.7"));
        assert_eq!(address(false, peer, &headers), ip("10.0.0.1"));
        headers.append("x-forwarded-for", HeaderValue::from_static("198.51.100.2"));
        assert_eq!(address(true, peer, &headers), ip("198.51.100.2"));
        headers.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, junk"));
        assert_eq!(address(true, peer, &headers), ip("10.0.0.1"));
    }

    fn limiter(clock: &FakeRelativeClock) -> Limiter<FakeRelativeClock> {
        let quota = Quota::per_minute(NonZeroU32::new(1).unwrap());
        RateLimiter::dashmap_with_clock(quota, clock.clone())
    }

    #[test]
    fn retry_after_rounds_up() {
        let clock = FakeRelativeClock::default();
        let limiter = limiter(&clock);
        assert_eq!(check(&limiter, ip("192.0.2.1")), Ok(()));
        clock.advance(Duration::from_millis(400));
        // 59.6 s to go: 59 would be too early.
        assert_eq!(check(&limiter, ip("192.0.2.1")), Err(60));
        clock.advance(Duration::from_millis(59_000));
        assert_eq!(check(&limiter, ip("192.0.2.1")), Err(1));
    }

    #[test]
    fn pruning_forgets_addresses_back_to_full() {
        let clock = FakeRelativeClock::default();
        let limiter = limiter(&clock);
        for n in 0..100u8 {
            assert_eq!(check(&limiter, IpAddr::from([192, 0, 2, n])), Ok(()));
        }
        prune(&limiter);
        assert_eq!(limiter.len(), 100, "all still limited");
        // NOTE: governor forgets a key once its state cannot be told from a fresh one: a
        // period after the next request would have been allowed (60 + 60 s here).
        clock.advance(Duration::from_secs(121));
        prune(&limiter);
        assert_eq!(limiter.len(), 0);
    }

    #[test]
    fn connections_are_capped_in_all_and_per_address() {
        let connections = Connections::new(3, Some(2));
        let a1 = connections.admit(ip("192.0.2.1")).unwrap();
        let _a2 = connections.admit(ip("192.0.2.1")).unwrap();
        assert!(connections.admit(ip("192.0.2.1")).is_none(), "per address");
        let _b1 = connections.admit(ip("192.0.2.2")).unwrap();
        assert!(connections.admit(ip("192.0.2.3")).is_none(), "in all");
        drop(a1);
        assert!(connections.admit(ip("192.0.2.3")).is_some());
        let unlimited = Connections::new(10, None);
        let held: Vec<Slot> = (0..10)
            .filter_map(|_| unlimited.admit(ip("192.0.2.9")))
            .collect();
        assert_eq!(held.len(), 10);
        drop(held);
        assert!(
            unlimited.open.lock().unwrap().1.is_empty(),
            "the map shrinks"
        );
    }
}
