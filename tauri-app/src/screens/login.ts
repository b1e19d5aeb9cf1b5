// Screen 3: log in to a `kazasu-rp` service with the user-authentication certificate.

import { api, type LoginResult } from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { literal, m, time, type Msg } from "../i18n";
import { PinField } from "../pin-field";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { afterPinError, cardButton, fieldProblem, section, type Screen } from "./screen";

/** The origin of an http(s) URL, or null when the text is not one. */
export function originOf(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** `expires_at` as a Date (Unix seconds; milliseconds are accepted too). */
function expiryDate(expiresAt: number): Date {
  return new Date(expiresAt < 1e12 ? expiresAt * 1000 : expiresAt);
}

export class LoginScreen implements Screen {
  readonly id = "login" as const;
  readonly el: HTMLElement;
  private readonly url: HTMLInputElement;
  private readonly urlProblem = fieldProblem("login-url-problem");
  private readonly pin: PinField;
  private readonly what = h("p", { id: "login-what", class: "what-will-happen" });
  private readonly submit = cardButton("login-submit", m("login.submit"));
  private readonly result = h("div", { id: "login-result", class: "result success", "aria-live": "polite", hidden: true });

  constructor() {
    this.url = h("input", {
      id: "login-url",
      type: "url",
      inputmode: "url",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      placeholder: m("login.urlPlaceholder"),
      "aria-describedby": "login-url-hint login-url-problem",
      on: { input: () => this.onUrlInput() },
    });
    this.pin = new PinField({ id: "login-pin", kind: "auth", label: m("login.pin"), showRule: true });
    this.pin.onChange(() => this.updateButton());

    const form = h(
      "form",
      { id: "login-form", class: "stack", novalidate: true, on: { submit: (e) => { e.preventDefault(); void this.logIn(); } } },
      h(
        "div",
        { class: "field" },
        h("label", { for: "login-url" }, m("login.url")),
        h("p", { id: "login-url-hint", class: "hint" }, m("login.urlHint")),
        this.url,
        this.urlProblem,
      ),
      this.pin.el,
      this.what,
      h("div", { class: "actions" }, this.submit),
    );
    this.el = section("login", m("login.title"), h("p", { class: "intro" }, m("login.intro")), form, this.result);
    onBusyChange(() => this.updateButton());
    this.renderWhat();
  }

  show(): void {
    // Tries left before anything is typed (on a phone only on request: each read needs a tap).
    if (!store.usesPhone) void this.pin.loadStatus();
  }

  private onUrlInput(): void {
    this.showUrlProblem(null);
    this.renderWhat();
  }

  private renderWhat(): void {
    const origin = originOf(this.url.value);
    replace(this.what, m("login.what", { origin: origin ? literal(origin) : m("login.whatNoOrigin") }));
  }

  private showUrlProblem(msg: Msg | null): void {
    replace(this.urlProblem, msg);
    show(this.urlProblem, msg !== null);
    if (msg) this.url.setAttribute("aria-invalid", "true");
    else this.url.removeAttribute("aria-invalid");
  }

  private async logIn(): Promise<void> {
    if (isBusy() || this.pin.locked) return;
    clearError();
    show(this.result, false);
    const url = this.url.value.trim();
    if (!originOf(url)) {
      this.showUrlProblem(m("login.urlInvalid"));
      this.url.focus();
      return;
    }
    if (!this.pin.validate()) {
      this.pin.focus();
      return;
    }
    const pin = this.pin.value;
    this.pin.clear();
    try {
      const result = await cardTask(() => api.login(url, pin));
      store.pinAccepted("auth");
      this.showResult(result);
    } catch (e) {
      const error = showError(e);
      await afterPinError(error, "auth", this.pin);
      if (error.code === "invalid_url") this.url.focus();
      else this.pin.focus();
    }
  }

  private showResult(result: LoginResult): void {
    replace(
      this.result,
      h("p", { class: "result-title" }, m("login.done", { origin: result.origin })),
      result.serial ? h("p", { class: "login-serial" }, m("login.serial", { serial: result.serial })) : null,
      h("p", { class: "login-expires" }, m("login.expires", { time: time(expiryDate(result.expires_at)) })),
    );
    show(this.result, true);
  }

  private updateButton(): void {
    this.submit.disabled = isBusy() || this.pin.locked;
  }
}
