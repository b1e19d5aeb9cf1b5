// Screen 2: what is on the card (certificates, their validity, PIN tries). No PIN, no try used.

import {
  api,
  MAX_TRIES,
  type CertSlot,
  type CertificateEntry,
  type CertificateSummary,
  type Overview,
  type PinKind,
  type PinStatus,
} from "../api";
import { h, replace, show } from "../dom";
import { clearError, showError } from "../errors";
import { day, japanDay, join, m, type Msg, type MsgKey } from "../i18n";
import { isLastTry, isLocked, pinName, pinRule, pinTitle, pinUse, triesText } from "../pins";
import { cardTask, isBusy, onBusyChange } from "../progress";
import { readerKey, readerLabel, store } from "../state";
import { section, type Navigation, type Screen } from "./screen";

const CERT_NAMES: Record<CertSlot, MsgKey> = {
  auth: "cert.auth",
  sign: "cert.sign",
  auth_ca: "cert.auth_ca",
  sign_ca: "cert.sign_ca",
};

const CERT_PURPOSES: Record<CertSlot, MsgKey> = {
  auth: "cert.authPurpose",
  sign: "cert.signPurpose",
  auth_ca: "cert.caPurpose",
  sign_ca: "cert.caPurpose",
};

function isCaSlot(slot: CertSlot): boolean {
  return slot === "auth_ca" || slot === "sign_ca";
}

/** The certificate's life cycle in words. */
function lifecycleText(summary: CertificateSummary): Msg {
  const date = day(summary.expires_on);
  switch (summary.lifecycle.state) {
    case "valid":
      return m("lifecycle.valid", { date });
    case "renewal_window":
      return m("lifecycle.renewal", { date, opens: day(summary.lifecycle.opens_on) });
    case "expired":
      return m("lifecycle.expired", { date });
    case "not_yet_valid":
      return m("lifecycle.notYet", { date: japanDay(summary.not_before) });
  }
}

function detailRow(label: Msg, value: Msg | string, cls: string): HTMLElement[] {
  return [h("dt", null, label), h("dd", { class: cls }, value)];
}

function certificateCard(entry: CertificateEntry): HTMLElement {
  const { slot, summary } = entry;
  const body: (HTMLElement | null)[] = [];
  if (summary) {
    body.push(
      h("p", { class: "lifecycle", "data-state": summary.lifecycle.state }, lifecycleText(summary)),
      h(
        "dl",
        { class: "cert-details" },
        ...detailRow(m("cert.subject"), summary.subject, "cert-subject"),
        ...detailRow(m("cert.serial"), summary.serial, "cert-serial"),
        ...detailRow(m("cert.expiresOn"), day(summary.expires_on), "cert-expires"),
        ...(isCaSlot(slot) ? [] : detailRow(m("cert.issuer"), summary.issuer, "cert-issuer")),
      ),
    );
  } else if (entry.needs_pin === "sign") {
    body.push(h("p", { class: "cert-needs-pin" }, m("cert.signNeedsPin")));
  } else if (entry.needs_pin) {
    body.push(h("p", { class: "cert-needs-pin" }, m("cert.needsPin", { pin: pinName(entry.needs_pin) })));
  } else if (entry.unavailable) {
    body.push(h("p", { class: "cert-unavailable warning" }, m("cert.unavailable", { reason: entry.unavailable })));
  } else {
    body.push(h("p", { class: "cert-unavailable" }, m("cert.missing")));
  }
  if (slot === "sign") body.push(h("p", { class: "cert-note hint" }, m("cert.signRevocation")));
  return h(
    "article",
    {
      class: `cert${isCaSlot(slot) ? " cert-ca" : ""}`,
      "data-slot": slot,
      "data-state": summary?.lifecycle.state ?? (entry.needs_pin ? "needs_pin" : "unavailable"),
    },
    h("h4", { class: "cert-name" }, m(CERT_NAMES[slot])),
    h("p", { class: "cert-purpose" }, m(CERT_PURPOSES[slot])),
    ...body,
  );
}

function pinRow(kind: PinKind, status: PinStatus): HTMLElement {
  const locked = isLocked(status);
  return h(
    "li",
    { class: "pin-row", "data-pin": kind, "data-state": status.state },
    h("div", { class: "pin-name" }, pinTitle(kind)),
    h("p", { class: "hint" }, join(pinUse(kind), pinRule(kind))),
    h(
      "p",
      { class: "pin-tries-line" },
      m("tries.label"),
      " ",
      h("span", { class: "tries", "data-state": status.state, "data-max": MAX_TRIES[kind] }, triesText(kind, status)),
    ),
    isLastTry(status) ? h("p", { class: "pin-last-try warning" }, m("tries.lastTry")) : null,
    locked ? h("p", { class: "pin-locked danger" }, m("tries.lockedExplain")) : null,
  );
}

