// The PIN rules of the My Number Card (JPKI), in one place: names, formats, tries.

import { MAX_TRIES, type PinKind, type PinStatus } from "./api";
import { m, type Msg, type MsgKey } from "./i18n";

/** The PIN's name inside a sentence ("the signing PIN" / 署名用暗証番号). */
export function pinName(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = { auth: "pin.auth", sign: "pin.sign", card_info: "pin.card_info" };
  return m(keys[kind]);
}

/** The PIN's name as a heading. */
export function pinTitle(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = {
    auth: "pin.authTitle",
    sign: "pin.signTitle",
    card_info: "pin.card_infoTitle",
  };
  return m(keys[kind]);
}

/** What the PIN is used for. */
export function pinUse(kind: PinKind): Msg {
  const keys: Record<PinKind, MsgKey> = { auth: "pin.authUse", sign: "pin.signUse", card_info: "pin.card_infoUse" };
  return m(keys[kind]);
}

/** The format and the number of tries. */
export function pinRule(kind: PinKind): Msg {
  return m(kind === "sign" ? "pin.signRule" : "pin.digitsRule");
}

export function isDigitPin(kind: PinKind): boolean {
  return kind !== "sign";
}

/** Rewrites what was typed the way the card expects it: full-width → ASCII, and capital letters
 *  for the signing PIN. */
export function normalizePin(kind: PinKind, typed: string): string {
  const ascii = typed.normalize("NFKC");
  return kind === "sign" ? ascii.toUpperCase() : ascii;
}

/** Why `pin` would be refused by the card's format rules, or null when it is well formed.
 *  The same rules as the backend: a malformed PIN is never sent and never costs a try. */
export function pinFormatProblem(kind: PinKind, pin: string): MsgKey | null {
  if (pin === "") return "pinFormat.empty";
  if (kind !== "sign") return /^[0-9]{4}$/.test(pin) ? null : "pinFormat.digits4";
  if (!/^[A-Z0-9]*$/.test(pin)) return "pinFormat.signChars";
  if (pin.length < 6 || pin.length > 16) return "pinFormat.signLength";
  if (!/[A-Z]/.test(pin) || !/[0-9]/.test(pin)) return "pinFormat.signMix";
  return null;
}

/** The tries-left value in words: "3 / 3", "verified", "locked". */
export function triesText(kind: PinKind, status: PinStatus): Msg {
  switch (status.state) {
    case "remaining":
      return m("tries.count", { left: status.tries_left, max: MAX_TRIES[kind] });
    case "verified":
      return m("tries.verified");
    case "locked":
      return m("tries.locked");
  }
}

export function isLastTry(status: PinStatus | null): boolean {
  return status?.state === "remaining" && status.tries_left === 1;
}

export function isLocked(status: PinStatus | null): boolean {
  return status?.state === "locked" || (status?.state === "remaining" && status.tries_left <= 0);
}
