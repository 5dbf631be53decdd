import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { envelope, EVENT_TYPES, EVENTS } from '../../contracts/events';
import {
  breakingChanges,
  eventEnvelopeSchema,
  eventJsonSchema,
  eventSchemas,
  readCommittedSchema,
  renderSchema,
  SCHEMAS_DIR,
} from '../../contracts/json-schemas';
import { accountStateSchema, paymentDecidedSchema, paymentRequestSchema, type PaymentDecided } from '../../contracts/payment';
import { decodeRecord } from '../../kafka/consumer';
import { planFeed } from '../../tools/legacy/feed';
import { totalsMessage } from '../../merchant-totals/changelog';

const fresh = eventSchemas();

describe('event contracts as JSON Schema files (contracts/schemas/)', () => {
  it('has one file per event type and version, each as npm run contracts:schemas writes it', () => {
    const expected = Object.entries(EVENTS).flatMap(([type, versions]) =>
      Object.keys(versions)
        .filter((k) => k !== 'topic')
        .map((v) => `${type}.v${v}.json`),
    );
    assert.deepEqual(fresh.map((s) => s.file).sort(), expected.sort());
    const committed = fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json'));
    assert.deepEqual(committed.sort(), expected.sort(), 'stale contracts/schemas/: run npm run contracts:schemas');
    for (const { file, schema } of fresh)
      assert.equal(
        fs.readFileSync(`${SCHEMAS_DIR}/${file}`, 'utf8'),
        renderSchema(schema),
        `${file} is stale: run npm run contracts:schemas`,
      );
  });

  it('changes no committed event version in a way that breaks its consumers (a breaking change is a new version)', () => {
    for (const { file, schema } of fresh) {
      const committed = readCommittedSchema(file);
      if (committed === undefined) continue; // a new version: nothing released to break
      const breaking = breakingChanges(committed, schema);
      assert.deepEqual(breaking, [], `${file}: add a version to EVENTS in contracts/events.ts instead:\n${breaking.join('\n')}`);
    }
  });

  describe('finds breaking edits of the real zod schemas against the committed files', () => {
    const decidedV1 = readCommittedSchema('payment.authorization.decided.v1.json')!;
    const stateV1 = readCommittedSchema('account.state.updated.v1.json')!;
    const decidedWith = (data: z.ZodType) =>
      breakingChanges(
        decidedV1,
        eventJsonSchema(EVENT_TYPES.paymentDecided, 1, eventEnvelopeSchema(EVENT_TYPES.paymentDecided, 1, data)),
      );
    const stateWith = (data: z.ZodType) =>
      breakingChanges(
        stateV1,
        eventJsonSchema(EVENT_TYPES.accountStateUpdated, 1, eventEnvelopeSchema(EVENT_TYPES.accountStateUpdated, 1, data)),
      );
    const expectBreaking = (found: string[], reason: RegExp) =>
      assert.ok(
        found.some((r) => reason.test(r)),
        `expected ${String(reason)} in ${JSON.stringify(found, null, 1)}`,
      );

    it('a new optional field: consumers of v1 refuse it (strict objects)', () => {
      expectBreaking(
        decidedWith(paymentDecidedSchema.extend({ note: z.string().optional() })),
        /consumer of the committed schema would refuse a new record: \$\.data\.note: a property the other schema refuses/,
      );
    });

    it('a new decision reason: consumers of v1 refuse it', () => {
      const reason = z.enum([...paymentDecidedSchema.shape.reason.options, 'FRAUD_SUSPECTED']);
      expectBreaking(
        decidedWith(paymentDecidedSchema.extend({ reason })),
        /\$\.data\.reason: value "FRAUD_SUSPECTED" is not in the other schema's enum/,
      );
    });

    it('an optional field made required: records already on the topic would be refused', () => {
      expectBreaking(
        decidedWith(paymentDecidedSchema.extend({ gatewayAuthorizationId: z.string().min(1).max(200) })),
        /record valid under the committed schema would now be refused: \$\.data\.gatewayAuthorizationId: optional where the other schema requires it/,
      );
    });

    it('a status dropped or a balance bounded tighter: records already on the topic would be refused', () => {
      expectBreaking(
        stateWith(accountStateSchema.extend({ status: z.enum(['active', 'frozen']) })),
        /\$\.data\.status: value "closed"/,
      );
      expectBreaking(
        stateWith(accountStateSchema.extend({ balance: z.number().int().min(0).max(1e12) })),
        /\$\.data\.balance: lower bound >= -9007199254740991 where the other schema has >= 0/,
      );
    });

    it('but not a description added to a field', () => {
      assert.deepEqual(
        stateWith(accountStateSchema.extend({ balance: accountStateSchema.shape.balance.describe('minor units') })),
        [],
      );
    });
  });

  describe('records paysaga produces validate against the committed files (ajv, JSON Schema 2020-12)', () => {
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
    const validators = new Map(fresh.map(({ file, type }) => [type, ajv.compile(readCommittedSchema(file) as object)]));
    const at = '2026-11-22T10:00:00.000Z';
    const request = paymentRequestSchema.parse({
      paymentId: 'p-1',
      accountId: 'a-1',
      merchantId: 'm-1',
      amount: 1_999,
      currency: 'EUR',
      requestedAt: at,
    });
    const { requestedAt: _, ...payment } = request;
    const decided = (o: Partial<PaymentDecided>): PaymentDecided =>
      paymentDecidedSchema.parse({
        ...payment,
        decision: 'AUTHORIZED',
        reason: 'APPROVED',
        decidedBy: 'rules',
        gatewayAuthorizationId: 'gw-1',
        decidedAt: '2026-11-22T10:00:01+01:00',
        ...o,
      });
    const states = planFeed({
      accountIds: ['a-1', 'a.2:x_y-z'],
      updates: 3,
      balance: -500,
      currency: 'JPY',
      startAsOf: new Date(at),
      duplicateRate: 0.5,
      reorderRate: 0.5,
      random: (() => {
        let i = 0; // a fixed sequence: the same snapshots, duplicates and swaps every run
        return () => [0.1, 0.9, 0.4, 0.7][i++ % 4]!;
      })(),
    });
    const produced: [string, unknown][] = [
      ['a payment request as the api enqueues it', envelope(EVENT_TYPES.paymentRequested, randomUUID(), at, request)],
      ...states.map((s, i): [string, unknown] => [
        `legacy feed snapshot ${i}`,
        envelope(EVENT_TYPES.accountStateUpdated, randomUUID(), at, s),
      ]),
      ['an authorization', envelope(EVENT_TYPES.paymentDecided, randomUUID(), at, decided({}))],
      [
        'a timeout decline',
        envelope(
          EVENT_TYPES.paymentDecided,
          randomUUID(),
          at,
          decided({
            decision: 'DECLINED',
            reason: 'ACCOUNT_STATE_TIMEOUT',
            decidedBy: 'timeout',
            gatewayAuthorizationId: undefined,
          }),
        ),
      ],
      [
        "an operator's approval beyond the funds",
        envelope(
          EVENT_TYPES.paymentDecided,
          randomUUID(),
          at,
          decided({ reason: 'OPERATOR_APPROVED', decidedBy: 'operator', exceededAvailableFunds: true }),
        ),
      ],
      [
        "the merchant totals' record",
        JSON.parse(
          totalsMessage({ merchantId: 'm-1', currency: 'EUR', authorizedAmount: 0, authorizedCount: 0 }, 3, new Date(at))
            .value as string,
        ),
      ],
    ];

    for (const [name, value] of produced) {
      it(`accepts ${name}, as paysaga's consumers do`, () => {
        const json = JSON.parse(JSON.stringify(value)) as { type: keyof typeof EVENTS };
        decodeRecord(json.type, Buffer.from(JSON.stringify(json)));
        const validate = validators.get(json.type)!;
        assert.equal(validate(json), true, JSON.stringify(validate.errors));
      });
    }

    const base = JSON.parse(JSON.stringify(produced[0]![1])) as Record<string, unknown> & { data: Record<string, unknown> };
    const refused: [string, unknown][] = [
      ['a float amount', { ...base, data: { ...base.data, amount: 1.5 } }],
      ['an unknown data field', { ...base, data: { ...base.data, pan: '4111111111111111' } }],
      ['a missing data field', { ...base, data: { ...base.data, currency: undefined } }],
      ['an unknown envelope field', { ...base, traceId: 'x' }],
      ['another version', { ...base, version: 2 }],
      ['an id that is not a UUID', { ...base, id: 'e-1' }],
      ['an instant without an offset', { ...base, occurredAt: '2026-11-22T10:00:00' }],
    ];
    for (const [name, value] of refused) {
      it(`refuses ${name}, as paysaga's consumers do`, () => {
        const json = JSON.parse(JSON.stringify(value));
        assert.throws(() => decodeRecord(EVENT_TYPES.paymentRequested, Buffer.from(JSON.stringify(json))));
        assert.equal(validators.get(EVENT_TYPES.paymentRequested)!(json), false);
      });
    }
  });
});
