// The deadlines overview: per office, how many deadlines of cases and complaints are open,
// due soon, overdue, elapsed and met, and the deadlines themselves (overdue ones by default),
// most urgent first, with the officer in charge and the days overdue.

import { get, query } from "../api.js";
import { t } from "../i18n.js";
import { el, table } from "../ui.js";

const COUNTS = [
  { key: "office", label: "deadlines.office", render: (r) => el("a", { href: `#/deadlines${query({ office: r.office })}` }, r.office) },
  { key: "overdue", label: "deadlines.overdue", num: true },
  { key: "complaints_overdue", label: "deadlines.complaints_overdue", num: true },
  { key: "due_soon", label: "deadlines.due_soon", num: true },
  { key: "open", label: "deadlines.open", num: true },
  { key: "elapsed", label: "deadlines.elapsed", num: true },
  { key: "done", label: "deadlines.done", num: true },
];

const ITEMS = [
  { key: "office", label: "deadlines.office" },
  { key: "kind", label: "deadlines.kind", render: (r) => t(`deadline_kind.${r.kind}`) },
  { key: "id", label: "deadlines.case" },
  { key: "title_vi", label: "deadlines.step", wrap: true },
  { key: "due_on", label: "deadlines.due_on" },
  { key: "status", label: "deadlines.status", render: (r) => t(`deadline_status.${r.status}`) },
  { key: "days_overdue", label: "deadlines.days", num: true, render: (r) => (r.days_overdue ?? "") },
  { key: "officer", label: "deadlines.officer", render: (r) => r.officer || "" },
];

/** One office's counts as one flat row (the table and its CSV). */
function flat(o) {
  return {
    office: o.office, overdue: o.total.overdue, complaints_overdue: o.complaints.overdue,
    due_soon: o.total.due_soon, open: o.total.open, elapsed: o.total.elapsed, done: o.total.done,
  };
}

function select(name, value, options) {
  return el("select", { name },
    options.map(([v, label]) => el("option", { value: v, selected: v === value ? "selected" : undefined }, label)));
}

/** The overview of the offices the person covers (`?office=`, `?kind=`, `?status=` narrow it). */
export async function deadlinesPage(route, session) {
  const office = route.params.get("office") || "";
  const kind = route.params.get("kind") || "";
  // Overdue ones unless the person asks for another status, or for every one ("all").
  const status = route.params.get("status") || "overdue";
  const wanted = { office, kind, status: status === "all" ? "" : status };
  const data = await get(`/v1/deadlines/overview${query(wanted)}`);
  const form = el("form", {
    class: "row card", id: "office-form",
    onsubmit: (ev) => {
      ev.preventDefault();
      const f = ev.target;
      location.hash = `#/deadlines${query({ office: f.office ? f.office.value : office, kind: f.kind.value, status: f.status.value })}`;
    },
  },
  session.me.role === "administrator"
    ? el("label", {}, t("deadlines.office"), el("input", { name: "office", value: office, placeholder: "HCM-KV01" }))
    : null,
  el("label", {}, t("deadlines.kind"), select("kind", kind, [["", t("deadlines.any")], ["case", t("deadline_kind.case")], ["complaint", t("deadline_kind.complaint")]])),
  el("label", {}, t("deadlines.status"), select("status", status, [["all", t("deadlines.any")],
    ...["overdue", "due_soon", "open", "elapsed"].map((s) => [s, t(`deadline_status.${s}`)])])),
  el("button", { type: "submit" }, t("deadlines.show")));
  return el("div", {},
    el("h1", {}, t("deadlines.title")),
    el("p", { class: "muted" }, t("deadlines.today", { today: data.day })),
    form,
    table({ id: "office-counts", title: "deadlines.by_office", columns: COUNTS, rows: data.offices.map(flat), csvName: "deadlines-by-office" }),
    el("p", { class: "muted", id: "deadlines-shown" }, t("deadlines.shown", { shown: data.items.length, matched: data.matched })),
    table({
      id: "overdue", title: "deadlines.overdue_list", columns: ITEMS, rows: data.items, csvName: "deadlines",
      csvHref: `/v1/deadlines/overview${query({ ...wanted, format: "csv" })}`, empty: "deadlines.none_overdue",
    }));
}
