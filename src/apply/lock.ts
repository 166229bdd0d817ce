import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname, uptime, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PulpClient } from '../live/index.js';
import { PulpApiError } from '../live/index.js';
import type { JsonObject } from '../model/json.js';
import { PulpformError } from '../model/errors.js';

/**
 * A lock on the Pulp server, so that two runs against one server (from any machines) never
 * both mutate it. Pulp 3.23 has nothing like a lock, but it refuses a second object with a
 * taken name, and a content redirect guard is created, updated and deleted synchronously
 * (201/200/204, no task queue between us and the answer). So the lock is the content guard
 * `pulpform-lock-<stack>`; its description holds who holds it and until when. Guards are none
 * of the kinds pulpform manages, so no plan, prune or export ever sees it as a resource.
 *
 * The holder renews the expiry while it runs; a lock past its expiry, or whose holder process
 * is gone from this very machine, is deleted by href (so only that lock, never a newer one)
 * and created anew.
 */

export const LOCK_ENDPOINT = 'contentguards/core/content_redirect/';
const LOCK_PREFIX = 'pulpform-lock-';
const DEFAULT_TTL_MS = 2 * 60_000;
const DEFAULT_POLL_MS = 2000;
const FIRST_POLL_MS = 100;
/** Creates whose outcome was unknown (and which left no lock) before giving up. */
const MAX_UNCERTAIN_CREATES = 3;

/** `pulpform-lock-<stack>`: the name of the lock of a stack. */
export function lockName(stack: string): string {
  return `${LOCK_PREFIX}${stack}`;
}

/** Whether a Pulp object name is a pulpform lock (for export and listings to skip). */
export function isLockName(name: string): boolean {
  return name.startsWith(LOCK_PREFIX);
}

/** What a lock says about its holder. */
export interface LockInfo {
  href: string;
  stack: string;
  /** `user@host` */
  holder: string;
  pid: number;
  /** `apply`, `watch` */
  operation: string;
  /** Server time as the holder saw it when it took the lock, ISO 8601. */
  createdAt: string;
  /** Renewed while the holder runs; past it, the holder is presumed dead. */
  expiresAt: string;
  /** This acquisition, to recognise our own lock after a create whose answer was lost. */
  id: string;
  /** Host, boot and pid namespace: where `pid` can be checked. */
  machine: string;
}

export interface AcquireLockOptions {
  stack: string;
  operation: string;
  /** Wait this long for a lock another run holds; 0 (default): fail at once with LockHeldError. */
  timeoutMs?: number;
  /** How long the lock outlives its holder's last renewal. Default 2 minutes; renewed every quarter of it. */
  ttlMs?: number;
  /** Longest pause between two looks of a blocked run (the first come sooner). Default 2 s. */
  pollMs?: number;
  /** Each time a wait finds the lock held: the holder, for the user. */
  onBlocked?: (holder: LockInfo, ageMs: number) => void;
  /** A lock whose holder is gone was removed; `why` says how we know. */
  onTakeover?: (stale: LockInfo, why: string) => void;
  signal?: AbortSignal;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Aborted when the lock is no longer ours (deleted, taken over after it expired); `reason` says why. */
  readonly lost: AbortSignal;
  /** Stops renewing and deletes the lock; calling it again does nothing. */
  release(): Promise<void>;
}

/** Another run holds the lock (and the wait, if any, ran out). */
export class LockHeldError extends PulpformError {
  override readonly hint: string;

  get code(): string {
    return 'lock.held';
  }

  constructor(
    readonly holder: LockInfo,
    readonly ageMs: number,
    /** How long this run waited; undefined when it was not asked to wait. */
    waitedMs: number | undefined,
  ) {
    const waited = waitedMs === undefined ? '' : ` (waited ${formatDuration(waitedMs)})`;
    super(`the server is locked by ${describeHolder(holder)}, for ${formatDuration(ageMs)}${waited}`);
    this.name = 'LockHeldError';
    this.hint =
      'wait for that run to finish, or pass --lock-timeout 10m to wait for it; ' +
      `if its holder died, the lock expires at ${holder.expiresAt} (or delete the content guard ${lockName(holder.stack)})`;
  }
}

