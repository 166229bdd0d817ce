import { itemName, text } from '../items.js';
import type { ConfigItem } from '../section-types.js';
import type { Rule } from './context.js';
import { ofKind, where } from './context.js';

const FORBIDDEN_IN_BASE_PATH = /[\s?#]/;
const CONTAINER_SEGMENT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function basePathProblem(path: string, container: boolean): string | undefined {
  if (path.startsWith('/') || path.endsWith('/')) return 'must not start or end with "/"';
  if (FORBIDDEN_IN_BASE_PATH.test(path)) return 'must not contain spaces, "?" or "#"';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) return 'must not contain empty segments ("//")';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'must not contain "." or ".." segments';
  if (container && path.length > 255) return 'must be at most 255 characters for a container distribution';
  if (container && !segments.every((segment) => CONTAINER_SEGMENT.test(segment))) {
    return 'must be a registry path for a container distribution: lowercase letters and digits, separated by ".", "_" or "-" within a segment';
  }
  return undefined;
}

function suggestedBasePath(path: string, container: boolean): string {
  const cleaned = path
    .split('/')
    .map((segment) => segment.trim().replace(/[\s?#]+/g, '-'))
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .join('/');
  return container ? cleaned.toLowerCase() : cleaned;
}

export const basePaths: Rule = ({ items, report }) => {
  const claimed = new Map<string, ConfigItem>();
  const distributions = ofKind(items, 'distribution');
  for (const item of distributions) {
    const path = text(item, 'base_path');
    if (path === undefined) continue;
    const problem = basePathProblem(path, item.plugin === 'container');
    if (problem !== undefined) {
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.invalid_base_path',
        summary: 'Invalid base path',
        detail: `The base path ${problem}.`,
        hint: `Write it as "${suggestedBasePath(path, item.plugin === 'container')}".`,
        value: path,
      });
      continue;
    }
    const first = claimed.get(path);
    if (first !== undefined) {
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.duplicate_base_path',
        summary: 'Duplicate base path',
        detail: `Distribution "${itemName(first) ?? '?'}" (${where(first, 'base_path')}) already serves "${path}".`,
        hint: 'Give each distribution its own base path.',
        value: path,
      });
    } else {
      claimed.set(path, item);
    }
  }
  for (const [path, item] of claimed) {
    const segments = path.split('/');
    for (let length = segments.length - 1; length >= 1; length--) {
      const outer = claimed.get(segments.slice(0, length).join('/'));
      // Pulp checks nesting for publication-based distributions; container registry paths may nest.
      if (outer === undefined || (outer.plugin === 'container' && item.plugin === 'container')) continue;
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.overlapping_base_path',
        summary: 'Overlapping base paths',
        detail: `"${path}" (distribution "${itemName(item) ?? '?'}", ${where(item, 'base_path')}) lies inside "${segments.slice(0, length).join('/')}" (distribution "${itemName(outer) ?? '?'}", ${where(outer, 'base_path')}); Pulp refuses base paths that nest.`,
        hint: 'Move one of them so that neither base path is a prefix of the other, e.g. side by side as .../development and .../production.',
        value: path,
      });
      break;
    }
  }
};
