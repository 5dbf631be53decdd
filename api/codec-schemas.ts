/** The codec endpoint's body (api/codec.ts), as a zod schema: it validates requests and generates the OpenAPI document. */
import { z } from 'zod';

/** A history's payloads can be many: the Web UI and CLI send an event's, or a page's, at once. */
export const CODEC_BODY_LIMIT = '2mb';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const codecPayloads = z
  .object({
    payloads: z
      .array(
        z.object({
          metadata: z.record(z.string().min(1).max(256), base64).optional(),
          data: base64.optional(),
        }),
      )
      .max(10_000),
  })
  .meta({
    id: 'CodecPayloads',
    description:
      "Temporal's Payloads as protobuf JSON (metadata values and data in base64), as the Web UI and `temporal --codec-endpoint` send them",
  });

export type CodecPayloadsBody = z.infer<typeof codecPayloads>;

/** What the endpoint answers: the payloads in the same form, every field present. */
export const codecPayloadsResult = z
  .object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) })
  .meta({ id: 'CodecPayloadsResult', description: 'the payloads, decoded or encoded, in the order they were sent' });
