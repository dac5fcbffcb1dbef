/** Invariant checks that throw with a message naming what was wrong. */
export function assert(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new Error(typeof message === 'function' ? message() : message);
}

export function assertInteger(name: string, v: number, min = 0): void {
  assert(Number.isInteger(v) && v >= min, () => `${name} must be an integer ≥ ${min}, got ${v}`);
}
