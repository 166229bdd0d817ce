import type { DiagnosticCodeAt } from '../../model/index.js';
import { SENSITIVE } from '../issues.js';
import type { Finding } from '../issues.js';
import { text } from '../items.js';
import type { Rule } from './context.js';
import { ofKind } from './context.js';

/** Credentials in a URL end up in logs and plans: they belong in the write-only fields. */
export function urlProblem(
  raw: string,
  allowFile: boolean,
): { code: DiagnosticCodeAt<'error'>; summary: string; detail: string; redacted: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      code: 'config.invalid_url',
      summary: 'Invalid URL',
      detail: 'The value is not an absolute URL.',
      redacted: raw.replace(/\/\/[^/@]*@/, `//${SENSITIVE}@`),
    };
  }
  const schemes = allowFile ? ['http:', 'https:', 'file:'] : ['http:', 'https:'];
  const redacted = url.username !== '' || url.password !== '' ? raw.replace(/\/\/[^/@]*@/, `//${SENSITIVE}@`) : raw;
  if (url.username !== '' || url.password !== '') {
    return {
      code: 'config.url_credentials',
      summary: 'Credentials in a URL',
      detail: 'The URL carries a user name or password; URLs are shown in plans and logs.',
      redacted,
    };
  }
  if (!schemes.includes(url.protocol)) {
    return {
      code: 'config.invalid_url',
      summary: 'Unsupported URL scheme',
      detail: `The URL must start with ${schemes.map((s) => `${s}//`).join(', ')}.`,
      redacted,
    };
  }
  return undefined;
}

/** The fix to name for credentials in a URL, and for a value that is not a URL. */
export interface UrlHints {
  credentials: string;
  format: string;
}

/** The hints for a remote's or an upstream's URL field: credentials belong in its username and password fields. */
export function remoteUrlHints(field: string, example: string): UrlHints {
  const proxy = field === 'proxy_url';
  return {
    credentials: `Remove the credentials from the URL and set ${proxy ? 'proxy_username and proxy_password' : 'username and password'} (e.g. ${proxy ? 'proxy_password' : 'password'}: \${env:NAME}).`,
    format: `Write a full URL such as ${example}.`,
  };
}

/** The finding for a URL field that is not a URL or carries credentials, or undefined. */
export function urlFinding(url: string, allowFile: boolean, hints: UrlHints): Finding | undefined {
  const problem = urlProblem(url, allowFile);
  if (problem === undefined) return undefined;
  return {
    severity: 'error',
    code: problem.code,
    summary: problem.summary,
    detail: problem.detail,
    hint: problem.code === 'config.url_credentials' ? hints.credentials : hints.format,
    value: problem.redacted,
  };
}

export const urls: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'remote')) {
    for (const field of ['url', 'proxy_url']) {
      const url = text(item, field);
      const finding =
        url === undefined
          ? undefined
          : urlFinding(url, item.plugin !== 'container', remoteUrlHints(field, 'https://host.example.com/path/'));
      if (finding !== undefined) report(item, [field], 'value', finding);
    }
  }
};
