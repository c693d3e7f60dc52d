// The catalogue's contract: both .ftl files parse cleanly, every message exists in English and
// German with the same variables, and keys.ts lists exactly the English ids.

import { describe, expect, it } from 'vitest';
import { FluentResource, type Message } from '@fluent/bundle';
import { messageKey, messageKeys, sources, type Language } from './messages';
import { bundleFor, format } from './catalogue';

/** Message id → its sorted variable names, for one language's source. */
function shape(source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of parse(source)) out.set(m.id, [...variables(m.value)].sort());
  return out;
}

type Pattern = NonNullable<Message['value']>;
type PatternElement = Exclude<Pattern, string>[number];

/** The messages of a source (terms, whose ids start with a dash, are not messages). */
function parse(source: string): Message[] {
  return new FluentResource(source).body.filter((m) => !m.id.startsWith('-'));
}

function variables(pattern: Pattern | null, into = new Set<string>()): Set<string> {
  if (pattern === null || typeof pattern === 'string') return into;
  for (const el of pattern) collect(el, into);
  return into;
}

function collect(el: PatternElement, into: Set<string>): void {
  if (typeof el === 'string') return;
  if (el.type === 'var') into.add(el.name);
  if (el.type === 'select') {
    collect(el.selector, into);
    for (const v of el.variants) variables(v.value, into);
  }
}

const languages = Object.keys(sources) as Language[];

describe('catalogue', () => {
  it.each(languages)('%s parses with no broken entry', (language) => {
    const source = sources[language];
    // Every message line must have become a message: Fluent turns a broken one into junk.
    const lines = source.split('\n').filter((l) => /^[a-zA-Z][\w-]* =/.test(l)).length;
    expect(parse(source)).toHaveLength(lines);
  });

  it.each(languages.filter((l) => l !== 'en'))('%s has every English message, with the same variables', (language) => {
    const en = shape(sources.en);
    const other = shape(sources[language]);
    expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [id, vars] of en) expect([id, other.get(id)]).toEqual([id, vars]);
  });

  it('keys.ts lists exactly the English ids', () => {
    const ids = parse(sources.en).map((m) => messageKey(m.id));
    expect([...messageKeys]).toEqual(ids);
  });

  it('formats without isolation marks and keeps literal braces', () => {
    expect(format('en', 'gpu.label', { index: 2 })).toBe('GPU 2');
    expect(format('de', 'gpu.since', { time: '14:05' })).toBe('seit 14:05');
    expect(format('en', 'settings.providers.hookHelp')).toContain('{gpu}, {uuid} and {until}');
    expect(bundleFor('de').hasMessage('earnings-gross')).toBe(true);
  });

  it('shows the key for a message no language has', () => {
    expect(format('de', 'no.such.key')).toBe('no.such.key');
  });
});
