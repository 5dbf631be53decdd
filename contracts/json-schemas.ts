/**
 * The Kafka event contracts as JSON Schema (2020-12) files, one per event type and version: the envelope of
 * events.ts with its type and version fixed and its data schema, generated from the zod schemas with
 * z.toJSONSchema. `npm run contracts:schemas` writes them to contracts/schemas/; a unit test keeps them equal to
 * a fresh generation and refuses a change to a released version that would make a consumer refuse a record.
 *
 * The files are slightly looser than zod: refinements have no JSON Schema form, so the instant range
 * (2000-2100), the ISO 4217 list and the NUL check are checked by paysaga's consumers only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { envelopeSchema, EVENTS, type EventType } from './events';
import { widenings, type JsonSchema } from './schema-compatibility';

export const SCHEMAS_DIR = path.join(__dirname, 'schemas');

export interface EventSchemaFile {
  /** The file name in SCHEMAS_DIR: `<event-type>.v<N>.json`. */
  file: string;
  type: EventType;
  version: number;
  /** The envelope of this type and version with its data, as zod validates it. */
  zod: z.ZodType;
  schema: JsonSchema;
}

/** Every event type at every version EVENTS lists. */
export function eventSchemas(): EventSchemaFile[] {
  return Object.entries(EVENTS).flatMap(([type, versions]) =>
    Object.entries(versions)
      .filter(([key]) => /^\d+$/.test(key))
      .map(([key, data]) => {
        const version = Number(key);
        const zod = eventEnvelopeSchema(type, version, data as z.ZodType);
        return {
          file: `${type}.v${version}.json`,
          type: type as EventType,
          version,
          zod,
          schema: eventJsonSchema(type, version, zod),
        };
      }),
  );
}

/** The envelope of one type and version, with its data schema in place of `unknown`. */
export const eventEnvelopeSchema = (type: string, version: number, data: z.ZodType) =>
  envelopeSchema.extend({ type: z.literal(type), version: z.literal(version), data });

/** The JSON Schema of an envelope as a consumer reads it (zod's input side). */
export function eventJsonSchema(type: string, version: number, envelope: z.ZodType): JsonSchema {
  const described = envelope.meta({ title: `${type} v${version}`, description: `A Kafka record of ${topicOf(type)}` });
  return z.toJSONSchema(described, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' });
}

const topicOf = (type: string) => (EVENTS as Record<string, { topic: string }>)[type]!.topic;

/** A schema as its file holds it. */
export const renderSchema = (schema: JsonSchema) => `${JSON.stringify(schema, null, 2)}\n`;

export function readCommittedSchema(file: string): JsonSchema | undefined {
  const target = path.join(SCHEMAS_DIR, file);
  return fs.existsSync(target) ? (JSON.parse(fs.readFileSync(target, 'utf8')) as JsonSchema) : undefined;
}

/**
 * Why replacing the committed schema of a version by `fresh` would break a consumer, empty when it would not.
 * Both ways: a consumer still on the committed schema must accept every new record, and an updated consumer
 * must accept the records already on the topics (kept for their retention, the account states for ever on a
 * compacted topic, and replayed from offset zero). A change that cannot meet both is a new version.
 */
export function breakingChanges(committed: JsonSchema, fresh: JsonSchema): string[] {
  return [
    ...widenings(fresh, committed).map((r) => `a consumer of the committed schema would refuse a new record: ${r}`),
    ...widenings(committed, fresh).map((r) => `a record valid under the committed schema would now be refused: ${r}`),
  ];
}
