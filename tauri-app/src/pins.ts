// The PIN rules of the My Number Card (JPKI), in one place: names, formats, tries. The card-face
// access codes (code A: the My Number; code B: birth date, expiry year and security code) are
// asked for like PINs, with their own names and wording.

import { MAX_TRIES, type PinKind, type PinStatus } from "./api";
import { m, type Msg, type MsgKey } from "./i18n";

/** True for an access code (made of what is printed on the card), false for a holder's PIN. */
export function isAccessCode(kind: PinKind): boolean {
  return kind === "surface_code_a" || kind === "surface_code_b";
}

/** The PIN's name inside a sentence ("the signing PIN" / 署名用暗証番号). */
export function pinName(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = {
    auth: "pin.auth",
    sign: "pin.sign",
    card_info: "pin.card_info",
    surface_code_a: "pin.surface_code_a",
    surface_code_b: "pin.surface_code_b",
  };
  return m(keys[kind]);
}

/** The PIN's name as a heading. */
export function pinTitle(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = {
    auth: "pin.authTitle",
    sign: "pin.signTitle",
    card_info: "pin.card_infoTitle",
    surface_code_a: "pin.surface_code_aTitle",
    surface_code_b: "pin.surface_code_bTitle",
  };
  return m(keys[kind]);
}

/** What the PIN is used for. */
export function pinUse(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = {
    auth: "pin.authUse",
    sign: "pin.signUse",
    card_info: "pin.card_infoUse",
    surface_code_a: "pin.surface_code_aUse",
    surface_code_b: "pin.surface_code_bUse",
  };
  return m(keys[kind]);
}

/** The format and the number of tries. */
export function pinRule(kind: PinKind): Msg {
  switch (kind) {
    case "sign":
      return m("pin.signRule");
    case "surface_code_a":
      return m("pin.surface_code_aRule");
    case "surface_code_b":
      return m("pin.surface_code_bRule");
    default:
      return m("pin.digitsRule");
  }
}

export function isDigitPin(kind: PinKind): boolean {
  return kind !== "sign";
}

/** The longest input the field takes. An access code may be typed or pasted with the spaces or
 *  hyphens printed on the card; they are taken out as it is typed. */
export function pinMaxLength(kind: PinKind): number {
  switch (kind) {
    case "sign":
      return 16;
    case "surface_code_a":
    case "surface_code_b":
      return 20;
    default:
      return 4;
  }
}

/** Rewrites what was typed the way the card expects it: full-width → ASCII, capital letters
 *  for the signing PIN, and no spaces or hyphens in an access code. */
export function normalizePin(kind: PinKind, typed: string): string {
  const ascii = typed.normalize("NFKC");
  if (kind === "sign") return ascii.toUpperCase();
  if (isAccessCode(kind)) return ascii.replace(/[\s\-‐−ー]/g, "");
  return ascii;
}

/** Why `pin` would be refused by the card's format rules, or null when it is well formed.
 *  The same rules as the backend: a malformed PIN is never sent and never costs a try. (The
 *  backend also checks code A's check digit and code B's date, and says so before sending.) */
export function pinFormatProblem(kind: PinKind, pin: string): MsgKey | null {
  switch (kind) {
    case "surface_code_a":
      if (pin === "") return "pinFormat.codeEmpty";
      return /^[0-9]{12}$/.test(pin) ? null : "pinFormat.codeA";
    case "surface_code_b":
      if (pin === "") return "pinFormat.codeEmpty";
      return /^[0-9]{14}$/.test(pin) ? null : "pinFormat.codeB";
    case "sign":
      if (pin === "") return "pinFormat.empty";
      if (!/^[A-Z0-9]*$/.test(pin)) return "pinFormat.signChars";
      if (pin.length < 6 || pin.length > 16) return "pinFormat.signLength";
      if (!/[A-Z]/.test(pin) || !/[0-9]/.test(pin)) return "pinFormat.signMix";
      return null;
    default:
      if (pin === "") return "pinFormat.empty";
      return /^[0-9]{4}$/.test(pin) ? null : "pinFormat.digits4";
  }
}

/** The tries-left value in words: "3 / 3" ("9" for an access code), "verified", "locked". */
export function triesText(kind: PinKind, status: PinStatus): Msg {
  switch (status.state) {
    case "remaining": {
      const max = MAX_TRIES[kind];
      return max === null
        ? m("tries.countOnly", { left: status.tries_left })
        : m("tries.count", { left: status.tries_left, max });
    }
    case "verified":
      return m("tries.verified");
    case "locked":
      return m("tries.locked");
  }
}

/** The loud last-try warning, in the PIN's or the code's words. */
export function lastTryText(kind: PinKind): Msg {
  return m(isAccessCode(kind) ? "tries.lastTryCode" : "tries.lastTry");
}

/** What a locked PIN or code means, and where it is reset. */
export function lockedText(kind: PinKind): Msg {
  return m(isAccessCode(kind) ? "tries.lockedExplainCode" : "tries.lockedExplain");
}

export function isLastTry(status: PinStatus | null): boolean {
  return status?.state === "remaining" && status.tries_left === 1;
}

export function isLocked(status: PinStatus | null): boolean {
  return status?.state === "locked" || (status?.state === "remaining" && status.tries_left <= 0);
}
