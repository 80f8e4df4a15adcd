/**
 * JSON files the plan CLI reads (`--base`, `--previous`, `--policy-pack-config`): bounded before they
 * are parsed, so a hostile file is a clear error naming it (CLI exit 2), never a crash. JSON.parse
 * itself takes any depth, but everything that walks the result afterwards (the diff, JSON.stringify)
 * recurses, and 100,000 levels exhaust the stack: the depth is measured first, in one linear pass.
 */
/** The shipped stacks and examples nest 12 to 15 levels (resource inputs included); this leaves room. */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing (strings and
 * their escapes skipped). Stops counting once `limit` is passed. Linear in the text.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Why a JSON text is refused (never quoting it), or its value. */
export type JsonParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses a JSON text with its depth bounded first. The reason never quotes the text (JSON.parse's own
 * message shows the source around the error, which may be a credential): only where it is.
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonParse {
  if (jsonDepth(text, maxDepth) > maxDepth)
    return {
      ok: false,
      reason: `nests arrays or objects more than ${maxDepth} levels deep, which no plan document does`,
    };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    // V8 quotes the source around some errors (`Unexpected token 'x', "<text>" is not valid JSON`): cut it.
    // Longer texts are quoted as `..."<text>"...`; whatever the form, nothing after the first ", " is kept.
    const message = (e as Error).message.replace(/, (\.\.\.)?".*$/s, "").replace(/[\r\n]/g, " ");
    return { ok: false, reason: `not valid JSON: ${message}` };
  }
}
