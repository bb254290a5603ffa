// The dashboard: for administrators each partner's health (messages in and out, error rate,
// latency, retry backlog, circuit, dead letters, last success), refreshed every 5 seconds; for
// the offices' staff their office's deadlines and payments waiting, refreshed the same way.

import { get } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, badge, errorText } from "../ui.js";

const REFRESH_MS = 5000;

function stat(label, n, cls = "") {
  return el("div", { class: `stat ${cls}` }, el("div", { class: "n" }, String(n)), el("div", { class: "l" }, t(label)));
}

function pct(x) {
  return `${(100 * (x || 0)).toFixed(1)} %`;
}

function ms(x) {
  return x === null || x === undefined ? "" : `${x} ms`;
}

const COLUMNS = [
  { key: "partner", label: "health.partner", render: (r) => el("a", { href: `#/messages?partner=${encodeURIComponent(r.partner)}` }, r.partner) },
  { key: "messages_in", label: "health.in", num: true },
  { key: "messages_out", label: "health.out", num: true },
  { key: "failed", label: "health.failed", num: true },
  { key: "error_rate", label: "health.error_rate", num: true, render: (r) => pct(r.error_rate) },
  { key: "latency_p50_ms", label: "health.p50", num: true, render: (r) => ms(r.latency_p50_ms) },
  { key: "latency_p95_ms", label: "health.p95", num: true, render: (r) => ms(r.latency_p95_ms) },
  { key: "retry_backlog", label: "health.backlog", num: true },
  { key: "circuit", label: "health.circuit", render: (r) => (r.circuit ? badge(r.circuit, "circuit") : "—") },
  { key: "dlq_depth", label: "health.dlq", num: true, render: (r) => (r.dlq_depth ? el("a", { href: "#/dead-letters", class: "dlq" }, String(r.dlq_depth)) : "0") },
  { key: "last_success", label: "health.last_success", render: (r) => fmtTime(r.last_success) },
];

function failing(p) {
  return p.circuit === "open" || (p.failed >= 2 && p.error_rate >= 0.5);
}

async function adminView(box, stamp) {
  const [health, alerts] = await Promise.all([get("/v1/admin/partners/health"), get("/v1/admin/alerts")]);
  const dlq = health.reduce((n, p) => n + p.dlq_depth, 0);
  const backlog = health.reduce((n, p) => n + p.retry_backlog, 0);
  const bad = health.filter(failing).length;
  box.replaceChildren(
    el("div", { class: "cards" },
      stat("dash.partners", health.length),
      stat("dash.failing", bad, bad ? "bad" : "ok"),
      stat("dash.dlq", dlq, dlq ? "bad" : "ok"),
      stat("dash.backlog", backlog, backlog ? "warn" : "ok"),
      stat("dash.alerts", alerts.length, alerts.length ? "warn" : "ok")),
    table({
      id: "health", title: "dash.health", columns: COLUMNS, rows: health,
      csvName: "partners-health", csvHref: "/v1/admin/partners/health?format=csv",
    }));
  stamp();
}

async function officeView(box, stamp, me) {
  const wants = ["head", "officer"].includes(me.role);
  const [deadlines, queue] = await Promise.all([
    get("/v1/deadlines/overview?limit=1"),
    wants ? get("/v1/payments/unmatched") : Promise.resolve([]),
  ]);
  const sum = (k) => deadlines.total[k];
  box.replaceChildren(el("div", { class: "cards" },
    stat("deadlines.overdue", sum("overdue"), sum("overdue") ? "bad" : "ok"),
    stat("deadlines.due_soon", sum("due_soon"), sum("due_soon") ? "warn" : "ok"),
    stat("deadlines.open", sum("open")),
    wants ? stat("dash.unmatched", queue.length, queue.length ? "warn" : "ok") : null),
  el("p", {}, el("a", { href: "#/deadlines" }, t("dash.see_deadlines"))));
  stamp();
}

/** The dashboard for `session.me`. */
export async function dashboardPage(route, session) {
  const me = session.me;
  const box = el("div", { id: "dashboard-body" }, el("p", { class: "muted" }, t("common.loading")));
  const live = el("span", { class: "live", id: "live" });
  const stamp = () => { live.textContent = t("dash.updated", { time: fmtTime(new Date().toISOString()) }); };
  const load = async () => {
    try {
      if (me.role === "administrator") await adminView(box, stamp);
      else await officeView(box, stamp, me);
    } catch (e) {
      live.textContent = errorText(e);
    }
  };
  route.every(REFRESH_MS, load);
  return el("div", {}, el("div", { class: "row" }, el("h1", {}, t("dash.title")), live), box);
}
