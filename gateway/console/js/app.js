// The console's shell: who is signed in, the menu their role allows, the language switch and
// the routing between pages (#/dashboard, #/messages, #/message/<id>, ...). Pages poll the API
// for live figures; leaving a page stops its timers.

import { get, post, setCsrf, ApiError } from "./api.js";
import { t, lang, setLang, applyI18n } from "./i18n.js";
import { el, toast, errorText } from "./ui.js";
import { signinPage } from "./pages/signin.js";
import { dashboardPage } from "./pages/dashboard.js";
import { messagesPage } from "./pages/messages.js";
import { messagePage } from "./pages/message.js";
import { deadLettersPage } from "./pages/dead_letters.js";
import { reconciliationPage } from "./pages/reconciliation.js";
import { deadlinesPage } from "./pages/deadlines.js";
import { partnersPage } from "./pages/partners.js";
import { alertsPage } from "./pages/alerts.js";

/** The pages, in menu order, with the roles that see them. */
const PAGES = [
  { path: "dashboard", label: "nav.dashboard", roles: ["administrator", "head", "officer", "clerk"], render: dashboardPage },
  { path: "messages", label: "nav.messages", roles: ["administrator", "head"], render: messagesPage },
  { path: "dead-letters", label: "nav.dead_letters", roles: ["administrator"], render: deadLettersPage },
  { path: "reconciliation", label: "nav.reconciliation", roles: ["administrator", "head", "officer"], render: reconciliationPage },
  { path: "deadlines", label: "nav.deadlines", roles: ["administrator", "head", "officer", "clerk"], render: deadlinesPage },
  { path: "partners", label: "nav.partners", roles: ["administrator"], render: partnersPage },
  { path: "alerts", label: "nav.alerts", roles: ["administrator", "head"], render: alertsPage },
  { path: "message", label: null, roles: ["administrator", "head", "officer", "clerk"], render: messagePage },
];

/**
 * What the pages share: the signed-in person, the page's timers, and the number of the page
 * being shown (a page that finishes loading after the reader moved on is dropped).
 */
export const session = { me: null, timers: [], shown: 0 };

/** Runs `fn` now and every `ms` while page number `shown` is the one shown. */
function every(shown, ms, fn) {
  if (shown !== session.shown) return;
  const id = setInterval(() => (shown === session.shown ? fn() : clearInterval(id)), ms);
  session.timers.push(id);
  fn();
}

function stopTimers() {
  session.timers.forEach(clearInterval);
  session.timers = [];
}

function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, ...rest] = hash.split("/");
  const [name, qs] = path.split("?");
  return { name: name || "dashboard", arg: rest.join("/").split("?")[0], params: new URLSearchParams(qs || hash.split("?")[1] || "") };
}

function allowed(page) {
  return session.me && page.roles.includes(session.me.role);
}

function renderNav(active) {
  const nav = document.getElementById("nav");
  nav.replaceChildren(...PAGES.filter((p) => p.label && allowed(p)).map((p) =>
    el("a", { href: `#/${p.path}`, class: p.path === active ? "active" : "", "data-page": p.path }, t(p.label))));
  document.getElementById("who").textContent =
    `${session.me.display_name} · ${t(`role.${session.me.role}`)} · ${session.me.office}`;
  document.getElementById("lang").textContent = t("lang.switch");
}

/** Shows the page the address names. */
export async function show() {
  stopTimers();
  const shown = ++session.shown;
  const main = document.getElementById("main");
  const top = document.getElementById("top");
  document.documentElement.lang = lang();
  if (!session.me) {
    top.hidden = true;
    main.replaceChildren(signinPage(onSignedIn));
    applyI18n(main);
    return;
  }
  top.hidden = false;
  applyI18n(top);
  const r = route();
  // Pages poll through route.every, tied to this showing: their timers stop when it ends.
  r.every = (ms, fn) => every(shown, ms, fn);
  const page = PAGES.find((p) => p.path === r.name && allowed(p)) || PAGES[0];
  renderNav(page.path);
  main.replaceChildren(el("p", { class: "muted" }, t("common.loading")));
  try {
    const content = await page.render(r, session);
    if (shown !== session.shown) return;
    main.replaceChildren(content);
    main.dataset.page = page.path;
    applyI18n(main);
  } catch (e) {
    if (shown !== session.shown) return;
    if (e instanceof ApiError && e.status === 401) return signedOut();
    main.replaceChildren(el("p", { class: "error" }, errorText(e)));
  }
}

function onSignedIn(me) {
  session.me = me;
  setCsrf(me.csrf_token);
  if (!location.hash || location.hash === "#/signin") location.hash = "#/dashboard";
  else show();
}

function signedOut() {
  session.me = null;
  setCsrf(null);
  show();
}

async function start() {
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi");
    show();
  });
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await post("/v1/auth/sign-out");
    } catch (e) {
      toast(errorText(e), true);
    }
    // The next person starts on the dashboard, not on the page this one left.
    history.replaceState(null, "", "#/dashboard");
    signedOut();
  });
  window.addEventListener("hashchange", show);
  window.addEventListener("unhandledrejection", (ev) => {
    if (ev.reason instanceof ApiError && ev.reason.status === 401) signedOut();
  });
  try {
    const me = await get("/v1/auth/me");
    session.me = me;
    setCsrf(me.csrf_token);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) toast(errorText(e), true);
  }
  show();
}

start();
