// The deadlines overview: per office, how many deadlines are open, due soon, overdue,
// elapsed and met, and the overdue ones with their case and officer.

import { get, query } from "../api.js";
import { t } from "../i18n.js";
import { el, table } from "../ui.js";

const COUNTS = [
  { key: "office", label: "deadlines.office", render: (r) => el("a", { href: `#/deadlines?office=${encodeURIComponent(r.office)}` }, r.office) },
  { key: "overdue", label: "deadlines.overdue", num: true },
  { key: "due_soon", label: "deadlines.due_soon", num: true },
  { key: "open", label: "deadlines.open", num: true },
  { key: "elapsed", label: "deadlines.elapsed", num: true },
  { key: "done", label: "deadlines.done", num: true },
];

const OVERDUE = [
  { key: "office", label: "deadlines.office" },
  { key: "reference", label: "deadlines.case" },
  { key: "kind", label: "deadlines.kind", render: (r) => t(`deadline_kind.${r.kind}`) },
  { key: "title_vi", label: "deadlines.step" },
  { key: "due_on", label: "deadlines.due_on" },
  { key: "days_overdue", label: "deadlines.days", num: true },
  { key: "officer", label: "deadlines.officer", render: (r) => r.officer || "" },
];

/** The overview of the offices the person covers (`?office=` narrows it). */
export async function deadlinesPage(route, session) {
  const office = route.params.get("office") || "";
  const data = await get(`/v1/admin/deadlines${query({ office })}`);
  const filter = session.me.role === "administrator"
    ? el("form", {
      class: "row card", id: "office-form",
      onsubmit: (ev) => { ev.preventDefault(); location.hash = `#/deadlines${query({ office: ev.target.office.value })}`; },
    }, el("label", {}, t("deadlines.office"), el("input", { name: "office", value: office, placeholder: "HCM-KV01" })),
    el("button", { type: "submit" }, t("deadlines.show")))
    : null;
  return el("div", {},
    el("h1", {}, t("deadlines.title")),
    el("p", { class: "muted" }, t("deadlines.today", { today: data.today })),
    filter,
    table({ id: "office-counts", title: "deadlines.by_office", columns: COUNTS, rows: data.offices, csvName: "deadlines-by-office" }),
    table({
      id: "overdue", title: "deadlines.overdue_list", columns: OVERDUE, rows: data.overdue, csvName: "overdue-deadlines",
      csvHref: `/v1/admin/deadlines${query({ office, format: "csv" })}`, empty: "deadlines.none_overdue",
    }));
}
