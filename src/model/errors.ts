/**
 * An error pulpform expects and can explain: `code` says what kind it is, for callers that branch
 * on it (never parse messages), and `hint` how to fix it, where there is a fix to name.
 * A class whose code never varies returns it from a getter: that adds no own property to what
 * inspect and JSON show of its errors.
 */
export abstract class PulpformError extends Error {
  abstract readonly code: string;
  // Declared, not a field: a subclass without a hint gains no `hint: undefined` own property, so what logs and inspect show stays the same.
  declare readonly hint?: string | undefined;
}
