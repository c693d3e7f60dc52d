import { describe, expect, it } from 'vitest';
import { earningsTable, ledgerNotices } from './view';
import { ledger, period } from './fixtures';

describe('earnings table', () => {
  it('has one cell per range, currencies side by side, in the user locale', () => {
    const t = earningsTable(ledger().earnings!, 'de-DE');
    expect(t.ranges).toEqual(['today', '7d', '30d']);
    expect(t.money.map((r) => r.row)).toEqual(['gross', 'electricity', 'net']);
    const net = t.money.find((r) => r.row === 'net')!.cells[0].replace(/\s/g, ' ');
    expect(net).toBe('-0,42 € + 1,20 $');
    expect(t.netIncludesEstimate).toBe(false);
  });

  it('adds the running rental estimate as its own row and marks net as including it', () => {
    const e = ledger().earnings!;
    e.periods[0] = period('today', { estimated: [{ amount: '0.355', currency: 'USD' }] });
    const t = earningsTable(e, 'en-US');
    expect(t.money.map((r) => r.row)).toEqual(['gross', 'estimated', 'electricity', 'net']);
    expect(t.money[1].cells).toEqual(['$0.36', '$0.00', '$0.00']);
    expect(t.netIncludesEstimate).toBe(true);
  });

  it('shows a range without money as zero in the currencies the other ranges use, or 0', () => {
    const e = ledger().earnings!;
    e.periods[0] = period('today', { gross: [] });
    e.periods[1] = period('7d', { gross: [{ amount: '2', currency: 'EUR' }] });
    e.periods.forEach((p) => (p.electricity = []));
    const t = earningsTable(e, 'en-US');
    expect(t.money.find((r) => r.row === 'gross')!.cells).toEqual(['€0.00 + $0.00', '€2.00', '$1.20']);
    expect(t.money.find((r) => r.row === 'electricity')!.cells).toEqual(['0', '0', '0']);
  });

  it('lists every volunteer project once, with 0 in ranges where it earned nothing', () => {
    const e = ledger().earnings!;
    e.periods[1] = period('7d', { credits: [{ provider: 'BOINC', project: 'Einstein@Home', credit: 1200 }] });
    e.periods[2] = period('30d', {
      credits: [
        { provider: 'Folding@home', project: 'team 0', credit: 50 },
        { provider: 'BOINC', project: 'Einstein@Home', credit: 4800 },
      ],
    });
    const t = earningsTable(e, 'en-US');
    expect(t.credits).toEqual([
      { provider: 'BOINC', project: 'Einstein@Home', cells: [0, 1200, 4800] },
      { provider: 'Folding@home', project: 'team 0', cells: [0, 0, 50] },
    ]);
  });
});

describe('ledger notices', () => {
  it('says nothing while the ledger records normally', () => {
    expect(ledgerNotices(ledger())).toEqual([]);
  });

  it('says when no ledger is kept', () => {
    expect(ledgerNotices(null)).toEqual([{ kind: 'not_kept' }]);
  });

  it('tells a full disk apart from a ledger that never opened', () => {
    const full = ledgerNotices(ledger({ recording: false, last_error: 'database or disk is full' }));
    expect(full).toEqual([
      { kind: 'not_recording', error: 'database or disk is full', path: ledger().path },
    ]);
    const never = ledgerNotices(ledger({ path: '', recording: false, last_error: 'newer schema', earnings: null }));
    expect(never).toEqual([{ kind: 'not_opened', error: 'newer schema' }]);
  });

  it('reports a damaged ledger moved aside and lost records', () => {
    const n = ledgerNotices(ledger({ moved_aside: '/x/ledger.sqlite.corrupt-1', dropped: 7 }));
    expect(n).toEqual([
      { kind: 'moved_aside', aside: '/x/ledger.sqlite.corrupt-1' },
      { kind: 'dropped', count: 7 },
    ]);
  });
});
