// One message: what it is, its journey step by step (refreshed every 3 seconds, so a replay
// is seen through to delivery), its original bytes (shown and downloadable), and for a dead
// letter the administrator's replay and discard.

import { get, post, ApiError } from "../api.js";
import { t } from "../i18n.js";
import { el, fmtTime, badge, toast, errorText } from "../ui.js";

const REFRESH_MS = 3000;
const GOOD = ["handled", "delivered", "served", "read", "accepted"];
const BAD = ["dead_lettered", "failed", "rejected", "discarded"];

function step(s) {
  const cls = GOOD.includes(s.state) ? "ok" : BAD.includes(s.state) ? "bad" : s.state === "waiting_retry" ? "warn" : "";
  return el("li", { class: cls, "data-state": s.state }, badge(s.state), " ",
    el("span", { class: "muted" }, fmtTime(s.at)), s.detail ? el("div", {}, s.detail) : null);
}

function facts(m) {
  const row = (label, value) => [el("dt", {}, t(label)), el("dd", {}, value ?? "")];
  return el("dl", { class: "kv", id: "facts" },
    row("msg.id", m.id), row("msg.subject", m.subject), row("msg.partner", m.partner),
    row("msg.direction", t(`dir.${m.direction}`)), row("msg.state", badge(m.state)),
    row("msg.case", m.case_id || ""), row("msg.parent", m.parent_id
      ? el("a", { href: `#/message/${encodeURIComponent(m.parent_id)}` }, m.parent_id) : ""),
    row("msg.receipt", m.receipt_id || ""), row("msg.attempts", String(m.attempts)),
    row("msg.last_error", m.last_error || ""), row("msg.content_type", m.content_type),
    row("msg.hash", el("code", {}, m.content_hash)),
    row("msg.created", fmtTime(m.created_at)), row("msg.updated", fmtTime(m.updated_at)));
}

async function payloadPreview(id, type) {
  const pre = el("pre", { class: "payload", id: "payload" });
  if (!/json|xml|text/.test(type)) {
    pre.textContent = t("msg.binary");
    return pre;
  }
  try {
    const r = await fetch(`/v1/messages/${encodeURIComponent(id)}/payload`, { credentials: "same-origin" });
    const text = await r.text();
    pre.textContent = text.length > 20000 ? `${text.slice(0, 20000)}\n…` : text;
  } catch (e) {
    pre.textContent = errorText(e);
  }
  return pre;
}

function actions(m, me, refresh) {
  if (me.role !== "administrator" || m.state !== "dead_lettered") return null;
  const reason = el("input", { id: "discard-reason", placeholder: t("dlq.reason_placeholder"), size: 40 });
  return el("div", { class: "card row", id: "actions" },
    el("button", {
      type: "button", class: "primary", id: "replay",
      onclick: async () => {
        try {
          await post(`/v1/admin/messages/${encodeURIComponent(m.id)}/replay`);
          toast(t("dlq.replayed", { n: 1 }));
          refresh();
        } catch (e) { toast(errorText(e), true); }
      },
    }, t("dlq.replay")),
    reason,
    el("button", {
      type: "button", class: "danger", id: "discard",
      onclick: async () => {
        try {
          await post(`/v1/admin/messages/${encodeURIComponent(m.id)}/discard`, { reason: reason.value });
          toast(t("dlq.discarded"));
          refresh();
        } catch (e) { toast(errorText(e), true); }
      },
    }, t("dlq.discard")));
}

/** The page of message `route.arg`. */
export async function messagePage(route, session) {
  const id = decodeURIComponent(route.arg || "");
  let m;
  try {
    m = await get(`/v1/messages/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return el("p", { class: "error" }, t("msg.not_found", { id }));
    throw e;
  }
  const head = el("div", { id: "message-head" });
  const timeline = el("ol", { class: "timeline", id: "journey" });
  const draw = (msg) => {
    head.replaceChildren(facts(msg), actions(msg, session.me, refresh));
    timeline.replaceChildren(...msg.journey.map(step));
  };
  const refresh = async () => {
    try {
      draw(await get(`/v1/messages/${encodeURIComponent(id)}`));
    } catch (e) { toast(errorText(e), true); }
  };
  draw(m);
  route.every(REFRESH_MS, refresh);
  const download = el("a", {
    class: "button", id: "download", href: `/v1/messages/${encodeURIComponent(id)}/payload`,
    download: `${id}.${/xml/.test(m.content_type) ? "xml" : /json/.test(m.content_type) ? "json" : "bin"}`,
  }, t("msg.download"));
  return el("div", {},
    el("h1", {}, t("msg.detail_title"), " ", el("code", {}, id)),
    el("div", { class: "card" }, head),
    el("h2", {}, t("msg.journey")),
    el("div", { class: "card" }, timeline),
    el("div", { class: "tablebar" }, el("h2", {}, t("msg.payload")), download),
    await payloadPreview(id, m.content_type));
}
