// Runs before anything else: where the web view reports a locale Intl rejects (LANG=C gives
// "c"), libraries that format with `navigator.language` at load (uPlot among them) would throw
// and leave the window blank. Report en-US instead.

import { FALLBACK_LOCALE, isUsableLocale } from './locale';

export function guardNavigatorLanguage(nav: Navigator | undefined = globalThis.navigator): boolean {
  if (!nav || isUsableLocale(nav.language)) return false;
  Object.defineProperty(nav, 'language', { get: () => FALLBACK_LOCALE, configurable: true });
  Object.defineProperty(nav, 'languages', { get: () => [FALLBACK_LOCALE], configurable: true });
  return true;
}

guardNavigatorLanguage();
