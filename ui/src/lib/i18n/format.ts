// Numbers, units, money and times formatted for the chosen locale. A missing reading shows as
// "—", never as 0. Money goes through the one exact-decimal formatter (./money), so no float
// ever decides a cent.

import { formatMoney } from './money';

export type Formatter = ReturnType<typeof createFormatter>;

export function createFormatter(locale: string, timeZone?: string) {
  const zone = timeZone && isZone(timeZone) ? timeZone : undefined;
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: zone });
  const clock = new Intl.DateTimeFormat(locale, {
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone,
  });
  const dateTime = new Intl.DateTimeFormat(locale, {
    weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone,
  });
  const date = new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone,
  });
  const shortDate = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: zone });
  const dateTimeShort = new Intl.DateTimeFormat(locale, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone,
  });
  const two = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const dash = '—';
  const unit = (v: number | null | undefined, f: Intl.NumberFormat, u: string) =>
    v === null || v === undefined || Number.isNaN(v) ? dash : `${f.format(v)} ${u}`;
  return {
    locale,
    tempC: (v: number | null | undefined) => unit(v, int, '°C'),
    pct: (v: number | null | undefined) => unit(v, int, '%'),
    watts: (v: number | null | undefined) => unit(v, int, 'W'),
    mhz: (v: number | null | undefined) => unit(v, int, 'MHz'),
    gib: (mib: number | null | undefined) =>
      mib === null || mib === undefined ? dash : `${one.format(mib / 1024)} GiB`,
    number: (v: number) => one.format(v),
    /** 14:05 (or 2:05 PM) */
    time: (ms: number) => time.format(ms),
    /** 14:05:09, for chart axes spanning minutes. */
    clock: (ms: number) => clock.format(ms),
    /** Wed 14:05, for instants that may be days away. */
    dayTime: (ms: number) => dateTime.format(ms),
    /** 01.06.2025 (or 06/01/2025) */
    date: (ms: number) => date.format(ms),
    /** 1. Juni (or Jun 1), for chart axes over days. */
    shortDate: (ms: number) => shortDate.format(ms),
    /** Jun 1, 14:05, for session starts and ends. */
    dateTime: (ms: number) => dateTimeShort.format(ms),
    /** An exact decimal amount (`"-12.345"`) with its currency, rounded to the currency's
     * usual places (half away from zero) as a decimal, laid out the locale's way. */
    money: (amount: string, code: string) => formatMoney(amount, code, locale),
    kwh: (v: number) => `${two.format(v)} kWh`,
    hours: (v: number) => `${two.format(v)} h`,
    /** Grams of CO2 shown as kilograms. */
    co2: (g: number) => `${one.format(g / 1000)} kg CO₂`,
  };
}

function isZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
