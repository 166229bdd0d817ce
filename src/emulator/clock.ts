import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Timestamps with microseconds, strictly increasing within one emulator, so that the default
 * `-pulp_created` order is deterministic even for objects created in the same millisecond.
 */
export class Clock {
  #last = 0;

  constructor(private readonly ids: 'uuid4' | 'uuid7' = 'uuid4') {}

  /** A new primary key: random (3.23) or time-ordered like pulpcore's uuid7 keys (3.43+). */
  id(): string {
    return this.ids === 'uuid7' ? uuid7(Date.now()) : randomUUID();
  }

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

/** RFC 9562 UUIDv7: 48 bits of milliseconds, version 7, random rest. */
function uuid7(ms: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A task's correlation id: 32 hex digits, like the X-Correlation-ID pulpcore records. */
export function newLoggingCid(): string {
  return randomBytes(16).toString('hex');
}
