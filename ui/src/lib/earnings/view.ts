// What the earnings panel shows, worked out from the ledger part of a snapshot: the table of
// figures per range, and the notices that tell the user when history is not being recorded
// and what to do. Components only render this.

import type { UiEarnings, UiLedger, UiMoney, UiRange } from '../bindings';
import { formatMoneyList } from '../i18n/money';

export type FigureRow = 'gross' | 'estimated' | 'electricity' | 'net';

export interface EarningsTable {
  ranges: UiRange[];
  /** Money rows, each with one formatted cell per range. `estimated` only while there is one. */
  money: { row: FigureRow; cells: string[] }[];
  energyKwh: number[];
  /** One row per volunteer project seen in any range, sorted; a range without it shows 0. */
  credits: { provider: string; project: string; cells: number[] }[];
  /** Net includes a live estimate (a rental still running) that a statement will replace. */
  netIncludesEstimate: boolean;
}

export function earningsTable(e: UiEarnings, locale: string): EarningsTable {
  const ranges = e.periods.map((p) => p.range);
  const cells = (pick: (p: UiEarnings['periods'][number]) => UiMoney[]) => {
    // A range with nothing shows zero in the currencies the other ranges use ("$0.00").
    const currencies = [...new Set(e.periods.flatMap((p) => pick(p).map((m) => m.currency)))];
    const zero = currencies.map((currency) => ({ amount: '0', currency }));
    return e.periods.map((p) => formatMoneyList(pick(p).length ? pick(p) : zero, locale));
  };
  const hasEstimate = e.periods.some((p) => p.estimated.length > 0);
  const money: EarningsTable['money'] = [{ row: 'gross', cells: cells((p) => p.gross) }];
  if (hasEstimate) money.push({ row: 'estimated', cells: cells((p) => p.estimated) });
  money.push({ row: 'electricity', cells: cells((p) => p.electricity) });
  money.push({ row: 'net', cells: cells((p) => p.net) });

  const projects = new Map<string, { provider: string; project: string }>();
  for (const p of e.periods) {
    for (const c of p.credits) projects.set(`${c.provider}\u0000${c.project}`, c);
  }
  const credits = [...projects.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, { provider, project }]) => ({
      provider,
      project,
      cells: e.periods.map(
        (p) => p.credits.find((c) => c.provider === provider && c.project === project)?.credit ?? 0,
      ),
    }));
  return {
    ranges,
    money,
    energyKwh: e.periods.map((p) => p.energy_kwh),
    credits,
    netIncludesEstimate: hasEstimate,
  };
}

/** Something about the ledger the user should know, with what to do. */
export type LedgerNotice =
  | { kind: 'not_kept' }
  | { kind: 'not_opened'; error: string }
  | { kind: 'not_recording'; error: string; path: string }
  | { kind: 'moved_aside'; aside: string }
  | { kind: 'dropped'; count: number };

export function ledgerNotices(ledger: UiLedger | null): LedgerNotice[] {
  if (!ledger) return [{ kind: 'not_kept' }];
  const out: LedgerNotice[] = [];
  if (!ledger.path) {
    out.push({ kind: 'not_opened', error: ledger.last_error ?? '' });
  } else if (!ledger.recording) {
    out.push({ kind: 'not_recording', error: ledger.last_error ?? '', path: ledger.path });
  }
  if (ledger.moved_aside) out.push({ kind: 'moved_aside', aside: ledger.moved_aside });
  if (ledger.dropped > 0) out.push({ kind: 'dropped', count: ledger.dropped });
  return out;
}
