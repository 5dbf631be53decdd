/**
 * A structural check between two JSON Schemas: may a value that `narrow` accepts be refused by `wide`?
 * It proves inclusion keyword by keyword and reports what it cannot prove, so it errs on the side of
 * "incompatible": a keyword of `wide` it does not understand must appear unchanged in `narrow`, while an
 * extra keyword of `narrow` can only refuse more, so it never makes `narrow` accept more.
 * Written for what zod's z.toJSONSchema emits (objects, enums, consts, bounds, patterns, formats, anyOf).
 */
import { isDeepStrictEqual } from 'node:util';

export type JsonSchema = boolean | { [keyword: string]: unknown };
type SchemaObject = Exclude<JsonSchema, boolean>;

/** Keywords that describe and never refuse a value. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keywords this checker compares; any other keyword of `wide` must be equal in `narrow`. */
const UNDERSTOOD = new Set([
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'format',
  'multipleOf',
  'anyOf',
]);

/**
 * Why some value valid under `narrow` may be invalid under `wide`, one line per reason with its JSON path
 * (empty when every value `narrow` accepts is accepted by `wide`).
 */
export function widenings(narrow: JsonSchema, wide: JsonSchema, at = '$'): string[] {
  if (wide === true || narrow === false) return [];
  if (wide === false) return [`${at}: accepts values where the other schema accepts none`];
  if (narrow === true) return isUnconstrained(wide) ? [] : [`${at}: accepts any value where the other schema has constraints`];

  // A union is included when each of its branches is (together they hold all `narrow` accepts).
  if (Array.isArray(narrow.anyOf)) {
    const branches = (narrow.anyOf as JsonSchema[]).map((b, i) => widenings(b, wide, `${at}.anyOf[${i}]`));
    if (branches.every((b) => b.length === 0)) return [];
    if (!hasOwnConstraints(narrow)) return branches.flat();
  }
  const out: string[] = [];
  if (Array.isArray(wide.anyOf)) {
    const { anyOf, ...rest } = wide;
    if (!(anyOf as JsonSchema[]).some((b) => widenings(narrow, b, at).length === 0))
      out.push(`${at}: accepts values that fit none of the other schema's anyOf branches`);
    out.push(...widenings(narrow, rest, at));
    return out;
  }

  for (const keyword of Object.keys(wide)) {
    if (ANNOTATIONS.has(keyword) || UNDERSTOOD.has(keyword)) continue;
    if (!isDeepStrictEqual(narrow[keyword], wide[keyword])) out.push(`${at}: keyword ${keyword} differs (cannot compare it)`);
  }
  // These take properties or items out of the reach of additionalProperties and items, which are compared below.
  for (const keyword of ['patternProperties', 'prefixItems', 'unevaluatedProperties', 'unevaluatedItems']) {
    if (narrow[keyword] !== undefined && wide[keyword] === undefined)
      out.push(`${at}: keyword ${keyword} differs (cannot compare it)`);
  }

  const values = finiteValues(narrow);
  if (values) {
    // A finite set of values: each is checked against `wide` as it stands.
    for (const value of values) out.push(...valueRefusals(value, wide, at));
    return out;
  }

  out.push(...typeWidenings(narrow, wide, at));
  if ('const' in wide || 'enum' in wide) out.push(`${at}: accepts values beyond the other schema's const/enum`);
  // Each keyword below constrains values of one kind only: it matters where `narrow` admits that kind.
  if (mayBe(narrow, 'number')) out.push(...numberWidenings(narrow, wide, at));
  if (mayBe(narrow, 'string')) {
    out.push(...lengthWidenings(narrow, wide, 'minLength', 'maxLength', at));
    for (const keyword of ['pattern', 'format'] as const)
      if (wide[keyword] !== undefined && narrow[keyword] !== wide[keyword])
        out.push(
          `${at}: ${keyword} ${JSON.stringify(narrow[keyword] ?? null)} where the other schema has ${JSON.stringify(wide[keyword])}`,
        );
  }
  if (mayBe(narrow, 'object')) out.push(...objectWidenings(narrow, wide, at));
  if (mayBe(narrow, 'array')) {
    out.push(...lengthWidenings(narrow, wide, 'minItems', 'maxItems', at));
    if (wide.items !== undefined)
      out.push(...widenings((narrow.items ?? true) as JsonSchema, wide.items as JsonSchema, `${at}[]`));
  }
  return out;
}

