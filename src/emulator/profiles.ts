import { API_ROOT_3_116, API_ROOT_3_23, API_ROOT_3_43 } from './api-root.js';
import { DEFAULT_PULP_VERSION, PULP_VERSIONS, type PulpVersion } from './versions.js';

/**
 * What a client sees of each Pulp version the emulator speaks, in one table. The OpenAPI document
 * of the version (data/openapi/) already says which routes, fields, choices and filters exist;
 * this table holds the behaviour the document cannot say. Handlers read these facts; none of them
 * compares version numbers.
 *
 * Boundaries and sources: ../shared/real-pulp/README.md and the version research it cites;
 * every entry was checked against a real server of that version (test/e2e/differential).
 */

export { DEFAULT_PULP_VERSION, NEWEST_PULP_VERSION, PULP_VERSIONS, type PulpVersion } from './versions.js';

export interface StatusComponent {
  component: string;
  version: string;
  package: string;
  module?: string;
  domain_compatible: boolean;
}

/** How a task reserves and records its resources. */
export type LockRecord =
  /** `/pulp/api/v3/remotes/rpm/rpm/<id>/`, shared ones `shared:<href>` (3.23). */
  | 'hrefs'
  /** hrefs, plus `shared:<domain href>` on every task (3.43). */
  | 'hrefs-and-domain'
  /** `prn:rpm.rpmremote:<id>`, `shared:prn:core.domain:<id>`, distributions by base path (3.55+). */
  | 'prns';

/** What pulp_labels keys (or values) may contain, and what a bad one is told. */
export interface LabelKeyRule {
  pattern: RegExp;
  message: (key: string) => string;
}

/** What `docker push` leaves in Pulp. */
export type PushModel =
  /** A container-push repository; each blob upload and the manifest PUT make a version (3.23). */
  | 'push-repository-per-upload'
  /** A container-push repository; one version per push (3.43). */
  | 'push-repository-per-push'
  /** A plain container/container repository, one version per push (container 2.29). */
  | 'container-repository';

/** rpm's gpg options: integers on the objects, deprecated into repo_config, or repo_config only. */
export type RpmGpgModel =
  /** `gpgcheck`/`repo_gpgcheck` integers default 0, no `repo_config` (rpm ≤3.23). */
  | 'integers'
  /**
   * rpm 3.24.1–3.29: both are answered null and mapped into `repo_config`; a repository POST
   * answers the mapping without storing it, and an update without `repo_config` resets it to {}.
   */
  | 'mapped-into-repo-config'
  /** rpm ≥3.30: the old fields are gone from answers and ignored on write. */
  | 'repo-config-only';

