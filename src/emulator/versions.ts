// A leaf with no imports, so the CLI can check `--pulp-version` without loading the emulator.

export const PULP_VERSIONS = ['3.23', '3.43', '3.116'] as const;
export type PulpVersion = (typeof PULP_VERSIONS)[number];
/** What `startEmulator()`, `pulpform emulator` and `pulpform demo` speak when not told otherwise: the newest. */
export const DEFAULT_PULP_VERSION: PulpVersion = '3.116';
/** The newest version the emulator speaks (`pulpform demo`'s default). */
export const NEWEST_PULP_VERSION: PulpVersion = '3.116';
