import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Timestamps with microseconds, strictly increasing within one emulator, so that the default
 * `-pulp_created` order is deterministic even for objects created in the same millisecond.
 */
export class Clock {
  #last = 0;

  /** Microseconds since the epoch, never equal to a previous value. */
  tick(): number {
    const now = Date.now() * 1000;
    this.#last = now > this.#last ? now : this.#last + 1;
    return this.#last;
  }

  now(): string {
    return isoMicros(this.tick());
  }
}

export function isoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-11-25T00:09:11.500Z
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

export function newId(): string {
  return randomUUID();
}

/** A task's correlation id: 32 hex digits, like the X-Correlation-ID pulpcore records. */
export function newLoggingCid(): string {
  return randomBytes(16).toString('hex');
}
