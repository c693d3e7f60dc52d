// Exact money for people: a decimal string from the ledger ("12.3450") rounded to the
// currency's usual places and laid out the locale's way, without ever passing through a float.
// Intl supplies only the layout (symbol, separators, sign); the digits are ours.

import type { UiMoney } from '../bindings';

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** A decimal rounded to `dp` places, half away from zero, as digit strings. */
export interface Rounded {
  negative: boolean;
  int: string;
  frac: string;
}

/** Rounds the decimal string `amount` to `dp` places; `null` when it is not a plain decimal. */
export function roundDecimal(amount: string, dp: number): Rounded | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  let digits = (m[2] + (m[3] ?? '').padEnd(dp, '0').slice(0, dp)).split('').map(Number);
  // The first dropped digit decides; 5 and above rounds the magnitude up (half away from zero).
  if ((m[3]?.length ?? 0) > dp && Number(m[3]![dp]) >= 5) {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i >= 0) digits[i]++;
    else digits = [1, ...digits];
  }
  const all = digits.join('');
  const int = all.slice(0, all.length - dp).replace(/^0+(?=\d)/, '') || '0';
  const frac = dp > 0 ? all.slice(all.length - dp) : '';
  const zero = /^0*$/.test(int + frac);
  return { negative: m[1] === '-' && !zero, int, frac };
}

interface Layout {
  dp: number;
  positive: Intl.NumberFormatPart[];
  negative: Intl.NumberFormatPart[];
  group: string;
  /** Digits in the last integer group and in the ones before it (3 and 3; 3 and 2 in en-IN). */
  primary: number;
  secondary: number;
}

const layouts = new Map<string, Layout | null>();

function layout(locale: string, currency: string): Layout | null {
  const key = `${locale}|${currency}`;
  if (layouts.has(key)) return layouts.get(key)!;
  let found: Layout | null = null;
  try {
    const nf = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const dp = nf.resolvedOptions().maximumFractionDigits ?? 2;
    // A sample with enough digits to show how the locale groups them.
    const positive = nf.formatToParts(1234567);
    const ints = positive.filter((p) => p.type === 'integer').map((p) => p.value.length);
    found = {
      dp,
      positive,
      negative: nf.formatToParts(-1234567),
      group: positive.find((p) => p.type === 'group')?.value ?? '',
      primary: ints.at(-1) ?? 3,
      secondary: ints.length > 2 ? ints.at(-2)! : (ints.at(-1) ?? 3),
    };
  } catch {
    // Not a currency code Intl knows: the caller shows the amount as it came.
  }
  layouts.set(key, found);
  return found;
}

function group(int: string, l: Layout): string {
  if (!l.group || int.length <= l.primary) return int;
  const out = [int.slice(-l.primary)];
  let rest = int.slice(0, -l.primary);
  while (rest.length > l.secondary) {
    out.unshift(rest.slice(-l.secondary));
    rest = rest.slice(0, -l.secondary);
  }
  if (rest) out.unshift(rest);
  return out.join(l.group);
}

/** `"1234.565"`, `"EUR"`, `de-DE` → `"1.234,57 €"`; en-US → `"€1,234.57"`. */
export function formatMoney(amount: string, currency: string, locale: string): string {
  const l = layout(locale, currency);
  const r = l && roundDecimal(amount, l.dp);
  if (!l || !r) return `${amount} ${currency}`;
  let out = '';
  let intDone = false;
  for (const p of r.negative ? l.negative : l.positive) {
    switch (p.type) {
      case 'integer':
        if (!intDone) out += group(r.int, l);
        intDone = true;
        break;
      case 'group':
        break;
      case 'fraction':
        out += r.frac;
        break;
      default:
        out += p.value;
    }
  }
  if (l.dp > 0 && !l.positive.some((p) => p.type === 'decimal')) {
    // Intl left the sample's decimals out; never expected, but do not lose ours.
    out += `.${r.frac}`;
  }
  return out;
}

/**
 * Amounts in several currencies side by side ("1,20 € + 0,40 $"), never added up; `zero` when
 * there are none.
 */
export function formatMoneyList(list: UiMoney[], locale: string, zero = '0'): string {
  if (list.length === 0) return zero;
  return list.map((m) => formatMoney(m.amount, m.currency, locale)).join(' + ');
}
