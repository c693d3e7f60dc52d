// Picks the locale for numbers, dates and strings. Minimal systems report "C" (or nothing),
// which makes Intl throw and would blank the whole window; we fall back to en-US instead.

import { sources, type Language, type MessageKey } from './messages';
import { format } from './catalogue';

export const FALLBACK_LOCALE = 'en-US';

/** True when `tag` is a locale Intl accepts for number and date formatting. */
export function isUsableLocale(tag: string | null | undefined): tag is string {
  if (!tag) return false;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (!canonical) return false;
    new Intl.NumberFormat(canonical).format(1);
    new Intl.DateTimeFormat(canonical).format(0);
    return /^[a-z]{2,3}(-|$)/i.test(canonical);
  } catch {
    return false;
  }
}

/** The first usable candidate, canonicalised; `en-US` when none is. */
export function resolveLocale(candidates: ReadonlyArray<string | null | undefined>): string {
  for (const c of candidates) {
    if (isUsableLocale(c)) return Intl.getCanonicalLocales(c)[0];
  }
  return FALLBACK_LOCALE;
}

/** The string catalogue for a locale: its language when we have it, else English. */
export function languageOf(locale: string): Language {
  const lang = locale.split('-')[0].toLowerCase();
  return lang in sources ? (lang as Language) : 'en';
}

/** Looks up `key` for `language` (English where it lacks one) and fills its `$name` variables. */
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return format(language, key, params);
}
