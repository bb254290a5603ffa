// Message search: by id (or its beginning), partner, subject, case, state, direction and
// time, newest first, a page at a time; each result links to its journey; the page as CSV.

import { get, query } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, badge, messageLink } from "../ui.js";

/** Every state a message can be in (the journey's states). */
export const STATES = ["received", "rejected", "accepted", "handled", "emitted", "sending", "waiting_retry",
  "delivered", "failed", "dead_lettered", "replayed", "discarded", "served", "read"];

const FIELDS = ["id", "partner", "subject", "case_id", "state", "direction", "from", "to"];

const COLUMNS = [
  { key: "id", label: "msg.id", render: (r) => messageLink(r.id) },
  { key: "subject", label: "msg.subject" },
  { key: "partner", label: "msg.partner" },
  { key: "direction", label: "msg.direction", render: (r) => t(`dir.${r.direction}`) },
  { key: "state", label: "msg.state", render: (r) => badge(r.state) },
  { key: "case_id", label: "msg.case", render: (r) => r.case_id || "" },
  { key: "office", label: "msg.office", render: (r) => r.office || "" },
  { key: "attempts", label: "msg.attempts", num: true },
  { key: "last_error", label: "msg.last_error", wrap: true, render: (r) => r.last_error || "" },
  { key: "created_at", label: "msg.created", render: (r) => fmtTime(r.created_at) },
];

function toMs(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.getTime();
}

/** The search page; the filters live in the address (#/messages?partner=vneid&state=…). */
export async function messagesPage(route) {
  const p = route.params;
  const input = (name, type = "text") => el("input", { name, id: `f-${name}`, type, value: p.get(name) || "" });
  const select = (name, values, prefix) => {
    const s = el("select", { name, id: `f-${name}` }, el("option", { value: "" }, t("common.any")),
      values.map((v) => el("option", { value: v }, t(`${prefix}.${v}`))));
    s.value = p.get(name) || "";
    return s;
  };
  const form = el("form", {
    class: "filters card", id: "search-form",
    onsubmit: (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const q = {};
      for (const f of FIELDS) q[f] = data.get(f);
      location.hash = `#/messages${query(q)}`;
    },
  },
  el("label", {}, t("msg.id"), input("id")),
  el("label", {}, t("msg.partner"), input("partner")),
  el("label", {}, t("msg.subject"), input("subject")),
  el("label", {}, t("msg.case"), input("case_id")),
  el("label", {}, t("msg.state"), select("state", STATES, "state")),
  el("label", {}, t("msg.direction"), select("direction", ["in", "out"], "dir")),
  el("label", {}, t("msg.from"), input("from", "datetime-local")),
  el("label", {}, t("msg.to"), input("to", "datetime-local")),
  el("button", { type: "submit", class: "primary", id: "search" }, t("msg.search")));
  const filter = {
    id: p.get("id"), partner: p.get("partner"), subject: p.get("subject"), case_id: p.get("case_id"),
    state: p.get("state"), direction: p.get("direction"), from_ms: toMs(p.get("from")), to_ms: toMs(p.get("to")),
    limit: 50, cursor: p.get("cursor"),
  };
  const page = await get(`/v1/admin/messages${query(filter)}`);
  const next = page.next
    ? el("a", { class: "button", id: "next-page", href: `#/messages${query({ ...Object.fromEntries(p), cursor: page.next })}` }, t("list.next"))
    : null;
  const first = p.get("cursor") ? el("a", { class: "button", href: `#/messages${query({ ...Object.fromEntries(p), cursor: "" })}` }, t("list.first")) : null;
  return el("div", {},
    el("h1", {}, t("msg.title")),
    form,
    table({
      id: "results", title: "msg.results", columns: COLUMNS, rows: page.messages, csvName: "messages",
      csvHref: `/v1/admin/messages${query({ ...filter, limit: 500, format: "csv" })}`,
    }),
    el("div", { class: "row" }, first, next));
}
