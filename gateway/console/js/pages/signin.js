// The sign-in page: username and password against /v1/auth/sign-in (a session cookie and the
// CSRF token come back), with the language switch before signing in.

import { post } from "../api.js";
import { t, lang, setLang } from "../i18n.js";
import { el, errorText } from "../ui.js";

/** The sign-in form; `done(me)` runs once signed in. */
export function signinPage(done) {
  const error = el("p", { class: "error", id: "signin-error" });
  const username = el("input", { name: "username", id: "username", autocomplete: "username", required: true });
  const password = el("input", { name: "password", id: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", {
    id: "signin-form",
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      try {
        const me = await post("/v1/auth/sign-in", { username: username.value, password: password.value });
        done(me);
      } catch (e) {
        error.textContent = errorText(e);
      }
    },
  },
  el("label", {}, el("span", { "data-i18n": "signin.username" }), username),
  el("label", {}, el("span", { "data-i18n": "signin.password" }), password),
  el("button", { type: "submit", class: "primary", "data-i18n": "signin.submit" }),
  error);
  const switcher = el("button", {
    type: "button", class: "link", id: "signin-lang",
    onclick: () => { setLang(lang() === "vi" ? "en" : "vi"); window.dispatchEvent(new HashChangeEvent("hashchange")); },
  }, t("lang.switch"));
  return el("div", { class: "signin card" },
    el("h1", { "data-i18n": "signin.title" }),
    el("p", { class: "muted", "data-i18n": "signin.intro" }),
    form,
    el("p", {}, switcher));
}
