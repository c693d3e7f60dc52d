import { afterEach, describe, expect, it } from 'vitest';
import EarningsPanel from './EarningsPanel.svelte';
import { ledger, period } from './fixtures';
import { locale } from '../i18n/store';
import type { UiLedger } from '../bindings';
import { show, takeDown } from '../testing/mount';

const render = (props: { ledger: UiLedger | null; simulated: boolean }) => show(EarningsPanel, props);

afterEach(() => {
  takeDown();
  locale.set('en-US');
});

describe('earnings panel', () => {
  it('labels every figure simulated in demo mode', () => {
    const el = render({ ledger: ledger(), simulated: true });
    const figures = el.querySelectorAll('td .figure');
    // gross, electricity, net, energy × 3 ranges
    expect(figures).toHaveLength(12);
    for (const f of figures) expect(f.parentElement!.textContent!.trim()).toMatch(/\S simulated$/);
    expect(el.querySelector('[data-testid="earnings-simulated"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="earnings-simulated-note"]')).not.toBeNull();
  });

  it('labels nothing simulated for real figures', () => {
    const el = render({ ledger: ledger(), simulated: false });
    expect(el.textContent).not.toContain('simulated');
  });

  it('shows a simulated provider figures as simulated even with a real GPU', () => {
    const l = ledger();
    l.earnings!.simulated = true;
    const el = render({ ledger: l, simulated: false });
    expect(el.querySelector('[data-testid="earnings"]')!.getAttribute('data-simulated')).toBe('true');
  });

  it('shows the running rental estimate and says net includes it', () => {
    const l = ledger();
    l.earnings!.periods[0] = period('today', { estimated: [{ amount: '0.35', currency: 'USD' }] });
    const el = render({ ledger: l, simulated: false });
    expect(el.querySelector('[data-testid="earnings-estimated"]')!.textContent).toContain('$0.35');
    expect(el.querySelector('[data-testid="earnings-estimate-note"]')).not.toBeNull();
  });

  it('says history is not recorded, why, and what to do — in German too', () => {
    locale.set('de-DE');
    const el = render({
      ledger: ledger({ recording: false, last_error: 'database or disk is full' }),
      simulated: false,
    });
    const notice = el.querySelector('[data-testid="ledger-not-recording"]')!;
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('database or disk is full');
    expect(notice.textContent).toContain('Speicherplatz');
    expect(notice.textContent).toContain('ledger.sqlite');
  });

  it('waits quietly for the first figures', () => {
    const el = render({ ledger: ledger({ earnings: null }), simulated: false });
    expect(el.querySelector('[data-testid="earnings-waiting"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="earnings-table"]')).toBeNull();
  });
});
