// Screen 5: change a PIN while the current one is known.

import { api, PIN_KINDS, type PinKind } from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { m } from "../i18n";
import { PinField } from "../pin-field";
import { pinName, pinRule, pinTitle, pinUse } from "../pins";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { afterPinError, cardButton, section, type Screen } from "./screen";

export class PinScreen implements Screen {
  readonly id = "pin" as const;
  readonly el: HTMLElement;
  private readonly kindSelect: HTMLSelectElement;
  private readonly rules = h("div", { id: "pin-rules", class: "notice" });
  private readonly current: PinField;
  private readonly newPin: PinField;
  private readonly confirm: PinField;
  private readonly submit = cardButton("pin-submit", m("pinScreen.submit"));
  private readonly result = h("div", { id: "pin-result", class: "result success", "aria-live": "polite", hidden: true });

  constructor() {
    this.kindSelect = h(
      "select",
      { id: "pin-kind", on: { change: () => this.onKindChange() } },
      ...PIN_KINDS.map((kind) => h("option", { value: kind }, pinTitle(kind))),
    );
    const kind = this.kind;
    this.current = new PinField({ id: "pin-current", kind, label: m("pinScreen.current") });
    this.newPin = new PinField({ id: "pin-new", kind, label: m("pinScreen.new"), purpose: "new" });
    this.confirm = new PinField({ id: "pin-confirm", kind, label: m("pinScreen.confirm"), purpose: "new" });
    this.current.onChange(() => this.updateButton());

    const form = h(
      "form",
      { id: "pin-form", class: "stack", novalidate: true, on: { submit: (e) => { e.preventDefault(); void this.change(); } } },
      h("div", { class: "field" }, h("label", { for: "pin-kind" }, m("pinScreen.kind")), this.kindSelect),
      this.rules,
      this.current.el,
      this.newPin.el,
      this.confirm.el,
      h("p", { id: "pin-what", class: "what-will-happen" }, m("pinScreen.what")),
      h("div", { class: "actions" }, this.submit),
    );
    this.el = section("pin", m("pinScreen.title"), h("p", { class: "intro" }, m("pinScreen.intro")), form, this.result);
    onBusyChange(() => this.updateButton());
    this.renderRules();
  }

  get kind(): PinKind {
    return this.kindSelect.value as PinKind;
  }

  show(): void {
    if (!store.usesPhone) void this.current.loadStatus();
  }

  private onKindChange(): void {
    const kind = this.kind;
    for (const field of [this.current, this.newPin, this.confirm]) field.setKind(kind);
    show(this.result, false);
    clearError();
    this.renderRules();
    if (!store.usesPhone) void this.current.loadStatus();
  }

  private renderRules(): void {
    const kind = this.kind;
    this.rules.dataset.pinKind = kind;
    replace(
      this.rules,
      h("p", { class: "pin-rules-name" }, pinTitle(kind)),
      h("p", null, pinUse(kind)),
      h("p", null, pinRule(kind)),
    );
  }

  /** Every check that can be made without the card; false (with messages) when one fails. */
  private validate(): boolean {
    const fields = [this.current, this.newPin, this.confirm];
    const valid = fields.map((f) => f.validate()).every(Boolean);
    if (!valid) {
      fields.find((f) => f.input.getAttribute("aria-invalid") === "true")?.focus();
      return false;
    }
    if (this.newPin.value === this.current.value) {
      this.newPin.showProblem(m("pinScreen.same"));
      this.newPin.focus();
      return false;
    }
    if (this.confirm.value !== this.newPin.value) {
      this.confirm.showProblem(m("pinScreen.mismatch"));
      this.confirm.focus();
      return false;
    }
    return true;
  }

  private async change(): Promise<void> {
    if (isBusy() || this.current.locked) return;
    clearError();
    show(this.result, false);
    if (!this.validate()) return;
    const kind = this.kind;
    const current = this.current.value;
    const next = this.newPin.value;
    for (const field of [this.current, this.newPin, this.confirm]) field.clear();
    try {
      await cardTask(() => api.changePin(kind, current, next));
      store.pinAccepted(kind);
      replace(this.result, h("p", { class: "result-title" }, m("pinScreen.done", { pin: pinName(kind) })));
      show(this.result, true);
    } catch (e) {
      const error = showError(e);
      await afterPinError(error, kind, this.current);
      this.current.focus();
    }
  }

  private updateButton(): void {
    this.submit.disabled = isBusy() || this.current.locked;
    this.kindSelect.disabled = isBusy();
  }
}
