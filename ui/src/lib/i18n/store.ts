// The i18n store: the locale in use (the system's, else the web view's, else en-US), its
// string catalogue and its formatters, as one value components read.

import { derived, writable } from 'svelte/store';
import type { MessageKey } from './messages';
import { languageOf, resolveLocale, translate } from './locale';
import { createFormatter } from './format';
import { api } from '../ipc';

export const locale = writable(resolveLocale([globalThis.navigator?.language]));
export const timeZone = writable<string | undefined>(undefined);

/** Asks the shell for the system locale and adopts it when usable. */
export async function detectLocale(): Promise<void> {
  let system: string | null = null;
  try {
    system = await api.getLocale();
  } catch {
    // Keep the web view's.
  }
  locale.set(resolveLocale([system, globalThis.navigator?.language]));
}

export const i18n = derived([locale, timeZone], ([$locale, $tz]) => {
  const language = languageOf($locale);
  return {
    locale: $locale,
    language,
    t: (key: MessageKey, params?: Record<string, string | number>) => translate(language, key, params),
    fmt: createFormatter($locale, $tz),
  };
});
