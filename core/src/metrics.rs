//! Prometheus metrics of the hub: messages in and out, failures, redeliveries, dead-letter
//! depth and handler latency. Labels are bounded (subject, consumer, outcome), never ids.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InLabels {
    subject: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SubjectLabels {
    subject: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConsumerLabels {
    consumer: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HandledLabels {
    consumer: String,
    outcome: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The hub's metrics, one set per hub instance (tests run several in one process).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    messages_in: Family<InLabels, Counter>,
    messages_out: Family<SubjectLabels, Counter>,
    messages_failed: Family<SubjectLabels, Counter>,
    relayed: Family<SubjectLabels, Counter>,
    redelivered: Family<ConsumerLabels, Counter>,
    handled: Family<HandledLabels, Counter>,
    dead_lettered: Family<SubjectLabels, Counter>,
    dlq_depth: Gauge,
    up: Gauge,
    handler_seconds: Family<ConsumerLabels, Histogram, fn() -> Histogram>,
    operations: Family<OperationLabels, Counter>,
    digests: Family<OutcomeLabels, Counter>,
    deadlines_overdue: Gauge,
    deadlines_due_soon: Gauge,
    circuit_state: Family<PartnerLabels, Gauge>,
    overdue_by_office: Family<OfficeLabels, Gauge>,
    notices_served: Family<ChannelLabels, Counter>,
    registry_queries: Family<RegistryLabels, Counter>,
    court_deliveries: Family<CourtLabels, Counter>,
    partner_tls_handshakes: Family<OutcomeLabels, Counter>,
    circuits: std::sync::Mutex<std::collections::BTreeMap<String, i64>>,
}

/// Court evidence deliveries: the court code (bounded by the configured endpoints and the
/// registered courts) and the outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CourtLabels {
    court: String,
    outcome: String,
}

/// National-database queries: the database (four), outcome (found, nothing_found, failed)
/// and cache (hit, miss).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RegistryLabels {
    database: String,
    outcome: String,
    cache: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PartnerLabels {
    partner: String,
}

/// An office code: bounded by the offices of the system (34 provincial bodies, 355 regional
/// offices), and only offices with something overdue are present.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OfficeLabels {
    office: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let messages_in = Family::<InLabels, Counter>::default();
        let messages_out = Family::<SubjectLabels, Counter>::default();
        let messages_failed = Family::<SubjectLabels, Counter>::default();
        let relayed = Family::<SubjectLabels, Counter>::default();
        let redelivered = Family::<ConsumerLabels, Counter>::default();
        let handled = Family::<HandledLabels, Counter>::default();
        let dead_lettered = Family::<SubjectLabels, Counter>::default();
        let dlq_depth = Gauge::default();
        let up = Gauge::default();
        let handler_seconds =
            Family::<ConsumerLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "thads_messages_in",
            "Messages received from partners, by subject and outcome (accepted, duplicate, rejected)",
            messages_in.clone(),
        );
        registry.register(
            "thads_messages_out",
            "Messages delivered to partners, by subject",
            messages_out.clone(),
        );
        registry.register(
            "thads_messages_failed",
            "Failed delivery or handling attempts, by subject",
            messages_failed.clone(),
        );
        registry.register(
            "thads_outbox_relayed",
            "Outbox rows moved onto the bus, by subject",
            relayed.clone(),
        );
        registry.register(
            "thads_messages_redelivered",
            "Deliveries after the first, by consumer",
            redelivered.clone(),
        );
        registry.register(
            "thads_messages_handled",
            "Deliveries settled by consumers, by outcome (ok, retry, dead_letter)",
            handled.clone(),
        );
        registry.register(
            "thads_dead_lettered",
            "Messages moved to the dead-letter queue, by original subject",
            dead_lettered.clone(),
        );
        registry.register(
            "thads_dlq_depth",
            "Messages waiting in the dead-letter queue",
            dlq_depth.clone(),
        );
        registry.register("thads_up", "1 while the hub is serving", up.clone());
        registry.register(
            "thads_handler_seconds",
            "Time a consumer spends on one delivery",
            handler_seconds.clone(),
        );
        up.set(1);
        let operations = Family::<OperationLabels, Counter>::default();
        let digests = Family::<OutcomeLabels, Counter>::default();
        let deadlines_overdue = Gauge::default();
        let deadlines_due_soon = Gauge::default();
        registry.register(
            "thads_case_operations",
            "Operations on cases, by operation and outcome (performed, refused, invalid, forbidden)",
            operations.clone(),
        );
        registry.register(
            "thads_digest_emails",
            "Daily deadline digests, by outcome (sent, failed, nothing_due)",
            digests.clone(),
        );
        registry.register(
            "thads_deadlines_overdue",
            "Open statutory deadlines past their last day, across running cases",
            deadlines_overdue.clone(),
        );
        registry.register(
            "thads_deadlines_due_soon",
            "Open statutory deadlines within the warning window",
            deadlines_due_soon.clone(),
        );
        let overdue_by_office = Family::<OfficeLabels, Gauge>::default();
        registry.register(
            "thads_deadlines_overdue_by_office",
            "Open statutory deadlines past their last day, by office (offices with any)",
            overdue_by_office.clone(),
        );
        let circuit_state = Family::<PartnerLabels, Gauge>::default();
        let notices_served = Family::<ChannelLabels, Counter>::default();
        registry.register(
            "thads_circuit_state",
            "Circuit breaker of a partner endpoint: 0 closed, 1 open, 2 half-open",
            circuit_state.clone(),
        );
        registry.register(
            "thads_notices_served",
            "Notices validly served, by channel (vneid, email, direct, post, posting)",
            notices_served.clone(),
        );
        let registry_queries = Family::<RegistryLabels, Counter>::default();
        registry.register(
            "thads_registry_queries",
            "National-database verification queries, by database, outcome (found, nothing_found, failed) and cache (hit, miss)",
            registry_queries.clone(),
        );
        let court_deliveries = Family::<CourtLabels, Counter>::default();
        registry.register(
            "thads_court_deliveries",
            "Evidences pushed to courts, by court and outcome (delivered, failed attempt, skipped: no endpoint)",
            court_deliveries.clone(),
        );
        let partner_tls_handshakes = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "thads_partner_tls_handshakes",
            "TLS handshakes on the partner listener, by outcome (accepted; refused: no client certificate, another CA's, expired, timed out)",
            partner_tls_handshakes.clone(),
        );
        Self {
            circuits: Default::default(),
            court_deliveries,
            partner_tls_handshakes,
            circuit_state,
            overdue_by_office,
            notices_served,
            registry_queries,
            operations,
            digests,
            deadlines_overdue,
            deadlines_due_soon,
            registry,
            messages_in,
            messages_out,
            messages_failed,
            relayed,
            redelivered,
            handled,
            dead_lettered,
            dlq_depth,
            up,
            handler_seconds,
        }
    }

    /// A partner message arrived; `outcome` is `accepted`, `duplicate` or `rejected`.
    pub fn received(&self, subject: &str, outcome: &str) {
        self.messages_in
            .get_or_create(&InLabels {
                subject: subject.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// A partner confirmed a delivery.
    pub fn delivered(&self, subject: &str) {
        self.messages_out
            .get_or_create(&SubjectLabels {
                subject: subject.to_string(),
            })
            .inc();
    }

    /// An attempt failed.
    pub fn failed(&self, subject: &str) {
        self.messages_failed
            .get_or_create(&SubjectLabels {
                subject: subject.to_string(),
            })
            .inc();
    }

    /// The outbox relay published a row.
    pub fn relayed(&self, subject: &str) {
        self.relayed
            .get_or_create(&SubjectLabels {
                subject: subject.to_string(),
            })
            .inc();
    }

    /// A consumer settled a delivery after `elapsed`; counts redeliveries too.
    pub fn handled(&self, consumer: &str, outcome: &str, delivered: u64, elapsed: Duration) {
        let c = ConsumerLabels {
            consumer: consumer.to_string(),
        };
        if delivered > 1 {
            self.redelivered.get_or_create(&c).inc();
        }
        self.handler_seconds
            .get_or_create(&c)
            .observe(elapsed.as_secs_f64());
        self.handled
            .get_or_create(&HandledLabels {
                consumer: consumer.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// A message went to the dead-letter queue.
    pub fn dead_lettered(&self, subject: &str) {
        self.dead_lettered
            .get_or_create(&SubjectLabels {
                subject: subject.to_string(),
            })
            .inc();
    }

    /// Sets the dead-letter depth (read from the database at scrape time).
    pub fn set_dlq_depth(&self, depth: i64) {
        self.dlq_depth.set(depth);
    }

    /// Marks the hub as stopping.
    pub fn set_down(&self) {
        self.up.set(0);
    }

    /// Counts an operation attempted on a case.
    pub fn operation(&self, operation: &str, outcome: &str) {
        self.operations
            .get_or_create(&OperationLabels {
                operation: operation.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a TLS handshake on the partner listener (`accepted` or `refused`).
    pub fn partner_tls_handshake(&self, outcome: &str) {
        self.partner_tls_handshakes
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a digest e-mail by outcome.
    pub fn digest(&self, outcome: &str) {
        self.digests
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Sets the number of overdue and due-soon deadlines (for the deadline-breach alert).
    pub fn set_deadlines(&self, overdue: i64, due_soon: i64) {
        self.deadlines_overdue.set(overdue);
        self.deadlines_due_soon.set(due_soon);
    }

    /// Replaces the per-office overdue gauge: offices no longer overdue disappear.
    pub fn set_overdue_by_office(&self, by_office: &std::collections::BTreeMap<String, i64>) {
        self.overdue_by_office.clear();
        for (office, n) in by_office {
            self.overdue_by_office
                .get_or_create(&OfficeLabels {
                    office: office.clone(),
                })
                .set(*n);
        }
    }

    /// Sets the circuit breaker state of `partner`'s endpoint (0 closed, 1 open, 2 half-open),
    /// so an operator sees at once that the hub has stopped calling a failing partner.
    pub fn set_circuit_state(&self, partner: &str, state: i64) {
        self.circuit_state
            .get_or_create(&PartnerLabels {
                partner: partner.to_string(),
            })
            .set(state);
        self.circuits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(partner.to_string(), state);
    }

    /// The circuit state of every partner this process calls (0 closed, 1 open, 2 half-open),
    /// for the console.
    pub fn circuit_states(&self) -> std::collections::BTreeMap<String, i64> {
        self.circuits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Counts a notice validly served through `channel`, to watch how many fall back from
    /// VNeID to e-mail or paper.
    pub fn notice_served(&self, channel: &str) {
        self.notices_served
            .get_or_create(&ChannelLabels {
                channel: channel.to_string(),
            })
            .inc();
    }

    /// Counts an evidence delivery to `court` by outcome (`delivered`, `failed` for a failed
    /// attempt, `skipped` when the court has no endpoint and pulls), to watch each court's
    /// endpoint.
    pub fn court_delivery(&self, court: &str, outcome: &str) {
        self.court_deliveries
            .get_or_create(&CourtLabels {
                court: court.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a national-database query by database, outcome and whether the cache answered,
    /// to watch each partner's failures and the cache's share.
    pub fn registry_query(&self, database: &str, outcome: &str, cache_hit: bool) {
        self.registry_queries
            .get_or_create(&RegistryLabels {
                database: database.to_string(),
                outcome: outcome.to_string(),
                cache: if cache_hit { "hit" } else { "miss" }.to_string(),
            })
            .inc();
    }

    /// The text exposition format for `/metrics`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_names() {
        let m = Metrics::new();
        m.received("in.court.judgment", "accepted");
        m.delivered("out.vneid.notify");
        m.failed("out.vneid.notify");
        m.handled("vneid-notify", "retry", 2, Duration::from_millis(5));
        m.set_dlq_depth(3);
        m.set_circuit_state("vneid", 1);
        m.notice_served("email");
        m.court_delivery("TAND79-KV1", "delivered");
        m.set_overdue_by_office(&[("HCM-KV01".to_string(), 4)].into_iter().collect());
        m.set_overdue_by_office(&[("HN-KV02".to_string(), 2)].into_iter().collect());
        let text = m.render();
        assert!(
            !text.contains("office=\"HCM-KV01\""),
            "a cleared office stays:\n{text}"
        );
        for name in [
            "thads_messages_in_total{subject=\"in.court.judgment\",outcome=\"accepted\"} 1",
            "thads_messages_out_total",
            "thads_messages_failed_total",
            "thads_messages_redelivered_total{consumer=\"vneid-notify\"} 1",
            "thads_dlq_depth 3",
            "thads_handler_seconds_bucket",
            "thads_circuit_state{partner=\"vneid\"} 1",
            "thads_notices_served_total{channel=\"email\"} 1",
            "thads_court_deliveries_total{court=\"TAND79-KV1\",outcome=\"delivered\"} 1",
            "thads_deadlines_overdue_by_office{office=\"HN-KV02\"} 2",
        ] {
            assert!(text.contains(name), "missing {name} in\n{text}");
        }
    }
}
