/**
 * Node-only modules (node:fs, node:os ...), imported through a variable specifier so that browser
 * bundlers leave them out; in a browser the import fails and the error says what needed Node.
 */
import { WebtrainError } from '../errors.js';

export async function nodeModule<T>(specifier: string, forWhat = 'this'): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (cause) {
    throw new WebtrainError(`${forWhat} needs ${specifier}, which could not be loaded here (${(cause as Error).message})`, { cause });
  }
}
