// JSON read from bytes without ever holding the whole text as one string: V8 caps a string near
// 512 MiB, so JSON.parse(readFileSync(file, 'utf8')) of a saved 4,000-word compare (hundreds of MB,
// written by json-stream.ts) fails before parsing starts. Only single tokens (a string, a number)
// become strings here. The grammar is strict JSON (RFC 8259), as JSON.parse reads it, and the value
// is the same as JSON.parse's, except that a leading byte-order mark is skipped (editors add one);
// errors name the byte offset.

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
/** Deeper nesting than any MechLens result; a hostile file gets an error instead of a stack overflow. */
const MAX_DEPTH = 1000;

export function parseJsonBytes(input: Uint8Array): unknown {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let at = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

  const fail = (what: string): never => {
    throw new SyntaxError(at >= bytes.length ? `Unexpected end of JSON input (${what})` : `${what} at byte ${at}`);
  };
  const skipSpace = () => {
    for (let b = bytes[at]; b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09; b = bytes[++at]);
  };
  const expectWord = (word: string, value: unknown) => {
    for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) fail(`Unexpected token`);
    at += word.length;
    return value;
  };
  const digits = () => {
    const from = at;
    while (bytes[at] >= 0x30 && bytes[at] <= 0x39) at++;
    if (at === from) fail('Expected a digit');
  };
  const number = (): number => {
    const from = at;
    if (bytes[at] === 0x2d) at++;
    if (bytes[at] === 0x30) at++;
    else digits();
    if (bytes[at] === 0x2e) { at++; digits(); }
    if (bytes[at] === 0x65 || bytes[at] === 0x45) {
      at++;
      if (bytes[at] === 0x2b || bytes[at] === 0x2d) at++;
      digits();
    }
    return Number(bytes.toString('latin1', from, at));
  };
  const string = (): string => {
    const from = ++at; // after the opening quote
    let escaped = false;
    for (;;) {
      const b = bytes[at];
      if (b === undefined) fail('Unterminated string');
      if (b < 0x20) fail('Bad control character in string');
      if (b === QUOTE) break;
      if (b === BACKSLASH) { escaped = true; at++; }
      at++;
    }
    at++;
    // Escapes (rare in results) are decoded by JSON.parse on this one token; checks them too.
    return escaped ? JSON.parse(bytes.toString('utf8', from - 1, at)) as string : bytes.toString('utf8', from, at - 1);
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`Nesting deeper than ${MAX_DEPTH}`);
    skipSpace();
    const b = bytes[at];
    if (b === QUOTE) return string();
    if (b === OPEN_ARRAY) {
      at++;
      const out: unknown[] = [];
      skipSpace();
      if (bytes[at] === CLOSE_ARRAY) { at++; return out; }
      for (;;) {
        out.push(value(depth + 1));
        skipSpace();
        if (bytes[at] === COMMA) { at++; continue; }
        if (bytes[at] === CLOSE_ARRAY) { at++; return out; }
        fail("Expected ',' or ']'");
      }
    }
    if (b === OPEN_OBJECT) {
      at++;
      const out: Record<string, unknown> = {};
      skipSpace();
      if (bytes[at] === CLOSE_OBJECT) { at++; return out; }
      for (;;) {
        skipSpace();
        if (bytes[at] !== QUOTE) fail('Expected a property name');
        const key = string();
        skipSpace();
        if (bytes[at] !== COLON) fail("Expected ':'");
        at++;
        const member = value(depth + 1);
        // As JSON.parse: "__proto__" is an own property, not the prototype.
        Object.defineProperty(out, key, { value: member, writable: true, enumerable: true, configurable: true });
        skipSpace();
        if (bytes[at] === COMMA) { at++; continue; }
        if (bytes[at] === CLOSE_OBJECT) { at++; return out; }
        fail("Expected ',' or '}'");
      }
    }
    if (b === 0x74) return expectWord('true', true);
    if (b === 0x66) return expectWord('false', false);
    if (b === 0x6e) return expectWord('null', null);
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return number();
    return fail('Unexpected token');
  };

  const result = value(0);
  skipSpace();
  if (at < bytes.length) fail('Unexpected non-whitespace character after JSON');
  return result;
}
