// Which restricted settings a workspace's own settings files name. In Restricted Mode VS Code
// already hides those values from the extension (they are listed in restrictedConfigurations), so
// `inspect()` cannot tell us they exist; reading the files lets MechLens say what it ignored.
import { existsSync, readFileSync } from 'node:fs';

/** Removes // and /* *\/ comments outside strings, as settings.json (JSONC) allows them. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** The keys among `keys` that the settings text sets (flat `"mechlens.x": value` form). */
export function settingsNamedIn(text: string, keys: readonly string[]): string[] {
  const code = stripJsonComments(text);
  return keys.filter((key) => new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).test(code));
}

/** The same, over several settings files; missing or unreadable files name nothing. */
export function settingsNamedInFiles(files: readonly string[], keys: readonly string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    try {
      if (existsSync(file)) for (const key of settingsNamedIn(readFileSync(file, 'utf8'), keys)) found.add(key);
    } catch {
      // An unreadable settings file sets nothing we could have honored either.
    }
  }
  return keys.filter((k) => found.has(k));
}
