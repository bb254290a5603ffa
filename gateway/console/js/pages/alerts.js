// Alerts: a partner failing, the dead-letter queue growing, certificates expiring, repeated
// sign-in failures; each with when it started and who acknowledged it. Administrators
// acknowledge them. Refreshed every 10 seconds.

import { get, post } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, badge, toast, errorText } from "../ui.js";

/** The alerts page. */
export async function alertsPage(route, session) {
  const box = el("div", { id: "alerts-body" });
  const admin = session.me.role === "administrator";
  const load = async () => {
    try {
      const rows = await get("/v1/admin/alerts");
      const columns = [
        { key: "severity", label: "alerts.severity", render: (r) => badge(r.severity, "severity") },
        { key: "kind", label: "alerts.kind", render: (r) => t(`alert_kind.${r.kind}`) },
        { key: "subject", label: "alerts.subject" },
        { key: "detail", label: "alerts.detail", wrap: true },
        { key: "since", label: "alerts.since", render: (r) => fmtTime(r.since) },
        { key: "acknowledged_by", label: "alerts.acknowledged", render: (r) => r.acknowledged_by
          ? `${r.acknowledged_by} · ${fmtTime(r.acknowledged_at)}`
          : admin ? el("button", {
            type: "button", class: "ack", "data-key": r.key,
            onclick: async () => {
              try { await post("/v1/admin/alerts/acknowledge", { key: r.key }); load(); } catch (e) { toast(errorText(e), true); }
            },
          }, t("alerts.acknowledge")) : "" },
      ];
      box.replaceChildren(table({ id: "alerts", title: "alerts.title", columns, rows, csvName: "alerts", csvHref: "/v1/admin/alerts?format=csv", empty: "alerts.none" }));
    } catch (e) { box.replaceChildren(el("p", { class: "error" }, errorText(e))); }
  };
  route.every(10000, load);
  return el("div", {}, el("h1", {}, t("alerts.title")), el("p", { class: "muted" }, t("alerts.mail_note")), box);
}