/** The object named like a lock is not one of ours: never delete it. */
export class ForeignLockError extends PulpformError {
  override readonly hint: string;

  get code(): string {
    return 'lock.held';
  }

  constructor(name: string, href: string) {
    super(`a content guard named ${name} (${href}) exists but is not a pulpform lock`);
    this.name = 'ForeignLockError';
    this.hint = 'rename or delete that content guard; pulpform uses this name for its lock';
  }
}

/** `alice@build-1 (pid 4242, apply)` */
export function describeHolder(holder: LockInfo): string {
  return `${holder.holder} (pid ${holder.pid}, ${holder.operation})`;
}

/** The lock of `stack` as it is on the server now, or undefined; never changes anything. */
export async function readLock(client: PulpClient, stack: string): Promise<LockInfo | undefined> {
  const found = await findLock(client, lockName(stack));
  if (!found) return undefined;
  return parseLock(found) ?? undefined;
}

/** Ids of the locks this process holds or is trying to take now. */
const liveHere = new Set<string>();

/** The lock's age, and whether its holder is known to be gone (and how we know). */
export function lockStaleness(lock: LockInfo, now = Date.now()): { ageMs: number; stale?: string } {
  const ageMs = Math.max(0, now - Date.parse(lock.createdAt));
  if (now > Date.parse(lock.expiresAt)) return { ageMs, stale: `it expired at ${lock.expiresAt} without being renewed` };
  if (lock.machine === thisMachine()) {
    if (!processAlive(lock.pid)) return { ageMs, stale: `process ${lock.pid} on this machine is gone` };
    // A create whose answer was lost, in an attempt that then failed, leaves a lock no one holds.
    if (lock.pid === process.pid && !liveHere.has(lock.id)) return { ageMs, stale: 'an earlier attempt of this process left it' };
  }
  return { ageMs };
}

/**
 * Takes the lock of `stack`, waiting up to `timeoutMs` for another run's, and keeps it alive
 * until `release()`. Throws LockHeldError when it stays held, ForeignLockError when the name is
 * taken by something else, PulpApiError when the server cannot be asked.
 */
export async function acquireLock(client: PulpClient, options: AcquireLockOptions): Promise<HeldLock> {
  const name = lockName(options.stack);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 0);
  const mine: Omit<LockInfo, 'href' | 'createdAt' | 'expiresAt'> = {
    stack: options.stack,
    holder: `${userName()}@${hostname()}`,
    pid: process.pid,
    operation: options.operation,
    id: randomUUID(),
    machine: thisMachine(),
  };
  liveHere.add(mine.id);
  try {
    for (let uncertain = 0, looks = 0; ; ) {
      options.signal?.throwIfAborted();
      const now = Date.now();
      const wanted = { ...mine, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
      let existing: JsonObject | undefined;
      try {
        const created = await client.create(LOCK_ENDPOINT, { name, description: describe(wanted) });
        if (created.kind === 'object' && typeof created.object['pulp_href'] === 'string') {
          return hold(client, { ...wanted, href: created.object['pulp_href'] }, ttlMs);
        }
        existing = await findLock(client, name);
      } catch (error) {
        const taken = error instanceof PulpApiError && error.status === 400 && /unique/i.test(error.message);
        const unknown = error instanceof PulpApiError && error.outcomeUnknown;
        if (!(taken || (unknown && ++uncertain < MAX_UNCERTAIN_CREATES))) throw error;
        existing = await findLock(client, name);
      }
      if (!existing) continue;
      const lock = parseLock(existing);
      if (!lock) throw new ForeignLockError(name, String(existing['pulp_href']));
      // Our own create, whose answer was lost.
      if (lock.id === mine.id) return hold(client, lock, ttlMs);
      const { ageMs, stale } = lockStaleness(lock);
      if (stale) {
        await deleteLock(client, lock.href);
        options.onTakeover?.(lock, stale);
        continue;
      }
      if (Date.now() >= deadline) throw new LockHeldError(lock, ageMs, options.timeoutMs ? Date.now() - started : undefined);
      options.onBlocked?.(lock, ageMs);
      const pause = Math.min(pollMs, FIRST_POLL_MS * 2 ** looks++, deadline - Date.now());
      await sleep(Math.max(1, pause), undefined, options.signal ? { signal: options.signal } : undefined);
    }
  } catch (error) {
    liveHere.delete(mine.id);
    throw error;
  }
}

