import type { Address, ConsumerSettings, DesiredResource, DesiredState, Diagnostic, Plugin } from '../model/index.js';

/** What a host can be configured for: dnf repositories, apt sources, a container registry. */
export const HOST_FORMATS = ['dnf', 'apt', 'registry'] as const;
export type HostFormat = (typeof HOST_FORMATS)[number];

const PLUGIN_OF: Record<HostFormat, Plugin> = { dnf: 'rpm', apt: 'deb', registry: 'container' };

interface Served {
  /** The distribution's name and address in the desired state. */
  distribution: string;
  address: Address;
  /** The repository's name, as the Release Train names it (`Rocky Linux 9 - BaseOS`). */
  name: string;
  basePath: string;
  /** The package mirror environment it serves; absent for distributions written with the low-level kinds. */
  environment?: string;
}

export interface DnfRepository extends Served {
  format: 'dnf';
  /** Section id: the repository's name made safe (`rocky-linux-9-baseos`), unique in the file. */
  id: string;
  gpgcheck?: boolean;
  repoGpgcheck?: boolean;
  gpgkeys?: string[];
}

export interface AptSource extends Served {
  format: 'apt';
  /** Distributions under dists/ as the publication serves them (`jammy`, `jammy-updates/caracal`; `default` when simple). */
  suites: string[];
  components: string[];
  architectures: string[];
  signedBy?: string;
}

export interface RegistryImage extends Served {
  format: 'registry';
  /** Pulling needs a login (the distribution is private). */
  private: boolean;
}

export type HostEntry = DnfRepository | AptSource | RegistryImage;

export interface HostSelection {
  entries: HostEntry[];
  /** Environments the package mirrors of this format declare, sorted. */
  environments: string[];
  /** Errors make the selection unusable; warnings name distributions left out. */
  diagnostics: Diagnostic[];
}

/**
 * What hosts of one environment consume in `format`, from the desired state alone (pure).
 * Distributions of package mirrors belong to their environment; distributions written with
 * the low-level kinds (and container images) serve every environment. The base paths are the
 * environment's and do not change when production is promoted, so a host keeps its file.
 */
export function selectHostEntries(state: DesiredState, format: HostFormat, environment?: string): HostSelection {
  const byAddress = new Map(state.resources.map((resource) => [resource.address, resource]));
  const distributions = state.resources.filter((r) => r.kind === 'distribution' && r.plugin === PLUGIN_OF[format]);
  const environments = [...new Set(distributions.flatMap((r) => (r.consumer !== undefined ? [r.consumer.environment] : [])))].sort();
  const diagnostics: Diagnostic[] = [];
  if (environments.length > 0 && (environment === undefined || !environments.includes(environment))) {
    diagnostics.push({
      severity: 'error',
      code: environment === undefined ? 'client.environment_missing' : 'client.environment_unknown',
      summary: environment === undefined ? 'Which environment?' : `No environment "${environment}"`,
      detail: `The package mirrors serve ${format === 'dnf' ? 'rpm' : 'deb'} content to hosts per environment: ${environments.join(', ')}.`,
      hint: `Pass --environment ${environments.join(' or --environment ')}.`,
    });
    return { entries: [], environments, diagnostics };
  }

  const entries: HostEntry[] = [];
  for (const distribution of distributions) {
    if (distribution.consumer !== undefined && distribution.consumer.environment !== environment) continue;
    const repository = servedRepository(distribution, byAddress);
    if (repository === undefined) {
      diagnostics.push(
        leftOut(
          distribution,
          'serves nothing in the desired state (no publication or repository)',
          'Give it "publication:" or "repository:", or leave it out of the desired state.',
        ),
      );
      continue;
    }
    const served: Served = {
      distribution: distribution.name,
      address: distribution.address,
      name: repository.name,
      basePath: String(distribution.fields.base_path).replace(/^\/+|\/+$/g, ''),
      ...(distribution.consumer !== undefined ? { environment: distribution.consumer.environment } : {}),
    };
    if (format === 'registry') {
      entries.push({ ...served, format, private: distribution.fields.private === true });
      continue;
    }
    const consumer: Partial<ConsumerSettings> = distribution.consumer ?? {};
    if (format === 'dnf') {
      entries.push({
        ...served,
        format,
        id: '',
        ...(consumer.gpgcheck !== undefined ? { gpgcheck: consumer.gpgcheck } : {}),
        ...(consumer.repoGpgcheck !== undefined ? { repoGpgcheck: consumer.repoGpgcheck } : {}),
        ...(consumer.gpgkeys !== undefined ? { gpgkeys: consumer.gpgkeys } : {}),
      });
      continue;
    }
    const source = aptSource(distribution, repository, byAddress);
    if (typeof source === 'string') {
      diagnostics.push({
        ...leftOut(distribution, source, 'Add "components: main ..." (and "dists:") to the mirror, or to the deb remote.'),
        severity: 'error',
      });
      continue;
    }
    entries.push({ ...served, format, ...source, ...(consumer.signedBy !== undefined ? { signedBy: consumer.signedBy } : {}) });
  }
  assignIds(entries.filter((entry): entry is DnfRepository => entry.format === 'dnf'));
  if (distributions.length === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'client.nothing_served',
      summary: `Nothing for ${format}`,
      detail: `The desired state has no ${PLUGIN_OF[format]} distributions, so the file lists nothing.`,
      hint: `Use --format ${HOST_FORMATS.filter((other) => other !== format).join(' or ')}, or add ${format === 'registry' ? 'container_mirrors' : 'package_mirrors'} of type ${PLUGIN_OF[format]}.`,
    });
  }
  return { entries, environments, diagnostics };
}

