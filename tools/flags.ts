/** What the tooling's command lines (bench, soak) share: duration flags, and zod's complaints as one message. */
import { z } from 'zod';
import { parseDuration } from '../config';

/** A command line a tool cannot run: the command prints it with the usage (exit 2), without a stack trace. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** `500ms`, `10s`, `2m` → milliseconds. */
export const durationFlag = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 500ms, 10s or 2m (got "${v}")` });
    return z.NEVER;
  }
  return ms;
});

/** `1s-5s` → a uniform spread between two durations. */
export const spreadFlag = z.string().transform((v, ctx) => {
  const [lo, hi] = v.split('-').map((s) => parseDuration(s.trim()));
  if (lo === undefined || hi === undefined || hi < lo) {
    ctx.addIssue({ code: 'custom', message: `must be <min>-<max>, two durations (got "${v}")` });
    return z.NEVER;
  }
  return { minMs: lo, maxMs: hi };
});

/** The flags as the schema reads them, or an OptionsError naming each flag that is wrong and why. */
export function validFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${String(i.path[0])}: ${i.message}`).join('\n');
    throw new OptionsError(`invalid options:\n${problems}`);
  }
  return parsed.data;
}
