// Screen 3: log in to a `kazasu-rp` service with the user-authentication certificate.

import { api, type LoginRequestInfo, type LoginResult } from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { lang, literal, m, t, time, type Msg, type MsgKey } from "../i18n";
import { PinField } from "../pin-field";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { afterPinError, cardButton, fieldProblem, section, type Screen } from "./screen";

/** The origin of an http(s) URL, or of the one a `kazasu://login?url=…` link carries (the
 * same-device link of an OpenID Connect authorization page); null when the text is neither. */
export function originOf(text: string): string | null {
  try {
    let url = new URL(text.trim());
    if (url.protocol === "kazasu:") {
      const inner = url.searchParams.get("url");
      if (!inner) return null;
      url = new URL(inner);
    }
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** How long typing pauses before the service is asked who wants the login (ms). */
const LOOKUP_DELAY_MS = 400;

/** The claims, worded in the current language ("name, date of birth"). */
function claimsText(claims: string[]): Msg {
  return () =>
    claims
      .map((c) => {
        const key = `login.claim.${c}` as MsgKey;
        return key in CLAIM_KEYS ? t(key) : c;
      })
      .join(lang() === "ja" ? "、" : ", ");
}

const CLAIM_KEYS: Record<string, true> = {
  "login.claim.name": true,
  "login.claim.address": true,
  "login.claim.birthdate": true,
  "login.claim.gender": true,
};

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
  /** Asked only when the service asks for personal data the holder agreed to release. */
  private readonly signPin: PinField;
  private readonly signPinBox: HTMLDivElement;
  /** Who asks and for what, once the service said so. */
  private readonly asks = h("p", { id: "login-asks", class: "login-asks", "aria-live": "polite", hidden: true });
  /** The answer of `login_request` for `asked.url` (`failed`: the service could not say; asked
   * again before logging in). */
  private asked: { url: string; info: Promise<LoginRequestInfo | null>; failed: boolean } | null = null;
  private lookupTimer: number | undefined;
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
    this.signPin = new PinField({ id: "login-sign-pin", kind: "sign", label: m("login.signPin"), showRule: true });
    this.signPin.onChange(() => this.updateButton());
    this.signPinBox = h("div", { id: "login-sign-pin-box", class: "stack", hidden: true },
      h("p", { class: "hint" }, m("login.signPinWhy")),
      this.signPin.el,
    );

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
      this.asks,
      this.pin.el,
      this.signPinBox,
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

  /** Fills the address (a `kazasu://` link the system handed to the app) and asks who wants it. */
  setUrl(url: string): void {
    this.url.value = url;
    this.onUrlInput();
    void this.lookUp();
  }

  private onUrlInput(): void {
    this.showUrlProblem(null);
    this.renderWhat();
    window.clearTimeout(this.lookupTimer);
    this.lookupTimer = window.setTimeout(() => void this.lookUp(), LOOKUP_DELAY_MS);
  }

  /** Asks the service who wants this login and for what (no card, no PIN), and shows it: the
   * signing PIN's field appears only when personal data was consented. */
  private async lookUp(): Promise<LoginRequestInfo | null> {
    const url = this.url.value.trim();
    if (this.asked?.url !== url || this.asked.failed) {
      const asked = { url, info: Promise.resolve<LoginRequestInfo | null>(null), failed: false };
      if (originOf(url)) {
        asked.info = api.loginRequest(url).catch(() => {
          asked.failed = true;
          return null;
        });
      }
      this.asked = asked;
      replace(this.asks, m("login.asking"));
      show(this.asks, originOf(url) !== null);
    }
    const info = await this.asked.info;
    if (this.asked?.url !== url) return info; // the address changed meanwhile
    if (info?.client) {
      const client = literal(info.client);
      replace(
        this.asks,
        info.claims.length > 0
          ? m("login.asks", { client, claims: claimsText(info.claims) })
          : m("login.asksNothing", { client }),
      );
      show(this.asks, true);
    } else {
      show(this.asks, false);
    }
    const personal = (info?.claims.length ?? 0) > 0;
    if (personal && this.signPinBox.hidden && !store.usesPhone) void this.signPin.loadStatus();
    show(this.signPinBox, personal);
    this.updateButton();
    return info;
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
    const info = await this.lookUp();
    const personal = (info?.claims.length ?? 0) > 0;
    if (!this.pin.validate()) {
      this.pin.focus();
      return;
    }
    if (personal && !this.signPin.validate()) {
      this.signPin.focus();
      return;
    }
    const pin = this.pin.value;
    const signPin = personal ? this.signPin.value : null;
    this.pin.clear();
    this.signPin.clear();
    try {
      const result = await cardTask(() => api.login(url, pin, signPin));
      store.pinAccepted("auth");
      if (signPin) store.pinAccepted("sign");
      this.showResult(result);
    } catch (e) {
      const error = showError(e);
      const field = error.pin === "sign" ? this.signPin : this.pin;
      await afterPinError(error, field.kind, field);
      if (error.code === "invalid_url") this.url.focus();
      else field.focus();
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
    this.submit.disabled = isBusy() || this.pin.locked || (!this.signPinBox.hidden && this.signPin.locked);
  }
}
