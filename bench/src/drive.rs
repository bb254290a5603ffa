//! The two ways the benchmark loads a hub: as fast as it takes them (a fixed number of
//! clients, each sending its next request when the last is answered), and at a fixed rate
//! (requests leave on schedule whatever the answers do, so latency includes any queueing).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::workload::{Client, Sample};

/// What a phase sent and how long it took.
#[derive(Debug)]
pub(crate) struct Phase {
    /// Every answered request.
    pub(crate) samples: Vec<Sample>,
    /// From the first request to the last answer.
    pub(crate) elapsed: Duration,
}

/// Sends requests `first..first + count` with `clients` concurrent clients.
pub(crate) async fn saturate(client: &Client, first: usize, count: usize, clients: usize) -> Phase {
    let next = Arc::new(AtomicUsize::new(first));
    let end = first + count;
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..clients.max(1) {
        let client = client.clone();
        let next = next.clone();
        tasks.spawn(async move {
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    return samples;
                }
                samples.push(client.send(i, Instant::now()).await);
            }
        });
    }
    let mut samples = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        samples.extend(done.unwrap_or_default());
    }
    Phase {
        samples,
        elapsed: started.elapsed(),
    }
}

/// Sends `rate` requests a second for `seconds`, starting at request `first`. At most
/// `max_in_flight` wait for an answer at once; beyond that a request leaves late and its
/// latency, counted from when it was due, shows it.
pub(crate) async fn at_rate(
    client: &Client,
    first: usize,
    rate: u32,
    seconds: u32,
    max_in_flight: usize,
) -> Phase {
    let total = rate as usize * seconds as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let permits = Arc::new(Semaphore::new(max_in_flight.max(1)));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for n in 0..total {
        let due = started + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let client = client.clone();
        tasks.spawn(async move {
            let sample = client.send(first + n, due).await;
            drop(permit);
            sample
        });
    }
    let mut samples = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        if let Ok(sample) = done {
            samples.push(sample);
        }
    }
    Phase {
        samples,
        elapsed: started.elapsed(),
    }
}
