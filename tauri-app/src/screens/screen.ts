// What every screen has in common.

import type { AppError, PinKind } from "../api";
import { h, type Child } from "../dom";
import type { Msg } from "../i18n";
import type { PinField } from "../pin-field";
import { store } from "../state";

export type ScreenId = "readers" | "overview" | "surface" | "login" | "sign" | "pin";

export interface Screen {
  readonly id: ScreenId;
  /** The `<section id="screen-…">`. */
  readonly el: HTMLElement;
  /** Called each time the screen is shown. */
  show(): void;
}

export interface Navigation {
  goTo(id: ScreenId): void;
}

/** `<section id="screen-ID">` with its heading (focused when the screen is shown). */
export function section(id: ScreenId, title: Msg, ...children: Child[]): HTMLElement {
  return h(
    "section",
    { id: `screen-${id}`, class: "screen", hidden: true, "aria-labelledby": `screen-${id}-title` },
    h("h2", { id: `screen-${id}-title`, tabindex: -1 }, title),
    ...children,
  );
}

/** A button that starts a card command (disabled while another one runs). */
export function cardButton(id: string, label: Msg, attrs: Record<string, string> = {}): HTMLButtonElement {
  return h("button", { id, type: "submit", class: "primary", "data-card-action": true, ...attrs }, label);
}

/** A small inline message under a field (hidden when empty). */
export function fieldProblem(id: string): HTMLParagraphElement {
  return h("p", { id, class: "field-problem", "aria-live": "polite", hidden: true });
}

/** After a PIN was refused: record the tries left, and read them again from the card
 *  (not on a phone, where that would need another tap). Never resubmits anything. */
export async function afterPinError(error: AppError, kind: PinKind, field: PinField): Promise<void> {
  const pin = error.pin ?? kind;
  if (error.code === "pin_locked") {
    store.setPinStatus(pin, { state: "locked" });
    return;
  }
  if (error.code !== "wrong_pin") return;
  if (error.tries_left !== undefined) {
    store.setPinStatus(
      pin,
      error.tries_left <= 0 ? { state: "locked" } : { state: "remaining", tries_left: error.tries_left },
    );
  }
  if (!store.usesPhone && pin === field.kind) await field.loadStatus({ quiet: true });
}
