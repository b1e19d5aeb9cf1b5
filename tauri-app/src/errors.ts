// AppError → a sentence a person can act on, and the error area (#error) that shows it.

import { NOT_IN_APP, toAppError, type AppError } from "./api";
import { h, replace } from "./dom";
import { literal, m, t, type Msg, type MsgKey } from "./i18n";
import { isAccessCode, pinName, pinRule } from "./pins";

/** " Details: …" / "（詳細: …）" when the error carries a technical reason. */
function details(e: AppError): string {
  return e.reason ? t("common.detail", { reason: e.reason }) : "";
}

/** A catalogue sentence followed by the technical reason, if any. */
function withReason(key: MsgKey, e: AppError): Msg {
  return () => t(key) + details(e);
}

function wrongPin(e: AppError): Msg {
  const n = e.tries_left;
  if (e.pin && isAccessCode(e.pin)) {
    const code = pinName(e.pin);
    if (n === undefined) return m("error.wrong_codeUnknown", { code });
    if (n <= 0) return m("error.wrong_codeNone", { code });
    if (n === 1) return m("error.wrong_codeOne", { code });
    return m("error.wrong_code", { code, n });
  }
  if (n === undefined) return m("error.wrong_pinUnknown");
  if (n <= 0) return m("error.wrong_pinNone");
  if (n === 1) return m("error.wrong_pinOne");
  return m("error.wrong_pin", { n });
}

function invalidPin(e: AppError): Msg {
  if (!e.pin) return withReason("error.invalid_pinNoKind", e);
  // The window checks an access code's length itself: what the backend still refuses is a
  // My Number whose check digit does not match, or a date that cannot be.
  if (e.pin === "surface_code_a") return m("error.invalid_codeA");
  if (e.pin === "surface_code_b") return m("error.invalid_codeB");
  return m("error.invalid_pin", { pin: pinName(e.pin), rule: pinRule(e.pin) });
}

function serviceRefused(e: AppError): Msg {
  if (e.status === undefined && !e.reason) return m("error.service_refusedPlain");
  return m("error.service_refused", {
    status: e.status !== undefined ? String(e.status) : "–",
    reason: e.reason ?? "–",
  });
}

/** The localized sentence for an error. Unknown codes fall back to the backend's message. */
export function describeError(e: AppError): Msg {
  switch (e.code) {
    case "invalid_pin":
      return invalidPin(e);
    case "wrong_pin":
      return wrongPin(e);
    case "pin_locked":
      return m("error.pin_locked", { pin: e.pin ? pinName(e.pin) : m("error.pinGeneric") });
    case "pin_required":
      return m("error.pin_required", { pin: e.pin ? pinName(e.pin) : m("error.pinGeneric") });
    case "service_refused":
      return serviceRefused(e);
    case "file":
      return e.path
        ? () => t("error.file", { path: e.path ?? "" }) + details(e)
        : withReason("error.fileNoPath", e);
    case "output_exists":
      return m("error.output_exists", { path: e.path ?? "" });
    case "card_removed":
    case "no_card":
    case "no_reader":
    case "not_my_number_card":
    case "timeout":
    case "busy":
    case "nfc_cancelled":
    case "certificate_expired":
    case "certificate_not_yet_valid":
    case "challenge_expired":
    case "same_file":
    case "not_valid":
      return m(`error.${e.code}`);
    case "reader_unavailable":
    case "card_error":
    case "nfc_unavailable":
    case "invalid_url":
    case "service_unreachable":
    case "not_a_pdf":
    case "invalid_input":
    case "internal":
      return withReason(`error.${e.code}`, e);
    case NOT_IN_APP:
      return m("error.not_in_app");
    default:
      return literal(e.message || e.code);
  }
}

// --- The error area --------------------------------------------------------------------------

let area: HTMLElement | null = null;

/** The `#error` element: role="alert", hidden while there is nothing to say. */
export function createErrorArea(): HTMLElement {
  area = h("div", { id: "error", class: "error", role: "alert", hidden: true });
  return area;
}

/** Shows the error in the error area (and returns it as an `AppError` for the caller). */
export function showError(e: unknown): AppError {
  const error = toAppError(e);
  if (area) {
    replace(area, describeError(error));
    area.dataset.code = error.code;
    area.hidden = false;
    area.scrollIntoView?.({ block: "nearest" });
  }
  if (error.code === "internal") console.error("kazasu:", error.code, error.message);
  return error;
}

export function clearError(): void {
  if (!area) return;
  replace(area);
  delete area.dataset.code;
  area.hidden = true;
}
