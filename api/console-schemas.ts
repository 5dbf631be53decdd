/** The operator console's sign-in, as zod schemas: they validate the request and generate the OpenAPI document. */
import { z } from 'zod';

export const consoleSignIn = z
  .strictObject({ token: z.string().min(1).max(4096) })
  .meta({ id: 'ConsoleSignIn', description: 'an operator bearer token (API_TOKENS); sent in the body, never in a URL' });

export const consoleSessionView = z
  .object({
    operator: z.string(),
    csrfToken: z.string().meta({ description: 'send it as the X-CSRF-Token header on every write made with the session' }),
    expiresAt: z.string(),
    temporalUiUrl: z.string().meta({ description: "the Temporal Web UI's page of the namespace's workflows" }),
  })
  .meta({ id: 'ConsoleSession' });
