// Exact decimals shown the way the user writes them: the host keeps prices as decimal strings
// ("0.32"); a German user sees and types "0,32". Only the separator changes — the digits are
// never turned into a floating-point number, so nothing is rounded.

/** The locale's decimal separator ("," for de-DE, "." for en-US). */
export function decimalSeparator(locale: string): string {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal');
  return part?.value ?? '.';
}

/** "0.32" as the locale writes it; text that is not a plain decimal is left as it is. */
export function localDecimal(text: string, locale: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  return text.replace('.', decimalSeparator(locale));
}
