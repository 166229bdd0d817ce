import {
  type Capabilities,
  compareVersions,
  coreRelease,
  type DesiredState,
  type Diagnostic,
  firstReleaseWhere,
  TESTED_CORE,
} from '../model/index.js';

/**
 * What the connected release cannot take of a desired state that validated offline (where
 * anything some supported release accepts passes): label keys and values it refuses; and a
 * warning when the release lies outside the tested range, which never blocks.
 */
export function serverChecks(desired: DesiredState, versions: Readonly<Record<string, string>>, capabilities: Capabilities): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const core = versions['core'];
  const release = core?.split('.').slice(0, 2).join('.');
  if (
    core !== undefined &&
    release !== undefined &&
    (compareVersions(release, TESTED_CORE.oldest) < 0 || compareVersions(release, TESTED_CORE.newest) > 0)
  ) {
    diagnostics.push({
      severity: 'warning',
      code: 'plan.server_untested',
      summary: `pulpform is tested with pulpcore ${TESTED_CORE.oldest} to ${TESTED_CORE.newest}; this server runs ${core}`,
    });
  }
  const server = coreRelease(versions);
  for (const resource of desired.resources) {
    for (const [key, value] of Object.entries(resource.labels)) {
      const where = { address: resource.address, ...(resource.source ? { source: resource.source } : {}) };
      if (!capabilities.labelKeys.key.test(key)) {
        const release = firstReleaseWhere('labelKeys', (rule) => rule.key.test(key));
        diagnostics.push({
          severity: 'error',
          code: 'plan.label_refused',
          summary: `${resource.address}: ${server} refuses the label key "${key}"`,
          detail: `Label keys on ${server} may contain only ${capabilities.labelKeys.keyAllowed}${release ? `; ${release.component === 'core' ? 'pulpcore' : release.component} ${release.since} and later also accept this key` : ''}.`,
          hint: `Rename it to "${key.replace(/[^\p{L}\p{N}_ ]/gu, '_')}", which every supported Pulp accepts.`,
          value: key,
          ...where,
        });
      }
      if (capabilities.labelValues.valueForbidden.test(value)) {
        const release = firstReleaseWhere('labelValues', (rule) => !rule.valueForbidden.test(value));
        diagnostics.push({
          severity: 'error',
          code: 'plan.label_refused',
          summary: `${resource.address}: ${server} refuses the value of label "${key}"`,
          detail: `Label values on ${server} may not contain ${capabilities.labelValues.valueForbiddenWords}${release ? `; pulpcore ${release.since} and later accept this value` : ''}.`,
          hint: `Write the value without ${capabilities.labelValues.valueForbiddenWords}.`,
          value,
          ...where,
        });
      }
    }
  }
  return diagnostics;
}
