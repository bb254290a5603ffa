//! Which offices one reading of the deadlines covers, as an SQL condition on the office
//! column, so an office's console reads only its own rows however many offices the hub serves.

use crate::db::Db;
use crate::staff::{Actor, Role};

/// The offices one reading covers, as an SQL condition.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    /// The person's own office (`None`: every office).
    own: Option<String>,
    /// `HCM-%` for a provincial administrator: the regional offices below.
    prefix: Option<String>,
    /// Narrowed to this office.
    office: Option<String>,
}

impl Scope {
    /// The offices `actor` covers (as [`Actor::covers_office`] judges), narrowed to `office`.
    pub(super) fn of(actor: &Actor, office: Option<&str>) -> Self {
        let own = actor.office.as_str().to_string();
        let admin = actor.role == Role::Administrator;
        Self {
            prefix: (admin && own != "CUC" && !own.contains('-')).then(|| format!("{own}-%")),
            own: (!(admin && own == "CUC")).then_some(own),
            office: office.map(str::to_string),
        }
    }

    /// Every office (the gauges and the digest).
    pub(super) fn everywhere() -> Self {
        Self {
            own: None,
            prefix: None,
            office: None,
        }
    }

    /// The condition on `column`, with `$1…` for its parameters.
    pub(super) fn sql(&self, column: &str) -> (String, Vec<String>) {
        let mut params = Vec::new();
        let mut conds = Vec::new();
        if let Some(own) = &self.own {
            params.push(own.clone());
            let mut c = format!("({column} = $1");
            if let Some(p) = &self.prefix {
                params.push(p.clone());
                c.push_str(&format!(" OR {column} LIKE ${}", params.len()));
            }
            c.push(')');
            conds.push(c);
        }
        if let Some(o) = &self.office {
            params.push(o.clone());
            conds.push(format!("{column} = ${}", params.len()));
        }
        if conds.is_empty() {
            conds.push("1 = 1".into());
        }
        (conds.join(" AND "), params)
    }
}

/// Runs `sql` with the scope's parameters bound in order.
pub(super) async fn fetch(
    db: &Db,
    sql: &str,
    params: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for p in params {
        q = q.bind(p);
    }
    q.fetch_all(db.pool()).await
}
