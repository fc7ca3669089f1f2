import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets';

describe('ConsoleAssets', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-assets-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the first candidate that holds an index.html, and lists its files by URL path', () => {
    const built = join(dir, 'built');
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html>');
    writeFileSync(join(built, 'assets', 'index-abc.js'), '');

    const assets = ConsoleAssets.load([join(dir, 'missing'), built]);

    expect(assets.built).toBe(true);
    expect(assets.root).toBe(built);
    expect(assets.indexHtml).toBe(join(built, 'index.html'));
    expect(assets.file('assets/index-abc.js')).toBe(join(built, 'assets', 'index-abc.js'));
  });

  it('sends nothing outside the listed files, whatever the path says', () => {
    writeFileSync(join(dir, 'index.html'), '');
    const assets = ConsoleAssets.load([dir]);
    for (const path of ['../package.json', 'assets/../../x', '/etc/passwd', 'assets', '']) {
      expect(assets.file(path)).toBeUndefined();
    }
  });

  it('reports an unbuilt console when no candidate has an index.html', () => {
    const assets = ConsoleAssets.load([join(dir, 'nowhere')]);
    expect(assets.built).toBe(false);
    expect(assets.indexHtml).toBeUndefined();
  });
});