export interface PulpProfile {
  version: PulpVersion;
  /** The OpenAPI document the real server serves, under data/openapi/ (gzipped). */
  apiDocument: string;
  /** `/status/` `versions`, in the server's order. */
  components: StatusComponent[];
  /** `GET /pulp/api/v3/` in the server's router order. */
  apiRoot: readonly string[];
  /** UUIDv4 ids (3.23) or time-ordered UUIDv7 (3.43+). */
  ids: 'uuid4' | 'uuid7';
  status: {
    /** `online_api_apps` is listed. */
    apiApps: boolean;
    /** Workers and apps carry `versions` (component → version). */
    appVersions: boolean;
    /** Workers in /status/ carry pulp_href, pulp_created and current_task. */
    workerIdentity: boolean;
  };
  /** Unauthenticated API requests: 403 (SessionAuthentication first) or 401 with a Basic challenge. */
  unauthenticated: { status: 401 | 403; challenge: string | undefined };
  /** The `detail` of a 404 for a missing object of a model. */
  notFound: (model: string) => string;
  /** A JSON body that is not an object: DRF's 400, or 500 where a middleware chokes on it first. */
  nonObjectBody: 'invalid-data' | 'server-error';
  updates: {
    /** An update that changes nothing is answered 200 with the object, without a task (core 3.90). */
    noOpAnswersObject: boolean;
  };
  tasks: {
    updateName: string;
    deleteName: string;
    /** Updates and most deletes run at once in the API process when their resources are free (3.43 does, 3.23 does not). */
    immediate: boolean;
    /** `worker` of a task that ran on a worker; 3.116 shows null for every task. */
    showsWorker: boolean;
    record: LockRecord;
    /** Tasks record what they return (3.116, not 3.43): an update's object, a sync's repository version. */
    results: boolean;
    /** The aiohttp of 3.116 prints `url='…'` in errors where that of 3.23 and 3.43 printed `url=URL('…')`. */
    plainUrlsInErrors: boolean;
    /**
     * Distribution tasks lock every distribution, or (core 3.116, backported to 3.85.29,
     * 3.105.16, 3.115.4) the distribution itself and, when its base path may change, the
     * base-path lock, with the old lock shared.
     */
    distributionLocks: 'all-distributions' | 'base-path';
    /** Descriptions of failed tasks carry Pulp error codes (`[PLP0011] …`): 3.116, not 3.43. */
    errorCodes: boolean;
    /** `PATCH tasks/<id>/` with a bad state: the error as a bare list or under `state`. */
    cancelErrorField: boolean;
    /**
     * The `worker` filter: an href resolved like any relation (3.23, 3.43), or (3.116) a filter
     * that matches nothing, since tasks no longer record their worker.
     */
    workerFilter: 'href' | 'matches-nothing';
    /** `created_resources=<not a URL>` lets Django's Resolver404 through as a 404 (3.23, 3.43; 3.116 answers 400). */
    createdResourcesUnresolvable404: boolean;
  };
  labels: {
    /** pulp_labels in bodies. */
    key: LabelKeyRule;
    /** Characters a label value may not hold. */
    value: LabelKeyRule;
    /** A null label value: a crash in the validator (3.23, 3.43), or stored as given. */
    nullValue: 'server-error' | 'accepted';
    /** `set_label` checks key and value with the pulp_labels rule (core 3.105; before, the key is a SlugField). */
    setLabelChecksRule: boolean;
    /**
     * `pulp_label_select`: the characters of a key (a regex class) and whether `\,` escapes a
     * comma inside a value (core 3.105) rather than splitting the terms.
     */
    select: { keyChars: string; escapedCommas: boolean };
  };
  remotes: {
    /** rpm remotes check the URL scheme, and skip pulpcore's credentials-in-URL check (rpm 3.25.5/3.26). */
    rpmUrlSchemeCheck: boolean;
  };
  filters: {
    /**
     * Date-time filters parse with Python's `datetime.fromisoformat` (Django 4+), which takes a
     * date alone, or with Django 3's stricter regex (a time is required).
     */
    dateTimes: 'date-and-time' | 'iso-format';
  };
  repositoryVersions: {
    /** Deleting a version a distribution serves is refused with 400 (core 3.44). */
    protectServed: boolean;
  };
  rpm: {
    gpg: RpmGpgModel;
    /** `metadata_checksum_type`/`package_checksum_type` are read-only no-ops answered null (rpm 3.30). */
    legacyChecksumsIgnored: boolean;
    modifyTaskName: string;
  };
  deb: {
    /** `structured` defaults to true, so a publication needs neither flag (deb 3.0). */
    structuredByDefault: boolean;
  };
  container: {
    push: PushModel;
    /** Remotes answer `includes`/`excludes` and take `include_tags`/`exclude_tags` as write-only (container 2.28). */
    tagFiltersRenamed: boolean;
    /** The sync's tag loop reports "Processing Tags" or (container 2.29) "Processing Manifests". */
    processingReport: 'tags' | 'manifests';
    /**
     * What deleting a container distribution also deletes: its push repository, or (container
     * 2.29) also a container repository that no other distribution serves, synced ones included.
     */
    distributionDeleteTakes: 'push-repository' | 'sole-container-repository';
  };
  file: {
    /** A `mirror` sync of an autopublish repository is refused with 400 (core 3.109). */
    refuseMirrorWithAutopublish: boolean;
    /** Syncs fetch the manifest first and skip when nothing changed (FILE_SYNC_OPTIMIZATION). */
    syncOptimization: boolean;
  };
}

const WORD_KEY: LabelKeyRule = { pattern: /^[\w ]+$/, message: (key) => `Key '${key}' contains non-alphanumerics.` };
const NO_COMMA_OR_PARENTHESIS: LabelKeyRule = {
  pattern: /^[^,()]*$/,
  message: (key) => `Key '${key}' contains value with comma or parenthesis.`,
};

