import { describe, expect, it } from 'vitest';
import { isUsableLocale, languageOf, resolveLocale, translate } from './locale';
import { createFormatter } from './format';
import { guardNavigatorLanguage } from './guard';

describe('locale', () => {
  it.each([
    [['de-DE', 'en-GB'], 'de-DE'],
    [[null, 'fr-FR'], 'fr-FR'],
    [['C', undefined, ''], 'en-US'],
    [['c'], 'en-US'],
    [['POSIX'], 'en-US'],
    [[], 'en-US'],
  ])('resolves %j to %s', (candidates, want) => {
    expect(resolveLocale(candidates)).toBe(want);
  });

  it('rejects what Intl would throw on', () => {
    expect(isUsableLocale('C')).toBe(false);
    expect(isUsableLocale('en_US.UTF-8')).toBe(false);
    expect(isUsableLocale('de-AT')).toBe(true);
  });

  it('replaces an unusable navigator language so libraries do not throw at load', () => {
    const nav = { language: 'c' } as unknown as Navigator;
    expect(guardNavigatorLanguage(nav)).toBe(true);
    expect(nav.language).toBe('en-US');
    const good = { language: 'de-DE' } as unknown as Navigator;
    expect(guardNavigatorLanguage(good)).toBe(false);
  });
});

describe('strings', () => {
  it('German falls back to English for a missing key and fills placeholders', () => {
    expect(languageOf('de-AT')).toBe('de');
    expect(languageOf('fr-FR')).toBe('en');
    expect(translate('de', 'gpu.label', { index: 1 })).toBe('GPU 1');
    expect(translate('de', 'mode.idle')).toBe('Leerlauf');
    expect(translate('en', 'override.until', { mode: 'Idle', time: '14:00' })).toBe('Manual: Idle until 14:00');
  });
});

describe('formatting', () => {
  it('formats numbers per locale and shows a missing reading as a dash', () => {
    const us = createFormatter('en-US', 'UTC');
    const deFmt = createFormatter('de-DE', 'UTC');
    expect(us.gib(2560)).toBe('2.5 GiB');
    expect(deFmt.gib(2560)).toBe('2,5 GiB');
    expect(deFmt.mhz(11201)).toBe('11.201 MHz');
    expect(us.tempC(null)).toBe('—');
    expect(us.pct(undefined)).toBe('—');
    expect(us.tempC(64.4)).toBe('64 °C');
  });

  it('formats times in the agent time zone', () => {
    const t = Date.UTC(2026, 0, 5, 13, 7);
    expect(createFormatter('de-DE', 'Europe/Berlin').time(t)).toBe('14:07');
    expect(createFormatter('en-GB', 'UTC').time(t)).toBe('13:07');
    expect(createFormatter('en-GB', 'Not/AZone').time(t)).toMatch(/\d\d:07/);
  });
});
