import { describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { cutShortError, type HttpAnswer, httpError, networkError, notPulpError, type ServerContext } from '../../src/live/classify.js';
import type { PulpApiError } from '../../src/live/errors.js';
import { TimeoutError } from '../../src/live/http-text.js';
import { PulpformError } from '../../src/model/errors.js';

const SERVER: ServerContext = {
  baseUrl: 'http://pulp.example.com:24817',
  apiRoot: '/pulp/api/v3/',
  username: 'admin',
  passwordMissing: false,
  timeoutMs: 60_000,
};
const TLS_SERVER: ServerContext = { ...SERVER, baseUrl: 'https://pulp.example.com' };
const PATH = '/pulp/api/v3/remotes/rpm/rpm/';
const ONCE = { attempts: 1, elapsedMs: 200 };

function json(status: number, body: unknown, headers: HttpAnswer['headers'] = {}): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, text: JSON.stringify(body) };
}

function html(status: number, title: string): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html' },
    text: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
  };
}

/** A socket error as node:net and node:tls raise them: a message and an errno-style code. */
function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Every text of an error a user or a log could see. */
function everythingOf(error: PulpApiError): string {
  return `${error.message} ${error.hint} ${error.bodyExcerpt} ${inspect(error)} ${JSON.stringify(error)}`;
}

