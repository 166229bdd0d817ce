import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Json } from '../model/json.js';

/**
 * The OpenAPI document served by the real Pulp server a profile imitates (data/openapi/, gzipped).
 * It is the emulator's source for routes (and so for 404/405/Allow), field order, request schemas,
 * choices, and the query filters each list endpoint accepts, so none of those are guessed.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface SchemaProperty {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | undefined;
  format: string | undefined;
  enum: string[] | undefined;
  nullable: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  minLength: number | undefined;
  maxLength: number | undefined;
  /** A RegexField's (or SlugField's) pattern. */
  pattern: string | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  /** Present when the serializer declares a default (a PUT resets the field to it). */
  default: { value: Json } | undefined;
  itemType: string | undefined;
  /** Allowed values of list items (`skip_types`). */
  itemEnum: string[] | undefined;
  itemMaxLength: number | undefined;
}

export interface ObjectSchema {
  name: string;
  properties: SchemaProperty[];
  required: Set<string>;
}

export interface QueryParameter {
  name: string;
  type: string | undefined;
  /** `date-time`, `uri`, `uuid`... of the value (of each item for arrays). */
  format: string | undefined;
  /** Allowed values, e.g. the `ordering` choices. */
  enum: string[] | undefined;
}

export interface Operation {
  id: string;
  method: HttpMethod;
  requestSchema: ObjectSchema | undefined;
  /** The object schema of a detail response or of the items of a paginated list. */
  responseSchema: ObjectSchema | undefined;
  queryParameters: Map<string, QueryParameter>;
}

export interface Route {
  /** The path as written in the document, e.g. `{rpm_rpm_repository_href}sync/`. */
  template: string;
  operations: Map<HttpMethod, Operation>;
  /** The literal collection path whose members this route addresses (undefined for literal routes). */
  collectionPath: string | undefined;
}

export interface RouteMatch {
  route: Route;
  /** Path segments captured for `{..._href}` placeholders, outermost first (e.g. [repository id, version number]). */
  ids: string[];
}

type RawSchema = { [key: string]: Json };

const loaded = new Map<string, ApiDocument>();

export class ApiDocument {
  readonly bytes: Buffer;
  readonly routes: Route[] = [];
  readonly #literal = new Map<string, Route>();
  readonly #patterned: { pattern: RegExp; route: Route }[] = [];
  readonly #schemas: Record<string, RawSchema>;
  readonly #schemaCache = new Map<string, ObjectSchema>();
  readonly #operations = new Map<string, Operation>();
  readonly #writeOnly = new Map<string, string[]>();

