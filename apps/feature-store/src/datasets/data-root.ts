import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { invalidInput, invalidState } from '@mlops/event-sourcing';

/** A dataset file both as the event carries it (relative, `/`-separated) and as DuckDB opens it. */
export interface DataPath {
  /** Relative to the data root's real path, `/`-separated, never `..`. */
  relative: string;
  absolute: string;
  /** The data root's real path. */
  root: string;
}

/** Characters DuckDB would expand as a glob or that no file name of ours needs. */
const FORBIDDEN = /[*?[\]{}\0]/;

const inside = (root: string, candidate: string) => candidate === root || candidate.startsWith(root + sep);

const outside = (input: string) =>
  invalidInput(`path ${input} is outside the data root`, [{ field: 'path', message: 'must name a file under the data root' }]);

/** The real path of `target`, or — when it does not exist — of its nearest existing ancestor plus the rest. */
async function realPathOf(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (dirname(target) === target) throw error;
    } else {
      throw invalidState(`Cannot resolve ${basename(target)}: ${code ?? (error as Error).message}`);
    }
    return resolve(await realPathOf(dirname(target)), basename(target));
  }
}

/**
 * Resolves a client-supplied path against the data root. Containment is checked twice: lexically
 * (`../`, absolute paths elsewhere) and after resolving symlinks (a link inside pointing outside),
 * so a file is only ever read from under the root. A missing file passes: DuckDB then says why.
 */
export async function resolveDataPath(dataRoot: string, input: string): Promise<DataPath> {
  if (!input || FORBIDDEN.test(input)) {
    throw invalidInput(`path ${JSON.stringify(input)} is not a plain file path`, [
      { field: 'path', message: 'must not be empty or contain glob characters (* ? [ ] { })' },
    ]);
  }
  let root: string;
  try {
    root = await realpath(dataRoot);
  } catch {
    throw invalidState(`The data root is not available on this server`);
  }
  const lexical = isAbsolute(input) ? resolve(input) : resolve(root, input);
  if (!inside(root, lexical) && !inside(resolve(dataRoot), lexical)) throw outside(input);
  const real = await realPathOf(lexical);
  if (!inside(root, real) || real === root) throw outside(input);
  return { relative: relative(root, real).split(sep).join('/'), absolute: real, root };
}