function typeWidenings(narrow: SchemaObject, wide: SchemaObject, at: string): string[] {
  if (wide.type === undefined) return [];
  const allowed = types(wide);
  const mine = narrow.type === undefined ? undefined : types(narrow);
  if (!mine) return [`${at}: any type where the other schema requires ${allowed.join(' | ')}`];
  const extra = mine.filter((t) => !allowed.includes(t) && !(t === 'integer' && allowed.includes('number')));
  return extra.length ? [`${at}: type ${extra.join(' | ')} where the other schema requires ${allowed.join(' | ')}`] : [];
}

/** Numbers: `narrow`'s bounds lie within `wide`'s, and its multipleOf is a multiple of `wide`'s. */
function numberWidenings(narrow: SchemaObject, wide: SchemaObject, at: string): string[] {
  const out: string[] = [];
  const lower = (s: SchemaObject) => bound(s, 'minimum', 'exclusiveMinimum', Math.max);
  const upper = (s: SchemaObject) => bound(s, 'maximum', 'exclusiveMaximum', Math.min);
  const [nl, wl, nu, wu] = [lower(narrow), lower(wide), upper(narrow), upper(wide)];
  if (wl && (!nl || nl.value < wl.value || (nl.value === wl.value && wl.exclusive && !nl.exclusive)))
    out.push(`${at}: lower bound ${describe(nl, '>')} where the other schema has ${describe(wl, '>')}`);
  if (wu && (!nu || nu.value > wu.value || (nu.value === wu.value && wu.exclusive && !nu.exclusive)))
    out.push(`${at}: upper bound ${describe(nu, '<')} where the other schema has ${describe(wu, '<')}`);
  if (typeof wide.multipleOf === 'number') {
    const m = narrow.multipleOf;
    if (typeof m !== 'number' || !Number.isInteger(m / wide.multipleOf))
      out.push(`${at}: multipleOf ${JSON.stringify(m ?? null)} where the other schema has ${wide.multipleOf}`);
  }
  return out;
}

function lengthWidenings(narrow: SchemaObject, wide: SchemaObject, min: string, max: string, at: string): string[] {
  const out: string[] = [];
  const [n0, w0, n1, w1] = [narrow[min], wide[min], narrow[max], wide[max]] as (number | undefined)[];
  if (w0 !== undefined && (n0 ?? 0) < w0) out.push(`${at}: ${min} ${n0 ?? 0} where the other schema has ${w0}`);
  if (w1 !== undefined && (n1 === undefined || n1 > w1))
    out.push(`${at}: ${max} ${n1 ?? 'none'} where the other schema has ${w1}`);
  return out;
}

/** Object keywords: what `wide` requires, `narrow` requires; every property `narrow` may carry, `wide` accepts. */
function objectWidenings(narrow: SchemaObject, wide: SchemaObject, at: string): string[] {
  const out: string[] = [];
  const narrowProps = (narrow.properties ?? {}) as Record<string, JsonSchema>;
  const wideProps = (wide.properties ?? {}) as Record<string, JsonSchema>;
  const narrowRequired = new Set((narrow.required ?? []) as string[]);
  for (const name of (wide.required ?? []) as string[])
    if (!narrowRequired.has(name)) out.push(`${at}.${name}: optional where the other schema requires it`);
  for (const [name, schema] of Object.entries(narrowProps)) {
    const other = Object.hasOwn(wideProps, name) ? wideProps[name]! : ((wide.additionalProperties ?? true) as JsonSchema);
    if (other === false) out.push(`${at}.${name}: a property the other schema refuses (additionalProperties false)`);
    else out.push(...widenings(schema, other, `${at}.${name}`));
  }
  const narrowExtra = (narrow.additionalProperties ?? true) as JsonSchema;
  if (narrowExtra !== false && (wide.properties !== undefined || wide.additionalProperties !== undefined)) {
    // `narrow` lets unlisted properties through: each must satisfy whatever `wide` says of any name.
    for (const [name, schema] of Object.entries(wideProps))
      if (!Object.hasOwn(narrowProps, name)) out.push(...widenings(narrowExtra, schema, `${at}.${name}`));
    out.push(...widenings(narrowExtra, (wide.additionalProperties ?? true) as JsonSchema, `${at}.*`));
  }
  return out;
}