const PROFILES: Record<PulpVersion, PulpProfile> = {
  '3.23': {
    version: '3.23',
    apiDocument: 'pulpcore-3.23.24_rpm-3.20.0_container-2.14.18_deb-2.20.4_file-1.14.5.api.json',
    components: [
      { component: 'core', version: '3.23.24', package: 'pulpcore', domain_compatible: true },
      { component: 'container', version: '2.14.18', package: 'pulp-container', domain_compatible: false },
      { component: 'deb', version: '2.20.4', package: 'pulp_deb', domain_compatible: false },
      { component: 'file', version: '1.14.5', package: 'pulp-file', domain_compatible: true },
      { component: 'rpm', version: '3.20.0', package: 'pulp-rpm', domain_compatible: false },
    ],
    apiRoot: API_ROOT_3_23,
    ids: 'uuid4',
    status: { apiApps: false, appVersions: false, workerIdentity: true },
    unauthenticated: { status: 403, challenge: undefined },
    notFound: () => 'Not found.',
    nonObjectBody: 'invalid-data',
    updates: { noOpAnswersObject: false },
    tasks: {
      updateName: 'pulpcore.app.tasks.base.general_update',
      deleteName: 'pulpcore.app.tasks.base.general_delete',
      immediate: false,
      showsWorker: true,
      record: 'hrefs',
      results: false,
      plainUrlsInErrors: false,
      distributionLocks: 'all-distributions',
      errorCodes: false,
      cancelErrorField: false,
      workerFilter: 'href',
      createdResourcesUnresolvable404: true,
    },
    labels: {
      key: WORD_KEY,
      value: NO_COMMA_OR_PARENTHESIS,
      nullValue: 'server-error',
      setLabelChecksRule: false,
      select: { keyChars: '[\\w\\s]', escapedCommas: false },
    },
    remotes: { rpmUrlSchemeCheck: false },
    filters: { dateTimes: 'date-and-time' },
    repositoryVersions: { protectServed: false },
    rpm: { gpg: 'integers', legacyChecksumsIgnored: false, modifyTaskName: 'pulpcore.app.tasks.repository.add_and_remove' },
    deb: { structuredByDefault: false },
    container: {
      push: 'push-repository-per-upload',
      tagFiltersRenamed: false,
      processingReport: 'tags',
      distributionDeleteTakes: 'push-repository',
    },
    file: { refuseMirrorWithAutopublish: false, syncOptimization: false },
  },
  '3.43': {
    version: '3.43',
    apiDocument: 'pulpcore-3.43.1_rpm-3.24.1_container-2.17.0_deb-3.1.2_file-3.43.1.api.json',
    components: [
      { component: 'core', version: '3.43.1', package: 'pulpcore', domain_compatible: true },
      { component: 'container', version: '2.17.0', package: 'pulp-container', domain_compatible: false },
      { component: 'deb', version: '3.1.2', package: 'pulp_deb', domain_compatible: false },
      { component: 'rpm', version: '3.24.1', package: 'pulp-rpm', domain_compatible: true },
      { component: 'file', version: '3.43.1', package: 'pulp-file', domain_compatible: true },
    ],
    apiRoot: API_ROOT_3_43,
    ids: 'uuid7',
    status: { apiApps: true, appVersions: true, workerIdentity: true },
    unauthenticated: { status: 401, challenge: 'Basic realm="api"' },
    notFound: () => 'Not found.',
    nonObjectBody: 'invalid-data',
    updates: { noOpAnswersObject: false },
    tasks: {
      updateName: 'pulpcore.app.tasks.base.general_update',
      deleteName: 'pulpcore.app.tasks.base.general_delete',
      immediate: true,
      showsWorker: true,
      record: 'hrefs-and-domain',
      results: false,
      plainUrlsInErrors: false,
      distributionLocks: 'all-distributions',
      errorCodes: false,
      cancelErrorField: false,
      workerFilter: 'href',
      createdResourcesUnresolvable404: true,
    },
    labels: {
      key: WORD_KEY,
      value: NO_COMMA_OR_PARENTHESIS,
      nullValue: 'server-error',
      setLabelChecksRule: false,
      select: { keyChars: '[\\w\\s]', escapedCommas: false },
    },
    remotes: { rpmUrlSchemeCheck: false },
    filters: { dateTimes: 'iso-format' },
    repositoryVersions: { protectServed: false },
    rpm: { gpg: 'mapped-into-repo-config', legacyChecksumsIgnored: false, modifyTaskName: 'pulpcore.app.tasks.repository.add_and_remove' },
    deb: { structuredByDefault: true },
    container: {
      push: 'push-repository-per-push',
      tagFiltersRenamed: false,
      processingReport: 'tags',
      distributionDeleteTakes: 'push-repository',
    },
    file: { refuseMirrorWithAutopublish: false, syncOptimization: false },
  },
  '3.116': {
    version: '3.116',
    apiDocument: 'pulpcore-3.116.0_rpm-3.38.5_container-2.29.0_deb-3.10.0_file-3.116.0_certguard-3.116.0.api.json',
    components: [
      { component: 'core', version: '3.116.0', package: 'pulpcore', module: 'pulpcore.app', domain_compatible: true },
      { component: 'certguard', version: '3.116.0', package: 'pulpcore', module: 'pulp_certguard.app', domain_compatible: true },
      { component: 'file', version: '3.116.0', package: 'pulpcore', module: 'pulp_file.app', domain_compatible: true },
      { component: 'rpm', version: '3.38.5', package: 'pulp-rpm', module: 'pulp_rpm.app', domain_compatible: true },
      { component: 'container', version: '2.29.0', package: 'pulp-container', module: 'pulp_container.app', domain_compatible: true },
      { component: 'deb', version: '3.10.0', package: 'pulp_deb', module: 'pulp_deb.app', domain_compatible: true },
    ],
    apiRoot: API_ROOT_3_116,
    ids: 'uuid7',
    status: { apiApps: true, appVersions: true, workerIdentity: false },
    unauthenticated: { status: 401, challenge: 'Basic realm="api"' },
    notFound: (model) => `No ${model} matches the given query.`,
    nonObjectBody: 'server-error',
    updates: { noOpAnswersObject: true },
    tasks: {
      updateName: 'pulpcore.app.tasks.base.ageneral_update',
      deleteName: 'pulpcore.app.tasks.base.ageneral_delete',
      immediate: true,
      showsWorker: false,
      record: 'prns',
      results: true,
      plainUrlsInErrors: true,
      distributionLocks: 'base-path',
      errorCodes: true,
      cancelErrorField: true,
      workerFilter: 'matches-nothing',
      createdResourcesUnresolvable404: false,
    },
    labels: {
      key: {
        pattern: /^[\w .-]+$/,
        message: (key) =>
          `Key '${key}' contains invalid characters. Only alphanumerics, underscores, spaces, hyphens, and dots are allowed.`,
      },
      value: { pattern: /^[^()]*$/, message: (key) => `Key '${key}' contains value with parenthesis.` },
      nullValue: 'accepted',
      setLabelChecksRule: true,
      select: { keyChars: '[\\w .\\-]', escapedCommas: true },
    },
    remotes: { rpmUrlSchemeCheck: true },
    filters: { dateTimes: 'iso-format' },
    repositoryVersions: { protectServed: true },
    rpm: { gpg: 'repo-config-only', legacyChecksumsIgnored: true, modifyTaskName: 'pulp_rpm.app.tasks.signing.signed_add_and_remove' },
    deb: { structuredByDefault: true },
    container: {
      push: 'container-repository',
      tagFiltersRenamed: true,
      processingReport: 'manifests',
      distributionDeleteTakes: 'sole-container-repository',
    },
    file: { refuseMirrorWithAutopublish: true, syncOptimization: true },
  },
};

export function pulpProfile(version: PulpVersion = DEFAULT_PULP_VERSION): PulpProfile {
  return PROFILES[version];
}

/** `3.43`, `3.43.1` or `pulpcore 3.43.1` → the profile's version; undefined when none matches. */
export function profileVersionOf(text: string): PulpVersion | undefined {
  const m = /(\d+)\.(\d+)/.exec(text);
  if (!m) return undefined;
  const minor = `${m[1]}.${m[2]}`;
  return PULP_VERSIONS.find((v) => v === minor);
}
