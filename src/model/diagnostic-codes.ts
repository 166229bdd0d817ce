import type { Severity } from './plan.js';

/** How a code is reported: always as an error, always as a warning, or as either depending on the case. */
export type CatalogueSeverity = Severity | 'either';

export interface DiagnosticCodeEntry {
  severity: CatalogueSeverity;
  /** One line for users: what happened and the usual fix. */
  meaning: string;
}

/**
 * Every code pulpform reports as a `Diagnostic`, the stage being its prefix. docs/diagnostics.md
 * is generated from this table (`npm run schema`); the output schema keeps `code` a plain string
 * so that a code added here does not break consumers of `--json`.
 */
export const DIAGNOSTIC_CODES = {
  // Loading the desired state: files, YAML, ${...} references, fields, and rules across items.
  'config.path_not_found': { severity: 'error', meaning: 'Nothing exists at the -f path; pass the YAML file or its directory.' },
  'config.no_files': { severity: 'error', meaning: 'The -f directory holds no *.yaml or *.yml file (subdirectories are not read).' },
  'config.file_unreadable': {
    severity: 'error',
    meaning: 'A desired-state file, or a file named by ${file:...}, cannot be read; check the path and its permissions.',
  },
  'config.file_too_large': { severity: 'error', meaning: 'A desired-state file is over the size limit; split it into several files.' },
  'config.file_encoding': { severity: 'error', meaning: 'A desired-state file is not UTF-8 text; save it as UTF-8.' },
  'config.empty': { severity: 'warning', meaning: 'The files declare no remotes, repositories, publications, distributions or mirrors.' },
  'config.yaml_syntax': {
    severity: 'error',
    meaning: 'The YAML does not parse (or indents with tabs); fix the syntax at the position shown.',
  },
  'config.yaml_warning': {
    severity: 'warning',
    meaning: 'The YAML parser warns about a value, e.g. an unknown tag; check the value shown.',
  },
  'config.yaml_indentation': {
    severity: 'error',
    meaning: 'A line is indented so that it belongs to no map; indent it like the line the hint names.',
  },
  'config.yaml_aliases': { severity: 'error', meaning: 'YAML aliases (*name) would expand to too much data; repeat the values instead.' },
  'config.duplicate_key': {
    severity: 'error',
    meaning: 'A key appears twice in one YAML map, and YAML keeps only one; remove or rename one.',
  },
  'config.multiple_documents': { severity: 'error', meaning: 'A file holds several YAML documents ("---"); put each in its own file.' },
  'config.too_deep': { severity: 'error', meaning: 'The YAML nests far deeper than a desired state needs; remove the extra nesting.' },
  'config.not_a_map': { severity: 'error', meaning: 'A desired-state file is not a map of top-level keys such as "remotes:".' },
  'config.unknown_section': {
    severity: 'error',
    meaning: 'A top-level key pulpform does not know; the hint names the closest one (x-... keys are for YAML anchors).',
  },
  'config.item_not_a_map': { severity: 'error', meaning: 'An item of a list such as "remotes:" is not a map of fields.' },
  'config.invalid_stack': {
    severity: 'error',
    meaning: 'The stack name cannot be a Pulp label value; use letters, digits, "-", "_" or ".".',
  },
  'config.conflicting_stack': { severity: 'error', meaning: 'Two files name different stacks; declare "stack:" once, or make them agree.' },
  'config.conflicting_server': {
    severity: 'error',
    meaning: 'Two files have different "server:" blocks; declare it once, or make them identical.',
  },
  'config.interpolation_syntax': {
    severity: 'error',
    meaning: 'A ${...} reference is malformed (unterminated, empty, a bad name, or ${file:} inside a longer value).',
  },
  'config.unknown_function': { severity: 'error', meaning: 'A ${...} reference uses a function other than env or file.' },
  'config.env_missing': {
    severity: 'error',
    meaning: 'An ${env:NAME} reference names a variable that is not set; set it, or change the reference.',
  },
  'config.file_missing': {
    severity: 'error',
    meaning: 'A ${file:PATH} reference names a file that does not exist; relative paths start at the YAML file.',
  },
  'config.secret_template': {
    severity: 'error',
    meaning: 'A write-only field mixes text and ${...} references; put the whole secret in the variable or file.',
  },
  'config.inline_secret': {
    severity: 'warning',
    meaning: 'A password or key is written literally in the file; use ${env:NAME} or ${file:PATH}.',
  },
  'config.type_missing': { severity: 'error', meaning: 'An item needs "type:" (its Pulp plugin: rpm, deb, file or container).' },
  'config.type_unknown': {
    severity: 'error',
    meaning: 'An item\'s "type:" is not a plugin pulpform manages; the hint names the closest one.',
  },
  'config.unknown_field': { severity: 'error', meaning: 'A field the kind does not have; the hint names the closest field.' },
  'config.missing_field': { severity: 'error', meaning: 'An item lacks a required field; add it.' },
  'config.invalid_type': { severity: 'error', meaning: 'A field has the wrong type, e.g. a list where a string is expected.' },
  'config.invalid_value': { severity: 'error', meaning: "A field's value is not allowed (not one of its choices, empty, or malformed)." },
  'config.below_minimum': { severity: 'error', meaning: "A number is below the field's minimum." },
  'config.invalid_url': {
    severity: 'error',
    meaning: 'A URL is not absolute, or its scheme is not http(s) (or file for non-container remotes).',
  },
  'config.url_credentials': {
    severity: 'error',
    meaning: 'A URL carries a user name or password, which plans and logs would show; use the username and password fields.',
  },
  'config.duplicate_name': {
    severity: 'error',
    meaning: 'Two items of one kind (or two upstreams) have the same name; rename or remove one.',
  },
  'config.duplicate_publication': {
    severity: 'error',
    meaning: 'Two publications for one repository; pulpform manages one per repository.',
  },
  'config.invalid_base_path': {
    severity: 'error',
    meaning: "A distribution's base path is not one Pulp accepts; the hint shows it rewritten.",
  },
  'config.duplicate_base_path': { severity: 'error', meaning: 'Two distributions have the same base path; give each its own.' },
  'config.overlapping_base_path': {
    severity: 'error',
    meaning: 'One base path lies inside another, which Pulp refuses; put them side by side.',
  },
  'config.dangling_reference': {
    severity: 'error',
    meaning: 'A reference names an item that is not declared; declare it, or correct the name.',
  },
  'config.wrong_reference_kind': {
    severity: 'error',
    meaning: 'A reference names an item of another kind, e.g. a remote where a repository is expected.',
  },
  'config.reference_plugin_mismatch': {
    severity: 'error',
    meaning: 'A reference names an item of another plugin; both must have the same type.',
  },
  'config.container_publication': {
    severity: 'error',
    meaning: 'A publication for a container repository; Pulp serves container repositories directly from a distribution.',
  },
  'config.distribution_target_conflict': {
    severity: 'error',
    meaning: 'A distribution names both a publication and a repository; keep one.',
  },
  'config.distribution_serves_nothing': {
    severity: 'warning',
    meaning: 'A distribution names neither a publication nor a repository, so it serves nothing.',
  },
  'config.sync_without_remote': {
    severity: 'error',
    meaning: 'A repository asks to be synced but names no remote; add "remote:", or remove "sync".',
  },
  'config.sync_option_conflict': {
    severity: 'error',
    meaning: 'Sync options that Pulp refuses together, e.g. mirror mode with autopublish.',
  },
  'config.verbatim_options': { severity: 'error', meaning: 'A verbatim publication has an option only generated (apt) publications take.' },
  'config.reserved_label': { severity: 'error', meaning: 'A label key starting with pulpform_, which pulpform writes itself; rename it.' },
  'config.invalid_label': {
    severity: 'error',
    meaning: 'A label key or value no supported Pulp accepts; the hint shows one that is accepted.',
  },
  'config.label_needs_newer_pulp': {
    severity: 'warning',
    meaning: 'A label only newer Pulp releases accept; planning against an older server refuses it.',
  },
  'config.unknown_upstream': { severity: 'error', meaning: 'A mirror names an upstream not declared under "upstreams:".' },
  'config.invalid_snapshot': { severity: 'error', meaning: "A snapshot is not a stamp YYYYMMDDTHHMMSS; copy it from the snapshot's URL." },
  'config.pin_without_snapshot': {
    severity: 'error',
    meaning: 'A distribution pins a snapshot of a mirror that has no "snapshot:", so no snapshot is recorded.',
  },
  'config.invalid_gpgkey': { severity: 'error', meaning: 'A gpgkey is not a file:// or https:// URL dnf can read.' },
  'config.invalid_signed_by': { severity: 'error', meaning: 'A signed_by is not an absolute keyring path apt accepts.' },
  'config.invalid_filter': { severity: 'error', meaning: "A container mirror's filter holds a regular expression that does not compile." },
  'config.invalid_namespace': { severity: 'error', meaning: "A container mirror's namespace cannot start a registry path." },
  'config.invalid_image': {
    severity: 'error',
    meaning: 'An image name cannot be part of a registry path (lowercase letters and digits, no "/").',
  },
  'config.duplicate_image': { severity: 'error', meaning: 'A container mirror lists an image twice; merge the two entries.' },

  // Comparing the desired state with the server.
  'plan.no_stack': {
    severity: 'either',
    meaning: 'The desired state declares no stack, so it is stack "default"; an error when the objects it names belong to another stack.',
  },
  'plan.duplicate_address': { severity: 'error', meaning: 'Two items expand to the same object; only the first is planned.' },
  'plan.conflict_other_stack': {
    severity: 'error',
    meaning: 'An object of this name is managed by another stack; remove it from that stack, or rename it here.',
  },
  'plan.conflict_unmanaged': {
    severity: 'error',
    meaning: 'An object of this name exists but pulpform does not manage it; set "adopt: true" to take it over, or rename it.',
  },
  'plan.adopt_type_mismatch': {
    severity: 'error',
    meaning: 'The object to adopt has another type (plugin) than the desired one, and Pulp cannot change it.',
  },
  'plan.protected': {
    severity: 'error',
    meaning: 'The plan would replace an object marked "protect: true"; change it so it updates in place.',
  },
  'plan.push_conflict': {
    severity: 'error',
    meaning: 'The name or base path is held by a repository a "docker push" made; --replace-push-conflicts plans its removal.',
  },
  'plan.sync_without_remote': { severity: 'error', meaning: 'A repository asks for a sync but names no remote.' },
  'plan.dangling_ref': {
    severity: 'error',
    meaning: 'A reference names an object neither in the desired state nor on the server (or a repository with no version).',
  },
  'plan.snapshot_not_synced': {
    severity: 'error',
    meaning: 'A distribution pins a snapshot its repository has not been synced from; sync that snapshot first.',
  },
  'plan.duplicate_publications': {
    severity: 'warning',
    meaning: 'Several identical publications of one repository version; pulpform uses one, the others can be deleted.',
  },
  'plan.field_unreported': { severity: 'warning', meaning: 'The server does not report a desired field, so it is left out of the plan.' },
  'plan.field_unsupported': {
    severity: 'error',
    meaning: "The server's release cannot honour a desired field (too old, or the field was removed); upgrade, or drop the field.",
  },
  'plan.label_refused': {
    severity: 'error',
    meaning: "The server's release refuses a label key or value; rename the label as the hint shows.",
  },
  'plan.server_untested': { severity: 'warning', meaning: 'The server runs a pulpcore release outside the range pulpform is tested with.' },
  'plan.base_path_taken': {
    severity: 'error',
    meaning: 'A base path equals or nests in one another distribution on the server holds; choose another, or move that one first.',
  },
  'plan.not_desired': {
    severity: 'warning',
    meaning: 'An object of this stack is no longer declared; it is left as it is unless you run with --prune.',
  },
  'plan.prune_all': {
    severity: 'error',
    meaning: '--prune would delete every object of a kind the desired state no longer declares; check -f, or add --allow-delete-all.',
  },
  'plan.replace_skipped': {
    severity: 'warning',
    meaning: 'Watch without --prune skips a replacement, since replacing deletes first; run with --prune, or apply it.',
  },
  'plan.retain_not_read': { severity: 'warning', meaning: 'Retention is not planned because the repository versions were not read.' },
  'plan.bad_scope': { severity: 'error', meaning: 'A selector (--only, --resync) names a plugin that does not exist.' },
  'plan.selector_matches_nothing': { severity: 'error', meaning: 'A selector matches nothing in the desired state or on the server.' },
  'plan.resync_matches_nothing': { severity: 'warning', meaning: '--resync matches no repository that syncs.' },
  'plan.partial': { severity: 'warning', meaning: 'The plan covers only what --only selects; changes outside it are not made.' },
  'plan.scope_dependencies': {
    severity: 'warning',
    meaning: 'Actions outside the selection are included because selected ones need them.',
  },
  'plan.bad_image_filter': { severity: 'error', meaning: '--image-filter holds a regular expression that does not compile.' },
  'plan.partial_images': { severity: 'warning', meaning: 'The plan covers only the container images the filter selects.' },
  'plan.cycle': {
    severity: 'error',
    meaning: 'Actions wait for each other, so none can go first; apply the change in two steps.',
  },

  // Probing the upstream of every planned sync before anything is written.
  'preflight.skipped': {
    severity: 'warning',
    meaning: 'A remote was not probed because its write-only values are unknown; run apply with -f pointing at its desired state.',
  },
  'preflight.secret_missing': { severity: 'error', meaning: "A remote's secret is not available from its ${env:} or ${file:} source." },
  'preflight.credentials_rejected': { severity: 'error', meaning: "The upstream rejected the remote's credentials (401 or 403)." },
  'preflight.not_found': {
    severity: 'error',
    meaning: "The upstream has nothing at the remote's URL (a wrong path, snapshot or image name); some answer 404 to bad credentials.",
  },
  'preflight.upstream_error': { severity: 'error', meaning: 'The upstream answered with another HTTP error; a 5xx is usually temporary.' },
  'preflight.tls': { severity: 'error', meaning: 'TLS to the upstream failed; give its CA as ca_cert, or check the client certificate.' },
  'preflight.unreachable': {
    severity: 'error',
    meaning: 'The upstream cannot be reached from this machine; check the URL and proxy, or run with --skip-preflight.',
  },

  // `pulpform outdated`: reading each pinned mirror's snapshot listing.
  'outdated.no_snapshots': { severity: 'error', meaning: "The upstream's listing links to no snapshot; check the mirror's path." },
  'outdated.credentials_rejected': {
    severity: 'error',
    meaning: 'The upstream rejected the credentials when listing snapshots (401 or 403).',
  },
  'outdated.not_found': {
    severity: 'error',
    meaning: "The upstream has no listing at the mirror's path; check the path and the upstream's url.",
  },
  'outdated.upstream_error': { severity: 'error', meaning: 'The upstream answered the listing with another HTTP error.' },
  'outdated.tls': { severity: 'error', meaning: 'TLS to the upstream failed while listing snapshots; give its CA as ca_cert.' },
  'outdated.unreachable': {
    severity: 'error',
    meaning: 'The upstream cannot be reached to list snapshots; check the url, proxy and timeout.',
  },

  // `pulpform export`: writing the server's objects as a desired state.
  'export.several_stacks': {
    severity: 'warning',
    meaning: 'The server holds objects of several stacks; one is exported, choose it with --stack.',
  },
  'export.left_out': {
    severity: 'warning',
    meaning:
      "An object is not exported (another stack's, or serving what the desired state cannot name); it stays on the server, unmanaged.",
  },

  // `pulpform client-config`: host configuration from the desired state.
  'client.environment_missing': { severity: 'error', meaning: 'The mirrors serve several environments; pass --environment.' },
  'client.environment_unknown': { severity: 'error', meaning: '--environment names no environment of the package mirrors.' },
  'client.left_out': {
    severity: 'either',
    meaning: 'A distribution is left out of the host file: it serves nothing, or (an error) apt cannot be told its dists or components.',
  },
  'client.nothing_served': {
    severity: 'warning',
    meaning: 'The desired state has no distribution of this format, so the file lists nothing.',
  },
} as const satisfies Record<string, DiagnosticCodeEntry>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The codes the catalogue allows at `severity`. */
export type DiagnosticCodeAt<S extends Severity> = {
  [C in DiagnosticCode]: (typeof DIAGNOSTIC_CODES)[C]['severity'] extends S | 'either' ? C : never;
}[DiagnosticCode];
