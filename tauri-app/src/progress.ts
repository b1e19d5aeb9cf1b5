// The progress indicator (#progress) and the "one card command at a time" rule.
//
// `cardTask` wraps every command that talks to the card: while it runs, `isBusy()` is true,
// listeners disable the buttons that would start another card command, and #progress shows the
// step reported by the backend's `card-progress` event.

import { listen } from "@tauri-apps/api/event";
import { isTauri } from "@tauri-apps/api/core";
import { CARD_PROGRESS_EVENT, CommandError, type CardProgress, type Step } from "./api";
import { h, replace } from "./dom";
import { m, type Msg, type MsgKey } from "./i18n";
import { store } from "./state";

let busy = false;
const busyListeners = new Set<(busy: boolean) => void>();

let root: HTMLElement | null = null;
let textEl: HTMLElement | null = null;
let barEl: HTMLProgressElement | null = null;

const STEP_KEYS: Record<Step, MsgKey> = {
  connecting: "step.connecting",
  reading: "step.reading",
  checking_pin: "step.checking_pin",
  verifying_pin: "step.verifying_pin",
  hashing: "step.hashing",
  signing: "step.signing",
  contacting_service: "step.contacting_service",
  writing: "step.writing",
  verifying: "step.verifying",
  done: "step.done",
};

/** Step wording for the running command, where a step means something particular to it. */
let stepOverrides: StepWords = {};

/** Wording of some steps for one command, e.g. `{ reading: "step.readingFile" }` when signing. */
export type StepWords = Partial<Record<Step, MsgKey>>;

function stepMsg(progress: CardProgress): Msg {
  const key = stepOverrides[progress.step] ?? STEP_KEYS[progress.step];
  if (!key) return m("progress.start");
  if (progress.step === "hashing" && progress.fraction !== null) {
    return m("step.hashingPercent", { percent: Math.round(clamp(progress.fraction) * 100) });
  }
  return m(key);
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** The `#progress` element: role="status", visible only while a card command runs. */
export function createProgress(): HTMLElement {
  textEl = h("span", { class: "progress-text" });
  barEl = h("progress", { class: "progress-bar", max: 1, hidden: true });
  root = h(
    "div",
    { id: "progress", class: "progress", role: "status", "aria-live": "polite", hidden: true },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("div", { class: "progress-body" }, textEl, barEl),
  );
  return root;
}

function showProgress(msg: Msg, fraction: number | null): void {
  if (!root || !textEl || !barEl) return;
  replace(textEl, msg);
  if (fraction === null) {
    barEl.hidden = true;
    barEl.removeAttribute("value");
  } else {
    barEl.hidden = false;
    barEl.value = clamp(fraction);
  }
  root.hidden = false;
}

function hideProgress(): void {
  if (!root || !textEl || !barEl) return;
  root.hidden = true;
  replace(textEl);
  barEl.hidden = true;
}

/** Subscribes to the backend's `card-progress` event (once, at start-up). */
export async function listenToCardProgress(): Promise<void> {
  if (!isTauri()) return;
  try {
    await listen<CardProgress>(CARD_PROGRESS_EVENT, (event) => {
      if (busy) showProgress(stepMsg(event.payload), event.payload.fraction ?? null);
    });
  } catch (e) {
    console.warn("kazasu: cannot listen to card-progress", e);
  }
}

export function isBusy(): boolean {
  return busy;
}

/** Called with `true` when a card command starts and `false` when it ends. */
export function onBusyChange(fn: (busy: boolean) => void): void {
  busyListeners.add(fn);
}

function setBusy(value: boolean): void {
  busy = value;
  document.body.classList.toggle("busy", value);
  busyListeners.forEach((fn) => fn(value));
}

/** Runs one card command, showing progress and blocking other card commands meanwhile. */
export async function cardTask<T>(run: () => Promise<T>, words: StepWords = {}): Promise<T> {
  if (busy) {
    throw new CommandError({ code: "busy", message: "another card operation is still running" });
  }
  stepOverrides = words;
  setBusy(true);
  showProgress(m(store.usesPhone ? "progress.startPhone" : "progress.start"), null);
  try {
    return await run();
  } finally {
    hideProgress();
    stepOverrides = {};
    setBusy(false);
  }
}
