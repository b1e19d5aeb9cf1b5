// Wiring: the frame (header, navigation, error area, progress), the screens, and navigation.

import { listen } from "@tauri-apps/api/event";
import { api } from "./api";
import { h, replace, show } from "./dom";
import { clearError, createErrorArea } from "./errors";
import { initLang, lang, m, setLang } from "./i18n";
import { createProgress, isBusy, listenToCardProgress, onBusyChange } from "./progress";
import { readerLabel, store } from "./state";
import { LoginScreen } from "./screens/login";
import { OverviewScreen } from "./screens/overview";
import { PinScreen } from "./screens/pin";
import { ReadersScreen } from "./screens/readers";
import type { Navigation, Screen, ScreenId } from "./screens/screen";
import { SignScreen } from "./screens/sign";
import { SurfaceScreen } from "./screens/surface";

const SCREEN_ORDER: ScreenId[] = ["readers", "overview", "surface", "login", "sign", "pin"];

const NAV_LABELS = {
  readers: m("nav.readers"),
  overview: m("nav.overview"),
  surface: m("nav.surface"),
  login: m("nav.login"),
  sign: m("nav.sign"),
  pin: m("nav.pin"),
} satisfies Record<ScreenId, unknown>;

class App implements Navigation {
  private readonly screens: Record<ScreenId, Screen>;
  private readonly login = new LoginScreen();
  private readonly navButtons = new Map<ScreenId, HTMLButtonElement>();
  private readonly currentReader = h("p", { id: "current-reader", class: "current-reader" });
  private readonly version = h("p", { id: "app-version", class: "hint", hidden: true });
  private active: ScreenId | null = null;
  /** A login link arrived before a reader was chosen: the login screen comes right after. */
  private loginPending = false;

  constructor(root: HTMLElement) {
    this.screens = {
      readers: new ReadersScreen(this),
      overview: new OverviewScreen(this),
      surface: new SurfaceScreen(),
      login: this.login,
      sign: new SignScreen(),
      pin: new PinScreen(),
    };
    replace(
      root,
      this.header(),
      this.nav(),
      h(
        "main",
        { id: "main" },
        createErrorArea(),
        createProgress(),
        ...SCREEN_ORDER.map((id) => this.screens[id].el),
      ),
      h("footer", { class: "app-footer" }, this.version),
    );
    store.onReaderChange(() => {
      this.renderReader();
      this.updateNav();
    });
    onBusyChange(() => this.updateNav());
    this.renderReader();
    this.updateNav();
  }

  private header(): HTMLElement {
    const other = () => (lang() === "ja" ? "en" : "ja");
    const toggle = h(
      "button",
      {
        id: "lang",
        type: "button",
        class: "lang-toggle",
        lang: other,
        "aria-label": m("lang.switch"),
        on: { click: () => setLang(other()) },
      },
      m("lang.other"),
    );
    return h(
      "header",
      { class: "app-header" },
      h("h1", { class: "app-name" }, m("app.name")),
      this.currentReader,
      toggle,
    );
  }

  private nav(): HTMLElement {
    const buttons = SCREEN_ORDER.map((id) => {
      const button = h(
        "button",
        { id: `nav-${id}`, type: "button", class: "nav-button", on: { click: () => this.goTo(id) } },
        NAV_LABELS[id],
      );
      this.navButtons.set(id, button);
      return button;
    });
    return h("nav", { class: "app-nav", "aria-label": m("nav.label") }, ...buttons);
  }

  private renderReader(): void {
    const reader = store.reader;
    replace(this.currentReader, reader ? m("header.reader", { name: readerLabel(reader) }) : m("header.noReader"));
    this.currentReader.classList.toggle("none", !reader);
  }

  /** Overview, card face, login, sign and PIN need a reader; nothing moves while a card command runs. */
  private updateNav(): void {
    for (const [id, button] of this.navButtons) {
      button.disabled = isBusy() || (id !== "readers" && !store.reader);
    }
  }

  /** A `kazasu://login?url=…` link from the system: the login screen, filled in (after the reader
   * is chosen when none is yet). */
  openLoginLink(link: string): void {
    this.login.setUrl(link);
    if (store.reader && !isBusy()) this.goTo("login");
    else this.loginPending = true;
  }

  /** Listens for login links, and takes the one the app was opened with. */
  async watchLoginLinks(): Promise<void> {
    try {
      await listen<string>("login-link", (event) => {
        void api.takeLoginLink().catch(() => null);
        this.openLoginLink(event.payload);
      });
      const link = await api.takeLoginLink();
      if (link) this.openLoginLink(link);
    } catch {
      // Outside the app (no backend): no links to receive.
    }
  }

  goTo(id: ScreenId): void {
    if (id !== "readers" && !store.reader) id = "readers";
    if (id === "overview" && this.loginPending && store.reader) {
      this.loginPending = false;
      id = "login";
    }
    const changed = id !== this.active;
    this.active = id;
    for (const screenId of SCREEN_ORDER) {
      show(this.screens[screenId].el, screenId === id);
      const button = this.navButtons.get(screenId);
      if (screenId === id) button?.setAttribute("aria-current", "page");
      else button?.removeAttribute("aria-current");
    }
    if (changed) {
      clearError();
      this.screens[id].el.querySelector<HTMLElement>("h2")?.focus({ preventScroll: true });
      window.scrollTo?.(0, 0);
    }
    this.screens[id].show();
  }

  async loadAppInfo(): Promise<void> {
    try {
      const info = await api.appInfo();
      store.setAppInfo(info);
      replace(this.version, m("footer.version", { version: info.version }));
      show(this.version, true);
    } catch {
      // Outside the app, or an older backend: the version line simply stays hidden.
    }
  }
}

function start(): void {
  initLang();
  const root = document.getElementById("app");
  if (!root) throw new Error("#app is missing from index.html");
  const app = new App(root);
  void listenToCardProgress();
  void app.loadAppInfo();
  app.goTo("readers");
  void app.watchLoginLinks();
}

start();
