// The window's strings: the Fluent catalogue in locales/<language>/overtime.ftl, which the
// tray and the notifications read too, bundled as text at build time so no file is read at run
// time. Keys keep the dotted spelling components use; Fluent ids use dashes.

import enSource from './locales/en/overtime.ftl?raw';
import deSource from './locales/de/overtime.ftl?raw';

export { messageKeys, type MessageKey } from './keys';

/** The Fluent source per language; English is the reference every other one must match. */
export const sources = { en: enSource, de: deSource } as const;

export type Language = keyof typeof sources;

/** The Fluent id for a key: `earnings.gross` → `earnings-gross`. */
export function messageId(key: string): string {
  return key.replaceAll('.', '-');
}

/** The key for a Fluent id: `earnings-gross` → `earnings.gross` (no key contains a dash). */
export function messageKey(id: string): string {
  return id.replaceAll('-', '.');
}
