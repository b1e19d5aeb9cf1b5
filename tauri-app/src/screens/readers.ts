// Screen 1: choose how the card is reached (PC/SC reader, libnfc, simulator, or the phone).

import { api, type Reader, type ReaderList } from "../api";
import { h, replace, show, uid, type Child } from "../dom";
import { clearError, showError } from "../errors";
import { literal, m, type Msg } from "../i18n";
import { isBusy, onBusyChange } from "../progress";
import { store } from "../state";
import { fieldProblem, section, type Navigation, type Screen } from "./screen";

/** The radio value for a reader: `pcsc:<name>`, `nfc`, `simulator` or `phone`. */
function optionValue(reader: Reader): string {
  return reader.kind === "pcsc" ? `pcsc:${reader.name}` : reader.kind;
}

interface Selection {
  value: string | null;
  connstring: string | null;
  address: string | null;
}

export class ReadersScreen implements Screen {
  readonly id = "readers" as const;
  readonly el: HTMLElement;
  private readonly status = h("p", { id: "readers-status", class: "hint", "aria-live": "polite" });
  private readonly pcscError = h("div", { id: "readers-pcsc-error", class: "notice warning", hidden: true });
  private readonly options = h("div", { id: "reader-options", class: "reader-options" });
  private readonly problem = fieldProblem("readers-problem");
  private readonly refreshButton: HTMLButtonElement;
  private readonly continueButton: HTMLButtonElement;
  private list: ReaderList | null = null;
  private loading = false;
  private choosing = false;

  constructor(private readonly nav: Navigation) {
    this.refreshButton = h(
      "button",
      { id: "readers-refresh", type: "button", on: { click: () => void this.load() } },
      m("readers.refresh"),
    );
    this.continueButton = h(
      "button",
      { id: "readers-continue", type: "submit", class: "primary", "data-card-action": true },
      m("readers.continue"),
    );
    const form = h(
      "form",
      { class: "stack", novalidate: true, on: { submit: (e) => { e.preventDefault(); void this.choose(); } } },
      h("fieldset", { class: "reader-fieldset" }, h("legend", { class: "visually-hidden" }, m("readers.legend")), this.options),
      this.problem,
      h("div", { class: "actions" }, this.refreshButton, this.continueButton),
    );
    this.el = section(
      "readers",
      m("readers.title"),
      h("p", { class: "intro" }, m("readers.intro")),
      this.pcscError,
      this.status,
      form,
    );
    onBusyChange(() => this.updateButtons());
    this.updateButtons();
  }

  show(): void {
    void this.load();
  }

