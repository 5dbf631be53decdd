/**
 * The failure converter of every client and worker, bundled into the workflow sandbox too (the SDK loads it by
 * path, temporal/codec.ts): a failure's message and stack trace travel in its encoded attributes, which the
 * payload codec encrypts. By default Temporal keeps them plain, and an error message can name an amount or an
 * account. Histories recorded with plain failure messages read as before.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
