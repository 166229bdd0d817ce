import winston from 'winston';
import { isSecret } from '../model/secret.js';

export type LogFormat = 'human' | 'json';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Also write JSON lines to this file. */
  file?: string | undefined;
  /** Values that must never be written (resolved secrets); replaced by `(sensitive)`. */
  secrets?: () => Iterable<string>;
  /** Where human/JSON lines go; stderr by default so stdout stays clean plan/JSON output. */
  stream?: NodeJS.WritableStream;
}

const MASK = '(sensitive)';

function scrub(value: unknown, secrets: string[], depth = 0): unknown {
  if (isSecret(value)) return MASK;
  if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(MASK), value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets, depth + 1)]));
}

/**
 * The last line of defence: every log entry passes through here, so a secret that reaches a
 * message or metadata by mistake is masked before any transport sees it.
 */
function redact(level: string, knownSecrets?: () => Iterable<string>): winston.Logform.Format {
  const threshold = winston.config.npm.levels[level] ?? winston.config.npm.levels.warn!;
  return winston.format((info) => {
    // winston runs formats before it filters by level: drop what no transport writes before scrubbing it.
    if ((winston.config.npm.levels[info.level] ?? 0) > threshold) return false;
    // One remote per image repeats the same password thousands of times.
    const secrets = [...new Set(knownSecrets?.() ?? [])].filter((s) => s.length > 0);
    for (const key of Object.keys(info)) {
      info[key] = scrub(info[key], secrets);
    }
    return info;
  })();
}

const human = winston.format.printf(({ level, message, timestamp, ...meta }) => {
  const extra = Object.entries(meta)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${level} ${String(message)}${extra ? ` ${extra}` : ''}`;
});

export function createLogger(options: LoggerOptions = {}): winston.Logger {
  const level = options.level ?? 'warn';
  const base = [redact(level, options.secrets), winston.format.timestamp()];
  const transports: winston.transport[] = [
    new winston.transports.Stream({
      stream: options.stream ?? process.stderr,
      format: winston.format.combine(...(options.format === 'json' ? [winston.format.json()] : [human])),
    }),
  ];
  if (options.file) {
    transports.push(new winston.transports.File({ filename: options.file, format: winston.format.json() }));
  }
  return winston.createLogger({ level, format: winston.format.combine(...base), transports });
}
