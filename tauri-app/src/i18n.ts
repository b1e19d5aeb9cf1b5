// The language switch and the binding of text to the current language; the messages themselves
// are in ./i18n/catalogue.ts.
//
// Text shown on screen is bound to a `Msg` (a function that returns the text in the current
// language), so switching the language re-renders every bound text node and attribute in place,
// without rebuilding the screens (typed input stays where it is).

export type Lang = "en" | "ja";

import { catalogue } from "./i18n/catalogue";

export type MsgKey = keyof typeof catalogue;

/** Text in the current language, computed when it is shown (and again on a language switch). */
export type Msg = () => string;
export type ParamValue = string | number | Msg;
export type Params = Record<string, ParamValue>;

const STORAGE_KEY = "kazasu.lang";
let current: Lang = "en";
const listeners = new Set<(lang: Lang) => void>();

export function lang(): Lang {
  return current;
}

/** The translation of `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MsgKey, params: Params = {}): string {
  const template = catalogue[key][current];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "function" ? value() : String(value);
  });
}

/** A `Msg` for a catalogue entry. */
export function m(key: MsgKey, params?: Params): Msg {
  return () => t(key, params);
}

/** A `Msg` for text that is the same in every language (a path, a subject…). */
export function literal(text: string): Msg {
  return () => text;
}

/** Joins several messages with a space (none in Japanese, where sentences end with 。). */
export function join(...parts: Msg[]): Msg {
  return () => parts.map((p) => p()).join(current === "ja" ? "" : " ");
}

// --- Bindings: nodes and attributes whose text follows the language ---------------------------

const textBindings = new WeakMap<Node, Msg>();
const attrBindings = new WeakMap<Element, Map<string, Msg>>();

/** Shows `msg` as the whole text content of `node`, now and after each language switch. */
export function bindText(node: Node, msg: Msg): void {
  textBindings.set(node, msg);
  node.textContent = msg();
}

/** Sets attribute `name` of `el` to `msg`, now and after each language switch. */
export function bindAttr(el: Element, name: string, msg: Msg): void {
  let map = attrBindings.get(el);
  if (!map) {
    map = new Map();
    attrBindings.set(el, map);
  }
  map.set(name, msg);
  el.setAttribute(name, msg());
}

function retranslate(root: Node): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  const nodes: Node[] = [];
  for (let n: Node | null = walker.currentNode; n; n = walker.nextNode()) nodes.push(n);
  for (const node of nodes) {
    const msg = textBindings.get(node);
    if (msg) node.textContent = msg();
    if (node instanceof Element) {
      attrBindings.get(node)?.forEach((value, name) => node.setAttribute(name, value()));
    }
  }
}

// --- Language choice -------------------------------------------------------------------------

function stored(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === "en" || v === "ja" ? v : null;
  } catch {
    return null;
  }
}

function fromNavigator(): Lang {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return (langs[0] ?? "").toLowerCase().startsWith("ja") ? "ja" : "en";
}

function applyDocument(): void {
  document.documentElement.lang = current;
  document.title = t("app.title");
}

/** Picks the saved language, else the system's (ja* → Japanese), before the UI is built. */
export function initLang(): void {
  current = stored() ?? fromNavigator();
  applyDocument();
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode or storage disabled: the choice lasts for this session only.
  }
  applyDocument();
  retranslate(document.body);
  listeners.forEach((fn) => fn(next));
}

export function onLangChange(fn: (lang: Lang) => void): void {
  listeners.add(fn);
}

// --- Dates and times -------------------------------------------------------------------------

function locale(): string {
  return current === "ja" ? "ja-JP" : "en-GB";
}

/** A calendar day (`YYYY-MM-DD`) in words, e.g. "1 April 2029" / "2029年4月1日". */
export function formatDay(ymd: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!match) return ymd;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/** A point in time (RFC 3339 text or a `Date`) in the computer's time zone. */
export function formatTime(value: string | Date): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeStyle: "short" }).format(date);
}

/** The calendar day in Japan of a point in time (RFC 3339). */
export function formatJapanDay(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeZone: "Asia/Tokyo" }).format(date);
}

/** `Msg`s for dates, so they are re-formatted after a language switch. */
export const day = (ymd: string): Msg => () => formatDay(ymd);
export const time = (value: string | Date): Msg => () => formatTime(value);
export const japanDay = (value: string): Msg => () => formatJapanDay(value);
