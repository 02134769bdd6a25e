/**
 * Stream ids are `<category>-<uuid>`, but Keystone shows project and user ids as 32 hex digits
 * without dashes. `uuidOf` writes either form as a lowercase uuid, so both name the same stream.
 */

const compactUuid = /^[0-9a-f]{32}$/i;
const hexParts = /^(.{8})(.{4})(.{4})(.{4})(.{12})$/;

/**
 * 32 hex digits in the dashed form, as one flat string. A template of five slices makes a chain
 * of strings that V8 keeps as it is wherever the id is stored (~300 bytes an id instead of ~60;
 * the ids of 10,000 servers in the read models took ~15 MB).
 */
export const dashedUuidOf = (hex: string): string => hex.replace(hexParts, "$1-$2-$3-$4-$5");
const dashedUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `uuidOf("9b59e0c4…")` is `9b59e0c4-…`; a dashed uuid is lowercased; anything else (an id a
 * deployment chose itself) is returned unchanged, so the function is total.
 */
export const uuidOf = (id: string): string => {
  if (compactUuid.test(id)) return dashedUuidOf(id.toLowerCase());
  return dashedUuid.test(id) ? id.toLowerCase() : id;
};
