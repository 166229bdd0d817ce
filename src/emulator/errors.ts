import type { Json } from '../model/json.js';

/** A finished HTTP answer raised from deep inside a handler (404, 405, a view-level 400...). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Django's HTML error pages (the response when no DRF view handles the request or a view crashes). */
export class HtmlError extends Error {
  constructor(readonly status: 404 | 500) {
    super(`HTTP ${status}`);
  }
}

/** DRF's `serializers.ValidationError`: a string, list or dict detail, placed by the serializer. */
export class ValidationError extends Error {
  constructor(readonly detail: Json) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

/** A 404 with the profile's detail for the missing object's model. */
export const notFound = (detail: string): HttpError => new HttpError(404, { detail });

/** A view-level 400: DRF renders a ValidationError raised outside a serializer as a bare list. */
export const badRequestList = (message: string): HttpError => new HttpError(400, [message]);

export function htmlPage(status: 404 | 500): string {
  const [title, text] =
    status === 404 ? ['Not Found', '<p>The requested resource was not found on this server.</p>'] : ['Server Error (500)', '<p></p>'];
  return `\n<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n<body>\n  <h1>${title}</h1>${text}\n</body>\n</html>\n`;
}

const ERROR_CODES: Record<string, string> = {
  'This field must be unique.': 'unique',
  'This field is required.': 'required',
  'This field may not be null.': 'null',
  'This field may not be blank.': 'blank',
};

/** `str(ValidationError(detail))` in Python, which is what a task that fails validation shows as its description. */
export function pythonErrorRepr(detail: Json): string {
  if (typeof detail === 'string') {
    return `ErrorDetail(string=${pyQuote(detail)}, code='${ERROR_CODES[detail] ?? 'invalid'}')`;
  }
  if (Array.isArray(detail)) return `[${detail.map(pythonErrorRepr).join(', ')}]`;
  if (detail !== null && typeof detail === 'object') {
    return `{${Object.entries(detail)
      .map(([k, v]) => `${pyQuote(k)}: ${pythonErrorRepr(v)}`)
      .join(', ')}}`;
  }
  return String(detail);
}

/** Python's `repr()` of a string. */
export function pyRepr(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const pyQuote = pyRepr;

/**
 * Pulp's error codes (core 3.7x+ `PulpException`s and the plugins' own), by the start of the
 * description of the failures the emulator raises; the others carry no code.
 */
const TASK_ERROR_CODES: Array<[RegExp, string]> = [
  [/^Could not find a Release file at /, 'DEB0001'],
  [/^Cannot delete repository version\. /, 'PLP0011'],
];

export function taskErrorCode(description: string): string | undefined {
  return TASK_ERROR_CODES.find(([pattern]) => pattern.test(description))?.[1];
}
