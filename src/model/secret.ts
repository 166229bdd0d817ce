import { inspect } from 'node:util';

const MASK = '(sensitive)';

/**
 * A write-only credential (remote password, proxy password, client key, server password).
 * The value is reachable only through reveal(); every other way of turning a Secret into
 * text (JSON, template strings, console/winston/util.inspect) yields a mask, so a secret that
 * slips into a plan, a log line or an error message still does not leak.
 */
export class Secret {
  readonly #value: string;
  /** Where the value came from, e.g. `env:ARK_PASSWORD`, `file:/run/secrets/ark`, `inline:desired-state/ark.yaml:7`. Safe to print. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): { sensitive: true; source: string } {
    return { sensitive: true, source: this.source };
  }

  toString(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
