import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../api/openapi';
import { ContractChecker } from '../api-contract';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` string in a document, with where it is. */
function refsOf(value: unknown, at = ''): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refsOf(v, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refsOf(v, `${at}/${k}`),
  );
}

/** The value at a local JSON pointer (`#/a/b`), undefined when there is none. */
function resolve(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

const operationsOf = (document: ReturnType<typeof openApiDocument>) =>
  [...Object.entries(document.paths), ...Object.entries(document.webhooks)].flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op: op as Json, webhook: !path.startsWith('/') })),
  );

describe('the OpenAPI document', () => {
  const document = openApiDocument();

  it('is a valid OpenAPI 3.1 document for a third-party validator, and every $ref resolves in it', async () => {
    const validator = new Validator();
    // A copy: resolveRefs replaces the references in place.
    const result = await validator.validate(structuredClone(document));
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.doesNotThrow(() => validator.resolveRefs());
    const refs = refsOf(document);
    assert.ok(refs.length > 20);
    for (const { ref, at } of refs) {
      assert.match(ref, /^#\/components\/schemas\/[A-Za-z]+$/, `${at}: ${ref}`);
      assert.notEqual(resolve(document, ref), undefined, `${at}: ${ref} does not resolve`);
    }
    assert.ok(!JSON.stringify(document).includes('$defs'), 'no $defs left inside a schema');
  });

  it('names every operation once and declares the errors each can answer, as problem+json', () => {
    const operations = operationsOf(document);
    const ids = operations.map(({ op }) => op.operationId);
    assert.equal(new Set(ids).size, operations.length, 'one operationId per operation');
    for (const { where, op, webhook } of operations) {
      assert.equal(typeof op.operationId, 'string', where);
      const responses = op.responses as Record<string, { content?: Json }>;
      const statuses = Object.keys(responses);
      if (op.security) {
        const schemes = (op.security as Json[]).flatMap((s) => Object.keys(s));
        assert.ok(
          schemes.every((s) => s in document.components.securitySchemes),
          where,
        );
        assert.ok(statuses.includes('401') && statuses.includes('403'), `${where} declares 401 and 403`);
      }
      if (op.requestBody && !webhook)
        for (const s of ['400', '413', '415']) assert.ok(statuses.includes(s), `${where} declares ${s}`);
      for (const [status, response] of Object.entries(responses))
        if (/^[45]/.test(status))
          assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${where} ${status}`);
    }
    const create = document.paths['/payments'].post;
    assert.deepEqual(create.security, [{ clientBearer: [] }]);
    assert.deepEqual(
      document.paths['/payments/{paymentId}/override'].post.security,
      [{ operatorBearer: [] }, { operatorSession: [] }],
      "an operator's bearer token, or the console's session",
    );
    assert.ok(create.parameters.some((p) => p.name === 'Idempotency-Key' && p.in === 'header' && p.required));
    for (const s of ['409', '422']) assert.ok(s in create.responses, `POST /payments declares ${s}`);
  });

  it('describes the merchant webhook with its Standard Webhooks headers and body', () => {
    const webhook = document.webhooks['payment.authorization.decided'].post;
    assert.deepEqual(
      webhook.parameters.filter((p) => p.in === 'header' && p.required).map((p) => p.name),
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    );
    assert.deepEqual(webhook.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/PaymentDecidedWebhook',
    });
  });

  describe('the response check of the integration tests', () => {
    const checker = new ContractChecker(document);
    const url = 'http://127.0.0.1:1/payments';
    const headers = (type: string, extra: Record<string, string> = {}) => new Headers({ 'content-type': type, ...extra });
    const problem = (status: number) => JSON.stringify({ type: 'about:blank', title: 'x', status });

    it('accepts a declared answer, and fails an undeclared status, a body off its schema, a wrong content type', () => {
      const list = JSON.stringify({ payments: [], nextCursor: null });
      assert.deepEqual(
        checker.responseProblems('GET', url, { status: 200, headers: headers('application/json'), body: list }),
        [],
      );
      assert.match(
        checker.responseProblems('GET', url, {
          status: 409,
          headers: headers('application/problem+json'),
          body: problem(409),
        })[0]!,
        /does not declare/,
      );
      assert.match(
        checker.responseProblems('GET', url, { status: 200, headers: headers('application/json'), body: '{"payments":[]}' })[0]!,
        /nextCursor/,
      );
      assert.match(
        checker.responseProblems('GET', url, { status: 200, headers: headers('text/html'), body: list })[0]!,
        /content type/,
      );
      assert.match(
        checker.responseProblems('GET', url, {
          status: 401,
          headers: headers('application/problem+json'),
          body: problem(401),
        })[0]!,
        /WWW-Authenticate missing/,
      );
    });

    it('wants 405 with an Allow header for an undeclared method, and 404 for an unknown path', () => {
      const p405 = {
        status: 405,
        headers: headers('application/problem+json', { allow: 'GET, POST, HEAD' }),
        body: problem(405),
      };
      assert.deepEqual(checker.responseProblems('DELETE', url, p405), []);
      assert.ok(checker.responseProblems('DELETE', url, { ...p405, headers: headers('application/problem+json') }).length > 0);
      assert.ok(checker.responseProblems('DELETE', url, { ...p405, status: 404 }).length > 0);
      const p404 = { status: 404, headers: headers('application/problem+json'), body: problem(404) };
      assert.deepEqual(checker.responseProblems('GET', 'http://127.0.0.1:1/nowhere', p404), []);
      assert.ok(checker.responseProblems('GET', 'http://127.0.0.1:1/nowhere', { ...p404, status: 200 }).length > 0);
    });
  });
});
