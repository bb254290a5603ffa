// The partner registry: every partner (registered ones with their keys, outbound ones with
// the endpoint in force), a connectivity test per outbound partner, and the versions of its
// endpoint settings: change them (a new version) or restore an earlier one. Changing needs an
// administrator of CUC; the API refuses others.

import { get, post, put } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, badge, toast, errorText } from "../ui.js";

function checkCell(r, reload) {
  if (!r.url) return "";
  const last = r.last_check_at
    ? el("div", { class: "muted check-result" }, badge(r.last_check_ok ? "ok" : "failed", "check"), " ", fmtTime(r.last_check_at), " · ", r.last_check_detail)
    : null;
  return el("div", {},
    el("button", {
      type: "button", class: "check", "data-partner": r.partner,
      onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          const c = await post(`/v1/admin/partners/${encodeURIComponent(r.partner)}/check`);
          toast(`${r.partner}: ${c.detail}`, !c.ok);
        } catch (e) { toast(errorText(e), true); }
        reload();
      },
    }, t("partners.test")), last);
}

async function versionsPanel(partner, panel, reload) {
  const v = await get(`/v1/admin/partners/${encodeURIComponent(partner)}/endpoint`);
  const url = el("input", { id: "ep-url", value: v.in_force.url, size: 50 });
  const timeout = el("input", { id: "ep-timeout", type: "number", min: 1, value: v.in_force.timeout_ms });
  const note = el("input", { id: "ep-note", placeholder: t("partners.note"), size: 30 });
  const save = el("button", {
    type: "button", class: "primary", id: "ep-save",
    onclick: async () => {
      try {
        await put(`/v1/admin/partners/${encodeURIComponent(partner)}/endpoint`,
          { url: url.value, timeout_ms: Number(timeout.value), note: note.value });
        toast(t("partners.saved"));
        await reload(partner);
      } catch (e) { toast(errorText(e), true); }
    },
  }, t("partners.save"));
  const columns = [
    { key: "version", label: "partners.version", num: true },
    { key: "url", label: "partners.url", wrap: true },
    { key: "timeout_ms", label: "partners.timeout", num: true },
    { key: "source", label: "partners.source", render: (r) => t(`source.${r.source}`) },
    { key: "changed_by", label: "partners.by" },
    { key: "changed_at", label: "partners.when", render: (r) => fmtTime(r.changed_at) },
    { key: "note", label: "partners.note", wrap: true, render: (r) => r.note || "" },
    { key: "restore", label: "partners.restore", csv: () => "", render: (r) => el("button", {
      type: "button", class: "restore", "data-version": r.version,
      onclick: async () => {
        try {
          await post(`/v1/admin/partners/${encodeURIComponent(partner)}/endpoint/restore`, { version: r.version, note: note.value });
          toast(t("partners.restored", { version: r.version }));
          await reload(partner);
        } catch (e) { toast(errorText(e), true); }
      },
    }, t("partners.restore")) },
  ];
  panel.replaceChildren(el("div", { class: "card", id: "versions" },
    el("h2", {}, t("partners.settings_of", { partner })),
    el("p", { class: "muted" }, t("partners.file_note", { key: v.config_key, url: v.file.url })),
    el("div", { class: "row" }, el("label", {}, t("partners.url"), url), el("label", {}, t("partners.timeout"), timeout), note, save),
    table({ id: "versions-table", title: "partners.versions", columns, rows: v.versions, csvName: `versions-${partner.replace(/[^A-Za-z0-9-]/g, "_")}`, empty: "partners.no_versions" })));
}

/** The registry page (administrators). */
export async function partnersPage() {
  const box = el("div", { id: "partners-body" });
  const panel = el("div", { id: "versions-panel" });
  const load = async (open) => {
    const rows = await get("/v1/admin/partners");
    const columns = [
      { key: "partner", label: "health.partner" },
      { key: "kind", label: "partners.kind", render: (r) => t(`kind.${r.kind}`) },
      { key: "name", label: "partners.name", render: (r) => r.name || "" },
      { key: "registration", label: "partners.registration", render: (r) => (r.registration ? badge(r.registration, "registration") : "—") },
      { key: "keys", label: "partners.keys", num: true },
      { key: "url", label: "partners.url", wrap: true, render: (r) => r.url || "" },
      { key: "version", label: "partners.version", render: (r) => (r.url ? (r.version ? `v${r.version} (${t(`source.${r.source}`)})` : t("source.file")) : "") },
      { key: "check", label: "partners.connectivity", csv: (r) => (r.last_check_at ? `${r.last_check_ok} ${r.last_check_detail}` : ""), render: (r) => checkCell(r, () => load()) },
      { key: "edit", label: "partners.settings", csv: () => "", render: (r) => (r.url ? el("button", {
        type: "button", class: "versions", "data-partner": r.partner,
        onclick: () => versionsPanel(r.partner, panel, load).catch((e) => toast(errorText(e), true)),
      }, t("partners.versions")) : "") },
    ];
    box.replaceChildren(table({ id: "partners", title: "partners.title", columns, rows, csvName: "partners", csvHref: "/v1/admin/partners?format=csv" }));
    if (open) await versionsPanel(open, panel, load);
  };
  await load();
  return el("div", {}, el("h1", {}, t("partners.title")), box, panel);
}
