// Screen 4: sign a file with the signing certificate (a signed PDF, or a separate .p7s).

import { open, save } from "@tauri-apps/plugin-dialog";
import {
  api,
  toAppError,
  type Check,
  type ProfileChoice,
  type ProfileName,
  type SignResult,
  type SigningSetup,
  type Verification,
} from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { join, literal, m, time, type Msg, type MsgKey } from "../i18n";
import { PinField } from "../pin-field";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { afterPinError, cardButton, fieldProblem, section, type Screen } from "./screen";

const OUTCOME_KEYS: Record<Check["outcome"], MsgKey> = {
  passed: "outcome.passed",
  failed: "outcome.failed",
  not_checked: "outcome.not_checked",
};

/** The verification verdict in words. */
function verdict(v: Verification): { msg: Msg; tone: "success" | "warning" | "danger" } {
  if (!v.valid) return { msg: m("verify.invalid"), tone: "danger" };
  if (v.trusted) return { msg: m("verify.trusted"), tone: "success" };
  const anchors = store.appInfo?.trust_anchors ?? 0;
  return { msg: m(anchors > 0 ? "verify.untrusted" : "verify.noAnchors"), tone: "warning" };
}

/** The checks the core makes, by name; an unknown one is shown as it comes. */
const CHECK_KEYS: Record<string, MsgKey> = {
  content: "check.content",
  signature: "check.signature",
  signing_certificate: "check.signing_certificate",
  chain: "check.chain",
  validity: "check.validity",
  key_usage: "check.key_usage",
  revocation: "check.revocation",
  timestamp: "check.timestamp",
};

function checkItem(check: Check): HTMLElement {
  return h(
    "li",
    { class: "check", "data-check": check.check, "data-outcome": check.outcome },
    h("span", { class: "check-outcome" }, m(OUTCOME_KEYS[check.outcome] ?? "outcome.not_checked")),
    " ",
    h("span", { class: "check-name" }, CHECK_KEYS[check.check] ? m(CHECK_KEYS[check.check]) : check.check),
    check.detail ? h("span", { class: "check-detail" }, " — ", check.detail) : null,
  );
}

/** The baseline profile for a PDF or any other file: chosen unless the person picks another. */
function baseline(pdf: boolean): ProfileName {
  return pdf ? "pades-b" : "cades-b";
}

/** The profile's name and what it is for, in plain words. */
function profileTitle(name: ProfileName): Msg {
  return m(`profile.${name}` as MsgKey);
}
function profileAbout(name: ProfileName): Msg {
  return m(`profile.${name}.about` as MsgKey);
}

/** Why a profile cannot be chosen on this computer, in plain words. */
function missingText(choice: ProfileChoice, setup: SigningSetup): Msg | null {
  if (!choice.missing) return null;
  const folder = setup.trust_dir ? literal(setup.trust_dir) : m("profile.noTrustDir");
  const reason = setup.tsa_problem?.reason ?? setup.tsa_problem?.message ?? "";
  return m(`profile.missing.${choice.missing}` as MsgKey, { folder, reason });
}

function pathInput(id: string, describedBy: string): HTMLInputElement {
  return h("input", {
    id,
    type: "text",
    class: "path-input",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    "aria-describedby": describedBy,
  });
}

export class SignScreen implements Screen {
  readonly id = "sign" as const;
  readonly el: HTMLElement;
  private readonly input = pathInput("sign-input", "sign-input-problem");
  private readonly output = pathInput("sign-output", "sign-format-hint sign-output-problem");
  private readonly inputProblem = fieldProblem("sign-input-problem");
  private readonly outputProblem = fieldProblem("sign-output-problem");
  private readonly formatHint = h("p", { id: "sign-format-hint", class: "hint", hidden: true });
  private readonly visible = h("input", { id: "sign-visible", type: "checkbox", disabled: true });
  private readonly profileOptions = h("div", { id: "sign-profile-options", class: "reader-options" });
  private readonly profileBox = h(
    "fieldset",
    { id: "sign-profile", class: "reader-fieldset" },
    h("legend", null, m("sign.profile")),
    this.profileOptions,
  );
  private readonly pin: PinField;
  private readonly what = h("p", { id: "sign-what", class: "what-will-happen" });
  private readonly submit = cardButton("sign-submit", m("sign.submit"));
  private readonly overwriteText = h("p", { id: "sign-overwrite-text" });
  private readonly overwriteConfirm = h(
    "button",
    { id: "sign-overwrite-confirm", type: "button", class: "primary", "data-card-action": true },
    m("sign.overwriteConfirm"),
  );
  private readonly overwriteBox: HTMLElement;
  private readonly result = h("div", { id: "sign-result", class: "result", "aria-live": "polite", hidden: true });

