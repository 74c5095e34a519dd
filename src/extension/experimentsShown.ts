// What the experiments panel shows, as the host keeps it in the workspace state: an experiment under
// .normlab/experiments (by its folder name) or a results.json from elsewhere (by the URI of the editor the user opened
// it in and chose "Show in Experiments" for). After a window reload the revived panel asks the host for "the file you
// showed" with no name in the request: the host reads the URI it kept here, never one from the webview. A results.json
// editor restored with the window is not offered to the panel again when the panel already shows it.
// No vscode import: the store is any get/update pair (unit-tested in plain Node).
import { expectFolder } from '../protocol/experiments';

export const SHOWN_KEY = 'normlab.experiments.shown';

export type ShownRecord = { kind: 'folder'; folder: string } | { kind: 'file'; uri: string };

/** Longer URIs are not kept (a results.json's URI is a path; VS Code's own limits are far below this). */
const MAX_URI = 8192;

/** The record as stored, read defensively (an older or damaged workspace state gives null). */
export function parseShownRecord(v: unknown): ShownRecord | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.kind === 'folder') {
    try {
      return { kind: 'folder', folder: expectFolder(o.folder, 'folder') };
    } catch {
      return null;
    }
  }
  if (o.kind !== 'file' || typeof o.uri !== 'string' || o.uri.length > MAX_URI) return null;
  try {
    new URL(o.uri);
  } catch {
    return null;
  }
  return { kind: 'file', uri: o.uri };
}

/**
 * Whether the panel already shows the results.json of an editor: `uri` its URI (as a string), `folder` its folder
 * under .normlab/experiments or null when it is elsewhere.
 */
export function showsAlready(record: ShownRecord | null, doc: { uri: string; folder: string | null }): boolean {
  if (!record) return false;
  return record.kind === 'folder' ? doc.folder === record.folder : doc.folder === null && doc.uri === record.uri;
}
