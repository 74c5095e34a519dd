// Smoke: the extension is installed in the host, activates, and registers every command it
// contributes. Fails fast if the manifest and extension.ts drift apart.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'normlab.normlab';

interface ContributedCommand {
  command: string;
  title: string;
}

describe('smoke: extension host', () => {
  it(`${EXTENSION_ID} is present`, () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is not loaded in the extension host`);
  });

  it('activates without throwing', async function () {
    this.timeout(60_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every normlab.* command from package.json', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const contributed = ((ext.packageJSON.contributes?.commands ?? []) as ContributedCommand[])
      .map((c) => c.command)
      .filter((id) => id.startsWith('normlab.'));
    assert.ok(contributed.length > 0, 'package.json contributes no normlab.* commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