/** The repository a distribution serves, through its publication or directly. */
function servedRepository(distribution: DesiredResource, byAddress: ReadonlyMap<Address, DesiredResource>): DesiredResource | undefined {
  const publication = distribution.refs.publication !== undefined ? byAddress.get(distribution.refs.publication) : undefined;
  const address = publication?.refs.repository ?? distribution.refs.repository;
  return address !== undefined ? byAddress.get(address) : undefined;
}

/** `deb URL SUITE COMPONENTS` as the publication lays the repository out, or why it cannot be said. */
function aptSource(
  distribution: DesiredResource,
  repository: DesiredResource,
  byAddress: ReadonlyMap<Address, DesiredResource>,
): Omit<AptSource, keyof Served | 'format' | 'signedBy'> | string {
  const publication = distribution.refs.publication !== undefined ? byAddress.get(distribution.refs.publication) : undefined;
  const remote = repository.refs.remote !== undefined ? byAddress.get(repository.refs.remote) : undefined;
  const words = (value: unknown): string[] => (typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : []);
  const architectures = words(remote?.fields.architectures);
  const verbatim = publication?.endpoint.endsWith('/verbatim') === true;
  // A simple publication puts every package in dists/default, component all.
  if (!verbatim && publication?.fields.structured !== true && publication?.fields.simple === true) {
    return { suites: ['default'], components: ['all'], architectures };
  }
  const suites = words(remote?.fields.distributions);
  const components = words(remote?.fields.components);
  if (suites.length === 0) return `serves repository "${repository.name}", which has no remote saying its dists`;
  if (components.length === 0) return `mirrors every component of ${suites.join(', ')}, and apt needs them named`;
  return { suites, components, architectures };
}

function leftOut(distribution: DesiredResource, why: string, hint: string): Diagnostic {
  return {
    severity: 'warning',
    code: 'client.left_out',
    summary: `Distribution ${distribution.name} left out`,
    detail: `It ${why}.`,
    hint,
    address: distribution.address,
    ...(distribution.source !== undefined ? { source: distribution.source } : {}),
  };
}

/** dnf ids allow letters, digits and `-_.:`; a clash falls back to the distribution's name, then a number. */
function assignIds(repositories: DnfRepository[]): void {
  const slug = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9_.:-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '') || 'repository';
  const counts = new Map<string, number>();
  for (const repository of repositories) counts.set(slug(repository.name), (counts.get(slug(repository.name)) ?? 0) + 1);
  const taken = new Set<string>();
  for (const repository of repositories) {
    const base = counts.get(slug(repository.name)) === 1 ? slug(repository.name) : slug(repository.distribution);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    repository.id = id;
  }
}
