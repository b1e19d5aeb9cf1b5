// The reusable PIN entry: a password input, the tries left under it (read with `pin_status`
// before anything is typed), a loud warning on the last try, and the municipal-office
// explanation when the PIN is locked. The format is checked here, before anything is sent, so a
// malformed PIN never costs a try. PIN values are never logged or kept anywhere but the input.

import { api, type PinKind } from "./api";
import { h, replace, show, uid } from "./dom";
import { showError } from "./errors";
import { join, m, type Msg } from "./i18n";
import {
  isDigitPin,
  isLastTry,
  isLocked,
  lastTryText,
  lockedText,
  normalizePin,
  pinFormatProblem,
  pinMaxLength,
  pinRule,
  triesText,
} from "./pins";
import { cardTask, isBusy, onBusyChange } from "./progress";
import { store } from "./state";

export interface PinFieldOptions {
  /** The id of the `<input>`, e.g. "login-pin". */
  id: string;
  kind: PinKind;
  label: Msg;
  /** "current": a PIN the card will check, with its tries left. "new": a PIN being chosen. */
  purpose?: "current" | "new";
  /** Show the format rule under the label. */
  showRule?: boolean;
}

type LoadState = "idle" | "loading" | "failed";

export class PinField {
  readonly el: HTMLDivElement;
  readonly input: HTMLInputElement;
  private kindValue: PinKind;
  private readonly purpose: "current" | "new";
  private readonly labelEl: HTMLLabelElement;
  private readonly ruleEl: HTMLParagraphElement;
  private readonly triesEl: HTMLParagraphElement;
  private readonly checkButton: HTMLButtonElement;
  private readonly lastTryEl: HTMLParagraphElement;
  private readonly lockedEl: HTMLParagraphElement;
  private readonly problemEl: HTMLParagraphElement;
  private loadState: LoadState = "idle";
  private readonly listeners = new Set<() => void>();

  constructor(options: PinFieldOptions) {
    this.kindValue = options.kind;
    this.purpose = options.purpose ?? "current";
    const problemId = uid("pin-problem");
    const triesId = uid("pin-tries");
    const ruleId = uid("pin-rule");

    this.input = h("input", {
      id: options.id,
      type: "password",
      class: "pin-input",
      autocomplete: "off",
      autocorrect: "off",
      spellcheck: "false",
      "aria-describedby": [options.showRule ? ruleId : "", this.purpose === "current" ? triesId : "", problemId]
        .filter(Boolean)
        .join(" "),
      on: {
        input: () => this.onInput(),
      },
    });

    this.labelEl = h("label", { for: options.id }, options.label);
    this.ruleEl = h("p", { id: ruleId, class: "pin-rule hint", hidden: !options.showRule });
    this.checkButton = h(
      "button",
      { type: "button", class: "pin-tries-check link-button", "data-card-action": true, on: { click: () => void this.loadStatus() } },
      m("tries.check"),
    );
    this.triesEl = h("p", { id: triesId, class: "pin-tries", hidden: this.purpose !== "current" });
    this.lastTryEl = h("p", { class: "pin-last-try warning", hidden: true });
    this.lockedEl = h("p", { class: "pin-locked danger", hidden: true });
    this.problemEl = h("p", { id: problemId, class: "pin-format-error", "aria-live": "polite", hidden: true });

    this.el = h(
      "div",
      { class: "field pin-field", "data-pin-kind": this.kindValue },
      this.labelEl,
      this.ruleEl,
      this.input,
      this.problemEl,
      this.triesEl,
      this.lastTryEl,
      this.lockedEl,
    );

    store.onPinStatusChange((kind) => {
      if (kind === this.kindValue) this.render();
    });
    onBusyChange(() => this.renderCheckButton());
    this.applyKind();
  }

  get kind(): PinKind {
    return this.kindValue;
  }

  /** Switches to another PIN (the change-PIN screen): clears what was typed. */
  setKind(kind: PinKind): void {
    if (kind === this.kindValue) return;
    this.kindValue = kind;
    this.loadState = "idle";
    this.el.dataset.pinKind = kind;
    this.clear();
    this.applyKind();
  }

  /** Changes the label (a screen whose field asks for one of several codes). */
  setLabel(label: Msg): void {
    replace(this.labelEl, label);
  }

