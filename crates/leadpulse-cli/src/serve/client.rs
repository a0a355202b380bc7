//! Who the client is, and how much of the server it may hold: its address (the peer's, or
//! behind a proxy the entry the proxy appended to `X-Forwarded-For`), its share of the open
//! connections (a cap in all and per address: one more is closed at once, or in all takes the
//! place of the oldest connection that has not said anything yet), and its share of
//! unsigned summaries (the rate limit, whose per-address memory is pruned as it goes stale).
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::RateLimiter;
use tokio::sync::Notify;

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

/// Open connections, in all and per client address, and which have not sent a byte yet.
///
/// NOTE: when the cap in all is reached, a new connection takes the place of the oldest one
/// that has sent nothing yet (it is closed): idle sockets are the cheapest to drop and the
/// likeliest to be abuse, and a real client speaks within milliseconds of connecting. Only
/// when every open connection has spoken is a new one turned away.
pub struct Connections {
    max: usize,
    /// `None`: no cap per address (behind a proxy, the proxy is the only peer).
    per_address: Option<usize>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
    /// The connections that have not spoken, by admission order (oldest first).
    silent: BTreeMap<u64, Silent>,
    next_id: u64,
}

/// What it takes to close a silent connection from elsewhere.
struct Silent {
    address: IpAddr,
    close: Arc<Notify>,
    evicted: Arc<AtomicBool>,
}

impl Open {
    fn release(&mut self, address: IpAddr) {
        self.total = self.total.saturating_sub(1);
        if let Some(count) = self.by_address.get_mut(&address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                // NOTE: addresses leave the map with their last connection, so it stays small.
                self.by_address.remove(&address);
            }
        }
    }
}

/// A connection's place among the open ones, given back when it is dropped.
pub struct Slot {
    connections: Arc<Connections>,
    address: IpAddr,
    id: u64,
    close: Arc<Notify>,
    evicted: Arc<AtomicBool>,
}

impl Connections {
    pub fn new(max: usize, per_address: Option<usize>) -> Arc<Connections> {
        Arc::new(Connections {
            max,
            per_address,
            open: Mutex::new(Open::default()),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more connection from `address`, if it is under its cap per address
    /// and, in all, under the cap or taking the place of the oldest silent connection.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Slot> {
        let mut open = self.open();
        let from_address = open.by_address.get(&address).copied().unwrap_or(0);
        if self.per_address.is_some_and(|cap| from_address >= cap) {
            return None;
        }
        if open.total >= self.max {
            let (_, oldest) = open.silent.pop_first()?;
            oldest.evicted.store(true, Ordering::SeqCst);
            oldest.close.notify_one();
            open.release(oldest.address);
        }
        open.total += 1;
        *open.by_address.entry(address).or_insert(0) += 1;
        let id = open.next_id;
        open.next_id += 1;
        let (close, evicted) = (Arc::new(Notify::new()), Arc::new(AtomicBool::new(false)));
        open.silent.insert(
            id,
            Silent {
                address,
                close: close.clone(),
                evicted: evicted.clone(),
            },
        );
        Some(Slot {
            connections: self.clone(),
            address,
            id,
            close,
            evicted,
        })
    }
}

impl Slot {
    /// The connection sent its first byte: it can no longer be made room for.
    pub fn spoke(&self) {
        self.connections.open().silent.remove(&self.id);
    }

    /// Resolves when a newer connection took this silent one's place.
    pub async fn evicted(&self) {
        self.close.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.connections.open();
        open.silent.remove(&self.id);
        // NOTE: an evicted connection's place was given back when it was evicted.
        if !self.evicted.load(Ordering::SeqCst) {
            open.release(self.address);
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
        let a2 = connections.admit(ip("192.0.2.1")).unwrap();
        assert!(connections.admit(ip("192.0.2.1")).is_none(), "per address");
        let b1 = connections.admit(ip("192.0.2.2")).unwrap();
        for slot in [&a1, &a2, &b1] {
            slot.spoke();
        }
        assert!(
            connections.admit(ip("192.0.2.3")).is_none(),
            "in all, when every one has spoken"
        );
        drop(a1);
        assert!(connections.admit(ip("192.0.2.3")).is_some());
        let unlimited = Connections::new(10, None);
        let held: Vec<Slot> = (0..10)
            .filter_map(|_| unlimited.admit(ip("192.0.2.9")))
            .collect();
        assert_eq!(held.len(), 10);
        drop(held);
        let open = unlimited.open();
        assert!(
            open.by_address.is_empty() && open.silent.is_empty(),
            "the maps shrink"
        );
        assert_eq!(open.total, 0);
    }

    #[test]
    fn at_the_cap_a_new_connection_takes_the_oldest_silent_ones_place() {
        let connections = Connections::new(3, None);
        let old = connections.admit(ip("192.0.2.1")).unwrap();
        let talking = connections.admit(ip("192.0.2.2")).unwrap();
        talking.spoke();
        let newer = connections.admit(ip("192.0.2.1")).unwrap();
        let fresh = connections.admit(ip("192.0.2.3")).unwrap();
        assert!(old.evicted.load(Ordering::SeqCst), "the oldest silent one");
        assert!(!newer.evicted.load(Ordering::SeqCst));
        assert!(!talking.evicted.load(Ordering::SeqCst));
        drop(old);
        assert_eq!(connections.open().total, 3, "counted once");
        let last = connections.admit(ip("192.0.2.4")).unwrap();
        assert!(newer.evicted.load(Ordering::SeqCst));
        fresh.spoke();
        last.spoke();
        assert!(
            connections.admit(ip("192.0.2.5")).is_none(),
            "none silent left"
        );
        drop((newer, fresh, talking));
        assert_eq!(connections.open().total, 1);
        drop(last);
        assert_eq!(connections.open().total, 0);
    }
}
