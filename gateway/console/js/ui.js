// Small helpers every page uses: building elements, tables with a CSV button, times, badges,
// messages to the user.

import { t, lang } from "./i18n.js";

/** An element with attributes (on* are listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A date and time in the reader's language, in Vietnam's time zone. */
export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" });
}

/** Whole đồng with grouping. */
export function fmtMoney(n) {
  if (n === null || n === undefined) return "";
  return `${Number(n).toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB")} đ`;
}

const GOOD = ["handled", "delivered", "served", "read", "accepted", "closed", "ok", "posted", "done", "open_ok"];
const BAD = ["dead_lettered", "failed", "rejected", "open", "critical", "overdue", "discarded"];
const WARN = ["waiting_retry", "half_open", "warning", "due_soon", "replayed", "sending", "returned"];

/** A coloured label for a state, with its translated name. */
export function badge(state, prefix = "state") {
  const cls = GOOD.includes(state) ? "ok" : BAD.includes(state) ? "bad" : WARN.includes(state) ? "warn" : "info";
  return el("span", { class: `badge ${cls}`, "data-state": state }, t(`${prefix}.${state}`, {}, state));
}

/** Shows a short message in the corner for a few seconds. */
export function toast(text, bad = false) {
  const box = document.getElementById("toast");
  const m = el("div", { class: bad ? "bad" : "" }, text);
  box.append(m);
  setTimeout(() => m.remove(), bad ? 9000 : 4000);
}

/** The words of an error for the reader. */
export function errorText(e) {
  return e && e.message ? e.message : String(e);
}

const QUOTE = String.fromCharCode(34);

function csvCell(v) {
  const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[\x22,\n\r]/.test(s) ? QUOTE + s.replaceAll(QUOTE, QUOTE + QUOTE) + QUOTE : s;
}

/** Downloads rows as a CSV file built in the browser (for lists the API has no CSV of). */
export function downloadCsv(name, columns, rows) {
  const lines = [columns.map((c) => csvCell(c.key)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.csv ? c.csv(r) : r[c.key])).join(","));
  const blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `${name}.csv` });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/**
 * A table of `rows` with `columns` ({key, label, render?, num?, csv?}) and a bar holding the
 * title, the count and a CSV button: a link to the API's CSV (`csvHref`) or a file built here.
 */
export function table({ id, title, columns, rows, csvName, csvHref, empty, select }) {
  const head = el("tr", {}, select ? el("th", {}, select.all) : null,
    columns.map((c) => el("th", { class: c.num ? "num" : "" }, t(c.label))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {}, select ? el("td", {}, select.cell(r)) : null,
      columns.map((c) => el("td", { class: c.num ? "num" : c.wrap ? "wrap" : "" },
        c.render ? c.render(r) : r[c.key] ?? ""))));
  }
  if (!rows.length) {
    body.append(el("tr", {}, el("td", { colspan: columns.length + (select ? 1 : 0), class: "muted" }, t(empty || "list.empty"))));
  }
  const csv = csvHref
    ? el("a", { class: "button csv", href: csvHref, download: `${csvName}.csv`, "data-csv": csvName }, t("list.csv"))
    : el("button", { type: "button", class: "csv", "data-csv": csvName, onclick: () => downloadCsv(csvName, columns, rows) }, t("list.csv"));
  return el("section", { id },
    el("div", { class: "tablebar" }, el("h2", {}, title ? t(title) : "", " ", el("span", { class: "muted" }, `(${rows.length})`)), csv),
    el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), body)));
}

/** A link to a message's journey. */
export function messageLink(id) {
  return el("a", { href: `#/message/${encodeURIComponent(id)}`, class: "msg-link" }, id);
}
