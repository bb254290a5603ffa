//! The database work behind the hub's figures: PostgreSQL's own counters for the benchmark's
//! database (`pg_stat_database`, `pg_stat_user_tables`), read before and after the saturation
//! phase, so the run shows how many commits and row writes each handled judgment or payment
//! cost and which tables take them — the figures that explain the gap to the raw ceiling,
//! whose messages cost one commit and one row each.

use serde::Serialize;
use sqlx::Row;

/// Counters at one moment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counters {
    commits: i64,
    rows_written: i64,
    tables: Vec<(String, i64)>,
}

/// What one phase cost the database.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct DbWork {
    /// Transactions committed during the phase (the hub's and the benchmark's polling).
    pub(crate) commits: i64,
    /// Rows inserted, updated or deleted.
    pub(crate) rows_written: i64,
    /// Commits per judgment or payment handled.
    pub(crate) commits_per_handled: f64,
    /// Rows written per judgment or payment handled.
    pub(crate) rows_per_handled: f64,
    /// The tables written most, with their rows written per handled message.
    pub(crate) top_tables: Vec<(String, f64)>,
}

/// Reads the counters of the connected database (statistics are flushed within a second or
/// so of each transaction: read after the phase has settled).
pub(crate) async fn read(pool: &sqlx::PgPool) -> Result<Counters, sqlx::Error> {
    // The counters are cached per transaction; start from fresh ones.
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(pool)
        .await?;
    let row = sqlx::query(
        "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted AS written \
         FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(pool)
    .await?;
    let tables = sqlx::query(
        "SELECT relname::text AS name, n_tup_ins + n_tup_upd + n_tup_del AS written \
         FROM pg_stat_user_tables",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("name")?, r.try_get("written")?)))
    .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()?;
    Ok(Counters {
        commits: row.try_get("xact_commit")?,
        rows_written: row.try_get("written")?,
        tables,
    })
}

/// The work between `before` and `after`, per one of `handled` messages.
pub(crate) fn between(before: &Counters, after: &Counters, handled: usize) -> DbWork {
    let per = |n: i64| {
        if handled == 0 {
            0.0
        } else {
            n as f64 / handled as f64
        }
    };
    let mut tables: Vec<(String, i64)> = after
        .tables
        .iter()
        .map(|(name, n)| {
            let was = before
                .tables
                .iter()
                .find(|(b, _)| b == name)
                .map_or(0, |(_, n)| *n);
            (name.clone(), n - was)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    tables.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let commits = after.commits - before.commits;
    let rows_written = after.rows_written - before.rows_written;
    DbWork {
        commits,
        rows_written,
        commits_per_handled: per(commits),
        rows_per_handled: per(rows_written),
        top_tables: tables
            .into_iter()
            .take(8)
            .map(|(name, n)| (name, per(n)))
            .collect(),
    }
}
