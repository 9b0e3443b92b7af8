// Go `time.Duration` text (`720h0m0s`, `6h30m`, `1.5s`, `300ms`), as Velero and Kubernetes write
// durations (`ttl`, `csiSnapshotTimeout`) and as the FAQ writes backup-plan intervals.
// Pure: no clocks, no I/O, safe to import from workflow code.

/** A duration as Go understands it: a signed count of nanoseconds that fits in an int64. */
export class DurationError extends Error {
  override name = 'DurationError';
}

const NANOS_PER: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60n * 1_000_000_000n,
  h: 3_600n * 1_000_000_000n,
};

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export const NANOS_PER_MILLISECOND = 1_000_000n;

/**
 * Parses Go's duration syntax exactly as `time.ParseDuration` does: an optional sign, then one
 * or more decimal numbers (optionally fractional) each followed by a unit among ns, us (µs),
 * ms, s, m, h; `"0"` alone is allowed. Returns nanoseconds.
 * @throws DurationError naming what is wrong.
 */
export function parseGoDurationNanos(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = m?.[1] ?? '';
    const frac = m?.[2] ?? '';
    if (whole === '' && frac === '') throw new DurationError(`invalid duration ${quoted}`);
    s = s.slice(m?.[0].length ?? 0);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') throw new DurationError(`missing unit in duration ${quoted}`);
    const scale = NANOS_PER[unit];
    if (scale === undefined) throw new DurationError(`unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    s = s.slice(unit.length);
    let value = BigInt(whole === '' ? '0' : whole) * scale;
    if (frac !== '') {
      // Go truncates the fractional part towards zero at nanosecond precision.
      value += (BigInt(frac) * scale) / 10n ** BigInt(frac.length);
    }
    total += value;
    if (total > INT64_MAX + (negative ? 1n : 0n)) throw new DurationError(`invalid duration ${quoted}`);
  }
  const result = negative ? -total : total;
  if (result < INT64_MIN || result > INT64_MAX) throw new DurationError(`invalid duration ${quoted}`);
  return result;
}

/** Like {@link parseGoDurationNanos}, in milliseconds (fractional below 1 ms). */
export function parseGoDuration(text: string): number {
  const ns = parseGoDurationNanos(text);
  const whole = ns / NANOS_PER_MILLISECOND;
  const rest = ns % NANOS_PER_MILLISECOND;
  return Number(whole) + Number(rest) / 1e6;
}

/** True when `text` is a valid Go duration. */
export function isGoDuration(text: string): boolean {
  try {
    parseGoDurationNanos(text);
    return true;
  } catch {
    return false;
  }
}

/** Fraction digits of `v` at `prec` places with trailing zeros dropped (`".5"`, or `""`). */
function fraction(v: bigint, prec: number): string {
  const digits = (v % 10n ** BigInt(prec)).toString().padStart(prec, '0').replace(/0+$/, '');
  return digits === '' ? '' : `.${digits}`;
}

/** Formats nanoseconds as Go's `Duration.String()` does: `720h0m0s`, `1h30m0s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDurationNanos(ns: bigint): string {
  if (ns < INT64_MIN || ns > INT64_MAX) throw new DurationError(`duration ${ns}ns does not fit in an int64`);
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${u / 1_000n}${fraction(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${u / 1_000_000n}${fraction(u, 6)}ms`;
  const totalSeconds = u / 1_000_000_000n;
  const secs = `${totalSeconds % 60n}${fraction(u, 9)}s`;
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${sign}${secs}`;
  const hours = totalMinutes / 60n;
  const minutes = totalMinutes % 60n;
  return hours === 0n ? `${sign}${minutes}m${secs}` : `${sign}${hours}h${minutes}m${secs}`;
}

/** Formats milliseconds (integral or with sub-millisecond fraction) as Go's `Duration.String()`. */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new DurationError(`duration ${ms}ms is not finite`);
  const whole = Math.trunc(ms);
  const subMillisecond = Math.round((ms - whole) * 1e6);
  return formatGoDurationNanos(BigInt(whole) * NANOS_PER_MILLISECOND + BigInt(subMillisecond));
}

/** Re-formats any Go duration text into its canonical form (`72h` → `72h0m0s`). */
export function normalizeGoDuration(text: string): string {
  return formatGoDurationNanos(parseGoDurationNanos(text));
}
