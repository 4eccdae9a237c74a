//! The pacing hook: inside `pacing::scope` every attempt is admitted by the pacer, throttles are
//! reported to it and its `admit` is the only wait; outside, nothing changes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use offerkit_transport::mock::{MockResponse, MockTransport};
use offerkit_transport::pacing::{self, Admit, Pacer};
use offerkit_transport::{Error, NoCredential, RetryPolicy, Service, Transport, VendorClient};
use tokio::time::Instant;

static VENDOR: Service = Service::new("appcharge", "Appcharge", "https://api.appcharge.com");

/// What the pipeline told the pacer, in order.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Admit,
    Throttled(Option<Duration>),
    Succeeded,
}

/// A pacer that records every call and holds each `admit` for `hold` (the bucket's pause).
#[derive(Default)]
struct Recording {
    seen: Mutex<Vec<Seen>>,
    hold: Duration,
}

impl Recording {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
    fn push(&self, seen: Seen) {
        self.seen.lock().expect("lock").push(seen);
    }
}

impl Pacer for Recording {
    fn admit(&self) -> Admit<'_> {
        self.push(Seen::Admit);
        Box::pin(tokio::time::sleep(self.hold))
    }
    fn throttled(&self, retry_after: Option<Duration>) {
        self.push(Seen::Throttled(retry_after));
    }
    fn succeeded(&self) {
        self.push(Seen::Succeeded);
    }
}

/// Answers with 429 (`Retry-After: 30`) to the first `throttles` requests, then 200.
fn throttling(throttles: u32) -> (MockTransport, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < throttles {
            MockResponse::json(429, &serde_json::json!({"message": "slow down"}))
                .header("retry-after", "30")
        } else {
            MockResponse::new(200)
        }
    });
    (mock, calls)
}

fn client(transport: &Transport) -> VendorClient {
    VendorClient::new(
        &VENDOR,
        transport,
        "https://api.appcharge.com",
        Arc::new(NoCredential),
    )
    .expect("client")
}

/// One GET through `transport` inside a scope of `pacer`.
async fn paced_get(
    pacer: Arc<Recording>,
    transport: &Transport,
) -> Result<offerkit_transport::Response, Error> {
    pacing::scope(pacer, client(transport).get("get").path("v2/offer").send()).await
}

fn policy_transport(mock: &MockTransport, policy: RetryPolicy) -> Transport {
    Transport::builder()
        .http_client(mock.clone())
        .retry_policy(policy)
        .build()
        .expect("transport")
}

#[tokio::test(start_paused = true)]
async fn a_paced_throttle_waits_for_the_pacer_not_for_its_own_retry_after() {
    let (mock, calls) = throttling(2);
    let transport = policy_transport(&mock, RetryPolicy::default().with_max_retries(0));
    let pacer = Arc::new(Recording::default());
    let started = Instant::now();
    let response = paced_get(pacer.clone(), &transport)
        .await
        .expect("the third attempt succeeds, though max_retries is 0");
    assert_eq!(response.attempts(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let after = Some(Duration::from_secs(30));
    assert_eq!(
        pacer.seen(),
        vec![
            Seen::Admit,
            Seen::Throttled(after),
            Seen::Admit,
            Seen::Throttled(after),
            Seen::Admit,
            Seen::Succeeded
        ]
    );
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "the call slept nothing of its own (this pacer holds no one)"
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_pacer_each_call_still_honours_its_own_retry_after() {
    let (mock, calls) = throttling(1);
    let transport = policy_transport(&mock, RetryPolicy::default().with_jitter(false));
    let started = Instant::now();
    let response = client(&transport)
        .get("get")
        .path("v2/offer")
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(response.attempts(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "slept the server's Retry-After: {:?}",
        started.elapsed()
    );
    assert!(!pacing::is_paced());
}

#[tokio::test(start_paused = true)]
async fn the_pacer_queue_does_not_use_up_the_calls_deadline() {
    let mock = MockTransport::new(|_| MockResponse::new(200));
    let transport = Transport::builder()
        .http_client(mock.clone())
        .total_timeout(Duration::from_secs(5))
        .build()
        .expect("transport");
    let pacer = Arc::new(Recording {
        hold: Duration::from_secs(20),
        ..Recording::default()
    });
    let response = paced_get(pacer.clone(), &transport)
        .await
        .expect("20 s in the pacer's queue is not a 5 s deadline passing");
    assert_eq!(response.attempts(), 1);
    assert_eq!(pacer.seen(), vec![Seen::Admit, Seen::Succeeded]);
}

#[tokio::test(start_paused = true)]
async fn paced_throttles_stop_after_their_allowance_or_a_too_long_retry_after() {
    let (mock, calls) = throttling(u32::MAX);
    let transport = policy_transport(&mock, RetryPolicy::default().with_max_throttled_retries(2));
    let pacer = Arc::new(Recording::default());
    let error = paced_get(pacer.clone(), &transport)
        .await
        .expect_err("always throttled");
    assert!(matches!(error, Error::Throttled(_)), "{error:?}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "one attempt and two throttled retries"
    );

    let long = MockTransport::new(|_| MockResponse::new(429).header("retry-after", "120"));
    let transport = policy_transport(&long, RetryPolicy::default());
    let error = paced_get(pacer, &transport)
        .await
        .expect_err("Retry-After above max_retry_after");
    assert!(matches!(error, Error::Throttled(_)), "{error:?}");
    assert_eq!(long.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn other_failures_keep_their_backoff_and_count_as_answers() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |_| match seen.fetch_add(1, Ordering::SeqCst) {
        0 => MockResponse::new(502),
        1 => MockResponse::connect_error(),
        _ => MockResponse::new(200),
    });
    let transport = policy_transport(&mock, RetryPolicy::immediate(3));
    let pacer = Arc::new(Recording::default());
    let response = paced_get(pacer.clone(), &transport)
        .await
        .expect("third attempt");
    assert_eq!(response.attempts(), 3);
    assert_eq!(
        pacer.seen(),
        vec![
            Seen::Admit,
            Seen::Succeeded, // a 502 is an answer, not throttling
            Seen::Admit,     // a connect error says nothing about the quota
            Seen::Admit,
            Seen::Succeeded
        ]
    );
}