function hold(client: PulpClient, info: LockInfo, ttlMs: number): HeldLock {
  const lost = new AbortController();
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  let expiresAt = Date.parse(info.expiresAt);
  const lose = (reason: string): void => {
    liveHere.delete(info.id);
    lost.abort(reason);
  };
  const renew = async (): Promise<void> => {
    const next = new Date(Date.now() + ttlMs).toISOString();
    try {
      await client.patch(info.href, { description: describe({ ...info, expiresAt: next }) });
      expiresAt = Date.parse(next);
    } catch (error) {
      if (error instanceof PulpApiError && error.status === 404) {
        lose(`the lock ${lockName(info.stack)} was deleted by someone else`);
        return;
      }
      // A failed renewal is tried again next time; only an expiry we could not prevent loses the lock.
      if (Date.now() > expiresAt) {
        lose(
          `the lock ${lockName(info.stack)} expired: it could not be renewed (${error instanceof Error ? error.message : String(error)})`,
        );
        return;
      }
    }
    schedule();
  };
  const schedule = (): void => {
    if (released || lost.signal.aborted) return;
    timer = setTimeout(() => void renew(), ttlMs / 4);
    timer.unref();
  };
  schedule();
  return {
    info,
    lost: lost.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      liveHere.delete(info.id);
      if (!lost.signal.aborted) await deleteLock(client, info.href);
    },
  };
}

async function findLock(client: PulpClient, name: string): Promise<JsonObject | undefined> {
  const [found] = await client.list(LOCK_ENDPOINT, { name });
  return found;
}

/** `pulpform unlock`: deletes this lock (by its href: never a newer one taken meanwhile). */
export async function breakLock(client: PulpClient, lock: LockInfo): Promise<void> {
  await deleteLock(client, lock.href);
}

async function deleteLock(client: PulpClient, href: string): Promise<void> {
  try {
    await client.delete(href);
  } catch (error) {
    if (!(error instanceof PulpApiError && error.status === 404)) throw error;
  }
}

function describe(info: Omit<LockInfo, 'href'>): string {
  const { stack, holder, pid, operation, createdAt, expiresAt, id, machine } = info;
  return JSON.stringify({ pulpform_lock: 1, stack, holder, pid, operation, created_at: createdAt, expires_at: expiresAt, id, machine });
}

function parseLock(guard: JsonObject): LockInfo | undefined {
  let data: unknown;
  try {
    data = JSON.parse(String(guard['description'] ?? ''));
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || (data as { pulpform_lock?: unknown }).pulpform_lock !== 1) return undefined;
  const d = data as Record<string, unknown>;
  const text = (key: string): string => (typeof d[key] === 'string' ? d[key] : '');
  const createdAt = text('created_at');
  const expiresAt = text('expires_at');
  if (Number.isNaN(Date.parse(createdAt)) || Number.isNaN(Date.parse(expiresAt))) return undefined;
  return {
    href: String(guard['pulp_href']),
    stack: text('stack'),
    holder: text('holder'),
    pid: typeof d['pid'] === 'number' ? d['pid'] : 0,
    operation: text('operation'),
    createdAt,
    expiresAt,
    id: text('id'),
    machine: text('machine'),
  };
}

let machine: string | undefined;

/** Host, boot and pid namespace: two processes with equal values can check each other's pids. */
function thisMachine(): string {
  machine ??= [
    hostname(),
    readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()) ??
      `booted ${Math.round((Date.now() / 1000 - uptime()) / 60)}`,
    readOr(() => readlinkSync('/proc/self/ns/pid')) ?? '',
  ].join(' ');
  return machine;
}

function readOr(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function userName(): string {
  return readOr(() => userInfo().username) ?? process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
}

/** `45 s`, `3 min 20 s`, `2 h 5 min` */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`;
}

/** Parses `--lock-timeout`: `0`, `30s`, `5m`, `1h30m`, or a plain number of seconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  return parts.reduce((total, p) => total + Number(p[1]) * units[p[2] as string]!, 0);
}
