/**
 * The api's answers checked against its OpenAPI document, in both directions: a status the operation does not
 * declare, a declared header missing or malformed, a content type or a body the response schema does not allow
 * all fail the test (JSON Schema 2020-12 by ajv, as OpenAPI 3.1 defines). `contractFetch` is `fetch` that checks;
 * the test helpers that call the api use it, so every response an integration test receives is checked.
 */
import { createPaysagaClient, type PaysagaClient } from '../api/client';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../api/openapi';

type Json = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string; schema: Json }[];
  responses: Record<
    string,
    { headers?: Record<string, { required?: boolean; schema?: Json }>; content?: Record<string, { schema: Json }> }
  >;
}

const BASE = 'https://paysaga.invalid/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** A JSON pointer segment (RFC 6901). */
const segment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly paths: [RegExp, string][];

  constructor(readonly document: Json = openApiDocument()) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: BASE });
    this.paths = Object.keys(document.paths as Json).map((template) => [
      new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      template,
    ]);
  }

  /** The path template of a request path, e.g. /payments/{paymentId}. */
  templateOf(pathname: string): string | undefined {
    return this.paths.find(([pattern]) => pattern.test(pathname))?.[1];
  }

  operation(template: string, method: string): Operation | undefined {
    return ((this.document.paths as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Operation | undefined;
  }

  /** Whether `value` is valid at a JSON pointer into the document (e.g. a parameter's schema); the errors if not. */
  validate(pointer: string, value: unknown): string | undefined {
    let check = this.compiled.get(pointer);
    if (!check) {
      check = this.ajv.compile({ $ref: `${BASE}#${pointer}` });
      this.compiled.set(pointer, check);
    }
    return check(value) ? undefined : this.ajv.errorsText(check.errors);
  }

  /** Whether a query string is one the operation's query parameters allow (strings only, as they arrive). */
  queryProblems(template: string, method: string, query: URLSearchParams): string[] {
    const parameters = (this.operation(template, method)?.parameters ?? []).map((p, i) => ({ ...p, i }));
    const problems: string[] = [];
    for (const [name, value] of query) {
      const p = parameters.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`${name}: not a parameter`);
        continue;
      }
      const pointer = `/paths/${segment(template)}/${method.toLowerCase()}/parameters/${p.i}/schema`;
      const type = p.schema.type;
      // A query parameter is text: an integer parameter is the text of an integer.
      const typed =
        type === 'integer' || type === 'number' ? (/^-?[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value) : value;
      const error = this.validate(pointer, typed);
      if (error) problems.push(`${name}: ${error}`);
    }
    return problems;
  }

  /** What in this response the document does not allow (empty when it matches). */
  responseProblems(method: string, url: string, res: { status: number; headers: Headers; body: string }): string[] {
    const pathname = new URL(url).pathname;
    const template = this.templateOf(pathname);
    const problems: string[] = [];
    const type = res.headers.get('content-type')?.split(';')[0]?.trim();
    if (!template) {
      if (res.status !== 404 || type !== 'application/problem+json')
        problems.push(`${pathname} is not in the document, yet the api answered ${res.status} (${type})`);
      return problems;
    }
    const item = (this.document.paths as Json)[template] as Json;
    // Express answers HEAD with the GET route.
    const operation = this.operation(template, method === 'HEAD' ? 'GET' : method);
    if (!operation) {
      const allowed = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
      if (res.status !== 405) problems.push(`${method} ${template} is not declared, yet the api answered ${res.status}`);
      const allow = res.headers.get('allow')?.split(/,\s*/) ?? [];
      for (const m of allowed) if (!allow.includes(m)) problems.push(`the 405's Allow header (${allow.join(', ')}) lacks ${m}`);
      return problems;
    }
    const status = String(res.status);
    const key = [status, `${status[0]}XX`, 'default'].find((k) => k in operation.responses);
    if (!key) return [`${method} ${template} answered ${status}, which the document does not declare`];
    const declared = operation.responses[key]!;
    const base = `/paths/${segment(template)}/${method.toLowerCase()}/responses/${key}`;
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${status}: header ${name} missing`);
        continue;
      }
      const error = header.schema && this.validate(`${base}/headers/${segment(name)}/schema`, value);
      if (error) problems.push(`${status}: header ${name}: ${error}`);
    }
    if (!declared.content) {
      if (res.body !== '') problems.push(`${status} declares no body, yet one came`);
      return problems;
    }
    if (method === 'HEAD') return problems;
    if (!type || !(type in declared.content))
      return [...problems, `${status}: content type ${type} is not one of ${Object.keys(declared.content).join(', ')}`];
    if (!type.endsWith('json')) return problems;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return [...problems, `${status}: the body is not JSON`];
    }
    const error = this.validate(`${base}/content/${segment(type)}/schema`, body);
    if (error) problems.push(`${status} body: ${error}`);
    return problems;
  }
}

let shared: ContractChecker | undefined;
export const contractChecker = () => (shared ??= new ContractChecker());

/** fetch against the api, failing when the response is not one the OpenAPI document allows. */
export async function contractFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const method = (init.method ?? 'GET').toUpperCase();
  const body = await res.clone().text();
  const problems = contractChecker().responseProblems(method, url, { status: res.status, headers: res.headers, body });
  if (problems.length > 0)
    throw new Error(
      `${method} ${url}: the response drifts from the OpenAPI document:\n- ${problems.join('\n- ')}\n${body.slice(0, 500)}`,
    );
  return res;
}

/** The typed api client (api/client/) whose every answer is checked against the document, as contractFetch does. */
export function contractClient(baseUrl: string, token: string): PaysagaClient {
  return createPaysagaClient(baseUrl, token, {
    fetch: async (request: Request) =>
      contractFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body === null ? undefined : await request.text(),
      }),
  });
}
