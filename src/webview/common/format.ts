// Number formatting for the webviews' tables, readouts and tooltips: `digits` significant digits (5 by default; the
// tensor viewer's tables show 6), exponent form when very large or small, integers in full, '—' for a missing value.
// Sizes and shapes: fmtBytes in src/formats/errors, fmtShape in src/kernels/errors.
export function fmt(v: number | null | undefined, digits = 5): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e9) return String(v);
  return a >= 10 ** digits || a < 1e-3 ? v.toExponential(digits - 2) : String(Number(v.toPrecision(digits)));
}