  /** Whether the input is a PDF (from `suggest_output`); null while unknown. */
  private pdf: boolean | null = null;
  /** True once the person typed or chose their own output path. */
  private outputChosen = false;
  private suggestSeq = 0;
  /** What the trust folder allows (from `signing_setup`, read each time the screen is shown). */
  private setup: SigningSetup | null = null;
  /** The profile the person picked; the baseline for the file when none (or one not offered). */
  private picked: ProfileName | null = null;
  private suggestTimer: number | undefined;

  constructor() {
    this.pin = new PinField({ id: "sign-pin", kind: "sign", label: m("sign.pin"), showRule: true });
    this.pin.onChange(() => this.updateButtons());

    this.input.addEventListener("input", () => this.onInputChanged(true));
    this.input.addEventListener("change", () => this.onInputChanged(false));
    this.output.addEventListener("input", () => {
      this.outputChosen = this.output.value.trim() !== "";
      this.onPathsEdited();
      if (!this.outputChosen) void this.suggest();
    });
    this.visible.addEventListener("change", () => this.hideOverwrite());
    this.overwriteConfirm.addEventListener("click", () => void this.sign(true));

    this.overwriteBox = h(
      "div",
      { id: "sign-overwrite", class: "notice warning", role: "alertdialog", "aria-labelledby": "sign-overwrite-text", hidden: true },
      this.overwriteText,
      h(
        "div",
        { class: "actions" },
        h("button", { id: "sign-overwrite-cancel", type: "button", on: { click: () => this.cancelOverwrite() } }, m("sign.overwriteCancel")),
        this.overwriteConfirm,
      ),
    );

    const form = h(
      "form",
      { id: "sign-form", class: "stack", novalidate: true, on: { submit: (e) => { e.preventDefault(); void this.sign(false); } } },
      h(
        "div",
        { class: "field" },
        h("label", { for: "sign-input" }, m("sign.input")),
        h(
          "div",
          { class: "path-row" },
          this.input,
          h("button", { id: "sign-browse", type: "button", on: { click: () => void this.browse() } }, m("sign.browse")),
        ),
        this.inputProblem,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "sign-output" }, m("sign.output")),
        h(
          "div",
          { class: "path-row" },
          this.output,
          h("button", { id: "sign-save-as", type: "button", on: { click: () => void this.saveAs() } }, m("sign.saveAs")),
        ),
        this.formatHint,
        this.outputProblem,
      ),
      h(
        "div",
        { class: "field checkbox-field" },
        h(
          "label",
          { for: "sign-visible" },
          this.visible,
          " ",
          m("sign.visible"),
          " ",
          h("span", { class: "hint" }, m("sign.visibleOnlyPdf")),
        ),
      ),
      this.profileBox,
      this.pin.el,
      this.what,
      h("div", { class: "actions" }, this.submit),
      this.overwriteBox,
    );
    this.el = section("sign", m("sign.title"), h("p", { class: "intro" }, m("sign.intro")), form, this.result);
    onBusyChange(() => this.updateButtons());
    this.renderProfiles();
    this.renderWhat();
  }

  show(): void {
    if (!store.usesPhone) void this.pin.loadStatus();
    void this.loadSetup();
  }

  // --- Profiles ------------------------------------------------------------------------------

  /** Reads afresh what the trust folder allows (a `tsa.toml` written meanwhile counts). */
  private async loadSetup(): Promise<void> {
    try {
      this.setup = await api.signingSetup();
    } catch (e) {
      this.setup = null;
      showError(e);
    }
    this.renderProfiles();
    this.renderWhat();
  }

  /** The profiles offered for this file; only the baseline until `signing_setup` answered. */
  private offered(): ProfileChoice[] {
    if (this.pdf === null) return [];
    const all = this.setup?.profiles.filter((p) => p.pdf === this.pdf);
    if (all && all.length > 0) return all;
    return [{ name: baseline(this.pdf), pdf: this.pdf, needs_timestamp: false, available: true }];
  }

  /** The profile that will be used: the one picked if it is offered and available. */
  private chosen(): ProfileChoice | null {
    const offered = this.offered();
    return (
      offered.find((p) => p.name === this.picked && p.available) ??
      offered.find((p) => this.pdf !== null && p.name === baseline(this.pdf)) ??
      null
    );
  }

  private renderProfiles(): void {
    const offered = this.offered();
    const chosen = this.chosen();
    if (offered.length === 0) {
      replace(this.profileOptions, h("p", { class: "hint", id: "sign-profile-unknown" }, m("sign.profileUnknown")));
      return;
    }
    const setup = this.setup;
    replace(
      this.profileOptions,
      ...offered.map((choice) => {
        const id = `sign-profile-${choice.name}`;
        const why = setup ? missingText(choice, setup) : null;
        const radio = h("input", {
          id,
          type: "radio",
          name: "sign-profile",
          value: choice.name,
          disabled: !choice.available,
          "aria-describedby": `${id}-about${why ? ` ${id}-why` : ""}`,
          on: {
            change: () => {
              this.picked = choice.name;
              this.hideOverwrite();
              this.renderWhat();
            },
          },
        });
        radio.checked = chosen?.name === choice.name;
        return h(
          "div",
          {
            class: "reader-option profile-option",
            "data-profile": choice.name,
            "data-available": String(choice.available),
          },
          h(
            "label",
            { class: "reader-label", for: id },
            radio,
            h(
              "span",
              { class: "reader-text" },
              h("span", { class: "reader-name" }, profileTitle(choice.name)),
              h("span", { class: "hint", id: `${id}-about` }, profileAbout(choice.name)),
              why ? h("span", { class: "hint profile-missing", id: `${id}-why` }, why) : null,
            ),
          ),
        );
      }),
    );
  }

  // --- Paths ---------------------------------------------------------------------------------

  private onInputChanged(typing: boolean): void {
    this.onPathsEdited();
    window.clearTimeout(this.suggestTimer);
    if (typing) this.suggestTimer = window.setTimeout(() => void this.suggest(), 350);
    else void this.suggest();
  }

  private onPathsEdited(): void {
    this.showProblem(this.inputProblem, null);
    this.showProblem(this.outputProblem, null);
    this.hideOverwrite();
    this.renderWhat();
  }

  /** `suggest_output` for the input: fills the output unless the person chose their own. */
  private async suggest(): Promise<void> {
    const seq = ++this.suggestSeq;
    const input = this.input.value.trim();
    if (!input) {
      this.setPdf(null);
      if (!this.outputChosen) this.output.value = "";
      this.renderWhat();
      return;
    }
    try {
      const suggestion = await api.suggestOutput(input);
      if (seq !== this.suggestSeq) return;
      this.setPdf(suggestion.pdf);
      if (!this.outputChosen) this.output.value = suggestion.output;
    } catch {
      if (seq === this.suggestSeq) this.setPdf(null);
    }
    this.renderWhat();
  }

  private setPdf(pdf: boolean | null): void {
    const changed = this.pdf !== pdf;
    this.pdf = pdf;
    if (changed) this.renderProfiles();
    this.visible.disabled = pdf !== true;
    if (pdf !== true) this.visible.checked = false;
    if (pdf === null) {
      replace(this.formatHint);
      show(this.formatHint, false);
    } else {
      replace(this.formatHint, m(pdf ? "sign.pdfHint" : "sign.otherHint"));
      show(this.formatHint, true);
    }
  }

  private async browse(): Promise<void> {
    try {
      const path = await open({ multiple: false, directory: false, defaultPath: this.input.value.trim() || undefined });
      if (typeof path !== "string") return;
      this.input.value = path;
      this.onInputChanged(false);
    } catch (e) {
      showError(e);
    }
  }

  private async saveAs(): Promise<void> {
    try {
      const filters =
        this.pdf === true
          ? [{ name: "PDF", extensions: ["pdf"] }]
          : this.pdf === false
            ? [{ name: "PKCS #7 / CAdES", extensions: ["p7s"] }]
            : undefined;
      const path = await save({ defaultPath: this.output.value.trim() || undefined, filters });
      if (!path) return;
      this.output.value = path;
      this.outputChosen = true;
      this.onPathsEdited();
    } catch (e) {
      showError(e);
    }
  }

  private renderWhat(): void {
    const output = this.output.value.trim();
    const result: MsgKey = this.pdf === true ? "sign.whatPdf" : this.pdf === false ? "sign.whatP7s" : "sign.whatUnknown";
    const what = m("sign.what", { result: m(result), output: output ? literal(output) : m("sign.whatNoOutput") });
    const tsa = this.setup?.tsa_url;
    replace(
      this.what,
      this.chosen()?.needs_timestamp && tsa ? join(what, m("sign.whatTimestamp", { tsa: literal(tsa) })) : what,
    );
  }

  private showProblem(el: HTMLElement, msg: Msg | null): void {
    replace(el, msg);
    show(el, msg !== null);
  }

  /** Client-side checks of the paths; false (with a message) when something is missing. */
  private checkPaths(input: string, output: string): boolean {
    if (!input) {
      this.showProblem(this.inputProblem, m("sign.inputRequired"));
      this.input.focus();
      return false;
    }
    if (!output) {
      this.showProblem(this.outputProblem, m("sign.outputRequired"));
      this.output.focus();
      return false;
    }
    if (input === output) {
      this.showProblem(this.outputProblem, m("sign.sameFile"));
      this.output.focus();
      return false;
    }
    return true;
  }

  // --- Signing -------------------------------------------------------------------------------

  private async sign(overwrite: boolean): Promise<void> {
    if (isBusy() || this.pin.locked) return;
    clearError();
    show(this.result, false);
    const input = this.input.value.trim();
    const output = this.output.value.trim();
    if (!this.checkPaths(input, output)) return;
    if (!this.pin.validate()) {
      this.hideOverwrite();
      this.pin.focus();
      return;
    }
    const pin = this.pin.value;
    const visible = this.pdf === true && this.visible.checked;
    // Unknown file kind: the baseline for whatever it turns out to be.
    const profile = this.chosen()?.name ?? null;
    this.hideOverwrite();
    try {
      const result = await cardTask(() => api.signDocument({ input, output, pin, visible, overwrite, profile }), {
        reading: "step.readingFile",
      });
      this.pin.clear();
      this.hideOverwrite();
      store.pinAccepted("sign");
      this.showResult(result);
    } catch (e) {
      const error = toAppError(e);
      if (error.code === "output_exists" && !overwrite) {
        // Nothing was signed. The PIN stays in its field (never anywhere else) for the retry.
        this.askOverwrite(error.path ?? output);
        return;
      }
      this.pin.clear();
      this.hideOverwrite();
      showError(error);
      await afterPinError(error, "sign", this.pin);
      this.pin.focus();
    }
  }

  private askOverwrite(path: string): void {
    replace(this.overwriteText, m("sign.overwriteAsk", { path }));
    show(this.overwriteBox, true);
    this.overwriteConfirm.focus();
  }

  private hideOverwrite(): void {
    show(this.overwriteBox, false);
  }

  private cancelOverwrite(): void {
    this.hideOverwrite();
    this.pin.clear();
    this.output.focus();
  }

  private showResult(result: SignResult): void {
    const { msg, tone } = verdict(result.verification);
    replace(
      this.result,
      h("p", { class: "result-title" }, m("sign.done")),
      h(
        "dl",
        { class: "result-details" },
        h("dt", null, m("sign.savedAt")),
        h("dd", { class: "sign-output-path" }, result.output),
        h("dt", null, m("sign.format")),
        h("dd", { class: "sign-format", "data-format": result.format }, m(result.format === "pades" ? "sign.formatPades" : "sign.formatCades")),
        h("dt", null, m("sign.profileUsed")),
        h(
          "dd",
          { class: "sign-profile", "data-profile": result.profile },
          join(profileTitle(result.profile), literal(`(${result.profile})`)),
        ),
        result.level ? h("dt", null, m("sign.level")) : null,
        result.level ? h("dd", { class: "sign-level", "data-level": result.level }, `PAdES ${result.level}`) : null,
        h("dt", null, m("sign.signer")),
        h("dd", { class: "sign-signer" }, result.signer),
        h("dt", null, m("sign.time")),
        h("dd", { class: "sign-time" }, time(result.signing_time)),
      ),
      h("h3", null, m("sign.verification")),
      h(
        "p",
        {
          class: `verification ${tone}`,
          "data-valid": String(result.verification.valid),
          "data-trusted": String(result.verification.trusted),
        },
        msg,
      ),
      h("ul", { class: "checks" }, ...result.verification.checks.map(checkItem)),
    );
    show(this.result, true);
  }

  private updateButtons(): void {
    const blocked = isBusy() || this.pin.locked;
    this.submit.disabled = blocked;
    this.overwriteConfirm.disabled = blocked;
  }
}
