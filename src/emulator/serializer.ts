import type { Json, JsonObject } from '../model/json.js';
import type { ObjectSchema, SchemaProperty } from './api-doc.js';
import { HttpError, ValidationError } from './errors.js';

/**
 * A small model of Django REST Framework's serializer validation, enough to give the answers
 * pulpcore 3.23 gives: per-field errors in field order, `required`/`null`/`blank` handling,
 * type coercion with DRF's messages, unknown-field rejection after field validation, and
 * object-level errors under `non_field_errors`.
 */

export type FieldKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'choice'
  | 'labels'
  | 'stringList'
  | 'objectList'
  | 'related'
  | 'json';

export interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  allowBlank: boolean;
  trim: boolean;
  choices: string[] | undefined;
  itemChoices: string[] | undefined;
  itemMaxLength: number | undefined;
  min: number | undefined;
  max: number | undefined;
  maxLength: number | undefined;
  pattern: RegExp | undefined;
  default: { value: Json } | undefined;
  writeOnly: boolean;
  /** Field validators and `validate_<field>`: run in order on the converted value; throw ValidationError. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a validator that only checks returns nothing; one that converts returns the new value
  validators: ((value: Json) => Json | void)[];
}

export type Mode = 'create' | 'update' | 'partial';

/** Fields from an OpenAPI request schema, in serializer order. Related (href) fields need a validator that resolves them. */
export function fieldsFromSchema(schema: ObjectSchema): Field[] {
  return schema.properties.filter((p) => !p.readOnly).map((p) => fieldFromProperty(p, schema.required.has(p.name)));
}

function fieldFromProperty(p: SchemaProperty, required: boolean): Field {
  return {
    name: p.name,
    kind: kindOf(p),
    required,
    nullable: p.nullable,
    allowBlank: p.type === 'string' && p.minLength === undefined,
    // pulpcore keeps passwords exactly as given ("Extra leading and trailing whitespace characters are not trimmed").
    trim: !p.name.endsWith('password'),
    choices: p.enum,
    itemChoices: p.itemEnum,
    itemMaxLength: p.itemMaxLength,
    min: p.minimum,
    max: p.maximum,
    maxLength: p.maxLength,
    pattern: p.pattern === undefined ? undefined : new RegExp(p.pattern, 'u'),
    default: p.default,
    writeOnly: p.writeOnly,
    validators: [],
  };
}

function kindOf(p: SchemaProperty): FieldKind {
  if (p.enum) return 'choice';
  if (p.name === 'pulp_labels') return 'labels';
  switch (p.type) {
    case 'string':
      return p.format === 'uri' ? 'related' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return p.itemType === 'object' ? 'objectList' : 'stringList';
    default:
      return 'json';
  }
}

/** Python's `type(x).__name__` for a JSON value, as DRF puts it in messages. */
function pyType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'string':
      return 'str';
    default:
      return 'dict';
  }
}

/** Python's `str()` of a JSON scalar, for messages such as `"lazy" is not a valid choice.` */
function pyStr(value: Json): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function pyFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TRUE_VALUES = new Set<Json>(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', '1', 1, true]);
const FALSE_VALUES = new Set<Json>(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '0', 0, false]);

/** DRF's SlugField pattern, which the OpenAPI document shows as the field's `pattern`. */
const SLUG_PATTERN = '^[-a-zA-Z0-9_]+$';

function toCharField(value: Json, field: Pick<Field, 'trim' | 'allowBlank' | 'maxLength'> & { pattern?: RegExp | undefined }): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw new ValidationError('Not a valid string.');
  const text = field.trim ? String(value).trim() : String(value);
  if (text === '' && !field.allowBlank) throw new ValidationError('This field may not be blank.');
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    throw new ValidationError(`Ensure this field has no more than ${field.maxLength} characters.`);
  }
  if (field.pattern && !field.pattern.test(text)) {
    throw new ValidationError(
      field.pattern.source === SLUG_PATTERN
        ? 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
        : 'This value does not match the required pattern.',
    );
  }
  return text;
}

