// Dead letters: each with its reason and tries; select several and replay them at once, or
// discard one for good with a reason (audited). Refreshed every 5 seconds until something is
// selected.

import { get, post } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, messageLink, toast, errorText } from "../ui.js";

const COLUMNS = [
  { key: "message_id", label: "msg.id", render: (r) => messageLink(r.message_id) },
  { key: "subject", label: "msg.subject" },
  { key: "partner", label: "msg.partner" },
  { key: "case_id", label: "msg.case", render: (r) => r.case_id || "" },
  { key: "office", label: "msg.office", render: (r) => r.office || "" },
  { key: "reason", label: "dlq.reason", wrap: true },
  { key: "deliveries", label: "dlq.deliveries", num: true },
  { key: "dead_at", label: "dlq.dead_at", render: (r) => fmtTime(r.dead_at) },
];

/** The dead-letter page (administrators). */
export async function deadLettersPage(route) {
  const selected = new Set();
  const box = el("div", { id: "dlq-body" });
  const result = el("div", { id: "replay-result" });
  const reason = el("input", { id: "discard-reason", placeholder: t("dlq.reason_placeholder"), size: 40 });
  let rows = [];
  const draw = () => {
    const all = el("input", {
      type: "checkbox", id: "select-all", "aria-label": t("dlq.select_all"),
      onchange: (ev) => { rows.forEach((r) => (ev.target.checked ? selected.add(r.message_id) : selected.delete(r.message_id))); draw(); },
    });
    all.checked = rows.length > 0 && rows.every((r) => selected.has(r.message_id));
    box.replaceChildren(table({
      id: "dead-letters", title: "dlq.title", columns: COLUMNS, rows, csvName: "dead-letters",
      csvHref: "/v1/admin/dead-letters?format=csv", empty: "dlq.empty",
      select: {
        all,
        cell: (r) => {
          const c = el("input", {
            type: "checkbox", class: "pick", value: r.message_id, "aria-label": r.message_id,
            onchange: (ev) => (ev.target.checked ? selected.add(r.message_id) : selected.delete(r.message_id)),
          });
          c.checked = selected.has(r.message_id);
          return c;
        },
      },
    }));
  };
  const load = async () => {
    if (selected.size) return;
    try {
      rows = await get("/v1/admin/dead-letters");
      draw();
    } catch (e) { toast(errorText(e), true); }
  };
  const replay = async () => {
    if (!selected.size) return toast(t("dlq.select_first"), true);
    try {
      const out = await post("/v1/admin/dead-letters/replay", { message_ids: [...selected] });
      const ok = out.filter((o) => o.replayed).length;
      result.replaceChildren(el("p", {}, t("dlq.replayed", { n: ok })),
        ...out.filter((o) => !o.replayed).map((o) => el("p", { class: "error" }, `${o.message_id}: ${o.error}`)));
      selected.clear();
      load();
    } catch (e) { toast(errorText(e), true); }
  };
  const discard = async () => {
    if (selected.size !== 1) return toast(t("dlq.discard_one"), true);
    const [id] = [...selected];
    try {
      await post(`/v1/admin/messages/${encodeURIComponent(id)}/discard`, { reason: reason.value });
      result.replaceChildren(el("p", {}, t("dlq.discarded")));
      selected.clear();
      reason.value = "";
      load();
    } catch (e) { toast(errorText(e), true); }
  };
  route.every(5000, load);
  return el("div", {},
    el("h1", {}, t("dlq.title")),
    el("div", { class: "card row" },
      el("button", { type: "button", class: "primary", id: "replay-selected", onclick: replay }, t("dlq.replay_selected")),
      reason,
      el("button", { type: "button", class: "danger", id: "discard-selected", onclick: discard }, t("dlq.discard"))),
    result, box);
}
