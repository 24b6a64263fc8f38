// The sentence a user sees for an error. MechLensError messages start with `input:line: ` (the
// form compilers use, which the CLI prints); a notification reads better as `input, line N: `.
import { MechLensError } from '../core/errors';

export function userFacingMessage(err: MechLensError): string {
  if (err.input && err.line) {
    const prefix = `${err.input}:${err.line}: `;
    if (err.message.startsWith(prefix)) return `${err.input}, line ${err.line}: ${err.message.slice(prefix.length)}`;
  }
  return err.message;
}
