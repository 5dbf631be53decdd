/**
 * The typed client's types: openapi-typescript's rendering of the api's OpenAPI document, generated in-process
 * from openApiDocument() (no running api needed). `npm run api:client` writes it to api/client/schema.d.ts; a
 * unit test keeps the committed file equal to a fresh generation, so an api change the client does not follow
 * fails the tests, and the typecheck then fails every caller the change breaks.
 *
 * openapi-typescript is a development dependency: only the command and the test load this module.
 */
import fs from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { openApiDocument } from '../openapi';

export const CLIENT_SCHEMA_FILE = path.join(__dirname, 'schema.d.ts');

const BANNER = '// Generated from api/openapi.ts by `npm run api:client` (openapi-typescript): do not edit.\n\n';

export async function renderClientSchema(): Promise<string> {
  // The document's JSON schemas are plain objects (z.toJSONSchema's output), which openapi-typescript's types do not
  // know; the document itself is checked by a third-party validator (test/unit/openapi.test.ts).
  const ast = await openapiTS(openApiDocument() as unknown as OpenAPI3);
  return BANNER + astToString(ast);
}

export function readCommittedClientSchema(): string | undefined {
  return fs.existsSync(CLIENT_SCHEMA_FILE) ? fs.readFileSync(CLIENT_SCHEMA_FILE, 'utf8') : undefined;
}
