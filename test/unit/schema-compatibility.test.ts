import assert from 'node:assert/strict';
import { widenings, type JsonSchema } from '../../contracts/schema-compatibility';

const object = (properties: Record<string, JsonSchema>, required: string[], extra?: JsonSchema): Record<string, unknown> => ({
  type: 'object',
  properties,
  required,
  ...(extra === undefined ? {} : { additionalProperties: extra }),
});
const id = { type: 'string', pattern: '^[a-z]{1,10}$' };
const amount = { type: 'integer', exclusiveMinimum: 0, maximum: 1000 };
const status = { type: 'string', enum: ['active', 'frozen'] };
const record = object({ id, amount, status }, ['id', 'amount', 'status'], false);

describe('schema compatibility checker: may a value of one schema be refused by the other?', () => {
  const included: [string, JsonSchema, JsonSchema][] = [
    ['a schema and itself', record, record],
    [
      'the same schema with its required names, enum values and properties reordered, and descriptions changed',
      record,
      {
        ...object(
          { status: { enum: ['frozen', 'active'], type: 'string', description: 'now' }, amount, id },
          ['status', 'id', 'amount'],
          false,
        ),
        title: 'x',
      },
    ],
    ['a narrower enum in a wider one', { type: 'string', enum: ['active'] }, status],
    ['a const in an enum that holds it', { type: 'string', const: 'frozen' }, status],
    ['an integer in a number', { type: 'integer' }, { type: 'number' }],
    ['tighter bounds in looser ones', { type: 'integer', minimum: 1, maximum: 10 }, amount],
    ['an inclusive minimum above an exclusive one', { type: 'integer', minimum: 1 }, { type: 'integer', exclusiveMinimum: 0 }],
    [
      'shorter strings in longer ones',
      { type: 'string', minLength: 2, maxLength: 5 },
      { type: 'string', minLength: 1, maxLength: 10 },
    ],
    [
      'an optional property made required',
      object({ id, note: id }, ['id', 'note'], false),
      object({ id, note: id }, ['id'], false),
    ],
    [
      'a strict object without a property the other allows',
      object({ id }, ['id'], false),
      object({ id, note: id }, ['id'], false),
    ],
    ['a strict object in an open one', object({ id }, ['id'], false), object({ id }, ['id'])],
    ['a union of included branches', { anyOf: [{ type: 'string', const: 'a' }, { type: 'null' }] }, { type: ['string', 'null'] }],
    [
      'a nullable string in a nullable string with a longer limit',
      { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] },
      { anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] },
    ],
    ['string values against number bounds', { type: 'string' }, { type: ['string', 'number'], minimum: 0 }],
    ['anything in the empty schema', true, {}],
  ];
  for (const [name, narrow, wide] of included) {
    it(`finds nothing for ${name}`, () => assert.deepEqual(widenings(narrow, wide), []));
  }

  const refused: [string, JsonSchema, JsonSchema, RegExp][] = [
    [
      'a new property of a strict object',
      object({ id, amount, status, note: id }, ['id', 'amount', 'status'], false),
      record,
      /\$\.note: a property the other schema refuses \(additionalProperties false\)/,
    ],
    [
      'a new required property of a strict object',
      object({ id, amount, status, note: id }, ['id', 'amount', 'status', 'note'], false),
      record,
      /\$\.note: a property the other schema refuses/,
    ],
    [
      'a required property made optional',
      object({ id, amount, status }, ['id', 'amount'], false),
      record,
      /\$\.status: optional where the other schema requires it/,
    ],
    [
      'a wider enum',
      { type: 'string', enum: ['active', 'frozen', 'closed'] },
      status,
      /value "closed" is not in the other schema's enum/,
    ],
    ['a wider type', { type: ['string', 'null'] }, { type: 'string' }, /type null where the other schema requires string/],
    [
      'a number where an integer was',
      { type: 'number' },
      { type: 'integer' },
      /type number where the other schema requires integer/,
    ],
    [
      'a removed maximum',
      { type: 'integer', exclusiveMinimum: 0 },
      amount,
      /upper bound none where the other schema has <= 1000/,
    ],
    ['a raised maximum', { type: 'integer', exclusiveMinimum: 0, maximum: 2000 }, amount, /upper bound <= 2000/],
    [
      'an inclusive minimum at an exclusive one',
      { type: 'integer', minimum: 0, maximum: 10 },
      amount,
      /lower bound >= 0 where the other schema has > 0/,
    ],
    [
      'a longer maxLength',
      { type: 'string', maxLength: 20 },
      { type: 'string', maxLength: 10 },
      /maxLength 20 where the other schema has 10/,
    ],
    [
      'a changed pattern',
      { type: 'string', pattern: '^[a-z]{1,20}$' },
      id,
      /pattern "\^\[a-z\]\{1,20\}\$" where the other schema has/,
    ],
    ['a dropped format', { type: 'string' }, { type: 'string', format: 'uuid' }, /format null where the other schema has "uuid"/],
    [
      'an open object where a strict one was',
      object({ id }, ['id']),
      object({ id }, ['id'], false),
      /\$\.\*: accepts values where the other schema accepts none/,
    ],
    [
      'a nested change, with its path',
      object({ data: object({ status: { type: 'string', enum: ['active', 'closed'] } }, ['status'], false) }, ['data'], false),
      object({ data: object({ status }, ['status'], false) }, ['data'], false),
      /\$\.data\.status: value "closed" is not in the other schema's enum/,
    ],
    ['an enum value against a pattern', { type: 'string', const: 'A-1' }, id, /value "A-1" does not match/],
    [
      'a union branch that fits no branch of the other union',
      { anyOf: [{ type: 'string', maxLength: 9 }, { type: 'null' }] },
      { anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] },
      /anyOf/,
    ],
    [
      'a keyword the checker does not compare, changed',
      { type: 'array', prefixItems: [{ type: 'string' }] },
      { type: 'array', prefixItems: [{ type: 'integer' }] },
      /keyword prefixItems differs \(cannot compare it\)/,
    ],
    [
      'pattern properties that additionalProperties false no longer covers',
      { ...object({ id }, ['id'], false), patternProperties: { '^x': {} } },
      object({ id }, ['id'], false),
      /keyword patternProperties differs/,
    ],
    [
      'items widened',
      { type: 'array', items: { type: 'number' } },
      { type: 'array', items: { type: 'integer' } },
      /\$\[\]: type number/,
    ],
  ];
  for (const [name, narrow, wide, reason] of refused) {
    it(`reports ${name}`, () => {
      const found = widenings(narrow, wide);
      assert.ok(
        found.some((r) => reason.test(r)),
        `expected ${String(reason)} in ${JSON.stringify(found)}`,
      );
    });
  }
});
