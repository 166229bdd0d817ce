/**
 * What making a desired resource so takes, as its diff finds it: nothing, a new object, a
 * PATCH in place, or a new object in place of the live one (a field Pulp only accepts at
 * create time changed).
 */
export type Impact = 'none' | 'create' | 'update' | 'replace';
