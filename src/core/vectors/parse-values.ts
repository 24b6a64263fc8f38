// Parses the ASCII numbers of one text row straight from bytes into a Float32Array.
// Decimal strings are converted the way numpy does it (to the nearest double, then to float32):
// a mantissa of at most 15 digits and a power of ten up to 1e22 are both exact doubles, so one
// division or multiplication gives the correctly rounded double; anything else goes to Number().

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;

export interface ValueParseProblem {
  /** 0-based index of the value in the row. */
  index: number;
  token: string;
}

/**
 * Writes the numbers in buf[start, end) into out[offset ...] (at most `max` of them) and returns how
 * many numbers the row holds, or a problem for the first token that is not a number. Numbers are
 * separated by blanks; with `commas` (a JSON array's body) by commas too.
 */
export function parseRowValues(buf: Buffer, start: number, end: number, out: Float32Array, offset: number, max: number, commas = false): number | ValueParseProblem {
  const separator = commas ? COMMA : SPACE;
  let p = start;
  let k = 0;
  while (p < end) {
    let c = buf[p];
    while (c === SPACE || c === TAB || c === separator) {
      if (++p >= end) return k;
      c = buf[p];
    }
    const tokenStart = p;
    let negative = false;
    if (c === 0x2d) {
      negative = true;
      p++;
    } else if (c === 0x2b) p++;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      p++;
    }
    if (p < end && buf[p] === 0x2e) {
      p++;
      while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        scale++;
        p++;
      }
    }
    let exponent = 0;
    let exponentOk = true;
    if (digits > 0 && p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
      p++;
      let expNegative = false;
      if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) expNegative = buf[p++] === 0x2d;
      let expDigits = 0;
      while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
        exponent = exponent * 10 + (c - 0x30);
        expDigits++;
        p++;
      }
      exponentOk = expDigits > 0;
      if (expNegative) exponent = -exponent;
    }
    let value: number;
    const power = exponent - scale;
    if (digits > 0 && digits <= 15 && exponentOk && (p >= end || buf[p] === SPACE || buf[p] === TAB || buf[p] === separator) && power >= -22 && power <= 22) {
      value = power === 0 ? mantissa : power < 0 ? mantissa / POW10[-power] : mantissa * POW10[power];
      if (negative) value = -value;
    } else {
      while (p < end && buf[p] !== SPACE && buf[p] !== TAB && buf[p] !== separator) p++;
      const token = buf.toString('latin1', tokenStart, p);
      value = Number(token);
      if (Number.isNaN(value)) {
        // numpy reads "inf" and "nan"; keep them so the caller can refuse them by name.
        if (/^[+-]?inf(inity)?$/i.test(token)) value = token.startsWith('-') ? -Infinity : Infinity;
        else if (!/^[+-]?nan$/i.test(token)) return { index: k, token };
      }
    }
    if (k < max) out[offset + k] = value;
    k++;
  }
  return k;
}

/** Index of the first NaN or ±Infinity in data[start, end), or -1. */
export function firstNonFinite(data: Float32Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const v = data[i];
    if (v - v !== 0) return i;
  }
  return -1;
}