  constructor(
    bytes: Buffer,
    readonly file = 'api.json',
  ) {
    this.bytes = bytes;
    const doc = JSON.parse(bytes.toString('utf8')) as {
      paths: Record<string, Record<string, RawSchema>>;
      components: { schemas: Record<string, RawSchema> };
    };
    this.#schemas = doc.components.schemas;
    const listPathOf = new Map<string, string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const get = item['get'];
      const id = get?.['operationId'];
      if (typeof id === 'string' && id.endsWith('_list')) listPathOf.set(id.slice(0, -'_list'.length), path);
    }
    const readPrefixOf = new Map<string, string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const m = /^\{(\w+)\}$/.exec(path);
      if (!m) continue;
      for (const op of Object.values(item)) {
        const id = op['operationId'];
        const action = typeof id === 'string' ? /_(read|update|partial_update|delete|cancel)$/.exec(id) : null;
        if (typeof id === 'string' && action) readPrefixOf.set(m[1] as string, id.slice(0, action.index));
      }
    }
    const placeholderBase = (name: string, seen: Set<string>): { regex: string; collection: string } | undefined => {
      const prefix = readPrefixOf.get(name);
      const list = prefix === undefined ? undefined : listPathOf.get(prefix);
      if (list === undefined || seen.has(name)) return undefined;
      const parent = expand(list, new Set([...seen, name]));
      if (parent === undefined) return undefined;
      return { regex: `${parent.regex}([^/]+)/`, collection: parent.collection };
    };
    const expand = (template: string, seen: Set<string>): { regex: string; collection: string } | undefined => {
      const m = /^\{(\w+)\}(.*)$/.exec(template);
      if (!m) return { regex: escapeRegex(template), collection: template };
      const base = placeholderBase(m[1] as string, seen);
      return base && { regex: base.regex + escapeRegex(m[2] as string), collection: base.collection };
    };
    for (const [template, item] of Object.entries(doc.paths)) {
      const operations = new Map<HttpMethod, Operation>();
      for (const method of METHODS) {
        const raw = item[method.toLowerCase()];
        if (raw) operations.set(method, this.#operation(method, raw));
      }
      if (template.startsWith('/')) {
        const route: Route = { template, operations, collectionPath: undefined };
        this.routes.push(route);
        this.#literal.set(template, route);
        continue;
      }
      const expanded = expand(template, new Set());
      if (!expanded) continue;
      const route: Route = { template, operations, collectionPath: expanded.collection };
      this.routes.push(route);
      this.#patterned.push({ pattern: new RegExp(`^${expanded.regex}$`), route });
    }
  }

  /** `file` is a document under data/openapi/, without its `.gz`. Each is parsed once per process. */
  static load(file: string): ApiDocument {
    let doc = loaded.get(file);
    if (!doc) {
      doc = new ApiDocument(gunzipSync(readFileSync(new URL(`../../data/openapi/${file}.gz`, import.meta.url))), file);
      loaded.set(file, doc);
    }
    return doc;
  }

  match(path: string): RouteMatch | undefined {
    const literal = this.#literal.get(path);
    if (literal) return { route: literal, ids: [] };
    for (const { pattern, route } of this.#patterned) {
      const m = pattern.exec(path);
      if (m) return { route, ids: m.slice(1).map((s) => decodeURIComponent(s)) };
    }
    return undefined;
  }

  operation(id: string): Operation | undefined {
    return this.#operations.get(id);
  }

  /** The write-only fields an operation's request accepts, in serializer order (what `hidden_fields` reports). */
  writeOnlyFields(operationId: string): string[] {
    let names = this.#writeOnly.get(operationId);
    if (!names) {
      names =
        this.operation(operationId)
          ?.requestSchema?.properties.filter((p) => p.writeOnly)
          .map((p) => p.name) ?? [];
      this.#writeOnly.set(operationId, names);
    }
    return names;
  }

  schema(name: string): ObjectSchema {
    const cached = this.#schemaCache.get(name);
    if (cached) return cached;
    const raw = this.#schemas[name];
    if (!raw) throw new Error(`OpenAPI schema ${name} is not in ${this.file}`);
    const props = (raw['properties'] ?? {}) as Record<string, RawSchema>;
    const schema: ObjectSchema = {
      name,
      properties: Object.entries(props).map(([prop, spec]) => this.#property(prop, spec)),
      required: new Set((raw['required'] ?? []) as string[]),
    };
    this.#schemaCache.set(name, schema);
    return schema;
  }

  #operation(method: HttpMethod, raw: RawSchema): Operation {
    const id = raw['operationId'] as string;
    const requestRef = refName(((raw['requestBody'] as RawSchema | undefined)?.['content'] as RawSchema | undefined)?.['application/json']);
    const ok = (raw['responses'] as Record<string, RawSchema>)['200'] ?? (raw['responses'] as Record<string, RawSchema>)['201'];
    let responseRef = refName((ok?.['content'] as RawSchema | undefined)?.['application/json']);
    if (responseRef?.startsWith('Paginated')) {
      const page = this.#schemas[responseRef]?.['properties'] as Record<string, RawSchema> | undefined;
      responseRef = refName(page?.['results']?.['items'] as Json | undefined, false);
    }
    const queryParameters = new Map<string, QueryParameter>();
    for (const p of (raw['parameters'] ?? []) as RawSchema[]) {
      if (p['in'] !== 'query') continue;
      const schema = (p['schema'] ?? {}) as RawSchema;
      const items = schema['items'] as RawSchema | undefined;
      queryParameters.set(p['name'] as string, {
        name: p['name'] as string,
        type: schema['type'] as string | undefined,
        format: (schema['format'] ?? items?.['format']) as string | undefined,
        enum: (schema['enum'] ?? items?.['enum']) as string[] | undefined,
      });
    }
    const op: Operation = {
      id,
      method,
      requestSchema: requestRef && this.#schemas[requestRef]?.['type'] === 'object' ? this.schema(requestRef) : undefined,
      responseSchema: responseRef && this.#schemas[responseRef]?.['type'] === 'object' ? this.schema(responseRef) : undefined,
      queryParameters,
    };
    this.#operations.set(id, op);
    return op;
  }

  #property(name: string, spec: RawSchema): SchemaProperty {
    const enumRef = refName((spec['allOf'] as Json[] | undefined)?.[0] ?? null, false);
    const items = spec['items'] as RawSchema | undefined;
    return {
      name,
      type: spec['type'] as SchemaProperty['type'],
      format: spec['format'] as string | undefined,
      enum: (enumRef ? this.#schemas[enumRef]?.['enum'] : spec['enum']) as string[] | undefined,
      nullable: spec['nullable'] === true,
      readOnly: spec['readOnly'] === true,
      writeOnly: spec['writeOnly'] === true,
      minLength: spec['minLength'] as number | undefined,
      maxLength: spec['maxLength'] as number | undefined,
      pattern: spec['pattern'] as string | undefined,
      minimum: spec['minimum'] as number | undefined,
      maximum: spec['maximum'] as number | undefined,
      default: 'default' in spec ? { value: spec['default'] as Json } : undefined,
      itemType: items?.['type'] as string | undefined,
      itemEnum: items ? (this.#schemas[refName(items, false) ?? '']?.['enum'] as string[] | undefined) : undefined,
      itemMaxLength: items?.['maxLength'] as number | undefined,
    };
  }
}

function refName(node: Json | undefined, viaSchema = true): string | undefined {
  const holder = (viaSchema ? (node as RawSchema | undefined)?.['schema'] : node) as RawSchema | undefined | null;
  const ref = holder?.['$ref'];
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Views whose `http_method_names` leave out HEAD (pulpcore's WorkerViewSet). */
const WITHOUT_HEAD = new Set(['/pulp/api/v3/workers/']);

/** The Allow header DRF sends for a view: its methods in DRF's order, plus HEAD with GET, plus OPTIONS. */
export function allowHeader(route: Route): string {
  const methods: string[] = METHODS.filter((m) => route.operations.has(m));
  if (route.operations.has('GET') && !WITHOUT_HEAD.has(route.collectionPath ?? route.template)) methods.push('HEAD');
  methods.push('OPTIONS');
  return methods.join(', ');
}
