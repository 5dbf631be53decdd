/**
 * The codec endpoint (a "codec server" in Temporal's words): POST /codec/decode and /codec/encode, the protocol
 * Temporal's Web UI and CLI speak (Payloads as protobuf JSON, the namespace in X-Namespace), so that an operator
 * sees a saga's decrypted inputs, signals and results there. It runs the same codec as every client and worker
 * (temporal/codec.ts) and needs the operator role: a bearer token (`temporal workflow show --codec-endpoint …
 * --codec-auth "Bearer <token>"`), or the console's session cookie from the Web UI's origin, which its CORS
 * answers allow (with credentials) and no other. Decoding changes nothing, so it needs no CSRF token; each call
 * is logged with the operator and the number of payloads, never their content.
 */
import type { Payload } from '@temporalio/common';
import express, { Router, type RequestHandler } from 'express';
import type { Config } from '../config';
import { logger } from '../observability/logger';
import { type EncryptionCodec, TamperedPayloadError, UnknownCodecKeyError } from '../temporal/codec';
import { type Auth, callerOf } from './auth';
import type { z } from 'zod';
import { CODEC_BODY_LIMIT, codecPayloads, type CodecPayloadsBody, type codecPayloadsResult } from './codec-schemas';
import { fieldErrors, problem } from './problem';

const fromJson = (body: CodecPayloadsBody): Payload[] =>
  body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));

const toJson = (payloads: Payload[]): z.infer<typeof codecPayloadsResult> => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  })),
});

/** The origins whose pages may call the endpoint with credentials: the Temporal Web UI's, and any configured. */
export const codecOrigins = (config: Config): string[] => [new URL(config.temporal.uiUrl).origin, ...config.api.codecOrigins];

/** CORS for the allowed origins only: a preflight is answered here, before any credential is asked for. */
function codecCors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.header('origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

export function codecRoutes(opts: { config: Config; codec: EncryptionCodec | undefined; auth: Auth }): Router {
  const { config, codec, auth } = opts;
  const router = Router();
  const origins = codecOrigins(config);
  router.use('/codec', codecCors(origins), express.json({ limit: CODEC_BODY_LIMIT, strict: true }));

  for (const direction of ['decode', 'encode'] as const) {
    router.post(`/codec/${direction}`, auth.requireRoleToRead(origins, 'operator'), async (req, res) => {
      if (!codec) return problem(res, 404, 'no codec', { detail: 'TEMPORAL_CODEC is off: payloads are stored in plain JSON' });
      const namespace = req.header('x-namespace');
      if (namespace !== undefined && namespace !== config.temporal.namespace)
        return problem(res, 400, 'unknown namespace', {
          detail: `this codec serves namespace ${config.temporal.namespace}, not ${namespace}`,
        });
      const parsed = codecPayloads.safeParse(req.body);
      if (!parsed.success) return problem(res, 400, 'invalid payloads', { errors: fieldErrors(parsed.error) });
      const payloads = fromJson(parsed.data);
      try {
        const result = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
        logger.info({ operator: callerOf(res).subject, payloads: payloads.length }, `codec: ${direction}d payloads`);
        res.setHeader('Cache-Control', 'no-store');
        res.json(toJson(result));
      } catch (err) {
        if (err instanceof UnknownCodecKeyError || err instanceof TamperedPayloadError)
          return problem(res, 422, 'payload cannot be decoded', { detail: err.message });
        throw err;
      }
    });
  }
  return router;
}
