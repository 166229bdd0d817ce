#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite against the real Pulp servers PULP_E2E_SERVERS names.
import { spawnSync } from 'node:child_process';

if (!process.env.PULP_E2E_SERVERS?.trim()) {
  process.stderr.write(
    [
      'npm run test:e2e needs real Pulp servers: PULP_E2E_SERVERS is not set.',
      '',
      'Set it to comma-separated base URLs of Pulp servers this machine can reach, e.g.',
      '  export PULP_E2E_SERVERS=http://127.0.0.1:24917,http://127.0.0.1:24927',
      'Credentials are admin/password unless PULP_E2E_USERNAME and PULP_E2E_PASSWORD say otherwise.',
      'Container tests also use the plain-HTTP registry in PULP_E2E_REGISTRY (host:port), if set.',
      '',
      'To start real pulpcore 3.23, 3.43 and 3.116 servers and that registry on 127.0.0.1:',
      '  eval "$(../shared/real-pulp/start.sh all)"',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '--config',
    'jest.e2e.config.js',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(jest.status ?? 1);