export class OverviewScreen implements Screen {
  readonly id = "overview" as const;
  readonly el: HTMLElement;
  private readonly phoneHint = h("p", { class: "hint", hidden: true }, m("overview.phoneHint"));
  private readonly refreshButton: HTMLButtonElement;
  private readonly content = h("div", { id: "overview-content", class: "stack", hidden: true });
  private overview: Overview | null = null;
  /** The reader the shown overview was read with. */
  private loadedFor: string | null = null;

  constructor(private readonly nav: Navigation) {
    this.refreshButton = h(
      "button",
      { id: "overview-refresh", type: "button", class: "primary", "data-card-action": true, on: { click: () => void this.load() } },
      () => m(this.overview ? "overview.refresh" : "overview.read")(),
    );
    this.el = section(
      "overview",
      m("overview.title"),
      h("p", { id: "overview-intro", class: "what-will-happen" }, m("overview.before")),
      this.phoneHint,
      h("div", { class: "actions" }, this.refreshButton),
      this.content,
    );
    onBusyChange(() => this.updateButton());
    store.onReaderChange(() => {
      if (readerKey(store.reader) !== this.loadedFor) this.forget();
    });
    store.onPinStatusChange(() => this.renderPins());
  }

  show(): void {
    show(this.phoneHint, store.usesPhone);
    if (!this.overview && !isBusy()) void this.load();
  }

  private forget(): void {
    this.overview = null;
    this.loadedFor = null;
    replace(this.content);
    show(this.content, false);
    this.updateButton();
  }

  private async load(): Promise<void> {
    if (isBusy()) return;
    clearError();
    const reader = readerKey(store.reader);
    try {
      const overview = await cardTask(() => api.cardOverview());
      this.overview = overview;
      this.loadedFor = reader;
      for (const { pin, status } of overview.pins) store.setPinStatus(pin, status);
      this.render(overview);
    } catch (e) {
      showError(e);
    } finally {
      this.updateButton();
    }
  }

  private render(overview: Overview): void {
    const main = overview.certificates.filter((c) => !isCaSlot(c.slot));
    const ca = overview.certificates.filter((c) => isCaSlot(c.slot));
    replace(
      this.content,
      h(
        "p",
        { class: "overview-meta" },
        h("span", { id: "overview-reader" }, m("overview.reader", { reader: store.reader ? readerLabel(store.reader) : overview.reader })),
        " ",
        h("span", { id: "overview-today", class: "hint" }, m("overview.asOf", { date: day(overview.today) })),
      ),
      h(
        "div",
        { id: "overview-certificates", class: "stack" },
        h("h3", null, m("overview.certs")),
        ...main.map(certificateCard),
        h("p", { class: "hint" }, m("overview.validityRule")),
        ca.length
          ? h("details", { class: "cert-ca-list" }, h("summary", null, m("overview.caCerts")), ...ca.map(certificateCard))
          : null,
      ),
      h("div", { id: "overview-pins", class: "stack" }, h("h3", null, m("overview.pins")), h("ul", { class: "pin-list" })),
      h(
        "div",
        { id: "overview-surface-link", class: "stack" },
        h("h3", null, m("surface.title")),
        h("p", { class: "hint" }, m("overview.surfaceHint")),
        h(
          "div",
          { class: "actions" },
          h(
            "button",
            { id: "overview-surface", type: "button", disabled: isBusy(), on: { click: () => this.nav.goTo("surface") } },
            m("overview.surface"),
          ),
        ),
      ),
    );
    this.renderPins();
    show(this.content, true);
  }

  /** PIN rows follow the latest known status (a wrong PIN elsewhere updates them). */
  private renderPins(): void {
    const list = this.content.querySelector(".pin-list");
    if (!list || !this.overview) return;
    replace(
      list,
      ...this.overview.pins.map(({ pin, status }) => pinRow(pin, store.pinStatus(pin) ?? status)),
    );
  }

  private updateButton(): void {
    this.refreshButton.disabled = isBusy();
    const surface = this.content.querySelector<HTMLButtonElement>("#overview-surface");
    if (surface) surface.disabled = isBusy();
    // The label depends on whether the card was read: re-evaluate its Msg.
    replace(this.refreshButton, m(this.overview ? "overview.refresh" : "overview.read"));
  }
}