  /** The PIN as the card expects it (full-width turned to ASCII, signing PIN in capitals). */
  get value(): string {
    return normalizePin(this.kindValue, this.input.value);
  }

  get locked(): boolean {
    return this.purpose === "current" && isLocked(store.pinStatus(this.kindValue));
  }

  /** Checks the format; shows the problem under the input and returns false when malformed. */
  validate(): boolean {
    const problem = pinFormatProblem(this.kindValue, this.value);
    if (problem === null) {
      this.showProblem(null);
      return true;
    }
    this.showProblem(join(m(problem), m("common.notSent")));
    return false;
  }

  /** Shows a message about this field (a format problem, "the two PINs differ"…). */
  showProblem(msg: Msg | null): void {
    if (msg === null) {
      replace(this.problemEl);
      show(this.problemEl, false);
      this.input.removeAttribute("aria-invalid");
      return;
    }
    replace(this.problemEl, msg);
    show(this.problemEl, true);
    this.input.setAttribute("aria-invalid", "true");
  }

  focus(): void {
    if (!this.input.disabled) this.input.focus();
  }

  clear(): void {
    this.input.value = "";
    this.showProblem(null);
    this.notify();
  }

  /** Reads the tries left from the card (`pin_status`, costs no try). Errors are shown unless quiet. */
  async loadStatus(options: { quiet?: boolean } = {}): Promise<void> {
    if (this.purpose !== "current" || isBusy()) return;
    const kind = this.kindValue;
    this.loadState = "loading";
    this.render();
    try {
      const status = await cardTask(() => api.pinStatus(kind));
      this.loadState = "idle";
      store.setPinStatus(kind, status);
    } catch (e) {
      this.loadState = "failed";
      if (!options.quiet) showError(e);
    } finally {
      this.render();
    }
  }

  /** Called whenever the value or the lock state changes (screens re-check their button). */
  onChange(fn: () => void): void {
    this.listeners.add(fn);
  }

  private notify(): void {
    this.listeners.forEach((fn) => fn());
  }

  private applyKind(): void {
    const kind = this.kindValue;
    const digits = isDigitPin(kind);
    this.input.maxLength = pinMaxLength(kind);
    this.input.setAttribute("inputmode", digits ? "numeric" : "text");
    this.input.setAttribute("autocapitalize", digits ? "off" : "characters");
    if (digits) this.input.setAttribute("pattern", "[0-9]*");
    else this.input.removeAttribute("pattern");
    replace(this.ruleEl, pinRule(kind));
    replace(this.lastTryEl, lastTryText(kind));
    replace(this.lockedEl, lockedText(kind));
    this.render();
  }

  private onInput(): void {
    const typed = this.input.value;
    const normalized = normalizePin(this.kindValue, typed);
    if (normalized !== typed) {
      const caret = this.input.selectionStart;
      this.input.value = normalized;
      if (caret !== null) this.input.setSelectionRange(caret, caret);
    }
    this.showProblem(null);
    this.notify();
  }

  private render(): void {
    if (this.purpose !== "current") return;
    const status = store.pinStatus(this.kindValue);
    let value: Msg;
    if (this.loadState === "loading") value = m("tries.loading");
    else if (status) value = triesText(this.kindValue, status);
    else if (this.loadState === "failed") value = m("tries.failed");
    else value = m("tries.unknown");

    replace(
      this.triesEl,
      m("tries.label"),
      " ",
      h("span", { class: "tries", "data-state": status?.state ?? "unknown" }, value),
      " ",
      this.checkButton,
    );
    this.renderCheckButton();

    const locked = isLocked(status);
    show(this.lastTryEl, isLastTry(status));
    show(this.lockedEl, locked);
    this.el.classList.toggle("is-locked", locked);
    this.el.classList.toggle("is-last-try", isLastTry(status));
    if (locked) this.input.value = "";
    this.input.disabled = locked;
    this.notify();
  }

  private renderCheckButton(): void {
    const status = store.pinStatus(this.kindValue);
    // Offered when the tries are unknown (not read yet, or reading failed), e.g. on a phone,
    // where every card read needs a tap and is therefore never started by just opening a screen.
    show(this.checkButton, this.loadState !== "loading" && status === null);
    this.checkButton.disabled = isBusy();
  }
}
