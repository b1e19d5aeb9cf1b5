// A tiny DOM builder. Strings become text nodes (never HTML), `Msg`s become text that follows
// the language, so untrusted text (certificate subjects, service reasons) is always inert.

import { bindAttr, bindText, type Msg } from "./i18n";

export type Child = Node | string | Msg | null | undefined | false;

type AttrValue = string | number | boolean | Msg | null | undefined;

export interface Attrs {
  [name: string]: AttrValue | Listeners | undefined;
  /** Event listeners, e.g. `{ on: { click: () => … } }`. */
  on?: Listeners;
}

type Listeners = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

function setAttrs(el: HTMLElement, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "on") {
      for (const [type, listener] of Object.entries(value as Listeners)) {
        if (listener) el.addEventListener(type, listener as EventListener);
      }
    } else if (typeof value === "function") {
      bindAttr(el, name, value as Msg);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
}

/** Appends children: nodes as they are, strings as text, `Msg`s as language-following text. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "string") {
      parent.appendChild(document.createTextNode(child));
    } else if (typeof child === "function") {
      const node = document.createTextNode("");
      bindText(node, child);
      parent.appendChild(node);
    } else {
      parent.appendChild(child);
    }
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** Shows or hides an element (the `hidden` attribute). */
export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

/** A fresh id for label/description pairs. */
let counter = 0;
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