describe('httpError: a status of 300 or more', () => {
  test('401 with a password given: the credentials were rejected', () => {
    const error = httpError(SERVER, 'GET', PATH, json(401, { detail: 'Invalid username/password.' }));
    expect(error).toBeInstanceOf(PulpformError);
    expect(error.kind).toBe('http');
    expect(error.status).toBe(401);
    expect(error.message).toBe(`GET ${PATH}: HTTP 401: the server rejected the credentials: Invalid username/password.`);
    expect(error.hint).toBe('check --username and --password-file (or PULP_USERNAME / PULP_PASSWORD)');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('401 without a password: the password is missing, not wrong', () => {
    const error = httpError(
      { ...SERVER, passwordMissing: true },
      'GET',
      PATH,
      json(401, { detail: 'Authentication credentials were not provided.' }),
    );
    expect(error.message).toBe(
      `GET ${PATH}: HTTP 401: the server needs credentials, and no password was given for admin: Authentication credentials were not provided.`,
    );
    expect(error.hint).toBe(
      'give the password: PULP_PASSWORD, --password-file FILE, the server: block of the desired state, or a pulp-cli profile',
    );
  });

  test('403 without a word of permission is a refusal of the credentials', () => {
    const error = httpError(SERVER, 'GET', PATH, json(403, { detail: 'Invalid username/password.' }));
    expect(error.reason).toBe('the server rejected the credentials: Invalid username/password.');
    expect(error.hint).toBe('check --username and --password-file (or PULP_USERNAME / PULP_PASSWORD)');
  });

  test('403 about permission names the user who may not', () => {
    const error = httpError(SERVER, 'DELETE', PATH, json(403, { detail: 'You do not have permission to perform this action.' }));
    expect(error.message).toBe(`DELETE ${PATH}: HTTP 403: user admin may not do this: You do not have permission to perform this action.`);
    expect(error.hint).toBe('use an account with permission for this, or ask the Pulp administrator');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('404 in JSON: the object is gone', () => {
    const error = httpError(SERVER, 'GET', `${PATH}0190/`, json(404, { detail: 'No RpmRemote matches the given query.' }));
    expect(error.kind).toBe('http');
    expect(error.reason).toBe('not found: No RpmRemote matches the given query.');
    expect(error.hint).toBe('it may have been deleted meanwhile: run plan again');
  });

  test('404 as an HTML page: no such path, check the URL and the API root', () => {
    const error = httpError(SERVER, 'GET', '/pulp/api/v3/remotes/deb/apt/', html(404, 'Not Found'));
    expect(error.reason).toBe('the server has no such path');
    expect(error.hint).toBe(
      'check the server URL and the API root (/pulp/api/v3/); the Pulp plugin serving this path may not be installed',
    );
    expect(error.bodyExcerpt).toBe('Not Found');
  });

  test('500 on a GET is a server error that is safe to run again, and the outcome is known', () => {
    const error = httpError(SERVER, 'GET', PATH, { status: 500, headers: { 'content-type': 'text/plain' }, text: 'Internal Server Error' });
    expect(error.message).toBe(`GET ${PATH}: HTTP 500: server error: Internal Server Error`);
    expect(error.hint).toBe('see the Pulp server logs; running again is safe');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('500 on a POST leaves the outcome unknown: the server may have done it', () => {
    const error = httpError(SERVER, 'POST', PATH, json(500, { detail: 'oops' }));
    expect(error.reason).toBe('server error: oops');
    expect(error.outcomeUnknown).toBe(true);
  });

  test('502 from a proxy is a server error with the page title as its detail', () => {
    const error = httpError(SERVER, 'GET', PATH, html(502, '502 Bad Gateway'));
    expect(error.message).toBe(`GET ${PATH}: HTTP 502: server error: 502 Bad Gateway`);
    expect(error.hint).toBe('see the Pulp server logs; running again is safe');
  });

  test('503 without a body is a server error without a detail', () => {
    const error = httpError(SERVER, 'PATCH', PATH, { status: 503, headers: {}, text: '' });
    expect(error.message).toBe(`PATCH ${PATH}: HTTP 503: server error`);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.bodyExcerpt).toBe('');
  });

  test('429 asks for less concurrency', () => {
    const error = httpError(SERVER, 'POST', PATH, json(429, { detail: 'Request was throttled.' }, { 'retry-after': '3' }));
    expect(error.reason).toBe('the server is rate limiting requests: Request was throttled.');
    expect(error.hint).toBe('lower --concurrency or try again later');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('400 summarises a validation body in one line, without a hint', () => {
    const error = httpError(SERVER, 'POST', PATH, json(400, { name: ['This field must be unique.'], non_field_errors: ['Bad.'] }));
    expect(error.reason).toBe('Pulp refused the request: name: This field must be unique.; Bad.');
    expect(error.hint).toBeUndefined();
  });

  test('an HTML error page under 500 is something else than Pulp at this address', () => {
    const error = httpError(SERVER, 'GET', PATH, html(418, 'Teapot'));
    expect(error.reason).toBe('the server answered with an HTML page: Teapot');
    expect(error.hint).toBe(
      'this URL does not look like a Pulp API root: check the server URL (http://pulp.example.com:24817) and the API root (/pulp/api/v3/)',
    );
  });

  test('a redirect names where it points, as the code `redirect`', () => {
    const error = httpError(SERVER, 'GET', PATH, {
      status: 301,
      headers: { location: ['https://pulp.example.com/pulp/api/v3/'] },
      text: '',
    });
    expect(error.kind).toBe('redirect');
    expect(error.reason).toBe('the server redirected to https://pulp.example.com/pulp/api/v3/');
    expect(error.hint).toBe('use the address the server redirects to as the server URL');
  });

  test('credentials in a URL of the body are redacted from the message and the excerpt', () => {
    const error = httpError(SERVER, 'POST', PATH, json(400, { url: ['bad url https://mirror:hunter2@example.com/x'] }));
    expect(error.message).toContain('https://(redacted)@example.com/x');
    expect(everythingOf(error)).not.toContain('hunter2');
  });
});

describe('networkError: no HTTP answer', () => {
  test('ECONNREFUSED asks whether Pulp runs there', () => {
    const error = networkError(SERVER, 'POST', PATH, socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:24817'), ONCE);
    expect(error).toBeInstanceOf(PulpformError);
    expect(error.kind).toBe('connection_refused');
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`POST ${PATH}: connection refused by http://pulp.example.com:24817`);
    expect(error.hint).toBe('is Pulp running at http://pulp.example.com:24817?');
    // Refused: the server never saw the request.
    expect(error.outcomeUnknown).toBe(false);
  });

  test('an unknown host points at the server URL', () => {
    const error = networkError(SERVER, 'GET', PATH, socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND pulp.example.com'), ONCE);
    expect(error.kind).toBe('dns');
    expect(error.reason).toBe('cannot resolve the host of http://pulp.example.com:24817');
    expect(error.hint).toBe('check the server URL');
  });

  test('the request timeout counts the attempts within the deadline', () => {
    const error = networkError(SERVER, 'GET', PATH, new TimeoutError(60_000), { attempts: 3, elapsedMs: 60_400 });
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`GET ${PATH}: no answer within 60 s (3 attempts over 60 s)`);
    expect(error.hint).toBe('is Pulp at http://pulp.example.com:24817 overloaded? A longer --request-timeout may help');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('a socket ETIMEDOUT on a write is a timeout whose outcome is unknown', () => {
    const error = networkError({ ...SERVER, timeoutMs: 5_000 }, 'PUT', PATH, socketError('ETIMEDOUT', 'connect ETIMEDOUT'), ONCE);
    expect(error.kind).toBe('timeout');
    expect(error.reason).toBe('no answer within 5 s (1 attempt over 0 s)');
    expect(error.outcomeUnknown).toBe(true);
  });

  test('a reset on plain HTTP suggests the server may want https://', () => {
    const error = networkError(SERVER, 'POST', PATH, socketError('ECONNRESET', 'socket hang up'), { attempts: 1, elapsedMs: 1_600 });
    expect(error.kind).toBe('connection_reset');
    expect(error.reason).toBe('the connection was closed before an answer arrived (1 attempt over 2 s)');
    expect(error.hint).toBe(
      'running again is safe; if it happens every time, check whether http://pulp.example.com:24817 should be https://',
    );
    expect(error.outcomeUnknown).toBe(true);
  });

  test('a reset on https:// says only that running again is safe', () => {
    const error = networkError(TLS_SERVER, 'GET', PATH, socketError('EPIPE', 'write EPIPE'), ONCE);
    expect(error.kind).toBe('connection_reset');
    expect(error.hint).toBe('running again is safe');
  });

  test('a self-signed certificate asks for the CA certificate', () => {
    const error = networkError(TLS_SERVER, 'GET', PATH, socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), ONCE);
    expect(error.kind).toBe('tls');
    expect(error.message).toBe(`GET ${PATH}: TLS failure talking to https://pulp.example.com: self-signed certificate`);
    expect(error.hint).toBe('pass the CA certificate with --ca-cert, or (unsafe) --insecure to skip verification');
    expect(error.outcomeUnknown).toBe(false);
  });

  test('an unknown issuer is a TLS failure too', () => {
    const error = networkError(
      TLS_SERVER,
      'GET',
      PATH,
      socketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      ONCE,
    );
    expect(error.kind).toBe('tls');
    expect(error.hint).toContain('--ca-cert');
  });

  test('https:// to a plain HTTP port: the server does not speak TLS', () => {
    const error = networkError(
      TLS_SERVER,
      'GET',
      PATH,
      socketError('ERR_SSL_WRONG_VERSION_NUMBER', 'C0E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
      ONCE,
    );
    expect(error.kind).toBe('tls');
    expect(error.reason).toBe('https://pulp.example.com does not speak TLS');
    expect(error.hint).toBe('use http:// in the server URL, or the port where the server speaks HTTPS');
  });

  test('anything else is a network error naming its code', () => {
    const error = networkError(SERVER, 'DELETE', PATH, socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:24817'), ONCE);
    expect(error.kind).toBe('network');
    expect(error.reason).toBe('network error EHOSTUNREACH: connect EHOSTUNREACH 10.0.0.1:24817');
    expect(error.hint).toBe('is Pulp reachable at http://pulp.example.com:24817?');
    expect(error.outcomeUnknown).toBe(true);
  });
});

describe('answers that are not what Pulp sends', () => {
  test('notPulpError points at the server URL and the API root', () => {
    const error = notPulpError(SERVER, 'GET', '/pulp/api/v3/status/', 'the response is not a JSON object');
    expect(error.kind).toBe('not_json');
    expect(error.message).toBe('GET /pulp/api/v3/status/: the response is not a JSON object');
    expect(error.hint).toBe(
      'this URL does not look like a Pulp API root: check the server URL (http://pulp.example.com:24817) and the API root (/pulp/api/v3/)',
    );
  });

  test('cutShortError counts the bytes that came, and a cut-short write has an unknown outcome', () => {
    const answer: HttpAnswer = { status: 200, headers: { 'content-type': 'application/json' }, text: '{"count": 3, "resu' };
    const read = cutShortError('GET', PATH, answer);
    expect(read.kind).toBe('cut_short');
    expect(read.message).toBe(`GET ${PATH}: HTTP 200: the JSON answer is incomplete (18 bytes)`);
    expect(read.hint).toBe('a proxy or the server cut the answer short; running again is safe');
    expect(read.outcomeUnknown).toBe(false);
    expect(cutShortError('POST', PATH, answer).outcomeUnknown).toBe(true);
  });
});

describe('no secret in any classified error', () => {
  const PASSWORD = 'correct-horse-battery-staple';
  const TOKEN = Buffer.from(`admin:${PASSWORD}`).toString('base64');

  test.each([401, 403, 404, 500, 502, 503])('HTTP %i', (status) => {
    const fromJson = httpError(SERVER, 'GET', PATH, json(status, { detail: `https://admin:${PASSWORD}@pulp.example.com/` }));
    const fromHtml = httpError(SERVER, 'GET', PATH, html(status, `https://admin:${PASSWORD}@pulp.example.com/`));
    for (const error of [fromJson, fromHtml]) expect(everythingOf(error)).not.toContain(PASSWORD);
  });

  test('socket errors carry neither the request headers nor the error they came with', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'EHOSTUNREACH']) {
      const socket = Object.assign(socketError(code, `${code} from the socket`), { headers: { authorization: `Basic ${TOKEN}` } });
      const error = networkError(SERVER, 'GET', PATH, socket, ONCE);
      expect(everythingOf(error)).not.toContain(TOKEN);
      expect(error.cause).toBeUndefined();
    }
  });
});
