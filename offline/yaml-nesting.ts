/**
 * How deep a YAML text can nest, read from its tokens before anything is parsed. The yaml library
 * composes nodes recursively: a hostile file of 200,000 `[` (or `- - - …` on one line) ran for
 * over a second until the stack overflowed. The lexer is iterative, so counting its tokens is
 * linear, and the count stops as soon as it passes the limit.
 */
import { Lexer } from "yaml";

const OPENS_FLOW = new Set(["[", "{"]);
const CLOSES_FLOW = new Set(["]", "}"]);
/** Block indicators that open a nested collection when more follow on the same line (`- - x`, `? - x`). */
const BLOCK_INDICATORS = new Set(["-", "?"]);

/**
 * An upper bound of the nesting the text's collections reach (flow brackets, indentation levels
 * outside flow collections, block indicators on one line), or the first count past `limit`.
 * Brackets inside quoted scalars and comments are not counted: the lexer reads those as one token.
 */
export function yamlNestingBound(text: string, limit: number): number {
  const indents: number[] = [];
  let flow = 0;
  let onLine = 0;
  let lineStart = true;
  let deepest = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === "\n" || token === "\r\n") {
      onLine = 0;
      lineStart = true;
      continue;
    }
    if (lineStart && flow === 0) {
      // The line's indentation: a deeper one opens a level, a shallower one closes levels.
      const indent = /^ +$/.test(token) ? token.length : 0;
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    lineStart = false;
    if (OPENS_FLOW.has(token)) flow++;
    else if (CLOSES_FLOW.has(token)) flow = Math.max(0, flow - 1);
    else if (BLOCK_INDICATORS.has(token) && flow === 0) onLine++;
    deepest = Math.max(deepest, indents.length + onLine + flow);
    if (deepest > limit) return deepest;
  }
  return deepest;
}
