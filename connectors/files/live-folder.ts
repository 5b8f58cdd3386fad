/**
 * A folder of configuration files that engineers change while the workers run (banks added,
 * extended hours agreed): its matching files as they are now, and a signature that changes when
 * any name, size or modification time does, so callers parse again only then. A missing folder
 * is empty.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FolderFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

export function listFolder(dir: string, pattern: RegExp): FolderFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => pattern.test(n))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      try {
        const st = statSync(path);
        return st.isFile() ? [{ name, path, size: st.size, mtimeMs: st.mtimeMs }] : [];
      } catch {
        // Renamed away between the listing and the stat: the next look sees the folder as it is.
        return [];
      }
    });
}

export function folderSignature(files: FolderFile[]): string {
  return files.map((f) => `${f.name}:${f.size}:${f.mtimeMs}`).join('|');
}