function finiteValues(s: SchemaObject): unknown[] | undefined {
  if ('const' in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

/** Checks one value of a const or enum against `wide` (the keywords zod emits for them). */
function valueRefusals(value: unknown, wide: JsonSchema, at: string): string[] {
  const label = `${at}: value ${JSON.stringify(value)}`;
  if (wide === true) return [];
  if (wide === false) return [`${label} is refused by the other schema`];
  if ('const' in wide && !isDeepStrictEqual(wide.const, value)) return [`${label} is not the other schema's const`];
  if (Array.isArray(wide.enum) && !wide.enum.some((v) => isDeepStrictEqual(v, value)))
    return [`${label} is not in the other schema's enum`];
  if (wide.type !== undefined && !types(wide).some((t) => hasType(value, t)))
    return [`${label} is not of type ${types(wide).join(' | ')}`];
  const out: string[] = [];
  if (typeof value === 'string') {
    if (typeof wide.pattern === 'string' && !new RegExp(wide.pattern, 'u').test(value))
      out.push(`${label} does not match ${wide.pattern}`);
    if (typeof wide.minLength === 'number' && [...value].length < wide.minLength)
      out.push(`${label} is shorter than ${wide.minLength}`);
    if (typeof wide.maxLength === 'number' && [...value].length > wide.maxLength)
      out.push(`${label} is longer than ${wide.maxLength}`);
    if (wide.format !== undefined) out.push(`${label}: format ${JSON.stringify(wide.format)} not checked here`);
  }
  if (typeof value === 'number')
    out.push(
      ...numberWidenings({ minimum: value, maximum: value, multipleOf: value }, wide, at).map(
        (r) => `${label}: ${r.slice(at.length + 2)}`,
      ),
    );
  if (typeof value === 'object' && value !== null) out.push(`${label}: object and array values not checked here`);
  return out;
}

function bound(s: SchemaObject, inclusive: string, exclusive: string, pick: (a: number, b: number) => number) {
  const [i, e] = [s[inclusive], s[exclusive]].map((v) => (typeof v === 'number' ? v : undefined));
  if (i === undefined && e === undefined) return undefined;
  if (i === undefined) return { value: e!, exclusive: true };
  if (e === undefined) return { value: i, exclusive: false };
  const value = pick(i, e);
  return { value, exclusive: value === e };
}

const describe = (b: { value: number; exclusive: boolean } | undefined, op: '>' | '<') =>
  b ? `${op}${b.exclusive ? '' : '='} ${b.value}` : 'none';

const types = (s: SchemaObject): string[] => (Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

/** Whether `s` admits values of `kind` ('number' covers 'integer'); without a type it admits every kind. */
const mayBe = (s: SchemaObject, kind: string) =>
  s.type === undefined || types(s).some((t) => t === kind || (kind === 'number' && t === 'integer'));

const isUnconstrained = (s: SchemaObject) => Object.keys(s).every((k) => ANNOTATIONS.has(k));

/** Whether `s` restricts values by more than its anyOf. */
const hasOwnConstraints = (s: SchemaObject) => Object.keys(s).some((k) => k !== 'anyOf' && !ANNOTATIONS.has(k));
