import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import type { FastifyInstance } from 'fastify';
import { apiErrors, type FieldProblem, fieldProblem } from './errors.js';

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function createAjv(coerceTypes: boolean | 'array') {
  const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes, useDefaults: true, strict: false });
  addFormats(ajv);
  return ajv;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Compiling schemas was most of the start-up time (issue 6): each one is compiled on its first use,
 * and once per process — every route is registered under `/client/v4` and at the root, they all share
 * the failure envelope, and a harness start or a namespace builds the same routes again (issue 12).
 * Keyed by the schema object, then by its text, as Fastify hands many routes their own copies: three
 * in four lookups find the object itself, without serializing it.
 */
function compiledOnce<F>(
  compile: (schema: object, variant: string) => F,
): (schema: object, variant: string) => F {
  const byText = new Map<string, F>();
  const bySchema = new Map<string, WeakMap<object, F>>();
  return (schema, variant) => {
    let objects = bySchema.get(variant);
    if (!objects) {
      objects = new WeakMap();
      bySchema.set(variant, objects);
    }
    let fn = objects.get(schema);
    if (fn) return fn;
    const key = `${variant} ${JSON.stringify(schema)}`;
    fn = byText.get(key);
    if (!fn) {
      fn = compile(schema, variant);
      byText.set(key, fn);
    }
    objects.set(schema, fn);
    return fn;
  };
}

function validateOnFirstUse(compile: () => Validate): Validate {
  let compiled: Validate | undefined;
  const validate: Validate = (data) => {
    compiled ??= compile();
    const valid = compiled(data);
    // Fastify reads the errors off the function it was given.
    validate.errors = compiled.errors ?? null;
    return valid;
  };
  return validate;
}

function serializeOnFirstUse(compile: () => (data: unknown) => string): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => {
    compiled ??= compile();
    return compiled(data);
  };
}

const NUL = '\u0000';

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}

/**
 * The path of the first string holding NUL, keys included; undefined when there is none. Iterative,
 * with parent links rather than path copies: bodies may nest deeper than the call stack allows.
 */
function findNul(root: unknown): (string | number)[] | undefined {
  const pending: Visit[] = [{ value: root, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return pathOf(visit);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) pending.push({ value: value[i], key: i, parent: visit });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const child = { value: item, key, parent: visit };
        if (key.includes(NUL)) return pathOf(child);
        pending.push(child);
      }
    }
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold NUL, so a string with one is refused on both stores alike, by field,
 * before any route sees it (found by the fuzz suite, issue 8).
 */
function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const part of [request.query, request.body]) {
      const path = findNul(part);
      if (path)
        return done(
          apiErrors.validation([fieldProblem(path, 'must not contain the NUL character (U+0000)')]),
        );
    }
    done();
  });
}

/**
 * Bodies are validated strictly ("5" is not a number), while query strings and path parameters are
 * coerced from text: `per_page=5`, `include_expired=true` (CLIENTS §4). Responses are serialized from
 * their schemas.
 */
const bodyAjv = createAjv(false);
const textAjv = createAjv('array');
const validator = compiledOnce((schema, httpPart) =>
  validateOnFirstUse(() => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)),
);
const serializer = compiledOnce((schema) => serializeOnFirstUse(() => fastJsonStringify(schema)));

export function installSchemaCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    validator(schema, httpPart === 'body' ? 'body' : 'text'),
  );
  app.setSerializerCompiler(({ schema }) => serializer(schema as object, 'response'));
  refuseNulCharacters(app);
}

function describeFormat(format: string): string {
  switch (format) {
    case 'date-time':
      return 'must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z';
    case 'email':
      return 'must be an email address';
    case 'uuid':
      return 'must be a UUID';
    default:
      return `must be a valid ${format}`;
  }
}

function describeRange(schema: Record<string, unknown>, noun: string): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined)
    return `must be ${noun} between ${minimum} and ${maximum}`;
  if (minimum !== undefined) return `must be ${noun} of at least ${minimum}`;
  return `must be ${noun} of at most ${maximum}`;
}

function describeType(types: string[]): string {
  const names = types.map((t) => (t === 'null' ? 'null' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return `must be ${[...new Set(names)].join(' or ')}`;
}

/** The one sentence that tells a client what is wrong with a field, from Ajv's errors for it. */
function describe(errors: ErrorObject[]): string {
  const specific = errors.find((e) => !['type', 'anyOf', 'const', 'oneOf'].includes(e.keyword));
  if (specific) {
    const schema = (specific.parentSchema ?? {}) as Record<string, unknown>;
    const p = specific.params as Record<string, unknown>;
    if (typeof schema.errorMessage === 'string') return schema.errorMessage;
    switch (specific.keyword) {
      case 'required':
        return 'is required';
      case 'additionalProperties':
        return 'is not a known field here';
      case 'maxLength':
        return `must be at most ${p.limit} characters long`;
      case 'minLength':
        return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
      case 'minimum':
      case 'maximum':
        return describeRange(schema, schema.type === 'integer' ? 'an integer' : 'a number');
      case 'minItems':
        return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
      case 'maxItems':
        return `must have at most ${p.limit} items`;
      case 'minProperties':
        return 'must not be empty';
      case 'format':
        return describeFormat(String(p.format));
      case 'pattern':
        return typeof schema.description === 'string'
          ? `must be as described: ${schema.description}`
          : 'has an invalid format';
      default:
        return specific.message ?? 'is invalid';
    }
  }
  const constants = errors
    .filter((e) => e.keyword === 'const')
    .map((e) => JSON.stringify(e.params.allowedValue));
  const types = errors.filter((e) => e.keyword === 'type').map((e) => String(e.params.type));
  if (constants.length > 0) {
    const allowed = [...constants, ...(types.includes('null') ? ['null'] : [])];
    return allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(', ')}`;
  }
  if (types.length > 0) return describeType(types.flatMap((t) => t.split(',')));
  return errors[0]?.message ?? 'is invalid';
}

function pathSegments(error: ErrorObject): (string | number)[] {
  const segments: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return segments;
}

/** Turns Ajv's errors into one problem per failing field, in the order the fields failed. */
export function toFieldProblems(errors: ErrorObject[]): FieldProblem[] {
  const byField = new Map<string, { segments: (string | number)[]; errors: ErrorObject[] }>();
  for (const error of errors) {
    const segments = pathSegments(error);
    const key = JSON.stringify(segments);
    const entry = byField.get(key) ?? { segments, errors: [] };
    entry.errors.push(error);
    byField.set(key, entry);
  }
  // A union's failure is also reported on each branch's deeper paths; keep the shallowest report.
  const problems: FieldProblem[] = [];
  for (const { segments, errors: fieldErrors } of byField.values()) {
    problems.push(fieldProblem(segments, describe(fieldErrors)));
  }
  return problems;
}
