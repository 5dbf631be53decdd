import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;

/** The server's enum for an SDK search attribute type: KEYWORD → INDEXED_VALUE_TYPE_KEYWORD. */
const indexedType = (type: string) => IndexedValueType[`INDEXED_VALUE_TYPE_${type}` as keyof typeof IndexedValueType] as number;

/** The payment search attributes with the server's type of each, as OperatorService.addSearchAttributes takes them. */
export const paymentSearchAttributeTypes = (): Record<string, number> =>
  Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, indexedType(key.type)]));

/**
 * Registers the payment search attributes in a namespace of a self-hosted cluster (the local dev server gets
 * them from its start flags). Temporal Cloud manages them through its own API: there the call is refused and
 * the error says to add them with `tcld`. Returns the names it added.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes = {} } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, number> = {};
  for (const key of SEARCH_ATTRIBUTE_KEYS) {
    const existing = customAttributes[key.name];
    if (existing === undefined) missing[key.name] = indexedType(key.type);
    else if (existing !== indexedType(key.type)) {
      throw new Error(
        `search attribute ${key.name} exists in ${namespace} with another type (${IndexedValueType[existing]}); it must be ${key.type}`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    throw new Error(
      `could not add search attributes ${Object.keys(missing).join(', ')} to ${namespace} (${(err as Error).message}). ` +
        'On Temporal Cloud add them with `tcld namespace search-attributes add`.',
    );
  }
  // A server on SQL visibility keeps them with the namespace, which its services read from a cache refreshed
  // every ~10 s: a saga started before then would be refused for an unknown attribute. Wait until it lists them.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listed = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    if (Object.keys(missing).every((name) => listed[name] !== undefined)) break;
    if (Date.now() > deadline)
      throw new Error(`search attributes ${Object.keys(missing).join(', ')} not listed 60 s after adding them`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return Object.keys(missing);
}
