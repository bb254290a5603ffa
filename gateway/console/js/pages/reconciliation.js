// The reconciliation queue: payments no case could be matched to with confidence, with their
// candidate cases; a head or officer posts one on a case or returns it to the payer, with a
// reason (audited by the API).

import { get, post } from "../api.js";
import { t } from "../i18n.js";
import { el, table, fmtTime, fmtMoney, toast, errorText } from "../ui.js";

function resolver(item, reload) {
  const reason = el("input", { class: "reason", placeholder: t("rec.reason"), size: 24 });
  const caseId = el("input", { class: "case", list: `cands-${item.payment_id}`, placeholder: t("rec.case"), size: 22,
    value: item.candidates[0] ? item.candidates[0].case_id : "" });
  const options = el("datalist", { id: `cands-${item.payment_id}` },
    item.candidates.map((c) => el("option", { value: c.case_id }, `${c.office} · ${c.judgment_number || ""}`)));
  const act = (body) => async () => {
    try {
      await post(`/v1/payments/unmatched/${encodeURIComponent(item.payment_id)}/resolve`, { ...body(), reason: reason.value });
      toast(t("rec.done"));
      reload();
    } catch (e) { toast(errorText(e), true); }
  };
  return el("div", { class: "row" }, caseId, options, reason,
    el("button", { type: "button", class: "primary post", onclick: act(() => ({ action: "post", case_id: caseId.value })) }, t("rec.post")),
    el("button", { type: "button", class: "return", onclick: act(() => ({ action: "return" })) }, t("rec.return")));
}

/** The queue for the signed-in person's offices. */
export async function reconciliationPage(_route, session) {
  const box = el("div", { id: "rec-body" });
  const canAct = ["head", "officer"].includes(session.me.role);
  const load = async () => {
    try {
      const rows = await get("/v1/payments/unmatched");
      const columns = [
        { key: "payment_id", label: "rec.payment", render: (r) => el("a", { href: `#/message/${encodeURIComponent(r.payment_id)}` }, r.payment_id) },
        { key: "amount_vnd", label: "rec.amount", num: true, render: (r) => fmtMoney(r.amount_vnd) },
        { key: "booking_date", label: "rec.booked" },
        { key: "payer_name", label: "rec.payer", render: (r) => r.payer_name || "" },
        { key: "remittance", label: "rec.memo", wrap: true },
        { key: "bank", label: "rec.bank", render: (r) => r.bank || "" },
        { key: "reason", label: "rec.why", wrap: true },
        { key: "candidates", label: "rec.candidates", csv: (r) => r.candidates.map((c) => c.case_id).join(" "),
          render: (r) => r.candidates.map((c) => el("div", {}, `${c.case_id} (${c.signals.join(", ")})`)) },
        { key: "created_at", label: "rec.arrived", csv: (r) => r.created_at, render: (r) => fmtTime(r.created_at) },
      ];
      if (canAct) columns.push({ key: "action", label: "rec.action", csv: () => "", render: (r) => resolver(r, load) });
      box.replaceChildren(table({ id: "unmatched", title: "rec.title", columns, rows, csvName: "unmatched-payments", empty: "rec.empty" }));
    } catch (e) { box.replaceChildren(el("p", { class: "error" }, errorText(e))); }
  };
  await load();
  return el("div", {}, el("h1", {}, t("rec.title")), box);
}
