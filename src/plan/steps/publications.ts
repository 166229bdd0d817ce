import { unsupportedField } from '../../diff/resource.js';
import { differsFromDefault, sameValue } from '../../diff/values.js';
import {
  addressOf,
  canonicalJson,
  FIELDS,
  fieldUnavailable,
  toServerBody,
  type DesiredResource,
  type JsonObject,
  type LiveObject,
} from '../../model/index.js';
import { newest, type Node, type PlanContext } from '../context.js';
import { versionNumber } from '../live-index.js';
import { resolveVersion } from '../references.js';

// Publications are immutable and owned through their repository: an existing one of the right version and options is used, else one is created.

export function planPublication(ctx: PlanContext, node: Node): void {
  const { desired } = node;
  const repositoryAddress =
    desired.refs.repository ?? desired.refs.repository_version ?? addressOf('repository', desired.plugin, desired.name);
  if (ctx.nodes.get(repositoryAddress)?.blocked) {
    node.blocked = true;
    return;
  }
  const version = resolveVersion(ctx, desired, repositoryAddress, desired.snapshot);
  if (version === undefined) {
    node.blocked = true;
    return;
  }
  const specs = FIELDS[desired.endpoint] ?? {};
  const options: JsonObject = {};
  for (const [field, value] of Object.entries(desired.fields)) {
    if (fieldUnavailable(specs[field], ctx.versions) === undefined) options[field] = value;
    else if (differsFromDefault(desired.endpoint, field, value))
      ctx.diagnostics.push(unsupportedField(desired, field, value, ctx.versions));
  }

  let reason: string;
  if ('href' in version) {
    const candidates = (ctx.live.publicationsByVersion.get(version.href) ?? []).filter((p) => p.endpoint === desired.endpoint);
    const matching = candidates.filter((p) =>
      Object.entries(options).every(
        ([field, value]) => !Object.hasOwn(p.fields, field) || sameValue(desired.endpoint, field, value, p.fields[field]),
      ),
    );
    // A duplicate appearing must not repoint distributions: the one they serve wins, else the newest.
    const chosen = newest(matching.filter((p) => ctx.live.servedPublications.has(p.href))) ?? newest(matching);
    if (chosen !== undefined) {
      node.satisfiedBy = chosen;
      if (matching.length > 1) duplicatePublications(ctx, desired, version.href, matching, chosen);
      return;
    }
    reason =
      candidates.length > 0
        ? 'options changed; publications are immutable'
        : `no publication of version ${versionNumber(version.href) ?? version.href}`;
  } else {
    reason = version.after.startsWith('sync ')
      ? `publishes the version the sync of ${repositoryAddress} leaves`
      : `publishes the first version of the new ${repositoryAddress}`;
  }

  // Two desired publications (say development following the latest version, production
  // pinned to the snapshot that version came from) may need the same Pulp publication.
  const key = `${desired.endpoint} ${'href' in version ? version.href : version.after} ${canonicalJson(options)}`;
  const twin = ctx.publicationKeys.get(key);
  if (twin !== undefined) {
    node.aliasOf = twin;
    return;
  }
  ctx.publicationKeys.set(key, desired.address);
  node.action = ctx.add(
    'create',
    desired,
    {
      changes: [
        'href' in version ? { path: '/repository_version', after: version.href } : { path: '/repository_version', unknown: true },
        ...Object.keys(options)
          .sort()
          .map((field) => ({ path: `/${field}`, after: options[field] ?? null })),
      ],
      unchanged: 0,
      // Omitted is null to Pulp, and 3.23 refuses an explicit null signing_service.
      body: toServerBody(
        desired.endpoint,
        {
          repository_version: 'href' in version ? version.href : version.unknown,
          ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== null)),
        },
        ctx.capabilities,
      ),
      secrets: [],
      dependsOn: 'after' in version ? [version.after] : [],
      diagnostics: [],
    },
    reason,
  );
}

function duplicatePublications(
  ctx: PlanContext,
  desired: DesiredResource,
  versionHref: string,
  matching: LiveObject[],
  chosen: LiveObject,
): void {
  ctx.diagnostics.push({
    severity: 'warning',
    code: 'plan.duplicate_publications',
    summary: `${matching.length} identical publications of ${versionHref}; using ${ctx.live.servedPublications.has(chosen.href) ? 'the one a distribution serves' : 'the newest'}`,
    detail: `pulpform uses ${chosen.href} for ${desired.address}. The others: ${matching
      .filter((p) => p !== chosen)
      .map((p) => p.href)
      .join(', ')}.`,
    hint: 'Nothing to do for this plan; the extra publications can be deleted.',
    address: desired.address,
    ...(desired.source ? { source: desired.source } : {}),
  });
}
