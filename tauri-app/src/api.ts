// Types and typed wrappers for the commands of `kazasu-app` (see ../IPC.md).
// Argument keys are snake_case, exactly as the Rust side declares them.

import { invoke, isTauri } from "@tauri-apps/api/core";

export type PinKind = "auth" | "sign" | "card_info" | SurfaceCode;
/** The access codes that open the card face (made of what is printed on the card). */
export type SurfaceCode = "surface_code_a" | "surface_code_b";
export type CertSlot = "auth" | "auth_ca" | "sign" | "sign_ca";

export type Reader =
  | { kind: "pcsc"; name: string }
  | { kind: "nfc"; connstring: string | null }
  | { kind: "simulator"; address: string }
  | { kind: "phone" };

export type PinStatus =
  | { state: "remaining"; tries_left: number }
  | { state: "verified" }
  | { state: "locked" };

export type Lifecycle =
  | { state: "not_yet_valid" }
  | { state: "valid" }
  | { state: "renewal_window"; opens_on: string }
  | { state: "expired" };

export interface CertificateSummary {
  slot: CertSlot;
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  expires_on: string;
  lifecycle: Lifecycle;
  key_usage: string[];
  size_bytes: number;
}

export interface CertificateEntry {
  slot: CertSlot;
  summary: CertificateSummary | null;
  needs_pin?: PinKind;
  unavailable?: string;
}

export interface Overview {
  today: string;
  reader: string;
  token: string;
  certificates: CertificateEntry[];
  pins: { pin: PinKind; status: PinStatus }[];
}

export type CheckOutcome = "passed" | "failed" | "not_checked";
export interface Check {
  check: string;
  outcome: CheckOutcome;
  detail: string;
}
export interface Verification {
  valid: boolean;
  trusted: boolean;
  checks: Check[];
}

export interface AppError {
  code: string;
  message: string;
  pin?: PinKind;
  tries_left?: number;
  status?: number;
  reason?: string;
  path?: string;
}

export interface AppInfo {
  version: string;
  mobile: boolean;
  trust_dir: string | null;
  trust_anchors: number;
}

export interface ReaderList {
  pcsc: { name: string; card_present: boolean }[];
  pcsc_error: AppError | null;
  nfc: boolean;
  phone: boolean;
  simulator_address: string;
  current: Reader | null;
}

export interface LoginResult {
  origin: string;
  serial: string | null;
  expires_at: number;
}

/** Who asks for a login and what it asks for (`login_request`): shown before any PIN. */
export interface LoginRequestInfo {
  origin: string;
  /** The OpenID Connect client, or null for a plain login. */
  client: string | null;
  /** Consented personal-data claims; empty means authentication only (no signing PIN). */
  claims: string[];
}

export interface OutputSuggestion {
  output: string;
  pdf: boolean;
}

export type Sex = "male" | "female" | "not_applicable";

export interface CardSurface {
  code: SurfaceCode;
  birth_date: string;
  sex: Sex;
  expires_on: string;
  photo: string | null;
  photo_error?: string;
  name_image: string;
  address_image: string;
  security_code_image: string;
  my_number_image: string | null;
  signed: boolean;
  status: PinStatus | null;
}

/** A signing profile's name (`Profile::name` in the core). */
export type ProfileName =
  | "pades-b"
  | "pades-b-t"
  | "pades-b-lt"
  | "pades-b-lta"
  | "government"
  | "cades-b"
  | "cades-t"
  | "cades-lt";

export interface ProfileChoice {
  name: ProfileName;
  pdf: boolean;
  needs_timestamp: boolean;
  available: boolean;
  missing?: "tsa" | "tsa_settings" | "tsa_trust" | "revocation";
}

export interface SigningSetup {
  trust_dir: string | null;
  tsa_url: string | null;
  tsa_problem: AppError | null;
  tsa_anchors: number;
  crls: number;
  profiles: ProfileChoice[];
}

export interface SignResult {
  output: string;
  format: "pades" | "cades";
  signer: string;
  signing_time: string;
  profile: ProfileName;
  level: string | null;
  verification: Verification;
}

export type Step =
  | "connecting"
  | "reading"
  | "checking_pin"
  | "verifying_pin"
  | "hashing"
  | "signing"
  | "contacting_service"
  | "writing"
  | "verifying"
  | "done";

export interface CardProgress {
  step: Step;
  fraction: number | null;
}

/** The name of the progress event emitted while a card command runs. */
export const CARD_PROGRESS_EVENT = "card-progress";

/** Code used by the front end itself when it runs outside the Kazasu app (no Tauri runtime). */
export const NOT_IN_APP = "not_in_app";

/** A rejected command, carrying the backend's `AppError`. */
export class CommandError extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message);
    this.name = "CommandError";
    this.error = error;
  }
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** Turns anything a command or the front end threw into an `AppError`. */
export function toAppError(e: unknown): AppError {
  if (e instanceof CommandError) return e.error;
  if (isAppError(e)) {
    // Absent extras may arrive as null: drop them so `undefined` means "not given" everywhere.
    const fields = Object.entries(e).filter(([, value]) => value !== null);
    const error = Object.fromEntries(fields) as unknown as AppError;
    return { ...error, message: typeof error.message === "string" ? error.message : e.code };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: "internal", message, reason: message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) {
    throw new CommandError({
      code: NOT_IN_APP,
      message: `"${command}" needs the Kazasu app; this page runs in a plain browser`,
    });
  }
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw new CommandError(toAppError(e));
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listReaders: () => call<ReaderList>("list_readers"),
  chooseReader: (reader: Reader) => call<void>("choose_reader", { reader }),
  cardOverview: () => call<Overview>("card_overview"),
  pinStatus: (kind: PinKind) => call<PinStatus>("pin_status", { kind }),
  /** The `kazasu://login?url=…` link the app was opened with (or received since), once. */
  takeLoginLink: () => call<string | null>("take_login_link"),
  loginRequest: (url: string) => call<LoginRequestInfo>("login_request", { url }),
  login: (url: string, pin: string, signPin: string | null = null) =>
    call<LoginResult>("login", { url, pin, sign_pin: signPin }),
  suggestOutput: (input: string) => call<OutputSuggestion>("suggest_output", { input }),
  signDocument: (args: {
    input: string;
    output: string;
    pin: string;
    visible: boolean;
    overwrite: boolean;
    profile: ProfileName | null;
  }) => call<SignResult>("sign_document", args),
  signingSetup: () => call<SigningSetup>("signing_setup"),
  changePin: (kind: PinKind, current: string, newPin: string) =>
    call<void>("change_pin", { kind, current, new: newPin }),
  cardSurface: (kind: SurfaceCode, code: string) => call<CardSurface>("card_surface", { kind, code }),
};

/** How many consecutive wrong entries lock each PIN. The access codes' limit is not published
 *  by the card: only the tries it reports are shown, never a maximum. */
export const MAX_TRIES: Record<PinKind, number | null> = {
  auth: 3,
  sign: 5,
  card_info: 3,
  surface_code_a: null,
  surface_code_b: null,
};

/** The holder's PINs (set, changed and reset at the municipal office). */
export const PIN_KINDS: readonly PinKind[] = ["auth", "sign", "card_info"];

export const SURFACE_CODES: readonly SurfaceCode[] = ["surface_code_a", "surface_code_b"];
