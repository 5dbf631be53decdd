/**
 * Keyset-pagination cursors, as zod schemas of the query parameter: each decodes the text into the sort key of
 * the last row of a page. Their patterns say exactly which texts are cursors, so the OpenAPI document (generated
 * from these schemas) and the validation agree: every text the document allows is a cursor the api accepts.
 */
import { z } from 'zod';

/** `<epoch milliseconds>~<id>`: the (time, id) of the last row of a page, e.g. `1767225600000~4f0c…`. */
export const timeIdCursor = z
  .string()
  .regex(/^[0-9]{1,15}~[A-Za-z0-9._:-]{1,100}$/, 'is not a cursor of this api: pass nextCursor unchanged')
  .meta({ description: 'nextCursor of the previous page, unchanged' })
  .transform((text) => {
    const at = text.indexOf('~');
    return { at: new Date(Number(text.slice(0, at))).toISOString(), id: text.slice(at + 1) };
  });
export type TimeIdCursor = z.output<typeof timeIdCursor>;

export const encodeTimeIdCursor = (cursor: { at: Date; id: string }) => `${cursor.at.getTime()}~${cursor.id}`;

/** A row id: the last id of a page. */
export const idCursor = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'is not a cursor of this api: pass nextCursor unchanged')
  .meta({ description: 'nextCursor of the previous page, unchanged' })
  .transform(Number);
