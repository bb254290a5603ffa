//! Ordered consumers on JetStream (`super::super::ordering`): one durable consumer per
//! partition, read by one task each into a queue that this process's worker copies share.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{JetStreamBus, PULL_BATCH};
use crate::bus::ordering::{self, PARTITIONS};
use crate::bus::{BusError, ConsumerSpec, Delivery, Subscription};

/// What the partition readers of one ordered consumer hand to this process's worker copies.
pub(super) type SharedDeliveries =
    Arc<tokio::sync::Mutex<mpsc::Receiver<Result<Delivery, BusError>>>>;

impl JetStreamBus {
    /// An ordered consumer: one durable consumer per partition, each with at most one
    /// message unacknowledged across all hubs, read by one task each into a queue that every
    /// worker copy of this process shares (so a message never waits behind a busy copy while
    /// another is free). The plain subject is read too, without order, so messages a hub of an
    /// earlier version published before partitions existed are not stranded.
    pub(super) async fn subscribe_ordered(
        &self,
        spec: ConsumerSpec,
    ) -> Result<Box<dyn Subscription>, BusError> {
        let existing = self
            .ordered
            .lock()
            .map_err(|_| BusError::Unavailable("ordered consumer registry poisoned".into()))?
            .get(&spec.name)
            .cloned();
        if let Some(shared) = existing {
            return Ok(Box::new(SharedSubscription { shared }));
        }
        let mut readers = Vec::with_capacity(PARTITIONS as usize + 1);
        for p in 0..PARTITIONS {
            let token = ordering::partition_token(p);
            let consumer = self
                .durable(
                    &format!("{}-{token}", spec.name),
                    &format!("{}.{token}", spec.filter),
                    &spec,
                    1,
                )
                .await?;
            // Never pull more than the consumer's MaxAckPending: some server versions refuse
            // such a pull at once (409 Exceeded MaxAckPending), and it could not be filled.
            readers.push(self.reader(consumer, 1));
        }
        let plain = self.durable(&spec.name, &spec.filter, &spec, 256).await?;
        readers.push(self.reader(plain, PULL_BATCH));
        let mut registry = self
            .ordered
            .lock()
            .map_err(|_| BusError::Unavailable("ordered consumer registry poisoned".into()))?;
        if let Some(shared) = registry.get(&spec.name) {
            // Another worker copy set it up while this one was creating the consumers.
            return Ok(Box::new(SharedSubscription {
                shared: shared.clone(),
            }));
        }
        let (tx, rx) = mpsc::channel(readers.len());
        for mut reader in readers {
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(item) = reader.next().await {
                    if tx.send(item).await.is_err() {
                        return;
                    }
                }
            });
        }
        let shared: SharedDeliveries = Arc::new(tokio::sync::Mutex::new(rx));
        registry.insert(spec.name.clone(), shared.clone());
        Ok(Box::new(SharedSubscription { shared }))
    }
}

/// One worker copy's view of an ordered consumer's shared queue.
struct SharedSubscription {
    shared: SharedDeliveries,
}

#[async_trait]
impl Subscription for SharedSubscription {
    async fn next(&mut self) -> Option<Result<Delivery, BusError>> {
        self.shared.lock().await.recv().await
    }
}
