import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The console reaches operators only if the build makes it and the image carries it. No Docker engine
 * runs in CI, so these read the build files as text (like test/static/docker-compose.spec.ts).
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('Console packaging', () => {
  it('is built by `npm run build`, into dist/console where the api looks for it', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toContain('npm run build:console');
    expect(scripts['build:console']).toContain('vite build --config console/vite.config.mts');
    expect(read('console/vite.config.mts')).toContain("outDir: here('../dist/console')");
    expect(read('apps/api/src/console/assets/console-assets.ts')).toContain(
      "resolve(__dirname, '..', '..', 'console')",
    );
  });

  it('is sent to the Docker build, which copies dist/ into the runtime image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored.filter((pattern) => /^\/?console(\/|\*|$)/.test(pattern))).toEqual([]);
    expect(read('Dockerfile')).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
  });
});