  /** Asks the backend which readers exist (no card involved). */
  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    const before = this.selection();
    replace(this.status, m("readers.loading"));
    this.updateButtons();
    try {
      const list = await api.listReaders();
      this.list = list;
      if (list.current && !store.reader) store.setReader(list.current);
      this.render(list, before);
      replace(this.status);
    } catch (e) {
      replace(this.status);
      showError(e);
    } finally {
      this.loading = false;
      this.updateButtons();
    }
  }

  private render(list: ReaderList, before: Selection): void {
    this.renderPcscError(list);
    const options: HTMLElement[] = [];
    if (list.phone) options.push(this.phoneOption());
    for (const reader of list.pcsc) options.push(this.pcscOption(reader.name, reader.card_present));
    if (list.nfc) options.push(this.nfcOption(before.connstring ?? connstringOf(list.current)));
    options.push(this.simulatorOption(list, before.address ?? addressOf(list.current) ?? list.simulator_address));
    const noPcsc =
      !list.phone && list.pcsc.length === 0 && !list.pcsc_error
        ? h("p", { class: "notice" }, m("readers.pcscNone"))
        : null;
    replace(this.options, noPcsc, ...options);
    this.preselect(list, before.value);
  }

  private renderPcscError(list: ReaderList): void {
    const error = list.pcsc_error;
    if (!error) {
      replace(this.pcscError);
      show(this.pcscError, false);
      return;
    }
    replace(
      this.pcscError,
      h("p", null, m("readers.pcscError")),
      error.reason || error.message
        ? h("p", { class: "hint" }, m("common.detail", { reason: error.reason ?? error.message }))
        : null,
    );
    show(this.pcscError, true);
  }

  /** Keeps the person's choice; else the current reader; else a PC/SC reader with a card; else the first. */
  private preselect(list: ReaderList, previous: string | null): void {
    const radios = this.radios();
    const values = radios.map((r) => r.value);
    const withCard = list.pcsc.find((r) => r.card_present);
    const candidates = [
      previous,
      list.current ? optionValue(list.current) : null,
      withCard ? `pcsc:${withCard.name}` : null,
      values[0] ?? null,
    ];
    const value = candidates.find((v) => v !== null && values.includes(v));
    const radio = radios.find((r) => r.value === value);
    if (radio) radio.checked = true;
  }

  private option(value: string, kind: string, label: Child[], extra: Child[] = []): HTMLElement {
    const id = uid("reader");
    return h(
      "div",
      { class: "reader-option", "data-kind": kind },
      h(
        "label",
        { for: id, class: "reader-label" },
        h("input", { type: "radio", name: "reader", id, value, on: { change: () => this.showProblem(null) } }),
        h("span", { class: "reader-text" }, ...label),
      ),
      ...extra,
    );
  }

  private phoneOption(): HTMLElement {
    return this.option("phone", "phone", [
      h("span", { class: "reader-name" }, m("readers.phone")),
      h("span", { class: "hint" }, m("readers.phoneHint")),
    ]);
  }

  private pcscOption(name: string, cardPresent: boolean): HTMLElement {
    return this.option(`pcsc:${name}`, "pcsc", [
      h("span", { class: "reader-name" }, name),
      h(
        "span",
        { class: `card-state ${cardPresent ? "present" : "absent"}` },
        m(cardPresent ? "readers.cardPresent" : "readers.noCard"),
      ),
    ]);
  }

  private nfcOption(connstring: string | null): HTMLElement {
    const input = this.extraInput("nfc-connstring", "nfc", connstring ?? "", literal("pn532_uart:/dev/ttyUSB0"));
    return this.option("nfc", "nfc", [h("span", { class: "reader-name" }, m("readers.nfc"))], [
      h(
        "div",
        { class: "reader-extra field" },
        h("label", { for: "nfc-connstring" }, m("readers.nfcConnstring")),
        input,
        h("p", { class: "hint" }, m("readers.nfcHint")),
      ),
    ]);
  }

  private simulatorOption(list: ReaderList, address: string): HTMLElement {
    const input = this.extraInput("simulator-address", "simulator", address, literal(list.simulator_address));
    const label: Msg = m(list.phone ? "readers.simulatorDev" : "readers.simulator");
    return this.option("simulator", "simulator", [h("span", { class: "reader-name" }, label)], [
      h(
        "div",
        { class: "reader-extra field" },
        h("label", { for: "simulator-address" }, m("readers.simulatorAddress")),
        input,
        h("p", { class: "hint" }, m("readers.simulatorHint")),
      ),
    ]);
  }

  /** A text input belonging to an option: typing in it chooses that option. */
  private extraInput(id: string, value: string, text: string, placeholder: Msg): HTMLInputElement {
    const select = () => {
      const radio = this.radios().find((r) => r.value === value);
      if (radio) radio.checked = true;
      this.showProblem(null);
    };
    const input = h("input", {
      id,
      type: "text",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      placeholder,
      on: { focus: select, input: select },
    });
    input.value = text;
    return input;
  }

  private radios(): HTMLInputElement[] {
    return [...this.options.querySelectorAll<HTMLInputElement>('input[name="reader"]')];
  }

  private textOf(id: string): string | null {
    const el = this.options.querySelector<HTMLInputElement>(`#${id}`);
    return el ? el.value.trim() : null;
  }

  private selection(): Selection {
    return {
      value: this.radios().find((r) => r.checked)?.value ?? null,
      connstring: this.textOf("nfc-connstring"),
      address: this.textOf("simulator-address"),
    };
  }

  /** The reader described by the chosen option, or null (with a message) when incomplete. */
  private chosenReader(): Reader | null {
    const { value, connstring, address } = this.selection();
    if (value === null) {
      this.showProblem(m("readers.chooseOne"));
      return null;
    }
    if (value === "phone") return { kind: "phone" };
    if (value === "nfc") return { kind: "nfc", connstring: connstring ? connstring : null };
    if (value === "simulator") {
      if (!address) {
        this.showProblem(m("readers.simulatorRequired"));
        this.options.querySelector<HTMLInputElement>("#simulator-address")?.focus();
        return null;
      }
      return { kind: "simulator", address };
    }
    return { kind: "pcsc", name: value.slice("pcsc:".length) };
  }

  /** `choose_reader` (validated and remembered; nothing is sent to the card), then the overview. */
  private async choose(): Promise<void> {
    if (isBusy() || this.choosing) return;
    clearError();
    const reader = this.chosenReader();
    if (!reader) return;
    this.choosing = true;
    this.updateButtons();
    try {
      await api.chooseReader(reader);
      store.setReader(reader);
      this.nav.goTo("overview");
    } catch (e) {
      showError(e);
    } finally {
      this.choosing = false;
      this.updateButtons();
    }
  }

  private showProblem(msg: Msg | null): void {
    replace(this.problem, msg);
    show(this.problem, msg !== null);
  }

  private updateButtons(): void {
    this.refreshButton.disabled = this.loading;
    this.continueButton.disabled = isBusy() || this.loading || this.choosing || this.list === null;
  }
}

function connstringOf(reader: Reader | null): string | null {
  return reader?.kind === "nfc" ? reader.connstring : null;
}

function addressOf(reader: Reader | null): string | null {
  return reader?.kind === "simulator" ? reader.address : null;
}
