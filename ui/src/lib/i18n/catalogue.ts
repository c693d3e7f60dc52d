// One Fluent bundle per language, built once from the bundled .ftl text, and the lookup that
// falls back to English for a message a language lacks. Isolation marks are off: the window
// shows plain text and tests compare it exactly.

import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import { messageId, sources, type Language } from './messages';

const bundles = new Map<Language, FluentBundle>();

/** The bundle for `language`; its number arguments are formatted for that language. */
export function bundleFor(language: Language): FluentBundle {
  let bundle = bundles.get(language);
  if (!bundle) {
    bundle = new FluentBundle(language, { useIsolating: false });
    // Syntax errors are caught by the catalogue tests; a broken entry is skipped here rather
    // than blanking the window.
    bundle.addResource(new FluentResource(sources[language]));
    bundles.set(language, bundle);
  }
  return bundle;
}

/**
 * The text of `key` in `language` with `params` filled in; English where the language lacks
 * it, the key itself where English does too. Never throws.
 */
export function format(
  language: Language,
  key: string,
  params: Record<string, FluentVariable> = {},
): string {
  const id = messageId(key);
  const order: Language[] = language === 'en' ? ['en'] : [language, 'en'];
  for (const lang of order) {
    const bundle = bundleFor(lang);
    const message = bundle.getMessage(id);
    if (message?.value) return bundle.formatPattern(message.value, params, []);
  }
  return key;
}
