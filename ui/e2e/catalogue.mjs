// The texts the app shows, in the language it picks from the system locale (LC_ALL, else
// LC_MESSAGES, else LANG: German for de*, else English), read from the same Fluent catalogue the
// app bundles. E2E runs in several locales, so expectations come from here rather than from
// English literals; tests that pin a language's own wording say so and assert literals.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FluentBundle, FluentResource } from '@fluent/bundle';

const here = dirname(fileURLToPath(import.meta.url));
const locale = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';

/** `de` or `en`, as the app decides. */
export const language = /^de/i.test(locale) ? 'de' : 'en';

const bundles = new Map();

function bundle(lang) {
  let b = bundles.get(lang);
  if (!b) {
    b = new FluentBundle(lang, { useIsolating: false });
    const source = readFileSync(join(here, '..', 'src', 'lib', 'i18n', 'locales', lang, 'overtime.ftl'), 'utf8');
    const errors = b.addResource(new FluentResource(source));
    if (errors.length) throw new Error(`${lang} catalogue: ${errors.join('; ')}`);
    bundles.set(lang, b);
  }
  return b;
}

/** The text of `key` (`mode.idle` or `mode-idle`) in the app's language; throws when missing. */
export function t(key, args = {}) {
  const id = key.replaceAll('.', '-');
  for (const lang of language === 'en' ? ['en'] : [language, 'en']) {
    const b = bundle(lang);
    const message = b.getMessage(id);
    if (message?.value) return b.formatPattern(message.value, args, []);
  }
  throw new Error(`no message ${id} in the catalogue`);
}

/** `text` as a regular expression matching itself literally. */
export function literal(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