function convert(field: Field, raw: Json): Json {
  if (field.kind === 'related' && raw === '') raw = null;
  if (raw === null) {
    if (!field.nullable) throw new ValidationError('This field may not be null.');
    return null;
  }
  switch (field.kind) {
    case 'string':
      return toCharField(raw, field);
    case 'integer': {
      const text = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim().replace(/\.0*$/, '') : '';
      if (!/^[-+]?\d+$/.test(text)) throw new ValidationError('A valid integer is required.');
      return checkRange(Number(text), field, String);
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new ValidationError('A valid number is required.');
      return checkRange(n, field, pyFloat);
    }
    case 'boolean':
      if (TRUE_VALUES.has(raw)) return true;
      if (FALSE_VALUES.has(raw)) return false;
      throw new ValidationError('Must be a valid boolean.');
    case 'choice':
      if (raw === '' && field.allowBlank) return '';
      if (!field.choices?.includes(pyStr(raw))) throw new ValidationError(`"${pyStr(raw)}" is not a valid choice.`);
      return pyStr(raw);
    case 'labels':
      return toLabels(raw);
    case 'stringList':
      return toList(raw, (item) => {
        if (field.itemChoices) return convert({ ...field, kind: 'choice', nullable: false, choices: field.itemChoices }, item);
        return toCharField(item, { trim: true, allowBlank: false, maxLength: field.itemMaxLength });
      });
    case 'objectList':
      return toList(raw, (item) => {
        if (!isPlainObject(item)) throw new ValidationError(`Expected a dictionary of items but got type "${pyType(item)}".`);
        return item;
      });
    case 'related':
      if (typeof raw !== 'string') throw new ValidationError(`Incorrect type. Expected URL string, received ${pyType(raw)}.`);
      return raw;
    case 'json':
      return raw;
  }
}

function checkRange(n: number, field: Field, show: (n: number) => string): number {
  if (field.min !== undefined && n < field.min)
    throw new ValidationError(`Ensure this value is greater than or equal to ${show(field.min)}.`);
  if (field.max !== undefined && n > field.max) throw new ValidationError(`Ensure this value is less than or equal to ${show(field.max)}.`);
  return n;
}

function toList(raw: Json, item: (value: Json) => Json): Json[] {
  if (!Array.isArray(raw)) throw new ValidationError(`Expected a list of items but got type "${pyType(raw)}".`);
  const errors: JsonObject = {};
  const out = raw.map((value, i) => {
    try {
      return item(value);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      errors[String(i)] = asList(e.detail);
      return null;
    }
  });
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return out;
}

/** HStoreField: a dict of strings (or nulls); pulpcore's label rules run as a separate validator. */
function toLabels(raw: Json): JsonObject {
  if (!isPlainObject(raw)) throw new ValidationError(`Expected a dictionary of items but got type "${pyType(raw)}".`);
  const out: JsonObject = {};
  const errors: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) out[key] = null;
    else if (typeof value === 'string' || typeof value === 'number') out[key] = String(value).trim();
    else errors[key] = ['Not a valid string.'];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return out;
}

function asList(detail: Json): Json {
  return typeof detail === 'string' ? [detail] : detail;
}

export interface SerializerSpec {
  fields: Field[];
  /** Every field name the serializer declares, read-only ones included (they are ignored, not "unexpected"). */
  known: Set<string>;
  /** `Serializer.validate()`: object-level checks on the validated data. */
  validate?: (data: JsonObject) => void;
  /**
   * `Serializer.create()`/`update()` where a plugin overrides them: what is stored from the
   * validated data, and what the answer shows that was not stored (rpm 3.24's gpg shim).
   */
  save?: (data: JsonObject, mode: Mode) => { stored: JsonObject; shown?: JsonObject };
}

/** Runs `is_valid()`: returns the validated data or throws the 400 DRF would answer. */
export function deserialize(spec: SerializerSpec, body: unknown, mode: Mode): JsonObject {
  if (!isPlainObject(body)) {
    throw new HttpError(400, { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyType(body)}.`] });
  }
  const data: JsonObject = {};
  const errors: JsonObject = {};
  for (const field of spec.fields) {
    if (!(field.name in body)) {
      if (mode === 'partial') continue;
      if (field.required) errors[field.name] = ['This field is required.'];
      else if (field.default) data[field.name] = field.default.value;
      continue;
    }
    try {
      let value = convert(field, body[field.name] as Json);
      if (value !== null) {
        for (const validator of field.validators) {
          const next = validator(value);
          if (next !== undefined) value = next;
        }
      }
      data[field.name] = value;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      errors[field.name] = asList(e.detail);
    }
  }
  if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
  const unknown = Object.keys(body).filter((k) => !spec.known.has(k) && k !== 'csrfmiddlewaretoken');
  if (unknown.length > 0) throw new HttpError(400, Object.fromEntries(unknown.map((k) => [k, ['Unexpected field']])));
  if (spec.validate) {
    try {
      spec.validate(data);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new HttpError(400, serializerError(e.detail));
    }
  }
  return data;
}

/** DRF's `as_serializer_error`: a dict keeps its keys (string values wrapped in lists), anything else is a non-field error. */
function serializerError(detail: Json): Json {
  if (isPlainObject(detail)) {
    return Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]));
  }
  return { non_field_errors: asList(detail) };
}
