//! Applies the schema migrations for the pool's backend (at start and by `thads-hub migrate`).

use super::{Backend, Db, DbError};

static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Brings the database up to the newest schema; applying twice is a no-op.
pub async fn migrate(db: &Db) -> Result<(), DbError> {
    let migrator = match db.backend() {
        Backend::Postgres => &POSTGRES,
        Backend::Sqlite => &SQLITE,
    };
    migrator.run(db.pool()).await?;
    Ok(())
}
