// Where onnxruntime reads external weight data from. It refuses a `location` whose real path leaves
// the folder it is given ("External data path escapes model directory"), and a Hugging Face hub
// cache snapshot is made of symlinks into ../../blobs/. So every location is resolved to its real
// file first, and onnxruntime gets the deepest folder holding all of them, with locations relative
// to it: the same bytes, reached without a link.
import fs from 'node:fs';
import path from 'node:path';

export interface ExternalDataPaths {
  /** The folder to give onnxruntime. */
  folder: string;
  /** Each location as given -> the location relative to `folder`, with `/`. */
  locations: Map<string, string>;
}

export function resolveExternalDataPaths(folder: string, locations: Iterable<string>): ExternalDataPaths {
  const real = new Map<string, string>();
  for (const location of new Set(locations)) {
    const file = path.resolve(folder, location);
    let resolved: string;
    try {
      resolved = fs.realpathSync(file);
    } catch {
      resolved = file; // missing: onnxruntime names it in its own error
    }
    real.set(location, resolved);
  }
  if (real.size === 0) return { folder, locations: new Map() };
  const common = commonFolder([...real.values()].map((f) => path.dirname(f)));
  const relocated = new Map<string, string>();
  for (const [location, file] of real) relocated.set(location, path.relative(common, file).split(path.sep).join('/'));
  return { folder: common, locations: relocated };
}

function commonFolder(folders: string[]): string {
  let common = folders[0].split(path.sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}
