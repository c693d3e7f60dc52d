// Numbers, units and times formatted for the chosen locale. A missing reading shows as "—",
// never as 0.

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
