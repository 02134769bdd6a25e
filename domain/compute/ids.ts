/**
 * Stream ids are `<category>-<uuid>`, but Keystone shows project and user ids as 32 hex digits
 * without dashes. `uuidOf` writes either form as a lowercase uuid, so both name the same stream.
 */

const compactUuid = /^[0-9a-f]{32}$/i;
const dashedUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `uuidOf("9b59e0c4…")` is `9b59e0c4-…`; a dashed uuid is lowercased; anything else (an id a
 * deployment chose itself) is returned unchanged, so the function is total.
 */
export const uuidOf = (id: string): string => {
  if (compactUuid.test(id)) {
    const hex = id.toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return dashedUuid.test(id) ? id.toLowerCase() : id;
};
