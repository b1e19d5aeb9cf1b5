// What the screens share: the chosen reader, what the app knows about itself, and the last
// known PIN statuses (from the overview, `pin_status`, or a wrong-PIN answer).

import { MAX_TRIES, type AppInfo, type PinKind, type PinStatus, type Reader } from "./api";
import { literal, m, type Msg } from "./i18n";

type Listener = () => void;

class Store {
  private readerValue: Reader | null = null;
  private info: AppInfo | null = null;
  private readonly pins = new Map<PinKind, PinStatus>();
  private readonly readerListeners = new Set<Listener>();
  private readonly pinListeners = new Set<(kind: PinKind) => void>();

  get reader(): Reader | null {
    return this.readerValue;
  }

  /** Remembers the chosen reader; a different reader means a possibly different card. */
  setReader(reader: Reader | null): void {
    const changed = readerKey(reader) !== readerKey(this.readerValue);
    this.readerValue = reader;
    if (changed) {
      for (const kind of [...this.pins.keys()]) {
        this.pins.delete(kind);
        this.pinListeners.forEach((fn) => fn(kind));
      }
    }
    this.readerListeners.forEach((fn) => fn());
  }

  onReaderChange(fn: Listener): void {
    this.readerListeners.add(fn);
  }

  /** True when the card is reached through the phone's NFC: each card command needs a tap. */
  get usesPhone(): boolean {
    return this.readerValue?.kind === "phone";
  }

  get appInfo(): AppInfo | null {
    return this.info;
  }

  setAppInfo(info: AppInfo): void {
    this.info = info;
  }

  pinStatus(kind: PinKind): PinStatus | null {
    return this.pins.get(kind) ?? null;
  }

  setPinStatus(kind: PinKind, status: PinStatus | null): void {
    if (status) this.pins.set(kind, status);
    else this.pins.delete(kind);
    this.pinListeners.forEach((fn) => fn(kind));
  }

  /** After the card accepted a PIN, its counter is back to the maximum (unknown for an access
   *  code, whose maximum the card does not publish: its screen reads it again instead). */
  pinAccepted(kind: PinKind): void {
    const max = MAX_TRIES[kind];
    this.setPinStatus(kind, max === null ? null : { state: "remaining", tries_left: max });
  }

  onPinStatusChange(fn: (kind: PinKind) => void): void {
    this.pinListeners.add(fn);
  }
}

export const store = new Store();

/** A stable text key for a reader (to compare two choices). */
export function readerKey(reader: Reader | null): string {
  if (!reader) return "";
  switch (reader.kind) {
    case "pcsc":
      return `pcsc:${reader.name}`;
    case "nfc":
      return `nfc:${reader.connstring ?? ""}`;
    case "simulator":
      return `simulator:${reader.address}`;
    case "phone":
      return "phone";
  }
}

/** The reader as a person reads it. */
export function readerLabel(reader: Reader): Msg {
  switch (reader.kind) {
    case "pcsc":
      return literal(reader.name);
    case "nfc":
      return reader.connstring
        ? m("reader.nfc", { connstring: reader.connstring })
        : m("reader.nfcDefault");
    case "simulator":
      return m("reader.simulator", { address: reader.address });
    case "phone":
      return m("reader.phone");
  }
}
