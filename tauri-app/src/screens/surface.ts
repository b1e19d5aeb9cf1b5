// Screen: the card face, as the card's card-surface application stores it. Code A (the My
// Number) or code B opens it; its tries left are read before anything is typed, the code is
// checked by the card once, and the photo, the printed images and the facts are shown with a
// clear line saying whether the card's own signature covers them. Nothing is saved.

import { api, SURFACE_CODES, type CardSurface, type Sex, type SurfaceCode } from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { day, m, type Msg, type MsgKey } from "../i18n";
import { PinField } from "../pin-field";
import { pinName, pinTitle, pinUse } from "../pins";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { afterPinError, cardButton, section, type Screen } from "./screen";

const SEX_KEYS: Record<Sex, MsgKey> = {
  male: "sex.male",
  female: "sex.female",
  not_applicable: "sex.not_applicable",
};

function row(label: Msg, value: HTMLElement | Msg, cls: string): HTMLElement[] {
  return [h("dt", null, label), h("dd", { class: cls }, value)];
}

/** A PNG from the card, shown as an image (never as markup). */
function cardImage(id: string, src: string, alt: Msg): HTMLImageElement {
  return h("img", { id, class: "face-image", src, alt });
}

export class SurfaceScreen implements Screen {
  readonly id = "surface" as const;
  readonly el: HTMLElement;
  private readonly choices: HTMLInputElement[];
  private readonly code: PinField;
  private readonly submit = cardButton("surface-submit", m("surface.submit"));
  private readonly hideButton: HTMLButtonElement;
  private readonly result = h("div", { id: "surface-result", class: "stack", "aria-live": "polite", hidden: true });

  constructor() {
    this.choices = SURFACE_CODES.map((kind) =>
      h("input", {
        type: "radio",
        name: "surface-code",
        id: `surface-choice-${kind}`,
        value: kind,
        checked: kind === "surface_code_a",
        on: { change: () => this.onKindChange() },
      }),
    );
    this.code = new PinField({ id: "surface-code", kind: "surface_code_a", label: pinTitle("surface_code_a"), showRule: true });
    this.code.onChange(() => this.updateButtons());
    this.hideButton = h(
      "button",
      { id: "surface-hide", type: "button", hidden: true, on: { click: () => this.forget() } },
      m("surface.hide"),
    );

    const options = SURFACE_CODES.map((kind, i) =>
      h(
        "div",
        { class: "reader-option", "data-kind": kind },
        h(
          "label",
          { class: "reader-label", for: `surface-choice-${kind}` },
          this.choices[i],
          h(
            "span",
            { class: "reader-text" },
            h("span", { class: "reader-name" }, pinTitle(kind)),
            h("span", { class: "hint" }, pinUse(kind)),
          ),
        ),
      ),
    );
    const form = h(
      "form",
      { id: "surface-form", class: "stack", novalidate: true, on: { submit: (e) => { e.preventDefault(); void this.read(); } } },
      h(
        "fieldset",
        { class: "reader-fieldset" },
        h("legend", { class: "field-legend" }, m("surface.choose")),
        h("div", { class: "reader-options" }, ...options),
      ),
      this.code.el,
      h("p", { id: "surface-what", class: "what-will-happen" }, m("surface.what")),
      h("div", { class: "actions" }, this.hideButton, this.submit),
    );
    this.el = section("surface", m("surface.title"), h("p", { class: "intro" }, m("surface.intro")), form, this.result);
    onBusyChange(() => this.updateButtons());
    // Another reader may hold another card: what was shown is not that card's.
    store.onReaderChange(() => this.forget());
    this.updateButtons();
  }

  get kind(): SurfaceCode {
    return (this.choices.find((c) => c.checked)?.value ?? "surface_code_a") as SurfaceCode;
  }

  show(): void {
    // Tries left before anything is typed (on a phone only on request: each read needs a tap).
    if (!store.usesPhone) void this.code.loadStatus();
  }

  private onKindChange(): void {
    const kind = this.kind;
    this.code.setKind(kind);
    this.code.setLabel(pinTitle(kind));
    clearError();
    if (!store.usesPhone) void this.code.loadStatus();
  }

  private async read(): Promise<void> {
    if (isBusy() || this.code.locked) return;
    clearError();
    if (!this.code.validate()) {
      this.code.focus();
      return;
    }
    const kind = this.kind;
    const code = this.code.value;
    this.code.clear();
    this.forget();
    try {
      const surface = await cardTask(() => api.cardSurface(kind, code), {
        checking_pin: "step.checkingCode",
        verifying_pin: "step.readingFace",
      });
      store.setPinStatus(kind, surface.status);
      this.render(surface);
    } catch (e) {
      const error = showError(e);
      await afterPinError(error, kind, this.code);
      this.code.focus();
    }
  }

  private render(surface: CardSurface): void {
    const photo = surface.photo
      ? h(
          "figure",
          { class: "face-photo" },
          cardImage("surface-photo", surface.photo, m("surface.photo")),
        )
      : h(
          "p",
          { id: "surface-photo-error", class: "warning" },
          m("surface.photoError", { reason: surface.photo_error ?? "–" }),
        );
    const signedLine = surface.signed
      ? m(surface.my_number_image ? "surface.signedWithNumber" : "surface.signed")
      : m("surface.notSigned");
    replace(
      this.result,
      h(
        "p",
        {
          id: "surface-signed",
          class: surface.signed ? "signature-line result success" : "signature-line danger",
          "data-signed": String(surface.signed),
        },
        signedLine,
      ),
      h(
        "div",
        { class: "card-face", "data-code": surface.code },
        photo,
        h(
          "dl",
          { class: "result-details face-details" },
          ...row(m("surface.name"), cardImage("surface-name", surface.name_image, m("surface.name")), "face-name"),
          ...row(m("surface.address"), cardImage("surface-address", surface.address_image, m("surface.address")), "face-address"),
          ...row(m("surface.birthDate"), day(surface.birth_date), "face-birth-date"),
          ...row(m("surface.sex"), m(SEX_KEYS[surface.sex]), "face-sex"),
          ...row(m("surface.expires"), day(surface.expires_on), "face-expires"),
          ...row(
            m("surface.securityCode"),
            cardImage("surface-security-code", surface.security_code_image, m("surface.securityCode")),
            "face-security-code",
          ),
        ),
      ),
      surface.my_number_image
        ? h(
            "details",
            { id: "surface-my-number", class: "face-my-number" },
            h("summary", null, m("surface.myNumberShow")),
            cardImage("surface-my-number-image", surface.my_number_image, m("surface.myNumber")),
          )
        : null,
      h("p", { class: "hint" }, m("surface.openedWith", { code: pinName(surface.code) })),
    );
    show(this.result, true);
    this.updateButtons();
  }

  /** Takes the card face off the screen. */
  private forget(): void {
    replace(this.result);
    show(this.result, false);
    this.updateButtons();
  }

  private updateButtons(): void {
    this.submit.disabled = isBusy() || this.code.locked;
    show(this.hideButton, !this.result.hidden);
    this.hideButton.disabled = isBusy();
    for (const choice of this.choices) choice.disabled = isBusy();
  }
}
