/** Opaque keyset-pagination cursors: the sort key of the last row of a page, base64url JSON. */
import { z } from 'zod';

const cursorSchema = z.strictObject({ at: z.iso.datetime({ offset: true }), id: z.string().min(1).max(200) });
export type Cursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The cursor, or undefined when it is not one this api made. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
