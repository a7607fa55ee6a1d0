import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalArtifactStore } from './artifact-store';

describe('the local artifact store', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'artifacts-'));
    outside = mkdtempSync(join(tmpdir(), 'outside-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('stores a file with its size and sha256, reads it back and lists directories and files', async () => {
    const store = new LocalArtifactStore(root, 1024);
    const body = 'artifact_path: model\nflavors: {}\n';
    expect(await store.put('0/run/artifacts/model/MLmodel', Readable.from([Buffer.from(body)]))).toEqual({
      size: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    await store.put('0/run/artifacts/notes.txt', Readable.from([Buffer.from('hi')]));
    const file = await store.get('0/run/artifacts/model/MLmodel');
    expect(file.size).toBe(Buffer.byteLength(body));
    expect(await text(file.body)).toBe(body);
    expect(await store.list('0/run/artifacts')).toEqual([
      { path: 'model', is_dir: true },
      { path: 'notes.txt', is_dir: false, file_size: 2 },
    ]);
    expect(await store.list('0/run/missing')).toEqual([]);
  });

  it('refuses a file over the size limit and leaves nothing behind', async () => {
    const store = new LocalArtifactStore(root, 4);
    await expect(store.put('0/r/big.bin', Readable.from([Buffer.from('12345')]))).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(await store.list('0/r')).toEqual([]);
  });

  it('answers not found for a missing file', async () => {
    await expect(new LocalArtifactStore(root, 4).get('0/r/none')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('refuses a path that a symlink inside the root leads out of', async () => {
    mkdirSync(join(root, '0'));
    symlinkSync(outside, join(root, '0', 'escape'));
    const store = new LocalArtifactStore(root, 1024);
    await expect(store.put('0/escape/x.txt', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ kind: 'invalid_input' });
    await expect(store.get('0/escape/x.txt')).rejects.toMatchObject({ kind: 'invalid_input' });
  });
});
