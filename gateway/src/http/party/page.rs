//! The party's page (`GET /me`): one static Vietnamese page, no outside resources, that calls
//! the JSON API with the session cookie. It signs in through VNeID, lists the party's cases,
//! shows one case (obligations, decisions, notices, payments and receipts, orders on the
//! party's accounts, the order of payment, what is owed) with its transfer QR code, files a
//! request for enforcement, and files and follows complaints and denunciations. Text from the API is inserted with `textContent`, never as HTML.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

/// `GET /me`: the page (public: it holds no data; the API it calls needs the session).
pub(super) async fn page() -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'; img-src 'self'",
            ),
        ],
        Html(PAGE),
    )
        .into_response()
}

const PAGE: &str = r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hồ sơ thi hành án của tôi</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
.num{text-align:right}.muted{color:#666}button,a.btn{padding:.4rem .8rem}
#qr svg{width:240px;height:240px}.err{color:#a00}
</style></head><body>
<h1>Cổng thông tin thi hành án dân sự — Hồ sơ của tôi</h1>
<div id="who" class="muted">Đang tải…</div>
<div id="main"></div>
<script>
const $ = (t, txt, cls) => { const e = document.createElement(t); if (txt !== undefined && txt !== null) e.textContent = txt; if (cls) e.className = cls; return e; };
const money = v => (v ?? 0).toLocaleString('vi-VN') + ' đồng';
const ROLE = {creditor: 'Người được thi hành án', debtor: 'Người phải thi hành án', interested: 'Người có quyền lợi, nghĩa vụ liên quan'};
const KIND = {pay_money: 'Trả tiền', compensation: 'Bồi thường', child_support: 'Cấp dưỡng', court_fee: 'Án phí', fine: 'Tiền phạt', confiscation: 'Tịch thu', costs: 'Chi phí cưỡng chế', other: 'Khoản khác', freeze: 'Phong tỏa', confirm_freeze: 'Quyết định phong tỏa', deduct: 'Khấu trừ', release: 'Giải tỏa', payout: 'Chi trả vào tài khoản'};
const vi = (map, k) => map[k] || k;
let csrf = '';
async function api(path, opts) {
  const r = await fetch(path, Object.assign({credentials: 'same-origin'}, opts || {}));
  if (r.status === 401) { signInPrompt(); throw new Error('401'); }
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error((body && (body.detail || body.title)) || r.status);
  return body;
}
function signInPrompt() {
  const who = document.getElementById('who'); who.textContent = '';
  const a = $('a', 'Đăng nhập bằng VNeID', 'btn'); a.href = '/v1/me/sign-in?return_to=/me';
  who.append('Bạn chưa đăng nhập. ', a);
  document.getElementById('main').textContent = '';
}
function table(head, rows) {
  const t = $('table'); const tr = $('tr'); head.forEach(h => tr.append($('th', h))); t.append(tr);
  rows.forEach(r => { const row = $('tr'); r.forEach(c => { const td = $('td'); if (c instanceof Node) td.append(c); else td.textContent = c ?? ''; row.append(td); }); t.append(row); });
  return t;
}
function link(text, href) { const a = $('a', text); a.href = href; return a; }
async function start() {
  const me = await api('/v1/me'); csrf = me.csrf_token;
  const who = document.getElementById('who'); who.textContent = 'Đã đăng nhập: ' + (me.name || '') + ' (CCCD ' + me.cccd + ') ';
  const out = $('button', 'Đăng xuất'); out.onclick = async () => { await fetch('/v1/me/sign-out', {method: 'POST', headers: {'x-csrf-token': csrf}}); signInPrompt(); };
  who.append(out);
  const cases = await api('/v1/me/cases');
  const main = document.getElementById('main'); main.textContent = '';
  main.append($('h2', 'Các việc thi hành án của tôi'));
  if (!cases.length) main.append($('p', 'Không có việc thi hành án nào mà bạn là đương sự.', 'muted'));
  main.append(table(['Bản án', 'Tòa án', 'Cơ quan', 'Tình trạng', 'Tư cách', ''], cases.map(c => {
    const b = $('button', 'Xem'); b.onclick = () => showCase(c.id);
    return [c.judgment_number, c.court, c.office, c.state_vi, c.your_roles.map(r => vi(ROLE, r)).join(', '), b];
  })));
  const box = $('div'); box.id = 'case'; main.append(box);
  requestForm(main);
  await complaints(main, cases);
  if (cases.length === 1) showCase(cases[0].id);
}
async function showCase(id) {
  const c = await api('/v1/me/cases/' + encodeURIComponent(id));
  const d = document.getElementById('case'); d.textContent = '';
  d.append($('h2', 'Bản án số ' + c.judgment_number + ' — ' + c.court));
  d.append($('p', 'Tình trạng: ' + c.state_vi + '. Mã thanh toán: ' + c.payment_reference));
  const m = c.money;
  d.append(table(['Khoản', 'Số tiền'], [['Phải thi hành', money(m.case_amount_vnd)], ['Đã thu', money(m.collected_vnd)], ['Còn phải nộp (bạn)', money(m.you_owe_vnd)], ['Được nhận (bạn)', money(m.owed_to_you_vnd)], ['Đã chi trả cho bạn', money(m.paid_to_you_vnd)], ['Còn được nhận', money(m.still_to_receive_vnd)]]));
  d.append($('h2', 'Đương sự'), table(['', 'Tư cách', 'Họ tên', 'CCCD'], c.parties.map(p => [p.you ? 'Bạn' : '', vi(ROLE, p.role), p.name, p.cccd])));
  d.append($('h2', 'Nghĩa vụ'), table(['#', 'Loại', 'Người phải thi hành', 'Người được thi hành', 'Số tiền'], c.obligations.map(o => [o.position, vi(KIND, o.kind), o.debtor, o.creditor || 'Nhà nước', o.amount_vnd == null ? '' : money(o.amount_vnd)])));
  d.append($('h2', 'Quyết định'), table(['Số', 'Ngày', 'Tải về'], c.decisions.map(x => [x.number, x.issued_on, x.pdf ? link('PDF', x.pdf) : ''])));
  d.append($('h2', 'Thông báo và tống đạt'), table(['Thông báo', 'Trạng thái', 'Cách tống đạt', 'Ngày'], c.notices.map(n => [n.title, n.state, n.channel, n.served_on]).concat(c.service.map(s => ['Tống đạt cho ' + vi(ROLE, s.party), 'đã tống đạt', s.channel, s.served_on]))));
  d.append($('h2', 'Tiền đã nộp và biên lai'), table(['Ngày', 'Số tiền', 'Biên lai'], c.payments.map(p => { const s = $('span'); p.receipts.forEach(r => s.append(link(r.series + ' số ' + r.number_label + ' (' + r.state + ')', '/v1/me/cases/' + encodeURIComponent(c.id) + '/receipts/' + encodeURIComponent(r.receipt_id)), ' ')); return [p.booking_date, money(p.amount_vnd), s]; })));
  d.append($('h2', 'Phong tỏa, khấu trừ trên tài khoản của bạn'), table(['Loại', 'Ngân hàng', 'Tài khoản', 'Số tiền', 'Quyết định', 'Trạng thái'], c.account_orders.map(o => [vi(KIND, o.kind), o.bank, o.account, money(o.amount_vnd), o.decision_number, o.state])));
  d.append($('h2', 'Thứ tự thanh toán (Điều 47)'), table(['Thứ tự', 'Khoản', 'Người nhận', 'Số tiền', 'Còn lại'], c.disbursement_lines.map(l => [l.rank_vi, vi(KIND, l.kind), l.to_you ? 'Bạn' : (l.creditor || l.payee), money(l.amount_vnd), money(l.remaining_vnd)])));
  if (m.you_owe_vnd > 0) {
    d.append($('h2', 'Nộp tiền bằng chuyển khoản (VietQR)'));
    try { const q = await api('/v1/me/cases/' + encodeURIComponent(c.id) + '/payment-qr');
      const img = $('img'); img.src = '/v1/me/cases/' + encodeURIComponent(c.id) + '/payment-qr.svg'; img.alt = 'VietQR'; img.width = 240;
      d.append(img, $('p', 'Tài khoản ' + q.account + ' (' + (q.bank_name || q.bank_bin) + '), số tiền ' + money(q.amount_vnd) + ', nội dung: ' + q.reference));
    } catch (e) { d.append($('p', String(e.message), 'err')); }
  }
}
function requestForm(main) {
  main.append($('h2', 'Nộp đơn yêu cầu thi hành án'));
  const f = $('form'); const fields = [['court_code', 'Mã Tòa án'], ['number', 'Số bản án'], ['date', 'Ngày bản án (YYYY-MM-DD)'], ['effective_date', 'Ngày có hiệu lực'], ['amount', 'Số tiền yêu cầu (đồng)'], ['office', 'Cơ quan THADS (nếu bản án chưa được chuyển)']];
  fields.forEach(([n, l]) => { const p = $('p'); const i = $('input'); i.name = n; p.append($('label', l + ': '), i); f.append(p); });
  const msg = $('p'); const b = $('button', 'Nộp đơn'); f.append(b, msg);
  f.onsubmit = async ev => { ev.preventDefault(); const v = n => f.elements[n].value.trim();
    const body = {judgment: {court_code: v('court_code'), number: v('number'), date: v('date'), effective_date: v('effective_date')}, obligations: [{kind: 'pay_money', amount_vnd: Number(v('amount'))}]};
    if (v('office')) body.office = v('office');
    try { const a = await api('/v1/me/requests', {method: 'POST', headers: {'content-type': 'application/json', 'x-csrf-token': csrf}, body: JSON.stringify(body)});
      msg.textContent = 'Đã nhận đơn số ' + a.register_number + ' tại ' + a.office + '. '; msg.append(link('Phiếu nhận đơn', '/v1/me/requests/' + encodeURIComponent(a.request_id) + '/slip'));
    } catch (e) { msg.textContent = String(e.message); msg.className = 'err'; } };
  main.append(f);
}
const STAGE = {before_measures: 'Trước khi áp dụng biện pháp bảo đảm, cưỡng chế', freeze: 'Phong tỏa tài khoản', other_security: 'Biện pháp bảo đảm khác', coercion: 'Biện pháp cưỡng chế', after_coercion: 'Sau khi cưỡng chế'};
async function complaints(main, cases) {
  main.append($('h2', 'Khiếu nại, tố cáo của tôi'));
  const list = await api('/v1/me/complaints');
  const box = $('div'); box.id = 'complaints'; main.append(box);
  if (!list.length) box.append($('p', 'Bạn chưa gửi khiếu nại, tố cáo nào.', 'muted'));
  else box.append(table(['Mã', 'Ngày nhận', 'Người giải quyết', 'Tình trạng', 'Hạn', 'Trả lời'], list.map(c => {
    const due = c.deadlines.filter(d => !d.done_on).map(d => d.title_vi + ': ' + d.due_on).join('; ');
    const answer = c.answer ? link('Quyết định ' + c.answer.number, '/v1/me/complaints/' + encodeURIComponent(c.id) + '/decision.pdf') : (c.refusal_reason || '');
    return [c.id, c.received_on, c.resolver, c.state_vi, due, answer];
  })));
  list.filter(c => c.next).forEach(c => box.append($('p', c.id + ': ' + c.next, 'muted')));
  const f = $('form'); f.id = 'complaint-form'; f.append($('h3', 'Gửi khiếu nại, tố cáo'));
  const sel = (name, label, options) => { const p = $('p'); const s = $('select'); s.name = name; options.forEach(([v, t]) => { const o = $('option', t); o.value = v; s.append(o); }); p.append($('label', label + ': '), s); f.append(p); };
  sel('case_id', 'Việc thi hành án', cases.map(c => [c.id, c.judgment_number + ' — ' + c.office]));
  sel('kind', 'Loại đơn', [['complaint', 'Khiếu nại'], ['denunciation', 'Tố cáo']]);
  sel('against', 'Đối với', [['officer', 'Quyết định, hành vi của Chấp hành viên'], ['head', 'Quyết định, hành vi của Thủ trưởng']]);
  sel('stage', 'Giai đoạn', Object.entries(STAGE));
  [['decision_number', 'Số quyết định bị khiếu nại (nếu có)'], ['subject', 'Nội dung'], ['request', 'Yêu cầu giải quyết']].forEach(([n, l]) => {
    const p = $('p'); const i = $(n === 'decision_number' ? 'input' : 'textarea'); i.name = n; p.append($('label', l + ': '), i); f.append(p); });
  const msg = $('p'); msg.id = 'complaint-result'; const b = $('button', 'Gửi đơn'); f.append(b, msg);
  const reference = 'web-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
  f.onsubmit = async ev => { ev.preventDefault(); const v = n => f.elements[n].value.trim();
    const body = {client_reference: reference, kind: v('kind'), stage: v('stage'), subject: v('subject'), target: {case_id: v('case_id'), against: v('against')}};
    if (v('decision_number')) body.target.decision_number = v('decision_number');
    if (v('request')) body.request = v('request');
    try { const r = await api('/v1/me/complaints', {method: 'POST', headers: {'content-type': 'application/json', 'x-csrf-token': csrf}, body: JSON.stringify(body)});
      msg.textContent = 'Đã nhận đơn mã ' + r.complaint.id + ', chuyển ' + r.complaint.resolver_office + ' giải quyết.'; msg.className = '';
    } catch (e) { msg.textContent = String(e.message); msg.className = 'err'; } };
  if (cases.length) main.append(f);
}
start().catch(e => { if (e.message !== '401') document.getElementById('who').textContent = String(e.message); });
</script></body></html>"#;
