// Kubernetes resource quantities (`10Gi`, `500M`, `1.5Ti`, `128974848`, `129e6`, `100m`).
// Pure: no I/O.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;

/** Why `q` is not a quantity, or undefined when it is. */
export function quantityError(q: string): string | undefined {
  return parse(q).error;
}

function parse(q: string): { value: number; error?: undefined } | { value?: undefined; error: string } {
  if (typeof q !== 'string' || /\s/.test(q) || q === '')
    return { error: `quantity ${JSON.stringify(q)} must be a number with an optional suffix, without spaces` };
  const m = QUANTITY.exec(q);
  if (!m) return { error: `quantity ${JSON.stringify(q)} must start with a number` };
  const number = Number(m[1]);
  const suffix = m[2] ?? '';
  const exp = EXPONENT.exec(suffix);
  let factor: number | undefined;
  if (exp) factor = 10 ** Number(exp[1]);
  else factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined)
    return {
      error: `quantity ${JSON.stringify(q)} has unknown suffix ${JSON.stringify(suffix)} (expected Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E, m or e<N>)`,
    };
  return { value: number * factor };
}

/** The quantity's value in base units (bytes for storage). Throws on a malformed quantity. */
export function parseQuantity(q: string): number {
  const r = parse(q);
  if (r.error !== undefined) throw new Error(r.error);
  return r.value;
}

/** < 0, 0, > 0 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: string, b: string): number {
  return parseQuantity(a) - parseQuantity(b);
}

/** Bytes as the largest binary suffix that divides them exactly (`21474836480` -> `20Gi`). */
export function formatBinaryQuantity(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 0) return String(bytes);
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const f = BINARY[suffix] ?? 1;
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${suffix}`;
  }
  return String(bytes);
}
